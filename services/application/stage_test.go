package application_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/yichuang/yichuang/services/application"
	"github.com/yichuang/yichuang/services/calendar"
	"github.com/yichuang/yichuang/services/catalog"
	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/lifecycle"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/settings"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

// Step deadlines (环节时限, issue 16 item 3): an item's back-office steps 审查 (6) → 决定 (4)
// inside its committed 10 working days. Each step's limit is counted like the application's
// (民法典 art. 201: the first day is not counted; art. 203: a period never ends on a day off)
// on the State Council's 2027 schedule — 春节 2月5日至13日放假, 1月31日 and 2月14日 (Sundays)
// 调休上班 — and a special procedure that does not count in the limit stops the step's clock
// as it stops the application's (行政许可法 art. 45). Each step's yellow and red moments
// have River jobs, cancelled when the step is completed.
func TestStageDeadlines(t *testing.T) {
	t.Parallel()
	b := setup(t)
	at := func(s string) { b.clock.StubNow(day(s).In(clock.Zone).Add(9 * time.Hour)) }
	item := b.variant(t, func(it *catalog.Item) {
		it.Stages = []catalog.Stage{{Name: "审查", LimitDays: 6}, {Name: "决定", LimitDays: 4}}
	})
	step := func(a *tenants.Actor, d *application.Detail, st application.Step) *application.Detail {
		t.Helper()
		st.Version = d.Version
		out, err := b.act(t, a, d.ID, st)
		if err != nil {
			t.Fatalf("%s: %v", st.Action, err)
		}
		return out
	}
	stageJob := func(kind string) tenanttest.Job[application.DeadlineArgs] {
		t.Helper()
		var found []tenanttest.Job[application.DeadlineArgs]
		for _, j := range b.deadlineJobs(t) {
			if j.Args.DeadlineKind == kind && j.State == rivertype.JobStateScheduled {
				found = append(found, j)
			}
		}
		if len(found) != 1 {
			t.Fatalf("%d scheduled %s jobs, want 1", len(found), kind)
		}
		return found[0]
	}
	current := func(d *application.Detail, name, due string) {
		t.Helper()
		if d.CurrentStage == nil || d.CurrentStage.Name != name || d.CurrentStage.DueOn.String() != due {
			t.Fatalf("current step %+v, want %s due %s", d.CurrentStage, name, due)
		}
	}

	at("2027-01-29")
	d := b.intakeItem(t, item, all...)
	d = step(b.clerk, d, application.Step{Action: lifecycle.Accept})
	// 审查 starts on the acceptance date; six working days after 01-29 (not counted):
	// 01-31 (调休), 02-01, 02-02, 02-03, 02-04, then 春节 until 02-13, and 02-14 (调休).
	current(d, "审查", "2027-02-14")
	if len(d.Stages) != 2 || d.Stages[0].StartedOn != day("2027-01-29") || !d.Stages[1].StartedOn.IsZero() {
		t.Fatalf("steps %+v", d.Stages)
	}
	if !slices.Contains(d.Available, lifecycle.CompleteStage) {
		t.Errorf("the clerk holding it may not complete the step: %v", d.Available)
	}
	// Its moments have jobs, enqueued with the step: yellow from the first day with at most
	// two working days left (02-03: 02-04 and 02-14 remain), red the day after the due date.
	red, yellow := stageJob("stage_red.1"), stageJob("stage_yellow.1")
	if red.Args.Due != day("2027-02-14") || !red.ScheduledAt.Equal(day("2027-02-15").In(clock.Zone)) {
		t.Errorf("red job for %s at %s, want 2027-02-14 at 2027-02-15 00:00", red.Args.Due, red.ScheduledAt)
	}
	if !yellow.ScheduledAt.Equal(day("2027-02-03").In(clock.Zone)) {
		t.Errorf("yellow job at %s, want 2027-02-03 00:00", yellow.ScheduledAt)
	}
	d = step(b.clerk, d, application.Step{Action: lifecycle.Route})

	// A special procedure the item does not count (入户调查) from 02-01 to 02-03 stops the
	// step's clock for 02-02 and 02-03, as it stops the committed limit's.
	at("2027-02-01")
	d = step(b.dept, d, application.Step{Action: lifecycle.Pause, StepName: "入户调查", Reason: "入户调查"})
	if d.CurrentStage == nil || d.CurrentStage.Warning != "normal" {
		t.Errorf("paused: step %+v, want its clock standing and no warning", d.CurrentStage)
	}
	if _, ok := d.Jobs["stage_red.1"]; ok {
		t.Errorf("paused: the step's due date moves every day, yet it has a job: %v", d.Jobs)
	}
	at("2027-02-03")
	d = step(b.dept, d, application.Step{Action: lifecycle.Resume, Reason: "调查完毕"})
	current(d, "审查", "2027-02-16")
	if dateOf(d.PromisedDue) != "2027-02-22" {
		t.Errorf("promised due %s, want 2027-02-22 (02-18 moved by the same two days)", dateOf(d.PromisedDue))
	}
	if j := b.deadlineJobs(t)[red.ID]; j.State != rivertype.JobStateCancelled {
		t.Errorf("the red job of the old due date is %s, want cancelled", j.State)
	}
	red = stageJob("stage_red.1")
	if red.Args.Due != day("2027-02-16") {
		t.Errorf("red job due %s after the pause, want 2027-02-16", red.Args.Due)
	}

	// 02-17: the step is overdue. Its red job warns the department (the handlers) once.
	at("2027-02-17")
	for range 2 {
		if err := b.db.Store.InTx(context.Background(), b.tenant.ID, func(ctx context.Context) error {
			return b.svc.CheckDeadline(ctx, red.Args)
		}); err != nil {
			t.Fatal(err)
		}
	}
	b.db.Ctx(t, b.tenant.ID, func(ctx context.Context) error {
		var n, toDept int
		if err := tenants.DB(ctx).NewSelect().Table("notifications").Where("tenant_id = ?", tenants.CurrentID(ctx)).ColumnExpr("count(DISTINCT dedup_key)").
			Where("application_id = ? AND kind = 'deadline_stage_red'", d.ID).Scan(ctx, &n); err != nil {
			return err
		}
		if err := tenants.DB(ctx).NewSelect().Table("notifications").Where("tenant_id = ?", tenants.CurrentID(ctx)).ColumnExpr("count(*)").
			Where("application_id = ? AND kind = 'deadline_stage_red' AND recipient_id = ? AND body LIKE '%审查%'", d.ID, b.dept.IdentityID).Scan(ctx, &toDept); err != nil {
			return err
		}
		if n != 1 || toDept != 1 {
			t.Errorf("%d step warnings (%d to the department's handler naming the step), want 1 and 1", n, toDept)
		}
		return nil
	})
	d = b.get(t, b.dept, d)
	if d.CurrentStage == nil || d.CurrentStage.Warning != "red" || d.Warning == "red" {
		t.Errorf("overdue step: %+v, application warning %s; want the step red, the application not late for it", d.CurrentStage, d.Warning)
	}

	// The department completes 审查 a day late; 决定 starts the same day: 02-18, 02-19,
	// 02-22, 02-23.
	d = step(b.dept, d, application.Step{Action: lifecycle.CompleteStage})
	if s := d.Stages[0]; s.CompletedOn != day("2027-02-17") || !s.Late || s.DueOn != day("2027-02-16") {
		t.Errorf("completed step %+v, want completed 02-17, late, due 02-16", s)
	}
	current(d, "决定", "2027-02-23")
	if d.State != lifecycle.Processing {
		t.Errorf("state %s after completing a step, want processing", d.State)
	}
	jobs := b.deadlineJobs(t)
	if j := jobs[red.ID]; j.State != rivertype.JobStateCancelled {
		t.Errorf("the completed step's red job is %s, want cancelled", j.State)
	}
	red2 := stageJob("stage_red.2")
	if red2.Args.Due != day("2027-02-23") {
		t.Errorf("the next step's red job is due %s, want 2027-02-23", red2.Args.Due)
	}
	last := d.Events[len(d.Events)-1]
	if last.Action != "complete_stage" || last.Data["stage"] != "审查" || last.Data["late"] != true || last.Data["next"] != "决定" {
		t.Errorf("timeline event %+v", last)
	}
	b.db.Ctx(t, b.tenant.ID, func(ctx context.Context) error {
		n, err := tenants.DB(ctx).NewSelect().Table("audit_events").Where("tenant_id = ?", tenants.CurrentID(ctx)).
			Where("action = 'application.complete_stage' AND target_id = ?", d.ID.String()).Count(ctx)
		if n != 1 {
			t.Errorf("%d audit rows for 完成环节, want 1", n)
		}
		return err
	})

	// A closure on 02-19 (a county's 停止办公) moves the running step's due date through the
	// reconciliation, as it moves the application's: 02-24.
	cal := &calendar.Service{Settings: &settings.Service{OnChange: application.CalendarChanged, OnDays: application.CalendarDaysChanged}}
	if err := b.as(t, b.clerk, func(ctx context.Context) error {
		return cal.SetDay(ctx, day("2027-02-19"), false, "停电停止办公")
	}); err != nil {
		t.Fatal(err)
	}
	var scoped []application.ReconcileArgs
	for _, j := range tenanttest.Jobs(t, b.db, func(j tenanttest.Job[application.ReconcileArgs]) bool { return j.Args.TenantID == b.tenant.ID }) {
		scoped = append(scoped, j.Args)
	}
	if len(scoped) != 1 {
		t.Fatalf("reconciliations %+v, want one", scoped)
	}
	if res := b.sweep(t, context.Background(), b.svc, scoped[0]); res.Changed != 1 {
		t.Errorf("reconciled %+v, want the application re-dated", res)
	}
	d = b.get(t, b.dept, d)
	current(d, "决定", "2027-02-24")
	if j := b.deadlineJobs(t)[red2.ID]; j.State != rivertype.JobStateCancelled {
		t.Errorf("the step's red job of the old due date is %s, want cancelled", j.State)
	}
	if red2 = stageJob("stage_red.2"); red2.Args.Due != day("2027-02-24") {
		t.Errorf("the step's red job is due %s after the closure, want 2027-02-24", red2.Args.Due)
	}

	// The decision completes the step still open; nothing is current after it, and no step
	// job waits.
	at("2027-02-22")
	d = step(b.dept, d, application.Step{Action: lifecycle.Approve})
	if s := d.Stages[1]; s.CompletedOn != day("2027-02-22") || s.Late {
		t.Errorf("decided: last step %+v, want completed 02-22 on time", s)
	}
	if d.CurrentStage != nil {
		t.Errorf("decided: current step %+v", d.CurrentStage)
	}
	for _, j := range b.deadlineJobs(t) {
		if (j.Args.DeadlineKind == "stage_red.2" || j.Args.DeadlineKind == "stage_yellow.2") && j.State == rivertype.JobStateScheduled {
			t.Errorf("decided: the step's %s job still waits", j.Args.DeadlineKind)
		}
	}
}

// Completing a step needs one running: an item without steps has none (409).
func TestCompleteStageNeedsARunningStep(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := b.accepted(t)
	if slices.Contains(d.Available, lifecycle.CompleteStage) || d.CurrentStage != nil || len(d.Stages) != 0 {
		t.Errorf("an item without steps: available %v, current %+v, steps %+v", d.Available, d.CurrentStage, d.Stages)
	}
	_, err := b.act(t, b.clerk, d.ID, application.Step{Action: lifecycle.CompleteStage, Version: d.Version})
	if p, ok := problem.As(err); !ok || p.Status != 409 {
		t.Errorf("complete a step of an item without steps: %v, want 409", err)
	}
}

func (b *testBundle) get(t *testing.T, a *tenants.Actor, d *application.Detail) *application.Detail {
	t.Helper()
	var out *application.Detail
	if err := b.as(t, a, func(ctx context.Context) (err error) { out, err = b.svc.Get(ctx, d.ID); return err }); err != nil {
		t.Fatal(err)
	}
	return out
}
