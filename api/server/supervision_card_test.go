package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/supervision"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

// cardOn writes a red card on county c (under city of province p) as the county's evaluation
// would: in the county's transaction (the rules are tested in services/supervision).
func (b *testBundle) cardOn(t testing.TB, c *tenanttest.Tenant, p, city string) uuid.UUID {
	t.Helper()
	app := uuid.New()
	b.db.Ctx(t, c.ID, func(ctx context.Context) error {
		today := time.Now().UTC().Truncate(24 * time.Hour)
		k := &supervision.Card{TenantID: c.ID, ID: supervision.CardID(app, supervision.RuleOverdue), ApplicationID: app, Rule: supervision.RuleOverdue,
			Subject: supervision.SubjectLimit, RegionPath: "/" + supervision.CountryCode + "/" + p + "/" + city + "/", Colour: supervision.Red,
			ItemName: "临时救助申请", Township: "城关镇", Department: "县民政局", ClerkRef: "0123456789abcdef0123456789abcdef", DaysOver: 4,
			RaisedOn: today, RedOn: &today}
		_, err := tenants.DB(ctx).NewInsert().Model(k).Exec(ctx)
		return err
	})
	return supervision.CardID(app, supervision.RuleOverdue)
}

func TestCardsThroughTheAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := b.regions(t)
	tag := regionCode()
	a, x := b.placedCounty(t, "甲县"+tag, r.city), b.placedCounty(t, "丙县"+tag, r.otherCity)
	card, other := b.cardOn(t, a, r.province, r.city), b.cardOn(t, x, r.province, r.otherCity)
	city := b.regionMember(t, r.city, tenants.RoleCitySupervisor)
	otherCity := b.regionMember(t, r.otherCity, tenants.RoleCitySupervisor)
	province := b.regionMember(t, r.province, tenants.RoleProvinceSupervisor)
	admin, adminX := b.newMember(t, a, a.County.ID, tenants.RoleCountyAdmin), b.newMember(t, x, x.County.ID, tenants.RoleCountyAdmin)

	ids := func(m *member, path string) []string {
		t.Helper()
		status, body, _ := b.call(t, m, "GET", path, nil)
		if status != 200 {
			t.Fatalf("GET %s: %d %v", path, status, body)
		}
		var out []string
		items, _ := body["items"].([]any)
		for _, i := range items {
			out = append(out, i.(map[string]any)["id"].(string))
		}
		return out
	}
	if got := ids(city, "/api/v1/region/cards"); len(got) != 1 || got[0] != card.String() {
		t.Fatalf("the city sees %v", got)
	}
	if got := ids(province, "/api/v1/region/cards"); len(got) != 2 {
		t.Fatalf("the province sees %v", got)
	}
	if got := ids(admin, "/api/v1/supervision/cards"); len(got) != 1 || got[0] != card.String() {
		t.Fatalf("甲县's admin sees %v", got)
	}
	if got := ids(adminX, "/api/v1/supervision/cards"); len(got) != 1 || got[0] != other.String() {
		t.Fatalf("丙县's admin sees %v", got)
	}
	order := map[string]any{"instruction": "请于期限内办结并说明超期原因", "due_on": time.Now().AddDate(0, 0, 7).Format("2006-01-02")}
	path := "/api/v1/region/cards/" + card.String()
	// Another city's supervisor: not found; a county admin: not a region operation.
	if status, _, _ := b.call(t, otherCity, "POST", path+"/order", order); status != 404 {
		t.Errorf("another city orders: %d", status)
	}
	if status, _, _ := b.call(t, admin, "POST", path+"/order", order); status != 403 {
		t.Errorf("the county orders itself: %d", status)
	}
	bad := map[string]any{"instruction": "请联系申请人 13912345678", "due_on": "2020-01-01"}
	if status, body, _ := b.call(t, city, "POST", path+"/order", bad); status != 422 || !hasField(body, "body.instruction") || !hasField(body, "body.due_on") {
		t.Errorf("a bad order: %d %v", status, body)
	}
	if status, body, _ := b.call(t, city, "POST", path+"/order", order); status != 200 || body["status"] != "issued" {
		t.Fatalf("order: %d %v", status, body)
	}
	reply := "/api/v1/supervision/cards/" + card.String() + "/reply"
	// The supervisor does not reply; another county's admin finds no such order.
	if status, _, _ := b.call(t, city, "POST", reply, map[string]any{"reply": "代为回复"}); status != 403 {
		t.Errorf("the supervisor replies: %d", status)
	}
	if status, _, _ := b.call(t, adminX, "POST", reply, map[string]any{"reply": "已整改"}); status != 404 {
		t.Errorf("丙县 replies to 甲县's order: %d", status)
	}
	// A reply with an ID number: 422 on the field, nothing written.
	if status, body, _ := b.call(t, admin, "POST", reply, map[string]any{"reply": "已联系申请人110105198503120020补办"}); status != 422 || !hasField(body, "body.reply") {
		t.Errorf("a reply with an ID number: %d %v", status, body)
	}
	if status, body, _ := b.call(t, city, "POST", path+"/close", nil); status != 409 {
		t.Errorf("close before a reply: %d %v", status, body)
	}
	if status, body, _ := b.call(t, admin, "POST", reply, map[string]any{"reply": "已督促县民政局办结，并约谈经办窗口"}); status != 200 || body["status"] != "replied" {
		t.Fatalf("reply: %d %v", status, body)
	}
	if status, body, _ := b.call(t, otherCity, "POST", path+"/close", nil); status != 404 {
		t.Errorf("another city closes: %d %v", status, body)
	}
	if status, body, _ := b.call(t, city, "POST", path+"/close", nil); status != 200 || body["status"] != "closed" {
		t.Fatalf("close: %d %v", status, body)
	}
	if got := ids(city, "/api/v1/region/cards?status=closed"); len(got) != 1 {
		t.Errorf("closed cards: %v", got)
	}
	// The rules: the city's own, refused out of range.
	if status, body, _ := b.call(t, city, "PUT", "/api/v1/region/card-rules", map[string]any{"red_after_days": 2, "refusal_colour": "red",
		"corrections_colour": "off", "callback_colour": "yellow"}); status != 200 || body["default"] != false {
		t.Fatalf("put rules: %d %v", status, body)
	}
	if status, _, _ := b.call(t, city, "PUT", "/api/v1/region/card-rules", map[string]any{"red_after_days": 0, "refusal_colour": "red",
		"corrections_colour": "off", "callback_colour": "yellow"}); status != 422 {
		t.Errorf("0 days: %d", status)
	}
	if _, body, _ := b.call(t, otherCity, "GET", "/api/v1/region/card-rules", nil); body["default"] != true {
		t.Errorf("another city took the city's rules: %v", body)
	}
	// The 监察建议书: a PDF for a county of the region, 404 for another's.
	status, _, h := b.call(t, province, "GET", "/api/v1/region/counties/"+x.Code+"/advice", nil)
	if status != 200 || h.Get("Content-Type") != "application/pdf" {
		t.Errorf("advice: %d %s", status, h.Get("Content-Type"))
	}
	if status, _, _ := b.call(t, city, "GET", "/api/v1/region/counties/"+x.Code+"/advice", nil); status != 404 {
		t.Errorf("the city's advice to another city's county: %d", status)
	}
}
