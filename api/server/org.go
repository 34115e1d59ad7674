package server

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/org"
	"github.com/yichuang/yichuang/tenants"
)

// OrgUnit is a unit of the county's org tree.
type OrgUnit struct {
	ID       uuid.UUID  `json:"id"`
	ParentID *uuid.UUID `json:"parent_id" nullable:"true"`
	Kind     string     `json:"kind" enum:"county,township,street,village,community,department"`
	Name     string     `json:"name"`
	Code     string     `json:"code"`
	Path     string     `json:"path"`
}

func toOrgUnit(u *tenants.OrgUnit) OrgUnit {
	return OrgUnit{ID: u.ID, ParentID: u.ParentID, Kind: string(u.Kind), Name: u.Name, Code: u.Code, Path: u.Path}
}

type orgListOut struct {
	Body struct {
		Items []OrgUnit `json:"items"`
	}
}

type orgOut struct{ Body OrgUnit }

type orgCreateIn struct {
	Body struct {
		ParentID uuid.UUID `json:"parent_id" doc:"上级单位"`
		Kind     string    `json:"kind" enum:"township,street,village,community,department" doc:"单位类型"`
		Name     string    `json:"name" minLength:"1" maxLength:"100" doc:"名称"`
		Code     string    `json:"code" minLength:"1" maxLength:"40" pattern:"^[A-Za-z0-9_-]+$" doc:"编码（县内唯一）"`
	}
}

func (s *Server) orgRoutes() {
	register(s, huma.Operation{OperationID: "list-org-units", Method: http.MethodGet, Path: "/api/v1/org-units", Summary: "组织机构 / Org units in the member's data scope",
		Description: "Parents come before children. Members scoped to their unit also see its ancestors, so the tree has its root.", Tags: []string{"org"}},
		anyMember, func(ctx context.Context, _ *struct{}) (*orgListOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *orgListOut, err error) {
				out = &orgListOut{}
				out.Body.Items = []OrgUnit{}
				units, err := tenants.ListOrgUnits(ctx, actor(ctx))
				for i := range units {
					out.Body.Items = append(out.Body.Items, toOrgUnit(&units[i]))
				}
				return out, err
			})
		})
	register(s, huma.Operation{OperationID: "get-org-unit", Method: http.MethodGet, Path: "/api/v1/org-units/{id}", Summary: "单位详情 / One org unit", Tags: []string{"org"}, Errors: []int{404}},
		anyMember, func(ctx context.Context, in *idPath) (*orgOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *orgOut, err error) {
				out = &orgOut{}
				units, err := tenants.ListOrgUnits(ctx, actor(ctx))
				if err != nil {
					return nil, err
				}
				for i := range units {
					if units[i].ID == in.ID {
						out.Body = toOrgUnit(&units[i])
						return out, nil
					}
				}
				return out, tenants.ErrNotFound
			})
		})
	register(s, huma.Operation{OperationID: "create-org-unit", Method: http.MethodPost, Path: "/api/v1/org-units", Summary: "新增单位 / Add an org unit",
		Tags: []string{"org"}, DefaultStatus: http.StatusCreated, Errors: []int{409, 422}},
		admins, func(ctx context.Context, in *orgCreateIn) (*orgOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *orgOut, err error) {
				out = &orgOut{}
				u, err := org.Create(ctx, org.NewUnit{ParentID: in.Body.ParentID, Kind: tenants.OrgKind(in.Body.Kind), Name: in.Body.Name, Code: in.Body.Code})
				if err == nil {
					out.Body = toOrgUnit(u)
				}
				return out, err
			})
		})
}
