package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/api/server"
	"github.com/yichuang/yichuang/jobs"
	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/identity"
	"github.com/yichuang/yichuang/services/secret"
	"github.com/yichuang/yichuang/services/staff"
	"github.com/yichuang/yichuang/services/storage"
	"github.com/yichuang/yichuang/services/supervision"
	"github.com/yichuang/yichuang/services/wiring"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

const password = "Ceshi#2026pw"

type testBundle struct {
	db        *tenanttest.DB
	kratos    *identity.Kratos
	publicURL string
	staff     *staff.Service
	srv       *httptest.Server
	store     *tenants.Store
	clock     clock.Clock
	storage   *storage.Store
	// sup is the supervision service: regions and region accounts for the tests.
	sup *supervision.Service
	// svc are the services the server runs on (wiring.New), for benchmarks that drive a
	// service directly beside the HTTP traffic.
	svc *wiring.Services
}

// testDataKey is the YC_DATA_KEY of the test servers: workers' and applicants' ID numbers
// are sealed with it.
const testDataKey = "api-test-key-material-0123456789abcdef"

func setup(t testing.TB) *testBundle {
	t.Helper()
	return start(t, stack{})
}

// setupWith runs the server on clk; with a clock it also runs River's workers on that clock,
// so scheduled deadline jobs fire when the test moves the clock past them.
func setupWith(t testing.TB, clk *clock.Stub) *testBundle {
	t.Helper()
	return start(t, stack{clock: clk})
}

// stack says how a test runs the product: the server always, with the services built once
// (wiring.New) for it and for River's workers, which run on a stub clock (in a database of
// the test's own, so its River leader promotes scheduled jobs on that clock) or for some
// queues only; with neither, jobs are enqueued and not worked.
type stack struct {
	clock     *clock.Stub
	queues    []string
	publicURL string
	// db and storage, when set, replace the package's database and the MinIO of the test stack
	// (a MinIO behind a proxy a test can cut).
	db      *tenanttest.DB
	storage *storage.Store
	// trusted are the reverse proxies the server believes (YC_TRUSTED_PROXIES); nil is the
	// default, loopback, which the tests' own connections come from.
	trusted []netip.Prefix
}

func start(t testing.TB, o stack) *testBundle {
	t.Helper()
	db := o.db
	switch {
	case db != nil:
	case o.clock != nil:
		db = tenanttest.NewIsolated(t) // its own River leader, on this test's clock
	default:
		db = tenanttest.New(t)
	}
	pub := tenanttest.Require(t, "YC_KRATOS_PUBLIC_URL")
	kr := identity.New(pub, tenanttest.Require(t, "YC_KRATOS_ADMIN_URL"))
	store := tenants.NewStore(db.App, nil)
	var c clock.Clock = clock.System{}
	if o.clock != nil {
		c = o.clock
	}
	st := o.storage
	if st == nil {
		var err error
		st, err = storage.New(storage.Config{Endpoint: tenanttest.Require(t, "YC_MINIO_ENDPOINT"),
			AccessKey: tenanttest.Require(t, "YC_MINIO_ACCESS_KEY"), SecretKey: tenanttest.Require(t, "YC_MINIO_SECRET_KEY"), Prefix: "api-test"})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.EnsureBuckets(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	box, err := secret.New(testDataKey)
	if err != nil {
		t.Fatal(err)
	}
	svc := wiring.New(wiring.Config{Store: store, Identities: kr, Storage: st, Box: box, Clock: c, PublicURL: o.publicURL})
	opts := jobs.Options{Services: svc}
	work := o.clock != nil || len(o.queues) > 0
	if work {
		opts = jobs.Options{Work: true, MaxWorkers: 4, TestOnly: true, Services: svc, Queues: o.queues}
	}
	rc, err := jobs.NewClient(store, opts)
	if err != nil {
		t.Fatal(err)
	}
	if work {
		if err := rc.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = rc.Stop(ctx)
		})
	}
	h, _ := server.New(server.Deps{Store: store, Kratos: kr, Storage: st, KratosPublicURL: pub, Services: svc, PublicURL: o.publicURL, TrustedProxies: o.trusted})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	d2 := *db
	d2.Store = store
	return &testBundle{db: &d2, kratos: kr, publicURL: pub, staff: svc.Staff, srv: srv, store: store, clock: c, storage: st, sup: svc.Supervision, svc: svc}
}

