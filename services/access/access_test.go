package access_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/access"
	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

type testBundle struct {
	db                             *tenanttest.DB
	tenant                         *tenanttest.Tenant
	clock                          *clock.Stub
	svc                            *access.Service
	admin, civil, legal, dept      *tenants.Actor
	otherDept, worker, otherWorker *tenants.Actor
	admin2, admin3, civil2         *tenants.Actor
	township, dg, xg, hx, lj       *tenants.OrgUnit
	deptUnit, civilUnit, legalUnit *tenants.OrgUnit
	otherUnit                      *tenants.OrgUnit
}

// setup makes the standard county (tenanttest.NewCounty: 城关镇 with 东关社区, 河西镇, and
// 县民政局, whose staff do the civil-affairs review) and adds two more county admins, a second 民政 staff member, 西关社区 under 城关镇, 李家村
// under 河西镇, the justice bureau as the legal reviewer, a department that dispatches, another
// that does not own the items, and a worker in 西关社区. Today is Monday 2026-11-02.
func setup(t *testing.T) *testBundle {
	t.Helper()
	db := tenanttest.New(t)
	c := tenanttest.NewCounty(t, db, "测试县")
	b := &testBundle{db: db, tenant: c.Tenant, clock: clock.NewStub(time.Date(2026, 11, 2, 9, 0, 0, 0, clock.Zone)),
		township: c.Township, hx: c.OtherTownship, dg: c.Community, civilUnit: c.Department, admin: c.Admin, civil: c.Staff, worker: c.Worker}
	b.svc = &access.Service{Clock: b.clock}
	db.Ctx(t, b.tenant.ID, func(ctx context.Context) error {
		county := b.tenant.County.ID
		mk := func(parent uuid.UUID, kind tenants.OrgKind, name, code string) *tenants.OrgUnit {
			return tenanttest.Unit(t, ctx, parent, kind, name, code)
		}
		b.xg = mk(b.township.ID, tenants.KindCommunity, "西关社区", "xg")
		b.lj = mk(b.hx.ID, tenants.KindVillage, "李家村", "lj")
		b.deptUnit = mk(county, tenants.KindDepartment, "县卫生健康委员会", "wj")
		b.otherUnit = mk(county, tenants.KindDepartment, "县住房和城乡建设局", "zj")
		b.legalUnit = mk(county, tenants.KindDepartment, "县司法局", "sf")
		member := func(u *tenants.OrgUnit, role tenants.Role, phone string) *tenants.Actor {
			return tenanttest.Member(t, ctx, u, role, phone)
		}
		b.legal = member(b.legalUnit, tenants.RoleDepartmentStaff, "13800000006")
		b.dept = member(b.deptUnit, tenants.RoleDepartmentStaff, "13800000007")
		b.otherDept = member(b.otherUnit, tenants.RoleDepartmentStaff, "13800000008")
		b.otherWorker = member(b.xg, tenants.RoleCommunityWorker, "13800000009")
		b.admin2 = member(b.tenant.County, tenants.RoleCountyAdmin, "13800000010")
		b.admin3 = member(b.tenant.County, tenants.RoleCountyAdmin, "13800000011")
		b.civil2 = member(b.civilUnit, tenants.RoleDepartmentStaff, "13800000012")
		st := access.DefaultSettings()
		st.CivilDeptID, st.LegalDeptID = &b.civilUnit.ID, &b.legalUnit.ID
		_, err := access.PutSettings(ctx, st)
		return err
	})
	return b
}

func (b *testBundle) as(t *testing.T, a *tenants.Actor, fn func(ctx context.Context) error) error {
	t.Helper()
	return b.db.Store.InTx(tenants.WithActor(context.Background(), a), b.tenant.ID, fn)
}

