package workforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/idno"
	"github.com/yichuang/yichuang/services/level"
	"github.com/yichuang/yichuang/services/pay"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/secret"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
)

// Service holds what the workforce operations need beyond the transaction: the key for ID
// numbers and the clock that says what "today" is.
type Service struct {
	Box   *secret.Box
	Clock clock.Clock
}

func (s *Service) today() workday.Date { return clock.Today(s.Clock) }

// Worker is the stored worker: identity columns plus a snapshot of the record as of
// SnapshotOn (the list and filter columns; the truth is the fold of the changes).
type Worker struct {
	bun.BaseModel `bun:"table:workers,alias:w"`

	TenantID     uuid.UUID         `bun:"tenant_id,pk,type:uuid" json:"-"`
	ID           uuid.UUID         `bun:"id,pk,type:uuid" json:"id"`
	IDCipher     []byte            `bun:"id_cipher" json:"-"`
	IDBlind      []byte            `bun:"id_blind" json:"-"`
	IDMasked     string            `bun:"id_masked" json:"id_masked"`
	BirthDate    workday.Date      `bun:"birth_date,type:date" json:"birth_date"`
	Gender       string            `bun:"gender" json:"gender"`
	IdentityID   *uuid.UUID        `bun:"identity_id,type:uuid" json:"identity_id"`
	Name         string            `bun:"name" json:"name"`
	Phone        string            `bun:"phone" json:"phone"`
	OrgUnitID    uuid.UUID         `bun:"org_unit_id,type:uuid" json:"org_unit_id"`
	OrgPath      string            `bun:"org_path" json:"-"`
	Post         level.Post        `bun:"post" json:"post"`
	Title        string            `bun:"title" json:"title"`
	HiredOn      workday.Date      `bun:"hired_on,type:date" json:"hired"`
	Education    level.Education   `bun:"education" json:"education"`
	Certificate  level.Certificate `bun:"certificate" json:"certificate"`
	Status       Status            `bun:"status" json:"status"`
	Level        int               `bun:"level" json:"level"`
	SnapshotOn   workday.Date      `bun:"snapshot_on,type:date" json:"snapshot_on"`
	NextChangeOn workday.Date      `bun:"next_change_on,type:date,nullzero" json:"pending_from"`
	RowVersion   int               `bun:"row_version" json:"row_version"`
	CreatedAt    time.Time         `bun:"created_at,nullzero,default:now()" json:"created_at"`
	UpdatedAt    time.Time         `bun:"updated_at,nullzero,default:now()" json:"updated_at"`

	Community string `bun:"community,scanonly" json:"community"`
	Township  string `bun:"township,scanonly" json:"township"`
}

// Birth is the birth date derived from the ID number.
func (w *Worker) Birth() workday.Date { return w.BirthDate }

// Hired is the hire date in the snapshot.
func (w *Worker) Hired() workday.Date { return w.HiredOn }

// PendingFrom is the date of the next change dated after the snapshot, if any.
func (w *Worker) PendingFrom() workday.Date { return w.NextChangeOn }

type changeRow struct {
	bun.BaseModel `bun:"table:worker_changes,alias:wc"`

	TenantID      uuid.UUID       `bun:"tenant_id,pk,type:uuid"`
	WorkerID      uuid.UUID       `bun:"worker_id,pk,type:uuid"`
	Seq           int             `bun:"seq,pk"`
	EffectiveFrom workday.Date    `bun:"effective_from,type:date"`
	Kind          Kind            `bun:"kind"`
	Fields        json.RawMessage `bun:"fields,type:jsonb"`
	Reason        string          `bun:"reason"`
	Approver      string          `bun:"approver"`
	BatchID       *uuid.UUID      `bun:"batch_id,type:uuid"`
	RecordedBy    *uuid.UUID      `bun:"recorded_by,type:uuid"`
	RecordedAt    time.Time       `bun:"recorded_at,nullzero,default:now()"`
}

func (r *changeRow) change() (Change, error) {
	c := Change{Seq: r.Seq, EffectiveFrom: r.EffectiveFrom, Kind: r.Kind, Reason: r.Reason,
		Approver: r.Approver, BatchID: r.BatchID, RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt}
	return c, json.Unmarshal(r.Fields, &c.Fields)
}

