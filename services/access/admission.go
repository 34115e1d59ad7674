package access

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/yichuang/yichuang/services/calendar"
	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/notify"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
)

// Settings are the county's variants of the procedure. Defaults from the published local
// rules (Beijing Xicheng): apply 30 working days ahead, approval within 15, a 5-day notice.
type Settings struct {
	bun.BaseModel `bun:"table:access_settings,alias:acs"`

	TenantID       uuid.UUID  `bun:"tenant_id,pk,type:uuid" json:"-"`
	ApplyAheadDays int        `bun:"apply_ahead_days" json:"apply_ahead_days" minimum:"0" maximum:"250" doc:"a department applies at least this many working days before the requested start"`
	ReviewDays     int        `bun:"review_days" json:"review_days" minimum:"1" maximum:"60" doc:"working days for each of 民政审核 and 合法性审查"`
	ApprovalDays   int        `bun:"approval_days" json:"approval_days" minimum:"1" maximum:"120" doc:"working days from submission to the joint meeting's decision"`
	NoticeDays     int        `bun:"notice_days" json:"notice_days" minimum:"1" maximum:"60" doc:"working days of public notice (公示)"`
	CivilDeptID    *uuid.UUID `bun:"civil_dept_id,type:uuid" json:"civil_dept_id,omitempty" required:"false" nullable:"true" doc:"the civil-affairs department whose staff alone do 民政审核 (unset, or for its own requests: a county admin)"`
	LegalDeptID    *uuid.UUID `bun:"legal_dept_id,type:uuid" json:"legal_dept_id,omitempty" required:"false" nullable:"true" doc:"the department whose staff alone do 合法性审查 (unset, or for its own requests: a county admin)"`
	ConfirmBy      string     `bun:"confirm_by" json:"confirm_by" required:"false" doc:"MM-DD: the yearly re-confirmation (年度确认) is due by this day of each year; an item of the work lists not confirmed for the year lapses after it (default 03-31)"`
	UpdatedAt      time.Time  `bun:"updated_at,nullzero,default:now()" json:"-"`
}

// DefaultConfirmBy is the default re-confirmation deadline: the end of the year's first
// quarter. The brief only says the lists are re-confirmed yearly and an item not re-confirmed
// lapses; a deadline at the year's end would leave an unconfirmed item in force for a whole
// year, which is what the rule is against.
const DefaultConfirmBy = "03-31"

// DefaultSettings are the brief's defaults.
func DefaultSettings() Settings {
	return Settings{ApplyAheadDays: 30, ReviewDays: 5, ApprovalDays: 15, NoticeDays: 5, ConfirmBy: DefaultConfirmBy}
}

// parseMonthDay reads "MM-DD" as a day that exists in every year (so not 29 February).
func parseMonthDay(s string) (time.Month, int, bool) {
	d, err := workday.ParseDate("2001-" + s)
	if err != nil || len(s) != 5 {
		return 0, 0, false
	}
	return d.Month, d.Day, true
}

// ConfirmDeadline is the last day of year on which the year's re-confirmation is on time.
func (st *Settings) ConfirmDeadline(year int) workday.Date {
	m, d, ok := parseMonthDay(st.ConfirmBy)
	if !ok {
		m, d, _ = parseMonthDay(DefaultConfirmBy)
	}
	return workday.Date{Year: year, Month: m, Day: d}
}

// GetSettings returns the county's settings or the defaults.
func GetSettings(ctx context.Context) (*Settings, error) {
	return tenants.GetSettings(ctx, DefaultSettings())
}

// PutSettings stores the county's settings.
func PutSettings(ctx context.Context, in Settings) (*Settings, error) {
	var ck problem.Checker
	ck.Check(in.ApplyAheadDays >= 0 && in.ApplyAheadDays <= 250, "body.apply_ahead_days", "须为 0 至 250 个工作日", "must be 0 to 250", in.ApplyAheadDays)
	ck.Check(in.ReviewDays >= 1 && in.ReviewDays <= 60, "body.review_days", "须为 1 至 60 个工作日", "must be 1 to 60", in.ReviewDays)
	ck.Check(in.ApprovalDays >= 1 && in.ApprovalDays <= 120, "body.approval_days", "须为 1 至 120 个工作日", "must be 1 to 120", in.ApprovalDays)
	ck.Check(in.NoticeDays >= 1 && in.NoticeDays <= 60, "body.notice_days", "公示须为 1 至 60 个工作日", "must be 1 to 60", in.NoticeDays)
	if in.ConfirmBy == "" {
		in.ConfirmBy = DefaultConfirmBy
	}
	_, _, ok := parseMonthDay(in.ConfirmBy)
	ck.Check(ok, "body.confirm_by", "年度确认截止日须为每年都有的月-日，例如 03-31（不能是 2 月 29 日）",
		"confirm_by must be a month-day every year has, e.g. 03-31 (not 02-29)", in.ConfirmBy)
	// Reviews are separate duties: each stage by its own department (brief §2).
	ck.Check(in.CivilDeptID == nil || in.LegalDeptID == nil || *in.CivilDeptID != *in.LegalDeptID, "body.legal_dept_id",
		"民政审核和合法性审查须由不同部门办理", "民政审核 and 合法性审查 must be different departments", in.LegalDeptID)
	for loc, id := range map[string]*uuid.UUID{"body.civil_dept_id": in.CivilDeptID, "body.legal_dept_id": in.LegalDeptID} {
		if id == nil {
			continue
		}
		u, err := tenants.GetOrgUnit(ctx, *id)
		if err != nil && !errors.Is(err, tenants.ErrNotFound) {
			return nil, err
		}
		ck.Check(err == nil && u.Kind == tenants.KindDepartment, loc, "须为本县的县直部门", "must be a county department", id.String())
	}
	if err := ck.Err(); err != nil {
		return nil, err
	}
	if err := tenants.PutSettings(ctx, &in); err != nil {
		return nil, err
	}
	return &in, tenants.Audit(ctx, tenants.Change{Action: "access_settings.update", TargetType: "access_settings", TargetID: in.TenantID.String(), Summary: in})
}

