package application

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/yichuang/yichuang/services/calendar"
	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/lifecycle"
	"github.com/yichuang/yichuang/services/notify"
	"github.com/yichuang/yichuang/services/settings"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
)

// Deadline kinds: each is a moment a job wakes up for.
const (
	KindForward    = "forward"    // the village did not forward a proxy application in time
	KindCorrection = "correction" // the hall did not decide on a received application in time
	KindYellow     = "yellow"     // the committed limit is near
	KindRed        = "red"        // the committed limit passed
	KindLegal      = "legal"      // the statutory limit passed
	KindStep       = "step"       // a special procedure ran over its time (art. 45)
	// A 准予 decision is served within ten working days (art. 44).
	KindDeliveryYellow = "delivery_yellow"
	KindDelivery       = "delivery"
)

var kindLabels = map[string]string{
	KindForward: "代办转交超期", KindCorrection: "补正告知超期", KindYellow: "承诺时限临期", KindRed: "承诺时限超期", KindLegal: "法定时限超期",
	KindStep: "特别程序超时", KindDeliveryYellow: "送达时限临期", KindDelivery: "送达超期",
	KindStageYellow: "环节时限临期", KindStageRed: "环节时限超期",
}

// yellowKinds fire when the yellow window opens rather than the day after the due date.
func yellowKind(kind string) bool {
	kind, _ = stageMoment(kind)
	return kind == KindYellow || kind == KindDeliveryYellow || kind == KindStageYellow
}

// limits are the application's two clocks. A special step the item counts in the limit does
// not stop them (art. 45 stops the clock only for the time it does not count).
func limits(a *Application, pauses []Pause) (legal, promised workday.Limit) {
	var ps []workday.Pause
	for _, p := range pauses {
		if p.Counted {
			continue
		}
		wp := workday.Pause{From: workday.DateOf(p.FromDate)}
		if p.ToDate != nil {
			to := workday.DateOf(*p.ToDate)
			wp.To = &to
		}
		ps = append(ps, wp)
	}
	start := date(a.AcceptedOn)
	legal = workday.Limit{Start: start, Days: a.LegalDays, Extension: a.ExtensionDays, Pauses: ps}
	promised = workday.Limit{Start: start, Days: a.PromisedDays, Extension: a.ExtensionDays, Pauses: ps}
	return legal, promised
}

// clockRuns reports whether the limits run: from acceptance (or the deemed acceptance of a
// late correction notice, art. 32) until the decision.
func clockRuns(a *Application) bool {
	if a.AcceptedOn == nil {
		return false
	}
	switch a.State {
	case lifecycle.Received, lifecycle.Correcting, lifecycle.Accepted, lifecycle.Processing, lifecycle.Paused:
		return true
	}
	return false
}

// awaitsDelivery reports whether a 准予 decision still has to be served (art. 44).
func awaitsDelivery(a *Application) bool {
	return a.State == lifecycle.Decided && a.Decision != nil && *a.Decision == string(lifecycle.Approve) && a.DeliveredOn == nil
}

// running reports whether the application still has a deadline of some kind.
func running(a *Application) bool { return a.State.Open() || awaitsDelivery(a) }

// openPause is the pause still running, if any.
func openPause(pauses []Pause) *Pause {
	for i := range pauses {
		if pauses[i].ToDate == nil {
			return &pauses[i]
		}
	}
	return nil
}

