package pay

import (
	"math/big"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/yichuang/yichuang/services/level"
	"github.com/yichuang/yichuang/services/workday"
)

// oracleDue is Due written the slow, obvious way, to check Due's segment walk: it looks up
// the state and scheme for every single day by a linear scan, pools the paid days by what
// the pay depends on, and does the arithmetic in exact rationals with its own rounding.
// It shares nothing with Due but the pay rule itself.
func oracleDue(w Worker, schemes []Dated, m Month) Amounts {
	type key struct {
		scheme *Scheme
		level  int
		cert   level.Certificate
	}
	var order []key
	days := map[key]int{}
	var a Amounts
	n := 0
	for d := m.First(); MonthOf(d) == m; d = d.AddDays(1) {
		n++
		st := -1
		for i, s := range w.States {
			if !d.Before(s.From) {
				st = i
			}
		}
		var sc *Scheme
		for _, s := range schemes {
			if !d.Before(s.From) {
				sc = s.Scheme
			}
		}
		if st < 0 || sc == nil || !w.States[st].Active {
			continue
		}
		k := key{sc, w.States[st].Level, w.States[st].Certificate}
		if k.cert == "" {
			k.cert = level.CertificateNone
		}
		if _, ok := days[k]; !ok {
			order = append(order, k)
		}
		days[k]++
		a.Days++
		a.Level = k.level
	}
	ap, appraised := w.Appraisals[m.Year-1]
	for _, k := range order {
		sc := k.scheme
		var pay *big.Rat
		switch {
		case k.level < 1 || k.level > level.Levels:
			pay = new(big.Rat)
		case sc.Mode == ModeCoefficient:
			pay = big.NewRat(ratRound(big.NewRat(int64(sc.Base)*int64(sc.Coefficients[k.level-1]), 1000)), 1)
		default:
			pay = big.NewRat(int64(sc.Amounts[k.level-1]), 1)
		}
		share := big.NewRat(int64(days[k]), int64(n))
		lp := ratRound(new(big.Rat).Mul(pay, share))
		basic := ratRound(big.NewRat(lp*int64(sc.BasicPermille), 1000))
		factor := sc.NoAppraisalPermille
		if f, ok := sc.PerformancePermille[ap]; appraised && ok {
			factor = f
		}
		perf := ratRound(big.NewRat((lp-basic)*int64(factor), 1000))
		a.LevelPay += Money(lp)
		a.Basic += Money(basic)
		a.Performance += Money(perf)
		a.Gross += Money(basic + perf)
		for _, al := range sc.Allowances {
			amt := Money(ratRound(new(big.Rat).Mul(big.NewRat(int64(al.Fixed+al.ByCertificate[k.cert]), 1), share)))
			found := false
			for i := range a.Allowances {
				if a.Allowances[i].Name == al.Name {
					a.Allowances[i].Amount += amt
					found = true
				}
			}
			if !found {
				a.Allowances = append(a.Allowances, Named{al.Name, amt})
			}
			a.Gross += amt
		}
	}
	return a
}

// ratRound rounds half away from zero: floor((2|p| + q) / 2q) with the sign put back.
func ratRound(r *big.Rat) int64 {
	p, q := new(big.Int).Abs(r.Num()), r.Denom()
	p.Mul(p, big.NewInt(2)).Add(p, q)
	p.Quo(p, new(big.Int).Mul(q, big.NewInt(2)))
	if r.Sign() < 0 {
		p.Neg(p)
	}
	return p.Int64()
}

// oracleRun is Run through oracleDue.
func oracleRun(workers []Worker, schemes []Dated, m Month, earlier []Month, paid map[string]Paid) []Result {
	out := make([]Result, len(workers))
	for i, w := range workers {
		r := Result{WorkerID: w.ID, Due: oracleDue(w, schemes, m)}
		for _, e := range earlier {
			owed := oracleDue(w, schemes, e).Gross
			if d := owed - paid[w.ID][e]; d != 0 {
				r.Detail = append(r.Detail, Diff{e, owed, paid[w.ID][e], d})
				r.Arrears += d
			}
		}
		r.Total = r.Due.Gross + r.Arrears
		out[i] = r
	}
	return out
}

func TestRatRound(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ p, q, want int64 }{
		{5, 10, 1}, {-5, 10, -1}, {4, 10, 0}, {-4, 10, 0}, {15, 10, 2}, {-15, 10, -2}, {2, 3, 1}, {1, 3, 0},
	} {
		if got := ratRound(big.NewRat(c.p, c.q)); got != c.want {
			t.Errorf("ratRound(%d/%d) = %d, want %d", c.p, c.q, got, c.want)
		}
	}
}

