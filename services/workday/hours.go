package workday

import "time"

// Session is one stretch of a working day the hall is open, as offsets from midnight.
type Session struct {
	From, To time.Duration
}

// OfficeHours are the hall's opening sessions on every working day of the calendar, in the
// county's zone. Working hours are counted only inside them.
type OfficeHours struct {
	Loc      *time.Location
	Sessions []Session // in order, not overlapping
}

// DefaultOfficeHours are 9:00–12:00 and 13:30–17:30 China time, seven working hours a day:
// the usual hours of a county 政务服务中心 (a county keeping other hours would set its own).
// One working day of a 回访 limit is therefore seven working hours.
func DefaultOfficeHours(loc *time.Location) OfficeHours {
	return OfficeHours{Loc: loc, Sessions: []Session{
		{9 * time.Hour, 12 * time.Hour},
		{13*time.Hour + 30*time.Minute, 17*time.Hour + 30*time.Minute},
	}}
}

// PerDay is how many working hours a working day has.
func (h OfficeHours) PerDay() time.Duration {
	var n time.Duration
	for _, s := range h.Sessions {
		n += s.To - s.From
	}
	return n
}

// AddWorkingHours returns the instant d of working time after from: time counts only inside
// the office hours of the calendar's working days, so a limit never runs through a night, a
// weekend or a holiday, and a make-up working day (调休上班, a Saturday or Sunday) counts. A
// limit used up exactly at a session's close falls due at the close, not at the next opening.
// d <= 0 returns from. It panics, as Add does, past the calendar's range.
func (c *Calendar) AddWorkingHours(from time.Time, d time.Duration, h OfficeHours) time.Time {
	if d <= 0 || h.PerDay() <= 0 {
		return from
	}
	t := from.In(h.Loc)
	for day := DateOf(t); ; day = day.AddDays(1) {
		if !c.IsWorkday(day) {
			continue
		}
		midnight := day.In(h.Loc)
		for _, s := range h.Sessions {
			start, end := midnight.Add(s.From), midnight.Add(s.To)
			if !t.Before(end) {
				continue
			}
			if t.Before(start) {
				t = start
			}
			if left := end.Sub(t); d <= left {
				return t.Add(d)
			} else {
				d -= left
			}
		}
	}
}