// recompute sets the due dates, the warning level and the provisional flag from the calendar
// as of today. Every date it sets that counts working days is one (民法典 art. 203).
func recompute(cal *workday.Calendar, a *Application, pauses []Pause, today workday.Date, st *settings.Settings) {
	provisional := false
	add := func(from workday.Date, n int) *time.Time {
		due := cal.Add(from, n)
		provisional = provisional || cal.Provisional(from, due)
		return stored(due)
	}
	// The short limits of the window: the limit the application got at receipt, counted on
	// today's calendar (a closure or a newly published year moves them).
	if a.State == lifecycle.ProxyReceived && a.ProxyReceived != nil && a.ForwardDays > 0 {
		a.ForwardDue = add(date(a.ProxyReceived), a.ForwardDays)
	}
	if a.State == lifecycle.Received && a.AcceptedOn == nil && a.CorrectionDays > 0 {
		from := date(a.ReceivedOn)
		if a.CompleteOn != nil {
			from = date(a.CompleteOn)
		}
		a.CorrectionDue = add(from, a.CorrectionDays)
	}
	if a.AcceptedOn != nil {
		legal, promised := limits(a, pauses)
		p := cal.Deadline(promised, today)
		a.PromisedDue, a.Paused = stored(p.Due), p.Paused
		provisional = provisional || (clockRuns(a) && p.Provisional)
		a.LegalDue = nil
		if a.LegalDays > 0 {
			l := cal.Deadline(legal, today)
			a.LegalDue = stored(l.Due)
			provisional = provisional || (clockRuns(a) && l.Provisional)
		}
	}
	if p := openPause(pauses); p != nil && p.LimitDays > 0 {
		p.StepDue = add(workday.DateOf(p.FromDate), p.LimitDays)
	}
	provisional = stageDates(cal, a, pauses, today, st.YellowDays) || provisional
	// The delivery deadline runs from a 准予 decision until 送达 (the delivery's timeline event
	// keeps the date it had).
	a.DeliveryDue = nil
	if awaitsDelivery(a) && a.DecidedOn != nil {
		a.DeliveryDue = add(date(a.DecidedOn), st.DeliveryDays)
	}
	level := workday.Normal
	for kind, due := range moments(a, pauses) {
		if base, _ := stageMoment(kind); kind == KindStep || base == KindStageYellow || base == KindStageRed {
			// A step running over is warned about, but the application is not late for it.
			continue
		}
		if l := cal.Level(due, today, st.YellowDays); l > level {
			level = l
		}
	}
	a.Warning = level.String()
	a.Provisional = provisional
}

// moments are the deadline jobs an application needs now: kind → the due date it watches.
func moments(a *Application, pauses []Pause) map[string]workday.Date {
	out := map[string]workday.Date{}
	switch a.State {
	case lifecycle.ProxyReceived:
		if a.ForwardDue != nil {
			out[KindForward] = date(a.ForwardDue)
		}
	case lifecycle.Received:
		if a.AcceptedOn == nil && a.CorrectionDue != nil {
			out[KindCorrection] = date(a.CorrectionDue)
		}
	case lifecycle.Paused:
		if p := openPause(pauses); p != nil && p.StepDue != nil {
			out[KindStep] = date(p.StepDue)
		}
	case lifecycle.Decided:
		if awaitsDelivery(a) && a.DeliveryDue != nil {
			out[KindDeliveryYellow] = date(a.DeliveryDue)
			out[KindDelivery] = date(a.DeliveryDue)
		}
	}
	// While a pause stops the clock the due dates move out every day: nothing to watch.
	if clockRuns(a) && !a.Paused {
		if a.PromisedDue != nil {
			out[KindYellow] = date(a.PromisedDue)
			out[KindRed] = date(a.PromisedDue)
		}
		if a.LegalDue != nil {
			out[KindLegal] = date(a.LegalDue)
		}
	}
	stageMoments(a, out)
	return out
}

// fireAt is when the job of kind for due wakes: the start of the first yellow day, or the
// start of the day after the due date.
func fireAt(cal *workday.Calendar, kind string, due workday.Date, yellowDays int) time.Time {
	if yellowKind(kind) {
		return cal.YellowFrom(due, yellowDays).In(clock.Zone)
	}
	return due.AddDays(1).In(clock.Zone)
}

// DeadlineArgs wake up for one application, kind and due date.
type DeadlineArgs struct {
	TenantID      uuid.UUID    `json:"tenant_id" river:"unique"`
	ApplicationID uuid.UUID    `json:"application_id" river:"unique"`
	DeadlineKind  string       `json:"kind" river:"unique"`
	Due           workday.Date `json:"due" river:"unique"`
}

// Kind is River's job kind.
func (DeadlineArgs) Kind() string { return "application_deadline" }

// Tenant is the job's tenant.
func (a DeadlineArgs) Tenant() uuid.UUID { return a.TenantID }

