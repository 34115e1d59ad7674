package server_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"github.com/yichuang/yichuang/services/auditlog"
	"github.com/yichuang/yichuang/services/clock"
)

// TestAuditLedger: the audit log reads like a ledger — Chinese action names, objects by name
// with a link, labelled details — and filters by person, action, object and date.
func TestAuditLedger(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newCounty(t)
	itemID := b.publishItem(t, c, "11370000MB1234567X4000117003")

	// The ID number pasted in its printed groups is stored as its 18 characters.
	intake := map[string]any{"item_id": itemID,
		"applicant": map[string]any{"kind": "person", "name": "王秀兰", "id_no": " 110105 19491231\u3000002x ", "phone": "13912345678"},
		"materials": []map[string]any{{"key": "id", "provided": true}}}
	status, app, _ := b.call(t, c.clerk, "POST", "/api/v1/applications", intake, "Idempotency-Key", "audit-"+uuid.NewString()[:8])
	if status != http.StatusCreated {
		t.Fatalf("intake with a spaced ID number: %d %v", status, app)
	}
	appID := app["id"].(string)
	if status, body, _ := b.call(t, c.clerk, "POST", "/api/v1/applications/"+appID+"/reveal-id", nil); status != http.StatusOK || body["id_number"] != "11010519491231002X" {
		t.Errorf("stored ID number: %d %v, want the 18 characters", status, body)
	}
	// An empty ID number is refused on its field.
	intake["applicant"].(map[string]any)["id_no"] = ""
	status, body, _ := b.call(t, c.clerk, "POST", "/api/v1/applications", intake, "Idempotency-Key", "audit-"+uuid.NewString()[:8])
	if status != http.StatusUnprocessableEntity || !hasFieldError(body, "body.applicant.id_no", "请填写") {
		t.Errorf("empty ID number: %d %v", status, body)
	}

	list := func(query string) []map[string]any {
		t.Helper()
		status, body, _ := b.call(t, c.admin, "GET", "/api/v1/audit-events?limit=200&"+query, nil)
		if status != http.StatusOK {
			t.Fatalf("audit-events?%s: %d %v", query, status, body)
		}
		var out []map[string]any
		for _, e := range body["items"].([]any) {
			out = append(out, e.(map[string]any))
		}
		return out
	}

	// By action: 发布事项, the item by its name, linked.
	pub := list("action=item.publish")
	if len(pub) != 1 {
		t.Fatalf("action=item.publish: %d rows", len(pub))
	}
	obj := pub[0]["object"].(map[string]any)
	if pub[0]["action_label"] != "发布事项" || obj["name"] != "临时救助申请" || obj["link"] != "/catalogue/"+itemID || obj["kind_label"] != "事项" {
		t.Errorf("item.publish row: %v", pub[0])
	}

	// The intake: 窗口收件, the application linked, details labelled.
	in := list("action=application.intake")
	if len(in) != 1 {
		t.Fatalf("action=application.intake: %d rows", len(in))
	}
	obj = in[0]["object"].(map[string]any)
	if in[0]["action_label"] != "窗口收件" || obj["link"] != "/applications/"+appID || !strings.Contains(obj["name"].(string), "临时救助申请") {
		t.Errorf("intake row: %v", in[0])
	}
	labels := map[string]string{}
	for _, d := range in[0]["details"].([]any) {
		d := d.(map[string]any)
		labels[d["label"].(string)] = d["value"].(string)
	}
	if labels["事项"] != "临时救助申请" || labels["新状态"] != "已接件" {
		t.Errorf("intake details: %v", in[0]["details"])
	}

	// By person: the clerk's rows only, and the intake among them.
	clerk := c.clerk.m.IdentityID.String()
	rows := list("actor_id=" + clerk)
	if len(rows) == 0 {
		t.Fatal("no rows of the clerk")
	}
	for _, r := range rows {
		if r["actor_id"] != clerk {
			t.Errorf("actor filter let through %v", r)
		}
	}
	// By object: the application's rows only (its intake, and the audited look at the full
	// ID number above).
	rows = list("target_type=application&target_id=" + appID)
	if len(rows) != 2 || rows[0]["target_id"] != appID || rows[1]["target_id"] != appID {
		t.Errorf("object filter: %v", rows)
	}
	// By date, in the county's calendar.
	today := time.Now().In(clock.Zone)
	if n := len(list("from=" + today.Format("2006-01-02") + "&to=" + today.Format("2006-01-02"))); n < 3 {
		t.Errorf("today's rows: %d", n)
	}
	if n := len(list("from=" + today.AddDate(0, 0, 1).Format("2006-01-02"))); n != 0 {
		t.Errorf("rows from tomorrow: %d", n)
	}
	if n := len(list("to=" + today.AddDate(0, 0, -1).Format("2006-01-02"))); n != 0 {
		t.Errorf("rows until yesterday: %d", n)
	}
	// A filter naming what does not exist is the caller's mistake, said on its field.
	for q, loc := range map[string]string{"action=item.nope": "query.action", "actor_id=someone": "query.actor_id", "from=2026-13-01": "query.from", "target_type=nope": "query.target_type"} {
		status, body, _ := b.call(t, c.admin, "GET", "/api/v1/audit-events?"+q, nil)
		if status != http.StatusUnprocessableEntity || !hasFieldError(body, loc, "") {
			t.Errorf("%s: %d %v", q, status, body)
		}
	}
	// Every label, for the filter.
	_, acts, _ := b.call(t, c.admin, "GET", "/api/v1/audit-actions", nil)
	found := false
	for _, a := range acts["actions"].([]any) {
		a := a.(map[string]any)
		found = found || (a["code"] == "application.accept" && a["label"] == "受理")
	}
	if !found {
		t.Errorf("audit-actions lacks application.accept → 受理: %v", acts)
	}
	// The clerk may not read the log.
	if status, _, _ := b.call(t, c.clerk, "GET", "/api/v1/audit-events", nil); status != http.StatusForbidden {
		t.Errorf("clerk reads the audit log: %d", status)
	}
}

