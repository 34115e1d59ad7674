package auditlog

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/xuri/excelize/v2"

	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/lifecycle"
	"github.com/yichuang/yichuang/services/notice"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/tenants"
)

// Namer names objects of one kind by id, asked of the package that owns them (wiring
// connects them, since auditlog may read no other package's table). Ids it does not know are
// left out.
type Namer func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]string, error)

// Service reads the chain as a ledger: labelled actions, named objects, labelled details.
type Service struct {
	// Namers by object kind (application, service_item, membership, …).
	Namers map[string]Namer
}

// Filter narrows the ledger. Zero values do not filter.
type Filter struct {
	// ActorID is one person; System the rows written by the system (jobs, CLI).
	ActorID *uuid.UUID
	System  bool
	// Action is one code.
	Action string
	// TargetType and TargetID are one kind of object or one object. An application includes
	// the rows about its files, notices and archive (their summary names it).
	TargetType string
	TargetID   string
	// From and To are calendar days in the counties' zone, both included.
	From, To *time.Time
}

// Object is what a row is about, named for a reader.
type Object struct {
	Kind      string `json:"kind"`
	KindLabel string `json:"kind_label"`
	ID        string `json:"id"`
	// Name is the object's name, receipt number or code; the id when there is none.
	Name string `json:"name"`
	// Link is the page of the object in the app ("" when it has none).
	Link string `json:"link"`
}

// Detail is one field of a row's summary, labelled.
type Detail struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Value string `json:"value"`
}

// Entry is an audit row as the ledger shows it.
type Entry struct {
	tenants.AuditEvent
	ActionLabel string
	Object      Object
	Details     []Detail
}

// Ledger is one page of entries, newest first.
type Ledger struct {
	Items []Entry
	// NextBeforeSeq continues the listing; 0 on the last page.
	NextBeforeSeq int64
}

// Validate refuses a filter that names an unknown action or object kind (422).
func (f Filter) Validate() error {
	var c problem.Checker
	if f.Action != "" {
		c.Check(ActionLabel(f.Action) != "", "query.action", "没有这种操作", "unknown action", f.Action)
	}
	if f.TargetType != "" {
		_, ok := targetLabels[f.TargetType]
		c.Check(ok, "query.target_type", "没有这种对象类型", "unknown object kind", f.TargetType)
	}
	if f.From != nil && f.To != nil {
		c.Check(!f.To.Before(*f.From), "query.to", "结束日期须不早于开始日期", "to must not precede from", nil)
	}
	return c.Err()
}

func (f Filter) apply(q *bun.SelectQuery) *bun.SelectQuery {
	switch {
	case f.ActorID != nil:
		q = q.Where("actor_id = ?", *f.ActorID)
	case f.System:
		q = q.Where("actor_id IS NULL")
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.TargetType != "" && f.TargetID != "" && f.TargetType == "application" {
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("target_type = 'application' AND target_id = ?", f.TargetID).
				WhereOr("target_type LIKE 'application\\_%' AND summary->>'application_id' = ?", f.TargetID)
		})
	} else {
		if f.TargetType != "" {
			q = q.Where("target_type = ?", f.TargetType)
		}
		if f.TargetID != "" {
			q = q.Where("target_id = ?", f.TargetID)
		}
	}
	if f.From != nil {
		from := time.Date(f.From.Year(), f.From.Month(), f.From.Day(), 0, 0, 0, 0, clock.Zone)
		q = q.Where("at >= ?", from)
	}
	if f.To != nil {
		end := time.Date(f.To.Year(), f.To.Month(), f.To.Day(), 0, 0, 0, 0, clock.Zone).AddDate(0, 0, 1)
		q = q.Where("at < ?", end)
	}
	return q
}

// List pages backwards through the chain of the tenant in ctx.
func List(ctx context.Context, beforeSeq int64, limit int) (*Page, error) {
	return list(ctx, Filter{}, beforeSeq, limit)
}

func list(ctx context.Context, f Filter, beforeSeq int64, limit int) (*Page, error) {
	// Rows appended earlier in this transaction are listed too.
	if err := tenants.FlushAudit(ctx); err != nil {
		return nil, err
	}
	var items []tenants.AuditEvent
	q := f.apply(tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&items))).Order("seq DESC").Limit(int64(limit + 1))
	if beforeSeq > 0 {
		q = q.Where("seq < ?", beforeSeq)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	p := &Page{Items: items}
	if len(items) > limit {
		p.Items = items[:limit]
		p.NextBeforeSeq = items[limit-1].Seq
	}
	return p, nil
}

