package catalog

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/xlsxguard"
)

// Import limits. A county catalogue has a few hundred to about 1500 items; anything much
// bigger is the wrong file, and refusing it early keeps one upload from holding a worker.
const (
	MaxImportItems = 2000
	MaxImportBytes = 10 << 20
)

// RowError is one reason a row was refused; Sheet and Row as the user sees them (Row is
// 1-based, header is row 1), Column is the Chinese header text.
type RowError struct {
	Sheet    string `json:"sheet"`
	Row      int    `json:"row"`
	Column   string `json:"column"`
	Reason   string `json:"reason"`
	ReasonEn string `json:"reason_en"`
}

// The workbook is edited by hand in WPS or Excel, so its layout is the contract: sheet
// names and headers are checked exactly, and columns are found by position.
const (
	sheetItems     = "事项"
	sheetMaterials = "材料"
	sheetSteps     = "特殊环节"
)

const (
	iImpl = iota
	iBase
	iName
	iKind
	iDept
	iBasis
	iLevels
	iConditions
	iHandling
	iLegalDays
	iPromisedDays
	iFeeBasis
	iFeeAmount
	iVisits
	iConsult
	iComplain
	iUnified
	iStages
)

const (
	mImpl = iota
	mName
	mForm
	mCopies
	mRequired
	mCondition
	mSample
)

const (
	sImpl = iota
	sName
	sDays
	sCounted
)

type xlColumn struct {
	header string
	width  float64
	text   bool // formatted as text so codes keep leading zeros and phones stay phones
}

// optional are columns added after files were in use: a file without them still imports.
var optional = map[string]bool{unifiedHeader: true, stagesHeader: true}

const (
	unifiedHeader = "统一办理（是/否）" // 行政许可法第二十六条
	// stagesHeader: the back-office steps in order, "审查:5;决定:3".
	stagesHeader = "办理环节（环节:工作日;…）"
)

type xlSheet struct {
	name string
	cols []xlColumn
}

var (
	itemSheet = xlSheet{sheetItems, []xlColumn{
		{"实施编码", 36, true}, {"基本编码", 16, true}, {"事项名称", 36, false}, {"事项类型", 14, false},
		{"实施机关", 24, false}, {"设定依据", 50, false}, {"行使层级", 30, false}, {"受理条件", 50, false},
		{"办件类型", 10, false}, {"法定时限（工作日）", 12, false}, {"承诺时限（工作日）", 12, false},
		{"收费依据", 20, false}, {"收费标准", 12, false}, {"到现场次数", 10, false},
		{"咨询电话", 16, true}, {"监督投诉电话", 16, true},
		{unifiedHeader, 14, false}, {stagesHeader, 24, false},
	}}
	materialSheet = xlSheet{sheetMaterials, []xlColumn{
		{"实施编码", 36, true}, {"材料名称", 36, false}, {"材料形式", 10, false}, {"份数", 8, false},
		{"是否必要", 10, false}, {"需要提交的情形", 36, false}, {"样表", 30, false},
	}}
	stepSheet = xlSheet{sheetSteps, []xlColumn{
		{"实施编码", 36, true}, {"环节名称", 24, false}, {"时限（工作日）", 12, false}, {"是否计入时限", 12, false},
	}}
	xlSheets = []xlSheet{itemSheet, materialSheet, stepSheet}
)

// Validate's locations, placed on the workbook.
var (
	itemColumn = map[string]int{
		"impl_code": iImpl, "base_code": iBase, "name": iName, "kind": iKind, "department_id": iDept,
		"legal_basis": iBasis, "levels": iLevels, "conditions": iConditions, "handling": iHandling,
		"legal_days": iLegalDays, "promised_days": iPromisedDays, "fee_amount": iFeeAmount, "fee_basis": iFeeBasis, "visits": iVisits,
		"consult_phone": iConsult, "complain_phone": iComplain, "unified": iUnified, "stages": iStages,
	}
	materialColumn = map[string]int{"name": mName, "form": mForm, "copies": mCopies, "condition": mCondition, "sample": mSample}
	stepColumn     = map[string]int{"name": sName, "limit_days": sDays}
)

