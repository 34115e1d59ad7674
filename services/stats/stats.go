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
	"github.com/xuri/excelize/v2"

	"github.com/yichuang/yichuang/services/calendar"
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

type app struct {
	ItemID      uuid.UUID  `bun:"item_id"`
	ItemName    string     `bun:"item_name"`
	HallID      uuid.UUID  `bun:"hall_id"`
	HallName    string     `bun:"hall_name"`
	Received    time.Time  `bun:"received"`
	AcceptedOn  *time.Time `bun:"accepted_on"`
	DecidedOn   *time.Time `bun:"decided_on"`
	PromisedDue *time.Time `bun:"promised_due"`
	ClosedOn    *time.Time `bun:"closed_on"`
}

// Compute builds the report for applications received from..to (inclusive) as of today.
func Compute(ctx context.Context, from, to, today workday.Date) (*Report, error) {
	var apps []app
	err := tenants.DB(ctx).NewSelect().TableExpr("applications AS a").Where("a.tenant_id = ?", tenants.CurrentID(ctx)).
		Join("JOIN org_units AS h ON h.tenant_id = a.tenant_id AND h.id = a.hall_id").
		ColumnExpr("a.item_id, a.item_name, a.hall_id, h.name AS hall_name").
		ColumnExpr("coalesce(a.proxy_received_on, a.received_on) AS received, a.accepted_on, a.decided_on, a.promised_due, a.closed_on").
		Where("coalesce(a.proxy_received_on, a.received_on) BETWEEN ? AND ?", from.In(time.UTC), to.In(time.UTC)).
		Scan(ctx, &apps)
	if err != nil {
		return nil, err
	}
	cal, err := calendar.For(ctx)
	if err != nil {
		return nil, err
	}
	r := &Report{From: from, To: to, Total: Row{Key: "total", Label: "合计"}}
	items, halls, months := map[string]*Row{}, map[string]*Row{}, map[string]*Row{}
	row := func(m map[string]*Row, key, label string) *Row {
		if x, ok := m[key]; ok {
			return x
		}
		x := &Row{Key: key, Label: label}
		m[key] = x
		return x
	}
	for _, a := range apps {
		month := a.Received.Format("2006-01")
		for _, x := range []*Row{&r.Total, row(items, a.ItemID.String(), a.ItemName), row(halls, a.HallID.String(), a.HallName), row(months, month, month)} {
			x.Received++
			if a.AcceptedOn != nil {
				x.Accepted++
			}
			switch {
			case a.DecidedOn != nil:
				x.Decided++
				if a.PromisedDue == nil || !a.DecidedOn.After(*a.PromisedDue) {
					x.OnTime++
				} else {
					x.Overdue++
				}
				if a.AcceptedOn != nil {
					x.sumDays += cal.Count(workday.DateOf(*a.AcceptedOn), workday.DateOf(*a.DecidedOn))
					x.decCount++
				}
			case a.ClosedOn == nil && a.PromisedDue != nil && today.After(workday.DateOf(*a.PromisedDue)):
				x.Overdue++
			}
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
	r.ByItem, r.ByHall, r.ByMonth = flat(items, false), flat(halls, false), flat(months, true)
	return r, nil
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
