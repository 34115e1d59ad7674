package level_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/yichuang/yichuang/services/level"
	"github.com/yichuang/yichuang/services/workday"
)

// The oracle restates the rule from the domain brief with its own tables and its own date
// arithmetic, so that a slip in Default or in Level cannot also slip into the expectation.
var (
	oracleRanges = map[level.Post][2]int{level.Head: {7, 18}, level.Deputy: {4, 15}, level.Staff: {1, 12}}
	oracleEdu    = map[level.Education]int{
		level.EducationNone: 0, level.EducationCollege: 0, level.EducationBachelor: 3,
		level.EducationMaster: 5, level.EducationDoctor: 7,
	}
	oracleCert = map[level.Certificate]int{
		level.CertificateNone: 0, level.CertificateJunior: 1,
		level.CertificateIntermediate: 2, level.CertificateSenior: 3,
	}
)

const oracleYearsPerStep = 3

func tm(d workday.Date) time.Time { return d.In(time.UTC) }

func date(s string) workday.Date {
	d, err := workday.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// oracleServiceYears counts anniversaries reached. 民法典 art. 202: a period counted in years
// ends on the corresponding day, or on the month's last day when there is none, so a
// leap-day hire completes its years on 28 February in common years (time.AddDate would roll
// over to 1 March, which is why it is not used here).
func oracleServiceYears(hired, asOf workday.Date) int {
	n := 0
	for {
		y, d := hired.Year+n+1, hired.Day
		if hired.Month == time.February && d == 29 && (y%4 != 0 || (y%100 == 0 && y%400 != 0)) {
			d = 28
		}
		if tm(workday.Date{Year: y, Month: hired.Month, Day: d}).After(tm(asOf)) {
			return n
		}
		n++
	}
}

type oracleResult struct {
	service, blocked, counted, steps, level int
	capped                                  bool
}

// oracle applies the rule as the issue states it: full anniversary years, minus every year
// rated 不称职 from the hire year to the as-of year, never below 0.
func oracle(post level.Post, edu level.Education, cert level.Certificate, hired, asOf workday.Date, incompetent map[int]bool) oracleResult {
	var o oracleResult
	o.service = oracleServiceYears(hired, asOf)
	for y, bad := range incompetent {
		if bad && hired.Year <= y && y <= asOf.Year {
			o.blocked++
		}
	}
	o.counted = max(0, o.service-o.blocked)
	o.steps = (o.counted + oracleEdu[edu]) / oracleYearsPerStep
	rg := oracleRanges[post]
	raw := rg[0] + o.steps + oracleCert[cert]
	o.level, o.capped = raw, raw > rg[1]
	if o.capped {
		o.level = rg[1]
	}
	return o
}

func facts(post level.Post, edu level.Education, cert level.Certificate, hired workday.Date, incompetent map[int]bool) level.Facts {
	f := level.Facts{Post: post, Hired: hired, Education: edu, Certificate: cert}
	if len(incompetent) > 0 {
		f.Appraisals = map[int]level.Appraisal{}
		for y := range incompetent {
			f.Appraisals[y] = level.Incompetent
		}
	}
	return f
}

func check(t *testing.T, name string, got level.Result, want oracleResult) {
	t.Helper()
	if got.ServiceYears != want.service || got.CountedYears != want.counted || got.Steps != want.steps ||
		got.Level != want.level || got.Capped != want.capped {
		t.Errorf("%s: got service %d counted %d steps %d level %d capped %v; want %d %d %d %d %v",
			name, got.ServiceYears, got.CountedYears, got.Steps, got.Level, got.Capped,
			want.service, want.counted, want.steps, want.level, want.capped)
	}
}

// Every post × education × certificate × 0..40 service years, each reached exactly on the
// anniversary and on the day before the next one, from hire dates that include a year start,
// a year end and a leap day.
func TestLevelExhaustive(t *testing.T) {
	t.Parallel()
	rule := level.Default()
	hires := []workday.Date{date("1990-01-01"), date("1991-06-15"), date("1992-02-29"), date("1993-12-31")}
	cases := 0
	for _, post := range level.Posts {
		for _, edu := range level.Educations {
			for _, cert := range level.Certificates {
				for n := 0; n <= 40; n++ {
					for _, hired := range hires {
						// 民法典 art. 202: the n-th year ends on the corresponding day, or on the
						// month's last day (28 February for a leap-day hire in a common year).
						on, lastDay := hired.AddYears(n), hired.AddYears(n+1).AddDays(-1)
						for _, asOf := range []workday.Date{on, lastDay} {
							want := oracle(post, edu, cert, hired, asOf, nil)
							if want.service != n {
								t.Fatalf("oracle: %s to %s is %d years, want %d", hired, asOf, want.service, n)
							}
							got, err := rule.Level(facts(post, edu, cert, hired, nil), asOf)
							if err != nil {
								t.Fatal(err)
							}
							check(t, fmt.Sprintf("%s/%s/%s hired %s as of %s", post, edu, cert, hired, asOf), got, want)
							rg := oracleRanges[post]
							if got.Range != (level.Range{Min: rg[0], Max: rg[1]}) || got.EducationYears != oracleEdu[edu] ||
								got.Bump != oracleCert[cert] || got.YearsPerStep != oracleYearsPerStep {
								t.Errorf("%s/%s/%s: inputs %+v", post, edu, cert, got)
							}
							cases++
						}
					}
				}
			}
		}
	}
	if cases != 3*5*4*41*4*2 {
		t.Errorf("ran %d cases", cases)
	}
}

// Random 不称职 sets, including years before the hire and after the as-of date, against the
// oracle.
func TestBlockingAgainstOracle(t *testing.T) {
	t.Parallel()
	rule := level.Default()
	rng := rand.New(rand.NewPCG(3, 18))
	for i := range 5000 {
		hired := date("1995-01-01").AddDays(rng.IntN(20 * 366))
		asOf := hired.AddDays(rng.IntN(25 * 366))
		bad := map[int]bool{}
		for y := hired.Year - 2; y <= asOf.Year+2; y++ {
			if rng.IntN(3) == 0 {
				bad[y] = true
			}
		}
		post := level.Posts[rng.IntN(len(level.Posts))]
		edu := level.Educations[rng.IntN(len(level.Educations))]
		cert := level.Certificates[rng.IntN(len(level.Certificates))]
		f := facts(post, edu, cert, hired, bad)
		// Ratings other than 不称职 must not take a year away.
		for y := hired.Year - 2; y <= asOf.Year+2; y++ {
			if !bad[y] && rng.IntN(2) == 0 {
				if f.Appraisals == nil {
					f.Appraisals = map[int]level.Appraisal{}
				}
				f.Appraisals[y] = []level.Appraisal{level.Excellent, level.Competent, level.Basic}[rng.IntN(3)]
			}
		}
		got, err := rule.Level(f, asOf)
		if err != nil {
			t.Fatal(err)
		}
		want := oracle(post, edu, cert, hired, asOf, bad)
		check(t, fmt.Sprintf("case %d: hired %s as of %s bad %v", i, hired, asOf, bad), got, want)
		if got.CountedYears != max(0, got.ServiceYears-len(got.BlockedYears)) {
			t.Errorf("case %d: blocked %v but %d service, %d counted", i, got.BlockedYears, got.ServiceYears, got.CountedYears)
		}
		var inRange []int
		for y := hired.Year; y <= asOf.Year; y++ {
			if bad[y] {
				inRange = append(inRange, y)
			}
		}
		if !slices.Equal(got.BlockedYears, inRange) {
			t.Errorf("case %d: blocked %v, want %v (hired %s, as of %s)", i, got.BlockedYears, inRange, hired, asOf)
		}
	}
}

func TestBlockingYears(t *testing.T) {
	t.Parallel()
	rule := level.Default()
	hired := date("2015-03-01")
	cases := []struct {
		name          string
		appraisals    map[int]level.Appraisal
		asOf          string
		counted       int
		blocked       []int
		wantLevelHead int
	}{
		// 11 service years, none taken: 7 + ⌊11/3⌋ = 10.
		{"none", nil, "2026-11-21", 11, nil, 10},
		// 11 − 1 = 10 counted: 7 + ⌊10/3⌋ = 10.
		{"one inside", map[int]level.Appraisal{2019: level.Incompetent}, "2026-11-21", 10, []int{2019}, 10},
		// 11 − 2 = 9 counted: 7 + 3 = 10.
		{"two inside", map[int]level.Appraisal{2019: level.Incompetent, 2021: level.Incompetent}, "2026-11-21", 9, []int{2019, 2021}, 10},
		// 11 − 3 = 8 counted: 7 + 2 = 9 (the third year takes a step away).
		{"three inside", map[int]level.Appraisal{2016: level.Incompetent, 2019: level.Incompetent, 2021: level.Incompetent}, "2026-11-21", 8, []int{2016, 2019, 2021}, 9},
		{"other ratings", map[int]level.Appraisal{2016: level.Basic, 2017: level.Competent, 2018: level.Excellent}, "2026-11-21", 11, nil, 10},
		{"before hire, after as-of", map[int]level.Appraisal{2014: level.Incompetent, 2027: level.Incompetent, 2030: level.Incompetent}, "2026-11-21", 11, nil, 10},
		// The hire year's rating is deducted at once: 0 − 1 floors at 0; 7 + 0 = 7.
		{"hire year, first year running", map[int]level.Appraisal{2015: level.Incompetent}, "2016-02-29", 0, []int{2015}, 7},
		// 1 − 1 = 0; 7 + 0 = 7.
		{"hire year, first year done", map[int]level.Appraisal{2015: level.Incompetent}, "2016-03-01", 0, []int{2015}, 7},
		// The as-of year counts although its service year (from 2026-03-01) is running: 11 − 1 = 10; 7 + 3 = 10.
		{"as-of year", map[int]level.Appraisal{2026: level.Incompetent}, "2026-11-21", 10, []int{2026}, 10},
		// 10 service years (the 11th completes 2026-03-01) − 2 = 8: 7 + ⌊8/3⌋ = 9.
		{"as-of year, before its anniversary", map[int]level.Appraisal{2025: level.Incompetent, 2026: level.Incompetent}, "2026-02-28", 8, []int{2025, 2026}, 9},
		// 10 − 1 = 9: 7 + 3 = 10.
		{"as-of year's previous, the day before the anniversary", map[int]level.Appraisal{2025: level.Incompetent}, "2026-02-28", 9, []int{2025}, 10},
		// 11 − 1 = 10: 7 + 3 = 10.
		{"as-of year's previous, on the anniversary", map[int]level.Appraisal{2025: level.Incompetent}, "2026-03-01", 10, []int{2025}, 10},
		// Every year rated 不称职: 11 − 12 (2015–2026) floors at 0; 7 + 0 = 7.
		{"all", allYears(2010, 2030), "2026-11-21", 0, years(2015, 2026), 7},
		// 0 − 1 (2015) floors at 0; 7.
		{"all, on the hire date", allYears(2010, 2030), "2015-03-01", 0, []int{2015}, 7},
	}
	for _, c := range cases {
		f := level.Facts{Post: level.Head, Hired: hired, Education: level.EducationNone, Certificate: level.CertificateNone, Appraisals: c.appraisals}
		got, err := rule.Level(f, date(c.asOf))
		if err != nil {
			t.Fatal(err)
		}
		if got.CountedYears != c.counted || !slices.Equal(got.BlockedYears, c.blocked) || got.Level != c.wantLevelHead {
			t.Errorf("%s: counted %d blocked %v level %d; want %d %v %d",
				c.name, got.CountedYears, got.BlockedYears, got.Level, c.counted, c.blocked, c.wantLevelHead)
		}
	}
}

func years(from, to int) []int {
	var ys []int
	for y := from; y <= to; y++ {
		ys = append(ys, y)
	}
	return ys
}

func allYears(from, to int) map[int]level.Appraisal {
	m := map[int]level.Appraisal{}
	for _, y := range years(from, to) {
		m[y] = level.Incompetent
	}
	return m
}

// The rule taken literally: a year rated 不称职 is deducted from 1 January of that year, before
// its service year (from the anniversary) has been served, so the level dips on 1 January
// and the anniversary gives the year back.
func TestBlockingDeductedAtOnce(t *testing.T) {
	t.Parallel()
	f := level.Facts{Post: level.Staff, Hired: date("2015-03-01"), Education: level.EducationNone,
		Certificate: level.CertificateNone, Appraisals: map[int]level.Appraisal{2019: level.Incompetent}}
	for _, c := range []struct {
		asOf    string
		counted int
		level   int
	}{
		{"2018-02-28", 2, 1}, // 2 years, 2019 not yet in range: ⌊2/3⌋ = 0 → 1
		{"2018-03-01", 3, 2}, // 3 years: 1 step → 2
		{"2018-12-31", 3, 2},
		{"2019-01-01", 2, 1}, // 3 − 1 = 2 years, 0 steps → 1: the dip
		{"2019-02-28", 2, 1},
		{"2019-03-01", 3, 2}, // 4 − 1 = 3 → 1 step → 2: the anniversary gives the year back
		{"2020-02-29", 3, 2},
		{"2020-03-01", 4, 2}, // 5 − 1 = 4 → 1 step
		{"2021-03-01", 5, 2}, // 6 − 1 = 5
		{"2022-02-28", 5, 2},
		{"2022-03-01", 6, 3}, // 7 − 1 = 6 → 2 steps → 3
	} {
		got, err := level.Default().Level(f, date(c.asOf))
		if err != nil {
			t.Fatal(err)
		}
		if got.CountedYears != c.counted || got.Level != c.level {
			t.Errorf("as of %s: counted %d level %d, want %d %d (%+v)", c.asOf, got.CountedYears, got.Level, c.counted, c.level, got)
		}
	}
}

// Capped is true exactly when min + steps + bump passes the maximum; reaching the maximum
// exactly is not capping.
func TestCapped(t *testing.T) {
	t.Parallel()
	for _, post := range level.Posts {
		rg := oracleRanges[post]
		room := rg[1] - rg[0] // steps + bump that land exactly on the maximum
		for _, cert := range level.Certificates {
			bump := oracleCert[cert]
			for n := 0; n <= 60; n++ {
				hired := date("1990-04-10")
				got, err := level.Default().Level(facts(post, level.EducationNone, cert, hired, nil), workday.DateOf(tm(hired).AddDate(n, 0, 0)))
				if err != nil {
					t.Fatal(err)
				}
				raw := rg[0] + n/3 + bump
				if got.Capped != (n/3+bump > room) || got.Level != min(raw, rg[1]) {
					t.Errorf("%s/%s %d years: level %d capped %v (raw %d, max %d)", post, cert, n, got.Level, got.Capped, raw, rg[1])
				}
			}
		}
	}
	// The boundary by hand: head, senior, 24 years → 7 + 8 + 3 = 18, not capped; 27 → 19, capped.
	for _, c := range []struct {
		asOf   string
		capped bool
	}{{"2024-01-01", false}, {"2026-12-31", false}, {"2027-01-01", true}} {
		got, _ := level.Default().Level(facts(level.Head, level.EducationNone, level.CertificateSenior, date("2000-01-01"), nil), date(c.asOf))
		if got.Level != 18 || got.Capped != c.capped {
			t.Errorf("as of %s: level %d capped %v", c.asOf, got.Level, got.Capped)
		}
	}
}

func TestAnniversaries(t *testing.T) {
	t.Parallel()
	cases := []struct {
		hired, asOf string
		years       int
	}{
		{"2015-03-01", "2015-03-01", 0},
		{"2015-03-01", "2016-02-29", 0}, // day before, in a leap year
		{"2015-03-01", "2016-03-01", 1},
		{"2015-06-15", "2020-06-14", 4},
		{"2015-06-15", "2020-06-15", 5},
		{"2015-12-31", "2016-12-30", 0},
		{"2015-12-31", "2016-12-31", 1},
		{"2015-01-01", "2015-12-31", 0},
		{"2015-01-01", "2016-01-01", 1},
		// 民法典 art. 202: a 29 February hire completes its years on 28 February in common
		// years (the month's last day, as the year has no corresponding day) …
		{"2016-02-29", "2017-02-27", 0},
		{"2016-02-29", "2017-02-28", 1},
		{"2016-02-29", "2017-03-01", 1},
		{"2016-02-29", "2019-02-27", 2},
		{"2016-02-29", "2019-02-28", 3},
		// … and on 29 February in leap years.
		{"2016-02-29", "2020-02-28", 3},
		{"2016-02-29", "2020-02-29", 4},
		{"2016-02-29", "2020-03-01", 4},
		{"2000-02-29", "2100-02-27", 99},
		{"2000-02-29", "2100-02-28", 100}, // 2100 is not a leap year
		// A 28 February hire is not moved by a leap year.
		{"2015-02-28", "2016-02-28", 1},
		{"2015-02-28", "2016-02-27", 0},
		{"2016-03-01", "2017-02-28", 0},
		{"2016-03-01", "2017-03-01", 1},
	}
	for _, c := range cases {
		hired, asOf := date(c.hired), date(c.asOf)
		if got := level.FullYears(hired, asOf); got != c.years {
			t.Errorf("FullYears(%s, %s) = %d, want %d", c.hired, c.asOf, got, c.years)
		}
		if got := oracleServiceYears(hired, asOf); got != c.years {
			t.Errorf("oracle(%s, %s) = %d, want %d", c.hired, c.asOf, got, c.years)
		}
		res, err := level.Default().Level(facts(level.Staff, level.EducationNone, level.CertificateNone, hired, nil), asOf)
		if err != nil || res.ServiceYears != c.years {
			t.Errorf("Level(%s, %s): %d service years, %v", c.hired, c.asOf, res.ServiceYears, err)
		}
	}
	if got := level.FullYears(date("2020-01-01"), date("2019-12-31")); got != 0 {
		t.Errorf("FullYears backwards = %d", got)
	}
}

func TestLevelErrors(t *testing.T) {
	t.Parallel()
	good := facts(level.Head, level.EducationBachelor, level.CertificateJunior, date("2015-03-01"), nil)
	asOf := date("2026-11-21")
	if _, err := level.Default().Level(good, asOf); err != nil {
		t.Fatalf("good facts: %v", err)
	}
	if _, err := level.Default().Level(good, good.Hired); err != nil {
		t.Errorf("as of the hire date: %v", err)
	}
	cases := []struct {
		name   string
		mutate func(*level.Facts, *level.Rule, *workday.Date)
		want   string
	}{
		{"as-of before hire", func(_ *level.Facts, _ *level.Rule, d *workday.Date) { *d = date("2015-02-28") }, "before the hire date"},
		{"no as-of", func(_ *level.Facts, _ *level.Rule, d *workday.Date) { *d = workday.Date{} }, "before the hire date"},
		{"no hire date", func(f *level.Facts, _ *level.Rule, _ *workday.Date) { f.Hired = workday.Date{} }, "no hire date"},
		{"unknown post", func(f *level.Facts, _ *level.Rule, _ *workday.Date) { f.Post = "manager" }, "unknown post"},
		{"empty post", func(f *level.Facts, _ *level.Rule, _ *workday.Date) { f.Post = "" }, "unknown post"},
		{"post missing from rule", func(_ *level.Facts, r *level.Rule, _ *workday.Date) { delete(r.Ranges, level.Head) }, "unknown post"},
		{"unknown education", func(f *level.Facts, _ *level.Rule, _ *workday.Date) { f.Education = "phd" }, "unknown education"},
		{"empty education", func(f *level.Facts, _ *level.Rule, _ *workday.Date) { f.Education = "" }, "unknown education"},
		{"unknown certificate", func(f *level.Facts, _ *level.Rule, _ *workday.Date) { f.Certificate = "expert" }, "unknown certificate"},
		{"empty certificate", func(f *level.Facts, _ *level.Rule, _ *workday.Date) { f.Certificate = "" }, "unknown certificate"},
		{"zero years per step", func(_ *level.Facts, r *level.Rule, _ *workday.Date) { r.YearsPerStep = 0 }, "years per step"},
	}
	for _, c := range cases {
		f, r, d := good, level.Default(), asOf
		c.mutate(&f, &r, &d)
		res, err := r.Level(f, d)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want one containing %q", c.name, err, c.want)
		}
		if res.Level != 0 {
			t.Errorf("%s: level %d returned with the error", c.name, res.Level)
		}
	}
}

