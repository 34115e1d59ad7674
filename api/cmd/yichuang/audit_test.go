package main

import (
	"bytes"
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

// `yichuang audit verify` after the database owner shortened the chain (issue 13, item 7):
// it fails and names the anchor that proves it; before the attack it reports the anchor and
// the rows written since.
func TestAuditVerifyComparesWithTheAnchor(t *testing.T) {
	t.Parallel()
	db := tenanttest.New(t)
	ctx := context.Background()
	st, err := storage.New(storage.Config{Endpoint: tenanttest.Require(t, "YC_MINIO_ENDPOINT"),
		AccessKey: tenanttest.Require(t, "YC_MINIO_ACCESS_KEY"), SecretKey: tenanttest.Require(t, "YC_MINIO_SECRET_KEY"), Prefix: "cli-test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.EnsureBuckets(ctx); err != nil {
		t.Fatal(err)
	}
	county := tenanttest.NewTenant(t, db, "命令行县")
	vault := st.Archive(county.ID)
	audit := func(n int) {
		for range n {
			db.Ctx(t, county.ID, func(ctx context.Context) error {
				return tenants.Audit(ctx, tenants.Change{Action: "staff.update", TargetType: "membership", TargetID: uuid.NewString()})
			})
		}
	}
	audit(4)
	var anchor *auditlog.Anchor
	db.Ctx(t, county.ID, func(ctx context.Context) (err error) {
		anchor, err = auditlog.WriteAnchor(ctx, vault, time.Now())
		return err
	})
	audit(1)

	var out bytes.Buffer
	if err := verifyAudit(ctx, db.Store, vault, county.ID, "test", &out); err != nil {
		t.Fatalf("intact chain: %v", err)
	}
	if !strings.Contains(out.String(), "audit chain OK: 5 rows") || !strings.Contains(out.String(), anchor.Key) || !strings.Contains(out.String(), "1 rows since") {
		t.Fatalf("intact chain output:\n%s", out.String())
	}

	// The owner deletes rows 3 to 5 and rewrites audit_heads to row 2.
	conn, err := db.Owner.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"SET session_replication_role = replica",
		"DELETE FROM audit_events WHERE tenant_id = $1 AND seq > 2",
		"UPDATE audit_heads h SET last_seq = e.seq, last_hash = e.hash FROM audit_events e WHERE h.tenant_id = $1 AND e.tenant_id = $1 AND e.seq = 2",
		"RESET session_replication_role"} {
		var args []any
		if strings.Contains(q, "$1") {
			args = []any{county.ID}
		}
		if _, err := conn.Exec(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	conn.Release()

	out.Reset()
	err = verifyAudit(ctx, db.Store, vault, county.ID, "test", &out)
	if err == nil || !strings.Contains(err.Error(), anchor.Key) || !strings.Contains(err.Error(), "BROKEN at seq 3") || !strings.Contains(err.Error(), "被截短") {
		t.Fatalf("shortened chain: %v\n%s", err, out.String())
	}
}
