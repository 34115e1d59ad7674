package auditlog_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/auditlog"
	"github.com/yichuang/yichuang/services/storage"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

type testBundle struct {
	db     *tenanttest.DB
	county *tenanttest.Tenant
	vault  *storage.Tenant
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	db := tenanttest.New(t)
	st, err := storage.New(storage.Config{Endpoint: tenanttest.Require(t, "YC_MINIO_ENDPOINT"),
		AccessKey: tenanttest.Require(t, "YC_MINIO_ACCESS_KEY"), SecretKey: tenanttest.Require(t, "YC_MINIO_SECRET_KEY"), Prefix: "auditlog-test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.EnsureBuckets(context.Background()); err != nil {
		t.Fatal(err)
	}
	c := tenanttest.NewTenant(t, db, "锚点县")
	return &testBundle{db: db, county: c, vault: st.Archive(c.ID)}
}

func (b *testBundle) audit(t *testing.T, n int) {
	t.Helper()
	for i := range n {
		b.db.Ctx(t, b.county.ID, func(ctx context.Context) error {
			return tenants.Audit(ctx, tenants.Change{Action: "org_unit.update", TargetType: "org_unit", TargetID: uuid.NewString(), Summary: map[string]any{"n": i}})
		})
	}
}

func (b *testBundle) verify(t *testing.T) *auditlog.Verification {
	t.Helper()
	var v *auditlog.Verification
	b.db.Ctx(t, b.county.ID, func(ctx context.Context) (err error) {
		v, err = auditlog.Verify(ctx, b.vault)
		return err
	})
	return v
}

func (b *testBundle) anchor(t *testing.T, at time.Time) *auditlog.Anchor {
	t.Helper()
	var a *auditlog.Anchor
	b.db.Ctx(t, b.county.ID, func(ctx context.Context) (err error) {
		a, err = auditlog.WriteAnchor(ctx, b.vault, at)
		return err
	})
	return a
}

// tamper runs stmts as the database owner with triggers off: the attacker of issue 13, item 7.
func (b *testBundle) tamper(t *testing.T, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	conn, err := b.db.Owner.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SET session_replication_role = replica"); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(ctx, "RESET session_replication_role") //nolint:errcheck
	for _, q := range stmts {
		if _, err := conn.Exec(ctx, q, b.county.ID); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// TestAnchorCatchesAShortenedChain is the attack of issue 13, item 7: the database owner
// deletes the newest three rows and rewrites audit_heads to the row before them. The chain
// that is left links up — the database alone cannot tell — but the anchor written to the
// locked bucket before the deletion records a longer chain, and verification names it.
func TestAnchorCatchesAShortenedChain(t *testing.T) {
	t.Parallel()
	b := setup(t)
	if v := b.verify(t); !v.OK || v.AnchorStatus != auditlog.AnchorNone {
		t.Fatalf("before any anchor: %+v, want OK and status none", v)
	}
	b.audit(t, 6)
	a := b.anchor(t, time.Now())
	if a.Seq != 6 || len(a.Hash) != 64 || !strings.HasPrefix(a.Key, auditlog.AnchorPrefix) {
		t.Fatalf("anchor: %+v", a)
	}
	// The anchor is under a COMPLIANCE lock for the retention period: nobody deletes it.
	mode, until, err := b.vault.Retention(context.Background(), a.Key, "")
	if err != nil || mode != storage.Compliance || until.Before(time.Now().Add(auditlog.AnchorRetention-time.Hour)) {
		t.Fatalf("anchor lock: %s until %s, %v", mode, until, err)
	}
	obj, _ := b.vault.Stat(context.Background(), a.Key, "")
	if err := b.vault.DeleteVersion(context.Background(), a.Key, obj.VersionID); err == nil {
		t.Fatal("deleted a locked anchor")
	}
	// Two more rows: the window since the anchor, reported.
	b.audit(t, 2)
	v := b.verify(t)
	if !v.OK || v.AnchorStatus != auditlog.AnchorOK || v.Anchor.Since != 2 || v.Anchor.Anchor.Key != a.Key {
		t.Fatalf("intact chain after the anchor: %+v, want OK, 2 rows since %s", v, a.Key)
	}

	// The owner deletes the newest three rows (6 to 8) and points the head at row 5.
	b.tamper(t,
		`DELETE FROM audit_events WHERE tenant_id = $1 AND seq > 5`,
		`UPDATE audit_heads h SET last_seq = e.seq, last_hash = e.hash FROM audit_events e
		  WHERE h.tenant_id = $1 AND e.tenant_id = $1 AND e.seq = 5`)
	var chain *tenants.AuditVerification
	b.db.Ctx(t, b.county.ID, func(ctx context.Context) (err error) {
		chain, err = tenants.VerifyAudit(ctx)
		return err
	})
	if !chain.OK || chain.RowsChecked != 5 {
		t.Fatalf("the shortened chain should link up on its own (that is the attack): %+v", chain)
	}
	v = b.verify(t)
	if v.OK || v.AnchorStatus != auditlog.AnchorBroken || v.FirstBadSeq != 6 ||
		!strings.Contains(v.Anchor.Problem, a.Key) || !strings.Contains(v.Anchor.Problem, "被截短") || !strings.Contains(v.Anchor.ProblemEn, "rows 6 to 6") {
		t.Fatalf("shortened chain: %+v / %s", v, v.Anchor.Problem)
	}

}

// TestAnchorCatchesARewrittenRow: the owner replaces the anchored row and everything after
// it with a chain that links up; the anchored hash no longer matches.
func TestAnchorCatchesARewrittenRow(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.audit(t, 3)
	a := b.anchor(t, time.Now())
	// Remove row 3 and let the application append a new row 3 on the old head of row 2: a
	// consistent chain of three rows that is not the anchored one.
	b.tamper(t,
		`DELETE FROM audit_events WHERE tenant_id = $1 AND seq = 3`,
		`UPDATE audit_heads h SET last_seq = e.seq, last_hash = e.hash FROM audit_events e
		  WHERE h.tenant_id = $1 AND e.tenant_id = $1 AND e.seq = 2`)
	b.audit(t, 1)
	v := b.verify(t)
	if v.OK || v.AnchorStatus != auditlog.AnchorBroken || v.FirstBadSeq != 3 || !strings.Contains(v.Anchor.Problem, "被改写") || !strings.Contains(v.Anchor.Problem, a.Key) {
		t.Fatalf("rewritten row: %+v / %s", v, v.Anchor.Problem)
	}
}

// The newest anchor is found among many, across days, also behind a delete marker.
func TestNewestAnchorAcrossDays(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.audit(t, 1)
	day := time.Date(2026, 12, 30, 23, 0, 0, 0, time.UTC)
	b.anchor(t, day)
	b.audit(t, 1)
	b.anchor(t, day.Add(2*time.Hour)) // the next day, 2026/1231
	b.audit(t, 1)
	newest := b.anchor(t, day.Add(26*time.Hour)) // next year, 2027/0101
	if err := b.vault.Delete(context.Background(), newest.Key); err != nil {
		t.Fatal(err) // a delete marker: allowed, and it hides nothing from verification
	}
	var got *auditlog.Anchor
	b.db.Ctx(t, b.county.ID, func(ctx context.Context) (err error) {
		got, err = auditlog.NewestAnchor(ctx, b.vault)
		return err
	})
	if got.Key != newest.Key || got.Seq != 3 {
		t.Fatalf("newest anchor: %+v, want %s at seq 3", got, newest.Key)
	}
}
