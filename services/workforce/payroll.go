package workforce

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/yichuang/yichuang/services/level"
	"github.com/yichuang/yichuang/services/pay"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
)

// RunStatus is where a month's payroll stands.
type RunStatus string

const (
	RunDraft RunStatus = "draft" // recomputed on demand; not yet paid
	RunFinal RunStatus = "final" // 定稿: what was paid; later months settle differences against it
)

// Run is a month's payroll.
type Run struct {
	bun.BaseModel `bun:"table:payroll_runs,alias:pr"`

	TenantID    uuid.UUID    `bun:"tenant_id,pk,type:uuid" json:"-"`
	MonthStart  workday.Date `bun:"month,pk,type:date" json:"-"`
	MonthText   string       `bun:"-" json:"month"`
	Status      RunStatus    `bun:"status" json:"status"`
	ComputedAt  time.Time    `bun:"computed_at,nullzero,default:now()" json:"computed_at"`
	FinalizedBy *uuid.UUID   `bun:"finalized_by,type:uuid" json:"-"`
	FinalizedAt *time.Time   `bun:"finalized_at" json:"finalized_at"`
	RowVersion  int          `bun:"row_version" json:"row_version"`

	Workers int       `bun:"workers,scanonly" json:"workers"`
	Total   pay.Money `bun:"total,scanonly" json:"total"`
	Arrears pay.Money `bun:"arrears,scanonly" json:"arrears"`
}

// AfterScanRow fills the month's text form for JSON.
func (r *Run) AfterScanRow(context.Context) error { r.MonthText = r.Month().String(); return nil }

// AfterScanRow fills the month's text form for JSON.
func (l *PayLine) AfterScanRow(context.Context) error {
	l.MonthText = pay.MonthOf(l.Month).String()
	return nil
}

// Month is the run's month.
func (r *Run) Month() pay.Month { return pay.MonthOf(r.MonthStart) }

// PayLine is one worker's line in a month's payroll.
type PayLine struct {
	bun.BaseModel `bun:"table:payroll_lines,alias:pli"`

	TenantID  uuid.UUID    `bun:"tenant_id,pk,type:uuid" json:"-"`
	Month     workday.Date `bun:"month,pk,type:date" json:"-"`
	MonthText string       `bun:"-" json:"month"`
	WorkerID  uuid.UUID    `bun:"worker_id,pk,type:uuid" json:"worker_id"`
	Township  string       `bun:"township" json:"township"`
	Community string       `bun:"community" json:"community"`
	Name      string       `bun:"name" json:"name"`
	IDMasked  string       `bun:"id_masked" json:"id_masked"`
	Post      level.Post   `bun:"post" json:"post"`
	Title     string       `bun:"title" json:"title"`
	Amounts   pay.Amounts  `bun:"amounts,type:jsonb" json:"amounts"`
	Gross     pay.Money    `bun:"gross" json:"gross"`
	Arrears   pay.Money    `bun:"arrears" json:"arrears"`
	Detail    []pay.Diff   `bun:"detail,type:jsonb" json:"detail"`
	Total     pay.Money    `bun:"total" json:"total"`
}

type paidRow struct {
	bun.BaseModel `bun:"table:payroll_paid,alias:pp"`

	TenantID uuid.UUID    `bun:"tenant_id,pk,type:uuid"`
	RunMonth workday.Date `bun:"run_month,pk,type:date"`
	WorkerID uuid.UUID    `bun:"worker_id,pk,type:uuid"`
	ForMonth workday.Date `bun:"for_month,pk,type:date"`
	Amount   pay.Money    `bun:"amount"`
}

var errRunNotFound = problem.NotFound("payroll_not_found", "该月没有工资表", "no payroll for that month")

// PayrollArgs computes a month's draft payroll in the background.
type PayrollArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
	Month    string    `json:"month"`
}

func (PayrollArgs) Kind() string        { return "workforce_payroll" }
func (a PayrollArgs) Tenant() uuid.UUID { return a.TenantID }
func (PayrollArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: time.Hour}}
}

