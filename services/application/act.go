package application

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/catalog"
	"github.com/yichuang/yichuang/services/lifecycle"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
)

func itoa(i int) string { return strconv.Itoa(i) }

// Step is a member's request to take an action.
type Step struct {
	Action lifecycle.Action
	// Version is the version the member saw (If-Match); a different current version means
	// someone else acted first.
	Version int
	Reason  string
	// Materials re-ticks the checklist (accept, correction, resubmission).
	Materials []Tick
	// Corrections list every missing or incorrect material (request_correction).
	Corrections []CorrectionEntry
	// Days of an extension, or the time a special procedure needs (所需时间, art. 45) when the
	// item does not set it.
	Days int
	// DeliveryMethod: window, post or proxy.
	DeliveryMethod string
	// AssigneeID optionally names the department member who handles a routed application.
	AssigneeID uuid.UUID
	// StepName names the special procedure of a pause: one art. 45 names
	// (lifecycle.SpecialProcedures) or one of the item's special steps.
	StepName string
}

var errStale = &problem.Error{Status: 412, Code: "stale_version",
	Message: "该办件已被他人处理，请刷新后查看最新状态", MessageEn: "the application was changed by someone else; reload it"}

// Act takes one step of the lifecycle, writing the timeline event and the audit row in the
// same transaction and rescheduling the deadline jobs.
func (s *Service) Act(ctx context.Context, id uuid.UUID, in Step) (*Detail, error) {
	actor, _ := tenants.ActorFrom(ctx)
	a := new(Application)
	q := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(a)).Where("a.id = ?", id).For("UPDATE")
	if err := visible(q, actor).Scan(ctx); err != nil {
		if isNoRows(err) {
			return nil, errNotFound
		}
		return nil, err
	}
	if in.Version != a.Version {
		return nil, errStale
	}
	pauses, err := loadPauses(ctx, id)
	if err != nil {
		return nil, err
	}
	cal, st, err := calendarAndSettings(ctx)
	if err != nil {
		return nil, err
	}
	today := s.today()
	in.Reason = strings.TrimSpace(in.Reason)
	if utf8.RuneCountInString(in.Reason) > 500 {
		return nil, problem.Invalid(problem.Field{Location: "body.reason", Message: "理由不超过 500 字", MessageEn: "reason must be at most 500 characters"})
	}

	before := slices.Clone(a.Materials)
	// Re-ticking comes first, so accepting can follow ticking the last material.
	if len(in.Materials) > 0 {
		if in.Action != lifecycle.Accept && in.Action != lifecycle.Resubmit && in.Action != lifecycle.RequestCorrection {
			return nil, problem.Invalid(problem.Field{Location: "body.materials", Message: "只有受理、补正时可以修改材料清单", MessageEn: "materials change only on accept or correction"})
		}
		if err := applyTicks(a.Materials, in.Materials); err != nil {
			return nil, err
		}
	}
	if in.Action == lifecycle.RequestCorrection {
		if err := s.listCorrections(a, &in); err != nil {
			return nil, err
		}
	}
	ver, err := catalog.GetVersion(ctx, a.ItemID, a.ItemVersion)
	if err != nil {
		return nil, err
	}
	facts := &lifecycle.Facts{
		Roles: actor.Roles, Proxy: a.Channel == ChannelProxy, Instant: ver.Content.Handling == catalog.HandlingInstant,
		Complete: complete(a.Materials), Reason: in.Reason, Missing: len(in.Corrections), Days: in.Days,
		DeliveryMethod: in.DeliveryMethod, Extended: a.ExtensionDays, MaxExtension: st.ExtensionCap(ver.Content.Unified),
		Overdue: overdue(a, today), Head: isHead(actor, a, &ver.Content),
	}
	if cur, _ := currentStage(a); cur != nil {
		facts.StageRunning = true
	}
	tr, refusal := lifecycle.Check(a.State, in.Action, facts)
	if refusal != nil {
		return nil, &problem.Error{Status: refusal.Status, Code: refusal.Code, Message: refusal.Message, MessageEn: refusal.MessageEn}
	}
	from := a.State
	data := map[string]any{}
	me := actor.IdentityID
	handover := ""

	switch in.Action {
	case lifecycle.Forward:
		a.ReceivedOn, a.CorrectionDays = stored(today), st.CorrectionDays
		a.AssigneeID = nil
		data["forward_due"] = date(a.ForwardDue).String()
		data["late"] = today.After(date(a.ForwardDue))
		handover = "新代办件待受理"
	case lifecycle.Accept:
		// 行政许可法 art. 32. The acceptance date is: the day the materials were first
		// received, when a correction notice came too late (already fixed then, see below) or
		// no decision came within the limit; the day they became complete after an in-time
		// notice; otherwise today.
		accepted, late := today, today.After(date(a.CorrectionDue))
		switch {
		case a.AcceptedOn != nil:
			accepted, late = date(a.AcceptedOn), true
		case a.CompleteOn != nil:
			accepted = date(a.CompleteOn)
		case late:
			accepted = date(a.ReceivedOn)
		}
		no, err := nextReceipt(ctx, st.ReceiptPrefix, today)
		if err != nil {
			return nil, err
		}
		a.ReceiptNo, a.AcceptedOn, a.AssigneeID = &no, stored(accepted), &me
		data["receipt_no"], data["accepted_on"], data["late"] = no, accepted.String(), late
		// The first back-office step starts on the acceptance date (环节时限).
		startStages(a, &ver.Content)
		if len(a.Stages) > 0 {
			data["stage"] = a.Stages[0].Name
		}
	case lifecycle.RequestCorrection:
		repeat, err := s.oneNotice(a, in.Corrections)
		if err != nil {
			return nil, err
		}
		late := today.After(date(a.CorrectionDue))
		a.Correction = &Correction{NotifiedOn: today, Late: late, Items: in.Corrections, Repeat: repeat}
		a.CorrectionCount++
		if repeat {
			a.RepeatCorrections++
		}
		a.AssigneeID = &me
		data["corrections"], data["late"], data["repeat"] = in.Corrections, late, repeat
		if late && a.AcceptedOn == nil {
			// art. 32: no notice within the limit means the application was accepted on the
			// day the materials were received. A late notice does not undo that: the clock
			// runs from then, and a resubmission moves neither the date nor the clock.
			a.AcceptedOn = a.ReceivedOn
			data["deemed_accepted_on"] = date(a.ReceivedOn).String()
		}
	case lifecycle.Resubmit:
		if a.Correction != nil {
			a.Correction.Changed = changedSince(a.Correction, before, a.Materials)
			data["changed"] = a.Correction.Changed
		}
		if a.AcceptedOn == nil {
			// An in-time notice: the materials are complete from today, which is the
			// acceptance date if the hall accepts; its decision limit starts again from here.
			a.CompleteOn = stored(today)
		}
		data["materials"] = ticks(a.Materials)
		if a.Channel == ChannelProxy && actor.HasAny(tenants.RoleCommunityWorker) {
			a.AssigneeID = nil
		}
	case lifecycle.Reject, lifecycle.Withdraw:
		a.CloseReason = &in.Reason
	case lifecycle.Route:
		a.Routed, a.AssigneeID = true, nil
		if in.AssigneeID != uuid.Nil {
			ok, err := isMember(ctx, in.AssigneeID, a.DepartmentID, tenants.RoleDepartmentStaff)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, problem.Invalid(problem.Field{Location: "body.assignee_id", Message: "承办人须为实施机关的在岗工作人员", MessageEn: "the assignee must be active staff of the responsible department"})
			}
			a.AssigneeID = &in.AssigneeID
		}
		handover = "新办件待部门办理"
	case lifecycle.Pause:
		p, err := specialProcedure(&ver.Content, in.StepName, in.Days)
		if err != nil {
			return nil, err
		}
		p.TenantID, p.ApplicationID, p.Seq, p.Reason, p.FromDate = a.TenantID, a.ID, len(pauses)+1, in.Reason, today.In(time.UTC)
		if p.LimitDays > 0 {
			p.StepDue = stored(cal.Add(today, p.LimitDays))
		}
		if _, err := tenants.DB(ctx).NewInsert().Model(p).Exec(ctx); err != nil {
			return nil, err
		}
		pauses = append(pauses, *p)
		data["step"], data["counted"], data["limit_days"] = p.Step, p.Counted, p.LimitDays
		if p.StepDue != nil {
			data["step_due"] = date(p.StepDue).String()
		}
	case lifecycle.Resume:
		for i := range pauses {
			if pauses[i].ToDate == nil {
				to := today.In(time.UTC)
				pauses[i].ToDate, pauses[i].ResumeReason = &to, &in.Reason
				if _, err := tenants.DB(ctx).NewUpdate().Model(&pauses[i]).Column("to_date", "resume_reason").WherePK().Exec(ctx); err != nil {
					return nil, err
				}
				data["step"] = pauses[i].Step
				if pauses[i].StepDue != nil && today.After(date(pauses[i].StepDue)) {
					data["step_overrun"] = true
				}
			}
		}
	case lifecycle.Extend:
		a.ExtensionDays = in.Days
		data["days"] = in.Days
		data["unified"] = ver.Content.Unified
	case lifecycle.CompleteStage:
		// The step's due date as of today (a pause or a calendar change may have moved it
		// since the row was written), then the next step starts today.
		stageDates(cal, a, pauses, today, st.YellowDays)
		done, next := completeStage(a, today, true)
		data["stage"], data["due_on"], data["late"] = done.Name, done.DueOn.String(), done.Late
		if next != nil {
			data["next"] = next.Name
		}
	case lifecycle.Approve, lifecycle.Deny:
		// The decision completes the step still open; no later step starts.
		stageDates(cal, a, pauses, today, st.YellowDays)
		if done, _ := completeStage(a, today, false); done != nil {
			data["stage"], data["stage_late"] = done.Name, done.Late
		}
		d := string(in.Action)
		a.Decision, a.DecidedOn = &d, stored(today)
		if a.AcceptedOn != nil {
			n := cal.Count(date(a.AcceptedOn), today)
			a.DecisionDays = &n
		}
		if in.Reason != "" {
			a.DecisionReason = &in.Reason
		}
		a.AssigneeID = nil
		data["decision"] = d
		if in.Action == lifecycle.Approve && a.Routed {
			handover = "办件已办结，待送达"
		}
	case lifecycle.Deliver:
		a.DeliveryMethod, a.DeliveredOn = &in.DeliveryMethod, stored(today)
		data["method"] = in.DeliveryMethod
		if a.DeliveryDue != nil {
			data["delivery_due"], data["late"] = date(a.DeliveryDue).String(), today.After(date(a.DeliveryDue))
		}
	case lifecycle.Archive:
	}
	a.State = tr.To
	if !a.State.Open() && a.ClosedOn == nil {
		a.ClosedOn = stored(today)
	}
	recompute(cal, a, pauses, today, st)
	if err := schedule(ctx, cal, a, pauses, st.YellowDays); err != nil {
		return nil, err
	}
	if p := openPause(pauses); p != nil && p.StepDue != nil && in.Action != lifecycle.Pause {
		if _, err := tenants.DB(ctx).NewUpdate().Model(p).Column("step_due").WherePK().Exec(ctx); err != nil {
			return nil, err
		}
	}
	a.Version++
	if _, err := tenants.DB(ctx).NewUpdate().Model(a).ExcludeColumn("tenant_id", "id", "created_at", "created_by", "request_key", "updated_at").
		Set("updated_at = now()").WherePK().Exec(ctx); err != nil {
		return nil, err
	}
	e, err := s.record(ctx, a, string(in.Action), from, a.State, in.Reason, data)
	if err != nil {
		return nil, err
	}
	if s.AfterStep != nil {
		if err := s.AfterStep(ctx, a, in.Action, e); err != nil {
			return nil, err
		}
	}
	if handover != "" {
		if err := tell(ctx, a, handover); err != nil {
			return nil, err
		}
	}
	return s.Get(ctx, a.ID)
}

