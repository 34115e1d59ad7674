package application_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"github.com/yichuang/yichuang/services/application"
	"github.com/yichuang/yichuang/services/calendar"
	"github.com/yichuang/yichuang/services/catalog"
	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/lifecycle"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/secret"
	"github.com/yichuang/yichuang/services/settings"
	"github.com/yichuang/yichuang/services/stats"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

type testBundle struct {
	db                      *tenanttest.DB
	tenant                  *tenanttest.Tenant
	clerk, worker, dept     *tenants.Actor
	admin                   *tenants.Actor
	box                     *secret.Box
	otherClerk              *tenants.Actor
	head, govHead           *tenants.Actor // 本行政机关负责人 of the department; 县政府负责人
	itemID                  uuid.UUID
	clock                   *clock.Stub
	svc                     *application.Service
	calendar                *calendar.Service
	township, community, dp *tenants.OrgUnit
}

// setup makes the standard county (tenanttest.NewCounty) with a published promised item
// (10 / 20 working days).
func setup(t *testing.T) *testBundle {
	t.Helper()
	db := tenanttest.New(t)
	c := tenanttest.NewCounty(t, db, "测试县")
	b := &testBundle{db: db, tenant: c.Tenant, clock: clock.NewStub(time.Date(2026, 9, 28, 9, 0, 0, 0, clock.Zone)),
		clerk: c.Clerk, worker: c.Worker, dept: c.Staff, admin: c.Admin, otherClerk: c.OtherClerk, township: c.Township, community: c.Community, dp: c.Department}
	box, err := secret.New("application-test-key-material-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	b.box = box
	b.svc = &application.Service{Clock: b.clock, Box: box}
	// As wiring.New connects them: a calendar change reaches the reconciliation.
	b.calendar = &calendar.Service{Settings: &settings.Service{OnChange: application.CalendarChanged}}
	db.Ctx(t, b.tenant.ID, func(ctx context.Context) error {
		b.head = tenanttest.Member(t, ctx, b.dp, tenants.RoleAgencyHead, "13800000006")
		b.govHead = tenanttest.Member(t, ctx, b.tenant.County, tenants.RoleGovernmentHead, "13800000007")
		it := catalog.Item{BaseCode: "000172001000", ImplCode: "TEST-DIBAO-001", Name: "最低生活保障申请", Kind: catalog.KindPayment,
			DepartmentID: b.dp.ID, LegalBasis: "《社会救助暂行办法》", Levels: []catalog.Level{catalog.LevelTownship, catalog.LevelCommunity},
			Materials: []catalog.Material{
				{Key: "id", Name: "居民身份证", Form: catalog.FormOriginal, Copies: 1, Required: true},
				{Key: "hukou", Name: "户口簿", Form: catalog.FormOriginal, Copies: 1, Required: true},
				{Key: "proxy", Name: "委托书", Form: catalog.FormOriginal, Copies: 1, Condition: "委托他人办理的"},
			},
			Handling: catalog.HandlingPromised, LegalDays: 20, PromisedDays: 10, Steps: []catalog.Step{{Name: "入户调查", LimitDays: 10}}}
		r, err := catalog.Create(ctx, it)
		if err != nil {
			return err
		}
		_, err = catalog.Publish(ctx, r.ID, r.RowVersion)
		b.itemID = r.ID
		return err
	})
	return b
}

func (b *testBundle) as(t *testing.T, a *tenants.Actor, fn func(ctx context.Context) error) error {
	t.Helper()
	return b.db.Store.InTx(tenants.WithActor(context.Background(), a), b.tenant.ID, fn)
}

const person = "11010519491231002X"

func (b *testBundle) intake(t *testing.T, a *tenants.Actor, ticks ...string) *application.Detail {
	t.Helper()
	in := application.NewApplication{ItemID: b.itemID, Applicant: application.Applicant{Kind: application.ApplicantPerson, Name: "张三", IDNo: person, Phone: "13912345678"}}
	for _, k := range ticks {
		in.Materials = append(in.Materials, application.Tick{Key: k, Provided: true})
	}
	if a.HasAny(tenants.RoleCommunityWorker) {
		in.Authorization = &application.Authorization{SignedOn: workday.Date{Year: 2026, Month: 9, Day: 27}, Document: "委托书已签字"}
	}
	var d *application.Detail
	if err := b.as(t, a, func(ctx context.Context) (err error) { d, err = b.svc.Intake(ctx, in); return err }); err != nil {
		t.Fatalf("intake: %v", err)
	}
	return d
}

func (b *testBundle) act(t *testing.T, a *tenants.Actor, id uuid.UUID, st application.Step) (*application.Detail, error) {
	t.Helper()
	var d *application.Detail
	err := b.as(t, a, func(ctx context.Context) (err error) { d, err = b.svc.Act(ctx, id, st); return err })
	return d, err
}

func day(s string) workday.Date {
	d, err := workday.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func dateOf(t *time.Time) string {
	if t == nil {
		return ""
	}
	return workday.DateOf(*t).String()
}

func TestIntakeValidation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cases := []struct {
		name     string
		who      *tenants.Actor
		in       application.NewApplication
		location string
	}{
		{"bad check digit", b.clerk, application.NewApplication{ItemID: b.itemID, Applicant: application.Applicant{Kind: "person", Name: "张三", IDNo: "110105194912310021", Phone: "13912345678"}}, "body.applicant.id_no"},
		{"bad credit code", b.clerk, application.NewApplication{ItemID: b.itemID, Applicant: application.Applicant{Kind: "org", Name: "某公司", IDNo: "91350100M000100Y44", Phone: "13912345678", Contact: "李四"}}, "body.applicant.id_no"},
		{"empty id number", b.worker, application.NewApplication{ItemID: b.itemID, Applicant: application.Applicant{Kind: "person", Name: "张三", IDNo: " ", Phone: "13912345678"}}, "body.applicant.id_no"},
		{"empty credit code", b.clerk, application.NewApplication{ItemID: b.itemID, Applicant: application.Applicant{Kind: "org", Name: "某公司", Phone: "13912345678", Contact: "李四"}}, "body.applicant.id_no"},
		{"bad phone", b.clerk, application.NewApplication{ItemID: b.itemID, Applicant: application.Applicant{Kind: "person", Name: "张三", IDNo: person, Phone: "123"}}, "body.applicant.phone"},
		{"proxy without authorisation", b.worker, application.NewApplication{ItemID: b.itemID, Applicant: application.Applicant{Kind: "person", Name: "张三", IDNo: person, Phone: "13912345678"}}, "body.authorization"},
		{"unknown material", b.clerk, application.NewApplication{ItemID: b.itemID, Applicant: application.Applicant{Kind: "person", Name: "张三", IDNo: person, Phone: "13912345678"},
			Materials: []application.Tick{{Key: "nope", Provided: true}}}, "body.materials[0].key"},
	}
	for _, c := range cases {
		err := b.as(t, c.who, func(ctx context.Context) error { _, err := b.svc.Intake(ctx, c.in); return err })
		p, ok := problem.As(err)
		if !ok || p.Status != 422 {
			t.Errorf("%s: got %v, want 422", c.name, err)
			continue
		}
		found := false
		for _, f := range p.Fields {
			found = found || (f.Location == c.location && f.Message != "")
		}
		if !found {
			t.Errorf("%s: fields %+v lack %s", c.name, p.Fields, c.location)
		}
	}
	// Nothing was written by the refused forms.
	b.db.Ctx(t, b.tenant.ID, func(ctx context.Context) error {
		n, err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model((*application.Application)(nil))).Count(ctx)
		if n != 0 {
			t.Errorf("%d applications after refused forms", n)
		}
		return err
	})
}