// Compute (re)computes the month's draft payroll: each worker's pay for the month and the
// arrears for every month a final payroll already paid, against what it paid.
func (s *Service) Compute(ctx context.Context, m pay.Month) (*Run, error) {
	if err := s.checkMonth(m); err != nil {
		return nil, err
	}
	run, err := lockRun(ctx, m)
	switch {
	case errors.Is(err, errRunNotFound):
		tx, _ := tenants.TxFrom(ctx)
		run = &Run{TenantID: tx.TenantID(), MonthStart: m.First(), Status: RunDraft, RowVersion: 1}
		res, err := tenants.DB(ctx).NewInsert().Model(run).On("CONFLICT (tenant_id, month) DO NOTHING").Exec(ctx)
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil, problem.Conflict("payroll_busy", "该月工资表正在生成，请稍后刷新", "this month's payroll is being computed; reload shortly")
		}
	case err != nil:
		return nil, err
	case run.Status == RunFinal:
		return nil, problem.Conflict("payroll_final", "该月工资表已定稿，不能重新计算；差额将在以后月份补发或扣回", "the month's payroll is final; later months settle differences")
	}
	if err := s.compute(ctx, run); err != nil {
		return nil, err
	}
	return run, tenants.Audit(ctx, tenants.Change{Action: "payroll.compute", TargetType: "payroll_run", TargetID: m.String(),
		Summary: map[string]any{"workers": run.Workers, "total": run.Total}})
}

func (s *Service) checkMonth(m pay.Month) error {
	today := s.today()
	if m.Year < 2000 || pay.MonthOf(today).Next().Before(m) {
		return problem.Invalid(problem.Field{Location: "path.month", Message: "月份须在 2000 年 1 月至下月之间", MessageEn: "month must be between 2000-01 and next month", Value: m.String()})
	}
	return nil
}

func lockRun(ctx context.Context, m pay.Month) (*Run, error) {
	run := new(Run)
	err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(run)).Where("month = ?", m.First()).For("UPDATE").Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errRunNotFound
	}
	return run, err
}

func (s *Service) compute(ctx context.Context, run *Run) error {
	m := run.Month()
	all, err := loadAll(ctx)
	if err != nil {
		return err
	}
	ds, err := dated(ctx)
	if err != nil {
		return err
	}
	units, err := unitsByID(ctx)
	if err != nil {
		return err
	}
	var earlierDates []time.Time // bun would read a []workday.Date as a model
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model((*Run)(nil))).Column("month").
		Where("status = 'final' AND month < ?", run.MonthStart).Order("month").Scan(ctx, &earlierDates); err != nil {
		return err
	}
	earlier := make([]pay.Month, len(earlierDates))
	for i, d := range earlierDates {
		earlier[i] = pay.MonthOf(workday.DateOf(d))
	}
	var paidRows []paidRow
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&paidRows)).Where("run_month < ?", run.MonthStart).Scan(ctx); err != nil {
		return err
	}
	paid := map[string]pay.Paid{}
	for _, p := range paidRows {
		k := p.WorkerID.String()
		if paid[k] == nil {
			paid[k] = pay.Paid{}
		}
		paid[k][pay.MonthOf(p.ForMonth)] += p.Amount
	}
	workers := make([]pay.Worker, len(all))
	for i, l := range all {
		workers[i] = pay.Worker{ID: l.Worker.ID.String(), States: states(l.Changes), Appraisals: l.Appraisals}
	}
	results := pay.Run(workers, ds, m, earlier, paid)
	lines := make([]PayLine, 0, len(results))
	for i, res := range results {
		if res.Due.Days == 0 && res.Arrears == 0 {
			continue
		}
		l := all[i]
		r, ok := Fold(l.Changes, m.Last())
		if !ok {
			r, _ = Fold(l.Changes, l.Changes[len(l.Changes)-1].EffectiveFrom)
		}
		u := units[r.OrgUnitID]
		detail := res.Detail
		if detail == nil {
			detail = []pay.Diff{}
		}
		lines = append(lines, PayLine{TenantID: run.TenantID, Month: run.MonthStart, WorkerID: l.Worker.ID, Township: u.township,
			Community: u.community, Name: r.Name, IDMasked: l.Worker.IDMasked, Post: r.Post, Title: r.Title,
			Amounts: res.Due, Gross: res.Due.Gross, Arrears: res.Arrears, Detail: detail, Total: res.Total})
	}
	if _, err := tenants.Own(ctx, tenants.DB(ctx).NewDelete().Model((*PayLine)(nil))).Where("month = ?", run.MonthStart).Exec(ctx); err != nil {
		return err
	}
	for i := 0; i < len(lines); i += 1000 {
		chunk := lines[i:min(i+1000, len(lines))]
		if _, err := tenants.DB(ctx).NewInsert().Model(&chunk).Exec(ctx); err != nil {
			return fmt.Errorf("insert payroll lines: %w", err)
		}
	}
	run.ComputedAt = time.Now()
	run.MonthText = m.String()
	run.RowVersion++
	run.Workers = len(lines)
	run.Total, run.Arrears = 0, 0
	for _, l := range lines {
		run.Total += l.Total
		run.Arrears += l.Arrears
	}
	_, err = tenants.DB(ctx).NewUpdate().Model(run).Column("computed_at", "row_version").WherePK().Exec(ctx)
	return err
}

