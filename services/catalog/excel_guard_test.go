package catalog

import (
	"bytes"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/xlsxguard/xlsxguardtest"
)

// importBombAllocBound: refusing the bomb through the catalogue import allocates at most
// this much in all. Before the guard, the import inflated the 250 MiB cell: about 1.3 GB
// allocated and half a minute of CPU for one upload.
const importBombAllocBound = 4 << 20

// TestImportRefusesZipBomb is not parallel: it measures the process's allocations.
func TestImportRefusesZipBomb(t *testing.T) {
	bomb := xlsxguardtest.Bomb(t, sheetItems, xlsxguardtest.BombCellBytes)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	items, errs, err := ImportExcel(bytes.NewReader(bomb), testDepartmentID)
	runtime.ReadMemStats(&after)
	p, ok := problem.As(err)
	if !ok || p.Status != http.StatusRequestEntityTooLarge || !strings.Contains(p.Message, "超过单个部件上限") || items != nil || errs != nil {
		t.Fatalf("bomb: %d items, %v, %v; want 413", len(items), errs, err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > importBombAllocBound {
		t.Fatalf("refusing the bomb allocated %d bytes; the bound is %d", alloc, importBombAllocBound)
	}
}