// Remap keeps a level inside the new post's range and otherwise moves it to the nearest bound.
func TestRemap(t *testing.T) {
	t.Parallel()
	rule := level.Default()
	for _, from := range level.Posts {
		for _, to := range level.Posts {
			lo, hi := oracleRanges[to][0], oracleRanges[to][1]
			for l := 1; l <= level.Levels; l++ {
				want := l
				if l < lo {
					want = lo
				} else if l > hi {
					want = hi
				}
				got, err := rule.Remap(l, to)
				if err != nil || got != want {
					t.Errorf("%s %d → %s: %d, %v; want %d", from, l, to, got, err, want)
				}
				inFrom := l >= oracleRanges[from][0] && l <= oracleRanges[from][1]
				if from == to && inFrom && got != l {
					t.Errorf("%s %d → itself moved to %d", from, l, got)
				}
			}
		}
	}
	for _, c := range []struct {
		level int
		to    level.Post
		want  int
	}{
		{15, level.Staff, 12}, // deputy at the top of 4–15 becomes staff: 12
		{2, level.Head, 7},    // staff at 2 becomes head: 7
		{18, level.Deputy, 15},
		{7, level.Deputy, 7},
		{4, level.Staff, 4},
		{12, level.Head, 12},
	} {
		if got, _ := rule.Remap(c.level, c.to); got != c.want {
			t.Errorf("Remap(%d, %s) = %d, want %d", c.level, c.to, got, c.want)
		}
	}
	if _, err := rule.Remap(5, "manager"); err == nil {
		t.Error("unknown post accepted")
	}
}

