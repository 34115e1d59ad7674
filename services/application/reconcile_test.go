package application_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river/rivertype"

	"github.com/yichuang/yichuang/services/application"
	"github.com/yichuang/yichuang/services/calendar"
	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/lifecycle"
	"github.com/yichuang/yichuang/services/settings"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

// These tests run the reconciliation as its job does (Sweep, in transactions of its own), and
// look at what it wrote through the row versions (xmin) and River's job list.

// accepted takes in and accepts an application at the window.
func (b *testBundle) accepted(t *testing.T) *application.Detail {
	t.Helper()
	d := b.intake(t, b.clerk, "id", "hukou")
	d, err := b.act(t, b.clerk, d.ID, application.Step{Action: lifecycle.Accept, Version: d.Version})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (b *testBundle) sweep(t *testing.T, ctx context.Context, svc *application.Service, args application.ReconcileArgs) application.Reconciled {
	t.Helper()
	if args.TenantID == uuid.Nil {
		args.TenantID = b.tenant.ID
	}
	res, err := svc.Sweep(ctx, b.db.Store, args)
	if err != nil {
		t.Fatalf("sweep: %v", err)
	}
	return res
}

// versions are the row versions of the tenant's applications: a row written since has
// another xmin.
func (b *testBundle) versions(t *testing.T) map[uuid.UUID]string {
	t.Helper()
	rows, err := b.db.Owner.Query(context.Background(), "SELECT id, xmin::text FROM applications WHERE tenant_id = $1", b.tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[uuid.UUID]string{}
	for rows.Next() {
		var id uuid.UUID
		var x string
		if err := rows.Scan(&id, &x); err != nil {
			t.Fatal(err)
		}
		out[id] = x
	}
	return out
}

// deadlineJobs are the tenant's deadline jobs by id, with their state.
func (b *testBundle) deadlineJobs(t *testing.T) map[int64]tenanttest.Job[application.DeadlineArgs] {
	t.Helper()
	out := map[int64]tenanttest.Job[application.DeadlineArgs]{}
	for _, j := range tenanttest.Jobs(t, b.db, func(j tenanttest.Job[application.DeadlineArgs]) bool { return j.Args.TenantID == b.tenant.ID }) {
		out[j.ID] = j
	}
	return out
}

// tamper changes stored rows behind the application's back, as the owner.
func (b *testBundle) tamper(t *testing.T, stmt string, args ...any) {
	t.Helper()
	if _, err := b.db.Owner.Exec(context.Background(), stmt, args...); err != nil {
		t.Fatal(err)
	}
}

func (b *testBundle) row(t *testing.T, id uuid.UUID) application.Application {
	t.Helper()
	var a application.Application
	b.db.Ctx(t, b.tenant.ID, func(ctx context.Context) error {
		return tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&a)).Where("a.id = ?", id).Scan(ctx)
	})
	return a
}

func sameJobs(t *testing.T, what string, before, after map[int64]tenanttest.Job[application.DeadlineArgs]) {
	t.Helper()
	if len(before) != len(after) {
		t.Errorf("%s: %d deadline jobs, then %d", what, len(before), len(after))
	}
	for id, j := range before {
		if a, ok := after[id]; !ok || a.State != j.State || !a.ScheduledAt.Equal(j.ScheduledAt) {
			t.Errorf("%s: job %d (%s %s) was %s, is %+v", what, id, j.Args.DeadlineKind, j.Args.Due, j.State, a.JobRow)
		}
	}
}

