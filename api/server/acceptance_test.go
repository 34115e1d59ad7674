package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

type county struct {
	tenant                      *tenanttest.Tenant
	admin, clerk, worker, deptM *member
	township, community, dept   uuid.UUID
}

// newCounty makes a county with a hall, a community under it, a department and a member of
// each role, signed in through Kratos.
func (b *testBundle) newCounty(t testing.TB) *county {
	t.Helper()
	c := &county{tenant: tenanttest.NewTenant(t, b.db, "验收县")}
	b.db.Ctx(t, c.tenant.ID, func(ctx context.Context) error {
		root := c.tenant.County.ID
		tw, err := tenants.CreateOrgUnit(ctx, tenants.NewOrgUnit{ParentID: &root, Kind: tenants.KindTownship, Name: "城关镇", Code: "cg"})
		if err != nil {
			return err
		}
		cm, err := tenants.CreateOrgUnit(ctx, tenants.NewOrgUnit{ParentID: &tw.ID, Kind: tenants.KindCommunity, Name: "东关社区", Code: "dg"})
		if err != nil {
			return err
		}
		dp, err := tenants.CreateOrgUnit(ctx, tenants.NewOrgUnit{ParentID: &root, Kind: tenants.KindDepartment, Name: "县民政局", Code: "mz"})
		c.township, c.community, c.dept = tw.ID, cm.ID, dp.ID
		return err
	})
	c.admin = b.newMember(t, c.tenant, c.tenant.County.ID, tenants.RoleCountyAdmin)
	c.clerk = b.newMember(t, c.tenant, c.township, tenants.RoleTownshipClerk)
	c.worker = b.newMember(t, c.tenant, c.community, tenants.RoleCommunityWorker)
	c.deptM = b.newMember(t, c.tenant, c.dept, tenants.RoleDepartmentStaff)
	return c
}

func (b *testBundle) publishItem(t testing.TB, c *county, code string) string {
	t.Helper()
	item := map[string]any{
		"base_code": "000172001000", "impl_code": code, "name": "临时救助申请", "kind": "payment", "department_id": c.dept,
		"legal_basis": "《社会救助暂行办法》第四十七条", "levels": []string{"township", "community"}, "conditions": "因意外事件导致基本生活暂时出现严重困难的家庭",
		"materials": []map[string]any{
			{"key": "id", "name": "居民身份证", "form": "original", "copies": 1, "required": true},
			{"key": "hukou", "name": "户口簿", "form": "original", "copies": 1, "required": true},
			{"key": "proxy", "name": "委托书", "form": "original", "copies": 1, "required": false, "condition": "委托他人代办的"},
		},
		"handling": "promised", "legal_days": 20, "promised_days": 10, "steps": []map[string]any{{"name": "入户调查", "limit_days": 5, "counted": false}},
		"fee_basis": "", "fee_amount": "不收费", "visits": 1, "consult_phone": "0314-8021352", "complain_phone": "0314-12345",
	}
	status, body, h := b.call(t, c.admin, "POST", "/api/v1/items", item)
	if status != http.StatusCreated {
		t.Fatalf("create item: %d %v", status, body)
	}
	id := body["id"].(string)
	status, body, _ = b.call(t, c.admin, "POST", "/api/v1/items/"+id+"/publish", nil, "If-Match", h.Get("ETag"))
	if status != http.StatusOK || body["status"] != "published" {
		t.Fatalf("publish: %d %v", status, body)
	}
	return id
}

// waitFor polls until cond holds or the deadline passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(300 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func (b *testBundle) hasNotification(t testing.TB, m *member, kind, appID string) bool {
	t.Helper()
	_, body, _ := b.call(t, m, "GET", "/api/v1/notifications?limit=50", nil)
	items, _ := body["items"].([]any)
	for _, it := range items {
		n := it.(map[string]any)
		if n["kind"] == kind && n["application_id"] == appID {
			return true
		}
	}
	return false
}

