//go:build statementaudit

package migration_test

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/yichuang/yichuang/tenants/tenanttest"
)

// rlsProbe marks the few test statements that omit tenant_id deliberately, to prove that RLS
// alone isolates counties (e.g. tenants/tenants_test.go); nothing outside tests may carry it.
const rlsProbe = "/* rls probe */"

// TestEveryStatementFiltersTenant reads pg_stat_statements after the whole Go suite has run
// (infra/scripts/test.sh runs it last, with -tags statementaudit, so the main run neither
// compiles nor skips it) and fails on any statement of the runtime role that touches a
// tenant table without naming tenant_id. RLS alone keeps counties apart, but on Citus only
// an explicit tenant_id predicate routes a query to one shard instead of every shard.
//
// The one exclusion: a statement carrying the comment rlsProbe is a test proving that RLS by
// itself keeps another county's rows out, so it leaves the predicate off on purpose.
func TestEveryStatementFiltersTenant(t *testing.T) {
	db := tenanttest.New(t)
	ctx := context.Background()
	if _, err := db.Owner.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"); err != nil {
		t.Fatalf("pg_stat_statements: %v (the test stack preloads it: infra/scripts/stack.sh)", err)
	}
	rows, err := db.Owner.Query(ctx, `
		SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
		  AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, regexp.QuoteMeta(name))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	// A table is touched when its name follows FROM, JOIN, UPDATE, INTO or DELETE FROM,
	// quoted or not, optionally schema-qualified.
	touches := regexp.MustCompile(`(?i)\b(from|join|update|into)\s+(?:"?public"?\.)?"?(` + strings.Join(tables, "|") + `)"?(\s|$|\))`)
	// Naming the column is not enough (a SELECT of a whole model lists tenant_id among its
	// columns), nor is a join on it: the statement must compare tenant_id with a value, which
	// pg_stat_statements shows as a parameter ($n), `tenant_id = $1` or `tenant_id IN ($1, ...)`
	// (joins on tenant_id then keep the other tables on the same shard). An INSERT gives it
	// in the column list instead: Citus routes the row by it.
	predicate := regexp.MustCompile(`(?i)tenant_id"?\s*(=\s*\$\d|IN\s*\(\s*\$\d|=\s*ANY\s*\(\s*\$\d)|\$\d+\s*=\s*[\w".]*tenant_id\b`)
	insert := regexp.MustCompile(`(?is)^\s*INSERT\s+INTO\s+[\w".]+\s*(AS\s+[\w"]+\s*)?\([^)]*\btenant_id\b`)

	rows, err = db.Owner.Query(ctx, `
		SELECT s.query, s.calls FROM pg_stat_statements s
		WHERE s.userid = (SELECT oid FROM pg_roles WHERE rolname = $1)`, tenanttest.AppRole)
	if err != nil {
		t.Fatal(err)
	}
	var seen, bad int
	var offenders []string
	for rows.Next() {
		var q string
		var calls int64
		if err := rows.Scan(&q, &calls); err != nil {
			t.Fatal(err)
		}
		seen++
		if !touches.MatchString(q) || predicate.MatchString(q) || insert.MatchString(q) || strings.Contains(q, rlsProbe) {
			continue
		}
		bad++
		offenders = append(offenders, q)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if seen < 100 {
		t.Fatalf("pg_stat_statements holds only %d statements of %s: did the suite run first?", seen, tenanttest.AppRole)
	}
	sort.Strings(offenders)
	for _, q := range offenders {
		t.Errorf("statement touches a tenant table without a tenant_id predicate:\n%s", q)
	}
	t.Logf("%d statements of the runtime role checked, %d without tenant_id", seen, bad)
}