func randomPhone() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1e9))
	return fmt.Sprintf("15%09d", n.Int64())
}

type member struct {
	tenant *tenanttest.Tenant
	m      *tenants.Membership
	token  string
}

// newMember creates an account through the staff service and signs it in through Kratos'
// API flow, returning its session token.
func (b *testBundle) newMember(t testing.TB, tt *tenanttest.Tenant, unit uuid.UUID, roles ...tenants.Role) *member {
	t.Helper()
	m, err := b.staff.Create(context.Background(), tt.ID, staff.NewAccount{Name: "测试" + string(roles[0])[:4], Phone: randomPhone(), Password: password,
		OrgUnitID: unit, Roles: roles})
	if err != nil {
		t.Fatalf("create member: %v", err)
	}
	return &member{tenant: tt, m: m, token: b.login(t, m.Phone, password)}
}

func (b *testBundle) login(t testing.TB, phone, pw string) string {
	t.Helper()
	var flow struct{ ID string }
	mustJSON(t, get(t, b.publicURL+"/self-service/login/api", nil), &flow)
	body := fmt.Sprintf(`{"method":"password","identifier":%q,"password":%q}`, phone, pw)
	resp, err := http.Post(b.publicURL+"/self-service/login?flow="+flow.ID, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		SessionToken string `json:"session_token"`
	}
	mustJSON(t, resp, &out)
	if out.SessionToken == "" {
		t.Fatalf("login of %s failed", phone)
	}
	return out.SessionToken
}

func get(t testing.TB, url string, headers map[string]string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func mustJSON(t testing.TB, resp *http.Response, v any) {
	t.Helper()
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v: %s", resp.Request.URL, err, b)
	}
}

// call sends a request as m (nil: anonymous) and returns status and decoded body.
func (b *testBundle) call(t testing.TB, m *member, method, path string, body any, headers ...string) (int, map[string]any, http.Header) {
	t.Helper()
	var r io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		r = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, b.srv.URL+path, r)
	req.Header.Set("Content-Type", "application/json")
	if m != nil {
		req.Header.Set("X-Session-Token", m.token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := map[string]any{}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &out)
	}
	return resp.StatusCode, out, resp.Header
}

