package workday

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"
)

func at(s string) *Date {
	d := dt(s)
	return &d
}

func TestDeadline(t *testing.T) {
	t.Parallel()
	c := National()
	for _, tt := range []struct {
		name string
		l    Limit
		asOf string
		want Deadline
	}{
		{"plain", Limit{Start: dt("2025-03-03"), Days: 10}, "2025-03-03", Deadline{Due: dt("2025-03-17")}},
		{"extension", Limit{Start: dt("2025-03-03"), Days: 10, Extension: 3}, "2025-03-03", Deadline{Due: dt("2025-03-20")}},
		{"closed pause", Limit{Start: dt("2025-03-03"), Days: 10, Pauses: []Pause{{dt("2025-03-05"), at("2025-03-07")}}},
			"2025-03-20", Deadline{Due: dt("2025-03-19"), PausedDays: 2}},
		{"pause from a Saturday", Limit{Start: dt("2025-03-03"), Days: 10, Pauses: []Pause{{dt("2025-03-08"), at("2025-03-10")}}},
			"2025-03-20", Deadline{Due: dt("2025-03-18"), PausedDays: 1}},
		{"pause over a weekend only", Limit{Start: dt("2025-03-03"), Days: 10, Pauses: []Pause{{dt("2025-03-07"), at("2025-03-09")}}},
			"2025-03-20", Deadline{Due: dt("2025-03-17")}},
		{"two pauses", Limit{Start: dt("2025-03-03"), Days: 10, Pauses: []Pause{{dt("2025-03-08"), at("2025-03-10")}, {dt("2025-03-05"), at("2025-03-07")}}},
			"2025-03-20", Deadline{Due: dt("2025-03-20"), PausedDays: 3}},
		{"overlapping pauses", Limit{Start: dt("2025-03-03"), Days: 10, Pauses: []Pause{{dt("2025-03-05"), at("2025-03-07")}, {dt("2025-03-06"), at("2025-03-10")}}},
			"2025-03-20", Deadline{Due: dt("2025-03-20"), PausedDays: 3}},
		{"open pause", Limit{Start: dt("2025-03-03"), Days: 10, Pauses: []Pause{{dt("2025-03-05"), nil}}},
			"2025-03-12", Deadline{Due: dt("2025-03-24"), Paused: true, PausedDays: 5}},
		{"open pause counted on the day it starts", Limit{Start: dt("2025-03-03"), Days: 10, Pauses: []Pause{{dt("2025-03-05"), nil}}},
			"2025-03-05", Deadline{Due: dt("2025-03-17"), Paused: true}},
		{"open after closed", Limit{Start: dt("2025-03-03"), Days: 10, Extension: 2, Pauses: []Pause{{dt("2025-03-05"), at("2025-03-07")}, {dt("2025-03-14"), nil}}},
			"2025-03-18", Deadline{Due: dt("2025-03-25"), Paused: true, PausedDays: 4}},
		{"pause after due", Limit{Start: dt("2025-03-03"), Days: 10, Pauses: []Pause{{dt("2025-03-18"), at("2025-03-20")}}},
			"2025-03-20", Deadline{Due: dt("2025-03-17")}},
		{"pause on the due date", Limit{Start: dt("2025-03-03"), Days: 10, Pauses: []Pause{{dt("2025-03-17"), at("2025-03-19")}}},
			"2025-03-20", Deadline{Due: dt("2025-03-19"), PausedDays: 2}},
		{"pause from before start", Limit{Start: dt("2025-03-03"), Days: 10, Pauses: []Pause{{dt("2025-02-28"), at("2025-03-05")}}},
			"2025-03-20", Deadline{Due: dt("2025-03-19"), PausedDays: 2}},
		{"resumed before it started", Limit{Start: dt("2025-03-03"), Days: 10, Pauses: []Pause{{dt("2025-03-05"), at("2025-03-04")}}},
			"2025-03-20", Deadline{Due: dt("2025-03-17")}},
		{"across 国庆 with a pause", Limit{Start: dt("2024-09-27"), Days: 5, Pauses: []Pause{{dt("2024-09-29"), at("2024-10-09")}}},
			"2024-10-20", Deadline{Due: dt("2024-10-14"), PausedDays: 3}},
		{"即办件 on a holiday", Limit{Start: dt("2024-10-01")}, "2024-10-01", Deadline{Due: dt("2024-10-01")}},
		{"即办件 paused", Limit{Start: dt("2024-10-08"), Pauses: []Pause{{dt("2024-10-08"), at("2024-10-09")}}},
			"2024-10-09", Deadline{Due: dt("2024-10-09"), PausedDays: 1}},
		{"paused 即办件 still open", Limit{Start: dt("2024-10-08"), Pauses: []Pause{{dt("2024-10-08"), nil}}},
			"2024-10-08", Deadline{Due: dt("2024-10-08"), Paused: true}},
		// 民法典 art. 203: a period whose last day is a day off ends on the next working day.
		{"民法典203: resumed on a Saturday with nothing left", Limit{Start: dt("2025-03-03"), Days: 10, Pauses: []Pause{{dt("2025-03-17"), at("2025-03-22")}}},
			"2025-03-25", Deadline{Due: dt("2025-03-24"), PausedDays: 5}},
		{"民法典203: resumed inside 国庆 with nothing left", Limit{Start: dt("2024-09-20"), Days: 5, Pauses: []Pause{{dt("2024-09-27"), at("2024-10-03")}}},
			"2024-10-10", Deadline{Due: dt("2024-10-08"), PausedDays: 3}},
		{"民法典203: still paused on a Sunday", Limit{Start: dt("2025-03-03"), Days: 10, Pauses: []Pause{{dt("2025-03-17"), nil}}},
			"2025-03-23", Deadline{Due: dt("2025-03-24"), Paused: true, PausedDays: 5}},
		{"resumed on a Saturday with days left", Limit{Start: dt("2025-03-03"), Days: 10, Pauses: []Pause{{dt("2025-03-14"), at("2025-03-22")}}},
			"2025-03-25", Deadline{Due: dt("2025-03-24"), PausedDays: 5}},
		{"provisional: runs into 2028, which has no schedule", Limit{Start: dt("2027-12-20"), Days: 20}, "2027-12-20",
			Deadline{Due: dt("2028-01-17"), Provisional: true}},
		{"not provisional: ends in 2027", Limit{Start: dt("2027-11-01"), Days: 20}, "2027-11-01", Deadline{Due: dt("2027-11-29")}},
	} {
		got := c.Deadline(tt.l, dt(tt.asOf))
		if got != tt.want {
			t.Errorf("%s: Deadline = %+v, want %+v", tt.name, got, tt.want)
		}
		if n := c.Count(tt.l.Start, got.Due); n != tt.l.Days+tt.l.Extension+got.PausedDays {
			t.Errorf("%s: Count(Start, Due) = %d, want Days+Extension+PausedDays = %d", tt.name, n, tt.l.Days+tt.l.Extension+got.PausedDays)
		}

		steps := c.Explain(tt.l, dt(tt.asOf))
		if days := int(got.Due.In(time.UTC).Sub(tt.l.Start.In(time.UTC)).Hours() / 24); len(steps) != days {
			t.Errorf("%s: %d steps from %v to %v", tt.name, len(steps), tt.l.Start, got.Due)
		}
		if len(steps) > 0 && steps[len(steps)-1].Date != got.Due {
			t.Errorf("%s: last step %v, due %v", tt.name, steps[len(steps)-1].Date, got.Due)
		}
		n, paused := 0, 0
		for i, s := range steps {
			if s.Date != tt.l.Start.AddDays(i+1) {
				t.Errorf("%s: step %d is %v", tt.name, i, s.Date)
			}
			if s.Counted {
				n++
				if s.Ordinal != n {
					t.Errorf("%s: %v has ordinal %d, want %d", tt.name, s.Date, s.Ordinal, n)
				}
			} else if s.Ordinal != 0 {
				t.Errorf("%s: uncounted %v has ordinal %d", tt.name, s.Date, s.Ordinal)
			}
			if s.Paused && c.IsWorkday(s.Date) {
				paused++
			}
		}
		if n != tt.l.Days+tt.l.Extension || paused != got.PausedDays {
			t.Errorf("%s: Explain counted %d and paused %d, want %d and %d", tt.name, n, paused, tt.l.Days+tt.l.Extension, got.PausedDays)
		}
	}
}

