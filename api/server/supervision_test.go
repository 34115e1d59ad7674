package server_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"slices"
	"testing"

	"github.com/yichuang/yichuang/services/supervision"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

// regionCode is a fresh 6-digit code: the region registry is platform-wide and the package's
// tests share a database, so each test hangs its own province and cities from the root.
func regionCode() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(900000))
	return fmt.Sprintf("%06d", 100000+n.Int64())
}

// regionTree is one test's province with two cities.
type regionTree struct{ province, city, otherCity string }

func (b *testBundle) regions(t testing.TB) regionTree {
	t.Helper()
	ctx := context.Background()
	r := regionTree{regionCode(), regionCode(), regionCode()}
	for _, x := range []struct{ code, name, level, parent string }{
		{supervision.CountryCode, "全国", supervision.LevelCountry, ""},
		{r.province, "测试省" + r.province, supervision.LevelProvince, ""},
		{r.city, "测试市" + r.city, supervision.LevelCity, r.province},
		{r.otherCity, "另一市" + r.otherCity, supervision.LevelCity, r.province},
	} {
		if _, err := b.sup.EnsureRegion(ctx, x.code, x.name, x.level, x.parent); err != nil {
			t.Fatalf("region %s: %v", x.code, err)
		}
	}
	return r
}

// regionMember creates a region account through the supervision service and signs it in.
func (b *testBundle) regionMember(t testing.TB, region string, role tenants.Role) *member {
	t.Helper()
	m, err := b.sup.CreateAccount(context.Background(), supervision.NewAccount{RegionCode: region, Role: role, Name: "监察" + region[:4], Phone: randomPhone(), Password: password})
	if err != nil {
		t.Fatalf("region account %s: %v", role, err)
	}
	return &member{m: &tenants.Membership{IdentityID: m.IdentityID, Name: m.Name, Phone: m.Phone, Roles: []tenants.Role{role}}, token: b.login(t, m.Phone, password)}
}

// placedCounty is a county under a city, published once (so the store knows it).
func (b *testBundle) placedCounty(t testing.TB, name, city string) *tenanttest.Tenant {
	t.Helper()
	c := tenanttest.NewTenant(t, b.db, name)
	b.db.Ctx(t, c.ID, func(ctx context.Context) error {
		if err := tenants.SetCity(ctx, city); err != nil {
			return err
		}
		_, err := b.sup.Publish(ctx)
		return err
	})
	return c
}

func countyNames(body map[string]any) []string {
	var out []string
	list, _ := body["counties"].([]any)
	for _, c := range list {
		out = append(out, c.(map[string]any)["name"].(string))
	}
	slices.Sort(out)
	return out
}

func TestSupervisionAndPlatformThroughTheAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := b.regions(t)
	tag := regionCode()
	a, bb, x := b.placedCounty(t, "甲县"+tag, r.city), b.placedCounty(t, "乙县"+tag, r.city), b.placedCounty(t, "丙县"+tag, r.otherCity)
	city := b.regionMember(t, r.city, tenants.RoleCitySupervisor)
	province := b.regionMember(t, r.province, tenants.RoleProvinceSupervisor)
	operator := b.regionMember(t, supervision.CountryCode, tenants.RolePlatformOperator)
	admin := b.newMember(t, a, a.County.ID, tenants.RoleCountyAdmin)

	// The city supervisor: both counties of the city, not the other city's.
	status, body, _ := b.call(t, city, "GET", "/api/v1/region/counties", nil)
	if got := countyNames(body); status != 200 || !slices.Equal(got, []string{"乙县" + tag, "甲县" + tag}) {
		t.Fatalf("city supervisor's counties: %d %v", status, got)
	}
	if status, _, _ := b.call(t, city, "GET", "/api/v1/region/counties/"+x.ID.String()+"/applications", nil); status != 404 {
		t.Errorf("city supervisor reads another city's county: %d", status)
	}
	if status, _, _ := b.call(t, city, "GET", "/api/v1/region/counties/"+bb.Code+"/applications", nil); status != 200 {
		t.Errorf("city supervisor reads a county of the city: %d", status)
	}
	status, body, _ = b.call(t, province, "GET", "/api/v1/region/counties", nil)
	if got := countyNames(body); status != 200 || len(got) != 3 {
		t.Fatalf("province supervisor's counties: %d %v", status, got)
	}
	// Who am I: a region, no county.
	status, body, _ = b.call(t, city, "GET", "/api/v1/me", nil)
	if region, _ := body["region"].(map[string]any); status != 200 || region["code"] != r.city || fmt.Sprint(body["roles"]) != "[city_supervisor]" {
		t.Fatalf("me: %d %v", status, body)
	}
	// A region account calls no county operation, and a county account no region one.
	for _, path := range []string{"/api/v1/staff", "/api/v1/applications", "/api/v1/notifications", "/api/v1/supervision/published"} {
		if status, _, _ := b.call(t, city, "GET", path, nil); status != 403 {
			t.Errorf("city supervisor GET %s: %d", path, status)
		}
	}
	if status, body, _ := b.call(t, admin, "GET", "/api/v1/region/counties", nil); status != 403 || body["code"] != "region_only" {
		t.Errorf("county admin on a region operation: %d %v", status, body)
	}
	// The platform's console is the operator's alone.
	for _, m := range []*member{city, province, admin} {
		if status, _, _ := b.call(t, m, "GET", "/api/v1/platform/counties", nil); status != 403 {
			t.Errorf("%s reads the platform's registry: %d", m.m.Roles[0], status)
		}
		if status, _, _ := b.call(t, m, "GET", "/api/v1/platform/counties/"+a.ID.String()+"/health", nil); status != 403 {
			t.Errorf("%s reads a county's health: %d", m.m.Roles[0], status)
		}
	}

	// The county admin sees what the county publishes and its lag.
	status, body, _ = b.call(t, admin, "GET", "/api/v1/supervision/published", nil)
	if lag, _ := body["lag"].(map[string]any); status != 200 || lag == nil || lag["published_at"] == nil {
		t.Fatalf("published: %d %v", status, body)
	}
	if status, body, _ := b.call(t, admin, "POST", "/api/v1/supervision/republish", nil); status != 200 {
		t.Fatalf("republish: %d %v", status, body)
	}

	// The operator: counties by region, a new county as the CLI makes it, its health.
	status, body, _ = b.call(t, operator, "GET", "/api/v1/platform/counties", nil)
	if status != 200 {
		t.Fatalf("registry: %d %v", status, body)
	}
	found := false
	for _, c := range body["counties"].([]any) {
		if c := c.(map[string]any); c["id"] == a.ID.String() && c["city_code"] == r.city {
			found = true
		}
	}
	if !found {
		t.Fatalf("the registry lacks 甲县 under its city")
	}
	code := "t" + tag
	bad := map[string]any{"code": "9bad", "name": "新县", "city_code": r.city, "admin_name": "王", "admin_phone": randomPhone(), "admin_password": password}
	if status, body, _ := b.call(t, operator, "POST", "/api/v1/platform/counties", bad); status != 422 || !hasField(body, "body.code") {
		t.Errorf("a bad code: %d %v", status, body)
	}
	bad["code"], bad["city_code"] = code, r.province
	if status, body, _ := b.call(t, operator, "POST", "/api/v1/platform/counties", bad); status != 422 || !hasField(body, "body.city_code") {
		t.Errorf("a county under a province: %d %v", status, body)
	}
	phone := randomPhone()
	status, body, _ = b.call(t, operator, "POST", "/api/v1/platform/counties", map[string]any{"code": code, "name": "新县" + tag, "region_code": "320115",
		"city_code": r.city, "admin_name": "王新", "admin_phone": phone, "admin_password": password})
	if status != 201 || body["city_code"] != r.city {
		t.Fatalf("create county: %d %v", status, body)
	}
	b.login(t, phone, password) // its first admin signs in
	status, body, _ = b.call(t, operator, "GET", "/api/v1/platform/counties/"+code+"/health", nil)
	if status != 200 || body["tenant_id"] != tenants.IDForCode(code).String() {
		t.Fatalf("health: %d %v", status, body)
	}
	if status, _, _ := b.call(t, operator, "GET", "/api/v1/platform/counties/nowhere-"+tag+"/health", nil); status != 404 {
		t.Errorf("health of no county: %d", status)
	}
	// The new county is the city's third.
	b.db.Ctx(t, tenants.IDForCode(code), func(ctx context.Context) error { _, err := b.sup.Publish(ctx); return err })
	if _, body, _ := b.call(t, city, "GET", "/api/v1/region/counties", nil); len(countyNames(body)) != 3 {
		t.Errorf("after the new county: %v", countyNames(body))
	}
	// A supervisor account made in the console signs in to its region.
	sp := randomPhone()
	status, body, _ = b.call(t, operator, "POST", "/api/v1/platform/accounts", map[string]any{"region_code": r.otherCity, "role": "city_supervisor",
		"name": "赵监察", "phone": sp, "password": password})
	if status != 201 {
		t.Fatalf("create account: %d %v", status, body)
	}
	other := &member{m: &tenants.Membership{Roles: []tenants.Role{tenants.RoleCitySupervisor}}, token: b.login(t, sp, password)}
	if _, body, _ := b.call(t, other, "GET", "/api/v1/region/counties", nil); !slices.Equal(countyNames(body), []string{"丙县" + tag}) {
		t.Errorf("the new supervisor sees %v", countyNames(body))
	}
	if status, _, _ := b.call(t, operator, "POST", "/api/v1/platform/accounts", map[string]any{"region_code": r.province, "role": "city_supervisor",
		"name": "钱监察", "phone": randomPhone(), "password": password}); status != 422 {
		t.Errorf("a city supervisor of a province: %d", status)
	}
	// Signing out ends a region account's session.
	if status, _, _ := b.call(t, other, "POST", "/api/v1/auth/logout", nil); status != 204 {
		t.Errorf("logout: %d", status)
	}
	if status, _, _ := b.call(t, other, "GET", "/api/v1/region/counties", nil); status != 401 {
		t.Errorf("after logout: %d", status)
	}
}

func hasField(body map[string]any, location string) bool {
	errs, _ := body["errors"].([]any)
	for _, e := range errs {
		if e.(map[string]any)["location"] == location {
			return true
		}
	}
	return false
}
