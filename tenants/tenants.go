// Package tenants is the tenant boundary: the registry of counties, their org tree, the
// memberships that place a Kratos identity in a county with roles and a data scope, the
// audit chain, and the tenant-scoped transaction every other package works inside.
//
// The database enforces the boundary (row level security keyed on app.tenant_id); this
// package is the only place that sets that key, and it sets it per transaction only.
package tenants

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// Store opens tenant transactions on the runtime role's pool. bun and River share the pool,
// so rows and jobs commit together.
type Store struct {
	pool  *pgxpool.Pool
	db    *bun.DB
	river *river.Client[pgx.Tx]
	// heads are the counties whose audit head is known to exist (Tx.sendBatch).
	heads sync.Map
}

// NewStore wraps a pool of the runtime role. inserter may be nil for processes that never
// enqueue; any River client on the same pool inserts (an insert-only client needs no workers).
func NewStore(pool *pgxpool.Pool, inserter *river.Client[pgx.Tx]) *Store {
	return &Store{
		pool:  pool,
		db:    bun.NewDB(openBunDB(pool), pgdialect.New()),
		river: inserter,
	}
}

// Pool is the shared pgx pool (River's driver is built on it).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// SetInserter attaches the River client once it exists (it is built on this store's pool).
func (s *Store) SetInserter(c *river.Client[pgx.Tx]) { s.river = c }

// Tx is one database transaction bound to one tenant.
type Tx struct {
	conn     bun.Conn
	pgx      pgx.Tx
	tenantID uuid.UUID
	store    *Store
	// pending are the audit rows appended in this transaction, later the writes left for its
	// end (ExecAtCommit); both are written at its end (flush).
	mu      sync.Mutex
	pending []*AuditEvent
	later   []laterExec
	// committed: the COMMIT went with the flush's batch.
	committed bool
}

// DB runs bun queries inside the transaction.
func (t *Tx) DB() bun.IDB { return t.conn }

// Pgx is the same transaction for pgx-level APIs (River's InsertTx, JobCompleteTx).
func (t *Tx) Pgx() pgx.Tx { return t.pgx }

// TenantID is the tenant this transaction sees.
func (t *Tx) TenantID() uuid.UUID { return t.tenantID }

// Store is the store the transaction was opened on: work that runs in short transactions of
// its own (a sweep in batches) opens them there, and joins this one when called inside it.
func (t *Tx) Store() *Store { return t.store }

type txKey struct{}

