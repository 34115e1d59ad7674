package supervision_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/level"
	"github.com/yichuang/yichuang/services/supervision"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/services/workforce"
)

// When the month turns, the feed writes the month that ended again, with its workforce as of
// its last day, and the new one: every month since the county joined is in the store, and
// re-publishing from scratch later writes exactly the same months (issue 16: "Re-publishing a
// county from scratch gives the same store"), including a past month without a payroll run.
func TestMonthsCloseWhenTheMonthTurns(t *testing.T) {
	t.Parallel()
	x := setup(t)
	now := clock.NewStub(time.Now())
	svc := &supervision.Service{Store: x.db.Store, Clock: now}
	work := &workforce.Service{Box: x.apps.Box, Clock: now}
	hire := func(id, name string, hired string) *workforce.Worker {
		var w *workforce.Worker
		x.as(t, x.a, x.a.Admin, func(ctx context.Context) (err error) {
			d, _ := workday.ParseDate(hired)
			w, err = work.Hire(ctx, workforce.NewWorker{IDNumber: id, Record: workforce.Record{Name: name, OrgUnitID: x.a.Community.ID, Post: level.Staff,
				Hired: d, Level: 3}, Reasoned: workforce.Reasoned{Reason: "新聘", Approver: "组织委员"}})
			return err
		})
		return w
	}
	stayer := hire("110105198503120020", "李娜", "2024-01-10")
	leaver := hire("110105198001010016", "张伟", "2024-03-01")
	publish := func() {
		x.as(t, x.a, nil, func(ctx context.Context) error { _, err := svc.Publish(ctx); return err })
	}
	turned := func() bool {
		var ok bool
		x.as(t, x.a, nil, func(ctx context.Context) (err error) { ok, err = svc.MonthTurned(ctx); return err })
		return ok
	}
	publish()
	this := now.Now().In(clock.Zone).Format("2006-01")
	if turned() {
		t.Fatal("the month has not turned")
	}
	workforceMonths := func() string {
		var out []string
		for _, line := range x.dump(t, x.a) {
			if strings.Contains(line, `"post"`) {
				out = append(out, line[strings.Index(line, `"month"`):])
			}
		}
		return strings.Join(out, "\n")
	}
	// workers is the head count the store holds for month (staff, level 3).
	workers := func(month string) string {
		for _, line := range strings.Split(workforceMonths(), "\n") {
			if strings.HasPrefix(line, `"month":"`+month+`","post":"staff","level":3,`) {
				return line[strings.Index(line, `"workers"`):]
			}
		}
		return "none"
	}
	if got := workers(this); got != `"workers":2,"payroll_fen":0}` {
		t.Fatalf("this month's workforce: %s", got)
	}

	// The second worker leaves from the first of next month; the month then turns.
	x.as(t, x.a, x.a.Admin, func(ctx context.Context) error {
		first := time.Date(now.Now().In(clock.Zone).Year(), now.Now().In(clock.Zone).Month()+1, 1, 9, 0, 0, 0, clock.Zone)
		_, err := work.Change(ctx, leaver.ID, leaver.RowVersion, workforce.ChangeInput{EffectiveFrom: workday.DateOf(first),
			Fields: workforce.Fields{Status: new(workforce.StatusAway)}, Reasoned: workforce.Reasoned{Reason: "离岗", Approver: "组织委员"}})
		return err
	})
	publish()
	now.StubNow(now.Now().AddDate(0, 1, 0))
	next := now.Now().In(clock.Zone).Format("2006-01")
	if !turned() {
		t.Fatal("the sweep does not see the turned month")
	}
	publish()
	if a, b := workers(this), workers(next); a != `"workers":2,"payroll_fen":0}` || b != `"workers":1,"payroll_fen":0}` {
		t.Fatalf("after the month turned: %s %s, want 2 then 1 workers\n%s", a, b, workforceMonths())
	}
	if turned() {
		t.Fatal("published, the month still counts as turned")
	}
	// A change dated back into a past month reaches every month's figure since at the next
	// drain: the first worker was away from the middle of the month before the county joined.
	x.as(t, x.a, x.a.Admin, func(ctx context.Context) error {
		w, err := work.Describe(ctx, stayer.ID, false)
		if err != nil {
			return err
		}
		// Before the database's current month (its trigger reads the real time, not the stub).
		real := time.Now().In(clock.Zone)
		mid := time.Date(real.Year(), real.Month()-1, 15, 9, 0, 0, 0, clock.Zone)
		_, err = work.Change(ctx, stayer.ID, w.Worker.RowVersion, workforce.ChangeInput{EffectiveFrom: workday.DateOf(mid),
			Fields: workforce.Fields{Status: new(workforce.StatusAway)}, Reasoned: workforce.Reasoned{Reason: "补录离岗", Approver: "组织委员"}})
		return err
	})
	publish()
	if a, b := workers(this), workers(next); a != `"workers":1,"payroll_fen":0}` || b != "none" {
		t.Fatalf("after a change dated back: %s %s, want 1 then no workers\n%s", a, b, workforceMonths())
	}
	all := x.dump(t, x.a)
	x.as(t, x.a, nil, func(ctx context.Context) error { _, err := svc.Republish(ctx); return err })
	if fresh := x.dump(t, x.a); !slices.Equal(all, fresh) {
		t.Fatalf("re-publication differs:\n%s\nvs\n%s", strings.Join(all, "\n"), strings.Join(fresh, "\n"))
	}
}
