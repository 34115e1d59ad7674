// Package jobs runs Yichuang's background work on River. Every job carries its tenant;
// a worker runs inside that tenant's transaction and completes the job in the same
// transaction, so a job's effects and its completion commit together (and a retry after a
// crash finds nothing half-done).
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/yichuang/yichuang/services/access"
	"github.com/yichuang/yichuang/services/application"
	"github.com/yichuang/yichuang/services/auditlog"
	"github.com/yichuang/yichuang/services/calendar"
	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/document"
	"github.com/yichuang/yichuang/services/notify"
	"github.com/yichuang/yichuang/services/pay"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/signin"
	"github.com/yichuang/yichuang/services/status"
	"github.com/yichuang/yichuang/services/supervision"
	"github.com/yichuang/yichuang/services/wiring"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/services/workforce"
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
	// Services are the instances the workers call, the same the server calls (wiring.New).
	// Their clock is the time workers read; a test's clock.Stub is also what River then uses
	// to decide when scheduled jobs are due. With storage (Services.Docs.Storage, MinIO) the
	// client also works the documents queue (rendering notices, verifying uploads, packing
	// archives); without it those jobs wait in their queue for a process that has it.
	Services *wiring.Services
	// SMS sends the outbox; nil logs messages instead (notify.LogSender).
	SMS notify.Sender
	// ReconcileEvery is the period of the deadline safety net; 0 means DefaultReconcileEvery.
	ReconcileEvery time.Duration
	// Queues, when set, are the only queues worked (and the periodic sweep is scheduled only
	// if the default queue is among them). Tests that share a database with clients on other
	// clocks work just their own queue.
	Queues []string
}

// DefaultReconcileEvery is how often every county's deadlines are reconciled (the safety net
// under the per-application jobs): a sweep must finish well inside it (make bench-province).
const DefaultReconcileEvery = time.Hour

