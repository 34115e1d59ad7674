package access_test

// The admission and dispatch rules of the community work-item access lists as the brief states
// them (§2, from the published local rules, Beijing Xicheng among them):
//
//	"Reviews are separate duties: each stage by its own department and person, nobody reviews
//	their own department's request, and the applying department may withdraw its request.
//	费随事转: assisted work that the county funds states its funding before admission, and work
//	without it is not dispatched." — "lists are re-confirmed yearly (an item not re-confirmed
//	lapses) and items can be withdrawn (撤销/退出)."

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/access"
	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
)

// application is an assist item a department applies for, starting 2026-12-14 (30 working
// days after Monday 2026-11-02).
func application(code string) access.Application {
	return access.Application{Content: access.Content{Code: code, Kind: access.KindAssist, Name: "协助事项" + code,
		LegalBasis: "《社会救助暂行办法》第十一条", Funding: access.FundingPerTask, FundingAmount: 3000, HoursPerYear: 12},
		RequestedStart: day("2026-12-14")}
}

func (b *testBundle) apply(t *testing.T, a *tenants.Actor, app access.Application) (*access.Request, error) {
	t.Helper()
	var r *access.Request
	err := b.as(t, a, func(ctx context.Context) (err error) { r, err = b.svc.Apply(ctx, app); return err })
	return r, err
}

func (b *testBundle) mustApply(t *testing.T, a *tenants.Actor, code string) *access.Request {
	t.Helper()
	r, err := b.apply(t, a, application(code))
	if err != nil {
		t.Fatalf("apply %s: %v", code, err)
	}
	return r
}

// decide records a decision on *r as a, updating *r when it succeeds.
func (b *testBundle) decide(t *testing.T, r **access.Request, a *tenants.Actor, decision, reason string) error {
	t.Helper()
	return b.as(t, a, func(ctx context.Context) error {
		got, err := b.svc.Decide(ctx, (*r).ID, (*r).RowVersion, access.Decision{Decision: decision, Reason: reason})
		if err == nil {
			*r = got
		}
		return err
	})
}

func code(err error) string {
	if p, ok := problem.As(err); ok {
		return p.Code
	}
	if err != nil {
		return "error: " + err.Error()
	}
	return ""
}

func status(err error) int {
	if p, ok := problem.As(err); ok {
		return p.Status
	}
	return 0
}

