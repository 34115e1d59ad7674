package tenants

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// OrgKind is the level of an org unit.
type OrgKind string

const (
	KindCounty     OrgKind = "county"
	KindTownship   OrgKind = "township"
	KindStreet     OrgKind = "street"
	KindVillage    OrgKind = "village"
	KindCommunity  OrgKind = "community"
	KindDepartment OrgKind = "department"
)

var kindLabels = map[OrgKind]string{
	KindCounty: "县/区", KindTownship: "乡镇", KindStreet: "街道",
	KindVillage: "村", KindCommunity: "社区", KindDepartment: "县直部门",
}

// Label is the kind's Chinese name.
func (k OrgKind) Label() string { return kindLabels[k] }

// Valid reports whether k is a known kind.
func (k OrgKind) Valid() bool { _, ok := kindLabels[k]; return ok }

// AllowedUnder reports whether a unit of kind k may hang under a parent of kind parent:
// the administrative hierarchy county → township/street → village/community, with county
// departments directly under the county.
func (k OrgKind) AllowedUnder(parent OrgKind) bool {
	switch k {
	case KindTownship, KindStreet, KindDepartment:
		return parent == KindCounty
	case KindVillage, KindCommunity:
		return parent == KindTownship || parent == KindStreet
	default:
		return false
	}
}

// OrgUnit is a node of the tenant's org tree.
type OrgUnit struct {
	bun.BaseModel `bun:"table:org_units,alias:ou"`

	TenantID  uuid.UUID  `bun:"tenant_id,pk,type:uuid"`
	ID        uuid.UUID  `bun:"id,pk,type:uuid"`
	ParentID  *uuid.UUID `bun:"parent_id,type:uuid"`
	Kind      OrgKind    `bun:"kind"`
	Name      string     `bun:"name"`
	Code      string     `bun:"code"`
	Path      string     `bun:"path"`
	Depth     int        `bun:"depth"`
	CreatedAt time.Time  `bun:"created_at,nullzero,default:now()"`
}

// ErrNotFound is returned for rows the transaction cannot see: absent, in another tenant,
// or outside the actor's scope. Callers answer 404 for all three alike.
var ErrNotFound = errors.New("not found")

// NewOrgUnit describes a unit to create. A nil ParentID creates the county root.
type NewOrgUnit struct {
	ID       uuid.UUID
	ParentID *uuid.UUID
	Kind     OrgKind
	Name     string
	Code     string
}

// ErrOrgParent says the parent does not exist or may not hold a unit of that kind.
var ErrOrgParent = errors.New("org unit cannot hang under that parent")

// CreateOrgUnit inserts a unit under its parent, computing its materialised path.
func CreateOrgUnit(ctx context.Context, in NewOrgUnit) (*OrgUnit, error) {
	tx, ok := TxFrom(ctx)
	if !ok {
		return nil, errors.New("tenants: CreateOrgUnit outside a tenant transaction")
	}
	if in.ID == uuid.Nil {
		in.ID = uuid.New()
	}
	u := &OrgUnit{TenantID: tx.tenantID, ID: in.ID, ParentID: in.ParentID, Kind: in.Kind, Name: in.Name, Code: in.Code}
	if in.ParentID == nil {
		if in.Kind != KindCounty {
			return nil, ErrOrgParent
		}
		u.Path, u.Depth = "/"+u.ID.String()+"/", 0
	} else {
		parent, err := GetOrgUnit(ctx, *in.ParentID)
		if errors.Is(err, ErrNotFound) {
			return nil, ErrOrgParent
		}
		if err != nil {
			return nil, err
		}
		if !in.Kind.AllowedUnder(parent.Kind) {
			return nil, ErrOrgParent
		}
		u.Path, u.Depth = parent.Path+u.ID.String()+"/", parent.Depth+1
	}
	if _, err := tx.DB().NewInsert().Model(u).Returning("created_at").Exec(ctx); err != nil {
		return nil, err
	}
	return u, nil
}

// GetOrgUnit returns one unit of the tenant.
func GetOrgUnit(ctx context.Context, id uuid.UUID) (*OrgUnit, error) {
	u := new(OrgUnit)
	err := Own(ctx, DB(ctx).NewSelect().Model(u)).Where("ou.id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return u, err
}

// ListOrgUnits returns the units the actor's scope reaches, parents before children.
func ListOrgUnits(ctx context.Context, a *Actor) ([]OrgUnit, error) {
	var units []OrgUnit
	q := Own(ctx, DB(ctx).NewSelect().Model(&units)).Order("ou.depth", "ou.path")
	// An org-scoped member sees their own unit's ancestors too, so the tree has its root.
	if a.Scope == ScopeOrgSubtree {
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("ou.path LIKE ?", EscapeLike(a.OrgPath)+"%").WhereOr("? LIKE ou.path || '%'", a.OrgPath)
		})
	} else {
		q = a.Scope.Apply(q, a, "ou.path", "")
	}
	return units, q.Scan(ctx)
}

// OrgUnitsOfKind returns the tenant's units of one kind (its departments, say), by path.
func OrgUnitsOfKind(ctx context.Context, kind OrgKind) ([]OrgUnit, error) {
	var units []OrgUnit
	err := Own(ctx, DB(ctx).NewSelect().Model(&units)).Where("ou.kind = ?", kind).Order("ou.path").Scan(ctx)
	return units, err
}

// UnitNames maps each of ids that names a unit of the tenant to the unit's name.
func UnitNames(ctx context.Context, ids ...uuid.UUID) (map[uuid.UUID]string, error) {
	names := map[uuid.UUID]string{}
	if len(ids) == 0 {
		return names, nil
	}
	var units []OrgUnit
	if err := Own(ctx, DB(ctx).NewSelect().Model(&units)).Column("id", "name").Where("ou.id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return nil, err
	}
	for _, u := range units {
		names[u.ID] = u.Name
	}
	return names, nil
}

// OrgPathNames returns the names from the county down to unit id.
func OrgPathNames(ctx context.Context, path string) ([]string, error) {
	var names []string
	err := Own(ctx, DB(ctx).NewSelect().Model((*OrgUnit)(nil))).Column("name").
		Where("? LIKE ou.path || '%'", path).Order("ou.depth").Scan(ctx, &names)
	if err != nil {
		return nil, fmt.Errorf("org path names: %w", err)
	}
	return names, nil
}
