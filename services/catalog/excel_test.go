package catalog

import (
	"bytes"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"github.com/yichuang/yichuang/services/problem"
)

var testDepartments = map[string]uuid.UUID{
	"县民政局":        uuid.MustParse("6f1d2a52-0a51-4c5e-9f0e-3b1c2d3e4f01"),
	"县人力资源和社会保障局": uuid.MustParse("6f1d2a52-0a51-4c5e-9f0e-3b1c2d3e4f02"),
	"县卫生健康委员会":    uuid.MustParse("6f1d2a52-0a51-4c5e-9f0e-3b1c2d3e4f03"),
	"县医疗保障局":      uuid.MustParse("6f1d2a52-0a51-4c5e-9f0e-3b1c2d3e4f04"),
	"县残疾人联合会":     uuid.MustParse("6f1d2a52-0a51-4c5e-9f0e-3b1c2d3e4f05"),
	"县退役军人事务局":    uuid.MustParse("6f1d2a52-0a51-4c5e-9f0e-3b1c2d3e4f06"),
	"县住房和城乡建设局":   uuid.MustParse("6f1d2a52-0a51-4c5e-9f0e-3b1c2d3e4f07"),
}

var sampleDepartmentNames = map[string]string{
	"minzheng": "县民政局", "renshe": "县人力资源和社会保障局", "weijian": "县卫生健康委员会", "yibao": "县医疗保障局",
	"canlian": "县残疾人联合会", "tuiyi": "县退役军人事务局", "zhujian": "县住房和城乡建设局",
}

func testDepartmentID(name string) (uuid.UUID, bool) {
	id, ok := testDepartments[name]
	return id, ok
}

func testDepartmentName(id uuid.UUID) string {
	for n, x := range testDepartments {
		if x == id {
			return n
		}
	}
	return ""
}

// testBook is a test file as the user sees it: sheet names and rows, header included.
type testBook struct {
	names []string
	rows  [][][]string
}

func headerRow(s xlSheet) []string {
	h := make([]string, len(s.cols))
	for i, c := range s.cols {
		h[i] = c.header
	}
	return h
}

// baseBook is a small valid workbook. The materials of two items are interleaved so a
// material's index within its item differs from its row.
func baseBook() testBook {
	return testBook{
		names: []string{sheetItems, sheetMaterials, sheetSteps},
		rows: [][][]string{
			{
				headerRow(itemSheet),
				{"IMPL-A0001", "000517004000", "最低生活保障申请", "行政给付", "县民政局", "《社会救助暂行办法》第十一条", "乡镇大厅、村（社区）代办",
					"人均收入低于当地最低生活保障标准", "承诺件", "30", "20", "", "不收费", "1", "0314-8021352", "0314-12345", "是", "审查：12；决定:8"},
				{"IMPL-B0001", "002009003000", "生育登记", "公共服务", "县卫生健康委员会", "《中华人民共和国人口与计划生育法》", "乡镇大厅",
					"", "即办件", "0", "0", "", "不收费", "0", "", ""},
			},
			{
				headerRow(materialSheet),
				{"IMPL-A0001", "居民身份证", "原件", "1", "是", "", ""},
				{"IMPL-B0001", "夫妻双方居民身份证", "原件", "1", "是", "", ""},
				{"IMPL-A0001", "授权委托书", "原件", "1", "否", "委托他人代办的", "samples/proxy.pdf"},
			},
			{
				headerRow(stepSheet),
				{"IMPL-A0001", "入户调查", "10", "否"},
			},
		},
	}
}

