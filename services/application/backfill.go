package application

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/tenants"
)

// DecisionDaysBatch is how many applications one transaction of BackfillDecisionDays fills.
const DecisionDaysBatch = 1000

// BackfillDecisionDays is the Go step of migration 20261205000045, run by `yichuang migrate`
// after the SQL migrations: applications decided before 20261205000010_province_scale have no
// decision_days (working days from acceptance to the decision, as Act counts them when
// deciding), which needs the county's calendar. County by county, in keyset batches of batch
// rows over the partial index applications_decision_days_missing, each batch in the county's
// own short transaction (the service may run meanwhile), one UPDATE per batch; the statistics
// trigger moves each row's days into application_stats_daily/monthly in the same
// transaction. Idempotent: a filled row leaves the index, so a second run finds nothing and an
// interrupted one goes on where it stopped.
func BackfillDecisionDays(ctx context.Context, store *tenants.Store, batch int) (filled int, err error) {
	if batch <= 0 {
		batch = DecisionDaysBatch
	}
	ts, err := store.ListEvery(ctx)
	if err != nil {
		return 0, err
	}
	for _, t := range ts {
		after := uuid.Nil
		for {
			var n, seen int
			err := store.InTx(ctx, t.ID, func(ctx context.Context) (err error) {
				n, seen, after, err = decisionDaysBatch(ctx, t.ID, after, batch)
				return err
			})
			if err != nil {
				return filled, fmt.Errorf("county %s: %w", t.Code, err)
			}
			filled += n
			if seen < batch {
				break
			}
		}
	}
	return filled, nil
}

type undatedDecision struct {
	ID         uuid.UUID  `bun:"id,type:uuid"`
	AcceptedOn *time.Time `bun:"accepted_on,type:date"`
	DecidedOn  *time.Time `bun:"decided_on,type:date"`
}

// decisionDaysBatch fills the next batch of rows after the id after; it returns how many it
// filled, how many it read, and the last id read.
func decisionDaysBatch(ctx context.Context, tenant, after uuid.UUID, batch int) (filled, seen int, last uuid.UUID, err error) {
	db := tenants.DB(ctx)
	var rows []undatedDecision
	// The predicate is the partial index's, so the batch is its next range (tenant_id, id > after).
	if err := db.NewSelect().Table("applications").Column("id", "accepted_on", "decided_on").
		Where("tenant_id = ? AND id > ?", tenant, after).
		Where("decided_on IS NOT NULL AND accepted_on IS NOT NULL AND decision_days IS NULL").
		OrderExpr("id").Limit(int64(batch)).For("UPDATE").Scan(ctx, &rows); err != nil {
		return 0, 0, after, err
	}
	if len(rows) == 0 {
		return 0, 0, after, nil
	}
	cal, _, err := calendarAndSettings(ctx)
	if err != nil {
		return 0, 0, after, err
	}
	type filledRow struct {
		ID   uuid.UUID `bun:"id,type:uuid"`
		Days int       `bun:"days"`
	}
	var set []filledRow
	for _, r := range rows {
		set = append(set, filledRow{ID: r.ID, Days: cal.Count(date(r.AcceptedOn), date(r.DecidedOn))})
	}
	last = rows[len(rows)-1].ID
	res, err := db.NewUpdate().With("_data", db.NewValues(&set)).Table("applications").
		TableExpr("_data").Set("decision_days = _data.days").
		Where("applications.tenant_id = ? AND applications.id = _data.id AND applications.decision_days IS NULL", tenant).
		Exec(ctx)
	if err != nil {
		return 0, 0, after, err
	}
	n, _ := res.RowsAffected()
	return int(n), len(rows), last, nil
}
