package status

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/tenants"
)

// The kinds of step in a rectification case's history.
const (
	StepOpened     = "opened"     // 收到差评
	StepCallback   = "callback"   // 回访
	StepComplete   = "complete"   // 整改完成
	StepInvalid    = "invalid"    // 无效差评 (after review)
	StepImpossible = "impossible" // 无法整改 (after review)
	StepOverdue    = "overdue"    // 整改超期
	StepRerated    = "rerated"    // 整改后再评价
)

// How a callback was made, and what came of it.
const (
	MethodPhone    = "phone"     // 电话
	MethodInPerson = "in_person" // 当面
	MethodMessage  = "message"   // 短信、网络留言

	OutcomeReached     = "reached"     // 已联系上评价人
	OutcomeUnreachable = "unreachable" // 未联系上: an attempt; the callback is still owed
)

// Step is one entry of a case's history. A callback names who called (the actor), when the
// call took place (At; RecordedAt is when it was entered), how, the outcome and what was said.
type Step struct {
	bun.BaseModel `bun:"table:rectification_steps,alias:st"`

	TenantID   uuid.UUID  `bun:"tenant_id,pk,type:uuid" json:"-"`
	CaseID     uuid.UUID  `bun:"case_id,pk,type:uuid" json:"-"`
	Seq        int        `bun:"seq,pk" json:"seq"`
	Kind       string     `bun:"kind" json:"kind" enum:"opened,callback,complete,invalid,impossible,overdue,rerated"`
	ActorID    *uuid.UUID `bun:"actor_id,type:uuid" json:"actor_id"`
	ActorName  string     `bun:"actor_name" json:"actor_name"`
	At         time.Time  `bun:"at" json:"at"`
	RecordedAt time.Time  `bun:"recorded_at" json:"recorded_at"`
	Method     *string    `bun:"method" json:"method,omitempty" enum:"phone,in_person,message"`
	Outcome    *string    `bun:"outcome" json:"outcome,omitempty" enum:"reached,unreachable"`
	Note       string     `bun:"note" json:"note"`
}

// addStep appends a step to a case; the caller holds the case's row lock, so seq is free.
func (s *Service) addStep(ctx context.Context, caseID uuid.UUID, st Step) error {
	tx, _ := tenants.TxFrom(ctx)
	st.TenantID, st.CaseID = tx.TenantID(), caseID
	if st.RecordedAt.IsZero() {
		st.RecordedAt = s.Clock.Now()
	}
	_, err := tenants.DB(ctx).NewRaw(`INSERT INTO rectification_steps
		(tenant_id, case_id, seq, kind, actor_id, actor_name, at, recorded_at, method, outcome, note)
		SELECT ?, ?, coalesce(max(seq), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ? FROM rectification_steps WHERE case_id = ?`,
		st.TenantID, caseID, st.Kind, st.ActorID, st.ActorName, st.At, st.RecordedAt, st.Method, st.Outcome, st.Note, caseID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("rectification step: %w", err)
	}
	return nil
}

// loadSteps fills in the cases' histories (one query) and the callback each has had.
func loadSteps(ctx context.Context, cs ...*Rectification) error {
	if len(cs) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	var steps []Step
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&steps)).Where("st.case_id IN (?)", bun.In(ids)).Order("st.case_id", "st.seq").Scan(ctx); err != nil {
		return err
	}
	by := map[uuid.UUID][]Step{}
	for _, st := range steps {
		by[st.CaseID] = append(by[st.CaseID], st)
	}
	for _, c := range cs {
		c.Steps = by[c.ID]
		if c.Steps == nil {
			c.Steps = []Step{}
		}
		c.CallbackAt = nil
		if cb := firstReached(c.Steps); cb != nil {
			at := cb.At
			c.CallbackAt = &at
		}
	}
	return nil
}

// firstReached is the earliest callback that reached the resident: the one that discharges
// the duty to call back.
func firstReached(steps []Step) *Step {
	var first *Step
	for i, st := range steps {
		if st.Kind == StepCallback && st.Outcome != nil && *st.Outcome == OutcomeReached && (first == nil || st.At.Before(first.At)) {
			first = &steps[i]
		}
	}
	return first
}

