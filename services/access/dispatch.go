package access

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/yichuang/yichuang/services/calendar"
	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/notify"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/settings"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
)

// Rule names why the lists refuse a dispatch.
type Rule string

const (
	RuleNoItem        Rule = "no_item"          // not tied to any list item
	RuleNotInForce    Rule = "not_in_force"     // the item is not on the lists that day
	RuleNoCertificate Rule = "no_certificate"   // a certificate on the 不得出具 list
	RuleWrongDept     Rule = "wrong_department" // the item belongs to another department
	RuleForbidden     Rule = "forbidden"        // the item is on the 不得承担 list
	RuleOutOfScope    Rule = "out_of_scope"     // a community the item does not apply to
	RuleNoFunding     Rule = "no_funding"       // 依法协助 work whose funding is not stated (费随事转)
)

// Refusal is the lists' answer to a dispatch they do not allow.
type Refusal struct {
	Rule      Rule
	Message   string
	MessageEn string
}

// Error lets a refusal travel as a 409.
func (r *Refusal) Error() string { return "intercepted: " + string(r.Rule) }

// Problem is the refusal as the API answers it.
func (r *Refusal) Problem() *problem.Error {
	return problem.Conflict("intercepted_"+string(r.Rule), r.Message, r.MessageEn)
}

// Target is a community a dispatch is for, with its org path for the scope check.
type Target struct {
	ID   uuid.UUID
	Name string
	Path string
}

// Check is the lists' rule for one dispatch, pure: the item (nil when none was named or it
// does not exist), the dispatching department, the communities, the day and the instant.
func Check(it *Item, dept uuid.UUID, targets []Target, day workday.Date, now time.Time) *Refusal {
	switch {
	case it == nil:
		return &Refusal{RuleNoItem, "该任务不在本县社区工作事项准入清单内，社区无须承担（未关联清单事项）",
			"the task is not tied to an item on the county's access lists"}
	case it.Kind == KindForbidden:
		return &Refusal{RuleForbidden, fmt.Sprintf("“%s”属于社区不得承担事项，不得交办", it.Name),
			fmt.Sprintf("%q is on the list of work communities must not take on", it.Name)}
	case it.Kind == KindNoCertificate:
		return &Refusal{RuleNoCertificate, fmt.Sprintf("“%s”属于社区不得出具的证明事项，不得要求社区出具", it.Name),
			fmt.Sprintf("%q is a certificate communities must not issue", it.Name)}
	case !it.InForce(day, now):
		return &Refusal{RuleNotInForce, fmt.Sprintf("清单事项“%s”在 %s 不在有效期内（已撤销、已到期或尚未生效）", it.Name, day),
			fmt.Sprintf("list item %q is not in force on %s", it.Name, day)}
	case it.DepartmentID == nil || *it.DepartmentID != dept:
		return &Refusal{RuleWrongDept, fmt.Sprintf("清单事项“%s”的责任部门不是本部门，不能由本部门交办", it.Name),
			fmt.Sprintf("list item %q belongs to another department", it.Name)}
	case !it.Funded():
		return &Refusal{RuleNoFunding, fmt.Sprintf("依法协助事项“%s”未明确经费保障，按“费随事转”不得交办；请先由县级管理员补充经费", it.Name),
			fmt.Sprintf("assist item %q states no funding: work without its money is not dispatched (费随事转)", it.Name)}
	}
	if len(it.ScopeUnitIDs) > 0 {
		for _, t := range targets {
			in := false
			for _, u := range it.ScopeUnitIDs {
				in = in || strings.Contains(t.Path, "/"+u.String()+"/")
			}
			if !in {
				return &Refusal{RuleOutOfScope, fmt.Sprintf("“%s”不在清单事项“%s”的适用范围内", t.Name, it.Name),
					fmt.Sprintf("%s is outside the scope of list item %q", t.Name, it.Name)}
			}
		}
	}
	return nil
}

// TaskStatus is where a task stands.
type TaskStatus string

const (
	TaskPending  TaskStatus = "pending"  // 待接收
	TaskAccepted TaskStatus = "accepted" // 已接收
	TaskRefused  TaskStatus = "refused"  // 已拒绝
	TaskDone     TaskStatus = "done"     // 已完成
)

