package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/yichuang/yichuang/api/server"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

// browserLogin signs in the way the app's login page does — Kratos' browser flow through the
// app's own proxy under /.ory/kratos/public, with Kratos' CSRF token — and returns a client
// whose cookie jar holds the session cookie, as a browser's would.
func (b *testBundle) browserLogin(t testing.TB, phone, pw string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	req, _ := http.NewRequest("GET", b.srv.URL+server.KratosPublicPrefix+"/self-service/login/browser", nil)
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var flow struct {
		ID string `json:"id"`
		UI struct {
			Nodes []struct {
				Attributes struct {
					Name  string `json:"name"`
					Value any    `json:"value"`
				} `json:"attributes"`
			} `json:"nodes"`
		} `json:"ui"`
	}
	mustJSON(t, resp, &flow)
	csrf := ""
	for _, n := range flow.UI.Nodes {
		if n.Attributes.Name == "csrf_token" {
			csrf, _ = n.Attributes.Value.(string)
		}
	}
	body, _ := json.Marshal(map[string]string{"method": "password", "identifier": phone, "password": pw, "csrf_token": csrf})
	req, _ = http.NewRequest("POST", b.srv.URL+server.KratosPublicPrefix+"/self-service/login?flow="+flow.ID, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("browser login through the proxy: %d %s", resp.StatusCode, raw)
	}
	u, _ := url.Parse(b.srv.URL)
	for _, ck := range jar.Cookies(u) {
		if ck.Name == server.SessionCookie {
			return c
		}
	}
	t.Fatalf("browser login set no %s cookie", server.SessionCookie)
	return nil
}

// cookieCall sends a request with the browser client's cookies and the given headers.
func (b *testBundle) cookieCall(t testing.TB, c *http.Client, method, path, contentType, body string, headers ...string) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, b.srv.URL+path, r)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := map[string]any{}
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

// TestCookieRequestsMustComeFromTheApp is issue 13's CSRF attack: a page of another origin on
// the same site (another port) posting, with the admin's cookie, to the bodyless actions —
// disable an account, reveal an ID number, compute the payroll, start the progression, render
// a notice again — is refused, and nothing changes. The same cookie with the app's header from
// the app's origin works.
func TestCookieRequestsMustComeFromTheApp(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ta := tenanttest.NewTenant(t, b.db, "防跨站县")
	admin := b.newMember(t, ta, ta.County.ID, tenants.RoleCountyAdmin)
	victim := b.newMember(t, ta, ta.County.ID, tenants.RoleDepartmentStaff)
	browser := b.browserLogin(t, admin.m.Phone, password)

	// Reading with the cookie needs nothing more: GET changes nothing.
	if status, me := b.cookieCall(t, browser, "GET", "/api/v1/me", "", ""); status != http.StatusOK || me["roles"] == nil {
		t.Fatalf("GET /me with the session cookie = %d %v", status, me)
	}

	disable := "/api/v1/staff/" + victim.m.IdentityID.String() + "/disable"
	other := "http://127.0.0.1:1"
	attacks := []struct {
		name        string
		contentType string
		body        string
		headers     []string
		code        string
	}{
		{"form post from another port (Sec-Fetch-Site same-site)", "application/x-www-form-urlencoded", "x=1",
			[]string{"Origin", other, "Sec-Fetch-Site", "same-site"}, "cross_origin_refused"},
		{"a fetch from another port that sets the header", "text/plain", "",
			[]string{"Origin", other, "Sec-Fetch-Site", "same-site", server.CSRFHeader, "yichuang"}, "cross_origin_refused"},
		{"cross-site form (Origin only, an older browser)", "application/x-www-form-urlencoded", "x=1",
			[]string{"Origin", "http://evil.example"}, "cross_origin_refused"},
		{"same-origin but without the app's header", "", "", []string{"Sec-Fetch-Site", "same-origin"}, "csrf_header_missing"},
		{"no browser headers at all", "", "", nil, "csrf_header_missing"},
	}
	for _, a := range attacks {
		status, body := b.cookieCall(t, browser, "POST", disable, a.contentType, a.body, a.headers...)
		if status != http.StatusForbidden || body["code"] != a.code || body["message"] == "" || body["message_en"] == "" {
			t.Errorf("%s: %d %v, want 403 %s", a.name, status, body, a.code)
		}
	}
	// Every bodyless action the audit named is refused the same way, before it runs.
	for _, path := range []string{"/api/v1/workers/00000000-0000-0000-0000-000000000001/reveal-id", "/api/v1/payroll/2026-01",
		"/api/v1/progression/2026", "/api/v1/applications/00000000-0000-0000-0000-000000000001/notices/accepted/regenerate",
		"/api/v1/auth/logout", "/api/v1/audit-checks"} {
		if status, body := b.cookieCall(t, browser, "POST", path, "", "", "Origin", other, "Sec-Fetch-Site", "same-site"); status != http.StatusForbidden {
			t.Errorf("POST %s from another port = %d %v, want 403", path, status, body)
		}
		if status, body := b.cookieCall(t, browser, "POST", path, "", ""); status != http.StatusForbidden || body["code"] != "csrf_header_missing" {
			t.Errorf("POST %s without the header = %d %v, want 403", path, status, body)
		}
	}
	_, progression, _ := b.call(t, admin, "GET", "/api/v1/progression", nil)
	if items, _ := progression["batches"].([]any); len(items) != 0 {
		t.Errorf("a refused request started a progression batch: %v", progression)
	}
	_, staff, _ := b.call(t, admin, "GET", "/api/v1/staff/"+victim.m.IdentityID.String(), nil)
	if staff["status"] != "active" {
		t.Fatalf("a refused request disabled the account: %v", staff)
	}
	if status, _, _ := b.call(t, victim, "GET", "/api/v1/me", nil); status != http.StatusOK {
		t.Fatalf("the victim's session was ended by a refused request: %d", status)
	}

	// The app's own page: same origin, the header — it works, with the very same cookie.
	status, body := b.cookieCall(t, browser, "POST", disable, "", "", "Origin", b.srv.URL, "Sec-Fetch-Site", "same-origin", server.CSRFHeader, "yichuang")
	if status != http.StatusOK || body["status"] != "disabled" {
		t.Fatalf("the app's own request = %d %v", status, body)
	}
	// An API client with a session token sends no cookie and needs no header.
	if status, _, _ := b.call(t, admin, "POST", "/api/v1/audit-checks", nil); status != http.StatusAccepted && status != http.StatusCreated && status != http.StatusOK {
		t.Fatalf("token client POST = %d", status)
	}
}
