// Package xlsxguard opens an uploaded Excel workbook without letting the file decide how
// much memory, disk or time the server spends on it. Every import (the catalogue, the roster
// and any later one) goes through Open and reads its rows through Rows:
//
//   - before excelize sees the file, the archive is checked from its central directory:
//     the number of parts, the total uncompressed size, the largest part, what excelize
//     would hold in memory, and the compression ratio (a zip bomb: a 262 KB .xlsx whose one
//     cell inflates to 250 MiB is refused here, having allocated about the file's size);
//   - the declared sizes are binding, since Go's archive/zip refuses to inflate a part past
//     its declared size, and excelize spools worksheets and shared strings larger than
//     SpoolBytes to temporary files instead of memory;
//   - rows are streamed (excelize's Rows iterator), never loaded whole, and each row is
//     checked for the row count, the column count and the length of every cell;
//   - a Gate admits a few imports at a time; the rest are told to retry (429, Retry-After).
//
// Every refusal is a *problem.Error on "file" with the reason in Chinese and English: 413
// for a file too large to open, 422 for a sheet whose shape no county file has.
package xlsxguard

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/yichuang/yichuang/services/problem"
)

// Limits bound one workbook. The defaults are far above any county file: the largest real
// imports are a roster of a few thousand workers (≈20,000 rows at most, a sheet of about
// 15 MB of XML) and a catalogue of up to 2,000 items (a few MB).
type Limits struct {
	// MaxFileBytes is the upload itself (compressed).
	MaxFileBytes int64
	// MaxParts is the number of entries in the archive (a workbook has 10–40).
	MaxParts int
	// MaxTotalBytes is the sum of the parts' uncompressed sizes.
	MaxTotalBytes int64
	// MaxPartBytes is the largest single part (a worksheet or the shared strings).
	MaxPartBytes int64
	// MaxResidentBytes is what excelize keeps in memory: every part except worksheets and
	// shared strings larger than SpoolBytes, which go to temporary files.
	MaxResidentBytes int64
	// MaxRatio is the largest uncompressed:compressed ratio of a part (of at least
	// ratioFloor bytes) and of the whole archive. Spreadsheet XML compresses 5–30:1; deflate
	// cannot exceed about 1,030:1, which is what a bomb reaches.
	MaxRatio int64
	// MaxRows is the number of rows of one sheet, header included.
	MaxRows int
	// MaxColumns is the width of one row, up to its last non-empty cell.
	MaxColumns int
	// MaxCellChars is the length of one cell in characters (Excel itself allows 32,767).
	MaxCellChars int
}

// SpoolBytes is excelize's UnzipXMLSizeLimit: worksheets and shared strings larger than
// this are unzipped to a temporary file and streamed from there.
const SpoolBytes = 1 << 20

// ratioFloor exempts small parts from the ratio check: a few KB of repetitive XML may
// compress very well and can never amount to much.
const ratioFloor = 256 << 10

// maxDirectoryBytes bounds the central directory archive/zip parses into memory: 256 parts
// need about 30 KB, so 1 MiB is generous and stops a file made of nothing but headers.
const maxDirectoryBytes = 1 << 20

// Default is the limit every import uses unless it has a reason for less.
var Default = Limits{
	MaxFileBytes:     10 << 20,
	MaxParts:         256,
	MaxTotalBytes:    100 << 20,
	MaxPartBytes:     64 << 20,
	MaxResidentBytes: 16 << 20,
	MaxRatio:         200,
	MaxRows:          50_000,
	MaxColumns:       100,
	MaxCellChars:     10_000,
}

// MaxRowErrors is how many row errors an import reports: enough to fix a file, while a file
// that is wrong everywhere does not turn into a report of a million lines.
const MaxRowErrors = 1000

const fileLocation = "file"

func tooLarge(zh, en string) *problem.Error {
	return &problem.Error{Status: http.StatusRequestEntityTooLarge, Code: "workbook_too_large", Message: zh, MessageEn: en,
		Fields: []problem.Field{{Location: fileLocation, Message: zh, MessageEn: en}}}
}

func outOfShape(zh, en string) *problem.Error {
	return &problem.Error{Status: http.StatusUnprocessableEntity, Code: "workbook_limit", Message: zh, MessageEn: en,
		Fields: []problem.Field{{Location: fileLocation, Message: zh, MessageEn: en}}}
}

// Unreadable is the refusal of a file that is not an .xlsx workbook at all.
func Unreadable(zh, en string) *problem.Error {
	return problem.Invalid(problem.Field{Location: fileLocation, Message: zh, MessageEn: en})
}

var errNotXLSX = Unreadable("无法读取文件，请上传用 Excel 或 WPS 保存的 .xlsx 工作簿", "the file could not be read; upload an .xlsx workbook saved by Excel or WPS")

func mib(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", (n+1023)>>10)
}

