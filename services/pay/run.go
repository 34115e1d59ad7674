package pay

import "slices"

// Paid is what finalised payrolls have paid a worker for each month (current pay plus
// earlier arrears).
type Paid map[Month]Money

// Diff is one earlier month whose due amount differs from what was paid for it.
type Diff struct {
	Month Month `json:"month"`
	Due   Money `json:"due"`
	Paid  Money `json:"paid"`
	Diff  Money `json:"diff"`
}

// Result is one worker's line in a month's payroll.
type Result struct {
	WorkerID string  `json:"worker_id"`
	Due      Amounts `json:"due"`
	// Arrears is 补发 when positive and 补扣 when negative: the sum of Detail.
	Arrears Money `json:"arrears"`
	// Detail holds only the months with Diff != 0, ascending.
	Detail []Diff `json:"detail"`
	Total  Money  `json:"total"` // Due.Gross + Arrears
}

// Run computes month m for every worker, in the order given. earlier lists the months
// already paid by finalised payrolls (the arrears lookback): each is recomputed with
// today's facts, so a late appraisal or a back-dated promotion shows up as the difference
// from paid[workerID]. Months not before m are ignored, as are repeats.
func Run(workers []Worker, schemes []Dated, m Month, earlier []Month, paid map[string]Paid) []Result {
	back := make([]Month, 0, len(earlier))
	for _, e := range earlier {
		if e.Before(m) {
			back = append(back, e)
		}
	}
	slices.SortFunc(back, Month.compare)
	back = slices.Compact(back)

	if !slices.IsSortedFunc(schemes, byFrom) {
		// Due reads the list in order; a list stored out of order would pay by the wrong scheme.
		schemes = slices.Clone(schemes)
		slices.SortStableFunc(schemes, byFrom)
	}

	out := make([]Result, len(workers))
	for i := range workers {
		w := &workers[i]
		r := &out[i]
		r.WorkerID = w.ID
		r.Due = due(w, schemes, m, true)
		p := paid[w.ID]
		for _, e := range back {
			owed := due(w, schemes, e, false).Gross
			if d := owed - p[e]; d != 0 {
				r.Detail = append(r.Detail, Diff{Month: e, Due: owed, Paid: p[e], Diff: d})
				r.Arrears += d
			}
		}
		r.Total = r.Due.Gross + r.Arrears
	}
	return out
}

func byFrom(a, b Dated) int {
	switch {
	case a.From.Before(b.From):
		return -1
	case b.From.Before(a.From):
		return 1
	}
	return 0
}
