package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/auditlog"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/tenants"
)

// AuditEvent is one row of the audit chain, as a ledger: the action by its Chinese name, the
// object by its name with a link, the summary as labelled fields (summary keeps the raw row).
type AuditEvent struct {
	Seq         int64           `json:"seq"`
	At          time.Time       `json:"at"`
	ActorID     *uuid.UUID      `json:"actor_id" nullable:"true"`
	ActorName   string          `json:"actor_name"`
	Action      string          `json:"action"`
	ActionLabel string          `json:"action_label" doc:"操作的中文名称"`
	TargetType  string          `json:"target_type"`
	TargetID    string          `json:"target_id"`
	Object      AuditObject     `json:"object"`
	Details     []AuditDetail   `json:"details" doc:"summary 的各字段，带中文名称"`
	RequestID   string          `json:"request_id"`
	Summary     json.RawMessage `json:"summary"`
}

// AuditObject, AuditDetail and AuditAction are auditlog's, named for the API document.
type (
	AuditObject auditlog.Object
	AuditDetail auditlog.Detail
	AuditAction auditlog.Action
)

// AuditFilterParams are the ledger's filters (exported: huma reads only exported embedded structs).
type AuditFilterParams struct {
	ActorID    string `query:"actor_id" doc:"操作人（identity id），或 system 表示系统"`
	Action     string `query:"action" maxLength:"64" doc:"操作代码，见 /api/v1/audit-actions"`
	TargetType string `query:"target_type" maxLength:"64" doc:"对象类型"`
	TargetID   string `query:"target_id" maxLength:"200" doc:"对象编号；办件含其材料、通知书与归档包"`
	From       string `query:"from" doc:"起始日期 YYYY-MM-DD（含）"`
	To         string `query:"to" doc:"截止日期 YYYY-MM-DD（含）"`
}

func (in *AuditFilterParams) filter() (auditlog.Filter, error) {
	f := auditlog.Filter{Action: in.Action, TargetType: in.TargetType, TargetID: in.TargetID}
	switch in.ActorID {
	case "":
	case "system":
		f.System = true
	default:
		id, err := uuid.Parse(in.ActorID)
		if err != nil {
			return f, problem.Invalid(problem.Field{Location: "query.actor_id", Message: "操作人无效", MessageEn: "actor_id must be an identity id or system", Value: in.ActorID})
		}
		f.ActorID = &id
	}
	for _, d := range []struct {
		loc, v string
		to     **time.Time
	}{{"query.from", in.From, &f.From}, {"query.to", in.To, &f.To}} {
		day, err := optDate(d.loc, d.v)
		if err != nil {
			return f, err
		}
		if !day.IsZero() {
			t := day.In(time.UTC)
			*d.to = &t
		}
	}
	return f, f.Validate()
}

type auditListIn struct {
	AuditFilterParams
	BeforeSeq int64 `query:"before_seq" minimum:"0" doc:"next_before_seq of the previous page"`
	Limit     int   `query:"limit" minimum:"1" maximum:"200" default:"50"`
}

type auditListOut struct {
	Body struct {
		Items         []AuditEvent `json:"items"`
		NextBeforeSeq int64        `json:"next_before_seq" doc:"0 on the last page"`
	}
}

type seqPath struct {
	Seq int64 `path:"seq" minimum:"1"`
}

type auditEventOut struct{ Body AuditEvent }

type auditActionsOut struct {
	Body struct {
		Actions []AuditAction `json:"actions" doc:"每个操作代码及其中文名称"`
		Kinds   []AuditAction `json:"kinds" doc:"对象类型及其中文名称"`
	}
}

func toAuditEvent(e *auditlog.Entry) AuditEvent {
	d := make([]AuditDetail, 0, len(e.Details))
	for _, x := range e.Details {
		d = append(d, AuditDetail(x))
	}
	return AuditEvent{Seq: e.Seq, At: e.At, ActorID: e.ActorID, ActorName: e.ActorName, Action: e.Action, ActionLabel: e.ActionLabel,
		TargetType: e.TargetType, TargetID: e.TargetID, Object: AuditObject(e.Object), Details: d, RequestID: e.RequestID, Summary: e.Summary}
}

