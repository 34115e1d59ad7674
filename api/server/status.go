package server

import (
	"context"
	"errors"
	"net"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/status"
	"github.com/yichuang/yichuang/tenants"
)

// clientIP is the caller's address for the lookup throttle. Behind a reverse proxy the
// deployment must pass the client address through (and strip a forged one), so only the
// connection's address is trusted here.
type clientIP struct {
	ip string
}

func (c *clientIP) Resolve(ctx huma.Context) []error {
	host, _, err := net.SplitHostPort(ctx.RemoteAddr())
	if err != nil {
		host = ctx.RemoteAddr()
	}
	c.ip = host
	return nil
}

type lookupIn struct {
	clientIP
	County string `path:"county"`
	Body   struct {
		ReceiptNo  string `json:"receipt_no" maxLength:"40"`
		PhoneLast4 string `json:"phone_last4" maxLength:"4" doc:"手机号后四位"`
	}
}

type tokenIn struct {
	clientIP
	County string `path:"county"`
	Token  string `path:"token" maxLength:"64"`
}

type rateIn struct {
	clientIP
	County string `path:"county"`
	Token  string `path:"token" maxLength:"64"`
	Body   status.RateInput
}

// StatusView is the public page's content and the rating choices.
type StatusView struct {
	status.View
	Indicators []string `json:"indicators" doc:"the indicators a rating may tick"`
}

type statusOut struct{ Body StatusView }

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

type caseActIn struct {
	ID      uuid.UUID `path:"id"`
	IfMatch string    `header:"If-Match" required:"true"`
	Body    status.CaseAction
}

type caseOut struct {
	ETag string `header:"ETag"`
	Body CaseOut
}

type indicatorsIn struct {
	From string `query:"from" required:"true" doc:"YYYY-MM-DD"`
	To   string `query:"to" required:"true" doc:"YYYY-MM-DD"`
}

type indicatorsOut struct{ Body *status.Report }

type ratingSettingsOut struct{ Body *status.Settings }
type ratingSettingsIn struct{ Body status.Settings }

var caseRoles = []tenants.Role{tenants.RoleCountyAdmin, tenants.RoleTownshipClerk}

var errNoCounty = problem.NotFound("county_not_found", "找不到该县", "no such county")

// inCounty runs fn, for a caller without a session, in the transaction of the county named
// by its code (the tenant id derives from the code, so no cross-tenant lookup is needed).
func (s *Server) inCounty(ctx context.Context, county string, fn func(ctx context.Context, t *tenants.Tenant) error) error {
	id, err := tenants.ParseRef(county)
	if err != nil {
		return errNoCounty
	}
	return s.deps.Store.InTx(ctx, id, func(ctx context.Context) error {
		t, err := tenants.Current(ctx)
		if err != nil {
			return errNoCounty
		}
		return fn(ctx, t)
	})
}

