package application_test

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/application"
	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/lifecycle"
	"github.com/yichuang/yichuang/services/stats"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
)

// TestStatisticsRollupEqualsScan: over a mixed county — window and proxy intakes on
// different days, accepted, routed, paused, approved on time and late, denied, delivered,
// rejected, withdrawn, left open past the date — the statistics read from the rollup
// (application_stats_daily, kept by the trigger) equal the ones counted application by
// application, for several periods and days.
func TestStatisticsRollupEqualsScan(t *testing.T) {
	t.Parallel()
	b := setup(t)
	step := func(a *tenants.Actor, d *application.Detail, st application.Step) *application.Detail {
		t.Helper()
		st.Version = d.Version
		out, err := b.act(t, a, d.ID, st)
		if err != nil {
			t.Fatalf("%s: %v", st.Action, err)
		}
		return out
	}
	acceptRoute := func(d *application.Detail) *application.Detail {
		d = step(b.clerk, d, application.Step{Action: lifecycle.Accept})
		return step(b.clerk, d, application.Step{Action: lifecycle.Route})
	}
	var decideLate []*application.Detail
	for i, at := range []time.Time{
		time.Date(2026, 9, 28, 9, 0, 0, 0, clock.Zone), time.Date(2026, 9, 29, 9, 0, 0, 0, clock.Zone),
		time.Date(2026, 10, 9, 9, 0, 0, 0, clock.Zone),
	} {
		b.clock.StubNow(at)
		onTime := acceptRoute(b.intake(t, b.clerk, "id", "hukou"))
		late := acceptRoute(b.intake(t, b.clerk, "id", "hukou"))
		decideLate = append(decideLate, late)
		open := acceptRoute(b.intake(t, b.clerk, "id", "hukou"))
		_ = open
		step(b.clerk, b.intake(t, b.clerk, "id"), application.Step{Action: lifecycle.Reject, Reason: "不属于受理范围"})
		step(b.clerk, b.intake(t, b.clerk, "id", "hukou"), application.Step{Action: lifecycle.Withdraw, Reason: "申请人撤回"})
		proxy := b.intake(t, b.worker, "id", "hukou")
		proxy = step(b.worker, proxy, application.Step{Action: lifecycle.Forward})
		if i != 1 {
			acceptRoute(proxy)
		}
		b.clock.StubNow(at.AddDate(0, 0, 2))
		onTime = step(b.dept, onTime, application.Step{Action: lifecycle.Approve})
		if i == 0 {
			step(b.clerk, onTime, application.Step{Action: lifecycle.Deliver, DeliveryMethod: "window"})
		}
	}
	b.clock.StubNow(time.Date(2026, 11, 20, 10, 0, 0, 0, clock.Zone)) // past every 10-working-day limit
	for i, d := range decideLate {
		action := lifecycle.Approve
		if i == 1 {
			action = lifecycle.Deny
		}
		step(b.dept, d, application.Step{Action: action, Reason: "经审查"})
	}
	periods := [][2]workday.Date{{day("2026-09-01"), day("2026-09-30")}, {day("2026-09-29"), day("2026-10-31")}, {day("2026-01-01"), day("2026-12-31")}, {day("2026-10-10"), day("2026-10-31")}, {day("2026-09-15"), day("2026-11-10")}, {day("2026-09-28"), day("2026-09-28")}}
	for _, today := range []workday.Date{day("2026-10-01"), day("2026-12-01")} {
		for _, p := range periods {
			b.db.Ctx(t, b.tenant.ID, func(ctx context.Context) error {
				fast, err := stats.Compute(ctx, p[0], p[1], today)
				if err != nil {
					return err
				}
				slow, err := stats.ComputeByScan(ctx, p[0], p[1], today)
				if err != nil {
					return err
				}
				if !reflect.DeepEqual(fast, slow) {
					t.Errorf("%s..%s as of %s: rollup %+v\nscan %+v", p[0], p[1], today, fast.Total, slow.Total)
				}
				if p[0] == day("2026-01-01") && today == day("2026-12-01") {
					tot := fast.Total
					// 18 intakes; 12 accepted (the second day's proxy left at the hall); 6 decided,
					// 3 of them on time; the 3 decided late and the 5 accepted ones still open (3 at the window, 2 by proxy) are overdue.
					if tot.Received != 18 || tot.Accepted != 11 || tot.Decided != 6 || tot.OnTime != 3 || tot.Overdue != 8 || tot.AvgDays == 0 {
						t.Errorf("totals %+v", tot)
					}
				}
				return nil
			})
		}
	}
}

