package workforce

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/idno"
	"github.com/yichuang/yichuang/services/level"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/services/xlsxguard"
	"github.com/yichuang/yichuang/tenants"
)

// The roster workbook is filled in by hand in WPS or Excel, so its layout is the contract:
// one sheet, this header row, columns by position.
const rosterSheet = "花名册"

var rosterHeader = []string{"姓名", "身份证号", "手机", "乡镇（街道）", "社区（村）", "岗位", "职务", "入职日期", "学历",
	"社工证", "取证日期", "状态", "合同开始", "合同结束", "等级"}

const (
	cName = iota
	cID
	cPhone
	cTownship
	cCommunity
	cPost
	cTitle
	cHired
	cEducation
	cCertificate
	cCertificateOn
	cStatus
	cContractFrom
	cContractTo
	cLevel
)

// Import limits: a county has hundreds to a few thousand workers.
const (
	MaxRosterRows  = 20000
	MaxRosterBytes = 10 << 20
)

// rosterLimits are the shared workbook limits with the roster's own upload size.
var rosterLimits = func() xlsxguard.Limits {
	l := xlsxguard.Default
	l.MaxFileBytes = MaxRosterBytes
	return l
}()

// RowError is one reason a roster row was refused (Row is the sheet's row number).
type RowError struct {
	Row      int    `json:"row"`
	Column   string `json:"column"`
	Reason   string `json:"reason"`
	ReasonEn string `json:"reason_en"`
}

// ImportResult counts what an import stored.
type ImportResult struct {
	Created int `json:"created"`
}

var shortLabels = map[string]string{"正职": "head", "副职": "deputy", "其他": "staff", "初级": "junior", "中级": "intermediate", "高级": "senior"}

func enum[T interface {
	~string
	Label() string
	Valid() bool
}](all []T, text string) (T, bool) {
	text = strings.TrimSpace(text)
	for _, v := range all {
		if text == v.Label() || text == string(v) || shortLabels[text] == string(v) {
			return v, true
		}
	}
	var zero T
	return zero, false
}

var statuses = []Status{StatusActive, StatusAway, StatusRetired}

var dateForms = regexp.MustCompile(`^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$`)

