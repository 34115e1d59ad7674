// Package server is Yichuang's HTTP face: the API under /api/v1 (huma, OpenAPI 3.1,
// problem+json errors), the Kratos public API proxied under the app's own origin, the
// built frontend, and the health endpoints.
package server

import (
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"net/url"
	"path"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/access"
	"github.com/yichuang/yichuang/services/application"
	"github.com/yichuang/yichuang/services/auditlog"
	"github.com/yichuang/yichuang/services/calendar"
	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/document"
	"github.com/yichuang/yichuang/services/identity"
	"github.com/yichuang/yichuang/services/settings"
	"github.com/yichuang/yichuang/services/signin"
	"github.com/yichuang/yichuang/services/staff"
	"github.com/yichuang/yichuang/services/status"
	"github.com/yichuang/yichuang/services/storage"
	"github.com/yichuang/yichuang/services/wiring"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/services/workforce"
	"github.com/yichuang/yichuang/services/xlsxguard"
	"github.com/yichuang/yichuang/tenants"
)

// Version is the API version shown in the OpenAPI document.
const Version = "0.1.0"

// KratosPublicPrefix is where the Kratos public API appears on the app's origin.
const KratosPublicPrefix = "/.ory/kratos/public"

// Deps are what the server needs; nil parts are reported by /readyz.
type Deps struct {
	Store   *tenants.Store
	Kratos  *identity.Kratos
	Storage *storage.Store
	Logger  *slog.Logger
	// KratosPublicURL is proxied under KratosPublicPrefix; empty disables the proxy.
	KratosPublicURL string
	// Assets is the built frontend; nil serves a notice instead.
	Assets fs.FS
	// Services are the service instances, the same the River workers call (wiring.New); their
	// clock is the time deadlines are computed for. Nil serves the OpenAPI document only.
	Services *wiring.Services
	// Clock is Services.Clock.
	Clock clock.Clock
	// PublicURL is the public origin (YC_PUBLIC_URL): the one origin besides the request's own
	// that state-changing requests may come from.
	PublicURL string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are
	// believed (YC_TRUSTED_PROXIES; see ClientAddress); nil is DefaultTrustedProxies (loopback).
	TrustedProxies []netip.Prefix
	// Imports admits the Excel imports that run at once; nil is xlsxguard.NewGate(DefaultSlots).
	Imports *xlsxguard.Gate
	// SignIn is the lockout and throttling rule of the sign-in guard; nil is signin.DefaultPolicy.
	SignIn *signin.Policy
}

// Server holds the routes.
type Server struct {
	deps  Deps
	api   huma.API
	staff *staff.Service
	apps  *application.Service
	// workforce is the community-worker service (records, progression, payroll).
	workforce *workforce.Service
	// access is the community access lists (items, admission, dispatch).
	access *access.Service
	// status is the resident's side: public lookup and 好差评.
	status *status.Service
	// docs is the applications' files, notices and archive packages.
	docs *document.Service
	// calendar and settings change the county's calendar and rules.
	calendar *calendar.Service
	settings *settings.Service
	// imports admits a few Excel imports at a time.
	imports *xlsxguard.Gate
	// audit reads the audit chain as a ledger (names objects through their owners).
	audit *auditlog.Service
	// guard counts sign-ins (lockout and throttling); nil without a database.
	guard *signin.Guard
	// workersOnly: the health endpoints of a `serve --workers-only` process (WorkerHealth).
	workersOnly bool
}

// New builds the handler.
func New(deps Deps) (http.Handler, huma.API) {
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	installErrors(deps.Logger)
	mux := http.NewServeMux()
	svc := deps.Services
	if svc == nil {
		svc = &wiring.Services{Clock: clock.System{}}
	}
	deps.Clock = svc.Clock
	if deps.Imports == nil {
		deps.Imports = xlsxguard.NewGate(xlsxguard.DefaultSlots)
	}
	s := &Server{deps: deps, staff: svc.Staff, apps: svc.Apps, workforce: svc.Workforce, access: svc.Access, status: svc.Status,
		docs: svc.Docs, calendar: svc.Calendar, settings: svc.Settings, imports: deps.Imports, audit: svc.Audit}
	if s.audit == nil {
		s.audit = wiring.NewAudit()
	}
	if deps.Store != nil {
		policy := signin.DefaultPolicy
		if deps.SignIn != nil {
			policy = *deps.SignIn
		}
		s.guard = &signin.Guard{Pool: deps.Store.Pool(), Policy: policy}
	}
	s.api = humago.New(mux, apiConfig())
	s.api.UseMiddleware(s.rejectNUL)
	s.routes()
	limitStrings(s.api.OpenAPI())

	if deps.KratosPublicURL != "" {
		mux.Handle(KratosPublicPrefix+"/", s.guardSignIn(kratosProxy(deps.KratosPublicURL, deps.Logger)))
	}
	mux.HandleFunc("GET /robots.txt", robots)
	mux.HandleFunc("GET /docs", apiReference(deps.Assets))
	mux.Handle("/", spa(deps.Assets))
	return s.withClientAddress(s.requestID(s.securityHeaders(s.csrf(mux)))), s.api
}