func TestTwoTenantsCannotSeeEachOther(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ta, tb := tenanttest.NewTenant(t, b.db, "甲县"), tenanttest.NewTenant(t, b.db, "乙县")
	adminA := b.newMember(t, ta, ta.County.ID, tenants.RoleCountyAdmin)
	adminB := b.newMember(t, tb, tb.County.ID, tenants.RoleCountyAdmin)

	// B makes a unit and an audit check; A asks for them by id.
	status, unitB, _ := b.call(t, adminB, "POST", "/api/v1/org-units", map[string]any{"parent_id": tb.County.ID, "kind": "township", "name": "乙镇", "code": "yi"})
	if status != http.StatusCreated {
		t.Fatalf("create unit in B: %d %v", status, unitB)
	}
	_, checkB, _ := b.call(t, adminB, "POST", "/api/v1/audit-checks", nil)
	for _, path := range []string{
		"/api/v1/org-units/" + unitB["id"].(string),
		"/api/v1/org-units/" + tb.County.ID.String(),
		"/api/v1/staff/" + adminB.m.IdentityID.String(),
		"/api/v1/audit-checks/" + checkB["id"].(string),
	} {
		status, body, _ := b.call(t, adminA, "GET", path, nil)
		if status != http.StatusNotFound || body["code"] != "not_found" && body["code"] != "audit_check_not_found" {
			t.Errorf("A GET %s = %d %v, want 404", path, status, body)
		}
	}
	// Creating under B's county from A is refused as if it did not exist.
	status, body, _ := b.call(t, adminA, "POST", "/api/v1/org-units", map[string]any{"parent_id": tb.County.ID, "kind": "township", "name": "越界镇", "code": "x"})
	if status != http.StatusUnprocessableEntity {
		t.Errorf("A creates under B's county: %d %v", status, body)
	}
	// Lists hold only A's rows.
	_, units, _ := b.call(t, adminA, "GET", "/api/v1/org-units", nil)
	for _, u := range units["items"].([]any) {
		if u.(map[string]any)["name"] == "乙镇" || u.(map[string]any)["name"] == "乙县" {
			t.Errorf("A's org list holds B's unit %v", u)
		}
	}
	_, events, _ := b.call(t, adminA, "GET", "/api/v1/audit-events", nil)
	for _, e := range events["items"].([]any) {
		if e.(map[string]any)["action"] == "org_unit.create" {
			t.Errorf("A's audit log holds B's event %v", e)
		}
	}
	_, staffA, _ := b.call(t, adminA, "GET", "/api/v1/staff", nil)
	if items := staffA["items"].([]any); len(items) != 1 {
		t.Errorf("A's staff list has %d accounts, want only A's admin", len(items))
	}
}

func TestAuthenticationAndRoles(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ta := tenanttest.NewTenant(t, b.db, "丙县")
	var town *tenants.OrgUnit
	b.db.Ctx(t, ta.ID, func(ctx context.Context) error {
		var err error
		town, err = tenants.CreateOrgUnit(ctx, tenants.NewOrgUnit{ParentID: &ta.County.ID, Kind: tenants.KindTownship, Name: "城关镇", Code: "cg"})
		return err
	})
	clerk := b.newMember(t, ta, town.ID, tenants.RoleTownshipClerk)

	status, body, _ := b.call(t, nil, "GET", "/api/v1/me", nil)
	if status != http.StatusUnauthorized || body["code"] != "unauthenticated" || body["message"] != "请先登录" {
		t.Fatalf("anonymous /me = %d %v", status, body)
	}
	status, _, _ = b.call(t, &member{token: "ory_st_not-a-real-token"}, "GET", "/api/v1/me", nil)
	if status != http.StatusUnauthorized {
		t.Fatalf("bogus token /me = %d", status)
	}
	status, me, _ := b.call(t, clerk, "GET", "/api/v1/me", nil)
	if status != http.StatusOK || me["tenant"].(map[string]any)["name"] != "丙县" || me["scope"] != "org_subtree" {
		t.Fatalf("clerk /me = %d %v", status, me)
	}
	if names := me["org_unit"].(map[string]any)["path_names"].([]any); len(names) != 2 || names[1] != "城关镇" {
		t.Errorf("path_names = %v", names)
	}
	for _, path := range []string{"/api/v1/staff", "/api/v1/audit-events"} {
		status, body, _ := b.call(t, clerk, "GET", path, nil)
		if status != http.StatusForbidden || body["code"] != "forbidden" {
			t.Errorf("clerk GET %s = %d %v, want 403", path, status, body)
		}
	}
	// Logout ends the session in Kratos: the same token is refused afterwards.
	status, _, hdr := b.call(t, clerk, "POST", "/api/v1/auth/logout", nil)
	if status != http.StatusNoContent || !strings.Contains(hdr.Get("Set-Cookie"), "ory_kratos_session=;") {
		t.Fatalf("logout = %d, Set-Cookie %q", status, hdr.Get("Set-Cookie"))
	}
	if status, _, _ := b.call(t, clerk, "GET", "/api/v1/me", nil); status != http.StatusUnauthorized {
		t.Fatalf("/me after logout = %d, want 401", status)
	}
}

