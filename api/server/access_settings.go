package server

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/yichuang/yichuang/services/access"
)

type accessSettingsOut struct{ Body *access.Settings }
type accessSettingsIn struct{ Body access.Settings }

func (s *Server) accessSettingsRoutes() {
	tags := []string{"access"}
	register(s, huma.Operation{OperationID: "get-access-settings", Method: http.MethodGet, Path: "/api/v1/access/settings", Summary: "准入规则设置 / Admission settings", Tags: tags},
		admins, func(ctx context.Context, _ *struct{}) (*accessSettingsOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (*accessSettingsOut, error) {
				st, err := access.GetSettings(ctx)
				return &accessSettingsOut{Body: st}, err
			})
		})
	register(s, huma.Operation{OperationID: "put-access-settings", Method: http.MethodPut, Path: "/api/v1/access/settings", Summary: "保存准入规则设置 / Save admission settings",
		Tags: tags, Errors: []int{422}},
		admins, func(ctx context.Context, in *accessSettingsIn) (*accessSettingsOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (*accessSettingsOut, error) {
				st, err := access.PutSettings(ctx, in.Body)
				return &accessSettingsOut{Body: st}, err
			})
		})
}
