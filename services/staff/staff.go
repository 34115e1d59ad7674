// Package staff manages staff accounts: a Kratos identity (mobile number + password) and its
// membership in the county (org unit, roles, data scope). County admins create and disable
// them.
package staff

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"slices"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/identity"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/tenants"
)

// Identities is what this package needs of the identity provider.
type Identities interface {
	CreateStaff(ctx context.Context, in identity.NewStaff) (uuid.UUID, error)
	FindByPhone(ctx context.Context, phone string) (*identity.Identity, error)
	SetActive(ctx context.Context, id uuid.UUID, active bool) error
	Delete(ctx context.Context, id uuid.UUID) error
	SetPassword(ctx context.Context, id uuid.UUID, password string) error
	EndSessions(ctx context.Context, id uuid.UUID) error
	SetTraits(ctx context.Context, id uuid.UUID, phone, name string) error
	VerifyPassword(ctx context.Context, phone, password string) (bool, error)
}

// Service creates and disables accounts.
type Service struct {
	Store      *tenants.Store
	Identities Identities
}

// NewAccount is a county admin's request for an account.
type NewAccount struct {
	Name      string
	Phone     string
	Password  string
	OrgUnitID uuid.UUID
	Roles     []tenants.Role
	Scope     tenants.Scope
}

// PhonePattern is a mainland mobile number.
var PhonePattern = regexp.MustCompile(`^1[3-9][0-9]{9}$`)

// MinPasswordLength matches Kratos' min_password_length (infra/kratos/kratos.yml.tmpl).
const MinPasswordLength = 10

func (in *NewAccount) validate() error {
	var c problem.Checker
	n := utf8.RuneCountInString(in.Name)
	c.Check(n >= 1 && n <= 50, "body.name", "姓名须为 1 至 50 个字", "name must be 1 to 50 characters", in.Name)
	c.Check(PhonePattern.MatchString(in.Phone), "body.phone", "手机号须为 11 位大陆手机号码", "phone must be an 11-digit mainland mobile number", in.Phone)
	if f := CheckPassword("body.password", in.Password, in.Phone); f != nil {
		c.Add(*f)
	}
	c.Check(len(in.Roles) > 0, "body.roles", "至少选择一个角色", "choose at least one role", in.Roles)
	for _, r := range in.Roles {
		c.Check(r.CountyRole() && r != tenants.RolePlatformOperator, "body.roles", "角色无效："+string(r), "unknown role: "+string(r), r)
	}
	c.Check(in.Scope == "" || in.Scope.Valid(), "body.scope", "数据范围无效", "unknown data scope", in.Scope)
	return c.Err()
}

