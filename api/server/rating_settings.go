package server

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/yichuang/yichuang/services/status"
)

type ratingSettingsOut struct{ Body *status.Settings }
type ratingSettingsIn struct{ Body status.Settings }

func (s *Server) ratingSettingsRoutes() {
	tags := []string{"status"}
	register(s, huma.Operation{OperationID: "get-rating-settings", Method: http.MethodGet, Path: "/api/v1/ratings/settings", Summary: "好差评规则 / Rating rules", Tags: tags},
		admins, func(ctx context.Context, _ *struct{}) (*ratingSettingsOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (*ratingSettingsOut, error) {
				st, err := status.GetSettings(ctx)
				return &ratingSettingsOut{Body: st}, err
			})
		})
	register(s, huma.Operation{OperationID: "put-rating-settings", Method: http.MethodPut, Path: "/api/v1/ratings/settings", Summary: "保存好差评规则 / Save rating rules",
		Tags: tags, Errors: []int{422}},
		admins, func(ctx context.Context, in *ratingSettingsIn) (*ratingSettingsOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (*ratingSettingsOut, error) {
				st, err := status.PutSettings(ctx, in.Body)
				return &ratingSettingsOut{Body: st}, err
			})
		})
}