var handlings = []Handling{HandlingInstant, HandlingPromised}

const (
	labelYes = "是"
	labelNo  = "否"
)

// levelSep joins levels on export; import also takes commas and semicolons, which people
// type when the 、 key is not at hand.
const levelSep = "、"

var levelSplitter = strings.NewReplacer("，", levelSep, ",", levelSep, "；", levelSep, ";", levelSep)

func labelsOf[T interface{ Label() string }](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Label()
	}
	return out
}

func fromLabel[T interface {
	~string
	Label() string
}](vs []T, s string) (T, bool) {
	for _, v := range vs {
		if v.Label() == s {
			return v, true
		}
	}
	return "", false
}

// shown is the label, or the stored value when it has none, so an export never loses data
// silently; the import then names the cell.
func shown[T interface {
	~string
	Label() string
}](v T) string {
	if l := v.Label(); l != "" {
		return l
	}
	return string(v)
}

func yesNo(b bool) string {
	if b {
		return labelYes
	}
	return labelNo
}

// ExportExcel writes items as the three-sheet workbook ImportExcel reads.
func ExportExcel(w io.Writer, items []Item, departmentName func(uuid.UUID) string) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheetItems); err != nil {
		return err
	}
	for _, s := range xlSheets[1:] {
		if _, err := f.NewSheet(s.name); err != nil {
			return err
		}
	}
	for _, s := range xlSheets {
		if err := layoutSheet(f, s); err != nil {
			return fmt.Errorf("catalog: lay out sheet %s: %w", s.name, err)
		}
	}
	rows := [3]int{1, 1, 1}
	put := func(s int, vals ...any) error {
		rows[s]++
		return f.SetSheetRow(xlSheets[s].name, "A"+strconv.Itoa(rows[s]), &vals)
	}
	for _, it := range items {
		levels := make([]string, len(it.Levels))
		for i, l := range it.Levels {
			levels[i] = shown(l)
		}
		err := put(0, it.ImplCode, it.BaseCode, it.Name, shown(it.Kind), departmentName(it.DepartmentID), it.LegalBasis,
			strings.Join(levels, levelSep), it.Conditions, shown(it.Handling), it.LegalDays, it.PromisedDays,
			it.FeeBasis, it.FeeAmount, it.Visits, it.ConsultPhone, it.ComplainPhone, yesNo(it.Unified), FormatStages(it.Stages))
		if err != nil {
			return err
		}
		for _, m := range it.Materials {
			if err := put(1, it.ImplCode, m.Name, shown(m.Form), m.Copies, yesNo(m.Required), m.Condition, m.Sample); err != nil {
				return err
			}
		}
		for _, s := range it.Steps {
			if err := put(2, it.ImplCode, s.Name, s.LimitDays, yesNo(s.Counted)); err != nil {
				return err
			}
		}
	}
	lists := []struct {
		sheet, col int
		choices    []string
	}{
		{0, iKind, labelsOf(Kinds)},
		{0, iHandling, labelsOf(handlings)},
		{1, mForm, labelsOf(Forms)},
		{1, mRequired, []string{labelYes, labelNo}},
		{2, sCounted, []string{labelYes, labelNo}},
	}
	for _, l := range lists {
		dv := excelize.NewDataValidation(true)
		dv.SetSqref(columnRange(l.col))
		if err := dv.SetDropList(l.choices); err != nil {
			return err
		}
		dv.SetError(excelize.DataValidationErrorStyleStop, "输入有误", "请从下拉列表中选择")
		if err := f.AddDataValidation(xlSheets[l.sheet].name, dv); err != nil {
			return err
		}
	}
	// Levels take several values, which a drop-down cannot, so the cell explains itself.
	dv := excelize.NewDataValidation(true)
	dv.SetSqref(columnRange(iLevels))
	dv.SetInput("行使层级", "可填一个或多个，用“、”分隔："+strings.Join(labelsOf(Levels), levelSep))
	if err := f.AddDataValidation(sheetItems, dv); err != nil {
		return err
	}
	return f.Write(w)
}

