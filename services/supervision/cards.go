package supervision

// 效能监察 (issue 16, item 4): red and yellow cards.
//
// A card is raised from what the county publishes, never from anything the county did not
// publish: the publishing job evaluates the rules on each application row it has just written
// (publishApplications → raiseCards), in the county's transaction, so the store and its cards
// move together. A card is keyed (tenant, application, rule): publishing again writes the same
// card, and a yellow card that becomes red is the same card, turned red in place (red_on). A
// card is a record of a fault: it is not withdrawn when the application is later decided.
//
// Time-driven rules (overdue by N working days, a 差评 callback not made by its deadline)
// change with the date, not with a change of the county's records; so once a day the job
// re-publishes the applications such a rule may yet raise or turn red (dailyCards), and the
// periodic sweep enqueues a county's job when its cards were last evaluated before today.
//
// The rules are a region's settings (CardRules): the nearest region up the county's path that
// has set them wins (a city over its province), the defaults otherwise.
//
// Step rules: the running back-office step (step_due_on, step_warning from the feed) has its own
// rule, RuleStepOverdue with Subject SubjectStep, on the same scale as the application's limit.

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/yichuang/yichuang/services/calendar"
	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
)

// Card colours, and "off" for a fault rule that raises nothing.
const (
	Yellow = "yellow"
	Red    = "red"
	Off    = "off"
)

// Rules.
const (
	// RuleOverdue: a limit in its yellow window or past its due date (行政许可法 第四十二条).
	RuleOverdue = "overdue"
	// RuleRefusalUnstated: 不予受理 without a stated reason (行政许可法 第三十二条 requires a
	// written decision stating why).
	RuleRefusalUnstated = "refusal_unstated"
	// RuleRepeatCorrections: more than one 补正 notice for one application (第三十二条: 一次告知).
	RuleRepeatCorrections = "repeat_corrections"
	// RuleLateCallback: a 差评 not called back by the callback deadline of the county's rating
	// settings (国办发〔2019〕51号).
	RuleLateCallback = "late_callback"
	// RuleStepOverdue: the running back-office step (环节时限) in its yellow window or past its
	// due date, on the same scale as RuleOverdue.
	RuleStepOverdue = "step_overdue"
)

// Subjects: what a card is about.
const (
	SubjectLimit = "limit"
	SubjectStep  = "step"
)

// RuleLabels are the rules' names as the pages and the 监察建议书 print them.
var RuleLabels = map[string]string{
	RuleOverdue:           "办理超期或临期",
	RuleRefusalUnstated:   "不予受理未说明理由",
	RuleRepeatCorrections: "多次补正告知",
	RuleLateCallback:      "差评未按期回访",
	RuleStepOverdue:       "环节超期或临期",
}

// ColourLabels name the colours.
var ColourLabels = map[string]string{Yellow: "黄牌", Red: "红牌"}

// minReasonRunes: a 不予受理 reason shorter than this does not state one (a word such as
// "不符" or "否" is not a reason the applicant can act on or challenge).
const minReasonRunes = 5

// CardRules are a region's rules for the counties under it.
type CardRules struct {
	bun.BaseModel `bun:"table:supervision.card_rules,alias:cr"`

	RegionCode string `bun:"region_code,pk" json:"region_code,omitempty" readOnly:"true"`
	RegionPath string `bun:"region_path" json:"-"`
	// RedAfterDays: a limit past its due date by this many working days or more is 红牌.
	RedAfterDays      int       `bun:"red_after_days" json:"red_after_days" minimum:"1" maximum:"30"`
	RefusalColour     string    `bun:"refusal_colour" json:"refusal_colour" enum:"yellow,red,off"`
	CorrectionsColour string    `bun:"corrections_colour" json:"corrections_colour" enum:"yellow,red,off"`
	CallbackColour    string    `bun:"callback_colour" json:"callback_colour" enum:"yellow,red,off"`
	UpdatedAt         time.Time `bun:"updated_at,nullzero,default:now()" json:"-"`
	// Default is true when no region up the path has set rules: these are the defaults.
	Default bool `bun:"-" json:"default" readOnly:"true"`
}

