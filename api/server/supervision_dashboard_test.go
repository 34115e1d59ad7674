package server_test

import (
	"bytes"
	"context"
	"net/url"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/yichuang/yichuang/tenants"
)

func unitOf(body map[string]any) (level, name string) {
	u, _ := body["unit"].(map[string]any)
	level, _ = u["level"].(string)
	name, _ = u["name"].(string)
	return level, name
}

func childNames(body map[string]any) []string {
	var out []string
	list, _ := body["children"].([]any)
	for _, c := range list {
		out = append(out, c.(map[string]any)["name"].(string))
	}
	return out
}

func TestDashboardsThroughTheAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := b.regions(t)
	tag := regionCode()
	a, x := b.placedCounty(t, "甲县"+tag, r.city), b.placedCounty(t, "丙县"+tag, r.otherCity)
	// Three applications of 甲县 in the store (the trigger keeps the rollups), two in 城关镇.
	if _, err := b.db.Owner.Exec(context.Background(), `INSERT INTO supervision.applications (tenant_id, id, region_path, version, item_code,
		item_name, township, channel, received_on, accepted_on, due_on, decided_on, state, warning, on_time, corrections, pauses, extensions,
		rating, clerk_ref, decision_days)
		SELECT c.tenant_id, gen_random_uuid(), c.region_path, 4, 'ITEM-1', '临时救助申请', t, 'window', current_date, current_date,
		       current_date + 10, d, CASE WHEN d IS NULL THEN 'accepted' ELSE 'decided' END, 'normal', d IS NOT NULL, 0, 0, 0,
		       CASE WHEN d IS NOT NULL THEN 5 END, '', CASE WHEN d IS NOT NULL THEN 2 END
		FROM supervision.counties c, (VALUES ('城关镇', current_date), ('城关镇', NULL), ('河西乡', current_date)) v(t, d)
		WHERE c.tenant_id = $1`, a.ID); err != nil {
		t.Fatal(err)
	}
	city := b.regionMember(t, r.city, tenants.RoleCitySupervisor)
	province := b.regionMember(t, r.province, tenants.RoleProvinceSupervisor)
	admin := b.newMember(t, a, a.County.ID, tenants.RoleCountyAdmin)

	status, body, _ := b.call(t, city, "GET", "/api/v1/region/dashboard", nil)
	if lvl, _ := unitOf(body); status != 200 || lvl != "city" || len(childNames(body)) != 1 || childNames(body)[0] != "甲县"+tag {
		t.Fatalf("the city's dashboard: %d %v", status, body)
	}
	if tot := body["totals"].(map[string]any); tot["received"] != 3.0 || tot["decided"] != 2.0 || tot["good_rate"] != 1.0 || tot["avg_days"] != 2.0 {
		t.Errorf("totals: %v", tot)
	}
	// The province: both cities; a county of either through it.
	status, body, _ = b.call(t, province, "GET", "/api/v1/region/dashboard?rank_by=received", nil)
	if status != 200 || len(childNames(body)) != 2 || childNames(body)[0] != "测试市"+r.city {
		t.Fatalf("the province's dashboard: %d %v", status, childNames(body))
	}
	if status, _, _ := b.call(t, province, "GET", "/api/v1/region/dashboard?county="+x.ID.String(), nil); status != 200 {
		t.Errorf("the province reads 丙县: %d", status)
	}
	// The city: down to a township's items; another city's county and region are not found.
	status, body, _ = b.call(t, city, "GET", "/api/v1/region/dashboard?county="+a.ID.String()+"&township="+url.QueryEscape("城关镇"), nil)
	if lvl, name := unitOf(body); status != 200 || lvl != "township" || name != "城关镇" || len(childNames(body)) != 1 || childNames(body)[0] != "临时救助申请" {
		t.Fatalf("城关镇's items: %d %v", status, body)
	}
	for _, q := range []string{"county=" + x.ID.String(), "region=" + r.otherCity, "region=" + r.province, "county=nonsense"} {
		if status, _, _ := b.call(t, city, "GET", "/api/v1/region/dashboard?"+q, nil); status != 404 {
			t.Errorf("the city supervisor reads %s: %d", q, status)
		}
	}
	for q, loc := range map[string]string{"from=2026-13": "query.from", "from=2026-06&to=2026-01": "query.from", "township=" + url.QueryEscape("城关镇"): "query.township"} {
		if status, body, _ := b.call(t, city, "GET", "/api/v1/region/dashboard?"+q, nil); status != 422 || !hasField(body, loc) {
			t.Errorf("%s: %d %v", q, status, body)
		}
	}
	// Every table in the workbook.
	raw := b.download(t, city, "/api/v1/region/dashboard/export?county="+a.ID.String())
	f, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("排名（按时办结率）")
	if len(f.GetSheetList()) != 5 || len(rows) != 4 {
		t.Errorf("workbook: %v %q", f.GetSheetList(), rows)
	}
	f.Close()

	// The county admin: their own townships; a region's operation is not theirs.
	status, body, _ = b.call(t, admin, "GET", "/api/v1/supervision/dashboard?rank_by=received", nil)
	if lvl, name := unitOf(body); status != 200 || lvl != "county" || name != "甲县"+tag || len(childNames(body)) != 2 || childNames(body)[0] != "城关镇" {
		t.Fatalf("the county's own dashboard: %d %v", status, body)
	}
	if raw := b.download(t, admin, "/api/v1/supervision/dashboard/export?township="+url.QueryEscape("河西乡")); len(raw) < 1000 {
		t.Errorf("the county's workbook: %d bytes", len(raw))
	}
	if status, _, _ := b.call(t, admin, "GET", "/api/v1/region/dashboard", nil); status != 403 {
		t.Errorf("a county admin on the region's dashboard: %d", status)
	}
	if status, _, _ := b.call(t, city, "GET", "/api/v1/supervision/dashboard", nil); status != 403 {
		t.Errorf("a supervisor on a county's dashboard: %d", status)
	}
}
