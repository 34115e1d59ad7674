package server

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/signin"
	"github.com/yichuang/yichuang/services/staff"
	"github.com/yichuang/yichuang/services/supervision"
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
	// MustChangePassword: a county admin reset the password; until the member chooses their
	// own, every other operation answers 403 password_change_required.
	MustChangePassword bool `json:"must_change_password"`
	// Region is set for a region account (city or province supervisor, platform operator),
	// whose tenant and org unit are then empty.
	Region *RegionRef `json:"region,omitempty"`
}

// RegionRef names a region account's region.
type RegionRef struct {
	Code string `json:"code"`
	Path string `json:"path"`
	Name string `json:"name"`
}

type meOut struct{ Body Me }

type passwordIn struct {
	Body struct {
		CurrentPassword string `json:"current_password" minLength:"1" maxLength:"72" doc:"当前密码（重置后为一次性密码）"`
		Password        string `json:"password" minLength:"1" maxLength:"72" doc:"新密码（至少 10 位，不含手机号，不是常见弱密码）"`
	}
}

type logoutOut struct {
	SetCookie http.Cookie `header:"Set-Cookie"`
}

func (s *Server) sessionRoutes() {
	register(s, huma.Operation{OperationID: "get-me", Method: http.MethodGet, Path: "/api/v1/me", Summary: "当前用户 / The signed-in member", Tags: []string{"session"}},
		everyone, func(ctx context.Context, _ *struct{}) (*meOut, error) {
			a := actor(ctx)
			out := &meOut{Body: Me{IdentityID: a.IdentityID, Name: a.Name, Phone: a.Phone, Scope: string(a.Scope), MustChangePassword: a.MustChangePassword}}
			for _, r := range a.Roles {
				out.Body.Roles = append(out.Body.Roles, string(r))
			}
			if a.RegionCode != "" {
				out.Body.Scope = string(tenants.ScopeTenant)
				out.Body.OrgUnit = OrgUnitRef{Kind: "county", PathNames: []string{}}
				return out, s.inRegion(ctx, func(ctx context.Context) error {
					v, err := supervision.RegionCounties(ctx)
					if err == nil {
						out.Body.Region = &RegionRef{Code: v.Region.Code, Path: v.Region.Path, Name: v.Region.Name}
						out.Body.Tenant.Name = v.Region.Name
					}
					return err
				})
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
	register(s, huma.Operation{OperationID: "change-my-password", Method: http.MethodPost, Path: "/api/v1/me/password", Summary: "修改密码 / Change my password",
		Description: "The signed-in member's new password, with the current one (after a reset: the one-time password). " +
			"The app's policy: 10 to 72 characters, not containing the phone number, not a common password (422 on body.password). " +
			"A wrong current password is 422 wrong_password on body.current_password and counts as a failed sign-in (the lockout applies). " +
			"Clears must_change_password. Audited. Kratos' own settings flow is closed on the app's origin, so this policy holds.",
		Tags: []string{"session"}, DefaultStatus: http.StatusNoContent, Errors: []int{422, 429}},
		everyone, func(ctx context.Context, in *passwordIn) (*struct{}, error) {
			return nil, s.changeMyPassword(ctx, in.Body.CurrentPassword, in.Body.Password)
		})
	register(s, huma.Operation{OperationID: "logout", Method: http.MethodPost, Path: "/api/v1/auth/logout", Summary: "退出登录 / Sign out",
		Description: "Revokes the Kratos session and clears the session cookie.", Tags: []string{"session"}, DefaultStatus: http.StatusNoContent},
		everyone, func(ctx context.Context, _ *struct{}) (*logoutOut, error) {
			a := actor(ctx)
			credential, _ := ctx.Value(credentialKey{}).(string)
			if err := s.deps.Kratos.Revoke(ctx, a.SessionID, credential); err != nil {
				return nil, err
			}
			// Without its activity row the session is asked of Kratos again by every other
			// process that still has it cached (authenticate), so signing out holds everywhere.
			if id, err := uuid.Parse(a.SessionID); err == nil {
				if err := s.inActor(ctx, func(ctx context.Context) error { return signin.Forget(ctx, id) }); err != nil {
					return nil, err
				}
			}
			return &logoutOut{SetCookie: http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode}}, nil
		})
}

// changeMyPassword counts the current-password check as a sign-in attempt, so a stolen
// session cannot guess the password faster than the sign-in page could.
func (s *Server) changeMyPassword(ctx context.Context, current, next string) error {
	a := actor(ctx)
	if s.guard == nil {
		return problem.Unavailable("auth_unavailable", "身份认证服务未配置", "authentication is not configured")
	}
	at := signin.Attempt{Phone: a.Phone, Address: clientAddressOf(ctx)}
	refusal, err := s.guard.Begin(ctx, at)
	if err != nil {
		return err
	}
	if refusal != nil {
		return refusal.Problem(time.Now())
	}
	if a.RegionCode != "" {
		err = s.supervision().ChangeOwnPassword(ctx, a.IdentityID, a.Phone, current, next)
	} else {
		err = s.staff.ChangeOwnPassword(ctx, a.TenantID, a.IdentityID, current, next)
	}
	outcome := signin.Undecided
	if p, ok := problem.As(err); ok && p.Code == staff.ErrWrongPassword {
		outcome = signin.Failed
	} else if err == nil {
		outcome = signin.Succeeded
	}
	res, ferr := s.guard.Finish(ctx, at, outcome)
	if ferr != nil {
		s.deps.Logger.ErrorContext(ctx, "sign-in guard", "error", ferr)
	} else if res.Locked != nil {
		return res.Locked.Problem(time.Now())
	}
	return err
}