// Ledger lists a page of the filtered chain as entries.
func (s *Service) Ledger(ctx context.Context, f Filter, beforeSeq int64, limit int) (*Ledger, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	p, err := list(ctx, f, beforeSeq, limit)
	if err != nil {
		return nil, err
	}
	items, err := s.Entries(ctx, p.Items)
	if err != nil {
		return nil, err
	}
	return &Ledger{Items: items, NextBeforeSeq: p.NextBeforeSeq}, nil
}

// Entries labels rows and names their objects (one query per kind of object).
func (s *Service) Entries(ctx context.Context, rows []tenants.AuditEvent) ([]Entry, error) {
	out := make([]Entry, len(rows))
	want := map[string]map[uuid.UUID]bool{}
	ask := func(kind, id string) {
		u, err := uuid.Parse(id)
		if err != nil || s == nil || s.Namers[kind] == nil {
			return
		}
		if want[kind] == nil {
			want[kind] = map[uuid.UUID]bool{}
		}
		want[kind][u] = true
	}
	sums := make([]map[string]any, len(rows))
	for i := range rows {
		r := &rows[i]
		sums[i] = map[string]any{}
		_ = json.Unmarshal(r.Summary, &sums[i])
		if app := appOf(r.TargetType, sums[i]); app != "" {
			ask("application", app)
		}
		ask(r.TargetType, r.TargetID)
		for k, kind := range refKinds {
			ask(kind, str(sums[i][k]))
		}
	}
	names := map[string]map[uuid.UUID]string{}
	for kind, ids := range want {
		list := make([]uuid.UUID, 0, len(ids))
		for id := range ids {
			list = append(list, id)
		}
		m, err := s.Namers[kind](ctx, list)
		if err != nil {
			return nil, fmt.Errorf("name %s objects: %w", kind, err)
		}
		names[kind] = m
	}
	nameOf := func(kind, id string) string {
		u, err := uuid.Parse(id)
		if err != nil {
			return ""
		}
		return names[kind][u]
	}
	for i := range rows {
		r := rows[i]
		label := ActionLabel(r.Action)
		if label == "" {
			label = r.Action
		}
		ds := details(r.Action, sums[i])
		for j := range ds {
			// An id in the details is shown by its name where its owner knows it.
			if kind, ok := refKinds[ds[j].Key]; ok {
				if n := nameOf(kind, ds[j].Value); n != "" {
					ds[j].Value = n
				}
			}
		}
		out[i] = Entry{AuditEvent: r, ActionLabel: label, Object: object(r, sums[i], nameOf), Details: ds}
	}
	return out, nil
}

// appOf is the application a document row is about.
func appOf(kind string, sum map[string]any) string {
	if !strings.HasPrefix(kind, "application_") {
		return ""
	}
	s, _ := sum["application_id"].(string)
	return s
}

// refKinds are the summary fields that hold the id of another object.
var refKinds = map[string]string{
	"org_unit_id": "org_unit", "parent_id": "org_unit", "supervisor_id": "membership", "identity_id": "membership",
	"application_id": "application",
}

var links = map[string]string{
	"application":           "/applications/%s",
	"service_item":          "/catalogue/%s",
	"worker":                "/workers/%s",
	"admission_request":     "/access/requests/%s",
	"membership":            "/staff",
	"org_unit":              "/org-units",
	"access_item":           "/access/items",
	"access_settings":       "/access/items",
	"dispatch":              "/access/dispatch",
	"dispatch_interception": "/access/dispatch",
	"community_task":        "/access/tasks",
	"payroll_run":           "/payroll",
	"progression_batch":     "/progression",
	"pay_scheme":            "/pay-schemes",
	"rectification":         "/ratings/cases",
	"rating_settings":       "/ratings/indicators",
	"calendar":              "/calendar",
	"tenant_settings":       "/settings",
	"document_settings":     "/settings",
	"signin_settings":       "/settings",
	"audit_log":             "/audit",
}

func object(r tenants.AuditEvent, sum map[string]any, nameOf func(kind, id string) string) Object {
	o := Object{Kind: r.TargetType, KindLabel: TargetLabel(r.TargetType), ID: r.TargetID}
	if l, ok := links[r.TargetType]; ok {
		if strings.Contains(l, "%s") {
			l = fmt.Sprintf(l, r.TargetID)
		}
		o.Link = l
	}
	o.Name = nameOf(r.TargetType, r.TargetID)
	if app := appOf(r.TargetType, sum); app != "" {
		// A file, notice or archive is shown as part of its application.
		o.Link = "/applications/" + app
		own := str(sum["filename"])
		if own == "" {
			own = notice.Title(notice.Kind(str(sum["kind"])))
		}
		parts := []string{}
		for _, p := range []string{own, nameOf("application", app)} {
			if p != "" {
				parts = append(parts, p)
			}
		}
		o.Name = strings.Join(parts, " · ")
	}
	if o.Name == "" {
		// What the row itself says, else the id (a month, a date, a year).
		for _, k := range []string{"receipt_no", "name", "title", "impl_code", "code"} {
			if v := str(sum[k]); v != "" {
				o.Name = v
				break
			}
		}
	}
	if o.Name == "" {
		o.Name = r.TargetID
	}
	return o
}

