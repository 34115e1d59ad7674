package server

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/application"
	"github.com/yichuang/yichuang/services/lifecycle"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/workday"
)

// ApplicantBody identifies the applicant.
type ApplicantBody struct {
	Kind    string `json:"kind" enum:"person,org" doc:"个人 / 单位"`
	Name    string `json:"name" maxLength:"100" doc:"姓名或单位名称"`
	IDNo    string `json:"id_no" maxLength:"40" doc:"身份证号码（GB 11643）或统一社会信用代码（GB 32100）"`
	Phone   string `json:"phone" maxLength:"20" doc:"联系电话"`
	Contact string `json:"contact,omitempty" maxLength:"100" doc:"单位经办人"`
}

// ApplicantView is the applicant as the application page shows it: the ID number masked; the
// full number only through reveal-application-id, which is audited.
type ApplicantView struct {
	Kind     string `json:"kind" enum:"person,org" doc:"个人 / 单位"`
	Name     string `json:"name" doc:"姓名或单位名称"`
	IDMasked string `json:"id_no_masked" doc:"证件号码（脱敏：前六位与后四位）；完整号码经 reveal-id 查看并记入审计日志"`
	Phone    string `json:"phone" doc:"联系电话"`
	Contact  string `json:"contact,omitempty" doc:"单位经办人"`
}

// TickBody ticks one material.
type TickBody struct {
	Key      string `json:"key" maxLength:"40"`
	Provided bool   `json:"provided"`
	Note     string `json:"note,omitempty" maxLength:"200"`
}

// AuthorizationBody is the resident's 委托 of a proxy agent.
type AuthorizationBody struct {
	SignedOn string `json:"signed_on" maxLength:"10" doc:"委托日期 YYYY-MM-DD"`
	Document string `json:"document" maxLength:"200" doc:"委托书编号或签署情况"`
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
	Key     string `json:"key" maxLength:"40"`
	Name    string `json:"name,omitempty" readOnly:"true" maxLength:"100"`
	Problem string `json:"problem" enum:"missing,incorrect"`
	Note    string `json:"note,omitempty" maxLength:"200"`
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
	Step         string `json:"step" doc:"特别程序：行政许可法第四十五条所列或本事项的特殊环节"`
	Reason       string `json:"reason"`
	Counted      bool   `json:"counted" doc:"计入办理时限（不停止计时）"`
	LimitDays    int    `json:"limit_days" doc:"所需时间（工作日），书面告知申请人"`
	StepDue      string `json:"step_due,omitempty" doc:"所需时间届满之日"`
	From         string `json:"from"`
	To           string `json:"to,omitempty"`
	ResumeReason string `json:"resume_reason,omitempty"`
}

// StageView is a back-office step of the application (办理环节) and how it went.
type StageView struct {
	No          int    `json:"no" doc:"环节序号（从 1 起）"`
	Name        string `json:"name"`
	LimitDays   int    `json:"limit_days" doc:"环节时限（工作日）"`
	StartedOn   string `json:"started_on,omitempty" doc:"开始日期（未开始时为空）"`
	DueOn       string `json:"due_on,omitempty" doc:"到期日期"`
	CompletedOn string `json:"completed_on,omitempty" doc:"完成日期"`
	Late        bool   `json:"late" doc:"完成晚于到期日期"`
	Current     bool   `json:"current" doc:"当前环节"`
	Warning     string `json:"warning,omitempty" enum:"normal,yellow,red," doc:"当前环节的预警级别"`
	Provisional bool   `json:"provisional" doc:"暂定：到期日期跨入尚无放假安排的年度"`
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
	Unified      bool          `json:"unified" doc:"统一办理/联合办理/集中办理（行政许可法第二十六条）"`
}

