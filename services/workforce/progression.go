package workforce

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/level"
	"github.com/yichuang/yichuang/services/pay"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
)

// BatchStatus is where an annual progression stands.
type BatchStatus string

const (
	BatchDraft     BatchStatus = "draft"     // computed, under review; may be recomputed
	BatchApproved  BatchStatus = "approved"  // approved by the county admin, waiting for its date
	BatchEffective BatchStatus = "effective" // applied: the levels changed from its date
)

// Batch is one year's progression.
type Batch struct {
	bun.BaseModel `bun:"table:progression_batches,alias:pb"`

	TenantID    uuid.UUID    `bun:"tenant_id,pk,type:uuid" json:"-"`
	ID          uuid.UUID    `bun:"id,pk,type:uuid" json:"id"`
	Year        int          `bun:"year" json:"year"`
	EffectiveOn workday.Date `bun:"effective_on,type:date" json:"effective_on"`
	Status      BatchStatus  `bun:"status" json:"status"`
	CreatedBy   *uuid.UUID   `bun:"created_by,type:uuid" json:"-"`
	CreatedAt   time.Time    `bun:"created_at,nullzero,default:now()" json:"created_at"`
	ComputedAt  time.Time    `bun:"computed_at,nullzero,default:now()" json:"computed_at"`
	ApprovedBy  *uuid.UUID   `bun:"approved_by,type:uuid" json:"-"`
	ApprovedAt  *time.Time   `bun:"approved_at" json:"approved_at"`
	AppliedAt   *time.Time   `bun:"applied_at" json:"applied_at"`
	RowVersion  int          `bun:"row_version" json:"row_version"`
}

// Effective is the date the batch's levels take effect.
func (b *Batch) Effective() workday.Date { return b.EffectiveOn }

// Line is one worker's proposal in a batch.
type Line struct {
	bun.BaseModel `bun:"table:progression_lines,alias:pl"`

	TenantID      uuid.UUID    `bun:"tenant_id,pk,type:uuid" json:"-"`
	BatchID       uuid.UUID    `bun:"batch_id,pk,type:uuid" json:"-"`
	WorkerID      uuid.UUID    `bun:"worker_id,pk,type:uuid" json:"worker_id"`
	CurrentLevel  int          `bun:"current_level" json:"current_level"`
	ProposedLevel int          `bun:"proposed_level" json:"proposed_level"`
	Result        level.Result `bun:"result,type:jsonb" json:"result"`

	Name      string     `bun:"name,scanonly" json:"name"`
	Post      level.Post `bun:"post,scanonly" json:"post"`
	Community string     `bun:"community,scanonly" json:"community"`
}

// ProgressionDate is the date a year's progression takes effect under the scheme in force
// at the start of that year.
func ProgressionDate(ds []pay.Dated, year int) workday.Date {
	s := schemeOn(ds, workday.Date{Year: year, Month: time.January, Day: 1})
	m, d := s.ProgressionMonth, s.ProgressionDay
	if m < time.January || d < 1 {
		m, d = time.January, 1
	}
	return workday.Date{Year: year, Month: m, Day: d}
}

var errBatchNotFound = problem.NotFound("batch_not_found", "该年度没有晋级批次", "no progression batch for that year")