// A sweep with nothing to change reads every running application and writes none of them,
// nor any job; a row whose stored values are wrong is the only one written.
func TestReconcileWritesOnlyWhatChanged(t *testing.T) {
	t.Parallel()
	b := setup(t)
	apps := []*application.Detail{b.accepted(t), b.accepted(t), b.accepted(t)}
	received := b.intake(t, b.clerk, "id") // incomplete: the correction limit runs
	ctx := context.Background()
	versions, jobs := b.versions(t), b.deadlineJobs(t)
	waitingJobs := 0
	for _, j := range jobs {
		if j.State == rivertype.JobStateScheduled {
			waitingJobs++
		}
	}
	if waitingJobs != 3*3+1 {
		t.Fatalf("%d deadline jobs waiting after intake, want yellow, red and legal for each accepted one and the correction limit", waitingJobs)
	}

	res := b.sweep(t, ctx, b.svc, application.ReconcileArgs{})
	if res != (application.Reconciled{Scanned: 4}) {
		t.Errorf("nothing to change: %+v, want 4 scanned and nothing changed or skipped", res)
	}
	if got := b.versions(t); len(got) != len(versions) {
		t.Errorf("%d rows, then %d", len(versions), len(got))
	} else {
		for id, x := range versions {
			if got[id] != x {
				t.Errorf("application %s was rewritten (xmin %s → %s) with nothing to change", id, x, got[id])
			}
		}
	}
	sameJobs(t, "nothing to change", jobs, b.deadlineJobs(t))

	// A warning level gone stale, and a lost job: those two rows are written, the lost job
	// is the one River still holds (unique per application, kind and due date).
	b.tamper(t, "UPDATE applications SET warning = 'red' WHERE tenant_id = $1 AND id = $2", b.tenant.ID, apps[0].ID)
	b.tamper(t, "UPDATE applications SET jobs = jobs - 'legal' WHERE tenant_id = $1 AND id = $2", b.tenant.ID, apps[1].ID)
	versions = b.versions(t)
	res = b.sweep(t, ctx, b.svc, application.ReconcileArgs{})
	if res != (application.Reconciled{Scanned: 4, Changed: 2}) {
		t.Errorf("two stale rows: %+v, want 4 scanned, 2 changed", res)
	}
	got := b.versions(t)
	for _, id := range []uuid.UUID{apps[2].ID, received.ID} {
		if got[id] != versions[id] {
			t.Errorf("application %s was rewritten with nothing to change", id)
		}
	}
	for _, id := range []uuid.UUID{apps[0].ID, apps[1].ID} {
		if got[id] == versions[id] {
			t.Errorf("stale application %s was not written", id)
		}
	}
	if w := b.row(t, apps[0].ID).Warning; w != "normal" {
		t.Errorf("warning %q, want normal again", w)
	}
	if j := b.row(t, apps[1].ID).Jobs[application.KindLegal]; j != apps[1].Jobs[application.KindLegal] {
		t.Errorf("legal job %+v, want the one River holds, %+v", j, apps[1].Jobs[application.KindLegal])
	}
	sameJobs(t, "a lost job found again", jobs, b.deadlineJobs(t))
}

