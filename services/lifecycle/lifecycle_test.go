package lifecycle_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/yichuang/yichuang/services/lifecycle"
	"github.com/yichuang/yichuang/tenants"
)

// legal is the lifecycle written out independently of lifecycle.Table: "state action" → next
// state and the roles that may take it.
var legal = map[[2]string]struct {
	to    lifecycle.State
	roles []tenants.Role
}{
	{"proxy_received", "forward"}:      {lifecycle.Received, []tenants.Role{tenants.RoleCommunityWorker}},
	{"proxy_received", "withdraw"}:     {lifecycle.Withdrawn, []tenants.Role{tenants.RoleTownshipClerk, tenants.RoleCommunityWorker}},
	{"received", "accept"}:             {lifecycle.Accepted, []tenants.Role{tenants.RoleTownshipClerk}},
	{"received", "request_correction"}: {lifecycle.Correcting, []tenants.Role{tenants.RoleTownshipClerk}},
	{"received", "reject"}:             {lifecycle.Rejected, []tenants.Role{tenants.RoleTownshipClerk}},
	{"received", "withdraw"}:           {lifecycle.Withdrawn, []tenants.Role{tenants.RoleTownshipClerk, tenants.RoleCommunityWorker}},
	{"correcting", "resubmit"}:         {lifecycle.Received, []tenants.Role{tenants.RoleTownshipClerk, tenants.RoleCommunityWorker}},
	{"correcting", "reject"}:           {lifecycle.Rejected, []tenants.Role{tenants.RoleTownshipClerk}},
	{"correcting", "withdraw"}:         {lifecycle.Withdrawn, []tenants.Role{tenants.RoleTownshipClerk, tenants.RoleCommunityWorker}},
	{"accepted", "route"}:              {lifecycle.Processing, []tenants.Role{tenants.RoleTownshipClerk}},
	{"accepted", "approve"}:            {lifecycle.Decided, []tenants.Role{tenants.RoleTownshipClerk}},
	{"accepted", "deny"}:               {lifecycle.Decided, []tenants.Role{tenants.RoleTownshipClerk}},
	{"accepted", "withdraw"}:           {lifecycle.Withdrawn, []tenants.Role{tenants.RoleTownshipClerk, tenants.RoleCommunityWorker}},
	{"accepted", "complete_stage"}:     {lifecycle.Accepted, []tenants.Role{tenants.RoleTownshipClerk}},
	{"processing", "complete_stage"}:   {lifecycle.Processing, []tenants.Role{tenants.RoleDepartmentStaff}},
	{"processing", "pause"}:            {lifecycle.Paused, []tenants.Role{tenants.RoleDepartmentStaff}},
	{"processing", "extend"}:           {lifecycle.Processing, []tenants.Role{tenants.RoleAgencyHead, tenants.RoleGovernmentHead}},
	{"processing", "approve"}:          {lifecycle.Decided, []tenants.Role{tenants.RoleDepartmentStaff}},
	{"processing", "deny"}:             {lifecycle.Decided, []tenants.Role{tenants.RoleDepartmentStaff}},
	{"processing", "withdraw"}:         {lifecycle.Withdrawn, []tenants.Role{tenants.RoleTownshipClerk, tenants.RoleCommunityWorker}},
	{"paused", "resume"}:               {lifecycle.Processing, []tenants.Role{tenants.RoleDepartmentStaff}},
	{"paused", "extend"}:               {lifecycle.Paused, []tenants.Role{tenants.RoleAgencyHead, tenants.RoleGovernmentHead}},
	{"paused", "withdraw"}:             {lifecycle.Withdrawn, []tenants.Role{tenants.RoleTownshipClerk, tenants.RoleCommunityWorker}},
	{"decided", "deliver"}:             {lifecycle.Delivered, []tenants.Role{tenants.RoleTownshipClerk, tenants.RoleCommunityWorker}},
	{"delivered", "archive"}:           {lifecycle.Archived, []tenants.Role{tenants.RoleTownshipClerk}},
	{"rejected", "archive"}:            {lifecycle.Archived, []tenants.Role{tenants.RoleTownshipClerk}},
	{"withdrawn", "archive"}:           {lifecycle.Archived, []tenants.Role{tenants.RoleTownshipClerk}},
}

