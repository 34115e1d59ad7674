package tenants_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

type testBundle struct {
	db   *tenanttest.DB
	a, b *tenanttest.Tenant
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	db := tenanttest.New(t)
	return &testBundle{db: db, a: tenanttest.NewTenant(t, db, "甲县"), b: tenanttest.NewTenant(t, db, "乙县")}
}

func TestRawQueryWithoutTenantSeesNothing(t *testing.T) {
	t.Parallel()
	bundle := setup(t)
	ctx := context.Background()
	for _, table := range []string{"tenants", "org_units", "memberships", "audit_events", "audit_heads"} {
		var n int
		if err := bundle.db.App.QueryRow(ctx, "SELECT /* rls probe */ count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		if n != 0 {
			t.Errorf("runtime role without app.tenant_id sees %d rows of %s, want 0", n, table)
		}
	}
	// The same holds after the setting was used and reset by an earlier transaction on the
	// same session (current_setting then returns '' rather than NULL).
	conn, err := bundle.db.App.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "SELECT set_config('app.tenant_id', $1, true)", bundle.a.ID.String()); err != nil {
		t.Fatal(err)
	}
	var inside int
	if err := tx.QueryRow(ctx, "SELECT /* rls probe */ count(*) FROM org_units").Scan(&inside); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var after int
	if err := conn.QueryRow(ctx, "SELECT /* rls probe */ count(*) FROM org_units").Scan(&after); err != nil {
		t.Fatal(err)
	}
	if inside == 0 || after != 0 {
		t.Fatalf("inside the tenant transaction saw %d units (want > 0), after it %d (want 0)", inside, after)
	}
	// Writing a row of no tenant is refused by the policy's WITH CHECK.
	_, err = bundle.db.App.Exec(ctx, "INSERT INTO org_units (tenant_id, id, kind, name, code, path, depth) VALUES ($1, $2, 'county', 'x', 'x', '/x/', 0)",
		bundle.a.ID, uuid.New())
	if err == nil {
		t.Fatal("insert without app.tenant_id succeeded")
	}
}

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	bundle := setup(t)
	// Tenant A cannot see or attach to B's county.
	bundle.db.Ctx(t, bundle.a.ID, func(ctx context.Context) error {
		if _, err := tenants.GetOrgUnit(ctx, bundle.b.County.ID); !errors.Is(err, tenants.ErrNotFound) {
			t.Errorf("tenant A reads B's county: err = %v, want ErrNotFound", err)
		}
		_, err := tenants.CreateOrgUnit(ctx, tenants.NewOrgUnit{ParentID: &bundle.b.County.ID, Kind: tenants.KindTownship, Name: "越界镇", Code: "x1"})
		if !errors.Is(err, tenants.ErrOrgParent) {
			t.Errorf("unit under another tenant's county: err = %v, want ErrOrgParent", err)
		}
		cur, err := tenants.Current(ctx)
		if err != nil || cur.ID != bundle.a.ID {
			t.Errorf("Current = %v, %v; want tenant A", cur, err)
		}
		return nil
	})
	// Nested transactions may not switch tenants.
	err := bundle.db.Store.InTx(context.Background(), bundle.a.ID, func(ctx context.Context) error {
		return bundle.db.Store.InTx(ctx, bundle.b.ID, func(context.Context) error { return nil })
	})
	if err == nil {
		t.Fatal("nested transaction for another tenant was allowed")
	}
}