// Task is one community's task.
type Task struct {
	bun.BaseModel `bun:"table:community_tasks,alias:ct"`

	TenantID      uuid.UUID    `bun:"tenant_id,pk,type:uuid" json:"-"`
	ID            uuid.UUID    `bun:"id,pk,type:uuid" json:"id"`
	DispatchID    uuid.UUID    `bun:"dispatch_id,type:uuid" json:"dispatch_id"`
	ItemID        uuid.UUID    `bun:"item_id,type:uuid" json:"item_id"`
	DepartmentID  uuid.UUID    `bun:"department_id,type:uuid" json:"department_id"`
	CommunityID   uuid.UUID    `bun:"community_id,type:uuid" json:"community_id"`
	Title         string       `bun:"title" json:"title"`
	Detail        string       `bun:"detail" json:"detail"`
	Attachments   []string     `bun:"attachments,array" json:"attachments"`
	ExpectedHours float64      `bun:"expected_hours" json:"expected_hours"`
	DueDays       int          `bun:"due_days" json:"due_days"`
	Status        TaskStatus   `bun:"status" json:"status"`
	DispatchedOn  workday.Date `bun:"dispatched_on,type:date" json:"dispatched_on"`
	DueOn         workday.Date `bun:"due_on,type:date,nullzero" json:"due_on"`
	Refusal       string       `bun:"refusal" json:"refusal"`
	DecidedBy     *uuid.UUID   `bun:"decided_by,type:uuid" json:"-"`
	DecidedAt     *time.Time   `bun:"decided_at" json:"decided_at"`
	DoneAt        *time.Time   `bun:"done_at" json:"done_at"`
	CreatedBy     *uuid.UUID   `bun:"created_by,type:uuid" json:"-"`
	CreatedAt     time.Time    `bun:"created_at,nullzero,default:clock_timestamp()" json:"created_at"`
	RowVersion    int          `bun:"row_version" json:"row_version"`

	ItemName       string `bun:"item_name,scanonly" json:"item_name"`
	ItemCode       string `bun:"item_code,scanonly" json:"item_code"`
	DepartmentName string `bun:"department_name,scanonly" json:"department_name"`
	CommunityName  string `bun:"community_name,scanonly" json:"community_name"`
}

// Interception is a refused dispatch, kept as evidence.
type Interception struct {
	bun.BaseModel `bun:"table:dispatch_interceptions,alias:di"`

	TenantID     uuid.UUID    `bun:"tenant_id,pk,type:uuid" json:"-"`
	ID           uuid.UUID    `bun:"id,pk,type:uuid" json:"id"`
	DepartmentID uuid.UUID    `bun:"department_id,type:uuid" json:"department_id"`
	ItemID       *uuid.UUID   `bun:"item_id,type:uuid" json:"item_id"`
	CommunityIDs []uuid.UUID  `bun:"community_ids,array,type:uuid[]" json:"community_ids"`
	Title        string       `bun:"title" json:"title"`
	Rule         Rule         `bun:"rule" json:"rule"`
	Reason       string       `bun:"reason" json:"reason"`
	On           workday.Date `bun:"intercepted_on,type:date" json:"intercepted_on"`
	CreatedBy    *uuid.UUID   `bun:"created_by,type:uuid" json:"-"`
	CreatedAt    time.Time    `bun:"created_at,nullzero,default:now()" json:"created_at"`

	DepartmentName string `bun:"department_name,scanonly" json:"department_name"`
}

// DispatchInput is a department's task for one or more communities.
type DispatchInput struct {
	ItemID        *uuid.UUID  `json:"item_id,omitempty" doc:"the list item the task falls under; without one the lists refuse it"`
	Title         string      `json:"title"`
	Detail        string      `json:"detail,omitempty"`
	CommunityIDs  []uuid.UUID `json:"community_ids"`
	DueDays       int         `json:"due_days" minimum:"1" maximum:"250" doc:"working days from acceptance"`
	ExpectedHours float64     `json:"expected_hours" minimum:"0" maximum:"10000"`
	Attachments   []string    `json:"attachments,omitempty" doc:"attachment names (files arrive with the documents feature)"`
}

// Dispatched is a dispatch's outcome: its tasks, or the interception that refused it.
type Dispatched struct {
	Tasks        []Task        `json:"tasks"`
	Interception *Interception `json:"interception,omitempty"`
	Refusal      *Refusal      `json:"-"`
}

