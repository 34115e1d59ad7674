package server_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"testing/fstest"

	"github.com/yichuang/yichuang/api/server"
)

// TestSPAServesPrecompressedAssets: the build writes .br and .gz next to each asset
// (frontend/vite.config.ts); the server answers with the one Accept-Encoding allows, brotli
// first, under the original's Content-Type, with Vary so caches keep them apart, and the
// Content-Length of the bytes actually sent. No stack needed.
func TestSPAServesPrecompressedAssets(t *testing.T) {
	t.Parallel()
	js := bytes.Repeat([]byte("console.log('一窗');\n"), 200)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(js)
	_ = zw.Close()
	br := []byte("not really brotli, but only the server's choice is under test")
	index := []byte(`<!doctype html><div id="app"></div>`)
	assets := fstest.MapFS{
		"index.html":            {Data: index},
		"index.html.gz":         {Data: []byte("gzipped index")},
		"assets/app-1a2b.js":    {Data: js},
		"assets/app-1a2b.js.br": {Data: br},
		"assets/app-1a2b.js.gz": {Data: gz.Bytes()},
		"assets/only-gz.css":    {Data: []byte("body{color:red}")},
		"assets/only-gz.css.gz": {Data: []byte("gzipped css")},
		"assets/plain.svg":      {Data: []byte("<svg/>")},
		"docs/scalar.js":        {Data: []byte("scalar")},
		"docs/scalar.js.br":     {Data: []byte("scalar br")},
	}
	h, _ := server.New(server.Deps{Assets: assets})
	srv := httptest.NewServer(h)
	defer srv.Close()
	// Go's transport would ask for gzip itself and undo it: the tests set the header by hand.
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	do := func(method, path, accept string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		if accept != "" {
			req.Header.Set("Accept-Encoding", accept)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s %s (%q): %d %s", method, path, accept, resp.StatusCode, body)
		}
		return resp, body
	}
	const jsType = "text/javascript; charset=utf-8"

	cases := []struct {
		name, path, accept, encoding, ctype string
		body                                []byte
		vary                                bool
	}{
		{"brotli preferred over gzip", "/assets/app-1a2b.js", "gzip, deflate, br, zstd", "br", jsType, br, true},
		{"gzip when brotli is not accepted", "/assets/app-1a2b.js", "gzip, deflate", "gzip", jsType, gz.Bytes(), true},
		{"brotli refused with q=0", "/assets/app-1a2b.js", "br;q=0, gzip;q=0.5", "gzip", jsType, gz.Bytes(), true},
		{"identity without Accept-Encoding", "/assets/app-1a2b.js", "", "", jsType, js, true},
		{"identity when only identity is accepted", "/assets/app-1a2b.js", "identity", "", jsType, js, true},
		{"star covers codings not listed", "/assets/app-1a2b.js", "*;q=0.1, br;q=0", "gzip", jsType, gz.Bytes(), true},
		{"gzip sibling only", "/assets/only-gz.css", "br, gzip", "gzip", "text/css; charset=utf-8", []byte("gzipped css"), true},
		{"no sibling: identity, no Vary", "/assets/plain.svg", "br, gzip", "", "image/svg+xml", []byte("<svg/>"), false},
		{"the API reference's renderer", "/docs/scalar.js", "br", "br", jsType, []byte("scalar br"), true},
		{"index.html for a client-side route", "/applications/42", "gzip", "gzip", "text/html; charset=utf-8", []byte("gzipped index"), true},
		{"index.html itself", "/index.html", "", "", "text/html; charset=utf-8", index, true},
	}
	for _, c := range cases {
		resp, body := do(http.MethodGet, c.path, c.accept)
		hd := resp.Header
		if got := hd.Get("Content-Encoding"); got != c.encoding {
			t.Errorf("%s: Content-Encoding %q, want %q", c.name, got, c.encoding)
		}
		if got := hd.Get("Content-Type"); got != c.ctype {
			t.Errorf("%s: Content-Type %q, want %q", c.name, got, c.ctype)
		}
		if !bytes.Equal(body, c.body) {
			t.Errorf("%s: body %.40q, want %.40q", c.name, body, c.body)
		}
		if got := hd.Get("Content-Length"); got != strconv.Itoa(len(c.body)) {
			t.Errorf("%s: Content-Length %q, want %d", c.name, got, len(c.body))
		}
		if got := hd.Get("Vary") == "Accept-Encoding"; got != c.vary {
			t.Errorf("%s: Vary %q", c.name, hd.Get("Vary"))
		}
	}

	// The gzip sibling is the file itself, compressed: a browser's decoding gives the original.
	_, body := do(http.MethodGet, "/assets/app-1a2b.js", "gzip")
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if plain, _ := io.ReadAll(zr); !bytes.Equal(plain, js) {
		t.Errorf("gzip sibling decodes to %d bytes, want the %d of the original", len(plain), len(js))
	}

	// Caching: hashed files for a year, the page itself revalidated every time.
	resp, _ := do(http.MethodGet, "/assets/app-1a2b.js", "br")
	if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
		t.Errorf("hashed asset Cache-Control %q", cc)
	}
	for _, p := range []string{"/", "/status/demo"} {
		resp, _ := do(http.MethodGet, p, "br, gzip")
		if cc := resp.Header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("%s Cache-Control %q", p, cc)
		}
	}

	// HEAD: the headers of the GET (the compressed length), no body.
	resp, body = do(http.MethodHead, "/assets/app-1a2b.js", "br")
	if resp.Header.Get("Content-Encoding") != "br" || resp.ContentLength != int64(len(br)) || len(body) != 0 {
		t.Errorf("HEAD: encoding %q, length %d, %d body bytes", resp.Header.Get("Content-Encoding"), resp.ContentLength, len(body))
	}
	if resp.Header.Get("Content-Type") != jsType {
		t.Errorf("HEAD Content-Type %q", resp.Header.Get("Content-Type"))
	}
}

