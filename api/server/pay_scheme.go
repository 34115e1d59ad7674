package server

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/yichuang/yichuang/services/pay"
	"github.com/yichuang/yichuang/services/workforce"
)

type schemesOut struct {
	Body struct {
		Schemes []workforce.StoredScheme `json:"schemes" doc:"by effective date; the built-in sample alone (stored=false) while the county has entered none"`
		Sample  pay.Scheme               `json:"sample" doc:"the shipped sample scheme (示例), to start from"`
	}
}

type schemeIn struct {
	EffectiveFrom string `path:"effective_from" doc:"YYYY-MM-DD"`
	Body          pay.Scheme
}

type schemeDateIn struct {
	EffectiveFrom string `path:"effective_from" doc:"YYYY-MM-DD"`
}

type schemeOut struct{ Body *workforce.StoredScheme }

func (s *Server) schemeRoutes() {
	tags := []string{"workforce"}
	register(s, huma.Operation{OperationID: "list-pay-schemes", Method: http.MethodGet, Path: "/api/v1/pay-schemes", Summary: "薪酬方案 / Pay schemes", Tags: tags},
		admins, func(ctx context.Context, _ *struct{}) (*schemesOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *schemesOut, err error) {
				out = &schemesOut{}
				out.Body.Sample = pay.Sample()
				out.Body.Schemes, err = workforce.Schemes(ctx)
				return out, err
			})
		})
	register(s, huma.Operation{OperationID: "put-pay-scheme", Method: http.MethodPut, Path: "/api/v1/pay-schemes/{effective_from}", Summary: "保存薪酬方案 / Save a pay scheme",
		Description: "The scheme (level rule, pay per level, split, allowances, progression date) in force from effective_from until the next one. " +
			"A scheme dated in a month already paid takes effect through the next payroll's arrears.", Tags: tags, Errors: []int{422}},
		admins, func(ctx context.Context, in *schemeIn) (*schemeOut, error) {
			from, err := parseDate("path.effective_from", in.EffectiveFrom)
			if err != nil {
				return nil, err
			}
			return withTx(ctx, s, func(ctx context.Context) (out *schemeOut, err error) {
				out = &schemeOut{}
				out.Body, err = workforce.PutScheme(ctx, from, in.Body)
				return out, err
			})
		})
	register(s, huma.Operation{OperationID: "delete-pay-scheme", Method: http.MethodDelete, Path: "/api/v1/pay-schemes/{effective_from}", Summary: "删除薪酬方案 / Delete a pay scheme",
		Tags: tags, DefaultStatus: http.StatusNoContent, Errors: []int{404, 422}},
		admins, func(ctx context.Context, in *schemeDateIn) (*struct{}, error) {
			from, err := parseDate("path.effective_from", in.EffectiveFrom)
			if err != nil {
				return nil, err
			}
			return nil, s.inTx(ctx, func(ctx context.Context) error { return workforce.DeleteScheme(ctx, from) })
		})
}
