// Package lifecycle is the state machine of an application (办件): one table of
// state × action → next state, the roles that may take each step and the preconditions it
// needs. It is plain Go with no I/O; the application service feeds it facts and applies
// the result.
package lifecycle

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/yichuang/yichuang/tenants"
)

// State is where an application stands.
type State string

const (
	ProxyReceived State = "proxy_received" // 代办收件: at the village/community, not yet forwarded
	Received      State = "received"       // 已接件: at the hall's window, not yet decided on
	Correcting    State = "correcting"     // 补正中: the applicant was told what is missing
	Accepted      State = "accepted"       // 已受理
	Processing    State = "processing"     // 部门办理
	Paused        State = "paused"         // 特别程序: the clock stands still
	Decided       State = "decided"        // 已办结 (准予 or 不予)
	Delivered     State = "delivered"      // 已送达
	Rejected      State = "rejected"       // 不予受理
	Withdrawn     State = "withdrawn"      // 已撤回
	Archived      State = "archived"       // 已归档
)

// States lists every state in the order of the lifecycle.
var States = []State{ProxyReceived, Received, Correcting, Accepted, Processing, Paused, Decided, Delivered, Rejected, Withdrawn, Archived}

var stateLabels = map[State]string{
	ProxyReceived: "代办收件", Received: "已接件", Correcting: "补正中", Accepted: "已受理", Processing: "部门办理",
	Paused: "特别程序", Decided: "已办结", Delivered: "已送达", Rejected: "不予受理", Withdrawn: "已撤回", Archived: "已归档",
}

// Label is the state's Chinese name.
func (s State) Label() string { return stateLabels[s] }

// Valid reports whether s is a known state.
func (s State) Valid() bool { _, ok := stateLabels[s]; return ok }

// Open reports whether the application still runs against a deadline of some kind.
func (s State) Open() bool {
	switch s {
	case ProxyReceived, Received, Correcting, Accepted, Processing, Paused:
		return true
	}
	return false
}

// Action is a step a member takes.
type Action string

const (
	Forward           Action = "forward"            // 代办转交乡镇
	Accept            Action = "accept"             // 受理
	Reject            Action = "reject"             // 不予受理
	RequestCorrection Action = "request_correction" // 一次性告知补正
	Resubmit          Action = "resubmit"           // 补正材料提交
	Route             Action = "route"              // 转部门办理
	Pause             Action = "pause"              // 特别程序开始
	Resume            Action = "resume"             // 特别程序结束
	Extend            Action = "extend"             // 延期
	Approve           Action = "approve"            // 办结·准予
	Deny              Action = "deny"               // 办结·不予
	Deliver           Action = "deliver"            // 送达
	Archive           Action = "archive"            // 归档
	Withdraw          Action = "withdraw"           // 撤回
	// CompleteStage completes the running back-office step (环节时限) and starts the next; the
	// state does not change.
	CompleteStage Action = "complete_stage" // 完成环节
)

// Actions lists every action in the order screens offer them.
var Actions = []Action{Forward, Accept, RequestCorrection, Reject, Resubmit, Route, CompleteStage, Pause, Resume, Extend, Approve, Deny, Deliver, Archive, Withdraw}

var actionLabels = map[Action]string{
	Forward: "转交乡镇", Accept: "受理", Reject: "不予受理", RequestCorrection: "一次性告知补正", Resubmit: "补正提交",
	Route: "转部门办理", Pause: "特别程序开始", Resume: "特别程序结束", Extend: "延期", Approve: "办结（准予）",
	Deny: "办结（不予）", Deliver: "送达", Archive: "归档", Withdraw: "撤回", CompleteStage: "完成环节",
}

// Label is the action's Chinese name.
func (a Action) Label() string { return actionLabels[a] }

// Valid reports whether a is a known action.
func (a Action) Valid() bool { _, ok := actionLabels[a]; return ok }

// SpecialProcedures are the procedures whose time 行政许可法 art. 45 does not count in the
// limit: 听证, 招标, 拍卖, 检验, 检测, 检疫, 鉴定 and 专家评审. A pause is one of them or one of
// the special steps the item's legal basis lists (its catalogue entry), chosen from the list.
var SpecialProcedures = []string{"听证", "招标", "拍卖", "检验", "检测", "检疫", "鉴定", "专家评审"}

// Delivery methods (送达方式).
const (
	DeliverWindow = "window" // 窗口领取
	DeliverPost   = "post"   // 邮寄
	DeliverProxy  = "proxy"  // 代办员送达
)

// Facts are what the preconditions look at: the application as it stands and the request.
type Facts struct {
	Roles    []tenants.Role
	Proxy    bool // received through a village/community proxy
	Instant  bool // the item is a 即办件
	Complete bool // every required material is ticked as provided

	// From the request.
	Reason         string
	Missing        int // materials listed in a correction notice
	Days           int // extension days asked for
	DeliveryMethod string

	// The application's history.
	Extended     int // extension days already granted
	MaxExtension int // the most days one extension may add: the county's cap within art. 42's
	// Overdue: the limit an extension would lengthen has already run out.
	Overdue bool
	// StageRunning: a back-office step of the item runs now (环节时限).
	StageRunning bool
	// Head: the member is the head who may grant this application's extension — the agency
	// head (本行政机关负责人) of its department, or for an item under art. 26 the head of the
	// county government.
	Head bool
}