// Prepare computes (or recomputes, while still a draft) the year's batch: for each worker
// in post on the progression date, the level the rule gives then. A level never goes down
// at progression: the proposal is the higher of the current level and the rule's.
func (s *Service) Prepare(ctx context.Context, year int) (*Batch, error) {
	today := s.today()
	if year < workday.MinYear || year > today.Year+1 {
		return nil, problem.Invalid(problem.Field{Location: "path.year", Message: "年度须在 1990 年至明年之间", MessageEn: "year must be between 1990 and next year", Value: year})
	}
	ds, err := dated(ctx)
	if err != nil {
		return nil, err
	}
	on := ProgressionDate(ds, year)
	b := new(Batch)
	err = tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(b)).Where("year = ?", year).For("UPDATE").Scan(ctx)
	tx, _ := tenants.TxFrom(ctx)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		b = &Batch{TenantID: tx.TenantID(), ID: uuid.New(), Year: year, EffectiveOn: on, Status: BatchDraft, CreatedBy: tenants.ActorIdentity(ctx), RowVersion: 1}
		res, err := tenants.DB(ctx).NewInsert().Model(b).On("CONFLICT (tenant_id, year) DO NOTHING").Exec(ctx)
		if err != nil {
			return nil, fmt.Errorf("insert batch: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 { // a concurrent Prepare won; retry sees its row
			return nil, problem.Conflict("batch_busy", "另一晋级批次正在生成，请稍后刷新", "another request is preparing this batch; reload shortly")
		}
	case err != nil:
		return nil, err
	case b.Status != BatchDraft:
		return nil, problem.Conflict("batch_not_draft", "该年度晋级已审定，不能重新生成", "the batch is already approved")
	default:
		b.EffectiveOn, b.ComputedAt = on, time.Now()
		b.RowVersion++
		if _, err := tenants.DB(ctx).NewUpdate().Model(b).Column("effective_on", "computed_at", "row_version").WherePK().Exec(ctx); err != nil {
			return nil, err
		}
		if _, err := tenants.Own(ctx, tenants.DB(ctx).NewDelete().Model((*Line)(nil))).Where("batch_id = ?", b.ID).Exec(ctx); err != nil {
			return nil, err
		}
	}
	all, err := loadAll(ctx)
	if err != nil {
		return nil, err
	}
	rule := schemeOn(ds, on).Rule
	lines := make([]Line, 0, len(all))
	for _, l := range all {
		cur, res, ok := propose(l, rule, on)
		if !ok {
			continue
		}
		lines = append(lines, Line{TenantID: tx.TenantID(), BatchID: b.ID, WorkerID: l.Worker.ID, CurrentLevel: cur,
			ProposedLevel: max(cur, res.Level), Result: res})
	}
	for i := 0; i < len(lines); i += 1000 {
		chunk := lines[i:min(i+1000, len(lines))]
		if _, err := tenants.DB(ctx).NewInsert().Model(&chunk).Exec(ctx); err != nil {
			return nil, fmt.Errorf("insert progression lines: %w", err)
		}
	}
	return b, tenants.Audit(ctx, tenants.Change{Action: "progression.prepare", TargetType: "progression_batch", TargetID: b.ID.String(),
		Summary: map[string]any{"year": year, "effective_on": on.String(), "lines": len(lines)}})
}

// propose is a worker's level just before the progression date and the rule's result on it;
// ok is false for a worker not in post on that date.
func propose(l loaded, rule level.Rule, on workday.Date) (int, level.Result, bool) {
	r, ok := Fold(withoutBatchOn(l.Changes, on), on)
	if !ok || r.Status != StatusActive {
		return 0, level.Result{}, false
	}
	res, err := rule.Level(level.Facts{Post: r.Post, Hired: r.Hired, Education: r.Education, Certificate: r.Certificate, Appraisals: l.Appraisals}, on)
	if err != nil {
		return 0, level.Result{}, false
	}
	return r.Level, res, true
}

// withoutBatchOn drops progression and correction changes dated on, so that "the level
// before the progression" does not include the progression itself.
func withoutBatchOn(cs []Change, on workday.Date) []Change {
	out := make([]Change, 0, len(cs))
	for _, c := range cs {
		if c.EffectiveFrom == on && (c.Kind == KindProgression || c.Kind == KindCorrection) {
			continue
		}
		out = append(out, c)
	}
	return out
}

// Batches lists every year's batch, newest first.
func Batches(ctx context.Context) ([]Batch, error) {
	var bs []Batch
	return bs, tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&bs)).Order("year DESC").Scan(ctx)
}