// Finalize recomputes the month once more and fixes it as paid (定稿). Months are finalised
// in order, so that each month's arrears are settled against every month before it.
func (s *Service) Finalize(ctx context.Context, m pay.Month, rowVersion int) (*Run, error) {
	run, err := lockRun(ctx, m)
	if errors.Is(err, errRunNotFound) && rowVersion == 0 {
		if _, err = s.Compute(ctx, m); err == nil {
			run, err = lockRun(ctx, m)
		}
	}
	if err != nil {
		return nil, err
	}
	if rowVersion != 0 && run.RowVersion != rowVersion {
		return nil, errStaleRecord
	}
	if run.Status == RunFinal {
		return nil, problem.Conflict("payroll_final", "该月工资表已定稿", "the month's payroll is already final")
	}
	var drafts int
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model((*Run)(nil))).ColumnExpr("count(*)").
		Where("status = 'draft' AND month < ?", run.MonthStart).Scan(ctx, &drafts); err != nil {
		return nil, err
	}
	if drafts > 0 {
		return nil, problem.Conflict("payroll_order", "请先定稿之前月份的工资表", "finalise the earlier months first")
	}
	if err := s.compute(ctx, run); err != nil {
		return nil, err
	}
	var lines []PayLine
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&lines)).Where("month = ?", run.MonthStart).Scan(ctx); err != nil {
		return nil, err
	}
	var paid []paidRow
	for _, l := range lines {
		if l.Gross != 0 {
			paid = append(paid, paidRow{TenantID: run.TenantID, RunMonth: run.MonthStart, WorkerID: l.WorkerID, ForMonth: run.MonthStart, Amount: l.Gross})
		}
		for _, d := range l.Detail {
			paid = append(paid, paidRow{TenantID: run.TenantID, RunMonth: run.MonthStart, WorkerID: l.WorkerID, ForMonth: d.Month.First(), Amount: d.Diff})
		}
	}
	for i := 0; i < len(paid); i += 1000 {
		chunk := paid[i:min(i+1000, len(paid))]
		if _, err := tenants.DB(ctx).NewInsert().Model(&chunk).Exec(ctx); err != nil {
			return nil, fmt.Errorf("insert payroll paid: %w", err)
		}
	}
	now := time.Now()
	run.Status, run.FinalizedBy, run.FinalizedAt = RunFinal, tenants.ActorIdentity(ctx), &now
	run.RowVersion++
	if _, err := tenants.DB(ctx).NewUpdate().Model(run).Column("status", "finalized_by", "finalized_at", "row_version").WherePK().Exec(ctx); err != nil {
		return nil, err
	}
	return run, tenants.Audit(ctx, tenants.Change{Action: "payroll.finalize", TargetType: "payroll_run", TargetID: m.String(),
		Summary: map[string]any{"workers": run.Workers, "total": run.Total, "arrears": run.Arrears}})
}

// DiscardRun deletes a month's draft (a final month is what was paid and stays).
func DiscardRun(ctx context.Context, m pay.Month) error {
	res, err := tenants.Own(ctx, tenants.DB(ctx).NewDelete().Model((*Run)(nil))).Where("month = ? AND status = 'draft'", m.First()).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return problem.Conflict("payroll_not_draft", "只能删除草稿状态的工资表", "only a draft payroll can be discarded")
	}
	return tenants.Audit(ctx, tenants.Change{Action: "payroll.discard", TargetType: "payroll_run", TargetID: m.String()})
}

// Runs lists the months with a payroll, newest first, with their totals.
func Runs(ctx context.Context) ([]Run, error) {
	var rs []Run
	err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&rs)).
		ColumnExpr("pr.*").
		ColumnExpr("(SELECT count(*) FROM payroll_lines l WHERE l.tenant_id = pr.tenant_id AND l.month = pr.month) AS workers").
		ColumnExpr("(SELECT coalesce(sum(total), 0) FROM payroll_lines l WHERE l.tenant_id = pr.tenant_id AND l.month = pr.month) AS total").
		ColumnExpr("(SELECT coalesce(sum(arrears), 0) FROM payroll_lines l WHERE l.tenant_id = pr.tenant_id AND l.month = pr.month) AS arrears").
		Order("pr.month DESC").Scan(ctx)
	return rs, err
}

// Subtotal is a community's or a township's sum.
type Subtotal struct {
	Township  string    `json:"township"`
	Community string    `json:"community"` // empty for a township's total
	Workers   int       `json:"workers"`
	Gross     pay.Money `json:"gross"`
	Arrears   pay.Money `json:"arrears"`
	Total     pay.Money `json:"total"`
}