// TestIntakeStripsSpacesFromIDNo: a number pasted in its printed groups (ASCII and
// full-width spaces) is stored as the 18 characters it is.
func TestIntakeStripsSpacesFromIDNo(t *testing.T) {
	t.Parallel()
	b := setup(t)
	spaced := " " + person[:6] + " " + person[6:14] + "\u3000" + strings.ToLower(person[14:]) + " "
	in := application.NewApplication{ItemID: b.itemID, Applicant: application.Applicant{Kind: "person", Name: "张三", IDNo: spaced, Phone: "13912345678"}}
	var d *application.Detail
	if err := b.as(t, b.clerk, func(ctx context.Context) (err error) { d, err = b.svc.Intake(ctx, in); return err }); err != nil {
		t.Fatalf("a spaced ID number was refused: %v", err)
	}
	// Stored sealed (services/secret): the audited full view opens it.
	var got string
	if err := b.as(t, b.clerk, func(ctx context.Context) (err error) { got, err = b.svc.RevealID(ctx, d.ID); return err }); err != nil {
		t.Fatal(err)
	}
	if got != person {
		t.Errorf("stored ID number %q, want %q", got, person)
	}
}

func TestIdempotentIntake(t *testing.T) {
	t.Parallel()
	b := setup(t)
	in := application.NewApplication{ItemID: b.itemID, RequestKey: "form-" + uuid.NewString()[:8],
		Applicant: application.Applicant{Kind: "person", Name: "张三", IDNo: person, Phone: "13912345678"}}
	var first, second *application.Detail
	if err := b.as(t, b.clerk, func(ctx context.Context) (err error) { first, err = b.svc.Intake(ctx, in); return err }); err != nil {
		t.Fatal(err)
	}
	if err := b.as(t, b.clerk, func(ctx context.Context) (err error) { second, err = b.svc.Intake(ctx, in); return err }); err != nil {
		t.Fatal(err)
	}
	if first.ID != second.ID {
		t.Errorf("a retried form made a second application: %s, %s", first.ID, second.ID)
	}
}

