package server

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
)

type healthOut struct {
	Body struct {
		Status string `json:"status" example:"ok"`
	}
}

type readyOut struct {
	Status int
	Body   struct {
		Ready      bool                       `json:"ready"`
		Components map[string]componentStatus `json:"components"`
	}
}

func (s *Server) healthRoutes() {
	register(s, huma.Operation{OperationID: "healthz", Method: http.MethodGet, Path: "/healthz", Summary: "进程存活 / Liveness", Tags: []string{"health"}},
		nil, func(ctx context.Context, _ *struct{}) (*healthOut, error) {
			out := &healthOut{}
			out.Body.Status = "ok"
			return out, nil
		})
	register(s, huma.Operation{OperationID: "readyz", Method: http.MethodGet, Path: "/readyz", Summary: "依赖就绪 / Readiness of PostgreSQL, Kratos and MinIO", Tags: []string{"health"}},
		nil, func(ctx context.Context, _ *struct{}) (*readyOut, error) {
			out := &readyOut{Status: http.StatusOK}
			out.Body.Components, out.Body.Ready = s.ready(ctx)
			if !out.Body.Ready {
				out.Status = http.StatusServiceUnavailable
			}
			return out, nil
		})
}

// readiness of each dependency.
type componentStatus struct {
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

func (s *Server) ready(ctx context.Context) (map[string]componentStatus, bool) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	out := map[string]componentStatus{}
	check := func(name string, fn func(context.Context) error) {
		if err := fn(ctx); err != nil {
			out[name] = componentStatus{Error: err.Error()}
			return
		}
		out[name] = componentStatus{OK: true}
	}
	check("postgres", func(ctx context.Context) error {
		if s.deps.Store == nil {
			return errNotConfigured
		}
		return s.deps.Store.Pool().Ping(ctx)
	})
	if !s.workersOnly {
		check("kratos", func(ctx context.Context) error {
			if s.deps.Kratos == nil {
				return errNotConfigured
			}
			return s.deps.Kratos.Ready(ctx)
		})
	}
	check("minio", func(ctx context.Context) error {
		if s.deps.Storage == nil {
			return errNotConfigured
		}
		return s.deps.Storage.Ready(ctx)
	})
	all := true
	for _, c := range out {
		all = all && c.OK
	}
	return out, all
}

type notConfigured struct{}

func (notConfigured) Error() string { return "not configured" }

var errNotConfigured = notConfigured{}

// WorkerHealth is all a `serve --workers-only` process answers: GET /healthz (liveness) and
// GET /readyz, in the API's shapes, checking PostgreSQL (the queue lives there) and MinIO (the
// documents queue needs it) but not Kratos, which only the API talks to. Everything else is
// 404: a worker serves no API, so a reverse proxy pointed at it by mistake gets nothing.
func WorkerHealth(deps Deps) http.Handler {
	s := &Server{deps: deps, workersOnly: true}
	mux := http.NewServeMux()
	write := func(w http.ResponseWriter, status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		write(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		var out readyOut
		out.Body.Components, out.Body.Ready = s.ready(r.Context())
		status := http.StatusOK
		if !out.Body.Ready {
			status = http.StatusServiceUnavailable
		}
		write(w, status, out.Body)
	})
	return mux
}