// Dispatch gives a task to communities if the lists allow it; otherwise it records the
// interception and returns it with the refusal (the caller commits the record and answers
// 409). The item is read under a share lock, so a withdrawal either commits first (and this
// dispatch is refused) or waits until the tasks exist (and they were made while it was in
// force). key makes a retried request return the first one's tasks.
func (s *Service) Dispatch(ctx context.Context, key uuid.UUID, in DispatchInput) (*Dispatched, error) {
	a, ok := tenants.ActorFrom(ctx)
	if !ok || a.OrgKind != tenants.KindDepartment {
		return nil, problem.Forbidden("not_a_department", "只有县直部门可以向社区交办任务", "only a county department may dispatch tasks")
	}
	var ck problem.Checker
	n := len([]rune(in.Title))
	ck.Check(n >= 1 && n <= 200, "body.title", "任务名称须为 1 至 200 个字", "title must be 1 to 200 characters", in.Title)
	ck.Check(len(in.CommunityIDs) >= 1 && len(in.CommunityIDs) <= 500, "body.community_ids", "请选择 1 至 500 个村（社区）", "choose 1 to 500 communities", len(in.CommunityIDs))
	ck.Check(in.DueDays >= 1 && in.DueDays <= 250, "body.due_days", "办理时限须为 1 至 250 个工作日", "due_days must be 1 to 250", in.DueDays)
	ck.Check(in.ExpectedHours >= 0 && in.ExpectedHours <= 10000, "body.expected_hours", "预计工时无效", "invalid expected hours", in.ExpectedHours)
	ck.Check(len([]rune(in.Detail)) <= 4000, "body.detail", "任务说明不超过 4000 字", "detail too long", nil)
	ck.Check(len(in.Attachments) <= 20, "body.attachments", "附件最多 20 个", "at most 20 attachments", len(in.Attachments))
	// One query for all the communities: a dispatch may name hundreds.
	var units []tenants.OrgUnit
	if len(in.CommunityIDs) > 0 {
		if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&units)).Where("ou.id IN (?)", bun.In(in.CommunityIDs)).Scan(ctx); err != nil {
			return nil, err
		}
	}
	byID := make(map[uuid.UUID]*tenants.OrgUnit, len(units))
	for i := range units {
		byID[units[i].ID] = &units[i]
	}
	targets := make([]Target, 0, len(in.CommunityIDs))
	seen := map[uuid.UUID]bool{}
	for i, id := range in.CommunityIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		u := byID[id]
		ok := u != nil && (u.Kind == tenants.KindCommunity || u.Kind == tenants.KindVillage)
		ck.Check(ok, fmt.Sprintf("body.community_ids[%d]", i), "须为本县的村或社区", "must be a village or community of this county", id.String())
		if ok {
			targets = append(targets, Target{ID: u.ID, Name: u.Name, Path: u.Path})
		}
	}
	if err := ck.Err(); err != nil {
		return nil, err
	}
	tx, _ := tenants.TxFrom(ctx)
	var existing []Task
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&existing)).Where("dispatch_id = ?", key).Scan(ctx); err != nil {
		return nil, err
	}
	if len(existing) > 0 {
		return &Dispatched{Tasks: existing}, nil
	}
	var it *Item
	if in.ItemID != nil {
		var err error
		if it, err = lockItem(ctx, *in.ItemID, 0, "SHARE"); errors.Is(err, errItemNotFound) {
			it = nil
		} else if err != nil {
			return nil, err
		}
	}
	var now time.Time
	if err := tenants.DB(ctx).NewRaw("SELECT clock_timestamp()").Scan(ctx, &now); err != nil {
		return nil, err
	}
	today := s.today()
	if r := Check(it, a.OrgUnitID, targets, today, now); r != nil {
		ic := &Interception{TenantID: tx.TenantID(), ID: uuid.New(), DepartmentID: a.OrgUnitID, CommunityIDs: in.CommunityIDs,
			Title: in.Title, Rule: r.Rule, Reason: r.Message, On: today, CreatedBy: &a.IdentityID}
		if it != nil {
			ic.ItemID = &it.ID
		}
		if _, err := tenants.DB(ctx).NewInsert().Model(ic).Exec(ctx); err != nil {
			return nil, err
		}
		return &Dispatched{Interception: ic, Refusal: r}, tenants.Audit(ctx, tenants.Change{Action: "dispatch.intercept", TargetType: "dispatch_interception",
			TargetID: ic.ID.String(), Summary: map[string]any{"rule": r.Rule, "title": in.Title}})
	}
	if in.Attachments == nil {
		in.Attachments = []string{}
	}
	tasks := make([]Task, len(targets))
	for i, t := range targets {
		tasks[i] = Task{TenantID: tx.TenantID(), ID: uuid.New(), DispatchID: key, ItemID: it.ID, DepartmentID: a.OrgUnitID, CommunityID: t.ID,
			Title: in.Title, Detail: in.Detail, Attachments: in.Attachments, ExpectedHours: in.ExpectedHours, DueDays: in.DueDays,
			Status: TaskPending, DispatchedOn: today, CreatedBy: &a.IdentityID, RowVersion: 1}
	}
	if _, err := tenants.DB(ctx).NewInsert().Model(&tasks).ExcludeColumn("created_at").Returning("created_at").Exec(ctx); err != nil {
		return nil, fmt.Errorf("insert tasks: %w", err)
	}
	workers, err := tenants.ActiveMembers(ctx, tenants.Reach{Role: tenants.RoleCommunityWorker, Units: in.CommunityIDs})
	if err != nil {
		return nil, err
	}
	if _, err := notify.Send(ctx, workers, notify.Message{Kind: "task", Title: "新交办任务：" + in.Title,
		Body: fmt.Sprintf("清单事项“%s”，接收后 %d 个工作日内办结。", it.Name, in.DueDays), DedupKey: "task:" + key.String()}); err != nil {
		return nil, err
	}
	return &Dispatched{Tasks: tasks}, tenants.Audit(ctx, tenants.Change{Action: "dispatch.create", TargetType: "dispatch", TargetID: key.String(),
		Summary: map[string]any{"item": it.Code, "title": in.Title, "communities": len(tasks)}})
}

