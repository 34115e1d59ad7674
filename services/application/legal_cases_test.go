package application_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/application"
	"github.com/yichuang/yichuang/services/calendar"
	"github.com/yichuang/yichuang/services/catalog"
	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/level"
	"github.com/yichuang/yichuang/services/lifecycle"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/settings"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

// The legal cases: each is one article of the law in one situation, written as what happens
// on which day and what the law then says the dates are. They run through the service on
// real PostgreSQL, as a county's legal office would try them.
//
// The item, unless a case changes it: 最低生活保障申请, 承诺 10 and 法定 20 working days, two
// required materials (居民身份证 "id", 户口簿 "hukou"), a special step 入户调查 of 10 working
// days that does not count in the limit. Working days are those of the State Council's
// notices (2026, 2027); November 2026 has no holiday.

// happens is one step on one day.
type happens struct {
	on     string           // the day (the clock is there at 09:00)
	by     string           // clerk, dept (department staff), head (本行政机关负责人), gov (县政府负责人)
	do     lifecycle.Action // "" is the window intake by the clerk
	tick   []string         // materials handed in with the step
	notice []string         // materials a correction notice lists as missing
	days   int              // extension days, or the time a special procedure needs
	proc   string           // the special procedure of a pause
	// refused is the status the law requires the step to get (0: it is allowed).
	refused int
}

type legalCase struct {
	law, situation string
	item           func(it *catalog.Item) // changes to the item, if any
	steps          []happens
	// want are the dates (and counts) once the steps ran: accepted_on, promised_due,
	// legal_due, delivery_due, step_due, received_on, state, correction_count,
	// repeat_corrections.
	want map[string]string
}