func (s *Server) auditRoutes() {
	register(s, huma.Operation{OperationID: "list-audit-events", Method: http.MethodGet, Path: "/api/v1/audit-events", Summary: "审计日志 / Audit events, newest first",
		Description: "Filtered by person, action, object and date; each row with its action's Chinese name, its object named and linked, and its details labelled.",
		Tags:        []string{"audit"}, Errors: []int{422}},
		admins, func(ctx context.Context, in *auditListIn) (*auditListOut, error) {
			f, err := in.filter()
			if err != nil {
				return nil, err
			}
			return withTx(ctx, s, func(ctx context.Context) (out *auditListOut, err error) {
				out = &auditListOut{}
				out.Body.Items = []AuditEvent{}
				page, err := s.audit.Ledger(ctx, f, in.BeforeSeq, in.Limit)
				if err != nil {
					return nil, err
				}
				for i := range page.Items {
					out.Body.Items = append(out.Body.Items, toAuditEvent(&page.Items[i]))
				}
				out.Body.NextBeforeSeq = page.NextBeforeSeq
				return out, nil
			})
		})
	register(s, huma.Operation{OperationID: "export-audit-events", Method: http.MethodGet, Path: "/api/v1/audit-events/export", Summary: "导出审计日志（Excel）/ Export audit events",
		Description: "The filtered ledger as an Excel sheet with Chinese headers; the export is itself audited (audit.export).",
		Tags:        []string{"audit"}, Errors: []int{422}, Responses: map[string]*huma.Response{"200": {Description: "xlsx workbook", Content: map[string]*huma.MediaType{xlsxMIME: {}}}}},
		admins, func(ctx context.Context, in *AuditFilterParams) (*fileOut, error) {
			f, err := in.filter()
			if err != nil {
				return nil, err
			}
			var buf bytes.Buffer
			err = s.inTx(ctx, func(ctx context.Context) error {
				t, err := tenants.Current(ctx)
				if err != nil {
					return err
				}
				_, err = s.audit.Export(ctx, &buf, f, t.Name)
				return err
			})
			if err != nil {
				return nil, err
			}
			return &fileOut{ContentType: xlsxMIME, ContentDisposition: attachment("审计日志.xlsx"), Body: buf.Bytes()}, nil
		})
	register(s, huma.Operation{OperationID: "list-audit-actions", Method: http.MethodGet, Path: "/api/v1/audit-actions", Summary: "审计操作代码及中文名称 / Audit action codes with their labels",
		Tags: []string{"audit"}},
		admins, func(ctx context.Context, _ *struct{}) (*auditActionsOut, error) {
			out := &auditActionsOut{}
			out.Body.Actions, out.Body.Kinds = []AuditAction{}, []AuditAction{}
			for _, a := range auditlog.Actions() {
				out.Body.Actions = append(out.Body.Actions, AuditAction(a))
			}
			for _, k := range auditlog.TargetKinds() {
				out.Body.Kinds = append(out.Body.Kinds, AuditAction(k))
			}
			return out, nil
		})
	register(s, huma.Operation{OperationID: "get-audit-event", Method: http.MethodGet, Path: "/api/v1/audit-events/{seq}", Summary: "审计记录 / One audit event", Tags: []string{"audit"}, Errors: []int{404}},
		admins, func(ctx context.Context, in *seqPath) (*auditEventOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *auditEventOut, err error) {
				out = &auditEventOut{}
				page, err := s.audit.Ledger(ctx, auditlog.Filter{}, in.Seq+1, 1)
				if err != nil {
					return nil, err
				}
				if len(page.Items) == 0 || page.Items[0].Seq != in.Seq {
					return out, tenants.ErrNotFound
				}
				out.Body = toAuditEvent(&page.Items[0])
				return out, nil
			})
		})
}