// Condition is a precondition of a transition.
type Condition struct {
	// Input conditions depend on the request body; they are skipped when listing the actions a
	// member may take.
	Input bool
	// Forbidden conditions are about who asks, not about the application: 403, not 409.
	Forbidden bool
	ok        func(f *Facts) bool
	Message   string
	MessageEn string
}

var (
	reasonGiven = Condition{Input: true, ok: func(f *Facts) bool { return strings.TrimSpace(f.Reason) != "" },
		Message: "请填写理由", MessageEn: "a reason is required"}
	complete = Condition{ok: func(f *Facts) bool { return f.Complete },
		Message: "必要材料尚未齐全，不能受理；请一次性告知补正", MessageEn: "required materials are missing; request a correction instead"}
	missingListed = Condition{Input: true, ok: func(f *Facts) bool { return f.Missing > 0 },
		Message: "一次性告知书须列明全部需补正的材料", MessageEn: "the correction notice must list every missing or incorrect material"}
	instant = Condition{ok: func(f *Facts) bool { return f.Instant },
		Message: "承诺件须转部门办理后办结", MessageEn: "a promised item is decided by its department after routing"}
	promised = Condition{ok: func(f *Facts) bool { return !f.Instant },
		Message: "即办件在窗口当场办结，无需转部门", MessageEn: "an instant item is decided at the window"}
	proxy = Condition{ok: func(f *Facts) bool { return f.Proxy },
		Message: "仅代办件需要转交乡镇", MessageEn: "only proxy applications are forwarded"}
	notExtended = Condition{ok: func(f *Facts) bool { return f.Extended == 0 },
		Message: "已延期一次，不能再次延期（行政许可法第四十二条）", MessageEn: "the limit was extended once already (art. 42)"}
	extensionDays = Condition{Input: true, ok: func(f *Facts) bool { return f.Days >= 1 && f.Days <= f.MaxExtension },
		Message:   "延期天数须在 1 至法定上限之间（行政许可法第四十二条：十日；统一办理的十五日；本县可规定更短）",
		MessageEn: "extension days must be between 1 and the cap (art. 42: ten, fifteen for unified handling; the county may set fewer)"}
	withinLimit = Condition{ok: func(f *Facts) bool { return !f.Overdue },
		Message:   "办理期限已届满，不能再延期：延期须在期限内决定（行政许可法第四十二条）",
		MessageEn: "the limit has already run out: an extension is decided within the limit (art. 42)"}
	byTheHead = Condition{Forbidden: true, ok: func(f *Facts) bool { return f.Head },
		Message:   "延期须经本行政机关负责人批准（统一办理的事项须经县政府负责人批准，行政许可法第四十二条）",
		MessageEn: "an extension is granted by the agency head (for unified handling, the county government's head; art. 42)"}
	stageRunning = Condition{ok: func(f *Facts) bool { return f.StageRunning },
		Message: "本件没有进行中的办理环节", MessageEn: "no back-office step of the application is running"}
	deliveryMethod = Condition{Input: true, ok: func(f *Facts) bool {
		switch f.DeliveryMethod {
		case DeliverWindow, DeliverPost:
			return true
		case DeliverProxy:
			return f.Proxy
		}
		return false
	}, Message: "送达方式须为窗口领取、邮寄，或代办件由代办员送达", MessageEn: "delivery must be window pickup, post, or proxy delivery for a proxy application"}
	proxyDeliveryByWorker = Condition{ok: func(f *Facts) bool {
		return !slices.Contains(f.Roles, tenants.RoleCommunityWorker) || slices.Contains(f.Roles, tenants.RoleTownshipClerk) ||
			(f.Proxy && (f.DeliveryMethod == "" || f.DeliveryMethod == DeliverProxy))
	}, Message: "村（社区）代办员只能送达本人代办的办件", MessageEn: "a community worker delivers only proxy applications, by proxy delivery"}
)

// Transition is one row of the table.
type Transition struct {
	From     State
	Action   Action
	To       State
	Roles    []tenants.Role
	Requires []Condition
}

// who says, for the actions that have one, who may take them, in the refusal of any other
// role: an extension is the agency head's to grant (art. 42), not any approver's.
var who = map[Action]*Condition{Extend: &byTheHead}

var (
	clerk      = []tenants.Role{tenants.RoleTownshipClerk}
	worker     = []tenants.Role{tenants.RoleCommunityWorker}
	clerkOrWkr = []tenants.Role{tenants.RoleTownshipClerk, tenants.RoleCommunityWorker}
	department = []tenants.Role{tenants.RoleDepartmentStaff}
	heads      = []tenants.Role{tenants.RoleAgencyHead, tenants.RoleGovernmentHead}
)