// listCorrections checks the correction notice against the checklist and marks the materials.
// The notice lists everything missing at once (一次性告知, 行政许可法 art. 32): a required
// material not handed in must be on it.
func (s *Service) listCorrections(a *Application, in *Step) error {
	var c problem.Checker
	seen := map[string]bool{}
	for _, e := range in.Corrections {
		seen[e.Key] = false
	}
	for _, m := range a.Materials {
		if _, listed := seen[m.Key]; m.Required && !m.Provided && !listed {
			c.Check(false, "body.corrections", "一次性告知书须列明全部需补正的材料，缺少「"+m.Name+"」（行政许可法第三十二条）",
				"the notice must list everything missing (art. 32): "+m.Key+" is missing and not listed", m.Key)
		}
	}
	seen = map[string]bool{}
	for i := range in.Corrections {
		e := &in.Corrections[i]
		loc := "body.corrections[" + itoa(i) + "]"
		c.Check(e.Problem == "missing" || e.Problem == "incorrect", loc+".problem", "补正类型须为缺少或有误", "problem must be missing or incorrect", e.Problem)
		c.Check(!seen[e.Key], loc+".key", "同一材料只列一次", "list each material once", e.Key)
		seen[e.Key] = true
		found := false
		for j := range a.Materials {
			if a.Materials[j].Key == e.Key {
				found = true
				e.Name = a.Materials[j].Name
				a.Materials[j].Provided, a.Materials[j].Problem = false, e.Problem
			}
		}
		c.Check(found, loc+".key", "该事项没有这项材料："+e.Key, "the item lists no material "+e.Key, e.Key)
		c.Check(utf8.RuneCountInString(e.Note) <= 200, loc+".note", "说明不超过 200 字", "note must be at most 200 characters", nil)
	}
	return c.Err()
}

