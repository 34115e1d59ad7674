package server

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/auditlog"
	"github.com/yichuang/yichuang/tenants"
)

// AuditEvent is one row of the audit chain.
type AuditEvent struct {
	Seq        int64           `json:"seq"`
	At         time.Time       `json:"at"`
	ActorID    *uuid.UUID      `json:"actor_id" nullable:"true"`
	ActorName  string          `json:"actor_name"`
	Action     string          `json:"action"`
	TargetType string          `json:"target_type"`
	TargetID   string          `json:"target_id"`
	RequestID  string          `json:"request_id"`
	Summary    json.RawMessage `json:"summary"`
}

type auditListIn struct {
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

func toAuditEvent(e *tenants.AuditEvent) AuditEvent {
	return AuditEvent{Seq: e.Seq, At: e.At, ActorID: e.ActorID, ActorName: e.ActorName, Action: e.Action,
		TargetType: e.TargetType, TargetID: e.TargetID, RequestID: e.RequestID, Summary: e.Summary}
}

func (s *Server) auditRoutes() {
	register(s, huma.Operation{OperationID: "list-audit-events", Method: http.MethodGet, Path: "/api/v1/audit-events", Summary: "审计日志 / Audit events, newest first", Tags: []string{"audit"}},
		admins, func(ctx context.Context, in *auditListIn) (*auditListOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *auditListOut, err error) {
				out = &auditListOut{}
				out.Body.Items = []AuditEvent{}
				page, err := auditlog.List(ctx, in.BeforeSeq, in.Limit)
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
	register(s, huma.Operation{OperationID: "get-audit-event", Method: http.MethodGet, Path: "/api/v1/audit-events/{seq}", Summary: "审计记录 / One audit event", Tags: []string{"audit"}, Errors: []int{404}},
		admins, func(ctx context.Context, in *seqPath) (*auditEventOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *auditEventOut, err error) {
				out = &auditEventOut{}
				page, err := auditlog.List(ctx, in.Seq+1, 1)
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
