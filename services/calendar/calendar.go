// Package calendar is a county's working-day calendar: the national schedule plus what the
// county enters (local closures, extra working days, whole years the State Council has
// published before any library carries them). Changes apply to new computations at once and
// recompute open deadlines through a job.
package calendar

import (
	"context"
	"encoding/json"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/settings"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
)

// Day is a single-day local override.
type Day struct {
	bun.BaseModel `bun:"table:calendar_days,alias:cd"`

	TenantID  uuid.UUID `bun:"tenant_id,pk,type:uuid" json:"-"`
	Day       time.Time `bun:"day,pk,type:date" json:"-"`
	Working   bool      `bun:"working" json:"working"`
	Reason    string    `bun:"reason" json:"reason"`
	CreatedBy uuid.UUID `bun:"created_by,type:uuid,nullzero" json:"-"`
	CreatedAt time.Time `bun:"created_at,nullzero,default:now()" json:"-"`
}

// Year is a whole year's schedule entered by a county admin.
type Year struct {
	bun.BaseModel `bun:"table:calendar_years,alias:cy"`

	TenantID  uuid.UUID       `bun:"tenant_id,pk,type:uuid"`
	Year      int             `bun:"year,pk"`
	Holidays  []workday.Block `bun:"holidays,type:jsonb"`
	Makeups   []workday.Date  `bun:"makeups,type:jsonb"`
	CreatedBy uuid.UUID       `bun:"created_by,type:uuid,nullzero"`
	UpdatedAt time.Time       `bun:"updated_at,nullzero,default:now()"`
}

// cache holds each tenant's built calendar with the revision it was built from. It is
// derived, immutable data; a stale entry is replaced when the revision moves.
var cache sync.Map // uuid.UUID → *entry

type entry struct {
	rev int64
	cal *workday.Calendar
}

// For returns the calendar of the transaction's tenant.
func For(ctx context.Context) (*workday.Calendar, error) {
	st, err := settings.Get(ctx)
	if err != nil {
		return nil, err
	}
	return Of(ctx, st)
}

// Of returns the calendar of the transaction's tenant whose settings (and so calendar
// revision) the caller has already read.
func Of(ctx context.Context, st *settings.Settings) (*workday.Calendar, error) {
	tx, _ := tenants.TxFrom(ctx)
	if e, ok := cache.Load(tx.TenantID()); ok && e.(*entry).rev == st.CalendarRev {
		return e.(*entry).cal, nil
	}
	if st.CalendarRev == 0 {
		return workday.National(), nil
	}
	cal, err := build(ctx)
	if err != nil {
		return nil, err
	}
	cache.Store(tx.TenantID(), &entry{rev: st.CalendarRev, cal: cal})
	return cal, nil
}

// load reads the county's stored calendar data.
func load(ctx context.Context) ([]Day, []Year, error) {
	var days []Day
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&days)).Order("cd.day").Scan(ctx); err != nil {
		return nil, nil, err
	}
	var years []Year
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&years)).Order("cy.year").Scan(ctx); err != nil {
		return nil, nil, err
	}
	return days, years, nil
}

func build(ctx context.Context) (*workday.Calendar, error) {
	days, years, err := load(ctx)
	if err != nil {
		return nil, err
	}
	return assemble(days, years, nil, nil)
}

// assemble builds a calendar from stored data plus one proposed change, so a change that
// would make the calendar invalid is refused before it is stored.
func assemble(days []Day, years []Year, extraDay *Day, extraYear *Year) (*workday.Calendar, error) {
	var overrides []workday.Closure
	for _, d := range days {
		if extraDay != nil && d.Day.Equal(extraDay.Day) {
			continue
		}
		overrides = append(overrides, workday.Closure{Date: workday.DateOf(d.Day), Working: d.Working, Reason: d.Reason})
	}
	if extraDay != nil {
		overrides = append(overrides, workday.Closure{Date: workday.DateOf(extraDay.Day), Working: extraDay.Working, Reason: extraDay.Reason})
	}
	var ys []workday.Year
	for _, y := range years {
		if extraYear != nil && y.Year == extraYear.Year {
			continue
		}
		ys = append(ys, workday.Year{Year: y.Year, Holidays: y.Holidays, Makeups: y.Makeups})
	}
	if extraYear != nil {
		ys = append(ys, workday.Year{Year: extraYear.Year, Holidays: extraYear.Holidays, Makeups: extraYear.Makeups})
	}
	cal, err := workday.New(ys, overrides)
	if err != nil {
		return nil, problem.Invalid(problem.Field{Location: "body", Message: "日历数据有误：" + err.Error(), MessageEn: "calendar data is invalid: " + err.Error()})
	}
	return cal, nil
}

// Service changes a county's calendar. Every change bumps the calendar's revision and is
// reported to Settings (settings.Service.Changed), whose wired hook recomputes open deadlines.
type Service struct {
	Settings *settings.Service
}