func isMember(ctx context.Context, id, unit uuid.UUID, role tenants.Role) (bool, error) {
	ids, err := members(ctx, unit, role)
	if err != nil {
		return false, err
	}
	for _, m := range ids {
		if m == id {
			return true, nil
		}
	}
	return false, nil
}

// nextReceipt issues the receipt number <prefix><yyyymmdd><5-digit serial>: the prefix is the
// county's setting, else its region code, else "YC". The counter row's lock makes concurrent
// acceptances take distinct serials.
func nextReceipt(ctx context.Context, prefix string, today workday.Date) (string, error) {
	if prefix == "" {
		t, err := tenants.Current(ctx)
		if err != nil {
			return "", err
		}
		prefix = t.RegionCode
		if prefix == "" {
			prefix = "YC"
		}
	}
	var n int
	err := tenants.DB(ctx).NewRaw(`INSERT INTO receipt_counters (tenant_id, day, last) VALUES (?, ?, 1)
		ON CONFLICT (tenant_id, day) DO UPDATE SET last = receipt_counters.last + 1 RETURNING last`, tenants.CurrentID(ctx), today.In(time.UTC)).Scan(ctx, &n)
	if err != nil {
		return "", err
	}
	if n > 99999 {
		return "", fmt.Errorf("receipt serial of %s exhausted", today)
	}
	return fmt.Sprintf("%s%04d%02d%02d%05d", prefix, today.Year, int(today.Month), today.Day, n), nil
}

