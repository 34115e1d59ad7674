package pay

import (
	"reflect"
	"testing"
	"time"

	"github.com/yichuang/yichuang/services/level"
)

// A 2026 appraisal entered in March 2027 raises January and February's performance pay;
// March's payroll pays the difference as arrears.
func TestRunLateAppraisal(t *testing.T) {
	t.Parallel()
	jan, feb, mar := Month{2027, time.January}, Month{2027, time.February}, Month{2027, time.March}
	w := staffAt(5)
	w.ID = "a"
	w.Appraisals = map[int]level.Appraisal{2026: level.Excellent}
	other := staffAt(5)
	other.ID = "b"

	paid := map[string]Paid{"a": {jan: 458800, feb: 458800}, "b": {jan: 458800, feb: 458800}}
	res := Run([]Worker{w, other}, since, mar, []Month{feb, jan, jan, mar}, paid)
	// 优秀 pays 1077.12 performance instead of 897.60: 179.52 more a month.
	want := Result{
		WorkerID: "a",
		Due:      Amounts{Days: 31, Level: 5, LevelPay: 448800, Basic: 359040, Performance: 107712, Allowances: allowance(10000), Gross: 476752},
		Arrears:  2 * 17952,
		Detail:   []Diff{{jan, 476752, 458800, 17952}, {feb, 476752, 458800, 17952}},
		Total:    476752 + 2*17952,
	}
	if len(res) != 2 || !reflect.DeepEqual(res[0], want) {
		t.Fatalf("late appraisal:\n got %+v\nwant %+v", res, want)
	}
	if res[1].Arrears != 0 || res[1].Detail != nil || res[1].Total != 458800 {
		t.Errorf("a worker paid exactly right got arrears: %+v", res[1])
	}
}

func TestRunArrears(t *testing.T) {
	t.Parallel()
	sep, oct, nov := Month{2026, time.September}, Month{2026, time.October}, Month{2026, time.November}
	// Back-dated hire on 16 September, never paid for September: all of it is due now.
	hired := Worker{ID: "h", States: []State{{From: date(2026, 9, 16), Active: true, Level: 1}}}
	// Paid in full for October, but 离岗 from 21 October was recorded late: 补扣.
	left := staffAt(5)
	left.ID = "l"
	left.States = append(left.States, State{From: date(2026, 10, 21), Level: 5})

	paid := map[string]Paid{"h": {oct: Due(hired, since, oct).Gross}, "l": {sep: 458800, oct: 458800}}
	res := Run([]Worker{hired, left}, since, nov, []Month{sep, oct}, paid)

	if d := res[0].Detail; len(d) != 1 || d[0].Month != sep || d[0].Paid != 0 || d[0].Diff != 175000 || res[0].Arrears != 175000 {
		t.Errorf("unpaid September: %+v; want one diff of 175000 for 2026-09", res[0])
	}
	if res[0].Total != res[0].Due.Gross+175000 || res[0].Due.Days != 30 {
		t.Errorf("unpaid September: total %d, days %d", res[0].Total, res[0].Due.Days)
	}
	// 20 of 31 October days of 4488.00 = 2895.48 → basic 2316.38, performance 579.10, allowance 64.52.
	octDue := Money(231638 + 57910 + 6452)
	if d := res[1].Detail; len(d) != 1 || d[0].Month != oct || d[0].Due != octDue || d[0].Diff != octDue-458800 {
		t.Errorf("late 离岗: %+v; want one diff for 2026-10 of %d", res[1].Detail, octDue-458800)
	}
	if res[1].Due.Gross != 0 || res[1].Total != octDue-458800 || res[1].Total >= 0 {
		t.Errorf("late 离岗: November gross %d, total %d; want 0 and a deduction", res[1].Due.Gross, res[1].Total)
	}
}

// Schemes stored out of order must still apply by date.
func TestRunSortsSchemes(t *testing.T) {
	t.Parallel()
	raised := Sample()
	raised.Base = 360000
	schemes := []Dated{{From: date(2026, 10, 1), Scheme: &raised}, since[0]}
	res := Run([]Worker{staffAt(5)}, schemes, nov2026, nil, nil)
	if got := res[0].Due.LevelPay; got != 475200 {
		t.Errorf("level pay %d, want the raised scheme's 475200", got)
	}
	if schemes[0].Scheme != &raised {
		t.Error("Run reordered the caller's slice")
	}
}
