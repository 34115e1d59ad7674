package server_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// 环节时限 through HTTP: the catalogue refuses steps that do not fit in the item's limit
// (行政许可法 art. 42: the decision comes within the limit) with a field error in Chinese and
// English; an application of an item with steps shows the current one, and 完成环节 (with
// If-Match, like every step) moves it to the next.
func TestStagesThroughTheAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newCounty(t)
	item := map[string]any{
		"base_code": "000172001000", "impl_code": "STAGES-" + strings.ToUpper(uuid.NewString()[:8]), "name": "临时救助申请", "kind": "payment",
		"department_id": c.dept, "legal_basis": "《社会救助暂行办法》第四十七条", "levels": []string{"township"}, "conditions": "",
		"materials": []map[string]any{{"key": "id", "name": "居民身份证", "form": "original", "copies": 1, "required": true}},
		"handling":  "promised", "legal_days": 20, "promised_days": 10, "steps": []map[string]any{},
		"stages":    []map[string]any{{"name": "审查", "limit_days": 7}, {"name": "决定", "limit_days": 4}},
		"fee_basis": "", "fee_amount": "不收费", "visits": 1, "consult_phone": "", "complain_phone": "",
	}
	status, body, _ := b.call(t, c.admin, "POST", "/api/v1/items", item)
	errs, _ := body["errors"].([]any)
	if status != http.StatusUnprocessableEntity || len(errs) != 1 {
		t.Fatalf("steps of 11 days in a 10-day limit: %d %v", status, body)
	}
	if e := errs[0].(map[string]any); e["location"] != "body.stages" || !strings.Contains(e["message"].(string), "第四十二条") || e["message_en"] == "" {
		t.Errorf("field error %v, want body.stages citing art. 42 in Chinese and English", e)
	}
	item["stages"] = []map[string]any{{"name": "审查", "limit_days": 6}, {"name": "决定", "limit_days": 4}}
	status, body, h := b.call(t, c.admin, "POST", "/api/v1/items", item)
	if status != http.StatusCreated {
		t.Fatalf("create: %d %v", status, body)
	}
	id := body["id"].(string)
	if status, body, _ = b.call(t, c.admin, "POST", "/api/v1/items/"+id+"/publish", nil, "If-Match", h.Get("ETag")); status != http.StatusOK {
		t.Fatalf("publish: %d %v", status, body)
	}

	act := func(m *member, app map[string]any, action string) (int, map[string]any) {
		t.Helper()
		status, out, _ := b.call(t, m, "POST", "/api/v1/applications/"+app["id"].(string)+"/actions/"+action, map[string]any{},
			"If-Match", strconv.Itoa(int(app["version"].(float64))))
		return status, out
	}
	status, app, _ := b.call(t, c.clerk, "POST", "/api/v1/applications", map[string]any{"item_id": id,
		"applicant": map[string]any{"kind": "person", "name": "王秀兰", "id_no": "11010519491231002X", "phone": "13912345678"},
		"materials": []map[string]any{{"key": "id", "provided": true}}}, "Idempotency-Key", "stages-"+uuid.NewString()[:8])
	if status != http.StatusCreated {
		t.Fatalf("intake: %d %v", status, app)
	}
	if _, ok := app["current_stage"]; ok || len(app["stages"].([]any)) != 0 {
		t.Errorf("before 受理: %v %v", app["current_stage"], app["stages"])
	}
	status, accepted := act(c.clerk, app, "accept")
	cur, _ := accepted["current_stage"].(map[string]any)
	if status != http.StatusOK || cur == nil || cur["name"] != "审查" || cur["due_on"] == "" || cur["warning"] != "normal" || len(accepted["stages"].([]any)) != 2 {
		t.Fatalf("accepted: %d current %v steps %v", status, cur, accepted["stages"])
	}
	// A stale version is refused like any step's.
	if status, out := act(c.clerk, app, "complete_stage"); status != http.StatusPreconditionFailed {
		t.Errorf("complete_stage with a stale If-Match: %d %v", status, out)
	}
	status, done := act(c.clerk, accepted, "complete_stage")
	cur, _ = done["current_stage"].(map[string]any)
	first := done["stages"].([]any)[0].(map[string]any)
	if status != http.StatusOK || cur == nil || cur["name"] != "决定" || first["completed_on"] == "" || first["late"] != false || done["state"] != "accepted" {
		t.Fatalf("completed: %d current %v first %v state %v", status, cur, first, done["state"])
	}
}
