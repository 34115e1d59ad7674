package status_test

// 好差评 as the law and the brief state it: 国办发〔2019〕51号 (关于建立政务服务"好差评"制度
// 提高政务服务水平的意见) and GB/T 39734-2020 (政务服务评价工作指南).

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/application"
	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/lifecycle"
	"github.com/yichuang/yichuang/services/notify"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/status"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
)

func (b *testBundle) cases(t *testing.T, a *tenants.Actor) []status.Rectification {
	t.Helper()
	var cs []status.Rectification
	if err := b.as(t, a, func(ctx context.Context) (err error) { cs, err = b.svc.Cases(ctx); return err }); err != nil {
		t.Fatal(err)
	}
	return cs
}

func (b *testBundle) caseOf(t *testing.T, app uuid.UUID) status.Rectification {
	t.Helper()
	for _, c := range b.cases(t, b.admin) {
		if c.ApplicationID == app {
			return c
		}
	}
	t.Fatalf("no case for application %s", app)
	return status.Rectification{}
}

// badRating rates a decided application 非常不满意 and returns its case.
func (b *testBundle) badRating(t *testing.T) status.Rectification {
	t.Helper()
	d := b.application(t, true)
	if _, err := b.rate(t, b.token(t, d.ID), status.RateInput{Score: 1, Comment: "窗口让我跑了两趟"}); err != nil {
		t.Fatal(err)
	}
	return b.caseOf(t, d.ID)
}

func wantProblem(t *testing.T, err error, st int, code, location string) {
	t.Helper()
	p, ok := problem.As(err)
	if !ok || p.Status != st || (code != "" && p.Code != code) {
		t.Fatalf("want %d %s, got %v", st, code, err)
	}
	if location != "" && !slices.ContainsFunc(p.Fields, func(f problem.Field) bool { return f.Location == location }) {
		t.Fatalf("want a field error on %s, got %+v", location, p.Fields)
	}
}

func kinds(c *status.Rectification) []string {
	var out []string
	for _, st := range c.Steps {
		out = append(out, st.Kind)
	}
	return out
}