func TestOrgTreeAndScope(t *testing.T) {
	t.Parallel()
	bundle := setup(t)
	var town, village, otherTown *tenants.OrgUnit
	bundle.db.Ctx(t, bundle.a.ID, func(ctx context.Context) error {
		var err error
		town, err = tenants.CreateOrgUnit(ctx, tenants.NewOrgUnit{ParentID: &bundle.a.County.ID, Kind: tenants.KindTownship, Name: "城关镇", Code: "t1"})
		if err != nil {
			return err
		}
		village, err = tenants.CreateOrgUnit(ctx, tenants.NewOrgUnit{ParentID: &town.ID, Kind: tenants.KindVillage, Name: "东村", Code: "v1"})
		if err != nil {
			return err
		}
		otherTown, err = tenants.CreateOrgUnit(ctx, tenants.NewOrgUnit{ParentID: &bundle.a.County.ID, Kind: tenants.KindTownship, Name: "河西镇", Code: "t2"})
		if err != nil {
			return err
		}
		// A village cannot sit directly under the county.
		if _, err := tenants.CreateOrgUnit(ctx, tenants.NewOrgUnit{ParentID: &bundle.a.County.ID, Kind: tenants.KindVillage, Name: "错村", Code: "v2"}); !errors.Is(err, tenants.ErrOrgParent) {
			t.Errorf("village under county: err = %v, want ErrOrgParent", err)
		}
		return nil
	})
	if village.Path != bundle.a.County.Path+town.ID.String()+"/"+village.ID.String()+"/" || village.Depth != 2 {
		t.Fatalf("village path %q depth %d", village.Path, village.Depth)
	}
	clerk := &tenants.Actor{TenantID: bundle.a.ID, OrgUnitID: town.ID, OrgPath: town.Path, Scope: tenants.ScopeOrgSubtree}
	admin := &tenants.Actor{TenantID: bundle.a.ID, OrgUnitID: bundle.a.County.ID, OrgPath: bundle.a.County.Path, Scope: tenants.ScopeTenant}
	bundle.db.Ctx(t, bundle.a.ID, func(ctx context.Context) error {
		units, err := tenants.ListOrgUnits(ctx, clerk)
		if err != nil {
			return err
		}
		got := map[uuid.UUID]bool{}
		for _, u := range units {
			got[u.ID] = true
		}
		if !got[town.ID] || !got[village.ID] || !got[bundle.a.County.ID] || got[otherTown.ID] {
			t.Errorf("township clerk's units: %v; want own town, its village and the county, not the other town", got)
		}
		all, err := tenants.ListOrgUnits(ctx, admin)
		if err != nil {
			return err
		}
		if len(all) != 4 {
			t.Errorf("county admin sees %d units, want 4", len(all))
		}
		names, err := tenants.OrgPathNames(ctx, village.Path)
		if err != nil {
			return err
		}
		if len(names) != 3 || names[0] != "甲县" || names[2] != "东村" {
			t.Errorf("path names %v", names)
		}
		return nil
	})
}

