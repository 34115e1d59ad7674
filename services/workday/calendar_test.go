package workday

import (
	"strings"
	"testing"
	"time"

	"github.com/6tail/lunar-go/HolidayUtil"
)

func dt(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func weekend(d Date) bool { return d.Weekday() == time.Saturday || d.Weekday() == time.Sunday }

// lunar is the naive reading of lunar-go for one day, as code without an
// index would do it.
func lunar(d Date) bool {
	if h := HolidayUtil.GetHolidayByYmd(d.Year, int(d.Month), d.Day); h != nil {
		return h.IsWork()
	}
	return !weekend(d)
}

// schedule is the State Council's notices for 2024–2026, typed in from them.
var schedule = []struct {
	year    int
	off     []struct{ name, from, to string }
	makeups []string
}{
	{2024, []struct{ name, from, to string }{
		{"元旦节", "2024-01-01", "2024-01-01"},
		{"春节", "2024-02-10", "2024-02-17"},
		{"清明节", "2024-04-04", "2024-04-06"},
		{"劳动节", "2024-05-01", "2024-05-05"},
		{"端午节", "2024-06-08", "2024-06-10"},
		{"中秋节", "2024-09-15", "2024-09-17"},
		{"国庆节", "2024-10-01", "2024-10-07"},
	}, []string{"2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11", "2024-09-14", "2024-09-29", "2024-10-12"}},
	{2025, []struct{ name, from, to string }{
		{"元旦节", "2025-01-01", "2025-01-01"},
		{"春节", "2025-01-28", "2025-02-04"},
		{"清明节", "2025-04-04", "2025-04-06"},
		{"劳动节", "2025-05-01", "2025-05-05"},
		{"端午节", "2025-05-31", "2025-06-02"},
		{"国庆中秋", "2025-10-01", "2025-10-08"},
	}, []string{"2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"}},
	{2026, []struct{ name, from, to string }{
		{"元旦节", "2026-01-01", "2026-01-03"},
		{"春节", "2026-02-15", "2026-02-23"},
		{"清明节", "2026-04-04", "2026-04-06"},
		{"劳动节", "2026-05-01", "2026-05-05"},
		{"端午节", "2026-06-19", "2026-06-21"},
		{"中秋节", "2026-09-25", "2026-09-27"},
		{"国庆节", "2026-10-01", "2026-10-07"},
	}, []string{"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"}},
}

// TestSchedule reads every day of 2024–2026 from lunar-go and from National
// and holds both to the notices.
func TestSchedule(t *testing.T) {
	t.Parallel()
	c := National()
	for _, y := range schedule {
		want := make(map[Date]DayInfo)
		for _, h := range y.off {
			for d := dt(h.from); !d.After(dt(h.to)); d = d.AddDays(1) {
				want[d] = DayInfo{Date: d, Kind: Holiday, Name: h.name}
			}
		}
		for _, s := range y.makeups {
			d := dt(s)
			if !weekend(d) {
				t.Errorf("make-up day %v is not a weekend day; the table is wrong", d)
			}
			want[d] = DayInfo{Date: d, Working: true, Kind: MakeupWorkday}
		}
		for d := (Date{y.year, time.January, 1}); d.Year == y.year; d = d.AddDays(1) {
			w, ok := want[d]
			if !ok {
				w = DayInfo{Date: d, Working: !weekend(d), Kind: Workday}
				if weekend(d) {
					w.Kind = Weekend
				}
			}
			if got := lunar(d); got != w.Working {
				t.Errorf("lunar-go says %v working=%v, the notice %v", d, got, w.Working)
			}
			got := c.Day(d)
			if w.Kind == MakeupWorkday {
				w.Name = got.Name // the notice does not say which holiday a make-up day serves
				if got.Name == "" {
					t.Errorf("make-up day %v has no holiday name", d)
				}
			}
			if got != w {
				t.Errorf("Day(%v) = %+v, want %+v", d, got, w)
			}
			if c.IsWorkday(d) != w.Working {
				t.Errorf("IsWorkday(%v) = %v", d, !w.Working)
			}
		}
	}
}

// TestNationalMatchesLunar holds the index to the naive reading over the
// whole range, years without data included.
func TestNationalMatchesLunar(t *testing.T) {
	t.Parallel()
	c := National()
	for d := (Date{MinYear, time.January, 1}); d.Year <= MaxYear; d = d.AddDays(1) {
		if got, want := c.IsWorkday(d), lunar(d); got != want {
			t.Errorf("IsWorkday(%v) = %v, lunar-go says %v", d, got, want)
		}
	}
}

func TestKnown(t *testing.T) {
	t.Parallel()
	c := National()
	for y := MinYear - 1; y <= MaxYear+1; y++ {
		if got, want := c.Known(y), y >= 2002 && y <= 2026; got != want {
			t.Errorf("Known(%d) = %v, want %v", y, got, want)
		}
	}
}

func TestAdd(t *testing.T) {
	t.Parallel()
	c := National()
	for _, tt := range []struct {
		from string
		n    int
		want string
	}{
		{"2024-09-30", 1, "2024-10-08"},   // across 国庆
		{"2024-10-03", 1, "2024-10-08"},   // from inside a holiday
		{"2024-10-11", 1, "2024-10-12"},   // make-up Saturday
		{"2024-02-03", 1, "2024-02-04"},   // make-up Sunday before 春节
		{"2024-02-09", 1, "2024-02-18"},   // 春节, then a make-up Sunday
		{"2024-04-03", 1, "2024-04-07"},   // 清明, make-up Sunday
		{"2024-04-26", 1, "2024-04-28"},   // make-up Sunday before 劳动节
		{"2024-04-30", 1, "2024-05-06"},   // 劳动节
		{"2024-05-10", 1, "2024-05-11"},   // make-up Saturday after it
		{"2024-06-07", 1, "2024-06-11"},   // 端午
		{"2024-09-13", 1, "2024-09-14"},   // make-up Saturday before 中秋
		{"2024-09-14", 1, "2024-09-18"},   // 中秋
		{"2024-09-27", 1, "2024-09-29"},   // make-up Sunday before 国庆
		{"2024-12-31", 1, "2025-01-02"},   // 元旦 2025
		{"2025-01-24", 1, "2025-01-26"},   // make-up Sunday before 春节
		{"2025-01-27", 1, "2025-02-05"},   // 春节 2025-01-28..02-04
		{"2025-02-07", 1, "2025-02-08"},   // make-up Saturday
		{"2025-04-03", 1, "2025-04-07"},   // 清明
		{"2025-04-25", 1, "2025-04-27"},   // make-up Sunday
		{"2025-04-30", 1, "2025-05-06"},   // 劳动节
		{"2025-05-30", 1, "2025-06-03"},   // 端午
		{"2025-09-26", 1, "2025-09-28"},   // make-up Sunday
		{"2025-09-30", 1, "2025-10-09"},   // 国庆中秋, eight days
		{"2025-10-09", 2, "2025-10-11"},   // make-up Saturday
		{"2025-12-31", 1, "2026-01-04"},   // 元旦 2026, make-up Sunday
		{"2026-02-13", 1, "2026-02-14"},   // make-up Saturday before 春节
		{"2026-02-14", 1, "2026-02-24"},   // 春节 2026-02-15..02-23
		{"2026-02-27", 1, "2026-02-28"},   // make-up Saturday after it
		{"2026-04-03", 1, "2026-04-07"},   // 清明
		{"2026-04-30", 1, "2026-05-06"},   // 劳动节
		{"2026-05-08", 1, "2026-05-09"},   // make-up Saturday
		{"2026-06-18", 1, "2026-06-22"},   // 端午
		{"2026-09-18", 1, "2026-09-20"},   // make-up Sunday
		{"2026-09-24", 1, "2026-09-28"},   // 中秋
		{"2026-09-30", 1, "2026-10-08"},   // 国庆
		{"2026-10-09", 1, "2026-10-10"},   // make-up Saturday
		{"2026-12-31", 1, "2027-01-01"},   // unknown 2027: a plain Friday
		{"2024-10-01", 0, "2024-10-01"},   // 即办件 on a holiday
		{"2024-10-08", 0, "2024-10-08"},   // 即办件
		{"2024-09-27", 5, "2024-10-10"},   // 9-29, 9-30, 10-08, 10-09, 10-10
		{"2024-01-01", 251, "2024-12-31"}, // 2024 has 251 working days
		{"2024-01-01", 252, "2025-01-02"},
		{"2024-10-08", -1, "2024-09-30"},
		{"2024-10-05", -1, "2024-09-30"},
		{"2024-10-12", -1, "2024-10-11"},
		{"2024-10-14", -1, "2024-10-12"},
		{"2025-01-02", -1, "2024-12-31"},
		{"2025-01-02", -251, "2024-01-02"},
		{"2100-12-30", 1, "2100-12-31"},
		{"1990-01-02", -1, "1990-01-01"},
	} {
		got := c.Add(dt(tt.from), tt.n)
		if got != dt(tt.want) {
			t.Errorf("Add(%s, %d) = %v, want %s", tt.from, tt.n, got, tt.want)
		}
		if tt.n > 0 && c.Count(dt(tt.from), got) != tt.n {
			t.Errorf("Count(%s, %v) = %d, want %d", tt.from, got, c.Count(dt(tt.from), got), tt.n)
		}
	}
}

func TestOutOfRange(t *testing.T) {
	t.Parallel()
	c := National()
	for name, f := range map[string]func(){
		"Add past the end":         func() { c.Add(dt("2100-12-31"), 1) },
		"Add before the start":     func() { c.Add(dt("1990-01-01"), -1) },
		"Day after the range":      func() { c.Day(Date{2101, time.January, 1}) },
		"IsWorkday before it":      func() { c.IsWorkday(Date{1989, time.December, 31}) },
		"Count from before it":     func() { c.Count(Date{1989, time.December, 31}, dt("2024-01-01")) },
		"Day of no calendar":       func() { c.Day(Date{2025, time.February, 29}) },
		"Day of the zero Date":     func() { c.Day(Date{}) },
		"Deadline with negative n": func() { c.Deadline(Limit{Start: dt("2024-01-02"), Days: -1}, dt("2024-01-02")) },
	} {
		func() {
			defer func() {
				r := recover()
				if r == nil {
					t.Errorf("%s: no panic", name)
				} else if !strings.HasPrefix(r.(string), "workday: ") {
					t.Errorf("%s: panic %q", name, r)
				}
			}()
			f()
		}()
	}
}

func TestCount(t *testing.T) {
	t.Parallel()
	c := National()
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"2024-09-30", "2024-10-08", 1},
		{"2024-09-30", "2024-10-07", 0},
		{"2024-09-27", "2024-10-12", 7}, // 9-29, 9-30, 10-08..10-12
		{"2024-10-08", "2024-10-08", 0},
		{"2024-10-08", "2024-09-30", 0},
		{"2024-12-31", "2025-12-31", 248},
		{"2023-12-31", "2024-12-31", 251},
		{"2025-12-31", "2026-12-31", 248},
	} {
		if got := c.Count(dt(tt.a), dt(tt.b)); got != tt.want {
			t.Errorf("Count(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

// year2027 is made up for the tests; it is not the State Council's 2027
// schedule, which is not out as of this writing.
var year2027 = Year{
	Year: 2027,
	Holidays: []Block{
		{"元旦节", dt("2027-01-01"), dt("2027-01-03")},
		{"春节", dt("2027-02-06"), dt("2027-02-13")},
	},
	Makeups: []Date{dt("2027-02-14"), dt("2027-02-20")},
}

func TestNew(t *testing.T) {
	t.Parallel()
	c, err := New([]Year{year2027, {Year: 2026, Holidays: []Block{{"元旦节", dt("2026-01-01"), dt("2026-01-01")}}}},
		[]Closure{
			{Date: dt("2025-03-12"), Reason: "防汛闭馆"},
			{Date: dt("2025-03-15"), Working: true, Reason: "集中办件日"},
			{Date: dt("2027-02-08"), Working: true, Reason: "春节值守"},
			{Date: dt("2027-02-15"), Reason: "本县民俗节"},
		})
	if err != nil {
		t.Fatal(err)
	}
	n := National()
	for _, tt := range []struct {
		day  string
		want DayInfo
	}{
		{"2025-03-12", DayInfo{Kind: LocalClosure, Name: "防汛闭馆"}},
		{"2025-03-15", DayInfo{Working: true, Kind: LocalWorkday, Name: "集中办件日"}},
		{"2025-03-13", DayInfo{Working: true, Kind: Workday}},
		{"2025-10-01", DayInfo{Kind: Holiday, Name: "国庆中秋"}},                     // national data kept
		{"2026-10-01", DayInfo{Working: true, Kind: Workday}},                    // 2026 replaced
		{"2026-02-14", DayInfo{Kind: Weekend}},                                   // its make-up day too
		{"2026-01-01", DayInfo{Kind: Holiday, Name: "元旦节"}},                      // by what was entered
		{"2027-01-01", DayInfo{Kind: Holiday, Name: "元旦节"}},                      // an entered year
		{"2027-02-14", DayInfo{Working: true, Kind: MakeupWorkday}},              // its make-up day
		{"2027-02-08", DayInfo{Working: true, Kind: LocalWorkday, Name: "春节值守"}}, // an override beats it
		{"2027-02-15", DayInfo{Kind: LocalClosure, Name: "本县民俗节"}},
	} {
		tt.want.Date = dt(tt.day)
		if got := c.Day(dt(tt.day)); got != tt.want {
			t.Errorf("Day(%s) = %+v, want %+v", tt.day, got, tt.want)
		}
	}
	for _, tt := range []struct {
		from             string
		n                int
		national, county string
	}{
		{"2025-03-03", 10, "2025-03-17", "2025-03-17"}, // closure 3-12, extra Saturday 3-15
		{"2025-03-10", 4, "2025-03-14", "2025-03-15"},  // the closure pushes, the Saturday pulls
		{"2025-03-11", 1, "2025-03-12", "2025-03-13"},
		{"2027-02-05", 1, "2027-02-08", "2027-02-08"},
		{"2027-02-05", 2, "2027-02-09", "2027-02-14"},
		{"2027-02-12", 2, "2027-02-16", "2027-02-16"}, // 2-14 make-up, 2-15 closed
		{"2026-09-30", 1, "2026-10-08", "2026-10-01"},
		{"2025-12-31", 1, "2026-01-04", "2026-01-02"},
	} {
		if got := n.Add(dt(tt.from), tt.n); got != dt(tt.national) {
			t.Errorf("National: Add(%s, %d) = %v, want %s", tt.from, tt.n, got, tt.national)
		}
		if got := c.Add(dt(tt.from), tt.n); got != dt(tt.county) {
			t.Errorf("county: Add(%s, %d) = %v, want %s", tt.from, tt.n, got, tt.county)
		}
	}
	if !c.Known(2027) || n.Known(2027) || !c.Known(2026) || !c.Known(2025) {
		t.Errorf("Known(2027) = %v, national %v", c.Known(2027), n.Known(2027))
	}
	// Years after the overrides are still counted right: the totals moved.
	if got, want := c.Count(dt("2025-01-01"), dt("2028-01-01")), n.Count(dt("2025-01-01"), dt("2028-01-01")); got == want {
		t.Errorf("Count over the overridden years = %d, same as national", got)
	}
	if got := c.Add(dt("2028-01-03"), 5); got != dt("2028-01-10") {
		t.Errorf("Add after the overrides = %v", got)
	}
	if got := n.Day(dt("2025-03-12")); !got.Working {
		t.Errorf("New changed National: %+v", got)
	}
	if c, err := New(nil, nil); err != nil || c.Add(dt("2024-09-30"), 1) != dt("2024-10-08") {
		t.Errorf("New(nil, nil) = %v", err)
	}
}

func TestNewInvalid(t *testing.T) {
	t.Parallel()
	y := func(h []Block, m ...string) Year {
		v := Year{Year: 2027, Holidays: h}
		for _, s := range m {
			v.Makeups = append(v.Makeups, dt(s))
		}
		return v
	}
	b := func(name, from, to string) Block { return Block{name, dt(from), dt(to)} }
	for _, tt := range []struct {
		years     []Year
		overrides []Closure
		want      string
	}{
		{[]Year{{Year: 1989}}, nil, "year 1989 is outside"},
		{[]Year{{Year: 2101}}, nil, "year 2101 is outside"},
		{[]Year{year2027, year2027}, nil, "year 2027 is entered twice"},
		{[]Year{y([]Block{b("春节", "2027-02-13", "2027-02-06")})}, nil, "holiday 春节 2027-02-13..2027-02-06 ends before it starts"},
		{[]Year{y([]Block{b("元旦节", "2026-12-31", "2027-01-02")})}, nil, "holiday 元旦节 2026-12-31..2027-01-02 is not inside 2027"},
		{[]Year{y([]Block{{"春节", dt("2027-02-06"), Date{}}})}, nil, "is not inside 2027"},
		{[]Year{y([]Block{{"春节", dt("2027-02-06"), Date{2027, 2, 30}}})}, nil, "is not inside 2027"},
		{[]Year{y([]Block{b(" ", "2027-02-06", "2027-02-13")})}, nil, "holiday 2027-02-06..2027-02-13 has no name"},
		{[]Year{y([]Block{b("春节", "2027-02-06", "2027-02-13"), b("元宵", "2027-02-13", "2027-02-14")})}, nil,
			"holiday 元宵 2027-02-13..2027-02-14 overlaps 春节 2027-02-06..2027-02-13"},
		{[]Year{y(nil, "2026-12-27")}, nil, "make-up day 2026-12-27 is not inside 2027"},
		{[]Year{y(nil, "2027-02-14", "2027-02-14")}, nil, "make-up day 2027-02-14 is entered twice"},
		{[]Year{y([]Block{b("春节", "2027-02-06", "2027-02-13")}, "2027-02-07")}, nil,
			"make-up day 2027-02-07 is inside holiday 春节 2027-02-06..2027-02-13"},
		{nil, []Closure{{Date: dt("2025-03-12"), Reason: "a"}, {Date: dt("2025-03-12"), Working: true, Reason: "b"}}, "override 2025-03-12 (b): the day is overridden twice"},
		{nil, []Closure{{Date: dt("2025-03-12")}}, "override 2025-03-12 has no reason"},
		{nil, []Closure{{Date: Date{2025, 2, 29}, Reason: "x"}}, "override 2025-02-29 (x) is not a date"},
		{nil, []Closure{{Reason: "x"}}, "override 0000-00-00 (x) is not a date"},
		{nil, []Closure{{Date: Date{2101, 1, 1}, Reason: "x"}}, "override 2101-01-01 (x) is not a date"},
	} {
		c, err := New(tt.years, tt.overrides)
		if err == nil || c != nil {
			t.Errorf("New(%v, %v) = %v, no error", tt.years, tt.overrides, c)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New(%v, %v) = %q, want %q", tt.years, tt.overrides, err, tt.want)
		}
	}
	// Every mistake is reported at once, so an admin fixes them in one go.
	_, err := New([]Year{{Year: 1989}, y(nil, "2026-12-27")}, []Closure{{Date: dt("2025-03-12")}})
	if n := len(err.(interface{ Unwrap() []error }).Unwrap()); n != 3 {
		t.Errorf("New reported %d errors, want 3: %v", n, err)
	}
}

func TestKind(t *testing.T) {
	t.Parallel()
	for k := Workday; k <= LocalWorkday; k++ {
		b, err := k.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var got Kind
		if err := got.UnmarshalText(b); err != nil || got != k || k.Label() == "" || k.String() != string(b) {
			t.Errorf("kind %d: %q, %v, %v, %q", k, b, got, err, k.Label())
		}
	}
	if Holiday.Label() != "法定节假日" || MakeupWorkday.Label() != "调休上班" || LocalClosure.Label() != "本县闭馆" {
		t.Error("labels")
	}
	if Kind(9).String() != "Kind(9)" || Kind(9).Label() != "" {
		t.Error("unknown kind")
	}
	if _, err := Kind(-1).MarshalText(); err == nil {
		t.Error("Kind(-1) marshals")
	}
	var k Kind
	if err := k.UnmarshalText([]byte("holidays")); err == nil {
		t.Error("unknown kind unmarshals")
	}
}