// 国办发〔2019〕51号 and the brief: every real-name 差评 is called back, and the callback is
// recorded as its own step — who called, when, how, with what outcome, what was said. Closing a
// case as 整改完成 never stands in for it.
func TestCallbackIsItsOwnStep(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.badRating(t)
	if c.Status != status.RectPending || c.CallbackAt != nil || !slices.Equal(kinds(&c), []string{status.StepOpened}) {
		t.Fatalf("a new case: %+v", c)
	}

	// 整改完成 without a callback is refused, and nothing is written.
	_, err := b.act(t, b.clerk, c.ID, status.StepComplete)
	wantProblem(t, err, 409, "callback_required", "")
	if c := b.caseOf(t, c.ApplicationID); c.Status != status.RectPending || c.CallbackAt != nil || len(c.Steps) != 1 {
		t.Fatalf("a refused close changed the case: %+v", c)
	}

	// A callback says how, with what outcome and what was said, at a time that happened.
	opened := b.clock.Now()
	future, early := opened.Add(time.Hour), opened.Add(-time.Minute)
	for _, tc := range []struct {
		in       status.CallbackInput
		location string
	}{
		{status.CallbackInput{Method: "fax", Outcome: status.OutcomeReached, Note: "已联系评价人"}, "body.method"},
		{status.CallbackInput{Method: status.MethodPhone, Outcome: "maybe", Note: "已联系评价人"}, "body.outcome"},
		{status.CallbackInput{Method: status.MethodPhone, Outcome: status.OutcomeReached, Note: "好"}, "body.note"},
		{status.CallbackInput{Method: status.MethodPhone, Outcome: status.OutcomeReached, Note: "已联系评价人", CalledAt: &future}, "body.called_at"},
		{status.CallbackInput{Method: status.MethodPhone, Outcome: status.OutcomeReached, Note: "已联系评价人", CalledAt: &early}, "body.called_at"},
	} {
		_, err := b.callback(t, b.clerk, c.ID, tc.in)
		wantProblem(t, err, 422, "", tc.location)
	}
	// Another hall's clerk does not see the case.
	_, err = b.callback(t, b.otherClerk, c.ID, status.CallbackInput{Method: status.MethodPhone, Outcome: status.OutcomeReached, Note: "已联系评价人"})
	wantProblem(t, err, 404, "rectification_not_found", "")

	// An attempt that does not reach the resident is recorded, but the callback is still owed.
	b.clock.Advance(2 * time.Hour)
	got, err := b.callback(t, b.clerk, c.ID, status.CallbackInput{Method: status.MethodPhone, Outcome: status.OutcomeUnreachable, Note: "电话无人接听"})
	if err != nil || got.Status != status.RectPending || got.CallbackAt != nil || len(got.Steps) != 2 {
		t.Fatalf("an unanswered call: %+v %v", got, err)
	}
	_, err = b.act(t, b.clerk, c.ID, status.StepComplete)
	wantProblem(t, err, 409, "callback_required", "")

	// The callback that reaches the resident, entered an hour after the call.
	b.clock.Advance(3 * time.Hour)
	calledAt := b.clock.Now().Add(-time.Hour)
	got, err = b.callback(t, b.clerk, c.ID, status.CallbackInput{CalledAt: &calledAt, Method: status.MethodInPerson, Outcome: status.OutcomeReached,
		Note: "当面向评价人致歉；评价人反映未被一次性告知所需材料"})
	if err != nil || got.Status != status.RectInProgress || got.CallbackAt == nil || !got.CallbackAt.Equal(calledAt) {
		t.Fatalf("the callback: %+v %v", got, err)
	}
	cb := got.Steps[2]
	if cb.Kind != status.StepCallback || cb.ActorID == nil || *cb.ActorID != b.clerk.IdentityID || cb.ActorName != b.clerk.Name ||
		!cb.At.Equal(calledAt) || !cb.RecordedAt.Equal(b.clock.Now()) || *cb.Method != status.MethodInPerson || *cb.Outcome != status.OutcomeReached ||
		cb.Note != "当面向评价人致歉；评价人反映未被一次性告知所需材料" {
		t.Fatalf("the callback step: %+v", cb)
	}

	// Now it closes, and the close adds its own step, not a callback.
	done, err := b.act(t, b.clerk, c.ID, status.StepComplete)
	if err != nil || done.Status != status.RectDone {
		t.Fatalf("complete: %+v %v", done, err)
	}
	c = b.caseOf(t, c.ApplicationID)
	if want := []string{status.StepOpened, status.StepCallback, status.StepCallback, status.StepComplete}; !slices.Equal(kinds(&c), want) {
		t.Fatalf("history %v, want %v", kinds(&c), want)
	}
	if !c.CallbackAt.Equal(calledAt) || c.Steps[3].ActorID == nil || *c.Steps[3].ActorID != b.clerk.IdentityID {
		t.Fatalf("after the close: %+v", c)
	}
	_, err = b.callback(t, b.clerk, c.ID, status.CallbackInput{Method: status.MethodPhone, Outcome: status.OutcomeReached, Note: "再次联系评价人"})
	wantProblem(t, err, 409, "case_closed", "")

	// The re-rating is the case's last step.
	if _, err := b.rate(t, b.token(t, c.ApplicationID), status.RateInput{Score: 4}); err != nil {
		t.Fatal(err)
	}
	c = b.caseOf(t, c.ApplicationID)
	if last := c.Steps[len(c.Steps)-1]; last.Kind != status.StepRerated || last.Note != "整改后再评价：满意" {
		t.Fatalf("re-rating step: %+v", last)
	}
}

