package tenants_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

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

// Rows are written when the transaction commits, under the head's lock: concurrent
// transactions of one county, half appending one row (one statement that numbers and hashes
// it in PostgreSQL) and half several (numbered and hashed here), still make one unbroken
// chain, and a transaction that reads its own chain sees the rows it appended.
func TestAuditChainHoldsUnderConcurrentAppends(t *testing.T) {
	t.Parallel()
	bundle := setup(t)
	const writers, each = 8, 5
	const rows = each * (writers/2*1 + writers/2*2)
	errs := make(chan error, writers)
	for w := range writers {
		go func() {
			var err error
			for i := range each {
				err = bundle.db.Store.InTx(context.Background(), bundle.a.ID, func(ctx context.Context) error {
					for k := range w%2 + 1 {
						if err := tenants.Audit(ctx, tenants.Change{Action: "org_unit.create", TargetType: "org_unit", TargetID: uuid.NewString(),
							Summary: map[string]any{"writer": w, "i": i, "k": k}}); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					break
				}
			}
			errs <- err
		}()
	}
	for range writers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if res := verify(t, bundle, bundle.a.ID); !res.OK || res.RowsChecked != rows {
		t.Fatalf("chain after concurrent appends: %+v, want OK with %d rows", res, rows)
	}
	bundle.db.Ctx(t, bundle.a.ID, func(ctx context.Context) error {
		if err := tenants.Audit(ctx, tenants.Change{Action: "org_unit.create", TargetType: "org_unit", TargetID: "x"}); err != nil {
			return err
		}
		res, err := tenants.VerifyAudit(ctx)
		if err == nil && (!res.OK || res.RowsChecked != rows+1) {
			t.Errorf("inside the appending transaction: %+v, want OK with its own row counted", res)
		}
		return err
	})
}

// chainParts cuts the canonical content at the row's number: the parts with the number put
// back are the content chainHash hashes, for numbers of every width, and the cut is the
// number's own even when the content around it spells `"seq":0`.
func TestChainPartsSurroundTheNumber(t *testing.T) {
	t.Parallel()
	actor := uuid.New()
	ev := &tenants.AuditEvent{TenantID: uuid.New(), At: time.Date(2027, 2, 1, 8, 30, 0, 123456789, time.UTC), ActorID: &actor,
		ActorName: `张三 ,"seq":0,`, Action: "application.intake", TargetType: "application", TargetID: uuid.NewString(),
		RequestID: "r1", Summary: json.RawMessage(`{"seq":0,"x":"\u003c"}`), PrevHash: make([]byte, 32)}
	for _, seq := range []int64{1, 9, 10, 12345, 9007199254740993} {
		ev.Seq = seq
		pre, suf := tenants.ChainParts(ev)
		content := string(pre) + strconv.FormatInt(seq, 10) + string(suf)
		if !strings.HasPrefix(content, `{"tenant_id":"`+ev.TenantID.String()+`","seq":`+strconv.FormatInt(seq, 10)+`,"at":"2027-02-01T08:30:00.123456Z",`) ||
			!strings.HasSuffix(content, `"summary":{"seq":0,"x":"\u003c"}}`) {
			t.Errorf("seq %d: content %s", seq, content)
		}
		h := sha256.Sum256(append(append([]byte{}, ev.PrevHash...), content...))
		if got := tenants.ChainHash(ev); !bytes.Equal(got, h[:]) {
			t.Errorf("seq %d: chainHash %x, want sha256(prev || content) %x", seq, got, h)
		}
	}
}