// Payroll is a month's run with its lines in sheet order and the subtotals.
type Payroll struct {
	Run       *Run       `json:"run"`
	Lines     []PayLine  `json:"lines"`
	Subtotals []Subtotal `json:"subtotals"`
	// Sample is true when a scheme in force in the month is marked 示例 (or the county has
	// entered none and the built-in sample applies): the page and the exported sheet warn.
	// It is read from the schemes as they are now, as the next compute would pay by them.
	Sample bool `json:"sample" doc:"a scheme in force in the month is the sample (示例): not a county's published standard"`
}

// sampleIn reports whether a scheme in force on some day of month m is marked sample. A
// scheme is in force from its date until the next one's.
func sampleIn(rows []StoredScheme, m pay.Month) bool {
	first, last := m.First(), workday.Date{Year: m.Year, Month: m.Month, Day: m.Days()}
	for i, r := range rows {
		if r.EffectiveFrom.After(last) {
			break
		}
		if i+1 < len(rows) && !rows[i+1].EffectiveFrom.After(first) {
			continue // replaced before the month began
		}
		if r.Sample {
			return true
		}
	}
	return false
}

// PayrollOf returns the month's run, lines and subtotals.
func PayrollOf(ctx context.Context, m pay.Month) (*Payroll, error) {
	run := new(Run)
	err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(run)).Where("month = ?", m.First()).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errRunNotFound
	}
	if err != nil {
		return nil, err
	}
	p := &Payroll{Run: run}
	schemes, err := Schemes(ctx)
	if err != nil {
		return nil, err
	}
	p.Sample = sampleIn(schemes, m)
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&p.Lines)).Where("month = ?", run.MonthStart).
		Order("township", "community", "name", "worker_id").Scan(ctx); err != nil {
		return nil, err
	}
	index := map[[2]string]int{}
	add := func(key [2]string, l PayLine) {
		i, ok := index[key]
		if !ok {
			i = len(p.Subtotals)
			index[key] = i
			p.Subtotals = append(p.Subtotals, Subtotal{Township: key[0], Community: key[1]})
		}
		t := &p.Subtotals[i]
		t.Workers++
		t.Gross += l.Gross
		t.Arrears += l.Arrears
		t.Total += l.Total
	}
	for _, l := range p.Lines {
		add([2]string{l.Township, l.Community}, l)
		add([2]string{l.Township, ""}, l)
		run.Workers++
		run.Total += l.Total
		run.Arrears += l.Arrears
	}
	slices.SortStableFunc(p.Subtotals, func(a, b Subtotal) int {
		if a.Township != b.Township {
			return compareString(a.Township, b.Township)
		}
		return compareString(a.Community, b.Community)
	})
	return p, nil
}

func compareString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// PayrollExcel writes the month's sheet for the finance office.
func PayrollExcel(ctx context.Context, m pay.Month, w io.Writer) error {
	p, err := PayrollOf(ctx, m)
	if err != nil {
		return err
	}
	t, err := tenants.Current(ctx)
	if err != nil {
		return err
	}
	sheet := pay.Sheet{County: t.Name, Month: m, Status: map[RunStatus]string{RunDraft: "草稿", RunFinal: "已定稿"}[p.Run.Status], GeneratedAt: time.Now(), Sample: p.Sample}
	seen := map[string]bool{}
	for _, l := range p.Lines {
		for _, a := range l.Amounts.Allowances {
			if !seen[a.Name] {
				seen[a.Name] = true
				sheet.Allowances = append(sheet.Allowances, a.Name)
			}
		}
		sheet.Rows = append(sheet.Rows, pay.Row{Township: l.Township, Community: l.Community, Name: l.Name, IDMasked: l.IDMasked,
			Post: l.Post.Label(), Title: l.Title, Level: l.Amounts.Level, Amounts: l.Amounts, Arrears: l.Arrears, Total: l.Total})
	}
	if err := pay.WriteExcel(w, sheet); err != nil {
		return err
	}
	return tenants.Audit(ctx, tenants.Change{Action: "payroll.export", TargetType: "payroll_run", TargetID: m.String(),
		Summary: map[string]any{"rows": len(sheet.Rows)}})
}

// linesOf is a worker's final payroll lines, newest first (self-service shows paid months only).
func linesOf(ctx context.Context, worker uuid.UUID, finalOnly bool) ([]PayLine, error) {
	var ls []PayLine
	q := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&ls)).Where("pli.worker_id = ?", worker).Order("pli.month DESC").Limit(36)
	if finalOnly {
		q = q.Where("EXISTS (SELECT 1 FROM payroll_runs r WHERE r.tenant_id = pli.tenant_id AND r.month = pli.month AND r.status = 'final')")
	}
	return ls, q.Scan(ctx)
}