// InsertOpts make the job unique per application, kind and due date in any state: the same
// moment is never scheduled twice, and a moved due date is a new moment.
func (DeadlineArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// planJobs compares the application's jobs with its moments: jobs for moments that moved or
// ended are to be cancelled (and leave a.Jobs), and each new moment needs a job.
func planJobs(cal *workday.Calendar, a *Application, pauses []Pause, yellowDays int) (cancel []int64, add []tenants.JobInsert) {
	want := moments(a, pauses)
	if a.Jobs == nil {
		a.Jobs = map[string]Job{}
	}
	for kind, j := range a.Jobs {
		if due, ok := want[kind]; ok && due == j.Due {
			continue
		}
		cancel = append(cancel, j.ID)
		delete(a.Jobs, kind)
	}
	for _, kind := range slices.Sorted(maps.Keys(want)) {
		if _, ok := a.Jobs[kind]; ok {
			continue
		}
		due := want[kind]
		add = append(add, tenants.JobInsert{Args: DeadlineArgs{TenantID: a.TenantID, ApplicationID: a.ID, DeadlineKind: kind, Due: due},
			Opts: &river.InsertOpts{ScheduledAt: fireAt(cal, kind, due, yellowDays)}})
	}
	slices.Sort(cancel)
	return cancel, add
}

// applyJobs cancels and inserts what planJobs decided for apps, in the transaction of ctx:
// each cancellation through River's JobCancelTx, the insertions in one InsertManyTx. The new
// jobs are recorded on their applications.
func applyJobs(ctx context.Context, cancel []int64, add []tenants.JobInsert, apps map[uuid.UUID]*Application) error {
	for _, id := range cancel {
		if err := tenants.CancelJob(ctx, id); err != nil {
			return fmt.Errorf("cancel deadline job %d: %w", id, err)
		}
	}
	rows, err := tenants.EnqueueMany(ctx, add)
	if err != nil {
		return fmt.Errorf("schedule deadline jobs: %w", err)
	}
	for _, r := range rows {
		var args DeadlineArgs
		if err := json.Unmarshal(r.EncodedArgs, &args); err != nil {
			return fmt.Errorf("deadline job %d: %w", r.ID, err)
		}
		a, ok := apps[args.ApplicationID]
		if !ok {
			return fmt.Errorf("deadline job %d is for no application of the batch", r.ID)
		}
		a.Jobs[args.DeadlineKind] = Job{ID: r.ID, Due: args.Due}
	}
	return nil
}

// schedule brings the application's deadline jobs in line with its moments: jobs for moments
// that moved or ended are cancelled, new moments get a job. It runs in the transaction that
// changed the application.
func schedule(ctx context.Context, cal *workday.Calendar, a *Application, pauses []Pause, yellowDays int) error {
	cancel, add := planJobs(cal, a, pauses, yellowDays)
	return applyJobs(ctx, cancel, add, map[uuid.UUID]*Application{a.ID: a})
}

// CheckDeadline is the deadline job: it refreshes the application's due dates and warning
// level and, if the moment it was scheduled for is still current and has come, notifies the
// handlers and their supervisors. Running it twice notifies once.
func (s *Service) CheckDeadline(ctx context.Context, args DeadlineArgs) error {
	a, pauses, err := s.lockForCheck(ctx, args.ApplicationID)
	if err != nil || a == nil {
		return err
	}
	cal, st, err := calendarAndSettings(ctx)
	if err != nil {
		return err
	}
	today := s.today()
	recompute(cal, a, pauses, today, st)
	due, current := moments(a, pauses)[args.DeadlineKind]
	if current && due == args.Due && !s.now().Before(fireAt(cal, args.DeadlineKind, due, st.YellowDays)) {
		if err := s.warn(ctx, a, args.DeadlineKind, due); err != nil {
			return err
		}
	}
	return saveDerived(ctx, a, pauses, false)
}

// derived are the columns recompute sets.
var derived = []string{"forward_due", "correction_due", "legal_due", "promised_due", "delivery_due", "paused", "warning", "provisional", "stages"}

// saveDerived writes what recompute set (and the jobs, when schedule ran), and the open
// pause's step due date.
func saveDerived(ctx context.Context, a *Application, pauses []Pause, jobs bool) error {
	cols := derived
	if jobs {
		cols = append(slices.Clone(derived), "jobs")
	}
	if _, err := tenants.DB(ctx).NewUpdate().Model(a).Column(cols...).WherePK().Exec(ctx); err != nil {
		return err
	}
	if p := openPause(pauses); p != nil && p.StepDue != nil {
		if _, err := tenants.DB(ctx).NewUpdate().Model(p).Column("step_due").WherePK().Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) lockForCheck(ctx context.Context, id uuid.UUID) (*Application, []Pause, error) {
	a := new(Application)
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(a)).Where("a.id = ?", id).For("UPDATE").Scan(ctx); err != nil {
		if isNoRows(err) {
			return nil, nil, nil
		}
		return nil, nil, err
	}
	pauses, err := loadPauses(ctx, id)
	return a, pauses, err
}

func calendarAndSettings(ctx context.Context) (*workday.Calendar, *settings.Settings, error) {
	st, err := settings.Get(ctx)
	if err != nil {
		return nil, nil, err
	}
	cal, err := calendar.Of(ctx, st)
	return cal, st, err
}

// warn notifies whoever handles the application now, and their supervisors.
func (s *Service) warn(ctx context.Context, a *Application, kind string, due workday.Date) error {
	d, err := warning(ctx, audience{}, a, kind, due)
	if err != nil {
		return err
	}
	_, err = notify.Send(ctx, d.To, d.Message)
	return err
}

// warning is the notice of a moment come: to the handlers and their supervisors (found through
// au, which a batch shares).
func warning(ctx context.Context, au audience, a *Application, kind string, due workday.Date) (notify.Delivery, error) {
	to, err := au.of(ctx, a)
	if err != nil {
		return notify.Delivery{}, err
	}
	no := a.ItemName
	if a.ReceiptNo != nil {
		no = *a.ReceiptNo + " " + a.ItemName
	}
	body := fmt.Sprintf("%s（申请人 %s）期限 %s。", no, a.ApplicantName, due)
	base, n := stageMoment(kind)
	if n > 0 && n <= len(a.Stages) {
		body = fmt.Sprintf("%s（申请人 %s）办理环节“%s”期限 %s。", no, a.ApplicantName, a.Stages[n-1].Name, due)
	}
	id := a.ID
	return notify.Delivery{To: to, Message: notify.Message{Kind: "deadline_" + base, ApplicationID: &id, Title: kindLabels[base], Body: body,
		DedupKey: "deadline:" + a.ID.String() + ":" + kind + ":" + due.String(), SMS: base != KindYellow && base != KindStageYellow}}, nil
}

// ReconcileArgs re-derive the running applications' deadlines and jobs in one tenant: every
// one of them periodically, as a safety net, and after a change to the rules; after a calendar
// change that touched only some days (From and To set, inclusive), those whose dates those
// days can move.
type ReconcileArgs struct {
	TenantID uuid.UUID     `json:"tenant_id" river:"unique"`
	From     *workday.Date `json:"from,omitempty" river:"unique"`
	To       *workday.Date `json:"to,omitempty" river:"unique"`
	// Rev is the calendar revision the change made: a second change of the same days while
	// the first one's pass runs gets a pass of its own rather than joining the running one.
	Rev int64 `json:"rev,omitempty" river:"unique"`
}

// Kind is River's job kind.
func (ReconcileArgs) Kind() string { return "application_reconcile" }

// Tenant is the job's tenant.
func (a ReconcileArgs) Tenant() uuid.UUID { return a.TenantID }

// InsertOpts keep one waiting reconciliation per tenant and span.
func (ReconcileArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: waiting}}
}

