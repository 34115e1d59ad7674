package server_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/fstest"

	"github.com/yichuang/yichuang/api/server"
)

// TestSPAServesOfflineFiles: the web app manifest and the service worker (frontend/public)
// keep their names across releases, so they are revalidated every time (a long-cached sw.js
// would pin a phone to an old app), with the types browsers require: a manifest served as
// octet-stream is ignored, a worker not served as JavaScript is refused. Hashed assets stay
// cached for a year. No stack needed.
func TestSPAServesOfflineFiles(t *testing.T) {
	t.Parallel()
	assets := fstest.MapFS{
		"index.html":             {Data: []byte(`<!doctype html><div id="app"></div>`)},
		"sw.js":                  {Data: []byte("self.addEventListener('fetch', () => {})")},
		"manifest.webmanifest":   {Data: []byte(`{"name":"一窗"}`)},
		"icons/icon-192.png":     {Data: []byte("\x89PNG\r\n\x1a\n")},
		"assets/index-1a2b3c.js": {Data: []byte("export {}")},
	}
	h, _ := server.New(server.Deps{Assets: assets})
	srv := httptest.NewServer(h)
	defer srv.Close()
	cases := []struct{ path, ctype, cache string }{
		{"/sw.js", "text/javascript; charset=utf-8", "no-cache"},
		{"/manifest.webmanifest", "application/manifest+json", "no-cache"},
		{"/icons/icon-192.png", "image/png", ""},
		{"/assets/index-1a2b3c.js", "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"},
	}
	for _, c := range cases {
		resp, err := http.Get(srv.URL + c.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", c.path, resp.StatusCode)
		}
		if got := resp.Header.Get("Content-Type"); got != c.ctype {
			t.Errorf("%s: Content-Type %q, want %q", c.path, got, c.ctype)
		}
		if got := resp.Header.Get("Cache-Control"); got != c.cache {
			t.Errorf("%s: Cache-Control %q, want %q", c.path, got, c.cache)
		}
	}
}
