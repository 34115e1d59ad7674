package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestForwardedClient: through trusted proxies the client is the rightmost address of
// X-Forwarded-For that is not a trusted proxy; what the client wrote to the left of it, an
// untrusted peer's header and a malformed chain are not believed.
func TestForwardedClient(t *testing.T) {
	t.Parallel()
	trusted, err := ParseTrustedProxies("127.0.0.0/8, 10.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{deps: Deps{TrustedProxies: trusted}}
	var seen string
	h := s.forwardedClient(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { seen = r.RemoteAddr }))
	for _, c := range []struct {
		name, peer string
		xff        []string
		want       string
	}{
		{"no header", "127.0.0.1:5000", nil, "127.0.0.1:5000"},
		{"one proxy", "127.0.0.1:5000", []string{"203.0.113.7"}, "203.0.113.7:0"},
		{"two proxies", "10.1.2.3:5000", []string{"198.51.100.9, 10.0.0.5"}, "198.51.100.9:0"},
		{"a forged hop left of the client", "127.0.0.1:5000", []string{"1.2.3.4, 203.0.113.7"}, "203.0.113.7:0"},
		{"header repeated", "127.0.0.1:5000", []string{"1.2.3.4", "203.0.113.7"}, "203.0.113.7:0"},
		{"untrusted peer", "192.0.2.1:5000", []string{"203.0.113.7"}, "192.0.2.1:5000"},
		{"malformed", "127.0.0.1:5000", []string{"203.0.113.7, not-an-address"}, "127.0.0.1:5000"},
		{"only proxies", "127.0.0.1:5000", []string{"10.0.0.9, 127.0.0.1"}, "10.0.0.9:0"},
		{"IPv6 client", "[::ffff:127.0.0.1]:5000", []string{"2001:db8::1"}, "[2001:db8::1]:0"},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = c.peer
		for _, v := range c.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		seen = ""
		h.ServeHTTP(httptest.NewRecorder(), r)
		if seen != c.want {
			t.Errorf("%s: RemoteAddr %q, want %q", c.name, seen, c.want)
		}
		if r.RemoteAddr != c.peer {
			t.Errorf("%s: the caller's request was changed", c.name)
		}
	}
	// The default is loopback only.
	s = &Server{}
	h = s.forwardedClient(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { seen = r.RemoteAddr }))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "10.0.0.5:5000"
	r.Header.Set("X-Forwarded-For", "203.0.113.7")
	h.ServeHTTP(httptest.NewRecorder(), r)
	if seen != "10.0.0.5:5000" {
		t.Errorf("default trust: %q", seen)
	}
}