// satisfying returns facts that meet every precondition of (s, a) for a member with role r.
func satisfying(s lifecycle.State, a lifecycle.Action, r tenants.Role) *lifecycle.Facts {
	f := &lifecycle.Facts{Roles: []tenants.Role{r}, Proxy: true, Complete: true, Reason: "理由", Missing: 1, Days: 5,
		MaxExtension: 10, DeliveryMethod: lifecycle.DeliverProxy, Head: true, StageRunning: true}
	// Only instant items are decided at the window.
	f.Instant = s == lifecycle.Accepted && (a == lifecycle.Approve || a == lifecycle.Deny)
	return f
}

// TestEveryPair walks every state × action × role: a pair outside the lifecycle is 409, a
// role outside the step's roles is 403, and otherwise the step lands where the lifecycle says.
func TestEveryPair(t *testing.T) {
	t.Parallel()
	if got := len(lifecycle.Table); got != len(legal) {
		t.Fatalf("table has %d transitions, the written-out lifecycle %d", got, len(legal))
	}
	for _, s := range lifecycle.States {
		for _, a := range lifecycle.Actions {
			want, ok := legal[[2]string{string(s), string(a)}]
			for _, r := range tenants.Roles {
				tr, ref := lifecycle.Check(s, a, satisfying(s, a, r))
				switch {
				case !ok:
					if ref == nil || ref.Status != http.StatusConflict || ref.Code != "illegal_transition" || ref.Message == "" {
						t.Errorf("%s/%s by %s: got %+v %+v, want 409 illegal_transition", s, a, r, tr, ref)
					}
				case !slices.Contains(want.roles, r):
					if ref == nil || ref.Status != http.StatusForbidden {
						t.Errorf("%s/%s by %s: got %+v, want 403", s, a, r, ref)
					}
				default:
					if ref != nil || tr.To != want.to {
						t.Errorf("%s/%s by %s: got %+v %+v, want → %s", s, a, r, tr, ref, want.to)
					}
				}
			}
		}
	}
}