// Stage is where an admission request stands.
type Stage string

const (
	StageCivil    Stage = "civil_review"  // 民政审核
	StageLegal    Stage = "legal_review"  // 合法性审查
	StageMeeting  Stage = "joint_meeting" // 联席会议审定
	StageNotice   Stage = "notice"        // 公示
	StageEffect   Stage = "effective"     // 生效
	StageReturned Stage = "returned"      // 退回修改
	StageRejected Stage = "rejected"      // 不予准入
	StageWithdraw Stage = "withdrawn"     // 申请撤回（退回后放弃亦同）
	StageStopped  Stage = "stopped"       // 公示期间终止
)

var stageLabels = map[Stage]string{StageCivil: "民政审核", StageLegal: "合法性审查", StageMeeting: "联席会议审定", StageNotice: "公示",
	StageEffect: "已生效", StageReturned: "退回修改", StageRejected: "不予准入", StageWithdraw: "已撤回", StageStopped: "已终止"}

// openStages are those of a request still under way: it holds its code, and its department
// may withdraw it.
var openStages = []Stage{StageCivil, StageLegal, StageMeeting, StageNotice, StageReturned}

func (s Stage) open() bool {
	for _, o := range openStages {
		if s == o {
			return true
		}
	}
	return false
}

func (s Stage) Label() string { return stageLabels[s] }

// next is the stage an approval leads to.
var next = map[Stage]Stage{StageCivil: StageLegal, StageLegal: StageMeeting, StageMeeting: StageNotice}

// Request is a department's application for a new item.
type Request struct {
	bun.BaseModel `bun:"table:admission_requests,alias:ar"`

	TenantID       uuid.UUID    `bun:"tenant_id,pk,type:uuid" json:"-"`
	ID             uuid.UUID    `bun:"id,pk,type:uuid" json:"id"`
	DepartmentID   uuid.UUID    `bun:"department_id,type:uuid" json:"department_id"`
	Content        Content      `bun:"content,type:jsonb" json:"content"`
	RequestedStart workday.Date `bun:"requested_start,type:date" json:"requested_start"`
	Status         Stage        `bun:"status" json:"status"`
	StepDue        workday.Date `bun:"step_due,type:date,nullzero" json:"step_due"`
	ApprovalDue    workday.Date `bun:"approval_due,type:date,nullzero" json:"approval_due"`
	NoticeUntil    workday.Date `bun:"notice_until,type:date,nullzero" json:"notice_until"`
	ItemID         *uuid.UUID   `bun:"item_id,type:uuid" json:"item_id"`
	SubmittedBy    *uuid.UUID   `bun:"submitted_by,type:uuid" json:"-"`
	SubmittedAt    time.Time    `bun:"submitted_at,nullzero,default:now()" json:"submitted_at"`
	RowVersion     int          `bun:"row_version" json:"row_version"`

	DepartmentName string `bun:"department_name,scanonly" json:"department_name"`
	// CanDecide says whether the reader may decide the current stage.
	CanDecide bool `bun:"-" json:"can_decide"`
	// CanWithdraw says whether the reader may withdraw the request (its department, while open).
	CanWithdraw bool `bun:"-" json:"can_withdraw"`
	// CanStop says whether the reader may stop it during its public notice (a county admin).
	CanStop bool `bun:"-" json:"can_stop"`
	// Reviewer names who decides the current stage.
	Reviewer string `bun:"-" json:"reviewer" doc:"who decides the current stage, e.g. 县民政局 or 县级管理员"`
}