// TestLifecycleThroughTheAPI runs one proxy application from the village to the archive
// through HTTP with real sessions, with River's workers running on an injected clock so the
// forwarding and yellow-warning jobs fire when the clock passes their moments.
func TestLifecycleThroughTheAPI(t *testing.T) {
	t.Parallel()
	clk := clock.NewStub(time.Date(2026, 9, 28, 9, 0, 0, 0, clock.Zone))
	b := setupWith(t, clk)
	c := b.newCounty(t)
	itemID := b.publishItem(t, c, "LIFECYCLE-"+strings.ToUpper(uuid.NewString()[:8]))
	cal := workday.National()

	act := func(m *member, app map[string]any, action string, body map[string]any) map[string]any {
		t.Helper()
		if body == nil {
			body = map[string]any{}
		}
		status, out, _ := b.call(t, m, "POST", "/api/v1/applications/"+app["id"].(string)+"/actions/"+action, body,
			"If-Match", strconv.Itoa(int(app["version"].(float64))))
		if status != http.StatusOK {
			t.Fatalf("%s: %d %v", action, status, out)
		}
		return out
	}

	intake := map[string]any{"item_id": itemID,
		"applicant":     map[string]any{"kind": "person", "name": "王秀兰", "id_no": "11010519491231002X", "phone": "13912345678"},
		"materials":     []map[string]any{{"key": "id", "provided": true}},
		"authorization": map[string]any{"signed_on": "2026-09-28", "document": "委托书已签字按手印"}}
	status, app, _ := b.call(t, c.worker, "POST", "/api/v1/applications", intake, "Idempotency-Key", "lifecycle-"+uuid.NewString()[:8])
	if status != http.StatusCreated || app["state"] != "proxy_received" {
		t.Fatalf("proxy intake: %d %v", status, app)
	}
	_, list, _ := b.call(t, c.worker, "GET", "/api/v1/applications", nil)
	if row := list["items"].([]any)[0].(map[string]any); row["promised_due"] != "" || row["received_on"] != "2026-09-28" {
		t.Errorf("worklist row before acceptance: %v", row)
	}
	if due := app["dates"].(map[string]any)["forward_due"]; due != "2026-10-08" {
		t.Errorf("forward due %v, want 2026-10-08 (three working days across National Day)", due)
	}
	id := app["id"].(string)

	// The village does not forward in time: the forwarding job fires on 10-09.
	clk.StubNow(time.Date(2026, 10, 9, 0, 30, 0, 0, clock.Zone))
	waitFor(t, "the forwarding-limit warning", func() bool { return b.hasNotification(t, c.worker, "deadline_forward", id) })
	// Its text messages leave through the outbox: the delivery job hands them to the sender.
	waitFor(t, "the SMS outbox to be sent", func() bool {
		var pending, sent int
		b.db.Ctx(t, c.tenant.ID, func(ctx context.Context) error {
			return tenants.DB(ctx).NewSelect().Table("sms_outbox").
				ColumnExpr("count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status = 'sent')").Where("tenant_id = ?", tenants.CurrentID(ctx)).Scan(ctx, &pending, &sent)
		})
		return pending == 0 && sent > 0
	})

	app = act(c.worker, app, "forward", nil)
	if app["state"] != "received" {
		t.Fatalf("forwarded: %v", app["state"])
	}
	// Accepting with the 户口簿 missing is refused; one correction notice lists it.
	status, body, _ := b.call(t, c.clerk, "POST", "/api/v1/applications/"+id+"/actions/accept", nil, "If-Match", fmt.Sprint(app["version"]))
	if status != http.StatusConflict || body["code"] != "precondition_failed" {
		t.Errorf("accept with a missing material: %d %v", status, body)
	}
	app = act(c.clerk, app, "request_correction", map[string]any{"corrections": []map[string]any{{"key": "hukou", "problem": "missing"}}})
	app = act(c.worker, app, "resubmit", map[string]any{"materials": []map[string]any{{"key": "hukou", "provided": true}}})
	stale := app["version"]
	app = act(c.clerk, app, "accept", nil)
	receipt, _ := app["receipt_no"].(string)
	if app["state"] != "accepted" || !strings.HasPrefix(receipt, "YC20261009") {
		t.Fatalf("accepted: %v %q", app["state"], receipt)
	}
	wantDue := cal.Add(workday.Date{Year: 2026, Month: 10, Day: 9}, 10).String()
	if got := app["dates"].(map[string]any)["promised_due"]; got != wantDue {
		t.Errorf("promised due %v, want %s", got, wantDue)
	}
	// A second clerk deciding on what they saw before is told someone was first.
	status, body, _ = b.call(t, c.clerk, "POST", "/api/v1/applications/"+id+"/actions/accept", nil, "If-Match", fmt.Sprint(stale))
	if status != http.StatusPreconditionFailed || body["code"] != "stale_version" {
		t.Errorf("stale accept: %d %v", status, body)
	}
	app = act(c.clerk, app, "route", nil)
	if !b.hasNotification(t, c.deptM, "handover", id) {
		t.Error("the department was not told of the routed application")
	}

	// The department member's supervisor gets copies of the warnings.
	status, body, _ = b.call(t, c.admin, "PUT", "/api/v1/staff/"+c.deptM.m.IdentityID.String()+"/supervisor",
		map[string]any{"supervisor_id": c.admin.m.IdentityID})
	if status != http.StatusOK || body["supervisor_id"] != c.admin.m.IdentityID.String() {
		t.Fatalf("set supervisor: %d %v", status, body)
	}
	// Two working days before the committed date the yellow job warns the department.
	yellow := cal.YellowFrom(cal.Add(workday.Date{Year: 2026, Month: 10, Day: 9}, 10), 2)
	clk.StubNow(yellow.In(clock.Zone).Add(30 * time.Minute))
	waitFor(t, "the yellow warning", func() bool { return b.hasNotification(t, c.deptM, "deadline_yellow", id) })
	if !b.hasNotification(t, c.admin, "deadline_yellow", id) {
		t.Error("the supervisor got no copy of the yellow warning")
	}
	_, app, _ = b.call(t, c.deptM, "GET", "/api/v1/applications/"+id, nil)
	if app["warning"] != "yellow" || app["levels"].(map[string]any)["promised_due"] != "yellow" {
		t.Errorf("after the yellow moment: warning %v levels %v", app["warning"], app["levels"])
	}

	app = act(c.deptM, app, "approve", map[string]any{"reason": "符合临时救助条件"})
	app = act(c.clerk, app, "deliver", map[string]any{"delivery_method": "window"})
	app = act(c.clerk, app, "archive", nil)
	if app["state"] != "archived" {
		t.Fatalf("archived: %v", app["state"])
	}
	timeline := app["timeline"].([]any)
	var actions []string
	for _, e := range timeline {
		actions = append(actions, e.(map[string]any)["action"].(string))
	}
	if got := strings.Join(actions, ","); got != "proxy_intake,forward,request_correction,resubmit,accept,route,approve,deliver,archive" {
		t.Errorf("timeline %s", got)
	}
	// Anything after the archive is an illegal transition, explained in Chinese.
	status, body, _ = b.call(t, c.clerk, "POST", "/api/v1/applications/"+id+"/actions/withdraw", map[string]any{"reason": "x"}, "If-Match", fmt.Sprint(app["version"]))
	if status != http.StatusConflict || body["code"] != "illegal_transition" || !strings.Contains(body["message"].(string), "已归档") {
		t.Errorf("withdraw an archived application: %d %v", status, body)
	}
	// Each transition is in the audit chain.
	_, events, _ := b.call(t, c.admin, "GET", "/api/v1/audit-events?limit=200", nil)
	n := 0
	for _, e := range events["items"].([]any) {
		if e.(map[string]any)["target_id"] == id {
			n++
		}
	}
	if n != len(timeline) {
		t.Errorf("%d audit rows for %d timeline events", n, len(timeline))
	}
	// The worklist filters by state and paginates by cursor.
	_, list, _ = b.call(t, c.clerk, "GET", "/api/v1/applications?state=archived&limit=1", nil)
	if items := list["items"].([]any); len(items) != 1 || items[0].(map[string]any)["applicant_id_no"] != "110105********002X" {
		t.Errorf("worklist: %v", list)
	}
}

