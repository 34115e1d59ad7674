package tenants_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"runtime"
	"testing"

	"github.com/yichuang/yichuang/tenants"
)

var unitName = tenants.Prepared{Name: "yc_test_unit_name",
	SQL: `SELECT json_build_object('name', o.name) FROM org_units o WHERE o.tenant_id = $1 AND o.id = $2`}

func TestReadOnce(t *testing.T) {
	t.Parallel()
	bundle := setup(t)
	ctx := context.Background()
	store := bundle.db.Store

	// The county's own row, more than once (the second time the statement is prepared already).
	for range 3 {
		raw, err := store.ReadOnce(ctx, bundle.a.ID, unitName, bundle.a.ID, bundle.a.County.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got struct{ Name string }
		if err := json.Unmarshal(raw, &got); err != nil || got.Name != bundle.a.County.Name {
			t.Fatalf("ReadOnce = %s (%v), want the county's name %q", raw, err, bundle.a.County.Name)
		}
	}
	// No row: nil, no error.
	if raw, err := store.ReadOnce(ctx, bundle.a.ID, unitName, bundle.a.ID, bundle.b.County.ID); err != nil || raw != nil {
		t.Fatalf("another county's unit: %s, %v; want nil, nil", raw, err)
	}
	// RLS holds inside the message: a statement that forgets the predicate still sees only
	// the county set by SET LOCAL.
	count := tenants.Prepared{Name: "yc_test_unit_count", SQL: `SELECT /* rls probe */ json_build_object('n', count(*)) FROM org_units o WHERE o.id = $1`}
	raw, err := store.ReadOnce(ctx, bundle.a.ID, count, bundle.b.County.ID)
	if err != nil || string(raw) != `{"n" : 0}` {
		t.Fatalf("B's unit counted as A: %s, %v; want 0", raw, err)
	}
	// The transaction is read-only; a failing statement leaves no transaction open, and the
	// next read works.
	write := tenants.Prepared{Name: "yc_test_write", SQL: `WITH u AS (UPDATE org_units SET name = name WHERE tenant_id = $1 RETURNING 1) SELECT json_build_object('n', count(*)) FROM u`}
	if _, err := store.ReadOnce(ctx, bundle.a.ID, write, bundle.a.ID); err == nil {
		t.Fatal("a write went through ReadOnce's read-only transaction")
	}
	for range 20 { // more than the pool's connections that could have been left aborted
		if _, err := store.ReadOnce(ctx, bundle.a.ID, unitName, bundle.a.ID, bundle.a.County.ID); err != nil {
			t.Fatalf("after a failed read: %v", err)
		}
	}
}

func TestScanOne(t *testing.T) {
	t.Parallel()
	bundle := setup(t)
	bundle.db.Ctx(t, bundle.a.ID, func(ctx context.Context) error {
		u := new(tenants.OrgUnit)
		if err := tenants.ScanOne(ctx, u, `SELECT * FROM org_units WHERE tenant_id = $1 AND id = $2`, bundle.a.ID, bundle.a.County.ID); err != nil {
			return err
		}
		if u.ID != bundle.a.County.ID || u.Name != bundle.a.County.Name || u.Path != bundle.a.County.Path {
			t.Errorf("ScanOne = %+v, want %+v", u, bundle.a.County)
		}
		// B's county is outside A's transaction even without the predicate (RLS).
		err := tenants.ScanOne(ctx, u, `SELECT /* rls probe */ * FROM org_units WHERE id = $1`, bundle.b.County.ID)
		if !errors.Is(err, sql.ErrNoRows) {
			t.Errorf("B's county from A's transaction: %v, want sql.ErrNoRows", err)
		}
		return nil
	})
}

func TestOpenPoolSize(t *testing.T) {
	t.Parallel()
	bundle := setup(t)
	if n, want := bundle.db.App.Config().MaxConns, int32(max(4, runtime.NumCPU())); n != want {
		t.Errorf("the runtime role's pool holds at most %d connections, want pgx's default %d", n, want)
	}
	pool, err := tenants.OpenPool(context.Background(), bundle.db.AppURL+"&pool_max_conns=3")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if n := pool.Config().MaxConns; n != 3 {
		t.Errorf("pool_max_conns=3 in the URL gave %d connections", n)
	}
}
