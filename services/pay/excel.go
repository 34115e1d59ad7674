package pay

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/yichuang/yichuang/services/clock"
)

// Row is one worker's line on the finance office's sheet.
type Row struct {
	Township, Community, Name, IDMasked, Post, Title string
	Level                                            int
	Amounts                                          Amounts
	Arrears                                          Money
	Total                                            Money
}

// Sheet is a month's payroll as the finance office prints and files it.
type Sheet struct {
	County string
	Month  Month
	Status string // 草稿 or 已定稿
	// Allowances are the allowance column names, in order. Every allowance a row is paid
	// must have a column, or the row's parts would not add up to its 应发合计.
	Allowances []string
	// Rows are sorted by township, community and name; subtotals follow each run of rows
	// with the same community and township.
	Rows        []Row
	GeneratedAt time.Time
	// Sample is set when a scheme in force in the month is the 示例 scheme: the printed sheet
	// then says so in its title and on its unit line, so that nobody pays from it unawares.
	Sample bool
}

// SampleWarning is what a sheet computed on the sample scheme says under its title.
const SampleWarning = "注意：按示例方案计算，非本县正式标准，不得据此发放"

// SheetName is the worksheet's name.
const SheetName = "工资表"

const (
	headerRows = 3
	moneyFmt   = "#,##0.00"
	font       = "宋体"
)

// sheetSink is the part of excelize's StreamWriter the layout uses, so that the benchmark
// can lay out the same sheet through the cell-by-cell API for comparison.
type sheetSink interface {
	SetColWidth(minVal, maxVal int, width float64) error
	SetPanes(panes *excelize.Panes) error
	SetRow(cell string, values []any, opts ...excelize.RowOpts) error
	MergeCell(topLeftCell, bottomRightCell string) error
	Flush() error
}

// WriteExcel writes the sheet as an .xlsx workbook laid out for printing on A4. Amounts
// are numbers in 元 formatted #,##0.00; every subtotal and total is summed in fen and
// written as a value rather than a formula, so the file is right in any viewer, including
// those that do not recalculate.
func WriteExcel(w io.Writer, s Sheet) error {
	return writeWorkbook(w, s, func(f *excelize.File) (sheetSink, error) { return f.NewStreamWriter(SheetName) })
}

func writeWorkbook(w io.Writer, s Sheet, open func(*excelize.File) (sheetSink, error)) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetName); err != nil {
		return err
	}
	// Page setup has to be in place before the stream opens: the stream writer copies the
	// worksheet's settings into its output when it opens and when it flushes.
	if err := printSetup(f); err != nil {
		return fmt.Errorf("pay: print setup: %w", err)
	}
	st, err := newStyles(f)
	if err != nil {
		return fmt.Errorf("pay: styles: %w", err)
	}
	sink, err := open(f)
	if err != nil {
		return err
	}
	if err := layout(sink, s, st); err != nil {
		return err
	}
	if err := sink.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}

func printSetup(f *excelize.File) error {
	a4, landscape, wide, tall, fit := 9, "landscape", 1, 0, true
	if err := f.SetPageLayout(SheetName, &excelize.PageLayoutOptions{
		Size: &a4, Orientation: &landscape, FitToWidth: &wide, FitToHeight: &tall,
	}); err != nil {
		return err
	}
	if err := f.SetSheetProps(SheetName, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	side, top, bottom, centre := 0.4, 0.5, 0.6, true
	if err := f.SetPageMargins(SheetName, &excelize.PageLayoutMarginsOptions{
		Left: &side, Right: &side, Top: &top, Bottom: &bottom, Horizontally: &centre,
	}); err != nil {
		return err
	}
	if err := f.SetHeaderFooter(SheetName, &excelize.HeaderFooterOptions{OddFooter: "&C第 &P 页，共 &N 页"}); err != nil {
		return err
	}
	return f.SetDefinedName(&excelize.DefinedName{
		Name: "_xlnm.Print_Titles", RefersTo: "'" + SheetName + "'!$1:$" + strconv.Itoa(headerRows), Scope: SheetName,
	})
}

type styles struct {
	title, infoLeft, infoRight, header int
	text, center, money                int
	totalText, totalMoney, signOff     int
}

func newStyles(f *excelize.File) (styles, error) {
	border := []excelize.Border{
		{Type: "left", Color: "000000", Style: 1}, {Type: "right", Color: "000000", Style: 1},
		{Type: "top", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1},
	}
	body := &excelize.Font{Family: font, Size: 10}
	bold := &excelize.Font{Family: font, Size: 10, Bold: true}
	totalFill := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"#F2F2F2"}}
	mf := moneyFmt
	var st styles
	type spec struct {
		id *int
		s  excelize.Style
	}
	var specs []spec
	add := func(id *int, s excelize.Style) { specs = append(specs, spec{id, s}) }
	add(&st.title, excelize.Style{
		Font:      &excelize.Font{Family: font, Size: 16, Bold: true},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"},
	})
	add(&st.infoLeft, excelize.Style{Font: body, Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center"}})
	add(&st.infoRight, excelize.Style{Font: body, Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "center"}})
	add(&st.header, excelize.Style{
		Font: bold, Border: border,
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"#DDEBF7"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
	})
	add(&st.text, excelize.Style{Font: body, Border: border, Alignment: &excelize.Alignment{Vertical: "center"}})
	add(&st.center, excelize.Style{Font: body, Border: border, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}})
	add(&st.money, excelize.Style{Font: body, Border: border, CustomNumFmt: &mf, Alignment: &excelize.Alignment{Vertical: "center"}})
	add(&st.totalText, excelize.Style{Font: bold, Border: border, Fill: totalFill, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}})
	add(&st.totalMoney, excelize.Style{Font: bold, Border: border, Fill: totalFill, CustomNumFmt: &mf, Alignment: &excelize.Alignment{Vertical: "center"}})
	add(&st.signOff, excelize.Style{Font: &excelize.Font{Family: font, Size: 11}, Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "center"}})
	for _, sp := range specs {
		id, err := f.NewStyle(&sp.s)
		if err != nil {
			return st, err
		}
		*sp.id = id
	}
	return st, nil
}

