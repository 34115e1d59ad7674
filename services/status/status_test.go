package status_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/application"
	"github.com/yichuang/yichuang/services/catalog"
	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/lifecycle"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/secret"
	"github.com/yichuang/yichuang/services/status"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

type testBundle struct {
	db                 *tenanttest.DB
	tenant             *tenanttest.Tenant
	clock              *clock.Stub
	apps               *application.Service
	svc                *status.Service
	admin, clerk, dept *tenants.Actor
	otherClerk         *tenants.Actor
	itemID             uuid.UUID
}

// setup makes the standard county (tenanttest.NewCounty: the hall 城关镇, a second hall, the
// department 县民政局) with a published item; today is Monday 2026-11-02.
func setup(t *testing.T) *testBundle {
	t.Helper()
	db := tenanttest.New(t)
	c := tenanttest.NewCounty(t, db, "测试县")
	b := &testBundle{db: db, tenant: c.Tenant, clock: clock.NewStub(time.Date(2026, 11, 2, 9, 0, 0, 0, clock.Zone)),
		admin: c.Admin, clerk: c.Clerk, dept: c.Staff, otherClerk: c.OtherClerk}
	box, err := secret.New("status-test-key-material-0123456789abc")
	if err != nil {
		t.Fatal(err)
	}
	b.apps, b.svc = &application.Service{Clock: b.clock, Box: box}, &status.Service{Clock: b.clock}
	db.Ctx(t, b.tenant.ID, func(ctx context.Context) error {
		dp := c.Department
		it := catalog.Item{BaseCode: "000172001000", ImplCode: "TEST-LS-001", Name: "临时救助申请", Kind: catalog.KindPayment,
			DepartmentID: dp.ID, LegalBasis: "《社会救助暂行办法》", Levels: []catalog.Level{catalog.LevelTownship},
			Materials: []catalog.Material{{Key: "id", Name: "居民身份证", Form: catalog.FormOriginal, Copies: 1, Required: true}},
			Handling:  catalog.HandlingPromised, LegalDays: 20, PromisedDays: 10}
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
	ctx := context.Background()
	if a != nil {
		ctx = tenants.WithActor(ctx, a)
	}
	return b.db.Store.InTx(ctx, b.tenant.ID, fn)
}

// application takes one in at the window, accepts it, and with decide routes and approves it.
func (b *testBundle) application(t *testing.T, decide bool) *application.Detail {
	t.Helper()
	d := b.intake(t)
	d = b.step(t, d, b.clerk, application.Step{Action: lifecycle.Accept})
	if decide {
		d = b.step(t, d, b.clerk, application.Step{Action: lifecycle.Route})
		d = b.step(t, d, b.dept, application.Step{Action: lifecycle.Approve, Reason: "符合条件"})
	}
	return d
}

// intake takes an application in at the window (接件), not yet accepted.
func (b *testBundle) intake(t *testing.T) *application.Detail {
	t.Helper()
	var d *application.Detail
	in := application.NewApplication{ItemID: b.itemID, Applicant: application.Applicant{Kind: application.ApplicantPerson, Name: "张三",
		IDNo: "110105198503120020", Phone: "13912345678"}, Materials: []application.Tick{{Key: "id", Provided: true}}}
	if err := b.as(t, b.clerk, func(ctx context.Context) (err error) { d, err = b.apps.Intake(ctx, in); return err }); err != nil {
		t.Fatal(err)
	}
	return d
}

func (b *testBundle) step(t *testing.T, d *application.Detail, a *tenants.Actor, s application.Step) *application.Detail {
	t.Helper()
	s.Version = d.Version
	if err := b.as(t, a, func(ctx context.Context) (err error) { d, err = b.apps.Act(ctx, d.ID, s); return err }); err != nil {
		t.Fatalf("%s: %v", s.Action, err)
	}
	return d
}

// token is the application's QR token, as the notices print it.
func (b *testBundle) token(t *testing.T, id uuid.UUID) string {
	t.Helper()
	var tok string
	if err := b.as(t, nil, func(ctx context.Context) (err error) { tok, err = status.Token(ctx, id); return err }); err != nil {
		t.Fatal(err)
	}
	return tok
}

func (b *testBundle) lookup(t *testing.T, receipt, last4, ip string) (*status.View, error) {
	t.Helper()
	var v *status.View
	var fail *status.Failure
	err := b.as(t, nil, func(ctx context.Context) (err error) {
		v, err = b.svc.Lookup(ctx, receipt, last4, ip)
		if errors.As(err, &fail) {
			return nil // the count of wrong tries must be kept
		}
		return err
	})
	if fail != nil {
		return nil, fail.Err
	}
	return v, err
}

// tokenFrom looks a token up from an address as the public page does, keeping the count of a wrong try.
func (b *testBundle) tokenFrom(t *testing.T, token, ip string) (*status.View, error) {
	t.Helper()
	var v *status.View
	var fail *status.Failure
	err := b.as(t, nil, func(ctx context.Context) (err error) {
		v, err = b.svc.ByToken(ctx, token, ip)
		if errors.As(err, &fail) {
			return nil
		}
		return err
	})
	if fail != nil {
		return nil, fail.Err
	}
	return v, err
}

// wantStatus fails unless err is a problem with that status (0: no error).
func wantStatus(t *testing.T, what string, err error, status int) *problem.Error {
	t.Helper()
	if status == 0 {
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return nil
	}
	p, ok := problem.As(err)
	if !ok || p.Status != status {
		t.Fatalf("%s: want %d, got %v", what, status, err)
	}
	return p
}

func TestLookupShowsNothingPersonalAndThrottles(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := b.application(t, false)
	receipt := *d.ReceiptNo
	v, err := b.lookup(t, receipt, "5678", "10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if v.ItemName != "临时救助申请" || v.StateLabel != "已受理" || v.PromisedDue.IsZero() || v.Token == "" || v.Rating.CanRate {
		t.Fatalf("view: %+v", v)
	}
	if s := fmt.Sprintf("%+v", v); strings.Contains(s, "张三") || strings.Contains(s, "13912345678") || strings.Contains(s, "110105") {
		t.Fatalf("the public view leaks personal data: %s", s)
	}
	other := *b.application(t, false).ReceiptNo

	// Five wrong digits for the receipt lock its lookup, from every address and with the right
	// digits too (else the answer would still tell a guess); the resident is told how long.
	for i := range status.MaxReceiptFailures {
		_, err := b.lookup(t, receipt, "0000", fmt.Sprintf("10.0.1.%d", i))
		wantStatus(t, fmt.Sprintf("wrong try %d", i), err, 404)
	}
	b.clock.Advance(4 * time.Minute)
	_, err = b.lookup(t, receipt, "5678", "10.0.2.1")
	p := wantStatus(t, "the locked receipt", err, 429)
	if p.RetryAfter != 11*time.Minute || !strings.Contains(p.Message, "请 11 分钟后再试") || !strings.Contains(p.MessageEn, "11 minutes") {
		t.Fatalf("the wait: %v %q %q", p.RetryAfter, p.Message, p.MessageEn)
	}
	// Only that receipt: another one from the very addresses that failed is answered, and so is
	// the locked one's QR code.
	_, err = b.lookup(t, other, "5678", "10.0.1.0")
	wantStatus(t, "another receipt from the same address", err, 0)
	_, err = b.tokenFrom(t, v.Token, "10.0.1.0")
	wantStatus(t, "the locked receipt's QR code", err, 0)

	// A scan of unknown receipt numbers from one address: a hundred are answered 404, then the
	// address's failing tries are refused; another address is not.
	for i := range status.MaxAddressFailures {
		_, err := b.lookup(t, fmt.Sprintf("YC20261102%05d", 90000+i), "1234", "10.0.3.1")
		wantStatus(t, fmt.Sprintf("unknown receipt %d", i), err, 404)
	}
	_, err = b.lookup(t, "YC2026110299999", "1234", "10.0.3.1")
	if p := wantStatus(t, "the scanning address", err, 429); !strings.Contains(p.Message, "请 15 分钟后再试") || p.RetryAfter != status.Window {
		t.Fatalf("the address's wait: %v %q", p.RetryAfter, p.Message)
	}
	_, err = b.tokenFrom(t, "AAAAAAAAAAAAAAAAAAAAAA", "10.0.3.1")
	wantStatus(t, "an unknown token from the scanning address", err, 429)
	_, err = b.lookup(t, "YC2026110299999", "1234", "10.0.3.2")
	wantStatus(t, "another address", err, 404)
	// A lookup that finds its application is answered whatever the address has done: the right
	// digits of another receipt, and a valid QR token.
	_, err = b.lookup(t, other, "5678", "10.0.3.1")
	wantStatus(t, "the right digits from the scanning address", err, 0)
	_, err = b.tokenFrom(t, v.Token, "10.0.3.1")
	wantStatus(t, "a valid token from the scanning address", err, 0)
	// Wrong digits from the scanning address are refused, and still count against the receipt.
	for i := range status.MaxReceiptFailures {
		_, err := b.lookup(t, other, "0000", "10.0.3.1")
		wantStatus(t, fmt.Sprintf("wrong digits from the scanning address %d", i), err, 429)
	}
	_, err = b.lookup(t, other, "5678", "10.0.4.1")
	wantStatus(t, "a receipt whose wrong tries the scanning address made", err, 429)

	// An IPv6 subscriber is counted by its /64: changing the interface bits is no way round.
	for i := range status.MaxAddressFailures {
		_, err := b.tokenFrom(t, "BBBBBBBBBBBBBBBBBBBBBB", fmt.Sprintf("2001:db8:1:2::%x", i+1))
		wantStatus(t, fmt.Sprintf("IPv6 try %d", i), err, 404)
	}
	_, err = b.tokenFrom(t, "BBBBBBBBBBBBBBBBBBBBBB", "2001:db8:1:2:ffff::1")
	wantStatus(t, "the same /64", err, 429)
	_, err = b.tokenFrom(t, "BBBBBBBBBBBBBBBBBBBBBB", "2001:db8:1:3::1")
	wantStatus(t, "another /64", err, 404)

	// The window passes.
	b.clock.Advance(status.Window + time.Minute)
	_, err = b.lookup(t, receipt, "5678", "10.0.3.1")
	wantStatus(t, "after the window", err, 0)
	_, err = b.lookup(t, "YC2026110299999", "1234", "10.0.3.1")
	wantStatus(t, "the scanning address after the window", err, 404)
}

func (b *testBundle) act(t *testing.T, a *tenants.Actor, id uuid.UUID, action string) (*status.Rectification, error) {
	t.Helper()
	var c *status.Rectification
	err := b.as(t, a, func(ctx context.Context) (err error) {
		c, err = b.svc.Act(ctx, id, 0, status.CaseAction{Action: action, Note: "已向评价人说明情况并落实改进"})
		return err
	})
	return c, err
}

func (b *testBundle) callback(t *testing.T, a *tenants.Actor, id uuid.UUID, in status.CallbackInput) (*status.Rectification, error) {
	t.Helper()
	var c *status.Rectification
	err := b.as(t, a, func(ctx context.Context) (err error) { c, err = b.svc.Callback(ctx, id, 0, in); return err })
	return c, err
}

func (b *testBundle) rate(t *testing.T, token string, in status.RateInput) (*status.View, error) {
	t.Helper()
	var v *status.View
	err := b.as(t, nil, func(ctx context.Context) (err error) { v, err = b.svc.Rate(ctx, token, "10.9.9.9", in); return err })
	return v, err
}

func TestRatingAndRectification(t *testing.T) {
	t.Parallel()
	b := setup(t)
	open := b.application(t, false)
	v, _ := b.lookup(t, *open.ReceiptNo, "5678", "10.0.0.1")
	if _, err := b.rate(t, v.Token, status.RateInput{Score: 5}); err == nil {
		t.Fatal("rated before completion")
	}
	d := b.application(t, true)
	v, _ = b.lookup(t, *d.ReceiptNo, "5678", "10.0.0.1")
	if !v.Rating.CanRate || v.Rating.Round != 1 {
		t.Fatalf("rating state: %+v", v.Rating)
	}
	if _, err := b.rate(t, v.Token, status.RateInput{Score: 2, Indicators: []string{"不存在"}}); err == nil {
		t.Fatal("an unknown indicator was accepted")
	}
	// After 不满意 the chips are the problems, not the praise (a 差评 ticks what went wrong).
	if slices.Equal(status.IndicatorsFor(2), status.IndicatorsFor(4)) || slices.ContainsFunc(status.IndicatorsFor(2), func(s string) bool { return slices.Contains(status.Indicators, s) }) {
		t.Fatalf("the 差评 indicators repeat the 好评 ones: %v", status.IndicatorsFor(2))
	}
	if _, err := b.rate(t, v.Token, status.RateInput{Score: 1, Indicators: []string{"指引清楚"}}); err == nil {
		t.Fatal("a 差评 ticked praise")
	}
	if _, err := b.rate(t, v.Token, status.RateInput{Score: 5, Indicators: []string{"服务态度差"}}); err == nil {
		t.Fatal("a 好评 ticked a problem")
	}
	v, err := b.rate(t, v.Token, status.RateInput{Score: 1, Comment: "等了很久", Indicators: []string{"办事效率低", "多次跑腿"}})
	if err != nil || v.Rating.CanRate || v.Rating.Rectification != status.RectPending {
		t.Fatalf("差评: %+v %v", v, err)
	}
	if _, err := b.rate(t, v.Token, status.RateInput{Score: 5}); err == nil {
		t.Fatal("rated twice")
	}
	// The case: the clerk's hall sees it, another hall does not; review is for admins.
	var cs []status.Rectification
	b.as(t, b.clerk, func(ctx context.Context) (err error) { cs, err = b.svc.Cases(ctx); return err })
	if len(cs) != 1 || cs[0].Score != 1 || cs[0].RectifyDue != (workday.Date{Year: 2026, Month: 11, Day: 9}) {
		t.Fatalf("cases: %+v", cs)
	}
	// The case shows what the resident ticked and the phone to call them back on.
	if !slices.Equal(cs[0].Indicators, []string{"办事效率低", "多次跑腿"}) || cs[0].ApplicantPhone != "13912345678" {
		t.Fatalf("the case's problems and phone: %v %q", cs[0].Indicators, cs[0].ApplicantPhone)
	}
	if len(cs[0].Steps) != 1 || cs[0].Steps[0].Note != "评价：非常不满意；问题：办事效率低、多次跑腿" {
		t.Fatalf("the opened step: %+v", cs[0].Steps)
	}
	b.as(t, b.otherClerk, func(ctx context.Context) error {
		if got, _ := b.svc.Cases(ctx); len(got) != 0 {
			t.Fatal("another hall sees the case")
		}
		return nil
	})
	act := func(a *tenants.Actor, action string) (*status.Rectification, error) {
		return b.act(t, a, cs[0].ID, action)
	}
	if _, err := act(b.clerk, "invalid"); err == nil {
		t.Fatal("a clerk ruled the rating invalid")
	}
	if c, err := b.callback(t, b.clerk, cs[0].ID, status.CallbackInput{Method: status.MethodPhone, Outcome: status.OutcomeReached, Note: "已电话联系评价人，说明情况"}); err != nil || c.Status != status.RectInProgress {
		t.Fatalf("callback: %+v %v", c, err)
	}
	if c, err := act(b.clerk, "complete"); err != nil || c.Status != status.RectDone {
		t.Fatalf("complete: %+v %v", c, err)
	}
	// One re-rating after rectification, and no more.
	v, _ = b.lookup(t, *d.ReceiptNo, "5678", "10.0.0.1")
	if !v.Rating.CanRate || v.Rating.Round != 2 {
		t.Fatalf("after rectification: %+v", v.Rating)
	}
	if v, err = b.rate(t, v.Token, status.RateInput{Score: 4}); err != nil || len(v.Rating.Given) != 2 || v.Rating.CanRate {
		t.Fatalf("re-rating: %+v %v", v, err)
	}
	if _, err := b.rate(t, v.Token, status.RateInput{Score: 5}); err == nil {
		t.Fatal("a third rating")
	}
	// The clerk who accepted it carries the ratings.
	b.as(t, b.admin, func(ctx context.Context) error {
		rs, err := status.RatingsOf(ctx, b.clerk.IdentityID)
		if err != nil || len(rs) != 2 || rs[0].ItemName != "临时救助申请" {
			t.Fatalf("ratings of the clerk: %+v %v", rs, err)
		}
		rep, err := status.Compute(ctx, workday.Date{Year: 2026, Month: 11, Day: 1}, workday.Date{Year: 2026, Month: 11, Day: 30})
		if err != nil {
			return err
		}
		// One completed event, rated 1 (round 1 counts): 好评率 0, 未评价率 0.
		if rep.Total.Events != 1 || rep.Total.Rated != 1 || rep.Total.Bad != 1 || rep.Total.GoodRate != 0 || rep.Total.UnratedRate != 0 || len(rep.ByClerk) != 1 {
			t.Fatalf("indicators: %+v", rep)
		}
		return nil
	})
}

func TestOverdueRectificationAndDefaultRating(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := b.application(t, true)
	v, _ := b.lookup(t, *d.ReceiptNo, "5678", "10.0.0.1")
	if _, err := b.rate(t, v.Token, status.RateInput{Score: 2}); err != nil {
		t.Fatal(err)
	}
	var c status.Rectification
	b.as(t, b.admin, func(ctx context.Context) error {
		cs, err := b.svc.Cases(ctx)
		c = cs[0]
		return err
	})
	check := func(stage string) {
		if err := b.as(t, nil, func(ctx context.Context) error {
			return b.svc.CheckCase(ctx, status.RectifyArgs{TenantID: b.tenant.ID, CaseID: c.ID, Stage: stage})
		}); err != nil {
			t.Fatal(err)
		}
	}
	check("rectify") // not due yet: nothing
	b.as(t, b.admin, func(ctx context.Context) error {
		cs, _ := b.svc.Cases(ctx)
		if cs[0].Status != status.RectPending {
			t.Fatalf("overdue too early: %s", cs[0].Status)
		}
		return nil
	})
	b.clock.StubNow(time.Date(2026, 11, 10, 0, 5, 0, 0, clock.Zone))
	check("rectify")
	b.as(t, b.admin, func(ctx context.Context) error {
		cs, _ := b.svc.Cases(ctx)
		if cs[0].Status != status.RectOverdue {
			t.Fatalf("not overdue after its limit: %s", cs[0].Status)
		}
		return nil
	})
	// Default rating: off by default; on, an event unrated after 7 days gets 基本满意.
	e := b.application(t, true)
	b.clock.StubNow(time.Date(2026, 11, 20, 9, 0, 0, 0, clock.Zone))
	run := func() int {
		var n int
		b.as(t, nil, func(ctx context.Context) (err error) { n, err = b.svc.DefaultUnrated(ctx); return err })
		return n
	}
	if run() != 0 {
		t.Fatal("the default rule ran while off")
	}
	seven := 7
	b.as(t, b.admin, func(ctx context.Context) error {
		st := status.DefaultSettings()
		st.DefaultAfterDays = &seven
		_, err := status.PutSettings(ctx, st)
		return err
	})
	if n := run(); n != 1 || run() != 0 {
		t.Fatalf("default ratings: %d", n)
	}
	v, _ = b.lookup(t, *e.ReceiptNo, "5678", "10.0.0.1")
	if v.Rating.CanRate || len(v.Rating.Given) != 1 || v.Rating.Given[0] != 3 {
		t.Fatalf("defaulted event: %+v", v.Rating)
	}
}
