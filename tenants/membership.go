package tenants

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Membership places a Kratos identity in the tenant with roles and a data scope.
type Membership struct {
	bun.BaseModel `bun:"table:memberships,alias:m"`

	TenantID   uuid.UUID `bun:"tenant_id,pk,type:uuid"`
	IdentityID uuid.UUID `bun:"identity_id,pk,type:uuid"`
	OrgUnitID  uuid.UUID `bun:"org_unit_id,type:uuid"`
	Name       string    `bun:"name"`
	Phone      string    `bun:"phone"`
	Roles      []Role    `bun:"roles,array"`
	Scope      Scope     `bun:"scope"`
	Status     string    `bun:"status"`
	// SupervisorID receives copies of this member's deadline warnings.
	SupervisorID *uuid.UUID `bun:"supervisor_id,type:uuid"`
	// MustChangePassword: the member signs in with a one-time password a county admin set,
	// and may do nothing but choose their own until they have.
	MustChangePassword bool      `bun:"must_change_password,notnull"`
	CreatedAt          time.Time `bun:"created_at,nullzero,default:now()"`
	UpdatedAt          time.Time `bun:"updated_at,nullzero,default:now()"`

	OrgUnit *OrgUnit `bun:"rel:belongs-to,join:tenant_id=tenant_id,join:org_unit_id=id"`
}

// Membership states.
const (
	StatusActive   = "active"
	StatusDisabled = "disabled"
)

// GetMembership returns the membership of an identity, with its org unit.
func GetMembership(ctx context.Context, identityID uuid.UUID) (*Membership, error) {
	m := new(Membership)
	err := DB(ctx).NewSelect().Model(m).Relation("OrgUnit").Where("m.tenant_id = ? AND m.identity_id = ?", CurrentID(ctx), identityID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return m, err
}

// Actor builds the actor of an active membership.
func (m *Membership) Actor(sessionID string) *Actor {
	a := &Actor{
		IdentityID: m.IdentityID, SessionID: sessionID, TenantID: m.TenantID, OrgUnitID: m.OrgUnitID,
		Name: m.Name, Phone: m.Phone, Roles: m.Roles, Scope: m.Scope, MustChangePassword: m.MustChangePassword,
	}
	if m.OrgUnit != nil {
		a.OrgPath, a.OrgKind, a.OrgParentID, a.OrgName = m.OrgUnit.Path, m.OrgUnit.Kind, m.OrgUnit.ParentID, m.OrgUnit.Name
	}
	return a
}

// MembershipPage is one keyset page of memberships.
type MembershipPage struct {
	Items []Membership
	// Next is the cursor of the following page, "" on the last one.
	Next string
}

// ListMemberships pages through the memberships the actor's scope reaches, oldest first.
// The cursor is opaque to callers (created_at and identity of the last row).
func ListMemberships(ctx context.Context, a *Actor, cursor string, limit int) (*MembershipPage, error) {
	var items []Membership
	q := DB(ctx).NewSelect().Model(&items).Relation("OrgUnit").Where("m.tenant_id = ?", CurrentID(ctx)).
		OrderExpr("m.created_at, m.identity_id").Limit(int64(limit + 1))
	q = a.Scope.Apply(q, a, "org_unit.path", "m.identity_id")
	if cursor != "" {
		at, id, err := DecodeCursor(cursor)
		if err != nil {
			return nil, err
		}
		q = q.Where("(m.created_at, m.identity_id) > (?, ?)", at, id)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	page := &MembershipPage{Items: items}
	if len(items) > limit {
		last := items[limit-1]
		page.Items, page.Next = items[:limit], EncodeCursor(last.CreatedAt, last.IdentityID)
	}
	return page, nil
}

// CountyAdmins are the identities of the tenant's active county admins: who hears of what
// has no other owner.
func CountyAdmins(ctx context.Context) ([]uuid.UUID, error) {
	return ActiveMembers(ctx, Reach{Role: RoleCountyAdmin})
}

// Reach is one way a query of active members reaches them: by role (within Units, if given),
// by Units alone (any role), or as one Identity. Units, when not nil, limits the reach to
// those units; an empty list reaches nobody.
type Reach struct {
	Role     Role
	Units    []uuid.UUID
	Identity *uuid.UUID
}

// ActiveMembers are the identities of the tenant's active members whom any of reach reaches,
// each once: who hears of a step, a task or a warning.
func ActiveMembers(ctx context.Context, reach ...Reach) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := DB(ctx).NewSelect().Model((*Membership)(nil)).Column("identity_id").Where("m.tenant_id = ? AND m.status = ?", CurrentID(ctx), StatusActive).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			q = q.Where("false")
			for _, r := range reach {
				if r.Role == "" && r.Units == nil && r.Identity == nil {
					continue
				}
				q = q.WhereGroup(" OR ", func(q *bun.SelectQuery) *bun.SelectQuery {
					if r.Role != "" {
						q = q.Where("? = ANY(m.roles)", string(r.Role))
					}
					if r.Units != nil {
						if len(r.Units) == 0 {
							q = q.Where("false")
						} else {
							q = q.Where("m.org_unit_id IN (?)", bun.In(r.Units))
						}
					}
					if r.Identity != nil {
						q = q.Where("m.identity_id = ?", *r.Identity)
					}
					return q
				})
			}
			return q
		}).Scan(ctx, &ids)
	return ids, err
}

