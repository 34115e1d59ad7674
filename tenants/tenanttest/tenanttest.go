// Package tenanttest gives integration tests a real, migrated, throwaway database.
//
// The test harness (make test) starts a private PostgreSQL cluster and sets
// YC_TEST_DATABASE_URL to a superuser connection on it. Each test process (one per Go
// package) gets its own database, cloned from a template migrated once per schema version,
// so packages run in parallel without seeing each other's rows.
package tenanttest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/migration"
)

// AppRole is the runtime role tests connect as; it owns nothing and cannot bypass RLS.
const AppRole = "yichuang_app"

const appPassword = "yichuang_app_test"

// DB is a package's throwaway database.
type DB struct {
	// OwnerURL connects as the cluster superuser (migrations, tampering in tests).
	OwnerURL string
	// AppURL connects as the runtime role.
	AppURL string
	// App is a pool of the runtime role; Store is built on it.
	App *pgxpool.Pool
	// Owner is a superuser pool, for what the application itself may never do.
	Owner *pgxpool.Pool
	// Store is attached to River, so tenants.Enqueue and tenants.CancelJob work.
	Store *tenants.Store
	// River is the database's one River test client: insert-only (no workers), attached to
	// Store. Tests list jobs through it (Jobs), as River's own tests do, never its tables; a
	// test that runs workers builds its client with jobs.NewClient on a store of its own.
	River *river.Client[pgx.Tx]
	name  string
}

var (
	once   sync.Once
	shared *DB
	setErr error
)

// Require fails the test when the harness did not provide name, and skips it otherwise
// (plain `go test` on a laptop without the stack). Under make test YC_TEST_REQUIRE=1, so
// an integration test never skips there.
func Require(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		if os.Getenv("YC_TEST_REQUIRE") != "" {
			t.Fatalf("%s is not set; run the tests with `make test`", name)
		}
		t.Skipf("integration test: %s not set (run `make test`, which starts the real stack)", name)
	}
	return v
}

// NewIsolated returns a database of the test's own, dropped when the test ends. Tests that run
// River workers on a stub clock need one: River elects one leader per database to move
// scheduled jobs along, and a leader on another test's clock would hold this test's jobs back.
func NewIsolated(t testing.TB) *DB {
	t.Helper()
	New(t) // the template exists once the shared database does
	admin := Require(t, "YC_TEST_DATABASE_URL")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("test database: %v", err)
	}
	defer conn.Close(ctx)
	tmpl, err := templateName()
	if err != nil {
		t.Fatalf("test database: %v", err)
	}
	db, err := clone(ctx, conn, admin, tmpl)
	if err != nil {
		t.Fatalf("test database: %v", err)
	}
	t.Cleanup(func() {
		db.App.Close()
		db.Owner.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if c, err := pgx.Connect(ctx, admin); err == nil {
			_, _ = c.Exec(ctx, "DROP DATABASE IF EXISTS "+db.name+" WITH (FORCE)")
			c.Close(ctx)
		}
	})
	return db
}

// MigrationLock holds, until the returned func is called, the lock every test database's
// migration takes: migrating alters the cluster-wide runtime role, and two at once make
// PostgreSQL answer "tuple concurrently updated". A test that runs migrations itself (an
// upgrade from NewBefore) holds it meanwhile.
func MigrationLock(t testing.TB) (unlock func()) {
	t.Helper()
	admin := Require(t, "YC_TEST_DATABASE_URL")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("test database: %v", err)
	}
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(7302)"); err != nil {
		conn.Close(ctx)
		t.Fatalf("test database: %v", err)
	}
	return func() {
		_, _ = conn.Exec(context.Background(), "SELECT pg_advisory_unlock(7302)")
		conn.Close(context.Background())
	}
}

// Upgrade runs every migration on db (made by NewBefore) under MigrationLock.
func Upgrade(t testing.TB, db *DB) *migration.Result {
	t.Helper()
	defer MigrationLock(t)()
	res, err := migration.Up(context.Background(), db.OwnerURL, db.AppURL)
	if err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	return res
}

// NewBefore returns a database of the test's own with only the migrations named before the
// given one applied: the schema an older release left. A test of a data migration writes rows
// there the old way, then runs the upgrade (migration.Up and its Go step) on DB.OwnerURL and
// DB.AppURL. It is dropped when the test ends.
func NewBefore(t testing.TB, before string) *DB {
	t.Helper()
	admin := Require(t, "YC_TEST_DATABASE_URL")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("test database: %v", err)
	}
	defer conn.Close(ctx)
	name := "yc_" + strings.ToLower(randomHex(6))
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if c, err := pgx.Connect(ctx, admin); err == nil {
			_, _ = c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			c.Close(ctx)
		}
	})
	// Migrating alters the cluster-wide runtime role: serialised with every other test
	// database's migration (the template's too), or PostgreSQL answers "tuple concurrently
	// updated".
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(7302)"); err != nil {
		t.Fatalf("test database: %v", err)
	}
	_, err = migration.UpBefore(ctx, withDB(admin, name, "", ""), withDB(admin, name, AppRole, appPassword), before)
	_, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(7302)")
	if err != nil {
		t.Fatalf("migrate before %s: %v", before, err)
	}
	db, err := open(admin, name)
	if err != nil {
		t.Fatalf("test database: %v", err)
	}
	t.Cleanup(func() { db.App.Close(); db.Owner.Close() })
	return db
}

// New returns the package's database, creating it on first use.
func New(t testing.TB) *DB {
	t.Helper()
	admin := Require(t, "YC_TEST_DATABASE_URL")
	once.Do(func() { shared, setErr = create(admin) })
	if setErr != nil {
		t.Fatalf("test database: %v", setErr)
	}
	return shared
}

