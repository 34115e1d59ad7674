package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/yichuang/yichuang/services/clock"
)

// The admission workflow end to end through HTTP with River on a stub clock: apply →
// 民政审核 → 合法性审查 → 联席会议审定 → 公示, the notice's end makes the item effective by
// itself, the public list shows it, a department dispatches under it, the community answers,
// a dispatch outside the lists is refused and recorded, and the burden statistics count both.
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
	for _, want := range []string{"legal_review", "joint_meeting", "notice"} {
		st, body, hdr = b.call(t, c.admin, "POST", "/api/v1/access/requests/"+id+"/decide", map[string]any{"decision": "approve"}, "If-Match", hdr.Get("ETag"))
		if st != 200 || body["request"].(map[string]any)["status"] != want {
			t.Fatalf("approve → %s: %d %v", want, st, body)
		}
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
	if len(body["tasks"].([]any)) != 1 {
		t.Fatalf("community tasks: %v", body)
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
