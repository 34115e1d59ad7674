package server

import (
	"net/http"
	"strings"
)

// CSRFHeader is the header the app's own API client sends with every request. A page of
// another origin cannot send it: an HTML form cannot set headers, and a cross-origin fetch
// that sets one needs a CORS preflight this server never grants. So a state-changing request
// that rides on the session cookie must carry it.
const CSRFHeader = "X-Requested-With"

// csrf refuses state-changing API requests that do not come from the app's own pages:
//
//   - Go's CrossOriginProtection refuses any non-safe request the browser marks as coming from
//     another origin (Sec-Fetch-Site, else an Origin that is not the Host) — another port or
//     subdomain of the same site included, which SameSite=Lax cookies do not stop;
//   - a request authenticated by the session cookie must also carry CSRFHeader, so a browser
//     that sends neither Sec-Fetch-Site nor Origin is covered too.
//
// A request with X-Session-Token is authenticated by a header no other page can set, and a
// request with neither cookie nor token acts as no one: they need no header. The Kratos proxy
// (/.ory/...) is not under /api/ and keeps Kratos' own CSRF token check.
func (s *Server) csrf(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	if s.deps.PublicURL != "" {
		// Behind a proxy that rewrites Host the public origin still matches.
		_ = cop.AddTrustedOrigin(strings.TrimRight(s.deps.PublicURL, "/"))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/api/") || safeMethod(r.Method) {
			next.ServeHTTP(w, r)
			return
		}
		if err := cop.Check(r); err != nil {
			s.deps.Logger.WarnContext(r.Context(), "cross-origin request refused", "method", r.Method, "path", r.URL.Path,
				"origin", r.Header.Get("Origin"), "sec_fetch_site", r.Header.Get("Sec-Fetch-Site"))
			writeProblem(w, newProblem(r.Context(), http.StatusForbidden, "cross_origin_refused",
				"拒绝来自其他网站的请求：请在本系统页面中操作", "request from another origin refused"))
			return
		}
		if r.Header.Get("X-Session-Token") == "" && hasSessionCookie(r) && r.Header.Get(CSRFHeader) == "" {
			writeProblem(w, newProblem(r.Context(), http.StatusForbidden, "csrf_header_missing",
				"请求缺少防跨站标记（"+CSRFHeader+"）：请在本系统页面中操作", "the "+CSRFHeader+" header is required with a session cookie"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

func hasSessionCookie(r *http.Request) bool {
	c, err := r.Cookie(SessionCookie)
	return err == nil && c.Value != ""
}
