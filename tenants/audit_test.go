package tenants_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/tenants"
)

func auditSome(t *testing.T, bundle *testBundle, tenantID uuid.UUID, n int) {
	t.Helper()
	actor := &tenants.Actor{IdentityID: uuid.New(), Name: "张三"}
	for i := range n {
		ctx := tenants.WithRequestID(tenants.WithActor(context.Background(), actor), "req-"+string(rune('a'+i)))
		if err := bundle.db.Store.InTx(ctx, tenantID, func(ctx context.Context) error {
			return tenants.Audit(ctx, tenants.Change{Action: "org_unit.create", TargetType: "org_unit", TargetID: uuid.NewString(),
				Summary: map[string]any{"name": "城关镇 <&>", "n": i, "nested": map[string]any{"z": 1.5, "a": []int{1, 2}}}})
		}); err != nil {
			t.Fatal(err)
		}
	}
}

func verify(t *testing.T, bundle *testBundle, tenantID uuid.UUID) *tenants.AuditVerification {
	t.Helper()
	var res *tenants.AuditVerification
	bundle.db.Ctx(t, tenantID, func(ctx context.Context) error {
		var err error
		res, err = tenants.VerifyAudit(ctx)
		return err
	})
	return res
}

func TestAuditChainVerifiesAndDetectsTampering(t *testing.T) {
	t.Parallel()
	bundle := setup(t)
	auditSome(t, bundle, bundle.a.ID, 5)
	auditSome(t, bundle, bundle.b.ID, 2)

	if res := verify(t, bundle, bundle.a.ID); !res.OK || res.RowsChecked != 5 {
		t.Fatalf("intact chain: %+v, want OK with 5 rows", res)
	}
	if res := verify(t, bundle, bundle.b.ID); !res.OK || res.RowsChecked != 2 {
		t.Fatalf("tenant B's chain is its own: %+v", res)
	}

	ctx := context.Background()
	// The runtime role may not rewrite history at all.
	if _, err := bundle.db.App.Exec(ctx, "UPDATE audit_events SET actor_name = 'x'"); err == nil {
		t.Fatal("runtime role updated audit_events")
	}
	// Even the owner is stopped by the trigger...
	if _, err := bundle.db.Owner.Exec(ctx, "UPDATE audit_events SET actor_name = 'x' WHERE tenant_id = $1", bundle.a.ID); err == nil {
		t.Fatal("owner updated audit_events despite the append-only trigger")
	}
	// ...so tamper as a superuser with triggers off, the way an attacker with full access would.
	tamper(t, bundle, `UPDATE audit_events SET summary = jsonb_set(summary, '{name}', '"改过"') WHERE tenant_id = $1 AND seq = 3`, bundle.a.ID)
	res := verify(t, bundle, bundle.a.ID)
	if res.OK || res.FirstBadSeq != 3 {
		t.Fatalf("after tampering with seq 3: %+v, want not OK at 3", res)
	}
	if res := verify(t, bundle, bundle.b.ID); !res.OK {
		t.Fatalf("tampering in A broke B's chain: %+v", res)
	}
}

func TestAuditChainDetectsDeletedTail(t *testing.T) {
	t.Parallel()
	bundle := setup(t)
	auditSome(t, bundle, bundle.a.ID, 3)
	tamper(t, bundle, "DELETE FROM audit_events WHERE tenant_id = $1 AND seq = 3", bundle.a.ID)
	if res := verify(t, bundle, bundle.a.ID); res.OK {
		t.Fatalf("deleting the newest row went unnoticed: %+v", res)
	}
}

// tamper runs stmt as a superuser with triggers disabled: the only way past the append-only
// trigger, and what the hash chain exists to expose.
func tamper(t *testing.T, bundle *testBundle, stmt string, args ...any) {
	t.Helper()
	ctx := context.Background()
	conn, err := bundle.db.Owner.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	for _, q := range []string{"SET session_replication_role = replica", stmt, "RESET session_replication_role"} {
		a := args
		if q != stmt {
			a = nil
		}
		if _, err := conn.Exec(ctx, q, a...); err != nil {
			t.Fatal(err)
		}
	}
}
