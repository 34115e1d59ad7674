package tenants_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"

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

// TestOpenPoolEncodesUUIDs: the pool's connections send a uuid.UUID as 16 bytes, not through
// its driver.Valuer (text, a failed encode, a parse, then the encode), and the value that
// arrives is the same.
func TestOpenPoolEncodesUUIDs(t *testing.T) {
	t.Parallel()
	bundle := setup(t)
	conn, err := bundle.db.App.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	id := uuid.New()
	for _, v := range []any{id, &id} {
		plan := conn.Conn().TypeMap().PlanEncode(pgtype.UUIDOID, pgtype.BinaryFormatCode, v)
		if name := fmt.Sprintf("%T", plan); strings.Contains(name, "DriverValuer") {
			t.Errorf("a %T is encoded by %s, want the 16-byte plan", v, name)
		}
	}
	var text, ptext string
	var back uuid.UUID
	var none *uuid.UUID
	var isNull bool
	if err := conn.QueryRow(context.Background(), "SELECT $1::uuid::text, $1::uuid, $2::uuid::text, $3::uuid IS NULL", id, &id, none).
		Scan(&text, &back, &ptext, &isNull); err != nil {
		t.Fatal(err)
	}
	if text != id.String() || back != id || ptext != id.String() {
		t.Errorf("sent %s, the server read %s (by pointer %s) and gave back %s", id, text, ptext, back)
	}
	if !isNull {
		t.Error("a nil *uuid.UUID did not arrive as NULL")
	}
	var null uuid.UUID
	if err := conn.QueryRow(context.Background(), "SELECT NULL::uuid").Scan(&null); err != nil || null != uuid.Nil {
		t.Errorf("a NULL uuid scans as before (uuid.UUID's own Scan, the zero UUID): %v, %v", null, err)
	}
}