// NewClient builds the River client on the store's pool and attaches it to the store, so
// tenants.Enqueue inserts through it.
func NewClient(store *tenants.Store, opts Options) (*river.Client[pgx.Tx], error) {
	if opts.Services == nil {
		return nil, errors.New("jobs: no services (build them with wiring.New)")
	}
	svc := opts.Services
	if opts.SMS == nil {
		opts.SMS = notify.LogSender{Logger: opts.Logger}
	}
	apps := svc.Apps
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	workers := river.NewWorkers()
	// The audit vault is the archive bucket; without storage a check reports the anchors as
	// not compared, and anchor jobs wait in the documents queue for a process that has it.
	vault := func(tenant uuid.UUID) auditlog.Vault {
		if svc.Docs == nil || svc.Docs.Storage == nil {
			return nil
		}
		return svc.Docs.Storage.Archive(tenant)
	}
	// Each kind's timeout is chosen for what it does (River's default is one minute for all,
	// and a timed-out job is retried up to 25 times). Under River's one-hour rescue of stuck
	// jobs, and under the hourly sweep for the work it re-enqueues.
	//
	// A verification reads and hashes a county's whole audit chain in one transaction, which
	// at a province's scale is millions of rows; it locks nothing a clerk waits on.
	river.AddWorker(workers, &tenantWorker[auditlog.CheckArgs]{store: store, timeout: 30 * time.Minute, work: func(ctx context.Context, a auditlog.CheckArgs) error {
		_, err := auditlog.RunCheck(ctx, a.CheckID, vault(a.TenantID))
		return err
	}})
	// One small object to MinIO.
	river.AddWorker(workers, &tenantWorker[auditlog.AnchorArgs]{store: store, timeout: time.Minute, work: func(ctx context.Context, a auditlog.AnchorArgs) error {
		v := vault(a.TenantID)
		if v == nil {
			return errors.New("audit anchor: no storage in this process")
		}
		_, err := auditlog.WriteAnchor(ctx, v, svc.Clock.Now())
		return err
	}})
	// One application, locked FOR UPDATE behind a clerk's step at most: seconds. A short
	// limit keeps one stuck behind a lock from holding a worker.
	river.AddWorker(workers, &tenantWorker[application.DeadlineArgs]{store: store, timeout: 30 * time.Second, work: apps.CheckDeadline})
	river.AddWorker(workers, &reconcileWorker{store: store, apps: apps, logger: logger})
	// Up to 200 SMS through the gateway, each a network call.
	river.AddWorker(workers, &tenantWorker[notify.DeliverArgs]{store: store, timeout: 5 * time.Minute, work: func(ctx context.Context, _ notify.DeliverArgs) error {
		_, err := notify.Deliver(ctx, opts.SMS, 200)
		return err
	}})
	people := svc.Workforce
	// The workforce's dated changes, the year's progression and the month's payroll for a
	// county's workers (thousands): computation in one transaction, well under a minute.
	river.AddWorker(workers, &tenantWorker[workforce.SweepArgs]{store: store, timeout: 5 * time.Minute, work: func(ctx context.Context, _ workforce.SweepArgs) error {
		_, err := people.Sweep(ctx)
		return err
	}})
	river.AddWorker(workers, &tenantWorker[workforce.ApplyArgs]{store: store, timeout: 5 * time.Minute, work: func(ctx context.Context, a workforce.ApplyArgs) error {
		return people.Apply(ctx, a.BatchID)
	}})
	river.AddWorker(workers, &tenantWorker[workforce.PayrollArgs]{store: store, timeout: 5 * time.Minute, work: func(ctx context.Context, a workforce.PayrollArgs) error {
		m, err := pay.ParseMonth(a.Month)
		if err != nil {
			return river.JobCancel(err)
		}
		_, err = people.Compute(ctx, m)
		if p, ok := problem.As(err); ok && p.Code == "payroll_final" {
			return nil // finalised meanwhile: nothing to recompute
		}
		return err
	}})
	lists := svc.Access
	// One access-list request, step or task: small, like a deadline job.
	river.AddWorker(workers, &tenantWorker[access.NoticeArgs]{store: store, timeout: 30 * time.Second, work: func(ctx context.Context, a access.NoticeArgs) error {
		_, err := lists.EndNotice(ctx, a.RequestID)
		return err
	}})
	river.AddWorker(workers, &tenantWorker[access.StepArgs]{store: store, timeout: 30 * time.Second, work: lists.CheckStep})
	// A county's access lists: a yearly reminder.
	river.AddWorker(workers, &tenantWorker[access.SweepArgs]{store: store, timeout: 5 * time.Minute, work: func(ctx context.Context, _ access.SweepArgs) error {
		_, err := lists.Sweep(ctx)
		return err
	}})
	river.AddWorker(workers, &tenantWorker[access.TaskDueArgs]{store: store, timeout: 30 * time.Second, work: lists.CheckTaskDue})
	residents := svc.Status
	// One rating's rectification case.
	river.AddWorker(workers, &tenantWorker[status.RectifyArgs]{store: store, timeout: 30 * time.Second, work: residents.CheckCase})
	// The default rating of a county's unrated applications since the last sweep.
	river.AddWorker(workers, &tenantWorker[status.SweepArgs]{store: store, timeout: 5 * time.Minute, work: func(ctx context.Context, _ status.SweepArgs) error {
		_, err := residents.DefaultUnrated(ctx)
		return err
	}})
	// A reminder to the county admins at most.
	river.AddWorker(workers, &tenantWorker[calendar.SweepArgs]{store: store, timeout: time.Minute, work: func(ctx context.Context, _ calendar.SweepArgs) error {
		_, err := calendar.Remind(ctx, workday.DateOf(svc.Clock.Now().In(clock.Zone)))
		return err
	}})
	river.AddWorker(workers, &sweepWorker{store: store})
	// The supervision feed: each county's outbox drained in its own transaction.
	river.AddWorker(workers, &tenantWorker[supervision.PublishArgs]{store: store, timeout: 5 * time.Minute, work: func(ctx context.Context, _ supervision.PublishArgs) error {
		_, err := svc.Supervision.Publish(ctx)
		return err
	}})
	river.AddWorker(workers, &publishSweepWorker{store: store, svc: svc.Supervision})
	// Registered even without storage: River refuses to insert a kind it has no worker for,
	// and steps enqueue these everywhere. Without storage their queue is not worked.
	docs := svc.Docs
	// Rendering one notice to PDF and storing it.
	river.AddWorker(workers, &tenantWorker[document.NoticeArgs]{store: store, timeout: 2 * time.Minute, work: docs.GenerateNotice})
	// Re-reading one upload (up to the upload limit) from MinIO and hashing it.
	river.AddWorker(workers, &tenantWorker[document.VerifyArgs]{store: store, timeout: 5 * time.Minute, work: docs.Verify})
	// Packing a whole archive (every notice and file of an application) under the row's lock;
	// archived applications are no clerk's daily work.
	river.AddWorker(workers, &tenantWorker[document.ArchiveArgs]{store: store, timeout: 10 * time.Minute, work: docs.Pack})
	// Removing what abandoned uploads left in MinIO, one object at a time.
	river.AddWorker(workers, &tenantWorker[document.SweepArgs]{store: store, timeout: 10 * time.Minute, work: func(ctx context.Context, _ document.SweepArgs) error {
		_, err := docs.SweepUploads(ctx)
		return err
	}})

	cfg := &river.Config{Schema: migration.RiverSchema, Workers: workers, Logger: opts.Logger, TestOnly: opts.TestOnly}
	if st, ok := svc.Clock.(rivertype.TimeGenerator); ok {
		if _, system := svc.Clock.(clock.System); !system {
			cfg.Test.Time = st
		}
	}
	if opts.Work {
		n := opts.MaxWorkers
		if n <= 0 {
			n = 20
		}
		queues := map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: n}}
		if docs.Storage != nil {
			// Few at a time: each holds a file of up to the upload limit, or a whole package.
			queues[document.Queue] = river.QueueConfig{MaxWorkers: 4}
		}
		if len(opts.Queues) > 0 {
			only := map[string]river.QueueConfig{}
			for _, q := range opts.Queues {
				if c, ok := queues[q]; ok {
					only[q] = c
				}
			}
			queues = only
		}
		if _, ok := queues[river.QueueDefault]; ok {
			every := opts.ReconcileEvery
			if every <= 0 {
				every = DefaultReconcileEvery
			}
			cfg.PeriodicJobs = []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(every),
				func() (river.JobArgs, *river.InsertOpts) { return SweepArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true}),
				river.NewPeriodicJob(river.PeriodicInterval(supervision.SweepEvery),
					func() (river.JobArgs, *river.InsertOpts) { return PublishSweepArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true})}
		}
		cfg.Queues = queues
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
	// timeout bounds one attempt (River cancels its context, and the transaction rolls back).
	timeout time.Duration
}