// BatchOf returns the year's batch and its lines (changed levels first, then by community).
func BatchOf(ctx context.Context, year int) (*Batch, []Line, error) {
	b := new(Batch)
	err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(b)).Where("year = ?", year).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, errBatchNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	var lines []Line
	err = tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&lines)).
		ColumnExpr("pl.*, w.name, w.post, ou.name AS community").
		Join("JOIN workers AS w ON w.tenant_id = pl.tenant_id AND w.id = pl.worker_id").
		Join("JOIN org_units AS ou ON ou.tenant_id = w.tenant_id AND ou.id = w.org_unit_id").
		Where("pl.batch_id = ?", b.ID).
		OrderExpr("(pl.proposed_level <> pl.current_level) DESC, w.org_path, w.name").Scan(ctx)
	return b, lines, err
}

// ApplyArgs applies an approved batch on its date.
type ApplyArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
	BatchID  uuid.UUID `json:"batch_id"`
}

func (ApplyArgs) Kind() string        { return "workforce_progression_apply" }
func (a ApplyArgs) Tenant() uuid.UUID { return a.TenantID }
func (ApplyArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

var batchLock = tenants.Lock[Batch]{Where: "year = ?", Version: func(b *Batch) int { return b.RowVersion }, Missing: errBatchNotFound, Stale: errStaleRecord}

// Approve approves a draft. A batch whose date has come is applied in the same transaction;
// a later one is applied by a job scheduled for its date.
func (s *Service) Approve(ctx context.Context, year, rowVersion int) (*Batch, error) {
	b, err := batchLock.Row(ctx, year, rowVersion)
	if err != nil {
		return nil, err
	}
	if b.Status != BatchDraft {
		return nil, problem.Conflict("batch_not_draft", "该年度晋级已审定", "the batch is already approved")
	}
	now := time.Now()
	b.Status, b.ApprovedBy, b.ApprovedAt = BatchApproved, tenants.ActorIdentity(ctx), &now
	b.RowVersion++
	if _, err := tenants.DB(ctx).NewUpdate().Model(b).Column("status", "approved_by", "approved_at", "row_version").WherePK().Exec(ctx); err != nil {
		return nil, err
	}
	if err := tenants.Audit(ctx, tenants.Change{Action: "progression.approve", TargetType: "progression_batch", TargetID: b.ID.String(),
		Summary: map[string]any{"year": year, "effective_on": b.Effective().String()}}); err != nil {
		return nil, err
	}
	if !b.Effective().After(s.today()) {
		return b, s.apply(ctx, b)
	}
	tx, _ := tenants.TxFrom(ctx)
	_, err = tenants.Enqueue(ctx, ApplyArgs{TenantID: tx.TenantID(), BatchID: b.ID}, &river.InsertOpts{ScheduledAt: b.Effective().In(clock.Zone)})
	return b, err
}

// Apply applies an approved batch whose date has come; an effective one is left alone, so
// a job that runs twice changes nothing the second time.
func (s *Service) Apply(ctx context.Context, batchID uuid.UUID) error {
	b := new(Batch)
	err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(b)).Where("id = ?", batchID).For("UPDATE").Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil || b.Status != BatchApproved || b.Effective().After(s.today()) {
		return err
	}
	return s.apply(ctx, b)
}

