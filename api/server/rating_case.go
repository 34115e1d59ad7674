package server

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/status"
)

type casesOut struct {
	Body struct {
		Cases []CaseOut `json:"cases"`
	}
}

// CaseOut is a rectification case with its labels.
type CaseOut struct {
	status.Rectification
	StatusLabel string `json:"status_label"`
	ScoreLabel  string `json:"score_label"`
}

func caseOf(c *status.Rectification) CaseOut {
	return CaseOut{Rectification: *c, StatusLabel: status.RectLabel(c.Status), ScoreLabel: status.ScoreLabel(c.Score)}
}

type caseActIn struct {
	ID      uuid.UUID `path:"id"`
	IfMatch string    `header:"If-Match" required:"true"`
	Body    status.CaseAction
}

type caseOut struct {
	ETag string `header:"ETag"`
	Body CaseOut
}

func (s *Server) rectificationRoutes() {
	tags := []string{"status"}
	register(s, huma.Operation{OperationID: "list-rectifications", Method: http.MethodGet, Path: "/api/v1/ratings/cases", Summary: "差评整改 / Rectification cases",
		Description: "Open cases first. A township clerk sees their hall's; a county admin all.", Tags: tags},
		caseRoles, func(ctx context.Context, _ *struct{}) (*casesOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *casesOut, err error) {
				out = &casesOut{}
				out.Body.Cases = []CaseOut{}
				cs, err := s.status.Cases(ctx)
				for _, c := range cs {
					out.Body.Cases = append(out.Body.Cases, caseOf(&c))
				}
				return out, err
			})
		})
	register(s, huma.Operation{OperationID: "act-rectification", Method: http.MethodPost, Path: "/api/v1/ratings/cases/{id}", Summary: "整改 / 审核 / Close a case",
		Description: "complete (整改完成) by the hall, only after a recorded callback that reached the resident (409 callback_required otherwise; the callback is its own step, POST …/callbacks); invalid (无效差评) and impossible (无法整改) by a county admin after review.",
		Tags:        tags, Errors: []int{403, 404, 409, 412, 422}},
		caseRoles, func(ctx context.Context, in *caseActIn) (*caseOut, error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			return withTx(ctx, s, func(ctx context.Context) (out *caseOut, err error) {
				out = &caseOut{}
				c, err := s.status.Act(ctx, in.ID, v, in.Body)
				if err == nil {
					out.Body, out.ETag = caseOf(c), etag(c.RowVersion)
				}
				return out, err
			})
		})
}
