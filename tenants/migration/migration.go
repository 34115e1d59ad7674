// Package migration brings a database to the current schema: the application's tables
// (bun migrations from sql/), River's tables (rivermigrate, in their own schema) and the
// runtime role's grants. It runs as the owner role; the application itself never does.
package migration

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"regexp"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/migrate"
)

// RiverSchema keeps River's tables apart from the application's, so the catalog rules for
// tenant tables apply to schema public alone.
const RiverSchema = "river"

// SupervisionRole reads the supervision store for a region (services/supervision switches to
// it with SET LOCAL ROLE); it is granted nothing in schemas public and river.
const SupervisionRole = "yichuang_supervision"

// Files are the application migrations, in order of their names.
//
//go:embed sql/*.sql
var Files embed.FS

// Result says what Up did.
type Result struct {
	Applied      []string
	RiverVersion int
	// PlaintextIDs counts the applications whose applicant ID number still waits to be sealed
	// (application.SealPlaintextIDs, then Finish); 0 once applicant_id_no is gone.
	PlaintextIDs int64
}

// Up migrates the database behind ownerURL and makes appURL's user a runtime role that owns
// nothing, cannot bypass RLS and may only read and write rows. It is idempotent and
// serialised by an advisory lock, so concurrent runs (parallel test processes) are safe.
func Up(ctx context.Context, ownerURL, appURL string) (*Result, error) {
	return up(ctx, ownerURL, appURL, "")
}

// UpBefore is Up with only the application migrations named before the given one (River's
// and the grants in full, Finish not at all): the schema an older release left, on which a
// test can write old rows and then run the upgrade.
func UpBefore(ctx context.Context, ownerURL, appURL, before string) (*Result, error) {
	if before == "" {
		return nil, errors.New("migration: UpBefore needs a migration name")
	}
	return up(ctx, ownerURL, appURL, before)
}

func up(ctx context.Context, ownerURL, appURL, before string) (*Result, error) {
	appRole, appPassword, err := roleFromURL(appURL)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.New(ctx, ownerURL)
	if err != nil {
		return nil, fmt.Errorf("connect as owner: %w", err)
	}
	defer pool.Close()

	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect as owner: %w", err)
	}
	defer conn.Release()
	// Roles are cluster-wide; one lock key for every database of the cluster.
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(7301)"); err != nil {
		return nil, err
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(7301)") //nolint:errcheck

	if err := ensureRole(ctx, conn.Conn(), appRole, appPassword); err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+RiverSchema); err != nil {
		return nil, err
	}

	res := &Result{}
	db := bun.NewDB(stdlib.OpenDBFromPool(pool), pgdialect.New())
	defer db.Close()
	applied, err := upApp(ctx, db, before)
	if err != nil {
		return nil, err
	}
	res.Applied = applied
	if before == "" {
		if res.PlaintextIDs, err = finish(ctx, conn.Conn()); err != nil {
			return nil, err
		}
	}

	rm, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Schema: RiverSchema})
	if err != nil {
		return nil, err
	}
	rr, err := rm.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return nil, fmt.Errorf("river migrations: %w", err)
	}
	if n := len(rr.Versions); n > 0 {
		res.RiverVersion = rr.Versions[n-1].Version
	}

	if err := grant(ctx, conn.Conn(), appRole); err != nil {
		return nil, err
	}
	return res, nil
}

func upApp(ctx context.Context, db *bun.DB, before string) ([]string, error) {
	ms := migrate.NewMigrations()
	var files fs.FS = Files
	if before != "" {
		files = filesBefore{before}
	}
	if err := ms.Discover(files); err != nil {
		return nil, err
	}
	m := migrate.NewMigrator(db, ms, migrate.WithMarkAppliedOnSuccess(true))
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("init migrations: %w", err)
	}
	group, err := m.Migrate(ctx)
	if err != nil {
		return nil, fmt.Errorf("app migrations: %w", err)
	}
	var names []string
	for _, mg := range group.Migrations {
		names = append(names, mg.Name)
	}
	return names, nil
}

var roleName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

func roleFromURL(appURL string) (role, password string, err error) {
	u, err := url.Parse(appURL)
	if err != nil || u.User == nil {
		return "", "", errors.New("APP_DATABASE_URL must name the runtime role (postgres://ROLE:PASSWORD@host/db)")
	}
	role = u.User.Username()
	password, _ = u.User.Password()
	if !roleName.MatchString(role) {
		return "", "", fmt.Errorf("runtime role name %q must match %s", role, roleName)
	}
	return role, password, nil
}

func ensureRole(ctx context.Context, conn *pgx.Conn, role, password string) error {
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = $1)", role).Scan(&exists); err != nil {
		return err
	}
	ident := pgx.Identifier{role}.Sanitize()
	if !exists {
		if _, err := conn.Exec(ctx, "CREATE ROLE "+ident+" LOGIN"); err != nil {
			return fmt.Errorf("create runtime role %s: %w", role, err)
		}
	}
	// Re-assert the limits every time: a role created by hand must not keep more power.
	// NOINHERIT: the role may switch to the supervision role for a region's transaction
	// (SET LOCAL ROLE), but never holds that role's privileges or falls under its policies
	// otherwise.
	stmt := "ALTER ROLE " + ident + " LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION NOINHERIT"
	if password != "" {
		stmt += " PASSWORD " + quoteLiteral(password)
	}
	if _, err := conn.Exec(ctx, stmt); err != nil {
		return fmt.Errorf("limit runtime role %s: %w", role, err)
	}
	return nil
}