// TestConcurrentAcceptance accepts many applications at once: every receipt number is
// distinct and follows <region><yyyymmdd><serial>.
func TestConcurrentAcceptance(t *testing.T) {
	t.Parallel()
	b := setup(t)
	const n = 12
	ids := make([]uuid.UUID, n)
	for i := range ids {
		ids[i] = b.intake(t, b.clerk, "id", "hukou").ID
	}
	var wg sync.WaitGroup
	receipts := make([]string, n)
	errs := make([]error, n)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := b.act(t, b.clerk, ids[i], application.Step{Action: lifecycle.Accept, Version: 1})
			errs[i] = err
			if err == nil {
				receipts[i] = *d.ReceiptNo
			}
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for i, r := range receipts {
		if errs[i] != nil {
			t.Fatalf("accept %d: %v", i, errs[i])
		}
		if seen[r] || !strings.HasPrefix(r, "YC20260928") || len(r) != len("YC2026092800001") {
			t.Errorf("receipt %q repeated or malformed", r)
		}
		seen[r] = true
	}
	// Two clerks deciding the same version: one wins, the other is told it is stale.
	id := b.intake(t, b.clerk, "id", "hukou").ID
	var wins, stale int
	var mu sync.Mutex
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := b.act(t, b.clerk, id, application.Step{Action: lifecycle.Accept, Version: 1})
			mu.Lock()
			defer mu.Unlock()
			if p, ok := problem.As(err); ok && p.Status == 412 {
				stale++
			} else if err == nil {
				wins++
			} else {
				t.Errorf("unexpected: %v", err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 || stale != 1 {
		t.Errorf("wins=%d stale=%d, want 1 and 1", wins, stale)
	}
}

// TestClockThroughTheLifecycle follows the dates: forwarding limit, the 5-day correction
// limit, acceptance, a pause across the National Day holiday and an extension.
func TestClockThroughTheLifecycle(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cal := workday.National()
	d := b.intake(t, b.worker, "id")
	if d.State != lifecycle.ProxyReceived || dateOf(d.ForwardDue) != cal.Add(day("2026-09-28"), 3).String() {
		t.Fatalf("proxy intake: state %s forward due %s", d.State, dateOf(d.ForwardDue))
	}
	if dateOf(d.ForwardDue) != "2026-10-08" {
		t.Errorf("forward due %s, want 2026-10-08 (three working days across National Day)", dateOf(d.ForwardDue))
	}
	// The clerk of another township does not see it.
	if _, err := b.act(t, b.otherClerk, d.ID, application.Step{Action: lifecycle.Accept, Version: d.Version}); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("other township's clerk: %v, want not found", err)
	}
	d, err := b.act(t, b.worker, d.ID, application.Step{Action: lifecycle.Forward, Version: d.Version})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.act(t, b.clerk, d.ID, application.Step{Action: lifecycle.Accept, Version: d.Version}); err == nil {
		t.Fatal("accepted with a required material missing")
	}
	d, err = b.act(t, b.clerk, d.ID, application.Step{Action: lifecycle.RequestCorrection, Version: d.Version,
		Corrections: []application.CorrectionEntry{{Key: "hukou", Problem: "missing"}}})
	if err != nil {
		t.Fatal(err)
	}
	if d.State != lifecycle.Correcting || len(d.Correction.Items) != 1 || d.Correction.Items[0].Name != "户口簿" {
		t.Fatalf("correction: %s %+v", d.State, d.Correction)
	}
	b.clock.StubNow(time.Date(2026, 10, 9, 10, 0, 0, 0, clock.Zone))
	d, err = b.act(t, b.worker, d.ID, application.Step{Action: lifecycle.Resubmit, Version: d.Version, Materials: []application.Tick{{Key: "hukou", Provided: true}}})
	if err != nil {
		t.Fatal(err)
	}
	// Resubmitted on 10-09: the correction limit restarts; 10-10 is a make-up Saturday.
	if dateOf(d.CorrectionDue) != cal.Add(day("2026-10-09"), 5).String() || dateOf(d.CorrectionDue) != "2026-10-15" {
		t.Errorf("correction due %s", dateOf(d.CorrectionDue))
	}
	d, err = b.act(t, b.clerk, d.ID, application.Step{Action: lifecycle.Accept, Version: d.Version})
	if err != nil {
		t.Fatal(err)
	}
	if dateOf(d.AcceptedOn) != "2026-10-09" || dateOf(d.PromisedDue) != cal.Add(day("2026-10-09"), 10).String() {
		t.Errorf("accepted %s promised due %s", dateOf(d.AcceptedOn), dateOf(d.PromisedDue))
	}
	d, err = b.act(t, b.clerk, d.ID, application.Step{Action: lifecycle.Route, Version: d.Version})
	if err != nil {
		t.Fatal(err)
	}
	d, err = b.act(t, b.dept, d.ID, application.Step{Action: lifecycle.Pause, Version: d.Version, Reason: "入户调查", StepName: "入户调查"})
	if err != nil {
		t.Fatal(err)
	}
	b.clock.StubNow(time.Date(2026, 10, 16, 10, 0, 0, 0, clock.Zone))
	// The reconciler sees the open pause too: the application stays paused, no warning.
	b.db.Ctx(t, b.tenant.ID, func(ctx context.Context) error {
		if _, err := b.svc.Reconcile(ctx); err != nil {
			return err
		}
		var row application.Application
		if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&row)).Where("a.id = ?", d.ID).Scan(ctx); err != nil {
			return err
		}
		if !row.Paused || row.Warning != "normal" {
			t.Errorf("reconciled during the pause: paused %v warning %s", row.Paused, row.Warning)
		}
		return nil
	})
	d, err = b.act(t, b.dept, d.ID, application.Step{Action: lifecycle.Resume, Version: d.Version, Reason: "调查完毕"})
	if err != nil {
		t.Fatal(err)
	}
	paused := cal.Count(day("2026-10-09"), day("2026-10-16"))
	want := cal.Add(day("2026-10-09"), 10+paused)
	if dateOf(d.PromisedDue) != want.String() {
		t.Errorf("after the pause: promised due %s, want %s (%d paused working days)", dateOf(d.PromisedDue), want, paused)
	}
	// 行政许可法 art. 42: the agency head grants the extension, not the staff handling it.
	if _, err := b.act(t, b.dept, d.ID, application.Step{Action: lifecycle.Extend, Version: d.Version, Days: 5, Reason: "情况复杂"}); err == nil {
		t.Error("department staff granted an extension")
	}
	d, err = b.act(t, b.head, d.ID, application.Step{Action: lifecycle.Extend, Version: d.Version, Days: 5, Reason: "情况复杂"})
	if err != nil {
		t.Fatal(err)
	}
	if dateOf(d.LegalDue) != cal.Add(day("2026-10-09"), 20+5+paused).String() {
		t.Errorf("legal due after extension %s", dateOf(d.LegalDue))
	}
	if _, err := b.act(t, b.head, d.ID, application.Step{Action: lifecycle.Extend, Version: d.Version, Days: 5, Reason: "再次"}); err == nil {
		t.Error("a second extension was granted")
	}
	d, err = b.act(t, b.dept, d.ID, application.Step{Action: lifecycle.Approve, Version: d.Version})
	if err != nil {
		t.Fatal(err)
	}
	// 行政许可法 art. 44: the 准予 decision is served within ten working days; the delivery
	// deadline's jobs replace the decision's.
	deliveryDue := cal.Add(day("2026-10-16"), 10)
	if d.State != lifecycle.Decided || d.ClosedOn == nil || len(d.Jobs) != 2 || d.Jobs[application.KindDelivery].Due != deliveryDue ||
		d.Jobs[application.KindDeliveryYellow].Due != deliveryDue || dateOf(d.DeliveryDue) != deliveryDue.String() {
		t.Errorf("decided: state %s closed %v jobs %v delivery due %s", d.State, d.ClosedOn, d.Jobs, dateOf(d.DeliveryDue))
	}
	// Every step wrote its timeline event and audit row.
	b.db.Ctx(t, b.tenant.ID, func(ctx context.Context) error {
		var n int
		err := tenants.DB(ctx).NewSelect().Table("audit_events").Where("tenant_id = ?", tenants.CurrentID(ctx)).ColumnExpr("count(*)").Where("target_id = ?", d.ID.String()).Scan(ctx, &n)
		if n != len(d.Events) || n != 10 {
			t.Errorf("%d audit rows, %d timeline events, want 10 each", n, len(d.Events))
		}
		return err
	})
}