// Check inspects the archive's central directory against lim without inflating anything.
// It is what Open does first; it is exported for tests and for callers that only validate.
func Check(b []byte, lim Limits) error {
	if int64(len(b)) > lim.MaxFileBytes {
		return tooLarge(fmt.Sprintf("文件超过 %s，请删去无关内容或分批导入", mib(lim.MaxFileBytes)),
			fmt.Sprintf("the file is larger than %s; remove unrelated content or import in parts", mib(lim.MaxFileBytes)))
	}
	entries, dirSize, ok := endOfDirectory(b)
	if !ok {
		return errNotXLSX
	}
	if entries > lim.MaxParts || dirSize > maxDirectoryBytes {
		return tooLarge(fmt.Sprintf("文件包含的部件过多（%d 个，上限 %d 个），不是正常的 Excel 工作簿", entries, lim.MaxParts),
			fmt.Sprintf("the archive has too many parts (%d, at most %d); it is not an ordinary workbook", entries, lim.MaxParts))
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil || len(zr.File) > lim.MaxParts {
		return errNotXLSX
	}
	var total, resident uint64
	for _, f := range zr.File {
		size, packed := f.UncompressedSize64, f.CompressedSize64
		total += size
		if size > uint64(lim.MaxPartBytes) {
			return tooLarge(fmt.Sprintf("文件中的“%s”解压后为 %s，超过单个部件上限 %s", f.Name, mib(int64(min(size, 1<<62))), mib(lim.MaxPartBytes)),
				fmt.Sprintf("part %s inflates to %s, more than the %s a part may have", f.Name, mib(int64(min(size, 1<<62))), mib(lim.MaxPartBytes)))
		}
		if size >= ratioFloor && size > packed*uint64(lim.MaxRatio) {
			return tooLarge(fmt.Sprintf("文件中的“%s”压缩比异常（%d:1，上限 %d:1），疑似压缩炸弹，已拒绝", f.Name, size/max(packed, 1), lim.MaxRatio),
				fmt.Sprintf("part %s has a compression ratio of %d:1 (at most %d:1): a zip bomb, refused", f.Name, size/max(packed, 1), lim.MaxRatio))
		}
		if !spooled(f.Name, size) {
			resident += size
		}
	}
	if total > uint64(lim.MaxTotalBytes) {
		return tooLarge(fmt.Sprintf("文件解压后共 %s，超过上限 %s", mib(int64(min(total, 1<<62))), mib(lim.MaxTotalBytes)),
			fmt.Sprintf("the workbook inflates to %s, more than %s", mib(int64(min(total, 1<<62))), mib(lim.MaxTotalBytes)))
	}
	if total >= ratioFloor && total > uint64(len(b))*uint64(lim.MaxRatio) {
		return tooLarge(fmt.Sprintf("文件压缩比异常（%d:1，上限 %d:1），疑似压缩炸弹，已拒绝", total/uint64(len(b)), lim.MaxRatio),
			fmt.Sprintf("the workbook has a compression ratio of %d:1 (at most %d:1): a zip bomb, refused", total/uint64(len(b)), lim.MaxRatio))
	}
	if resident > uint64(lim.MaxResidentBytes) {
		return tooLarge(fmt.Sprintf("文件中除工作表外的内容（样式、图片等）解压后共 %s，超过上限 %s，请删去图片等无关内容", mib(int64(resident)), mib(lim.MaxResidentBytes)),
			fmt.Sprintf("the parts other than worksheets (styles, pictures …) inflate to %s, more than %s; remove pictures and other content", mib(int64(resident)), mib(lim.MaxResidentBytes)))
	}
	return nil
}

// spooled reports whether excelize writes the part to a temporary file instead of keeping
// it in memory (see excelize's ReadZipReader).
func spooled(name string, size uint64) bool {
	n := strings.ToLower(strings.ReplaceAll(name, "\\", "/"))
	return size > SpoolBytes && (n == "xl/sharedstrings.xml" || strings.HasPrefix(n, "xl/worksheets/sheet"))
}

// endOfDirectory reads the entry count and directory size from the end-of-central-directory
// record, before archive/zip allocates a header per entry. ZIP64 archives are refused: a
// workbook within these limits never needs one.
func endOfDirectory(b []byte) (entries int, dirSize int64, ok bool) {
	const recordLen = 22
	if len(b) < recordLen {
		return 0, 0, false
	}
	lowest := max(0, len(b)-recordLen-0xFFFF) // the record is followed by a comment of at most 64 KB
	for i := len(b) - recordLen; i >= lowest; i-- {
		if binary.LittleEndian.Uint32(b[i:]) != 0x06054b50 {
			continue
		}
		n := binary.LittleEndian.Uint16(b[i+10:])
		size := binary.LittleEndian.Uint32(b[i+12:])
		if n == 0xFFFF || size == 0xFFFFFFFF {
			return 0, 0, false
		}
		return int(n), int64(size), true
	}
	return 0, 0, false
}

// Book is a checked workbook, open for streaming.
type Book struct {
	f   *excelize.File
	lim Limits
}

// Open reads the upload (at most lim.MaxFileBytes), checks its archive and opens it.
// raw keeps cells as stored (no number formats applied), as the catalogue wants.
func Open(r io.Reader, lim Limits, raw bool) (*Book, error) {
	b, err := io.ReadAll(io.LimitReader(r, lim.MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("xlsxguard: read upload: %w", err)
	}
	if err := Check(b, lim); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{RawCellValue: raw,
		UnzipSizeLimit: lim.MaxTotalBytes, UnzipXMLSizeLimit: SpoolBytes})
	if err != nil {
		return nil, errNotXLSX
	}
	return &Book{f: f, lim: lim}, nil
}

// Close removes the temporary files.
func (b *Book) Close() error { return b.f.Close() }

// HasSheet reports whether the workbook has a sheet of that name.
func (b *Book) HasSheet(name string) bool {
	i, err := b.f.GetSheetIndex(name)
	return err == nil && i >= 0
}

// Rows streams a sheet. The caller checks HasSheet first.
func (b *Book) Rows(sheet string) (*Rows, error) {
	it, err := b.f.Rows(sheet)
	if err != nil {
		return nil, Unreadable(fmt.Sprintf("无法读取工作表“%s”", sheet), fmt.Sprintf("sheet %s could not be read", sheet))
	}
	return &Rows{it: it, sheet: sheet, lim: b.lim}, nil
}

// Rows is one sheet's rows, one at a time, within the limits.
type Rows struct {
	it    *excelize.Rows
	sheet string
	lim   Limits
	num   int
	cells []string
	err   error
}

// Next advances to the next row (blank rows included); false at the end or on an error.
func (r *Rows) Next() bool {
	if r.err != nil || !r.it.Next() {
		return false
	}
	r.num++
	if r.num > r.lim.MaxRows {
		r.err = outOfShape(fmt.Sprintf("工作表“%s”超过 %d 行，请分批导入", r.sheet, r.lim.MaxRows),
			fmt.Sprintf("sheet %s has more than %d rows; import in parts", r.sheet, r.lim.MaxRows))
		return false
	}
	cells, err := r.it.Columns()
	if err != nil {
		r.err = Unreadable(fmt.Sprintf("工作表“%s”第 %d 行无法读取", r.sheet, r.num), fmt.Sprintf("sheet %s row %d could not be read", r.sheet, r.num))
		return false
	}
	if len(cells) > r.lim.MaxColumns {
		r.err = outOfShape(fmt.Sprintf("工作表“%s”第 %d 行有 %d 列，超过上限 %d 列", r.sheet, r.num, len(cells), r.lim.MaxColumns),
			fmt.Sprintf("sheet %s row %d has %d columns, more than %d", r.sheet, r.num, len(cells), r.lim.MaxColumns))
		return false
	}
	for i, c := range cells {
		if len(c) > r.lim.MaxCellChars && utf8.RuneCountInString(c) > r.lim.MaxCellChars {
			col, _ := excelize.ColumnNumberToName(i + 1)
			r.err = outOfShape(fmt.Sprintf("工作表“%s”单元格 %s%d 超过 %d 字", r.sheet, col, r.num, r.lim.MaxCellChars),
				fmt.Sprintf("sheet %s cell %s%d is longer than %d characters", r.sheet, col, r.num, r.lim.MaxCellChars))
			return false
		}
	}
	r.cells = cells
	return true
}

// Num is the current row's number as Excel shows it (the first row is 1).
func (r *Rows) Num() int { return r.num }

// Cells is the current row, up to its last non-empty cell.
func (r *Rows) Cells() []string { return r.cells }

// Err is the reason iteration stopped early, or nil at the end of the sheet.
func (r *Rows) Err() error {
	if r.err == nil && r.it.Error() != nil {
		return Unreadable(fmt.Sprintf("无法读取工作表“%s”", r.sheet), fmt.Sprintf("sheet %s could not be read", r.sheet))
	}
	return r.err
}

// Close releases the sheet's temporary file.
func (r *Rows) Close() error { return r.it.Close() }

// Gate admits at most a few imports at a time in this process, so a burst of uploads cannot
// add up to more memory and CPU than the county's shared server has. It does not queue:
// a request that finds every slot taken is told to retry.
type Gate struct {
	slots      chan struct{}
	retryAfter time.Duration
}

// DefaultSlots is how many imports a process runs at once.
const DefaultSlots = 2

// NewGate admits n imports at once.
func NewGate(n int) *Gate {
	if n < 1 {
		n = DefaultSlots
	}
	return &Gate{slots: make(chan struct{}, n), retryAfter: 10 * time.Second}
}

// Enter takes a slot; release gives it back. With none free it answers 429 with Retry-After.
func (g *Gate) Enter() (release func(), err error) {
	select {
	case g.slots <- struct{}{}:
		var once sync.Once
		return func() { once.Do(func() { <-g.slots }) }, nil
	default:
		// 429 rather than 503: the server is up, only this kind of work is at capacity, and the
		// page shows a 429's reason (a 503 reads as an outage).
		return nil, &problem.Error{Status: http.StatusTooManyRequests, Code: "import_busy", RetryAfter: g.retryAfter,
			Message: "服务器正在处理其他导入，请稍后重试", MessageEn: "the server is busy with other imports; retry shortly"}
	}
}