// InTx runs fn in a transaction that sees only tenantID's rows, committing when fn returns
// nil. A nested call for the same tenant joins the outer transaction; for another tenant it
// is refused, so no code path mixes two tenants in one transaction.
func (s *Store) InTx(ctx context.Context, tenantID uuid.UUID, fn func(ctx context.Context) error) (err error) {
	if tenantID == uuid.Nil {
		return errors.New("tenants: transaction without a tenant")
	}
	if outer, ok := ctx.Value(txKey{}).(*Tx); ok {
		if outer.tenantID != tenantID {
			return fmt.Errorf("tenants: transaction for %s inside one for %s", tenantID, outer.tenantID)
		}
		return fn(ctx)
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// Begin on the pgx connection under database/sql's handle: bun's queries on conn and
	// River's on ptx then run in the same server-side transaction.
	//
	// SET LOCAL, not set_config(): Citus forwards SET LOCAL to the workers (with
	// citus.propagate_set_commands = local) but not a function call. SET takes no bind
	// parameters; a uuid.UUID prints as hex and dashes only, so formatting it is safe. It is
	// sent with BEGIN as one simple-protocol message: one round trip opens the transaction.
	begin := fmt.Sprintf("BEGIN; SET LOCAL app.tenant_id = '%s'", tenantID.String())
	ptx, err := beginOn(ctx, conn, begin)
	if err != nil {
		return err
	}
	tx := &Tx{conn: conn, pgx: ptx, tenantID: tenantID, store: s}
	defer end(ctx, ptx, &err, &tx.committed)
	if err = fn(context.WithValue(ctx, txKey{}, tx)); err != nil {
		return err
	}
	// The deferred writes and the audit rows last, with the commit: see flush.
	tx.committed, err = tx.flush(ctx, true)
	return err
}

// CurrentID is the tenant of ctx's transaction, for the explicit `tenant_id = ?` every query
// on a tenant table carries besides RLS: on Citus only that predicate routes the query to
// one shard. Outside a transaction it panics, as DB does.
func CurrentID(ctx context.Context) uuid.UUID {
	tx, ok := TxFrom(ctx)
	if !ok {
		panic("tenants.CurrentID called outside a tenant transaction")
	}
	return tx.tenantID
}

// Own narrows a query on a tenant table (its model's alias) to the tenant of ctx's
// transaction explicitly. RLS already keeps other counties' rows out; the predicate is for
// Citus, which routes a statement to one shard only when it names tenant_id.
func Own[Q interface{ Where(string, ...any) Q }](ctx context.Context, q Q) Q {
	return q.Where("?TableAlias.tenant_id = ?", CurrentID(ctx))
}

// TxFrom returns the transaction carried by ctx.
func TxFrom(ctx context.Context) (*Tx, bool) {
	tx, ok := ctx.Value(txKey{}).(*Tx)
	return tx, ok
}

// DB returns the bun handle of the transaction in ctx. Calling it outside InTx is a
// programming error: there is deliberately no tenant-less handle to fall back to.
func DB(ctx context.Context) bun.IDB {
	tx, ok := TxFrom(ctx)
	if !ok {
		panic("tenants.DB called outside a tenant transaction")
	}
	return tx.conn
}

// JobArgs are River job arguments that belong to a tenant. Workers open the tenant
// transaction from TenantID; Enqueue refuses args of another tenant.
type JobArgs interface {
	river.JobArgs
	Tenant() uuid.UUID
}

// Enqueue inserts a job in the transaction of ctx: it exists exactly when the rows written
// beside it do.
func Enqueue(ctx context.Context, args JobArgs, opts *river.InsertOpts) (int64, error) {
	tx, ok := TxFrom(ctx)
	if !ok {
		return 0, errors.New("tenants: Enqueue outside a tenant transaction")
	}
	if args.Tenant() != tx.tenantID {
		return 0, fmt.Errorf("tenants: job for tenant %s enqueued in a transaction of %s", args.Tenant(), tx.tenantID)
	}
	if tx.store.river == nil {
		return 0, errors.New("tenants: no River client attached to the store")
	}
	res, err := tx.store.river.InsertTx(ctx, tx.pgx, args, opts)
	if err != nil {
		return 0, err
	}
	return res.Job.ID, nil
}

// JobInsert is one job of EnqueueMany.
type JobInsert struct {
	Args JobArgs
	Opts *river.InsertOpts
}

// EnqueueMany inserts jobs in the transaction of ctx in one statement, through River's
// InsertManyTx, and returns the rows River gives back, one per job (a unique job already there
// gives that job, as Enqueue does). Every job must be the transaction's tenant's. Callers that
// need to know which row is which job match on the row's args: River returns them in the order
// given, but SQL does not promise a RETURNING order.
func EnqueueMany(ctx context.Context, jobs []JobInsert) ([]*rivertype.JobRow, error) {
	if len(jobs) == 0 {
		return nil, nil
	}
	tx, ok := TxFrom(ctx)
	if !ok {
		return nil, errors.New("tenants: EnqueueMany outside a tenant transaction")
	}
	if tx.store.river == nil {
		return nil, errors.New("tenants: no River client attached to the store")
	}
	params := make([]river.InsertManyParams, len(jobs))
	for i, j := range jobs {
		if j.Args.Tenant() != tx.tenantID {
			return nil, fmt.Errorf("tenants: job for tenant %s enqueued in a transaction of %s", j.Args.Tenant(), tx.tenantID)
		}
		params[i] = river.InsertManyParams{Args: j.Args, InsertOpts: j.Opts}
	}
	res, err := tx.store.river.InsertManyTx(ctx, tx.pgx, params)
	if err != nil {
		return nil, err
	}
	if len(res) != len(jobs) {
		return nil, fmt.Errorf("tenants: River inserted %d of %d jobs", len(res), len(jobs))
	}
	rows := make([]*rivertype.JobRow, len(res))
	for i, r := range res {
		rows[i] = r.Job
	}
	return rows, nil
}

// CancelJob cancels a job in the transaction of ctx, through River's JobCancelTx: a job that
// has not run yet never will, and one running now is stopped by its client. A job that has
// finished, or that River has since deleted, is left as it is; whoever cancels a job that
// may be running keeps the job's work safe to finish anyway.
func CancelJob(ctx context.Context, id int64) error {
	tx, ok := TxFrom(ctx)
	if !ok {
		return errors.New("tenants: CancelJob outside a tenant transaction")
	}
	if tx.store.river == nil {
		return errors.New("tenants: no River client attached to the store")
	}
	_, err := tx.store.river.JobCancelTx(ctx, tx.pgx, id)
	if errors.Is(err, river.ErrNotFound) {
		return nil
	}
	return err
}