// ApplicationDetail is the application page.
type ApplicationDetail struct {
	ID            uuid.UUID          `json:"id"`
	ReceiptNo     string             `json:"receipt_no"`
	State         string             `json:"state"`
	StateLabel    string             `json:"state_label"`
	Channel       string             `json:"channel" enum:"window,proxy"`
	Item          ItemRef            `json:"item"`
	Applicant     ApplicantView      `json:"applicant"`
	Materials     []MaterialLine     `json:"materials"`
	Authorization *AuthorizationBody `json:"authorization,omitempty"`
	Hall          UnitRef            `json:"hall"`
	ProxyUnit     *UnitRef           `json:"proxy_unit,omitempty"`
	Department    UnitRef            `json:"department"`
	Routed        bool               `json:"routed"`
	AssigneeID    *uuid.UUID         `json:"assignee_id,omitempty"`
	Dates         map[string]string  `json:"dates" doc:"proxy_received_on, forward_due, received_on, correction_due, complete_on, accepted_on, promised_due, legal_due, decided_on, delivery_due, delivered_on, closed_on (present when set)"`
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
	Stages        []StageView        `json:"stages" doc:"办理环节及其时限（环节时限），按顺序"`
	CurrentStage  *StageView         `json:"current_stage,omitempty" doc:"当前办理环节，没有时省略"`
	Actions       []ActionRef        `json:"actions" doc:"what the reader may do now"`
	Explain       []CalendarStep     `json:"explain" doc:"the committed limit day by day"`
	UnknownYear   bool               `json:"unknown_year" doc:"same as provisional (older name)"`
	Provisional   bool               `json:"provisional" doc:"暂定：期限跨入国务院尚未公布放假安排的年度，按法定节假日计算，公布后可能变动"`
	// What the law gives the steps (行政许可法 arts. 32, 42, 45).
	CorrectionCount   int      `json:"correction_count" doc:"补正告知书份数"`
	RepeatCorrections int      `json:"repeat_corrections" doc:"再次补正（仅针对申请人补正后变更的材料）的份数"`
	ChangedMaterials  []string `json:"changed_materials" doc:"申请人补正后变更、可再次指出的材料"`
	ExtensionCap      int      `json:"extension_cap" doc:"本件一次延期的上限（工作日）"`
	SpecialProcedures []string `json:"special_procedures" doc:"可选择的特别程序：第四十五条所列及本事项的特殊环节"`
	Today             string   `json:"today"`
	Version           int      `json:"version" doc:"send as If-Match with an action"`
}

type applicationOut struct {
	ETag string `header:"ETag"`
	Body ApplicationDetail
}

func toDetail(d *application.Detail) *applicationOut {
	o := ApplicationDetail{ID: d.ID, State: string(d.State), StateLabel: d.State.Label(), Channel: d.Channel,
		Item: ItemRef{ID: d.ItemID, Version: d.ItemVersion, Name: d.ItemName, ImplCode: d.Item.ImplCode, Handling: string(d.Item.Handling),
			LegalDays: d.LegalDays, PromisedDays: d.PromisedDays, Steps: []SpecialStep{}},
		Applicant: ApplicantView{Kind: d.ApplicantKind, Name: d.ApplicantName, IDMasked: d.ApplicantIDMasked, Phone: d.ApplicantPhone, Contact: d.ContactName},
		Materials: []MaterialLine{}, Routed: d.Routed, AssigneeID: d.AssigneeID, Dates: map[string]string{}, Levels: d.Levels,
		Warning: d.Warning, Paused: d.Paused, ExtensionDays: d.ExtensionDays, Timeline: []TimelineEvent{}, Pauses: []PauseSpan{}, Stages: []StageView{},
		Actions: []ActionRef{}, Explain: toSteps(d.Steps), UnknownYear: d.Provisional, Provisional: d.Provisional, Today: d.Today.String(), Version: d.Version,
		CorrectionCount: d.CorrectionCount, RepeatCorrections: d.RepeatCorrections, ChangedMaterials: []string{},
		ExtensionCap: d.ExtensionCap, SpecialProcedures: d.SpecialProcedures}
	o.Item.Unified = d.Item.Unified
	if d.Correction != nil && d.Correction.Changed != nil {
		o.ChangedMaterials = d.Correction.Changed
	}
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
	o.Hall, o.Department = UnitRef{ID: d.HallID, Name: d.HallName}, UnitRef{ID: d.DepartmentID, Name: d.DepartmentName}
	if d.ProxyUnitID != nil {
		o.ProxyUnit = &UnitRef{ID: *d.ProxyUnitID, Name: d.ProxyUnitName}
	}
	for k, v := range map[string]*time.Time{"proxy_received_on": d.ProxyReceived, "forward_due": d.ForwardDue, "received_on": d.ReceivedOn,
		"correction_due": d.CorrectionDue, "accepted_on": d.AcceptedOn, "promised_due": d.PromisedDue, "legal_due": d.LegalDue,
		"decided_on": d.DecidedOn, "delivered_on": d.DeliveredOn, "closed_on": d.ClosedOn, "delivery_due": d.DeliveryDue, "complete_on": d.CompleteOn} {
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
		ps := PauseSpan{Seq: p.Seq, Step: p.Step, Reason: p.Reason, Counted: p.Counted, LimitDays: p.LimitDays, From: workday.DateOf(p.FromDate).String()}
		if p.StepDue != nil {
			ps.StepDue = workday.DateOf(*p.StepDue).String()
		}
		if p.ToDate != nil {
			ps.To = workday.DateOf(*p.ToDate).String()
		}
		if p.ResumeReason != nil {
			ps.ResumeReason = *p.ResumeReason
		}
		o.Pauses = append(o.Pauses, ps)
	}
	for i, st := range d.Stages {
		v := StageView{No: i + 1, Name: st.Name, LimitDays: st.LimitDays, StartedOn: dateText(st.StartedOn), DueOn: dateText(st.DueOn),
			CompletedOn: dateText(st.CompletedOn), Late: st.Late, Current: i+1 == d.CurrentStageNo, Provisional: st.Provisional}
		if v.Current {
			v.Warning = st.Warning
			o.CurrentStage = &v
		}
		o.Stages = append(o.Stages, v)
	}
	for _, a := range d.Available {
		o.Actions = append(o.Actions, ActionRef{Action: string(a), Label: a.Label()})
	}
	return &applicationOut{ETag: etag(d.Version), Body: o}
}

