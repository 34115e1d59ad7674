package access

import (
	"context"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
)

// Burden is one row of the burden statistics (减负统计): what reached a community, or what a
// department sent, in one month.
type Burden struct {
	Key          string  `json:"key"`
	Label        string  `json:"label"`
	Month        string  `json:"month"`
	Tasks        int     `json:"tasks" doc:"tasks received (dispatched)"`
	Accepted     int     `json:"accepted"`
	Refused      int     `json:"refused"`
	Intercepted  int     `json:"intercepted" doc:"dispatches the lists refused"`
	Hours        float64 `json:"hours" doc:"expected hours of accepted tasks"`
	Ledgers      int     `json:"ledgers" doc:"台账 brought by accepted tasks' items"`
	Certificates int     `json:"certificates" doc:"accepted certificate tasks"`
	Inspections  int     `json:"inspections" doc:"检查考核 brought by accepted tasks' items"`
}

func (b *Burden) add(o Burden) {
	b.Tasks += o.Tasks
	b.Accepted += o.Accepted
	b.Refused += o.Refused
	b.Intercepted += o.Intercepted
	b.Hours += o.Hours
	b.Ledgers += o.Ledgers
	b.Certificates += o.Certificates
	b.Inspections += o.Inspections
}

// Change is one list version: a day the lists in force changed.
type Change struct {
	Date    workday.Date `json:"date"`
	Added   int          `json:"added"`
	Removed int          `json:"removed"`
}

// Comparison is the burden per community per month before and after a list version.
type Comparison struct {
	At     workday.Date `json:"at"`
	Months int          `json:"months"`
	Before Burden       `json:"before" doc:"monthly average per community in the months before"`
	After  Burden       `json:"after" doc:"monthly average per community in the months from"`
}

// Report is the burden statistics of a period.
type Report struct {
	From         string      `json:"from"`
	To           string      `json:"to"`
	Total        Burden      `json:"total"`
	ByCommunity  []Burden    `json:"by_community" doc:"per community and month"`
	ByDepartment []Burden    `json:"by_department" doc:"per department and month"`
	Communities  []Burden    `json:"communities" doc:"per community, the whole period"`
	Departments  []Burden    `json:"departments" doc:"per department, the whole period"`
	Versions     []Change    `json:"versions"`
	Comparison   *Comparison `json:"comparison,omitempty"`
}

type taskFact struct {
	CommunityID  uuid.UUID    `bun:"community_id"`
	Community    string       `bun:"community"`
	DepartmentID uuid.UUID    `bun:"department_id"`
	Department   string       `bun:"department"`
	Status       string       `bun:"status"`
	Hours        float64      `bun:"expected_hours"`
	Kind         string       `bun:"kind"`
	Ledgers      int          `bun:"ledgers"`
	Inspections  int          `bun:"inspections"`
	On           workday.Date `bun:"dispatched_on"`
}

type interceptFact struct {
	CommunityIDs []uuid.UUID  `bun:"community_ids,array,type:uuid[]"`
	DepartmentID uuid.UUID    `bun:"department_id"`
	Department   string       `bun:"department"`
	On           workday.Date `bun:"intercepted_on"`
}

func monthOf(d workday.Date) string { return d.String()[:7] }