// detailLabels name the summary fields audit rows write.
var detailLabels = map[string]string{
	"receipt_no": "受理编号", "id_no": "证件号码（脱敏）", "must_change_password": "须修改密码", "sessions_ended": "已结束会话", "item": "事项", "from": "原状态", "to": "新状态", "reason": "理由", "status": "状态",
	"name": "名称", "code": "编码", "impl_code": "实施编码", "version": "版本", "kind": "类型", "title": "标题",
	"parent_id": "上级单位", "org_unit_id": "所属单位", "region_code": "行政区划代码", "phone": "手机号",
	"roles": "角色", "scope": "数据范围", "supervisor_id": "直接上级", "identity_id": "登录账号",
	"application_id": "办件", "file_id": "文件", "material": "材料", "filename": "文件名", "content_type": "文件类型",
	"size": "大小（字节）", "sha256": "SHA-256", "previous_sha256": "原 SHA-256", "version_id": "对象版本",
	"versions_deleted": "删除的版本数", "retention": "保管期限", "lock_mode": "锁定模式", "retain_until": "保管至",
	"files": "文件数", "max_upload_bytes": "上传上限（字节）", "effective_from": "生效日期", "effective_on": "生效日期",
	"requested_start": "申请实施日期", "notice_until": "公示截止", "request": "准入申请", "year": "年度",
	"communities": "社区", "deadline": "期限", "title_en": "英文标题", "result": "结果", "score": "评价等级",
	"method": "方式", "outcome": "结果", "called_at": "回访时间", "at": "时间", "approver": "批准人",
	"changed": "变更内容", "fields": "字段", "post": "岗位", "level": "等级", "rows": "行数", "workers": "人数",
	"lines": "行数", "total": "合计", "arrears": "补发", "sample": "示例方案", "round": "批次", "rule": "规则",
	"source": "来源", "full_id": "完整号码", "created": "新建", "label": "名称", "date": "日期", "working": "上班",
	"schedule": "放假安排", "correction_days": "补正告知期限（工作日）", "forward_days": "代办转交期限（工作日）",
	"delivery_days": "送达期限（工作日）", "yellow_days": "黄色预警（工作日）", "max_extension": "延期上限（工作日）",
	"max_extension_unified": "统一办理延期上限（工作日）", "receipt_prefix": "受理编号前缀", "idle_minutes": "空闲退出（分钟）",
	"item_version": "事项版本", "materials": "材料", "before": "修改前", "after": "修改后", "id": "编号",
	"filter": "筛选条件", "count": "条数",
}

// listKeys hold lists, never a [before, after] pair.
var listKeys = map[string]bool{"roles": true, "communities": true, "files": true, "fields": true, "materials": true, "changed": true}

// detailOrder puts the fields a reader looks for first.
var detailOrder = []string{"receipt_no", "item", "name", "code", "impl_code", "from", "to", "status", "reason"}

