package server

import (
	"context"
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
	check("kratos", func(ctx context.Context) error {
		if s.deps.Kratos == nil {
			return errNotConfigured
		}
		return s.deps.Kratos.Ready(ctx)
	})
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
