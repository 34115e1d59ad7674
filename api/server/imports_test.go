package server_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/yichuang/yichuang/api/server"
	"github.com/yichuang/yichuang/services/xlsxguard"
	"github.com/yichuang/yichuang/services/xlsxguard/xlsxguardtest"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func postXLSX(t *testing.T, base string, m *member, path string, file []byte) (int, map[string]any, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+path, bytes.NewReader(file))
	req.Header.Set("Content-Type", xlsxType)
	req.Header.Set("X-Session-Token", m.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	mustJSON(t, resp, &out)
	return resp.StatusCode, out, resp.Header
}

// TestImportsRefuseZipBombs sends the attack of issue 13 — a 262 KB workbook whose one cell
// inflates to 250 MiB — to every Excel import: each answers 413 with the reason in Chinese,
// having inflated nothing (the memory bound is measured in services/xlsxguard and
// services/catalog).
func TestImportsRefuseZipBombs(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tt := tenanttest.NewTenant(t, b.db, "炸弹县")
	admin := b.newMember(t, tt, tt.County.ID, tenants.RoleCountyAdmin)
	for path, sheet := range map[string]string{"/api/v1/items/import": "事项", "/api/v1/workers/import": "花名册"} {
		bomb := xlsxguardtest.Bomb(t, sheet, xlsxguardtest.BombCellBytes)
		status, body, _ := postXLSX(t, b.srv.URL, admin, path, bomb)
		msg, _ := body["message"].(string)
		if status != http.StatusRequestEntityTooLarge || body["code"] != "workbook_too_large" || !strings.Contains(msg, "解压后为 250 MB") {
			t.Errorf("%s: %d %v; want 413 workbook_too_large", path, status, body)
		}
	}
}

// TestImportsAreGated: with every import slot taken, an import is answered 429 with
// Retry-After at once rather than queued behind the others.
func TestImportsAreGated(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tt := tenanttest.NewTenant(t, b.db, "繁忙县")
	admin := b.newMember(t, tt, tt.County.ID, tenants.RoleCountyAdmin)
	gate := xlsxguard.NewGate(2)
	h, _ := server.New(server.Deps{Store: b.store, Kratos: b.kratos, KratosPublicURL: b.publicURL, Imports: gate})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	r1, _ := gate.Enter()
	r2, _ := gate.Enter()
	for _, path := range []string{"/api/v1/items/import", "/api/v1/workers/import"} {
		status, body, header := postXLSX(t, srv.URL, admin, path, []byte("PK"))
		msg, _ := body["message"].(string)
		if status != http.StatusTooManyRequests || body["code"] != "import_busy" || header.Get("Retry-After") == "" || !strings.Contains(msg, "稍后重试") {
			t.Errorf("%s while busy: %d %v Retry-After=%q; want 429 import_busy", path, status, body, header.Get("Retry-After"))
		}
	}
	r1()
	r2()
	// A slot free again: the same request is read (and refused for what it is).
	status, body, _ := postXLSX(t, srv.URL, admin, "/api/v1/items/import", []byte("PK"))
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("after release: %d %v; want 422 for a file that is no workbook", status, body)
	}
}