// Supervisors are who receive copies of ids' deadline warnings: each member's supervisor, and
// the county admins for a member without one.
func Supervisors(ctx context.Context, ids []uuid.UUID) ([]uuid.UUID, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []struct {
		Supervisor *uuid.UUID `bun:"supervisor_id"`
	}
	if err := DB(ctx).NewSelect().Model((*Membership)(nil)).Column("supervisor_id").
		Where("m.tenant_id = ? AND m.identity_id IN (?)", CurrentID(ctx), bun.In(ids)).Scan(ctx, &rows); err != nil {
		return nil, err
	}
	var out []uuid.UUID
	orphan := false
	for _, r := range rows {
		if r.Supervisor != nil {
			out = append(out, *r.Supervisor)
		} else {
			orphan = true
		}
	}
	if orphan {
		admins, err := CountyAdmins(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, admins...)
	}
	return out, nil
}

// Phones are the phone numbers of the active members among ids: where their SMS go.
func Phones(ctx context.Context, ids []uuid.UUID) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var phones []string
	err := DB(ctx).NewSelect().Model((*Membership)(nil)).Column("phone").
		Where("m.tenant_id = ? AND m.identity_id IN (?) AND m.status = ?", CurrentID(ctx), bun.In(ids), StatusActive).Scan(ctx, &phones)
	return phones, err
}

// MemberName is the SQL expression of the name of the member whose identity the expression
// identity holds (NULL when there is none), for a column of another table's query: a clerk's
// or an uploader's name beside the row.
func MemberName(ctx context.Context, identity string) bun.Safe {
	// The tenant is spelled out (a uuid prints as hex and dashes only), not app_current_tenant():
	// Citus routes a subquery by a constant tenant_id, not by a function of a setting.
	return bun.Safe("(SELECT m.name FROM memberships AS m WHERE m.tenant_id = '" + CurrentID(ctx).String() + "' AND m.identity_id = " + identity + ")")
}

// ScanNames runs q, which selects the columns id and name, into a map: the shape the audit
// log's namers return (auditlog.Namer), so each owner of a table names its own rows.
func ScanNames(ctx context.Context, q *bun.SelectQuery) (map[uuid.UUID]string, error) {
	var rows []struct {
		ID   uuid.UUID `bun:"id"`
		Name string    `bun:"name"`
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]string, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}

// MemberNames names members by identity, for the audit log.
func MemberNames(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	return ScanNames(ctx, Own(ctx, DB(ctx).NewSelect().Model((*Membership)(nil))).ColumnExpr("m.identity_id AS id, m.name").
		Where("m.identity_id IN (?)", bun.In(ids)))
}

// OrgUnitNames names org units, for the audit log.
func OrgUnitNames(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	return ScanNames(ctx, Own(ctx, DB(ctx).NewSelect().Model((*OrgUnit)(nil))).ColumnExpr("ou.id, ou.name").Where("ou.id IN (?)", bun.In(ids)))
}
