// Package migration brings a database to the current schema: the application's tables
// (bun migrations from sql/), River's tables (rivermigrate, in their own schema) and the
// runtime role's grants. It runs as the owner role; the application itself never does.
package migration

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"net/url"
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

// Files are the application migrations, in order of their names.
//
//go:embed sql/*.sql
var Files embed.FS

// Result says what Up did.
type Result struct {
	Applied      []string
	RiverVersion int
}

// Up migrates the database behind ownerURL and makes appURL's user a runtime role that owns
// nothing, cannot bypass RLS and may only read and write rows. It is idempotent and
// serialised by an advisory lock, so concurrent runs (parallel test processes) are safe.
func Up(ctx context.Context, ownerURL, appURL string) (*Result, error) {
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
	applied, err := upApp(ctx, db)
	if err != nil {
		return nil, err
	}
	res.Applied = applied

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

func upApp(ctx context.Context, db *bun.DB) ([]string, error) {
	ms := migrate.NewMigrations()
	if err := ms.Discover(Files); err != nil {
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
	stmt := "ALTER ROLE " + ident + " LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION"
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