// Step is one entry of a request's history.
type Step struct {
	bun.BaseModel `bun:"table:admission_steps,alias:ast"`

	TenantID  uuid.UUID  `bun:"tenant_id,pk,type:uuid" json:"-"`
	RequestID uuid.UUID  `bun:"request_id,pk,type:uuid" json:"-"`
	Seq       int        `bun:"seq,pk" json:"seq"`
	Step      string     `bun:"step" json:"step"`
	Decision  string     `bun:"decision" json:"decision"`
	Reason    string     `bun:"reason" json:"reason"`
	ActorID   *uuid.UUID `bun:"actor_id,type:uuid" json:"-"`
	ActorName string     `bun:"actor_name" json:"actor_name"`
	At        time.Time  `bun:"at,nullzero,default:now()" json:"at"`
}

// Application is what a department submits.
type Application struct {
	Content
	RequestedStart workday.Date `json:"requested_start"`
}

var errRequestNotFound = problem.NotFound("admission_not_found", "找不到该准入申请", "admission request not found")

func department(ctx context.Context) (*tenants.Actor, error) {
	a, ok := tenants.ActorFrom(ctx)
	if !ok || a.OrgKind != tenants.KindDepartment {
		return nil, problem.Forbidden("not_a_department", "只有县直部门可以申请准入", "only a county department may apply")
	}
	return a, nil
}

// Apply submits an application for a new item on behalf of the actor's department.
func (s *Service) Apply(ctx context.Context, in Application) (*Request, error) {
	a, st, cal, err := s.checkApplication(ctx, &in, uuid.Nil)
	if err != nil {
		return nil, err
	}
	today := s.today()
	tx, _ := tenants.TxFrom(ctx)
	r := &Request{TenantID: tx.TenantID(), ID: uuid.New(), DepartmentID: a.OrgUnitID, Content: in.Content, RequestedStart: in.RequestedStart,
		Status: StageCivil, StepDue: cal.Add(today, st.ReviewDays), ApprovalDue: cal.Add(today, st.ApprovalDays), SubmittedBy: &a.IdentityID, RowVersion: 1}
	if err := insertRequest(ctx, r); err != nil {
		return nil, err
	}
	if err := addStep(ctx, r, "submit", ""); err != nil {
		return nil, err
	}
	if err := scheduleStepCheck(ctx, r); err != nil {
		return nil, err
	}
	return r, tenants.Audit(ctx, tenants.Change{Action: "admission.apply", TargetType: "admission_request", TargetID: r.ID.String(),
		Summary: map[string]any{"code": in.Code, "name": in.Name, "requested_start": in.RequestedStart.String()}})
}

// checkApplication validates what a department submits (first or after a return): the content,
// the kind, the start at least the county's apply-ahead working days away, the units, and a
// code not taken by an item.
func (s *Service) checkApplication(ctx context.Context, in *Application, self uuid.UUID) (*tenants.Actor, *Settings, *workday.Calendar, error) {
	a, err := department(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	st, err := GetSettings(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	cal, err := calendar.For(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	in.DepartmentID = &a.OrgUnitID
	var ck problem.Checker
	in.Content.check(&ck, "body.")
	ck.Check(in.Kind.Dispatchable(), "body.kind", "准入申请只能是履职、协助或证明事项", "an application adds a duty, assist or certificate item", in.Kind)
	earliest := cal.Add(s.today(), st.ApplyAheadDays)
	ck.Check(!in.RequestedStart.IsZero() && !in.RequestedStart.Before(earliest), "body.requested_start",
		fmt.Sprintf("须提前 %d 个工作日申请：最早可申请 %s 起实施", st.ApplyAheadDays, earliest),
		fmt.Sprintf("apply %d working days ahead: the earliest start is %s", st.ApplyAheadDays, earliest), in.RequestedStart.String())
	if err := in.Content.checkUnits(ctx, &ck, "body."); err != nil {
		return nil, nil, nil, err
	}
	// The code is free, or it is the department's own lapsed item, which a new admission
	// brings back (重新准入).
	var it Item
	err = tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&it)).Where("ai.code = ?", in.Code).Scan(ctx)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil, err
	}
	ck.Check(errors.Is(err, sql.ErrNoRows) || it.readmittableBy(a.OrgUnitID), "body.code", "清单编号已存在", "the code is taken", in.Code)
	// An open request holding the code would make the later one fail when its notice ends.
	held, err := codeHeld(ctx, in.Code, self)
	if err != nil {
		return nil, nil, nil, err
	}
	ck.Check(!held, "body.code", "已有使用该编号的准入申请在办理中", "an open request uses this code", in.Code)
	return a, st, cal, ck.Err()
}

// readmittableBy reports whether dept may apply to bring the item back: it lapsed (for want of
// the yearly re-confirmation, not withdrawn) and is dept's.
func (it *Item) readmittableBy(dept uuid.UUID) bool {
	return it.LapsedAt != nil && it.WithdrawnAt == nil && it.DepartmentID != nil && *it.DepartmentID == dept
}