// Reconciled is what one reconciliation did.
type Reconciled struct {
	// Scanned are the running applications read (for a calendar change, those whose counted
	// span reaches the changed days).
	Scanned int `json:"scanned"`
	// Changed are the rows written: their due dates, warning level, flags or jobs moved.
	Changed int `json:"changed"`
	// Skipped are rows that needed a change but were locked by another transaction (a clerk
	// acting on them, whose step recomputes them anyway): the next pass takes them.
	Skipped int `json:"skipped"`
}

// ReconcileBatch is how many applications one transaction of a reconciliation reads.
const ReconcileBatch = 500

// ReconcileRest is the sweep's rest after a batch, as a share of the batch's time.
const ReconcileRest = 1.0

// Reconcile recomputes every running application of the transaction's tenant: due dates,
// warning level, jobs, and the warnings whose moment has passed (a job lost or cancelled by
// mistake is made good here). Its batches join the transaction of ctx; the job runs them in
// short transactions of their own (Sweep).
func (s *Service) Reconcile(ctx context.Context) (Reconciled, error) {
	tx, ok := tenants.TxFrom(ctx)
	if !ok {
		return Reconciled{}, errors.New("application: Reconcile outside a tenant transaction")
	}
	return s.Sweep(ctx, tx.Store(), ReconcileArgs{TenantID: tx.TenantID()})
}