// SetDay adds or replaces a local override.
func (s *Service) SetDay(ctx context.Context, d workday.Date, working bool, reason string) error {
	var c problem.Checker
	n := utf8.RuneCountInString(reason)
	c.Check(n >= 1 && n <= 100, "body.reason", "请填写原因（至多 100 字）", "a reason of at most 100 characters is required", reason)
	if err := c.Err(); err != nil {
		return err
	}
	a, _ := tenants.ActorFrom(ctx)
	tx, _ := tenants.TxFrom(ctx)
	row := &Day{TenantID: tx.TenantID(), Day: d.In(time.UTC), Working: working, Reason: reason}
	if a != nil {
		row.CreatedBy = a.IdentityID
	}
	if err := validateWith(ctx, row, nil); err != nil {
		return err
	}
	if _, err := tenants.DB(ctx).NewInsert().Model(row).On("CONFLICT (tenant_id, day) DO UPDATE").
		Set("working = EXCLUDED.working, reason = EXCLUDED.reason, created_by = EXCLUDED.created_by, created_at = now()").Exec(ctx); err != nil {
		return err
	}
	return s.after(ctx, "calendar.day_set", d.String(), map[string]any{"date": d.String(), "working": working, "reason": reason}, d, d)
}

// DeleteDay removes a local override.
func (s *Service) DeleteDay(ctx context.Context, d workday.Date) error {
	res, err := tenants.Own(ctx, tenants.DB(ctx).NewDelete().Model((*Day)(nil))).Where("day = ?", d.In(time.UTC)).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return problem.NotFound("calendar_day_not_found", "该日期没有本县调整", "no local override on that date")
	}
	return s.after(ctx, "calendar.day_delete", d.String(), map[string]any{"date": d.String()}, d, d)
}

// PutYear stores a whole year's schedule, replacing the library's data for that year.
func (s *Service) PutYear(ctx context.Context, year int, holidays []workday.Block, makeups []workday.Date) error {
	a, _ := tenants.ActorFrom(ctx)
	tx, _ := tenants.TxFrom(ctx)
	row := &Year{TenantID: tx.TenantID(), Year: year, Holidays: holidays, Makeups: makeups}
	if row.Holidays == nil {
		row.Holidays = []workday.Block{}
	}
	if row.Makeups == nil {
		row.Makeups = []workday.Date{}
	}
	if a != nil {
		row.CreatedBy = a.IdentityID
	}
	if err := validateWith(ctx, nil, row); err != nil {
		return err
	}
	old, err := storedYear(ctx, year)
	if err != nil {
		return err
	}
	if _, err := tenants.DB(ctx).NewInsert().Model(row).On("CONFLICT (tenant_id, year) DO UPDATE").
		Set("holidays = EXCLUDED.holidays, makeups = EXCLUDED.makeups, created_by = EXCLUDED.created_by, updated_at = now()").Exec(ctx); err != nil {
		return err
	}
	summary, _ := json.Marshal(map[string]any{"holidays": holidays, "makeups": makeups})
	from, to := yearSpan(year, old, row)
	return s.after(ctx, "calendar.year_put", "", map[string]any{"year": year, "schedule": json.RawMessage(summary)}, from, to)
}

// DeleteYear drops an entered year (the library's data, if any, applies again).
func (s *Service) DeleteYear(ctx context.Context, year int) error {
	old, err := storedYear(ctx, year)
	if err != nil {
		return err
	}
	res, err := tenants.Own(ctx, tenants.DB(ctx).NewDelete().Model((*Year)(nil))).Where("year = ?", year).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return problem.NotFound("calendar_year_not_found", "本县未录入该年度安排", "no schedule entered for that year")
	}
	from, to := yearSpan(year, old)
	return s.after(ctx, "calendar.year_delete", "", map[string]any{"year": year}, from, to)
}

// storedYear is the county's entry for year, nil if it has none.
func storedYear(ctx context.Context, year int) (*Year, error) {
	var ys []Year
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&ys)).Where("cy.year = ?", year).Scan(ctx); err != nil || len(ys) == 0 {
		return nil, err
	}
	return &ys[0], nil
}

// yearSpan is the days whose status an entry for year can decide: the year itself, and any
// holiday or make-up working day an entry (before or after the change) places beyond it (a
// 元旦 make-up day falls in the December before).
func yearSpan(year int, entries ...*Year) (from, to workday.Date) {
	from, to = workday.Date{Year: year, Month: 1, Day: 1}, workday.Date{Year: year, Month: 12, Day: 31}
	widen := func(d workday.Date) {
		if d.IsZero() {
			return
		}
		if d.Before(from) {
			from = d
		}
		if d.After(to) {
			to = d
		}
	}
	for _, y := range entries {
		if y == nil {
			continue
		}
		for _, b := range y.Holidays {
			widen(b.From)
			widen(b.To)
		}
		for _, m := range y.Makeups {
			widen(m)
		}
	}
	return from, to
}

func validateWith(ctx context.Context, d *Day, y *Year) error {
	days, years, err := load(ctx)
	if err != nil {
		return err
	}
	_, err = assemble(days, years, d, y)
	return err
}

// after records a change that can move the working days from to to (inclusive) and tells
// Settings, whose hook recomputes the open deadlines counted over those days.
func (s *Service) after(ctx context.Context, action, target string, summary map[string]any, from, to workday.Date) error {
	if _, err := settings.BumpCalendar(ctx); err != nil {
		return err
	}
	if target == "" {
		target = "calendar"
	}
	if err := tenants.Audit(ctx, tenants.Change{Action: action, TargetType: "calendar", TargetID: target, Summary: summary}); err != nil {
		return err
	}
	return s.Settings.DaysChanged(ctx, from, to)
}

// Overrides lists the tenant's local data for the admin screen.
func Overrides(ctx context.Context) ([]Day, []Year, error) { return load(ctx) }
