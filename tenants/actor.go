package tenants

import (
	"context"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Role is what a member may do. Operations declare the roles they admit.
type Role string

const (
	RolePlatformOperator Role = "platform_operator"
	RoleCountyAdmin      Role = "county_admin"
	RoleDepartmentStaff  Role = "department_staff"
	RoleTownshipClerk    Role = "township_clerk"
	RoleCommunityWorker  Role = "community_worker"
	// RoleAgencyHead is 本行政机关负责人: a department's head, who alone grants an extension
	// of its applications (行政许可法 art. 42).
	RoleAgencyHead Role = "agency_head"
	// RoleGovernmentHead is the head of the county government (县政府负责人), who grants the
	// extension of an item handled under art. 26 (统一办理/联合办理/集中办理).
	RoleGovernmentHead Role = "government_head"
)

// Roles lists every role, in the order screens show them.
var Roles = []Role{RolePlatformOperator, RoleCountyAdmin, RoleDepartmentStaff, RoleTownshipClerk, RoleCommunityWorker,
	RoleAgencyHead, RoleGovernmentHead}

var roleLabels = map[Role]string{
	RolePlatformOperator: "平台运营",
	RoleCountyAdmin:      "县级管理员",
	RoleDepartmentStaff:  "部门工作人员",
	RoleTownshipClerk:    "乡镇窗口人员",
	RoleCommunityWorker:  "村社区工作者",
	RoleAgencyHead:       "本行政机关负责人",
	RoleGovernmentHead:   "县政府负责人",
}

// Label is the role's Chinese name.
func (r Role) Label() string { return roleLabels[r] }

// Valid reports whether r is a known role.
func (r Role) Valid() bool { _, ok := roleLabels[r]; return ok }

// Scope is how far a member's reads reach inside the tenant, as users know it from RuoYi's
// 数据权限: the whole county, their own unit and below, or their own records.
type Scope string

const (
	ScopeTenant     Scope = "tenant"
	ScopeOrgSubtree Scope = "org_subtree"
	ScopeSelf       Scope = "self"
)

// Valid reports whether s is a known scope.
func (s Scope) Valid() bool { return s == ScopeTenant || s == ScopeOrgSubtree || s == ScopeSelf }

// Label is the scope's Chinese name ("" for an unknown one).
func (s Scope) Label() string {
	return map[Scope]string{ScopeTenant: "全县", ScopeOrgSubtree: "本单位及下级", ScopeSelf: "仅本人"}[s]
}

// DefaultScope is the scope a new member of these roles gets unless an admin says otherwise.
func DefaultScope(roles []Role) Scope {
	if slices.Contains(roles, RoleCountyAdmin) || slices.Contains(roles, RolePlatformOperator) {
		return ScopeTenant
	}
	return ScopeOrgSubtree
}

// Actor is the signed-in member a request or job acts for.
type Actor struct {
	IdentityID uuid.UUID
	SessionID  string
	TenantID   uuid.UUID
	OrgUnitID  uuid.UUID
	OrgPath    string
	// OrgKind and OrgParentID describe the member's unit (loaded with the membership).
	OrgKind     OrgKind
	OrgParentID *uuid.UUID
	// OrgName is the unit's name (loaded with the membership): intake names the hall without
	// another query.
	OrgName string
	Name    string
	Phone   string
	Roles   []Role
	Scope   Scope
	// MustChangePassword: the member signed in with a one-time password (staff reset).
	MustChangePassword bool
	// RegionCode and RegionPath are set for a region account (supervisors, the platform
	// operator), whose TenantID is nil: it works in region transactions (Store.InRegion).
	RegionCode string
	RegionPath string
}

// HasAny reports whether the actor holds at least one of roles.
func (a *Actor) HasAny(roles ...Role) bool {
	for _, r := range roles {
		if slices.Contains(a.Roles, r) {
			return true
		}
	}
	return false
}

// Apply narrows q to the rows the actor's data scope reaches. orgPath is the SQL expression
// of the row's org-unit path, owner that of the identity owning the row ("" when rows have
// no owner: then ScopeSelf reaches none). The tenant itself is already fixed by RLS.
func (s Scope) Apply(q *bun.SelectQuery, a *Actor, orgPath, owner string) *bun.SelectQuery {
	switch s {
	case ScopeTenant:
		return q
	case ScopeOrgSubtree:
		return q.Where("? LIKE ?", bun.Safe(orgPath), EscapeLike(a.OrgPath)+"%")
	default:
		if owner == "" {
			return q.Where("false")
		}
		return q.Where("? = ?", bun.Safe(owner), a.IdentityID)
	}
}

// EscapeLike quotes LIKE's wildcards in s, so user text and paths match literally.
func EscapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

type actorKey struct{}

// WithActor returns ctx carrying a.
func WithActor(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx, if any.
func ActorFrom(ctx context.Context) (*Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(*Actor)
	return a, ok
}

type requestIDKey struct{}

// WithRequestID returns ctx carrying the id that ties logs and audit rows to one request
// (or one job run).
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request id in ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// ActorIdentity is the identity of the actor in ctx, for "created by" columns; nil for the
// system (a job or the CLI).
func ActorIdentity(ctx context.Context) *uuid.UUID {
	if a, ok := ActorFrom(ctx); ok && a != nil {
		id := a.IdentityID
		return &id
	}
	return nil
}