// A row a clerk holds (FOR UPDATE, inside a step) does not stop the sweep: it finishes while
// the lock is held, reports the row skipped, and the next pass takes it. The clerk's step
// recomputes its own application anyway.
func TestReconcileSkipsLockedRows(t *testing.T) {
	t.Parallel()
	b := setup(t)
	held, looked, free := b.accepted(t), b.accepted(t), b.accepted(t)
	ids := []uuid.UUID{held.ID, looked.ID, free.ID}
	b.tamper(t, "UPDATE applications SET warning = 'yellow' WHERE tenant_id = $1 AND id = ANY($2)", b.tenant.ID, ids)

	locked, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- b.db.Store.InTx(tenants.WithActor(context.Background(), b.clerk), b.tenant.ID, func(ctx context.Context) error {
			// The clerk routes one application (Act locks it FOR UPDATE) and has another open
			// for editing (locked, not yet changed).
			if _, err := b.svc.Act(ctx, held.ID, application.Step{Action: lifecycle.Route, Version: held.Version}); err != nil {
				return err
			}
			var a application.Application
			if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&a)).Where("a.id = ?", looked.ID).For("UPDATE").Scan(ctx); err != nil {
				return err
			}
			close(locked)
			<-release
			return nil
		})
	}()
	select {
	case <-locked:
	case err := <-done:
		t.Fatalf("clerk's transaction: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	res, err := b.svc.Sweep(ctx, b.db.Store, application.ReconcileArgs{TenantID: b.tenant.ID})
	cancel()
	close(release)
	if err != nil {
		t.Fatalf("sweep while a clerk holds two rows: %v (it waited for the lock)", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("clerk's transaction: %v", err)
	}
	if res != (application.Reconciled{Scanned: 3, Changed: 1, Skipped: 2}) {
		t.Errorf("sweep beside the clerk: %+v, want 3 scanned, 1 changed, 2 skipped", res)
	}
	// The step recomputed its application; the one only looked at is still stale.
	if w := b.row(t, held.ID).Warning; w != "normal" {
		t.Errorf("routed application: warning %q, want normal (the step recomputes)", w)
	}
	if w := b.row(t, looked.ID).Warning; w != "yellow" {
		t.Errorf("application held without a step: warning %q, want it left for the next pass", w)
	}
	res = b.sweep(t, context.Background(), b.svc, application.ReconcileArgs{})
	if res != (application.Reconciled{Scanned: 3, Changed: 1}) {
		t.Errorf("next pass: %+v, want 3 scanned, 1 changed", res)
	}
	for _, id := range ids {
		if w := b.row(t, id).Warning; w != "normal" {
			t.Errorf("after the next pass %s has warning %q", id, w)
		}
	}
}

// A local closure on day D (行政许可法 art. 82: the limits count working days) can move only
// the dates counted over a span containing D: the calendar change enqueues a reconciliation of
// just the applications whose span reaches D, which re-dates them and replaces their jobs; an
// application whose limits ran out before D is neither read nor written.
func TestCalendarClosureRedatesOnlyItsSpan(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cal := &calendar.Service{Settings: &settings.Service{OnChange: application.CalendarChanged, OnDays: application.CalendarDaysChanged}}
	early := b.accepted(t) // 2026-09-28: every limit ends in 2026
	// Paused the same day and still paused: its stored dates say 2026, but they move out
	// every day the clock stands still.
	paused := b.accepted(t)
	paused, err := b.act(t, b.clerk, paused.ID, application.Step{Action: lifecycle.Route, Version: paused.Version})
	if err != nil {
		t.Fatal(err)
	}
	if paused, err = b.act(t, b.dept, paused.ID, application.Step{Action: lifecycle.Pause, Version: paused.Version, Reason: "入户调查", StepName: "入户调查"}); err != nil {
		t.Fatal(err)
	}
	b.clock.StubNow(time.Date(2027, 3, 1, 9, 0, 0, 0, clock.Zone))
	late := b.accepted(t)
	ctx := context.Background()
	// Bring the early one up to today (it is overdue by now), so what follows is the closure's.
	b.sweep(t, ctx, b.svc, application.ReconcileArgs{})
	if due := b.row(t, early.ID).LegalDue; due == nil || due.Year() != 2026 {
		t.Fatalf("early application's legal due %v, want a day in 2026", due)
	}
	versions, jobs := b.versions(t), b.deadlineJobs(t)

	closed := workday.National().Add(day("2027-03-01"), 2)
	if err := b.as(t, b.clerk, func(ctx context.Context) error { return cal.SetDay(ctx, closed, false, "防汛停止办公") }); err != nil {
		t.Fatal(err)
	}
	var scoped []application.ReconcileArgs
	for _, j := range tenanttest.Jobs(t, b.db, func(j tenanttest.Job[application.ReconcileArgs]) bool { return j.Args.TenantID == b.tenant.ID }) {
		scoped = append(scoped, j.Args)
	}
	if len(scoped) != 1 || scoped[0].From == nil || scoped[0].To == nil || *scoped[0].From != closed || *scoped[0].To != closed {
		t.Fatalf("the closure enqueued %+v, want one reconciliation of %s only", scoped, closed)
	}
	res := b.sweep(t, ctx, b.svc, scoped[0])
	if res != (application.Reconciled{Scanned: 2, Changed: 2}) {
		t.Errorf("after the closure: %+v, want the late and the paused application only, re-dated", res)
	}
	got := b.versions(t)
	if got[early.ID] != versions[early.ID] {
		t.Error("the early application was rewritten by a closure after all its limits")
	}
	var want workday.Date
	b.db.Ctx(t, b.tenant.ID, func(ctx context.Context) error {
		c, err := calendar.For(ctx)
		want = c.Add(day("2027-03-01"), 10)
		return err
	})
	row := b.row(t, late.ID)
	if dateOf(row.PromisedDue) != want.String() || want == workday.DateOf(*late.PromisedDue) {
		t.Errorf("late application due %s, want %s (was %s)", dateOf(row.PromisedDue), want, dateOf(late.PromisedDue))
	}
	// Its red job moved with it: the old one cancelled, a new one for the new due date.
	after := b.deadlineJobs(t)
	old := late.Jobs[application.KindRed]
	if j := after[old.ID]; j.State != rivertype.JobStateCancelled {
		t.Errorf("the red job of the old due date is %s, want cancelled", j.State)
	}
	red := row.Jobs[application.KindRed]
	if j, ok := after[red.ID]; !ok || red.Due != want || j.Args.Due != want || j.State != rivertype.JobStateScheduled {
		t.Errorf("red job %+v: %+v, want a scheduled job for %s", red, j.JobRow, want)
	}
	for id, j := range jobs {
		if j.Args.ApplicationID == early.ID && after[id].State != j.State {
			t.Errorf("the early application's %s job went %s → %s", j.Args.DeadlineKind, j.State, after[id].State)
		}
	}
	// The scope was exact: a full pass finds nothing else to change.
	if due := b.row(t, paused.ID).PromisedDue; due == nil || workday.DateOf(*due) != want {
		t.Errorf("paused application due %v, want %s (as if it resumed today)", due, want)
	}
	if res := b.sweep(t, ctx, b.svc, application.ReconcileArgs{}); res != (application.Reconciled{Scanned: 3}) {
		t.Errorf("full pass after the scoped one: %+v, want nothing changed", res)
	}

	// A week on, before any pass: the paused application's stored due dates are a week old,
	// and a closure the day after the last of them still moves the due date it has today;
	// the late one's limits all end before that day.
	b.clock.StubNow(time.Date(2027, 3, 10, 9, 0, 0, 0, clock.Zone))
	stored := b.row(t, paused.ID)
	if late := b.row(t, late.ID); dateOf(late.LegalDue) != dateOf(stored.LegalDue) {
		t.Fatalf("late legal due %s, paused %s: both counted from 2027-03-01", dateOf(late.LegalDue), dateOf(stored.LegalDue))
	}
	versions = b.versions(t)
	closed = workday.National().Add(workday.DateOf(*stored.LegalDue), 1)
	if err := b.as(t, b.clerk, func(ctx context.Context) error { return cal.SetDay(ctx, closed, false, "停电停止办公") }); err != nil {
		t.Fatal(err)
	}
	// Each change has a pass of its own (the first one's may be running), on the days it
	// touched.
	scoped = nil
	for _, j := range tenanttest.Jobs(t, b.db, func(j tenanttest.Job[application.ReconcileArgs]) bool { return j.Args.TenantID == b.tenant.ID }) {
		scoped = append(scoped, j.Args)
	}
	if len(scoped) != 2 || scoped[1].Rev <= scoped[0].Rev || *scoped[1].From != closed || *scoped[1].To != closed {
		t.Fatalf("two closures enqueued %+v, want a pass of %s with the newer calendar revision", scoped, closed)
	}
	res = b.sweep(t, ctx, b.svc, scoped[1])
	if res != (application.Reconciled{Scanned: 1, Changed: 1}) {
		t.Errorf("after the second closure: %+v, want the paused application alone, re-dated", res)
	}
	var wantLegal workday.Date
	b.db.Ctx(t, b.tenant.ID, func(ctx context.Context) error {
		c, err := calendar.For(ctx)
		wantLegal = c.Add(day("2027-03-10"), 20)
		return err
	})
	if due := dateOf(b.row(t, paused.ID).LegalDue); due != wantLegal.String() {
		t.Errorf("paused application's legal due %s, want %s", due, wantLegal)
	}
	if got := b.versions(t); got[late.ID] != versions[late.ID] || got[early.ID] != versions[early.ID] {
		t.Error("the second closure rewrote an application none of whose limits reach it")
	}
}

// Batches: more applications than one batch holds, and exactly as many as two hold; each
// batch's changed rows are written in one statement, their jobs inserted in one.
func TestReconcileAcrossBatches(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var ids []uuid.UUID
	for range 5 {
		ids = append(ids, b.accepted(t).ID)
	}
	jobs := b.deadlineJobs(t)
	for _, size := range []int{2, 5} {
		svc := &application.Service{Clock: b.clock, ReconcileBatch: size}
		b.tamper(t, "UPDATE applications SET warning = 'red', jobs = '{}' WHERE tenant_id = $1", b.tenant.ID)
		if res := b.sweep(t, context.Background(), svc, application.ReconcileArgs{}); res != (application.Reconciled{Scanned: 5, Changed: 5}) {
			t.Errorf("batches of %d: %+v, want 5 scanned and changed", size, res)
		}
		for _, id := range ids {
			if r := b.row(t, id); r.Warning != "normal" || len(r.Jobs) != 3 {
				t.Errorf("batches of %d: %s has warning %s and %d jobs", size, id, r.Warning, len(r.Jobs))
			}
		}
		sameJobs(t, "jobs found again", jobs, b.deadlineJobs(t))
		if res := b.sweep(t, context.Background(), svc, application.ReconcileArgs{}); res != (application.Reconciled{Scanned: 5}) {
			t.Errorf("batches of %d, second pass: %+v, want nothing changed", size, res)
		}
	}
	// Outside a transaction and without a tenant, Reconcile refuses rather than guess.
	if _, err := b.svc.Reconcile(context.Background()); err == nil {
		t.Errorf("Reconcile outside a transaction: %v", err)
	}
}