// Hand-computed cases; the comment on each line is the arithmetic.
func TestHandComputed(t *testing.T) {
	t.Parallel()
	type tc struct {
		post  level.Post
		hired string
		edu   level.Education
		cert  level.Certificate
		asOf  string
		bad   []int
		level int
	}
	cases := []tc{
		// head 7–18: 11 years − 2 (2019, 2021) = 9, + 本科 3 = 12, ⌊12/3⌋ = 4; 7 + 4 + 中级 2 = 13
		{level.Head, "2015-03-01", level.EducationBachelor, level.CertificateIntermediate, "2026-11-21", []int{2019, 2021}, 13},
		// staff 1–12: 0 years + 0 = 0 steps; 1 + 0 + 0 = 1
		{level.Staff, "2026-01-05", level.EducationNone, level.CertificateNone, "2026-11-21", nil, 1},
		// staff: 2 years + 大专 0 = 2, ⌊2/3⌋ = 0; 1 + 0 + 初级 1 = 2
		{level.Staff, "2024-06-01", level.EducationCollege, level.CertificateJunior, "2026-06-01", nil, 2},
		// staff: 0 years + 硕士 5 = 5, ⌊5/3⌋ = 1; 1 + 1 + 0 = 2
		{level.Staff, "2026-09-01", level.EducationMaster, level.CertificateNone, "2026-11-21", nil, 2},
		// staff: 2 years + 博士 7 = 9, ⌊9/3⌋ = 3; 1 + 3 + 高级 3 = 7
		{level.Staff, "2024-07-01", level.EducationDoctor, level.CertificateSenior, "2026-07-01", nil, 7},
		// deputy 4–15: 8 years (a day short of 9) + 本科 3 = 11, ⌊11/3⌋ = 3; 4 + 3 + 中级 2 = 9
		{level.Deputy, "2017-11-22", level.EducationBachelor, level.CertificateIntermediate, "2026-11-21", nil, 9},
		// deputy: 9 years + 3 = 12, 4 steps; 4 + 4 + 2 = 10
		{level.Deputy, "2017-11-21", level.EducationBachelor, level.CertificateIntermediate, "2026-11-21", nil, 10},
		// deputy: 30 years + 7 = 37, 12 steps; 4 + 12 + 3 = 19 > 15 → 15
		{level.Deputy, "1996-01-01", level.EducationDoctor, level.CertificateSenior, "2026-01-01", nil, 15},
		// head: 33 years + 0 = 33, 11 steps; 7 + 11 + 0 = 18, exactly the maximum
		{level.Head, "1993-05-10", level.EducationNone, level.CertificateNone, "2026-05-10", nil, 18},
		// staff: 35 years − 1 (2000) = 34 + 3 = 37, 12 steps; 1 + 12 + 1 = 14 > 12 → 12
		{level.Staff, "1991-03-01", level.EducationBachelor, level.CertificateJunior, "2026-03-01", []int{2000}, 12},
		// staff hired on a leap day: 2 years on 2019-02-27, ⌊2/3⌋ = 0; 1
		{level.Staff, "2016-02-29", level.EducationNone, level.CertificateNone, "2019-02-27", nil, 1},
		// … and 3 years on 2019-02-28 (民法典 art. 202: the month's last day), 1 step; 1 + 1 = 2
		{level.Staff, "2016-02-29", level.EducationNone, level.CertificateNone, "2019-02-28", nil, 2},
		// head: 6 years − 4 (2020, 2021, 2022, and 2026 although its service year runs till
		// 2027-04-01) = 2; ⌊2/3⌋ = 0; 7 + 0 + 0 = 7
		{level.Head, "2020-04-01", level.EducationNone, level.CertificateNone, "2026-11-21", []int{2020, 2021, 2022, 2026}, 7},
		// staff: 0 years − 2 (2025, 2026) floors at 0, + 博士 7 = 7, ⌊7/3⌋ = 2; 1 + 2 + 0 = 3
		// (without the floor: −2 + 7 = 5, 1 step, level 2)
		{level.Staff, "2025-06-01", level.EducationDoctor, level.CertificateNone, "2026-02-01", []int{2025, 2026}, 3},
	}
	for _, c := range cases {
		bad := map[int]bool{}
		for _, y := range c.bad {
			bad[y] = true
		}
		got, err := level.Default().Level(facts(c.post, c.edu, c.cert, date(c.hired), bad), date(c.asOf))
		if err != nil {
			t.Fatal(err)
		}
		if got.Level != c.level {
			t.Errorf("%+v: level %d (%+v)", c, got.Level, got)
		}
		if o := oracle(c.post, c.edu, c.cert, date(c.hired), date(c.asOf), bad); o.level != c.level {
			t.Errorf("%+v: oracle disagrees with the hand sum: %d", c, o.level)
		}
	}
}

