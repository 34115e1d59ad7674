package server

import (
	"bytes"
	"context"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/yichuang/yichuang/services/application"
	"github.com/yichuang/yichuang/services/calendar"
	"github.com/yichuang/yichuang/services/catalog"
	"github.com/yichuang/yichuang/services/lifecycle"
	"github.com/yichuang/yichuang/services/notify"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/settings"
	"github.com/yichuang/yichuang/services/stats"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
)

var (
	staffRoles  = []tenants.Role{tenants.RoleCountyAdmin, tenants.RoleDepartmentStaff, tenants.RoleTownshipClerk, tenants.RoleCommunityWorker}
	intakeRoles = []tenants.Role{tenants.RoleTownshipClerk, tenants.RoleCommunityWorker}
	xlsxMIME    = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	dateDoc     = "YYYY-MM-DD"
)

func (s *Server) acceptanceRoutes() {
	s.calendarRoutes()
	s.settingsRoutes()
	s.catalogRoutes()
	s.applicationRoutes()
	s.notificationRoutes()
	s.statsRoutes()
}

func parseDate(loc, v string) (workday.Date, error) {
	d, err := workday.ParseDate(v)
	if err != nil {
		return d, problem.Invalid(problem.Field{Location: loc, Message: "日期格式须为 YYYY-MM-DD，且在 1990–2100 年之间", MessageEn: "date must be YYYY-MM-DD between 1990 and 2100", Value: v})
	}
	return d, nil
}