var legalCases = []legalCase{
	// 行政许可法 art. 82 (working days, holidays excluded) with 民法典 art. 201 (the first day
	// is not counted): accepted on 2026-12-07, twenty working days end on 2027-01-05, across
	// 元旦 2027 (1–3 January off) as the State Council's notice for 2027 has it.
	{"行政许可法第八十二条、民法典第二百零一条", "20 个工作日跨 2027 年元旦",
		func(it *catalog.Item) { it.PromisedDays = 20 },
		[]happens{{on: "2026-12-07", tick: all}, {on: "2026-12-07", by: "clerk", do: lifecycle.Accept}},
		map[string]string{"accepted_on": "2026-12-07", "promised_due": "2027-01-05", "legal_due": "2027-01-05"}},
	{"行政许可法第八十二条", "跨 2027 年春节（2月5日至13日放假，2月14日调休上班）",
		nil,
		[]happens{{on: "2027-01-29", tick: all}, {on: "2027-01-29", by: "clerk", do: lifecycle.Accept}},
		// 1-31 (make-up Sunday), 2-1..2-4, then 2-14 (make-up Sunday), 2-15..2-18: ten.
		map[string]string{"accepted_on": "2027-01-29", "promised_due": "2027-02-18"}},

	// 行政许可法 art. 32: the materials are complete, and the hall decides within five
	// working days: accepted on the day it accepts.
	{"行政许可法第三十二条", "材料齐全，五日内受理",
		nil,
		[]happens{{on: "2026-11-02", tick: all}, {on: "2026-11-06", by: "clerk", do: lifecycle.Accept}},
		map[string]string{"received_on": "2026-11-02", "accepted_on": "2026-11-06", "promised_due": "2026-11-20"}},
	// … and with no decision within the five days the application counts as accepted on the
	// day the materials were received (逾期不告知的，自收到申请材料之日起即为受理).
	{"行政许可法第三十二条", "五日内未作决定，自收到材料之日起即为受理",
		nil,
		[]happens{{on: "2026-11-02", tick: all}, {on: "2026-11-12", by: "clerk", do: lifecycle.Accept}},
		map[string]string{"accepted_on": "2026-11-02", "promised_due": "2026-11-16", "legal_due": "2026-11-30"}},
	// A correction notice in time: the acceptance date is the day the materials become
	// complete, and the clock starts then.
	{"行政许可法第三十二条", "五日内一次告知补正，补正齐全之日为受理日",
		nil,
		[]happens{
			{on: "2026-11-02", tick: []string{"id"}},
			{on: "2026-11-04", by: "clerk", do: lifecycle.RequestCorrection, notice: []string{"hukou"}},
			{on: "2026-11-16", by: "clerk", do: lifecycle.Resubmit, tick: []string{"hukou"}},
			{on: "2026-11-18", by: "clerk", do: lifecycle.Accept},
		},
		map[string]string{"received_on": "2026-11-02", "accepted_on": "2026-11-16", "promised_due": "2026-11-30", "legal_due": "2026-12-14"}},
	// A correction notice after the five days does not undo the deemed acceptance: accepted
	// from the day the materials were first received; the resubmission moves neither that
	// date nor the clock.
	{"行政许可法第三十二条", "逾期告知补正，受理日仍为收到材料之日，补正不重新起算",
		nil,
		[]happens{
			{on: "2026-11-02", tick: []string{"id"}},
			{on: "2026-11-11", by: "clerk", do: lifecycle.RequestCorrection, notice: []string{"hukou"}},
			{on: "2026-11-20", by: "clerk", do: lifecycle.Resubmit, tick: []string{"hukou"}},
			{on: "2026-11-23", by: "clerk", do: lifecycle.Accept},
		},
		map[string]string{"received_on": "2026-11-02", "accepted_on": "2026-11-02", "promised_due": "2026-11-16", "legal_due": "2026-11-30"}},
	// … and the statutory clock runs while the applicant is still correcting.
	{"行政许可法第三十二条", "逾期告知补正后，补正期间法定期限照常计算",
		nil,
		[]happens{
			{on: "2026-11-02", tick: []string{"id"}},
			{on: "2026-11-11", by: "clerk", do: lifecycle.RequestCorrection, notice: []string{"hukou"}},
		},
		map[string]string{"state": "correcting", "accepted_on": "2026-11-02", "promised_due": "2026-11-16", "legal_due": "2026-11-30"}},
	// 一次告知: a second notice for the same application is refused …
	{"行政许可法第三十二条", "一次性告知：不得再次告知补正未变更的材料",
		nil,
		[]happens{
			{on: "2026-11-02", tick: []string{"id"}},
			{on: "2026-11-03", by: "clerk", do: lifecycle.RequestCorrection, notice: []string{"hukou"}},
			{on: "2026-11-05", by: "clerk", do: lifecycle.Resubmit, tick: []string{"hukou"}},
			{on: "2026-11-05", by: "clerk", do: lifecycle.RequestCorrection, notice: []string{"id"}, refused: 409},
		},
		map[string]string{"correction_count": "1", "repeat_corrections": "0", "state": "received"}},
	// … only a material the applicant changed after the notice may be questioned again, and
	// that is recorded as a repeat notice.
	{"行政许可法第三十二条", "仅申请人补正后变更的材料可以再次指出，记为再次补正",
		nil,
		[]happens{
			{on: "2026-11-02", tick: []string{"id"}},
			{on: "2026-11-03", by: "clerk", do: lifecycle.RequestCorrection, notice: []string{"hukou"}},
			{on: "2026-11-05", by: "clerk", do: lifecycle.Resubmit, tick: []string{"hukou"}},
			{on: "2026-11-05", by: "clerk", do: lifecycle.RequestCorrection, notice: []string{"hukou"}},
		},
		map[string]string{"correction_count": "2", "repeat_corrections": "1", "state": "correcting"}},

	// 行政许可法 art. 42: the agency head extends, within the limit, by at most ten days.
	{"行政许可法第四十二条", "期限内经本行政机关负责人批准延长十日",
		nil,
		[]happens{{on: "2026-11-02", tick: all}, {on: "2026-11-02", by: "clerk", do: lifecycle.Accept},
			{on: "2026-11-02", by: "clerk", do: lifecycle.Route}, {on: "2026-11-13", by: "head", do: lifecycle.Extend, days: 10}},
		map[string]string{"promised_due": "2026-11-30", "legal_due": "2026-12-14"}},
	{"行政许可法第四十二条", "期限届满当日仍可延期",
		nil,
		[]happens{{on: "2026-11-02", tick: all}, {on: "2026-11-02", by: "clerk", do: lifecycle.Accept},
			{on: "2026-11-02", by: "clerk", do: lifecycle.Route}, {on: "2026-11-16", by: "head", do: lifecycle.Extend, days: 5}},
		map[string]string{"promised_due": "2026-11-23"}},
	{"行政许可法第四十二条", "期限届满后不得延期",
		nil,
		[]happens{{on: "2026-11-02", tick: all}, {on: "2026-11-02", by: "clerk", do: lifecycle.Accept},
			{on: "2026-11-02", by: "clerk", do: lifecycle.Route}, {on: "2026-11-17", by: "head", do: lifecycle.Extend, days: 5, refused: 409}},
		map[string]string{"promised_due": "2026-11-16"}},
	{"行政许可法第四十二条", "承办人员不是本行政机关负责人，不得批准延期",
		nil,
		[]happens{{on: "2026-11-02", tick: all}, {on: "2026-11-02", by: "clerk", do: lifecycle.Accept},
			{on: "2026-11-02", by: "clerk", do: lifecycle.Route}, {on: "2026-11-05", by: "dept", do: lifecycle.Extend, days: 5, refused: 403}},
		map[string]string{"promised_due": "2026-11-16"}},
	{"行政许可法第四十二条", "延期不得超过十日",
		nil,
		[]happens{{on: "2026-11-02", tick: all}, {on: "2026-11-02", by: "clerk", do: lifecycle.Accept},
			{on: "2026-11-02", by: "clerk", do: lifecycle.Route}, {on: "2026-11-05", by: "head", do: lifecycle.Extend, days: 11, refused: 422}},
		map[string]string{"promised_due": "2026-11-16"}},
	{"行政许可法第四十二条", "只能延期一次",
		nil,
		[]happens{{on: "2026-11-02", tick: all}, {on: "2026-11-02", by: "clerk", do: lifecycle.Accept},
			{on: "2026-11-02", by: "clerk", do: lifecycle.Route}, {on: "2026-11-05", by: "head", do: lifecycle.Extend, days: 5},
			{on: "2026-11-06", by: "head", do: lifecycle.Extend, days: 3, refused: 409}},
		map[string]string{"promised_due": "2026-11-23"}},
	// art. 42 para. 2 with art. 26: 统一办理 — fifteen days, granted by the head of the
	// county government, not by the agency head.
	{"行政许可法第四十二条第二款、第二十六条", "统一办理事项经县政府负责人批准延长十五日",
		func(it *catalog.Item) { it.Unified, it.LegalDays, it.PromisedDays = true, 45, 30 },
		[]happens{{on: "2026-11-02", tick: all}, {on: "2026-11-02", by: "clerk", do: lifecycle.Accept},
			{on: "2026-11-02", by: "clerk", do: lifecycle.Route}, {on: "2026-11-05", by: "gov", do: lifecycle.Extend, days: 15}},
		map[string]string{"promised_due": "2027-01-05", "legal_due": "2027-01-26"}},
	{"行政许可法第四十二条第二款、第二十六条", "统一办理事项的延期不由部门负责人批准",
		func(it *catalog.Item) { it.Unified, it.LegalDays, it.PromisedDays = true, 45, 30 },
		[]happens{{on: "2026-11-02", tick: all}, {on: "2026-11-02", by: "clerk", do: lifecycle.Accept},
			{on: "2026-11-02", by: "clerk", do: lifecycle.Route}, {on: "2026-11-05", by: "head", do: lifecycle.Extend, days: 15, refused: 403}},
		map[string]string{"promised_due": "2026-12-14"}},

	// 行政许可法 art. 44: a 准予 decision is served within ten working days.
	{"行政许可法第四十四条", "准予决定自作出之日起十日内送达",
		nil,
		[]happens{{on: "2026-11-02", tick: all}, {on: "2026-11-02", by: "clerk", do: lifecycle.Accept},
			{on: "2026-11-02", by: "clerk", do: lifecycle.Route}, {on: "2026-11-10", by: "dept", do: lifecycle.Approve}},
		map[string]string{"state": "decided", "delivery_due": "2026-11-24"}},

	// 行政许可法 art. 45: the procedures the law names (or the item lists), chosen from the
	// list; their time does not count; the time needed is told to the applicant.
	{"行政许可法第四十五条", "特别程序须从法定种类中选择，不得自由填写",
		nil,
		[]happens{{on: "2026-11-02", tick: all}, {on: "2026-11-02", by: "clerk", do: lifecycle.Accept},
			{on: "2026-11-02", by: "clerk", do: lifecycle.Route}, {on: "2026-11-04", by: "dept", do: lifecycle.Pause, proc: "等待领导研究", days: 5, refused: 422}},
		map[string]string{"state": "processing", "promised_due": "2026-11-16"}},
	{"行政许可法第四十五条", "须书面告知所需时间",
		nil,
		[]happens{{on: "2026-11-02", tick: all}, {on: "2026-11-02", by: "clerk", do: lifecycle.Accept},
			{on: "2026-11-02", by: "clerk", do: lifecycle.Route}, {on: "2026-11-04", by: "dept", do: lifecycle.Pause, proc: "专家评审", refused: 422}},
		map[string]string{"state": "processing"}},
	{"行政许可法第四十五条", "专家评审所需时间不计算在期限内",
		nil,
		[]happens{{on: "2026-11-02", tick: all}, {on: "2026-11-02", by: "clerk", do: lifecycle.Accept},
			{on: "2026-11-02", by: "clerk", do: lifecycle.Route}, {on: "2026-11-04", by: "dept", do: lifecycle.Pause, proc: "专家评审", days: 15},
			{on: "2026-11-11", by: "dept", do: lifecycle.Resume}},
		// Five working days (11-05 … 11-11) do not count: 11-16 moves to 11-23.
		map[string]string{"state": "processing", "promised_due": "2026-11-23", "legal_due": "2026-12-07"}},
	{"行政许可法第四十五条", "特别程序期间显示所需时间届满之日",
		nil,
		[]happens{{on: "2026-11-02", tick: all}, {on: "2026-11-02", by: "clerk", do: lifecycle.Accept},
			{on: "2026-11-02", by: "clerk", do: lifecycle.Route}, {on: "2026-11-04", by: "dept", do: lifecycle.Pause, proc: "检测", days: 3}},
		map[string]string{"state": "paused", "step_due": "2026-11-09"}},
	{"行政许可法第四十五条", "事项规定计入时限的特殊环节不停止计时",
		func(it *catalog.Item) {
			it.Steps = append(it.Steps, catalog.Step{Name: "现场核查", LimitDays: 5, Counted: true})
		},
		[]happens{{on: "2026-11-02", tick: all}, {on: "2026-11-02", by: "clerk", do: lifecycle.Accept},
			{on: "2026-11-02", by: "clerk", do: lifecycle.Route}, {on: "2026-11-04", by: "dept", do: lifecycle.Pause, proc: "现场核查"},
			{on: "2026-11-11", by: "dept", do: lifecycle.Resume}},
		map[string]string{"state": "processing", "promised_due": "2026-11-16", "legal_due": "2026-11-30"}},
	{"行政许可法第四十五条", "事项的特殊环节按事项规定的时限告知",
		nil,
		[]happens{{on: "2026-11-02", tick: all}, {on: "2026-11-02", by: "clerk", do: lifecycle.Accept},
			{on: "2026-11-02", by: "clerk", do: lifecycle.Route}, {on: "2026-11-04", by: "dept", do: lifecycle.Pause, proc: "入户调查"}},
		map[string]string{"state": "paused", "step_due": "2026-11-18"}},

	// 民法典 art. 203: a period whose last day is a day off ends on the next working day. The
	// pause starts on the due date and ends on a Saturday: the due date is the Monday.
	{"民法典第二百零三条", "期限最后一日为休息日的，以休息日结束的次日为最后一日",
		nil,
		[]happens{{on: "2026-11-02", tick: all}, {on: "2026-11-02", by: "clerk", do: lifecycle.Accept},
			{on: "2026-11-02", by: "clerk", do: lifecycle.Route}, {on: "2026-11-16", by: "dept", do: lifecycle.Pause, proc: "鉴定", days: 5},
			{on: "2026-11-21", by: "dept", do: lifecycle.Resume}},
		map[string]string{"state": "processing", "promised_due": "2026-11-23"}},
}

