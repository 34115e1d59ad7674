package jobs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/yichuang/yichuang/jobs"
	"github.com/yichuang/yichuang/services/application"
	"github.com/yichuang/yichuang/services/auditlog"
	"github.com/yichuang/yichuang/services/wiring"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

type testBundle struct {
	db     *tenanttest.DB
	client *river.Client[pgx.Tx]
	tenant *tenanttest.Tenant
}

func setup(t *testing.T, work bool) *testBundle {
	t.Helper()
	db := tenanttest.New(t)
	store := tenants.NewStore(db.App, nil)
	client, err := jobs.NewClient(store, jobs.Options{Work: work, TestOnly: true, Services: wiring.New(wiring.Config{Store: store})})
	if err != nil {
		t.Fatal(err)
	}
	db2 := *db
	db2.Store = store
	return &testBundle{db: &db2, client: client, tenant: tenanttest.NewTenant(t, &db2, "测试县")}
}

func count(t *testing.T, b *testBundle, query string, args ...any) int {
	t.Helper()
	var n int
	if err := b.db.Owner.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// checkJobs counts this tenant's audit-check jobs, through River's API.
func (b *testBundle) checkJobs(t *testing.T) int {
	t.Helper()
	return len(tenanttest.Jobs(t, b.db, func(j tenanttest.Job[auditlog.CheckArgs]) bool { return j.Args.TenantID == b.tenant.ID }))
}

// Counts only this test's kind: a parallel test's periodic sweep enqueues per-tenant
// housekeeping for every tenant in the shared database, this one's included.
func TestEnqueueRollsBackWithTheRows(t *testing.T) {
	t.Parallel()
	b := setup(t, false)
	boom := errors.New("boom")
	err := b.db.Store.InTx(context.Background(), b.tenant.ID, func(ctx context.Context) error {
		if _, err := auditlog.RequestCheck(ctx, nil); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v", err)
	}
	if n := count(t, b, "SELECT count(*) FROM audit_checks WHERE tenant_id = $1", b.tenant.ID); n != 0 {
		t.Errorf("rolled-back transaction left %d audit_checks rows", n)
	}
	if n := b.checkJobs(t); n != 0 {
		t.Errorf("rolled-back transaction left %d jobs", n)
	}

	b.db.Ctx(t, b.tenant.ID, func(ctx context.Context) error {
		_, err := auditlog.RequestCheck(ctx, nil)
		return err
	})
	if n := count(t, b, "SELECT count(*) FROM audit_checks WHERE tenant_id = $1", b.tenant.ID); n != 1 {
		t.Errorf("committed transaction left %d audit_checks rows, want 1", n)
	}
	if n := b.checkJobs(t); n != 1 {
		t.Errorf("committed transaction left %d jobs, want 1", n)
	}
}

func TestEnqueueRefusesAnotherTenantsJob(t *testing.T) {
	t.Parallel()
	b := setup(t, false)
	other := tenanttest.NewTenant(t, b.db, "他县")
	err := b.db.Store.InTx(context.Background(), b.tenant.ID, func(ctx context.Context) error {
		_, err := tenants.Enqueue(ctx, auditlog.CheckArgs{TenantID: other.ID}, nil)
		return err
	})
	if err == nil {
		t.Fatal("a job of another tenant was enqueued")
	}
}

func TestAuditCheckJobRunsInItsTenant(t *testing.T) {
	t.Parallel()
	b := setup(t, true)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := b.client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer b.client.Stop(context.Background()) //nolint:errcheck

	var check *auditlog.Check
	b.db.Ctx(t, b.tenant.ID, func(ctx context.Context) error {
		if err := tenants.Audit(ctx, tenants.Change{Action: "test.event", TargetType: "x", TargetID: "1"}); err != nil {
			return err
		}
		var err error
		check, err = auditlog.RequestCheck(ctx, nil)
		return err
	})
	for {
		var got *auditlog.Check
		b.db.Ctx(t, b.tenant.ID, func(ctx context.Context) error {
			var err error
			got, err = auditlog.GetCheck(ctx, check.ID)
			return err
		})
		if got.Status == "done" {
			// NewTenant writes no audit rows, so the chain holds exactly the event above.
			if got.OK == nil || !*got.OK || got.RowsChecked == nil || *got.RowsChecked != 1 {
				t.Fatalf("check result ok=%v rows=%v, want ok with 1 row", got.OK, got.RowsChecked)
			}
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("audit check job did not finish")
		case <-time.After(100 * time.Millisecond):
		}
	}
	// The job completed in the same transaction as its work.
	deadline := time.Now().Add(5 * time.Second)
	completed := func(j tenanttest.Job[auditlog.CheckArgs]) bool {
		return j.Args.CheckID == check.ID && j.State == rivertype.JobStateCompleted
	}
	for len(tenanttest.Jobs(t, b.db, completed)) != 1 {
		if time.Now().After(deadline) {
			t.Fatal("job not marked completed")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The deadline reconciliation runs in transactions of its own, not in the worker's: River
// completes the job when it returns.
func TestReconcileJobCompletes(t *testing.T) {
	t.Parallel()
	b := setup(t, true)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := b.client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer b.client.Stop(context.Background()) //nolint:errcheck
	var id int64
	b.db.Ctx(t, b.tenant.ID, func(ctx context.Context) (err error) {
		id, err = tenants.Enqueue(ctx, application.ReconcileArgs{TenantID: b.tenant.ID}, nil)
		return err
	})
	for {
		j, err := b.client.JobGet(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if j.State == rivertype.JobStateCompleted {
			break
		}
		if len(j.Errors) > 0 {
			t.Fatalf("reconciliation job failed: %v", j.Errors)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("reconciliation job still %s", j.State)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// TestPublishSweepDrainsTheOutbox: the minute sweep finds the county's outbox rows, enqueues
// its drain, and the drain publishes the county (its feed row) and empties the outbox.
func TestPublishSweepDrainsTheOutbox(t *testing.T) {
	t.Parallel()
	b := setup(t, true)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := b.db.Owner.Exec(ctx, `INSERT INTO supervision_outbox (tenant_id, kind, ref) VALUES ($1, 'month', '2026-12')`, b.tenant.ID); err != nil {
		t.Fatal(err)
	}
	if err := b.client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer b.client.Stop(context.Background()) //nolint:errcheck
	if _, err := b.client.Insert(ctx, jobs.PublishSweepArgs{}, nil); err != nil {
		t.Fatal(err)
	}
	for {
		pending := count(t, b, `SELECT count(*) FROM supervision_outbox WHERE tenant_id = $1`, b.tenant.ID)
		published := count(t, b, `SELECT count(*) FROM supervision.counties WHERE tenant_id = $1 AND published_at IS NOT NULL`, b.tenant.ID)
		if pending == 0 && published == 1 {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("outbox still holds %d rows, county published %d", pending, published)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