func TestPreconditions(t *testing.T) {
	t.Parallel()
	clerk := []tenants.Role{tenants.RoleTownshipClerk}
	dept := []tenants.Role{tenants.RoleDepartmentStaff}
	head := []tenants.Role{tenants.RoleDepartmentStaff, tenants.RoleAgencyHead}
	worker := []tenants.Role{tenants.RoleCommunityWorker}
	cases := []struct {
		name   string
		s      lifecycle.State
		a      lifecycle.Action
		f      lifecycle.Facts
		status int // 0: allowed
	}{
		{"accept incomplete", lifecycle.Received, lifecycle.Accept, lifecycle.Facts{Roles: clerk}, 409},
		{"accept complete", lifecycle.Received, lifecycle.Accept, lifecycle.Facts{Roles: clerk, Complete: true}, 0},
		{"correction lists nothing", lifecycle.Received, lifecycle.RequestCorrection, lifecycle.Facts{Roles: clerk}, 422},
		{"reject without reason", lifecycle.Received, lifecycle.Reject, lifecycle.Facts{Roles: clerk, Reason: "  "}, 422},
		{"route an instant item", lifecycle.Accepted, lifecycle.Route, lifecycle.Facts{Roles: clerk, Instant: true}, 409},
		{"route a promised item", lifecycle.Accepted, lifecycle.Route, lifecycle.Facts{Roles: clerk}, 0},
		{"decide a promised item at the window", lifecycle.Accepted, lifecycle.Approve, lifecycle.Facts{Roles: clerk}, 409},
		{"deny without reason", lifecycle.Processing, lifecycle.Deny, lifecycle.Facts{Roles: dept}, 422},
		{"approve", lifecycle.Processing, lifecycle.Approve, lifecycle.Facts{Roles: dept}, 0},
		// 行政许可法 art. 42: one extension, decided within the limit, by the agency head, at
		// most ten days (fifteen under art. 26; the caller passes the cap as MaxExtension).
		{"extend twice", lifecycle.Processing, lifecycle.Extend, lifecycle.Facts{Roles: head, Head: true, Reason: "x", Days: 3, MaxExtension: 10, Extended: 3}, 409},
		{"extend past the limit", lifecycle.Processing, lifecycle.Extend, lifecycle.Facts{Roles: head, Head: true, Reason: "x", Days: 11, MaxExtension: 10}, 422},
		{"extend zero days", lifecycle.Processing, lifecycle.Extend, lifecycle.Facts{Roles: head, Head: true, Reason: "x", Days: 0, MaxExtension: 10}, 422},
		{"extend", lifecycle.Paused, lifecycle.Extend, lifecycle.Facts{Roles: head, Head: true, Reason: "x", Days: 10, MaxExtension: 10}, 0},
		{"extend 15 days under art. 26", lifecycle.Processing, lifecycle.Extend, lifecycle.Facts{Roles: head, Head: true, Reason: "x", Days: 15, MaxExtension: 15}, 0},
		{"extend by staff who is not the head", lifecycle.Processing, lifecycle.Extend, lifecycle.Facts{Roles: dept, Reason: "x", Days: 5, MaxExtension: 10}, 403},
		{"extend by another department's head", lifecycle.Processing, lifecycle.Extend, lifecycle.Facts{Roles: head, Head: false, Reason: "x", Days: 5, MaxExtension: 10}, 403},
		{"extend after the limit ran out", lifecycle.Processing, lifecycle.Extend, lifecycle.Facts{Roles: head, Head: true, Overdue: true, Reason: "x", Days: 5, MaxExtension: 10}, 409},
		{"forward a window application", lifecycle.ProxyReceived, lifecycle.Forward, lifecycle.Facts{Roles: worker}, 409},
		{"proxy delivery of a window application", lifecycle.Decided, lifecycle.Deliver, lifecycle.Facts{Roles: clerk, DeliveryMethod: "proxy"}, 422},
		{"unknown delivery", lifecycle.Decided, lifecycle.Deliver, lifecycle.Facts{Roles: clerk, DeliveryMethod: "drone"}, 422},
		{"post delivery", lifecycle.Decided, lifecycle.Deliver, lifecycle.Facts{Roles: clerk, DeliveryMethod: "post"}, 0},
		{"worker delivers by post", lifecycle.Decided, lifecycle.Deliver, lifecycle.Facts{Roles: worker, Proxy: true, DeliveryMethod: "post"}, 409},
		{"worker delivers by proxy", lifecycle.Decided, lifecycle.Deliver, lifecycle.Facts{Roles: worker, Proxy: true, DeliveryMethod: "proxy"}, 0},
		// 环节时限: a step is completed only while one runs; a paused application's steps wait.
		{"complete a step with none running", lifecycle.Processing, lifecycle.CompleteStage, lifecycle.Facts{Roles: dept}, 409},
		{"complete a step", lifecycle.Processing, lifecycle.CompleteStage, lifecycle.Facts{Roles: dept, StageRunning: true}, 0},
		{"complete a step at the window", lifecycle.Accepted, lifecycle.CompleteStage, lifecycle.Facts{Roles: clerk, StageRunning: true}, 0},
		{"complete a step while paused", lifecycle.Paused, lifecycle.CompleteStage, lifecycle.Facts{Roles: dept, StageRunning: true}, 409},
		{"unknown action", lifecycle.Received, lifecycle.Action("sign"), lifecycle.Facts{Roles: clerk}, 422},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, ref := lifecycle.Check(c.s, c.a, &c.f)
			got := 0
			if ref != nil {
				got = ref.Status
				if ref.Message == "" || ref.MessageEn == "" {
					t.Errorf("refusal without a message: %+v", ref)
				}
			}
			if got != c.status {
				t.Errorf("status %d (%+v), want %d", got, ref, c.status)
			}
		})
	}
}

func TestAvailable(t *testing.T) {
	t.Parallel()
	clerk := []tenants.Role{tenants.RoleTownshipClerk}
	got := lifecycle.Available(lifecycle.Received, &lifecycle.Facts{Roles: clerk})
	// Incomplete materials: accepting is not offered, a correction notice is.
	want := []lifecycle.Action{lifecycle.RequestCorrection, lifecycle.Reject, lifecycle.Withdraw}
	if !slices.Equal(got, want) {
		t.Errorf("received, incomplete: %v, want %v", got, want)
	}
	got = lifecycle.Available(lifecycle.Received, &lifecycle.Facts{Roles: clerk, Complete: true})
	if !slices.Contains(got, lifecycle.Accept) {
		t.Errorf("received, complete: %v lacks accept", got)
	}
	if got := lifecycle.Available(lifecycle.Archived, &lifecycle.Facts{Roles: tenants.Roles}); len(got) != 0 {
		t.Errorf("archived offers %v", got)
	}
	for _, s := range lifecycle.States {
		if s.Label() == "" {
			t.Errorf("state %s has no label", s)
		}
	}
}
