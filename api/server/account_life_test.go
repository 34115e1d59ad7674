package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/identity"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/staff"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

// Issue 15, item 4: accounts have a whole life — reset, re-enable, rename and new phone, the
// member's own password change, the password policy, all audited.

// canLogin reports whether phone and pw sign in (Kratos' API flow), with the session token.
func (b *testBundle) canLogin(t *testing.T, phone, pw string) (string, bool) {
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
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return "", false
	}
	mustJSON(t, resp, &out)
	return out.SessionToken, out.SessionToken != ""
}

// fieldError returns the first field error at location, or nil.
func fieldError(body map[string]any, location string) map[string]any {
	errs, _ := body["errors"].([]any)
	for _, e := range errs {
		if fe, ok := e.(map[string]any); ok && fe["location"] == location {
			return fe
		}
	}
	return nil
}

// auditActions returns the audit events of the tenant with action on target, newest first.
func (b *testBundle) auditEvents(t *testing.T, admin *member, action, target string) []map[string]any {
	t.Helper()
	_, events, _ := b.call(t, admin, "GET", "/api/v1/audit-events?limit=200", nil)
	var out []map[string]any
	items, _ := events["items"].([]any)
	for _, e := range items {
		ev := e.(map[string]any)
		if ev["action"] == action && ev["target_id"] == target {
			out = append(out, ev)
		}
	}
	return out
}

func TestResetPasswordIsOneTimeAndMustBeChanged(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tt := tenanttest.NewTenant(t, b.db, "重置县")
	admin := b.newMember(t, tt, tt.County.ID, tenants.RoleCountyAdmin)
	clerk := b.newMember(t, tt, tt.County.ID, tenants.RoleTownshipClerk)
	id := clerk.m.IdentityID.String()

	// Only a county admin resets, and not their own password.
	if status, body, _ := b.call(t, clerk, "POST", "/api/v1/staff/"+admin.m.IdentityID.String()+"/reset-password", nil); status != http.StatusForbidden {
		t.Fatalf("clerk resets the admin's password = %d %v, want 403", status, body)
	}
	if status, body, _ := b.call(t, admin, "POST", "/api/v1/staff/"+admin.m.IdentityID.String()+"/reset-password", nil); status != http.StatusConflict || body["code"] != "cannot_reset_self" {
		t.Fatalf("admin resets own password = %d %v, want 409", status, body)
	}

	status, reset, _ := b.call(t, admin, "POST", "/api/v1/staff/"+id+"/reset-password", nil)
	otp, _ := reset["one_time_password"].(string)
	st, _ := reset["staff"].(map[string]any)
	if status != http.StatusOK || len(otp) < 10 || st["must_change_password"] != true {
		t.Fatalf("reset = %d %v", status, reset)
	}
	// The clerk's sessions ended; the old password no longer signs in, the one-time one does.
	if status, _, _ := b.call(t, clerk, "GET", "/api/v1/me", nil); status != http.StatusUnauthorized {
		t.Fatalf("session from before the reset: /me = %d, want 401", status)
	}
	if _, ok := b.canLogin(t, clerk.m.Phone, password); ok {
		t.Fatal("the old password still signs in after the reset")
	}
	token, ok := b.canLogin(t, clerk.m.Phone, otp)
	if !ok {
		t.Fatal("the one-time password does not sign in")
	}
	fresh := &member{tenant: tt, m: clerk.m, token: token}

	// Until the password is changed: me and the change only.
	status, me, _ := b.call(t, fresh, "GET", "/api/v1/me", nil)
	if status != http.StatusOK || me["must_change_password"] != true {
		t.Fatalf("/me after the reset = %d %v, want must_change_password", status, me)
	}
	for _, path := range []string{"/api/v1/me/sessions", "/api/v1/notifications", "/api/v1/org-units"} {
		if status, body, _ := b.call(t, fresh, "GET", path, nil); status != http.StatusForbidden || body["code"] != "password_change_required" {
			t.Fatalf("GET %s with a one-time password = %d %v, want 403 password_change_required", path, status, body)
		}
	}

	// The policy, on the field, in Chinese.
	refusals := []struct{ pw, reason string }{
		{"woaini1314", "密码过于常见，容易被猜中，请换一个"},
		{"88888888", "密码须为 10 至 72 个字符"},
		{"Ab#" + clerk.m.Phone, "密码不能包含手机号"},
		{otp, "新密码不能与当前密码相同"},
	}
	for _, r := range refusals {
		status, body, _ := b.call(t, fresh, "POST", "/api/v1/me/password", map[string]any{"current_password": otp, "password": r.pw})
		fe := fieldError(body, "body.password")
		if status != http.StatusUnprocessableEntity || fe == nil || fe["message"] != r.reason {
			t.Fatalf("new password %q = %d %v, want 422 on body.password: %s", r.pw, status, body, r.reason)
		}
		if fe["value"] != nil {
			t.Errorf("the refused password is echoed back: %v", fe)
		}
	}
	status, body, _ := b.call(t, fresh, "POST", "/api/v1/me/password", map[string]any{"current_password": "Wrong#pass2026", "password": "Qingshui#River27"})
	if status != http.StatusUnprocessableEntity || body["code"] != "wrong_password" || fieldError(body, "body.current_password") == nil {
		t.Fatalf("wrong current password = %d %v", status, body)
	}

	const chosen = "Qingshui#River27"
	if status, body, _ := b.call(t, fresh, "POST", "/api/v1/me/password", map[string]any{"current_password": otp, "password": chosen}); status != http.StatusNoContent {
		t.Fatalf("change after the reset = %d %v", status, body)
	}
	if status, me, _ := b.call(t, fresh, "GET", "/api/v1/me", nil); status != http.StatusOK || me["must_change_password"] != false {
		t.Fatalf("/me after the change = %d %v", status, me)
	}
	if status, body, _ := b.call(t, fresh, "GET", "/api/v1/me/sessions", nil); status != http.StatusOK {
		t.Fatalf("/me/sessions after the change = %d %v", status, body)
	}
	if _, ok := b.canLogin(t, clerk.m.Phone, otp); ok {
		t.Fatal("the one-time password still signs in after the change")
	}
	if _, ok := b.canLogin(t, clerk.m.Phone, chosen); !ok {
		t.Fatal("the chosen password does not sign in")
	}

	// Audited, without the passwords.
	for _, action := range []string{"staff.reset_password", "staff.change_password"} {
		evs := b.auditEvents(t, admin, action, id)
		if len(evs) != 1 {
			t.Fatalf("%s audit events = %d, want 1", action, len(evs))
		}
		if s := fmt.Sprint(evs[0]); strings.Contains(s, otp) || strings.Contains(s, chosen) {
			t.Fatalf("%s audit event holds a password: %s", action, s)
		}
	}
}

