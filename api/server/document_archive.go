package server

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/yichuang/yichuang/services/document"
)

// ArchiveInfo is an application's archive package.
type ArchiveInfo struct {
	SHA256         string    `json:"sha256"`
	Size           int64     `json:"size"`
	Files          int       `json:"files" doc:"files in the package, manifest.json aside"`
	Retention      string    `json:"retention" enum:"permanent,30y,10y"`
	RetentionLabel string    `json:"retention_label" doc:"永久, 定期30年, 定期10年"`
	LockMode       string    `json:"lock_mode" enum:"COMPLIANCE,GOVERNANCE"`
	RetainUntil    time.Time `json:"retain_until"`
	ArchivedAt     time.Time `json:"archived_at"`
}

func (s *Server) archiveRoutes() {
	register(s, huma.Operation{OperationID: "download-application-archive", Method: http.MethodGet, Path: "/api/v1/applications/{id}/archive/download",
		Summary: "下载归档包 / Download the archive package (zip)", Description: "Returns a presigned URL valid 5 minutes. 409 not_archived before the package is stored.",
		Tags: []string{"documents"}, Errors: []int{404, 409}},
		staffRoles, func(ctx context.Context, in *idPath) (*linkOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *linkOut, err error) {
				l, err := s.docs.ArchiveLink(ctx, in.ID)
				if err == nil {
					out = toLink(l)
				}
				return out, err
			})
		})
	register(s, huma.Operation{OperationID: "get-application-archive-content", Method: http.MethodGet, Path: "/api/v1/applications/{id}/archive/content",
		Summary: "下载归档包（经本站） / The archive package, from the app's own origin",
		Description: "Streams the package (zip) with the same checks as download, so a clerk's PC needs to reach only the app, not the storage. " +
			"The bytes are checked against the recorded SHA-256 while they stream. 409 not_archived before the package is stored.",
		Tags: []string{"documents"}, Errors: []int{404, 409},
		Responses: map[string]*huma.Response{"200": {Description: "zip", Content: map[string]*huma.MediaType{"application/zip": {}}}}},
		staffRoles, func(ctx context.Context, in *idPath) (*huma.StreamResponse, error) {
			c, err := withTx(ctx, s, func(ctx context.Context) (*document.Content, error) { return s.docs.OpenArchive(ctx, in.ID) })
			if err != nil {
				return nil, err
			}
			return streamContent(c), nil
		})
}

// streamContent sends a stored document after its transaction has ended. Content-Length is
// announced, so a copy cut short because the bytes changed (document.CopyVerified) shows as
// a failed download rather than a complete-looking file; the connection is then aborted.
func streamContent(c *document.Content) *huma.StreamResponse {
	return &huma.StreamResponse{Body: func(hc huma.Context) {
		defer c.Body.Close()
		hc.SetHeader("Content-Type", c.ContentType)
		hc.SetHeader("Content-Disposition", attachment(c.Name))
		hc.SetHeader("Content-Length", strconv.FormatInt(c.Size, 10))
		hc.SetHeader("X-Content-Type-Options", "nosniff")
		// A stored file never runs in the app's origin, whatever it holds.
		hc.SetHeader("Content-Security-Policy", "default-src 'none'; sandbox")
		hc.SetHeader("Cache-Control", "private, no-store")
		hc.SetStatus(http.StatusOK)
		if err := document.CopyVerified(hc.BodyWriter(), c); err != nil {
			slog.Error("serving a stored document", "file", c.Name, "err", err)
			panic(http.ErrAbortHandler) // net/http closes the connection without a log of its own
		}
	}}
}