// Sweep is the reconciliation job: it walks the tenant's running applications in keyset
// batches of (tenant_id, id), in short transactions of its own on store (or in the
// transaction of ctx, when there is one: a nested InTx joins it), so it never holds a lock
// for long and a crash or timeout keeps the batches done. A batch reads its applications
// without locking them and recomputes them in memory; only those whose computed values or
// jobs differ from the stored ones are then locked, a few at a time, FOR UPDATE SKIP LOCKED,
// recomputed from the locked row and written, with their jobs cancelled and inserted in bulk.
// A row another transaction holds is skipped, tried once more at the end, and otherwise left
// to the next pass: whoever holds it is taking a step, and every step recomputes its
// application.
func (s *Service) Sweep(ctx context.Context, store *tenants.Store, args ReconcileArgs) (Reconciled, error) {
	size := s.ReconcileBatch
	if size <= 0 {
		size = ReconcileBatch
	}
	rest := s.ReconcileRest
	if rest == 0 {
		rest = ReconcileRest
	}
	// Inside a caller's transaction the batches hold its locks: resting would only hold them
	// longer.
	if _, inTx := tenants.TxFrom(ctx); inTx {
		rest = 0
	}
	var res Reconciled
	var skipped []uuid.UUID
	after := uuid.Nil
	for {
		started := time.Now()
		b, err := s.reconcileBatch(ctx, store, args, func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("a.id > ?", after).OrderExpr("a.tenant_id, a.id").Limit(int64(size))
		})
		if err != nil {
			return res, err
		}
		res.Scanned += b.read
		res.Changed += b.changed
		skipped = append(skipped, b.skipped...)
		if b.read < size {
			break
		}
		after = b.last
		if rest > 0 {
			select {
			case <-ctx.Done():
				return res, ctx.Err()
			case <-time.After(time.Duration(float64(time.Since(started)) * rest)):
			}
		}
	}
	if len(skipped) > 0 {
		// Once more for the rows held meanwhile: a clerk's step takes milliseconds.
		b, err := s.reconcileBatch(ctx, store, ReconcileArgs{TenantID: args.TenantID}, func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("a.id IN (?)", bun.In(skipped))
		})
		if err != nil {
			return res, err
		}
		res.Changed += b.changed
		skipped = b.skipped
	}
	res.Skipped = len(skipped)
	return res, nil
}

// reconcileLocks is how many rows one writing transaction of a reconciliation locks: few, so
// that a clerk whose application is among them waits milliseconds at most.
const reconcileLocks = 50

// batch is what one batch of a reconciliation did.
type batch struct {
	read    int
	last    uuid.UUID
	changed int
	skipped []uuid.UUID
}