func TestReEnableAccount(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tt := tenanttest.NewTenant(t, b.db, "启用县")
	admin := b.newMember(t, tt, tt.County.ID, tenants.RoleCountyAdmin)
	clerk := b.newMember(t, tt, tt.County.ID, tenants.RoleTownshipClerk)
	id := clerk.m.IdentityID.String()

	if status, _, _ := b.call(t, admin, "POST", "/api/v1/staff/"+id+"/disable", nil); status != http.StatusOK {
		t.Fatalf("disable = %d", status)
	}
	if _, ok := b.canLogin(t, clerk.m.Phone, password); ok {
		t.Fatal("a disabled account signs in")
	}
	other := b.newMember(t, tt, tt.County.ID, tenants.RoleDepartmentStaff)
	if status, _, _ := b.call(t, other, "POST", "/api/v1/staff/"+id+"/enable", nil); status != http.StatusForbidden {
		t.Fatalf("non-admin enables = %d, want 403", status)
	}
	status, st, _ := b.call(t, admin, "POST", "/api/v1/staff/"+id+"/enable", nil)
	if status != http.StatusOK || st["status"] != "active" {
		t.Fatalf("enable = %d %v", status, st)
	}
	if status, _, _ := b.call(t, admin, "POST", "/api/v1/staff/"+id+"/enable", nil); status != http.StatusOK {
		t.Fatalf("enable twice = %d, want 200 (idempotent)", status)
	}
	token, ok := b.canLogin(t, clerk.m.Phone, password)
	if !ok {
		t.Fatal("the re-enabled account cannot sign in")
	}
	if status, _, _ := b.call(t, &member{token: token}, "GET", "/api/v1/me", nil); status != http.StatusOK {
		t.Fatalf("re-enabled account /me = %d", status)
	}
	if evs := b.auditEvents(t, admin, "staff.enable", id); len(evs) != 1 {
		t.Fatalf("staff.enable audit events = %d, want 1 (the second call changed nothing)", len(evs))
	}
	if status, _, _ := b.call(t, admin, "POST", "/api/v1/staff/00000000-0000-0000-0000-000000000001/enable", nil); status != http.StatusNotFound {
		t.Fatalf("enable an unknown account = %d, want 404", status)
	}
}

