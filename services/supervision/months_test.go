package supervision_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

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
	// The record's version follows its content (monthversions.go): 1 when first published.
	if got := workers(this); got != `"workers":2,"payroll_fen":0,"version":1}` {
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
	// The month that ended is written again with the same figure: its version stays.
	if a, b := workers(this), workers(next); a != `"workers":2,"payroll_fen":0,"version":1}` || b != `"workers":1,"payroll_fen":0,"version":1}` {
		t.Fatalf("after the month turned: %s %s, want 2 then 1 workers, both at version 1\n%s", a, b, workforceMonths())
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
	// The past month's figure changed: a higher version.
	if a, b := workers(this), workers(next); a != `"workers":1,"payroll_fen":0,"version":2}` || b != "none" {
		t.Fatalf("after a change dated back: %s %s, want 1 (version 2) then no workers\n%s", a, b, workforceMonths())
	}
	all := x.dump(t, x.a)
	x.as(t, x.a, nil, func(ctx context.Context) error { _, err := svc.Republish(ctx); return err })
	if fresh := x.dump(t, x.a); !slices.Equal(all, fresh) {
		t.Fatalf("re-publication differs:\n%s\nvs\n%s", strings.Join(all, "\n"), strings.Join(fresh, "\n"))
	}
}

// A monthly record's version (issue 16, item 2: "with a version per record"; monthversions.go):
// it rises when the record's content changes, stays when the same content is written again
// (a repeated drain, a re-publication from scratch), and a stored row of a newer version is
// never replaced by an older one. A record that disappears and comes back returns at a higher
// version than it had.
func TestMonthVersions(t *testing.T) {
	t.Parallel()
	x := setup(t)
	now := clock.NewStub(time.Now())
	svc := &supervision.Service{Store: x.db.Store, Clock: now}
	work := &workforce.Service{Box: x.apps.Box, Clock: now}
	ids := []string{"110105198503120020", "110105198001010016", "11010519491231002X", "110101199003070011"}
	hired := 0
	hire := func(lvl int) *workforce.Worker {
		var w *workforce.Worker
		x.as(t, x.a, x.a.Admin, func(ctx context.Context) (err error) {
			w, err = work.Hire(ctx, workforce.NewWorker{IDNumber: ids[hired], Record: workforce.Record{Name: "社工" + strconv.Itoa(hired), OrgUnitID: x.a.Community.ID,
				Post: level.Staff, Hired: workday.DateOf(now.Now().In(clock.Zone)), Level: lvl}, Reasoned: workforce.Reasoned{Reason: "新聘", Approver: "组织委员"}})
			return err
		})
		hired++
		return w
	}
	publish := func() {
		x.as(t, x.a, nil, func(ctx context.Context) error { _, err := svc.Publish(ctx); return err })
	}
	this := now.Now().In(clock.Zone).Format("2006-01")
	// row is the stored staff record of the level for this month: its version and head count
	// (0, 0 when there is none).
	row := func(lvl int) (version int64, workers int) {
		err := x.db.Owner.QueryRow(context.Background(), `SELECT version, workers FROM supervision.workforce_months
			WHERE tenant_id = $1 AND month = $2 AND post = 'staff' AND level = $3`, x.a.ID, this, lvl).Scan(&version, &workers)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			t.Fatal(err)
		}
		return version, workers
	}
	// again names the month in the outbox, so the next drain computes and writes it again.
	again := func() {
		if _, err := x.db.Owner.Exec(context.Background(), `INSERT INTO supervision_outbox (tenant_id, kind, ref) VALUES ($1, 'month', $2)`, x.a.ID, this); err != nil {
			t.Fatal(err)
		}
	}

	hire(3)
	publish()
	v1, n := row(3)
	if v1 != 1 || n != 1 {
		t.Fatalf("first publication: version %d, %d workers; want 1, 1", v1, n)
	}
	// The same content written again (a drain of the month, then a re-publication from
	// scratch) keeps the version.
	again()
	publish()
	if v, n := row(3); v != v1 || n != 1 {
		t.Fatalf("unchanged month written again: version %d (was %d), %d workers", v, v1, n)
	}
	before := x.dump(t, x.a)
	x.as(t, x.a, nil, func(ctx context.Context) error { _, err := svc.Republish(ctx); return err })
	if fresh := x.dump(t, x.a); !slices.Equal(before, fresh) {
		t.Fatalf("re-publication from scratch differs:\n%s\nvs\n%s", strings.Join(before, "\n"), strings.Join(fresh, "\n"))
	}

	// A change of content raises it; the other level's record, unchanged, keeps its own.
	second := hire(3)
	fifth := hire(5)
	publish()
	v2, n := row(3)
	if v2 <= v1 || n != 2 {
		t.Fatalf("after a hire: version %d (was %d), %d workers; want higher, 2", v2, v1, n)
	}
	if v, n := row(5); v != 1 || n != 1 {
		t.Fatalf("level 5: version %d, %d workers; want 1, 1", v, n)
	}

	// A newer write already in the store (version far ahead, another figure) is not replaced
	// by an older one: the next change is published at v2+1 and leaves that row alone.
	if _, err := x.db.Owner.Exec(context.Background(), `UPDATE supervision.workforce_months SET version = $3, workers = 99
		WHERE tenant_id = $1 AND month = $2 AND post = 'staff' AND level = 3`, x.a.ID, this, v2+10); err != nil {
		t.Fatal(err)
	}
	hire(3)
	publish()
	if v, n := row(3); v != v2+10 || n != 99 {
		t.Fatalf("a stale write replaced a newer row: version %d, %d workers; want %d, 99", v, n, v2+10)
	}
	// Re-publishing from scratch writes the county's own figure at the version it has reached.
	x.as(t, x.a, nil, func(ctx context.Context) error { _, err := svc.Republish(ctx); return err })
	v3, n := row(3)
	if v3 != v2+1 || n != 3 {
		t.Fatalf("re-published: version %d, %d workers; want %d, 3", v3, n, v2+1)
	}

	// The level 5 worker moves to level 3 today: the level 5 record goes; when a level 3 worker
	// moves to level 5, it comes back above the version it had.
	relevel := func(w *workforce.Worker, lvl int) {
		x.as(t, x.a, x.a.Admin, func(ctx context.Context) error {
			d, err := work.Describe(ctx, w.ID, false)
			if err != nil {
				return err
			}
			_, err = work.Change(ctx, w.ID, d.Worker.RowVersion, workforce.ChangeInput{EffectiveFrom: workday.DateOf(now.Now().In(clock.Zone)),
				Fields: workforce.Fields{Level: &lvl}, Reasoned: workforce.Reasoned{Reason: "调级", Approver: "组织委员"}})
			return err
		})
	}
	relevel(fifth, 3)
	publish()
	if v, n := row(5); v != 0 || n != 0 {
		t.Fatalf("level 5 emptied: version %d, %d workers; want no row", v, n)
	}
	relevel(second, 5)
	publish()
	if v, n := row(5); v <= 1 || n != 1 {
		t.Fatalf("level 5 back: version %d, %d workers; want above 1, 1", v, n)
	}
	all := x.dump(t, x.a)
	x.as(t, x.a, nil, func(ctx context.Context) error { _, err := svc.Republish(ctx); return err })
	if fresh := x.dump(t, x.a); !slices.Equal(all, fresh) {
		t.Fatalf("re-publication from scratch differs:\n%s\nvs\n%s", strings.Join(all, "\n"), strings.Join(fresh, "\n"))
	}
}