// TestSPAServesThePageShells: the status page's paths get the build's status.html (index.html
// with that page's chunks announced, frontend/build/pageShells.ts), compressed like any file,
// and never cached; every other client-side route still gets index.html, and a build without
// the copy falls back to index.html. No stack needed.
func TestSPAServesThePageShells(t *testing.T) {
	t.Parallel()
	index := []byte(`<!doctype html><div id="app"></div>`)
	status := []byte(`<!doctype html><link rel="modulepreload" href="/assets/PublicStatusView-1a2b.js"><div id="app"></div>`)
	get := func(assets fstest.MapFS, path, accept string) (*http.Response, []byte) {
		t.Helper()
		h, _ := server.New(server.Deps{Assets: assets})
		srv := httptest.NewServer(h)
		defer srv.Close()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if accept != "" {
			req.Header.Set("Accept-Encoding", accept)
		}
		resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
		}
		return resp, body
	}
	built := fstest.MapFS{
		"index.html":     {Data: index},
		"status.html":    {Data: status},
		"status.html.br": {Data: []byte("brotli status shell")},
	}
	for _, c := range []struct {
		name, path, accept, encoding string
		body                         []byte
	}{
		{"the status page", "/status/demo", "", "", status},
		{"the status page with a token", "/status/demo/abc123", "", "", status},
		{"the status page, brotli", "/status/demo", "br", "br", []byte("brotli status shell")},
		{"a signed-in route", "/applications/42", "", "", index},
		{"a path that only starts like it", "/statusboard", "", "", index},
	} {
		resp, body := get(built, c.path, c.accept)
		if !bytes.Equal(body, c.body) {
			t.Errorf("%s: body %.60q, want %.60q", c.name, body, c.body)
		}
		if got := resp.Header.Get("Content-Encoding"); got != c.encoding {
			t.Errorf("%s: Content-Encoding %q, want %q", c.name, got, c.encoding)
		}
		if got := resp.Header.Get("Content-Type"); got != "text/html; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", c.name, got)
		}
		if got := resp.Header.Get("Cache-Control"); got != "no-cache" {
			t.Errorf("%s: Cache-Control %q, want no-cache (a release changes the chunks it names)", c.name, got)
		}
	}
	if _, body := get(fstest.MapFS{"index.html": {Data: index}}, "/status/demo", ""); !bytes.Equal(body, index) {
		t.Errorf("without status.html the status page gets %.60q, want index.html", body)
	}
}
