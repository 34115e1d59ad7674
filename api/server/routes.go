package server

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/auditlog"
	"github.com/yichuang/yichuang/services/org"
	"github.com/yichuang/yichuang/services/staff"
	"github.com/yichuang/yichuang/tenants"
)

var admins = []tenants.Role{tenants.RoleCountyAdmin}

func (s *Server) routes() {
	s.healthRoutes()
	s.meRoutes()
	s.orgRoutes()
	s.staffRoutes()
	s.auditRoutes()
	s.acceptanceRoutes()
	s.workforceRoutes()
	s.accessRoutes()
	s.statusRoutes()
	s.supervisorRoutes()
	s.documentRoutes()
}

// ---- health

type healthOut struct {
	Body struct {
		Status string `json:"status" example:"ok"`
	}
}

type readyOut struct {
	Status int
	Body   struct {
		Ready      bool                       `json:"ready"`
		Components map[string]componentStatus `json:"components"`
	}
}

func (s *Server) healthRoutes() {
	register(s, huma.Operation{OperationID: "healthz", Method: http.MethodGet, Path: "/healthz", Summary: "进程存活 / Liveness", Tags: []string{"health"}},
		nil, func(ctx context.Context, _ *struct{}) (*healthOut, error) {
			out := &healthOut{}
			out.Body.Status = "ok"
			return out, nil
		})
	register(s, huma.Operation{OperationID: "readyz", Method: http.MethodGet, Path: "/readyz", Summary: "依赖就绪 / Readiness of PostgreSQL, Kratos and MinIO", Tags: []string{"health"}},
		nil, func(ctx context.Context, _ *struct{}) (*readyOut, error) {
			out := &readyOut{Status: http.StatusOK}
			out.Body.Components, out.Body.Ready = s.ready(ctx)
			if !out.Body.Ready {
				out.Status = http.StatusServiceUnavailable
			}
			return out, nil
		})
}

// ---- me and logout

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

