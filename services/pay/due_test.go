package pay

import (
	"reflect"
	"testing"
	"time"

	"github.com/yichuang/yichuang/services/level"
)

var (
	nov2026 = Month{2026, time.November} // 30 days
	sample  = Sample()
	since   = []Dated{{From: date(2020, 1, 1), Scheme: &sample}}
)

func staffAt(lv int) Worker {
	return Worker{ID: "w", States: []State{{From: date(2018, 3, 1), Active: true, Level: lv, Certificate: level.CertificateNone}}}
}

func allowance(fen Money) []Named { return []Named{{Name: "交通通讯补贴", Amount: fen}} }

func TestDueHandComputed(t *testing.T) {
	t.Parallel()
	promoted := staffAt(5)
	promoted.States = append(promoted.States, State{From: date(2026, 11, 11), Active: true, Level: 6})
	hired := Worker{States: []State{{From: date(2026, 11, 16), Active: true, Level: 1}}}
	left := staffAt(5)
	left.States = append(left.States, State{From: date(2026, 11, 11), Level: 5})
	excellent := staffAt(5)
	excellent.Appraisals = map[int]level.Appraisal{2025: level.Excellent, 2026: level.Incompetent}
	incompetent := staffAt(5)
	incompetent.Appraisals = map[int]level.Appraisal{2025: level.Incompetent}

	cases := []struct {
		name string
		w    Worker
		want Amounts
	}{
		// 3400 × 1.320 = 4488.00; basic 80% = 3590.40; performance 897.60 × 1.000; 100.00 allowance.
		{"full month at level 5", staffAt(5), Amounts{Days: 30, Level: 5, LevelPay: 448800, Basic: 359040, Performance: 89760, Allowances: allowance(10000), Gross: 458800}},
		// Level 5 for 10 of 30 days: 4488.00 / 3 = 1496.00 → 1196.80 + 299.20, allowance 33.33.
		// Level 6 (4760.00) for 20 days: 3173.333 → 3173.33 → basic 2538.664 → 2538.66, performance 634.67, allowance 66.67.
		{"promotion on the 11th", promoted, Amounts{Days: 30, Level: 6, LevelPay: 149600 + 317333, Basic: 119680 + 253866, Performance: 29920 + 63467, Allowances: allowance(3333 + 6667), Gross: 476933}},
		// Hired on the 16th of a 30-day month: 15 days of level 1 (3400.00) = 1700.00.
		{"hired on the 16th", hired, Amounts{Days: 15, Level: 1, LevelPay: 170000, Basic: 136000, Performance: 34000, Allowances: allowance(5000), Gross: 175000}},
		// 离岗 from the 11th: 10 days paid.
		{"离岗 from the 11th", left, Amounts{Days: 10, Level: 5, LevelPay: 149600, Basic: 119680, Performance: 29920, Allowances: allowance(3333), Gross: 152933}},
		// 优秀 in 2025 pays 120% of 897.60 = 1077.12; the 2026 result does not count until 2027.
		{"excellent prior year", excellent, Amounts{Days: 30, Level: 5, LevelPay: 448800, Basic: 359040, Performance: 107712, Allowances: allowance(10000), Gross: 476752}},
		{"incompetent prior year", incompetent, Amounts{Days: 30, Level: 5, LevelPay: 448800, Basic: 359040, Performance: 0, Allowances: allowance(10000), Gross: 369040}},
		{"not yet hired", Worker{States: []State{{From: date(2026, 12, 1), Active: true, Level: 3}}}, Amounts{}},
		{"no states", Worker{}, Amounts{}},
	}
	for _, c := range cases {
		if got := Due(c.w, since, nov2026); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
		}
	}
}