// reconcileBatch reconciles the running applications page selects (within the span of args):
// one transaction reads them, and the few that need writing are written in transactions of
// reconcileLocks rows.
func (s *Service) reconcileBatch(ctx context.Context, store *tenants.Store, args ReconcileArgs, page func(*bun.SelectQuery) *bun.SelectQuery) (batch, error) {
	var b batch
	var stale []uuid.UUID
	w := &warnings{au: audience{}}
	err := store.InTx(ctx, args.TenantID, func(ctx context.Context) error {
		var apps []Application
		q := tenants.DB(ctx).NewSelect().Model(&apps).Where("a.tenant_id = ?", args.TenantID)
		if err := page(inSpan(whereRunning(q), args)).Scan(ctx); err != nil || len(apps) == 0 {
			return err
		}
		b.read, b.last = len(apps), apps[len(apps)-1].ID
		cal, st, err := calendarAndSettings(ctx)
		if err != nil {
			return err
		}
		pauses, err := pausesOf(ctx, args.TenantID, apps)
		if err != nil {
			return err
		}
		today, now := s.today(), s.now()
		for i := range apps {
			a, ps := &apps[i], pauses[apps[i].ID]
			if !settled(cal, a, ps, today, st) {
				stale = append(stale, a.ID)
				continue
			}
			if err := w.passed(ctx, cal, a, ps, now, st.YellowDays); err != nil {
				return err
			}
		}
		return w.send(ctx)
	})
	if err != nil {
		return b, err
	}
	for chunk := range slices.Chunk(stale, reconcileLocks) {
		err := store.InTx(ctx, args.TenantID, func(ctx context.Context) error {
			changed, skipped, err := s.rewrite(ctx, args.TenantID, chunk, w)
			b.changed += changed
			b.skipped = append(b.skipped, skipped...)
			return err
		})
		if err != nil {
			return b, err
		}
	}
	return b, nil
}

// rewrite locks the applications ids that are not held by another transaction (SKIP LOCKED:
// the sweep never waits behind a clerk), recomputes them from the locked rows, and writes those
// that still differ, in the transaction of ctx. It returns how many it wrote and the ids held
// elsewhere.
func (s *Service) rewrite(ctx context.Context, tenant uuid.UUID, ids []uuid.UUID, w *warnings) (int, []uuid.UUID, error) {
	var locked []Application
	if err := tenants.DB(ctx).NewSelect().Model(&locked).Where("a.tenant_id = ? AND a.id IN (?)", tenant, bun.In(ids)).
		OrderExpr("a.tenant_id, a.id").For("UPDATE SKIP LOCKED").Scan(ctx); err != nil {
		return 0, nil, err
	}
	got := map[uuid.UUID]bool{}
	for _, a := range locked {
		got[a.ID] = true
	}
	var skipped []uuid.UUID
	for _, id := range ids {
		if !got[id] {
			skipped = append(skipped, id)
		}
	}
	if len(locked) == 0 {
		return 0, skipped, nil
	}
	cal, st, err := calendarAndSettings(ctx)
	if err != nil {
		return 0, nil, err
	}
	// The rows and their pauses as they are now (a step may have committed since the read).
	pauses, err := pausesOf(ctx, tenant, locked)
	if err != nil {
		return 0, nil, err
	}
	today, now := s.today(), s.now()
	var cancel []int64
	var add []tenants.JobInsert
	var write []*Application
	var steps []*Pause
	byID := map[uuid.UUID]*Application{}
	for i := range locked {
		a, ps := &locked[i], pauses[locked[i].ID]
		if !running(a) {
			continue // decided or closed meanwhile, by the step that held it
		}
		before := derivedOf(a, ps)
		recompute(cal, a, ps, today, st)
		if err := w.passed(ctx, cal, a, ps, now, st.YellowDays); err != nil {
			return 0, nil, err
		}
		c, ad := planJobs(cal, a, ps, st.YellowDays)
		after := derivedOf(a, ps)
		if before == after && len(c) == 0 && len(ad) == 0 {
			continue
		}
		cancel, add = append(cancel, c...), append(add, ad...)
		write, byID[a.ID] = append(write, a), a
		if p := openPause(ps); p != nil && before.step != after.step {
			steps = append(steps, p)
		}
	}
	if err := w.send(ctx); err != nil {
		return 0, nil, err
	}
	if len(write) == 0 {
		return 0, skipped, nil
	}
	if err := applyJobs(ctx, cancel, add, byID); err != nil {
		return 0, nil, err
	}
	// One statement for the rows (bun's bulk update: UPDATE … FROM (VALUES …)), carrying only
	// the columns it sets.
	rows := make([]derivedRow, len(write))
	for i, a := range write {
		rows[i] = derivedRow{TenantID: a.TenantID, ID: a.ID, ForwardDue: a.ForwardDue, CorrectionDue: a.CorrectionDue, LegalDue: a.LegalDue,
			PromisedDue: a.PromisedDue, DeliveryDue: a.DeliveryDue, Paused: a.Paused, Warning: a.Warning, Provisional: a.Provisional, Jobs: a.Jobs,
			Stages: a.Stages}
	}
	if _, err := tenants.Own(ctx, tenants.DB(ctx).NewUpdate().Model(&rows).Column(append(slices.Clone(derived), "jobs")...).Bulk()).Exec(ctx); err != nil {
		return 0, nil, err
	}
	for _, p := range steps {
		if _, err := tenants.DB(ctx).NewUpdate().Model(p).Column("step_due").WherePK().Exec(ctx); err != nil {
			return 0, nil, err
		}
	}
	return len(write), skipped, nil
}