// callbackOverdue is what the callback deadline tells the hall, "" when nothing: the case had
// a callback that reached the resident by its deadline, or was ruled 无效差评 / 无法整改 on
// review by then. Closing the case otherwise does not count, and neither does an attempt that
// did not reach the resident.
func callbackOverdue(c *Rectification) string {
	due := c.CallbackDue
	cb := firstReached(c.Steps)
	if cb != nil && !cb.At.After(due) {
		return ""
	}
	attempts := 0
	for _, st := range c.Steps {
		if (st.Kind == StepInvalid || st.Kind == StepImpossible) && !st.At.After(due) && cb == nil {
			return ""
		}
		if st.Kind == StepCallback && !st.At.After(due) {
			attempts++
		}
	}
	limit := due.In(clock.Zone).Format("2006-01-02 15:04")
	switch {
	case cb != nil:
		return fmt.Sprintf("回访于 %s 才联系上评价人，超过回访时限 %s。", cb.At.In(clock.Zone).Format("2006-01-02 15:04"), limit)
	case attempts > 0:
		return fmt.Sprintf("回访时限 %s 已到，已尝试回访 %d 次仍未联系上评价人，请继续回访。", limit, attempts)
	default:
		return fmt.Sprintf("回访时限 %s 已到，尚未回访评价人，请立即回访。", limit)
	}
}

// CallbackInput is one 回访 of the resident who gave the 差评.
type CallbackInput struct {
	CalledAt *time.Time `json:"called_at,omitempty" doc:"when the call took place (default: now); not in the future and not before the 差评"`
	Method   string     `json:"method" enum:"phone,in_person,message" doc:"电话 / 当面 / 短信或网络留言"`
	Outcome  string     `json:"outcome" enum:"reached,unreachable" doc:"reached: the resident was reached, which discharges the callback; unreachable: an attempt, the callback is still owed"`
	Note     string     `json:"note" doc:"what was said: the resident's account and the answer given (2 to 1000 characters)"`
}

// Callback records a 回访 as its own step: by the member recording it, at the time of the
// call. Every 差评 is called back (国办发〔2019〕51号); the first callback that reaches the
// resident moves a pending case to 整改中. A callback may be recorded while the case is open.
func (s *Service) Callback(ctx context.Context, id uuid.UUID, rowVersion int, in CallbackInput) (*Rectification, error) {
	var ck problem.Checker
	ck.Check(in.Method == MethodPhone || in.Method == MethodInPerson || in.Method == MethodMessage, "body.method",
		"请选择回访方式：电话、当面或短信（网络留言）", "method must be phone, in_person or message", in.Method)
	ck.Check(in.Outcome == OutcomeReached || in.Outcome == OutcomeUnreachable, "body.outcome",
		"请选择联系结果：已联系上或未联系上", "outcome must be reached or unreachable", in.Outcome)
	n := len([]rune(in.Note))
	ck.Check(n >= 2 && n <= 1000, "body.note", "请填写回访情况：评价人反映了什么、作了什么解释（2 至 1000 字）",
		"what was said, 2 to 1000 characters", in.Note)
	if err := ck.Err(); err != nil {
		return nil, err
	}
	c, a, err := lockCase(ctx, id, rowVersion)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	at := now
	if in.CalledAt != nil {
		at = *in.CalledAt
		ck.Check(!at.After(now), "body.called_at", "回访时间不能晚于现在", "the call cannot be in the future", at)
		ck.Check(!at.Before(c.CreatedAt), "body.called_at", "回访时间不能早于收到差评的时间", "the call cannot precede the 差评", at)
		if err := ck.Err(); err != nil {
			return nil, err
		}
	}
	if !caseOpen(c.Status) {
		return nil, problem.Conflict("case_closed", "该整改记录已结束（"+RectLabel(c.Status)+"），不能再记录回访",
			"the case is closed; no callback can be recorded")
	}
	if in.Outcome == OutcomeReached && c.Status == RectPending {
		c.Status = RectInProgress
	}
	c.RowVersion++
	if _, err := tenants.DB(ctx).NewUpdate().Model(c).Column("status", "row_version").WherePK().Exec(ctx); err != nil {
		return nil, err
	}
	method, outcome := in.Method, in.Outcome
	if err := s.addStep(ctx, c.ID, Step{Kind: StepCallback, ActorID: &a.IdentityID, ActorName: a.Name, At: at, RecordedAt: now,
		Method: &method, Outcome: &outcome, Note: in.Note}); err != nil {
		return nil, err
	}
	if err := loadSteps(ctx, c); err != nil {
		return nil, err
	}
	return c, tenants.Audit(ctx, tenants.Change{Action: "rectification.callback", TargetType: "rectification", TargetID: id.String(),
		Summary: map[string]any{"status": c.Status, "called_at": at, "method": method, "outcome": outcome}})
}
