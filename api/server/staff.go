package server

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/staff"
	"github.com/yichuang/yichuang/tenants"
)

// Staff is a staff account: identity and membership.
type Staff struct {
	IdentityID  uuid.UUID `json:"identity_id"`
	Name        string    `json:"name"`
	Phone       string    `json:"phone"`
	OrgUnitID   uuid.UUID `json:"org_unit_id"`
	OrgUnitName string    `json:"org_unit_name"`
	Roles       []string  `json:"roles"`
	Scope       string    `json:"scope" enum:"tenant,org_subtree,self"`
	Status      string    `json:"status" enum:"active,disabled"`
	CreatedAt   time.Time `json:"created_at"`
	// SupervisorID receives copies of this member's deadline warnings.
	SupervisorID *uuid.UUID `json:"supervisor_id,omitempty"`
	// MustChangePassword: the member has a one-time password from a reset and has not yet
	// chosen their own.
	MustChangePassword bool `json:"must_change_password"`
}

func toStaff(m *tenants.Membership, unitName string) Staff {
	st := Staff{IdentityID: m.IdentityID, Name: m.Name, Phone: m.Phone, OrgUnitID: m.OrgUnitID, OrgUnitName: unitName,
		Scope: string(m.Scope), Status: m.Status, CreatedAt: m.CreatedAt, Roles: []string{}, SupervisorID: m.SupervisorID,
		MustChangePassword: m.MustChangePassword}
	if m.OrgUnit != nil {
		st.OrgUnitName = m.OrgUnit.Name
	}
	for _, r := range m.Roles {
		st.Roles = append(st.Roles, string(r))
	}
	return st
}

type staffListIn struct {
	Cursor string `query:"cursor" doc:"next_cursor of the previous page"`
	Limit  int    `query:"limit" minimum:"1" maximum:"200" default:"50"`
}

type staffListOut struct {
	Body struct {
		Items      []Staff `json:"items"`
		NextCursor string  `json:"next_cursor" doc:"empty on the last page"`
	}
}

type staffOut struct{ Body Staff }

type staffCreateIn struct {
	Body struct {
		Name      string    `json:"name" minLength:"1" maxLength:"50" doc:"姓名"`
		Phone     string    `json:"phone" pattern:"^1[3-9][0-9]{9}$" doc:"手机号（登录名）"`
		Password  string    `json:"password" minLength:"10" maxLength:"72" doc:"初始密码（至少 10 位）"`
		OrgUnitID uuid.UUID `json:"org_unit_id" doc:"所属单位"`
		Roles     []string  `json:"roles" minItems:"1" uniqueItems:"true" doc:"角色"`
		Scope     string    `json:"scope,omitempty" enum:"tenant,org_subtree,self" doc:"数据范围（省略时按角色默认）"`
	}
}

type staffUpdateIn struct {
	IdentityID uuid.UUID `path:"identity_id"`
	Body       struct {
		Name  *string `json:"name,omitempty" minLength:"1" maxLength:"50" doc:"姓名"`
		Phone *string `json:"phone,omitempty" pattern:"^1[3-9][0-9]{9}$" doc:"手机号（登录名）"`
	}
}

type staffResetOut struct {
	Body struct {
		Staff Staff `json:"staff"`
		// OneTimePassword is shown to the admin once; the member must change it at sign-in.
		OneTimePassword string `json:"one_time_password" doc:"一次性密码（仅显示一次）"`
	}
}

type identityPath struct {
	IdentityID uuid.UUID `path:"identity_id"`
}

