package workforce

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/yichuang/yichuang/services/notify"
	"github.com/yichuang/yichuang/services/pay"
	"github.com/yichuang/yichuang/tenants"
)

// SweepArgs run a county's workforce housekeeping: the periodic safety net that makes
// dated things happen even if no one is signed in.
type SweepArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
}

func (SweepArgs) Kind() string        { return "workforce_sweep" }
func (a SweepArgs) Tenant() uuid.UUID { return a.TenantID }
func (SweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: 10 * time.Minute}}
}

// SweepReport says what a sweep did.
type SweepReport struct {
	Refreshed int
	Prepared  int // the year's progression draft was created
	Applied   int // approved batches whose date came
	Payroll   bool
}

// Sweep refreshes snapshots whose dated change has come, prepares the year's progression
// draft once its date has come (and tells the county admins), applies approved batches that
// are due, and starts the month's draft payroll once the county pays through the system. Each step checks state first, so a sweep
// that runs twice does nothing the second time.
func (s *Service) Sweep(ctx context.Context) (*SweepReport, error) {
	rep := &SweepReport{}
	var err error
	if rep.Refreshed, err = s.RefreshDue(ctx); err != nil {
		return nil, err
	}
	var workers int
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model((*Worker)(nil))).ColumnExpr("count(*)").Scan(ctx, &workers); err != nil {
		return nil, err
	}
	if workers == 0 {
		return rep, nil
	}
	today := s.today()
	ds, err := dated(ctx)
	if err != nil {
		return nil, err
	}
	if on := ProgressionDate(ds, today.Year); !on.After(today) {
		var exists bool
		err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model((*Batch)(nil))).ColumnExpr("true").Where("year = ?", today.Year).Scan(ctx, &exists)
		if errors.Is(err, sql.ErrNoRows) {
			b, err := s.Prepare(ctx, today.Year)
			if err != nil {
				return nil, err
			}
			rep.Prepared++
			if err := tellAdmins(ctx, fmt.Sprintf("%d 年度晋级名单待审定", b.Year),
				fmt.Sprintf("系统已按等级规则生成 %d 年度晋级草稿（%s 起生效），请在“年度晋级”中核对并审定。", b.Year, on), fmt.Sprintf("progression:%d", b.Year)); err != nil {
				return nil, err
			}
		} else if err != nil {
			return nil, err
		}
	}
	var due []uuid.UUID
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model((*Batch)(nil))).Column("id").
		Where("status = 'approved' AND effective_on <= ?", today).Scan(ctx, &due); err != nil {
		return nil, err
	}
	for _, id := range due {
		if err := s.Apply(ctx, id); err != nil {
			return nil, err
		}
		rep.Applied++
	}
	// Only a county that pays through the system (it has finalised a month) gets the month's
	// draft started for it; otherwise a draft nobody asked for would block finalising in order.
	var finals int
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model((*Run)(nil))).ColumnExpr("count(*)").Where("status = 'final'").Scan(ctx, &finals); err != nil {
		return nil, err
	}
	m := pay.MonthOf(today)
	if _, err := lockRun(ctx, m); finals > 0 && errors.Is(err, errRunNotFound) {
		if _, err := s.Compute(ctx, m); err != nil {
			return nil, err
		}
		rep.Payroll = true
	} else if err != nil && !errors.Is(err, errRunNotFound) {
		return nil, err
	}
	return rep, nil
}

func tellAdmins(ctx context.Context, title, body, key string) error {
	admins, err := tenants.CountyAdmins(ctx)
	if err != nil {
		return err
	}
	_, err = notify.Send(ctx, admins, notify.Message{Kind: "workforce", Title: title, Body: body, DedupKey: key})
	return err
}
