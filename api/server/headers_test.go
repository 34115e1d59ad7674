package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/yichuang/yichuang/api/server"
)

// TestSecurityHeadersOnEveryResponse: the SPA, the API (answers and errors), the robots file
// and unknown paths all carry the CSP, no framing, nosniff and the referrer policy; HSTS only
// when the request came over HTTPS through a trusted proxy. No stack needed.
func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	t.Parallel()
	assets := fstest.MapFS{
		"index.html":       {Data: []byte(`<!doctype html><div id="app"></div><script type="module" src="/assets/index.js"></script>`)},
		"assets/index.js":  {Data: []byte(`console.log(1)`)},
		"assets/index.css": {Data: []byte(`body{}`)},
	}
	h, _ := server.New(server.Deps{Assets: assets})
	srv := httptest.NewServer(h)
	defer srv.Close()

	for _, path := range []string{"/", "/applications/123", "/assets/index.js", "/api/v1/me", "/api/v1/nope", "/healthz", "/openapi.json", "/robots.txt"} {
		resp := get(t, srv.URL+path, nil)
		resp.Body.Close()
		hd := resp.Header
		if csp := hd.Get("Content-Security-Policy"); csp != server.ContentSecurityPolicy {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if hd.Get("X-Frame-Options") != "DENY" || hd.Get("X-Content-Type-Options") != "nosniff" || hd.Get("Referrer-Policy") != "same-origin" {
			t.Errorf("%s: frame %q, nosniff %q, referrer %q", path, hd.Get("X-Frame-Options"), hd.Get("X-Content-Type-Options"), hd.Get("Referrer-Policy"))
		}
		if hd.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS over plain HTTP", path)
		}
	}
	csp := server.ContentSecurityPolicy
	for _, want := range []string{"script-src 'self';", "style-src 'self';", "frame-ancestors 'none'", "object-src 'none'", "default-src 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP lacks %q", want)
		}
	}
	if strings.Contains(csp, "unsafe") {
		t.Errorf("the policy allows something unsafe: %s", csp)
	}

	// HTTPS through the proxy on loopback (the default trusted address): HSTS.
	resp := get(t, srv.URL+"/", map[string]string{"X-Forwarded-Proto": "https"})
	resp.Body.Close()
	if resp.Header.Get("Strict-Transport-Security") != server.HSTS {
		t.Errorf("HSTS behind a trusted proxy = %q", resp.Header.Get("Strict-Transport-Security"))
	}
	// The same header from an address that is not a trusted proxy is a client's claim: no HSTS.
	h2, _ := server.New(server.Deps{Assets: assets, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
	srv2 := httptest.NewServer(h2)
	defer srv2.Close()
	resp = get(t, srv2.URL+"/", map[string]string{"X-Forwarded-Proto": "https"})
	resp.Body.Close()
	if resp.Header.Get("Strict-Transport-Security") != "" {
		t.Errorf("HSTS on an untrusted X-Forwarded-Proto")
	}
	// Over TLS itself: HSTS.
	tls := httptest.NewTLSServer(h2)
	defer tls.Close()
	tresp, err := tls.Client().Get(tls.URL + "/api/v1/me")
	if err != nil {
		t.Fatal(err)
	}
	tresp.Body.Close()
	if tresp.Header.Get("Strict-Transport-Security") != server.HSTS {
		t.Errorf("HSTS over TLS = %q", tresp.Header.Get("Strict-Transport-Security"))
	}

	// robots.txt is a robots file, not the SPA's HTML.
	resp = get(t, srv.URL+"/robots.txt", nil)
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") ||
		!strings.Contains(string(raw), "User-agent: *") || !strings.Contains(string(raw), "Disallow: /") || strings.Contains(string(raw), "<") {
		t.Errorf("robots.txt = %d %s %q", resp.StatusCode, resp.Header.Get("Content-Type"), raw)
	}
	// The public pages are allowed, the API and the QR token pages are not.
	for _, line := range []string{"Allow: /public/", "Allow: /status/", "Allow: /login", "Disallow: /status/*/", "Disallow: /api/"} {
		if !strings.Contains(string(raw), line+"\n") {
			t.Errorf("robots.txt lacks %q: %q", line, raw)
		}
	}
}

func TestParseTrustedProxies(t *testing.T) {
	t.Parallel()
	got, err := server.ParseTrustedProxies(" 10.0.0.0/8, 192.168.1.7 ,::1")
	if err != nil || len(got) != 3 || got[1].String() != "192.168.1.7/32" || got[2].String() != "::1/128" {
		t.Fatalf("parse = %v %v", got, err)
	}
	if _, err := server.ParseTrustedProxies("nonsense"); err == nil {
		t.Fatal("a bad address was accepted")
	}
}