// columnRange is the column below the header down to the sheet's last row, so rows the
// user adds get the same drop-down.
func columnRange(i int) string {
	c, _ := excelize.ColumnNumberToName(i + 1)
	return c + "2:" + c + strconv.Itoa(excelize.TotalRows)
}

func layoutSheet(f *excelize.File, s xlSheet) error {
	head, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"#E7EEF7"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
	})
	if err != nil {
		return err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@"
	if err != nil {
		return err
	}
	for i, c := range s.cols {
		name, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(s.name, name, name, c.width); err != nil {
			return err
		}
		if c.text {
			if err := f.SetColStyle(s.name, name, text); err != nil {
				return err
			}
		}
		if err := f.SetCellStr(s.name, name+"1", c.header); err != nil {
			return err
		}
	}
	last, _ := excelize.ColumnNumberToName(len(s.cols))
	if err := f.SetCellStyle(s.name, "A1", last+"1", head); err != nil {
		return err
	}
	return f.SetPanes(s.name, &excelize.Panes{
		Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}},
	})
}

func fileError(zh, en string) error {
	return problem.Invalid(problem.Field{Location: "file", Message: zh, MessageEn: en})
}

// importLimits are the shared workbook limits with the catalogue's own upload size.
var importLimits = func() xlsxguard.Limits {
	l := xlsxguard.Default
	l.MaxFileBytes = MaxImportBytes
	return l
}()

// ImportExcel reads a workbook in ExportExcel's layout. It returns either every item,
// validated, or every row error and no items: one bad row imports nothing, so a county
// never ends up with half a catalogue. The error is for a file that is not such a
// workbook at all, as a *problem.Error on "file". The archive is checked and the rows are
// streamed by xlsxguard, so a hostile file is refused before it costs memory.
func ImportExcel(r io.Reader, departmentID func(name string) (uuid.UUID, bool)) ([]Item, []RowError, error) {
	book, err := xlsxguard.Open(r, importLimits, true)
	if err != nil {
		return nil, nil, err
	}
	defer book.Close()
	for _, s := range xlSheets {
		if !book.HasSheet(s.name) {
			return nil, nil, fileError(fmt.Sprintf("缺少工作表“%s”，请使用导出的模板", s.name), fmt.Sprintf("sheet %s is missing; use the exported template", s.name))
		}
	}
	im := importer{departmentID: departmentID, refused: map[xlCell]bool{}, byCode: map[string]int{}}
	n := 0
	err = im.lines(book, itemSheet, func(l xlRow) {
		if n++; n <= MaxImportItems {
			im.item(l)
		}
	})
	if err != nil {
		return nil, nil, err
	}
	if n == 0 {
		return nil, nil, fileError("“事项”表中没有事项", "sheet 事项 has no items")
	}
	if n > MaxImportItems {
		return nil, nil, fileError(fmt.Sprintf("一次最多导入 %d 个事项，文件中有 %d 个", MaxImportItems, n),
			fmt.Sprintf("at most %d items can be imported at once; the file has %d", MaxImportItems, n))
	}
	if err := im.lines(book, materialSheet, im.material); err != nil {
		return nil, nil, err
	}
	if err := im.lines(book, stepSheet, im.step); err != nil {
		return nil, nil, err
	}
	im.validate()
	if len(im.errs) > 0 {
		slices.SortStableFunc(im.errs, func(a, b RowError) int {
			return cmp.Or(cmp.Compare(sheetIndex(a.Sheet), sheetIndex(b.Sheet)), cmp.Compare(a.Row, b.Row),
				cmp.Compare(columnIndex(a.Sheet, a.Column), columnIndex(b.Sheet, b.Column)))
		})
		return nil, im.errs, nil
	}
	items := make([]Item, len(im.out))
	for i, x := range im.out {
		items[i] = x.Item
	}
	return items, nil, nil
}

