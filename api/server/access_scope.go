package server

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/yichuang/yichuang/services/access"
)

func (s *Server) accessScopeRoutes() {
	tags := []string{"access"}
	register(s, huma.Operation{OperationID: "access-scope-units", Method: http.MethodGet, Path: "/api/v1/access/scope-units",
		Summary: "适用范围可选单位 / Units an item's scope may name", Description: "The county, its townships and streets, and their villages and communities: what an application's scope chooses from.",
		Tags: tags}, reviewerRoles, func(ctx context.Context, _ *struct{}) (*orgListOut, error) {
		return withTx(ctx, s, func(ctx context.Context) (out *orgListOut, err error) {
			out = &orgListOut{}
			out.Body.Items = []OrgUnit{}
			us, err := access.ScopeUnits(ctx)
			for i := range us {
				out.Body.Items = append(out.Body.Items, toOrgUnit(&us[i]))
			}
			return out, err
		})
	})
}