func day(s string) workday.Date {
	d, err := workday.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func (b *testBundle) item(t *testing.T, code string, kind access.Kind, dept *tenants.OrgUnit, scope ...uuid.UUID) *access.Item {
	t.Helper()
	var it *access.Item
	c := access.Content{Code: code, Kind: kind, Name: "事项" + code, LegalBasis: "《城乡社区服务体系建设规划》", Funding: access.FundingPerTask,
		FundingAmount: 20000, Ledgers: 1, Inspections: 1, ScopeUnitIDs: scope}
	if dept != nil {
		c.DepartmentID = &dept.ID
	}
	if !kind.Dispatchable() {
		c.Funding, c.FundingAmount = access.FundingNone, 0
	}
	if err := b.as(t, b.admin, func(ctx context.Context) (err error) {
		it, err = b.svc.Create(ctx, access.NewItem{Content: c, EffectiveFrom: day("2026-01-01")})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return it
}

// dispatch runs a dispatch as a in its own transaction, committing an interception as the
// API does, and returns the outcome.
func (b *testBundle) dispatch(t *testing.T, a *tenants.Actor, item *uuid.UUID, communities ...uuid.UUID) (*access.Dispatched, error) {
	t.Helper()
	var out *access.Dispatched
	err := b.as(t, a, func(ctx context.Context) (err error) {
		out, err = b.svc.Dispatch(ctx, uuid.New(), access.DispatchInput{ItemID: item, Title: "入户核查", CommunityIDs: communities, DueDays: 5, ExpectedHours: 4})
		return err
	})
	return out, err
}

func TestCheckRefusesEachRule(t *testing.T) {
	t.Parallel()
	dept, other := uuid.New(), uuid.New()
	township, community := uuid.New(), uuid.New()
	day, now := workday.Date{Year: 2026, Month: 11, Day: 2}, time.Date(2026, 11, 2, 10, 0, 0, 0, clock.Zone)
	target := []access.Target{{ID: community, Name: "东关社区", Path: "/c/" + township.String() + "/" + community.String() + "/"}}
	ok := func() *access.Item {
		return &access.Item{Name: "入户核查", Kind: access.KindAssist, DepartmentID: &dept, EffectiveFrom: workday.Date{Year: 2026, Month: 1, Day: 1},
			Funding: access.FundingPerTask, FundingAmount: 5000}
	}
	if r := access.Check(ok(), dept, target, day, now); r != nil {
		t.Fatalf("an allowed dispatch was refused: %+v", r)
	}
	withdrawn := now.Add(-time.Minute)
	cases := map[access.Rule]func(it *access.Item) *access.Item{
		access.RuleNoItem:        func(*access.Item) *access.Item { return nil },
		access.RuleForbidden:     func(it *access.Item) *access.Item { it.Kind = access.KindForbidden; return it },
		access.RuleNoCertificate: func(it *access.Item) *access.Item { it.Kind = access.KindNoCertificate; return it },
		access.RuleNotInForce:    func(it *access.Item) *access.Item { it.WithdrawnAt = &withdrawn; return it },
		access.RuleWrongDept:     func(it *access.Item) *access.Item { it.DepartmentID = &other; return it },
		access.RuleOutOfScope:    func(it *access.Item) *access.Item { it.ScopeUnitIDs = []uuid.UUID{uuid.New()}; return it },
		// 费随事转 (brief §2): assisted work without its funding is not dispatched.
		access.RuleNoFunding: func(it *access.Item) *access.Item { it.Funding, it.FundingAmount = access.FundingNone, 0; return it },
	}
	for rule, mutate := range cases {
		r := access.Check(mutate(ok()), dept, target, day, now)
		if r == nil || r.Rule != rule || r.Message == "" || r.MessageEn == "" {
			t.Errorf("%s: got %+v", rule, r)
		}
	}
	// Dates: not yet in force, past its end, and on its last day.
	future := ok()
	future.EffectiveFrom = workday.Date{Year: 2026, Month: 11, Day: 3}
	ended := ok()
	ended.EffectiveTo = workday.Date{Year: 2026, Month: 11, Day: 1}
	last := ok()
	last.EffectiveTo = day
	if access.Check(future, dept, target, day, now) == nil || access.Check(ended, dept, target, day, now) == nil || access.Check(last, dept, target, day, now) != nil {
		t.Fatal("effective dates are not respected")
	}
	// A scope naming the township covers its communities.
	scoped := ok()
	scoped.ScopeUnitIDs = []uuid.UUID{township}
	if r := access.Check(scoped, dept, target, day, now); r != nil {
		t.Fatalf("a community inside the township scope was refused: %+v", r)
	}
}

func TestDispatchRecordsInterceptions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	assist := b.item(t, "XZ-001", access.KindAssist, b.deptUnit)
	scoped := b.item(t, "XZ-002", access.KindAssist, b.deptUnit, b.hx.ID)
	forbidden := b.item(t, "BD-001", access.KindForbidden, nil)
	noCert := b.item(t, "BZ-001", access.KindNoCertificate, nil)
	withdrawn := b.item(t, "XZ-003", access.KindAssist, b.deptUnit)
	if err := b.as(t, b.admin, func(ctx context.Context) error {
		_, err := b.svc.Withdraw(ctx, withdrawn.ID, 0, day("2026-11-02"), "职能调整")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	missing := uuid.New()
	for _, c := range []struct {
		actor *tenants.Actor
		item  *uuid.UUID
		rule  access.Rule
		to    uuid.UUID
	}{
		{b.dept, nil, access.RuleNoItem, b.dg.ID},
		{b.dept, &missing, access.RuleNoItem, b.dg.ID},
		{b.dept, &forbidden.ID, access.RuleForbidden, b.dg.ID},
		{b.dept, &noCert.ID, access.RuleNoCertificate, b.dg.ID},
		{b.dept, &withdrawn.ID, access.RuleNotInForce, b.dg.ID},
		{b.otherDept, &assist.ID, access.RuleWrongDept, b.dg.ID},
		{b.dept, &scoped.ID, access.RuleOutOfScope, b.dg.ID},
	} {
		out, err := b.dispatch(t, c.actor, c.item, c.to)
		if err != nil || out.Refusal == nil || out.Refusal.Rule != c.rule || out.Interception == nil || len(out.Tasks) != 0 {
			t.Fatalf("%s: %+v %v", c.rule, out, err)
		}
		if p := out.Refusal.Problem(); p.Status != 409 || p.Code != "intercepted_"+string(c.rule) {
			t.Fatalf("%s: problem %+v", c.rule, p)
		}
	}
	out, err := b.dispatch(t, b.dept, &assist.ID, b.dg.ID, b.xg.ID)
	if err != nil || out.Refusal != nil || len(out.Tasks) != 2 {
		t.Fatalf("allowed dispatch: %+v %v", out, err)
	}
	if out, err = b.dispatch(t, b.dept, &scoped.ID, b.lj.ID); err != nil || len(out.Tasks) != 1 {
		t.Fatalf("dispatch inside the scope: %+v %v", out, err)
	}
	b.as(t, b.admin, func(ctx context.Context) error {
		is, err := b.svc.Interceptions(ctx)
		if err != nil || len(is) != 7 {
			t.Fatalf("%d interceptions recorded, %v", len(is), err)
		}
		var tasks int
		tenants.DB(ctx).NewSelect().Table("community_tasks").Where("tenant_id = ?", tenants.CurrentID(ctx)).ColumnExpr("count(*)").Scan(ctx, &tasks)
		if tasks != 3 {
			t.Fatalf("%d tasks", tasks)
		}
		return nil
	})
	// A community worker may not dispatch; bad input is a 422, not an interception.
	if _, err := b.dispatch(t, b.worker, &assist.ID, b.dg.ID); err == nil {
		t.Fatal("a community worker dispatched")
	}
	if _, err := b.dispatch(t, b.dept, &assist.ID, b.township.ID); err == nil {
		t.Fatal("a township was accepted as a community")
	} else if p, ok := problem.As(err); !ok || p.Status != 422 {
		t.Fatalf("dispatch to a township: %v", err)
	}
	// Departments see the communities an item applies to, and no others.
	b.as(t, b.dept, func(ctx context.Context) error {
		us, err := b.svc.Communities(ctx, scoped.ID)
		if err != nil || len(us) != 1 || us[0].ID != b.lj.ID {
			t.Fatalf("scoped communities: %+v %v", us, err)
		}
		return nil
	})
}

// A withdrawal racing dispatches: every task that exists was created before the withdrawal
// took effect, and every dispatch after it was refused.
func TestWithdrawalRacingDispatches(t *testing.T) {
	t.Parallel()
	b := setup(t)
	it := b.item(t, "XZ-100", access.KindAssist, b.deptUnit)
	// Four dispatchers keep dispatching until shortly after the withdrawal committed, so
	// dispatches run before, during and after it.
	var wg sync.WaitGroup
	var mu sync.Mutex
	var created, refused int
	done := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-done:
					if i > 0 {
						return
					}
				default:
				}
				out, err := b.dispatch(t, b.dept, &it.ID, b.dg.ID)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if out.Refusal != nil {
					refused++
					if out.Refusal.Rule != access.RuleNotInForce {
						t.Errorf("refused for %s", out.Refusal.Rule)
					}
				} else {
					created++
				}
				mu.Unlock()
			}
		}()
	}
	time.Sleep(30 * time.Millisecond)
	if err := b.as(t, b.admin, func(ctx context.Context) error {
		_, err := b.svc.Withdraw(ctx, it.ID, 0, day("2026-11-02"), "清单调整")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(30 * time.Millisecond)
	close(done)
	wg.Wait()
	if created == 0 || refused == 0 {
		t.Fatalf("the race was not exercised: %d created, %d refused", created, refused)
	}
	b.as(t, b.admin, func(ctx context.Context) error {
		var withdrawnAt time.Time
		if err := tenants.DB(ctx).NewSelect().Table("access_items").Where("tenant_id = ?", tenants.CurrentID(ctx)).Column("withdrawn_at").Where("id = ?", it.ID).Scan(ctx, &withdrawnAt); err != nil {
			return err
		}
		var late int
		if err := tenants.DB(ctx).NewSelect().Table("community_tasks").Where("tenant_id = ?", tenants.CurrentID(ctx)).ColumnExpr("count(*)").
			Where("item_id = ? AND created_at >= ?", it.ID, withdrawnAt).Scan(ctx, &late); err != nil {
			return err
		}
		var total int
		tenants.DB(ctx).NewSelect().Table("community_tasks").Where("tenant_id = ?", tenants.CurrentID(ctx)).ColumnExpr("count(*)").Where("item_id = ?", it.ID).Scan(ctx, &total)
		if late != 0 || total != created {
			t.Fatalf("created %d (in table %d), refused %d, %d created at or after the withdrawal", created, total, refused, late)
		}
		return nil
	})
	t.Logf("created %d, refused %d", created, refused)
}

func TestCommunityAnswersTasks(t *testing.T) {
	t.Parallel()
	b := setup(t)
	it := b.item(t, "XZ-200", access.KindCertificate, b.deptUnit)
	out, err := b.dispatch(t, b.dept, &it.ID, b.dg.ID)
	if err != nil {
		t.Fatal(err)
	}
	task := out.Tasks[0]
	// Another community's worker cannot see or answer it.
	err = b.as(t, b.otherWorker, func(ctx context.Context) error {
		_, err := b.svc.Answer(ctx, task.ID, 0, access.Answer{Accept: true})
		return err
	})
	if p, ok := problem.As(err); !ok || p.Status != 404 {
		t.Fatalf("other community answered: %v", err)
	}
	err = b.as(t, b.worker, func(ctx context.Context) error {
		_, err := b.svc.Answer(ctx, task.ID, task.RowVersion, access.Answer{Accept: false})
		return err
	})
	if p, ok := problem.As(err); !ok || p.Status != 422 {
		t.Fatalf("refusal without a reason: %v", err)
	}
	var accepted *access.Task
	if err := b.as(t, b.worker, func(ctx context.Context) (err error) {
		accepted, err = b.svc.Answer(ctx, task.ID, task.RowVersion, access.Answer{Accept: true})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// Five working days from Monday 2026-11-02: Monday 2026-11-09.
	if accepted.Status != access.TaskAccepted || accepted.DueOn != day("2026-11-09") {
		t.Fatalf("accepted: %s due %s", accepted.Status, accepted.DueOn)
	}
	err = b.as(t, b.worker, func(ctx context.Context) error {
		_, err := b.svc.Answer(ctx, task.ID, 0, access.Answer{Accept: false, Reason: "不在清单"})
		return err
	})
	if p, ok := problem.As(err); !ok || p.Status != 409 {
		t.Fatalf("answered twice: %v", err)
	}
	second, _ := b.dispatch(t, b.dept, &it.ID, b.dg.ID)
	if err := b.as(t, b.worker, func(ctx context.Context) error {
		_, err := b.svc.Answer(ctx, second.Tasks[0].ID, 0, access.Answer{Accept: false, Reason: "本月已承担同类任务"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	b.as(t, b.worker, func(ctx context.Context) error {
		p, err := b.svc.Tasks(ctx, access.TaskFilter{})
		if err != nil || len(p.Tasks) != 2 || p.Tasks[0].ItemName == "" || p.Next != "" {
			t.Fatalf("worker's tasks: %+v %v", p, err)
		}
		return nil
	})
	b.as(t, b.otherWorker, func(ctx context.Context) error {
		p, err := b.svc.Tasks(ctx, access.TaskFilter{})
		if err != nil || len(p.Tasks) != 0 {
			t.Fatalf("another community sees %+v (%v)", p, err)
		}
		return nil
	})
	// The burden statistics count both answers and the interception.
	b.dispatch(t, b.dept, nil, b.dg.ID)
	b.as(t, b.admin, func(ctx context.Context) error {
		r, err := access.Compute(ctx, "2026-11", "2026-11", workday.Date{}, 0)
		if err != nil {
			return err
		}
		if r.Total.Tasks != 2 || r.Total.Accepted != 1 || r.Total.Refused != 1 || r.Total.Intercepted != 1 || r.Total.Certificates != 1 || r.Total.Hours != 4 {
			t.Fatalf("total: %+v", r.Total)
		}
		var dg access.Burden
		for _, c := range r.Communities {
			if c.Label == "东关社区" {
				dg = c
			}
		}
		if dg.Tasks != 2 || dg.Intercepted != 1 || dg.Ledgers != 1 {
			t.Fatalf("东关社区: %+v", dg)
		}
		return nil
	})
}

func TestAdmissionWorkflow(t *testing.T) {
	t.Parallel()
	b := setup(t)
	app := access.Application{Content: access.Content{Code: "XZ-300", Kind: access.KindAssist, Name: "家庭医生签约入户宣传",
		LegalBasis: "《关于推进家庭医生签约服务的指导意见》", Funding: access.FundingPerYear, FundingAmount: 300000, HoursPerYear: 40, Ledgers: 1},
		RequestedStart: day("2026-12-01")}
	// 30 working days ahead of 2026-11-02 is 2026-12-14: 2026-12-01 is too soon.
	err := b.as(t, b.dept, func(ctx context.Context) error { _, err := b.svc.Apply(ctx, app); return err })
	if p, ok := problem.As(err); !ok || p.Status != 422 || p.Fields[0].Location != "body.requested_start" {
		t.Fatalf("too-early start: %v", err)
	}
	app.RequestedStart = day("2026-12-14")
	var r *access.Request
	if err := b.as(t, b.dept, func(ctx context.Context) (err error) { r, err = b.svc.Apply(ctx, app); return err }); err != nil {
		t.Fatal(err)
	}
	if r.Status != access.StageCivil || r.StepDue != day("2026-11-09") || r.DepartmentID != b.deptUnit.ID {
		t.Fatalf("applied: %+v", r)
	}
	decide := func(a *tenants.Actor, d string, reason string) error {
		return b.as(t, a, func(ctx context.Context) error {
			got, err := b.svc.Decide(ctx, r.ID, r.RowVersion, access.Decision{Decision: d, Reason: reason})
			if err == nil {
				r = got
			}
			return err
		})
	}
	// The legal reviewer cannot take the civil-affairs step; a return needs a reason.
	if p, ok := problem.As(decide(b.legal, "approve", "")); !ok || p.Status != 403 {
		t.Fatal("the wrong reviewer decided")
	}
	if p, ok := problem.As(decide(b.civil, "return", "")); !ok || p.Status != 422 {
		t.Fatal("a return without a reason")
	}
	if err := decide(b.civil, "return", "请补充经费测算依据"); err != nil || r.Status != access.StageReturned {
		t.Fatalf("return: %v %s", err, r.Status)
	}
	app.FundingAmount = 360000
	if err := b.as(t, b.dept, func(ctx context.Context) (err error) {
		r, err = b.svc.Resubmit(ctx, r.ID, r.RowVersion, app)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		a    *tenants.Actor
		want access.Stage
	}{{b.civil, access.StageLegal}, {b.legal, access.StageMeeting}, {b.admin, access.StageNotice}} {
		if err := decide(step.a, "approve", ""); err != nil || r.Status != step.want {
			t.Fatalf("approve → %s: %v %s", step.want, err, r.Status)
		}
	}
	// Five working days of notice from 2026-11-02: until 2026-11-09.
	if r.NoticeUntil != day("2026-11-09") {
		t.Fatalf("notice until %s", r.NoticeUntil)
	}
	end := func() *access.Item {
		var it *access.Item
		if err := b.as(t, nil, func(ctx context.Context) (err error) { it, err = b.svc.EndNotice(ctx, r.ID); return err }); err != nil {
			t.Fatal(err)
		}
		return it
	}
	b.clock.StubNow(time.Date(2026, 11, 9, 12, 0, 0, 0, clock.Zone))
	if end() != nil {
		t.Fatal("effective before the notice ended")
	}
	b.clock.StubNow(time.Date(2026, 11, 10, 0, 5, 0, 0, clock.Zone))
	it := end()
	if it == nil || it.EffectiveFrom != day("2026-12-14") || it.FundingAmount != 360000 || it.Code != "XZ-300" {
		t.Fatalf("item: %+v", it)
	}
	if end() != nil {
		t.Fatal("the notice ended twice")
	}
	b.as(t, b.dept, func(ctx context.Context) error {
		got, steps, err := b.svc.RequestOf(ctx, r.ID)
		if err != nil || got.Status != access.StageEffect || len(steps) != 7 {
			t.Fatalf("request: %+v, %d steps, %v", got, len(steps), err)
		}
		return nil
	})
	// Another department does not see the request.
	err = b.as(t, b.otherDept, func(ctx context.Context) error { _, _, err := b.svc.RequestOf(ctx, r.ID); return err })
	if p, ok := problem.As(err); !ok || p.Status != 404 {
		t.Fatalf("other department: %v", err)
	}
	if errors.Is(err, context.Canceled) {
		t.Fatal("unreachable")
	}
}

func TestYearlyConfirmationReminder(t *testing.T) {
	t.Parallel()
	b := setup(t)
	it := b.item(t, "XZ-400", access.KindAssist, b.deptUnit) // confirmed for 2026 on entry
	sweep := func() int {
		var n access.Swept
		if err := b.as(t, nil, func(ctx context.Context) (err error) { n, err = b.svc.Sweep(ctx); return err }); err != nil {
			t.Fatal(err)
		}
		return n.Waiting
	}
	if n := sweep(); n != 0 {
		t.Fatalf("%d items waiting in the year they were entered", n)
	}
	b.clock.StubNow(time.Date(2027, 1, 4, 9, 0, 0, 0, clock.Zone))
	if sweep() != 1 || sweep() != 1 {
		t.Fatal("the unconfirmed item is not counted")
	}
	b.as(t, b.admin, func(ctx context.Context) error {
		var notes int
		tenants.DB(ctx).NewSelect().Table("notifications").Where("tenant_id = ?", tenants.CurrentID(ctx)).ColumnExpr("count(*)").Where("recipient_id = ? AND kind = 'access'", b.admin.IdentityID).Scan(ctx, &notes)
		if notes != 1 {
			t.Fatalf("admin reminded %d times", notes)
		}
		_, err := b.svc.Confirm(ctx, it.ID, 2027)
		return err
	})
	if n := sweep(); n != 0 {
		t.Fatalf("%d waiting after the confirmation", n)
	}
}

func TestEditKeepsHistory(t *testing.T) {
	t.Parallel()
	b := setup(t)
	it := b.item(t, "XZ-500", access.KindAssist, b.deptUnit)
	c := it.Content()
	c.Name, c.FundingAmount = "入户核查（修订）", 30000
	var edited *access.Item
	if err := b.as(t, b.admin, func(ctx context.Context) (err error) {
		edited, err = b.svc.Edit(ctx, it.ID, it.Version, c, "经费标准调整")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if edited.Version != 2 || edited.Name != "入户核查（修订）" {
		t.Fatalf("edited: %+v", edited)
	}
	err := b.as(t, b.admin, func(ctx context.Context) error { _, err := b.svc.Edit(ctx, it.ID, 1, c, "再改"); return err })
	if p, ok := problem.As(err); !ok || p.Status != 412 {
		t.Fatalf("stale edit: %v", err)
	}
	c.Code = "XZ-501"
	err = b.as(t, b.admin, func(ctx context.Context) error { _, err := b.svc.Edit(ctx, it.ID, 2, c, "改编号"); return err })
	if p, ok := problem.As(err); !ok || p.Status != 422 {
		t.Fatalf("code change: %v", err)
	}
	b.as(t, b.admin, func(ctx context.Context) error {
		got, vs, err := b.svc.Get(ctx, it.ID)
		if err != nil || len(vs) != 2 || vs[0].Action != "edit" || vs[0].Reason != "经费标准调整" || got.DepartmentName != "县卫生健康委员会" {
			t.Fatalf("history: %+v %+v %v", got, vs, err)
		}
		return nil
	})
}