// TestDeadlineJobsAreIdempotent runs a deadline job twice, and shows a calendar change moving
// the due date through the reconciler.
func TestDeadlineJobsAreIdempotent(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := b.intake(t, b.clerk, "id", "hukou")
	d, err := b.act(t, b.clerk, d.ID, application.Step{Action: lifecycle.Accept, Version: d.Version})
	if err != nil {
		t.Fatal(err)
	}
	due := workday.DateOf(*d.PromisedDue)
	b.clock.StubNow(due.AddDays(1).In(clock.Zone).Add(time.Hour))
	args := application.DeadlineArgs{TenantID: b.tenant.ID, ApplicationID: d.ID, DeadlineKind: application.KindRed, Due: due}
	for range 2 {
		if err := b.db.Store.InTx(context.Background(), b.tenant.ID, func(ctx context.Context) error { return b.svc.CheckDeadline(ctx, args) }); err != nil {
			t.Fatal(err)
		}
	}
	b.db.Ctx(t, b.tenant.ID, func(ctx context.Context) error {
		var notes, sms int
		if err := tenants.DB(ctx).NewSelect().Table("notifications").Where("tenant_id = ?", tenants.CurrentID(ctx)).ColumnExpr("count(*)").Where("application_id = ? AND kind = 'deadline_red'", d.ID).Scan(ctx, &notes); err != nil {
			return err
		}
		if err := tenants.DB(ctx).NewSelect().Table("sms_outbox").Where("tenant_id = ?", tenants.CurrentID(ctx)).ColumnExpr("count(*)").Scan(ctx, &sms); err != nil {
			return err
		}
		// The clerk who accepted holds it; without a supervisor, the county admin hears of it
		// too: one notification and one SMS each, however often the job runs.
		if notes != 2 || sms != 2 {
			t.Errorf("%d notifications and %d SMS after two runs, want 2 and 2", notes, sms)
		}
		var warning string
		err := tenants.DB(ctx).NewSelect().Table("applications").Where("tenant_id = ?", tenants.CurrentID(ctx)).Column("warning").Where("id = ?", d.ID).Scan(ctx, &warning)
		if warning != "red" {
			t.Errorf("warning %q, want red", warning)
		}
		return err
	})
	// A local closure on a day before the due date moves it one working day out, via the
	// reconciler; the red moment moves with it.
	closed := workday.National().Add(workday.DateOf(*d.AcceptedOn), 1)
	b.clock.StubNow(time.Date(2026, 9, 28, 9, 0, 0, 0, clock.Zone))
	err = b.as(t, b.clerk, func(ctx context.Context) error {
		return b.calendar.SetDay(ctx, closed, false, "防汛停止办公")
	})
	if err != nil {
		t.Fatal(err)
	}
	b.db.Ctx(t, b.tenant.ID, func(ctx context.Context) error {
		if _, err := b.svc.Reconcile(ctx); err != nil {
			return err
		}
		var got time.Time
		if err := tenants.DB(ctx).NewSelect().Table("applications").Where("tenant_id = ?", tenants.CurrentID(ctx)).Column("promised_due").Where("id = ?", d.ID).Scan(ctx, &got); err != nil {
			return err
		}
		cal, err := calendar.For(ctx)
		if err != nil {
			return err
		}
		if want := cal.Add(workday.DateOf(*d.AcceptedOn), 10); workday.DateOf(got) != want || want == due {
			t.Errorf("after the closure: due %s, want %s (was %s)", workday.DateOf(got), want, due)
		}
		return nil
	})
}