// derivedRow is the part of an application's row that a reconciliation writes.
type derivedRow struct {
	bun.BaseModel `bun:"table:applications,alias:a"`

	TenantID      uuid.UUID      `bun:"tenant_id,pk,type:uuid"`
	ID            uuid.UUID      `bun:"id,pk,type:uuid"`
	ForwardDue    *time.Time     `bun:"forward_due,type:date"`
	CorrectionDue *time.Time     `bun:"correction_due,type:date"`
	LegalDue      *time.Time     `bun:"legal_due,type:date"`
	PromisedDue   *time.Time     `bun:"promised_due,type:date"`
	DeliveryDue   *time.Time     `bun:"delivery_due,type:date"`
	Paused        bool           `bun:"paused"`
	Warning       string         `bun:"warning"`
	Provisional   bool           `bun:"provisional"`
	Jobs          map[string]Job `bun:"jobs,type:jsonb"`
	Stages        Stages         `bun:"stages,type:jsonb"`
}

// derivedValues are what recompute and schedule decide for an application: a reconciliation
// writes a row only when they change.
type derivedValues struct {
	forward, correction, legal, promised, delivery workday.Date
	paused, provisional                            bool
	warning                                        string
	step                                           workday.Date // the open pause's
	stage                                          Stage        // the running back-office step's
}

func derivedOf(a *Application, pauses []Pause) derivedValues {
	v := derivedValues{forward: date(a.ForwardDue), correction: date(a.CorrectionDue), legal: date(a.LegalDue), promised: date(a.PromisedDue),
		delivery: date(a.DeliveryDue), paused: a.Paused, provisional: a.Provisional, warning: a.Warning}
	if p := openPause(pauses); p != nil {
		v.step = date(p.StepDue)
	}
	if s, _ := currentStage(a); s != nil {
		v.stage = *s
	}
	return v
}

// settled recomputes a (in memory) and reports whether its stored values and jobs are still
// what they should be.
func settled(cal *workday.Calendar, a *Application, pauses []Pause, today workday.Date, st *settings.Settings) bool {
	before := derivedOf(a, pauses)
	recompute(cal, a, pauses, today, st)
	if derivedOf(a, pauses) != before {
		return false
	}
	want := moments(a, pauses)
	if len(want) != len(a.Jobs) {
		return false
	}
	for kind, due := range want {
		if j, ok := a.Jobs[kind]; !ok || j.Due != due {
			return false
		}
	}
	return true
}

// warnings collects, within one transaction of a reconciliation, the notices of moments that
// have come, to send them in one statement (most were sent before: the notifications' dedup
// keys make those add nothing). Its audience lasts the batch.
type warnings struct {
	au  audience
	out []notify.Delivery
}

// passed adds the notices of the application's moments whose time has come.
func (w *warnings) passed(ctx context.Context, cal *workday.Calendar, a *Application, pauses []Pause, now time.Time, yellowDays int) error {
	m := moments(a, pauses)
	for _, kind := range slices.Sorted(maps.Keys(m)) {
		if !now.Before(fireAt(cal, kind, m[kind], yellowDays)) {
			d, err := warning(ctx, w.au, a, kind, m[kind])
			if err != nil {
				return err
			}
			w.out = append(w.out, d)
		}
	}
	return nil
}