// dateText is "" for a date not set yet.
func dateText(d workday.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func optDate(loc, v string) (workday.Date, error) {
	if v == "" {
		return workday.Date{}, nil
	}
	return parseDate(loc, v)
}

// ---- calendar

// CalendarStep is one calendar day of an explanation.
type CalendarStep struct {
	Date    string `json:"date"`
	Kind    string `json:"kind" enum:"workday,weekend,holiday,makeup,local_closure,local_workday"`
	Label   string `json:"label" doc:"工作日 / 周末 / 法定节假日 …"`
	Name    string `json:"name" doc:"holiday name or local reason"`
	Counted bool   `json:"counted"`
	Ordinal int    `json:"ordinal" doc:"1..N for counted days, 0 otherwise"`
	Paused  bool   `json:"paused"`
}

func toSteps(steps []workday.Step) []CalendarStep {
	out := make([]CalendarStep, 0, len(steps))
	for _, st := range steps {
		out = append(out, CalendarStep{Date: st.Date.String(), Kind: st.Kind.String(), Label: st.Kind.Label(), Name: st.Name,
			Counted: st.Counted, Ordinal: st.Ordinal, Paused: st.Paused})
	}
	return out
}

type dueIn struct {
	From    string `query:"from" required:"true" doc:"start date (not counted), YYYY-MM-DD"`
	Days    int    `query:"days" minimum:"0" maximum:"250" doc:"working days; 0 = 即办件 (due on the start date)"`
	Explain bool   `query:"explain" doc:"list every calendar day with why it counted or not"`
}

type dueOut struct {
	Body struct {
		From  string         `json:"from"`
		Days  int            `json:"days"`
		Due   string         `json:"due"`
		Known bool           `json:"known" doc:"false when a year in the span has no official schedule yet"`
		Steps []CalendarStep `json:"steps,omitempty"`
	}
}

// CalendarDay is one day of a year view.
type CalendarDay struct {
	Date    string `json:"date"`
	Working bool   `json:"working"`
	Kind    string `json:"kind" enum:"workday,weekend,holiday,makeup,local_closure,local_workday"`
	Label   string `json:"label"`
	Name    string `json:"name"`
}

type yearIn struct {
	Year int `query:"year" minimum:"1990" maximum:"2100" required:"true"`
}

type yearOut struct {
	Body struct {
		Year  int           `json:"year"`
		Known bool          `json:"known"`
		Days  []CalendarDay `json:"days"`
	}
}

// CalendarOverride is a county's single-day change.
type CalendarOverride struct {
	Date    string `json:"date"`
	Working bool   `json:"working" doc:"true: an extra working day; false: a closure"`
	Reason  string `json:"reason"`
}

// HolidayBlock is a holiday of an entered year.
type HolidayBlock struct {
	Name string `json:"name" minLength:"1" maxLength:"20"`
	From string `json:"from" doc:"YYYY-MM-DD"`
	To   string `json:"to" doc:"YYYY-MM-DD"`
}

// CalendarYear is a whole year entered by the county.
type CalendarYear struct {
	Year     int            `json:"year"`
	Holidays []HolidayBlock `json:"holidays"`
	Makeups  []string       `json:"makeups" doc:"make-up working days, YYYY-MM-DD"`
}

type overridesOut struct {
	Body struct {
		Days  []CalendarOverride `json:"days"`
		Years []CalendarYear     `json:"years"`
	}
}

type overridePutIn struct {
	Date string `path:"date" doc:"YYYY-MM-DD"`
	Body struct {
		Working bool   `json:"working"`
		Reason  string `json:"reason" minLength:"1" maxLength:"100"`
	}
}

type datePath struct {
	Date string `path:"date" doc:"YYYY-MM-DD"`
}

type yearPutIn struct {
	Year int `path:"year" minimum:"1990" maximum:"2100"`
	Body struct {
		Holidays []HolidayBlock `json:"holidays" maxItems:"30"`
		Makeups  []string       `json:"makeups" maxItems:"30"`
	}
}

type yearPath struct {
	Year int `path:"year" minimum:"1990" maximum:"2100"`
}

func (s *Server) calendarRoutes() {
	register(s, huma.Operation{OperationID: "calendar-due", Method: http.MethodGet, Path: "/api/v1/calendar/due", Summary: "计算到期日 / Due date after N working days",
		Description: "The N-th working day strictly after `from` on the county's calendar (national schedule plus local changes).", Tags: []string{"calendar"}, Errors: []int{422}},
		anyMember, func(ctx context.Context, in *dueIn) (*dueOut, error) {
			from, err := parseDate("query.from", in.From)
			if err != nil {
				return nil, err
			}
			out := &dueOut{}
			err = s.inTx(ctx, func(ctx context.Context) error {
				cal, err := calendar.For(ctx)
				if err != nil {
					return err
				}
				due := cal.Add(from, in.Days)
				out.Body.From, out.Body.Days, out.Body.Due = from.String(), in.Days, due.String()
				out.Body.Known = cal.Known(from.Year) && cal.Known(due.Year)
				if in.Explain {
					out.Body.Steps = toSteps(cal.Explain(workday.Limit{Start: from, Days: in.Days}, from))
				}
				return nil
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "calendar-year", Method: http.MethodGet, Path: "/api/v1/calendar/days", Summary: "年度日历 / Every day of a year",
		Tags: []string{"calendar"}, Errors: []int{422}},
		anyMember, func(ctx context.Context, in *yearIn) (*yearOut, error) {
			out := &yearOut{}
			err := s.inTx(ctx, func(ctx context.Context) error {
				cal, err := calendar.For(ctx)
				if err != nil {
					return err
				}
				out.Body.Year, out.Body.Known = in.Year, cal.Known(in.Year)
				for d := (workday.Date{Year: in.Year, Month: time.January, Day: 1}); d.Year == in.Year; d = d.AddDays(1) {
					info := cal.Day(d)
					out.Body.Days = append(out.Body.Days, CalendarDay{Date: d.String(), Working: info.Working, Kind: info.Kind.String(), Label: info.Kind.Label(), Name: info.Name})
				}
				return nil
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "calendar-overrides", Method: http.MethodGet, Path: "/api/v1/calendar/overrides", Summary: "本县日历调整 / The county's calendar changes",
		Tags: []string{"calendar"}},
		admins, func(ctx context.Context, _ *struct{}) (*overridesOut, error) {
			out := &overridesOut{}
			out.Body.Days, out.Body.Years = []CalendarOverride{}, []CalendarYear{}
			err := s.inTx(ctx, func(ctx context.Context) error {
				days, years, err := calendar.Overrides(ctx)
				for _, d := range days {
					out.Body.Days = append(out.Body.Days, CalendarOverride{Date: workday.DateOf(d.Day).String(), Working: d.Working, Reason: d.Reason})
				}
				for _, y := range years {
					cy := CalendarYear{Year: y.Year, Holidays: []HolidayBlock{}, Makeups: []string{}}
					for _, h := range y.Holidays {
						cy.Holidays = append(cy.Holidays, HolidayBlock{Name: h.Name, From: h.From.String(), To: h.To.String()})
					}
					for _, m := range y.Makeups {
						cy.Makeups = append(cy.Makeups, m.String())
					}
					out.Body.Years = append(out.Body.Years, cy)
				}
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "calendar-set-day", Method: http.MethodPut, Path: "/api/v1/calendar/overrides/{date}", Summary: "设置本县调整日 / Close or open one day",
		Description: "Applies at once to new computations; open deadlines are recomputed by a background job.", Tags: []string{"calendar"}, DefaultStatus: http.StatusNoContent, Errors: []int{422}},
		admins, func(ctx context.Context, in *overridePutIn) (*struct{}, error) {
			d, err := parseDate("path.date", in.Date)
			if err != nil {
				return nil, err
			}
			return nil, s.inTx(ctx, func(ctx context.Context) error {
				return calendar.SetDay(ctx, d, in.Body.Working, in.Body.Reason, application.CalendarChanged)
			})
		})
	register(s, huma.Operation{OperationID: "calendar-delete-day", Method: http.MethodDelete, Path: "/api/v1/calendar/overrides/{date}", Summary: "删除本县调整日 / Remove a day's change",
		Tags: []string{"calendar"}, DefaultStatus: http.StatusNoContent, Errors: []int{404, 422}},
		admins, func(ctx context.Context, in *datePath) (*struct{}, error) {
			d, err := parseDate("path.date", in.Date)
			if err != nil {
				return nil, err
			}
			return nil, s.inTx(ctx, func(ctx context.Context) error { return calendar.DeleteDay(ctx, d, application.CalendarChanged) })
		})
	register(s, huma.Operation{OperationID: "calendar-put-year", Method: http.MethodPut, Path: "/api/v1/calendar/years/{year}", Summary: "录入年度放假安排 / Enter a year's official schedule",
		Description: "For a year the State Council has published but the built-in data lacks. Replaces the built-in data for that year.", Tags: []string{"calendar"}, DefaultStatus: http.StatusNoContent, Errors: []int{422}},
		admins, func(ctx context.Context, in *yearPutIn) (*struct{}, error) {
			var hs []workday.Block
			var c problem.Checker
			for i, h := range in.Body.Holidays {
				from, err1 := workday.ParseDate(h.From)
				to, err2 := workday.ParseDate(h.To)
				c.Check(err1 == nil && err2 == nil, "body.holidays["+strconv.Itoa(i)+"]", "日期格式须为 YYYY-MM-DD", "dates must be YYYY-MM-DD", h)
				hs = append(hs, workday.Block{Name: h.Name, From: from, To: to})
			}
			var ms []workday.Date
			for i, m := range in.Body.Makeups {
				d, err := workday.ParseDate(m)
				c.Check(err == nil, "body.makeups["+strconv.Itoa(i)+"]", "日期格式须为 YYYY-MM-DD", "dates must be YYYY-MM-DD", m)
				ms = append(ms, d)
			}
			if err := c.Err(); err != nil {
				return nil, err
			}
			return nil, s.inTx(ctx, func(ctx context.Context) error {
				return calendar.PutYear(ctx, in.Year, hs, ms, application.CalendarChanged)
			})
		})
	register(s, huma.Operation{OperationID: "calendar-delete-year", Method: http.MethodDelete, Path: "/api/v1/calendar/years/{year}", Summary: "删除录入的年度安排 / Remove an entered year",
		Tags: []string{"calendar"}, DefaultStatus: http.StatusNoContent, Errors: []int{404}},
		admins, func(ctx context.Context, in *yearPath) (*struct{}, error) {
			return nil, s.inTx(ctx, func(ctx context.Context) error { return calendar.DeleteYear(ctx, in.Year, application.CalendarChanged) })
		})
}

// ---- settings

// Settings are the county's local rules.
type Settings struct {
	YellowDays     int    `json:"yellow_days" minimum:"0" maximum:"30" doc:"临期提醒：剩余工作日不超过此数时标黄（默认 2）"`
	ForwardDays    int    `json:"forward_days" minimum:"1" maximum:"30" doc:"代办转交时限，工作日（默认 3）"`
	CorrectionDays int    `json:"correction_days" minimum:"1" maximum:"30" doc:"补正告知时限，工作日（默认 5，行政许可法第三十二条）"`
	MaxExtension   int    `json:"max_extension" minimum:"0" maximum:"250" doc:"一次延期的上限，工作日（默认 10，行政许可法第四十二条）"`
	ReceiptPrefix  string `json:"receipt_prefix" maxLength:"12" doc:"受理编号前缀（空则用行政区划代码）"`
}

type settingsOut struct{ Body Settings }

type settingsIn struct{ Body Settings }

func toSettings(st *settings.Settings) Settings {
	return Settings{YellowDays: st.YellowDays, ForwardDays: st.ForwardDays, CorrectionDays: st.CorrectionDays, MaxExtension: st.MaxExtension, ReceiptPrefix: st.ReceiptPrefix}
}

func (s *Server) settingsRoutes() {
	register(s, huma.Operation{OperationID: "get-settings", Method: http.MethodGet, Path: "/api/v1/settings", Summary: "本县规则设置 / The county's local rules", Tags: []string{"settings"}},
		staffRoles, func(ctx context.Context, _ *struct{}) (*settingsOut, error) {
			out := &settingsOut{}
			err := s.inTx(ctx, func(ctx context.Context) error {
				st, err := settings.Get(ctx)
				if err == nil {
					out.Body = toSettings(st)
				}
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "put-settings", Method: http.MethodPut, Path: "/api/v1/settings", Summary: "修改本县规则 / Change the local rules",
		Description: "Changing the warning threshold recomputes open deadlines through a background job.", Tags: []string{"settings"}, Errors: []int{422}},
		admins, func(ctx context.Context, in *settingsIn) (*settingsOut, error) {
			out := &settingsOut{}
			err := s.inTx(ctx, func(ctx context.Context) error {
				st, err := settings.Update(ctx, settings.Settings{YellowDays: in.Body.YellowDays, ForwardDays: in.Body.ForwardDays,
					CorrectionDays: in.Body.CorrectionDays, MaxExtension: in.Body.MaxExtension, ReceiptPrefix: in.Body.ReceiptPrefix})
				if err != nil {
					return err
				}
				out.Body = toSettings(st)
				return application.CalendarChanged(ctx)
			})
			return out, err
		})
}

// ---- catalogue

// MaterialSpec is a material of an item.
type MaterialSpec struct {
	Key       string `json:"key,omitempty" maxLength:"40" doc:"stable key; filled in when empty"`
	Name      string `json:"name" doc:"材料名称"`
	Form      string `json:"form" enum:"original,copy,electronic" doc:"原件 / 复印件 / 电子"`
	Copies    int    `json:"copies" doc:"份数"`
	Required  bool   `json:"required" doc:"必要材料"`
	Condition string `json:"condition,omitempty" doc:"非必要材料需要提交的情形"`
	Sample    string `json:"sample,omitempty" doc:"样表文件"`
}

// SpecialStep is a special step of an item.
type SpecialStep struct {
	Name      string `json:"name"`
	LimitDays int    `json:"limit_days"`
	Counted   bool   `json:"counted" doc:"是否计入办理时限"`
}

// ItemBody is the content of one version of a service item.
type ItemBody struct {
	BaseCode      string         `json:"base_code" doc:"基本编码"`
	ImplCode      string         `json:"impl_code" doc:"实施编码（县内唯一）"`
	Name          string         `json:"name" doc:"事项名称"`
	Kind          string         `json:"kind" enum:"licensing,confirmation,adjudication,payment,reward,filing,other_power,public_service" doc:"事项类型"`
	DepartmentID  uuid.UUID      `json:"department_id" doc:"实施机关"`
	LegalBasis    string         `json:"legal_basis" doc:"设定和实施依据"`
	Levels        []string       `json:"levels" doc:"行使层级：county, township, community"`
	Conditions    string         `json:"conditions" doc:"受理条件"`
	Materials     []MaterialSpec `json:"materials" maxItems:"50"`
	Handling      string         `json:"handling" enum:"instant,promised" doc:"即办件 / 承诺件"`
	LegalDays     int            `json:"legal_days" doc:"法定时限（工作日）"`
	PromisedDays  int            `json:"promised_days" doc:"承诺时限（工作日）"`
	Steps         []SpecialStep  `json:"steps" maxItems:"20" doc:"特殊环节"`
	FeeBasis      string         `json:"fee_basis"`
	FeeAmount     string         `json:"fee_amount"`
	Visits        int            `json:"visits" doc:"到现场次数"`
	ConsultPhone  string         `json:"consult_phone"`
	ComplainPhone string         `json:"complain_phone"`
}

func fromItem(it *catalog.Item) ItemBody {
	b := ItemBody{BaseCode: it.BaseCode, ImplCode: it.ImplCode, Name: it.Name, Kind: string(it.Kind), DepartmentID: it.DepartmentID,
		LegalBasis: it.LegalBasis, Levels: []string{}, Conditions: it.Conditions, Materials: []MaterialSpec{}, Handling: string(it.Handling),
		LegalDays: it.LegalDays, PromisedDays: it.PromisedDays, Steps: []SpecialStep{}, FeeBasis: it.FeeBasis, FeeAmount: it.FeeAmount,
		Visits: it.Visits, ConsultPhone: it.ConsultPhone, ComplainPhone: it.ComplainPhone}
	for _, l := range it.Levels {
		b.Levels = append(b.Levels, string(l))
	}
	for _, m := range it.Materials {
		b.Materials = append(b.Materials, MaterialSpec{Key: m.Key, Name: m.Name, Form: string(m.Form), Copies: m.Copies, Required: m.Required, Condition: m.Condition, Sample: m.Sample})
	}
	for _, st := range it.Steps {
		b.Steps = append(b.Steps, SpecialStep{Name: st.Name, LimitDays: st.LimitDays, Counted: st.Counted})
	}
	return b
}

func (b *ItemBody) item() catalog.Item {
	it := catalog.Item{BaseCode: b.BaseCode, ImplCode: b.ImplCode, Name: b.Name, Kind: catalog.Kind(b.Kind), DepartmentID: b.DepartmentID,
		LegalBasis: b.LegalBasis, Conditions: b.Conditions, Handling: catalog.Handling(b.Handling), LegalDays: b.LegalDays,
		PromisedDays: b.PromisedDays, FeeBasis: b.FeeBasis, FeeAmount: b.FeeAmount, Visits: b.Visits, ConsultPhone: b.ConsultPhone, ComplainPhone: b.ComplainPhone}
	for _, l := range b.Levels {
		it.Levels = append(it.Levels, catalog.Level(l))
	}
	for _, m := range b.Materials {
		it.Materials = append(it.Materials, catalog.Material{Key: m.Key, Name: m.Name, Form: catalog.Form(m.Form), Copies: m.Copies, Required: m.Required, Condition: m.Condition, Sample: m.Sample})
	}
	for _, st := range b.Steps {
		it.Steps = append(it.Steps, catalog.Step{Name: st.Name, LimitDays: st.LimitDays, Counted: st.Counted})
	}
	return it
}

// ItemSummary is a row of the catalogue.
type ItemSummary struct {
	ID               uuid.UUID `json:"id"`
	ImplCode         string    `json:"impl_code"`
	BaseCode         string    `json:"base_code"`
	Name             string    `json:"name"`
	Kind             string    `json:"kind"`
	KindLabel        string    `json:"kind_label"`
	DepartmentID     uuid.UUID `json:"department_id"`
	Levels           []string  `json:"levels"`
	Handling         string    `json:"handling" enum:"instant,promised"`
	Status           string    `json:"status" enum:"draft,published,retired"`
	PublishedVersion *int      `json:"published_version" nullable:"true"`
	DraftVersion     *int      `json:"draft_version" nullable:"true"`
	RowVersion       int       `json:"row_version" doc:"send as If-Match when changing the item"`
	UpdatedAt        time.Time `json:"updated_at"`
}

func toItemSummary(r *catalog.Record) ItemSummary {
	out := ItemSummary{ID: r.ID, ImplCode: r.ImplCode, BaseCode: r.BaseCode, Name: r.Name, Kind: string(r.Kind), KindLabel: r.Kind.Label(),
		DepartmentID: r.DepartmentID, Levels: []string{}, Handling: string(r.Handling), Status: string(r.Status),
		PublishedVersion: r.PublishedVersion, DraftVersion: r.DraftVersion, RowVersion: r.RowVersion, UpdatedAt: r.UpdatedAt}
	for _, l := range r.Levels {
		out.Levels = append(out.Levels, string(l))
	}
	return out
}

// ItemVersionInfo lists a version.
type ItemVersionInfo struct {
	Version     int        `json:"version"`
	State       string     `json:"state" enum:"draft,published,superseded"`
	CreatedAt   time.Time  `json:"created_at"`
	PublishedAt *time.Time `json:"published_at" nullable:"true"`
}

// ItemDetail is an item with its draft, its published version and its history.
type ItemDetail struct {
	ItemSummary
	Draft     *ItemBody         `json:"draft,omitempty"`
	Published *ItemBody         `json:"published,omitempty"`
	Versions  []ItemVersionInfo `json:"versions"`
}

type itemListIn struct {
	Q            string    `query:"q" maxLength:"50" doc:"名称片段或编码前缀"`
	Status       string    `query:"status" enum:"draft,published,retired,"`
	DepartmentID uuid.UUID `query:"department_id"`
	Level        string    `query:"level" enum:"county,township,community,"`
	Cursor       string    `query:"cursor"`
	Limit        int       `query:"limit" minimum:"1" maximum:"200" default:"50"`
}

type itemListOut struct {
	Body struct {
		Items      []ItemSummary `json:"items"`
		NextCursor string        `json:"next_cursor"`
	}
}

type itemIn struct{ Body ItemBody }

type itemOut struct {
	ETag string `header:"ETag"`
	Body ItemDetail
}

type itemChangeIn struct {
	ID      uuid.UUID `path:"id"`
	IfMatch string    `header:"If-Match" required:"true" doc:"row_version of the item as last read"`
}

type itemDraftIn struct {
	ID      uuid.UUID `path:"id"`
	IfMatch string    `header:"If-Match" required:"true" doc:"row_version of the item as last read"`
	Body    ItemBody
}

type itemVersionIn struct {
	ID      uuid.UUID `path:"id"`
	Version int       `path:"version" minimum:"1"`
}

type itemVersionOut struct{ Body ItemBody }

type fileOut struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               []byte
}

type importIn struct {
	RawBody []byte `contentType:"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" maxLength:"10485760"`
}

type importOut struct {
	Body catalog.ImportResult
}

// ifMatch reads a version from an If-Match header ("3" or "\"3\"").
func ifMatch(v string) (int, error) {
	n, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(strings.TrimSpace(v), "W/"), `"`))
	if err != nil || n < 1 {
		return 0, problem.Invalid(problem.Field{Location: "header.If-Match", Message: "If-Match 须为最近读取的版本号", MessageEn: "If-Match must be the version last read", Value: v})
	}
	return n, nil
}

func etag(v int) string { return `"` + strconv.Itoa(v) + `"` }

func (s *Server) itemDetail(ctx context.Context, id uuid.UUID) (*itemOut, error) {
	r, vs, err := catalog.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	out := &itemOut{ETag: etag(r.RowVersion), Body: ItemDetail{ItemSummary: toItemSummary(r), Versions: []ItemVersionInfo{}}}
	for i := range vs {
		v := &vs[i]
		out.Body.Versions = append(out.Body.Versions, ItemVersionInfo{Version: v.Version, State: string(v.State), CreatedAt: v.CreatedAt, PublishedAt: v.PublishedAt})
		b := fromItem(&v.Content)
		switch v.State {
		case catalog.VersionDraft:
			out.Body.Draft = &b
		case catalog.VersionPublished:
			out.Body.Published = &b
		}
	}
	return out, nil
}

func (s *Server) catalogRoutes() {
	register(s, huma.Operation{OperationID: "list-items", Method: http.MethodGet, Path: "/api/v1/items", Summary: "事项目录 / Search the service catalogue",
		Tags: []string{"catalogue"}, Errors: []int{422}},
		staffRoles, func(ctx context.Context, in *itemListIn) (*itemListOut, error) {
			out := &itemListOut{}
			out.Body.Items = []ItemSummary{}
			err := s.inTx(ctx, func(ctx context.Context) error {
				p, err := catalog.Search(ctx, catalog.Filter{Q: in.Q, Status: catalog.Status(in.Status), DepartmentID: in.DepartmentID,
					Level: catalog.Level(in.Level), Cursor: in.Cursor, Limit: in.Limit})
				if err != nil {
					return err
				}
				for i := range p.Items {
					out.Body.Items = append(out.Body.Items, toItemSummary(&p.Items[i]))
				}
				out.Body.NextCursor = p.Next
				return nil
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "create-item", Method: http.MethodPost, Path: "/api/v1/items", Summary: "新增事项（草稿）/ Add an item as a draft",
		Tags: []string{"catalogue"}, DefaultStatus: http.StatusCreated, Errors: []int{409, 422}},
		admins, func(ctx context.Context, in *itemIn) (*itemOut, error) {
			var out *itemOut
			err := s.inTx(ctx, func(ctx context.Context) error {
				r, err := catalog.Create(ctx, in.Body.item())
				if err != nil {
					return err
				}
				out, err = s.itemDetail(ctx, r.ID)
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "get-item", Method: http.MethodGet, Path: "/api/v1/items/{id}", Summary: "事项详情 / An item with its versions",
		Tags: []string{"catalogue"}, Errors: []int{404}},
		staffRoles, func(ctx context.Context, in *idPath) (*itemOut, error) {
			var out *itemOut
			err := s.inTx(ctx, func(ctx context.Context) (err error) { out, err = s.itemDetail(ctx, in.ID); return err })
			return out, err
		})
	register(s, huma.Operation{OperationID: "save-item-draft", Method: http.MethodPut, Path: "/api/v1/items/{id}/draft", Summary: "保存草稿 / Save the item's draft",
		Description: "Starts a new version from the published one if there is no draft. Publishing makes it the version new applications use.",
		Tags:        []string{"catalogue"}, Errors: []int{404, 409, 412, 422}},
		admins, func(ctx context.Context, in *itemDraftIn) (*itemOut, error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			var out *itemOut
			err = s.inTx(ctx, func(ctx context.Context) error {
				if _, err := catalog.SaveDraft(ctx, in.ID, v, in.Body.item()); err != nil {
					return err
				}
				out, err = s.itemDetail(ctx, in.ID)
				return err
			})
			return out, err
		})
	change := func(id, path, summary string, fn func(ctx context.Context, id uuid.UUID, v int) (*catalog.Record, error)) {
		register(s, huma.Operation{OperationID: id, Method: http.MethodPost, Path: path, Summary: summary, Tags: []string{"catalogue"}, Errors: []int{404, 409, 412, 422}},
			admins, func(ctx context.Context, in *itemChangeIn) (*itemOut, error) {
				v, err := ifMatch(in.IfMatch)
				if err != nil {
					return nil, err
				}
				var out *itemOut
				err = s.inTx(ctx, func(ctx context.Context) error {
					if _, err := fn(ctx, in.ID, v); err != nil {
						return err
					}
					out, err = s.itemDetail(ctx, in.ID)
					return err
				})
				return out, err
			})
	}
	change("publish-item", "/api/v1/items/{id}/publish", "发布 / Publish the draft", catalog.Publish)
	change("retire-item", "/api/v1/items/{id}/retire", "停用 / Retire the item", catalog.Retire)
	register(s, huma.Operation{OperationID: "get-item-version", Method: http.MethodGet, Path: "/api/v1/items/{id}/versions/{version}", Summary: "事项某一版本 / One version of an item",
		Tags: []string{"catalogue"}, Errors: []int{404}},
		staffRoles, func(ctx context.Context, in *itemVersionIn) (*itemVersionOut, error) {
			out := &itemVersionOut{}
			err := s.inTx(ctx, func(ctx context.Context) error {
				v, err := catalog.GetVersion(ctx, in.ID, in.Version)
				if err == nil {
					out.Body = fromItem(&v.Content)
				}
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "export-items", Method: http.MethodGet, Path: "/api/v1/items/export", Summary: "导出事项目录（Excel）/ Export the catalogue",
		Tags: []string{"catalogue"}, Responses: map[string]*huma.Response{"200": {Description: "xlsx workbook", Content: map[string]*huma.MediaType{xlsxMIME: {}}}}},
		admins, func(ctx context.Context, _ *struct{}) (*fileOut, error) {
			var buf bytes.Buffer
			err := s.inTx(ctx, func(ctx context.Context) error {
				items, err := catalog.Newest(ctx)
				if err != nil {
					return err
				}
				names, _, err := departments(ctx)
				if err != nil {
					return err
				}
				return catalog.ExportExcel(&buf, items, func(id uuid.UUID) string { return names[id] })
			})
			if err != nil {
				return nil, err
			}
			return &fileOut{ContentType: xlsxMIME, ContentDisposition: attachment("事项目录.xlsx"), Body: buf.Bytes()}, nil
		})
	register(s, huma.Operation{OperationID: "import-items", Method: http.MethodPost, Path: "/api/v1/items/import", Summary: "导入事项目录（Excel）/ Import the catalogue",
		Description: "New implementation codes become drafts; known ones get their draft replaced. Every row is checked first: " +
			"if any row is wrong, nothing is imported and the 422 lists each problem with its sheet, row and column (in `errors[].value`).",
		Tags: []string{"catalogue"}, Errors: []int{422}},
		admins, func(ctx context.Context, in *importIn) (*importOut, error) {
			out := &importOut{}
			err := s.inTx(ctx, func(ctx context.Context) error {
				_, ids, err := departments(ctx)
				if err != nil {
					return err
				}
				items, rowErrs, err := catalog.ImportExcel(bytes.NewReader(in.RawBody), func(name string) (uuid.UUID, bool) {
					id, ok := ids[strings.TrimSpace(name)]
					return id, ok
				})
				if err != nil {
					return err
				}
				if len(rowErrs) > 0 {
					fields := make([]problem.Field, 0, len(rowErrs))
					for _, re := range rowErrs {
						fields = append(fields, problem.Field{Location: "file", Message: re.Reason, MessageEn: re.ReasonEn,
							Value: map[string]any{"sheet": re.Sheet, "row": re.Row, "column": re.Column}})
					}
					e := problem.Invalid(fields...)
					e.Message, e.MessageEn = "文件有 "+strconv.Itoa(len(rowErrs))+" 处错误，未导入任何事项", "the file has errors; nothing was imported"
					return e
				}
				res, err := catalog.Import(ctx, items)
				if err == nil {
					out.Body = *res
				}
				return err
			})
			return out, err
		})
}

// departments maps the county's departments both ways.
func departments(ctx context.Context) (map[uuid.UUID]string, map[string]uuid.UUID, error) {
	var units []tenants.OrgUnit
	if err := tenants.DB(ctx).NewSelect().Model(&units).Where("ou.kind = 'department'").Scan(ctx); err != nil {
		return nil, nil, err
	}
	names, ids := map[uuid.UUID]string{}, map[string]uuid.UUID{}
	for _, u := range units {
		names[u.ID], ids[u.Name] = u.Name, u.ID
	}
	return names, ids, nil
}

// attachment is a Content-Disposition naming a Chinese file name (RFC 2231 encoding).
func attachment(name string) string {
	return mime.FormatMediaType("attachment", map[string]string{"filename": name})
}

// ---- applications

// ApplicantBody identifies the applicant.
type ApplicantBody struct {
	Kind    string `json:"kind" enum:"person,org" doc:"个人 / 单位"`
	Name    string `json:"name" doc:"姓名或单位名称"`
	IDNo    string `json:"id_no" doc:"身份证号码（GB 11643）或统一社会信用代码（GB 32100）"`
	Phone   string `json:"phone" doc:"联系电话"`
	Contact string `json:"contact,omitempty" doc:"单位经办人"`
}

// TickBody ticks one material.
type TickBody struct {
	Key      string `json:"key"`
	Provided bool   `json:"provided"`
	Note     string `json:"note,omitempty"`
}

// AuthorizationBody is the resident's 委托 of a proxy agent.
type AuthorizationBody struct {
	SignedOn string `json:"signed_on" doc:"委托日期 YYYY-MM-DD"`
	Document string `json:"document" doc:"委托书编号或签署情况"`
	Agent    string `json:"agent,omitempty" readOnly:"true" doc:"代办员"`
}

type intakeIn struct {
	IdempotencyKey string `header:"Idempotency-Key" doc:"one key per intake form: a retried submission returns the first application"`
	Body           struct {
		ItemID        uuid.UUID          `json:"item_id"`
		Applicant     ApplicantBody      `json:"applicant"`
		Materials     []TickBody         `json:"materials" maxItems:"50"`
		Authorization *AuthorizationBody `json:"authorization,omitempty" doc:"required for proxy intake at a village or community"`
	}
}

// MaterialLine is a line of the checklist.
type MaterialLine struct {
	MaterialSpec
	Provided bool   `json:"provided"`
	Problem  string `json:"problem,omitempty" enum:"missing,incorrect," doc:"set by a correction notice"`
	Note     string `json:"note,omitempty"`
}

// CorrectionEntryBody is one line of a correction notice.
type CorrectionEntryBody struct {
	Key     string `json:"key"`
	Name    string `json:"name,omitempty" readOnly:"true"`
	Problem string `json:"problem" enum:"missing,incorrect"`
	Note    string `json:"note,omitempty"`
}

// CorrectionBody is the 一次性告知书.
type CorrectionBody struct {
	NotifiedOn string                `json:"notified_on"`
	Late       bool                  `json:"late" doc:"issued after the notification limit"`
	Items      []CorrectionEntryBody `json:"items"`
}

// TimelineEvent is a line of the timeline.
type TimelineEvent struct {
	Seq         int            `json:"seq"`
	At          time.Time      `json:"at"`
	ActorName   string         `json:"actor_name"`
	Action      string         `json:"action"`
	ActionLabel string         `json:"action_label"`
	FromState   string         `json:"from_state"`
	ToState     string         `json:"to_state"`
	Note        string         `json:"note"`
	Data        map[string]any `json:"data"`
}

// PauseSpan is a 特别程序.
type PauseSpan struct {
	Seq          int    `json:"seq"`
	Step         string `json:"step"`
	Reason       string `json:"reason"`
	From         string `json:"from"`
	To           string `json:"to,omitempty"`
	ResumeReason string `json:"resume_reason,omitempty"`
}

// ActionRef is an action the reader may take.
type ActionRef struct {
	Action string `json:"action"`
	Label  string `json:"label"`
}

// UnitRef names an org unit.
type UnitRef struct {
	ID   uuid.UUID `json:"id"`
	Name string    `json:"name"`
}

// ItemRef is the item version the application runs under.
type ItemRef struct {
	ID           uuid.UUID     `json:"id"`
	Version      int           `json:"version"`
	Name         string        `json:"name"`
	ImplCode     string        `json:"impl_code"`
	Handling     string        `json:"handling" enum:"instant,promised"`
	LegalDays    int           `json:"legal_days"`
	PromisedDays int           `json:"promised_days"`
	Steps        []SpecialStep `json:"steps"`
}

// ApplicationDetail is the application page.
type ApplicationDetail struct {
	ID            uuid.UUID          `json:"id"`
	ReceiptNo     string             `json:"receipt_no"`
	State         string             `json:"state"`
	StateLabel    string             `json:"state_label"`
	Channel       string             `json:"channel" enum:"window,proxy"`
	Item          ItemRef            `json:"item"`
	Applicant     ApplicantBody      `json:"applicant"`
	Materials     []MaterialLine     `json:"materials"`
	Authorization *AuthorizationBody `json:"authorization,omitempty"`
	Hall          UnitRef            `json:"hall"`
	ProxyUnit     *UnitRef           `json:"proxy_unit,omitempty"`
	Department    UnitRef            `json:"department"`
	Routed        bool               `json:"routed"`
	AssigneeID    *uuid.UUID         `json:"assignee_id,omitempty"`
	Dates         map[string]string  `json:"dates" doc:"proxy_received_on, forward_due, received_on, correction_due, accepted_on, promised_due, legal_due, decided_on, delivered_on, closed_on (present when set)"`
	Levels        map[string]string  `json:"levels" doc:"warning level (normal, yellow, red) of each running due date"`
	Warning       string             `json:"warning" enum:"normal,yellow,red"`
	Paused        bool               `json:"paused"`
	ExtensionDays int                `json:"extension_days"`
	Decision      string             `json:"decision,omitempty" enum:"approve,deny,"`
	Reason        string             `json:"reason,omitempty" doc:"decision or closing reason"`
	Delivery      string             `json:"delivery_method,omitempty" enum:"window,post,proxy,"`
	Correction    *CorrectionBody    `json:"correction,omitempty"`
	Timeline      []TimelineEvent    `json:"timeline"`
	Pauses        []PauseSpan        `json:"pauses"`
	Actions       []ActionRef        `json:"actions" doc:"what the reader may do now"`
	Explain       []CalendarStep     `json:"explain" doc:"the committed limit day by day"`
	UnknownYear   bool               `json:"unknown_year" doc:"a due date falls in a year without an official schedule"`
	Today         string             `json:"today"`
	Version       int                `json:"version" doc:"send as If-Match with an action"`
}

type applicationOut struct {
	ETag string `header:"ETag"`
	Body ApplicationDetail
}

func (s *Server) toDetail(ctx context.Context, d *application.Detail) (*applicationOut, error) {
	o := ApplicationDetail{ID: d.ID, State: string(d.State), StateLabel: d.State.Label(), Channel: d.Channel,
		Item: ItemRef{ID: d.ItemID, Version: d.ItemVersion, Name: d.ItemName, ImplCode: d.Item.ImplCode, Handling: string(d.Item.Handling),
			LegalDays: d.LegalDays, PromisedDays: d.PromisedDays, Steps: []SpecialStep{}},
		Applicant: ApplicantBody{Kind: d.ApplicantKind, Name: d.ApplicantName, IDNo: d.ApplicantIDNo, Phone: d.ApplicantPhone, Contact: d.ContactName},
		Materials: []MaterialLine{}, Routed: d.Routed, AssigneeID: d.AssigneeID, Dates: map[string]string{}, Levels: d.Levels,
		Warning: d.Warning, Paused: d.Paused, ExtensionDays: d.ExtensionDays, Timeline: []TimelineEvent{}, Pauses: []PauseSpan{},
		Actions: []ActionRef{}, Explain: toSteps(d.Steps), UnknownYear: d.UnknownYear, Today: d.Today.String(), Version: d.Version}
	if d.ReceiptNo != nil {
		o.ReceiptNo = *d.ReceiptNo
	}
	for _, st := range d.Item.Steps {
		o.Item.Steps = append(o.Item.Steps, SpecialStep{Name: st.Name, LimitDays: st.LimitDays, Counted: st.Counted})
	}
	for _, m := range d.Materials {
		o.Materials = append(o.Materials, MaterialLine{MaterialSpec: MaterialSpec{Key: m.Key, Name: m.Name, Form: string(m.Form), Copies: m.Copies,
			Required: m.Required, Condition: m.Condition, Sample: m.Sample}, Provided: m.Provided, Problem: m.Problem, Note: m.Note})
	}
	if au := d.Authorization; au != nil {
		o.Authorization = &AuthorizationBody{SignedOn: au.SignedOn.String(), Document: au.Document, Agent: au.Agent}
	}
	ids := []uuid.UUID{d.HallID, d.DepartmentID}
	if d.ProxyUnitID != nil {
		ids = append(ids, *d.ProxyUnitID)
	}
	var units []tenants.OrgUnit
	if err := tenants.DB(ctx).NewSelect().Model(&units).Column("id", "name").Where("ou.id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return nil, err
	}
	for _, u := range units {
		ref := UnitRef{ID: u.ID, Name: u.Name}
		switch {
		case u.ID == d.HallID:
			o.Hall = ref
		case u.ID == d.DepartmentID:
			o.Department = ref
		case d.ProxyUnitID != nil && u.ID == *d.ProxyUnitID:
			o.ProxyUnit = &ref
		}
	}
	for k, v := range map[string]*time.Time{"proxy_received_on": d.ProxyReceived, "forward_due": d.ForwardDue, "received_on": d.ReceivedOn,
		"correction_due": d.CorrectionDue, "accepted_on": d.AcceptedOn, "promised_due": d.PromisedDue, "legal_due": d.LegalDue,
		"decided_on": d.DecidedOn, "delivered_on": d.DeliveredOn, "closed_on": d.ClosedOn} {
		if v != nil {
			o.Dates[k] = workday.DateOf(*v).String()
		}
	}
	if d.Decision != nil {
		o.Decision = *d.Decision
	}
	if d.DecisionReason != nil {
		o.Reason = *d.DecisionReason
	} else if d.CloseReason != nil {
		o.Reason = *d.CloseReason
	}
	if d.DeliveryMethod != nil {
		o.Delivery = *d.DeliveryMethod
	}
	if c := d.Correction; c != nil {
		cb := &CorrectionBody{NotifiedOn: c.NotifiedOn.String(), Late: c.Late, Items: []CorrectionEntryBody{}}
		for _, e := range c.Items {
			cb.Items = append(cb.Items, CorrectionEntryBody{Key: e.Key, Name: e.Name, Problem: e.Problem, Note: e.Note})
		}
		o.Correction = cb
	}
	for _, e := range d.Events {
		label := lifecycle.Action(e.Action).Label()
		switch e.Action {
		case "intake":
			label = "窗口收件"
		case "proxy_intake":
			label = "代办收件"
		}
		data := e.Data
		if data == nil {
			data = map[string]any{}
		}
		o.Timeline = append(o.Timeline, TimelineEvent{Seq: e.Seq, At: e.At, ActorName: e.ActorName, Action: e.Action, ActionLabel: label,
			FromState: string(e.FromState), ToState: string(e.ToState), Note: e.Note, Data: data})
	}
	for _, p := range d.Pauses {
		ps := PauseSpan{Seq: p.Seq, Step: p.Step, Reason: p.Reason, From: workday.DateOf(p.FromDate).String()}
		if p.ToDate != nil {
			ps.To = workday.DateOf(*p.ToDate).String()
		}
		if p.ResumeReason != nil {
			ps.ResumeReason = *p.ResumeReason
		}
		o.Pauses = append(o.Pauses, ps)
	}
	for _, a := range d.Available {
		o.Actions = append(o.Actions, ActionRef{Action: string(a), Label: a.Label()})
	}
	return &applicationOut{ETag: etag(d.Version), Body: o}, nil
}

type applicationListIn struct {
	State   string    `query:"state" doc:"comma-separated states"`
	ItemID  uuid.UUID `query:"item_id"`
	HallID  uuid.UUID `query:"hall_id" doc:"township hall"`
	Warning string    `query:"warning" enum:"normal,yellow,red,"`
	From    string    `query:"from" doc:"received on or after, YYYY-MM-DD"`
	To      string    `query:"to" doc:"received on or before, YYYY-MM-DD"`
	Q       string    `query:"q" maxLength:"50" doc:"受理编号前缀或申请人姓名"`
	Mine    bool      `query:"mine" doc:"only applications I took in or hold"`
	Cursor  string    `query:"cursor"`
	Limit   int       `query:"limit" minimum:"1" maximum:"100" default:"20"`
}

// ApplicationRow is a worklist row.
type ApplicationRow struct {
	ID            uuid.UUID `json:"id"`
	ReceiptNo     string    `json:"receipt_no"`
	ItemName      string    `json:"item_name"`
	State         string    `json:"state"`
	StateLabel    string    `json:"state_label"`
	Channel       string    `json:"channel" enum:"window,proxy"`
	ApplicantName string    `json:"applicant_name"`
	ApplicantIDNo string    `json:"applicant_id_no" doc:"masked"`
	HallID        uuid.UUID `json:"hall_id"`
	ReceivedOn    string    `json:"received_on"`
	PromisedDue   string    `json:"promised_due" doc:"empty before acceptance"`
	LegalDue      string    `json:"legal_due" doc:"empty before acceptance or without a statutory limit"`
	Warning       string    `json:"warning" enum:"normal,yellow,red"`
	Paused        bool      `json:"paused"`
	CreatedAt     time.Time `json:"created_at"`
}

type applicationListOut struct {
	Body struct {
		Items      []ApplicationRow `json:"items"`
		NextCursor string           `json:"next_cursor"`
	}
}

// ActionBody is what a step may need; the body is optional for steps that need nothing.
type ActionBody struct {
	Reason         string                `json:"reason,omitempty" maxLength:"500"`
	Materials      []TickBody            `json:"materials,omitempty" maxItems:"50"`
	Corrections    []CorrectionEntryBody `json:"corrections,omitempty" maxItems:"50"`
	Days           int                   `json:"days,omitempty" minimum:"0" maximum:"250"`
	DeliveryMethod string                `json:"delivery_method,omitempty" enum:"window,post,proxy,"`
	AssigneeID     *uuid.UUID            `json:"assignee_id,omitempty"`
	Step           string                `json:"step,omitempty" maxLength:"50" doc:"special step name for a pause"`
}

type actionIn struct {
	ID      uuid.UUID `path:"id"`
	Action  string    `path:"action" doc:"forward, accept, request_correction, reject, resubmit, route, pause, resume, extend, approve, deny, deliver, archive, withdraw"`
	IfMatch string    `header:"If-Match" required:"true" doc:"version of the application as last read"`
	Body    *ActionBody
}

func ticksOf(in []TickBody) []application.Tick {
	out := make([]application.Tick, len(in))
	for i, t := range in {
		out[i] = application.Tick{Key: t.Key, Provided: t.Provided, Note: t.Note}
	}
	return out
}

func (s *Server) applicationRoutes() {
	register(s, huma.Operation{OperationID: "create-application", Method: http.MethodPost, Path: "/api/v1/applications", Summary: "收件 / Register an application",
		Description: "A township clerk receives at the window (已接件); a community worker takes a proxy application (代办收件) with the resident's authorisation. " +
			"Send an Idempotency-Key so a retry returns the first application.",
		Tags: []string{"applications"}, DefaultStatus: http.StatusCreated, Errors: []int{409, 422}},
		intakeRoles, func(ctx context.Context, in *intakeIn) (*applicationOut, error) {
			na := application.NewApplication{ItemID: in.Body.ItemID, RequestKey: in.IdempotencyKey, Materials: ticksOf(in.Body.Materials),
				Applicant: application.Applicant{Kind: in.Body.Applicant.Kind, Name: in.Body.Applicant.Name, IDNo: in.Body.Applicant.IDNo,
					Phone: in.Body.Applicant.Phone, Contact: in.Body.Applicant.Contact}}
			if au := in.Body.Authorization; au != nil {
				d, err := parseDate("body.authorization.signed_on", au.SignedOn)
				if err != nil {
					return nil, err
				}
				na.Authorization = &application.Authorization{SignedOn: d, Document: strings.TrimSpace(au.Document)}
			}
			var out *applicationOut
			err := s.inTx(ctx, func(ctx context.Context) error {
				d, err := s.apps.Intake(ctx, na)
				if err != nil {
					return err
				}
				out, err = s.toDetail(ctx, d)
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "list-applications", Method: http.MethodGet, Path: "/api/v1/applications", Summary: "办件列表 / Worklist",
		Description: "Newest first, within the reader's data scope. Keyset pagination: pass next_cursor back as cursor.", Tags: []string{"applications"}, Errors: []int{422}},
		staffRoles, func(ctx context.Context, in *applicationListIn) (*applicationListOut, error) {
			f := application.Filter{ItemID: in.ItemID, HallID: in.HallID, Warning: in.Warning, Q: in.Q, Mine: in.Mine, Cursor: in.Cursor, Limit: in.Limit}
			var err error
			if f.From, err = optDate("query.from", in.From); err != nil {
				return nil, err
			}
			if f.To, err = optDate("query.to", in.To); err != nil {
				return nil, err
			}
			for _, st := range strings.Split(in.State, ",") {
				if st = strings.TrimSpace(st); st == "" {
					continue
				}
				if !lifecycle.State(st).Valid() {
					return nil, problem.Invalid(problem.Field{Location: "query.state", Message: "状态无效：" + st, MessageEn: "unknown state: " + st, Value: st})
				}
				f.States = append(f.States, lifecycle.State(st))
			}
			out := &applicationListOut{}
			out.Body.Items = []ApplicationRow{}
			err = s.inTx(ctx, func(ctx context.Context) error {
				p, err := s.apps.List(ctx, f)
				if err != nil {
					return err
				}
				for _, r := range p.Items {
					row := ApplicationRow{ID: r.ID, ItemName: r.ItemName, State: string(r.State), StateLabel: r.State.Label(), Channel: r.Channel,
						ApplicantName: r.ApplicantName, ApplicantIDNo: r.ApplicantIDNo, HallID: r.HallID, ReceivedOn: dateText(r.ReceivedOn),
						PromisedDue: dateText(r.PromisedDue), LegalDue: dateText(r.LegalDue), Warning: r.Warning, Paused: r.Paused, CreatedAt: r.CreatedAt}
					if r.ReceiptNo != nil {
						row.ReceiptNo = *r.ReceiptNo
					}
					out.Body.Items = append(out.Body.Items, row)
				}
				out.Body.NextCursor = p.Next
				return nil
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "get-application", Method: http.MethodGet, Path: "/api/v1/applications/{id}", Summary: "办件详情 / The application page",
		Tags: []string{"applications"}, Errors: []int{404}},
		staffRoles, func(ctx context.Context, in *idPath) (*applicationOut, error) {
			var out *applicationOut
			err := s.inTx(ctx, func(ctx context.Context) error {
				d, err := s.apps.Get(ctx, in.ID)
				if err != nil {
					return err
				}
				out, err = s.toDetail(ctx, d)
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "act-on-application", Method: http.MethodPost, Path: "/api/v1/applications/{id}/actions/{action}", Summary: "办理操作 / Take a step",
		Description: "One step of the lifecycle. If-Match must carry the version last read: a step taken by someone else in between gives 412. " +
			"A step the state does not allow gives 409 with the reason.",
		Tags: []string{"applications"}, Errors: []int{404, 409, 412, 422, 428}},
		staffRoles, func(ctx context.Context, in *actionIn) (*applicationOut, error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			if in.Body == nil {
				in.Body = &ActionBody{}
			}
			st := application.Step{Action: lifecycle.Action(in.Action), Version: v, Reason: in.Body.Reason, Materials: ticksOf(in.Body.Materials),
				Days: in.Body.Days, DeliveryMethod: in.Body.DeliveryMethod, StepName: in.Body.Step}
			if in.Body.AssigneeID != nil {
				st.AssigneeID = *in.Body.AssigneeID
			}
			for _, c := range in.Body.Corrections {
				st.Corrections = append(st.Corrections, application.CorrectionEntry{Key: c.Key, Problem: c.Problem, Note: c.Note})
			}
			var out *applicationOut
			err = s.inTx(ctx, func(ctx context.Context) error {
				d, err := s.apps.Act(ctx, in.ID, st)
				if err != nil {
					return err
				}
				out, err = s.toDetail(ctx, d)
				return err
			})
			return out, err
		})
}

// ---- notifications

// Notification is a message in the notification centre.
type Notification struct {
	ID            uuid.UUID  `json:"id"`
	Kind          string     `json:"kind"`
	Title         string     `json:"title"`
	Body          string     `json:"body"`
	ApplicationID *uuid.UUID `json:"application_id,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	ReadAt        *time.Time `json:"read_at,omitempty"`
}

type notificationListIn struct {
	Unread bool   `query:"unread"`
	Cursor string `query:"cursor"`
	Limit  int    `query:"limit" minimum:"1" maximum:"100" default:"20"`
}

type notificationListOut struct {
	Body struct {
		Items      []Notification `json:"items"`
		NextCursor string         `json:"next_cursor"`
		Unread     int            `json:"unread"`
	}
}

type markedOut struct {
	Body struct {
		Marked int `json:"marked"`
	}
}

func (s *Server) notificationRoutes() {
	register(s, huma.Operation{OperationID: "list-notifications", Method: http.MethodGet, Path: "/api/v1/notifications", Summary: "消息中心 / My notifications",
		Tags: []string{"notifications"}},
		staffRoles, func(ctx context.Context, in *notificationListIn) (*notificationListOut, error) {
			out := &notificationListOut{}
			out.Body.Items = []Notification{}
			err := s.inTx(ctx, func(ctx context.Context) error {
				p, err := notify.Inbox(ctx, actor(ctx).IdentityID, in.Unread, in.Cursor, in.Limit)
				if err != nil {
					if err == tenants.ErrBadCursor {
						return problem.Invalid(problem.Field{Location: "query.cursor", Message: "分页游标无效", MessageEn: "invalid cursor"})
					}
					return err
				}
				for _, n := range p.Items {
					out.Body.Items = append(out.Body.Items, Notification{ID: n.ID, Kind: n.Kind, Title: n.Title, Body: n.Body, ApplicationID: n.ApplicationID, CreatedAt: n.CreatedAt, ReadAt: n.ReadAt})
				}
				out.Body.NextCursor, out.Body.Unread = p.Next, p.Unread
				return nil
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "read-notification", Method: http.MethodPost, Path: "/api/v1/notifications/{id}/read", Summary: "标为已读 / Mark one read",
		Tags: []string{"notifications"}},
		staffRoles, func(ctx context.Context, in *idPath) (*markedOut, error) {
			out := &markedOut{}
			err := s.inTx(ctx, func(ctx context.Context) (err error) {
				out.Body.Marked, err = notify.MarkRead(ctx, actor(ctx).IdentityID, in.ID)
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "read-all-notifications", Method: http.MethodPost, Path: "/api/v1/notifications/read-all", Summary: "全部已读 / Mark all read",
		Tags: []string{"notifications"}},
		staffRoles, func(ctx context.Context, _ *struct{}) (*markedOut, error) {
			out := &markedOut{}
			err := s.inTx(ctx, func(ctx context.Context) (err error) {
				out.Body.Marked, err = notify.MarkRead(ctx, actor(ctx).IdentityID, uuid.Nil)
				return err
			})
			return out, err
		})
}

// ---- statistics

type statsIn struct {
	From string `query:"from" required:"true" doc:"YYYY-MM-DD"`
	To   string `query:"to" required:"true" doc:"YYYY-MM-DD"`
}

type statsOut struct{ Body stats.Report }

func (s *Server) statsRange(in *statsIn) (workday.Date, workday.Date, error) {
	from, err := parseDate("query.from", in.From)
	if err != nil {
		return from, from, err
	}
	to, err := parseDate("query.to", in.To)
	if err != nil {
		return from, to, err
	}
	if to.Before(from) || to.Year-from.Year > 5 {
		return from, to, problem.Invalid(problem.Field{Location: "query.to", Message: "结束日期须不早于开始日期，且跨度不超过五年", MessageEn: "to must not precede from, and the span is at most five years"})
	}
	return from, to, nil
}

func (s *Server) statsRoutes() {
	register(s, huma.Operation{OperationID: "application-stats", Method: http.MethodGet, Path: "/api/v1/stats/applications", Summary: "办件统计 / Application statistics",
		Description: "Volume by item, township and month; on-time rate; overdue count; average working days from acceptance to decision.", Tags: []string{"stats"}, Errors: []int{422}},
		admins, func(ctx context.Context, in *statsIn) (*statsOut, error) {
			from, to, err := s.statsRange(in)
			if err != nil {
				return nil, err
			}
			out := &statsOut{}
			err = s.inTx(ctx, func(ctx context.Context) error {
				r, err := stats.Compute(ctx, from, to, s.apps.Today())
				if err == nil {
					out.Body = *r
				}
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "export-application-stats", Method: http.MethodGet, Path: "/api/v1/stats/applications/export", Summary: "导出办件统计（Excel）/ Export statistics",
		Tags: []string{"stats"}, Errors: []int{422}, Responses: map[string]*huma.Response{"200": {Description: "xlsx workbook", Content: map[string]*huma.MediaType{xlsxMIME: {}}}}},
		admins, func(ctx context.Context, in *statsIn) (*fileOut, error) {
			from, to, err := s.statsRange(in)
			if err != nil {
				return nil, err
			}
			var buf bytes.Buffer
			err = s.inTx(ctx, func(ctx context.Context) error {
				r, err := stats.Compute(ctx, from, to, s.apps.Today())
				if err != nil {
					return err
				}
				t, err := tenants.Current(ctx)
				if err != nil {
					return err
				}
				return stats.Excel(&buf, r, t.Name)
			})
			if err != nil {
				return nil, err
			}
			return &fileOut{ContentType: xlsxMIME, ContentDisposition: attachment("办件统计.xlsx"), Body: buf.Bytes()}, nil
		})
}
