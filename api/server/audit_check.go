package server

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/auditlog"
)

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

func (s *Server) auditCheckRoutes() {
	register(s, huma.Operation{OperationID: "create-audit-check", Method: http.MethodPost, Path: "/api/v1/audit-checks", Summary: "校验审计链 / Verify the audit chain",
		Description: "Queues a background job that recomputes the hash chain and compares it with the newest anchor in the locked archive bucket (written hourly), so a chain shortened or rewritten in the database is caught; poll the check for its result, which also reports the rows written since that anchor.", Tags: []string{"audit"}, DefaultStatus: http.StatusAccepted},
		admins, func(ctx context.Context, _ *struct{}) (*auditCheckOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *auditCheckOut, err error) {
				out = &auditCheckOut{}
				c, err := auditlog.RequestCheck(ctx, actor(ctx))
				if err == nil {
					out.Body = toCheck(c)
				}
				return out, err
			})
		})
	register(s, huma.Operation{OperationID: "get-audit-check", Method: http.MethodGet, Path: "/api/v1/audit-checks/{id}", Summary: "校验结果 / An audit check", Tags: []string{"audit"}, Errors: []int{404}},
		admins, func(ctx context.Context, in *idPath) (*auditCheckOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *auditCheckOut, err error) {
				out = &auditCheckOut{}
				c, err := auditlog.GetCheck(ctx, in.ID)
				if err == nil {
					out.Body = toCheck(c)
				}
				return out, err
			})
		})
}