// Timeout is the kind's limit, set where the worker is registered.
func (w *tenantWorker[T]) Timeout(*river.Job[T]) time.Duration { return w.timeout }

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

// reconcileWorker runs a county's deadline reconciliation. Unlike tenantWorker it opens no
// transaction around the work: the reconciliation commits batch by batch in short
// transactions of its own (application.Service.Sweep), so it never holds the county's
// applications for the whole run, and River marks the job completed when it returns. A retry
// after a timeout or a crash redoes only what still differs.
type reconcileWorker struct {
	river.WorkerDefaults[application.ReconcileArgs]
	store  *tenants.Store
	apps   *application.Service
	logger *slog.Logger
}

// Timeout: the sweep runs hourly, and a pass that has not finished in twenty minutes has kept
// the batches it committed; the next attempt or the next hour goes on from there. A whole
// county of 50,000 open applications takes a small fraction of that: make bench-province's
// busy county, about two minutes for the first run and three after a closure re-dates half
// of them, on a shared 2-core machine under heavy load.
func (w *reconcileWorker) Timeout(*river.Job[application.ReconcileArgs]) time.Duration {
	return 20 * time.Minute
}

func (w *reconcileWorker) Work(ctx context.Context, job *river.Job[application.ReconcileArgs]) error {
	ctx = tenants.WithRequestID(ctx, "job:"+job.Kind+":"+strconv.FormatInt(job.ID, 10))
	start := time.Now()
	res, err := w.apps.Sweep(ctx, w.store, job.Args)
	attrs := []any{"tenant", job.Args.TenantID, "scanned", res.Scanned, "changed", res.Changed, "skipped", res.Skipped,
		"elapsed", time.Since(start).Round(time.Millisecond)}
	if job.Args.From != nil && job.Args.To != nil {
		attrs = append(attrs, "from", job.Args.From.String(), "to", job.Args.To.String())
	}
	if err != nil {
		w.logger.Error("deadline reconciliation failed", append(attrs, "err", err)...)
		return err
	}
	w.logger.Info("deadline reconciliation", attrs...)
	return nil
}

