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
	if st, body, h := b.call(t, nil, "POST", public+"/lookup", map[string]any{"receipt_no": receipt, "phone_last4": "5678"}); st != 429 || body["code"] != "too_many_tries" || h.Get("Retry-After") == "" {
		t.Fatalf("throttled lookup: %d %v", st, body)
	}
	// The QR token still works, from the very address that made the wrong tries: a valid token
	// is never throttled (status_throttle_test.go has the rest of the rules).
	if st, _, _ := b.call(t, nil, "GET", public+"/"+token, nil); st != 200 {
		t.Fatalf("token lookup after wrong tries: %d", st)
	}

	app = act(c.clerk, app, "route", nil)
	app = act(c.deptM, app, "approve", map[string]any{"reason": "符合条件"})
	// A different county's code does not find it, and an unknown county is a 404.
	if st, _, _ := b.call(t, nil, "GET", "/api/v1/public/nosuchcounty/status/"+token, nil); st != 404 {
		t.Fatalf("unknown county: %d", st)
	}

	// After 不满意 the resident ticks problems: the page offers them apart from the praise, and
	// a 差评 with a praise chip is refused on the field.
	good, bad := fmt.Sprint(view["indicators"]), fmt.Sprint(view["bad_indicators"])
	if !strings.Contains(good, "服务态度好") || !strings.Contains(bad, "服务态度差") || strings.Contains(bad, "服务态度好") {
		t.Fatalf("indicators %s, bad_indicators %s", good, bad)
	}
	if st, body, _ := b.call(t, nil, "POST", public+"/"+token+"/rating", map[string]any{"score": 2, "indicators": []string{"指引清楚"}}); st != 422 ||
		!strings.Contains(fmt.Sprint(body["errors"]), "body.indicators[0]") {
		t.Fatalf("a 差评 with a praise chip: %d %v", st, body)
	}
	st, view, _ = b.call(t, nil, "POST", public+"/"+token+"/rating", map[string]any{"score": 1, "comment": "排队太久", "indicators": []string{"指引不清", "多次跑腿"}})
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
	// The case says what went wrong and whom to call: the hall's clerk, who handles it, sees
	// the phone (a community worker was refused the list above).
	if c0 := cs[0].(map[string]any); fmt.Sprint(c0["indicators"]) != "[指引不清 多次跑腿]" || c0["applicant_phone"] != "13912345678" {
		t.Fatalf("the case's problems and phone: %v %v", c0["indicators"], c0["applicant_phone"])
	}
	// 国办发〔2019〕51号: the 差评 is called back, and the callback is its own step; closing the
	// case as 整改完成 before it is refused and invents nothing.
	if st, body, _ := b.call(t, c.clerk, "POST", "/api/v1/ratings/cases/"+caseID, map[string]any{"action": "complete", "note": "增设取号引导"}, "If-Match", `"1"`); st != 409 || body["code"] != "callback_required" {
		t.Fatalf("complete before the callback: %d %v", st, body)
	}
	if st, body, _ := b.call(t, c.clerk, "POST", "/api/v1/ratings/cases/"+caseID, map[string]any{"action": "callback", "note": "已电话回访"}, "If-Match", `"1"`); st != 422 {
		t.Fatalf("a callback as a closing action: %d %v", st, body)
	}
	if st, body, _ := b.call(t, c.clerk, "POST", "/api/v1/ratings/cases/"+caseID+"/callbacks", map[string]any{"method": "phone", "outcome": "reached", "note": "好"}, "If-Match", `"1"`); st != 422 {
		t.Fatalf("a callback without what was said: %d %v", st, body)
	}
	st, body, hdr := b.call(t, c.clerk, "POST", "/api/v1/ratings/cases/"+caseID+"/callbacks",
		map[string]any{"method": "phone", "outcome": "reached", "note": "已电话回访，评价人反映排队时间长"}, "If-Match", `"1"`)
	if st != 200 || body["status"] != "in_progress" || body["callback_at"] == nil || hdr.Get("ETag") != `"2"` {
		t.Fatalf("callback: %d %v", st, body)
	}
	steps := body["steps"].([]any)
	if cb := steps[len(steps)-1].(map[string]any); len(steps) != 2 || cb["kind"] != "callback" || cb["actor_id"] != c.clerk.m.IdentityID.String() ||
		cb["method"] != "phone" || cb["outcome"] != "reached" || cb["note"] != "已电话回访，评价人反映排队时间长" || cb["at"] == nil {
		t.Fatalf("callback step: %v", steps)
	}
	if st, body, _ = b.call(t, c.clerk, "POST", "/api/v1/ratings/cases/"+caseID, map[string]any{"action": "complete", "note": "增设取号引导"}, "If-Match", hdr.Get("ETag")); st != 200 || body["status"] != "done" {
		t.Fatalf("complete: %d %v", st, body)
	}
	_, cases, _ = b.call(t, c.clerk, "GET", "/api/v1/ratings/cases", nil)
	kinds := []string{}
	for _, s := range cases["cases"].([]any)[0].(map[string]any)["steps"].([]any) {
		kinds = append(kinds, s.(map[string]any)["kind"].(string))
	}
	if strings.Join(kinds, ",") != "opened,callback,complete" {
		t.Fatalf("the case's history: %v", kinds)
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

	// The brief, after 国办发〔2019〕51号: a 不予受理 and a withdrawn application are service
	// events too (一事一评); residents rate them and the indicators count them.
	st, rejected, _ := b.call(t, c.clerk, "POST", "/api/v1/applications", intake)
	if st != http.StatusCreated {
		t.Fatalf("intake: %d %v", st, rejected)
	}
	rejected = act(c.clerk, rejected, "reject", map[string]any{"reason": "不属于本机关职权范围"})
	st, withdrawn, _ := b.call(t, c.clerk, "POST", "/api/v1/applications", intake)
	if st != http.StatusCreated {
		t.Fatalf("intake: %d %v", st, withdrawn)
	}
	withdrawn = act(c.clerk, act(c.clerk, withdrawn, "accept", nil), "withdraw", map[string]any{"reason": "申请人主动撤回"})
	// The rejection has no receipt number: the resident comes through the QR code its 不予受理
	// 通知书 prints (the notice's token, made with the step).
	var rejToken string
	if err := b.db.Owner.QueryRow(t.Context(), "SELECT status_token FROM applications WHERE tenant_id = $1 AND id = $2", c.tenant.ID, rejected["id"]).Scan(&rejToken); err != nil || rejToken == "" {
		t.Fatalf("the rejection notice's token: %q %v", rejToken, err)
	}
	if st, view, _ = b.call(t, nil, "GET", public+"/"+rejToken, nil); st != 200 || view["state"] != "rejected" || view["rating"].(map[string]any)["can_rate"] != true {
		t.Fatalf("a rejected application's page: %d %v", st, view)
	}
	if st, view, _ = b.call(t, nil, "POST", public+"/"+rejToken+"/rating", map[string]any{"score": 3}); st != 200 {
		t.Fatalf("rating a rejection: %d %v", st, view)
	}
	st, view, _ = b.call(t, nil, "POST", public+"/lookup", map[string]any{"receipt_no": withdrawn["receipt_no"], "phone_last4": "5678"})
	if st != 200 || view["state"] != "withdrawn" || view["rating"].(map[string]any)["can_rate"] != true {
		t.Fatalf("a withdrawn application's page: %d %v", st, view)
	}
	if st, view, _ = b.call(t, nil, "POST", public+"/"+view["token"].(string)+"/rating", map[string]any{"score": 5}); st != 200 {
		t.Fatalf("rating a withdrawal: %d %v", st, view)
	}
	// Three events now, rated 1 (round 1), 3 and 5: 基本满意 counts as 好评 by default.
	_, rep, _ = b.call(t, c.admin, "GET", "/api/v1/ratings/indicators?from=2020-01-01&to=2030-12-31", nil)
	total = rep["total"].(map[string]any)
	if total["events"] != float64(3) || total["rated"] != float64(3) || total["good"] != float64(2) || total["good_rate"] != 0.6667 ||
		rep["good_min_score"] != float64(3) || rep["good_levels"] != "非常满意、满意、基本满意" {
		t.Fatalf("indicators with the rejection and the withdrawal: %v", rep)
	}
	// Which levels are 好评 is the county's setting; 差评 levels never are.
	_, settings, _ := b.call(t, c.admin, "GET", "/api/v1/ratings/settings", nil)
	if settings["good_min_score"] != float64(3) {
		t.Fatalf("default rating settings: %v", settings)
	}
	settings["good_min_score"] = 2
	if st, body, _ := b.call(t, c.admin, "PUT", "/api/v1/ratings/settings", settings); st != 422 {
		t.Fatalf("不满意 as 好评: %d %v", st, body)
	}
	settings["good_min_score"] = 4
	if st, body, _ := b.call(t, c.admin, "PUT", "/api/v1/ratings/settings", settings); st != 200 || body["good_min_score"] != float64(4) {
		t.Fatalf("满意 and above: %d %v", st, body)
	}
	_, rep, _ = b.call(t, c.admin, "GET", "/api/v1/ratings/indicators?from=2020-01-01&to=2030-12-31", nil)
	if total = rep["total"].(map[string]any); total["good"] != float64(1) || rep["good_levels"] != "非常满意、满意" {
		t.Fatalf("indicators under 满意 and above: %v", rep)
	}
}
