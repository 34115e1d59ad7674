package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/yichuang/yichuang/services/supervision"
	"github.com/yichuang/yichuang/tenants"
)

// regionEvents reads the region accounts' login log as reader, for one phone.
func regionEvents(t *testing.T, b *testBundle, reader *member, phone string) []map[string]any {
	t.Helper()
	status, body, _ := b.call(t, reader, "GET", "/api/v1/region/login-events?phone="+phone, nil)
	if status != http.StatusOK {
		t.Fatalf("region login events: %d %v", status, body)
	}
	var out []map[string]any
	for _, e := range body["items"].([]any) {
		out = append(out, e.(map[string]any))
	}
	return out
}

// Region accounts (city and province supervisors, the platform operator) read every county of
// their region, so they get what a county's accounts have (等保 2.0): a login log, the idle
// timeout shared by every process, their sessions, and changing their own password under the
// same policy and lockout. All of it is kept in the region's own transaction.
func TestRegionAccountSignInHygiene(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := b.regions(t)
	sup := b.regionMember(t, r.city, tenants.RoleCitySupervisor)
	province := b.regionMember(t, r.province, tenants.RoleProvinceSupervisor)
	other := b.regionMember(t, r.otherCity, tenants.RoleCitySupervisor)
	operator := b.regionMember(t, supervision.CountryCode, tenants.RolePlatformOperator)
	ctx := context.Background()

	// The login log: a wrong password and a sign-in through the app's guarded path.
	if status, _, _ := proxyLogin(t, b.srv.URL, sup.m.Phone, "wrong-password-1"); status != http.StatusBadRequest {
		t.Fatalf("wrong password: %d", status)
	}
	status, body, _ := proxyLogin(t, b.srv.URL, sup.m.Phone, password)
	if status != http.StatusOK || body["session_token"] == nil {
		t.Fatalf("sign-in: %d %v", status, body)
	}
	for _, reader := range []*member{sup, province, operator} {
		events := regionEvents(t, b, reader, sup.m.Phone)
		if got := results(events); got != "success,failure" {
			t.Fatalf("login log read by %s: %s", reader.m.Roles[0], got)
		}
		if events[0]["region_code"] != r.city || events[0]["name"] != sup.m.Name {
			t.Fatalf("event: %v", events[0])
		}
	}
	// Another city sees none of this city's accounts.
	if got := regionEvents(t, b, other, sup.m.Phone); len(got) != 0 {
		t.Fatalf("another city reads the log: %v", got)
	}
	// A county's admin reads no region account's log, and a region account no county's.
	tt := b.placedCounty(t, "日志县", r.city)
	admin := b.newMember(t, tt, tt.County.ID, tenants.RoleCountyAdmin)
	if status, body, _ := b.call(t, admin, "GET", "/api/v1/region/login-events", nil); status != http.StatusForbidden {
		t.Fatalf("county admin reads the region log: %d %v", status, body)
	}
	if status, body, _ := b.call(t, sup, "GET", "/api/v1/login-events", nil); status != http.StatusForbidden {
		t.Fatalf("supervisor reads a county's log: %d %v", status, body)
	}

	// My sessions: the region account sees its own (the test's and the guarded sign-in's).
	status, body, _ = b.call(t, sup, "GET", "/api/v1/me/sessions", nil)
	items, _ := body["items"].([]any)
	if status != http.StatusOK || len(items) != 2 {
		t.Fatalf("my sessions: %d %v", status, body)
	}
	current := 0
	for _, it := range items {
		if it.(map[string]any)["current"] == true {
			current++
			if it.(map[string]any)["last_seen"] == nil {
				t.Fatalf("the current session has no last request: %v", it)
			}
		}
	}
	if current != 1 {
		t.Fatalf("current sessions: %d", current)
	}
	if status, body, _ := b.call(t, sup, "POST", "/api/v1/me/sessions/end-others", nil); status != http.StatusOK || body["ended"] != float64(1) {
		t.Fatalf("end the other session: %d %v", status, body)
	}
	if got := results(regionEvents(t, b, operator, sup.m.Phone)); got != "ended,success,failure" {
		t.Fatalf("login log after ending a session: %s", got)
	}

	// 超时自动退出 after the default 30 minutes, in Kratos too, and logged.
	if _, err := b.db.Owner.Exec(ctx, `UPDATE supervision.region_session_activity SET last_seen = now() - interval '31 minutes'
		WHERE region_code = $1 AND identity_id = $2`, r.city, sup.m.IdentityID); err != nil {
		t.Fatal(err)
	}
	status, body, _ = b.call(t, sup, "GET", "/api/v1/region/counties", nil)
	if status != http.StatusUnauthorized || body["code"] != "session_idle" || !strings.Contains(body["message"].(string), "超过 30 分钟未操作") {
		t.Fatalf("after 31 idle minutes: %d %v", status, body)
	}
	if status, body, _ := b.call(t, sup, "GET", "/api/v1/me", nil); status != http.StatusUnauthorized || body["code"] != "unauthenticated" {
		t.Fatalf("the idle session afterwards: %d %v", status, body)
	}
	if got := results(regionEvents(t, b, operator, sup.m.Phone)); got != "idle_timeout,ended,success,failure" {
		t.Fatalf("login log after the idle timeout: %s", got)
	}

	// Changing the password: the county's policy, the wrong current password counted.
	sup.token = b.login(t, sup.m.Phone, password)
	for _, c := range []struct {
		current, next, field string
	}{
		{password, password, "body.password"},
		{password, "short", "body.password"},
		{"Wrong#2026pw", "Xinmima#2026ok", "body.current_password"},
	} {
		status, body, _ := b.call(t, sup, "POST", "/api/v1/me/password", map[string]any{"current_password": c.current, "password": c.next})
		if status != http.StatusUnprocessableEntity || !hasField(body, c.field) {
			t.Fatalf("password %q → %q: %d %v, want 422 on %s", c.current, c.next, status, body, c.field)
		}
	}
	if status, body, _ := b.call(t, sup, "POST", "/api/v1/me/password", map[string]any{"current_password": password, "password": "Xinmima#2026ok"}); status != http.StatusNoContent {
		t.Fatalf("change the password: %d %v", status, body)
	}
	sup.token = b.login(t, sup.m.Phone, "Xinmima#2026ok")
	if status, _, _ := b.call(t, sup, "GET", "/api/v1/region/counties", nil); status != http.StatusOK {
		t.Fatalf("with the new password: %d", status)
	}

	// Signing out forgets the session's activity (every process then asks Kratos again).
	var rows int
	count := func() int {
		t.Helper()
		if err := b.db.Owner.QueryRow(ctx, `SELECT count(*) FROM supervision.region_session_activity WHERE region_code = $1 AND identity_id = $2`,
			r.city, sup.m.IdentityID).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		return rows
	}
	// Two sessions: the one that changed the password, and this one.
	if n := count(); n != 2 {
		t.Fatalf("activity rows before sign-out: %d", n)
	}
	if status, _, _ := b.call(t, sup, "POST", "/api/v1/auth/logout", nil); status != http.StatusNoContent {
		t.Fatalf("sign out: %d", status)
	}
	if n := count(); n != 1 {
		t.Fatalf("activity rows after sign-out: %d", n)
	}
}