func (b *testBundle) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := b.as(t, b.admin, func(ctx context.Context) error {
		return tenants.DB(ctx).NewRaw(query, append([]any{tenants.CurrentID(ctx)}, args...)...).Scan(ctx, &n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func (b *testBundle) audited(t *testing.T, action, target string) int {
	t.Helper()
	return b.count(t, "SELECT count(*) FROM audit_events WHERE tenant_id = ? AND action = ? AND target_id = ?", action, target)
}

// CheckReviewer is the separation of duties as a pure rule, case by case.
func TestCheckReviewerSeparatesDuties(t *testing.T) {
	t.Parallel()
	civil, legal, health, county := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	configured := &access.Settings{CivilDeptID: &civil, LegalDeptID: &legal}
	none := &access.Settings{}
	staffOf := func(unit uuid.UUID) *tenants.Actor {
		return &tenants.Actor{IdentityID: uuid.New(), OrgUnitID: unit, OrgKind: tenants.KindDepartment, Roles: []tenants.Role{tenants.RoleDepartmentStaff}}
	}
	admin := func() *tenants.Actor {
		return &tenants.Actor{IdentityID: uuid.New(), OrgUnitID: county, OrgKind: tenants.KindCounty, Roles: []tenants.Role{tenants.RoleCountyAdmin}}
	}
	civilStaff, legalStaff, healthStaff, adminA, adminB := staffOf(civil), staffOf(legal), staffOf(health), admin(), admin()
	did := func(a *tenants.Actor, stage access.Stage, decision string) access.Step {
		return access.Step{Step: string(stage), Decision: decision, ActorID: &a.IdentityID}
	}
	submitter := healthStaff.IdentityID
	for _, c := range []struct {
		name      string
		st        *access.Settings
		applicant uuid.UUID
		stage     access.Stage
		actor     *tenants.Actor
		history   []access.Step
		want      string // the refusal's code; "" allowed
	}{
		{"民政 staff decide 民政审核", configured, health, access.StageCivil, civilStaff, nil, ""},
		{"a county admin may not take the configured 民政's review", configured, health, access.StageCivil, adminA, nil, "not_your_step"},
		{"the legal department may not take 民政审核", configured, health, access.StageCivil, legalStaff, nil, "not_your_step"},
		{"legal staff decide 合法性审查", configured, health, access.StageLegal, legalStaff, []access.Step{did(civilStaff, access.StageCivil, "approve")}, ""},
		{"a county admin may not take the configured legal review", configured, health, access.StageLegal, adminA, nil, "not_your_step"},
		{"民政 may not review its own department's request", configured, civil, access.StageCivil, civilStaff, nil, "review_own_department"},
		{"…so that stage goes to a county admin", configured, civil, access.StageCivil, adminA, nil, ""},
		{"the legal department's own request: 合法性审查 goes to a county admin", configured, legal, access.StageLegal, adminA, nil, ""},
		{"…and not to its own staff", configured, legal, access.StageLegal, legalStaff, nil, "review_own_department"},
		{"the submitter never decides", configured, health, access.StageCivil, &tenants.Actor{IdentityID: submitter, OrgUnitID: civil, Roles: []tenants.Role{tenants.RoleDepartmentStaff}}, nil, "review_own_department"},
		{"a county admin may not record both 民政审核 and 合法性审查", none, health, access.StageLegal, adminA, []access.Step{did(adminA, access.StageCivil, "approve")}, "review_second_stage"},
		{"another admin may", none, health, access.StageLegal, adminB, []access.Step{did(adminA, access.StageCivil, "approve")}, ""},
		{"nor the joint meeting after a review", none, health, access.StageMeeting, adminB, []access.Step{did(adminA, access.StageCivil, "approve"), did(adminB, access.StageLegal, "approve")}, "review_second_stage"},
		{"a review in an earlier round counts too", none, health, access.StageLegal, adminA, []access.Step{did(adminA, access.StageCivil, "return"), did(adminB, access.StageCivil, "approve")}, "review_second_stage"},
		{"a return and its re-review are one stage", configured, health, access.StageCivil, civilStaff, []access.Step{did(civilStaff, access.StageCivil, "return")}, ""},
		{"the joint meeting is a county admin's", configured, health, access.StageMeeting, civilStaff, nil, "not_your_step"},
		{"no one signed in", configured, health, access.StageCivil, nil, nil, "not_your_step"},
	} {
		r := &access.Request{DepartmentID: c.applicant, Status: c.stage, SubmittedBy: &submitter}
		got := ""
		if p := access.CheckReviewer(c.actor, c.st, r, c.history); p != nil {
			got = p.Code
			if p.Status != 403 || p.Message == "" || p.MessageEn == "" {
				t.Errorf("%s: %+v", c.name, p)
			}
		}
		if got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

// With the 民政 and legal departments configured, their reviews are theirs; the 民政局's own
// request goes to a county admin for 民政审核, and that admin may not also record the meeting.
func TestReviewsAreSeparateDuties(t *testing.T) {
	t.Parallel()
	b := setup(t)

	r := b.mustApply(t, b.dept, "XZ-610")
	for _, a := range []*tenants.Actor{b.admin, b.legal, b.dept} {
		if err := b.decide(t, &r, a, "approve", ""); status(err) != 403 {
			t.Fatalf("民政审核 by someone else than 民政: %v", err)
		}
	}
	if err := b.decide(t, &r, b.civil, "approve", ""); err != nil || r.Status != access.StageLegal {
		t.Fatalf("民政审核: %v", err)
	}
	for _, a := range []*tenants.Actor{b.admin, b.civil} {
		if err := b.decide(t, &r, a, "approve", ""); status(err) != 403 {
			t.Fatalf("合法性审查 by someone else than the legal department: %v", err)
		}
	}
	if err := b.decide(t, &r, b.legal, "approve", ""); err != nil || r.Status != access.StageMeeting {
		t.Fatalf("合法性审查: %v", err)
	}
	if err := b.decide(t, &r, b.legal, "approve", ""); status(err) != 403 {
		t.Fatalf("the meeting by the legal reviewer: %v", err)
	}
	if err := b.decide(t, &r, b.admin, "approve", ""); err != nil || r.Status != access.StageNotice {
		t.Fatalf("联席会议审定: %v", err)
	}

	// The 民政局 applies: nobody at 民政 reviews it, a county admin does.
	own := b.mustApply(t, b.civil, "XZ-611")
	b.as(t, b.admin, func(ctx context.Context) error {
		got, _, err := b.svc.RequestOf(ctx, own.ID)
		if err != nil || !got.CanDecide || !strings.Contains(got.Reviewer, "县级管理员") {
			t.Fatalf("the admin's view of the 民政局's request: %+v %v", got, err)
		}
		return nil
	})
	b.as(t, b.civil2, func(ctx context.Context) error {
		got, _, err := b.svc.RequestOf(ctx, own.ID)
		if err != nil || got.CanDecide {
			t.Fatalf("a colleague at 民政 is offered her department's request: %+v %v", got, err)
		}
		return nil
	})
	for _, a := range []*tenants.Actor{b.civil2, b.civil} {
		if err := b.decide(t, &own, a, "approve", ""); code(err) != "review_own_department" {
			t.Fatalf("民政 reviewed its own request: %v", err)
		}
	}
	if err := b.decide(t, &own, b.admin, "approve", ""); err != nil || own.Status != access.StageLegal {
		t.Fatalf("民政审核 by the admin: %v", err)
	}
	if err := b.decide(t, &own, b.legal, "approve", ""); err != nil {
		t.Fatal(err)
	}
	b.as(t, b.admin, func(ctx context.Context) error {
		got, _, _ := b.svc.RequestOf(ctx, own.ID)
		if got.CanDecide {
			t.Fatal("the admin who did 民政审核 is offered the meeting")
		}
		return nil
	})
	err := b.decide(t, &own, b.admin, "approve", "")
	if code(err) != "review_second_stage" || !strings.Contains(err.(*problem.Error).Message, "民政审核") {
		t.Fatalf("one admin recorded 民政审核 and the meeting: %v", err)
	}
	if err := b.decide(t, &own, b.admin2, "approve", ""); err != nil || own.Status != access.StageNotice {
		t.Fatalf("the meeting by another admin: %v", err)
	}
	// Every decision is in the history with who took it.
	b.as(t, b.civil, func(ctx context.Context) error {
		_, steps, err := b.svc.RequestOf(ctx, own.ID)
		if err != nil || len(steps) != 4 || steps[1].ActorName != b.admin.Name || steps[3].ActorName != b.admin2.Name {
			t.Fatalf("history: %+v %v", steps, err)
		}
		return nil
	})
}

// Without reviewing departments the county admins review, still each stage by another person.
func TestAdminsReviewOneStageEach(t *testing.T) {
	t.Parallel()
	b := setup(t)
	if err := b.as(t, b.admin, func(ctx context.Context) error {
		_, err := access.PutSettings(ctx, access.DefaultSettings())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	r := b.mustApply(t, b.dept, "XZ-612")
	if err := b.decide(t, &r, b.admin, "approve", ""); err != nil {
		t.Fatal(err)
	}
	if err := b.decide(t, &r, b.admin, "approve", ""); code(err) != "review_second_stage" {
		t.Fatalf("a county admin recorded both 民政审核 and 合法性审查: %v", err)
	}
	if err := b.decide(t, &r, b.admin2, "approve", ""); err != nil || r.Status != access.StageMeeting {
		t.Fatalf("合法性审查 by another admin: %v", err)
	}
	for _, a := range []*tenants.Actor{b.admin, b.admin2} {
		if err := b.decide(t, &r, a, "approve", ""); code(err) != "review_second_stage" {
			t.Fatalf("a reviewer recorded the meeting: %v", err)
		}
	}
	if err := b.decide(t, &r, b.admin3, "approve", ""); err != nil || r.Status != access.StageNotice {
		t.Fatalf("the meeting by a third admin: %v", err)
	}
	// Settings: the two reviews by two departments.
	err := b.as(t, b.admin, func(ctx context.Context) error {
		st := access.DefaultSettings()
		st.CivilDeptID, st.LegalDeptID = &b.civilUnit.ID, &b.civilUnit.ID
		_, err := access.PutSettings(ctx, st)
		return err
	})
	if p, ok := problem.As(err); !ok || p.Status != 422 || p.Fields[0].Location != "body.legal_dept_id" {
		t.Fatalf("one department for both reviews: %v", err)
	}
}

// toNotice takes a request of b.dept through the three reviews.
func (b *testBundle) toNotice(t *testing.T, r **access.Request) {
	t.Helper()
	for _, a := range []*tenants.Actor{b.civil, b.legal, b.admin} {
		if err := b.decide(t, r, a, "approve", ""); err != nil {
			t.Fatalf("approve %s: %v", (*r).Status, err)
		}
	}
	if (*r).Status != access.StageNotice {
		t.Fatalf("status %s", (*r).Status)
	}
}

func (b *testBundle) withdraw(t *testing.T, a *tenants.Actor, r **access.Request, reason string) error {
	t.Helper()
	return b.as(t, a, func(ctx context.Context) error {
		got, err := b.svc.WithdrawRequest(ctx, (*r).ID, (*r).RowVersion, reason)
		if err == nil {
			*r = got
		}
		return err
	})
}

func (b *testBundle) stop(t *testing.T, a *tenants.Actor, r **access.Request, reason string) error {
	t.Helper()
	return b.as(t, a, func(ctx context.Context) error {
		got, err := b.svc.Stop(ctx, (*r).ID, (*r).RowVersion, reason)
		if err == nil {
			*r = got
		}
		return err
	})
}

// The applying department withdraws its request at any open stage, abandons a returned one,
// and a county admin stops one during its public notice; each releases the code.
func TestWithdrawAbandonAndStop(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := b.mustApply(t, b.dept, "XZ-620")
	if _, err := b.apply(t, b.otherDept, application("XZ-620")); code(err) != "invalid_input" {
		t.Fatalf("the code of an open request was given to another: %v", err)
	}
	if err := b.withdraw(t, b.worker, &r, "不需要了"); status(err) != 403 {
		t.Fatalf("a community withdrew a department's request: %v", err)
	}
	if err := b.withdraw(t, b.otherDept, &r, "不需要了"); status(err) != 404 {
		t.Fatalf("another department withdrew it: %v", err)
	}
	if err := b.withdraw(t, b.dept, &r, ""); status(err) != 422 {
		t.Fatalf("a withdrawal without a reason: %v", err)
	}
	if err := b.withdraw(t, b.dept, &r, "职能调整，不再需要社区协助"); err != nil || r.Status != access.StageWithdraw {
		t.Fatalf("withdraw: %v %+v", err, r)
	}
	if b.audited(t, "admission.withdraw", r.ID.String()) != 1 {
		t.Fatal("the withdrawal is not audited")
	}
	if n := b.count(t, "SELECT count(*) FROM notifications WHERE tenant_id = ? AND recipient_id = ? AND title LIKE '%撤回%'", b.civil.IdentityID); n != 1 {
		t.Fatalf("the 民政 reviewer was told %d times", n)
	}
	if err := b.withdraw(t, b.dept, &r, "再撤一次"); status(err) != 409 {
		t.Fatalf("withdrawn twice: %v", err)
	}
	if err := b.decide(t, &r, b.civil, "approve", ""); code(err) != "admission_closed" {
		t.Fatalf("a withdrawn request was reviewed: %v", err)
	}

	// The code is free again; a returned request that is abandoned frees it too.
	other := b.mustApply(t, b.otherDept, "XZ-620")
	if err := b.decide(t, &other, b.civil, "return", "请补充经费测算"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.apply(t, b.dept, application("XZ-620")); code(err) != "invalid_input" {
		t.Fatalf("a returned request does not hold its code: %v", err)
	}
	if err := b.withdraw(t, b.otherDept, &other, "经研究不再申请"); err != nil || other.Status != access.StageWithdraw {
		t.Fatalf("abandon: %v", err)
	}
	b.as(t, b.otherDept, func(ctx context.Context) error {
		_, steps, err := b.svc.RequestOf(ctx, other.ID)
		if err != nil || steps[len(steps)-1].Decision != "abandon" || steps[len(steps)-1].Reason != "经研究不再申请" {
			t.Fatalf("history: %+v %v", steps, err)
		}
		return nil
	})

	// Stopped during the notice.
	a := b.mustApply(t, b.dept, "XZ-620")
	b.toNotice(t, &a)
	if err := b.stop(t, b.dept, &a, "有异议"); status(err) != 403 {
		t.Fatalf("a department stopped a notice: %v", err)
	}
	if err := b.stop(t, b.admin, &a, ""); status(err) != 422 {
		t.Fatalf("a stop without a reason: %v", err)
	}
	if err := b.stop(t, b.admin, &a, "公示期间收到社区异议，经核实该工作属部门自身职责"); err != nil || a.Status != access.StageStopped {
		t.Fatalf("stop: %v", err)
	}
	if b.audited(t, "admission.stop", a.ID.String()) != 1 {
		t.Fatal("the stop is not audited")
	}
	// Withdrawn by its department during the notice, and one that runs its course.
	w := b.mustApply(t, b.dept, "XZ-621")
	b.toNotice(t, &w)
	if err := b.withdraw(t, b.dept, &w, "上级政策调整"); err != nil {
		t.Fatalf("withdraw during the notice: %v", err)
	}
	c := b.mustApply(t, b.dept, "XZ-622")
	b.toNotice(t, &c)

	b.clock.StubNow(time.Date(2026, 11, 10, 0, 5, 0, 0, clock.Zone)) // the notices ended on 2026-11-09
	if err := b.stop(t, b.admin, &c, "有异议"); code(err) != "notice_ended" {
		t.Fatalf("stopped after the notice ended: %v", err)
	}
	for _, id := range []uuid.UUID{a.ID, w.ID} {
		if err := b.as(t, nil, func(ctx context.Context) error {
			it, err := b.svc.EndNotice(ctx, id)
			if it != nil {
				t.Fatalf("a stopped or withdrawn request became item %s", it.Code)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.as(t, nil, func(ctx context.Context) error { _, err := b.svc.EndNotice(ctx, c.ID); return err }); err != nil {
		t.Fatal(err)
	}
	if n := b.count(t, "SELECT count(*) FROM access_items WHERE tenant_id = ? AND code IN ('XZ-620', 'XZ-621', 'XZ-622')"); n != 1 {
		t.Fatalf("%d items, want only XZ-622", n)
	}
	c.RowVersion = 0 // the notice's end moved it on
	if err := b.withdraw(t, b.dept, &c, "不要了"); code(err) != "admission_closed" {
		t.Fatalf("a request whose item is in the lists was withdrawn: %v", err)
	}
	// The stopped request's code is free.
	if _, err := b.apply(t, b.otherDept, access.Application{Content: application("XZ-620").Content, RequestedStart: day("2026-12-31")}); err != nil {
		t.Fatalf("the stopped request kept its code: %v", err)
	}
}

// 费随事转: an assist item states its funding before admission; one without it (entered before
// the rule) is not dispatched.
func TestFundingFollowsTheWork(t *testing.T) {
	t.Parallel()
	b := setup(t)
	unfunded := access.Content{Code: "XZ-630", Kind: access.KindAssist, Name: "入户宣传", LegalBasis: "《社会救助暂行办法》", DepartmentID: &b.deptUnit.ID, Funding: access.FundingNone}
	create := func(c access.Content) error {
		return b.as(t, b.admin, func(ctx context.Context) error {
			_, err := b.svc.Create(ctx, access.NewItem{Content: c, EffectiveFrom: day("2026-01-01")})
			return err
		})
	}
	err := create(unfunded)
	if p, ok := problem.As(err); !ok || p.Status != 422 || p.Fields[0].Location != "body.funding" || !strings.Contains(p.Fields[0].Message, "费随事转") {
		t.Fatalf("an unfunded assist item was entered: %v", err)
	}
	noAmount := unfunded
	noAmount.Funding = access.FundingPerYear
	if p, ok := problem.As(create(noAmount)); !ok || p.Fields[0].Location != "body.funding_amount" {
		t.Fatalf("an assist item with no amount: %v", p)
	}
	duty := unfunded
	duty.Code, duty.Kind = "LZ-630", access.KindDuty
	if err := create(duty); err != nil {
		t.Fatalf("a duty item needs no funding of its own: %v", err)
	}
	app := application("XZ-631")
	app.Funding, app.FundingAmount = access.FundingNone, 0
	if _, err := b.apply(t, b.dept, app); err == nil || err.(*problem.Error).Fields[0].Location != "body.funding" {
		t.Fatalf("an unfunded assist item was applied for: %v", err)
	}

	// An item entered before the rule, without funding: dispatch is refused and recorded.
	it := b.item(t, "XZ-632", access.KindAssist, b.deptUnit)
	if err := b.as(t, b.admin, func(ctx context.Context) error {
		_, err := tenants.DB(ctx).NewRaw("UPDATE access_items SET funding_kind = 'none', funding_amount = 0 WHERE tenant_id = ? AND id = ?", tenants.CurrentID(ctx), it.ID).Exec(ctx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	out, err := b.dispatch(t, b.dept, &it.ID, b.dg.ID)
	if err != nil || out.Refusal == nil || out.Refusal.Rule != access.RuleNoFunding || out.Interception == nil {
		t.Fatalf("unfunded dispatch: %+v %v", out, err)
	}
	if p := out.Refusal.Problem(); p.Status != 409 || p.Code != "intercepted_no_funding" || !strings.Contains(p.Message, "费随事转") {
		t.Fatalf("problem: %+v", p)
	}
	if n := b.count(t, "SELECT count(*) FROM dispatch_interceptions WHERE tenant_id = ? AND rule = 'no_funding' AND item_id = ?", it.ID); n != 1 {
		t.Fatalf("%d interceptions recorded", n)
	}
	// An edit must state the funding; once it does, the work goes out.
	var got *access.Item
	b.as(t, b.admin, func(ctx context.Context) (err error) { got, _, err = b.svc.Get(ctx, it.ID); return err })
	c := got.Content()
	if err := b.as(t, b.admin, func(ctx context.Context) error {
		_, err := b.svc.Edit(ctx, it.ID, got.Version, c, "补录")
		return err
	}); status(err) != 422 {
		t.Fatalf("an edit kept the item unfunded: %v", err)
	}
	c.Funding, c.FundingAmount = access.FundingPerTask, 4000
	if err := b.as(t, b.admin, func(ctx context.Context) error {
		_, err := b.svc.Edit(ctx, it.ID, got.Version, c, "补充经费：按件 40 元")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if out, err := b.dispatch(t, b.dept, &it.ID, b.dg.ID); err != nil || len(out.Tasks) != 1 {
		t.Fatalf("funded dispatch: %+v %v", out, err)
	}
}

func TestConfirmDeadlineAndStatus(t *testing.T) {
	t.Parallel()
	st := access.DefaultSettings()
	if st.ConfirmBy != "03-31" || st.ConfirmDeadline(2027) != (workday.Date{Year: 2027, Month: 3, Day: 31}) {
		t.Fatalf("default deadline %s", st.ConfirmDeadline(2027))
	}
	st.ConfirmBy = "12-31"
	if st.ConfirmDeadline(2028) != (workday.Date{Year: 2028, Month: 12, Day: 31}) {
		t.Fatal("a county's deadline")
	}
	dept := uuid.New()
	now := time.Date(2027, 4, 1, 9, 0, 0, 0, clock.Zone)
	before := now.Add(-time.Hour)
	y := 2026
	it := &access.Item{Kind: access.KindAssist, DepartmentID: &dept, EffectiveFrom: workday.Date{Year: 2026, Month: 1, Day: 1}, ConfirmedYear: &y,
		Funding: access.FundingPerYear, FundingAmount: 1}
	today := workday.DateOf(now)
	if !it.Unconfirmed(today, now) || it.Status(today, now) != "in_force" {
		t.Fatal("an unconfirmed item in force")
	}
	it.LapsedAt = &before
	if it.InForce(today, now) || it.Status(today, now) != "lapsed" || it.Unconfirmed(today, now) {
		t.Fatal("a lapsed item is in force")
	}
	if r := access.Check(it, dept, nil, today, now); r == nil || r.Rule != access.RuleNotInForce {
		t.Fatalf("dispatch under a lapsed item: %+v", r)
	}
	// A dispatch that took the item's lock before the lapse was stamped was made in force.
	if !it.InForce(today, before.Add(-time.Second)) {
		t.Fatal("the lapse is not an instant")
	}
	forbidden := &access.Item{Kind: access.KindForbidden, EffectiveFrom: it.EffectiveFrom, ConfirmedYear: &y}
	if forbidden.Unconfirmed(today, now) {
		t.Fatal("the prohibitions are not re-confirmed yearly")
	}
}

// An item not re-confirmed for the year by the county's deadline lapses: the sweep marks it,
// its history says so, its department and the admins are told, dispatch is refused; a late
// re-confirmation or a re-admission brings it back.
func TestUnconfirmedItemsLapse(t *testing.T) {
	t.Parallel()
	b := setup(t)
	assist := b.item(t, "XZ-700", access.KindAssist, b.deptUnit)
	duty := b.item(t, "LZ-700", access.KindDuty, b.deptUnit)
	forbidden := b.item(t, "BD-700", access.KindForbidden, nil)
	early := b.item(t, "XZ-701", access.KindAssist, b.deptUnit)
	if err := b.as(t, b.admin, func(ctx context.Context) error { _, err := b.svc.Confirm(ctx, early.ID, 2027); return err }); err != nil {
		t.Fatal(err) // confirmed for 2027 in December 2026
	}
	sweep := func() access.Swept {
		var out access.Swept
		if err := b.as(t, nil, func(ctx context.Context) (err error) { out, err = b.svc.Sweep(ctx); return err }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	// A week before the deadline (default 03-31) the admins hear it is closing.
	b.clock.StubNow(time.Date(2027, 3, 25, 9, 0, 0, 0, clock.Zone))
	if got := sweep(); got.Waiting != 2 || got.Lapsed != 0 {
		t.Fatalf("before the deadline: %+v", got)
	}
	if n := b.count(t, "SELECT count(*) FROM notifications WHERE tenant_id = ? AND recipient_id = ? AND title LIKE '%即将截止%' AND body LIKE '%2027-03-31%'", b.admin.IdentityID); n != 1 {
		t.Fatalf("the closing reminder reached the admin %d times", n)
	}
	b.clock.StubNow(time.Date(2027, 3, 31, 18, 0, 0, 0, clock.Zone))
	if got := sweep(); got.Lapsed != 0 {
		t.Fatal("lapsed on the deadline itself")
	}
	if out, err := b.dispatch(t, b.dept, &assist.ID, b.dg.ID); err != nil || len(out.Tasks) != 1 {
		t.Fatalf("dispatch on the last day: %+v %v", out, err)
	}
	b.clock.StubNow(time.Date(2027, 4, 1, 0, 30, 0, 0, clock.Zone))
	if got := sweep(); got.Lapsed != 2 {
		t.Fatalf("after the deadline: %+v", got)
	}
	if got := sweep(); got.Lapsed != 0 {
		t.Fatal("lapsed twice")
	}
	b.as(t, b.admin, func(ctx context.Context) error {
		it, vs, err := b.svc.Get(ctx, assist.ID)
		if err != nil || it.LapsedAt == nil || vs[0].Action != "lapse" || !strings.Contains(vs[0].Reason, "2027-03-31") || !strings.Contains(vs[0].Reason, "2027 年度确认") {
			t.Fatalf("lapsed item: %+v %+v %v", it, vs, err)
		}
		for _, id := range []uuid.UUID{forbidden.ID, early.ID} {
			other, _, _ := b.svc.Get(ctx, id)
			if other.LapsedAt != nil {
				t.Fatalf("%s lapsed", other.Code)
			}
		}
		inForce, err := b.svc.List(ctx, access.Filter{On: day("2027-04-01")})
		for _, x := range inForce {
			if x.ID == assist.ID || x.ID == duty.ID {
				t.Fatalf("%s is still listed in force", x.Code)
			}
		}
		return err
	})
	if b.audited(t, "access_item.lapse", assist.ID.String()) != 1 {
		t.Fatal("the lapse is not audited")
	}
	for _, who := range []*tenants.Actor{b.dept, b.admin} {
		if n := b.count(t, "SELECT count(*) FROM notifications WHERE tenant_id = ? AND recipient_id = ? AND title = '清单事项已失效：事项XZ-700'", who.IdentityID); n != 1 {
			t.Fatalf("told of the lapse %d times", n)
		}
	}
	out, err := b.dispatch(t, b.dept, &assist.ID, b.dg.ID)
	if err != nil || out.Refusal == nil || out.Refusal.Rule != access.RuleNotInForce {
		t.Fatalf("dispatch under a lapsed item: %+v %v", out, err)
	}

	// A late re-confirmation for this year brings it back.
	err = b.as(t, b.admin, func(ctx context.Context) error { _, err := b.svc.Confirm(ctx, assist.ID, 2026); return err })
	if status(err) != 422 {
		t.Fatalf("a lapsed item confirmed for last year: %v", err)
	}
	b.as(t, b.admin, func(ctx context.Context) error {
		if _, err := b.svc.Confirm(ctx, assist.ID, 2027); err != nil {
			return err
		}
		_, vs, _ := b.svc.Get(ctx, assist.ID)
		if vs[0].Action != "reconfirm" {
			t.Fatalf("history: %+v", vs[0])
		}
		return nil
	})
	if out, err := b.dispatch(t, b.dept, &assist.ID, b.dg.ID); err != nil || len(out.Tasks) != 1 {
		t.Fatalf("dispatch after the re-confirmation: %+v %v", out, err)
	}

	// Re-admission: the department applies again under the lapsed item's code.
	app := application("LZ-700")
	app.Kind, app.Name, app.RequestedStart = access.KindDuty, "事项LZ-700（重新准入）", day("2027-06-01")
	if _, err := b.apply(t, b.otherDept, app); code(err) != "invalid_input" {
		t.Fatalf("another department took a lapsed item's code: %v", err)
	}
	r, err := b.apply(t, b.dept, app)
	if err != nil {
		t.Fatalf("re-admission: %v", err)
	}
	err = b.as(t, b.admin, func(ctx context.Context) error { _, err := b.svc.Confirm(ctx, duty.ID, 2027); return err })
	if code(err) != "readmission_open" {
		t.Fatalf("confirmed while its re-admission is open: %v", err)
	}
	b.toNotice(t, &r)
	b.clock.StubNow(time.Date(2027, 4, 20, 9, 0, 0, 0, clock.Zone))
	var back *access.Item
	if err := b.as(t, nil, func(ctx context.Context) (err error) { back, err = b.svc.EndNotice(ctx, r.ID); return err }); err != nil {
		t.Fatal(err)
	}
	if back == nil || back.ID != duty.ID || back.LapsedAt != nil || back.EffectiveFrom != day("2027-06-01") || back.Name != "事项LZ-700（重新准入）" ||
		*back.ConfirmedYear != 2027 || back.RequestID == nil || *back.RequestID != r.ID {
		t.Fatalf("re-admitted: %+v", back)
	}
	b.as(t, b.admin, func(ctx context.Context) error {
		_, vs, _ := b.svc.Get(ctx, duty.ID)
		if vs[0].Action != "readmit" || vs[1].Action != "lapse" {
			t.Fatalf("history: %+v", vs)
		}
		return nil
	})
}

func TestConfirmDeadlineSetting(t *testing.T) {
	t.Parallel()
	b := setup(t)
	put := func(by string) error {
		return b.as(t, b.admin, func(ctx context.Context) error {
			st, err := access.GetSettings(ctx)
			if err != nil {
				return err
			}
			st.ConfirmBy = by
			_, err = access.PutSettings(ctx, *st)
			return err
		})
	}
	for _, bad := range []string{"02-29", "13-01", "04-31", "3-31", "0331"} {
		if p, ok := problem.As(put(bad)); !ok || p.Status != 422 || p.Fields[0].Location != "body.confirm_by" {
			t.Fatalf("%s accepted: %v", bad, p)
		}
	}
	if err := put("12-31"); err != nil {
		t.Fatal(err)
	}
	it := b.item(t, "XZ-710", access.KindAssist, b.deptUnit)
	b.clock.StubNow(time.Date(2027, 4, 1, 9, 0, 0, 0, clock.Zone))
	var got access.Swept
	if err := b.as(t, nil, func(ctx context.Context) (err error) { got, err = b.svc.Sweep(ctx); return err }); err != nil {
		t.Fatal(err)
	}
	if got.Lapsed != 0 || got.Waiting != 1 {
		t.Fatalf("the county's own deadline is not used: %+v (%s)", got, it.Code)
	}
	// An adopted item entered now counts as confirmed for this year, whatever its start.
	entered := b.item(t, "XZ-711", access.KindAssist, b.deptUnit)
	if entered.EffectiveFrom != day("2026-01-01") || *entered.ConfirmedYear != 2027 {
		t.Fatalf("entered in 2027: %+v", entered)
	}
}
