// Package stats is the county's view of its halls: volume by item, township and month,
// on-time rate, overdue count and average working days to decision, with an Excel export.
package stats

import (
	"context"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/xuri/excelize/v2"

	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
)

// Row is one line of a breakdown.
type Row struct {
	Key      string `json:"key"`
	Label    string `json:"label"`
	Received int    `json:"received"` // applications received in the period
	Accepted int    `json:"accepted"`
	Decided  int    `json:"decided"`
	OnTime   int    `json:"on_time"` // decided on or before the committed due date
	// Overdue counts decided late plus still open past the committed due date.
	Overdue    int     `json:"overdue"`
	OnTimeRate float64 `json:"on_time_rate"` // OnTime / Decided, 0 when nothing was decided
	// AvgDays is the mean of working days from acceptance to decision.
	AvgDays  float64 `json:"avg_days"`
	sumDays  int
	decCount int
}

// Report is the statistics of one period.
type Report struct {
	From    workday.Date `json:"from"`
	To      workday.Date `json:"to"`
	Total   Row          `json:"total"`
	ByItem  []Row        `json:"by_item"`
	ByHall  []Row        `json:"by_hall"`
	ByMonth []Row        `json:"by_month"`
}

// cell is one rollup line summed over the period: what a breakdown adds up.
type cell struct {
	// Grouping says which breakdown a cell counts in (GROUPING() of item, hall, month):
	// byItem, byHall, byMonth (and the total), or 0 for all of them.
	Grouping  int       `bun:"grouping"`
	ItemID    uuid.UUID `bun:"item_id"`
	ItemName  string    `bun:"item_name"`
	HallID    uuid.UUID `bun:"hall_id"`
	Month     string    `bun:"month"`
	Day       time.Time `bun:"day"` // a rollup row's day or month
	Received  int       `bun:"received"`
	Accepted  int       `bun:"accepted"`
	Decided   int       `bun:"decided"`
	OnTime    int       `bun:"on_time"`
	Late      int       `bun:"late"` // decided late; the open ones past their date are added live
	DaysSum   int       `bun:"days_sum"`
	DaysCount int       `bun:"days_count"`
}

// Compute builds the report for applications received from..to (inclusive) as of today.
//
// It reads the rollup application_stats_daily (kept by a trigger on applications in the
// writing transaction, migration 20261205000010), a few thousand rows for any period, and
// counts live only what depends on today: open, undecided applications past their committed
// date (a partial index holds just those). It never scans the period's applications, which
// is a county's half million over five years at a province's size. The average working days
// to a decision are counted when each decision is made (application.Act).
func Compute(ctx context.Context, from, to, today workday.Date) (*Report, error) {
	// Whole months from the monthly rollup, the partial first and last months from the days.
	month := func(d workday.Date, k int) workday.Date { // the first of d's month, k months on
		return workday.DateOf(time.Date(d.Year, d.Month+time.Month(k), 1, 0, 0, 0, 0, time.UTC))
	}
	first := month(from, 0) // the first whole month
	if first != from {
		first = month(from, 1)
	}
	last := month(to, 1) // the month after the last whole one
	if to.AddDays(1) != last {
		last = month(to, 0)
	}
	tenant := tenants.CurrentID(ctx)
	db := tenants.DB(ctx)
	part := func(table, col string, lo, hi workday.Date) *bun.SelectQuery {
		// An empty range (hi before lo) selects nothing, as BETWEEN does.
		return db.NewSelect().TableExpr(table+" AS s").
			ColumnExpr("s.item_id, s.item_name, s.hall_id, date_trunc('month', s."+col+")::date AS month").
			ColumnExpr("s.received, s.accepted, s.decided, s.on_time, s.late, s.days_sum, s.days_count").
			Where("s.tenant_id = ?", tenant).
			Where("s."+col+" BETWEEN ? AND ?", lo.In(time.UTC), hi.In(time.UTC))
	}
	var rows *bun.SelectQuery
	if !first.Before(last) {
		rows = part("application_stats_daily", "day", from, to)
	} else {
		rows = part("application_stats_daily", "day", from, first.AddDays(-1)).
			UnionAll(part("application_stats_monthly", "month", first, last.AddDays(-1))).
			UnionAll(part("application_stats_daily", "day", last, to))
	}
	// Added up per item, per hall and per month in one pass (GROUPING SETS): some 80 rows
	// for five years instead of the ~6,000 stored ones, which cost more to decode and fold in
	// Go than to add up here (five years of a large county at 300,000 applications: 11.8 → 4.8 ms).
	var cells []cell
	err := db.NewSelect().TableExpr("(?) AS r", rows).
		ColumnExpr("GROUPING(r.item_id, r.hall_id, r.month) AS grouping").
		ColumnExpr("r.item_id, max(r.item_name) AS item_name, r.hall_id, r.month AS day").
		ColumnExpr("sum(r.received) AS received, sum(r.accepted) AS accepted, sum(r.decided) AS decided, sum(r.on_time) AS on_time").
		ColumnExpr("sum(r.late) AS late, sum(r.days_sum) AS days_sum, sum(r.days_count) AS days_count").
		GroupExpr("GROUPING SETS ((r.item_id), (r.hall_id), (r.month))").
		Scan(ctx, &cells)
	if err != nil {
		return nil, err
	}
	for i := range cells {
		if cells[i].Grouping == byMonth {
			cells[i].Month = cells[i].Day.Format("2006-01")
		}
	}
	var open []cell
	err = tenants.DB(ctx).NewSelect().TableExpr("applications AS a").
		ColumnExpr("a.item_id, max(a.item_name) AS item_name, a.hall_id, to_char(coalesce(a.proxy_received_on, a.received_on), 'YYYY-MM') AS month").
		ColumnExpr("count(*) AS late").
		Where("a.tenant_id = ?", tenants.CurrentID(ctx)).
		Where("a.closed_on IS NULL AND a.decided_on IS NULL AND a.promised_due < ?", today.In(time.UTC)).
		Where("coalesce(a.proxy_received_on, a.received_on) BETWEEN ? AND ?", from.In(time.UTC), to.In(time.UTC)).
		GroupExpr("a.item_id, a.hall_id, month").
		Scan(ctx, &open)
	if err != nil {
		return nil, err
	}
	return fold(ctx, from, to, append(cells, open...))
}

