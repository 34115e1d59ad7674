package application

import (
	"context"
	"fmt"
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
}

// yellowKinds fire when the yellow window opens rather than the day after the due date.
func yellowKind(kind string) bool { return kind == KindYellow || kind == KindDeliveryYellow }

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
	// The delivery deadline runs from a 准予 decision until 送达 (the delivery's timeline event
	// keeps the date it had).
	a.DeliveryDue = nil
	if awaitsDelivery(a) && a.DecidedOn != nil {
		a.DeliveryDue = add(date(a.DecidedOn), st.DeliveryDays)
	}
	level := workday.Normal
	for kind, due := range moments(a, pauses) {
		if kind == KindStep {
			continue // a step running over is warned about, but the application is not late for it
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

// schedule brings the application's deadline jobs in line with its moments: jobs for moments
// that moved or ended are cancelled, new moments get a job. It runs in the transaction that
// changed the application.
func schedule(ctx context.Context, cal *workday.Calendar, a *Application, pauses []Pause, yellowDays int) error {
	want := moments(a, pauses)
	if a.Jobs == nil {
		a.Jobs = map[string]Job{}
	}
	for kind, j := range a.Jobs {
		if due, ok := want[kind]; ok && due == j.Due {
			continue
		}
		if err := tenants.CancelJob(ctx, j.ID); err != nil {
			return err
		}
		delete(a.Jobs, kind)
	}
	for kind, due := range want {
		if _, ok := a.Jobs[kind]; ok {
			continue
		}
		args := DeadlineArgs{TenantID: a.TenantID, ApplicationID: a.ID, DeadlineKind: kind, Due: due}
		id, err := tenants.Enqueue(ctx, args, &river.InsertOpts{ScheduledAt: fireAt(cal, kind, due, yellowDays)})
		if err != nil {
			return fmt.Errorf("schedule %s: %w", kind, err)
		}
		a.Jobs[kind] = Job{ID: id, Due: due}
	}
	return nil
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
var derived = []string{"forward_due", "correction_due", "legal_due", "promised_due", "delivery_due", "paused", "warning", "provisional"}

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
	if err := tenants.DB(ctx).NewSelect().Model(a).Where("a.id = ?", id).For("UPDATE").Scan(ctx); err != nil {
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
	handlers, err := handlers(ctx, a)
	if err != nil {
		return err
	}
	sup, err := tenants.Supervisors(ctx, handlers)
	if err != nil {
		return err
	}
	no := a.ItemName
	if a.ReceiptNo != nil {
		no = *a.ReceiptNo + " " + a.ItemName
	}
	body := fmt.Sprintf("%s（申请人 %s）期限 %s。", no, a.ApplicantName, due)
	id := a.ID
	_, err = notify.Send(ctx, append(handlers, sup...), notify.Message{Kind: "deadline_" + kind, ApplicationID: &id,
		Title: kindLabels[kind], Body: body, DedupKey: "deadline:" + a.ID.String() + ":" + kind + ":" + due.String(), SMS: kind != KindYellow})
	return err
}

// ReconcileArgs re-derive every open application's deadlines and jobs in one tenant: after a
// calendar change, and periodically as a safety net.
type ReconcileArgs struct {
	TenantID uuid.UUID `json:"tenant_id" river:"unique"`
}

// Kind is River's job kind.
func (ReconcileArgs) Kind() string { return "application_reconcile" }

// Tenant is the job's tenant.
func (a ReconcileArgs) Tenant() uuid.UUID { return a.TenantID }

// InsertOpts keep one waiting reconciliation per tenant.
func (ReconcileArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: waiting}}
}

// Reconcile recomputes every open application: due dates, warning level, jobs, and the
// warnings whose moment has passed (a job lost or cancelled by mistake is made good here).
func (s *Service) Reconcile(ctx context.Context) (int, error) {
	var open []Application
	if err := tenants.DB(ctx).NewSelect().Model(&open).WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("a.closed_on IS NULL AND a.state IN (?)", inStates(openStates())).
			WhereOr("a.state = ? AND a.decision = ? AND a.delivered_on IS NULL", lifecycle.Decided, lifecycle.Approve)
	}).For("UPDATE").Scan(ctx); err != nil {
		return 0, err
	}
	cal, st, err := calendarAndSettings(ctx)
	if err != nil {
		return 0, err
	}
	// All open applications' pauses in one query, not one per application.
	var all []Pause
	if err := tenants.DB(ctx).NewSelect().Model(&all).
		Where("p.application_id IN (SELECT id FROM applications WHERE closed_on IS NULL AND tenant_id = app_current_tenant())").Order("p.seq").Scan(ctx); err != nil {
		return 0, err
	}
	pauses := map[uuid.UUID][]Pause{}
	for _, p := range all {
		pauses[p.ApplicationID] = append(pauses[p.ApplicationID], p)
	}
	today := s.today()
	for i := range open {
		a := &open[i]
		ps := pauses[a.ID]
		recompute(cal, a, ps, today, st)
		for kind, due := range moments(a, ps) {
			if !s.now().Before(fireAt(cal, kind, due, st.YellowDays)) {
				if err := s.warn(ctx, a, kind, due); err != nil {
					return 0, err
				}
			}
		}
		if err := schedule(ctx, cal, a, ps, st.YellowDays); err != nil {
			return 0, err
		}
		if err := saveDerived(ctx, a, ps, true); err != nil {
			return 0, err
		}
	}
	return len(open), nil
}

// CalendarChanged enqueues a reconciliation in the transaction that changed the calendar.
func CalendarChanged(ctx context.Context) error {
	tx, _ := tenants.TxFrom(ctx)
	_, err := tenants.Enqueue(ctx, ReconcileArgs{TenantID: tx.TenantID()}, nil)
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