// insertRequest stores a new request; a request racing for the same code loses with a 422.
func insertRequest(ctx context.Context, r *Request) error {
	_, err := tenants.DB(ctx).NewInsert().Model(r).Exec(ctx)
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "23505" && pg.ConstraintName == "admission_requests_open_code" {
		return problem.Invalid(problem.Field{Location: "body.code", Message: "已有使用该编号的准入申请在办理中", MessageEn: "an open request uses this code", Value: r.Content.Code})
	}
	if err != nil {
		return fmt.Errorf("insert admission request: %w", err)
	}
	return nil
}

func addStep(ctx context.Context, r *Request, decision, reason string) error {
	var seq int
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model((*Step)(nil))).ColumnExpr("coalesce(max(seq), 0) + 1").Where("request_id = ?", r.ID).Scan(ctx, &seq); err != nil {
		return err
	}
	st := &Step{TenantID: r.TenantID, RequestID: r.ID, Seq: seq, Step: string(r.Status), Decision: decision, Reason: reason, ActorID: tenants.ActorIdentity(ctx)}
	if a, ok := tenants.ActorFrom(ctx); ok && a != nil {
		st.ActorName = a.Name
	} else {
		st.ActorName = "系统"
	}
	_, err := tenants.DB(ctx).NewInsert().Model(st).Exec(ctx)
	return err
}

// reviewingDept is the department whose staff decide stage of a request from applicant: the
// configured 民政 or legal department, unless it is the applicant itself (nobody reviews their
// own department's request), and none for the joint meeting. Without one, a county admin
// decides.
func reviewingDept(st *Settings, applicant uuid.UUID, stage Stage) *uuid.UUID {
	var d *uuid.UUID
	switch stage {
	case StageCivil:
		d = st.CivilDeptID
	case StageLegal:
		d = st.LegalDeptID
	}
	if d != nil && *d == applicant {
		return nil
	}
	return d
}

// decisionStages are the stages someone decides; each by its own person.
func (s Stage) decided() bool { _, ok := next[s]; return ok }

// CheckReviewer is the separation of duties for deciding the current stage of r, pure (brief
// §2, the published local rules of Beijing Xicheng: "each stage by its own department and
// person, nobody reviews their own department's request"). history is the request's steps
// so far. It returns why a may not decide, or nil:
//   - nobody decides a request of their own department, nor one they submitted;
//   - a stage with a reviewing department configured is that department's staff's, and no
//     one else's (county admins included); a stage without one, or whose department is the
//     applicant, and the joint meeting, are the county admins';
//   - nobody decides two stages of one request (a return and its re-review are one stage).
func CheckReviewer(a *tenants.Actor, st *Settings, r *Request, history []Step) *problem.Error {
	stage := r.Status
	if a == nil {
		return problem.Forbidden("not_your_step", "您无权办理“"+stage.Label()+"”环节", "you may not decide this stage")
	}
	if a.OrgUnitID == r.DepartmentID || (r.SubmittedBy != nil && *r.SubmittedBy == a.IdentityID) {
		return problem.Forbidden("review_own_department", "审核须回避：不能审核本部门提出的准入申请", "nobody reviews a request of their own department")
	}
	if d := reviewingDept(st, r.DepartmentID, stage); d != nil {
		if !a.HasAny(tenants.RoleDepartmentStaff) || a.OrgUnitID != *d {
			return problem.Forbidden("not_your_step", "“"+stage.Label()+"”由设定的审核部门办理，其他部门和县级管理员不能代为办理",
				"this stage is decided by the configured reviewing department only")
		}
	} else if !a.HasAny(tenants.RoleCountyAdmin) {
		return problem.Forbidden("not_your_step", "“"+stage.Label()+"”由县级管理员办理", "a county admin decides this stage")
	}
	for _, h := range history {
		if h.ActorID != nil && *h.ActorID == a.IdentityID && Stage(h.Step) != stage && Stage(h.Step).decided() && isDecision(h.Decision) {
			return problem.Forbidden("review_second_stage", "同一申请的各审核环节须由不同人员办理：您已办理该申请的“"+Stage(h.Step).Label()+"”",
				"one person may not decide two stages of one request")
		}
	}
	return nil
}

func isDecision(d string) bool { return d == "approve" || d == "return" || d == "reject" }

// reviewerLabel names who decides the current stage of r; names are the reviewing
// departments' names.
func reviewerLabel(st *Settings, r *Request, names map[uuid.UUID]string) string {
	if !r.Status.decided() {
		return ""
	}
	if d := reviewingDept(st, r.DepartmentID, r.Status); d != nil {
		return names[*d]
	}
	for _, d := range []*uuid.UUID{st.CivilDeptID, st.LegalDeptID} {
		if r.Status != StageMeeting && d != nil && *d == r.DepartmentID {
			return "县级管理员（申请部门即审核部门，须回避）"
		}
	}
	return "县级管理员"
}