func TestRenameAndNewPhoneStayInStepWithKratos(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	tt := tenanttest.NewTenant(t, b.db, "改名县")
	elsewhere := tenanttest.NewTenant(t, b.db, "邻县")
	admin := b.newMember(t, tt, tt.County.ID, tenants.RoleCountyAdmin)
	clerk := b.newMember(t, tt, tt.County.ID, tenants.RoleTownshipClerk)
	colleague := b.newMember(t, tt, tt.County.ID, tenants.RoleTownshipClerk)
	neighbour := b.newMember(t, elsewhere, elsewhere.County.ID, tenants.RoleTownshipClerk)
	id := clerk.m.IdentityID.String()

	if status, _, _ := b.call(t, clerk, "PATCH", "/api/v1/staff/"+colleague.m.IdentityID.String(), map[string]any{"name": "冒名"}); status != http.StatusForbidden {
		t.Fatalf("clerk renames a colleague = %d, want 403", status)
	}
	// A phone in use, in this county or another, is a 409 on the field; nothing changes.
	for _, taken := range []string{colleague.m.Phone, neighbour.m.Phone} {
		status, body, _ := b.call(t, admin, "PATCH", "/api/v1/staff/"+id, map[string]any{"name": "改了名", "phone": taken})
		if status != http.StatusConflict || body["code"] != "phone_taken" || fieldError(body, "body.phone") == nil {
			t.Fatalf("phone %s in use = %d %v, want 409 phone_taken on body.phone", taken, status, body)
		}
	}
	if status, body, _ := b.call(t, admin, "PATCH", "/api/v1/staff/"+id, map[string]any{"phone": "12345"}); status != http.StatusUnprocessableEntity || fieldError(body, "body.phone") == nil {
		t.Fatalf("bad phone = %d %v", status, body)
	}
	if k, err := b.kratos.FindByPhone(ctx, clerk.m.Phone); err != nil || k == nil || k.Name != clerk.m.Name {
		t.Fatalf("Kratos after the refusals: %+v %v, want the old name and phone", k, err)
	}

	newPhone := randomPhone()
	status, st, _ := b.call(t, admin, "PATCH", "/api/v1/staff/"+id, map[string]any{"name": "李新名", "phone": newPhone})
	if status != http.StatusOK || st["name"] != "李新名" || st["phone"] != newPhone {
		t.Fatalf("rename = %d %v", status, st)
	}
	k, err := b.kratos.FindByPhone(ctx, newPhone)
	if err != nil || k == nil || k.ID != clerk.m.IdentityID || k.Name != "李新名" || k.Phone != newPhone || k.TenantID != tt.ID {
		t.Fatalf("Kratos identity by the new phone: %+v %v", k, err)
	}
	if old, err := b.kratos.FindByPhone(ctx, clerk.m.Phone); err != nil || old != nil {
		t.Fatalf("the old phone still names an identity: %+v %v", old, err)
	}
	token, ok := b.canLogin(t, newPhone, password)
	if !ok {
		t.Fatal("the new phone does not sign in")
	}
	if status, me, _ := b.call(t, &member{token: token}, "GET", "/api/v1/me", nil); status != http.StatusOK || me["name"] != "李新名" || me["phone"] != newPhone {
		t.Fatalf("/me with the new phone = %d %v", status, me)
	}
	if _, ok := b.canLogin(t, clerk.m.Phone, password); ok {
		t.Fatal("the old phone still signs in")
	}
	evs := b.auditEvents(t, admin, "staff.update", id)
	if len(evs) != 1 || !strings.Contains(fmt.Sprint(evs[0]["summary"]), newPhone) {
		t.Fatalf("staff.update audit events: %v", evs)
	}
	// The same change again changes nothing and writes no second audit row.
	if status, _, _ := b.call(t, admin, "PATCH", "/api/v1/staff/"+id, map[string]any{"name": "李新名", "phone": newPhone}); status != http.StatusOK {
		t.Fatalf("repeat = %d", status)
	}
	if evs := b.auditEvents(t, admin, "staff.update", id); len(evs) != 1 {
		t.Fatalf("staff.update audit events after a repeat = %d, want 1", len(evs))
	}
}