// checkHeader refuses a sheet whose first row is not the layout's header.
func checkHeader(s xlSheet, head []string) error {
	for i, c := range s.cols {
		if got := cellText(head, i); got != c.header && !(optional[c.header] && got == "") {
			col, _ := excelize.ColumnNumberToName(i + 1)
			return fileError(fmt.Sprintf("工作表“%s”第 1 行 %s 列应为“%s”，实际为“%s”，请使用导出的模板", s.name, col, c.header, got),
				fmt.Sprintf("sheet %s cell %s1 should be %q but is %q; use the exported template", s.name, col, c.header, got))
		}
	}
	return nil
}

func cellText(row []string, i int) string {
	if i < len(row) {
		return strings.TrimSpace(row[i])
	}
	return ""
}

// blankRow ignores cells right of the layout: a note typed beside a deleted row is still a
// deleted row.
func blankRow(row []string, width int) bool {
	for i := range width {
		if cellText(row, i) != "" {
			return false
		}
	}
	return true
}

func sheetIndex(name string) int {
	return slices.IndexFunc(xlSheets, func(s xlSheet) bool { return s.name == name })
}

func columnIndex(sheetName, header string) int {
	i := sheetIndex(sheetName)
	if i < 0 {
		return -1
	}
	return slices.IndexFunc(xlSheets[i].cols, func(c xlColumn) bool { return c.header == header })
}

type xlCell struct {
	sheet string
	row   int
	col   string
}

// placed is an item with the rows its parts came from.
type placed struct {
	Item
	row       int
	materials []int
	steps     []int
}

type importer struct {
	departmentID func(string) (uuid.UUID, bool)
	out          []*placed
	byCode       map[string]int // first item row per code, index into out
	errs         []RowError
	// refused holds cells that already failed to parse, whose Validate complaint would
	// only repeat the reason less precisely.
	refused map[xlCell]bool
}

// xlRow is one non-blank row being parsed.
type xlRow struct {
	im    *importer
	sheet xlSheet
	row   int
	cells []string
}

