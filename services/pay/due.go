package pay

import (
	"github.com/yichuang/yichuang/services/level"
	"github.com/yichuang/yichuang/services/workday"
)

// share is the days of a month paid under one (scheme, level, certificate): everything
// the amounts depend on apart from the appraisal, which is the same all month.
type share struct {
	scheme *Scheme
	level  int
	cert   level.Certificate
	days   int
}

// Due is what w is due for month m. The worker's state in force on a day is the last
// State with From on or before it, and likewise the scheme (both lists sorted by From); a
// day is paid when the state is active and a scheme is in force. Paid days are pooled by
// (scheme, level, certificate, with "" counting as none) and each pool is prorated once,
// by its days over the month's days, so that a change that leaves the pay unchanged (a
// post change keeping the level, a 离岗 spell in between) costs no rounding: a worker on
// one level all month but five days gets exactly level pay × (days − 5) / days.
//
// Per pool: level pay = round(LevelPay × days / month days); basic = round(level pay ×
// BasicPermille / 1000); performance = round((level pay − basic) × factor / 1000), where
// factor is PerformancePermille of the previous year's appraisal, or NoAppraisalPermille
// without one; each allowance = round((Fixed + ByCertificate[certificate]) × days / month
// days), summed by name. Rounding is half away from zero, in integers.
//
// Due allocates only the Allowances slice: it is the payroll's inner loop.
func Due(w Worker, schemes []Dated, m Month) Amounts { return due(&w, schemes, m, true) }

// due is Due; without named it leaves Allowances nil and only adds them into Gross, which
// is all the arrears lookback needs, and then allocates nothing.
func due(w *Worker, schemes []Dated, m Month, named bool) Amounts {
	var buf [4]share
	shares := buf[:0]
	var a Amounts
	n := m.Days()
	si, ci := -1, -1
	for day := 1; day <= n; {
		for si+1 < len(w.States) && dayOf(m, w.States[si+1].From, n) <= day {
			si++
		}
		for ci+1 < len(schemes) && dayOf(m, schemes[ci+1].From, n) <= day {
			ci++
		}
		next := n + 1
		if si+1 < len(w.States) {
			next = min(next, dayOf(m, w.States[si+1].From, n))
		}
		if ci+1 < len(schemes) {
			next = min(next, dayOf(m, schemes[ci+1].From, n))
		}
		if si >= 0 && ci >= 0 && w.States[si].Active && schemes[ci].Scheme != nil {
			st := &w.States[si]
			k := share{scheme: schemes[ci].Scheme, level: st.Level, cert: st.Certificate}
			if k.cert == "" {
				k.cert = level.CertificateNone // an unset certificate is no certificate
			}
			i := 0
			for i < len(shares) && (shares[i].scheme != k.scheme || shares[i].level != k.level || shares[i].cert != k.cert) {
				i++
			}
			if i == len(shares) {
				shares = append(shares, k)
			}
			shares[i].days += next - day
			a.Days += next - day
			a.Level = st.Level
		}
		day = next
	}
	if len(shares) == 0 {
		return a
	}

	appraisal, appraised := w.Appraisals[m.Year-1]
	var allowances int64
	for _, sh := range shares {
		sc := sh.scheme
		lp := divRound(int64(sc.LevelPay(sh.level))*int64(sh.days), int64(n))
		basic := divRound(lp*int64(sc.BasicPermille), 1000)
		factor, ok := sc.PerformancePermille[appraisal]
		if !appraised || !ok {
			factor = sc.NoAppraisalPermille
		}
		perf := divRound((lp-basic)*int64(factor), 1000)
		a.LevelPay += Money(lp)
		a.Basic += Money(basic)
		a.Performance += Money(perf)
		if !named {
			for j := range sc.Allowances {
				al := &sc.Allowances[j]
				allowances += divRound(int64(al.Fixed+al.ByCertificate[sh.cert])*int64(sh.days), int64(n))
			}
			continue
		}
		if a.Allowances == nil && len(sc.Allowances) > 0 {
			a.Allowances = make([]Named, 0, len(sc.Allowances))
		}
		for j := range sc.Allowances {
			al := &sc.Allowances[j]
			amt := Money(divRound(int64(al.Fixed+al.ByCertificate[sh.cert])*int64(sh.days), int64(n)))
			i := 0
			for i < len(a.Allowances) && a.Allowances[i].Name != al.Name {
				i++
			}
			if i == len(a.Allowances) {
				a.Allowances = append(a.Allowances, Named{Name: al.Name})
			}
			a.Allowances[i].Amount += amt
		}
	}
	a.Gross = a.Basic + a.Performance + Money(allowances)
	for _, al := range a.Allowances {
		a.Gross += al.Amount
	}
	return a
}

// dayOf places d on month m's days 1..n: 1 for any earlier date, n+1 for any later one.
func dayOf(m Month, d workday.Date, n int) int {
	switch {
	case d.Year < m.Year || d.Year == m.Year && d.Month < m.Month:
		return 1
	case d.Year > m.Year || d.Month > m.Month:
		return n + 1
	}
	return min(max(d.Day, 1), n+1)
}

// divRound is n/d rounded half away from zero, for d > 0.
func divRound(n, d int64) int64 {
	if n < 0 {
		return -((-n + d/2) / d)
	}
	return (n + d/2) / d
}
