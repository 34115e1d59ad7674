package workday

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// The supported range. Every calendar holds an index for each of these years;
// ParseDate refuses years outside it so that user input never reaches the
// panics in Calendar's methods.
const (
	MinYear = 1990
	MaxYear = 2100
)

// Date is a civil date (no time, no zone). The zero Date means "no date".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate parses "YYYY-MM-DD" strictly: four-digit year, two-digit month and
// day, nothing around them, a real calendar day, year within MinYear..MaxYear.
func ParseDate(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, fmt.Errorf("workday: date %q is not in the form YYYY-MM-DD", s)
	}
	var v [3]int
	for i, f := range [3]string{s[:4], s[5:7], s[8:]} {
		for _, c := range []byte(f) {
			if c < '0' || c > '9' {
				return Date{}, fmt.Errorf("workday: date %q is not in the form YYYY-MM-DD", s)
			}
			v[i] = v[i]*10 + int(c-'0')
		}
	}
	d := Date{v[0], time.Month(v[1]), v[2]}
	switch {
	case d.Month < time.January || d.Month > time.December:
		return Date{}, fmt.Errorf("workday: date %q: month %d does not exist", s, v[1])
	case d.Day < 1 || d.Day > daysIn(d.Year, d.Month):
		return Date{}, fmt.Errorf("workday: date %q: %s %d has no day %d", s, d.Month, d.Year, d.Day)
	case d.Year < MinYear || d.Year > MaxYear:
		return Date{}, fmt.Errorf("workday: date %q: year outside the supported range %d-%d", s, MinYear, MaxYear)
	}
	return d, nil
}

// DateOf returns the date t falls on in t's location: a caller that wants the
// county's date must pass t.In(China's zone), not a UTC instant.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// String returns "YYYY-MM-DD".
func (d Date) String() string { return string(d.append(nil)) }

func (d Date) append(b []byte) []byte {
	return fmt.Appendf(b, "%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// AddDays returns the date n calendar days after d (before it when n < 0).
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 0, 0, 0, 0, time.UTC))
}

// AddYears returns the day a period of n years from d ends on (民法典 arts. 201, 202): the
// day of the n-th year that corresponds to d, or the last day of that month when it has no
// such day — a year from 29 February ends on 28 February in a common year. (time.AddDate
// would normalise 29 February to 1 March.)
func (d Date) AddYears(n int) Date {
	y := d.Year + n
	return Date{y, d.Month, min(d.Day, daysIn(y, d.Month))}
}

// Before reports whether d is earlier than o.
func (d Date) Before(o Date) bool { return d.compare(o) < 0 }

// After reports whether d is later than o.
func (d Date) After(o Date) bool { return d.compare(o) > 0 }

func (d Date) compare(o Date) int {
	switch {
	case d.Year != o.Year:
		return d.Year - o.Year
	case d.Month != o.Month:
		return int(d.Month - o.Month)
	}
	return d.Day - o.Day
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.In(time.UTC).Weekday() }

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// In returns midnight at the start of d in loc.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// MarshalText returns "YYYY-MM-DD", or nothing for the zero Date so that an
// unset date survives a JSON round trip as "".
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte{}, nil
	}
	return d.append(nil), nil
}

// UnmarshalText accepts what ParseDate accepts, and "" for the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// exists is false for dates a struct literal can build but no calendar has
// (2025-02-30, month 13).
func (d Date) exists() bool {
	return d.Month >= time.January && d.Month <= time.December && d.Day >= 1 && d.Day <= daysIn(d.Year, d.Month)
}

func leap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// before[m] is the number of days in a common year before month m.
var before = [...]int{0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365}

func daysIn(y int, m time.Month) int {
	if m == time.February && leap(y) {
		return 29
	}
	return before[m+1] - before[m]
}

// yday is d's 0-based day of the year.
func (d Date) yday() int {
	n := before[d.Month] + d.Day - 1
	if d.Month > time.February && leap(d.Year) {
		n++
	}
	return n
}

// fromYday is the inverse of yday. yd/32 never overshoots the month, so the
// loop runs at most twice.
func fromYday(y, yd int) Date {
	l := 0
	if leap(y) {
		l = 1
	}
	start := func(m time.Month) int {
		if m > time.February {
			return before[m] + l
		}
		return before[m]
	}
	m := time.Month(yd/32 + 1)
	for m < time.December && start(m+1) <= yd {
		m++
	}
	return Date{y, m, yd - start(m) + 1}
}

// Scan reads a SQL date (the driver hands over a time.Time at midnight UTC, or text), so
// that stored models can hold a Date rather than a time.Time and a zone to get wrong.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case time.Time:
		*d = DateOf(v)
		return nil
	case string:
		return d.scanText(v)
	case []byte:
		return d.scanText(string(v))
	}
	return fmt.Errorf("workday: cannot scan %T into a Date", src)
}

func (d *Date) scanText(s string) error {
	if len(s) > 10 {
		s = s[:10]
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return fmt.Errorf("workday: scan date %q: %w", s, err)
	}
	*d = DateOf(t)
	return nil
}

// Value writes the Date as SQL text "YYYY-MM-DD", or NULL for the zero Date.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}