// TestSearchFindsAChineseNameByAPart: the worklist's search finds a name by any part of two
// characters (the given name, the family name with the first of the given), or by one, and
// not by characters in another order; a Latin name by a part as typed.
func TestSearchFindsAChineseNameByAPart(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ids := map[string]uuid.UUID{}
	for _, name := range []string{"欧阳秀兰", "王秀英", "李兰秀", "Zhang Wei"} {
		in := application.NewApplication{ItemID: b.itemID, Applicant: application.Applicant{Kind: application.ApplicantPerson, Name: name, IDNo: person, Phone: "13912345678"}}
		if err := b.as(t, b.clerk, func(ctx context.Context) error {
			d, err := b.svc.Intake(ctx, in)
			if err == nil {
				ids[name] = d.ID
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	search := func(q string) map[uuid.UUID]bool {
		got := map[uuid.UUID]bool{}
		if err := b.as(t, b.clerk, func(ctx context.Context) error {
			p, err := b.svc.List(ctx, application.Filter{Q: q})
			if err != nil {
				return err
			}
			for _, r := range p.Items {
				got[r.ID] = true
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	for q, want := range map[string][]string{
		"秀兰": {"欧阳秀兰"}, "欧阳": {"欧阳秀兰"}, "阳秀兰": {"欧阳秀兰"}, "兰秀": {"李兰秀"}, "秀": {"欧阳秀兰", "王秀英", "李兰秀"},
		"王秀": {"王秀英"}, "秀王": nil, "Wei": {"Zhang Wei"}, "g W": {"Zhang Wei"}, "张伟": nil,
	} {
		got := search(q)
		if len(got) != len(want) {
			t.Errorf("search %q found %d, want %v", q, len(got), want)
			continue
		}
		for _, n := range want {
			if !got[ids[n]] {
				t.Errorf("search %q did not find %s", q, n)
			}
		}
	}
}

// TestWorklistScopeBranches: a township clerk's worklist is the union of the hall's window
// and proxy intakes (the village's, whose hall is the township) and nothing of another
// township; a community worker's holds the village's proxy intakes only; paging through it
// with the cursor yields every row once, newest first.
func TestWorklistScopeBranches(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var window, proxy []uuid.UUID
	for i := range 5 {
		b.clock.StubNow(time.Date(2026, 9, 28, 9, i, 0, 0, clock.Zone))
		window = append(window, b.intake(t, b.clerk, "id").ID)
		proxy = append(proxy, b.intake(t, b.worker, "id").ID)
	}
	other := b.intake(t, b.otherClerk, "id").ID
	list := func(a *tenants.Actor, f application.Filter) []uuid.UUID {
		var out []uuid.UUID
		for {
			var p *application.Page
			if err := b.as(t, a, func(ctx context.Context) (err error) { p, err = b.svc.List(ctx, f); return err }); err != nil {
				t.Fatal(err)
			}
			for _, r := range p.Items {
				out = append(out, r.ID)
			}
			if p.Next == "" {
				return out
			}
			f.Cursor = p.Next
		}
	}
	got := list(b.clerk, application.Filter{Limit: 3})
	if len(got) != 10 {
		t.Fatalf("clerk sees %d applications, want 10", len(got))
	}
	seen := map[uuid.UUID]bool{}
	for _, id := range got {
		if seen[id] || id == other {
			t.Errorf("clerk's list repeats or leaks %s", id)
		}
		seen[id] = true
	}
	if got[0] != proxy[4] || got[1] != window[4] {
		t.Errorf("not newest first: %v", got[:2])
	}
	if got := list(b.worker, application.Filter{}); len(got) != 5 || got[0] != proxy[4] {
		t.Errorf("community worker sees %v, want the 5 proxy intakes", got)
	}
	if got := list(b.clerk, application.Filter{States: []lifecycle.State{lifecycle.ProxyReceived}, Limit: 2}); len(got) != 5 {
		t.Errorf("clerk's proxy-received filter: %d rows, want 5", len(got))
	}
	// County-wide by open states (a branch per state, merged): the same rows in the same order
	// as the unfiltered list gives them, page after page.
	all := list(b.admin, application.Filter{})
	byStates := list(b.admin, application.Filter{States: []lifecycle.State{lifecycle.Received, lifecycle.ProxyReceived}, Limit: 3})
	if len(all) < 11 || !slices.Equal(byStates, all) {
		t.Errorf("admin's list by two open states %v, want every intake as listed unfiltered %v", byStates, all)
	}
	if got := list(b.admin, application.Filter{States: []lifecycle.State{lifecycle.ProxyReceived}, Limit: 2}); !slices.Equal(got, []uuid.UUID{proxy[4], proxy[3], proxy[2], proxy[1], proxy[0]}) {
		t.Errorf("admin's proxy-received list %v, want the proxies newest first", got)
	}
}

// TestDecisionDaysBackfill: applications decided before 20261205000010 have no decision_days
// (the rollup then counts no days for them); `yichuang migrate`'s step
// BackfillDecisionDays counts them with the county's calendar in keyset batches — the same
// working days Act counted when deciding — the rollup follows through its trigger, and a
// second run changes nothing.
func TestDecisionDaysBackfill(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	step := func(a *tenants.Actor, d *application.Detail, st application.Step) *application.Detail {
		t.Helper()
		st.Version = d.Version
		out, err := b.act(t, a, d.ID, st)
		if err != nil {
			t.Fatalf("%s: %v", st.Action, err)
		}
		return out
	}
	want := map[uuid.UUID]int{}
	start := time.Date(2026, 9, 28, 9, 0, 0, 0, clock.Zone) // a Monday before the National Day holiday
	for i := range 5 {
		b.clock.StubNow(start.AddDate(0, 0, i))
		d := step(b.clerk, b.intake(t, b.clerk, "id", "hukou"), application.Step{Action: lifecycle.Accept})
		d = step(b.clerk, d, application.Step{Action: lifecycle.Route})
		b.clock.StubNow(start.AddDate(0, 0, 3+4*i)) // across the holiday for most
		d = step(b.dept, d, application.Step{Action: lifecycle.Approve})
		if d.DecisionDays == nil {
			t.Fatal("Act counted no decision days")
		}
		want[d.ID] = *d.DecisionDays
	}
	// Rejected at the window: decided nothing, never counted.
	rejected := step(b.clerk, b.intake(t, b.clerk, "id"), application.Step{Action: lifecycle.Reject, Reason: "不属于受理范围"})
	period := [2]workday.Date{day("2026-09-01"), day("2026-12-31")}
	avg := func() (rollup, scan float64) {
		b.db.Ctx(t, b.tenant.ID, func(ctx context.Context) error {
			fast, err := stats.Compute(ctx, period[0], period[1], day("2026-12-01"))
			if err != nil {
				return err
			}
			slow, err := stats.ComputeByScan(ctx, period[0], period[1], day("2026-12-01"))
			if err != nil {
				return err
			}
			if !reflect.DeepEqual(fast, slow) {
				t.Errorf("rollup %+v\nscan %+v", fast.Total, slow.Total)
			}
			rollup, scan = fast.Total.AvgDays, slow.Total.AvgDays
			return nil
		})
		return rollup, scan
	}
	counted, _ := avg()
	if counted == 0 {
		t.Fatal("the decided applications' average is 0 before the rows are emptied")
	}
	// As the release before 20261205000010 left them (the owner's UPDATE fires the rollup's
	// trigger, which takes their days out as the migration's initial rollup never had them).
	if _, err := b.db.Owner.Exec(ctx, "UPDATE applications SET decision_days = NULL WHERE tenant_id = $1", b.tenant.ID); err != nil {
		t.Fatal(err)
	}
	if r, _ := avg(); r != 0 {
		t.Fatalf("average %v with no decision days", r)
	}
	read := func() map[uuid.UUID]*int {
		got := map[uuid.UUID]*int{}
		rows, err := b.db.Owner.Query(ctx, "SELECT id, decision_days FROM applications WHERE tenant_id = $1", b.tenant.ID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id uuid.UUID
			var n *int
			if err := rows.Scan(&id, &n); err != nil {
				t.Fatal(err)
			}
			got[id] = n
		}
		return got
	}
	// Batches of 2 over 5 rows: three batches in this county, the keyset carried between them.
	n, err := application.BackfillDecisionDays(ctx, b.db.Store, 2)
	if err != nil {
		t.Fatal(err)
	}
	if n < len(want) {
		t.Errorf("filled %d, want at least this county's %d", n, len(want))
	}
	got := read()
	for id, w := range want {
		if got[id] == nil || *got[id] != w {
			t.Errorf("%s: decision_days %v, want %d (as Act counted)", id, got[id], w)
		}
	}
	if got[rejected.ID] != nil {
		t.Errorf("a rejected application got decision_days %d", *got[rejected.ID])
	}
	if r, s := avg(); r != counted || s != counted {
		t.Errorf("average after the backfill: rollup %v, scan %v, want %v as before", r, s, counted)
	}
	// Idempotent: nothing of this county is left to fill.
	if _, err := application.BackfillDecisionDays(ctx, b.db.Store, 2); err != nil {
		t.Fatal(err)
	}
	if again := read(); !reflect.DeepEqual(again, got) {
		t.Errorf("a second run changed rows: %v, was %v", again, got)
	}
}
