package server

import (
	"context"
	"errors"
	"net"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

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

// StatusView is the public page's content and the rating choices.
type StatusView struct {
	status.View
	Indicators []string `json:"indicators" doc:"the indicators a rating may tick"`
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
}