// Default must be the rule the domain brief states, since every county starts from it.
func TestDefaultMatchesBrief(t *testing.T) {
	t.Parallel()
	r := level.Default()
	for p, rg := range oracleRanges {
		if r.Ranges[p] != (level.Range{Min: rg[0], Max: rg[1]}) {
			t.Errorf("%s: %+v", p, r.Ranges[p])
		}
	}
	if len(r.Ranges) != 3 || r.YearsPerStep != 3 || !slices.Equal(r.Blocking, []level.Appraisal{level.Incompetent}) {
		t.Errorf("%+v", r)
	}
	// Default hands out fresh maps: a county editing its copy must not edit everyone's.
	r.Ranges[level.Head] = level.Range{Min: 1, Max: 1}
	r.EducationYears[level.EducationBachelor] = 99
	if d := level.Default(); d.Ranges[level.Head].Min != 7 || d.EducationYears[level.EducationBachelor] != 3 {
		t.Error("Default shares its maps")
	}
}

// FuzzLevel checks invariants over arbitrary facts: the level stays in its post's range,
// agrees with the oracle, never falls with a higher certificate or education, and never falls
// as time passes unless a year rated 不称职 comes into range (on its 1 January).
func FuzzLevel(f *testing.F) {
	f.Add(uint8(0), uint8(2), uint8(2), uint16(9190), uint16(4283), uint16(30), uint64(0b1010_0000))
	f.Add(uint8(2), uint8(0), uint8(0), uint16(9190), uint16(1401), uint16(1), uint64(1<<6)) // 2018-12-31 → 2019-01-01, 2019 不称职: the dip
	f.Add(uint8(1), uint8(4), uint8(3), uint16(0), uint16(14000), uint16(400), ^uint64(0))
	f.Add(uint8(2), uint8(1), uint8(1), uint16(2250), uint16(365), uint16(1), uint64(0)) // 1996-02-29 hire
	f.Add(uint8(0), uint8(3), uint8(0), uint16(100), uint16(0), uint16(0), uint64(1<<2))
	f.Fuzz(func(t *testing.T, post, edu, cert uint8, hireDays, serviceDays, laterDays uint16, bad uint64) {
		rule := level.Default()
		hired := date("1990-01-01").AddDays(int(hireDays) % (40 * 366))
		asOf := hired.AddDays(int(serviceDays) % (45 * 366))
		later := asOf.AddDays(int(laterDays) % (5 * 366))
		// Bit i rates hire year − 2 + i 不称职, so some ratings fall before the hire.
		incompetent := map[int]bool{}
		for i := range 64 {
			if bad&(1<<i) != 0 {
				incompetent[hired.Year-2+i] = true
			}
		}
		p := level.Posts[int(post)%len(level.Posts)]
		ei := int(edu) % len(level.Educations)
		ci := int(cert) % len(level.Certificates)
		lv := func(ei, ci int, d workday.Date) level.Result {
			res, err := rule.Level(facts(p, level.Educations[ei], level.Certificates[ci], hired, incompetent), d)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		res := lv(ei, ci, asOf)
		rg := rule.Ranges[p]
		raw := rg.Min + res.Steps + res.Bump
		switch {
		case res.Level < rg.Min || res.Level > rg.Max:
			t.Fatalf("level %d outside %+v", res.Level, rg)
		case res.Capped != (raw > rg.Max) || res.Level != min(raw, rg.Max):
			t.Fatalf("level %d capped %v from raw %d", res.Level, res.Capped, raw)
		case res.CountedYears != max(0, res.ServiceYears-len(res.BlockedYears)):
			t.Fatalf("counted %d, blocked %v, service %d", res.CountedYears, res.BlockedYears, res.ServiceYears)
		}
		for _, y := range res.BlockedYears {
			if !incompetent[y] || y < hired.Year || y > asOf.Year {
				t.Fatalf("year %d blocked (hired %s, as of %s)", y, hired, asOf)
			}
		}
		if o := oracle(p, level.Educations[ei], level.Certificates[ci], hired, asOf, incompetent); o.level != res.Level || o.capped != res.Capped {
			t.Fatalf("level %d capped %v, oracle %+v", res.Level, res.Capped, o)
		}
		// Time only adds service years; the level can fall only when a 不称職 year enters the
		// range on its 1 January, so with none up to the later date it must not fall.
		blockingUpTo := func(d workday.Date) bool {
			for y := hired.Year; y <= d.Year; y++ {
				if incompetent[y] {
					return true
				}
			}
			return false
		}
		if l := lv(ei, ci, later); !blockingUpTo(later) && (l.Level < res.Level || l.CountedYears < res.CountedYears) {
			t.Fatalf("as of %s level %d (counted %d), as of later %s level %d (counted %d)",
				asOf, res.Level, res.CountedYears, later, l.Level, l.CountedYears)
		}
		if d := asOf.AddDays(1); !blockingUpTo(d) && lv(ei, ci, d).Level < res.Level {
			t.Fatalf("level fell from %s to %s", asOf, d)
		}
		if ei+1 < len(level.Educations) && lv(ei+1, ci, asOf).Level < res.Level {
			t.Fatalf("higher education than %s lowered the level", level.Educations[ei])
		}
		if ci+1 < len(level.Certificates) && lv(ei, ci+1, asOf).Level < res.Level {
			t.Fatalf("higher certificate than %s lowered the level", level.Certificates[ci])
		}
	})
}