var (
	errNotFound = problem.NotFound("worker_not_found", "找不到该社区工作者", "worker not found")
	errStale    = problem.Stale("该档案", "the worker's record")
	// errStaleRecord is the same refusal for a batch or a month's payroll.
	errStaleRecord = problem.Stale("该记录", "the record")
	errDup         = problem.Conflict("worker_exists", "该身份证号已建档", "a worker with this ID number already exists")
)

// Reasoned is the reason and approver every change carries.
type Reasoned struct {
	Reason   string `json:"reason,omitempty" doc:"变更原因 (required; checked with the other fields)"`
	Approver string `json:"approver,omitempty" doc:"审批人 (required; checked with the other fields)"`
}

func (r Reasoned) check(c *problem.Checker, prefix string) {
	n := len([]rune(r.Reason))
	c.Check(n >= 1 && n <= 200, prefix+"reason", "变更原因必填，不超过 200 字", "reason is required (at most 200 characters)", r.Reason)
	n = len([]rune(r.Approver))
	c.Check(n >= 1 && n <= 50, prefix+"approver", "审批人必填，不超过 50 字", "approver is required (at most 50 characters)", r.Approver)
}

// NewWorker is a worker to put on the books.
type NewWorker struct {
	IDNumber string `json:"id_number"`
	Record
	Reasoned
	// Level 0 means: compute it with the county's rule as of today.
}

func unitOf(ctx context.Context, id uuid.UUID) (*tenants.OrgUnit, error) {
	u, err := tenants.GetOrgUnit(ctx, id)
	if errors.Is(err, tenants.ErrNotFound) || (err == nil && u.Kind != tenants.KindCommunity && u.Kind != tenants.KindVillage) {
		return nil, nil
	}
	return u, err
}

// Hire puts a worker on the books from the hire date. Levels left at 0 are computed by the
// rule in force today, as for a roster brought over from paper.
func (s *Service) Hire(ctx context.Context, in NewWorker) (*Worker, error) {
	ds, err := dated(ctx)
	if err != nil {
		return nil, err
	}
	w, err := s.hire(ctx, in, ds, "body.")
	if err != nil {
		return nil, err
	}
	return w, tenants.Audit(ctx, tenants.Change{Action: "worker.hire", TargetType: "worker", TargetID: w.ID.String(),
		Summary: map[string]any{"name": w.Name, "id": w.IDMasked, "post": w.Post, "level": w.Level}})
}

func (s *Service) hire(ctx context.Context, in NewWorker, ds []pay.Dated, prefix string) (*Worker, error) {
	today := s.today()
	var c problem.Checker
	person, idErr := idno.Resident(in.IDNumber, today.In(clock.Zone))
	if idErr != nil {
		var e *idno.Error
		if errors.As(idErr, &e) {
			c.Check(false, prefix+"id_number", e.Reason, e.ReasonEn, idno.Mask(in.IDNumber))
		} else {
			c.Check(false, prefix+"id_number", "身份证号有误", "invalid ID number", idno.Mask(in.IDNumber))
		}
	}
	r := in.Record
	if r.Status == "" {
		r.Status = StatusActive
	}
	if r.Education == "" {
		r.Education = level.EducationNone
	}
	if r.Certificate == "" {
		r.Certificate = level.CertificateNone
	}
	fs := r.Fields()
	if r.Level == 0 {
		fs.Level = nil // computed below
	}
	c.Add(checkFields(fs, level.Rule{}, prefix)...)
	c.Check(!r.Hired.IsZero(), prefix+"hired", "入职日期必填", "hire date is required", "")
	c.Check(r.Hired.IsZero() || !r.Hired.After(today), prefix+"hired", "入职日期不能晚于今天", "hire date is in the future", r.Hired.String())
	c.Check(r.Post.Valid(), prefix+"post", "岗位须为 正职、副职 或 其他社区工作者", "post must be head, deputy or staff", r.Post)
	in.Reasoned.check(&c, prefix)
	unit, err := unitOf(ctx, r.OrgUnitID)
	if err != nil {
		return nil, err
	}
	c.Check(unit != nil, prefix+"org_unit_id", "所属社区须为本县的村或社区", "org unit must be a village or community of this county", r.OrgUnitID.String())
	if err := c.Err(); err != nil {
		return nil, err
	}
	rule := schemeOn(ds, today).Rule
	if r.Level == 0 {
		res, err := rule.Level(level.Facts{Post: r.Post, Hired: r.Hired, Education: r.Education, Certificate: r.Certificate}, today)
		if err != nil {
			return nil, problem.Invalid(problem.Field{Location: prefix + "level", Message: "无法计算等级：" + err.Error(), MessageEn: err.Error()})
		}
		r.Level = res.Level
	}
	if fs := checkRecord(r, rule, prefix); len(fs) > 0 {
		return nil, problem.Invalid(fs...)
	}
	tx, _ := tenants.TxFrom(ctx)
	w := &Worker{TenantID: tx.TenantID(), ID: uuid.New(), IDCipher: s.Box.Seal(tx.TenantID(), in.IDNumber),
		IDBlind: s.Box.Blind(tx.TenantID(), in.IDNumber), IDMasked: idno.Mask(in.IDNumber),
		BirthDate: workday.DateOf(person.Birth), Gender: map[bool]string{true: "male", false: "female"}[person.Male], RowVersion: 1}
	snapshot(w, r, unit, today, workday.Date{})
	res, err := tenants.DB(ctx).NewInsert().Model(w).On("CONFLICT (tenant_id, id_blind) DO NOTHING").Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("insert worker: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, errDup
	}
	if err := insertChange(ctx, w.ID, 1, Change{EffectiveFrom: r.Hired, Kind: KindHire, Fields: r.Fields(), Reason: in.Reason, Approver: in.Approver}); err != nil {
		return nil, err
	}
	w.Community = unit.Name
	return w, nil
}

