package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/access"
	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/tenants"
)

// The admission workflow end to end through HTTP with River on a stub clock: apply →
// 民政审核 → 合法性审查 → 联席会议审定 → 公示, each review by its own department and person
// (brief §2, the published local rules: "reviews are separate duties … nobody reviews their own
// department's request"), the notice's end makes the item effective by itself, the public list
// shows it, a department dispatches under it, the community answers, a dispatch outside the
// lists is refused and recorded, and the burden statistics count both.
func TestAdmissionAndDispatchThroughTheAPI(t *testing.T) {
	t.Parallel()
	clk := clock.NewStub(time.Date(2026, 11, 2, 9, 0, 0, 0, clock.Zone)) // a Monday
	b := setupWith(t, clk)
	c := b.newCounty(t)

	app := map[string]any{"code": "XZ-WJ-001", "kind": "assist", "name": "家庭医生签约入户宣传", "legal_basis": "《关于推进家庭医生签约服务的指导意见》",
		"department_id": c.dept, "scope_unit_ids": []string{}, "funding": "per_task", "funding_amount": 5000, "ledgers": 1, "reports": 0,
		"inspections": 0, "hours_per_year": 24, "requested_start": "2026-11-20"}
	if st, _, _ := b.call(t, c.worker, "POST", "/api/v1/access/requests", app); st != 403 {
		t.Fatalf("a community worker applied: %d", st)
	}
	st, body, _ := b.call(t, c.deptM, "POST", "/api/v1/access/requests", app)
	if st != 422 || !strings.Contains(problemAt(t, body, "body.requested_start"), "30 个工作日") {
		t.Fatalf("too-early start: %d %v", st, body)
	}
	app["requested_start"] = "2026-12-14"
	st, body, hdr := b.call(t, c.deptM, "POST", "/api/v1/access/requests", app)
	if st != 201 {
		t.Fatalf("apply: %d %v", st, body)
	}
	id := body["request"].(map[string]any)["id"].(string)
	// The applicant is the 民政局, the county's 民政 reviewer: it may not review its own request,
	// a county admin does; the 司法局 does the legal review; another admin records the meeting.
	legal, admin2 := b.accessReviewers(t, c)
	approve := func(m *member) (int, map[string]any) {
		st, body, h := b.call(t, m, "POST", "/api/v1/access/requests/"+id+"/decide", map[string]any{"decision": "approve"}, "If-Match", hdr.Get("ETag"))
		if st == 200 {
			hdr = h
		}
		return st, body
	}
	if st, body := approve(c.deptM); st != 403 || body["code"] != "review_own_department" || !strings.Contains(fmt.Sprint(body["message"]), "回避") {
		t.Fatalf("the 民政局 reviewed its own request: %d %v", st, body)
	}
	if st, body = approve(c.admin); st != 200 || body["request"].(map[string]any)["status"] != "legal_review" || body["request"].(map[string]any)["reviewer"] != "县司法局" {
		t.Fatalf("民政审核 by the admin: %d %v", st, body)
	}
	if st, body := approve(c.admin); st != 403 || body["code"] != "not_your_step" {
		t.Fatalf("the admin took the legal department's review: %d %v", st, body)
	}
	if st, body = approve(legal); st != 200 || body["request"].(map[string]any)["status"] != "joint_meeting" {
		t.Fatalf("合法性审查: %d %v", st, body)
	}
	if st, body := approve(c.admin); st != 403 || body["code"] != "review_second_stage" || body["message_en"] == "" {
		t.Fatalf("one admin recorded 民政审核 and the meeting: %d %v", st, body)
	}
	if st, body = approve(admin2); st != 200 || body["request"].(map[string]any)["status"] != "notice" {
		t.Fatalf("联席会议审定: %d %v", st, body)
	}
	if until := body["request"].(map[string]any)["notice_until"]; until != "2026-11-09" {
		t.Fatalf("notice until %v", until)
	}
	// Not on the public list during the notice; on it once the job ends the notice.
	public := func() []any {
		var out map[string]any
		mustJSON(t, get(t, b.srv.URL+"/api/v1/public/"+c.tenant.Code+"/access-list", nil), &out)
		return out["items"].([]any)
	}
	if len(public()) != 0 {
		t.Fatal("listed before the notice ended")
	}
	clk.StubNow(time.Date(2026, 11, 10, 0, 10, 0, 0, clock.Zone))
	waitFor(t, "the notice-end job", func() bool {
		_, body, _ := b.call(t, c.deptM, "GET", "/api/v1/access/requests/"+id, nil)
		return body["request"] != nil && body["request"].(map[string]any)["status"] == "effective"
	})
	// In force from the requested start: dispatch on 2026-12-14.
	clk.StubNow(time.Date(2026, 12, 14, 9, 0, 0, 0, clock.Zone))
	items := public()
	if len(items) != 1 || items[0].(map[string]any)["name"] != "家庭医生签约入户宣传" {
		t.Fatalf("public list: %v", items)
	}
	_, body, _ = b.call(t, c.deptM, "GET", "/api/v1/access/items?in_force=true", nil)
	itemID := body["items"].([]any)[0].(map[string]any)["id"].(string)

	task := map[string]any{"item_id": itemID, "title": "签约宣传入户", "community_ids": []any{c.community}, "due_days": 5, "expected_hours": 6}
	key := "3f0b9c44-5d7e-4c61-9a57-0c2d7f1b8e21"
	st, body, _ = b.call(t, c.deptM, "POST", "/api/v1/access/dispatch", task, "Idempotency-Key", key)
	if st != 201 || len(body["tasks"].([]any)) != 1 {
		t.Fatalf("dispatch: %d %v", st, body)
	}
	taskID := body["tasks"].([]any)[0].(map[string]any)["id"].(string)
	if st, body, _ = b.call(t, c.deptM, "POST", "/api/v1/access/dispatch", task, "Idempotency-Key", key); st != 201 ||
		body["tasks"].([]any)[0].(map[string]any)["id"] != taskID {
		t.Fatalf("retried dispatch made another task: %d %v", st, body)
	}
	// Outside the lists: 409 in Chinese, and the interception is kept.
	delete(task, "item_id")
	st, body, _ = b.call(t, c.deptM, "POST", "/api/v1/access/dispatch", task)
	if st != 409 || body["code"] != "intercepted_no_item" || !strings.Contains(fmt.Sprint(body["message"]), "准入清单") {
		t.Fatalf("unlisted dispatch: %d %v", st, body)
	}
	if _, body, _ = b.call(t, c.deptM, "GET", "/api/v1/access/interceptions", nil); len(body["interceptions"].([]any)) != 1 {
		t.Fatalf("interceptions: %v", body)
	}
	// The community accepts; the deadline runs five working days.
	_, body, _ = b.call(t, c.worker, "GET", "/api/v1/access/tasks", nil)
	if len(body["tasks"].([]any)) != 1 || body["next_cursor"] != "" {
		t.Fatalf("community tasks: %v", body)
	}
	// The list pages by keyset: a cursor it did not issue, or an unknown status, is the
	// caller's mistake, a 422 naming the parameter in both languages (never a 500).
	for q, loc := range map[string]string{"cursor=garbage": "query.cursor", "cursor=" + strings.Repeat("A", 40): "query.cursor", "status=pending,lost": "query.status"} {
		st, body, h := b.call(t, c.worker, "GET", "/api/v1/access/tasks?"+q, nil)
		if st != 422 || !strings.HasPrefix(h.Get("Content-Type"), "application/problem+json") || problemAt(t, body, loc) == "" {
			t.Fatalf("tasks?%s: %d %s %v", q, st, h.Get("Content-Type"), body)
		}
	}
	if st, body, _ := b.call(t, c.deptM, "GET", "/api/v1/access/tasks?status=pending,accepted&limit=1", nil); st != 200 ||
		len(body["tasks"].([]any)) != 1 || body["next_cursor"] != "" {
		t.Fatalf("the department's open tasks: %d %v", st, body)
	}
	st, body, _ = b.call(t, c.worker, "POST", "/api/v1/access/tasks/"+taskID+"/answer", map[string]any{"accept": true}, "If-Match", `"1"`)
	if st != 200 || body["due_on"] != "2026-12-21" {
		t.Fatalf("accept: %d %v", st, body)
	}
	// The county's yellow window (2 working days) opens on 2026-12-17: the community is reminded.
	clk.StubNow(time.Date(2026, 12, 17, 8, 0, 0, 0, clock.Zone))
	waitFor(t, "the task reminder", func() bool {
		_, body, _ := b.call(t, c.worker, "GET", "/api/v1/notifications", nil)
		return strings.Contains(fmt.Sprint(body), "任务即将到期：签约宣传入户")
	})
	if st, body, _ = b.call(t, c.worker, "POST", "/api/v1/access/tasks/"+taskID+"/complete", nil, "If-Match", `"2"`); st != 200 || body["status"] != "done" {
		t.Fatalf("complete: %d %v", st, body)
	}
	if st, _, _ = b.call(t, c.clerk, "GET", "/api/v1/access/burden?from=2026-12&to=2026-12", nil); st != http.StatusForbidden {
		t.Fatalf("clerk read the burden statistics: %d", st)
	}
	st, body, _ = b.call(t, c.admin, "GET", "/api/v1/access/burden?from=2026-12&to=2026-12", nil)
	total := body["total"].(map[string]any)
	if st != 200 || total["tasks"] != float64(1) || total["accepted"] != float64(1) || total["intercepted"] != float64(1) || total["hours"] != float64(6) {
		t.Fatalf("burden: %d %v", st, body)
	}
	if raw := b.download(t, c.admin, "/api/v1/access/burden.xlsx?from=2026-12&to=2026-12"); len(raw) < 1000 {
		t.Fatal("burden export is empty")
	}
}