func (s *Server) staffRoutes() {
	register(s, huma.Operation{OperationID: "list-staff", Method: http.MethodGet, Path: "/api/v1/staff", Summary: "人员账号 / Staff accounts", Tags: []string{"staff"}},
		admins, func(ctx context.Context, in *staffListIn) (*staffListOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *staffListOut, err error) {
				out = &staffListOut{}
				out.Body.Items = []Staff{}
				page, err := tenants.ListMemberships(ctx, actor(ctx), in.Cursor, in.Limit)
				if err != nil {
					return nil, err
				}
				for i := range page.Items {
					out.Body.Items = append(out.Body.Items, toStaff(&page.Items[i], ""))
				}
				out.Body.NextCursor = page.Next
				return out, nil
			})
		})
	register(s, huma.Operation{OperationID: "get-staff", Method: http.MethodGet, Path: "/api/v1/staff/{identity_id}", Summary: "账号详情 / One staff account", Tags: []string{"staff"}, Errors: []int{404}},
		admins, func(ctx context.Context, in *identityPath) (*staffOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *staffOut, err error) {
				out = &staffOut{}
				m, err := tenants.GetMembership(ctx, in.IdentityID)
				if err == nil {
					out.Body = toStaff(m, "")
				}
				return out, err
			})
		})
	register(s, huma.Operation{OperationID: "create-staff", Method: http.MethodPost, Path: "/api/v1/staff", Summary: "新建账号 / Create a staff account",
		Description: "Creates the Kratos identity (the phone number signs in) and the membership. Safe to retry: repeating a request that succeeded returns the same account.",
		Tags:        []string{"staff"}, DefaultStatus: http.StatusCreated, Errors: []int{409, 422}},
		admins, func(ctx context.Context, in *staffCreateIn) (*staffOut, error) {
			a := actor(ctx)
			roles := make([]tenants.Role, len(in.Body.Roles))
			for i, r := range in.Body.Roles {
				roles[i] = tenants.Role(r)
			}
			m, err := s.staff.Create(ctx, a.TenantID, staff.NewAccount{Name: in.Body.Name, Phone: in.Body.Phone, Password: in.Body.Password,
				OrgUnitID: in.Body.OrgUnitID, Roles: roles, Scope: tenants.Scope(in.Body.Scope)})
			if err != nil {
				return nil, err
			}
			return s.staffWithUnit(ctx, m)
		})
	register(s, huma.Operation{OperationID: "disable-staff", Method: http.MethodPost, Path: "/api/v1/staff/{identity_id}/disable", Summary: "停用账号 / Disable a staff account",
		Description: "Kratos refuses the account's sign-ins and ends its sessions. Idempotent.", Tags: []string{"staff"}, Errors: []int{404, 409}},
		admins, func(ctx context.Context, in *identityPath) (*staffOut, error) {
			a := actor(ctx)
			m, err := s.staff.Disable(ctx, a.TenantID, in.IdentityID, a)
			if err != nil {
				return nil, err
			}
			return s.staffWithUnit(ctx, m)
		})
	register(s, huma.Operation{OperationID: "enable-staff", Method: http.MethodPost, Path: "/api/v1/staff/{identity_id}/enable", Summary: "启用账号 / Re-enable a staff account",
		Description: "A disabled account may sign in again. Idempotent. Audited.", Tags: []string{"staff"}, Errors: []int{404}},
		admins, func(ctx context.Context, in *identityPath) (*staffOut, error) {
			m, err := s.staff.Enable(ctx, actor(ctx).TenantID, in.IdentityID)
			if err != nil {
				return nil, err
			}
			return s.staffWithUnit(ctx, m)
		})
	register(s, huma.Operation{OperationID: "reset-staff-password", Method: http.MethodPost, Path: "/api/v1/staff/{identity_id}/reset-password", Summary: "重置密码 / Reset a staff member's password",
		Description: "Sets a random one-time password, ends the member's sessions, lifts a sign-in lockout of the account, and makes the member choose their own password at the next sign-in " +
			"(until then every operation but get-me, logout and change-my-password answers 403 password_change_required). " +
			"The one-time password is in this answer only. Audited (without the password).",
		Tags: []string{"staff"}, Errors: []int{404, 409}},
		admins, func(ctx context.Context, in *identityPath) (*staffResetOut, error) {
			a := actor(ctx)
			m, otp, err := s.staff.ResetPassword(ctx, a.TenantID, in.IdentityID, a)
			if err != nil {
				return nil, err
			}
			// A member locked out by wrong passwords signs in with the one-time password at once.
			if s.guard != nil {
				if err := s.guard.Unlock(ctx, m.Phone); err != nil {
					s.deps.Logger.ErrorContext(ctx, "unlock after reset", "error", err)
				}
			}
			st, err := s.staffWithUnit(ctx, m)
			if err != nil {
				return nil, err
			}
			out := &staffResetOut{}
			out.Body.Staff, out.Body.OneTimePassword = st.Body, otp
			return out, nil
		})
	register(s, huma.Operation{OperationID: "update-staff", Method: http.MethodPatch, Path: "/api/v1/staff/{identity_id}", Summary: "修改姓名、手机号 / Rename a member or change their phone",
		Description: "Changes the Kratos identity's traits and the membership together; the new phone signs in from then on. " +
			"A phone another account uses (in any county) is 409 phone_taken on body.phone. Audited.",
		Tags: []string{"staff"}, Errors: []int{404, 409, 422}},
		admins, func(ctx context.Context, in *staffUpdateIn) (*staffOut, error) {
			m, err := s.staff.Update(ctx, actor(ctx).TenantID, in.IdentityID, staff.Profile{Name: in.Body.Name, Phone: in.Body.Phone})
			if err != nil {
				return nil, err
			}
			return s.staffWithUnit(ctx, m)
		})
}

type supervisorIn struct {
	IdentityID uuid.UUID `path:"identity_id"`
	Body       struct {
		SupervisorID *uuid.UUID `json:"supervisor_id" doc:"上级账号；null 表示不设（预警抄送县级管理员）"`
	}
}

func (s *Server) supervisorRoutes() {
	register(s, huma.Operation{OperationID: "set-staff-supervisor", Method: http.MethodPut, Path: "/api/v1/staff/{identity_id}/supervisor", Summary: "设置上级 / Set who receives copies of deadline warnings",
		Tags: []string{"staff"}, Errors: []int{404, 422}},
		admins, func(ctx context.Context, in *supervisorIn) (*staffOut, error) {
			m, err := withTx(ctx, s, func(ctx context.Context) (*tenants.Membership, error) {
				return staff.SetSupervisor(ctx, in.IdentityID, in.Body.SupervisorID)
			})
			if err != nil {
				return nil, err
			}
			return s.staffWithUnit(ctx, m)
		})
}

func (s *Server) staffWithUnit(ctx context.Context, m *tenants.Membership) (*staffOut, error) {
	return withTx(ctx, s, func(ctx context.Context) (out *staffOut, err error) {
		out = &staffOut{}
		u, err := tenants.GetOrgUnit(ctx, m.OrgUnitID)
		if err == nil {
			out.Body = toStaff(m, u.Name)
		}
		return out, err
	})
}