// lines streams a sheet: it checks the header, then calls each for every non-blank row.
func (im *importer) lines(book *xlsxguard.Book, s xlSheet, each func(xlRow)) error {
	rows, err := book.Rows(s.name)
	if err != nil {
		return err
	}
	defer rows.Close()
	header := true
	for rows.Next() {
		if header {
			if err := checkHeader(s, rows.Cells()); err != nil {
				return err
			}
			header = false
			continue
		}
		if r := rows.Cells(); !blankRow(r, len(s.cols)) {
			each(xlRow{im, s, rows.Num(), r})
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if header { // a sheet without rows fails on its first header
		return checkHeader(s, nil)
	}
	return nil
}

func (l xlRow) fail(col int, zh, en string) {
	c := xlCell{l.sheet.name, l.row, l.sheet.cols[col].header}
	l.im.refused[c] = true
	if len(l.im.errs) >= xlsxguard.MaxRowErrors {
		return
	}
	l.im.errs = append(l.im.errs, RowError{Sheet: c.sheet, Row: c.row, Column: c.col, Reason: zh, ReasonEn: en})
}

func (l xlRow) str(col int) string { return cellText(l.cells, col) }

// number reads a whole number; a blank cell is 0, which is what an empty limit means.
func (l xlRow) number(col int) int {
	s := l.str(col)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		l.fail(col, "须为整数，实为“"+s+"”", fmt.Sprintf("must be a whole number, not %q", s))
	}
	return n
}

// boolean reads 是 or 否; a refused cell gives unknown, chosen so that Validate does not
// add a follow-on complaint about the guess.
func (l xlRow) boolean(col int, unknown bool) bool {
	switch s := l.str(col); s {
	case labelYes:
		return true
	case labelNo:
		return false
	default:
		l.fail(col, "请填“是”或“否”", `enter 是 (yes) or 否 (no)`)
		return unknown
	}
}

func parseEnum[T interface {
	~string
	Label() string
}](l xlRow, col int, vs []T) T {
	s := l.str(col)
	if s == "" {
		l.fail(col, "请填写"+l.sheet.cols[col].header, "required")
		return ""
	}
	v, ok := fromLabel(vs, s)
	if !ok {
		l.fail(col, fmt.Sprintf("“%s”无效，可填：%s", s, strings.Join(labelsOf(vs), "、")), fmt.Sprintf("%q is not one of the choices", s))
	}
	return v
}

func (im *importer) item(l xlRow) {
	p := &placed{row: l.row, Item: Item{
		ImplCode: l.str(iImpl), BaseCode: l.str(iBase), Name: l.str(iName), Kind: parseEnum(l, iKind, Kinds),
		LegalBasis: l.str(iBasis), Conditions: l.str(iConditions), Handling: parseEnum(l, iHandling, handlings),
		LegalDays: l.number(iLegalDays), PromisedDays: l.number(iPromisedDays), FeeBasis: l.str(iFeeBasis),
		FeeAmount: l.str(iFeeAmount), Visits: l.number(iVisits), ConsultPhone: l.str(iConsult), ComplainPhone: l.str(iComplain),
	}}
	if l.str(iUnified) != "" {
		p.Unified = l.boolean(iUnified, false)
	}
	if name := l.str(iDept); name == "" {
		l.fail(iDept, "请填写实施机关", "the department is required")
	} else if id, ok := im.departmentID(name); ok {
		p.DepartmentID = id
	} else {
		l.fail(iDept, "没有名为“"+name+"”的实施机关，请填写本县部门的全称", fmt.Sprintf("there is no department named %q", name))
	}
	p.Levels = parseLevels(l)
	p.Stages = parseStages(l)
	if first, dup := im.byCode[p.ImplCode]; dup {
		l.fail(iImpl, fmt.Sprintf("实施编码与第 %d 行重复", im.out[first].row), fmt.Sprintf("implementation code repeats row %d", im.out[first].row))
	} else if p.ImplCode != "" {
		im.byCode[p.ImplCode] = len(im.out)
	}
	im.out = append(im.out, p)
}

// parseLevels parses the level cell itself rather than leaving repeats to Validate, whose
// message names the level by its internal value.
func parseLevels(l xlRow) []Level {
	var out []Level
	for _, s := range strings.Split(levelSplitter.Replace(l.str(iLevels)), levelSep) {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		v, ok := fromLabel(Levels, s)
		switch {
		case !ok:
			l.fail(iLevels, fmt.Sprintf("“%s”无效，可填：%s", s, strings.Join(labelsOf(Levels), levelSep)), fmt.Sprintf("%q is not a level", s))
		case slices.Contains(out, v):
			l.fail(iLevels, "“"+s+"”重复", fmt.Sprintf("%q is repeated", s))
		default:
			out = append(out, v)
		}
	}
	return out
}

// FormatStages writes back-office steps as the workbook's cell: "审查:5;决定:3".
func FormatStages(ss []Stage) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = s.Name + ":" + strconv.Itoa(s.LimitDays)
	}
	return strings.Join(parts, ";")
}

var stageSplitter = strings.NewReplacer("；", ";", "：", ":")

