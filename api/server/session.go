package server

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/signin"
	"github.com/yichuang/yichuang/tenants"
)

// TenantRef names the actor's county.
type TenantRef struct {
	ID   uuid.UUID `json:"id"`
	Code string    `json:"code"`
	Name string    `json:"name"`
}

// OrgUnitRef names the actor's org unit and its path from the county.
type OrgUnitRef struct {
	ID        uuid.UUID `json:"id"`
	Name      string    `json:"name"`
	Kind      string    `json:"kind" enum:"county,township,street,village,community,department"`
	PathNames []string  `json:"path_names"`
}

// Me is the signed-in member.
type Me struct {
	IdentityID uuid.UUID  `json:"identity_id"`
	Name       string     `json:"name"`
	Phone      string     `json:"phone"`
	Tenant     TenantRef  `json:"tenant"`
	OrgUnit    OrgUnitRef `json:"org_unit"`
	Roles      []string   `json:"roles"`
	Scope      string     `json:"scope" enum:"tenant,org_subtree,self"`
}

type meOut struct{ Body Me }

type logoutOut struct {
	SetCookie http.Cookie `header:"Set-Cookie"`
}

func (s *Server) sessionRoutes() {
	register(s, huma.Operation{OperationID: "get-me", Method: http.MethodGet, Path: "/api/v1/me", Summary: "当前用户 / The signed-in member", Tags: []string{"session"}},
		anyMember, func(ctx context.Context, _ *struct{}) (*meOut, error) {
			a := actor(ctx)
			out := &meOut{Body: Me{IdentityID: a.IdentityID, Name: a.Name, Phone: a.Phone, Scope: string(a.Scope)}}
			for _, r := range a.Roles {
				out.Body.Roles = append(out.Body.Roles, string(r))
			}
			return withTx(ctx, s, func(ctx context.Context) (*meOut, error) {
				t, err := tenants.Current(ctx)
				if err != nil {
					return nil, err
				}
				out.Body.Tenant = TenantRef{ID: t.ID, Code: t.Code, Name: t.Name}
				u, err := tenants.GetOrgUnit(ctx, a.OrgUnitID)
				if err != nil {
					return nil, err
				}
				names, err := tenants.OrgPathNames(ctx, u.Path)
				out.Body.OrgUnit = OrgUnitRef{ID: u.ID, Name: u.Name, Kind: string(u.Kind), PathNames: names}
				return out, err
			})
		})
	register(s, huma.Operation{OperationID: "logout", Method: http.MethodPost, Path: "/api/v1/auth/logout", Summary: "退出登录 / Sign out",
		Description: "Revokes the Kratos session and clears the session cookie.", Tags: []string{"session"}, DefaultStatus: http.StatusNoContent},
		anyMember, func(ctx context.Context, _ *struct{}) (*logoutOut, error) {
			a := actor(ctx)
			credential, _ := ctx.Value(credentialKey{}).(string)
			if err := s.deps.Kratos.Revoke(ctx, a.SessionID, credential); err != nil {
				return nil, err
			}
			// Without its activity row the session is asked of Kratos again by every other
			// process that still has it cached (authenticate), so signing out holds everywhere.
			if id, err := uuid.Parse(a.SessionID); err == nil {
				if err := s.inTx(ctx, func(ctx context.Context) error { return signin.Forget(ctx, id) }); err != nil {
					return nil, err
				}
			}
			return &logoutOut{SetCookie: http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode}}, nil
		})
}