func TestExplain(t *testing.T) {
	t.Parallel()
	l := Limit{Start: dt("2024-09-27"), Days: 5, Pauses: []Pause{{dt("2024-09-29"), at("2024-10-09")}}}
	type s = Step
	want := []Step{
		{Date: dt("2024-09-28"), Kind: Weekend},
		{Date: dt("2024-09-29"), Kind: MakeupWorkday, Name: "国庆节", Counted: true, Ordinal: 1},
		{Date: dt("2024-09-30"), Kind: Workday, Paused: true},
		{Date: dt("2024-10-01"), Kind: Holiday, Name: "国庆节", Paused: true},
		{Date: dt("2024-10-02"), Kind: Holiday, Name: "国庆节", Paused: true},
		{Date: dt("2024-10-03"), Kind: Holiday, Name: "国庆节", Paused: true},
		{Date: dt("2024-10-04"), Kind: Holiday, Name: "国庆节", Paused: true},
		{Date: dt("2024-10-05"), Kind: Holiday, Name: "国庆节", Paused: true},
		{Date: dt("2024-10-06"), Kind: Holiday, Name: "国庆节", Paused: true},
		{Date: dt("2024-10-07"), Kind: Holiday, Name: "国庆节", Paused: true},
		{Date: dt("2024-10-08"), Kind: Workday, Paused: true},
		{Date: dt("2024-10-09"), Kind: Workday, Paused: true},
		{Date: dt("2024-10-10"), Kind: Workday, Counted: true, Ordinal: 2},
		{Date: dt("2024-10-11"), Kind: Workday, Counted: true, Ordinal: 3},
		{Date: dt("2024-10-12"), Kind: MakeupWorkday, Name: "国庆节", Counted: true, Ordinal: 4},
		{Date: dt("2024-10-13"), Kind: Weekend},
		{Date: dt("2024-10-14"), Kind: Workday, Counted: true, Ordinal: 5},
	}
	c, err := New(nil, []Closure{{Date: dt("2024-10-11"), Reason: "停电闭馆"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		c    *Calendar
		want []Step
	}{
		{"national", National(), want},
		{"county", c, append(append(want[:13:13],
			s{Date: dt("2024-10-11"), Kind: LocalClosure, Name: "停电闭馆"},
			s{Date: dt("2024-10-12"), Kind: MakeupWorkday, Name: "国庆节", Counted: true, Ordinal: 3},
			s{Date: dt("2024-10-13"), Kind: Weekend},
			s{Date: dt("2024-10-14"), Kind: Workday, Counted: true, Ordinal: 4}),
			s{Date: dt("2024-10-15"), Kind: Workday, Counted: true, Ordinal: 5})},
	} {
		got := tt.c.Explain(l, dt("2024-10-20"))
		if len(got) != len(tt.want) {
			t.Fatalf("%s: %d steps, want %d: %+v", tt.name, len(got), len(tt.want), got)
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%s: step %d = %+v, want %+v", tt.name, i, got[i], tt.want[i])
			}
		}
	}
	if got := National().Explain(Limit{Start: dt("2024-10-01")}, dt("2024-10-01")); len(got) != 0 {
		t.Errorf("即办件: %+v", got)
	}
	b, err := json.Marshal(want[1])
	if err != nil || string(b) != `{"date":"2024-09-29","kind":"makeup","name":"国庆节","counted":true,"ordinal":1}` {
		t.Errorf("JSON %s, %v", b, err)
	}
}

func TestLevel(t *testing.T) {
	t.Parallel()
	c := National()
	for _, tt := range []struct {
		due, today string
		yellow     int
		want       Level
	}{
		{"2024-10-08", "2024-10-08", 0, Yellow},
		{"2024-10-08", "2024-10-08", 3, Yellow},
		{"2024-10-08", "2024-10-08", -1, Normal},
		{"2024-10-08", "2024-10-09", 0, Red},
		{"2024-10-08", "2024-10-09", 100, Red},
		{"2024-10-08", "2025-10-09", 0, Red},
		{"2024-10-08", "2024-09-30", 1, Yellow},
		{"2024-10-08", "2024-09-30", 0, Normal},
		{"2024-10-08", "2024-10-03", 0, Normal}, // 10-08 itself is still ahead
		{"2024-10-08", "2024-10-03", 1, Yellow},
		{"2024-10-08", "2024-10-07", 0, Normal},
		{"2024-10-08", "2024-09-29", 1, Normal},
		{"2024-10-08", "2024-09-29", 2, Yellow},
		{"2024-10-08", "2024-01-02", 3, Normal},
		{"2024-10-05", "2024-10-05", 0, Yellow}, // due on a holiday (a 即办件 accepted then)
		{"2024-10-05", "2024-09-30", 0, Yellow}, // no working day left before it
		{"2024-10-05", "2024-09-29", 0, Normal},
	} {
		if got := c.Level(dt(tt.due), dt(tt.today), tt.yellow); got != tt.want {
			t.Errorf("Level(%s, %s, %d) = %v, want %v", tt.due, tt.today, tt.yellow, got, tt.want)
		}
	}
	for _, tt := range []struct {
		due    string
		yellow int
		want   string
	}{
		{"2024-10-08", 0, "2024-10-08"},
		{"2024-10-08", 1, "2024-09-30"},
		{"2024-10-08", 2, "2024-09-29"},
		{"2024-10-08", 3, "2024-09-27"},
		{"2024-10-08", -1, "2024-10-09"},
		{"2024-10-05", 0, "2024-09-30"},
		{"1990-01-03", 10, "1990-01-01"},
	} {
		if got := c.YellowFrom(dt(tt.due), tt.yellow); got != dt(tt.want) {
			t.Errorf("YellowFrom(%s, %d) = %v, want %s", tt.due, tt.yellow, got, tt.want)
		}
	}
	for l, want := range map[Level][2]string{Normal: {"normal", "正常"}, Yellow: {"yellow", "临期"}, Red: {"red", "超期"}} {
		b, err := l.MarshalText()
		var back Level
		if l.String() != want[0] || l.Label() != want[1] || err != nil || string(b) != want[0] || back.UnmarshalText(b) != nil || back != l {
			t.Errorf("level %d: %q %q %q %v", l, l.String(), l.Label(), b, err)
		}
	}
	if Level(7).String() != "Level(7)" || Level(7).Label() != "" {
		t.Error("unknown level")
	}
	var l Level
	if l.UnmarshalText([]byte("orange")) == nil {
		t.Error("orange")
	}
	if _, err := Level(-1).MarshalText(); err == nil {
		t.Error("Level(-1) marshals")
	}
}

// TestYellowFrom holds YellowFrom to Level for every due date of 2024–2026.
func TestYellowFrom(t *testing.T) {
	t.Parallel()
	c := National()
	for due := dt("2024-01-01"); due.Year <= 2026; due = due.AddDays(1) {
		for y := -1; y <= 6; y++ {
			from := c.YellowFrom(due, y)
			if y < 0 {
				if from != due.AddDays(1) || c.Level(due, due, y) != Normal {
					t.Errorf("YellowFrom(%v, %d) = %v", due, y, from)
				}
				continue
			}
			if c.Level(due, from, y) != Yellow || c.Level(due, from.AddDays(-1), y) != Normal || !c.IsWorkday(from) {
				t.Errorf("YellowFrom(%v, %d) = %v: Level there %v, the day before %v", due, y, from, c.Level(due, from, y), c.Level(due, from.AddDays(-1), y))
			}
			if c.Level(due, due, y) != Yellow || c.Level(due, due.AddDays(1), y) != Red {
				t.Errorf("Level on and after due %v: %v, %v", due, c.Level(due, due, y), c.Level(due, due.AddDays(1), y))
			}
		}
	}
}

// TestDeadlineIsAWorkingDay is the property 民法典 art. 203 asks of every due
// date: over random limits, extensions and pauses (closed, open, overlapping,
// resumed on any day) on a county calendar with closures, the due date is a
// working day of that calendar, unless the limit is 0 days and no pause moved
// it (a 即办件 ends on its own day).
func TestDeadlineIsAWorkingDay(t *testing.T) {
	t.Parallel()
	c, err := New([]Year{year2028}, tenantOverrides)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(11, 203))
	day := func(from Date, span int) Date { return from.AddDays(rng.IntN(span)) }
	for i := range 20000 {
		l := Limit{Start: day(dt("2024-01-01"), 5*365), Days: rng.IntN(46), Extension: rng.IntN(3) * rng.IntN(16)}
		for range rng.IntN(4) {
			p := Pause{From: day(l.Start.AddDays(-3), 70)}
			if rng.IntN(4) > 0 {
				to := day(p.From, 40)
				p.To = &to
			}
			l.Pauses = append(l.Pauses, p)
		}
		asOf := day(l.Start, 120)
		d := c.Deadline(l, asOf)
		if !c.IsWorkday(d.Due) && (l.Days+l.Extension > 0 || d.Due != l.Start) {
			t.Fatalf("case %d: %+v as of %v is due %v, a %s", i, l, asOf, d.Due, c.Day(d.Due).Kind.Label())
		}
		if n := c.Count(l.Start, d.Due); n != l.Days+l.Extension+d.PausedDays {
			t.Fatalf("case %d: %+v: Count(Start, Due) = %d, want %d", i, l, n, l.Days+l.Extension+d.PausedDays)
		}
		if want := d.Due.After(l.Start) && (!c.Known(d.Due.Year) || !c.Known(l.Start.AddDays(1).Year)); d.Provisional != want {
			t.Fatalf("case %d: %+v due %v: provisional %v", i, l, d.Due, d.Provisional)
		}
	}
}
