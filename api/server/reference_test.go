package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/yichuang/yichuang/api/server"
)

// TestAPIReferenceServedFromTheBinary: /docs loads its renderer from this origin only, so
// the reference opens on a county intranet without the internet (issue 15 item 9); without
// the renderer built in it says what to run instead of showing a blank page.
func TestAPIReferenceServedFromTheBinary(t *testing.T) {
	t.Parallel()
	assets := fstest.MapFS{
		"index.html":      {Data: []byte(`<!doctype html><div id="app"></div>`)},
		"docs/scalar.js":  {Data: []byte(`/* renderer */`)},
		"assets/index.js": {Data: []byte(`console.log(1)`)},
	}
	h, _ := server.New(server.Deps{Assets: assets})
	srv := httptest.NewServer(h)
	defer srv.Close()

	resp := get(t, srv.URL+"/docs", nil)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("/docs: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if !strings.Contains(page, `src="/docs/scalar.js"`) || !strings.Contains(page, `data-url="/openapi.json"`) {
		t.Errorf("/docs does not load the built-in renderer and the document:\n%s", page)
	}
	if strings.Contains(page, "http://") || strings.Contains(page, "https://") || strings.Contains(page, "unpkg") {
		t.Errorf("/docs refers to another origin:\n%s", page)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self' 'unsafe-eval'") || strings.Contains(csp, "http") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("/docs policy %q: scripts from this origin only, no framing", csp)
	}
	js := get(t, srv.URL+"/docs/scalar.js", nil)
	jb, _ := io.ReadAll(js.Body)
	js.Body.Close()
	if js.StatusCode != http.StatusOK || string(jb) != `/* renderer */` {
		t.Errorf("/docs/scalar.js: %d %q", js.StatusCode, jb)
	}
	doc := get(t, srv.URL+"/openapi.json", nil)
	doc.Body.Close()
	if doc.StatusCode != http.StatusOK {
		t.Errorf("/openapi.json: %d", doc.StatusCode)
	}

	// A binary built without the renderer explains itself.
	bare, _ := server.New(server.Deps{Assets: fstest.MapFS{"index.html": {Data: []byte(`<!doctype html>`)}}})
	srv2 := httptest.NewServer(bare)
	defer srv2.Close()
	resp = get(t, srv2.URL+"/docs", nil)
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "frontend-deps.sh") {
		t.Errorf("without the renderer: %d %s", resp.StatusCode, body)
	}
}
