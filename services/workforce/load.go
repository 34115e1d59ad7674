package workforce

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/level"
	"github.com/yichuang/yichuang/services/pay"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
)

// loaded is one worker with everything the batch operations read.
type loaded struct {
	Worker     *Worker
	Changes    []Change
	Appraisals map[int]level.Appraisal
}

// loadAll reads every worker with their changes and appraisals in three queries, so that a
// county's progression or payroll costs the same number of round trips for 10 or 10,000.
func loadAll(ctx context.Context) ([]loaded, error) {
	var ws []Worker
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&ws)).Order("w.org_path", "w.name", "w.id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("workers: %w", err)
	}
	out := make([]loaded, len(ws))
	index := make(map[uuid.UUID]int, len(ws))
	for i := range ws {
		out[i] = loaded{Worker: &ws[i], Appraisals: map[int]level.Appraisal{}}
		index[ws[i].ID] = i
	}
	var cs []changeRow
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&cs)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("worker changes: %w", err)
	}
	for i := range cs {
		c, err := cs[i].change()
		if err != nil {
			return nil, err
		}
		if j, ok := index[cs[i].WorkerID]; ok {
			out[j].Changes = append(out[j].Changes, c)
		}
	}
	var as []Appraisal
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&as)).Order("year", "seq").Scan(ctx); err != nil {
		return nil, fmt.Errorf("appraisals: %w", err)
	}
	for _, a := range as {
		if j, ok := index[a.WorkerID]; ok {
			out[j].Appraisals[a.Year] = a.Result
		}
	}
	for i := range out {
		order(out[i].Changes)
	}
	return out, nil
}

// states turns a worker's changes into the pay-relevant states payroll reads.
func states(cs []Change) []pay.State {
	var out []pay.State
	var r Record
	for i, c := range cs {
		r.Apply(c.Fields)
		if i+1 < len(cs) && cs[i+1].EffectiveFrom == c.EffectiveFrom {
			continue // fold every change of one day before taking the state
		}
		out = append(out, pay.State{From: c.EffectiveFrom, Active: r.Status == StatusActive, Level: r.Level, Certificate: r.Certificate})
	}
	return out
}

// units maps org unit ids to their names and their parents' names.
type unitNames struct{ community, township string }

func unitsByID(ctx context.Context) (map[uuid.UUID]unitNames, error) {
	var rows []struct {
		ID       uuid.UUID `bun:"id"`
		Name     string    `bun:"name"`
		Township string    `bun:"township"`
	}
	err := tenants.DB(ctx).NewSelect().TableExpr("org_units AS ou").Where("ou.tenant_id = ?", tenants.CurrentID(ctx)).
		ColumnExpr("ou.id, ou.name, coalesce(p.name, '') AS township").
		Join("LEFT JOIN org_units AS p ON p.tenant_id = ou.tenant_id AND p.id = ou.parent_id").
		Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("org units: %w", err)
	}
	m := make(map[uuid.UUID]unitNames, len(rows))
	for _, r := range rows {
		m[r.ID] = unitNames{r.Name, r.Township}
	}
	return m, nil
}

func date(t time.Time) workday.Date { return workday.DateOf(t) }