func (s *Service) apply(ctx context.Context, b *Batch) error {
	var lines []Line
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&lines)).Where("batch_id = ? AND proposed_level <> current_level", b.ID).Scan(ctx); err != nil {
		return err
	}
	ds, err := dated(ctx)
	if err != nil {
		return err
	}
	on := b.Effective()
	rule := schemeOn(ds, on).Rule
	for _, l := range lines {
		w, err := s.lock(ctx, l.WorkerID, 0)
		if err != nil {
			return err
		}
		cs, err := changesOf(ctx, w.ID)
		if err != nil {
			return err
		}
		r, _ := Fold(cs, on)
		// The post may have changed since the batch was computed: keep the level in its range.
		lv, err := rule.Remap(l.ProposedLevel, r.Post)
		if err != nil {
			return err
		}
		seq := 0
		for _, c := range cs {
			seq = max(seq, c.Seq)
		}
		id := b.ID
		c := Change{Seq: seq + 1, EffectiveFrom: on, Kind: KindProgression, Fields: Fields{Level: &lv}, BatchID: &id,
			Reason: fmt.Sprintf("%d 年度晋级：%d 级 → %d 级（计入年限 %d 年，学历 %d 年，每 %d 年一级，证书 +%d）", b.Year, l.CurrentLevel, lv,
				l.Result.CountedYears, l.Result.EducationYears, l.Result.YearsPerStep, l.Result.Bump),
			Approver: "县级管理员审定"}
		if err := insertChange(ctx, w.ID, c.Seq, c); err != nil {
			return err
		}
		all := append(cs, c)
		order(all)
		if err := s.refresh(ctx, w, all); err != nil {
			return err
		}
	}
	now := time.Now()
	b.Status, b.AppliedAt = BatchEffective, &now
	b.RowVersion++
	if _, err := tenants.DB(ctx).NewUpdate().Model(b).Column("status", "applied_at", "row_version").WherePK().Exec(ctx); err != nil {
		return err
	}
	return tenants.Audit(ctx, tenants.Change{Action: "progression.apply", TargetType: "progression_batch", TargetID: b.ID.String(),
		Summary: map[string]any{"year": b.Year, "changed": len(lines)}})
}

// Discard deletes a draft batch.
func Discard(ctx context.Context, year int) error {
	res, err := tenants.Own(ctx, tenants.DB(ctx).NewDelete().Model((*Batch)(nil))).Where("year = ? AND status = 'draft'", year).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return problem.Conflict("batch_not_draft", "只能删除草稿状态的晋级批次", "only a draft batch can be discarded")
	}
	return tenants.Audit(ctx, tenants.Change{Action: "progression.discard", TargetType: "progression_batch", TargetID: strconv.Itoa(year)})
}

// recheckProgressions re-runs, for one worker, each effective progression after the
// appraisal's year with the appraisals as they now stand, and corrects a level that comes out
// different from the progression's date on.
func (s *Service) recheckProgressions(ctx context.Context, w *Worker, in AppraisalInput) ([]Change, error) {
	var bs []Batch
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&bs)).Where("status = 'effective' AND year > ?", in.Year).Order("year").Scan(ctx); err != nil {
		return nil, err
	}
	if len(bs) == 0 {
		return nil, nil
	}
	ds, err := dated(ctx)
	if err != nil {
		return nil, err
	}
	as, err := appraisalsOf(ctx, w.ID)
	if err != nil {
		return nil, err
	}
	verb := "补录"
	for _, a := range as {
		if a.Year == in.Year && a.Seq > 1 {
			verb = "更正"
		}
	}
	var out []Change
	for _, b := range bs {
		var inBatch bool
		if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model((*Line)(nil))).ColumnExpr("count(*) > 0").
			Where("batch_id = ? AND worker_id = ?", b.ID, w.ID).Scan(ctx, &inBatch); err != nil {
			return nil, err
		}
		if !inBatch {
			continue
		}
		cs, err := changesOf(ctx, w.ID)
		if err != nil {
			return nil, err
		}
		on := b.Effective()
		cur, res, ok := propose(loaded{Worker: w, Changes: cs, Appraisals: results(as)}, schemeOn(ds, on).Rule, on)
		if !ok {
			continue
		}
		should := max(cur, res.Level)
		now, _ := Fold(cs, on)
		if now.Level == should {
			continue
		}
		seq := 0
		for _, c := range cs {
			seq = max(seq, c.Seq)
		}
		c := Change{Seq: seq + 1, EffectiveFrom: on, Kind: KindCorrection, Fields: Fields{Level: &should},
			Reason: fmt.Sprintf("%s %d 年度考核为%s，重算 %d 年度晋级：%d 级 → %d 级", verb,
				in.Year, in.Result.Label(), b.Year, now.Level, should),
			Approver: in.Approver}
		if err := insertChange(ctx, w.ID, c.Seq, c); err != nil {
			return nil, err
		}
		cs = append(cs, c)
		order(cs)
		if err := s.refresh(ctx, w, cs); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}