// DefaultCardRules are the common defaults: 红牌 from 3 working days over the limit, a
// refusal without a reason 红牌 (an unlawful decision), repeated 补正 and a late callback 黄牌.
func DefaultCardRules() CardRules {
	return CardRules{RedAfterDays: 3, RefusalColour: Red, CorrectionsColour: Yellow, CallbackColour: Yellow, Default: true}
}

// Check validates the rules as a region's supervisor sends them.
func (r CardRules) Check() error {
	var c problem.Checker
	c.Check(r.RedAfterDays >= 1 && r.RedAfterDays <= 30, "body.red_after_days", "红牌天数须为 1 至 30 个工作日", "red_after_days must be 1 to 30", r.RedAfterDays)
	for loc, v := range map[string]string{"body.refusal_colour": r.RefusalColour, "body.corrections_colour": r.CorrectionsColour, "body.callback_colour": r.CallbackColour} {
		c.Check(v == Yellow || v == Red || v == Off, loc, "须为黄牌、红牌或不启用", "must be yellow, red or off", v)
	}
	return c.Err()
}

// Raised is one card a rule raises on one application.
type Raised struct {
	Rule     string
	Subject  string
	Colour   string
	DueOn    *workday.Date
	DaysOver int
}

// Evaluate is the rules, pure: the cards the published row a raises under rules r on today,
// counting working days on cal. Same inputs, same cards.
func Evaluate(a Application, r CardRules, today workday.Date, cal *workday.Calendar) []Raised {
	var out []Raised
	// The application's limit: running and in the yellow window or past due; or decided late.
	if a.DueOn != nil {
		due := workday.DateOf(a.DueOn.UTC())
		end := today
		if a.DecidedOn != nil {
			end = workday.DateOf(a.DecidedOn.UTC())
		}
		running := a.DecidedOn == nil && runningState(a.State)
		if (running || a.DecidedOn != nil) && end.After(due) {
			over := cal.Count(due, end)
			colour := Yellow
			if over >= r.RedAfterDays {
				colour = Red
			}
			out = append(out, Raised{Rule: RuleOverdue, Subject: SubjectLimit, Colour: colour, DueOn: &due, DaysOver: over})
		} else if running && a.Warning == Yellow {
			out = append(out, Raised{Rule: RuleOverdue, Subject: SubjectLimit, Colour: Yellow, DueOn: &due})
		}
	}
	// The running back-office step (环节时限): the same rule on the step's own due date. A
	// card raised while a step ran stays when the step ends (cards are records, and turn red
	// only in place), so a step finished late keeps its card.
	if a.StepDueOn != nil && a.DecidedOn == nil && runningState(a.State) {
		due := workday.DateOf(a.StepDueOn.UTC())
		if today.After(due) {
			over := cal.Count(due, today)
			colour := Yellow
			if over >= r.RedAfterDays {
				colour = Red
			}
			out = append(out, Raised{Rule: RuleStepOverdue, Subject: SubjectStep, Colour: colour, DueOn: &due, DaysOver: over})
		} else if a.StepWarning == Yellow {
			out = append(out, Raised{Rule: RuleStepOverdue, Subject: SubjectStep, Colour: Yellow, DueOn: &due})
		}
	}
	if a.RefusalUnstated && r.RefusalColour != Off {
		out = append(out, Raised{Rule: RuleRefusalUnstated, Subject: SubjectLimit, Colour: r.RefusalColour})
	}
	if a.Corrections > 1 && r.CorrectionsColour != Off {
		out = append(out, Raised{Rule: RuleRepeatCorrections, Subject: SubjectLimit, Colour: r.CorrectionsColour})
	}
	if a.CallbackLate && r.CallbackColour != Off {
		var due *workday.Date
		if a.CallbackDueOn != nil {
			d := workday.DateOf(a.CallbackDueOn.UTC())
			due = &d
		}
		out = append(out, Raised{Rule: RuleLateCallback, Subject: SubjectLimit, Colour: r.CallbackColour, DueOn: due})
	}
	return out
}

