package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/yichuang/yichuang/api/server"
	"github.com/yichuang/yichuang/services/wiring"
	"github.com/yichuang/yichuang/tenants"
)

// rawCall sends body as is (so it can hold what json.Marshal would never write) as m.
func (b *testBundle) rawCall(t testing.TB, m *member, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, b.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if m != nil {
		req.Header.Set("X-Session-Token", m.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := map[string]any{}
	_ = json.Unmarshal(raw, &out)
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode >= 400 && ct != "application/problem+json" {
		t.Errorf("%s %s: %d answered %q, not problem+json", method, path, resp.StatusCode, ct)
	}
	return resp.StatusCode, out
}

func firstLocation(body map[string]any) string {
	errs, _ := body["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	loc, _ := errs[0].(map[string]any)["location"].(string)
	return loc
}

// TestNULAndTheNilCountyAre4xx: PostgreSQL cannot store NUL in text, and the nil UUID names no
// tenant; both used to reach the database and answer 500. Now each is a 4xx problem naming
// the field, in the body, the query, the path and the public status lookup, and nothing is
// written.
func TestNULAndTheNilCountyAre4xx(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newCounty(t)
	itemID := b.publishItem(t, c, "NUL-"+strings.ToUpper(uuid.NewString()[:8]))
	public := "/api/v1/public/" + c.tenant.Code + "/status"
	intake := func(contact string) string {
		return `{"item_id":"` + itemID + `","applicant":{"kind":"org","name":"某公司","id_no":"91350100M000100Y43","phone":"13912345678","contact":"` + contact + `"},` +
			`"materials":[{"key":"id","provided":true}]}`
	}
	cases := []struct {
		m            *member
		method, path string
		body         string
		status       int
		location     string
	}{
		{c.clerk, "POST", "/api/v1/applications", intake(`张\u0000三`), 422, "body.applicant.contact"},
		{c.clerk, "POST", "/api/v1/applications", strings.Replace(intake("张三"), `"materials":[{"key":"id"`, `"materials":[{"key":"id","note":"\u0000"`, 1), 422, "body.materials[0].note"},
		{c.clerk, "POST", "/api/v1/applications", strings.Replace(intake("张三"), `"contact"`, `"con\u0000tact"`, 1), 422, `body.applicant.con\u0000tact`},
		{c.admin, "GET", "/api/v1/applications?q=%00", "", 422, "query.q"},
		{c.admin, "GET", "/api/v1/items?q=a%00b&limit=5", "", 422, "query.q"},
		{c.admin, "GET", "/api/v1/workers?q=%00", "", 422, "query.q"},
		{nil, "POST", public + "/lookup", `{"receipt_no":"CG2026\u000000001","phone_last4":"5678"}`, 422, "body.receipt_no"},
		{nil, "POST", public + "/lookup", `{"receipt_no":"CG202600001","phone_last4":"56\u00008"}`, 422, "body.phone_last4"},
		{nil, "GET", public + "/abcdefghijklmnop%00qrstuvwxyz", "", 422, "path.token"},
		{nil, "POST", public + "/abcdefghijklmnop%00qrstuvwxyz/rating", `{"score":5}`, 422, "path.token"},
		{nil, "POST", "/api/v1/public/00000000-0000-0000-0000-000000000000/status/lookup", `{"receipt_no":"CG202600001","phone_last4":"5678"}`, 404, "path.county"},
		{nil, "GET", "/api/v1/public/00000000-0000-0000-0000-000000000000/status/abcdefghijklmnopqrstuvwxyz", "", 404, "path.county"},
		{nil, "GET", "/api/v1/public/00000000-0000-0000-0000-000000000000/access-list", "", 404, "path.county"},
		{nil, "GET", "/api/v1/public/%00/access-list", "", 422, "path.county"},
	}
	for _, tc := range cases {
		status, body := b.rawCall(t, tc.m, tc.method, tc.path, tc.body)
		if status != tc.status || firstLocation(body) != tc.location || body["message"] == "" || body["message_en"] == "" {
			t.Errorf("%s %s %s = %d %v, want %d at %s", tc.method, tc.path, tc.body, status, body, tc.status, tc.location)
		}
	}
	// An escaped backslash before u0000 is not a NUL: the intake goes through.
	if status, body := b.rawCall(t, c.clerk, "POST", "/api/v1/applications", intake(`张\\u0000三`)); status != http.StatusCreated {
		t.Errorf("a literal \\u0000 text = %d %v", status, body)
	}
	var n int
	if err := b.db.Owner.QueryRow(context.Background(), "SELECT count(*) FROM applications WHERE tenant_id = $1", c.tenant.ID).Scan(&n); err != nil || n != 1 {
		t.Fatalf("applications stored = %d (%v), want only the one without NUL", n, err)
	}
}

// TestEveryBodyStringHasALengthLimit: the applicant's contact took 600,000 characters. Now
// every string of every JSON request body in the OpenAPI document declares a maxLength, and
// the server holds to it.
func TestEveryBodyStringHasALengthLimit(t *testing.T) {
	t.Parallel()
	b := setup(t)
	resp := get(t, b.srv.URL+"/openapi.json", nil)
	var doc map[string]any
	mustJSON(t, resp, &doc)
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	var missing []string
	seen := map[string]bool{}
	var walk func(s map[string]any, where string)
	walk = func(s map[string]any, where string) {
		if ref, ok := s["$ref"].(string); ok {
			name := ref[strings.LastIndex(ref, "/")+1:]
			if seen[name] {
				return
			}
			seen[name] = true
			walk(schemas[name].(map[string]any), name)
			return
		}
		typ := fmt.Sprint(s["type"])
		if strings.Contains(typ, "string") && s["maxLength"] == nil && s["enum"] == nil {
			missing = append(missing, where)
		}
		if it, ok := s["items"].(map[string]any); ok {
			walk(it, where+"[]")
		}
		if props, ok := s["properties"].(map[string]any); ok {
			for k, p := range props {
				walk(p.(map[string]any), where+"."+k)
			}
		}
		if ap, ok := s["additionalProperties"].(map[string]any); ok {
			walk(ap, where+"{}")
		}
	}
	bodies := 0
	for path, ops := range doc["paths"].(map[string]any) {
		for method, op := range ops.(map[string]any) {
			rb, _ := op.(map[string]any)["requestBody"].(map[string]any)
			content, _ := rb["content"].(map[string]any)
			if mt, ok := content["application/json"].(map[string]any); ok {
				bodies++
				walk(mt["schema"].(map[string]any), method+" "+path)
			}
		}
	}
	if bodies < 25 || len(missing) > 0 {
		t.Fatalf("%d JSON bodies; strings without maxLength: %v", bodies, missing)
	}

	c := b.newCounty(t)
	itemID := b.publishItem(t, c, "LEN-"+strings.ToUpper(uuid.NewString()[:8]))
	huge := strings.Repeat("长", 600_000)
	status, body, _ := b.call(t, c.clerk, "POST", "/api/v1/applications", map[string]any{"item_id": itemID,
		"applicant": map[string]any{"kind": "org", "name": "某公司", "id_no": "91350100M000100Y43", "phone": "13912345678", "contact": huge},
		"materials": []map[string]any{{"key": "id", "provided": true}}})
	if status != http.StatusRequestEntityTooLarge && (status != http.StatusUnprocessableEntity || firstLocation(body) != "body.applicant.contact") {
		t.Fatalf("600,000-character contact = %d %v", status, body)
	}
	status, body, _ = b.call(t, c.clerk, "POST", "/api/v1/applications", map[string]any{"item_id": itemID,
		"applicant": map[string]any{"kind": "org", "name": "某公司", "id_no": "91350100M000100Y43", "phone": "13912345678", "contact": strings.Repeat("长", 300)},
		"materials": []map[string]any{{"key": "id", "provided": true}}})
	if status != http.StatusUnprocessableEntity || firstLocation(body) != "body.applicant.contact" || !strings.Contains(body["message"].(string), "长度至多为") {
		t.Fatalf("300-character contact = %d %v", status, body)
	}
	var n int
	if err := b.db.Owner.QueryRow(context.Background(), "SELECT count(*) FROM applications WHERE tenant_id = $1", c.tenant.ID).Scan(&n); err != nil || n != 0 {
		t.Fatalf("applications stored = %d (%v), want 0", n, err)
	}
}

// TestStatusThrottleHoldsUnderConcurrency: 100 parallel wrong lookups used to get 8 answers
// for a limit of 5. The count is now taken under a lock: exactly 5 answers, 95 refusals.
func TestStatusThrottleHoldsUnderConcurrency(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newCounty(t)
	itemID := b.publishItem(t, c, "THR-"+strings.ToUpper(uuid.NewString()[:8]))
	status, app, _ := b.call(t, c.clerk, "POST", "/api/v1/applications", map[string]any{"item_id": itemID,
		"applicant": map[string]any{"kind": "person", "name": "王秀兰", "id_no": "110105198503120020", "phone": "13912345678"},
		"materials": []map[string]any{{"key": "id", "provided": true}, {"key": "hukou", "provided": true}}})
	if status != http.StatusCreated {
		t.Fatalf("intake: %d %v", status, app)
	}
	status, app, _ = b.call(t, c.clerk, "POST", "/api/v1/applications/"+app["id"].(string)+"/actions/accept", map[string]any{},
		"If-Match", fmt.Sprint(app["version"]))
	if status != http.StatusOK {
		t.Fatalf("accept: %d %v", status, app)
	}
	// A server of its own with a pool wide enough for the burst to race (the shared one has 4).
	pool, err := pgxpool.New(context.Background(), b.db.AppURL+"&pool_max_conns=40")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	store := tenants.NewStore(pool, nil)
	h, _ := server.New(server.Deps{Store: store, Kratos: b.kratos, Services: wiring.New(wiring.Config{Store: store, Identities: b.kratos})})
	srv := httptest.NewServer(h)
	defer srv.Close()
	body, _ := json.Marshal(map[string]string{"receipt_no": app["receipt_no"].(string), "phone_last4": "0000"})
	var mu sync.Mutex
	counts := map[int]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			resp, err := http.Post(srv.URL+"/api/v1/public/"+c.tenant.Code+"/status/lookup", "application/json", bytes.NewReader(body))
			code := 0
			if err == nil {
				code = resp.StatusCode
				resp.Body.Close()
			}
			mu.Lock()
			counts[code]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	if counts[http.StatusNotFound] != 5 || counts[http.StatusTooManyRequests] != 95 {
		t.Fatalf("100 parallel wrong lookups: %v, want 5 × 404 and 95 × 429", counts)
	}
}