// baseBookItems is what base imports as.
func baseBookItems() []Item {
	return []Item{
		{
			BaseCode: "000517004000", ImplCode: "IMPL-A0001", Name: "最低生活保障申请", Kind: KindPayment,
			DepartmentID: testDepartments["县民政局"], LegalBasis: "《社会救助暂行办法》第十一条",
			Levels: []Level{LevelTownship, LevelCommunity}, Conditions: "人均收入低于当地最低生活保障标准",
			Materials: []Material{
				{Key: "m1", Name: "居民身份证", Form: FormOriginal, Copies: 1, Required: true},
				{Key: "m2", Name: "授权委托书", Form: FormOriginal, Copies: 1, Condition: "委托他人代办的", Sample: "samples/proxy.pdf"},
			},
			Handling: HandlingPromised, LegalDays: 30, PromisedDays: 20, Steps: []Step{{Name: "入户调查", LimitDays: 10}},
			Stages:    []Stage{{Name: "审查", LimitDays: 12}, {Name: "决定", LimitDays: 8}},
			FeeAmount: "不收费", Visits: 1, ConsultPhone: "0314-8021352", ComplainPhone: "0314-12345", Unified: true,
		},
		{
			BaseCode: "002009003000", ImplCode: "IMPL-B0001", Name: "生育登记", Kind: KindPublicService,
			DepartmentID: testDepartments["县卫生健康委员会"], LegalBasis: "《中华人民共和国人口与计划生育法》",
			Levels:    []Level{LevelTownship},
			Materials: []Material{{Key: "m1", Name: "夫妻双方居民身份证", Form: FormOriginal, Copies: 1, Required: true}},
			Handling:  HandlingInstant, FeeAmount: "不收费",
		},
	}
}

func (w testBook) clone() testBook {
	c := testBook{names: slices.Clone(w.names)}
	for _, s := range w.rows {
		var rows [][]string
		for _, r := range s {
			rows = append(rows, slices.Clone(r))
		}
		c.rows = append(c.rows, rows)
	}
	return c
}

// set writes a cell by sheet, 1-based row and header, growing the sheet as needed.
func (w testBook) set(sheetName string, row int, col, v string) {
	s := xlSheets[sheetIndex(sheetName)]
	i := slices.Index(w.names, sheetName)
	for len(w.rows[i]) < row {
		w.rows[i] = append(w.rows[i], make([]string, len(s.cols)))
	}
	j := columnIndex(sheetName, col)
	for len(w.rows[i][row-1]) <= j {
		w.rows[i][row-1] = append(w.rows[i][row-1], "")
	}
	w.rows[i][row-1][j] = v
}