var errTaskNotFound = problem.NotFound("task_not_found", "找不到该任务", "task not found")

// TaskDueArgs remind a community as a task's due date nears and warn both sides the day after.
type TaskDueArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
	TaskID   uuid.UUID `json:"task_id"`
	Due      string    `json:"due"`
	Overdue  bool      `json:"overdue"`
}

func (TaskDueArgs) Kind() string        { return "access_task_due" }
func (a TaskDueArgs) Tenant() uuid.UUID { return a.TenantID }
func (TaskDueArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// lockTask locks a task of the actor's own community.
func lockTask(ctx context.Context, id uuid.UUID, rowVersion int) (*Task, error) {
	a, _ := tenants.ActorFrom(ctx)
	t := new(Task)
	err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(t)).Where("ct.id = ?", id).For("UPDATE").Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (a == nil || t.CommunityID != a.OrgUnitID)) {
		return nil, errTaskNotFound
	}
	if err != nil {
		return nil, err
	}
	if rowVersion != 0 && t.RowVersion != rowVersion {
		return nil, errStale
	}
	return t, nil
}

// Answer is a community's answer to a pending task.
type Answer struct {
	Accept bool   `json:"accept"`
	Reason string `json:"reason,omitempty" doc:"required when refusing"`
}

// Answer accepts (the working-day deadline starts) or refuses (with a reason) a pending task.
func (s *Service) Answer(ctx context.Context, id uuid.UUID, rowVersion int, in Answer) (*Task, error) {
	t, err := lockTask(ctx, id, rowVersion)
	if err != nil {
		return nil, err
	}
	if t.Status != TaskPending {
		return nil, problem.Conflict("task_answered", "该任务已答复", "the task was already answered")
	}
	n := len([]rune(in.Reason))
	if !in.Accept && (n < 2 || n > 500) {
		return nil, problem.Invalid(problem.Field{Location: "body.reason", Message: "拒绝须写明理由（2 至 500 字）", MessageEn: "a refusal needs a reason (2 to 500 characters)", Value: in.Reason})
	}
	now := time.Now()
	t.DecidedBy, t.DecidedAt = tenants.ActorIdentity(ctx), &now
	if in.Accept {
		cal, err := calendar.For(ctx)
		if err != nil {
			return nil, err
		}
		t.Status, t.DueOn = TaskAccepted, cal.Add(s.today(), t.DueDays)
		st, err := settings.Get(ctx)
		if err != nil {
			return nil, err
		}
		// Warned when the county's yellow window opens (as for applications), and the day after.
		for _, overdue := range []bool{false, true} {
			at := cal.YellowFrom(t.DueOn, st.YellowDays).In(clock.Zone)
			if overdue {
				at = t.DueOn.AddDays(1).In(clock.Zone)
			}
			if _, err := tenants.Enqueue(ctx, TaskDueArgs{TenantID: t.TenantID, TaskID: t.ID, Due: t.DueOn.String(), Overdue: overdue},
				&river.InsertOpts{ScheduledAt: at}); err != nil {
				return nil, err
			}
		}
	} else {
		t.Status, t.Refusal = TaskRefused, in.Reason
	}
	t.RowVersion++
	if _, err := tenants.DB(ctx).NewUpdate().Model(t).Column("status", "due_on", "refusal", "decided_by", "decided_at", "row_version").WherePK().Exec(ctx); err != nil {
		return nil, err
	}
	if !in.Accept {
		var staff []uuid.UUID
		if t.CreatedBy != nil {
			staff = append(staff, *t.CreatedBy)
		}
		if _, err := notify.Send(ctx, staff, notify.Message{Kind: "task", Title: "社区拒绝了任务：" + t.Title, Body: in.Reason,
			DedupKey: "task-refused:" + t.ID.String()}); err != nil {
			return nil, err
		}
	}
	return t, tenants.Audit(ctx, tenants.Change{Action: map[bool]string{true: "task.accept", false: "task.refuse"}[in.Accept], TargetType: "community_task",
		TargetID: id.String(), Summary: map[string]any{"reason": in.Reason}})
}

