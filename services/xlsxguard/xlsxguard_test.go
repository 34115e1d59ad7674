package xlsxguard_test

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/xlsxguard"
	"github.com/yichuang/yichuang/services/xlsxguard/xlsxguardtest"
)

// bombAllocBound is what refusing the zip bomb may allocate in all, the upload's own copy
// included: the archive is judged from its central directory, nothing is inflated. Without
// the guard excelize inflated the 250 MiB cell and the server held 1.6 GB (issue 13).
const bombAllocBound = 4 << 20

// TestZipBombRefusedWithinMemoryBound is not parallel on purpose: it measures the process's
// allocations, which other tests running at the same time would add to.
func TestZipBombRefusedWithinMemoryBound(t *testing.T) {
	bomb := xlsxguardtest.Bomb(t, "Sheet1", xlsxguardtest.BombCellBytes)
	if len(bomb) > 300<<10 {
		t.Fatalf("the bomb is %d bytes; the attack used 262 KB", len(bomb))
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	book, err := xlsxguard.Open(bytes.NewReader(bomb), xlsxguard.Default, false)
	runtime.ReadMemStats(&after)
	if book != nil {
		book.Close()
	}
	p, ok := problem.As(err)
	if !ok || p.Status != http.StatusRequestEntityTooLarge || p.Code != "workbook_too_large" || !strings.Contains(p.Message, "sheet1.xml") {
		t.Fatalf("bomb: %v; want 413 workbook_too_large naming the part", err)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("refusing a %d-byte bomb that inflates to %d MiB allocated %d KiB: %s", len(bomb), xlsxguardtest.BombCellBytes>>20, alloc>>10, p.Message)
	if alloc > bombAllocBound {
		t.Fatalf("refusing the bomb allocated %d bytes; the bound is %d", alloc, bombAllocBound)
	}
}

// workbook writes rows into Sheet1 of a new workbook.
func workbook(t *testing.T, rows ...[]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if r == nil {
			continue
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func noise(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// readAll streams Sheet1 through the guard and returns the rows it saw and the error.
func readAll(t *testing.T, file []byte, lim xlsxguard.Limits) (int, error) {
	t.Helper()
	book, err := xlsxguard.Open(bytes.NewReader(file), lim, false)
	if err != nil {
		return 0, err
	}
	defer book.Close()
	rows, err := book.Rows("Sheet1")
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	return n, rows.Err()
}

func TestArchiveLimits(t *testing.T) {
	t.Parallel()
	small := workbook(t, []any{"姓名", "身份证号"}, []any{"张三", "130826199001011234"})
	with := func(f func(*xlsxguard.Limits)) xlsxguard.Limits {
		l := xlsxguard.Default
		f(&l)
		return l
	}
	manyParts := func() []byte {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		for i := range 300 {
			w, _ := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("xl/media/image%d.png", i), Method: zip.Store})
			_, _ = w.Write([]byte{1})
		}
		_ = zw.Close()
		return b.Bytes()
	}()
	zeros := func(n int) []byte { return make([]byte, n) }
	for _, c := range []struct {
		name   string
		file   []byte
		lim    xlsxguard.Limits
		status int
		want   string
	}{
		{"not a zip", []byte("姓名,身份证号\n张三,130826199001011234\n"), xlsxguard.Default, 422, ".xlsx"},
		{"empty", nil, xlsxguard.Default, 422, ".xlsx"},
		{"upload too big", append(small, noise(1<<20)...), with(func(l *xlsxguard.Limits) { l.MaxFileBytes = 1 << 20 }), 413, "文件超过 1 MB"},
		{"too many parts", manyParts, xlsxguard.Default, 413, "部件过多（30"},
		{"part too large", xlsxguardtest.Add(t, small, "xl/worksheets/sheet2.xml", zip.Store, noise(3<<20)),
			with(func(l *xlsxguard.Limits) { l.MaxPartBytes = 2 << 20 }), 413, "超过单个部件上限 2 MB"},
		{"total too large", xlsxguardtest.Add(t, xlsxguardtest.Add(t, small, "xl/worksheets/sheet2.xml", zip.Store, noise(2<<20)), "xl/worksheets/sheet3.xml", zip.Store, noise(2<<20)),
			with(func(l *xlsxguard.Limits) { l.MaxTotalBytes = 3 << 20 }), 413, "解压后共 4 MB，超过上限 3 MB"},
		{"ratio of a part", xlsxguardtest.Add(t, small, "xl/worksheets/sheet2.xml", zip.Deflate, zeros(8<<20)), xlsxguard.Default, 413, "压缩比异常"},
		{"resident parts", xlsxguardtest.Add(t, small, "xl/media/image1.png", zip.Store, noise(3<<20)),
			with(func(l *xlsxguard.Limits) { l.MaxResidentBytes = 2 << 20 }), 413, "除工作表外的内容"},
	} {
		_, err := readAll(t, c.file, c.lim)
		p, ok := problem.As(err)
		if !ok || p.Status != c.status || !strings.Contains(p.Message, c.want) || len(p.Fields) != 1 || p.Fields[0].Location != "file" || p.MessageEn == "" {
			t.Errorf("%s: %v; want %d mentioning %q on file", c.name, err, c.status, c.want)
		}
	}
	// A large worksheet is spooled, not resident: 3 MiB of sheet passes a 2 MiB resident limit.
	big := make([][]any, 0, 20000)
	for i := range 20000 {
		big = append(big, []any{"张三" + strconv.Itoa(i), "130826199001011234", "乡镇", "社区", "其他社区工作者"})
	}
	if n, err := readAll(t, workbook(t, big...), with(func(l *xlsxguard.Limits) { l.MaxResidentBytes = 2 << 20 })); err != nil || n != 20000 {
		t.Fatalf("a 20,000-row roster: %d rows, %v", n, err)
	}
}

func TestSheetShapeLimits(t *testing.T) {
	t.Parallel()
	wide := make([]any, 101)
	for i := range wide {
		wide[i] = "x"
	}
	manyRows := make([][]any, 0, 120)
	for i := range 120 {
		manyRows = append(manyRows, []any{i})
	}
	for _, c := range []struct {
		name string
		file []byte
		lim  xlsxguard.Limits
		want string
	}{
		{"too many rows", workbook(t, manyRows...), func() xlsxguard.Limits { l := xlsxguard.Default; l.MaxRows = 100; return l }(), "超过 100 行"},
		// One cell far down: the rows before it count, though they are blank.
		{"a cell at row 50,001", func() []byte {
			rows := make([][]any, 50_001)
			rows[50_000] = []any{"x"}
			return workbook(t, rows...)
		}(), xlsxguard.Default, "超过 50000 行"},
		{"too many columns", workbook(t, []any{"a"}, wide), xlsxguard.Default, "第 2 行有 101 列"},
		{"a cell at column XFD", func() []byte {
			f := excelize.NewFile()
			defer f.Close()
			_ = f.SetCellStr("Sheet1", "XFD3", "x")
			var b bytes.Buffer
			_ = f.Write(&b)
			return b.Bytes()
		}(), xlsxguard.Default, "第 3 行有 16384 列"},
		{"a long cell", workbook(t, []any{"a"}, []any{"b", strings.Repeat("长", 10_001)}), xlsxguard.Default, "单元格 B2 超过 10000 字"},
	} {
		_, err := readAll(t, c.file, c.lim)
		p, ok := problem.As(err)
		if !ok || p.Status != http.StatusUnprocessableEntity || p.Code != "workbook_limit" || !strings.Contains(p.Message, c.want) {
			t.Errorf("%s: %v; want 422 workbook_limit mentioning %q", c.name, err, c.want)
		}
	}
	// At the limits exactly, the sheet is read.
	edge := make([]any, 100)
	for i := range edge {
		edge[i] = "x"
	}
	edge[99] = strings.Repeat("长", 10_000)
	if n, err := readAll(t, workbook(t, edge), xlsxguard.Default); err != nil || n != 1 {
		t.Fatalf("a row at the limits: %d rows, %v", n, err)
	}
}

func TestGateAdmitsAFewAtOnce(t *testing.T) {
	t.Parallel()
	g := xlsxguard.NewGate(2)
	r1, err1 := g.Enter()
	r2, err2 := g.Enter()
	if err1 != nil || err2 != nil {
		t.Fatalf("two slots: %v %v", err1, err2)
	}
	_, err := g.Enter()
	p, ok := problem.As(err)
	if !ok || p.Status != http.StatusTooManyRequests || p.Code != "import_busy" || p.GetHeaders().Get("Retry-After") != "10" || !strings.Contains(p.Message, "稍后重试") {
		t.Fatalf("third import: %v; want 429 import_busy with Retry-After", err)
	}
	r1()
	r3, err := g.Enter()
	if err != nil {
		t.Fatalf("after a release: %v", err)
	}
	r2()
	r3()
	// Under a burst, never more than two hold a slot.
	var (
		mu       sync.Mutex
		in, peak int
		wg       sync.WaitGroup
	)
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			release, err := g.Enter()
			if err != nil {
				return
			}
			mu.Lock()
			in++
			peak = max(peak, in)
			mu.Unlock()
			runtime.Gosched()
			mu.Lock()
			in--
			mu.Unlock()
			release()
		}()
	}
	wg.Wait()
	if peak > 2 {
		t.Fatalf("%d imports ran at once; the gate admits 2", peak)
	}
}
