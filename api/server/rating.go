package server

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/yichuang/yichuang/services/status"
)

type rateIn struct {
	clientIP
	County string `path:"county"`
	Token  string `path:"token" maxLength:"64"`
	Body   status.RateInput
}

func (s *Server) ratingRoutes() {
	tags := []string{"status"}
	register(s, huma.Operation{OperationID: "public-rate", Method: http.MethodPost, Path: "/api/v1/public/{county}/status/{token}/rating",
		Summary:     "好差评 / Rate the service (public)",
		Description: "After the service event ends — 办结 or 送达, 不予受理, or 撤回 (each a service event, 国办发〔2019〕51号 一事一评): 1–5 (非常不满意 … 非常满意), optional comment and indicators. One rating per service event; one re-rating after a 差评's rectification.",
		Tags:        tags, Errors: []int{404, 409, 422, 429}},
		nil, func(ctx context.Context, in *rateIn) (*statusOut, error) {
			return s.public(ctx, in.County, func(ctx context.Context) (*status.View, error) { return s.status.Rate(ctx, in.Token, in.ip, in.Body) })
		})
}