// randomScheme draws a valid scheme of either mode with awkward numbers, so that most
// prorations do not divide evenly.
func randomScheme(r *rand.Rand) *Scheme {
	s := Sample()
	s.Label = "随机"
	s.Base = Money(200000 + r.IntN(300000))
	c := 900 + r.IntN(200)
	for i := range s.Coefficients {
		s.Coefficients[i] = c
		c += r.IntN(120)
	}
	if r.IntN(3) == 0 {
		s.Mode = ModeAmount
		s.Amounts = make([]Money, level.Levels)
		a := Money(250000 + r.IntN(100000))
		for i := range s.Amounts {
			s.Amounts[i] = a
			a += Money(r.IntN(30000))
		}
	}
	s.BasicPermille = r.IntN(1001)
	for _, a := range level.Appraisals {
		s.PerformancePermille[a] = r.IntN(MaxPermille + 1)
	}
	s.NoAppraisalPermille = r.IntN(MaxPermille + 1)
	s.Allowances = nil
	names := []string{"交通通讯补贴", "社工证津贴", "岗位津贴"}
	for _, i := range r.Perm(len(names))[:r.IntN(len(names)+1)] {
		al := Allowance{Name: names[i], Fixed: Money(r.IntN(3) * r.IntN(20001))}
		if r.IntN(2) == 0 {
			al.ByCertificate = map[level.Certificate]Money{
				level.CertificateJunior: Money(r.IntN(30001)), level.CertificateSenior: Money(r.IntN(60001)),
			}
		}
		s.Allowances = append(s.Allowances, al)
	}
	if p := s.Validate(); p != nil {
		panic(p)
	}
	return &s
}

// randomDates returns n sorted dates around m: some before it, most inside, some after,
// with repeats, so that ties and out-of-month entries are exercised.
func randomDates(r *rand.Rand, m Month, n int) []workday.Date {
	ds := make([]workday.Date, n)
	for i := range ds {
		switch r.IntN(6) {
		case 0:
			ds[i] = m.First().AddDays(-1 - r.IntN(400))
		case 1:
			ds[i] = m.Last().AddDays(1 + r.IntN(40))
		default:
			ds[i] = m.First().AddDays(r.IntN(m.Days()))
		}
	}
	for i := 1; i < len(ds); i++ {
		for j := i; j > 0 && ds[j].Before(ds[j-1]); j-- {
			ds[j], ds[j-1] = ds[j-1], ds[j]
		}
	}
	return ds
}

func randomWorker(r *rand.Rand, m Month) Worker {
	w := Worker{ID: "w", Appraisals: map[int]level.Appraisal{}}
	for i, d := range randomDates(r, m, 1+r.IntN(4)) {
		w.States = append(w.States, State{
			From:        d,
			Active:      i == 0 || r.IntN(4) != 0,
			Level:       1 + r.IntN(level.Levels),
			Certificate: append([]level.Certificate{""}, level.Certificates...)[r.IntN(len(level.Certificates)+1)],
		})
	}
	if r.IntN(3) != 0 {
		w.Appraisals[m.Year-1] = level.Appraisals[r.IntN(len(level.Appraisals))]
	}
	if r.IntN(2) == 0 {
		w.Appraisals[m.Year] = level.Excellent // the current year's result must not count yet
	}
	return w
}

func randomMonth(r *rand.Rand) Month {
	return Month{2023 + r.IntN(6), time.Month(1 + r.IntN(12))}
}

// Due must agree to the fen with the day-by-day oracle on random workers with hires,
// promotions, 离岗 spells, certificate changes and scheme changes in mid-month.
func TestDueMatchesOracle(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(2026, 11))
	paidSome, split := 0, 0
	for i := range 20000 {
		m := randomMonth(r)
		var schemes []Dated
		for _, d := range randomDates(r, m, 1+r.IntN(3)) {
			schemes = append(schemes, Dated{From: d, Scheme: randomScheme(r)})
		}
		w := randomWorker(r, m)
		got, want := Due(w, schemes, m), oracleDue(w, schemes, m)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("case %d, month %s:\nworker %+v\nschemes from %v\nDue    %+v\noracle %+v", i, m, w, fromDates(schemes), got, want)
		}
		sum := got.Basic + got.Performance
		for _, a := range got.Allowances {
			sum += a.Amount
		}
		if got.Gross != sum || got.Days > m.Days() {
			t.Fatalf("case %d: gross %d is not the sum of its parts %d, or %d days exceed the month", i, got.Gross, sum, got.Days)
		}
		if got.Days > 0 {
			paidSome++
		}
		if got.Days > 0 && got.Days < m.Days() {
			split++
		}
	}
	// Guard the generator: the comparison means little unless many cases pay part of a month.
	if paidSome < 10000 || split < 3000 {
		t.Fatalf("generator too tame: %d cases paid, %d partly", paidSome, split)
	}
}

func fromDates(ds []Dated) []workday.Date {
	out := make([]workday.Date, len(ds))
	for i, d := range ds {
		out[i] = d.From
	}
	return out
}

// Run must agree with the oracle on the benchmark's data, so that the two benchmarks
// measure the same work.
func TestRunMatchesOracle(t *testing.T) {
	t.Parallel()
	d := benchData(1000)
	got := Run(d.workers, d.schemes, d.month, d.earlier, d.paid)
	want := oracleRun(d.workers, d.schemes, d.month, d.earlier, d.paid)
	if !reflect.DeepEqual(got, want) {
		for i := range got {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("worker %d:\nRun    %+v\noracle %+v", i, got[i], want[i])
			}
		}
	}
	withArrears := 0
	for _, r := range got {
		if r.Arrears != 0 {
			withArrears++
		}
	}
	if withArrears == 0 {
		t.Fatal("the benchmark data has no arrears to compute")
	}
}