func TestDueSchemeChanges(t *testing.T) {
	t.Parallel()
	raised := Sample()
	raised.Base = 360000 // 3600 × 1.320 = 4752.00 at level 5
	raised.Allowances = []Allowance{{Name: "社工证津贴", ByCertificate: map[level.Certificate]Money{level.CertificateJunior: 20000}}}
	w := staffAt(5)
	w.States[0].Certificate = level.CertificateJunior

	// Old scheme for 15 days (2244.00), the raised one for 15 (2376.00); each scheme's
	// allowances only for its own days, in order of first appearance.
	got := Due(w, []Dated{since[0], {From: date(2026, 11, 16), Scheme: &raised}}, nov2026)
	want := Amounts{
		Days: 30, Level: 5, LevelPay: 224400 + 237600, Basic: 179520 + 190080, Performance: 44880 + 47520,
		Allowances: []Named{{"交通通讯补贴", 5000}, {"社工证津贴", 10000}},
		Gross:      179520 + 190080 + 44880 + 47520 + 5000 + 10000,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("mid-month scheme change:\n got %+v\nwant %+v", got, want)
	}

	// Days before the first scheme are not paid: there is nothing to pay them by.
	got = Due(staffAt(5), []Dated{{From: date(2026, 11, 21), Scheme: &sample}}, nov2026)
	if got.Days != 10 || got.LevelPay != 149600 {
		t.Errorf("scheme from the 21st: %d days, level pay %d; want 10 days, 149600", got.Days, got.LevelPay)
	}
}

// A change that leaves the pay inputs as they were (a post change keeping the level) and
// a 离岗 spell between two stretches on one level must cost no rounding: the month is
// prorated once.
func TestDuePoolsEqualStretches(t *testing.T) {
	t.Parallel()
	same := staffAt(7)
	same.States = append(same.States, State{From: date(2026, 11, 8), Active: true, Level: 7})
	if got, want := Due(same, since, nov2026), Due(staffAt(7), since, nov2026); !reflect.DeepEqual(got, want) {
		t.Errorf("a restated level changed the pay:\n got %+v\nwant %+v", got, want)
	}

	// Level 7 = 3400 × 1.480 = 5032.00; away 9–13 November, so 25 of 30 days: 4193.333 → 4193.33.
	away := staffAt(7)
	away.States = append(away.States, State{From: date(2026, 11, 9), Level: 7}, State{From: date(2026, 11, 14), Active: true, Level: 7})
	got := Due(away, since, nov2026)
	if got.Days != 25 || got.LevelPay != 419333 || got.Allowances[0].Amount != 8333 {
		t.Errorf("away 5 days: %+v; want 25 days, level pay 419333, allowance 8333", got)
	}
}

func TestDueLastPaidLevel(t *testing.T) {
	t.Parallel()
	w := staffAt(4)
	w.States = append(w.States,
		State{From: date(2026, 11, 10), Active: true, Level: 9},
		State{From: date(2026, 11, 20), Active: false, Level: 12})
	if got := Due(w, since, nov2026); got.Level != 9 || got.Days != 19 {
		t.Errorf("Level %d, Days %d; want the level of the last paid day, 9, and 19 days", got.Level, got.Days)
	}
}

func TestDueFebruary(t *testing.T) {
	t.Parallel()
	// 2028 is a leap year: hired on 15 February, 15 of 29 days of 3400.00 = 1758.62.
	w := Worker{States: []State{{From: date(2028, 2, 15), Active: true, Level: 1}}}
	if got := Due(w, since, Month{2028, time.February}); got.Days != 15 || got.LevelPay != 175862 {
		t.Errorf("February 2028: %d days, level pay %d; want 15, 175862", got.Days, got.LevelPay)
	}
}

func TestDivRound(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ n, d, want int64 }{
		{5, 10, 1}, {-5, 10, -1}, {4, 10, 0}, {-4, 10, 0}, {15, 10, 2}, {-15, 10, -2},
		{2, 3, 1}, {-2, 3, -1}, {1, 3, 0}, {0, 7, 0}, {448800 * 20, 30, 299200},
	} {
		if got := divRound(c.n, c.d); got != c.want {
			t.Errorf("divRound(%d, %d) = %d, want %d", c.n, c.d, got, c.want)
		}
	}
}

// Due sits in the payroll's inner loop; the arrears lookback must not allocate at all and
// a month with one allowance only for its list. Not parallel: AllocsPerRun counts the
// allocations of every goroutine, so parallel tests would be counted too.
func TestDueAllocations(t *testing.T) {
	w := staffAt(5)
	w.States = append(w.States, State{From: date(2026, 11, 11), Active: true, Level: 6})
	if n := testing.AllocsPerRun(100, func() { due(&w, since, nov2026, false) }); n != 0 {
		t.Errorf("lookback Due allocates %v times, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() { Due(w, since, nov2026) }); n > 1 {
		t.Errorf("Due allocates %v times, want at most 1", n)
	}
}