// send sends what was collected, in the transaction of ctx.
func (w *warnings) send(ctx context.Context) error {
	_, err := notify.SendMany(ctx, w.out)
	w.out = nil
	return err
}

// whereRunning narrows q to the applications that still have a deadline: open ones, and
// 准予 decisions not yet served.
func whereRunning(q *bun.SelectQuery) *bun.SelectQuery {
	return q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("a.closed_on IS NULL AND a.state IN (?)", inStates(openStates())).
			WhereOr("a.state = ? AND a.decision = ? AND a.delivered_on IS NULL", lifecycle.Decided, lifecycle.Approve)
	})
}

// inSpan narrows q, for a calendar change on the days args.From to args.To, to the
// applications whose dates those days can move. Every date recompute sets is counted over
// the days after a start (receipt, completion, acceptance, a pause, the decision) through
// itself: Add, Count, Deadline, Level and Provisional look at no day outside that span (the
// warning level counts from today, which lies inside it or past it). So a day that becomes
// a day off or a working day moves only the dates of applications whose span — from their
// earliest start through their latest due date — contains it. An application in a pause is
// always taken: while its clock stands still its due dates move out every day, so the stored
// ones do not bound its span (and only a paused application has an open pause, whose step
// limit is the one date not in the row's columns). A back-office step starts on or after the
// acceptance and its due date is in the row's stages, so the latest of those joins the span's
// end (a step started late may end after the limit).
func inSpan(q *bun.SelectQuery, args ReconcileArgs) *bun.SelectQuery {
	if args.From == nil || args.To == nil {
		return q
	}
	return q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("a.state = ?", lifecycle.Paused).
			WhereOr("LEAST(a.proxy_received_on, a.received_on, a.complete_on, a.accepted_on, a.decided_on) <= ?::date"+
				" AND GREATEST(a.forward_due, a.correction_due, a.legal_due, a.promised_due, a.delivery_due,"+
				" (SELECT max((s->>'due_on')::date) FROM jsonb_array_elements(a.stages) s)) >= ?::date",
				args.To.String(), args.From.String())
	})
}

// pausesOf are the pauses of apps, in order, by application.
func pausesOf(ctx context.Context, tenant uuid.UUID, apps []Application) (map[uuid.UUID][]Pause, error) {
	out := map[uuid.UUID][]Pause{}
	if len(apps) == 0 {
		return out, nil
	}
	ids := make([]uuid.UUID, len(apps))
	for i := range apps {
		ids[i] = apps[i].ID
	}
	var all []Pause
	if err := tenants.DB(ctx).NewSelect().Model(&all).Where("p.tenant_id = ? AND p.application_id IN (?)", tenant, bun.In(ids)).
		Order("p.application_id", "p.seq").Scan(ctx); err != nil {
		return nil, err
	}
	for _, p := range all {
		out[p.ApplicationID] = append(out[p.ApplicationID], p)
	}
	return out, nil
}

// CalendarChanged enqueues a reconciliation of every running application in the transaction
// that changed the rules (or, unwired to CalendarDaysChanged, the calendar).
func CalendarChanged(ctx context.Context) error {
	tx, _ := tenants.TxFrom(ctx)
	_, err := tenants.Enqueue(ctx, ReconcileArgs{TenantID: tx.TenantID()}, nil)
	return err
}

// CalendarDaysChanged enqueues, in the transaction that changed the calendar on the days from
// to to, a reconciliation of the running applications whose dates those days can move.
func CalendarDaysChanged(ctx context.Context, from, to workday.Date) error {
	tx, _ := tenants.TxFrom(ctx)
	st, err := settings.Get(ctx)
	if err != nil {
		return err
	}
	_, err = tenants.Enqueue(ctx, ReconcileArgs{TenantID: tx.TenantID(), From: &from, To: &to, Rev: st.CalendarRev}, nil)
	return err
}

func openStates() []lifecycle.State {
	var out []lifecycle.State
	for _, s := range lifecycle.States {
		if s.Open() {
			out = append(out, s)
		}
	}
	return out
}
