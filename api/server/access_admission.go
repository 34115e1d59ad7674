package server

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/access"
)

// RequestOut is a request with its stage's label.
type RequestOut struct {
	access.Request
	StatusLabel string `json:"status_label"`
}

type requestsOut struct {
	Body struct {
		Requests []RequestOut `json:"requests"`
	}
}

type applyIn struct{ Body access.Application }

type requestOut struct {
	ETag string `header:"ETag"`
	Body struct {
		Request RequestOut    `json:"request"`
		Steps   []access.Step `json:"steps"`
	}
}

type decideIn struct {
	ID      uuid.UUID `path:"id"`
	IfMatch string    `header:"If-Match" required:"true"`
	Body    access.Decision
}

type requestReasonIn struct {
	ID      uuid.UUID `path:"id"`
	IfMatch string    `header:"If-Match" required:"true"`
	Body    struct {
		Reason string `json:"reason" doc:"2 to 500 characters"`
	}
}

type resubmitIn struct {
	ID      uuid.UUID `path:"id"`
	IfMatch string    `header:"If-Match" required:"true"`
	Body    access.Application
}

func (s *Server) requestDetail(ctx context.Context, id uuid.UUID) (*requestOut, error) {
	r, steps, err := s.access.RequestOf(ctx, id)
	if err != nil {
		return nil, err
	}
	out := &requestOut{ETag: etag(r.RowVersion)}
	out.Body.Request, out.Body.Steps = RequestOut{Request: *r, StatusLabel: r.Status.Label()}, steps
	return out, nil
}

func (s *Server) admissionRoutes() {
	tags := []string{"access"}
	register(s, huma.Operation{OperationID: "list-admissions", Method: http.MethodGet, Path: "/api/v1/access/requests", Summary: "准入申请 / Admission requests",
		Description: "A department sees its own; the reviewing departments and county admins see all.", Tags: tags},
		reviewerRoles, func(ctx context.Context, _ *struct{}) (*requestsOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *requestsOut, err error) {
				out = &requestsOut{}
				out.Body.Requests = []RequestOut{}
				rs, err := s.access.Requests(ctx)
				for _, r := range rs {
					out.Body.Requests = append(out.Body.Requests, RequestOut{Request: r, StatusLabel: r.Status.Label()})
				}
				return out, err
			})
		})
	register(s, huma.Operation{OperationID: "apply-admission", Method: http.MethodPost, Path: "/api/v1/access/requests", Summary: "申请准入 / Apply to add an item",
		Description: "By a county department, with the legal basis, scope, expected hours and funding, at least the county's apply-ahead working days before the requested start.",
		Tags:        tags, DefaultStatus: http.StatusCreated, Errors: []int{403, 422}},
		deptRoles, func(ctx context.Context, in *applyIn) (*requestOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *requestOut, err error) {
				r, err := s.access.Apply(ctx, in.Body)
				if err != nil {
					return nil, err
				}
				return s.requestDetail(ctx, r.ID)
			})
		})
	register(s, huma.Operation{OperationID: "get-admission", Method: http.MethodGet, Path: "/api/v1/access/requests/{id}", Summary: "准入申请详情 / A request with its steps",
		Tags: tags, Errors: []int{404}},
		reviewerRoles, func(ctx context.Context, in *accessIDIn) (*requestOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *requestOut, err error) {
				return s.requestDetail(ctx, in.ID)
			})
		})
	register(s, huma.Operation{OperationID: "decide-admission", Method: http.MethodPost, Path: "/api/v1/access/requests/{id}/decide", Summary: "审核 / Decide the current step",
		Description: "Reviews are separate duties: 民政审核 by the configured civil-affairs department and 合法性审查 by the configured legal department " +
			"(county admins only where none is configured, or where that department is the applicant), 联席会议审定 by a county admin; " +
			"nobody decides a request of their own department, and nobody decides two stages of one request (403 with the reason). " +
			"Approving the joint meeting starts the public notice; its end makes the item effective (a job).", Tags: tags, Errors: []int{403, 404, 409, 412, 422}},
		reviewerRoles, func(ctx context.Context, in *decideIn) (*requestOut, error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			return withTx(ctx, s, func(ctx context.Context) (out *requestOut, err error) {
				if _, err := s.access.Decide(ctx, in.ID, v, in.Body); err != nil {
					return nil, err
				}
				return s.requestDetail(ctx, in.ID)
			})
		})
	register(s, huma.Operation{OperationID: "withdraw-admission", Method: http.MethodPost, Path: "/api/v1/access/requests/{id}/withdraw", Summary: "撤回申请 / Withdraw a request",
		Description: "By the applying department, at any open stage (a returned request is abandoned this way), with a reason. The request releases its code.",
		Tags:        tags, Errors: []int{403, 404, 409, 412, 422}},
		deptRoles, func(ctx context.Context, in *requestReasonIn) (*requestOut, error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			return withTx(ctx, s, func(ctx context.Context) (*requestOut, error) {
				if _, err := s.access.WithdrawRequest(ctx, in.ID, v, in.Body.Reason); err != nil {
					return nil, err
				}
				return s.requestDetail(ctx, in.ID)
			})
		})
	register(s, huma.Operation{OperationID: "stop-admission", Method: http.MethodPost, Path: "/api/v1/access/requests/{id}/stop", Summary: "终止准入 / Stop a request during its notice",
		Description: "By a county admin, during the public notice (公示), with a reason: the item is not admitted and the code is released.",
		Tags:        tags, Errors: []int{403, 404, 409, 412, 422}},
		admins, func(ctx context.Context, in *requestReasonIn) (*requestOut, error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			return withTx(ctx, s, func(ctx context.Context) (*requestOut, error) {
				if _, err := s.access.Stop(ctx, in.ID, v, in.Body.Reason); err != nil {
					return nil, err
				}
				return s.requestDetail(ctx, in.ID)
			})
		})
	register(s, huma.Operation{OperationID: "resubmit-admission", Method: http.MethodPost, Path: "/api/v1/access/requests/{id}/resubmit", Summary: "修改后重新提交 / Resubmit a returned request",
		Tags: tags, Errors: []int{403, 404, 409, 412, 422}},
		deptRoles, func(ctx context.Context, in *resubmitIn) (*requestOut, error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			return withTx(ctx, s, func(ctx context.Context) (out *requestOut, err error) {
				if _, err := s.access.Resubmit(ctx, in.ID, v, in.Body); err != nil {
					return nil, err
				}
				return s.requestDetail(ctx, in.ID)
			})
		})
}