// all are the item's required materials.
var all = []string{"id", "hukou"}

func TestLegalCases(t *testing.T) {
	t.Parallel()
	for _, lc := range legalCases {
		t.Run(lc.law+" "+lc.situation, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			itemID := b.itemID
			if lc.item != nil {
				itemID = b.variant(t, lc.item)
			}
			who := map[string]*tenants.Actor{"clerk": b.clerk, "dept": b.dept, "head": b.head, "gov": b.govHead}
			var d *application.Detail
			for i, h := range lc.steps {
				day, err := workday.ParseDate(h.on)
				if err != nil {
					t.Fatal(err)
				}
				b.clock.StubNow(day.In(clock.Zone).Add(9 * time.Hour))
				if h.do == "" {
					d = b.intakeItem(t, itemID, h.tick...)
					continue
				}
				st := application.Step{Action: h.do, Version: d.Version, Days: h.days, StepName: h.proc, Reason: "依法办理"}
				for _, k := range h.tick {
					st.Materials = append(st.Materials, application.Tick{Key: k, Provided: true})
				}
				for _, k := range h.notice {
					st.Corrections = append(st.Corrections, application.CorrectionEntry{Key: k, Problem: "missing"})
				}
				next, err := b.act(t, who[h.by], d.ID, st)
				p, _ := problem.As(err)
				switch {
				case h.refused == 0 && err != nil:
					t.Fatalf("step %d (%s %s on %s): %v", i+1, h.by, h.do, h.on, err)
				case h.refused != 0 && (p == nil || p.Status != h.refused || p.Message == "" || p.MessageEn == ""):
					t.Fatalf("step %d (%s %s on %s): got %v, the law requires %d with a reason", i+1, h.by, h.do, h.on, err, h.refused)
				case err == nil:
					d = next
				}
			}
			// The dates as stored, not just as the page shows them.
			b.db.Ctx(t, b.tenant.ID, func(ctx context.Context) error {
				var row application.Application
				if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&row)).Where("a.id = ?", d.ID).Scan(ctx); err != nil {
					return err
				}
				var pauses []application.Pause
				if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&pauses)).Where("p.application_id = ?", d.ID).Order("p.seq").Scan(ctx); err != nil {
					return err
				}
				for k, want := range lc.want {
					if got := fact(&row, pauses, k); got != want {
						t.Errorf("%s = %q, want %q", k, got, want)
					}
				}
				return nil
			})
		})
	}
}