func TestMembershipsPagingAndScope(t *testing.T) {
	t.Parallel()
	bundle := setup(t)
	var town *tenants.OrgUnit
	ids := make([]uuid.UUID, 5)
	bundle.db.Ctx(t, bundle.a.ID, func(ctx context.Context) error {
		var err error
		town, err = tenants.CreateOrgUnit(ctx, tenants.NewOrgUnit{ParentID: &bundle.a.County.ID, Kind: tenants.KindTownship, Name: "城关镇", Code: "t1"})
		if err != nil {
			return err
		}
		for i := range ids {
			ids[i] = uuid.New()
			unit := bundle.a.County.ID
			if i%2 == 0 {
				unit = town.ID
			}
			m := &tenants.Membership{TenantID: bundle.a.ID, IdentityID: ids[i], OrgUnitID: unit, Name: "人员", Phone: "1380000000" + string(rune('0'+i)),
				Roles: []tenants.Role{tenants.RoleTownshipClerk}, Scope: tenants.ScopeOrgSubtree, Status: tenants.StatusActive}
			if _, err := tenants.DB(ctx).NewInsert().Model(m).Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	admin := &tenants.Actor{TenantID: bundle.a.ID, IdentityID: ids[1], OrgPath: bundle.a.County.Path, Scope: tenants.ScopeTenant}
	bundle.db.Ctx(t, bundle.a.ID, func(ctx context.Context) error {
		seen := map[uuid.UUID]bool{}
		cursor := ""
		for pages := 0; ; pages++ {
			page, err := tenants.ListMemberships(ctx, admin, cursor, 2)
			if err != nil {
				return err
			}
			for _, m := range page.Items {
				if seen[m.IdentityID] {
					t.Errorf("membership %s on two pages", m.IdentityID)
				}
				seen[m.IdentityID] = true
			}
			if page.Next == "" {
				if pages != 2 {
					t.Errorf("%d pages of 2 for 5 rows, want 3", pages+1)
				}
				break
			}
			cursor = page.Next
		}
		if len(seen) != 5 {
			t.Errorf("paged through %d memberships, want 5", len(seen))
		}
		townClerk := &tenants.Actor{TenantID: bundle.a.ID, IdentityID: ids[0], OrgPath: town.Path, Scope: tenants.ScopeOrgSubtree}
		page, err := tenants.ListMemberships(ctx, townClerk, "", 50)
		if err != nil {
			return err
		}
		if len(page.Items) != 3 {
			t.Errorf("township scope sees %d memberships, want the 3 in the town", len(page.Items))
		}
		self := &tenants.Actor{TenantID: bundle.a.ID, IdentityID: ids[3], OrgPath: bundle.a.County.Path, Scope: tenants.ScopeSelf}
		page, err = tenants.ListMemberships(ctx, self, "", 50)
		if err != nil {
			return err
		}
		if len(page.Items) != 1 || page.Items[0].IdentityID != ids[3] {
			t.Errorf("self scope sees %d memberships, want only its own", len(page.Items))
		}
		if _, err := tenants.ListMemberships(ctx, admin, "not-a-cursor!", 2); !errors.Is(err, tenants.ErrBadCursor) {
			t.Errorf("bad cursor: err = %v", err)
		}
		return nil
	})
	// Tenant B sees none of A's memberships.
	bundle.db.Ctx(t, bundle.b.ID, func(ctx context.Context) error {
		bAdmin := &tenants.Actor{TenantID: bundle.b.ID, OrgPath: bundle.b.County.Path, Scope: tenants.ScopeTenant}
		page, err := tenants.ListMemberships(ctx, bAdmin, "", 50)
		if err != nil {
			return err
		}
		if len(page.Items) != 0 {
			t.Errorf("tenant B sees %d of A's memberships", len(page.Items))
		}
		if _, err := tenants.GetMembership(ctx, ids[0]); !errors.Is(err, tenants.ErrNotFound) {
			t.Errorf("tenant B reads A's membership: %v", err)
		}
		return nil
	})
}

func TestTenantCodeAndID(t *testing.T) {
	t.Parallel()
	if tenants.IDForCode("demo") != tenants.IDForCode("demo") || tenants.IDForCode("demo") == tenants.IDForCode("demo2") {
		t.Fatal("IDForCode must be deterministic and distinct per code")
	}
	id, err := tenants.ParseRef("demo")
	if err != nil || id != tenants.IDForCode("demo") {
		t.Fatalf("ParseRef(demo) = %v, %v", id, err)
	}
	u := uuid.New()
	if id, err := tenants.ParseRef(u.String()); err != nil || id != u {
		t.Fatalf("ParseRef(uuid) = %v, %v", id, err)
	}
	if _, err := tenants.ParseRef("Bad Code"); err == nil {
		t.Fatal("ParseRef accepted an invalid code")
	}
}

// ListAll is the one read across tenants, and only of the registry: inside a tenant
// transaction it is refused, and a tenant transaction still sees only its own row.
func TestListAllIsTheOnlyCrossTenantRead(t *testing.T) {
	t.Parallel()
	bundle := setup(t)
	all, err := bundle.db.Store.ListAll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	seen := map[uuid.UUID]bool{}
	for _, x := range all {
		seen[x.ID] = true
	}
	if !seen[bundle.a.ID] || !seen[bundle.b.ID] {
		t.Errorf("ListAll misses a tenant: %v", all)
	}
	bundle.db.Ctx(t, bundle.a.ID, func(ctx context.Context) error {
		if _, err := bundle.db.Store.ListAll(ctx); err == nil {
			t.Error("ListAll inside a tenant transaction was allowed")
		}
		n, err := tenants.DB(ctx).NewSelect().Model((*tenants.Tenant)(nil)).Count(ctx)
		if n != 1 {
			t.Errorf("a tenant transaction sees %d registry rows, want 1", n)
		}
		return err
	})
}
