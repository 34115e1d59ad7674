package workday

import (
	"strings"
	"testing"
	"time"

	"github.com/6tail/lunar-go/HolidayUtil"
	"github.com/6tail/lunar-go/calendar"
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
// index would do it. In a year lunar-go has no schedule for (from 2028 as of
// v1.4.7), the 全国年节及纪念日放假办法 art. 2 (as amended, in force 2025)
// fixes the days off; they are read here day by day from the lunar calendar,
// not from Statutory.
func lunar(d Date) bool {
	if h := HolidayUtil.GetHolidayByYmd(d.Year, int(d.Month), d.Day); h != nil {
		return h.IsWork()
	}
	if d.Year >= StatutoryFrom && !scheduled(d.Year) && statutoryDay(d) {
		return false
	}
	return !weekend(d)
}

func scheduled(y int) bool { return HolidayUtil.GetHolidaysByYear(y).Len() > 0 }

// statutoryDay: 元旦, 除夕 to 初三, 清明, 1–2 May, 端午, 中秋, 1–3 October.
func statutoryDay(d Date) bool {
	l := calendar.NewSolarFromYmd(d.Year, int(d.Month), d.Day).GetLunar()
	next := calendar.NewSolarFromYmd(d.Year, int(d.Month), d.Day).NextDay(1).GetLunar()
	lm, ld := l.GetMonth(), l.GetDay()
	switch {
	case d.Month == 1 && d.Day == 1, d.Month == 5 && d.Day <= 2, d.Month == 10 && d.Day <= 3:
		return true
	case next.GetMonth() == 1 && next.GetDay() == 1: // 除夕, the last day of the year
		return true
	case lm == 1 && ld <= 3, lm == 5 && ld == 5, lm == 8 && ld == 15:
		return true
	}
	return l.GetJieQi() == "清明"
}

// schedule is the State Council's notices for 2024–2027, typed in from them
// (the 2027 one is 国办发明电〔2026〕 of November 2026, as the domain brief lists it).
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
	{2027, []struct{ name, from, to string }{
		{"元旦节", "2027-01-01", "2027-01-03"},
		{"春节", "2027-02-05", "2027-02-13"},
		{"清明节", "2027-04-03", "2027-04-05"},
		{"劳动节", "2027-05-01", "2027-05-05"},
		{"端午节", "2027-06-09", "2027-06-09"},
		{"中秋节", "2027-09-15", "2027-09-15"},
		{"国庆节", "2027-10-01", "2027-10-07"},
	}, []string{"2027-01-31", "2027-02-14", "2027-05-08", "2027-09-26", "2027-10-09"}},
}

// TestSchedule reads every day of 2024–2027 from lunar-go and from National
// and holds both to the notices. When lunar-go is upgraded for a new year
// (each November or December), that year's notice is added here.
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
		if got, want := c.Known(y), y >= 2002 && y <= 2027; got != want {
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
		{"2026-12-31", 1, "2027-01-04"},   // 元旦 2027
		{"2026-12-07", 20, "2027-01-05"},  // the example: across 元旦 2027
		{"2027-01-29", 1, "2027-01-31"},   // make-up Sunday before 春节 2027
		{"2027-02-04", 1, "2027-02-14"},   // 春节 2027-02-05..02-13, make-up Sunday
		{"2027-04-02", 1, "2027-04-06"},   // 清明 2027
		{"2027-04-30", 1, "2027-05-06"},   // 劳动节 2027
		{"2027-05-07", 1, "2027-05-08"},   // make-up Saturday
		{"2027-06-08", 1, "2027-06-10"},   // 端午 2027, one day
		{"2027-09-14", 1, "2027-09-16"},   // 中秋 2027, one day
		{"2027-09-24", 1, "2027-09-26"},   // make-up Sunday before 国庆
		{"2027-09-30", 1, "2027-10-08"},   // 国庆 2027
		{"2027-10-08", 1, "2027-10-09"},   // make-up Saturday
		{"2027-12-31", 1, "2028-01-03"},   // 2028 unknown: 元旦 is a Saturday anyway
		{"2028-01-24", 1, "2028-01-31"},   // 2028 unknown: 除夕 to 初三 (01-25..01-28) off
		{"2028-04-03", 1, "2028-04-05"},   // 清明 2028-04-04
		{"2028-04-28", 1, "2028-05-03"},   // 劳动节 1–2 May only
		{"2028-09-29", 1, "2028-10-04"},   // 国庆 1–3 October (中秋 falls on 10-03)
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

// year2028 is made up for the tests; it is not the State Council's 2028
// schedule, which is not out as of this writing.
var year2028 = Year{
	Year: 2028,
	Holidays: []Block{
		{"元旦节", dt("2028-01-01"), dt("2028-01-03")},
		{"春节", dt("2028-01-25"), dt("2028-02-01")},
	},
	Makeups: []Date{dt("2028-01-23"), dt("2028-02-05")},
}

func TestNew(t *testing.T) {
	t.Parallel()
	c, err := New([]Year{year2028, {Year: 2026, Holidays: []Block{{"元旦节", dt("2026-01-01"), dt("2026-01-01")}}}},
		[]Closure{
			{Date: dt("2025-03-12"), Reason: "防汛闭馆"},
			{Date: dt("2025-03-15"), Working: true, Reason: "集中办件日"},
			{Date: dt("2028-01-27"), Working: true, Reason: "春节值守"},
			{Date: dt("2028-02-02"), Reason: "本县民俗节"},
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
		{"2028-01-03", DayInfo{Kind: Holiday, Name: "元旦节"}},                      // an entered year
		{"2028-01-23", DayInfo{Working: true, Kind: MakeupWorkday}},              // its make-up day
		{"2028-01-27", DayInfo{Working: true, Kind: LocalWorkday, Name: "春节值守"}}, // an override beats it
		{"2028-02-02", DayInfo{Kind: LocalClosure, Name: "本县民俗节"}},
		{"2029-02-12", DayInfo{Kind: Holiday, Name: "春节", Provisional: true}}, // 除夕 2029, no schedule yet
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
		{"2028-01-24", 1, "2028-01-31", "2028-01-27"}, // statutory 01-25..28 off; entered: 01-27 opened
		{"2028-01-24", 2, "2028-02-01", "2028-02-03"}, // entered 春节 to 02-01, 02-02 closed
		{"2028-01-21", 1, "2028-01-24", "2028-01-23"}, // the entered make-up Sunday
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
	if !c.Known(2028) || n.Known(2028) || !c.Known(2026) || !c.Known(2025) || c.Known(2029) {
		t.Errorf("Known(2028) = %v, national %v", c.Known(2028), n.Known(2028))
	}
	// Years after the overrides are still counted right: the totals moved.
	if got, want := c.Count(dt("2025-01-01"), dt("2029-01-01")), n.Count(dt("2025-01-01"), dt("2029-01-01")); got == want {
		t.Errorf("Count over the overridden years = %d, same as national", got)
	}
	if got := c.Add(dt("2029-01-03"), 5); got != dt("2029-01-10") {
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
		{[]Year{year2028, year2028}, nil, "year 2028 is entered twice"},
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
