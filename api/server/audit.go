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

// AuditCheck is a requested verification of the chain.
type AuditCheck struct {
	ID          uuid.UUID  `json:"id"`
	Status      string     `json:"status" enum:"queued,done"`
	OK          *bool      `json:"ok" nullable:"true"`
	RowsChecked *int64     `json:"rows_checked" nullable:"true"`
	FirstBadSeq *int64     `json:"first_bad_seq" nullable:"true"`
	RequestedAt time.Time  `json:"requested_at"`
	FinishedAt  *time.Time `json:"finished_at" nullable:"true"`
	// The comparison with the newest anchor in the locked archive bucket.
	AnchorStatus    *string    `json:"anchor_status" nullable:"true" enum:"ok,broken,none,unavailable" doc:"ok: the database matches the newest anchor; broken: the anchor proves rows deleted or changed; none: not anchored yet; unavailable: the anchors could not be read"`
	AnchorKey       *string    `json:"anchor_key" nullable:"true" doc:"the newest anchor's object key"`
	AnchorSeq       *int64     `json:"anchor_seq" nullable:"true" doc:"the row the newest anchor records"`
	AnchoredAt      *time.Time `json:"anchored_at" nullable:"true"`
	Unanchored      *int64     `json:"unanchored" nullable:"true" doc:"rows written since the newest anchor: the window it does not cover yet"`
	AnchorProblem   *string    `json:"anchor_problem" nullable:"true" doc:"原因（中文）"`
	AnchorProblemEn *string    `json:"anchor_problem_en" nullable:"true"`
}

type auditCheckOut struct{ Body AuditCheck }

func toCheck(c *auditlog.Check) AuditCheck {
	return AuditCheck{ID: c.ID, Status: c.Status, OK: c.OK, RowsChecked: c.RowsChecked, FirstBadSeq: c.FirstBadSeq, RequestedAt: c.RequestedAt, FinishedAt: c.FinishedAt,
		AnchorStatus: c.AnchorStatus, AnchorKey: c.AnchorKey, AnchorSeq: c.AnchorSeq, AnchoredAt: c.AnchoredAt, Unanchored: c.Unanchored,
		AnchorProblem: c.AnchorProblem, AnchorProblemEn: c.AnchorProblemEn}
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
			out := &auditListOut{}
			out.Body.Items = []AuditEvent{}
			err := s.inTx(ctx, func(ctx context.Context) error {
				page, err := auditlog.List(ctx, in.BeforeSeq, in.Limit)
				if err != nil {
					return err
				}
				for i := range page.Items {
					out.Body.Items = append(out.Body.Items, toAuditEvent(&page.Items[i]))
				}
				out.Body.NextBeforeSeq = page.NextBeforeSeq
				return nil
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "get-audit-event", Method: http.MethodGet, Path: "/api/v1/audit-events/{seq}", Summary: "审计记录 / One audit event", Tags: []string{"audit"}, Errors: []int{404}},
		admins, func(ctx context.Context, in *seqPath) (*auditEventOut, error) {
			out := &auditEventOut{}
			err := s.inTx(ctx, func(ctx context.Context) error {
				page, err := auditlog.List(ctx, in.Seq+1, 1)
				if err != nil {
					return err
				}
				if len(page.Items) == 0 || page.Items[0].Seq != in.Seq {
					return tenants.ErrNotFound
				}
				out.Body = toAuditEvent(&page.Items[0])
				return nil
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "create-audit-check", Method: http.MethodPost, Path: "/api/v1/audit-checks", Summary: "校验审计链 / Verify the audit chain",
		Description: "Queues a background job that recomputes the hash chain and compares it with the newest anchor in the locked archive bucket (written hourly), so a chain shortened or rewritten in the database is caught; poll the check for its result, which also reports the rows written since that anchor.", Tags: []string{"audit"}, DefaultStatus: http.StatusAccepted},
		admins, func(ctx context.Context, _ *struct{}) (*auditCheckOut, error) {
			out := &auditCheckOut{}
			err := s.inTx(ctx, func(ctx context.Context) error {
				c, err := auditlog.RequestCheck(ctx, actor(ctx))
				if err == nil {
					out.Body = toCheck(c)
				}
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "get-audit-check", Method: http.MethodGet, Path: "/api/v1/audit-checks/{id}", Summary: "校验结果 / An audit check", Tags: []string{"audit"}, Errors: []int{404}},
		admins, func(ctx context.Context, in *idPath) (*auditCheckOut, error) {
			out := &auditCheckOut{}
			err := s.inTx(ctx, func(ctx context.Context) error {
				c, err := auditlog.GetCheck(ctx, in.ID)
				if err == nil {
					out.Body = toCheck(c)
				}
				return err
			})
			return out, err
		})
}