// snapshot copies the record into the list columns.
func snapshot(w *Worker, r Record, unit *tenants.OrgUnit, on, next workday.Date) {
	w.Name, w.Phone, w.OrgUnitID, w.OrgPath = r.Name, r.Phone, r.OrgUnitID, unit.Path
	w.Post, w.Title, w.HiredOn, w.Education, w.Certificate = r.Post, r.Title, r.Hired, r.Education, r.Certificate
	w.Status, w.Level, w.SnapshotOn, w.NextChangeOn = r.Status, r.Level, on, next
}

func insertChange(ctx context.Context, worker uuid.UUID, seq int, c Change) error {
	fields, err := json.Marshal(c.Fields)
	if err != nil {
		return err
	}
	tx, _ := tenants.TxFrom(ctx)
	row := &changeRow{TenantID: tx.TenantID(), WorkerID: worker, Seq: seq, EffectiveFrom: c.EffectiveFrom,
		Kind: c.Kind, Fields: fields, Reason: c.Reason, Approver: c.Approver, BatchID: c.BatchID, RecordedBy: tenants.ActorIdentity(ctx)}
	if _, err := tenants.DB(ctx).NewInsert().Model(row).Exec(ctx); err != nil {
		return fmt.Errorf("insert worker change: %w", err)
	}
	return nil
}

func changesOf(ctx context.Context, worker uuid.UUID) ([]Change, error) {
	var rows []changeRow
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&rows)).Where("worker_id = ?", worker).Scan(ctx); err != nil {
		return nil, fmt.Errorf("worker changes: %w", err)
	}
	cs := make([]Change, len(rows))
	for i := range rows {
		var err error
		if cs[i], err = rows[i].change(); err != nil {
			return nil, err
		}
	}
	order(cs)
	return cs, nil
}

var workerLock = tenants.Lock[Worker]{Where: "w.id = ?", Version: func(w *Worker) int { return w.RowVersion }, Missing: errNotFound, Stale: errStale}

func (s *Service) lock(ctx context.Context, id uuid.UUID, rowVersion int) (*Worker, error) {
	return workerLock.Row(ctx, id, rowVersion)
}

// refresh recomputes the snapshot columns as of today from the changes.
func (s *Service) refresh(ctx context.Context, w *Worker, cs []Change) error {
	today := s.today()
	r, ok := Fold(cs, today)
	if !ok { // hired in the future cannot happen (refused), but a snapshot needs a record
		r, _ = Fold(cs, cs[0].EffectiveFrom)
	}
	unit, err := tenants.GetOrgUnit(ctx, r.OrgUnitID)
	if err != nil {
		return fmt.Errorf("worker unit: %w", err)
	}
	snapshot(w, r, unit, today, NextAfter(cs, today))
	w.RowVersion++
	_, err = tenants.DB(ctx).NewUpdate().Model(w).
		Column("name", "phone", "org_unit_id", "org_path", "post", "title", "hired_on", "education", "certificate",
			"status", "level", "snapshot_on", "next_change_on", "row_version").
		Set("updated_at = now()").WherePK().Exec(ctx)
	return err
}