// The GROUPING() values of Compute's grouping sets: the bits of the columns added up.
const (
	byItem  = 0b011
	byHall  = 0b101
	byMonth = 0b110
)

// fold adds the cells up into the report's breakdowns.
func fold(ctx context.Context, from, to workday.Date, cells []cell) (*Report, error) {
	ids := make([]uuid.UUID, 0, 16)
	seen := map[uuid.UUID]bool{}
	for _, c := range cells {
		if c.Grouping != 0 && c.Grouping != byHall {
			continue
		}
		if !seen[c.HallID] {
			seen[c.HallID] = true
			ids = append(ids, c.HallID)
		}
	}
	halls, err := tenants.UnitNames(ctx, ids...)
	if err != nil {
		return nil, err
	}
	r := &Report{From: from, To: to, Total: Row{Key: "total", Label: "合计"}}
	items, hallRows, months := map[string]*Row{}, map[string]*Row{}, map[string]*Row{}
	row := func(m map[string]*Row, key, label string) *Row {
		if x, ok := m[key]; ok {
			return x
		}
		x := &Row{Key: key, Label: label}
		m[key] = x
		return x
	}
	for _, c := range cells {
		var add []*Row
		switch c.Grouping {
		case byItem:
			add = []*Row{row(items, c.ItemID.String(), c.ItemName)}
		case byHall:
			add = []*Row{row(hallRows, c.HallID.String(), halls[c.HallID])}
		case byMonth:
			add = []*Row{&r.Total, row(months, c.Month, c.Month)}
		default:
			add = []*Row{&r.Total, row(items, c.ItemID.String(), c.ItemName), row(hallRows, c.HallID.String(), halls[c.HallID]), row(months, c.Month, c.Month)}
		}
		for _, x := range add {
			x.Received += c.Received
			x.Accepted += c.Accepted
			x.Decided += c.Decided
			x.OnTime += c.OnTime
			x.Overdue += c.Late
			x.sumDays += c.DaysSum
			x.decCount += c.DaysCount
		}
	}
	finish := func(x *Row) {
		if x.Decided > 0 {
			x.OnTimeRate = float64(x.OnTime) / float64(x.Decided)
		}
		if x.decCount > 0 {
			x.AvgDays = float64(x.sumDays) / float64(x.decCount)
		}
	}
	finish(&r.Total)
	flat := func(m map[string]*Row, byKey bool) []Row {
		out := make([]Row, 0, len(m))
		for _, x := range m {
			finish(x)
			out = append(out, *x)
		}
		sort.Slice(out, func(i, j int) bool {
			if byKey {
				return out[i].Key < out[j].Key
			}
			if out[i].Received != out[j].Received {
				return out[i].Received > out[j].Received
			}
			return out[i].Label < out[j].Label
		})
		return out
	}
	r.ByItem, r.ByHall, r.ByMonth = flat(items, false), flat(hallRows, false), flat(months, true)
	return r, nil
}

