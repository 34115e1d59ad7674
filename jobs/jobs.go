// Package jobs runs Yichuang's background work on River. Every job carries its tenant;
// a worker runs inside that tenant's transaction and completes the job in the same
// transaction, so a job's effects and its completion commit together (and a retry after a
// crash finds nothing half-done).
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/yichuang/yichuang/services/auditlog"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/migration"
)

// Options shape the River client.
type Options struct {
	// Work runs the workers; false gives an insert-only client (API-only processes).
	Work bool
	// MaxWorkers of the default queue.
	MaxWorkers int
	Logger     *slog.Logger
	// TestOnly relaxes River's timing for tests.
	TestOnly bool
}

// NewClient builds the River client on the store's pool and attaches it to the store, so
// tenants.Enqueue inserts through it.
func NewClient(store *tenants.Store, opts Options) (*river.Client[pgx.Tx], error) {
	workers := river.NewWorkers()
	river.AddWorker(workers, &tenantWorker[auditlog.CheckArgs]{store: store, work: auditCheck})

	cfg := &river.Config{Schema: migration.RiverSchema, Workers: workers, Logger: opts.Logger, TestOnly: opts.TestOnly}
	if opts.Work {
		n := opts.MaxWorkers
		if n <= 0 {
			n = 20
		}
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: n}}
	}
	client, err := river.NewClient(riverpgxv5.New(store.Pool()), cfg)
	if err != nil {
		return nil, err
	}
	store.SetInserter(client)
	return client, nil
}

// tenantWorker adapts a function that works inside a tenant transaction to a River worker.
type tenantWorker[T tenants.JobArgs] struct {
	river.WorkerDefaults[T]
	store *tenants.Store
	work  func(ctx context.Context, args T) error
}

func (w *tenantWorker[T]) Work(ctx context.Context, job *river.Job[T]) error {
	ctx = tenants.WithRequestID(ctx, "job:"+job.Kind+":"+strconv.FormatInt(job.ID, 10))
	return w.store.InTx(ctx, job.Args.Tenant(), func(ctx context.Context) error {
		if err := w.work(ctx, job.Args); err != nil {
			return err
		}
		tx, _ := tenants.TxFrom(ctx)
		if _, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx.Pgx(), job); err != nil {
			return fmt.Errorf("complete job %d: %w", job.ID, err)
		}
		return nil
	})
}

func auditCheck(ctx context.Context, args auditlog.CheckArgs) error {
	_, err := auditlog.RunCheck(ctx, args.CheckID)
	return err
}