func (w testBook) bytes(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, name := range w.names {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for j, r := range w.rows[i] {
			for k, v := range r {
				if v == "" {
					continue
				}
				ref, _ := excelize.CoordinatesToCellName(k+1, j+1)
				// Numbers go in as numbers, as Excel stores what people type.
				var err error
				if n, e := strconv.Atoi(v); e == nil && j > 0 && !strings.HasPrefix(v, "0") {
					err = f.SetCellInt(name, ref, int64(n))
				} else {
					err = f.SetCellStr(name, ref, v)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestExcelRoundTrip(t *testing.T) {
	t.Parallel()
	var items []Item
	for _, s := range Samples() {
		s.Item.DepartmentID = testDepartments[sampleDepartmentNames[s.Department]]
		items = append(items, s.Item)
	}
	// What the samples do not exercise: every level, every form, a counted step, several
	// lines of text, characters XML and formulas care about, no phones.
	items = append(items, Item{
		BaseCode: "000117001000", ImplCode: "IMPL-ODD-0001", Name: "测试事项 <A&B> \"引号\"", Kind: KindLicensing,
		DepartmentID: testDepartments["县住房和城乡建设局"], LegalBasis: "=SUM(A1:A2)\n第二行依据",
		Levels: []Level{LevelCommunity, LevelCounty, LevelTownship}, Conditions: "第一条；\n第二条。",
		Materials: []Material{
			{Name: "电子版申请表", Form: FormElectronic, Copies: 0, Required: true},
			{Name: "房产证", Form: FormCopy, Copies: 2, Condition: "有房产的", Sample: "tenant/samples/fcz.png"},
		},
		Handling: HandlingPromised, LegalDays: 20, PromisedDays: 5,
		Steps:    []Step{{Name: "专家评审", LimitDays: 15, Counted: true}, {Name: "现场勘验", LimitDays: 3}},
		FeeBasis: "《行政事业性收费标准》", FeeAmount: "10元/件", Visits: 2,
	})
	for i := range items {
		if f := items[i].Validate(); len(f) > 0 {
			t.Fatalf("item %s does not validate: %+v", items[i].Name, f)
		}
	}
	var buf bytes.Buffer
	if err := ExportExcel(&buf, items, testDepartmentName); err != nil {
		t.Fatal(err)
	}
	got, errs, err := ImportExcel(bytes.NewReader(buf.Bytes()), testDepartmentID)
	if err != nil || len(errs) > 0 {
		t.Fatalf("import of an export failed: %v %+v", err, errs)
	}
	if !reflect.DeepEqual(got, items) {
		for i := range min(len(got), len(items)) {
			if !reflect.DeepEqual(got[i], items[i]) {
				t.Errorf("item %d:\n got %+v\nwant %+v", i, got[i], items[i])
			}
		}
		t.Fatalf("got %d items, want %d", len(got), len(items))
	}
}

func TestExportLayout(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := ExportExcel(&buf, baseBookItems(), testDepartmentName); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{sheetItems, sheetMaterials, sheetSteps}) {
		t.Errorf("xlSheets = %v", got)
	}
	for _, c := range []struct {
		sheet    string
		col      string // letter
		dropDown string // a choice the column's drop-down must offer; "" for none
		text     bool
	}{
		{sheetItems, "A", "", true},
		{sheetItems, "B", "", true},
		{sheetItems, "C", "", false},
		{sheetItems, "D", "行政给付", false},
		{sheetItems, "I", "承诺件", false},
		{sheetItems, "O", "", true},
		{sheetMaterials, "C", "复印件", false},
		{sheetMaterials, "E", "否", false},
		{sheetSteps, "D", "是", false},
	} {
		p, err := f.GetPanes(c.sheet)
		if err != nil || !p.Freeze || p.YSplit != 1 {
			t.Errorf("%s: header not frozen: %+v %v", c.sheet, p, err)
		}
		id, _ := f.GetCellStyle(c.sheet, c.col+"1")
		if st, err := f.GetStyle(id); err != nil || st.Font == nil || !st.Font.Bold {
			t.Errorf("%s!%s1 is not bold", c.sheet, c.col)
		}
		if w, _ := f.GetColWidth(c.sheet, c.col); w < 8 {
			t.Errorf("%s!%s width %v", c.sheet, c.col, w)
		}
		id, _ = f.GetColStyle(c.sheet, c.col)
		st, _ := f.GetStyle(id)
		if isText := st != nil && st.NumFmt == 49; isText != c.text {
			t.Errorf("%s!%s text format = %v, want %v", c.sheet, c.col, isText, c.text)
		}
		dvs, _ := f.GetDataValidations(c.sheet)
		found := false
		for _, dv := range dvs {
			if strings.HasPrefix(dv.Sqref, c.col+"2:") && dv.Type == "list" {
				found = strings.Contains(dv.Formula1, c.dropDown)
			}
		}
		if found != (c.dropDown != "") {
			t.Errorf("%s!%s drop-down offering %q: found = %v", c.sheet, c.col, c.dropDown, found)
		}
	}
	rows, _ := f.GetRows(sheetItems)
	if len(rows) != 3 || rows[1][6] != "乡镇大厅、村（社区）代办" || rows[1][4] != "县民政局" || rows[2][8] != "即办件" {
		t.Errorf("items sheet = %q", rows)
	}
}

func TestImportBlankRowsAndSpaces(t *testing.T) {
	t.Parallel()
	w := baseBook().clone()
	w.rows[0] = slices.Insert(w.rows[0], 2, []string{}, []string{"  ", "", "\t"})
	// A note beside the layout does not make a row.
	w.rows[0] = append(w.rows[0], make([]string, len(itemSheet.cols)), append(make([]string, len(itemSheet.cols)), "备注：下面的事项待定"))
	w.rows[1] = slices.Insert(w.rows[1], 1, []string{" "})
	w.rows[0][1][2] = "  最低生活保障申请 "
	w.rows[0][1][6] = "乡镇大厅，村（社区）代办、"
	w.rows[2][1][1] = " 入户调查\n"
	got, errs, err := ImportExcel(bytes.NewReader(w.bytes(t)), testDepartmentID)
	if err != nil || len(errs) > 0 {
		t.Fatalf("import failed: %v %+v", err, errs)
	}
	if want := baseBookItems(); !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestImportRowErrors(t *testing.T) {
	t.Parallel()
	type at struct {
		sheet string
		row   int
		col   string
	}
	for _, c := range []struct {
		name   string
		edit   func(testBook)
		want   []at
		reason string // a part of the first error's reason
	}{
		{"one bad cell in each sheet", func(w testBook) {
			w.set(sheetItems, 3, "法定时限（工作日）", "十")
			w.set(sheetMaterials, 4, "材料形式", "扫描件")
			w.set(sheetSteps, 2, "是否计入时限", "不")
		}, []at{{sheetItems, 3, "法定时限（工作日）"}, {sheetMaterials, 4, "材料形式"}, {sheetSteps, 2, "是否计入时限"}}, "十"},
		{"unknown department", func(w testBook) { w.set(sheetItems, 2, "实施机关", "县教育局") },
			[]at{{sheetItems, 2, "实施机关"}}, "县教育局"},
		{"blank department", func(w testBook) { w.set(sheetItems, 2, "实施机关", "") },
			[]at{{sheetItems, 2, "实施机关"}}, "实施机关"},
		{"duplicate code", func(w testBook) { w.set(sheetItems, 3, "实施编码", "IMPL-A0001") },
			// B's material now belongs to no item.
			[]at{{sheetItems, 3, "实施编码"}, {sheetMaterials, 3, "实施编码"}}, "第 2 行"},
		{"material of no item", func(w testBook) { w.set(sheetMaterials, 3, "实施编码", "IMPL-C0001") },
			[]at{{sheetMaterials, 3, "实施编码"}}, "IMPL-C0001"},
		{"step of no item", func(w testBook) { w.set(sheetSteps, 2, "实施编码", "IMPL-C0001") },
			[]at{{sheetSteps, 2, "实施编码"}}, "IMPL-C0001"},
		{"material without code", func(w testBook) { w.set(sheetMaterials, 2, "实施编码", "") },
			[]at{{sheetMaterials, 2, "实施编码"}}, "实施编码"},
		{"second material of an item lacks its condition", func(w testBook) { w.set(sheetMaterials, 4, "需要提交的情形", "") },
			[]at{{sheetMaterials, 4, "需要提交的情形"}}, "情形"},
		{"short name", func(w testBook) { w.set(sheetItems, 3, "事项名称", "证") },
			[]at{{sheetItems, 3, "事项名称"}}, "事项名称"},
		{"bad implementation code", func(w testBook) {
			w.set(sheetItems, 3, "实施编码", "B1")
			w.set(sheetMaterials, 3, "实施编码", "B1")
		}, []at{{sheetItems, 3, "实施编码"}}, "实施编码"},
		{"instant item with promised days", func(w testBook) { w.set(sheetItems, 3, "承诺时限（工作日）", "5") },
			[]at{{sheetItems, 3, "承诺时限（工作日）"}}, "即办件"},
		{"promise beyond the legal limit", func(w testBook) { w.set(sheetItems, 2, "承诺时限（工作日）", "31") },
			[]at{{sheetItems, 2, "承诺时限（工作日）"}}, "法定时限"},
		// 环节时限: the cell's form, and the steps' rules placed on it.
		{"malformed steps", func(w testBook) { w.set(sheetItems, 2, stagesHeader, "审查5;决定:3") },
			[]at{{sheetItems, 2, stagesHeader}}, "审查:5;决定:3"},
		{"steps beyond the promised limit", func(w testBook) { w.set(sheetItems, 2, stagesHeader, "审查:15;决定:8") },
			[]at{{sheetItems, 2, stagesHeader}}, "第四十二条"},
		{"steps of an instant item", func(w testBook) { w.set(sheetItems, 3, stagesHeader, "审查:1") },
			[]at{{sheetItems, 3, stagesHeader}}, "即办件"},
		{"short step name", func(w testBook) { w.set(sheetSteps, 2, "环节名称", "查") },
			[]at{{sheetSteps, 2, "环节名称"}}, "环节名称"},
		{"step days out of range", func(w testBook) { w.set(sheetSteps, 2, "时限（工作日）", "300") },
			[]at{{sheetSteps, 2, "时限（工作日）"}}, "250"},
		{"unknown level", func(w testBook) { w.set(sheetItems, 2, "行使层级", "省级大厅、乡镇大厅") },
			[]at{{sheetItems, 2, "行使层级"}}, "省级大厅"},
		{"repeated level", func(w testBook) { w.set(sheetItems, 2, "行使层级", "乡镇大厅、乡镇大厅") },
			[]at{{sheetItems, 2, "行使层级"}}, "“乡镇大厅”重复"},
		{"no level", func(w testBook) { w.set(sheetItems, 2, "行使层级", "") },
			[]at{{sheetItems, 2, "行使层级"}}, "行使层级"},
		{"blank kind is reported once", func(w testBook) { w.set(sheetItems, 2, "事项类型", "") },
			[]at{{sheetItems, 2, "事项类型"}}, "事项类型"},
		{"label with a typo", func(w testBook) { w.set(sheetItems, 2, "事项类型", "行政给付类") },
			[]at{{sheetItems, 2, "事项类型"}}, "行政给付类"},
		{"fractional copies", func(w testBook) { w.set(sheetMaterials, 2, "份数", "1.5") },
			[]at{{sheetMaterials, 2, "份数"}}, "整数"},
		{"blank yes/no", func(w testBook) { w.set(sheetMaterials, 3, "是否必要", "") },
			[]at{{sheetMaterials, 3, "是否必要"}}, "是"},
		{"malformed phone", func(w testBook) { w.set(sheetItems, 2, "咨询电话", "电话8021352") },
			[]at{{sheetItems, 2, "咨询电话"}}, "咨询电话"},
		{"fee basis too long", func(w testBook) { w.set(sheetItems, 2, "收费依据", strings.Repeat("依", 501)) },
			[]at{{sheetItems, 2, "收费依据"}}, "收费"},
		{"fee amount too long", func(w testBook) { w.set(sheetItems, 2, "收费标准", strings.Repeat("元", 101)) },
			[]at{{sheetItems, 2, "收费标准"}}, "收费"},
		{"too many visits", func(w testBook) { w.set(sheetItems, 2, "到现场次数", "6") },
			[]at{{sheetItems, 2, "到现场次数"}}, "到现场次数"},
		{"several errors in a row, in column order", func(w testBook) {
			w.set(sheetItems, 2, "办件类型", "急办件")
			w.set(sheetItems, 2, "事项类型", "行政许可证")
		}, []at{{sheetItems, 2, "事项类型"}, {sheetItems, 2, "办件类型"}}, "行政许可证"},
		{"too many materials", func(w testBook) {
			for i := range 50 {
				w.set(sheetMaterials, 5+i, "实施编码", "IMPL-A0001")
				w.set(sheetMaterials, 5+i, "材料名称", "附加材料"+strconv.Itoa(i))
				w.set(sheetMaterials, 5+i, "材料形式", "复印件")
				w.set(sheetMaterials, 5+i, "是否必要", "是")
			}
		}, []at{{sheetMaterials, 53, "实施编码"}}, "50"},
	} {
		w := baseBook().clone()
		c.edit(w)
		items, errs, err := ImportExcel(bytes.NewReader(w.bytes(t)), testDepartmentID)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		var got []at
		for _, e := range errs {
			got = append(got, at{e.Sheet, e.Row, e.Column})
			if e.Reason == "" || e.ReasonEn == "" {
				t.Errorf("%s: %+v lacks a reason", c.name, e)
			}
		}
		if !slices.Equal(got, c.want) || items != nil {
			t.Errorf("%s: got %d items and errors at %v, want none and %v (%+v)", c.name, len(items), got, c.want, errs)
			continue
		}
		if !strings.Contains(errs[0].Reason, c.reason) {
			t.Errorf("%s: reason %q does not mention %q", c.name, errs[0].Reason, c.reason)
		}
	}
}

func TestImportFileErrors(t *testing.T) {
	t.Parallel()
	many := baseBook().clone()
	for i := range MaxImportItems + 1 {
		many.set(sheetItems, 2+i, "实施编码", "IMPL-"+strconv.Itoa(i))
	}
	for _, c := range []struct {
		name string
		file []byte
		want string // a part of the message
	}{
		{"not a workbook", []byte("实施编码,事项名称\nIMPL-A0001,最低生活保障申请\n"), ".xlsx"},
		{"empty file", nil, ".xlsx"},
		{"too big", bytes.Repeat([]byte{'P'}, MaxImportBytes+1), "10 MB"},
		{"wrong header", func() []byte {
			w := baseBook().clone()
			w.rows[0][0][3], w.rows[0][0][4] = "实施机关", "事项类型"
			return w.bytes(t)
		}(), "D 列应为“事项类型”"},
		{"header row moved down", func() []byte {
			w := baseBook().clone()
			w.rows[2] = slices.Insert(w.rows[2], 0, []string{"特殊环节表"})
			return w.bytes(t)
		}(), "“特殊环节”第 1 行 A 列应为“实施编码”"},
		{"missing sheet", func() []byte {
			w := baseBook().clone()
			w.names, w.rows = w.names[:2], w.rows[:2]
			return w.bytes(t)
		}(), "缺少工作表“特殊环节”"},
		{"renamed sheet", func() []byte {
			w := baseBook().clone()
			w.names[1] = "Sheet2"
			return w.bytes(t)
		}(), "缺少工作表“材料”"},
		{"no items", func() []byte {
			w := baseBook().clone()
			w.rows[0] = w.rows[0][:1]
			return w.bytes(t)
		}(), "没有事项"},
		{"too many items", many.bytes(t), "最多导入 2000 个事项"},
	} {
		items, errs, err := ImportExcel(bytes.NewReader(c.file), testDepartmentID)
		p, ok := problem.As(err)
		if !ok || len(p.Fields) != 1 || p.Fields[0].Location != "file" || p.Fields[0].MessageEn == "" ||
			!strings.Contains(p.Fields[0].Message, c.want) || p.Message != p.Fields[0].Message || items != nil || errs != nil {
			t.Errorf("%s: got %d items, %v, %v; want a file problem mentioning %q", c.name, len(items), errs, err, c.want)
		}
	}
}

// A workbook from before the 统一办理 column (行政许可法 art. 26) still imports, as not unified;
// a value other than 是/否 in it is refused on its cell.
func TestImportWithoutTheUnifiedColumn(t *testing.T) {
	t.Parallel()
	w := baseBook().clone()
	for i := range w.rows[0] {
		w.rows[0][i] = w.rows[0][i][:iUnified]
	}
	got, errs, err := ImportExcel(bytes.NewReader(w.bytes(t)), testDepartmentID)
	if err != nil || len(errs) > 0 || got[0].Unified {
		t.Fatalf("old layout: %v %+v unified %v", err, errs, got[0].Unified)
	}
	w = baseBook().clone()
	w.rows[0][1][iUnified] = "联合"
	_, errs, err = ImportExcel(bytes.NewReader(w.bytes(t)), testDepartmentID)
	if err != nil || len(errs) != 1 || errs[0].Column != unifiedHeader {
		t.Errorf("bad unified cell: %v %+v", err, errs)
	}
}