func create(adminURL string) (*DB, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return nil, err
	}
	defer admin.Close(ctx)

	tmpl, err := templateName()
	if err != nil {
		return nil, err
	}
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock(7302)"); err != nil {
		return nil, err
	}
	defer admin.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(7302)") //nolint:errcheck

	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", tmpl).Scan(&exists); err != nil {
		return nil, err
	}
	if !exists {
		building := tmpl + "_building"
		_, _ = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+building)
		if _, err := admin.Exec(ctx, "CREATE DATABASE "+building); err != nil {
			return nil, err
		}
		if _, err := migration.Up(ctx, withDB(adminURL, building, "", ""), withDB(adminURL, building, AppRole, appPassword)); err != nil {
			return nil, fmt.Errorf("migrate template: %w", err)
		}
		if err := retry(ctx, func() error {
			_, err := admin.Exec(ctx, "ALTER DATABASE "+building+" RENAME TO "+tmpl)
			return err
		}); err != nil {
			return nil, err
		}
	}

	return clone(ctx, admin, adminURL, tmpl)
}

// clone creates a database from the migrated template and opens its pools.
func clone(ctx context.Context, admin *pgx.Conn, adminURL, tmpl string) (*DB, error) {
	name := "yc_" + strings.ToLower(randomHex(6))
	if err := retry(ctx, func() error {
		_, err := admin.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+tmpl)
		return err
	}); err != nil {
		return nil, err
	}
	return open(adminURL, name)
}

// open opens the pools of database name.
func open(adminURL, name string) (*DB, error) {
	db := &DB{OwnerURL: withDB(adminURL, name, "", ""), AppURL: withDB(adminURL, name, AppRole, appPassword), name: name}
	var err error
	if db.App, err = tenants.OpenPool(context.Background(), db.AppURL); err != nil {
		return nil, err
	}
	if db.Owner, err = pgxpool.New(context.Background(), db.OwnerURL); err != nil {
		return nil, err
	}
	if db.River, err = river.NewClient(riverpgxv5.New(db.App), &river.Config{Schema: migration.RiverSchema}); err != nil {
		return nil, err
	}
	db.Store = tenants.NewStore(db.App, db.River)
	return db, nil
}

// retry absorbs "database is being accessed by other users": a pool just closed elsewhere
// may take a moment to leave the template.
func retry(ctx context.Context, fn func() error) error {
	var err error
	for range 50 {
		if err = fn(); err == nil || !strings.Contains(err.Error(), "being accessed by other users") {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(200 * time.Millisecond):
		}
	}
	return err
}

// templateName changes whenever a migration changes, so a stale template is never reused.
func templateName() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migration.Files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migration.Files, path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	return "yc_tmpl_" + hex.EncodeToString(h.Sum(nil))[:16], err
}

func withDB(base, db, user, password string) string {
	u, err := url.Parse(base)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + db
	if user != "" {
		u.User = url.UserPassword(user, password)
	}
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Tenant is a tenant made for one test, with its county root.
type Tenant struct {
	ID     uuid.UUID
	Code   string
	County *tenants.OrgUnit
}

// NewTenant creates a tenant with a unique code and its county.
func NewTenant(t testing.TB, db *DB, name string) *Tenant {
	t.Helper()
	code := "t" + randomHex(5)
	tt := &Tenant{ID: tenants.IDForCode(code), Code: code}
	err := db.Store.InTx(context.Background(), tt.ID, func(ctx context.Context) error {
		if _, err := tenants.CreateTenant(ctx, code, name, ""); err != nil {
			return err
		}
		var err error
		tt.County, err = tenants.CreateOrgUnit(ctx, tenants.NewOrgUnit{Kind: tenants.KindCounty, Name: name, Code: "county"})
		return err
	})
	if err != nil {
		t.Fatalf("create tenant: %v", err)
	}
	return tt
}

// Ctx runs fn inside a tenant transaction and fails the test on error.
func (db *DB) Ctx(t testing.TB, tenantID uuid.UUID, fn func(ctx context.Context) error) {
	t.Helper()
	if err := db.Store.InTx(context.Background(), tenantID, fn); err != nil {
		t.Fatalf("tenant transaction: %v", err)
	}
}

// Unit creates an org unit under parent inside the tenant transaction in ctx.
func Unit(t testing.TB, ctx context.Context, parent uuid.UUID, kind tenants.OrgKind, name, code string) *tenants.OrgUnit {
	t.Helper()
	u, err := tenants.CreateOrgUnit(ctx, tenants.NewOrgUnit{ParentID: &parent, Kind: kind, Name: name, Code: code})
	if err != nil {
		t.Fatalf("create org unit %s: %v", name, err)
	}
	return u
}

// Member inserts an active membership in u with one role (a random identity, no Kratos
// account) and returns it as an actor: enough for service tests, which act as members
// without signing in.
func Member(t testing.TB, ctx context.Context, u *tenants.OrgUnit, role tenants.Role, phone string) *tenants.Actor {
	t.Helper()
	tx, _ := tenants.TxFrom(ctx)
	m := &tenants.Membership{TenantID: tx.TenantID(), IdentityID: uuid.New(), OrgUnitID: u.ID, Name: "成员" + phone[len(phone)-4:], Phone: phone,
		Roles: []tenants.Role{role}, Scope: tenants.ScopeOrgSubtree, Status: tenants.StatusActive}
	// Columns added by later releases with a default are left to it, so Member also builds a
	// county on an older release's schema (NewBefore).
	if _, err := tenants.DB(ctx).NewInsert().Model(m).ExcludeColumn("must_change_password").Exec(ctx); err != nil {
		t.Fatalf("insert member %s: %v", phone, err)
	}
	m.OrgUnit = u
	return m.Actor("")
}