// Compute builds the statistics for months from..to ("YYYY-MM", inclusive); at, when set,
// adds the before/after comparison around that list version over months on each side.
func Compute(ctx context.Context, from, to string, at workday.Date, months int) (*Report, error) {
	start, err := time.ParseInLocation("2006-01", from, clock.Zone)
	if err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	end, err := time.ParseInLocation("2006-01", to, clock.Zone)
	if err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	lo, hi := start, end.AddDate(0, 1, 0)
	if !at.IsZero() {
		a := time.Date(at.Year, at.Month, 1, 0, 0, 0, 0, clock.Zone)
		lo, hi = minTime(lo, a.AddDate(0, -months, 0)), maxTime(hi, a.AddDate(0, months, 0))
	}
	var tasks []taskFact
	if err := tenants.DB(ctx).NewSelect().TableExpr("community_tasks AS ct").Where("ct.tenant_id = ?", tenants.CurrentID(ctx)).
		ColumnExpr("ct.community_id, c.name AS community, ct.department_id, d.name AS department, ct.status, ct.expected_hours, ai.kind, ai.ledgers, ai.inspections, ct.dispatched_on").
		Join("JOIN access_items AS ai ON ai.tenant_id = ct.tenant_id AND ai.id = ct.item_id").
		Join("JOIN org_units AS c ON c.tenant_id = ct.tenant_id AND c.id = ct.community_id").
		Join("JOIN org_units AS d ON d.tenant_id = ct.tenant_id AND d.id = ct.department_id").
		Where("ct.dispatched_on >= ? AND ct.dispatched_on < ?", workday.DateOf(lo), workday.DateOf(hi)).Scan(ctx, &tasks); err != nil {
		return nil, err
	}
	var intercepts []interceptFact
	if err := tenants.DB(ctx).NewSelect().TableExpr("dispatch_interceptions AS di").Where("di.tenant_id = ?", tenants.CurrentID(ctx)).
		ColumnExpr("di.community_ids, di.department_id, d.name AS department, di.intercepted_on").
		Join("JOIN org_units AS d ON d.tenant_id = di.tenant_id AND d.id = di.department_id").
		Where("di.intercepted_on >= ? AND di.intercepted_on < ?", workday.DateOf(lo), workday.DateOf(hi)).Scan(ctx, &intercepts); err != nil {
		return nil, err
	}
	var units []tenants.OrgUnit
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&units)).Where("ou.kind IN ('community', 'village')").Scan(ctx); err != nil {
		return nil, err
	}
	names := map[uuid.UUID]string{}
	for _, u := range units {
		names[u.ID] = u.Name
	}
	r := &Report{From: from, To: to}
	byC, byD := map[[2]string]*Burden{}, map[[2]string]*Burden{}
	totC, totD := map[string]*Burden{}, map[string]*Burden{}
	inPeriod := func(d workday.Date) bool {
		t := d.In(clock.Zone)
		return !t.Before(start) && t.Before(end.AddDate(0, 1, 0))
	}
	bump := func(m map[[2]string]*Burden, tot map[string]*Burden, key, label, month string, b Burden) {
		k := [2]string{key, month}
		if m[k] == nil {
			m[k] = &Burden{Key: key, Label: label, Month: month}
		}
		m[k].add(b)
		if tot[key] == nil {
			tot[key] = &Burden{Key: key, Label: label}
		}
		tot[key].add(b)
	}
	taskBurden := func(t taskFact) Burden {
		b := Burden{Tasks: 1}
		switch t.Status {
		case string(TaskRefused):
			b.Refused = 1
		case string(TaskAccepted), string(TaskDone):
			b.Accepted, b.Hours, b.Ledgers, b.Inspections = 1, t.Hours, t.Ledgers, t.Inspections
			if t.Kind == string(KindCertificate) {
				b.Certificates = 1
			}
		}
		return b
	}
	for _, t := range tasks {
		if !inPeriod(t.On) {
			continue
		}
		b, m := taskBurden(t), monthOf(t.On)
		bump(byC, totC, t.CommunityID.String(), t.Community, m, b)
		bump(byD, totD, t.DepartmentID.String(), t.Department, m, b)
		r.Total.add(b)
	}
	for _, ic := range intercepts {
		if !inPeriod(ic.On) {
			continue
		}
		m := monthOf(ic.On)
		for _, c := range ic.CommunityIDs {
			bump(byC, totC, c.String(), names[c], m, Burden{Intercepted: 1})
		}
		bump(byD, totD, ic.DepartmentID.String(), ic.Department, m, Burden{Intercepted: 1})
		r.Total.Intercepted++
	}
	flat := func(m map[[2]string]*Burden) []Burden {
		out := make([]Burden, 0, len(m))
		for _, b := range m {
			out = append(out, *b)
		}
		sort.Slice(out, func(i, j int) bool {
			if out[i].Label != out[j].Label {
				return out[i].Label < out[j].Label
			}
			return out[i].Month < out[j].Month
		})
		return out
	}
	flatTot := func(m map[string]*Burden) []Burden {
		out := make([]Burden, 0, len(m))
		for _, b := range m {
			out = append(out, *b)
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Tasks+out[i].Intercepted > out[j].Tasks+out[j].Intercepted })
		return out
	}
	r.ByCommunity, r.ByDepartment, r.Communities, r.Departments = flat(byC), flat(byD), flatTot(totC), flatTot(totD)
	if r.Versions, err = versions(ctx); err != nil {
		return nil, err
	}
	if !at.IsZero() && months > 0 && len(units) > 0 {
		a := time.Date(at.Year, at.Month, 1, 0, 0, 0, 0, clock.Zone)
		cmp := &Comparison{At: at, Months: months}
		for _, t := range tasks {
			switch on := t.On.In(clock.Zone); {
			case !on.Before(a.AddDate(0, -months, 0)) && on.Before(a):
				cmp.Before.add(taskBurden(t))
			case !on.Before(a) && on.Before(a.AddDate(0, months, 0)):
				cmp.After.add(taskBurden(t))
			}
		}
		for _, ic := range intercepts {
			n := len(ic.CommunityIDs)
			switch on := ic.On.In(clock.Zone); {
			case !on.Before(a.AddDate(0, -months, 0)) && on.Before(a):
				cmp.Before.Intercepted += n
			case !on.Before(a) && on.Before(a.AddDate(0, months, 0)):
				cmp.After.Intercepted += n
			}
		}
		per := float64(months * len(units))
		for _, b := range []*Burden{&cmp.Before, &cmp.After} {
			b.Hours = round1(b.Hours / per)
			b.Label = fmt.Sprintf("每社区每月（共 %d 个村社区，%d 个月）", len(units), months)
		}
		cmp.Before.Key, cmp.After.Key = "before", "after"
		r.Comparison = cmp
	}
	return r, nil
}

