package server

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ContentSecurityPolicy is what every response carries. The built SPA loads only its own
// scripts and stylesheets (Vite emits no inline script or style). Vue and Element Plus set
// element styles through the CSSOM (el.style), which CSP does not govern, so not even inline
// style attributes need allowing: every browser flow runs under this policy with no violation
// (frontend/e2e/security.test.mjs watches for them). Notices open in a new tab from the app's
// own /notices/{kind}/file, which replaces this policy with PDFContentSecurityPolicy; no blob
// documents inherit this one. API answers are data, never rendered,
// and share the header. /docs sets its own, looser policy for its renderer (reference.go).
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self' data:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// HSTS is sent on responses served over HTTPS: a year, the host only (a county's other
// subdomains may not serve HTTPS yet).
const HSTS = "max-age=31536000"

// DefaultTrustedProxies are the addresses whose X-Forwarded-Proto and X-Forwarded-For are believed when
// YC_TRUSTED_PROXIES is unset: loopback, i.e. a reverse proxy on the same machine (the server
// listens on 127.0.0.1 by default).
var DefaultTrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// ParseTrustedProxies reads YC_TRUSTED_PROXIES: comma-separated addresses or CIDR prefixes.
func ParseTrustedProxies(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			a, err := netip.ParseAddr(part)
			if err != nil {
				return nil, err
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// securityHeaders puts the browser-side protections on every response: what the page may
// load (CSP), no framing (clickjacking), no MIME sniffing, no referrer beyond the origin (the
// public status page's URL holds a token), and HSTS when the request came over HTTPS.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	trusted := s.trustedProxies()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		if overHTTPS(r, trusted) {
			h.Set("Strict-Transport-Security", HSTS)
		}
		next.ServeHTTP(w, r)
	})
}

// overHTTPS: the connection is TLS, or a trusted proxy says the client's was.
func overHTTPS(r *http.Request, trusted []netip.Prefix) bool {
	if r.TLS != nil {
		return true
	}
	proto := r.Header.Get("X-Forwarded-Proto")
	if proto == "" {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil || !isTrusted(addr.Unmap(), trusted) {
		return false
	}
	// A chain of proxies appends: the first value is what the client used.
	first, _, _ := strings.Cut(proto, ",")
	return strings.EqualFold(strings.TrimSpace(first), "https")
}

// robotsTxt keeps crawlers off the app, served from the binary (not the SPA's index.html):
// the public pages may be indexed — the access lists (/public/...), a county's status lookup
// (/status/{county}) and the sign-in page — while /api, /docs and the signed-in pages may not,
// nor a status page reached by its QR token (/status/{county}/{token}: the longer rule wins).
const robotsTxt = "User-agent: *\n" +
	"Allow: /public/\n" +
	"Allow: /status/\n" +
	"Allow: /login\n" +
	"Disallow: /status/*/\n" +
	"Disallow: /api/\n" +
	"Disallow: /\n"

func robots(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write([]byte(robotsTxt))
}