// ChangeInput is one effective-dated change to a worker's record.
type ChangeInput struct {
	EffectiveFrom workday.Date `json:"effective_from"`
	Fields        Fields       `json:"fields"`
	Reasoned
}

// Change records a change from its effective date on. A post change without a level
// re-maps the level (kept inside the new range, else its nearest bound). The record must
// stay valid on the effective date and at every later change, since later changes fold on
// top of this one.
func (s *Service) Change(ctx context.Context, id uuid.UUID, rowVersion int, in ChangeInput) (*Worker, error) {
	ds, err := dated(ctx)
	if err != nil {
		return nil, err
	}
	w, err := s.lock(ctx, id, rowVersion)
	if err != nil {
		return nil, err
	}
	cs, err := changesOf(ctx, id)
	if err != nil {
		return nil, err
	}
	kind, err := s.change(ctx, w, cs, in, ds, "body.", KindEdit)
	if err != nil {
		return nil, err
	}
	return w, tenants.Audit(ctx, tenants.Change{Action: "worker.change", TargetType: "worker", TargetID: id.String(),
		Summary: map[string]any{"kind": kind, "effective_from": in.EffectiveFrom.String(), "fields": in.Fields, "reason": in.Reason, "approver": in.Approver}})
}

func (s *Service) change(ctx context.Context, w *Worker, cs []Change, in ChangeInput, ds []pay.Dated, prefix string, kind Kind) (Kind, error) {
	var c problem.Checker
	c.Check(!in.EffectiveFrom.IsZero(), prefix+"effective_from", "生效日期必填", "effective_from is required", "")
	c.Check(!in.Fields.Empty(), prefix+"fields", "没有要变更的内容", "the change sets no field", nil)
	c.Add(checkFields(in.Fields, level.Rule{}, prefix+"fields.")...)
	in.Reasoned.check(&c, prefix)
	if !in.EffectiveFrom.IsZero() && len(cs) > 0 {
		c.Check(!in.EffectiveFrom.Before(cs[0].EffectiveFrom), prefix+"effective_from", "生效日期不能早于入职建档日期 "+cs[0].EffectiveFrom.String(),
			"effective_from is before the worker's first record", in.EffectiveFrom.String())
	}
	if in.Fields.OrgUnitID != nil {
		unit, err := unitOf(ctx, *in.Fields.OrgUnitID)
		if err != nil {
			return "", err
		}
		c.Check(unit != nil, prefix+"fields.org_unit_id", "所属社区须为本县的村或社区", "org unit must be a village or community of this county", in.Fields.OrgUnitID.String())
	}
	if err := c.Err(); err != nil {
		return "", err
	}
	before, _ := Fold(cs, in.EffectiveFrom)
	switch {
	case kind != KindEdit:
	case in.Fields.Post != nil && *in.Fields.Post != before.Post:
		kind = KindPost
	case in.Fields.Level != nil:
		kind = KindLevel
	case in.Fields.Status != nil:
		kind = KindStatus
	case in.Fields.Certificate != nil:
		kind = KindCertificate
	}
	if kind == KindPost && in.Fields.Level == nil {
		lv, err := schemeOn(ds, in.EffectiveFrom).Rule.Remap(before.Level, *in.Fields.Post)
		if err != nil {
			return "", err
		}
		in.Fields.Level = &lv
	}
	seq := 1
	for _, ch := range cs {
		seq = max(seq, ch.Seq+1)
	}
	next := Change{Seq: seq, EffectiveFrom: in.EffectiveFrom, Kind: kind, Fields: in.Fields, Reason: in.Reason, Approver: in.Approver, BatchID: nil}
	all := append(append([]Change(nil), cs...), next)
	order(all)
	// The record must hold at the change and at each later change point.
	for _, ch := range all {
		if ch.EffectiveFrom.Before(in.EffectiveFrom) {
			continue
		}
		r, _ := Fold(all, ch.EffectiveFrom)
		if fs := checkRecord(r, schemeOn(ds, ch.EffectiveFrom).Rule, prefix+"fields."); len(fs) > 0 {
			if ch.Seq != seq {
				for i := range fs {
					fs[i].Message += "（与 " + ch.EffectiveFrom.String() + " 起的变更冲突）"
					fs[i].MessageEn += " (conflicts with the change from " + ch.EffectiveFrom.String() + ")"
				}
			}
			return "", problem.Invalid(fs...)
		}
	}
	if err := insertChange(ctx, w.ID, seq, next); err != nil {
		return "", err
	}
	return kind, s.refresh(ctx, w, all)
}