func TestCreateRefusesWeakPasswords(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tt := tenanttest.NewTenant(t, b.db, "弱密码县")
	admin := b.newMember(t, tt, tt.County.ID, tenants.RoleCountyAdmin)
	phone := randomPhone()
	for _, r := range []struct{ pw, reason string }{
		{"1qaz2wsx3edc", "密码过于常见，容易被猜中，请换一个"},
		{"mm" + phone, "密码不能包含手机号"},
	} {
		status, body, _ := b.call(t, admin, "POST", "/api/v1/staff", map[string]any{"name": "新人", "phone": phone, "password": r.pw,
			"org_unit_id": tt.County.ID, "roles": []string{"township_clerk"}})
		fe := fieldError(body, "body.password")
		if status != http.StatusUnprocessableEntity || fe == nil || fe["message"] != r.reason {
			t.Fatalf("create with %q = %d %v, want 422 on body.password: %s", r.pw, status, body, r.reason)
		}
	}
}

// flakyKratos is the real Kratos with one call made to fail, as an outage mid-change would.
type flakyKratos struct {
	*identity.Kratos
}

func (flakyKratos) SetTraits(context.Context, uuid.UUID, string, string) error {
	return identity.ErrUnavailable
}

func (flakyKratos) SetPassword(context.Context, uuid.UUID, string) error {
	return identity.ErrUnavailable
}

// TestKratosRefusalLeavesNothingChanged: Kratos is called last, inside the membership's
// transaction, so when it fails the membership, the must-change flag and the audit chain are
// as they were, and the answer is 503, not 500.
func TestKratosRefusalLeavesNothingChanged(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	tt := tenanttest.NewTenant(t, b.db, "断线县")
	clerk := b.newMember(t, tt, tt.County.ID, tenants.RoleTownshipClerk)
	svc := &staff.Service{Store: b.store, Identities: flakyKratos{b.kratos}}

	name, phone := "不该改", randomPhone()
	_, err := svc.Update(ctx, tt.ID, clerk.m.IdentityID, staff.Profile{Name: &name, Phone: &phone})
	if p, ok := problem.As(err); !ok || p.Status != http.StatusServiceUnavailable {
		t.Fatalf("update with Kratos down: %v, want 503", err)
	}
	if _, _, err := svc.ResetPassword(ctx, tt.ID, clerk.m.IdentityID, nil); err == nil {
		t.Fatal("reset with Kratos down succeeded")
	}
	err = b.store.InTx(ctx, tt.ID, func(ctx context.Context) error {
		m, err := tenants.GetMembership(ctx, clerk.m.IdentityID)
		if err == nil && (m.Name != clerk.m.Name || m.Phone != clerk.m.Phone || m.MustChangePassword) {
			t.Errorf("membership after Kratos failed: %+v", m)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	admin := b.newMember(t, tt, tt.County.ID, tenants.RoleCountyAdmin)
	for _, action := range []string{"staff.update", "staff.reset_password"} {
		if evs := b.auditEvents(t, admin, action, clerk.m.IdentityID.String()); len(evs) != 0 {
			t.Fatalf("%s audit rows after Kratos failed: %v", action, evs)
		}
	}
	if k, err := b.kratos.FindByPhone(ctx, clerk.m.Phone); err != nil || k == nil || k.Name != clerk.m.Name {
		t.Fatalf("Kratos identity: %+v %v", k, err)
	}
	if _, ok := b.canLogin(t, clerk.m.Phone, password); !ok {
		t.Fatal("the password changed although the reset failed")
	}
}
