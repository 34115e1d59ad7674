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
		Description: "A new re-confirmation deadline applies at once: saving runs the year's check, so after a deadline that has passed the items " +
			"not re-confirmed for the year lapse now (with their notices), not at the next hourly sweep.",
		Tags: tags, Errors: []int{422}},
		admins, func(ctx context.Context, in *accessSettingsIn) (*accessSettingsOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (*accessSettingsOut, error) {
				st, err := access.PutSettings(ctx, in.Body)
				if err != nil {
					return nil, err
				}
				_, err = s.access.Sweep(ctx)
				return &accessSettingsOut{Body: st}, err
			})
		})
}