type applicationListIn struct {
	State   string    `query:"state" doc:"comma-separated states"`
	ItemID  uuid.UUID `query:"item_id"`
	HallID  uuid.UUID `query:"hall_id" doc:"township hall"`
	Warning string    `query:"warning" enum:"normal,yellow,red,"`
	From    string    `query:"from" doc:"received on or after, YYYY-MM-DD"`
	To      string    `query:"to" doc:"received on or before, YYYY-MM-DD"`
	Q       string    `query:"q" maxLength:"50" doc:"受理编号前缀、申请人姓名，或完整证件号码（精确匹配）"`
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
	Provisional   bool      `json:"provisional" doc:"暂定：期限跨入尚无放假安排的年度"`
	DeliveryDue   string    `json:"delivery_due" doc:"准予决定的送达期限（行政许可法第四十四条），未送达时"`
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
	Days           int                   `json:"days,omitempty" minimum:"0" maximum:"250" doc:"延期天数（extend），或特别程序所需时间（pause，事项未规定时）"`
	DeliveryMethod string                `json:"delivery_method,omitempty" enum:"window,post,proxy,"`
	AssigneeID     *uuid.UUID            `json:"assignee_id,omitempty"`
	Step           string                `json:"step,omitempty" maxLength:"50" doc:"特别程序（pause）：从 special_procedures 中选择"`
}

type actionIn struct {
	ID      uuid.UUID `path:"id"`
	Action  string    `path:"action" doc:"forward, accept, request_correction, reject, resubmit, route, complete_stage, pause, resume, extend, approve, deny, deliver, archive, withdraw"`
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
			return withTx(ctx, s, func(ctx context.Context) (*applicationOut, error) {
				d, err := s.apps.Intake(ctx, na)
				if err != nil {
					return nil, err
				}
				return toDetail(d), nil
			})
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
			return withTx(ctx, s, func(ctx context.Context) (out *applicationListOut, err error) {
				out = &applicationListOut{}
				out.Body.Items = []ApplicationRow{}
				p, err := s.apps.List(ctx, f)
				if err != nil {
					return nil, err
				}
				for _, r := range p.Items {
					row := ApplicationRow{ID: r.ID, ItemName: r.ItemName, State: string(r.State), StateLabel: r.State.Label(), Channel: r.Channel,
						ApplicantName: r.ApplicantName, ApplicantIDNo: r.ApplicantIDNo, HallID: r.HallID, ReceivedOn: dateText(r.ReceivedOn),
						PromisedDue: dateText(r.PromisedDue), LegalDue: dateText(r.LegalDue), Warning: r.Warning, Paused: r.Paused,
						Provisional: r.Provisional, DeliveryDue: dateText(r.DeliveryDue), CreatedAt: r.CreatedAt}
					if r.ReceiptNo != nil {
						row.ReceiptNo = *r.ReceiptNo
					}
					out.Body.Items = append(out.Body.Items, row)
				}
				out.Body.NextCursor = p.Next
				return out, nil
			})
		})
	register(s, huma.Operation{OperationID: "get-application", Method: http.MethodGet, Path: "/api/v1/applications/{id}", Summary: "办件详情 / The application page",
		Tags: []string{"applications"}, Errors: []int{404}},
		staffRoles, func(ctx context.Context, in *idPath) (*applicationOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (*applicationOut, error) {
				d, err := s.apps.Get(ctx, in.ID)
				if err != nil {
					return nil, err
				}
				return toDetail(d), nil
			})
		})
	register(s, huma.Operation{OperationID: "reveal-application-id", Method: http.MethodPost, Path: "/api/v1/applications/{id}/reveal-id",
		Summary:     "查看申请人完整证件号码 / Reveal the applicant's ID number",
		Description: "Township clerks, department staff and county admins, for an application in their data scope. Recorded in the audit log.",
		Tags:        []string{"applications"}, Errors: []int{403, 404}},
		revealRoles, func(ctx context.Context, in *idPath) (*revealOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *revealOut, err error) {
				out = &revealOut{}
				out.Body.IDNumber, err = s.apps.RevealID(ctx, in.ID)
				return out, err
			})
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
			return withTx(ctx, s, func(ctx context.Context) (*applicationOut, error) {
				d, err := s.apps.Act(ctx, in.ID, st)
				if err != nil {
					return nil, err
				}
				return toDetail(d), nil
			})
		})
}