func (s *Server) meRoutes() {
	register(s, huma.Operation{OperationID: "get-me", Method: http.MethodGet, Path: "/api/v1/me", Summary: "当前用户 / The signed-in member", Tags: []string{"session"}},
		anyMember, func(ctx context.Context, _ *struct{}) (*meOut, error) {
			a := actor(ctx)
			out := &meOut{Body: Me{IdentityID: a.IdentityID, Name: a.Name, Phone: a.Phone, Scope: string(a.Scope)}}
			for _, r := range a.Roles {
				out.Body.Roles = append(out.Body.Roles, string(r))
			}
			err := s.inTx(ctx, func(ctx context.Context) error {
				t, err := tenants.Current(ctx)
				if err != nil {
					return err
				}
				out.Body.Tenant = TenantRef{ID: t.ID, Code: t.Code, Name: t.Name}
				u, err := tenants.GetOrgUnit(ctx, a.OrgUnitID)
				if err != nil {
					return err
				}
				names, err := tenants.OrgPathNames(ctx, u.Path)
				out.Body.OrgUnit = OrgUnitRef{ID: u.ID, Name: u.Name, Kind: string(u.Kind), PathNames: names}
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "logout", Method: http.MethodPost, Path: "/api/v1/auth/logout", Summary: "退出登录 / Sign out",
		Description: "Revokes the Kratos session and clears the session cookie.", Tags: []string{"session"}, DefaultStatus: http.StatusNoContent},
		anyMember, func(ctx context.Context, _ *struct{}) (*logoutOut, error) {
			a := actor(ctx)
			credential, _ := ctx.Value(credentialKey{}).(string)
			if err := s.deps.Kratos.Revoke(ctx, a.SessionID, credential); err != nil {
				return nil, err
			}
			return &logoutOut{SetCookie: http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode}}, nil
		})
}

// ---- org units

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

type idPath struct {
	ID uuid.UUID `path:"id"`
}

func (s *Server) orgRoutes() {
	register(s, huma.Operation{OperationID: "list-org-units", Method: http.MethodGet, Path: "/api/v1/org-units", Summary: "组织机构 / Org units in the member's data scope",
		Description: "Parents come before children. Members scoped to their unit also see its ancestors, so the tree has its root.", Tags: []string{"org"}},
		anyMember, func(ctx context.Context, _ *struct{}) (*orgListOut, error) {
			out := &orgListOut{}
			out.Body.Items = []OrgUnit{}
			err := s.inTx(ctx, func(ctx context.Context) error {
				units, err := tenants.ListOrgUnits(ctx, actor(ctx))
				for i := range units {
					out.Body.Items = append(out.Body.Items, toOrgUnit(&units[i]))
				}
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "get-org-unit", Method: http.MethodGet, Path: "/api/v1/org-units/{id}", Summary: "单位详情 / One org unit", Tags: []string{"org"}, Errors: []int{404}},
		anyMember, func(ctx context.Context, in *idPath) (*orgOut, error) {
			out := &orgOut{}
			err := s.inTx(ctx, func(ctx context.Context) error {
				units, err := tenants.ListOrgUnits(ctx, actor(ctx))
				if err != nil {
					return err
				}
				for i := range units {
					if units[i].ID == in.ID {
						out.Body = toOrgUnit(&units[i])
						return nil
					}
				}
				return tenants.ErrNotFound
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "create-org-unit", Method: http.MethodPost, Path: "/api/v1/org-units", Summary: "新增单位 / Add an org unit",
		Tags: []string{"org"}, DefaultStatus: http.StatusCreated, Errors: []int{409, 422}},
		admins, func(ctx context.Context, in *orgCreateIn) (*orgOut, error) {
			out := &orgOut{}
			err := s.inTx(ctx, func(ctx context.Context) error {
				u, err := org.Create(ctx, org.NewUnit{ParentID: in.Body.ParentID, Kind: tenants.OrgKind(in.Body.Kind), Name: in.Body.Name, Code: in.Body.Code})
				if err == nil {
					out.Body = toOrgUnit(u)
				}
				return err
			})
			return out, err
		})
}

// ---- staff

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
}

func toStaff(m *tenants.Membership, unitName string) Staff {
	st := Staff{IdentityID: m.IdentityID, Name: m.Name, Phone: m.Phone, OrgUnitID: m.OrgUnitID, OrgUnitName: unitName,
		Scope: string(m.Scope), Status: m.Status, CreatedAt: m.CreatedAt, Roles: []string{}, SupervisorID: m.SupervisorID}
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

type identityPath struct {
	IdentityID uuid.UUID `path:"identity_id"`
}

func (s *Server) staffRoutes() {
	register(s, huma.Operation{OperationID: "list-staff", Method: http.MethodGet, Path: "/api/v1/staff", Summary: "人员账号 / Staff accounts", Tags: []string{"staff"}},
		admins, func(ctx context.Context, in *staffListIn) (*staffListOut, error) {
			out := &staffListOut{}
			out.Body.Items = []Staff{}
			err := s.inTx(ctx, func(ctx context.Context) error {
				page, err := tenants.ListMemberships(ctx, actor(ctx), in.Cursor, in.Limit)
				if err != nil {
					return err
				}
				for i := range page.Items {
					out.Body.Items = append(out.Body.Items, toStaff(&page.Items[i], ""))
				}
				out.Body.NextCursor = page.Next
				return nil
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "get-staff", Method: http.MethodGet, Path: "/api/v1/staff/{identity_id}", Summary: "账号详情 / One staff account", Tags: []string{"staff"}, Errors: []int{404}},
		admins, func(ctx context.Context, in *identityPath) (*staffOut, error) {
			out := &staffOut{}
			err := s.inTx(ctx, func(ctx context.Context) error {
				m, err := tenants.GetMembership(ctx, in.IdentityID)
				if err == nil {
					out.Body = toStaff(m, "")
				}
				return err
			})
			return out, err
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
			var m *tenants.Membership
			err := s.inTx(ctx, func(ctx context.Context) (err error) {
				m, err = staff.SetSupervisor(ctx, in.IdentityID, in.Body.SupervisorID)
				return err
			})
			if err != nil {
				return nil, err
			}
			return s.staffWithUnit(ctx, m)
		})
}

func (s *Server) staffWithUnit(ctx context.Context, m *tenants.Membership) (*staffOut, error) {
	out := &staffOut{}
	err := s.inTx(ctx, func(ctx context.Context) error {
		u, err := tenants.GetOrgUnit(ctx, m.OrgUnitID)
		if err == nil {
			out.Body = toStaff(m, u.Name)
		}
		return err
	})
	return out, err
}

// ---- audit

// AuditEvent is one row of the audit chain.
type AuditEvent struct {
	Seq        int64           `json:"seq"`
	At         time.Time       `json:"at"`
	ActorID    *uuid.UUID      `json:"actor_id" nullable:"true"`
	ActorName  string          `json:"actor_name"`
	Action     string          `json:"action"`
	TargetType string          `json:"target_type"`
	TargetID   string          `json:"target_id"`
	RequestID  string          `json:"request_id"`
	Summary    json.RawMessage `json:"summary"`
}

type auditListIn struct {
	BeforeSeq int64 `query:"before_seq" minimum:"0" doc:"next_before_seq of the previous page"`
	Limit     int   `query:"limit" minimum:"1" maximum:"200" default:"50"`
}

type auditListOut struct {
	Body struct {
		Items         []AuditEvent `json:"items"`
		NextBeforeSeq int64        `json:"next_before_seq" doc:"0 on the last page"`
	}
}

// AuditCheck is a requested verification of the chain.
type AuditCheck struct {
	ID          uuid.UUID  `json:"id"`
	Status      string     `json:"status" enum:"queued,done"`
	OK          *bool      `json:"ok" nullable:"true"`
	RowsChecked *int64     `json:"rows_checked" nullable:"true"`
	FirstBadSeq *int64     `json:"first_bad_seq" nullable:"true"`
	RequestedAt time.Time  `json:"requested_at"`
	FinishedAt  *time.Time `json:"finished_at" nullable:"true"`
}

type auditCheckOut struct{ Body AuditCheck }

func toCheck(c *auditlog.Check) AuditCheck {
	return AuditCheck{ID: c.ID, Status: c.Status, OK: c.OK, RowsChecked: c.RowsChecked, FirstBadSeq: c.FirstBadSeq, RequestedAt: c.RequestedAt, FinishedAt: c.FinishedAt}
}

type seqPath struct {
	Seq int64 `path:"seq" minimum:"1"`
}

type auditEventOut struct{ Body AuditEvent }

func toAuditEvent(e *tenants.AuditEvent) AuditEvent {
	return AuditEvent{Seq: e.Seq, At: e.At, ActorID: e.ActorID, ActorName: e.ActorName, Action: e.Action,
		TargetType: e.TargetType, TargetID: e.TargetID, RequestID: e.RequestID, Summary: e.Summary}
}

func (s *Server) auditRoutes() {
	register(s, huma.Operation{OperationID: "list-audit-events", Method: http.MethodGet, Path: "/api/v1/audit-events", Summary: "审计日志 / Audit events, newest first", Tags: []string{"audit"}},
		admins, func(ctx context.Context, in *auditListIn) (*auditListOut, error) {
			out := &auditListOut{}
			out.Body.Items = []AuditEvent{}
			err := s.inTx(ctx, func(ctx context.Context) error {
				page, err := auditlog.List(ctx, in.BeforeSeq, in.Limit)
				if err != nil {
					return err
				}
				for i := range page.Items {
					out.Body.Items = append(out.Body.Items, toAuditEvent(&page.Items[i]))
				}
				out.Body.NextBeforeSeq = page.NextBeforeSeq
				return nil
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "get-audit-event", Method: http.MethodGet, Path: "/api/v1/audit-events/{seq}", Summary: "审计记录 / One audit event", Tags: []string{"audit"}, Errors: []int{404}},
		admins, func(ctx context.Context, in *seqPath) (*auditEventOut, error) {
			out := &auditEventOut{}
			err := s.inTx(ctx, func(ctx context.Context) error {
				page, err := auditlog.List(ctx, in.Seq+1, 1)
				if err != nil {
					return err
				}
				if len(page.Items) == 0 || page.Items[0].Seq != in.Seq {
					return tenants.ErrNotFound
				}
				out.Body = toAuditEvent(&page.Items[0])
				return nil
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "create-audit-check", Method: http.MethodPost, Path: "/api/v1/audit-checks", Summary: "校验审计链 / Verify the audit chain",
		Description: "Queues a background job that recomputes the hash chain; poll the check for its result.", Tags: []string{"audit"}, DefaultStatus: http.StatusAccepted},
		admins, func(ctx context.Context, _ *struct{}) (*auditCheckOut, error) {
			out := &auditCheckOut{}
			err := s.inTx(ctx, func(ctx context.Context) error {
				c, err := auditlog.RequestCheck(ctx, actor(ctx))
				if err == nil {
					out.Body = toCheck(c)
				}
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "get-audit-check", Method: http.MethodGet, Path: "/api/v1/audit-checks/{id}", Summary: "校验结果 / An audit check", Tags: []string{"audit"}, Errors: []int{404}},
		admins, func(ctx context.Context, in *idPath) (*auditCheckOut, error) {
			out := &auditCheckOut{}
			err := s.inTx(ctx, func(ctx context.Context) error {
				c, err := auditlog.GetCheck(ctx, in.ID)
				if err == nil {
					out.Body = toCheck(c)
				}
				return err
			})
			return out, err
		})
}
