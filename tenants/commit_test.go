package tenants_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/yichuang/yichuang/tenants"
)

// insertUnit is a write on a tenant table with bind parameters: a township under the county.
const insertUnit = `INSERT INTO org_units (tenant_id, id, parent_id, kind, name, code, path, depth)
	VALUES ($1, $2, $3, 'township', $4, $4, $5, 1)`

func unitCount(t *testing.T, bundle *testBundle, code string) (n int) {
	t.Helper()
	bundle.db.Ctx(t, bundle.a.ID, func(ctx context.Context) error {
		return tenants.DB(ctx).NewRaw("SELECT count(*) FROM org_units WHERE tenant_id = ? AND code = ?", bundle.a.ID, code).Scan(ctx, &n)
	})
	return n
}

func auditRows(t *testing.T, bundle *testBundle) (n int64) {
	t.Helper()
	return verify(t, bundle, bundle.a.ID).RowsChecked
}

// A write left for the commit goes with the audit row and the COMMIT in the last round trip:
// both are there afterwards and the chain verifies; a reader in the transaction sees it after
// FlushAudit; and when it fails, the transaction fails whole (the write before it and the
// audit row are gone too) and the connection serves the next transaction.
func TestExecAtCommit(t *testing.T) {
	t.Parallel()
	bundle := setup(t)
	ctx := context.Background()
	a := bundle.a
	unit := func(ctx context.Context, write func(context.Context, string, ...any) error, code string) error {
		return write(ctx, insertUnit, a.ID, uuid.New(), a.County.ID, code, a.County.Path+"x/")
	}
	audit := func(ctx context.Context) error {
		return tenants.Audit(ctx, tenants.Change{Action: "org_unit.create", TargetType: "org_unit", TargetID: uuid.NewString()})
	}

	if err := bundle.db.Store.InTx(ctx, a.ID, func(ctx context.Context) error {
		if err := unit(ctx, tenants.ExecAtCommit, "T1"); err != nil {
			return err
		}
		return audit(ctx)
	}); err != nil {
		t.Fatal(err)
	}
	if n := unitCount(t, bundle, "T1"); n != 1 {
		t.Errorf("the deferred write left %d rows, want 1", n)
	}
	before := verify(t, bundle, a.ID)
	if !before.OK || before.RowsChecked < 1 {
		t.Fatalf("chain after a deferred write: %+v", before)
	}

	// The deferred write fails (T1's code is taken): nothing of the transaction stays.
	err := bundle.db.Store.InTx(ctx, a.ID, func(ctx context.Context) error {
		if err := unit(ctx, tenants.ExecOne, "T2"); err != nil {
			return err
		}
		if err := unit(ctx, tenants.ExecAtCommit, "T1"); err != nil {
			return err
		}
		return audit(ctx)
	})
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23505" {
		t.Fatalf("a deferred write on a taken code: %v, want a unique violation", err)
	}
	if n := unitCount(t, bundle, "T2"); n != 0 {
		t.Errorf("the write before the failed deferred one stayed (%d rows)", n)
	}
	if n := auditRows(t, bundle); n != before.RowsChecked {
		t.Errorf("the failed transaction's audit row stayed: %d rows, want %d", n, before.RowsChecked)
	}

	// A reader inside the transaction sees the deferred write after FlushAudit.
	bundle.db.Ctx(t, a.ID, func(ctx context.Context) error {
		if err := unit(ctx, tenants.ExecAtCommit, "T3"); err != nil {
			return err
		}
		if err := tenants.FlushAudit(ctx); err != nil {
			return err
		}
		var n int
		if err := tenants.DB(ctx).NewRaw("SELECT count(*) FROM org_units WHERE tenant_id = ? AND code = 'T3'", a.ID).Scan(ctx, &n); err != nil {
			return err
		}
		if n != 1 {
			t.Errorf("inside the transaction after FlushAudit: %d rows, want 1", n)
		}
		return audit(ctx)
	})
	if res := verify(t, bundle, a.ID); !res.OK || res.RowsChecked != before.RowsChecked+1 {
		t.Errorf("chain at the end: %+v, want OK with %d rows", res, before.RowsChecked+1)
	}
}

// Were a county's audit head gone (the runtime role cannot delete it; only tampering can),
// an audited write fails instead of committing without its audit row: the batch's audit
// statement finds no head and its row no number, so the COMMIT behind it never runs.
func TestNoCommitWithoutTheAuditRow(t *testing.T) {
	t.Parallel()
	bundle := setup(t)
	ctx := context.Background()
	a := bundle.a
	auditSome(t, bundle, a.ID, 1) // the head exists, and this process knows it
	tamper(t, bundle, "DELETE FROM audit_heads WHERE tenant_id = $1", a.ID)
	err := bundle.db.Store.InTx(ctx, a.ID, func(ctx context.Context) error {
		if err := tenants.ExecOne(ctx, insertUnit, a.ID, uuid.New(), a.County.ID, "H1", a.County.Path+"h/"); err != nil {
			return err
		}
		return tenants.Audit(ctx, tenants.Change{Action: "org_unit.create", TargetType: "org_unit", TargetID: "H1"})
	})
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23502" {
		t.Fatalf("an audited write without a head: %v, want the row's missing number refused (23502)", err)
	}
	if n := unitCount(t, bundle, "H1"); n != 0 {
		t.Errorf("the write was committed without its audit row (%d rows)", n)
	}
}
