package tenants

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Tenant is one county.
type Tenant struct {
	bun.BaseModel `bun:"table:tenants,alias:t"`

	ID         uuid.UUID `bun:"id,pk,type:uuid"`
	Code       string    `bun:"code"`
	Name       string    `bun:"name"`
	RegionCode string    `bun:"region_code"`
	Status     string    `bun:"status"`
	// CityCode is the city (地级市) the county belongs to (supervision.regions), if any.
	CityCode  *string   `bun:"city_code"`
	CreatedAt time.Time `bun:"created_at,nullzero,default:now()"`
}

// CreateTenant registers the tenant of the transaction in ctx (its id is the transaction's
// tenant, so the row passes the same policy as every other).
func CreateTenant(ctx context.Context, code, name, regionCode string) (*Tenant, error) {
	tx, ok := TxFrom(ctx)
	if !ok {
		return nil, errors.New("tenants: CreateTenant outside a tenant transaction")
	}
	if tx.tenantID != IDForCode(code) {
		return nil, errors.New("tenants: a tenant's id is derived from its code (IDForCode)")
	}
	t := &Tenant{ID: tx.tenantID, Code: code, Name: name, RegionCode: regionCode, Status: "active"}
	// city_code is left out: SetCity places a county, and tenanttest.NewBefore builds counties on
	// schemas from before the column.
	if _, err := tx.DB().NewInsert().Model(t).ExcludeColumn("city_code").Returning("created_at").Exec(ctx); err != nil {
		return nil, err
	}
	return t, nil
}

// SetCity places the county of the transaction in ctx under a city (a code of
// supervision.regions of level city); ErrNoRegion when there is no such city.
func SetCity(ctx context.Context, cityCode string) error {
	res, err := DB(ctx).NewUpdate().Model((*Tenant)(nil)).Set("city_code = ?", cityCode).
		Where("id = ?", CurrentID(ctx)).
		Where("EXISTS (SELECT FROM supervision.regions r WHERE r.code = ? AND r.level = 'city')", cityCode).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNoRegion
	}
	return nil
}

// Current returns the tenant of the transaction in ctx.
func Current(ctx context.Context) (*Tenant, error) {
	t := new(Tenant)
	err := DB(ctx).NewSelect().Model(t).Where("t.id = app_current_tenant()").Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return t, err
}

// tenantNamespace derives tenant ids from codes (UUIDv5), so an operator's "--tenant demo"
// finds its tenant without a query that could read across tenants.
var tenantNamespace = uuid.MustParse("6f1d7c64-6a35-4f7e-9a0b-3c8f2e1d9b57")

// IDForCode is the id of the tenant with the given code.
func IDForCode(code string) uuid.UUID { return uuid.NewSHA1(tenantNamespace, []byte(code)) }

// ParseRef accepts a tenant code or id.
func ParseRef(ref string) (uuid.UUID, error) {
	if id, err := uuid.Parse(ref); err == nil {
		return id, nil
	}
	if !codePattern.MatchString(ref) {
		return uuid.Nil, errors.New("tenant must be a code (e.g. demo) or a UUID")
	}
	return IDForCode(ref), nil
}

var codePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{1,31}$`)

// ValidCode reports whether code may name a tenant.
func ValidCode(code string) bool { return codePattern.MatchString(code) }

// ListAll returns every active tenant. It is the one deliberate read across tenants, for
// background maintenance that must visit each county (deadline reconciliation): it opens
// its own transaction, sets app.platform_scan there only, and reads the registry alone.
func (s *Store) ListAll(ctx context.Context) ([]Tenant, error) { return s.list(ctx, true) }

// ListEvery returns every tenant, suspended ones too, under the same rule as ListAll: for
// data migrations, which must reach each county's rows whatever its status.
func (s *Store) ListEvery(ctx context.Context) ([]Tenant, error) { return s.list(ctx, false) }

func (s *Store) list(ctx context.Context, activeOnly bool) ([]Tenant, error) {
	if _, ok := TxFrom(ctx); ok {
		return nil, errors.New("tenants: ListAll inside a tenant transaction")
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck
	if _, err := tx.ExecContext(ctx, "SELECT set_config('app.platform_scan', 'on', true)"); err != nil {
		return nil, err
	}
	var out []Tenant
	q := tx.NewSelect().Model(&out).Order("t.code")
	if activeOnly {
		q = q.Where("t.status = 'active'")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	return out, tx.Commit()
}
