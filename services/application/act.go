package application

import (
	"context"
	"fmt"
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
	// Days of an extension.
	Days int
	// DeliveryMethod: window, post or proxy.
	DeliveryMethod string
	// AssigneeID optionally names the department member who handles a routed application.
	AssigneeID uuid.UUID
	// Step names the special step of a pause (from the item's list, or free text).
	StepName string
}

var errStale = &problem.Error{Status: 412, Code: "stale_version",
	Message: "该办件已被他人处理，请刷新后查看最新状态", MessageEn: "the application was changed by someone else; reload it"}

// Act takes one step of the lifecycle, writing the timeline event and the audit row in the
// same transaction and rescheduling the deadline jobs.
func (s *Service) Act(ctx context.Context, id uuid.UUID, in Step) (*Detail, error) {
	actor, _ := tenants.ActorFrom(ctx)
	a := new(Application)
	q := tenants.DB(ctx).NewSelect().Model(a).Where("a.id = ?", id).For("UPDATE")
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
		DeliveryMethod: in.DeliveryMethod, Extended: a.ExtensionDays, MaxExtension: st.MaxExtension,
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
		a.ReceivedOn, a.CorrectionDue = stored(today), stored(cal.Add(today, st.CorrectionDays))
		a.AssigneeID = nil
		data["forward_due"] = date(a.ForwardDue).String()
		data["late"] = today.After(date(a.ForwardDue))
		handover = "新代办件待受理"
	case lifecycle.Accept:
		// 行政许可法 art. 32: without a correction notice within the limit, the application
		// counts as accepted from the day the materials were received.
		accepted := today
		late := today.After(date(a.CorrectionDue))
		if late {
			accepted = date(a.ReceivedOn)
		}
		no, err := nextReceipt(ctx, st.ReceiptPrefix, today)
		if err != nil {
			return nil, err
		}
		a.ReceiptNo, a.AcceptedOn, a.AssigneeID = &no, stored(accepted), &me
		data["receipt_no"], data["accepted_on"], data["late"] = no, accepted.String(), late
	case lifecycle.RequestCorrection:
		a.Correction = &Correction{NotifiedOn: today, Late: today.After(date(a.CorrectionDue)), Items: in.Corrections}
		a.AssigneeID = &me
		data["corrections"], data["late"] = in.Corrections, a.Correction.Late
	case lifecycle.Resubmit:
		// The materials are complete from today: the limits start again from here.
		a.ReceivedOn, a.CorrectionDue = stored(today), stored(cal.Add(today, st.CorrectionDays))
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
		name := strings.TrimSpace(in.StepName)
		if name == "" {
			name = "特别程序"
		}
		p := Pause{TenantID: a.TenantID, ApplicationID: a.ID, Seq: len(pauses) + 1, Step: name, Reason: in.Reason, FromDate: today.In(time.UTC)}
		if _, err := tenants.DB(ctx).NewInsert().Model(&p).Exec(ctx); err != nil {
			return nil, err
		}
		pauses = append(pauses, p)
		data["step"] = name
	case lifecycle.Resume:
		for i := range pauses {
			if pauses[i].ToDate == nil {
				to := today.In(time.UTC)
				pauses[i].ToDate, pauses[i].ResumeReason = &to, &in.Reason
				if _, err := tenants.DB(ctx).NewUpdate().Model(&pauses[i]).Column("to_date", "resume_reason").WherePK().Exec(ctx); err != nil {
					return nil, err
				}
				data["step"] = pauses[i].Step
			}
		}
	case lifecycle.Extend:
		a.ExtensionDays = in.Days
		data["days"] = in.Days
	case lifecycle.Approve, lifecycle.Deny:
		d := string(in.Action)
		a.Decision, a.DecidedOn = &d, stored(today)
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
	case lifecycle.Archive:
	}
	a.State = tr.To
	if !a.State.Open() && a.ClosedOn == nil {
		a.ClosedOn = stored(today)
	}
	recompute(cal, a, pauses, today, st.YellowDays)
	if err := schedule(ctx, cal, a, st.YellowDays); err != nil {
		return nil, err
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
func (s *Service) listCorrections(a *Application, in *Step) error {
	var c problem.Checker
	seen := map[string]bool{}
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
	err := tenants.DB(ctx).NewRaw(`INSERT INTO receipt_counters (tenant_id, day, last) VALUES (app_current_tenant(), ?, 1)
		ON CONFLICT (tenant_id, day) DO UPDATE SET last = receipt_counters.last + 1 RETURNING last`, today.In(time.UTC)).Scan(ctx, &n)
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
		if err := tenants.DB(ctx).NewSelect().Model((*Event)(nil)).ColumnExpr("coalesce(max(seq), 0) + 1").
			Where("application_id = ?", a.ID).Scan(ctx, &seq); err != nil {
			return nil, err
		}
	}
	e := &Event{TenantID: a.TenantID, ApplicationID: a.ID, Seq: seq, At: s.now(), Action: action, FromState: from, ToState: to, Note: note, Data: data, ActorName: "系统"}
	if actor != nil {
		id := actor.IdentityID
		e.ActorID, e.ActorName = &id, actor.Name
	}
	if _, err := tenants.DB(ctx).NewInsert().Model(e).Exec(ctx); err != nil {
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