// TestAuditExport: the filtered ledger as an Excel sheet with Chinese headers; the export is
// audited.
func TestAuditExport(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newCounty(t)
	b.publishItem(t, c, "11370000MB1234567X4000117004")

	raw := b.download(t, c.admin, "/api/v1/audit-events/export?"+url.Values{"action": {"item.publish"}}.Encode())
	f, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("open the export: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows("审计日志")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("want title, header and one row; got %d rows: %v", len(rows), rows)
	}
	if got := strings.Join(rows[1], ","); got != strings.Join(auditlog.Headers, ",") || !strings.HasPrefix(rows[1][0], "序号") {
		t.Errorf("headers %q", got)
	}
	row := rows[2]
	if row[3] != "发布事项" || row[4] != "item.publish" || row[5] != "事项" || row[6] != "临时救助申请" || !strings.Contains(row[7], "实施编码：11370000MB1234567X4000117004") {
		t.Errorf("row %q", row)
	}
	// The export is itself in the log, with what was exported.
	_, body, _ := b.call(t, c.admin, "GET", "/api/v1/audit-events?action=audit.export", nil)
	items := body["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["action_label"] != "导出审计日志" {
		t.Errorf("audit.export rows: %v", items)
	}
	// A bad filter is refused before anything is written.
	status, body, _ := b.call(t, c.admin, "GET", "/api/v1/audit-events/export?from=2026-02-30", nil)
	if status != http.StatusUnprocessableEntity || !hasFieldError(body, "query.from", "") {
		t.Errorf("bad date: %d %v", status, body)
	}
}

func hasFieldError(body map[string]any, loc, contains string) bool {
	errs, _ := body["errors"].([]any)
	for _, e := range errs {
		e, _ := e.(map[string]any)
		if e["location"] == loc && strings.Contains(e["message"].(string), contains) {
			return true
		}
	}
	return false
}