func TestCalendarDueAndSettings(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newCounty(t)
	status, body, _ := b.call(t, c.clerk, "GET", "/api/v1/calendar/due?from=2024-09-30&days=1&explain=true", nil)
	if status != http.StatusOK || body["due"] != "2024-10-08" || len(body["steps"].([]any)) != 8 {
		t.Errorf("due: %d %v", status, body)
	}
	status, body, _ = b.call(t, c.clerk, "GET", "/api/v1/calendar/due?from=2024-02-30&days=1", nil)
	if status != http.StatusUnprocessableEntity {
		t.Errorf("impossible date: %d %v", status, body)
	}
	// The county closes 2024-10-08 (a flood): the due date moves for this county only.
	status, body, _ = b.call(t, c.admin, "PUT", "/api/v1/calendar/overrides/2024-10-08", map[string]any{"working": false, "reason": "防汛停止办公"})
	if status != http.StatusNoContent {
		t.Fatalf("set closure: %d %v", status, body)
	}
	_, body, _ = b.call(t, c.clerk, "GET", "/api/v1/calendar/due?from=2024-09-30&days=1", nil)
	if body["due"] != "2024-10-09" {
		t.Errorf("after the closure: %v", body["due"])
	}
	other := b.newCounty(t)
	_, body, _ = b.call(t, other.clerk, "GET", "/api/v1/calendar/due?from=2024-09-30&days=1", nil)
	if body["due"] != "2024-10-08" {
		t.Errorf("another county sees the closure: %v", body["due"])
	}
	// Clerks may not change the calendar.
	status, _, _ = b.call(t, c.clerk, "PUT", "/api/v1/calendar/overrides/2024-10-10", map[string]any{"working": false, "reason": "x"})
	if status != http.StatusForbidden {
		t.Errorf("clerk changes the calendar: %d", status)
	}
	// A 2027 schedule entered by the county.
	status, body, _ = b.call(t, c.admin, "PUT", "/api/v1/calendar/years/2027", map[string]any{
		"holidays": []map[string]any{{"name": "元旦", "from": "2027-01-01", "to": "2027-01-03"}}, "makeups": []string{}})
	if status != http.StatusNoContent {
		t.Fatalf("enter 2027: %d %v", status, body)
	}
	_, body, _ = b.call(t, c.clerk, "GET", "/api/v1/calendar/due?from=2026-12-31&days=1", nil)
	if body["due"] != "2027-01-04" || body["known"] != true {
		t.Errorf("2027: %v", body)
	}
	status, body, _ = b.call(t, c.admin, "PUT", "/api/v1/settings", map[string]any{"yellow_days": 3, "forward_days": 3, "correction_days": 5, "max_extension": 10, "receipt_prefix": "lower"})
	if status != http.StatusUnprocessableEntity {
		t.Errorf("bad receipt prefix: %d %v", status, body)
	}
	// Settings never loosen the law (行政许可法 arts. 32, 42, 44): each looser value is refused
	// on its field with the article, in Chinese.
	for field, v := range map[string]int{"correction_days": 6, "max_extension": 11, "max_extension_unified": 16, "delivery_days": 11} {
		in := map[string]any{"yellow_days": 2, "forward_days": 3, "correction_days": 5, "max_extension": 10, "receipt_prefix": ""}
		in[field] = v
		status, body, _ = b.call(t, c.admin, "PUT", "/api/v1/settings", in)
		errs, _ := body["errors"].([]any)
		if status != http.StatusUnprocessableEntity || len(errs) != 1 || errs[0].(map[string]any)["location"] != "body."+field ||
			!strings.Contains(errs[0].(map[string]any)["message"].(string), "行政许可法") {
			t.Errorf("%s = %d: %d %v", field, v, status, body)
		}
	}
	status, body, _ = b.call(t, c.admin, "PUT", "/api/v1/settings", map[string]any{"yellow_days": 2, "forward_days": 3, "correction_days": 3,
		"max_extension": 7, "max_extension_unified": 12, "delivery_days": 5, "receipt_prefix": ""})
	if status != http.StatusOK || body["correction_days"] != 3.0 || body["delivery_days"] != 5.0 || body["max_extension_unified"] != 12.0 {
		t.Errorf("a stricter county: %d %v", status, body)
	}
	// 2028 has no schedule yet (lunar-go v1.4.7): the due date is counted with the statutory
	// days off and marked provisional.
	_, body, _ = b.call(t, c.clerk, "GET", "/api/v1/calendar/due?from=2028-01-24&days=1", nil)
	if body["due"] != "2028-01-31" || body["provisional"] != true || body["known"] != false {
		t.Errorf("2028: %v", body)
	}
}

func TestCatalogueExcelThroughTheAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newCounty(t)
	b.publishItem(t, c, "EXCEL-0001")
	raw := b.download(t, c.admin, "/api/v1/items/export")
	f, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("export is not a workbook: %v", err)
	}
	rows, _ := f.GetRows("事项")
	if len(rows) != 2 || rows[1][0] != "EXCEL-0001" {
		t.Fatalf("exported rows %v", rows)
	}
	// Re-importing the export replaces the draft of the known code.
	status, body := b.upload(t, c.admin, raw)
	if status != http.StatusOK || body["updated"] != float64(1) {
		t.Errorf("re-import: %d %v", status, body)
	}
	// A bad cell: nothing is imported and the report names sheet, row and column.
	_ = f.SetCellValue("事项", "J2", "很多")
	_ = f.SetCellValue("事项", "A3", "EXCEL-0002")
	for col, v := range map[string]any{"B": "000172001000", "C": "新事项", "D": "行政给付", "E": "县民政局", "F": "依据", "G": "乡镇大厅", "I": "即办件", "J": 0, "K": 0} {
		_ = f.SetCellValue("事项", col+"3", v)
	}
	var buf bytes.Buffer
	_ = f.Write(&buf)
	status, body = b.upload(t, c.admin, buf.Bytes())
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("bad import: %d %v", status, body)
	}
	errs := body["errors"].([]any)
	first := errs[0].(map[string]any)["value"].(map[string]any)
	if len(errs) != 1 || first["sheet"] != "事项" || first["row"] != float64(2) || first["column"] != "法定时限（工作日）" {
		t.Errorf("report %v", errs)
	}
	_, list, _ := b.call(t, c.admin, "GET", "/api/v1/items?q=新事项", nil)
	if items := list["items"].([]any); len(items) != 0 {
		t.Errorf("a file with a bad row imported %d items", len(items))
	}
	// Search by name fragment and by code.
	for _, q := range []string{"救助", "EXCEL-00"} {
		_, list, _ := b.call(t, c.clerk, "GET", "/api/v1/items?q="+q, nil)
		if items := list["items"].([]any); len(items) != 1 {
			t.Errorf("search %q: %v", q, list)
		}
	}
}

func (b *testBundle) download(t testing.TB, m *member, path string) []byte {
	t.Helper()
	resp := get(t, b.srv.URL+path, map[string]string{"X-Session-Token": m.token})
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, raw)
	}
	if _, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err != nil || !strings.HasSuffix(params["filename"], ".xlsx") {
		t.Errorf("GET %s: Content-Disposition %q", path, resp.Header.Get("Content-Disposition"))
	}
	return raw
}

func (b *testBundle) upload(t testing.TB, m *member, file []byte) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", b.srv.URL+"/api/v1/items/import", bytes.NewReader(file))
	req.Header.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	req.Header.Set("X-Session-Token", m.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	mustJSON(t, resp, &out)
	return resp.StatusCode, out
}
