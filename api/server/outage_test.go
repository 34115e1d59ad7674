package server_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/yichuang/yichuang/api/server"
	"github.com/yichuang/yichuang/jobs"
	"github.com/yichuang/yichuang/services/secret"
	"github.com/yichuang/yichuang/services/storage"
	"github.com/yichuang/yichuang/services/wiring"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

// tcpProxy stands between the app and one of its servers, so a test can take that server
// away from the app — refused connections, and every open one cut — and bring it back on
// the same address, without stopping the server the other tests share.
type tcpProxy struct {
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  map[net.Conn]struct{}
}

func newTCPProxy(t testing.TB, target string) *tcpProxy {
	t.Helper()
	p := &tcpProxy{target: target, conns: map[net.Conn]struct{}{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.down)
	return p
}

func (p *tcpProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.pipe(c)
		}
	}()
}

func (p *tcpProxy) pipe(c net.Conn) {
	u, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	if p.ln == nil { // went down meanwhile
		p.mu.Unlock()
		c.Close()
		u.Close()
		return
	}
	p.conns[c], p.conns[u] = struct{}{}, struct{}{}
	p.mu.Unlock()
	go func() { _, _ = io.Copy(u, c); u.Close() }()
	_, _ = io.Copy(c, u)
	c.Close()
}