// record writes the timeline event and the audit row of a transition.
func (s *Service) record(ctx context.Context, a *Application, action string, from, to lifecycle.State, note string, data map[string]any) (*Event, error) {
	actor, _ := tenants.ActorFrom(ctx)
	// The application row is locked (or new), so the next number is stable.
	seq := 1
	if from != "" {
		// An intake's event may still wait for the commit (see below), when the transaction
		// that registered the application acts on it too.
		if err := tenants.FlushWrites(ctx); err != nil {
			return nil, err
		}
		if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model((*Event)(nil))).ColumnExpr("coalesce(max(seq), 0) + 1").
			Where("application_id = ?", a.ID).Scan(ctx, &seq); err != nil {
			return nil, err
		}
	}
	e := &Event{TenantID: a.TenantID, ApplicationID: a.ID, Seq: seq, At: s.now(), Action: action, FromState: from, ToState: to, Note: note, Data: data, ActorName: "系统"}
	if actor != nil {
		id := actor.IdentityID
		e.ActorID, e.ActorName = &id, actor.Name
	}
	// Every step writes one: with bind parameters, so its plan is kept (tenants.ExecOne). An
	// intake's (the first event) goes with the audit row and the COMMIT in the transaction's
	// last round trip (tenants.ExecAtCommit): the intake reads nothing back, and a reader of
	// the events in the same transaction (Get, a later step's number) flushes it first
	// (tenants.FlushWrites). A later step's page is read back in its transaction, so its
	// event is written now.
	var payload any // NULL for no data, as bun wrote it, not a json null
	if e.Data != nil {
		payload = e.Data
	}
	write := tenants.ExecOne
	if from == "" {
		write = tenants.ExecAtCommit
	}
	if err := write(ctx, `INSERT INTO application_events (tenant_id, application_id, seq, at, actor_id, actor_name, action, from_state, to_state, note, data)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		e.TenantID, e.ApplicationID, e.Seq, e.At, e.ActorID, e.ActorName, e.Action, string(e.FromState), string(e.ToState), e.Note, payload); err != nil {
		return nil, err
	}
	summary := map[string]any{"from": from, "to": to, "item": a.ItemName}
	if a.ReceiptNo != nil {
		summary["receipt_no"] = *a.ReceiptNo
	}
	if note != "" {
		summary["reason"] = note
	}
	return e, tenants.Audit(ctx, tenants.Change{Action: "application." + action, TargetType: "application", TargetID: a.ID.String(), Summary: summary})
}

// overdue reports whether a limit the application runs against has passed: an extension is
// decided within the limit (行政许可法 art. 42), not after it ran out. The committed limit is
// never longer than the statutory one, so it is the first to run out.
func overdue(a *Application, today workday.Date) bool {
	for _, due := range []*time.Time{a.PromisedDue, a.LegalDue} {
		if due != nil && today.After(date(due)) {
			return true
		}
	}
	return false
}

// isHead reports whether the actor may grant the application's extension (art. 42): the
// agency head (本行政机关负责人) of its department, or for an item handled under art. 26 the
// head of the county government.
func isHead(actor *tenants.Actor, a *Application, item *catalog.Item) bool {
	if item.Unified {
		return actor.HasAny(tenants.RoleGovernmentHead)
	}
	return actor.HasAny(tenants.RoleAgencyHead) && actor.OrgUnitID == a.DepartmentID
}

// oneNotice enforces 一次性告知 (行政许可法 art. 32): the first notice lists everything
// missing; a later one may only question materials the applicant changed after the notice
// before, and is a repeat notice (which supervisors count).
func (s *Service) oneNotice(a *Application, entries []CorrectionEntry) (bool, error) {
	if a.CorrectionCount == 0 || a.Correction == nil {
		return false, nil
	}
	var c problem.Checker
	for i, e := range entries {
		c.Check(slices.Contains(a.Correction.Changed, e.Key), "body.corrections["+itoa(i)+"].key",
			"一次性告知：本件已发出过补正告知书，不能再要求补正「"+e.Name+"」；只有申请人补正后变更的材料可以再次指出（行政许可法第三十二条）",
			"one notice only (art. 32): a further notice may question only materials the applicant changed after the first one", e.Key)
	}
	if err := c.Err(); err != nil {
		p, _ := problem.As(err)
		p.Status, p.Code = 409, "correction_once"
		p.Message, p.MessageEn = "一次性告知：一件申请只发一次补正告知书（行政许可法第三十二条）", "the law allows one correction notice per application (art. 32)"
		return false, p
	}
	return true, nil
}

// changedSince lists the materials the applicant brought or changed in answer to notice n:
// those the notice listed and those whose tick or note the resubmission changed.
func changedSince(n *Correction, before, after []Material) []string {
	out := slices.Clone(n.Changed)
	add := func(k string) {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	for _, e := range n.Items {
		add(e.Key)
	}
	for i := range after {
		if i < len(before) && (before[i].Provided != after[i].Provided || before[i].Note != after[i].Note) {
			add(after[i].Key)
		}
	}
	return out
}

// specialProcedure builds the pause for a special procedure (行政许可法 art. 45): one of the
// item's special steps, with its time limit and whether the limit counts its days, or one of
// the procedures the law names, whose time does not count and must be told to the applicant
// in writing — so the department gives it (days) when the item does not.
func specialProcedure(item *catalog.Item, name string, days int) (*Pause, error) {
	name = strings.TrimSpace(name)
	for _, st := range item.Steps {
		if st.Name == name {
			p := &Pause{Step: name, Counted: st.Counted, LimitDays: st.LimitDays}
			if p.LimitDays == 0 {
				p.LimitDays = days
			}
			return p, nil
		}
	}
	if !slices.Contains(lifecycle.SpecialProcedures, name) {
		return nil, problem.Invalid(problem.Field{Location: "body.step",
			Message:   "特别程序须从列表中选择：" + strings.Join(procedures(item), "、") + "（行政许可法第四十五条及本事项的特殊环节）",
			MessageEn: "choose a special procedure from the list: those art. 45 names and the item's special steps", Value: name})
	}
	if days < 1 || days > catalog.MaxDays {
		return nil, problem.Invalid(problem.Field{Location: "body.days",
			Message:   "请填写" + name + "所需时间（1 至 250 个工作日），将书面告知申请人（行政许可法第四十五条）",
			MessageEn: "give the working days the procedure needs (1 to 250); the applicant is told in writing (art. 45)", Value: days})
	}
	return &Pause{Step: name, LimitDays: days}, nil
}

// procedures are the special procedures a pause may name: the item's special steps first,
// then those art. 45 names.
func procedures(item *catalog.Item) []string {
	var out []string
	for _, st := range item.Steps {
		out = append(out, st.Name)
	}
	for _, p := range lifecycle.SpecialProcedures {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}