// public runs fn in the county's transaction (the county named by its code in the path). A
// *status.Failure (a wrong try) is committed before it is answered, so the throttle counts it.
func (s *Server) public(ctx context.Context, county string, fn func(ctx context.Context) (*status.View, error)) (*statusOut, error) {
	var v *status.View
	var fail *status.Failure
	err := s.inCounty(ctx, county, func(ctx context.Context, _ *tenants.Tenant) error {
		var err error
		v, err = fn(ctx)
		if errors.As(err, &fail) {
			return nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if fail != nil {
		return nil, fail.Err
	}
	return &statusOut{Body: StatusView{View: *v, Indicators: status.Indicators}}, nil
}

func (s *Server) statusRoutes() {
	tags := []string{"status"}
	register(s, huma.Operation{OperationID: "public-status-lookup", Method: http.MethodPost, Path: "/api/v1/public/{county}/status/lookup",
		Summary: "办件进度查询 / Look up an application (public)",
		Description: "By receipt number and the phone's last four digits. Shows the item, status, due date and next step, nothing personal. " +
			"Five wrong tries per IP address or per receipt number within 15 minutes lock further tries (429).", Tags: tags, Errors: []int{404, 422, 429}},
		nil, func(ctx context.Context, in *lookupIn) (*statusOut, error) {
			return s.public(ctx, in.County, func(ctx context.Context) (*status.View, error) {
				return s.status.Lookup(ctx, in.Body.ReceiptNo, in.Body.PhoneLast4, in.ip)
			})
		})
	register(s, huma.Operation{OperationID: "public-status", Method: http.MethodGet, Path: "/api/v1/public/{county}/status/{token}",
		Summary: "扫码查询 / Status by QR token (public)", Tags: tags, Errors: []int{404, 429}},
		nil, func(ctx context.Context, in *tokenIn) (*statusOut, error) {
			return s.public(ctx, in.County, func(ctx context.Context) (*status.View, error) { return s.status.ByToken(ctx, in.Token, in.ip) })
		})
	register(s, huma.Operation{OperationID: "public-rate", Method: http.MethodPost, Path: "/api/v1/public/{county}/status/{token}/rating",
		Summary:     "好差评 / Rate the service (public)",
		Description: "After 办结 or 送达: 1–5 (非常不满意 … 非常满意), optional comment and indicators. One rating per service event; one re-rating after a 差评's rectification.",
		Tags:        tags, Errors: []int{404, 409, 422, 429}},
		nil, func(ctx context.Context, in *rateIn) (*statusOut, error) {
			return s.public(ctx, in.County, func(ctx context.Context) (*status.View, error) { return s.status.Rate(ctx, in.Token, in.ip, in.Body) })
		})
	register(s, huma.Operation{OperationID: "list-rectifications", Method: http.MethodGet, Path: "/api/v1/ratings/cases", Summary: "差评整改 / Rectification cases",
		Description: "Open cases first. A township clerk sees their hall's; a county admin all.", Tags: tags},
		caseRoles, func(ctx context.Context, _ *struct{}) (*casesOut, error) {
			out := &casesOut{}
			out.Body.Cases = []CaseOut{}
			err := s.inTx(ctx, func(ctx context.Context) error {
				cs, err := s.status.Cases(ctx)
				for _, c := range cs {
					out.Body.Cases = append(out.Body.Cases, CaseOut{Rectification: c, StatusLabel: status.RectLabel(c.Status), ScoreLabel: status.ScoreLabel(c.Score)})
				}
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "act-rectification", Method: http.MethodPost, Path: "/api/v1/ratings/cases/{id}", Summary: "回访 / 整改 / 审核 / Act on a case",
		Description: "callback (回访) and complete (整改完成) by the hall; invalid (无效差评) and impossible (无法整改) by a county admin after review.",
		Tags:        tags, Errors: []int{403, 404, 409, 412, 422}},
		caseRoles, func(ctx context.Context, in *caseActIn) (*caseOut, error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			out := &caseOut{}
			err = s.inTx(ctx, func(ctx context.Context) error {
				c, err := s.status.Act(ctx, in.ID, v, in.Body)
				if err == nil {
					out.Body, out.ETag = CaseOut{Rectification: *c, StatusLabel: status.RectLabel(c.Status)}, etag(c.RowVersion)
				}
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "rating-indicators", Method: http.MethodGet, Path: "/api/v1/ratings/indicators", Summary: "好差评指标 / Indicators",
		Description: "好评率, 主动评价好评率 and 未评价率 per hall, township, item and clerk, for service events completed in the period.", Tags: tags, Errors: []int{422}},
		admins, func(ctx context.Context, in *indicatorsIn) (*indicatorsOut, error) {
			from, err := parseDate("query.from", in.From)
			if err != nil {
				return nil, err
			}
			to, err := parseDate("query.to", in.To)
			if err != nil {
				return nil, err
			}
			out := &indicatorsOut{}
			err = s.inTx(ctx, func(ctx context.Context) (err error) { out.Body, err = status.Compute(ctx, from, to); return err })
			return out, err
		})
	register(s, huma.Operation{OperationID: "get-rating-settings", Method: http.MethodGet, Path: "/api/v1/ratings/settings", Summary: "好差评规则 / Rating rules", Tags: tags},
		admins, func(ctx context.Context, _ *struct{}) (out *ratingSettingsOut, err error) {
			out = &ratingSettingsOut{}
			err = s.inTx(ctx, func(ctx context.Context) (err error) { out.Body, err = status.GetSettings(ctx); return err })
			return out, err
		})
	register(s, huma.Operation{OperationID: "put-rating-settings", Method: http.MethodPut, Path: "/api/v1/ratings/settings", Summary: "保存好差评规则 / Save rating rules",
		Tags: tags, Errors: []int{422}},
		admins, func(ctx context.Context, in *ratingSettingsIn) (out *ratingSettingsOut, err error) {
			out = &ratingSettingsOut{}
			err = s.inTx(ctx, func(ctx context.Context) (err error) { out.Body, err = status.PutSettings(ctx, in.Body); return err })
			return out, err
		})
}
