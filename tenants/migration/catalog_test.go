package migration_test

import (
	"context"
	"testing"

	"github.com/yichuang/yichuang/tenants/tenanttest"
)

// platformTables have no tenant_id column but are still isolated by RLS of their own: the
// registry by its key, signin_throttle (counted before the tenant is known, see its
// migration) by a setting only services/signin sets.
var platformTables = map[string]bool{"tenants": true, "signin_throttle": true}

// ownerOnlyTables are bookkeeping the runtime role cannot read at all.
var ownerOnlyTables = map[string]bool{"bun_migrations": true, "bun_migration_locks": true}

// TestCatalogTenantRules enumerates every table in schema public and fails if a tenant table
// lacks RLS + FORCE, or has a primary, unique or foreign key without tenant_id; and if any
// other table is readable by the runtime role without being a known platform table.
func TestCatalogTenantRules(t *testing.T) {
	t.Parallel()
	db := tenanttest.New(t)
	ctx := context.Background()

	rows, err := db.Owner.Query(ctx, `
		SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
		       EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped),
		       has_table_privilege($1, c.oid, 'SELECT'),
		       EXISTS (SELECT FROM pg_policy p WHERE p.polrelid = c.oid)
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')`, tenanttest.AppRole)
	if err != nil {
		t.Fatal(err)
	}
	type table struct {
		name                            string
		rls, force, tenantCol, appReads bool
		policy                          bool
	}
	var tables []table
	for rows.Next() {
		var tb table
		if err := rows.Scan(&tb.name, &tb.rls, &tb.force, &tb.tenantCol, &tb.appReads, &tb.policy); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, tb)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(tables) < 6 {
		t.Fatalf("found only %d tables; is the schema migrated?", len(tables))
	}
	tenantTables := 0
	for _, tb := range tables {
		switch {
		case tb.tenantCol:
			tenantTables++
			if !tb.rls || !tb.force || !tb.policy {
				t.Errorf("tenant table %s: rls=%v force=%v policy=%v, want all true", tb.name, tb.rls, tb.force, tb.policy)
			}
		case platformTables[tb.name]:
			if !tb.rls || !tb.force || !tb.policy {
				t.Errorf("platform table %s must be isolated by RLS + FORCE too", tb.name)
			}
		case ownerOnlyTables[tb.name]:
			if tb.appReads {
				t.Errorf("runtime role can read owner-only table %s", tb.name)
			}
		default:
			t.Errorf("table %s has no tenant_id and is not a known platform table", tb.name)
		}
	}
	if tenantTables < 5 {
		t.Errorf("only %d tenant tables found", tenantTables)
	}

	// Every primary, unique and foreign key of a tenant table must include tenant_id.
	keys, err := db.Owner.Query(ctx, `
		SELECT c.relname, k.conname, k.contype::text
		FROM pg_constraint k
		JOIN pg_class c ON c.oid = k.conrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute ta ON ta.attrelid = c.oid AND ta.attname = 'tenant_id'
		WHERE n.nspname = 'public' AND k.contype IN ('p', 'u', 'f')
		  AND NOT (ta.attnum = ANY (k.conkey))`)
	if err != nil {
		t.Fatal(err)
	}
	defer keys.Close()
	for keys.Next() {
		var table, name, kind string
		if err := keys.Scan(&table, &name, &kind); err != nil {
			t.Fatal(err)
		}
		t.Errorf("table %s: key %s (%s) does not include tenant_id", table, name, kind)
	}
	// Unique indexes made without a constraint count as unique keys too.
	idx, err := db.Owner.Query(ctx, `
		SELECT c.relname, i.relname
		FROM pg_index x
		JOIN pg_class i ON i.oid = x.indexrelid
		JOIN pg_class c ON c.oid = x.indrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute ta ON ta.attrelid = c.oid AND ta.attname = 'tenant_id'
		WHERE n.nspname = 'public' AND x.indisunique AND NOT (ta.attnum = ANY (x.indkey::int2[]))`)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	for idx.Next() {
		var table, name string
		if err := idx.Scan(&table, &name); err != nil {
			t.Fatal(err)
		}
		t.Errorf("table %s: unique index %s does not include tenant_id", table, name)
	}
}

// TestRuntimeRole checks the role the application connects as owns nothing and cannot
// bypass row level security.
func TestRuntimeRole(t *testing.T) {
	t.Parallel()
	db := tenanttest.New(t)
	ctx := context.Background()
	var super, bypass bool
	var owned int
	err := db.Owner.QueryRow(ctx, `
		SELECT r.rolsuper, r.rolbypassrls,
		       (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid)::int
		FROM pg_roles r WHERE r.rolname = $1`, tenanttest.AppRole).Scan(&super, &bypass, &owned)
	if err != nil {
		t.Fatal(err)
	}
	if super || bypass || owned != 0 {
		t.Fatalf("runtime role: superuser=%v bypassrls=%v owns %d relations; want false, false, 0", super, bypass, owned)
	}
}