// The callback limit (the county's hours; Zhejiang: 1 day) is kept by the deadline job against
// the recorded callback: a case closed before the limit without a callback would still be
// late, an attempt that reached nobody is not a callback, and a 差评 ruled invalid on review
// in time owes none (国办发〔2019〕51号: 差评 are called back and rectified; 无效差评 after review).
func TestCallbackDeadlineKeptAgainstTheRecordedCallback(t *testing.T) {
	t.Parallel()
	b := setup(t)
	inTime, attempted, late, reviewed, none := b.badRating(t), b.badRating(t), b.badRating(t), b.badRating(t), b.badRating(t)
	due := inTime.CallbackDue
	// Rated Monday 2026-11-02 9:00: one working day (7 office hours) is that day's close.
	if want := time.Date(2026, 11, 2, 17, 30, 0, 0, clock.Zone); !due.Equal(want) || !b.clock.Now().Equal(time.Date(2026, 11, 2, 9, 0, 0, 0, clock.Zone)) {
		t.Fatalf("callback due %s, want %s (1 working day, the default)", due, want)
	}
	b.clock.Advance(time.Hour)
	if _, err := b.callback(t, b.clerk, inTime.ID, status.CallbackInput{Method: status.MethodPhone, Outcome: status.OutcomeReached, Note: "已电话回访并致歉"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.act(t, b.clerk, inTime.ID, status.StepComplete); err != nil {
		t.Fatal(err)
	}
	if _, err := b.callback(t, b.clerk, attempted.ID, status.CallbackInput{Method: status.MethodPhone, Outcome: status.OutcomeUnreachable, Note: "电话关机"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.act(t, b.admin, reviewed.ID, status.StepInvalid); err != nil {
		t.Fatal(err)
	}
	// The limit passes; the late one is called back after it, before the job runs.
	b.clock.StubNow(due.Add(30 * time.Minute))
	if _, err := b.callback(t, b.clerk, late.ID, status.CallbackInput{Method: status.MethodPhone, Outcome: status.OutcomeReached, Note: "已电话回访"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []status.Rectification{inTime, attempted, late, reviewed, none} {
		if err := b.as(t, nil, func(ctx context.Context) error {
			return b.svc.CheckCase(ctx, status.RectifyArgs{TenantID: b.tenant.ID, CaseID: c.ID, Stage: "callback"})
		}); err != nil {
			t.Fatal(err)
		}
	}
	warned := map[uuid.UUID]string{}
	b.as(t, b.clerk, func(ctx context.Context) error {
		p, err := notify.Inbox(ctx, b.clerk.IdentityID, false, "", 100)
		for _, n := range p.Items {
			if n.Title == "差评回访已超时" && n.ApplicationID != nil {
				warned[*n.ApplicationID] = n.Body
			}
		}
		return err
	})
	for _, tc := range []struct {
		name string
		c    status.Rectification
		want string // "" = no warning
	}{
		{"called back in time and closed", inTime, ""},
		{"ruled invalid in time", reviewed, ""},
		{"only an unanswered attempt", attempted, "已尝试回访 1 次仍未联系上评价人"},
		{"called back after the limit", late, "才联系上评价人，超过回访时限"},
		{"never called back", none, "尚未回访评价人"},
	} {
		body, ok := warned[tc.c.ApplicationID]
		if tc.want == "" && ok || tc.want != "" && !strings.Contains(body, tc.want) {
			t.Errorf("%s: warning %q, want %q", tc.name, body, tc.want)
		}
	}
}

// The brief, after 国办发〔2019〕51号 (一事一评: one rating per service event): "a 不予受理 or a
// withdrawn application is a service event too". Residents rate them, and the indicators
// (好评率, 主动评价好评率, 未评价率; per hall, township, item and clerk) count them.
func TestRejectedAndWithdrawnAreRatedServiceEvents(t *testing.T) {
	t.Parallel()
	b := setup(t)
	rejected := b.step(t, b.intake(t), b.clerk, application.Step{Action: lifecycle.Reject, Reason: "不属于本机关职权范围，请向县市场监督管理局申请"})
	withdrawn := b.step(t, b.application(t, false), b.clerk, application.Step{Action: lifecycle.Withdraw, Reason: "申请人主动撤回"})
	unrated := b.step(t, b.intake(t), b.clerk, application.Step{Action: lifecycle.Withdraw, Reason: "申请人主动撤回"})
	decided := b.application(t, true)
	open := b.application(t, false)

	// The rejected one, through the QR code on its 不予受理通知书 (it has no receipt number).
	v, err := b.byToken(t, b.token(t, rejected.ID))
	if err != nil || v.State != string(lifecycle.Rejected) || !v.Rating.CanRate || v.Rating.Round != 1 || !strings.Contains(v.NextStep, "欢迎对本次服务作出评价") {
		t.Fatalf("a rejected application's page: %+v %v", v, err)
	}
	if v, err = b.rate(t, v.Token, status.RateInput{Score: 5, Indicators: []string{"指引清楚"}}); err != nil || v.Rating.CanRate || !slices.Equal(v.Rating.Given, []int{5}) {
		t.Fatalf("rating the rejection: %+v %v", v, err)
	}
	// The withdrawn one, by receipt number; its 差评 is called back and rectified like any other.
	v, err = b.lookup(t, *withdrawn.ReceiptNo, "5678", "10.0.0.1")
	if err != nil || v.State != string(lifecycle.Withdrawn) || !v.Rating.CanRate {
		t.Fatalf("a withdrawn application's page: %+v %v", v, err)
	}
	if v, err = b.rate(t, v.Token, status.RateInput{Score: 2, Comment: "撤回手续繁琐"}); err != nil || v.Rating.Rectification != status.RectPending {
		t.Fatalf("rating the withdrawal: %+v %v", v, err)
	}
	if _, err := b.rate(t, b.token(t, decided.ID), status.RateInput{Score: 3}); err != nil {
		t.Fatal(err)
	}
	// Still running: not an event yet, and not ratable.
	if _, err := b.rate(t, b.token(t, open.ID), status.RateInput{Score: 5}); err == nil {
		t.Fatal("an application still running was rated")
	}

	from, to := workday.Date{Year: 2026, Month: 11, Day: 1}, workday.Date{Year: 2026, Month: 11, Day: 30}
	var rep *status.Report
	b.as(t, b.admin, func(ctx context.Context) (err error) { rep, err = status.Compute(ctx, from, to); return err })
	// Four events (rejected, two withdrawn, decided), three rated: 5, 2, 3. 好评 by the
	// default rule are 5 and 3; 差评 is 2.
	tot := rep.Total
	if tot.Events != 4 || tot.Rated != 3 || tot.Good != 2 || tot.Bad != 1 || tot.Active != 3 || tot.ActiveGood != 2 ||
		tot.GoodRate != 0.6667 || tot.ActiveGoodRate != 0.6667 || tot.UnratedRate != 0.25 {
		t.Fatalf("total: %+v", tot)
	}
	if len(rep.ByHall) != 1 || rep.ByHall[0].Label != "城关镇" || rep.ByHall[0].Events != 4 ||
		len(rep.ByTownship) != 1 || rep.ByTownship[0].Events != 4 || len(rep.ByItem) != 1 || rep.ByItem[0].Events != 4 {
		t.Fatalf("per hall, township, item: %+v", rep)
	}
	// The clerk who decided at the window (受理 or 不予受理) carries the ratings.
	if len(rep.ByClerk) != 1 || rep.ByClerk[0].Key != b.clerk.IdentityID.String() || rep.ByClerk[0].Rated != 3 {
		t.Fatalf("per clerk: %+v", rep.ByClerk)
	}

	// The default-rating rule reaches a withdrawn event as it does a decided one.
	seven := 7
	b.as(t, b.admin, func(ctx context.Context) error {
		st := status.DefaultSettings()
		st.DefaultAfterDays = &seven
		_, err := status.PutSettings(ctx, st)
		return err
	})
	b.clock.StubNow(time.Date(2026, 11, 10, 9, 0, 0, 0, clock.Zone))
	var n int
	if err := b.as(t, nil, func(ctx context.Context) (err error) { n, err = b.svc.DefaultUnrated(ctx); return err }); err != nil || n != 1 {
		t.Fatalf("default ratings: %d %v", n, err)
	}
	if v, err := b.byToken(t, b.token(t, unrated.ID)); err != nil || !slices.Equal(v.Rating.Given, []int{3}) {
		t.Fatalf("the unrated withdrawal after the default rule: %+v %v", v, err)
	}
}

func (b *testBundle) byToken(t *testing.T, token string) (*status.View, error) {
	t.Helper()
	var v *status.View
	err := b.as(t, nil, func(ctx context.Context) (err error) { v, err = b.svc.ByToken(ctx, token, "10.8.8.8"); return err })
	return v, err
}

// Which levels count as 好评 is the county's setting. Its default follows the brief's reading
// of 国办发〔2019〕51号 / GB/T 39734-2020: five levels 非常满意 · 满意 · 基本满意 · 不满意 ·
// 非常不满意; the last two are 差评, the first three commonly count as 好评.
func TestGoodLevelsAreACountySetting(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, s := range []int{5, 4, 3, 2, 1} {
		d := b.application(t, true)
		if _, err := b.rate(t, b.token(t, d.ID), status.RateInput{Score: s}); err != nil {
			t.Fatal(err)
		}
	}
	report := func() status.Indicator {
		var rep *status.Report
		if err := b.as(t, b.admin, func(ctx context.Context) (err error) {
			rep, err = status.Compute(ctx, workday.Date{Year: 2026, Month: 11, Day: 1}, workday.Date{Year: 2026, Month: 11, Day: 30})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return rep.Total
	}
	var st *status.Settings
	b.as(t, b.admin, func(ctx context.Context) (err error) { st, err = status.GetSettings(ctx); return err })
	if st.GoodMinScore != 3 {
		t.Fatalf("default: 好评 from %d, want 3 (基本满意)", st.GoodMinScore)
	}
	if tot := report(); tot.Good != 3 || tot.Bad != 2 || tot.GoodRate != 0.6 {
		t.Fatalf("default rule: %+v", tot)
	}
	put := func(min int) error {
		return b.as(t, b.admin, func(ctx context.Context) error {
			in := *st
			in.GoodMinScore = min
			_, err := status.PutSettings(ctx, in)
			return err
		})
	}
	// 差评 levels can never count as 好评, nor can a level beyond the five.
	for _, bad := range []int{0, 1, 2, 6} {
		wantProblem(t, put(bad), 422, "", "body.good_min_score")
	}
	if err := put(4); err != nil {
		t.Fatal(err)
	}
	if tot := report(); tot.Good != 2 || tot.Bad != 2 || tot.GoodRate != 0.4 {
		t.Fatalf("满意 and above: %+v", tot)
	}
	// A worker's record shows each rating as the county counts it.
	b.as(t, b.admin, func(ctx context.Context) error {
		rs, err := status.RatingsOf(ctx, b.clerk.IdentityID)
		for _, r := range rs {
			if r.Good != (r.Score >= 4) {
				t.Errorf("rating %d good=%v under 满意 and above", r.Score, r.Good)
			}
		}
		return err
	})
}

// The default and the rule, without a database.
func TestGoodLevels(t *testing.T) {
	t.Parallel()
	d := status.DefaultSettings()
	if d.GoodMinScore != status.DefaultGoodMinScore || status.GoodLevels(d.GoodMinScore) != "非常满意、满意、基本满意" {
		t.Fatalf("default: %d %s", d.GoodMinScore, status.GoodLevels(d.GoodMinScore))
	}
	for score, good := range map[int]bool{5: true, 4: true, 3: true, 2: false, 1: false} {
		if d.Good(score) != good || status.Bad(score) == good {
			t.Errorf("%s: good %v, bad %v", status.ScoreLabel(score), d.Good(score), status.Bad(score))
		}
	}
	strict := status.Settings{GoodMinScore: 5}
	if strict.Good(4) || !strict.Good(5) || status.GoodLevels(5) != "非常满意" {
		t.Error("非常满意 only")
	}
	// Even a misconfigured rule does not count a 差评 as 好评.
	if (status.Settings{GoodMinScore: 1}).Good(2) {
		t.Error("a 差评 counted as 好评")
	}
}

// The callback limit counts working hours of the county's calendar (office hours 9:00–12:00,
// 13:30–17:30), never onto a Sunday: a 差评 given Friday 16:00 with a limit of 8 working hours
// falls due Monday 17:00 (the closure case is in workday.TestAddWorkingHours). The domain
// brief after 国办发〔2019〕51号: every 差评 is called back (Zhejiang: within 1 day) and
// rectified within working days; the seeds hold no text of the notice itself.
func TestCallbackDeadlineCountsWorkingHours(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.as(t, b.admin, func(ctx context.Context) error {
		st := status.DefaultSettings()
		st.CallbackHours = 8
		_, err := status.PutSettings(ctx, st)
		return err
	})
	b.clock.StubNow(time.Date(2026, 11, 6, 16, 0, 0, 0, clock.Zone)) // a Friday
	c := b.badRating(t)
	if want := time.Date(2026, 11, 9, 17, 0, 0, 0, clock.Zone); !c.CallbackDue.Equal(want) {
		t.Fatalf("callback due %s, want Monday %s", c.CallbackDue.In(clock.Zone), want)
	}
}