// fact reads one expectation's value from the stored application.
func fact(a *application.Application, pauses []application.Pause, key string) string {
	switch key {
	case "state":
		return string(a.State)
	case "correction_count":
		return strconv.Itoa(a.CorrectionCount)
	case "repeat_corrections":
		return strconv.Itoa(a.RepeatCorrections)
	case "step_due":
		for _, p := range pauses {
			if p.ToDate == nil {
				return dateOf(p.StepDue)
			}
		}
		return ""
	}
	return dateOf(map[string]*time.Time{"accepted_on": a.AcceptedOn, "promised_due": a.PromisedDue, "legal_due": a.LegalDue,
		"delivery_due": a.DeliveryDue, "received_on": a.ReceivedOn}[key])
}

// variant publishes a copy of the test item with changes, under its own code.
func (b *testBundle) variant(t *testing.T, change func(*catalog.Item)) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	b.db.Ctx(t, b.tenant.ID, func(ctx context.Context) error {
		ver, err := catalog.GetVersion(ctx, b.itemID, 1)
		if err != nil {
			return err
		}
		it := ver.Content
		it.ImplCode = "TEST-VARIANT-" + strings.ToUpper(uuid.NewString()[:8])
		it.Steps = append([]catalog.Step(nil), it.Steps...)
		change(&it)
		r, err := catalog.Create(ctx, it)
		if err != nil {
			return err
		}
		_, err = catalog.Publish(ctx, r.ID, r.RowVersion)
		id = r.ID
		return err
	})
	return id
}