// AppraisalInput is a year's appraisal result.
type AppraisalInput struct {
	Year   int             `json:"year"`
	Result level.Appraisal `json:"result"`
	Reasoned
}

// Appraisal is one stored appraisal entry; the newest entry of a year is its result.
type Appraisal struct {
	bun.BaseModel `bun:"table:worker_appraisals,alias:wa"`

	TenantID   uuid.UUID       `bun:"tenant_id,pk,type:uuid" json:"-"`
	WorkerID   uuid.UUID       `bun:"worker_id,pk,type:uuid" json:"-"`
	Year       int             `bun:"year,pk" json:"year"`
	Seq        int             `bun:"seq,pk" json:"seq"`
	Result     level.Appraisal `bun:"result" json:"result"`
	Reason     string          `bun:"reason" json:"reason"`
	Approver   string          `bun:"approver" json:"approver"`
	RecordedBy *uuid.UUID      `bun:"recorded_by,type:uuid" json:"-"`
	RecordedAt time.Time       `bun:"recorded_at,nullzero,default:now()" json:"recorded_at"`
}

func appraisalsOf(ctx context.Context, worker uuid.UUID) ([]Appraisal, error) {
	var rows []Appraisal
	err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&rows)).Where("worker_id = ?", worker).Order("year", "seq").Scan(ctx)
	return rows, err
}

// results is the newest result per year.
func results(as []Appraisal) map[int]level.Appraisal {
	m := make(map[int]level.Appraisal, len(as))
	for _, a := range as { // sorted by year, seq: the last wins
		m[a.Year] = a.Result
	}
	return m
}

// RecordAppraisal enters (or corrects) a year's result. An entry for a year that an
// effective progression already counted re-runs that progression for the worker: a level
// that changes is corrected from the progression's date, and the next payroll pays or
// recovers the difference as arrears.
func (s *Service) RecordAppraisal(ctx context.Context, id uuid.UUID, in AppraisalInput) ([]Change, error) {
	today := s.today()
	var c problem.Checker
	c.Check(in.Result.Valid(), "body.result", "考核结果须为 优秀、称职、基本称职 或 不称职", "result must be excellent, competent, basic or incompetent", in.Result)
	in.Reasoned.check(&c, "body.")
	w, err := s.lock(ctx, id, 0)
	if err != nil {
		return nil, err
	}
	c.Check(in.Year >= w.Hired().Year && in.Year <= today.Year, "body.year",
		"考核年度须在入职年度（"+strconv.Itoa(w.Hired().Year)+"）至今年之间", "year must lie between the hire year and this year", in.Year)
	if err := c.Err(); err != nil {
		return nil, err
	}
	var seq int
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model((*Appraisal)(nil))).ColumnExpr("coalesce(max(seq), 0) + 1").
		Where("worker_id = ? AND year = ?", id, in.Year).Scan(ctx, &seq); err != nil {
		return nil, err
	}
	tx, _ := tenants.TxFrom(ctx)
	a := &Appraisal{TenantID: tx.TenantID(), WorkerID: id, Year: in.Year, Seq: seq, Result: in.Result, Reason: in.Reason, Approver: in.Approver, RecordedBy: tenants.ActorIdentity(ctx)}
	if _, err := tenants.DB(ctx).NewInsert().Model(a).Exec(ctx); err != nil {
		return nil, fmt.Errorf("insert appraisal: %w", err)
	}
	corrections, err := s.recheckProgressions(ctx, w, in)
	if err != nil {
		return nil, err
	}
	return corrections, tenants.Audit(ctx, tenants.Change{Action: "worker.appraisal", TargetType: "worker", TargetID: id.String(),
		Summary: map[string]any{"year": in.Year, "result": in.Result, "reason": in.Reason, "approver": in.Approver, "corrections": len(corrections)}})
}

func itoa(n int) string { return strconv.Itoa(n) }