// parseDay accepts the forms people type or Excel shows: 2015-03-01, 2015/3/1, 2015.3.1,
// 2015年3月1日, or a date serial number from an unformatted cell.
func parseDay(s string) (workday.Date, bool) {
	s = strings.TrimSpace(s)
	if m := dateForms.FindStringSubmatch(s); m != nil {
		d, err := workday.ParseDate(fmt.Sprintf("%s-%02s-%02s", m[1], m[2], m[3]))
		return d, err == nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f > 30000 && f < 80000 {
		t, err := excelize.ExcelDateToTime(f, false)
		return workday.DateOf(t), err == nil
	}
	return workday.Date{}, false
}

// Import reads a roster workbook and puts every row on the books, in one transaction. Rows
// are checked one by one and every problem is reported with its row and column; if any row
// is wrong, the caller rolls back and nothing is stored.
func (s *Service) Import(ctx context.Context, r io.Reader) (*ImportResult, []RowError, error) {
	book, err := xlsxguard.Open(r, rosterLimits, false)
	if err != nil {
		return nil, nil, err
	}
	defer book.Close()
	if !book.HasSheet(rosterSheet) {
		return nil, nil, problem.Invalid(problem.Field{Location: "file", Message: "找不到工作表“" + rosterSheet + "”，请使用导出的花名册模板", MessageEn: "sheet " + rosterSheet + " is missing; start from the exported template"})
	}
	rows, err := book.Rows(rosterSheet)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	if !rows.Next() || !headerMatches(rows.Cells()) {
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
		return nil, nil, problem.Invalid(problem.Field{Location: "file", Message: "表头与模板不一致，应为：" + strings.Join(rosterHeader, "、"), MessageEn: "the header row does not match the template"})
	}
	units, err := communities(ctx)
	if err != nil {
		return nil, nil, err
	}
	ds, err := dated(ctx)
	if err != nil {
		return nil, nil, err
	}
	var errs []RowError
	res := &ImportResult{}
	// Rows are streamed and hired one by one; the caller's transaction rolls all of them back
	// if any row, or the row count, is wrong.
	for rows.Next() {
		row, n := rows.Cells(), rows.Num()
		if n-1 > MaxRosterRows {
			return nil, nil, problem.Invalid(problem.Field{Location: "file", Message: "一次最多导入 " + strconv.Itoa(MaxRosterRows) + " 行", MessageEn: "too many rows"})
		}
		if len(errs) >= xlsxguard.MaxRowErrors {
			break
		}
		cell := func(c int) string {
			if c < len(row) {
				return strings.TrimSpace(row[c])
			}
			return ""
		}
		blank := true
		for c := range rosterHeader {
			blank = blank && cell(c) == ""
		}
		if blank {
			continue
		}
		fail := func(c int, zh, en string) {
			errs = append(errs, RowError{Row: n, Column: rosterHeader[c], Reason: zh, ReasonEn: en})
		}
		in := NewWorker{IDNumber: strings.ToUpper(cell(cID)), Reasoned: Reasoned{Reason: "花名册导入", Approver: approverName(ctx)}}
		in.Name, in.Phone, in.Title = cell(cName), cell(cPhone), cell(cTitle)
		before := len(errs)
		if id, ok := units[[2]string{cell(cTownship), cell(cCommunity)}]; ok {
			in.OrgUnitID = id
		} else {
			fail(cCommunity, "找不到“"+cell(cTownship)+" "+cell(cCommunity)+"”：乡镇与社区须与组织架构中的名称一致", "no such township/community in the org tree")
		}
		var ok bool
		if in.Post, ok = enum(level.Posts, cell(cPost)); !ok {
			fail(cPost, "岗位须为 正职、副职 或 其他社区工作者", "post must be 正职, 副职 or 其他社区工作者")
		}
		if in.Hired, ok = parseDay(cell(cHired)); !ok {
			fail(cHired, "入职日期须为 YYYY-MM-DD 等日期格式", "hire date is not a date")
		}
		if t := cell(cEducation); t != "" {
			if in.Education, ok = enum(level.Educations, t); !ok {
				fail(cEducation, "学历须为 高中及以下、大专、本科、硕士 或 博士", "unknown education")
			}
		}
		if t := cell(cCertificate); t != "" {
			if in.Certificate, ok = enum(level.Certificates, t); !ok {
				fail(cCertificate, "社工证须为 无、初级、中级 或 高级", "unknown certificate level")
			}
		}
		for _, d := range []struct {
			col int
			dst *workday.Date
		}{{cCertificateOn, &in.CertificateOn}, {cContractFrom, &in.ContractFrom}, {cContractTo, &in.ContractTo}} {
			if t := cell(d.col); t != "" {
				if *d.dst, ok = parseDay(t); !ok {
					fail(d.col, "日期格式有误", "not a date")
				}
			}
		}
		if t := cell(cStatus); t != "" {
			if in.Status, ok = enum(statuses, t); !ok {
				fail(cStatus, "状态须为 在岗、离岗 或 退休", "status must be 在岗, 离岗 or 退休")
			}
		}
		if t := strings.TrimSuffix(cell(cLevel), "级"); t != "" {
			if in.Level, err = strconv.Atoi(t); err != nil || in.Level < 1 || in.Level > level.Levels {
				fail(cLevel, "等级须为 1 至 18 的整数，留空则按规则计算", "level must be 1 to 18, or empty to compute it")
			}
		}
		if len(errs) > before {
			// The rest of the row is wrong too: still check the ID number, so one report lists
			// every problem of the row.
			if _, err := idno.Resident(in.IDNumber, s.today().In(clock.Zone)); err != nil {
				var e *idno.Error
				if errors.As(err, &e) {
					fail(cID, e.Reason, e.ReasonEn)
				}
			}
			continue
		}
		_, err := s.hire(ctx, in, ds, "")
		var p *problem.Error
		switch {
		case errors.As(err, &p):
			if len(p.Fields) == 0 {
				errs = append(errs, RowError{Row: n, Column: rosterHeader[cID], Reason: p.Message, ReasonEn: p.MessageEn})
			}
			for _, fe := range p.Fields {
				errs = append(errs, RowError{Row: n, Column: columnOf(fe.Location), Reason: fe.Message, ReasonEn: fe.MessageEn})
			}
		case err != nil:
			return nil, nil, err
		default:
			res.Created++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	if len(errs) > 0 {
		return nil, errs, nil
	}
	return res, nil, tenants.Audit(ctx, tenants.Change{Action: "worker.import", TargetType: "worker", TargetID: "roster",
		Summary: map[string]any{"created": res.Created}})
}

var fieldColumns = map[string]int{"id_number": cID, "name": cName, "phone": cPhone, "org_unit_id": cCommunity, "post": cPost,
	"title": cTitle, "hired": cHired, "education": cEducation, "certificate": cCertificate, "status": cStatus,
	"contract_to": cContractTo, "level": cLevel, "reason": cName, "approver": cName}

func columnOf(location string) string {
	if c, ok := fieldColumns[location]; ok {
		return rosterHeader[c]
	}
	return ""
}

func headerMatches(row []string) bool {
	if len(row) < len(rosterHeader) {
		return false
	}
	for i, h := range rosterHeader {
		if strings.TrimSpace(row[i]) != h {
			return false
		}
	}
	return true
}

func approverName(ctx context.Context) string {
	if a, ok := tenants.ActorFrom(ctx); ok && a.Name != "" {
		return a.Name
	}
	return "系统导入"
}

// communities maps (township, community) names to the community's id.
func communities(ctx context.Context) (map[[2]string]uuid.UUID, error) {
	units, err := unitsByID(ctx)
	if err != nil {
		return nil, err
	}
	var kinds []struct {
		ID   uuid.UUID       `bun:"id"`
		Kind tenants.OrgKind `bun:"kind"`
	}
	if err := tenants.DB(ctx).NewSelect().Table("org_units").Column("id", "kind").
		Where("tenant_id = ? AND kind IN ('community', 'village')", tenants.CurrentID(ctx)).Scan(ctx, &kinds); err != nil {
		return nil, err
	}
	m := make(map[[2]string]uuid.UUID, len(kinds))
	for _, k := range kinds {
		u := units[k.ID]
		m[[2]string{u.township, u.community}] = k.ID
	}
	return m, nil
}

// Export writes the roster as the import template reads it. ID numbers are masked unless
// full is set (the caller audits that).
func (s *Service) Export(ctx context.Context, w io.Writer, full bool) error {
	all, err := loadAll(ctx)
	if err != nil {
		return err
	}
	units, err := unitsByID(ctx)
	if err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", rosterSheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(rosterSheet)
	if err != nil {
		return err
	}
	head, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}})
	widths := []float64{10, 22, 14, 14, 14, 14, 10, 12, 10, 22, 12, 8, 12, 12, 6}
	for i, wd := range widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return err
		}
	}
	hdr := make([]any, len(rosterHeader))
	for i, h := range rosterHeader {
		hdr[i] = excelize.Cell{Value: h, StyleID: head}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := sw.SetRow("A1", hdr); err != nil {
		return err
	}
	today := s.today()
	tx, _ := tenants.TxFrom(ctx)
	ds := func(d workday.Date) string {
		if d.IsZero() {
			return ""
		}
		return d.String()
	}
	for i, l := range all {
		r, _ := Fold(l.Changes, today)
		id := l.Worker.IDMasked
		if full {
			if id, err = s.Box.Open(tx.TenantID(), l.Worker.IDCipher); err != nil {
				return err
			}
		}
		u := units[r.OrgUnitID]
		row := []any{r.Name, id, r.Phone, u.township, u.community, r.Post.Label(), r.Title, ds(r.Hired), r.Education.Label(),
			shortCertificate(r.Certificate), ds(r.CertificateOn), r.Status.Label(), ds(r.ContractFrom), ds(r.ContractTo), r.Level}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if _, err := f.WriteTo(w); err != nil {
		return err
	}
	return tenants.Audit(ctx, tenants.Change{Action: "worker.export", TargetType: "worker", TargetID: "roster",
		Summary: map[string]any{"rows": len(all), "full_id": full, "at": time.Now().In(time.UTC).Format(time.RFC3339)}})
}

func shortCertificate(c level.Certificate) string {
	switch c {
	case level.CertificateJunior:
		return "初级"
	case level.CertificateIntermediate:
		return "中级"
	case level.CertificateSenior:
		return "高级"
	}
	return "无"
}