// anchorOpts put a county's anchor in the documents queue (it writes to MinIO), at most one
// waiting at a time: without a process that has MinIO they do not pile up hour after hour.
func anchorOpts() *river.InsertOpts {
	return &river.InsertOpts{Queue: document.Queue, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable, rivertype.JobStateRunning, rivertype.JobStateScheduled}}}
}

// SweepArgs start the periodic safety net: per active tenant, one deadline reconciliation
// one workforce sweep (dated record changes, the year's progression, the month's payroll) and
// one calendar reminder (the coming year's holiday schedule, from November), one access-list
// sweep (the yearly re-confirmation reminder), one audit anchor, one rating sweep (the
// county's default-rating rule, if on) and one documents sweep (presigned uploads never
// completed).
type SweepArgs struct{}

// Kind is River's job kind.
func (SweepArgs) Kind() string { return "deadline_sweep" }

// sweepWorker is the one job that is not a tenant's: it lists the tenants (the registry's
// deliberate cross-tenant read) and enqueues each one's reconciliation in that tenant's own
// transaction.
type sweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	store *tenants.Store
}

// Timeout: one short transaction per county (a province has about 95) enqueuing its
// housekeeping; minutes would mean the database is in trouble.
func (w *sweepWorker) Timeout(*river.Job[SweepArgs]) time.Duration { return 5 * time.Minute }

func (w *sweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	// Sign-in counts whose window and lock are long over (not a tenant's: see signin_throttle).
	if _, err := (&signin.Guard{Pool: w.store.Pool(), Policy: signin.DefaultPolicy}).Prune(ctx); err != nil {
		return err
	}
	all, err := w.store.ListAll(ctx)
	if err != nil {
		return err
	}
	for _, t := range all {
		err := w.store.InTx(ctx, t.ID, func(ctx context.Context) error {
			if err := signin.PruneActivity(ctx, time.Now()); err != nil {
				return err
			}
			if _, err := tenants.Enqueue(ctx, application.ReconcileArgs{TenantID: t.ID}, nil); err != nil {
				return err
			}
			if _, err := tenants.Enqueue(ctx, workforce.SweepArgs{TenantID: t.ID}, nil); err != nil {
				return err
			}
			if _, err := tenants.Enqueue(ctx, calendar.SweepArgs{TenantID: t.ID}, nil); err != nil {
				return err
			}
			if _, err := tenants.Enqueue(ctx, access.SweepArgs{TenantID: t.ID}, nil); err != nil {
				return err
			}
			if _, err := tenants.Enqueue(ctx, document.SweepArgs{TenantID: t.ID}, nil); err != nil {
				return err
			}
			// The audit head goes to the locked archive bucket, so a chain shortened in the
			// database is caught by the next verification (services/auditlog/anchor.go).
			if _, err := tenants.Enqueue(ctx, auditlog.AnchorArgs{TenantID: t.ID}, anchorOpts()); err != nil {
				return err
			}
			_, err := tenants.Enqueue(ctx, status.SweepArgs{TenantID: t.ID}, nil)
			return err
		})
		if err != nil {
			return fmt.Errorf("sweep %s: %w", t.Code, err)
		}
	}
	return nil
}

// PublishSweepArgs start the supervision feed's periodic drain: every county with outbox rows,
// or whose month has turned since it last published, gets its publishing job (supervision.PublishArgs), each enqueued in the county's own
// transaction. The outbox is written by triggers in the county's transactions, which cannot
// enqueue through River's API; this sweep, every supervision.SweepEvery, is the lag's bound.
type PublishSweepArgs struct{}

// Kind is River's job kind.
func (PublishSweepArgs) Kind() string { return "supervision_sweep" }

type publishSweepWorker struct {
	river.WorkerDefaults[PublishSweepArgs]
	store *tenants.Store
	svc   *supervision.Service
}

func (w *publishSweepWorker) Timeout(*river.Job[PublishSweepArgs]) time.Duration { return time.Minute }

func (w *publishSweepWorker) Work(ctx context.Context, _ *river.Job[PublishSweepArgs]) error {
	all, err := w.store.ListAll(ctx)
	if err != nil {
		return err
	}
	for _, t := range all {
		if err := w.store.InTx(ctx, t.ID, w.svc.EnqueueIfPending); err != nil {
			return fmt.Errorf("supervision sweep %s: %w", t.Code, err)
		}
	}
	return nil
}
