package server

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/yichuang/yichuang/services/access"
)

type interceptionsOut struct {
	Body struct {
		Interceptions []access.Interception `json:"interceptions"`
	}
}

func (s *Server) interceptionRoutes() {
	tags := []string{"access"}
	register(s, huma.Operation{OperationID: "list-interceptions", Method: http.MethodGet, Path: "/api/v1/access/interceptions", Summary: "拦截记录 / Intercepted dispatches",
		Description: "A department sees its own, a county admin all.", Tags: tags},
		reviewerRoles, func(ctx context.Context, _ *struct{}) (*interceptionsOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *interceptionsOut, err error) {
				out = &interceptionsOut{}
				out.Body.Interceptions, err = s.access.Interceptions(ctx)
				if out.Body.Interceptions == nil {
					out.Body.Interceptions = []access.Interception{}
				}
				return out, err
			})
		})
}