func details(action string, sum map[string]any) []Detail {
	keys := make([]string, 0, len(sum))
	for k := range sum {
		keys = append(keys, k)
	}
	rank := func(k string) int {
		for i, o := range detailOrder {
			if o == k {
				return i
			}
		}
		return len(detailOrder)
	}
	sort.Slice(keys, func(i, j int) bool {
		if ri, rj := rank(keys[i]), rank(keys[j]); ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	out := make([]Detail, 0, len(keys))
	for _, k := range keys {
		var v string
		if list, ok := sum[k].([]any); ok && listKeys[k] {
			parts := make([]string, 0, len(list))
			for _, e := range list {
				p := value(e)
				if k == "roles" {
					if l := tenants.Role(p).Label(); l != "" {
						p = l
					}
				}
				parts = append(parts, p)
			}
			v = strings.Join(parts, "、")
		} else {
			v = value(sum[k])
		}
		if v == "" {
			continue
		}
		if strings.HasPrefix(action, "application.") && (k == "from" || k == "to") {
			if l := lifecycle.State(v).Label(); l != "" {
				v = l
			}
		}
		switch {
		case k == "scope":
			if l := tenants.Scope(v).Label(); l != "" {
				v = l
			}
		case k == "kind" && strings.HasPrefix(action, "org_unit."):
			if l := tenants.OrgKind(v).Label(); l != "" {
				v = l
			}
		}
		if k == "kind" && strings.HasPrefix(action, "document.notice.") {
			if t := notice.Title(notice.Kind(v)); t != "" {
				v = t
			}
		}
		label := detailLabels[k]
		if label == "" {
			label = k
		}
		out = append(out, Detail{Key: k, Label: label, Value: v})
	}
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// value writes a summary value for a reader: a pair [before, after] as "before → after",
// true/false as 是/否, lists joined with 、, anything nested as compact JSON.
func value(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		if x {
			return "是"
		}
		return "否"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		if len(x) == 2 && scalar(x[0]) && scalar(x[1]) {
			return value(x[0]) + " → " + value(x[1])
		}
		parts := make([]string, 0, len(x))
		for _, e := range x {
			parts = append(parts, value(e))
		}
		return strings.Join(parts, "、")
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

func scalar(v any) bool {
	switch v.(type) {
	case nil, string, bool, float64:
		return true
	}
	return false
}

// ExportLimit caps one export; a longer period is exported in parts.
const ExportLimit = 50000

// Export writes the filtered ledger (newest first) as an Excel sheet with Chinese headers, and
// audits the export itself: who took a copy of the log, and of what.
func (s *Service) Export(ctx context.Context, w io.Writer, f Filter, county string) (int, error) {
	if err := f.Validate(); err != nil {
		return 0, err
	}
	p, err := list(ctx, f, 0, ExportLimit)
	if err != nil {
		return 0, err
	}
	if p.NextBeforeSeq != 0 {
		return 0, problem.Invalid(problem.Field{Location: "query.from", Message: fmt.Sprintf("超过 %d 条，请缩小日期范围分次导出", ExportLimit),
			MessageEn: fmt.Sprintf("more than %d rows: export a shorter period", ExportLimit)})
	}
	items, err := s.Entries(ctx, p.Items)
	if err != nil {
		return 0, err
	}
	if err := ExcelSheet(w, items, county); err != nil {
		return 0, err
	}
	return len(items), tenants.Audit(ctx, tenants.Change{Action: "audit.export", TargetType: "audit_log", TargetID: "export",
		Summary: map[string]any{"count": len(items), "filter": f.describe()}})
}

func (f Filter) describe() string {
	var parts []string
	if f.ActorID != nil {
		parts = append(parts, "操作人 "+f.ActorID.String())
	}
	if f.System {
		parts = append(parts, "操作人 系统")
	}
	if f.Action != "" {
		parts = append(parts, "操作 "+ActionLabel(f.Action))
	}
	if f.TargetType != "" {
		parts = append(parts, "对象类型 "+TargetLabel(f.TargetType))
	}
	if f.TargetID != "" {
		parts = append(parts, "对象 "+f.TargetID)
	}
	if f.From != nil {
		parts = append(parts, "自 "+f.From.Format("2006-01-02"))
	}
	if f.To != nil {
		parts = append(parts, "至 "+f.To.Format("2006-01-02"))
	}
	if len(parts) == 0 {
		return "全部"
	}
	return strings.Join(parts, "；")
}

// Headers of the exported sheet.
var Headers = []string{"序号", "时间", "操作人", "操作", "操作代码", "对象类型", "对象", "详情", "请求编号"}

// ExcelSheet writes entries as the 审计日志 sheet.
func ExcelSheet(w io.Writer, items []Entry, county string) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "审计日志"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"#E8EEF7"}, Pattern: 1}})
	if err != nil {
		return err
	}
	for i, wd := range []float64{8, 20, 12, 22, 26, 14, 36, 70, 24} {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := sw.SetRow("A1", []any{county + " 审计日志"}); err != nil {
		return err
	}
	head := make([]any, len(Headers))
	for i, h := range Headers {
		head[i] = excelize.Cell{Value: h, StyleID: bold}
	}
	if err := sw.SetRow("A2", head); err != nil {
		return err
	}
	for i, e := range items {
		lines := make([]string, 0, len(e.Details))
		for _, d := range e.Details {
			lines = append(lines, d.Label+"："+d.Value)
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+3)
		row := []any{e.Seq, e.At.In(clock.Zone).Format("2006-01-02 15:04:05"), e.ActorName, e.ActionLabel, e.Action,
			e.Object.KindLabel, e.Object.Name, strings.Join(lines, "\n"), e.RequestID}
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}