// accessReviewers makes the county's 司法局 with a member, configures the 民政局 and the 司法局
// as the reviewing departments, and adds a second county admin.
func (b *testBundle) accessReviewers(t *testing.T, c *county) (legal, admin2 *member) {
	t.Helper()
	var sifa uuid.UUID
	b.db.Ctx(t, c.tenant.ID, func(ctx context.Context) error {
		root := c.tenant.County.ID
		u, err := tenants.CreateOrgUnit(ctx, tenants.NewOrgUnit{ParentID: &root, Kind: tenants.KindDepartment, Name: "县司法局", Code: "sf"})
		if u != nil {
			sifa = u.ID
		}
		return err
	})
	settings := map[string]any{"apply_ahead_days": 30, "review_days": 5, "approval_days": 15, "notice_days": 5, "civil_dept_id": c.dept, "legal_dept_id": c.dept}
	// Each review by its own department.
	if st, body, _ := b.call(t, c.admin, "PUT", "/api/v1/access/settings", settings); st != 422 || !strings.Contains(problemAt(t, body, "body.legal_dept_id"), "不同部门") {
		t.Fatalf("one department for both reviews: %d %v", st, body)
	}
	settings["legal_dept_id"] = sifa
	if st, body, _ := b.call(t, c.admin, "PUT", "/api/v1/access/settings", settings); st != 200 || body["confirm_by"] != "03-31" {
		t.Fatalf("settings: %d %v", st, body)
	}
	return b.newMember(t, c.tenant, sifa, tenants.RoleDepartmentStaff), b.newMember(t, c.tenant, c.tenant.County.ID, tenants.RoleCountyAdmin)
}

