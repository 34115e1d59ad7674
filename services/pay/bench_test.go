package pay

import (
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/yichuang/yichuang/services/level"
	"github.com/yichuang/yichuang/services/workday"
)

type payrollData struct {
	workers []Worker
	schemes []Dated
	month   Month
	earlier []Month
	paid    map[string]Paid
}

// benchData is a county of n workers for November 2026 with a three-month lookback. A pay
// rise from 1 October falls inside the lookback; a fifth of the workers change level,
// leave or join in one of the four months; 5% were paid slightly off for an earlier month.
func benchData(n int) payrollData {
	r := rand.New(rand.NewPCG(1, 2))
	old := Sample()
	raised := Sample()
	raised.Label = "2026 年调整"
	raised.Base = 360000
	d := payrollData{
		schemes: []Dated{{From: date(2020, 1, 1), Scheme: &old}, {From: date(2026, 10, 1), Scheme: &raised}},
		month:   Month{2026, time.November},
		earlier: []Month{{2026, time.August}, {2026, time.September}, {2026, time.October}},
		paid:    make(map[string]Paid, n),
	}
	for i := range n {
		lv := 1 + r.IntN(level.Levels)
		w := Worker{
			ID:         fmt.Sprintf("w%05d", i),
			States:     []State{{From: date(2015+r.IntN(10), time.Month(1+r.IntN(12)), 1), Active: true, Level: lv, Certificate: level.CertificateNone}},
			Appraisals: map[int]level.Appraisal{2025: level.Appraisals[r.IntN(3)]},
		}
		if r.IntN(5) == 0 {
			m := d.earlier[0]
			for range r.IntN(4) {
				m = m.Next()
			}
			from := m.First().AddDays(r.IntN(m.Days()))
			switch r.IntN(3) {
			case 0: // promotion
				w.States = append(w.States, State{From: from, Active: true, Level: min(lv+1, level.Levels), Certificate: level.CertificateJunior})
			case 1: // 离岗, perhaps back later
				w.States = append(w.States, State{From: from, Level: lv})
				if r.IntN(2) == 0 {
					w.States = append(w.States, State{From: from.AddDays(10 + r.IntN(30)), Active: true, Level: lv})
				}
			case 2: // hired this month
				w.States[0].From = from
			}
		}
		if r.IntN(50) == 0 {
			w.States[len(w.States)-1].Active = false
		}
		p := Paid{}
		for _, e := range d.earlier {
			p[e] = Due(w, d.schemes, e).Gross
			if r.IntN(20) == 0 {
				p[e] += Money(r.IntN(2001) - 1000)
			}
		}
		d.workers = append(d.workers, w)
		d.paid[w.ID] = p
	}
	return d
}

func date(y int, m time.Month, d int) workday.Date { return workday.Date{Year: y, Month: m, Day: d} }

func BenchmarkPayroll10k(b *testing.B) {
	d := benchData(10000)
	for b.Loop() {
		Run(d.workers, d.schemes, d.month, d.earlier, d.paid)
	}
}

func BenchmarkPayrollOracle10k(b *testing.B) {
	d := benchData(10000)
	for b.Loop() {
		oracleRun(d.workers, d.schemes, d.month, d.earlier, d.paid)
	}
}

// benchSheet is the 10,000-row sheet: 10 townships of 5 communities of 200 workers.
func benchSheet() Sheet {
	d := benchData(10000)
	res := Run(d.workers, d.schemes, d.month, d.earlier, d.paid)
	s := Sheet{
		County: "示例县", Month: d.month, Status: "草稿", Allowances: []string{"交通通讯补贴"},
		GeneratedAt: time.Date(2026, 11, 25, 1, 30, 0, 0, time.UTC),
	}
	for i, r := range res {
		s.Rows = append(s.Rows, Row{
			Township:  fmt.Sprintf("第%02d街道", i/1000+1),
			Community: fmt.Sprintf("第%02d社区", i/200%5+1),
			Name:      fmt.Sprintf("职工%05d", i),
			IDMasked:  "110101********" + fmt.Sprintf("%04d", i%10000),
			Post:      level.Staff.Label(), Title: "网格员",
			Level: r.Due.Level, Amounts: r.Due, Arrears: r.Arrears, Total: r.Total,
		})
	}
	return s
}

func BenchmarkPayrollExcel10k(b *testing.B) {
	s := benchSheet()
	for b.Loop() {
		if err := WriteExcel(io.Discard, s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPayrollExcelCellByCell10k(b *testing.B) {
	s := benchSheet()
	for b.Loop() {
		if err := writeCellByCell(io.Discard, s); err != nil {
			b.Fatal(err)
		}
	}
}