func grant(ctx context.Context, conn *pgx.Conn, role string) error {
	r := pgx.Identifier{role}.Sanitize()
	var dbName string
	if err := conn.QueryRow(ctx, "SELECT current_database()").Scan(&dbName); err != nil {
		return err
	}
	stmts := []string{
		"GRANT CONNECT, TEMPORARY ON DATABASE " + pgx.Identifier{dbName}.Sanitize() + " TO " + r,
		"GRANT USAGE ON SCHEMA public, " + RiverSchema + " TO " + r,
		"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + r,
		"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO " + r,
		"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + RiverSchema + " TO " + r,
		"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA " + RiverSchema + " TO " + r,
		"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA " + RiverSchema + " TO " + r,
		// Migration bookkeeping is the owner's alone.
		"REVOKE ALL ON bun_migrations, bun_migration_locks FROM " + r,
		// History is appended, never rewritten.
		"REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM " + r,
		"REVOKE DELETE, TRUNCATE ON audit_heads, tenants FROM " + r,
	}
	var supervised bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = 'supervision')").Scan(&supervised); err != nil {
		return err
	}
	if supervised { // not on a database migrated only up to an older release (UpBefore)
		stmts = append(stmts,
			// Supervision (20261205000020): the runtime role writes a county's feed in the
			// county's transaction and switches to SupervisionRole for a region's reads.
			"GRANT USAGE ON SCHEMA supervision TO "+r,
			"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA supervision TO "+r,
			"GRANT "+SupervisionRole+" TO "+r,
			// The supervision role reads the store and nothing else, whatever was granted before.
			"REVOKE ALL ON ALL TABLES IN SCHEMA public, "+RiverSchema+" FROM "+SupervisionRole,
			"REVOKE ALL ON SCHEMA public, "+RiverSchema+" FROM "+SupervisionRole)
	}
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			return fmt.Errorf("grant (%s): %w", s, err)
		}
	}
	return nil
}

func quoteLiteral(s string) string {
	out := []rune{'\''}
	for _, c := range s {
		if c == '\'' {
			out = append(out, '\'')
		}
		out = append(out, c)
	}
	return string(append(out, '\''))
}

// Finish completes the data migrations SQL alone cannot do, once their Go step has run.
// Today that is 20261205000006_applicant_secret: applications.applicant_id_no (the plaintext
// applicant ID number) is dropped when no county has a row left that holds one, and the
// sealed columns become NOT NULL. It returns how many plaintext rows still wait (and then
// changes nothing); a database that has none, or no longer the column, is done. Up calls it
// too, so a new installation never has the column; `yichuang migrate` calls it again after
// sealing. It is idempotent and serialised with Up.
func Finish(ctx context.Context, ownerURL string) (pending int64, err error) {
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		return 0, fmt.Errorf("connect as owner: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(7301)"); err != nil {
		return 0, err
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(7301)") //nolint:errcheck
	return finish(ctx, conn)
}

func finish(ctx context.Context, conn *pgx.Conn) (pending int64, err error) {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck
	var present bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_attribute
		WHERE attrelid = 'applications'::regclass AND attname = 'applicant_id_no' AND NOT attisdropped)`).Scan(&present); err != nil {
		return 0, err
	}
	if !present {
		return 0, nil
	}
	// No write may add a plaintext row between the count and the drop.
	if _, err := tx.Exec(ctx, "LOCK TABLE applications IN ACCESS EXCLUSIVE MODE"); err != nil {
		return 0, err
	}
	// The owner is subject to the forced row level security like everyone (only a superuser
	// is not), so it counts county by county under each county's own setting.
	if _, err := tx.Exec(ctx, "SELECT set_config('app.platform_scan', 'on', true)"); err != nil {
		return 0, err
	}
	rows, err := tx.Query(ctx, "SELECT id::text FROM tenants")
	if err != nil {
		return 0, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		var n int64
		if _, err := tx.Exec(ctx, "SELECT set_config('app.tenant_id', $1, true)", id); err != nil {
			return 0, err
		}
		// tenant_id named too: a superuser owner is not subject to the policy at all.
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM applications WHERE tenant_id = $1 AND applicant_id_no IS NOT NULL", id).Scan(&n); err != nil {
			return 0, err
		}
		pending += n
	}
	if pending > 0 {
		return pending, nil
	}
	// Dropping the column drops the one-form CHECK with it; the sealed form is then the only one.
	// SET NOT NULL in the same statement is a second guard: it checks every row, whatever the
	// policies, so a row left unsealed fails the whole statement and keeps its column.
	if _, err := tx.Exec(ctx, `ALTER TABLE applications DROP COLUMN applicant_id_no,
		ALTER COLUMN applicant_id_sealed SET NOT NULL, ALTER COLUMN applicant_id_blind SET NOT NULL`); err != nil {
		return 0, fmt.Errorf("drop applications.applicant_id_no: %w", err)
	}
	return 0, tx.Commit(ctx)
}

// filesBefore is Files without the migrations named before or later.
type filesBefore struct{ before string }

func (f filesBefore) Open(name string) (fs.File, error) {
	if name != "." && name != "sql" && path.Base(name) >= f.before {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return Files.Open(name)
}

func (f filesBefore) ReadDir(name string) ([]fs.DirEntry, error) {
	es, err := fs.ReadDir(Files, name)
	if err != nil {
		return nil, err
	}
	var out []fs.DirEntry
	for _, e := range es {
		if e.IsDir() || e.Name() < f.before {
			out = append(out, e)
		}
	}
	return out, nil
}
