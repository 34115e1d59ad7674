package workforce

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/yichuang/yichuang/services/pay"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
)

// StoredScheme is a pay scheme with the date it takes effect.
type StoredScheme struct {
	bun.BaseModel `bun:"table:pay_schemes,alias:ps"`

	TenantID      uuid.UUID    `bun:"tenant_id,pk,type:uuid" json:"-"`
	ID            uuid.UUID    `bun:"id,pk,type:uuid" json:"id"`
	EffectiveFrom workday.Date `bun:"effective_from,type:date" json:"effective_from"`
	Label         string       `bun:"label" json:"label"`
	Sample        bool         `bun:"sample" json:"sample"`
	Body          pay.Scheme   `bun:"body,type:jsonb" json:"scheme"`
	CreatedBy     *uuid.UUID   `bun:"created_by,type:uuid" json:"-"`
	CreatedAt     time.Time    `bun:"created_at,nullzero,default:now()" json:"created_at"`
	// Stored is false for the built-in sample used while a county has entered none.
	Stored bool `bun:"-" json:"stored"`
}

// From is the date the scheme takes effect.
func (s *StoredScheme) From() workday.Date { return s.EffectiveFrom }

// builtin is in force while a county has entered no scheme, so that levels and payroll work
// from day one; it is the sample, and every screen says so.
func builtin() StoredScheme {
	s := pay.Sample()
	return StoredScheme{Label: s.Label, Sample: true, Body: s,
		EffectiveFrom: workday.Date{Year: workday.MinYear, Month: time.January, Day: 1}}
}

// Schemes lists the county's schemes by effective date, or the built-in sample alone.
func Schemes(ctx context.Context) ([]StoredScheme, error) {
	var rows []StoredScheme
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&rows)).Order("ps.effective_from").Scan(ctx); err != nil {
		return nil, fmt.Errorf("pay schemes: %w", err)
	}
	if len(rows) == 0 {
		return []StoredScheme{builtin()}, nil
	}
	for i := range rows {
		rows[i].Stored = true
	}
	return rows, nil
}

// dated is Schemes in the form the pay arithmetic reads.
func dated(ctx context.Context) ([]pay.Dated, error) {
	rows, err := Schemes(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]pay.Dated, len(rows))
	for i := range rows {
		out[i] = pay.Dated{From: rows[i].From(), Scheme: &rows[i].Body}
	}
	return out, nil
}

// schemeOn is the scheme in force on day (the earliest one for days before all of them, so
// that a record dated before the first scheme still has a level rule to check against).
func schemeOn(ds []pay.Dated, day workday.Date) *pay.Scheme {
	s := ds[0].Scheme
	for _, d := range ds {
		if d.From.After(day) {
			break
		}
		s = d.Scheme
	}
	return s
}

// PutScheme stores the scheme taking effect on from, replacing one with the same date.
// Changing a scheme dated in a month that a final payroll has paid is allowed: the next
// payroll pays or recovers the difference as arrears.
func PutScheme(ctx context.Context, from workday.Date, s pay.Scheme) (*StoredScheme, error) {
	var c problem.Checker
	c.Check(!from.IsZero(), "path.effective_from", "生效日期必填", "effective_from is required", "")
	c.Add(s.Validate()...)
	if err := c.Err(); err != nil {
		return nil, err
	}
	tx, _ := tenants.TxFrom(ctx)
	row := &StoredScheme{TenantID: tx.TenantID(), ID: uuid.New(), EffectiveFrom: from, Label: s.Label,
		Sample: s.Sample, Body: s, CreatedBy: tenants.ActorIdentity(ctx), Stored: true}
	_, err := tenants.DB(ctx).NewInsert().Model(row).
		On("CONFLICT (tenant_id, effective_from) DO UPDATE").
		Set("label = EXCLUDED.label, sample = EXCLUDED.sample, body = EXCLUDED.body, created_by = EXCLUDED.created_by, created_at = now()").
		Returning("id").Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("put pay scheme: %w", err)
	}
	return row, tenants.Audit(ctx, tenants.Change{Action: "pay_scheme.put", TargetType: "pay_scheme", TargetID: row.ID.String(),
		Summary: map[string]any{"effective_from": from.String(), "label": s.Label, "sample": s.Sample}})
}

// DeleteScheme removes the scheme taking effect on from.
func DeleteScheme(ctx context.Context, from workday.Date) error {
	res, err := tenants.Own(ctx, tenants.DB(ctx).NewDelete().Model((*StoredScheme)(nil))).Where("effective_from = ?", from).Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete pay scheme: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return problem.NotFound("scheme_not_found", "该日期没有薪酬方案", "no pay scheme takes effect on that date")
	}
	return tenants.Audit(ctx, tenants.Change{Action: "pay_scheme.delete", TargetType: "pay_scheme", TargetID: from.String()})
}

// SchemeOn returns the scheme in force on day.
func SchemeOn(ctx context.Context, day workday.Date) (*StoredScheme, error) {
	rows, err := Schemes(ctx)
	if err != nil {
		return nil, err
	}
	s := &rows[0]
	for i := range rows {
		if rows[i].EffectiveFrom.After(day) {
			break
		}
		s = &rows[i]
	}
	return s, nil
}

// NextProgressionDate is this year's progression date if it is still ahead (or today), else
// next year's.
func NextProgressionDate(ctx context.Context, today workday.Date) (workday.Date, error) {
	ds, err := dated(ctx)
	if err != nil {
		return workday.Date{}, err
	}
	if on := ProgressionDate(ds, today.Year); !on.Before(today) {
		return on, nil
	}
	return ProgressionDate(ds, today.Year+1), nil
}
