package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/yichuang/yichuang/services/status"
	"github.com/yichuang/yichuang/tenants"
)

// clientIP is the caller's address for the lookup throttle: the connection's, or the one a
// trusted proxy forwarded (ClientAddress).
type clientIP struct {
	ip string
}

func (c *clientIP) Resolve(ctx huma.Context) []error {
	c.ip = clientAddressOf(ctx.Context())
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

// StatusView is the public page's content and the rating choices.
type StatusView struct {
	status.View
	Indicators []string `json:"indicators" doc:"the indicators a 好评 (非常满意, 满意, 基本满意) may tick: what went well"`
	// BadIndicators differ: after 不满意 the resident ticks what went wrong.
	BadIndicators []string `json:"bad_indicators" doc:"the indicators a 差评 (不满意, 非常不满意) may tick: the problems"`
}

type statusOut struct{ Body StatusView }

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
	return &statusOut{Body: StatusView{View: *v, Indicators: status.Indicators, BadIndicators: status.BadIndicators}}, nil
}

func (s *Server) statusRoutes() {
	tags := []string{"status"}
	register(s, huma.Operation{OperationID: "public-status-lookup", Method: http.MethodPost, Path: "/api/v1/public/{county}/status/lookup",
		Summary: "办件进度查询 / Look up an application (public)",
		Description: "By receipt number and the phone's last four digits. Shows the item, status, due date and next step, nothing personal. " +
			"Five wrong phone digits for one receipt number within 15 minutes lock that receipt's lookup (429, the right digits too; its QR code still works); " +
			"a hundred failed lookups from one client address within 15 minutes refuse that address's further failing tries (429), never one that finds its application. " +
			"A 429 carries Retry-After and says the minutes to wait.", Tags: tags, Errors: []int{404, 422, 429}},
		nil, func(ctx context.Context, in *lookupIn) (*statusOut, error) {
			return s.public(ctx, in.County, func(ctx context.Context) (*status.View, error) {
				return s.status.Lookup(ctx, in.Body.ReceiptNo, in.Body.PhoneLast4, in.ip)
			})
		})
	register(s, huma.Operation{OperationID: "public-status", Method: http.MethodGet, Path: "/api/v1/public/{county}/status/{token}",
		Summary:     "扫码查询 / Status by QR token (public)",
		Description: "A valid token is always answered. An unknown one counts as a failed lookup of the client address (429 with Retry-After after a hundred within 15 minutes).",
		Tags:        tags, Errors: []int{404, 429}},
		nil, func(ctx context.Context, in *tokenIn) (*statusOut, error) {
			return s.public(ctx, in.County, func(ctx context.Context) (*status.View, error) { return s.status.ByToken(ctx, in.Token, in.ip) })
		})
}