func TestIllegalTransitionIsAConflict(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := b.intake(t, b.clerk, "id", "hukou")
	_, err := b.act(t, b.clerk, d.ID, application.Step{Action: lifecycle.Deliver, Version: d.Version, DeliveryMethod: "window"})
	var p *problem.Error
	if !errors.As(err, &p) || p.Status != 409 || !strings.Contains(p.Message, "已接件") {
		t.Errorf("deliver a received application: %v", err)
	}
	_, err = b.act(t, b.worker, d.ID, application.Step{Action: lifecycle.Accept, Version: d.Version})
	if !errors.As(err, &p) || (p.Status != 403 && p.Status != 404) {
		t.Errorf("community worker accepts at the window: %v", err)
	}
	_ = fmt.Sprint()
}

// TestStatistics: two applications accepted on 09-28, one decided on time, one left to run
// late; a third rejected at the window.
func TestStatistics(t *testing.T) {
	t.Parallel()
	b := setup(t)
	onTime := b.intake(t, b.clerk, "id", "hukou")
	late := b.intake(t, b.clerk, "id", "hukou")
	rejected := b.intake(t, b.clerk, "id")
	for _, d := range []*application.Detail{onTime, late} {
		d, err := b.act(t, b.clerk, d.ID, application.Step{Action: lifecycle.Accept, Version: d.Version})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.act(t, b.clerk, d.ID, application.Step{Action: lifecycle.Route, Version: d.Version}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.act(t, b.clerk, rejected.ID, application.Step{Action: lifecycle.Reject, Version: 1, Reason: "不属于受理范围"}); err != nil {
		t.Fatal(err)
	}
	b.clock.StubNow(time.Date(2026, 10, 9, 10, 0, 0, 0, clock.Zone)) // four working days after 09-28: 09-29, 09-30, 10-08, 10-09
	if _, err := b.act(t, b.dept, onTime.ID, application.Step{Action: lifecycle.Approve, Version: 3}); err != nil {
		t.Fatal(err)
	}
	today := workday.Date{Year: 2026, Month: 12, Day: 1} // long after the 10-working-day limit
	var r *stats.Report
	b.db.Ctx(t, b.tenant.ID, func(ctx context.Context) (err error) {
		r, err = stats.Compute(ctx, day("2026-09-01"), day("2026-09-30"), today)
		return err
	})
	tot := r.Total
	if tot.Received != 3 || tot.Accepted != 2 || tot.Decided != 1 || tot.OnTime != 1 || tot.Overdue != 1 || tot.OnTimeRate != 1 || tot.AvgDays != 4 {
		t.Errorf("totals %+v", tot)
	}
	if len(r.ByItem) != 1 || len(r.ByHall) != 1 || r.ByHall[0].Label != "城关镇" || len(r.ByMonth) != 1 || r.ByMonth[0].Key != "2026-09" {
		t.Errorf("breakdowns %+v %+v %+v", r.ByItem, r.ByHall, r.ByMonth)
	}
	var buf bytes.Buffer
	if err := stats.Excel(&buf, r, "测试县"); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := f.GetCellValue("按乡镇", "A3"); v != "城关镇" {
		t.Errorf("按乡镇!A3 = %q", v)
	}
	if v, _ := f.GetCellValue("按事项", "B4"); v != "3" {
		t.Errorf("total received in the sheet = %q", v)
	}
}

// An intake's event waits for the commit (tenants.ExecAtCommit); a transaction that registers
// an application and then reads it or acts on it (the demo seed does) still sees the event
// and numbers the next one after it.
func TestIntakeThenActInOneTransaction(t *testing.T) {
	t.Parallel()
	b := setup(t)
	in := application.NewApplication{ItemID: b.itemID, Applicant: application.Applicant{Kind: application.ApplicantPerson, Name: "张三", IDNo: person, Phone: "13912345678"},
		Materials: []application.Tick{{Key: "id", Provided: true}, {Key: "hukou", Provided: true}}}
	err := b.as(t, b.clerk, func(ctx context.Context) error {
		d, err := b.svc.Intake(ctx, in)
		if err != nil {
			return err
		}
		got, err := b.svc.Get(ctx, d.ID)
		if err != nil {
			return err
		}
		if len(got.Events) != 1 || got.Events[0].Seq != 1 {
			t.Errorf("read back in the intake's transaction: %d events, want its intake event", len(got.Events))
		}
		acted, err := b.svc.Act(ctx, d.ID, application.Step{Action: lifecycle.Accept, Version: d.Version})
		if err != nil {
			return err
		}
		if n := len(acted.Events); n != 2 || acted.Events[0].Seq != 1 || acted.Events[1].Seq != 2 {
			t.Errorf("after accepting in the same transaction: %+v, want events 1 and 2", acted.Events)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
