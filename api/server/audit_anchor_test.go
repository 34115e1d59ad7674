package server_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/yichuang/yichuang/api/server"
	"github.com/yichuang/yichuang/jobs"
	"github.com/yichuang/yichuang/services/auditlog"
	"github.com/yichuang/yichuang/services/document"
	"github.com/yichuang/yichuang/services/identity"
	"github.com/yichuang/yichuang/services/storage"
	"github.com/yichuang/yichuang/services/wiring"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

// TestAuditCheckComparesWithTheSweepsAnchor runs the whole of issue 13, item 7 on real
// parts: River's periodic sweep anchors the county's head in the locked bucket; the database
// owner deletes the newest rows and rewrites audit_heads; the 校验审计链 job then fails and
// names the anchor.
func TestAuditCheckComparesWithTheSweepsAnchor(t *testing.T) {
	t.Parallel()
	db := tenanttest.NewIsolated(t) // its own River leader for the periodic sweep
	pub := tenanttest.Require(t, "YC_KRATOS_PUBLIC_URL")
	kr := identity.New(pub, tenanttest.Require(t, "YC_KRATOS_ADMIN_URL"))
	store := tenants.NewStore(db.App, nil)
	st, err := storage.New(storage.Config{Endpoint: tenanttest.Require(t, "YC_MINIO_ENDPOINT"),
		AccessKey: tenanttest.Require(t, "YC_MINIO_ACCESS_KEY"), SecretKey: tenanttest.Require(t, "YC_MINIO_SECRET_KEY"), Prefix: "api-test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.EnsureBuckets(context.Background()); err != nil {
		t.Fatal(err)
	}
	d2 := *db
	d2.Store = store
	svc := wiring.New(wiring.Config{Store: store, Identities: kr, Storage: st})
	b := &testBundle{db: &d2, kratos: kr, publicURL: pub, staff: svc.Staff, store: store}
	h, _ := server.New(server.Deps{Store: store, Kratos: kr, Storage: st, KratosPublicURL: pub, Services: svc})
	b.srv = httptest.NewServer(h)
	t.Cleanup(b.srv.Close)

	tt := tenanttest.NewTenant(t, b.db, "锚定县")
	admin := b.newMember(t, tt, tt.County.ID, tenants.RoleCountyAdmin)
	for i, name := range []string{"甲镇", "乙镇", "丙镇", "丁镇"} {
		if status, body, _ := b.call(t, admin, "POST", "/api/v1/org-units", map[string]any{"parent_id": tt.County.ID, "kind": "township", "name": name, "code": "town" + string(rune('a'+i))}); status != http.StatusCreated {
			t.Fatalf("create %s: %d %v", name, status, body)
		}
	}
	var headSeq int64
	db.Ctx(t, tt.ID, func(ctx context.Context) error {
		return tenants.DB(ctx).NewRaw("SELECT last_seq FROM audit_heads WHERE tenant_id = ?", tenants.CurrentID(ctx)).Scan(ctx, &headSeq)
	})

	// The workers start: the sweep runs at once and enqueues the county's anchor.
	rc, err := jobs.NewClient(store, jobs.Options{Work: true, TestOnly: true, Services: svc, MaxWorkers: 2,
		Queues: []string{river.QueueDefault, document.Queue}})
	if err != nil {
		t.Fatal(err)
	}
	if err := rc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = rc.Stop(ctx)
	})
	var anchor *auditlog.Anchor
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		db.Ctx(t, tt.ID, func(ctx context.Context) (err error) {
			anchor, err = auditlog.NewestAnchor(ctx, st.Archive(tt.ID))
			if errors.Is(err, auditlog.ErrNoAnchor) {
				return nil
			}
			return err
		})
		if anchor != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the sweep wrote no anchor in 30 s")
		}
	}
	if anchor.Seq != headSeq {
		t.Fatalf("anchor at seq %d, head is %d", anchor.Seq, headSeq)
	}

	check := func() map[string]any {
		t.Helper()
		status, queued, _ := b.call(t, admin, "POST", "/api/v1/audit-checks", nil)
		if status != http.StatusAccepted {
			t.Fatalf("request check: %d %v", status, queued)
		}
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			_, c, _ := b.call(t, admin, "GET", "/api/v1/audit-checks/"+queued["id"].(string), nil)
			if c["status"] == "done" {
				return c
			}
		}
		t.Fatal("the check did not finish in 30 s")
		return nil
	}
	c := check()
	if c["ok"] != true || c["anchor_status"] != "ok" || c["anchor_key"] != anchor.Key {
		t.Fatalf("intact chain: %v", c)
	}

	// The owner deletes the newest three rows and points audit_heads at the row before them.
	conn, err := db.Owner.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, q := range []string{"SET session_replication_role = replica",
		"DELETE FROM audit_events WHERE tenant_id = $1 AND seq > $2",
		"UPDATE audit_heads h SET last_seq = e.seq, last_hash = e.hash FROM audit_events e WHERE h.tenant_id = $1 AND e.tenant_id = $1 AND e.seq = $2",
		"RESET session_replication_role"} {
		var args []any
		if strings.Contains(q, "$1") {
			args = []any{tt.ID, headSeq - 3}
		}
		if _, err := conn.Exec(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	conn.Release()

	c = check()
	problem, _ := c["anchor_problem"].(string)
	if c["ok"] != false || c["anchor_status"] != "broken" || c["first_bad_seq"] != float64(headSeq-2) ||
		!strings.Contains(problem, anchor.Key) || !strings.Contains(problem, "被截短") {
		t.Fatalf("shortened chain: %v", c)
	}
}