// Column positions, 0-based. The allowance columns sit between 绩效工资 and 应发合计.
const (
	cSeq = iota
	cTownship
	cCommunity
	cName
	cID
	cPost
	cTitle
	cLevel
	cDays
	cLevelPay // first amount column
	cBasic
	cPerformance
	cAllowances
)

var fixedHeads = []struct {
	name  string
	width float64
}{
	{"序号", 6}, {"乡镇（街道）", 14}, {"社区", 14}, {"姓名", 9}, {"身份证号", 20}, {"岗位", 10},
	{"职务", 10}, {"等级", 5}, {"在岗天数", 6}, {"等级工资", 11}, {"基础工资", 11}, {"绩效工资", 11},
}

var tailHeads = []struct {
	name  string
	width float64
}{{"应发合计", 12}, {"补发（扣）", 11}, {"实发合计", 12}, {"签字", 10}}

// layout reaches the workbook only through sink, so that the stream and the benchmark's
// cell-by-cell baseline lay out the very same sheet.
func layout(sink sheetSink, s Sheet, st styles) error {
	nAllow := len(s.Allowances)
	nCols := len(fixedHeads) + nAllow + len(tailHeads)
	nAmounts := 3 + nAllow + 3 // level pay, basic, performance, allowances, gross, arrears, total

	for i, h := range fixedHeads {
		if err := sink.SetColWidth(i+1, i+1, h.width); err != nil {
			return err
		}
	}
	if nAllow > 0 {
		if err := sink.SetColWidth(cAllowances+1, cAllowances+nAllow, 11); err != nil {
			return err
		}
	}
	for i, h := range tailHeads {
		c := cAllowances + nAllow + i + 1
		if err := sink.SetColWidth(c, c, h.width); err != nil {
			return err
		}
	}
	top := "A" + strconv.Itoa(headerRows+1)
	if err := sink.SetPanes(&excelize.Panes{
		Freeze: true, YSplit: headerRows, TopLeftCell: top, ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: top, ActiveCell: top, Pane: "bottomLeft"}},
	}); err != nil {
		return err
	}

	vals := make([]any, nCols)
	row := 0
	put := func(height float64) error {
		row++
		var err error
		if height > 0 {
			err = sink.SetRow("A"+strconv.Itoa(row), vals, excelize.RowOpts{Height: height})
		} else {
			err = sink.SetRow("A"+strconv.Itoa(row), vals)
		}
		clear(vals)
		return err
	}
	merge := func(from, to int) error {
		r := strconv.Itoa(row)
		return sink.MergeCell(colName(from+1)+r, colName(to+1)+r)
	}

	// Title, the unit and status line, the header.
	title := s.County + "社区工作者工资表（" + s.Month.Label() + "）"
	if s.Sample {
		title += "（示例）"
	}
	vals[0] = excelize.Cell{StyleID: st.title, Value: title}
	if err := put(30); err != nil {
		return err
	}
	if err := merge(0, nCols-1); err != nil {
		return err
	}
	info := "状态：" + s.Status
	if !s.GeneratedAt.IsZero() {
		info += "  生成：" + s.GeneratedAt.In(clock.Zone).Format("2006-01-02 15:04")
	}
	right := nCols - 6
	unit := "单位：元"
	if s.Sample {
		unit += "  " + SampleWarning
	}
	vals[0] = excelize.Cell{StyleID: st.infoLeft, Value: unit}
	vals[right] = excelize.Cell{StyleID: st.infoRight, Value: info}
	if err := put(20); err != nil {
		return err
	}
	if err := merge(0, 2); err != nil {
		return err
	}
	if err := merge(right, nCols-1); err != nil {
		return err
	}
	for i, h := range fixedHeads {
		vals[i] = excelize.Cell{StyleID: st.header, Value: h.name}
	}
	for i, a := range s.Allowances {
		vals[cAllowances+i] = excelize.Cell{StyleID: st.header, Value: a}
	}
	for i, h := range tailHeads {
		vals[cAllowances+nAllow+i] = excelize.Cell{StyleID: st.header, Value: h.name}
	}
	if err := put(32); err != nil {
		return err
	}

	// Sums are kept in fen, one per amount column, and converted to 元 only when written.
	amounts := make([]Money, nAmounts)
	community := make([]Money, nAmounts)
	township := make([]Money, nAmounts)
	grand := make([]Money, nAmounts)
	total := func(label string, sums []Money) error {
		vals[cSeq] = excelize.Cell{StyleID: st.totalText}
		vals[cTownship] = excelize.Cell{StyleID: st.totalText, Value: label}
		for c := cCommunity; c < cLevelPay; c++ {
			vals[c] = excelize.Cell{StyleID: st.totalText}
		}
		for i, m := range sums {
			vals[cLevelPay+i] = excelize.Cell{StyleID: st.totalMoney, Value: yuan(m)}
		}
		vals[nCols-1] = excelize.Cell{StyleID: st.totalText}
		if err := put(0); err != nil {
			return err
		}
		clear(sums)
		return merge(cTownship, cDays)
	}
	add := func(sums []Money) {
		for i, m := range amounts {
			sums[i] += m
		}
	}

	for i := range s.Rows {
		r := &s.Rows[i]
		amounts[0], amounts[1], amounts[2] = r.Amounts.LevelPay, r.Amounts.Basic, r.Amounts.Performance
		for j, name := range s.Allowances {
			amounts[3+j] = 0
			for _, a := range r.Amounts.Allowances {
				if a.Name == name {
					amounts[3+j] += a.Amount
				}
			}
		}
		for _, a := range r.Amounts.Allowances {
			if a.Amount != 0 && !slices.Contains(s.Allowances, a.Name) {
				return fmt.Errorf("pay: row %d (%s) is paid allowance %q, which has no column", i+1, r.Name, a.Name)
			}
		}
		amounts[nAmounts-3], amounts[nAmounts-2], amounts[nAmounts-1] = r.Amounts.Gross, r.Arrears, r.Total

		vals[cSeq] = excelize.Cell{StyleID: st.center, Value: i + 1}
		vals[cTownship] = excelize.Cell{StyleID: st.text, Value: r.Township}
		vals[cCommunity] = excelize.Cell{StyleID: st.text, Value: r.Community}
		vals[cName] = excelize.Cell{StyleID: st.text, Value: r.Name}
		vals[cID] = excelize.Cell{StyleID: st.center, Value: r.IDMasked}
		vals[cPost] = excelize.Cell{StyleID: st.center, Value: r.Post}
		vals[cTitle] = excelize.Cell{StyleID: st.center, Value: r.Title}
		vals[cLevel] = excelize.Cell{StyleID: st.center, Value: r.Level}
		vals[cDays] = excelize.Cell{StyleID: st.center, Value: r.Amounts.Days}
		for j, m := range amounts {
			vals[cLevelPay+j] = excelize.Cell{StyleID: st.money, Value: yuan(m)}
		}
		vals[nCols-1] = excelize.Cell{StyleID: st.text}
		if err := put(0); err != nil {
			return err
		}
		add(community)
		add(township)
		add(grand)

		endTownship := i+1 == len(s.Rows) || s.Rows[i+1].Township != r.Township
		if endTownship || s.Rows[i+1].Community != r.Community {
			if err := total(r.Community+"小计", community); err != nil {
				return err
			}
		}
		if endTownship {
			if err := total(r.Township+"合计", township); err != nil {
				return err
			}
		}
	}
	if err := total("总计", grand); err != nil {
		return err
	}

	row++ // a blank line before the signatures
	vals[0] = excelize.Cell{StyleID: st.signOff, Value: "制表：          审核：          负责人："}
	if err := put(28); err != nil {
		return err
	}
	return merge(0, nCols-1)
}

// yuan converts fen to 元 for a cell. Dividing the exact integer once gives the double
// nearest the two-decimal amount, which the cell stores in its shortest form ("3590.4").
func yuan(m Money) float64 { return float64(m) / 100 }

func colName(n int) string {
	s, _ := excelize.ColumnNumberToName(n)
	return s
}
