package server

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/yichuang/yichuang/services/status"
)

type indicatorsIn struct {
	From string `query:"from" required:"true" doc:"YYYY-MM-DD"`
	To   string `query:"to" required:"true" doc:"YYYY-MM-DD"`
}

type indicatorsOut struct{ Body *status.Report }

func (s *Server) indicatorRoutes() {
	tags := []string{"status"}
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
			return withTx(ctx, s, func(ctx context.Context) (out *indicatorsOut, err error) {
				out = &indicatorsOut{}
				out.Body, err = status.Compute(ctx, from, to)
				return out, err
			})
		})
}