// ParseStages reads FormatStages' form (full-width colons and semicolons too, as WPS users
// type them). The steps' own rules are Validate's.
func ParseStages(cell string) ([]Stage, error) {
	var out []Stage
	for _, part := range strings.Split(stageSplitter.Replace(cell), ";") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		name, days, ok := strings.Cut(part, ":")
		n, err := strconv.Atoi(strings.TrimSpace(days))
		if !ok || err != nil {
			return nil, fmt.Errorf("%q", part)
		}
		out = append(out, Stage{Name: strings.TrimSpace(name), LimitDays: n})
	}
	return out, nil
}

func parseStages(l xlRow) []Stage {
	ss, err := ParseStages(l.str(iStages))
	if err != nil {
		l.fail(iStages, "“"+l.str(iStages)+"”格式有误，请按“审查:5;决定:3”填写（环节名称:工作日，用分号分隔）",
			fmt.Sprintf("%s is malformed; write name:days separated by semicolons, e.g. 审查:5;决定:3", err))
	}
	return ss
}

// owner is the item a material or step row belongs to, or nil.
func (im *importer) owner(l xlRow) *placed {
	code := l.str(0)
	if code == "" {
		l.fail(0, "请填写所属事项的实施编码", "the item's implementation code is required")
		return nil
	}
	i, ok := im.byCode[code]
	if !ok {
		l.fail(0, "“事项”表中没有实施编码“"+code+"”", fmt.Sprintf("sheet 事项 has no implementation code %q", code))
		return nil
	}
	return im.out[i]
}

func (im *importer) material(l xlRow) {
	m := Material{
		Name: l.str(mName), Form: parseEnum(l, mForm, Forms), Copies: l.number(mCopies), Required: l.boolean(mRequired, true),
		Condition: l.str(mCondition), Sample: l.str(mSample),
	}
	if p := im.owner(l); p != nil {
		p.Materials = append(p.Materials, m)
		p.materials = append(p.materials, l.row)
	}
}

func (im *importer) step(l xlRow) {
	s := Step{Name: l.str(sName), LimitDays: l.number(sDays), Counted: l.boolean(sCounted, false)}
	if p := im.owner(l); p != nil {
		p.Steps = append(p.Steps, s)
		p.steps = append(p.steps, l.row)
	}
}

func (im *importer) validate() {
	for _, p := range im.out {
		for _, f := range p.Validate() {
			c := p.place(f.Location)
			if !im.refused[c] && len(im.errs) < xlsxguard.MaxRowErrors {
				im.errs = append(im.errs, RowError{Sheet: c.sheet, Row: c.row, Column: c.col, Reason: f.Message, ReasonEn: f.MessageEn})
			}
		}
	}
}

// place finds the cell a Validate location refers to; what it cannot place lands on the
// item's row with no column rather than being dropped.
func (p *placed) place(loc string) xlCell {
	list, rest, indexed := strings.Cut(loc, "[")
	if list == "stages" {
		return xlCell{sheetItems, p.row, stagesHeader}
	}
	if !indexed {
		c := xlCell{sheetItems, p.row, ""}
		if loc == "materials" {
			// Too many materials: point at the first one over the limit.
			if len(p.materials) > 50 {
				return xlCell{sheetMaterials, p.materials[50], materialSheet.cols[mImpl].header}
			}
			return c
		}
		i, ok := itemColumn[loc]
		if ok {
			c.col = itemSheet.cols[i].header
		}
		return c
	}
	num, field, _ := strings.Cut(rest, "]")
	i, err := strconv.Atoi(num)
	field = strings.TrimPrefix(field, ".")
	var (
		s    xlSheet
		rows []int
		cols map[string]int
	)
	switch list {
	case "materials":
		s, rows, cols = materialSheet, p.materials, materialColumn
	case "steps":
		s, rows, cols = stepSheet, p.steps, stepColumn
	}
	if err != nil || s.name == "" || i < 0 || i >= len(rows) {
		return xlCell{sheetItems, p.row, ""}
	}
	c := xlCell{s.name, rows[i], ""}
	if j, ok := cols[field]; ok {
		c.col = s.cols[j].header
	}
	return c
}
