package server_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// The resident's side through HTTP: look up by receipt and phone digits (throttled), rate
// after 办结 through the QR token, the 差评 opens a case the hall calls back and rectifies,
// one re-rating, and the indicators count it.
func TestStatusAndRatingThroughTheAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newCounty(t)
	itemID := b.publishItem(t, c, "STATUS-"+strings.ToUpper(uuid.NewString()[:8]))
	act := func(m *member, app map[string]any, action string, body map[string]any) map[string]any {
		t.Helper()
		if body == nil {
			body = map[string]any{}
		}
		st, out, _ := b.call(t, m, "POST", "/api/v1/applications/"+app["id"].(string)+"/actions/"+action, body,
			"If-Match", strconv.Itoa(int(app["version"].(float64))))
		if st != http.StatusOK {
			t.Fatalf("%s: %d %v", action, st, out)
		}
		return out
	}
	intake := map[string]any{"item_id": itemID,
		"applicant": map[string]any{"kind": "person", "name": "王秀兰", "id_no": "110105198503120020", "phone": "13912345678"},
		"materials": []map[string]any{{"key": "id", "provided": true}, {"key": "hukou", "provided": true}}}
	st, app, _ := b.call(t, c.clerk, "POST", "/api/v1/applications", intake)
	if st != http.StatusCreated {
		t.Fatalf("intake: %d %v", st, app)
	}
	app = act(c.clerk, app, "accept", nil)
	receipt := app["receipt_no"].(string)
	public := "/api/v1/public/" + c.tenant.Code + "/status"

	// Anyone may look up with the right digits; the answer has nothing personal.
	st, view, _ := b.call(t, nil, "POST", public+"/lookup", map[string]any{"receipt_no": receipt, "phone_last4": "5678"})
	if st != 200 || view["state_label"] != "已受理" || view["rating"].(map[string]any)["can_rate"] != false {
		t.Fatalf("lookup: %d %v", st, view)
	}
	if s := fmt.Sprint(view); strings.Contains(s, "王秀兰") || strings.Contains(s, "13912345678") {
		t.Fatalf("public view leaks personal data: %s", s)
	}
	token := view["token"].(string)
	if st, body, _ := b.call(t, nil, "POST", public+"/"+token+"/rating", map[string]any{"score": 5}); st != 409 {
		t.Fatalf("rated before completion: %d %v", st, body)
	}
	// Wrong digits: 404 five times, then 429 for this receipt even with the right digits.
	for i := range 5 {
		if st, _, _ := b.call(t, nil, "POST", public+"/lookup", map[string]any{"receipt_no": receipt, "phone_last4": fmt.Sprintf("000%d", i)}); st != 404 {
			t.Fatalf("wrong try %d: %d", i, st)
		}
	}
	if st, body, _ := b.call(t, nil, "POST", public+"/lookup", map[string]any{"receipt_no": receipt, "phone_last4": "5678"}); st != 429 || body["code"] != "too_many_tries" {
		t.Fatalf("throttled lookup: %d %v", st, body)
	}
	// The QR token still works (the same client address was not the one locked... it was:
	// every try above came from this test's address, which now has five failures too).
	if st, _, _ := b.call(t, nil, "GET", public+"/"+token, nil); st != 429 {
		t.Fatalf("token lookup from a locked address: %d", st)
	}

	app = act(c.clerk, app, "route", nil)
	app = act(c.deptM, app, "approve", map[string]any{"reason": "符合条件"})
	// A different county's code does not find it, and an unknown county is a 404.
	if st, _, _ := b.call(t, nil, "GET", "/api/v1/public/nosuchcounty/status/"+token, nil); st != 404 {
		t.Fatalf("unknown county: %d", st)
	}

	// Lift the address lock the way the window would: the throttle's rows are the county's.
	b.db.Owner.Exec(t.Context(), "DELETE FROM status_lookups WHERE tenant_id = $1", c.tenant.ID)
	st, view, _ = b.call(t, nil, "POST", public+"/"+token+"/rating", map[string]any{"score": 1, "comment": "排队太久", "indicators": []string{"指引清楚"}})
	if st != 200 || view["rating"].(map[string]any)["rectification"] != "pending" {
		t.Fatalf("差评: %d %v", st, view)
	}
	if st, _, _ := b.call(t, c.worker, "GET", "/api/v1/ratings/cases", nil); st != 403 {
		t.Fatalf("a community worker read the cases: %d", st)
	}
	_, cases, _ := b.call(t, c.clerk, "GET", "/api/v1/ratings/cases", nil)
	cs := cases["cases"].([]any)
	if len(cs) != 1 {
		t.Fatalf("cases: %v", cases)
	}
	caseID := cs[0].(map[string]any)["id"].(string)
	st, body, hdr := b.call(t, c.clerk, "POST", "/api/v1/ratings/cases/"+caseID, map[string]any{"action": "callback", "note": "已电话回访"}, "If-Match", `"1"`)
	if st != 200 || body["status"] != "in_progress" {
		t.Fatalf("callback: %d %v", st, body)
	}
	if st, body, _ = b.call(t, c.clerk, "POST", "/api/v1/ratings/cases/"+caseID, map[string]any{"action": "complete", "note": "增设取号引导"}, "If-Match", hdr.Get("ETag")); st != 200 || body["status"] != "done" {
		t.Fatalf("complete: %d %v", st, body)
	}
	if st, view, _ = b.call(t, nil, "POST", public+"/"+token+"/rating", map[string]any{"score": 4}); st != 200 || len(view["rating"].(map[string]any)["given"].([]any)) != 2 {
		t.Fatalf("re-rating: %d %v", st, view)
	}
	// The clerk's worker record shows the ratings of the services the clerk gave.
	st, w, _ := b.call(t, c.admin, "POST", "/api/v1/workers", map[string]any{"id_number": "110105198001010016", "name": "窗口人员",
		"org_unit_id": c.community, "post": "staff", "hired": "2020-01-01", "reason": "建档", "approver": "县级管理员"})
	if st != http.StatusCreated {
		t.Fatalf("hire: %d %v", st, w)
	}
	wid := w["id"].(string)
	if st, body, _ := b.call(t, c.admin, "PUT", "/api/v1/workers/"+wid+"/identity", map[string]any{"identity_id": c.clerk.m.IdentityID}); st != 200 {
		t.Fatalf("link: %d %v", st, body)
	}
	_, wd, _ := b.call(t, c.admin, "GET", "/api/v1/workers/"+wid, nil)
	if rs, _ := wd["ratings"].([]any); len(rs) != 2 || rs[0].(map[string]any)["receipt_no"] != receipt {
		t.Fatalf("worker's ratings: %v", wd["ratings"])
	}
	_, rep, _ := b.call(t, c.admin, "GET", "/api/v1/ratings/indicators?from=2020-01-01&to=2030-12-31", nil)
	total := rep["total"].(map[string]any)
	if total["events"] != float64(1) || total["bad"] != float64(1) || total["unrated_rate"] != float64(0) {
		t.Fatalf("indicators: %v", rep)
	}
}
