package workday

import (
	"testing"
	"time"
)

// Working hours of a 差评's 回访 limit. 国办发〔2019〕51号 has every 差评 called back and
// rectified within working time (the domain brief: the callback within 1 day in Zhejiang,
// rectification within 5, 7 or 15 working days); so the limit runs only in the hall's office
// hours (DefaultOfficeHours: 9:00–12:00, 13:30–17:30, seven hours a day) of the county's
// working days, never through a night, a Sunday or a holiday.
func TestAddWorkingHours(t *testing.T) {
	t.Parallel()
	cst := time.FixedZone("CST", 8*3600)
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, cst)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	h := DefaultOfficeHours(cst)
	if h.PerDay() != 7*time.Hour {
		t.Fatalf("a working day has %v, want 7h", h.PerDay())
	}
	cases := []struct {
		name, from string
		hours      float64
		want       string
	}{
		// 1.5 h on Friday, 3 h Monday morning, 3.5 h Monday afternoon.
		{"Friday 16:00 + 8 h runs over the weekend to Monday", "2026-12-04 16:00", 8, "2026-12-07 17:00"},
		{"a rating on Saturday starts counting on Monday", "2026-12-05 10:00", 7, "2026-12-07 17:30"},
		{"after closing counts from the next morning", "2026-12-07 20:00", 1, "2026-12-08 10:00"},
		{"the lunch break does not count", "2026-12-08 11:30", 1, "2026-12-08 14:00"},
		{"used up at the close falls due at the close", "2026-12-08 09:00", 7, "2026-12-08 17:30"},
		// 国庆节 2026-10-01..07 is off (国办发明电〔2025〕 schedule), 10-08 a Thursday.
		{"a holiday in between", "2026-09-30 16:00", 8, "2026-10-08 17:00"},
		// 春节 2027-02-05..13 is off; Sunday 2027-02-14 is a make-up working day (调休上班).
		{"2027 Spring Festival, then the make-up Sunday counts", "2027-02-04 16:00", 8, "2027-02-14 17:00"},
		{"2027 Spring Festival: one working day from the make-up Sunday", "2027-02-14 17:00", 7, "2027-02-15 17:00"},
	}
	for _, tc := range cases {
		got := National().AddWorkingHours(at(tc.from), time.Duration(tc.hours*float64(time.Hour)), h)
		if !got.Equal(at(tc.want)) {
			t.Errorf("%s: %s + %vh = %s, want %s", tc.name, tc.from, tc.hours, got.In(cst).Format("2006-01-02 15:04 Mon"), tc.want)
		}
		if wd := got.In(cst).Weekday(); (wd == time.Sunday || wd == time.Saturday) && !National().IsWorkday(DateOf(got.In(cst))) {
			t.Errorf("%s: due on a day off %s", tc.name, got)
		}
	}
	// A county closure (a flood day) moves the limit too.
	c, err := New(nil, []Closure{{Date: Date{2026, time.December, 7}, Working: false, Reason: "洪水"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.AddWorkingHours(at("2026-12-04 16:00"), 8*time.Hour, h); !got.Equal(at("2026-12-08 17:00")) {
		t.Errorf("with Monday closed: %s, want 2026-12-08 17:00", got.In(cst))
	}
	if got := c.AddWorkingHours(at("2026-12-04 16:00"), 0, h); !got.Equal(at("2026-12-04 16:00")) {
		t.Errorf("zero hours moved the time: %s", got)
	}
}