// ComputeByScan is the report counted from the period's applications themselves, row by row,
// the way Compute did before the rollup: the oracle Compute is tested against. Too slow for a
// large county's screen (it reads every application of the period).
func ComputeByScan(ctx context.Context, from, to, today workday.Date) (*Report, error) {
	var apps []struct {
		ItemID       uuid.UUID  `bun:"item_id"`
		ItemName     string     `bun:"item_name"`
		HallID       uuid.UUID  `bun:"hall_id"`
		Received     time.Time  `bun:"received"`
		AcceptedOn   *time.Time `bun:"accepted_on"`
		DecidedOn    *time.Time `bun:"decided_on"`
		PromisedDue  *time.Time `bun:"promised_due"`
		ClosedOn     *time.Time `bun:"closed_on"`
		DecisionDays *int       `bun:"decision_days"`
	}
	err := tenants.DB(ctx).NewSelect().TableExpr("applications AS a").
		ColumnExpr("a.item_id, a.item_name, a.hall_id").
		ColumnExpr("coalesce(a.proxy_received_on, a.received_on) AS received, a.accepted_on, a.decided_on, a.promised_due, a.closed_on, a.decision_days").
		Where("a.tenant_id = ?", tenants.CurrentID(ctx)).
		Where("coalesce(a.proxy_received_on, a.received_on) BETWEEN ? AND ?", from.In(time.UTC), to.In(time.UTC)).
		Scan(ctx, &apps)
	if err != nil {
		return nil, err
	}
	cells := make([]cell, 0, len(apps))
	for _, a := range apps {
		c := cell{ItemID: a.ItemID, ItemName: a.ItemName, HallID: a.HallID, Month: a.Received.Format("2006-01"), Received: 1}
		if a.AcceptedOn != nil {
			c.Accepted = 1
		}
		switch {
		case a.DecidedOn != nil:
			c.Decided = 1
			if a.PromisedDue == nil || !a.DecidedOn.After(*a.PromisedDue) {
				c.OnTime = 1
			} else {
				c.Late = 1
			}
			if a.DecisionDays != nil {
				c.DaysSum, c.DaysCount = *a.DecisionDays, 1
			}
		case a.ClosedOn == nil && a.PromisedDue != nil && today.After(workday.DateOf(*a.PromisedDue)):
			c.Late = 1
		}
		cells = append(cells, c)
	}
	return fold(ctx, from, to, cells)
}

// Excel writes the report as a workbook with one sheet per breakdown.
func Excel(w io.Writer, r *Report, county string) error {
	f := excelize.NewFile()
	defer f.Close()
	head := []any{"", "收件量", "受理量", "办结量", "按时办结", "超期", "按时办结率", "平均办理工作日"}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"#E8EEF7"}, Pattern: 1}})
	if err != nil {
		return err
	}
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 10})
	if err != nil {
		return err
	}
	dec, err := f.NewStyle(&excelize.Style{NumFmt: 2})
	if err != nil {
		return err
	}
	sheets := []struct {
		name, first string
		rows        []Row
	}{{"按事项", "事项", r.ByItem}, {"按乡镇", "乡镇（街道）", r.ByHall}, {"按月份", "月份", r.ByMonth}}
	for i, sh := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sh.name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(sh.name); err != nil {
			return err
		}
		title := fmt.Sprintf("%s政务服务办件统计（%s 至 %s）", county, r.From, r.To)
		if err := f.SetCellValue(sh.name, "A1", title); err != nil {
			return err
		}
		head[0] = sh.first
		if err := f.SetSheetRow(sh.name, "A2", &head); err != nil {
			return err
		}
		if err := f.SetCellStyle(sh.name, "A2", "H2", bold); err != nil {
			return err
		}
		rows := append(append([]Row{}, sh.rows...), r.Total)
		for j, x := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, j+3)
			vals := []any{x.Label, x.Received, x.Accepted, x.Decided, x.OnTime, x.Overdue, x.OnTimeRate, x.AvgDays}
			if err := f.SetSheetRow(sh.name, cell, &vals); err != nil {
				return err
			}
		}
		last := len(rows) + 2
		if err := f.SetCellStyle(sh.name, "G3", fmt.Sprintf("G%d", last), pct); err != nil {
			return err
		}
		if err := f.SetCellStyle(sh.name, "H3", fmt.Sprintf("H%d", last), dec); err != nil {
			return err
		}
		if err := f.SetColWidth(sh.name, "A", "A", 40); err != nil {
			return err
		}
		if err := f.SetColWidth(sh.name, "B", "H", 14); err != nil {
			return err
		}
		if err := f.SetPanes(sh.name, &excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
	}
	_, err = f.WriteTo(w)
	return err
}
