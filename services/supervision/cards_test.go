package supervision_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/yichuang/yichuang/services/application"
	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/lifecycle"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/status"
	"github.com/yichuang/yichuang/services/supervision"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

func date(s string) *time.Time {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return &d
}

func colours(rs []supervision.Raised) map[string]string {
	out := map[string]string{}
	for _, r := range rs {
		out[r.Rule] = r.Colour
	}
	return out
}

// The rules, pure: 行政许可法 第四十二条 (the limit, in working days per 第八十二条), 第三十二条
// (一次告知; a refusal states its reason), 国办发〔2019〕51号 (差评 回访).
func TestCardRulesAndDefaults(t *testing.T) {
	t.Parallel()
	cal := workday.National()
	def := supervision.DefaultCardRules()
	if def.RedAfterDays != 3 || def.RefusalColour != "red" || def.CorrectionsColour != "yellow" || def.CallbackColour != "yellow" || def.Check() != nil {
		t.Fatalf("defaults: %+v", def)
	}
	// Due Monday 2026-11-16; Thursday 19th is 3 working days over, Wednesday 18th 2.
	running := supervision.Application{State: "processing", Warning: "red", DueOn: date("2026-11-16")}
	cases := []struct {
		name  string
		a     supervision.Application
		today string
		want  map[string]string
	}{
		{"in time", supervision.Application{State: "processing", Warning: "normal", DueOn: date("2026-11-30")}, "2026-11-16", map[string]string{}},
		{"yellow window", supervision.Application{State: "processing", Warning: "yellow", DueOn: date("2026-11-18")}, "2026-11-16", map[string]string{"overdue": "yellow"}},
		{"due today", running, "2026-11-16", map[string]string{}},
		{"2 working days over", running, "2026-11-18", map[string]string{"overdue": "yellow"}},
		{"3 working days over", running, "2026-11-19", map[string]string{"overdue": "red"}},
		// A weekend does not count: Friday 13th due, Tuesday 17th is 2 working days over.
		{"over a weekend", supervision.Application{State: "processing", DueOn: date("2026-11-13")}, "2026-11-17", map[string]string{"overdue": "yellow"}},
		{"decided late", supervision.Application{State: "decided", DueOn: date("2026-11-16"), DecidedOn: date("2026-11-20")}, "2026-12-01", map[string]string{"overdue": "red"}},
		{"decided in time", supervision.Application{State: "decided", DueOn: date("2026-11-16"), DecidedOn: date("2026-11-16")}, "2026-12-01", map[string]string{}},
		{"withdrawn", supervision.Application{State: "withdrawn", DueOn: date("2026-11-16")}, "2026-12-01", map[string]string{}},
		{"refusal without a reason", supervision.Application{State: "rejected", RefusalUnstated: true}, "2026-12-01", map[string]string{"refusal_unstated": "red"}},
		{"one correction", supervision.Application{State: "accepted", Corrections: 1}, "2026-12-01", map[string]string{}},
		{"two corrections", supervision.Application{State: "accepted", Corrections: 2}, "2026-12-01", map[string]string{"repeat_corrections": "yellow"}},
		{"late callback", supervision.Application{State: "delivered", CallbackLate: true, CallbackDueOn: date("2026-11-20")}, "2026-12-01", map[string]string{"late_callback": "yellow"}},
		// 环节时限: the running step on its own due date, the limit still in time.
		{"step in its yellow window", supervision.Application{State: "accepted", DueOn: date("2026-11-30"),
			StepFeed: supervision.StepFeed{StepName: "审查", StepDueOn: date("2026-11-17"), StepWarning: "yellow"}}, "2026-11-16", map[string]string{"step_overdue": "yellow"}},
		{"step 2 working days over", supervision.Application{State: "accepted", DueOn: date("2026-11-30"),
			StepFeed: supervision.StepFeed{StepName: "审查", StepDueOn: date("2026-11-16"), StepWarning: "red"}}, "2026-11-18", map[string]string{"step_overdue": "yellow"}},
		{"step 3 working days over", supervision.Application{State: "processing", DueOn: date("2026-11-30"),
			StepFeed: supervision.StepFeed{StepName: "决定", StepDueOn: date("2026-11-16"), StepWarning: "red"}}, "2026-11-19", map[string]string{"step_overdue": "red"}},
		{"step in time", supervision.Application{State: "accepted", DueOn: date("2026-11-30"),
			StepFeed: supervision.StepFeed{StepName: "审查", StepDueOn: date("2026-11-20"), StepWarning: "normal"}}, "2026-11-16", map[string]string{}},
		{"paused: the step's clock stops", supervision.Application{State: "paused", DueOn: date("2026-11-30"),
			StepFeed: supervision.StepFeed{StepName: "审查", StepWarning: "normal"}}, "2026-11-19", map[string]string{}},
	}
	for _, c := range cases {
		today, _ := workday.ParseDate(c.today)
		if got := colours(supervision.Evaluate(c.a, def, today, cal)); !equalMaps(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	// A region's own rules: 红牌 from 5 days; a refusal without reason only yellow; callbacks off.
	own := supervision.CardRules{RedAfterDays: 5, RefusalColour: "yellow", CorrectionsColour: "red", CallbackColour: "off"}
	today, _ := workday.ParseDate("2026-11-19")
	a := running
	a.RefusalUnstated, a.Corrections, a.CallbackLate = true, 3, true
	if got := colours(supervision.Evaluate(a, own, today, cal)); !equalMaps(got, map[string]string{"overdue": "yellow", "refusal_unstated": "yellow", "repeat_corrections": "red"}) {
		t.Errorf("own rules: %v", got)
	}
	bad := supervision.CardRules{RedAfterDays: 0, RefusalColour: "blue", CorrectionsColour: "red", CallbackColour: "off"}
	var pe *problem.Error
	if err := bad.Check(); !errors.As(err, &pe) || len(pe.Fields) != 2 {
		t.Errorf("bad rules: %v", err)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// at is the bundle's service on a stubbed clock: the county's records are as they are, the
// cards are evaluated on the stub's day.
func (x *bundle) at(t time.Time) *supervision.Service {
	return &supervision.Service{Store: x.db.Store, Clock: clock.NewStub(t)}
}

func (x *bundle) publishWith(t *testing.T, svc *supervision.Service, c *county) {
	t.Helper()
	x.as(t, c, nil, func(ctx context.Context) error { _, err := svc.Publish(ctx); return err })
}

// regionCards are the limit's and the faults' cards a region reads. The test item's steps (审查
// 6, 决定 4 of its 10 days) raise step cards beside them; allRegionCards has those too.
func (x *bundle) regionCards(t *testing.T, code string, f supervision.CardFilter) []supervision.CardView {
	t.Helper()
	return limitCards(x.allRegionCards(t, code, f))
}

func (x *bundle) allRegionCards(t *testing.T, code string, f supervision.CardFilter) []supervision.CardView {
	t.Helper()
	var out []supervision.CardView
	x.region(t, code, func(ctx context.Context) (err error) { out, err = supervision.RegionCards(ctx, f); return err })
	return out
}

// overdueApp accepts and routes an application at c; its limit is 10 working days (the item's
// promised days) from today.
func (x *bundle) overdueApp(t *testing.T, c *county, i int) *application.Detail {
	t.Helper()
	d := x.step(t, c, x.intake(t, c, i), c.Clerk, application.Step{Action: lifecycle.Accept})
	return x.step(t, c, d, c.Clerk, application.Step{Action: lifecycle.Route})
}

func dueOf(t *testing.T, x *bundle, c *county, id uuid.UUID) workday.Date {
	t.Helper()
	for _, a := range x.own(t, c).Applications {
		if a.ID == id && a.DueOn != nil {
			return workday.DateOf(a.DueOn.UTC())
		}
	}
	t.Fatalf("no due date published for %s", id)
	return workday.Date{}
}

// limitCards are the cards about the application's limit and faults (not its steps').
func limitCards(cs []supervision.CardView) []supervision.CardView {
	var out []supervision.CardView
	for _, c := range cs {
		if c.Subject == "limit" {
			out = append(out, c)
		}
	}
	return out
}

func TestCardsAreIdempotentAndTurnRedInPlace(t *testing.T) {
	t.Parallel()
	x := setup(t)
	d := x.overdueApp(t, x.a, 1)
	x.publish(t, x.a)
	if cards := x.regionCards(t, "320100", supervision.CardFilter{}); len(cards) != 0 {
		t.Fatalf("an application in time has cards: %+v", cards)
	}
	due := dueOf(t, x, x.a, d.ID)
	cal := workday.National()
	// One working day over: 黄牌.
	day1 := cal.Add(due, 1).In(clock.Zone).Add(10 * time.Hour)
	x.publishWith(t, x.at(day1), x.a)
	x.publishWith(t, x.at(day1), x.a) // again on the same day: nothing new
	// The item's steps (审查 6, 决定 4 of its 10 days) ran out first: the running step has its
	// own card, red already (5 working days over), beside the limit's.
	all := x.allRegionCards(t, "320100", supervision.CardFilter{})
	var stepCard *supervision.CardView
	for i := range all {
		if all[i].Subject == "step" {
			stepCard = &all[i]
		}
	}
	if len(all) != 2 || stepCard == nil || stepCard.Rule != "step_overdue" || stepCard.Colour != "red" || stepCard.DaysOver != 5 ||
		stepCard.ID != supervision.CardID(d.ID, "step_overdue") {
		t.Fatalf("day 1, the step's card: %+v", all)
	}
	cards := x.regionCards(t, "320100", supervision.CardFilter{})
	if len(cards) != 1 || cards[0].Colour != "yellow" || cards[0].Rule != "overdue" || cards[0].Subject != "limit" || cards[0].ApplicationID != d.ID ||
		cards[0].DaysOver != 1 || cards[0].Status != "open" || cards[0].CountyName != "甲县" || cards[0].Township != "城关镇" ||
		cards[0].Department != "县民政局" || len(cards[0].ClerkRef) != 32 || cards[0].RedOn != nil {
		t.Fatalf("day 1: %+v", cards)
	}
	raised := cards[0].RaisedOn
	// Three working days over, with nothing changed in the county: the daily pass turns it red.
	day3 := cal.Add(due, 3).In(clock.Zone).Add(10 * time.Hour)
	x.publishWith(t, x.at(day3), x.a)
	cards = x.regionCards(t, "320100", supervision.CardFilter{})
	if len(cards) != 1 || cards[0].Colour != "red" || cards[0].DaysOver != 3 || !cards[0].RaisedOn.Equal(raised) || cards[0].RedOn == nil ||
		workday.DateOf(cards[0].RedOn.UTC()) != workday.DateOf(day3) || cards[0].ID != supervision.CardID(d.ID, "overdue") {
		t.Fatalf("day 3: %+v", cards)
	}
	// Re-publishing from scratch, later, writes the same card; a red card never turns yellow.
	x.as(t, x.a, nil, func(ctx context.Context) error { _, err := x.at(day3).Republish(ctx); return err })
	if again := x.regionCards(t, "320100", supervision.CardFilter{}); len(again) != 1 || again[0].Colour != "red" || !again[0].RaisedOn.Equal(raised) {
		t.Fatalf("after republish: %+v", again)
	}
	// A refusal whose reason states nothing: 红牌 by default, raised by the ordinary drain.
	r := x.step(t, x.a, x.intake(t, x.a, 2), x.a.Clerk, application.Step{Action: lifecycle.Reject, Reason: "不符"})
	x.publishWith(t, x.at(day3), x.a)
	var refusal *supervision.CardView
	for _, c := range x.regionCards(t, "320100", supervision.CardFilter{}) {
		if c.ApplicationID == r.ID {
			refusal = &c
		}
	}
	if refusal == nil || refusal.Rule != "refusal_unstated" || refusal.Colour != "red" {
		t.Fatalf("refusal card: %+v", refusal)
	}
	// A refusal that states its reason raises none.
	ok := x.step(t, x.a, x.intake(t, x.a, 0), x.a.Clerk, application.Step{Action: lifecycle.Reject, Reason: "申请事项不属于本机关职权范围"})
	x.publishWith(t, x.at(day3), x.a)
	for _, c := range x.regionCards(t, "320100", supervision.CardFilter{}) {
		if c.ApplicationID == ok.ID {
			t.Fatalf("a reasoned refusal has a card: %+v", c)
		}
	}
}

func TestRegionCardRulesNearestWins(t *testing.T) {
	t.Parallel()
	x := setup(t)
	rules := func(code string) supervision.CardRules {
		var r supervision.CardRules
		x.region(t, code, func(ctx context.Context) (err error) { r, err = supervision.RegionCardRules(ctx); return err })
		return r
	}
	if r := rules("320100"); !r.Default || r.RedAfterDays != 3 {
		t.Fatalf("no rules set: %+v", r)
	}
	put := func(code string, r supervision.CardRules) error {
		return x.db.Store.InRegion(context.Background(), code, func(ctx context.Context) error {
			_, err := supervision.PutRegionCardRules(ctx, r)
			return err
		})
	}
	if err := put("320000", supervision.CardRules{RedAfterDays: 5, RefusalColour: "red", CorrectionsColour: "yellow", CallbackColour: "yellow"}); err != nil {
		t.Fatal(err)
	}
	if err := put("320100", supervision.CardRules{RedAfterDays: 1, RefusalColour: "red", CorrectionsColour: "red", CallbackColour: "off"}); err != nil {
		t.Fatal(err)
	}
	var pe *problem.Error
	if err := put("320100", supervision.CardRules{RedAfterDays: 31, RefusalColour: "red", CorrectionsColour: "red", CallbackColour: "off"}); !errors.As(err, &pe) || pe.Status != 422 {
		t.Fatalf("31 days: %v", err)
	}
	if r := rules("320100"); r.Default || r.RedAfterDays != 1 || r.CallbackColour != "off" {
		t.Fatalf("南京市's own: %+v", r)
	}
	if r := rules("320200"); r.Default || r.RedAfterDays != 5 { // 无锡市 has none: 江苏省's
		t.Fatalf("无锡市 inherits: %+v", r)
	}
	// A region writes its own row only: the policy refuses 南京市 writing 无锡市's.
	err := x.db.Store.InRegion(context.Background(), "320100", func(ctx context.Context) error {
		_, err := tenants.RegionDB(ctx).ExecContext(ctx, `INSERT INTO supervision.card_rules (region_code, region_path, red_after_days, refusal_colour, corrections_colour, callback_colour)
			VALUES ('320200', '/000000/320000/320200/', 9, 'red', 'red', 'red')`)
		return err
	})
	var pg *pgconn.PgError
	if !errors.As(err, &pg) || pg.Code != "42501" {
		t.Fatalf("南京市 writes 无锡市's rules: %v", err)
	}
	// The cards follow the nearest rules: 甲县 (南京市) is red one working day over, 丙县 (无锡市,
	// 江苏省's 5 days) still yellow.
	da, dc := x.overdueApp(t, x.a, 1), x.overdueApp(t, x.c, 1)
	x.publish(t, x.a)
	x.publish(t, x.c)
	cal := workday.National()
	for _, k := range []struct {
		c      *county
		id     uuid.UUID
		region string
		want   string
	}{{x.a, da.ID, "320100", "red"}, {x.c, dc.ID, "320200", "yellow"}} {
		day := cal.Add(dueOf(t, x, k.c, k.id), 1).In(clock.Zone).Add(10 * time.Hour)
		x.publishWith(t, x.at(day), k.c)
		if cards := x.regionCards(t, k.region, supervision.CardFilter{}); len(cards) != 1 || cards[0].Colour != k.want {
			t.Errorf("%s: %+v, want %s", k.region, cards, k.want)
		}
	}
}

// cardsOf gives each county one red card: an application 5 working days over its limit.
func (x *bundle) cardsOf(t *testing.T, cs ...*county) map[*county]uuid.UUID {
	t.Helper()
	out := map[*county]uuid.UUID{}
	for _, c := range cs {
		d := x.overdueApp(t, c, 1)
		x.publish(t, c)
		day := workday.National().Add(dueOf(t, x, c, d.ID), 5).In(clock.Zone).Add(10 * time.Hour)
		x.publishWith(t, x.at(day), c)
		out[c] = supervision.CardID(d.ID, "overdue")
	}
	return out
}

func TestEachReaderSeesOnlyTheirCounties(t *testing.T) {
	t.Parallel()
	x := setup(t)
	ids := x.cardsOf(t, x.a, x.b, x.c)
	counties := func(cards []supervision.CardView) []string {
		var out []string
		for _, c := range cards {
			out = append(out, c.CountyName)
		}
		slices.Sort(out)
		return out
	}
	// 南京市's supervisor: its two counties' cards, not 无锡市's 丙县.
	if got := counties(x.regionCards(t, "320100", supervision.CardFilter{})); !slices.Equal(got, []string{"乙县", "甲县"}) {
		t.Errorf("南京市 sees %v", got)
	}
	if got := x.regionCards(t, "320100", supervision.CardFilter{County: x.c.ID}); len(got) != 0 {
		t.Errorf("南京市 filters to 丙县: %v", got)
	}
	if got := counties(x.regionCards(t, "320000", supervision.CardFilter{})); !slices.Equal(got, []string{"丙县", "乙县", "甲县"}) {
		t.Errorf("江苏省 sees %v", got)
	}
	// A county admin: their own cards only, with the clerk's name the region never sees.
	var own []supervision.CardView
	x.as(t, x.a, x.a.Admin, func(ctx context.Context) (err error) {
		own, err = supervision.CountyCards(ctx, "")
		own = limitCards(own)
		return err
	})
	if len(own) != 1 || own[0].ID != ids[x.a] || own[0].ClerkName != "成员0002" {
		t.Fatalf("甲县 sees %+v", own)
	}
	for _, c := range x.regionCards(t, "320100", supervision.CardFilter{}) {
		if c.ClerkName != "" {
			t.Errorf("a region sees a clerk's name: %+v", c)
		}
	}
}

func TestOrderReplyAndClose(t *testing.T) {
	t.Parallel()
	x := setup(t)
	ids := x.cardsOf(t, x.a)
	card := ids[x.a]
	in := supervision.OrderIn{Instruction: "请于期限内办结并说明超期原因", DueOn: clock.Today(clock.System{}).AddDays(7).String()}
	issue := func(code string) (*supervision.Order, error) {
		var o *supervision.Order
		err := x.db.Store.InRegion(context.Background(), code, func(ctx context.Context) (err error) { o, err = x.svc.IssueOrder(ctx, card, in); return err })
		return o, err
	}
	// Another city's supervisor: no such card.
	if _, err := issue("320200"); !isStatus(err, 404) {
		t.Fatalf("无锡市 orders 甲县: %v", err)
	}
	o, err := issue("320100")
	if err != nil || o.Status != "issued" || o.IssuedBy != "320100" {
		t.Fatalf("order: %+v %v", o, err)
	}
	if _, err := issue("320000"); !isStatus(err, 409) {
		t.Fatalf("a second order: %v", err)
	}
	// The county cannot issue an order (no INSERT policy for it), nor close one (the guard).
	var pg *pgconn.PgError
	err = x.a.As(t, x.db, x.a.Admin, func(ctx context.Context) error {
		_, err := tenants.DB(ctx).ExecContext(ctx, `INSERT INTO supervision.card_orders (tenant_id, card_id, region_path, issued_by, instruction, due_on)
			VALUES (?, ?, '/000000/320000/320100/', '320100', '自己督办', current_date)`, x.a.ID, uuid.New())
		return err
	})
	if !errors.As(err, &pg) || pg.Code != "42501" {
		t.Fatalf("the county inserts an order: %v", err)
	}
	err = x.a.As(t, x.db, x.a.Admin, func(ctx context.Context) error {
		_, err := tenants.DB(ctx).ExecContext(ctx, `UPDATE supervision.card_orders SET status = 'closed' WHERE tenant_id = ? AND card_id = ?`, x.a.ID, card)
		return err
	})
	if !errors.As(err, &pg) || pg.Code != "42501" {
		t.Fatalf("the county closes its order: %v", err)
	}
	// Closing before the county replied is refused.
	closeOrder := func(code string) (*supervision.Order, error) {
		var o *supervision.Order
		err := x.db.Store.InRegion(context.Background(), code, func(ctx context.Context) (err error) { o, err = x.svc.CloseOrder(ctx, card); return err })
		return o, err
	}
	if _, err := closeOrder("320100"); !isStatus(err, 409) {
		t.Fatalf("close before the reply: %v", err)
	}
	// A reply carrying an ID number or a phone number goes nowhere: 422 on body.reply.
	reply := func(text string) (*supervision.Order, error) {
		var o *supervision.Order
		err := x.a.As(t, x.db, x.a.Admin, func(ctx context.Context) (err error) {
			o, err = x.svc.Reply(ctx, card, supervision.ReplyIn{Reply: text})
			return err
		})
		return o, err
	}
	for _, bad := range []string{"已联系申请人 110105198503120020 补办", "已电话回访 139 1234 5678", "已联系申请人１３９１２３４５６７８"} {
		_, err := reply(bad)
		var pe *problem.Error
		if !errors.As(err, &pe) || pe.Status != 422 || len(pe.Fields) != 1 || pe.Fields[0].Location != "body.reply" {
			t.Errorf("reply %q: %v", bad, err)
		}
	}
	// Another county cannot reply to 甲县's order.
	err = x.b.As(t, x.db, x.b.Admin, func(ctx context.Context) error {
		_, err := x.svc.Reply(ctx, card, supervision.ReplyIn{Reply: "已整改完毕"})
		return err
	})
	if !isStatus(err, 404) {
		t.Fatalf("乙县 replies to 甲县: %v", err)
	}
	// A region cannot write the reply (the guard), even on its own order.
	err = x.db.Store.InRegion(context.Background(), "320100", func(ctx context.Context) error {
		_, err := tenants.RegionDB(ctx).ExecContext(ctx, `UPDATE supervision.card_orders SET reply = '代为回复', status = 'replied' WHERE tenant_id = ? AND card_id = ?`, x.a.ID, card)
		return err
	})
	if !errors.As(err, &pg) || pg.Code != "42501" {
		t.Fatalf("the region writes the reply: %v", err)
	}
	if o, err := reply("已督促县民政局于当日办结，并对经办窗口进行约谈"); err != nil || o.Status != "replied" {
		t.Fatalf("reply: %+v %v", o, err)
	}
	if _, err := reply("再次回复"); !isStatus(err, 409) {
		t.Fatalf("a second reply: %v", err)
	}
	// Sent back, replied again, then closed: the card is closed.
	if err := x.db.Store.InRegion(context.Background(), "320100", func(ctx context.Context) error {
		_, err := x.svc.ReturnOrder(ctx, card, "请补充整改措施")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if o, err := reply("已补充：建立超期预警日报制度"); err != nil || o.Status != "replied" {
		t.Fatalf("second reply after return: %+v %v", o, err)
	}
	if o, err := closeOrder("320100"); err != nil || o.Status != "closed" {
		t.Fatalf("close: %+v %v", o, err)
	}
	cards := x.regionCards(t, "320100", supervision.CardFilter{})
	if len(cards) != 1 || cards[0].Status != "closed" || cards[0].Order == nil || cards[0].Order.Reply == nil || !strings.Contains(*cards[0].Order.Reply, "日报") {
		t.Fatalf("closed card: %+v", cards)
	}
	// Every round stays on record, oldest first: the reply sent back and the note that sent it
	// back too, each step by whoever took it, chained (VerifyOrderHistory).
	h := cards[0].Order.History
	type step struct{ action, kind, actor, body string }
	var got []step
	for _, e := range h {
		b := ""
		if e.Body != nil {
			b = *e.Body
		}
		got = append(got, step{e.Action, e.ActorKind, e.Actor, b})
	}
	want := []step{
		{"issued", "region", "320100", in.Instruction},
		{"replied", "county", cards[0].CountyCode, "已督促县民政局于当日办结，并对经办窗口进行约谈"},
		{"returned", "region", "320100", "请补充整改措施"},
		{"replied", "county", cards[0].CountyCode, "已补充：建立超期预警日报制度"},
		{"closed", "region", "320100", ""},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("history %+v, want %+v", got, want)
	}
	if h[0].ActorName != "南京市" || h[1].ActorName != "甲县" {
		t.Errorf("the steps' takers are named: %q, %q", h[0].ActorName, h[1].ActorName)
	}
	if h[0].DueOn == nil || h[0].DueOn.Format("2006-01-02") != in.DueOn {
		t.Errorf("the order's step carries its due date: %v", h[0].DueOn)
	}
	if err := supervision.VerifyOrderHistory(h); err != nil {
		t.Fatalf("the history as written: %v", err)
	}
	// The county sees the same history of its own order.
	x.as(t, x.a, x.a.Admin, func(ctx context.Context) error {
		own, err := supervision.CountyCards(ctx, "closed")
		if err != nil || len(own) != 1 || own[0].ID != card || own[0].Order == nil || len(own[0].Order.History) != len(want) {
			t.Errorf("甲县's view of the history: %+v %v", own, err)
		}
		return err
	})
	// Nobody rewrites a step: not the region, not the county.
	err = x.db.Store.InRegion(context.Background(), "320100", func(ctx context.Context) error {
		_, err := tenants.RegionDB(ctx).ExecContext(ctx, `UPDATE supervision.card_order_events SET body = '未退回' WHERE tenant_id = ? AND card_id = ? AND seq = 3`, x.a.ID, card)
		return err
	})
	if !errors.As(err, &pg) || pg.Code != "42501" {
		t.Fatalf("the region rewrites its return: %v", err)
	}
	err = x.a.As(t, x.db, x.a.Admin, func(ctx context.Context) error {
		_, err := tenants.DB(ctx).ExecContext(ctx, `DELETE FROM supervision.card_order_events WHERE tenant_id = ? AND card_id = ? AND seq = 3`, x.a.ID, card)
		return err
	})
	if !errors.As(err, &pg) || pg.Code != "42501" {
		t.Fatalf("the county deletes the return: %v", err)
	}
	// A county cannot write a region's step, nor a region a county's.
	err = x.a.As(t, x.db, x.a.Admin, func(ctx context.Context) error {
		_, err := tenants.DB(ctx).ExecContext(ctx, `INSERT INTO supervision.card_order_events (tenant_id, card_id, region_path, action, actor_kind, actor, hash)
			VALUES (?, ?, '/000000/320000/320100/', 'closed', 'region', '320100', '')`, x.a.ID, card)
		return err
	})
	if !errors.As(err, &pg) || pg.Code != "42501" {
		t.Fatalf("the county writes a region's step: %v", err)
	}
	// Changed behind the application's back (by the database's owner, triggers off), the step is
	// found.
	conn, err := x.db.Owner.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(context.Background(), `SET session_replication_role = replica`); err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(context.Background(), `UPDATE supervision.card_order_events SET body = '未退回' WHERE tenant_id = $1 AND card_id = $2 AND seq = 3`, x.a.ID, card)
	_, _ = conn.Exec(context.Background(), `SET session_replication_role = origin`)
	conn.Release()
	if err != nil {
		t.Fatal(err)
	}
	tampered := x.regionCards(t, "320100", supervision.CardFilter{})[0].Order.History
	if err := supervision.VerifyOrderHistory(tampered); err == nil || !strings.Contains(err.Error(), "step 3") {
		t.Fatalf("a changed step is not found: %v", err)
	}
	if err := supervision.VerifyOrderHistory(append(tampered[:1:1], tampered[2:]...)); err == nil || !strings.Contains(err.Error(), "step 2") {
		t.Fatalf("a removed step is not found: %v", err)
	}

	// The county's reply is in its audit chain.
	var n int
	if err := x.a.As(t, x.db, nil, func(ctx context.Context) error {
		return tenants.DB(ctx).NewRaw("SELECT count(*) FROM audit_events WHERE tenant_id = ? AND action = 'supervision.order_reply'", x.a.ID).Scan(ctx, &n)
	}); err != nil || n != 2 {
		t.Fatalf("audited replies: %d %v", n, err)
	}
}

func TestAdvicePDF(t *testing.T) {
	t.Parallel()
	x := setup(t)
	x.cardsOf(t, x.a)
	var pdf []byte
	x.region(t, "320100", func(ctx context.Context) (err error) { pdf, _, err = x.svc.Advice(ctx, x.a.ID); return err })
	if err := x.db.Store.InRegion(context.Background(), "320200", func(ctx context.Context) error {
		_, _, err := x.svc.Advice(ctx, x.a.ID)
		return err
	}); !isStatus(err, 404) {
		t.Fatalf("无锡市's advice to 甲县: %v", err)
	}
	path := filepath.Join(t.TempDir(), "advice.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := strings.Join(strings.Fields(string(out)), "")
	for _, want := range []string{"监察建议书", "南京市", "甲县：", "红牌2张", "办理超期或临期", "环节超期或临期", "临时救助申请", "未督办", "320100监建〔"} {
		if !strings.Contains(text, want) {
			t.Errorf("advice lacks %q:\n%s", want, out)
		}
	}
}

// The periodic sweep publishes a county again once a day for its time-driven cards, and not
// more often: a county evaluated today with nothing in its outbox gets no job.
func TestTheSweepEvaluatesCardsOnceADay(t *testing.T) {
	t.Parallel()
	x := setup(t)
	x.overdueApp(t, x.a, 1)
	x.publish(t, x.a)
	mine := func(j tenanttest.Job[supervision.PublishArgs]) bool { return j.Args.TenantID == x.a.ID }
	x.as(t, x.a, nil, x.svc.EnqueueIfPending)
	if jobs := tenanttest.Jobs(t, x.db, mine); len(jobs) != 0 {
		t.Fatalf("evaluated today, yet %d jobs", len(jobs))
	}
	if _, err := x.db.Owner.Exec(context.Background(), `UPDATE supervision.counties SET cards_on = cards_on - 1 WHERE tenant_id = $1`, x.a.ID); err != nil {
		t.Fatal(err)
	}
	x.as(t, x.a, nil, x.svc.EnqueueIfPending)
	if jobs := tenanttest.Jobs(t, x.db, mine); len(jobs) != 1 {
		t.Fatalf("evaluated yesterday: %d jobs", len(jobs))
	}
}

// A 差评 not called back by the rating settings' deadline raises a 黄牌 (国办发〔2019〕51号);
// the deadline passing is enough, with nothing changed in the county (the daily pass).
func TestALateCallbackRaisesACard(t *testing.T) {
	t.Parallel()
	x := setup(t)
	d := x.traffic(t, x.a)[2] // decided
	rating := &status.Service{Clock: clock.System{}}
	x.as(t, x.a, nil, func(ctx context.Context) error {
		tok, err := status.Token(ctx, d.ID)
		if err != nil {
			return err
		}
		_, err = rating.Rate(ctx, tok, "10.9.9.9", status.RateInput{Score: 1, Comment: "等了很久", Indicators: status.IndicatorsFor(1)[:1]})
		return err
	})
	x.publish(t, x.a)
	late := func() *supervision.CardView {
		for _, c := range x.regionCards(t, "320100", supervision.CardFilter{}) {
			if c.ApplicationID == d.ID && c.Rule == "late_callback" {
				return &c
			}
		}
		return nil
	}
	if c := late(); c != nil {
		t.Fatalf("a card before the callback deadline: %+v", c)
	}
	var row supervision.Application
	for _, a := range x.own(t, x.a).Applications {
		if a.ID == d.ID {
			row = a
		}
	}
	if row.Rating == nil || *row.Rating != 1 || row.CallbackDueOn == nil || row.CallbackLate {
		t.Fatalf("published 差评: %+v", row)
	}
	// Five days on, nobody called: the daily pass finds it late.
	x.publishWith(t, x.at(time.Now().AddDate(0, 0, 5)), x.a)
	if c := late(); c == nil || c.Colour != "yellow" || c.DueOn == nil {
		t.Fatalf("late callback card: %+v", c)
	}
}
