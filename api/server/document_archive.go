package server

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
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
}