// Complete marks an accepted task done.
func (s *Service) Complete(ctx context.Context, id uuid.UUID, rowVersion int) (*Task, error) {
	t, err := lockTask(ctx, id, rowVersion)
	if err != nil {
		return nil, err
	}
	if t.Status != TaskAccepted {
		return nil, problem.Conflict("task_not_accepted", "只有已接收的任务可以办结", "only an accepted task can be completed")
	}
	now := time.Now()
	t.Status, t.DoneAt = TaskDone, &now
	t.RowVersion++
	if _, err := tenants.DB(ctx).NewUpdate().Model(t).Column("status", "done_at", "row_version").WherePK().Exec(ctx); err != nil {
		return nil, err
	}
	return t, tenants.Audit(ctx, tenants.Change{Action: "task.complete", TargetType: "community_task", TargetID: id.String()})
}

// CheckTaskDue sends the reminder or the overdue warning if the task is still open.
func (s *Service) CheckTaskDue(ctx context.Context, args TaskDueArgs) error {
	t := new(Task)
	err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(t)).Where("ct.id = ?", args.TaskID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil || t.Status != TaskAccepted || t.DueOn.String() != args.Due {
		return err
	}
	to, err := tenants.ActiveMembers(ctx, tenants.Reach{Role: tenants.RoleCommunityWorker, Units: []uuid.UUID{t.CommunityID}})
	if err != nil {
		return err
	}
	title := "任务即将到期：" + t.Title
	if args.Overdue {
		title = "任务已超期：" + t.Title
		if t.CreatedBy != nil {
			to = append(to, *t.CreatedBy)
		}
	}
	_, err = notify.Send(ctx, to, notify.Message{Kind: "task", Title: title, Body: "办结期限 " + t.DueOn.String(),
		DedupKey: fmt.Sprintf("task-due:%s:%s:%v", t.ID, args.Due, args.Overdue)})
	return err
}

// TaskFilter narrows a task list and names its page.
type TaskFilter struct {
	// Statuses keeps the tasks in any of them (none: every task).
	Statuses []TaskStatus
	// Cursor is the Next of the page before ("" for the first page); Limit the page's size
	// (1 to 100, else 20, as the worklists).
	Cursor string
	Limit  int
}

// TaskPage is one keyset page of a task list, newest first; Next is "" on the last page.
type TaskPage struct {
	Tasks []Task
	Next  string
}

// Valid reports whether s is a status a task can have.
func (s TaskStatus) Valid() bool {
	switch s {
	case TaskPending, TaskAccepted, TaskRefused, TaskDone:
		return true
	}
	return false
}