// decisions are the reviewers' decisions on request id so far.
func decisions(ctx context.Context, id uuid.UUID) ([]Step, error) {
	var steps []Step
	err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&steps)).Where("request_id = ? AND decision IN ('approve', 'return', 'reject')", id).Order("seq").Scan(ctx)
	return steps, err
}

// Decision is a reviewer's decision at the request's current stage.
type Decision struct {
	Decision string `json:"decision" enum:"approve,return,reject" doc:"通过 / 退回修改 / 不予准入"`
	Reason   string `json:"reason,omitempty"`
}

// NoticeArgs end a request's public notice and make its item effective.
type NoticeArgs struct {
	TenantID  uuid.UUID `json:"tenant_id"`
	RequestID uuid.UUID `json:"request_id"`
}

func (NoticeArgs) Kind() string        { return "access_notice_end" }
func (a NoticeArgs) Tenant() uuid.UUID { return a.TenantID }
func (NoticeArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// StepArgs check a request's stage deadline and warn the reviewers if it passed.
type StepArgs struct {
	TenantID  uuid.UUID `json:"tenant_id"`
	RequestID uuid.UUID `json:"request_id"`
	Stage     Stage     `json:"stage"`
	Due       string    `json:"due"`
}

func (StepArgs) Kind() string        { return "access_step_deadline" }
func (a StepArgs) Tenant() uuid.UUID { return a.TenantID }
func (StepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// scheduleStepCheck schedules the warning for the day after the stage's due date.
func scheduleStepCheck(ctx context.Context, r *Request) error {
	if r.StepDue.IsZero() {
		return nil
	}
	_, err := tenants.Enqueue(ctx, StepArgs{TenantID: r.TenantID, RequestID: r.ID, Stage: r.Status, Due: r.StepDue.String()},
		&river.InsertOpts{ScheduledAt: r.StepDue.AddDays(1).In(clock.Zone)})
	return err
}

var requestLock = tenants.Lock[Request]{Where: "ar.id = ?", Version: func(r *Request) int { return r.RowVersion }, Missing: errRequestNotFound, Stale: errStale}

func lockRequest(ctx context.Context, id uuid.UUID, rowVersion int) (*Request, error) {
	return requestLock.Row(ctx, id, rowVersion)
}

// Decide records a reviewer's decision. Approval moves the request to the next stage; the
// joint meeting's approval starts the public notice, whose end a job turns into the item.
func (s *Service) Decide(ctx context.Context, id uuid.UUID, rowVersion int, d Decision) (*Request, error) {
	r, err := lockRequest(ctx, id, rowVersion)
	if err != nil {
		return nil, err
	}
	st, err := GetSettings(ctx)
	if err != nil {
		return nil, err
	}
	a, _ := tenants.ActorFrom(ctx)
	if !r.Status.decided() {
		return nil, problem.Conflict("admission_closed", "该申请当前不在审核环节（"+r.Status.Label()+"）", "the request is not under review")
	}
	history, err := decisions(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	if p := CheckReviewer(a, st, r, history); p != nil {
		return nil, p
	}
	var ck problem.Checker
	ck.Check(d.Decision == "approve" || d.Decision == "return" || d.Decision == "reject", "body.decision", "决定须为 通过、退回修改 或 不予准入", "decision must be approve, return or reject", d.Decision)
	ck.Check(d.Decision == "approve" || len([]rune(d.Reason)) >= 2, "body.reason", "退回或不予准入须写明理由", "a return or rejection needs a reason", d.Reason)
	ck.Check(len([]rune(d.Reason)) <= 1000, "body.reason", "理由不超过 1000 字", "reason too long", nil)
	if err := ck.Err(); err != nil {
		return nil, err
	}
	if err := addStep(ctx, r, d.Decision, d.Reason); err != nil {
		return nil, err
	}
	cal, err := calendar.For(ctx)
	if err != nil {
		return nil, err
	}
	today := s.today()
	switch d.Decision {
	case "return":
		r.Status, r.StepDue = StageReturned, workday.Date{}
	case "reject":
		r.Status, r.StepDue = StageRejected, workday.Date{}
	default:
		r.Status = next[r.Status]
		switch r.Status {
		case StageLegal:
			r.StepDue = cal.Add(today, st.ReviewDays)
		case StageMeeting:
			r.StepDue = r.ApprovalDue
		case StageNotice:
			r.StepDue = workday.Date{}
			r.NoticeUntil = cal.Add(today, st.NoticeDays)
			// The notice ends at the close of its last working day.
			if _, err := tenants.Enqueue(ctx, NoticeArgs{TenantID: r.TenantID, RequestID: r.ID},
				&river.InsertOpts{ScheduledAt: r.NoticeUntil.AddDays(1).In(clock.Zone)}); err != nil {
				return nil, err
			}
		}
	}
	r.RowVersion++
	if _, err := tenants.DB(ctx).NewUpdate().Model(r).Column("status", "step_due", "notice_until", "row_version").WherePK().Exec(ctx); err != nil {
		return nil, err
	}
	if err := scheduleStepCheck(ctx, r); err != nil {
		return nil, err
	}
	if err := s.tellDepartment(ctx, r, d); err != nil {
		return nil, err
	}
	return r, tenants.Audit(ctx, tenants.Change{Action: "admission." + d.Decision, TargetType: "admission_request", TargetID: id.String(),
		Summary: map[string]any{"status": r.Status, "reason": d.Reason}})
}

func (s *Service) tellDepartment(ctx context.Context, r *Request, d Decision) error {
	if r.SubmittedBy == nil {
		return nil
	}
	title := fmt.Sprintf("准入申请“%s”：%s", r.Content.Name, r.Status.Label())
	body := d.Reason
	if r.Status == StageNotice {
		body = fmt.Sprintf("联席会议已审定，公示至 %s；期满后自动生效。", r.NoticeUntil)
	}
	_, err := notify.Send(ctx, []uuid.UUID{*r.SubmittedBy}, notify.Message{Kind: "admission", Title: title, Body: body,
		DedupKey: fmt.Sprintf("admission:%s:%d", r.ID, r.RowVersion)})
	return err
}

// Resubmit sends a returned request back to 民政审核 with revised content.
func (s *Service) Resubmit(ctx context.Context, id uuid.UUID, rowVersion int, in Application) (*Request, error) {
	a, st, cal, err := s.checkApplication(ctx, &in, id)
	if err != nil {
		return nil, err
	}
	r, err := lockRequest(ctx, id, rowVersion)
	if err != nil {
		return nil, err
	}
	if r.DepartmentID != a.OrgUnitID {
		return nil, errRequestNotFound
	}
	if r.Status != StageReturned {
		return nil, problem.Conflict("not_returned", "只有退回修改的申请可以重新提交", "only a returned request can be resubmitted")
	}
	today := s.today()
	r.Content, r.RequestedStart, r.Status = in.Content, in.RequestedStart, StageCivil
	r.StepDue, r.ApprovalDue = cal.Add(today, st.ReviewDays), cal.Add(today, st.ApprovalDays)
	r.RowVersion++
	if _, err := tenants.DB(ctx).NewUpdate().Model(r).Column("content", "requested_start", "status", "step_due", "approval_due", "row_version").WherePK().Exec(ctx); err != nil {
		return nil, err
	}
	if err := addStep(ctx, r, "resubmit", ""); err != nil {
		return nil, err
	}
	if err := scheduleStepCheck(ctx, r); err != nil {
		return nil, err
	}
	return r, tenants.Audit(ctx, tenants.Change{Action: "admission.resubmit", TargetType: "admission_request", TargetID: id.String()})
}

func checkReason(reason, what string) error {
	n := len([]rune(reason))
	if n < 2 || n > 500 {
		return problem.Invalid(problem.Field{Location: "body.reason", Message: what + "须写明理由（2 至 500 字）", MessageEn: "a reason of 2 to 500 characters is required", Value: reason})
	}
	return nil
}

// WithdrawRequest is the applying department taking its request back at any open stage
// before the item is in force (brief §2: "the applying department may withdraw its request");
// withdrawing a returned request abandons it. Either way the request releases its code, and
// a notice already scheduled finds it withdrawn and does nothing.
func (s *Service) WithdrawRequest(ctx context.Context, id uuid.UUID, rowVersion int, reason string) (*Request, error) {
	a, err := department(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkReason(reason, "撤回申请"); err != nil {
		return nil, err
	}
	r, err := lockRequest(ctx, id, rowVersion)
	if err != nil {
		return nil, err
	}
	if r.DepartmentID != a.OrgUnitID {
		return nil, errRequestNotFound
	}
	if !r.Status.open() {
		return nil, problem.Conflict("admission_closed", "该申请已办结（"+r.Status.Label()+"），不能撤回；已列入清单的事项由县级管理员撤销",
			"the request is closed and cannot be withdrawn")
	}
	from := r.Status
	decision := "withdraw"
	if from == StageReturned {
		decision = "abandon"
	}
	if err := addStep(ctx, r, decision, reason); err != nil {
		return nil, err
	}
	r.Status, r.StepDue = StageWithdraw, workday.Date{}
	r.RowVersion++
	if _, err := tenants.DB(ctx).NewUpdate().Model(r).Column("status", "step_due", "row_version").WherePK().Exec(ctx); err != nil {
		return nil, err
	}
	// The reviewers of the stage it was at hear of it.
	st, err := GetSettings(ctx)
	if err != nil {
		return nil, err
	}
	to, err := stageRecipients(ctx, st, r.DepartmentID, from)
	if err != nil {
		return nil, err
	}
	if _, err := notify.Send(ctx, to, notify.Message{Kind: "admission", Title: fmt.Sprintf("准入申请“%s”已由申请部门撤回", r.Content.Name),
		Body: fmt.Sprintf("撤回时环节：%s。理由：%s", from.Label(), reason), DedupKey: fmt.Sprintf("admission:%s:%d", r.ID, r.RowVersion)}); err != nil {
		return nil, err
	}
	return r, tenants.Audit(ctx, tenants.Change{Action: "admission." + decision, TargetType: "admission_request", TargetID: id.String(),
		Summary: map[string]any{"from": from, "reason": reason, "code": r.Content.Code}})
}

// Stop is a county admin ending a request during its public notice (an objection upheld,
// say), with a reason: the item is not admitted and the code is released.
func (s *Service) Stop(ctx context.Context, id uuid.UUID, rowVersion int, reason string) (*Request, error) {
	a, ok := tenants.ActorFrom(ctx)
	if !ok || a == nil || !a.HasAny(tenants.RoleCountyAdmin) {
		return nil, problem.Forbidden("not_county_admin", "只有县级管理员可以终止公示中的准入申请", "only a county admin may stop a request during its notice")
	}
	if err := checkReason(reason, "终止准入"); err != nil {
		return nil, err
	}
	r, err := lockRequest(ctx, id, rowVersion)
	if err != nil {
		return nil, err
	}
	if r.Status != StageNotice {
		return nil, problem.Conflict("not_in_notice", "只有公示中的申请可以终止（当前："+r.Status.Label()+"）", "only a request in its public notice can be stopped")
	}
	if s.today().After(r.NoticeUntil) {
		return nil, problem.Conflict("notice_ended", "公示已于 "+r.NoticeUntil.String()+" 期满，不能再终止；事项列入清单后可由县级管理员撤销",
			"the notice has ended; withdraw the item instead")
	}
	if err := addStep(ctx, r, "stop", reason); err != nil {
		return nil, err
	}
	r.Status = StageStopped
	r.RowVersion++
	if _, err := tenants.DB(ctx).NewUpdate().Model(r).Column("status", "row_version").WherePK().Exec(ctx); err != nil {
		return nil, err
	}
	if err := s.tellDepartment(ctx, r, Decision{Reason: "公示期间终止准入：" + reason}); err != nil {
		return nil, err
	}
	return r, tenants.Audit(ctx, tenants.Change{Action: "admission.stop", TargetType: "admission_request", TargetID: id.String(),
		Summary: map[string]any{"reason": reason, "code": r.Content.Code, "notice_until": r.NoticeUntil.String()}})
}

// EndNotice makes the item of a request whose notice has ended effective, from the later of
// the requested start and the day after the notice. A second run finds the request already
// effective and does nothing.
func (s *Service) EndNotice(ctx context.Context, id uuid.UUID) (*Item, error) {
	r, err := lockRequest(ctx, id, 0)
	if err != nil {
		return nil, err
	}
	today := s.today()
	if r.Status != StageNotice || !today.After(r.NoticeUntil) {
		return nil, nil
	}
	from := r.RequestedStart
	if from.Before(today) {
		from = today
	}
	it, err := s.readmit(ctx, r, from)
	if err != nil {
		return nil, err
	}
	if it == nil {
		if it, err = s.insert(ctx, r.Content, from, workday.Date{}, &r.ID, "admit", "准入申请审定并公示期满"); err != nil {
			return nil, err
		}
	}
	r.Status, r.ItemID = StageEffect, &it.ID
	r.RowVersion++
	if _, err := tenants.DB(ctx).NewUpdate().Model(r).Column("status", "item_id", "row_version").WherePK().Exec(ctx); err != nil {
		return nil, err
	}
	if err := addStep(ctx, r, "effective", "公示期满，列入清单，"+from.String()+" 起实施"); err != nil {
		return nil, err
	}
	return it, s.tellDepartment(ctx, r, Decision{Reason: "公示期满，已列入清单，" + from.String() + " 起实施"})
}

// readmit brings the department's lapsed item with the request's code back on the lists as a
// new version with the request's content (重新准入), or returns nil when there is none.
func (s *Service) readmit(ctx context.Context, r *Request, from workday.Date) (*Item, error) {
	it := new(Item)
	err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(it)).Where("ai.code = ?", r.Content.Code).For("UPDATE").Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil || !it.readmittableBy(r.DepartmentID) {
		return nil, err // taken otherwise: the insert reports it
	}
	it.set(r.Content)
	year := from.Year
	it.EffectiveFrom, it.EffectiveTo, it.LapsedAt, it.ConfirmedYear, it.RequestID = from, workday.Date{}, nil, &year, &r.ID
	it.Version++
	if _, err := tenants.DB(ctx).NewUpdate().Model(it).ExcludeColumn("tenant_id", "id", "created_at", "updated_at", "withdrawn_at").
		Set("updated_at = now()").WherePK().Exec(ctx); err != nil {
		return nil, err
	}
	if err := snapshot(ctx, it, "readmit", "重新准入：准入申请审定并公示期满"); err != nil {
		return nil, err
	}
	return it, tenants.Audit(ctx, tenants.Change{Action: "access_item.readmit", TargetType: "access_item", TargetID: it.ID.String(),
		Summary: map[string]any{"code": it.Code, "request": r.ID.String(), "effective_from": from.String()}})
}

// stageRecipients are who hear of a stage of a request from applicant: the county admins, and
// the reviewing department's staff when the stage is theirs.
func stageRecipients(ctx context.Context, st *Settings, applicant uuid.UUID, stage Stage) ([]uuid.UUID, error) {
	to, err := tenants.CountyAdmins(ctx)
	if err != nil {
		return nil, err
	}
	if d := reviewingDept(st, applicant, stage); d != nil {
		staff, err := members(ctx, *d, tenants.RoleDepartmentStaff)
		if err != nil {
			return nil, err
		}
		to = append(to, staff...)
	}
	return to, nil
}

// CheckStep warns the reviewers of a stage that is past its due date and still open.
func (s *Service) CheckStep(ctx context.Context, args StepArgs) error {
	r := new(Request)
	err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(r)).Where("ar.id = ?", args.RequestID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil || r.Status != args.Stage || r.StepDue.String() != args.Due {
		return err // moved on meanwhile: nothing to warn about
	}
	st, err := GetSettings(ctx)
	if err != nil {
		return err
	}
	recipients, err := stageRecipients(ctx, st, r.DepartmentID, r.Status)
	if err != nil {
		return err
	}
	_, err = notify.Send(ctx, recipients, notify.Message{Kind: "admission",
		Title: fmt.Sprintf("准入申请“%s”%s已超期", r.Content.Name, r.Status.Label()),
		Body:  fmt.Sprintf("该环节应于 %s 前办结，请尽快审核。", r.StepDue), DedupKey: fmt.Sprintf("admission-overdue:%s:%s:%s", r.ID, r.Status, args.Due)})
	return err
}

// Requests lists requests, newest first: a department sees its own, reviewers and admins all.
func (s *Service) Requests(ctx context.Context) ([]Request, error) {
	var rs []Request
	q := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&rs)).ColumnExpr("ar.*, d.name AS department_name").
		Join("JOIN org_units AS d ON d.tenant_id = ar.tenant_id AND d.id = ar.department_id").Order("ar.submitted_at DESC").Limit(500)
	if a, ok := tenants.ActorFrom(ctx); ok && a != nil && !a.HasAny(tenants.RoleCountyAdmin) {
		st, err := GetSettings(ctx)
		if err != nil {
			return nil, err
		}
		reviewer := (st.CivilDeptID != nil && *st.CivilDeptID == a.OrgUnitID) || (st.LegalDeptID != nil && *st.LegalDeptID == a.OrgUnitID)
		if !reviewer {
			q = q.Where("ar.department_id = ?", a.OrgUnitID)
		}
	}
	if err := q.Scan(ctx); err != nil {
		return nil, err
	}
	st, err := GetSettings(ctx)
	if err != nil {
		return nil, err
	}
	a, _ := tenants.ActorFrom(ctx)
	names := map[uuid.UUID]string{}
	for _, d := range []*uuid.UUID{st.CivilDeptID, st.LegalDeptID} {
		if d != nil {
			u, err := tenants.GetOrgUnit(ctx, *d)
			if err != nil {
				return nil, err
			}
			names[*d] = u.Name
		}
	}
	// The reader's own decisions, for the separation of duties.
	mine := map[uuid.UUID][]Step{}
	if a != nil && len(rs) > 0 {
		var steps []Step
		if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&steps)).Where("actor_id = ? AND decision IN ('approve', 'return', 'reject')", a.IdentityID).
			Scan(ctx); err != nil {
			return nil, err
		}
		for _, h := range steps {
			mine[h.RequestID] = append(mine[h.RequestID], h)
		}
	}
	for i := range rs {
		r := &rs[i]
		r.CanDecide = r.Status.decided() && CheckReviewer(a, st, r, mine[r.ID]) == nil
		r.CanWithdraw = r.Status.open() && a != nil && a.OrgKind == tenants.KindDepartment && a.OrgUnitID == r.DepartmentID
		r.CanStop = r.Status == StageNotice && a != nil && a.HasAny(tenants.RoleCountyAdmin) && !s.today().After(r.NoticeUntil)
		r.Reviewer = reviewerLabel(st, r, names)
	}
	return rs, nil
}

// RequestOf returns one request with its steps, within the same visibility as Requests.
func (s *Service) RequestOf(ctx context.Context, id uuid.UUID) (*Request, []Step, error) {
	rs, err := s.Requests(ctx)
	if err != nil {
		return nil, nil, err
	}
	for i := range rs {
		if rs[i].ID == id {
			var steps []Step
			err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&steps)).Where("request_id = ?", id).Order("seq").Scan(ctx)
			return &rs[i], steps, err
		}
	}
	return nil, nil, errRequestNotFound
}