// down refuses new connections and cuts the open ones: the server is gone, as far as the app
// can tell.
func (p *tcpProxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

// up listens again on the same address.
func (p *tcpProxy) up(t testing.TB) {
	t.Helper()
	var ln net.Listener
	var err error
	for range 50 { // the port may linger for a moment
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			p.serve(ln)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("proxy up again on %s: %v", p.addr, err)
}

func wantOutage(t *testing.T, what string, status int, body map[string]any, code string) {
	t.Helper()
	if status != http.StatusServiceUnavailable || body["code"] != code || body["message"] == "" || body["message_en"] == "" {
		t.Errorf("%s: %d %v, want 503 %s", what, status, body, code)
	}
}

// eventually retries fn for a few seconds: a pool notices a server is back on its next dial.
func eventually(t *testing.T, what string, fn func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if fn() {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s: not within 15 s", what)
}

// TestMinIODownIsNamed: with MinIO unreachable an upload answered 500 and a notice download
// handed out a link that could not open. Now both answer 503 storage_unavailable, in Chinese
// and English, and everything works again as soon as MinIO is back, without a restart.
func TestMinIODownIsNamed(t *testing.T) {
	t.Parallel()
	db := tenanttest.New(t)
	minio := newTCPProxy(t, tenanttest.Require(t, "YC_MINIO_ENDPOINT"))
	st, err := storage.New(storage.Config{Endpoint: minio.addr, AccessKey: tenanttest.Require(t, "YC_MINIO_ACCESS_KEY"),
		SecretKey: tenanttest.Require(t, "YC_MINIO_SECRET_KEY"), Prefix: "api-test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.EnsureBuckets(context.Background()); err != nil {
		t.Fatal(err)
	}
	b := setupDocsWith(t, db, st)
	c := b.newCounty(t)
	itemID := b.publishItem(t, c, "MINIO-"+strings.ToUpper(uuid.NewString()[:8]))
	app := b.windowIntake(t, c, itemID)
	id := app["id"].(string)
	status, app, _ := b.call(t, c.clerk, "POST", "/api/v1/applications/"+id+"/actions/accept", map[string]any{}, "If-Match", "1")
	if status != http.StatusOK {
		t.Fatalf("accept: %d %v", status, app)
	}
	notice := "/api/v1/applications/" + id + "/notices/accepted/download"
	waitFor(t, "the acceptance notice", func() bool { s, _, _ := b.call(t, c.clerk, "GET", notice, nil); return s == http.StatusOK })
	files := "/api/v1/applications/" + id + "/files?material=id"
	if status, f := b.raw(t, c.clerk, files, "image/jpeg", randomJPEG(4096)); status != http.StatusCreated {
		t.Fatalf("upload with MinIO up: %d %v", status, f)
	}

	minio.down()
	start := time.Now()
	status, body := b.raw(t, c.clerk, files, "image/jpeg", randomJPEG(4096))
	wantOutage(t, "upload with MinIO down", status, body, "storage_unavailable")
	if !strings.Contains(body["message"].(string), "MinIO") || !strings.Contains(body["message_en"].(string), "MinIO") {
		t.Errorf("the outage does not name MinIO: %v", body)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the upload took %s to give up", d)
	}
	status, body, _ = b.call(t, c.clerk, "GET", notice, nil)
	wantOutage(t, "notice download with MinIO down", status, body, "storage_unavailable")
	status, body, _ = b.call(t, c.clerk, "POST", "/api/v1/applications/"+id+"/uploads",
		map[string]any{"material": "hukou", "content_type": "image/jpeg", "size": 100, "sha256": strings.Repeat("a", 64)})
	wantOutage(t, "presigned upload with MinIO down", status, body, "storage_unavailable")
	// What does not need MinIO still works.
	if status, _, _ := b.call(t, c.clerk, "GET", "/api/v1/applications/"+id+"/documents", nil); status != http.StatusOK {
		t.Errorf("the documents list with MinIO down: %d", status)
	}

	minio.up(t)
	eventually(t, "an upload after MinIO is back", func() bool {
		status, _ := b.raw(t, c.clerk, files, "image/jpeg", randomJPEG(4096))
		return status == http.StatusCreated
	})
	status, link, _ := b.call(t, c.clerk, "GET", notice, nil)
	if status != http.StatusOK {
		t.Fatalf("notice download after MinIO is back: %d %v", status, link)
	}
	if pdf := fetchURL(t, link["url"].(string)); !strings.HasPrefix(string(pdf), "%PDF") {
		t.Fatal("the notice link does not serve the PDF")
	}
}

// TestPostgreSQLDownIsNamed: with PostgreSQL down every request answered 500. Now every one —
// signed in or public, read or write — answers 503 database_unavailable, readiness says which
// component failed, and the app recovers on its own once the database is back.
func TestPostgreSQLDownIsNamed(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.newCounty(t)
	itemID := b.publishItem(t, c, "PG-"+strings.ToUpper(uuid.NewString()[:8]))

	// The app's own pool reaches PostgreSQL through the proxy; Kratos keeps its own database.
	u, err := url.Parse(b.db.AppURL)
	if err != nil {
		t.Fatal(err)
	}
	pg := newTCPProxy(t, u.Host)
	u.Host = pg.addr
	pool, err := pgxpool.New(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	store := tenants.NewStore(pool, nil)
	box, _ := secret.New(testDataKey)
	svc := wiring.New(wiring.Config{Store: store, Identities: b.kratos, Box: box})
	if _, err := jobs.NewClient(store, jobs.Options{Services: svc}); err != nil { // intake enqueues deadline jobs
		t.Fatal(err)
	}
	h, _ := server.New(server.Deps{Store: store, Kratos: b.kratos, Services: svc})
	srv := httptest.NewServer(h)
	defer srv.Close()
	app := &testBundle{db: b.db, kratos: b.kratos, srv: srv, store: store}
	intake := map[string]any{"item_id": itemID,
		"applicant": map[string]any{"kind": "person", "name": "王秀兰", "id_no": "11010519491231002X", "phone": "13912345678"},
		"materials": []map[string]any{{"key": "id", "provided": true}}}
	if status, body, _ := app.call(t, c.clerk, "GET", "/api/v1/me", nil); status != http.StatusOK {
		t.Fatalf("/me with the database up: %d %v", status, body)
	}

	pg.down()
	requests := []struct {
		m            *member
		method, path string
		body         any
	}{
		{c.clerk, "GET", "/api/v1/me", nil},
		{c.admin, "GET", "/api/v1/applications", nil},
		{c.admin, "GET", "/api/v1/staff", nil},
		{c.clerk, "POST", "/api/v1/applications", intake},
		{c.admin, "PUT", "/api/v1/settings", map[string]any{}},
		{nil, "POST", "/api/v1/public/" + c.tenant.Code + "/status/lookup", map[string]any{"receipt_no": "CG20260101000001", "phone_last4": "1234"}},
		{nil, "GET", "/api/v1/public/" + c.tenant.Code + "/access-list", nil},
	}
	for _, r := range requests {
		status, body, _ := app.call(t, r.m, r.method, r.path, r.body, "Idempotency-Key", "pg-down-"+uuid.NewString())
		wantOutage(t, r.method+" "+r.path+" with PostgreSQL down", status, body, "database_unavailable")
		if msg, _ := body["message_en"].(string); !strings.Contains(msg, "PostgreSQL") {
			t.Errorf("%s %s: the outage does not name PostgreSQL: %v", r.method, r.path, body)
		}
	}
	resp := get(t, srv.URL+"/readyz", nil)
	var ready struct {
		Ready      bool
		Components map[string]struct{ OK bool }
	}
	mustJSON(t, resp, &ready)
	if resp.StatusCode != http.StatusServiceUnavailable || ready.Components["postgres"].OK {
		t.Errorf("readyz with PostgreSQL down: %d %+v", resp.StatusCode, ready)
	}

	pg.up(t)
	eventually(t, "/me after PostgreSQL is back", func() bool {
		status, _, _ := app.call(t, c.clerk, "GET", "/api/v1/me", nil)
		return status == http.StatusOK
	})
	if status, body, _ := app.call(t, c.clerk, "POST", "/api/v1/applications", intake, "Idempotency-Key", "pg-back-"+uuid.NewString()); status != http.StatusCreated {
		t.Fatalf("intake after PostgreSQL is back: %d %v", status, body)
	}
	var n int
	if err := b.db.Owner.QueryRow(context.Background(), "SELECT count(*) FROM applications WHERE tenant_id = $1", c.tenant.ID).Scan(&n); err != nil || n != 1 {
		t.Fatalf("applications stored = %d (%v), want only the one made after recovery", n, err)
	}
}