func TestStaffLifecycle(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ta := tenanttest.NewTenant(t, b.db, "丁县")
	admin := b.newMember(t, ta, ta.County.ID, tenants.RoleCountyAdmin)
	phone := randomPhone()
	req := map[string]any{"name": "新同事", "phone": phone, "password": "Xin#tongshi1", "org_unit_id": ta.County.ID, "roles": []string{"department_staff"}}

	// Validation: every bad field at once, in Chinese and English, nothing written.
	status, body, _ := b.call(t, admin, "POST", "/api/v1/staff", map[string]any{"name": "", "phone": "12", "password": "short", "org_unit_id": ta.County.ID, "roles": []string{}})
	if status != http.StatusUnprocessableEntity || len(body["errors"].([]any)) < 4 {
		t.Fatalf("bad staff = %d %v", status, body)
	}
	for _, e := range body["errors"].([]any) {
		fe := e.(map[string]any)
		if fe["message"] == "" || fe["message_en"] == "" {
			t.Errorf("field error without both languages: %v", fe)
		}
		if fe["location"] == "body.password" && fe["value"] != nil {
			t.Errorf("password echoed back in the error: %v", fe)
		}
	}
	status, body, _ = b.call(t, admin, "POST", "/api/v1/staff", map[string]any{"name": "甲", "phone": randomPhone(), "password": "Xin#tongshi1",
		"org_unit_id": uuid.New(), "roles": []string{"township_clerk"}})
	if status != http.StatusUnprocessableEntity || body["errors"].([]any)[0].(map[string]any)["location"] != "body.org_unit_id" {
		t.Fatalf("unknown org unit = %d %v", status, body)
	}

	status, created, _ := b.call(t, admin, "POST", "/api/v1/staff", req, "X-Request-ID", "req-staff-create-1")
	if status != http.StatusCreated || created["status"] != "active" || created["org_unit_name"] != "丁县" {
		t.Fatalf("create staff = %d %v", status, created)
	}
	// A retry of the same request returns the same account rather than failing.
	status, again, _ := b.call(t, admin, "POST", "/api/v1/staff", req)
	if status != http.StatusCreated || again["identity_id"] != created["identity_id"] {
		t.Fatalf("retry = %d %v, want the same account", status, again)
	}
	// The same phone for a different person is a conflict.
	other := map[string]any{"name": "别人", "phone": phone, "password": "Bieren#2026x", "org_unit_id": ta.County.ID, "roles": []string{"township_clerk"}}
	if status, body, _ := b.call(t, admin, "POST", "/api/v1/staff", other); status != http.StatusConflict || body["code"] != "phone_taken" {
		t.Fatalf("duplicate phone = %d %v", status, body)
	}

	// The new account signs in; the audit chain recorded the creation with the request id.
	newcomer := &member{token: b.login(t, phone, "Xin#tongshi1")}
	if status, _, _ := b.call(t, newcomer, "GET", "/api/v1/me", nil); status != http.StatusOK {
		t.Fatalf("new account /me = %d", status)
	}
	_, events, _ := b.call(t, admin, "GET", "/api/v1/audit-events?limit=10", nil)
	found := false
	for _, e := range events["items"].([]any) {
		ev := e.(map[string]any)
		if ev["action"] == "staff.create" && ev["target_id"] == created["identity_id"] {
			found = ev["request_id"] == "req-staff-create-1"
			if strings.Contains(fmt.Sprint(ev["summary"]), "Xin#tongshi1") {
				t.Error("audit summary holds the password")
			}
		}
	}
	if !found {
		t.Fatalf("no staff.create audit event with the request id: %v", events["items"])
	}

	// Disable: the session is refused at once and sign-in fails.
	id := created["identity_id"].(string)
	status, disabled, _ := b.call(t, admin, "POST", "/api/v1/staff/"+id+"/disable", nil)
	if status != http.StatusOK || disabled["status"] != "disabled" {
		t.Fatalf("disable = %d %v", status, disabled)
	}
	if status, _, _ := b.call(t, newcomer, "GET", "/api/v1/me", nil); status != http.StatusUnauthorized {
		t.Fatalf("disabled account's session /me = %d, want 401", status)
	}
	if status, _, _ := b.call(t, admin, "POST", "/api/v1/staff/"+id+"/disable", nil); status != http.StatusOK {
		t.Fatalf("disabling twice = %d, want 200 (idempotent)", status)
	}
	if status, body, _ := b.call(t, admin, "POST", "/api/v1/staff/"+admin.m.IdentityID.String()+"/disable", nil); status != http.StatusConflict {
		t.Fatalf("admin disables self = %d %v", status, body)
	}
}