// OpenAPI returns the document without any running dependency (for `yichuang openapi`).
func OpenAPI() *huma.OpenAPI {
	_, api := New(Deps{})
	return api.OpenAPI()
}

// schemaPrefix names the packages whose types reach the API under a prefix, because their
// short names (Record, Page, Result …) collide with other packages' types.
var schemaPrefix = map[string]string{
	"github.com/yichuang/yichuang/services/workforce":   "Workforce",
	"github.com/yichuang/yichuang/services/supervision": "Supervision",
	"github.com/yichuang/yichuang/services/access":      "Access",
	"github.com/yichuang/yichuang/services/status":      "Status",
	"github.com/yichuang/yichuang/services/pay":         "Pay",
	"github.com/yichuang/yichuang/services/level":       "Level",
}

func schemaName(t reflect.Type, hint string) string {
	name := huma.DefaultSchemaNamer(t, hint)
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if p, ok := schemaPrefix[t.PkgPath()]; ok && !strings.HasPrefix(name, p) {
		return p + name
	}
	return name
}

func apiConfig() huma.Config {
	cfg := huma.DefaultConfig("一窗 Yichuang API", Version)
	cfg.Components.Schemas = huma.NewMapRegistry("#/components/schemas/", schemaName)
	cfg.Info.Description = "县级政务服务一窗受理平台的 HTTP API。Every operation lists the roles that may call it. " +
		"Errors are application/problem+json with a stable `code`, a Chinese `message` and an English `message_en`."
	cfg.OpenAPIPath = "/openapi"
	cfg.DocsPath = "" // served by apiReference from the binary, not from a CDN
	cfg.SchemasPath = "/schemas"
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"cookie":  {Type: "apiKey", In: "cookie", Name: "ory_kratos_session", Description: "Kratos browser session (sign in through /.ory/kratos/public)"},
		"session": {Type: "apiKey", In: "header", Name: "X-Session-Token", Description: "Kratos session token (native/API sign-in)"},
	}
	return cfg
}

// requestID gives every request an id (kept from X-Request-ID when well-formed), returns it
// in the response, puts it in the context for logs and audit rows, and logs the request.
func (s *Server) requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-ID")
		if !requestIDPattern.MatchString(id) {
			id = uuid.NewString()
		}
		w.Header().Set("X-Request-ID", id)
		ctx := tenants.WithRequestID(r.Context(), id)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		next.ServeHTTP(rec, r.WithContext(ctx))
		if strings.HasPrefix(r.URL.Path, "/api/") || rec.status >= 500 {
			s.deps.Logger.LogAttrs(ctx, slog.LevelInfo, "http",
				slog.String("request_id", id), slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", rec.status), slog.Duration("duration", time.Since(start)))
		}
	})
}

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) { r.status = code; r.ResponseWriter.WriteHeader(code) }

func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// kratosProxy serves Kratos' public API on the app's origin, so the browser talks to one
// origin and Kratos' cookies are the app's cookies.
func kratosProxy(target string, logger *slog.Logger) http.Handler {
	u, err := url.Parse(target)
	if err != nil {
		panic(err)
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(u)
			pr.Out.URL.Path = path.Join("/", strings.TrimPrefix(pr.In.URL.Path, KratosPublicPrefix))
			pr.Out.URL.RawPath = ""
			pr.SetXForwarded()
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			logger.WarnContext(r.Context(), "kratos proxy", "error", err)
			writeProblem(w, newProblem(r.Context(), http.StatusServiceUnavailable, "auth_unavailable",
				"身份认证服务暂不可用，请稍后重试", "authentication service unavailable"))
		},
	}
	return proxy
}

// spa serves the built frontend, answering index.html for the app's client-side routes.
func spa(assets fs.FS) http.Handler {
	if assets == nil {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/api/") {
				writeProblem(w, newProblem(r.Context(), http.StatusNotFound, "", "", ""))
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`<!doctype html><meta charset="utf-8"><title>一窗</title><p>前端尚未构建：请运行 <code>make frontend</code> 后重新构建。The frontend has not been built: run <code>make frontend</code>.</p>`))
		})
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			writeProblem(w, newProblem(r.Context(), http.StatusNotFound, "", "", ""))
			return
		}
		name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if name != "" && name != "index.html" {
			if st, err := fs.Stat(assets, name); err == nil && !st.IsDir() {
				if strings.HasPrefix(name, "assets/") {
					// Vite puts a content hash in every name under assets/.
					w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				} else if unhashed[name] {
					// The service worker and the manifest keep their names across releases: the
					// browser must ask each time, or a phone would keep an old worker (and so an
					// old app) for as long as a cache allowed.
					w.Header().Set("Cache-Control", "no-cache")
				}
				serveAsset(w, r, assets, name, st)
				return
			}
		}
		w.Header().Set("Cache-Control", "no-cache")
		shell := "index.html"
		for _, ps := range pageShells {
			if strings.HasPrefix(r.URL.Path, ps.prefix) {
				if st, err := fs.Stat(assets, ps.file); err == nil && !st.IsDir() {
					shell = ps.file
				}
			}
		}
		if st, err := fs.Stat(assets, shell); err == nil {
			serveAsset(w, r, assets, shell, st)
			return
		}
		http.NotFound(w, r)
	})
}