// The rest of the admission and dispatch rules of brief §2 through HTTP, with River's workers
// on a stub clock: a department withdraws its request and the code is free again; a county
// admin stops one during its notice; 费随事转 is a 422 on the funding field and a 409 at
// dispatch; the yearly re-confirmation sweep lapses an item after the county's deadline, tells
// its department, and a late re-confirmation brings it back.
func TestAccessLawThroughTheAPI(t *testing.T) {
	t.Parallel()
	clk := clock.NewStub(time.Date(2026, 11, 2, 9, 0, 0, 0, clock.Zone)) // a Monday
	b := setupWith(t, clk)
	c := b.newCounty(t)
	admin2 := b.newMember(t, c.tenant, c.tenant.County.ID, tenants.RoleCountyAdmin)
	admin3 := b.newMember(t, c.tenant, c.tenant.County.ID, tenants.RoleCountyAdmin)

	// Settings: the re-confirmation deadline is a month-day every year has.
	settings := map[string]any{"apply_ahead_days": 30, "review_days": 5, "approval_days": 15, "notice_days": 5, "confirm_by": "02-29"}
	if st, body, _ := b.call(t, c.admin, "PUT", "/api/v1/access/settings", settings); st != 422 || !strings.Contains(problemAt(t, body, "body.confirm_by"), "2 月 29 日") {
		t.Fatalf("02-29 as the deadline: %d %v", st, body)
	}

	// 费随事转: an assist item states its funding, in the admin's entry and in an application.
	item := map[string]any{"code": "XZ-MZ-100", "kind": "assist", "name": "低保对象入户核查协助", "legal_basis": "《社会救助暂行办法》第十一条",
		"department_id": c.dept, "scope_unit_ids": []string{}, "funding": "none", "funding_amount": 0, "ledgers": 1, "reports": 0, "inspections": 0,
		"hours_per_year": 10, "effective_from": "2026-01-01"}
	if st, body, _ := b.call(t, c.admin, "POST", "/api/v1/access/items", item); st != 422 || !strings.Contains(problemAt(t, body, "body.funding"), "费随事转") {
		t.Fatalf("an unfunded assist item was entered: %d %v", st, body)
	}
	app := map[string]any{"code": "XZ-MZ-101", "kind": "assist", "name": "高龄津贴资格核查协助", "legal_basis": "《老年人权益保障法》",
		"scope_unit_ids": []string{}, "funding": "none", "funding_amount": 0, "ledgers": 0, "reports": 0, "inspections": 0, "hours_per_year": 8,
		"requested_start": "2026-12-14"}
	if st, body, _ := b.call(t, c.deptM, "POST", "/api/v1/access/requests", app); st != 422 || !strings.Contains(problemAt(t, body, "body.funding"), "费随事转") {
		t.Fatalf("an unfunded assist item was applied for: %d %v", st, body)
	}
	item["funding"], item["funding_amount"] = "per_task", 5000
	st, body, _ := b.call(t, c.admin, "POST", "/api/v1/access/items", item)
	if st != 201 {
		t.Fatalf("enter the item: %d %v", st, body)
	}
	itemID := body["item"].(map[string]any)["id"].(string)

	// Withdrawn by its department: the code is free again.
	app["funding"], app["funding_amount"] = "per_year", 100000
	st, body, hdr := b.call(t, c.deptM, "POST", "/api/v1/access/requests", app)
	if st != 201 || body["request"].(map[string]any)["can_withdraw"] != true {
		t.Fatalf("apply: %d %v", st, body)
	}
	id := body["request"].(map[string]any)["id"].(string)
	if st, body, _ := b.call(t, c.deptM, "POST", "/api/v1/access/requests", app); st != 422 || !strings.Contains(problemAt(t, body, "body.code"), "办理中") {
		t.Fatalf("the code of an open request was taken twice: %d %v", st, body)
	}
	if st, _, _ := b.call(t, c.admin, "POST", "/api/v1/access/requests/"+id+"/withdraw", map[string]any{"reason": "不需要了"}, "If-Match", hdr.Get("ETag")); st != 403 {
		t.Fatalf("an admin withdrew a department's request: %d", st)
	}
	if st, body, _ := b.call(t, c.deptM, "POST", "/api/v1/access/requests/"+id+"/withdraw", map[string]any{"reason": ""}, "If-Match", hdr.Get("ETag")); st != 422 ||
		problemAt(t, body, "body.reason") == "" {
		t.Fatalf("a withdrawal without a reason: %d %v", st, body)
	}
	st, body, _ = b.call(t, c.deptM, "POST", "/api/v1/access/requests/"+id+"/withdraw", map[string]any{"reason": "经研究由部门自行承担"}, "If-Match", hdr.Get("ETag"))
	if st != 200 || body["request"].(map[string]any)["status"] != "withdrawn" || body["request"].(map[string]any)["status_label"] != "已撤回" {
		t.Fatalf("withdraw: %d %v", st, body)
	}
	st, body, hdr = b.call(t, c.deptM, "POST", "/api/v1/access/requests", app)
	if st != 201 {
		t.Fatalf("the withdrawn request kept its code: %d %v", st, body)
	}
	id = body["request"].(map[string]any)["id"].(string)

	// Three admins take it to the notice (no reviewing departments here); the first stops it.
	for _, m := range []*member{c.admin, admin2, admin3} {
		if st, body, hdr = b.call(t, m, "POST", "/api/v1/access/requests/"+id+"/decide", map[string]any{"decision": "approve"}, "If-Match", hdr.Get("ETag")); st != 200 {
			t.Fatalf("approve: %d %v", st, body)
		}
	}
	if r := body["request"].(map[string]any); r["status"] != "notice" || r["can_stop"] != true || r["can_decide"] != false {
		t.Fatalf("the notice as an admin sees it: %v", r)
	}
	if st, body, _ := b.call(t, c.deptM, "POST", "/api/v1/access/requests/"+id+"/stop", map[string]any{"reason": "有异议"}, "If-Match", hdr.Get("ETag")); st != 403 {
		t.Fatalf("a department stopped the notice: %d %v", st, body)
	}
	st, body, _ = b.call(t, c.admin, "POST", "/api/v1/access/requests/"+id+"/stop", map[string]any{"reason": "公示期间社区提出异议，经核实属部门职责"}, "If-Match", hdr.Get("ETag"))
	if st != 200 || body["request"].(map[string]any)["status"] != "stopped" {
		t.Fatalf("stop: %d %v", st, body)
	}
	steps := body["steps"].([]any)
	if last := steps[len(steps)-1].(map[string]any); last["decision"] != "stop" || !strings.Contains(fmt.Sprint(last["reason"]), "异议") {
		t.Fatalf("history: %v", steps)
	}

	// An assist item from before the rule, without funding, is not dispatched.
	b.db.Ctx(t, c.tenant.ID, func(ctx context.Context) error {
		_, err := tenants.DB(ctx).NewRaw("UPDATE access_items SET funding_kind = 'none', funding_amount = 0 WHERE tenant_id = ? AND id = ?", tenants.CurrentID(ctx), itemID).Exec(ctx)
		return err
	})
	task := map[string]any{"item_id": itemID, "title": "入户核查", "community_ids": []any{c.community}, "due_days": 5, "expected_hours": 2}
	st, body, _ = b.call(t, c.deptM, "POST", "/api/v1/access/dispatch", task)
	if st != 409 || body["code"] != "intercepted_no_funding" || !strings.Contains(fmt.Sprint(body["message"]), "费随事转") || body["message_en"] == "" {
		t.Fatalf("unfunded dispatch: %d %v", st, body)
	}
	_, _, hdr = b.call(t, c.admin, "GET", "/api/v1/access/items/"+itemID, nil)
	content := map[string]any{}
	for k, v := range item {
		content[k] = v
	}
	delete(content, "effective_from")
	if st, body, _ := b.call(t, c.admin, "PUT", "/api/v1/access/items/"+itemID, map[string]any{"content": content, "reason": "补充经费"}, "If-Match", hdr.Get("ETag")); st != 200 {
		t.Fatalf("add the funding: %d %v", st, body)
	}
	if st, body, _ := b.call(t, c.deptM, "POST", "/api/v1/access/dispatch", task); st != 201 {
		t.Fatalf("funded dispatch: %d %v", st, body)
	}

	// The sweep after the deadline (03-31 by default) lapses the item not re-confirmed for 2027.
	clk.StubNow(time.Date(2027, 4, 1, 9, 0, 0, 0, clock.Zone))
	if err := b.store.InTx(context.Background(), c.tenant.ID, func(ctx context.Context) error {
		_, err := tenants.Enqueue(ctx, access.SweepArgs{TenantID: c.tenant.ID}, nil)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the sweep to lapse the item", func() bool {
		_, body, _ := b.call(t, c.admin, "GET", "/api/v1/access/items/"+itemID, nil)
		return body["item"] != nil && body["item"].(map[string]any)["status"] == "lapsed"
	})
	_, body, _ = b.call(t, c.admin, "GET", "/api/v1/access/items/"+itemID, nil)
	if v := body["versions"].([]any)[0].(map[string]any); v["action"] != "lapse" || !strings.Contains(fmt.Sprint(v["reason"]), "2027-03-31") {
		t.Fatalf("history: %v", v)
	}
	if !strings.Contains(fmt.Sprint(b.notifications(t, c.deptM)), "清单事项已失效：低保对象入户核查协助") {
		t.Fatal("the department was not told of the lapse")
	}
	if st, body, _ := b.call(t, c.deptM, "POST", "/api/v1/access/dispatch", task); st != 409 || body["code"] != "intercepted_not_in_force" {
		t.Fatalf("dispatch under a lapsed item: %d %v", st, body)
	}
	st, body, _ = b.call(t, c.admin, "POST", "/api/v1/access/items/"+itemID+"/confirm", map[string]any{"year": 2027})
	if st != 200 || body["item"].(map[string]any)["status"] != "in_force" || body["versions"].([]any)[0].(map[string]any)["action"] != "reconfirm" {
		t.Fatalf("late re-confirmation: %d %v", st, body)
	}
	if st, body, _ := b.call(t, c.deptM, "POST", "/api/v1/access/dispatch", task); st != 201 {
		t.Fatalf("dispatch after the re-confirmation: %d %v", st, body)
	}
	// Entering an adopted item confirms it for this year; recorded as last confirmed for 2026, it
	// is overdue, and saving the settings runs the year's check at once: it lapses then.
	item["code"], item["name"] = "XZ-MZ-102", "困难群众走访协助"
	st, body, _ = b.call(t, c.admin, "POST", "/api/v1/access/items", item)
	if st != 201 || body["item"].(map[string]any)["unconfirmed"] != false || body["item"].(map[string]any)["confirmed_year"] != float64(2027) {
		t.Fatalf("enter an item: %d %v", st, body)
	}
	late := body["item"].(map[string]any)["id"].(string)
	if st, body, _ = b.call(t, c.admin, "POST", "/api/v1/access/items/"+late+"/confirm", map[string]any{"year": 2026}); st != 200 || body["item"].(map[string]any)["unconfirmed"] != true {
		t.Fatalf("last confirmed for 2026: %d %v", st, body)
	}
	settings["confirm_by"] = "03-31"
	if st, body, _ := b.call(t, c.admin, "PUT", "/api/v1/access/settings", settings); st != 200 {
		t.Fatalf("settings: %d %v", st, body)
	}
	if _, body, _ = b.call(t, c.admin, "GET", "/api/v1/access/items/"+late, nil); body["item"].(map[string]any)["status"] != "lapsed" {
		t.Fatalf("saving the settings did not run the check: %v", body["item"])
	}
}

func (b *testBundle) notifications(t *testing.T, m *member) any {
	t.Helper()
	_, body, _ := b.call(t, m, "GET", "/api/v1/notifications?limit=50", nil)
	return body["items"]
}