func round1(f float64) float64 { return float64(int64(f*10+0.5)) / 10 }

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// versions lists the days the lists in force changed: items taking effect or ending.
func versions(ctx context.Context) ([]Change, error) {
	var items []Item
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&items)).Column("effective_from", "effective_to", "lapsed_at").Scan(ctx); err != nil {
		return nil, err
	}
	m := map[workday.Date]*Change{}
	at := func(d workday.Date) *Change {
		if m[d] == nil {
			m[d] = &Change{Date: d}
		}
		return m[d]
	}
	for _, it := range items {
		at(it.EffectiveFrom).Added++
		if !it.EffectiveTo.IsZero() {
			at(it.EffectiveTo.AddDays(1)).Removed++
		} else if it.LapsedAt != nil {
			at(workday.DateOf(it.LapsedAt.In(clock.Zone))).Removed++
		}
	}
	out := make([]Change, 0, len(m))
	for _, c := range m {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date.Before(out[j].Date) })
	return out, nil
}

// Excel writes the report: per community, per department (both by month) and the totals.
func Excel(w io.Writer, r *Report, county string) error {
	f := excelize.NewFile()
	defer f.Close()
	head, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	cols := []string{"月份", "接收任务", "接收", "拒绝", "拦截", "预计工时", "台账", "证明", "检查考核"}
	sheet := func(name, first string, rows []Burden, withMonth bool) error {
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
		hdr := append([]string{first}, cols...)
		if !withMonth {
			hdr = append([]string{first}, cols[1:]...)
		}
		for i, h := range hdr {
			cell, _ := excelize.CoordinatesToCellName(i+1, 1)
			f.SetCellValue(name, cell, h)
		}
		last, _ := excelize.CoordinatesToCellName(len(hdr), 1)
		f.SetCellStyle(name, "A1", last, head)
		f.SetColWidth(name, "A", "A", 24)
		for i, b := range rows {
			vals := []any{b.Label}
			if withMonth {
				vals = append(vals, b.Month)
			}
			vals = append(vals, b.Tasks, b.Accepted, b.Refused, b.Intercepted, b.Hours, b.Ledgers, b.Certificates, b.Inspections)
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if err := f.SetSheetRow(name, cell, &vals); err != nil {
				return err
			}
		}
		return f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	}
	if err := sheet("按社区", "村（社区）", r.Communities, false); err != nil {
		return err
	}
	if err := sheet("按部门", "部门", r.Departments, false); err != nil {
		return err
	}
	if err := sheet("社区逐月", "村（社区）", r.ByCommunity, true); err != nil {
		return err
	}
	if err := sheet("部门逐月", "部门", r.ByDepartment, true); err != nil {
		return err
	}
	f.DeleteSheet("Sheet1")
	f.SetCellValue("按社区", "L1", fmt.Sprintf("%s 社区工作负担统计 %s 至 %s", county, r.From, r.To))
	_, err := f.WriteTo(w)
	return err
}