// pageShells are index.html's copies that announce one public page's chunks in <head>, written
// by the build (frontend/build/pageShells.ts): a resident opening the status page cold on a
// village link then fetches them beside the entry instead of after it, round trip by round trip.
// A build without the copy falls back to index.html.
var pageShells = []struct{ prefix, file string }{{"/status/", "status.html"}}

// unhashed are the build's files that keep their name from release to release and so are
// revalidated every time (frontend/public: the offline service worker and the web app manifest).
var unhashed = map[string]bool{"sw.js": true, "manifest.webmanifest": true}

// contentType is the type of a build file by its extension. The manifest's type is not in
// Go's table nor in every system's mime.types; browsers expect application/manifest+json.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".webmanifest":
		return "application/manifest+json"
	case ".js", ".mjs":
		// A service worker must be served as JavaScript: say so whatever the system's table says.
		return "text/javascript; charset=utf-8"
	}
	return mime.TypeByExtension(path.Ext(name))
}

// precompressed are the siblings the build writes next to a file (frontend/vite.config.ts,
// precompress), best first: brotli is about a fifth smaller than gzip on the app's bundles.
var precompressed = []struct{ coding, ext string }{{"br", ".br"}, {"gzip", ".gz"}}

// serveAsset answers a file of the build, from its .br or .gz sibling when the client accepts
// that coding: a village link then downloads a quarter of the bytes, and the server spends no
// CPU compressing. http.ServeContent does HEAD, Content-Length, ranges and If-Modified-Since
// on whichever representation is chosen.
func serveAsset(w http.ResponseWriter, r *http.Request, assets fs.FS, name string, st fs.FileInfo) {
	ctype := contentType(name)
	varies := false
	for _, pc := range precompressed {
		cst, err := fs.Stat(assets, name+pc.ext)
		if err != nil || cst.IsDir() {
			continue
		}
		varies = true
		if ctype == "" || !acceptsEncoding(r.Header.Get("Accept-Encoding"), pc.coding) {
			continue
		}
		f, err := assets.Open(name + pc.ext)
		if err != nil {
			continue
		}
		defer f.Close()
		rs, ok := f.(io.ReadSeeker)
		if !ok {
			continue
		}
		size, err := rs.Seek(0, io.SeekEnd)
		if err != nil {
			continue
		}
		h := w.Header()
		h.Add("Vary", "Accept-Encoding")
		h.Set("Content-Type", ctype)
		h.Set("Content-Encoding", pc.coding)
		// ServeContent leaves out Content-Length once Content-Encoding is set (it expects a
		// compressing middleware), and ranges of a compressed body help no browser: the whole
		// file goes, with its length, so a HEAD tells it and a GET is not chunked.
		r = r.Clone(r.Context())
		r.Header.Del("Range")
		http.ServeContent(&lengthWriter{ResponseWriter: w, length: size}, r, name, st.ModTime(), rs)
		return
	}
	if varies {
		w.Header().Add("Vary", "Accept-Encoding")
	}
	f, err := assets.Open(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	if rs, ok := f.(io.ReadSeeker); ok {
		if ctype != "" {
			w.Header().Set("Content-Type", ctype)
		}
		http.ServeContent(w, r, name, st.ModTime(), rs)
		return
	}
	http.ServeFileFS(w, r, assets, name)
}

// lengthWriter gives a full (200) answer the length of the precompressed body.
type lengthWriter struct {
	http.ResponseWriter
	length int64
}

func (l *lengthWriter) WriteHeader(code int) {
	if code == http.StatusOK {
		l.Header().Set("Content-Length", strconv.FormatInt(l.length, 10))
	}
	l.ResponseWriter.WriteHeader(code)
}

// acceptsEncoding reports whether an Accept-Encoding header allows coding (RFC 9110 §12.5.3):
// listed with a q above zero, or covered by "*" when not listed at all.
func acceptsEncoding(header, coding string) bool {
	star := false
	for _, part := range strings.Split(header, ",") {
		token, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		token = strings.ToLower(strings.TrimSpace(token))
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		switch token {
		case coding:
			return q > 0
		case "*":
			star = q > 0
		}
	}
	return star
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func (s *Server) today() workday.Date { return clock.Today(s.deps.Clock) }
