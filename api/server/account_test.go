package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/yichuang/yichuang/api/server"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

// settingsCall sends a request to Kratos' public API through the app's proxy with a session
// token, as a native client would.
func settingsCall(t *testing.T, b *testBundle, token, method, path, body string) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, b.srv.URL+server.KratosPublicPrefix+path, r)
	req.Header.Set("X-Session-Token", token)
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := map[string]any{}
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

// TestStaffCannotChangeTheirPhoneOrName: accounts are the county's (issue 13, item 3). Through
// Kratos' self-service settings flow, on the app's own origin, a staff member may change
// neither the phone (the sign-in identifier: squatting another county's number) nor the name;
// only a county admin changes those, through the app. The password is changed through the
// app too (POST /api/v1/me/password), where its policy holds (issue 15, item 4).
func TestStaffCannotChangeTheirPhoneOrName(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tt := tenanttest.NewTenant(t, b.db, "账号县")
	clerk := b.newMember(t, tt, tt.County.ID, tenants.RoleTownshipClerk)
	ctx := context.Background()

	status, flow := settingsCall(t, b, clerk.token, http.MethodGet, "/self-service/settings/api", "")
	if status != http.StatusOK {
		t.Fatalf("settings flow: %d %v", status, flow)
	}
	raw, _ := json.Marshal(flow["ui"])
	if strings.Contains(string(raw), `"group":"profile"`) || strings.Contains(string(raw), "traits.phone") {
		t.Fatalf("the settings flow offers the profile (phone, name): %s", raw)
	}
	if !strings.Contains(string(raw), `"group":"password"`) {
		t.Fatalf("the settings flow does not offer a password change: %s", raw)
	}
	flowID, _ := flow["id"].(string)
	squatted := randomPhone()

	// The profile method: refused, nothing changes.
	status, out := settingsCall(t, b, clerk.token, http.MethodPost, "/self-service/settings?flow="+flowID,
		fmt.Sprintf(`{"method":"profile","traits":{"phone":%q,"name":"冒名顶替"}}`, squatted))
	if status < 400 {
		t.Fatalf("profile change accepted: %d %v", status, out)
	}
	// The password method too: a password chosen in Kratos' flow would skip the app's policy
	// (issue 15, item 4), so the submission is closed on the app's origin.
	const newPassword = "Xinmima#2026zz"
	status, out = settingsCall(t, b, clerk.token, http.MethodPost, "/self-service/settings?flow="+flowID,
		fmt.Sprintf(`{"method":"password","password":%q,"traits":{"phone":%q,"name":"冒名顶替"}}`, newPassword, squatted))
	if status != http.StatusForbidden || out["code"] != "use_app_password_change" {
		t.Fatalf("password change through Kratos' settings flow: %d %v, want 403 use_app_password_change", status, out)
	}
	if _, ok := b.canLogin(t, clerk.m.Phone, newPassword); ok {
		t.Fatal("the password chosen through Kratos' settings flow signs in")
	}

	id, err := b.kratos.FindByPhone(ctx, clerk.m.Phone)
	if err != nil || id == nil || id.ID != clerk.m.IdentityID || id.Name != clerk.m.Name {
		t.Fatalf("identity after the attempts: %+v, %v; want phone %s and name %s unchanged", id, err, clerk.m.Phone, clerk.m.Name)
	}
	if other, err := b.kratos.FindByPhone(ctx, squatted); err != nil || other != nil {
		t.Fatalf("the squatted phone %s signs in to %+v (%v)", squatted, other, err)
	}
	// The app's own change works: the new password signs in; the old one no longer does.
	if status, body, _ := b.call(t, clerk, http.MethodPost, "/api/v1/me/password", map[string]any{"current_password": password, "password": newPassword}); status != http.StatusNoContent {
		t.Fatalf("POST /api/v1/me/password = %d %v", status, body)
	}
	if tok := b.login(t, clerk.m.Phone, newPassword); tok == "" {
		t.Fatal("the new password does not sign in")
	}
	if _, ok := b.canLogin(t, clerk.m.Phone, password); ok {
		t.Fatal("the old password still signs in")
	}
	if evs := b.auditEvents(t, b.newMember(t, tt, tt.County.ID, tenants.RoleCountyAdmin), "staff.change_password", clerk.m.IdentityID.String()); len(evs) != 1 {
		t.Fatalf("staff.change_password audit events = %d, want 1", len(evs))
	}
}

// Kratos' own sign-out is closed on the app's origin: it would end the session in Kratos only,
// and another API process that had cached the session would accept it for up to 30 seconds.
// Signing out goes through POST /api/v1/auth/logout, which ends it in every process at once.
func TestKratosSignOutIsClosed(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tt := tenanttest.NewTenant(t, b.db, "退出县")
	clerk := b.newMember(t, tt, tt.County.ID, tenants.RoleTownshipClerk)
	for _, c := range []struct{ method, path, body string }{
		{http.MethodDelete, "/self-service/logout/api", fmt.Sprintf(`{"session_token":%q}`, clerk.token)},
		{http.MethodGet, "/self-service/logout/browser", ""},
		{http.MethodGet, "/self-service/logout?token=x", ""},
		{http.MethodDelete, "//self-service//logout/api", fmt.Sprintf(`{"session_token":%q}`, clerk.token)},
	} {
		status, out := settingsCall(t, b, clerk.token, c.method, c.path, c.body)
		if status != http.StatusForbidden || out["code"] != "use_app_logout" {
			t.Fatalf("%s %s: %d %v, want 403 use_app_logout", c.method, c.path, status, out)
		}
	}
	if status, _, _ := b.call(t, clerk, "GET", "/api/v1/me", nil); status != http.StatusOK {
		t.Fatalf("the session after the refused sign-outs: %d", status)
	}
	if status, _, _ := b.call(t, clerk, "POST", "/api/v1/auth/logout", nil); status != http.StatusNoContent {
		t.Fatalf("the app's sign-out: %d", status)
	}
	if status, _, _ := b.call(t, clerk, "GET", "/api/v1/me", nil); status != http.StatusUnauthorized {
		t.Fatalf("after the app's sign-out: %d", status)
	}
}
