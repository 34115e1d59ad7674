package server_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/yichuang/yichuang/api/server"
	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/wiring"
	"github.com/yichuang/yichuang/tenants"
)

const workerID = "110105198503120020" // valid GB 11643

func problemAt(t *testing.T, body map[string]any, location string) string {
	t.Helper()
	errs, _ := body["errors"].([]any)
	for _, e := range errs {
		fe := e.(map[string]any)
		if fe["location"] == location {
			msg, _ := fe["message"].(string)
			if msg == "" || fe["message_en"] == "" {
				t.Fatalf("%s: missing Chinese or English reason: %v", location, fe)
			}
			return msg
		}
	}
	t.Fatalf("no error at %s in %v", location, body)
	return ""
}

// The worker lifecycle through HTTP with Kratos sessions, River running on a stub clock:
// records, roles, concurrency, a progression approved ahead of its date and applied by the
// job on the date, and a payroll exported for the finance office.
func TestWorkforceThroughTheAPI(t *testing.T) {
	t.Parallel()
	clk := clock.NewStub(time.Date(2026, 12, 20, 9, 0, 0, 0, clock.Zone))
	b := setupWith(t, clk)
	c := b.newCounty(t)

	// Roles: a community worker reaches only their own record; a clerk no payroll.
	if st, _, _ := b.call(t, c.worker, "GET", "/api/v1/workers", nil); st != 403 {
		t.Fatalf("worker listed the roster: %d", st)
	}
	if st, body, _ := b.call(t, c.worker, "GET", "/api/v1/me/worker", nil); st != 404 || body["code"] != "no_worker_record" {
		t.Fatalf("unlinked worker's own record: %d %v", st, body)
	}
	if st, _, _ := b.call(t, c.clerk, "GET", "/api/v1/payroll", nil); st != 403 {
		t.Fatalf("clerk read payroll: %d", st)
	}

	// Bad input: every reason at once, in Chinese and English, nothing stored.
	st, body, _ := b.call(t, c.admin, "POST", "/api/v1/workers", map[string]any{"id_number": "110105198503120021", "name": "刘芳",
		"org_unit_id": c.township, "post": "staff", "hired": "2018-01-01"})
	if st != 422 {
		t.Fatalf("bad worker: %d %v", st, body)
	}
	if msg := problemAt(t, body, "body.id_number"); !strings.Contains(msg, "校验") && !strings.Contains(msg, "身份证") {
		t.Fatalf("id_number reason: %s", msg)
	}
	problemAt(t, body, "body.org_unit_id")
	problemAt(t, body, "body.reason")
	if strings.Contains(fmt.Sprint(body), "198503120021") {
		t.Fatal("the error repeats the full ID number")
	}
	st, body, _ = b.call(t, c.admin, "POST", "/api/v1/workers", map[string]any{"id_number": workerID, "name": "刘芳", "org_unit_id": c.community,
		"post": "staff", "hired": "2026-02-30", "reason": "x", "approver": "y"})
	if st != 422 {
		t.Fatalf("impossible date accepted: %d %v", st, body)
	}

	// A schema error (missing name) does not echo the body, which holds the ID number.
	if st, body, _ = b.call(t, c.admin, "POST", "/api/v1/workers", map[string]any{"id_number": workerID, "org_unit_id": c.community,
		"post": "staff", "hired": "2018-01-01"}); st != 422 || strings.Contains(fmt.Sprint(body), workerID) {
		t.Fatalf("missing name: %d %v", st, body)
	}
	hire := map[string]any{"id_number": workerID, "name": "刘芳", "org_unit_id": c.community, "post": "staff", "title": "社区工作者",
		"hired": "2018-01-01", "education": "none", "certificate": "none", "reason": "公开招聘", "approver": "王建国"}
	st, body, hdr := b.call(t, c.admin, "POST", "/api/v1/workers", hire)
	if st != 201 || body["id_masked"] != "110105********0020" || body["level"] != float64(3) || hdr.Get("ETag") != `"1"` {
		t.Fatalf("hire: %d %v %s", st, body, hdr.Get("ETag"))
	}
	id := body["id"].(string)
	if st, body, _ = b.call(t, c.admin, "POST", "/api/v1/workers", hire); st != 409 || body["code"] != "worker_exists" {
		t.Fatalf("second hire of the same person: %d %v", st, body)
	}

	// Lists and details never carry the full number; revealing it is audited.
	resp := get(t, b.srv.URL+"/api/v1/workers", map[string]string{"X-Session-Token": c.admin.token})
	var raw bytes.Buffer
	raw.ReadFrom(resp.Body)
	resp.Body.Close()
	if strings.Contains(raw.String(), workerID) || !strings.Contains(raw.String(), "110105********0020") {
		t.Fatalf("roster: %s", raw.String())
	}
	if st, body, _ = b.call(t, c.admin, "POST", "/api/v1/workers/"+id+"/reveal-id", nil); st != 200 || body["id_number"] != workerID {
		t.Fatalf("reveal: %d %v", st, body)
	}
	var reveals int
	b.db.Ctx(t, c.tenant.ID, func(ctx context.Context) error {
		return tenants.DB(ctx).NewSelect().Table("audit_events").ColumnExpr("count(*)").Where("tenant_id = ? AND action = 'worker.reveal_id'", tenants.CurrentID(ctx)).Scan(ctx, &reveals)
	})
	if reveals != 1 {
		t.Fatalf("%d reveal audit rows", reveals)
	}

	// Self-service: linked, the worker sees their record and not anyone else's.
	if st, body, _ = b.call(t, c.admin, "PUT", "/api/v1/workers/"+id+"/identity", map[string]any{"identity_id": c.worker.m.IdentityID}); st != 200 {
		t.Fatalf("link: %d %v", st, body)
	}
	if st, body, _ = b.call(t, c.worker, "GET", "/api/v1/me/worker", nil); st != 200 || body["worker"].(map[string]any)["name"] != "刘芳" {
		t.Fatalf("own record: %d %v", st, body)
	}
	if st, _, _ = b.call(t, c.worker, "GET", "/api/v1/workers/"+id, nil); st != 403 {
		t.Fatalf("worker read the admin view: %d", st)
	}

	// Changes need the version last read.
	change := map[string]any{"effective_from": "2026-12-01", "fields": map[string]any{"title": "委员"}, "reason": "换届", "approver": "王建国"}
	if st, body, _ = b.call(t, c.admin, "POST", "/api/v1/workers/"+id+"/changes", change); st != 422 {
		t.Fatalf("change without If-Match: %d %v", st, body)
	}
	if st, body, _ = b.call(t, c.admin, "POST", "/api/v1/workers/"+id+"/changes", change, "If-Match", `"7"`); st != 412 {
		t.Fatalf("stale change: %d %v", st, body)
	}
	if st, body, hdr = b.call(t, c.admin, "POST", "/api/v1/workers/"+id+"/changes", change, "If-Match", `"2"`); st != 200 || body["title"] != "委员" {
		t.Fatalf("change: %d %v", st, body)
	}

	// Progression approved ahead of 2027-01-01 waits for the job on the date.
	if st, body, _ = b.call(t, c.admin, "POST", "/api/v1/progression/2027", nil); st != 200 {
		t.Fatalf("prepare: %d %v", st, body)
	}
	lines := body["lines"].([]any)
	if len(lines) != 1 || lines[0].(map[string]any)["proposed_level"] != float64(4) {
		t.Fatalf("lines: %v", lines)
	}
	batch := body["batch"].(map[string]any)
	if st, body, _ = b.call(t, c.admin, "POST", "/api/v1/progression/2027/approve", nil, "If-Match", fmt.Sprintf(`"%v"`, batch["row_version"])); st != 200 ||
		body["batch"].(map[string]any)["status"] != "approved" {
		t.Fatalf("approve: %d %v", st, body)
	}
	if st, body, _ = b.call(t, c.admin, "POST", "/api/v1/progression/2027/approve", nil, "If-Match", `"3"`); st != 409 && st != 412 {
		t.Fatalf("second approval: %d %v", st, body)
	}
	clk.StubNow(time.Date(2027, 1, 1, 0, 30, 0, 0, clock.Zone))
	waitFor(t, "the progression job on its date", func() bool {
		_, body, _ := b.call(t, c.admin, "GET", "/api/v1/progression/2027", nil)
		return body["batch"] != nil && body["batch"].(map[string]any)["status"] == "effective"
	})
	if _, body, _ = b.call(t, c.admin, "GET", "/api/v1/workers/"+id, nil); body["worker"].(map[string]any)["level"] != float64(4) {
		t.Fatalf("level after progression: %v", body["worker"])
	}

	// January's payroll at level 4, finalised and exported.
	clk.StubNow(time.Date(2027, 1, 25, 9, 0, 0, 0, clock.Zone))
	if st, body, _ = b.call(t, c.admin, "POST", "/api/v1/payroll/2027-13", nil); st != 422 {
		t.Fatalf("bad month: %d %v", st, body)
	}
	st, body, hdr = b.call(t, c.admin, "POST", "/api/v1/payroll/2027-01", nil)
	if st != 200 || len(body["lines"].([]any)) != 1 || body["run"].(map[string]any)["total"] != float64(431600) {
		t.Fatalf("compute: %d %v", st, body)
	}
	if st, body, _ = b.call(t, c.admin, "POST", "/api/v1/payroll/2027-01/finalize", nil, "If-Match", hdr.Get("ETag")); st != 200 ||
		body["run"].(map[string]any)["status"] != "final" {
		t.Fatalf("finalize: %d %v", st, body)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b.download(t, c.admin, "/api/v1/payroll/2027-01/export.xlsx")))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("工资表")
	var sheet strings.Builder
	for _, r := range rows {
		sheet.WriteString(strings.Join(r, "|") + "\n")
	}
	if !strings.Contains(sheet.String(), "刘芳") || !strings.Contains(sheet.String(), "总计") || strings.Contains(sheet.String(), workerID) {
		t.Fatalf("payroll sheet:\n%s", sheet.String())
	}
	// The worker now sees the paid month.
	if _, body, _ = b.call(t, c.worker, "GET", "/api/v1/me/worker", nil); len(body["pay"].([]any)) != 1 {
		t.Fatalf("own pay lines: %v", body["pay"])
	}
}

func TestWorkforceNeedsTheDataKey(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newCounty(t)
	// The same services, but built without a data key.
	h, _ := server.New(server.Deps{Store: b.store, Kratos: b.kratos, KratosPublicURL: b.publicURL,
		Services: wiring.New(wiring.Config{Store: b.store, Identities: b.kratos})})
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/workers", nil)
	req.Header.Set("X-Session-Token", c.admin.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 {
		t.Fatalf("without a key: %d", resp.StatusCode)
	}
}