// Create makes the identity and the membership. It is safe to retry: a retry of a request
// that already succeeded returns the same account, and a retry after a half-done attempt
// (identity made, membership not) completes it.
func (s *Service) Create(ctx context.Context, tenantID uuid.UUID, in NewAccount) (*tenants.Membership, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	if in.Scope == "" {
		in.Scope = tenants.DefaultScope(in.Roles)
	}
	slices.Sort(in.Roles)
	in.Roles = slices.Compact(in.Roles)

	var existing *tenants.Membership
	err := s.Store.InTx(ctx, tenantID, func(ctx context.Context) error {
		unit, err := tenants.GetOrgUnit(ctx, in.OrgUnitID)
		if errors.Is(err, tenants.ErrNotFound) {
			return problem.Invalid(problem.Field{Location: "body.org_unit_id", Message: "所属单位不存在", MessageEn: "org unit not found", Value: in.OrgUnitID})
		} else if err != nil {
			return err
		}
		// The heads who grant extensions (行政许可法 art. 42) are the head of a department,
		// or of the county government for items under art. 26.
		if slices.Contains(in.Roles, tenants.RoleAgencyHead) && unit.Kind != tenants.KindDepartment {
			return problem.Invalid(problem.Field{Location: "body.roles", Message: "本行政机关负责人须属于县直部门", MessageEn: "an agency head belongs to a department", Value: in.Roles})
		}
		if slices.Contains(in.Roles, tenants.RoleGovernmentHead) && unit.Kind != tenants.KindCounty {
			return problem.Invalid(problem.Field{Location: "body.roles", Message: "县政府负责人须属于县本级", MessageEn: "the county government's head belongs to the county unit", Value: in.Roles})
		}
		m := new(tenants.Membership)
		err = tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(m)).Where("m.phone = ?", in.Phone).Scan(ctx)
		switch {
		case err == nil:
			existing = m
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if existing != nil {
		if existing.Name == in.Name && existing.OrgUnitID == in.OrgUnitID && slices.Equal(existing.Roles, in.Roles) && existing.Scope == in.Scope {
			return existing, nil // the same request again
		}
		return nil, phoneTaken()
	}

	id, created, err := s.identityFor(ctx, tenantID, in)
	if err != nil {
		return nil, err
	}
	m := &tenants.Membership{TenantID: tenantID, IdentityID: id, OrgUnitID: in.OrgUnitID, Name: in.Name, Phone: in.Phone,
		Roles: in.Roles, Scope: in.Scope, Status: tenants.StatusActive}
	err = s.Store.InTx(ctx, tenantID, func(ctx context.Context) error {
		if _, err := tenants.DB(ctx).NewInsert().Model(m).Returning("created_at, updated_at").Exec(ctx); err != nil {
			return err
		}
		return tenants.Audit(ctx, tenants.Change{Action: "staff.create", TargetType: "membership", TargetID: id.String(),
			Summary: map[string]any{"name": in.Name, "phone": in.Phone, "org_unit_id": in.OrgUnitID, "roles": in.Roles, "scope": in.Scope}})
	})
	if err != nil {
		if created {
			_ = s.Identities.Delete(context.WithoutCancel(ctx), id)
		}
		return nil, err
	}
	return m, nil
}

// identityFor creates the Kratos identity, or adopts the one a previous attempt of this
// same request left behind (same tenant, same name, no membership yet).
func (s *Service) identityFor(ctx context.Context, tenantID uuid.UUID, in NewAccount) (uuid.UUID, bool, error) {
	id, err := s.Identities.CreateStaff(ctx, identity.NewStaff{TenantID: tenantID, Phone: in.Phone, Name: in.Name, Password: in.Password})
	switch {
	case err == nil:
		return id, true, nil
	case errors.Is(err, identity.ErrIdentifierTaken):
		prev, ferr := s.Identities.FindByPhone(ctx, in.Phone)
		if ferr != nil {
			return uuid.Nil, false, ferr
		}
		if prev != nil && prev.TenantID == tenantID && prev.Name == in.Name {
			return prev.ID, false, nil
		}
		return uuid.Nil, false, phoneTaken()
	case errors.Is(err, identity.ErrRejected):
		return uuid.Nil, false, problem.Invalid(problem.Field{Location: "body.password",
			Message: "初始密码不符合密码策略（至少 10 位，且不能与手机号相近）", MessageEn: "initial password does not meet the password policy"})
	case errors.Is(err, identity.ErrUnavailable):
		return uuid.Nil, false, problem.Unavailable("identity_unavailable", "身份认证服务暂不可用，请稍后重试", "identity service unavailable")
	default:
		return uuid.Nil, false, err
	}
}

func phoneTaken() error {
	return problem.Conflict("phone_taken", "该手机号已被其他账号使用", "phone number already in use by another account")
}

// Disable stops an account: Kratos refuses its sign-ins and ends its sessions, and the
// membership is marked disabled (which the API checks on every request as well).
func (s *Service) Disable(ctx context.Context, tenantID, identityID uuid.UUID, by *tenants.Actor) (*tenants.Membership, error) {
	if by != nil && by.IdentityID == identityID {
		return nil, problem.Conflict("cannot_disable_self", "不能停用自己的账号", "you cannot disable your own account")
	}
	var m *tenants.Membership
	err := s.Store.InTx(ctx, tenantID, func(ctx context.Context) error {
		var err error
		m, err = tenants.GetMembership(ctx, identityID)
		if errors.Is(err, tenants.ErrNotFound) {
			return problem.NotFound("staff_not_found", "账号不存在", "account not found")
		}
		if err != nil || m.Status == tenants.StatusDisabled {
			return err
		}
		// Kratos first: if it fails, nothing here changed and a retry does the whole thing.
		if err := s.Identities.SetActive(ctx, identityID, false); err != nil {
			if errors.Is(err, identity.ErrUnavailable) {
				return problem.Unavailable("identity_unavailable", "身份认证服务暂不可用，请稍后重试", "identity service unavailable")
			}
			return err
		}
		m.Status = tenants.StatusDisabled
		if _, err := tenants.DB(ctx).NewUpdate().Model(m).Column("status").Set("updated_at = now()").WherePK().Exec(ctx); err != nil {
			return err
		}
		return tenants.Audit(ctx, tenants.Change{Action: "staff.disable", TargetType: "membership", TargetID: identityID.String(),
			Summary: map[string]any{"status": map[string]string{"from": tenants.StatusActive, "to": tenants.StatusDisabled}}})
	})
	return m, err
}

// SetSupervisor names the member who receives copies of id's deadline warnings (nil: none,
// the county admins then receive them). It runs in the caller's tenant transaction.
func SetSupervisor(ctx context.Context, id uuid.UUID, supervisor *uuid.UUID) (*tenants.Membership, error) {
	m, err := tenants.GetMembership(ctx, id)
	if err != nil {
		return nil, err
	}
	if supervisor != nil {
		if *supervisor == id {
			return nil, problem.Invalid(problem.Field{Location: "body.supervisor_id", Message: "不能把本人设为自己的上级", MessageEn: "a member cannot supervise themselves"})
		}
		s, err := tenants.GetMembership(ctx, *supervisor)
		if errors.Is(err, tenants.ErrNotFound) || (err == nil && s.Status != tenants.StatusActive) {
			return nil, problem.Invalid(problem.Field{Location: "body.supervisor_id", Message: "上级须为本县在用账号", MessageEn: "the supervisor must be an active member of this county"})
		}
		if err != nil {
			return nil, err
		}
	}
	if _, err := tenants.DB(ctx).NewUpdate().Model(m).Set("supervisor_id = ?", supervisor).Set("updated_at = now()").WherePK().Exec(ctx); err != nil {
		return nil, err
	}
	m.SupervisorID = supervisor
	return m, tenants.Audit(ctx, tenants.Change{Action: "staff.set_supervisor", TargetType: "membership", TargetID: id.String(),
		Summary: map[string]any{"supervisor_id": supervisor}})
}