// runningState: the states in which the limit runs (not closed, not withdrawn or refused).
func runningState(s string) bool {
	switch s {
	case "received", "correcting", "accepted", "processing", "paused", "proxy_received":
		return true
	}
	return false
}

// cardFacts fills the published row's card facts from the county's source row, at now.
func cardFacts(row *Application, a source, now time.Time) {
	row.RefusalUnstated = a.Rejected && utf8.RuneCountInString(trimSpace(a.CloseReason)) < minReasonRunes
	if a.CallbackDue != nil {
		d := a.CallbackDue.In(clock.Zone)
		on := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
		row.CallbackDueOn = &on
		row.CallbackLate = (a.CalledAt != nil && a.CalledAt.After(*a.CallbackDue)) || (a.CalledAt == nil && now.After(*a.CallbackDue))
	}
}

func trimSpace(s string) string {
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		if r != ' ' && r != '\t' && r != '\n' && r != '\r' && r != '　' {
			break
		}
		s = s[n:]
	}
	for len(s) > 0 {
		r, n := utf8.DecodeLastRuneInString(s)
		if r != ' ' && r != '\t' && r != '\n' && r != '\r' && r != '　' {
			break
		}
		s = s[:len(s)-n]
	}
	return s
}

// Card is a card as the store holds it.
type Card struct {
	bun.BaseModel `bun:"table:supervision.cards,alias:sc2"`

	TenantID      uuid.UUID  `bun:"tenant_id,pk,type:uuid" json:"tenant_id"`
	ID            uuid.UUID  `bun:"id,pk,type:uuid" json:"id"`
	ApplicationID uuid.UUID  `bun:"application_id,type:uuid" json:"application_id"`
	Rule          string     `bun:"rule" json:"rule" enum:"overdue,refusal_unstated,repeat_corrections,late_callback,step_overdue"`
	Subject       string     `bun:"subject" json:"subject" enum:"limit,step"`
	RegionPath    string     `bun:"region_path" json:"-"`
	Colour        string     `bun:"colour" json:"colour" enum:"yellow,red"`
	ItemName      string     `bun:"item_name" json:"item_name"`
	Township      string     `bun:"township" json:"township"`
	Department    string     `bun:"department" json:"department"`
	ClerkRef      string     `bun:"clerk_ref" json:"clerk_ref"`
	DueOn         *time.Time `bun:"due_on,type:date" json:"due_on,omitempty" format:"date"`
	DaysOver      int        `bun:"days_over" json:"days_over"`
	RaisedOn      time.Time  `bun:"raised_on,type:date" json:"raised_on" format:"date"`
	RedOn         *time.Time `bun:"red_on,type:date" json:"red_on,omitempty" format:"date"`
}

// CardID is a card's id: the same application and rule always name the same card.
func CardID(application uuid.UUID, rule string) uuid.UUID {
	return uuid.NewSHA1(application, []byte("card:"+rule))
}

// rulesFor reads the rules for a county at path: the nearest region up the path that set them
// (paths are digits and slashes by the registry's CHECK, so a path needs no LIKE escape).
func rulesFor(ctx context.Context, db bun.IDB, path string) (CardRules, error) {
	r := CardRules{}
	err := db.NewSelect().Model(&r).Where("? LIKE cr.region_path || '%'", path).
		OrderExpr("length(cr.region_path) DESC").Limit(1).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultCardRules(), nil
	}
	return r, err
}