func (b *testBundle) intakeItem(t *testing.T, item uuid.UUID, ticks ...string) *application.Detail {
	t.Helper()
	in := application.NewApplication{ItemID: item, Applicant: application.Applicant{Kind: application.ApplicantPerson, Name: "张三", IDNo: person, Phone: "13912345678"}}
	for _, k := range ticks {
		in.Materials = append(in.Materials, application.Tick{Key: k, Provided: true})
	}
	var d *application.Detail
	if err := b.as(t, b.clerk, func(ctx context.Context) (err error) { d, err = b.svc.Intake(ctx, in); return err }); err != nil {
		t.Fatalf("intake: %v", err)
	}
	return d
}

// 行政许可法 arts. 32, 42, 44: a county may set any limit stricter than the law, never a
// looser one; the refusal cites the article, and nothing is stored.
func TestSettingsCannotLoosenTheLaw(t *testing.T) {
	t.Parallel()
	b := setup(t)
	base := settings.Defaults()
	for _, c := range []struct {
		field string
		set   func(*settings.Settings)
		ok    bool
	}{
		{"correction_days", func(s *settings.Settings) { s.CorrectionDays = 6 }, false},
		{"correction_days", func(s *settings.Settings) { s.CorrectionDays = 3 }, true},
		{"max_extension", func(s *settings.Settings) { s.MaxExtension = 11 }, false},
		{"max_extension", func(s *settings.Settings) { s.MaxExtension = 7 }, true},
		{"max_extension_unified", func(s *settings.Settings) { s.MaxExtensionUnified = 16 }, false},
		{"max_extension_unified", func(s *settings.Settings) { s.MaxExtensionUnified = 15 }, true},
		{"delivery_days", func(s *settings.Settings) { s.DeliveryDays = 11 }, false},
		{"delivery_days", func(s *settings.Settings) { s.DeliveryDays = 5 }, true},
	} {
		in := base
		c.set(&in)
		var before, after settings.Settings
		err := b.as(t, b.clerk, func(ctx context.Context) error {
			cur, err := settings.Get(ctx)
			before = *cur
			if err != nil {
				return err
			}
			_, err = b.calendar.Settings.Put(ctx, in)
			return err
		})
		p, _ := problem.As(err)
		if c.ok != (err == nil) || (!c.ok && (p == nil || p.Status != 422 || len(p.Fields) != 1 || p.Fields[0].Location != "body."+c.field ||
			!strings.Contains(p.Fields[0].Message, "行政许可法"))) {
			t.Errorf("%s = %+v: %v", c.field, in, err)
		}
		b.db.Ctx(t, b.tenant.ID, func(ctx context.Context) error {
			cur, err := settings.Get(ctx)
			after = *cur
			return err
		})
		if !c.ok && fmt.Sprint(before) != fmt.Sprint(after) {
			t.Errorf("%s: a refused value changed the settings: %+v → %+v", c.field, before, after)
		}
	}
	// A stricter county: its 3-day correction limit and 7-day extension cap apply.
	strict := base
	strict.CorrectionDays, strict.MaxExtension = 3, 7
	if err := b.as(t, b.clerk, func(ctx context.Context) error { _, err := b.calendar.Settings.Put(ctx, strict); return err }); err != nil {
		t.Fatal(err)
	}
	d := b.intakeItem(t, b.itemID, all...)
	if got := dateOf(d.CorrectionDue); got != "2026-10-08" {
		t.Errorf("correction due %s with a 3-day county limit, want 2026-10-08 (09-29, 09-30, 10-08)", got)
	}
	d, err := b.act(t, b.clerk, d.ID, application.Step{Action: lifecycle.Accept, Version: d.Version})
	if err == nil {
		d, err = b.act(t, b.clerk, d.ID, application.Step{Action: lifecycle.Route, Version: d.Version})
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.act(t, b.head, d.ID, application.Step{Action: lifecycle.Extend, Version: d.Version, Days: 8, Reason: "复杂"}); err == nil {
		t.Error("an 8-day extension passed the county's 7-day cap")
	}
	if _, err := b.act(t, b.head, d.ID, application.Step{Action: lifecycle.Extend, Version: d.Version, Days: 7, Reason: "复杂"}); err != nil {
		t.Errorf("a 7-day extension: %v", err)
	}
}

// A year without a published schedule (2028 as of lunar-go v1.4.7): the statutory days are
// off, the due date is provisional; when the county enters the year, the reconciliation
// recomputes open deadlines and the flag clears (国务院办公厅 notices, 全国年节及纪念日放假办法).
func TestProvisionalYear(t *testing.T) {
	t.Parallel()
	b := setup(t)
	itemID := b.variant(t, func(it *catalog.Item) { it.PromisedDays = 20 })
	b.clock.StubNow(time.Date(2027, 12, 20, 9, 0, 0, 0, clock.Zone))
	d := b.intakeItem(t, itemID, all...)
	d, err := b.act(t, b.clerk, d.ID, application.Step{Action: lifecycle.Accept, Version: d.Version})
	if err != nil {
		t.Fatal(err)
	}
	if !d.Provisional || dateOf(d.PromisedDue) != "2028-01-17" {
		t.Fatalf("accepted 2027-12-20 + 20: due %s provisional %v, want 2028-01-17 provisional", dateOf(d.PromisedDue), d.Provisional)
	}
	// The county enters 2028 as published (made up here): 元旦 1–3 January takes Monday the
	// 3rd off as well, which moves the due date a day out.
	err = b.as(t, b.clerk, func(ctx context.Context) error {
		return b.calendar.PutYear(ctx, 2028, []workday.Block{{Name: "元旦", From: day("2028-01-01"), To: day("2028-01-03")},
			{Name: "春节", From: day("2028-01-25"), To: day("2028-02-01")}}, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	b.db.Ctx(t, b.tenant.ID, func(ctx context.Context) error {
		if _, err := b.svc.Reconcile(ctx); err != nil {
			return err
		}
		var row application.Application
		if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&row)).Where("a.id = ?", d.ID).Scan(ctx); err != nil {
			return err
		}
		if row.Provisional || dateOf(row.PromisedDue) != "2028-01-18" {
			t.Errorf("after the year was entered: due %s provisional %v, want 2028-01-18 and not provisional", dateOf(row.PromisedDue), row.Provisional)
		}
		return nil
	})
}

// From November, the county admins are reminded to enter the coming year while no schedule
// is known, once a month; a known year is to be confirmed once.
func TestCalendarReminder(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var admin *tenants.Actor
	b.db.Ctx(t, b.tenant.ID, func(ctx context.Context) error {
		admin = tenanttest.Member(t, ctx, b.tenant.County, tenants.RoleCountyAdmin, "13800000009")
		return nil
	})
	// Remind answers the notifications it wrote: one per county admin (the standard county's
	// and the one added here).
	remind := func(on string) int {
		var n int
		b.db.Ctx(t, b.tenant.ID, func(ctx context.Context) (err error) { n, err = calendar.Remind(ctx, day(on)); return err })
		return n / 2
	}
	if n := remind("2027-10-31"); n != 0 {
		t.Errorf("October: %d reminders", n)
	}
	if n := remind("2027-11-01"); n != 1 {
		t.Errorf("November, 2028 unknown: %d reminders, want 1", n)
	}
	if n := remind("2027-11-02"); n != 0 {
		t.Errorf("the next day: %d reminders, want 0 (once a month)", n)
	}
	if n := remind("2027-12-01"); n != 1 {
		t.Errorf("December, 2028 still unknown: %d reminders, want 1", n)
	}
	if n := remind("2026-11-01"); n != 1 {
		t.Errorf("November 2026, 2027 known from lunar-go: %d reminders (to confirm), want 1", n)
	}
	if n := remind("2026-12-01"); n != 0 {
		t.Errorf("December 2026: %d, want 0 (confirming is asked once)", n)
	}
	b.db.Ctx(t, b.tenant.ID, func(ctx context.Context) error {
		var titles []string
		err := tenants.DB(ctx).NewSelect().Table("notifications").Where("tenant_id = ?", tenants.CurrentID(ctx)).Column("title").Where("recipient_id = ?", admin.IdentityID).Order("title").Scan(ctx, &titles)
		if len(titles) != 3 || !strings.Contains(strings.Join(titles, "|"), "2028 年节假日安排尚未录入") {
			t.Errorf("admin's notifications: %q", titles)
		}
		return err
	})
}

// The deadlines after the decision (行政许可法 art. 44) and of a special procedure (art. 45)
// have jobs like the others: each warns once when its moment has come, and not before.
func TestDeliveryAndStepDeadlinesWarn(t *testing.T) {
	t.Parallel()
	b := setup(t)
	at := func(s string) { b.clock.StubNow(day(s).In(clock.Zone).Add(9 * time.Hour)) }
	step := func(a *tenants.Actor, id uuid.UUID, st application.Step) *application.Detail {
		t.Helper()
		d, err := b.act(t, a, id, st)
		if err != nil {
			t.Fatalf("%s: %v", st.Action, err)
		}
		return d
	}
	warnings := func(id uuid.UUID, kind string) (n int) {
		b.db.Ctx(t, b.tenant.ID, func(ctx context.Context) error {
			// One warning is one event, however many people it reaches (the handler, and the
			// county admins standing in for a missing supervisor).
			return tenants.DB(ctx).NewSelect().Table("notifications").Where("tenant_id = ?", tenants.CurrentID(ctx)).ColumnExpr("count(DISTINCT dedup_key)").
				Where("application_id = ? AND kind = ?", id, "deadline_"+kind).Scan(ctx, &n)
		})
		return n
	}
	check := func(d *application.Detail, kind string) {
		t.Helper()
		job, ok := d.Jobs[kind]
		if !ok {
			t.Fatalf("no %s job: %v", kind, d.Jobs)
		}
		err := b.db.Store.InTx(context.Background(), b.tenant.ID, func(ctx context.Context) error {
			return b.svc.CheckDeadline(ctx, application.DeadlineArgs{TenantID: b.tenant.ID, ApplicationID: d.ID, DeadlineKind: kind, Due: job.Due})
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	at("2026-11-02")
	d := b.intakeItem(t, b.itemID, all...)
	d = step(b.clerk, d.ID, application.Step{Action: lifecycle.Accept, Version: d.Version})
	d = step(b.clerk, d.ID, application.Step{Action: lifecycle.Route, Version: d.Version})
	at("2026-11-04")
	d = step(b.dept, d.ID, application.Step{Action: lifecycle.Pause, Version: d.Version, StepName: "检测", Days: 3, Reason: "送检"})
	if d.Jobs[application.KindStep].Due != day("2026-11-09") {
		t.Fatalf("step job %v, want due 2026-11-09", d.Jobs)
	}
	at("2026-11-09")
	check(d, application.KindStep)
	if n := warnings(d.ID, application.KindStep); n != 0 {
		t.Errorf("%d step warnings on the last day of the step, want 0", n)
	}
	at("2026-11-10")
	check(d, application.KindStep)
	check(d, application.KindStep)
	if n := warnings(d.ID, application.KindStep); n != 1 {
		t.Errorf("%d step warnings the day after, want 1", n)
	}
	d = step(b.dept, d.ID, application.Step{Action: lifecycle.Resume, Version: d.Version, Reason: "检测完毕"})
	d = step(b.dept, d.ID, application.Step{Action: lifecycle.Approve, Version: d.Version})
	// Decided on 11-10: served by 11-24; yellow from 11-20 (two working days left).
	if dateOf(d.DeliveryDue) != "2026-11-24" || d.Jobs[application.KindDelivery].Due != day("2026-11-24") {
		t.Fatalf("delivery due %s, jobs %v", dateOf(d.DeliveryDue), d.Jobs)
	}
	at("2026-11-25")
	check(d, application.KindDelivery)
	if n := warnings(d.ID, application.KindDelivery); n != 1 {
		t.Errorf("%d delivery warnings after the 10 days, want 1", n)
	}
	b.db.Ctx(t, b.tenant.ID, func(ctx context.Context) error {
		var warning string
		err := tenants.DB(ctx).NewSelect().Table("applications").Where("tenant_id = ?", tenants.CurrentID(ctx)).Column("warning").Where("id = ?", d.ID).Scan(ctx, &warning)
		if warning != "red" {
			t.Errorf("warning %q of an undelivered 准予 decision past art. 44's ten days, want red", warning)
		}
		return err
	})
	d, err := b.act(t, b.clerk, d.ID, application.Step{Action: lifecycle.Deliver, Version: d.Version, DeliveryMethod: "window"})
	if err != nil || len(d.Jobs) != 0 || d.Warning != "normal" {
		t.Errorf("delivered: %v jobs %v warning %s", err, d.Jobs, d.Warning)
	}
}

// 民法典 art. 202: a period counted in years ends on the corresponding day of the last year,
// or on that month's last day when there is none — a year from 29 February ends on
// 28 February in a common year. The level rule's service years (三岗十八级) count this way.
func TestYearsCountedFrom29February(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		from, to string
		years    int
	}{
		{"2024-02-29", "2025-02-27", 0},
		{"2024-02-29", "2025-02-28", 1}, // 2025 has no 29 February: the month's last day
		{"2024-02-29", "2028-02-28", 3}, // 2028 has one: the corresponding day
		{"2024-02-29", "2028-02-29", 4},
		{"2023-03-01", "2024-02-29", 0},
		{"2023-03-01", "2024-03-01", 1},
	} {
		if got := level.FullYears(day(c.from), day(c.to)); got != c.years {
			t.Errorf("years from %s to %s = %d, want %d (民法典 art. 202)", c.from, c.to, got, c.years)
		}
	}
	if got := day("2024-02-29").AddYears(1); got != day("2025-02-28") {
		t.Errorf("a year from 2024-02-29 ends on %v, want 2025-02-28", got)
	}
}