// Tasks lists a page of the tasks the actor may see: a community its own, a department those
// it dispatched, a county admin all; newest first, (created_at, id) descending, so a page
// continues strictly after the row its cursor names and a task dispatched meanwhile never
// shifts a later page (it sorts before the first).
//
// At a province's size (a large county: 45,000 tasks, a department 15,000) a page is the first
// rows of one ordered index scan per status (community_tasks_*_order, migration
// 20261205000024), never a sort of the reader's tasks: several statuses are a UNION ALL of
// one limited branch each, merged and cut to the page, as application.List does. The keyset
// condition is a row comparison of timestamptz and uuid, both leakproof, so under row level
// security it is an index condition, not a filter over every newer row.
func (s *Service) Tasks(ctx context.Context, f TaskFilter) (*TaskPage, error) {
	a, ok := tenants.ActorFrom(ctx)
	if !ok {
		return nil, errTaskNotFound
	}
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 20
	}
	var (
		after   time.Time
		afterID uuid.UUID
	)
	if f.Cursor != "" {
		var err error
		if after, afterID, err = tenants.DecodeCursor(f.Cursor); err != nil {
			return nil, problem.Invalid(problem.Field{Location: "query.cursor", Message: "分页游标无效，请从第一页重新加载", MessageEn: "invalid cursor: reload from the first page", Value: f.Cursor})
		}
	}
	for _, st := range f.Statuses {
		if !st.Valid() {
			return nil, problem.Invalid(problem.Field{Location: "query.status", Message: "任务状态无效：" + string(st), MessageEn: "unknown task status: " + string(st), Value: string(st)})
		}
	}
	statuses := slices.Compact(slices.Sorted(slices.Values(f.Statuses)))
	branch := func(status TaskStatus) *bun.SelectQuery {
		q := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model((*Task)(nil))).
			ColumnExpr("ct.*, ai.name AS item_name, ai.code AS item_code, d.name AS department_name, c.name AS community_name").
			Join("JOIN access_items AS ai ON ai.tenant_id = ct.tenant_id AND ai.id = ct.item_id").
			Join("JOIN org_units AS d ON d.tenant_id = ct.tenant_id AND d.id = ct.department_id").
			Join("JOIN org_units AS c ON c.tenant_id = ct.tenant_id AND c.id = ct.community_id").
			OrderExpr("ct.created_at DESC, ct.id DESC").Limit(int64(f.Limit + 1))
		switch {
		case a.HasAny(tenants.RoleCountyAdmin):
		case a.OrgKind == tenants.KindDepartment:
			q = q.Where("ct.department_id = ?", a.OrgUnitID)
		default:
			q = q.Where("ct.community_id = ?", a.OrgUnitID)
		}
		if status != "" {
			q = q.Where("ct.status = ?", status)
		}
		if f.Cursor != "" {
			q = q.Where("(ct.created_at, ct.id) < (?, ?)", after, afterID)
		}
		return q
	}
	var q *bun.SelectQuery
	switch len(statuses) {
	case 0:
		q = branch("")
	case 1:
		q = branch(statuses[0])
	default:
		union := branch(statuses[0])
		for _, st := range statuses[1:] {
			union = union.UnionAll(branch(st))
		}
		q = tenants.DB(ctx).NewSelect().TableExpr("(?) AS ct", union).ColumnExpr("ct.*").
			OrderExpr("ct.created_at DESC, ct.id DESC").Limit(int64(f.Limit + 1))
	}
	p := &TaskPage{Tasks: []Task{}}
	if err := q.Scan(ctx, &p.Tasks); err != nil {
		return nil, err
	}
	if len(p.Tasks) > f.Limit {
		last := p.Tasks[f.Limit-1]
		p.Tasks, p.Next = p.Tasks[:f.Limit], tenants.EncodeCursor(last.CreatedAt, last.ID)
	}
	return p, nil
}

// Interceptions lists refused dispatches: a department its own, a county admin all.
func (s *Service) Interceptions(ctx context.Context) ([]Interception, error) {
	a, _ := tenants.ActorFrom(ctx)
	var is []Interception
	q := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&is)).ColumnExpr("di.*, d.name AS department_name").
		Join("JOIN org_units AS d ON d.tenant_id = di.tenant_id AND d.id = di.department_id").Order("di.created_at DESC").Limit(500)
	if a == nil || !a.HasAny(tenants.RoleCountyAdmin) {
		if a == nil {
			return nil, nil
		}
		q = q.Where("di.department_id = ?", a.OrgUnitID)
	}
	return is, q.Scan(ctx)
}

// Communities lists the villages and communities an item applies to: what a department may
// choose from when dispatching under it (it never sees the rest).
func (s *Service) Communities(ctx context.Context, itemID uuid.UUID) ([]tenants.OrgUnit, error) {
	it, err := lockItem(ctx, itemID, 0, "SHARE")
	if err != nil {
		return nil, err
	}
	var us []tenants.OrgUnit
	q := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&us)).Where("ou.kind IN ('community', 'village')").Order("ou.path")
	if len(it.ScopeUnitIDs) > 0 {
		q = q.Where("EXISTS (SELECT 1 FROM unnest(?::uuid[]) AS s(id) WHERE ou.path LIKE '%/' || s.id::text || '/%')", pgdialect.Array(it.ScopeUnitIDs))
	}
	return us, q.Scan(ctx)
}