// raiseCards evaluates the rules on the rows just published and writes their cards, in the
// county's transaction. A card already there keeps its raised date; it turns red in place and
// never back to yellow.
func (s *Service) raiseCards(ctx context.Context, c *County, rows []Application) error {
	if len(rows) == 0 {
		return nil
	}
	db := tenants.DB(ctx)
	rules, err := rulesFor(ctx, db, c.RegionPath)
	if err != nil {
		return err
	}
	cal, err := calendar.For(ctx)
	if err != nil {
		return err
	}
	today := clock.Today(s.clock())
	var cards []Card
	for _, a := range rows {
		for _, r := range Evaluate(a, rules, today, cal) {
			k := Card{TenantID: c.TenantID, ID: CardID(a.ID, r.Rule), ApplicationID: a.ID, Rule: r.Rule, Subject: r.Subject,
				RegionPath: c.RegionPath, Colour: r.Colour, ItemName: a.ItemName, Township: a.Township, Department: a.Department,
				ClerkRef: a.ClerkRef, DaysOver: r.DaysOver, RaisedOn: today.In(time.UTC)}
			if r.DueOn != nil {
				d := r.DueOn.In(time.UTC)
				k.DueOn = &d
			}
			if r.Colour == Red {
				k.RedOn = &k.RaisedOn
			}
			cards = append(cards, k)
		}
	}
	if len(cards) == 0 {
		return nil
	}
	_, err = db.NewInsert().Model(&cards).On("CONFLICT (tenant_id, application_id, rule) DO UPDATE").
		Set(`colour = CASE WHEN sc2.colour = 'red' THEN 'red' ELSE EXCLUDED.colour END,
			red_on = coalesce(sc2.red_on, EXCLUDED.red_on),
			days_over = greatest(sc2.days_over, EXCLUDED.days_over), due_on = EXCLUDED.due_on,
			region_path = EXCLUDED.region_path, item_name = EXCLUDED.item_name, township = EXCLUDED.township,
			department = EXCLUDED.department, clerk_ref = EXCLUDED.clerk_ref`).
		Where("sc2.tenant_id = ?", c.TenantID).Exec(ctx)
	return err
}

func (s *Service) clock() clock.Clock {
	if s.Clock == nil {
		return clock.System{}
	}
	return s.Clock
}

// dailyLookback bounds the 差评 whose callback the daily pass looks at again.
const dailyLookback = 14

// dailyCards, once a day per county, publishes again the applications a time-driven rule may
// yet raise or turn red: running ones in the yellow window or past due, and recent 差评 not yet
// found late. Publishing reads the county's records as they stand, so this is the same path.
func (s *Service) dailyCards(ctx context.Context, c *County) error {
	today := clock.Today(s.clock())
	behind, err := cardsBehind(ctx, today)
	if err != nil || !behind {
		return err
	}
	db := tenants.DB(ctx)
	var ids []uuid.UUID
	if err := db.NewSelect().Model((*Application)(nil)).Column("sa.id").
		Where("sa.tenant_id = ?", c.TenantID).
		Where("(sa.decided_on IS NULL AND (sa.warning <> 'normal' OR sa.due_on < ?)) OR (sa.rating <= 2 AND NOT sa.callback_late AND sa.callback_due_on >= ?)",
			today.In(time.UTC), today.AddDays(-dailyLookback).In(time.UTC)).
		Scan(ctx, &ids); err != nil {
		return err
	}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		if _, err := s.publishApplications(ctx, c, ids[:n]); err != nil {
			return err
		}
		ids = ids[n:]
	}
	_, err = db.NewUpdate().Model((*County)(nil)).Set("cards_on = ?", today.In(time.UTC)).Where("tenant_id = ?", c.TenantID).Exec(ctx)
	return err
}

// cardsBehind reports whether the county of ctx, once published, last evaluated its cards
// before today.
func cardsBehind(ctx context.Context, today workday.Date) (bool, error) {
	return tenants.DB(ctx).NewSelect().Model((*County)(nil)).
		Where("tenant_id = ? AND (cards_on IS NULL OR cards_on < ?)", tenants.CurrentID(ctx), today.In(time.UTC)).Exists(ctx)
}

var errNoCard = &problem.Error{Status: http.StatusNotFound, Code: "card_not_found", Message: "找不到该监察记录", MessageEn: "no such card"}