// Table is the whole lifecycle. Anything not listed is illegal.
var Table = []Transition{
	{ProxyReceived, Forward, Received, worker, []Condition{proxy}},
	{ProxyReceived, Withdraw, Withdrawn, clerkOrWkr, []Condition{reasonGiven}},

	{Received, Accept, Accepted, clerk, []Condition{complete}},
	{Received, RequestCorrection, Correcting, clerk, []Condition{missingListed}},
	{Received, Reject, Rejected, clerk, []Condition{reasonGiven}},
	{Received, Withdraw, Withdrawn, clerkOrWkr, []Condition{reasonGiven}},

	{Correcting, Resubmit, Received, clerkOrWkr, nil},
	{Correcting, Reject, Rejected, clerk, []Condition{reasonGiven}},
	{Correcting, Withdraw, Withdrawn, clerkOrWkr, []Condition{reasonGiven}},

	{Accepted, Route, Processing, clerk, []Condition{promised}},
	{Accepted, Approve, Decided, clerk, []Condition{instant}},
	{Accepted, Deny, Decided, clerk, []Condition{instant, reasonGiven}},
	{Accepted, Withdraw, Withdrawn, clerkOrWkr, []Condition{reasonGiven}},
	{Accepted, CompleteStage, Accepted, clerk, []Condition{stageRunning}},

	{Processing, Pause, Paused, department, []Condition{reasonGiven}},
	{Processing, Extend, Processing, heads, []Condition{byTheHead, withinLimit, notExtended, extensionDays, reasonGiven}},
	{Processing, Approve, Decided, department, nil},
	{Processing, Deny, Decided, department, []Condition{reasonGiven}},
	{Processing, Withdraw, Withdrawn, clerkOrWkr, []Condition{reasonGiven}},
	{Processing, CompleteStage, Processing, department, []Condition{stageRunning}},

	{Paused, Resume, Processing, department, []Condition{reasonGiven}},
	{Paused, Extend, Paused, heads, []Condition{byTheHead, withinLimit, notExtended, extensionDays, reasonGiven}},
	{Paused, Withdraw, Withdrawn, clerkOrWkr, []Condition{reasonGiven}},

	{Decided, Deliver, Delivered, clerkOrWkr, []Condition{deliveryMethod, proxyDeliveryByWorker}},

	{Delivered, Archive, Archived, clerk, nil},
	{Rejected, Archive, Archived, clerk, nil},
	{Withdrawn, Archive, Archived, clerk, nil},
}

// Refusal says why a step is not allowed; Status is the HTTP status it maps to.
type Refusal struct {
	Status    int
	Code      string
	Message   string
	MessageEn string
}

func (r *Refusal) Error() string { return r.Code + ": " + r.MessageEn }

func find(from State, a Action) *Transition {
	for i := range Table {
		if Table[i].From == from && Table[i].Action == a {
			return &Table[i]
		}
	}
	return nil
}

// Check returns the transition for taking a in state from with facts f, or why not.
// An unknown or illegal pair is a conflict with the current state (409); a role that may not
// take the step is 403; an unmet precondition is 409, or 422 when the request itself lacks
// something.
func Check(from State, a Action, f *Facts) (*Transition, *Refusal) {
	if !a.Valid() {
		return nil, &Refusal{http.StatusUnprocessableEntity, "unknown_action", "未知的操作：" + string(a), "unknown action: " + string(a)}
	}
	t := find(from, a)
	if t == nil {
		return nil, &Refusal{http.StatusConflict, "illegal_transition",
			fmt.Sprintf("办件当前为「%s」，不能执行「%s」", from.Label(), a.Label()),
			fmt.Sprintf("an application in state %s cannot be %s", from, a)}
	}
	if !holdsAny(f.Roles, t.Roles) {
		if w := who[a]; w != nil {
			return nil, &Refusal{http.StatusForbidden, "role_not_allowed", w.Message, w.MessageEn}
		}
		return nil, &Refusal{http.StatusForbidden, "role_not_allowed",
			fmt.Sprintf("您的角色不能执行「%s」", a.Label()), fmt.Sprintf("your role may not %s", a)}
	}
	for _, c := range t.Requires {
		if !c.ok(f) {
			status, code := http.StatusConflict, "precondition_failed"
			switch {
			case c.Forbidden:
				status, code = http.StatusForbidden, "role_not_allowed"
			case c.Input:
				status = http.StatusUnprocessableEntity
			}
			return nil, &Refusal{status, code, c.Message, c.MessageEn}
		}
	}
	return t, nil
}

// Available lists the actions a member with facts f may take in state s, ignoring what only
// the request can supply (reasons, days).
func Available(s State, f *Facts) []Action {
	var out []Action
	for _, a := range Actions {
		t := find(s, a)
		if t == nil || !holdsAny(f.Roles, t.Roles) {
			continue
		}
		ok := true
		for _, c := range t.Requires {
			if !c.Input && !c.ok(f) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, a)
		}
	}
	return out
}

func holdsAny(have, want []tenants.Role) bool {
	for _, r := range want {
		if slices.Contains(have, r) {
			return true
		}
	}
	return false
}