func TestKratosDownIs503AndReadyzReportsMinIO(t *testing.T) {
	t.Parallel()
	db := tenanttest.New(t)
	dead := "http://127.0.0.1:1"
	st, err := storage.New(storage.Config{Endpoint: "127.0.0.1:1", AccessKey: "x", SecretKey: "y"})
	if err != nil {
		t.Fatal(err)
	}
	kr := identity.New(dead, dead)
	h, _ := server.New(server.Deps{Store: db.Store, Kratos: kr, Storage: st, KratosPublicURL: dead,
		Services: wiring.New(wiring.Config{Store: db.Store, Identities: kr, Storage: st})})
	srv := httptest.NewServer(h)
	defer srv.Close()

	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/me", nil)
	req.Header.Set("X-Session-Token", "ory_st_anything")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	mustJSON(t, resp, &p)
	if resp.StatusCode != http.StatusServiceUnavailable || p["code"] != "auth_unavailable" || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("Kratos down: %d %s %v", resp.StatusCode, resp.Header.Get("Content-Type"), p)
	}
	// The proxied login flow says the same instead of a bare 502.
	resp = get(t, srv.URL+"/.ory/kratos/public/self-service/login/browser", nil)
	mustJSON(t, resp, &p)
	if resp.StatusCode != http.StatusServiceUnavailable || p["message"] == "" {
		t.Fatalf("proxy with Kratos down: %d %v", resp.StatusCode, p)
	}
	resp = get(t, srv.URL+"/readyz", nil)
	var ready struct {
		Ready      bool
		Components map[string]struct{ OK bool }
	}
	mustJSON(t, resp, &ready)
	if resp.StatusCode != http.StatusServiceUnavailable || ready.Ready || ready.Components["minio"].OK || ready.Components["kratos"].OK || !ready.Components["postgres"].OK {
		t.Fatalf("readyz with MinIO and Kratos down: %d %+v", resp.StatusCode, ready)
	}
}

func TestReadyAndOpenAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	resp := get(t, b.srv.URL+"/readyz", nil)
	var ready struct{ Ready bool }
	mustJSON(t, resp, &ready)
	if resp.StatusCode != http.StatusOK || !ready.Ready {
		t.Fatalf("readyz on the real stack: %d", resp.StatusCode)
	}
	resp = get(t, b.srv.URL+"/openapi.json", nil)
	var doc struct {
		OpenAPI string `json:"openapi"`
		Paths   map[string]map[string]struct {
			Security []map[string][]string `json:"security"`
		} `json:"paths"`
	}
	mustJSON(t, resp, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	// Every /api/v1 operation requires a session: none was registered public by mistake.
	// /api/v1/public/ is the one deliberate exception (the published access lists).
	for path, ops := range doc.Paths {
		for method, op := range ops {
			if strings.HasPrefix(path, "/api/v1/") && !strings.HasPrefix(path, "/api/v1/public/") && len(op.Security) == 0 {
				t.Errorf("%s %s has no security requirement", method, path)
			}
		}
	}
	if resp := get(t, b.srv.URL+"/api/v1/nope", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown API path = %d", resp.StatusCode)
	}
}
