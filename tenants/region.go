package tenants

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun"
)

// Region roles: accounts that belong to a region above the counties (issue 16), not to a county.
const (
	// RoleCitySupervisor reads the supervision feed of the counties of one city (地级市).
	RoleCitySupervisor Role = "city_supervisor"
	// RoleProvinceSupervisor reads it for every county of a province.
	RoleProvinceSupervisor Role = "province_supervisor"
)

// RegionRoles are the roles a region account may hold (RolePlatformOperator's region is the
// country root). A county's membership never holds one of the supervisors' roles.
var RegionRoles = []Role{RoleCitySupervisor, RoleProvinceSupervisor, RolePlatformOperator}

func init() {
	roleLabels[RoleCitySupervisor] = "市级监察员"
	roleLabels[RoleProvinceSupervisor] = "省级监察员"
}

// CountyRole reports whether a county's membership may hold r.
func (r Role) CountyRole() bool {
	return r.Valid() && r != RoleCitySupervisor && r != RoleProvinceSupervisor
}

// supervisionRole is the database role a region's transaction runs as (migration.SupervisionRole;
// the migration package imports this one, not the other way round).
const supervisionRole = "yichuang_supervision"

var regionCodePattern = regexp.MustCompile(`^[0-9]{6}$`)

// ValidRegionCode reports whether code is a 6-digit GB/T 2260 code.
func ValidRegionCode(code string) bool { return regionCodePattern.MatchString(code) }

// RegionTx is a transaction of a region: it runs as the supervision role, which may read the
// supervision store and nothing of any county, and sees the store's rows under its path only.
type RegionTx struct {
	conn bun.Conn
	Code string
	Path string
}

type regionKey struct{}

// ErrNoRegion: no region has the code.
var ErrNoRegion = errors.New("tenants: no such region")

// InRegion runs fn in a transaction of the region with the given code: SET LOCAL ROLE to the
// supervision role, then SET LOCAL app.region_path to the region's path. It is the only place
// that sets app.region_path, and it never sets app.tenant_id: a region's transaction sees no
// county's tables at all (the role has no grant on them), only the store.
func (s *Store) InRegion(ctx context.Context, code string, fn func(ctx context.Context) error) (err error) {
	if _, ok := TxFrom(ctx); ok {
		return errors.New("tenants: region transaction inside a tenant transaction")
	}
	if _, ok := RegionFrom(ctx); ok {
		return errors.New("tenants: nested region transaction")
	}
	if !ValidRegionCode(code) {
		return ErrNoRegion
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	ptx, err := beginOn(ctx, conn, "")
	if err != nil {
		return err
	}
	defer end(ctx, ptx, &err, nil)
	if _, err = ptx.Exec(ctx, "SET LOCAL ROLE "+supervisionRole); err != nil {
		return err
	}
	var path string
	if err = ptx.QueryRow(ctx, "SELECT path FROM supervision.regions WHERE code = $1", code).Scan(&path); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNoRegion
		}
		return err
	}
	// SET takes no parameters; the path is digits and slashes by the table's CHECK.
	if !regionPathPattern.MatchString(path) {
		return fmt.Errorf("tenants: bad region path %q", path)
	}
	if _, err = ptx.Exec(ctx, fmt.Sprintf("SET LOCAL app.region_path = '%s'", path)); err != nil {
		return err
	}
	return fn(context.WithValue(ctx, regionKey{}, &RegionTx{conn: conn, Code: code, Path: path}))
}

var regionPathPattern = regexp.MustCompile(`^(/[0-9]{6})+/$`)

// RegionFrom returns the region transaction carried by ctx.
func RegionFrom(ctx context.Context) (*RegionTx, bool) {
	r, ok := ctx.Value(regionKey{}).(*RegionTx)
	return r, ok
}

// RegionDB is the bun handle of the region transaction in ctx; it panics outside one.
func RegionDB(ctx context.Context) bun.IDB {
	r, ok := RegionFrom(ctx)
	if !ok {
		panic("tenants.RegionDB called outside a region transaction")
	}
	return r.conn
}

// InPlatform runs fn in the platform operator's transaction: the runtime role with
// app.platform_admin (write the region registry and region accounts) and app.platform_scan
// (read the county registry) set, and no tenant. It reaches no county's rows: health figures
// are read in each county's own transaction (Store.InTx), one county at a time.
func (s *Store) InPlatform(ctx context.Context, fn func(ctx context.Context, db bun.IDB) error) error {
	if _, ok := TxFrom(ctx); ok {
		return errors.New("tenants: platform transaction inside a tenant transaction")
	}
	return s.db.RunInTx(ctx, &sql.TxOptions{}, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "SET LOCAL app.platform_admin = 'on'"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "SET LOCAL app.platform_scan = 'on'"); err != nil {
			return err
		}
		return fn(ctx, tx)
	})
}

// BacklogCap bounds Backlog's count: past it the console shows "more than".
const BacklogCap = 1000

// Backlog counts the county's jobs waiting to run (available, scheduled, retryable; up to
// BacklogCap), through River's own listing (never its tables): the operator console's health.
func (s *Store) Backlog(ctx context.Context, tenantID uuid.UUID) (int, error) {
	if s.river == nil {
		return 0, errors.New("tenants: no River client attached to the store")
	}
	params := river.NewJobListParams().States(rivertype.JobStateAvailable, rivertype.JobStateScheduled, rivertype.JobStateRetryable).
		Where("args ->> 'tenant_id' = @tenant", river.NamedArgs{"tenant": tenantID.String()}).First(BacklogCap)
	res, err := s.river.JobList(ctx, params)
	if err != nil {
		return 0, err
	}
	return len(res.Jobs), nil
}
