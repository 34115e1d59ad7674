package server

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/yichuang/yichuang/services/document"
)

type documentsOut struct {
	Body struct {
		Files   []FileInfo   `json:"files"`
		Notices []NoticeInfo `json:"notices"`
		Archive *ArchiveInfo `json:"archive,omitempty" doc:"present once the archive package is stored"`
	}
}

type linkOut struct {
	Body struct {
		URL       string    `json:"url" doc:"short-lived presigned URL; GET it to download"`
		ExpiresAt time.Time `json:"expires_at"`
	}
}

func toLink(l *document.Link) *linkOut {
	out := &linkOut{}
	out.Body.URL, out.Body.ExpiresAt = l.URL, l.ExpiresAt
	return out
}

func (s *Server) documentRoutes() {
	register(s, huma.Operation{OperationID: "list-application-documents", Method: http.MethodGet, Path: "/api/v1/applications/{id}/documents",
		Summary: "办件文件 / An application's files, notices and archive package", Description: "Readable by whoever may read the application.",
		Tags: []string{"documents"}, Errors: []int{404}},
		staffRoles, func(ctx context.Context, in *idPath) (*documentsOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *documentsOut, err error) {
				out = &documentsOut{}
				out.Body.Files, out.Body.Notices = []FileInfo{}, []NoticeInfo{}
				l, err := s.docs.List(ctx, in.ID)
				if err != nil {
					return nil, err
				}
				for i := range l.Files {
					out.Body.Files = append(out.Body.Files, toFileInfo(&l.Files[i]))
				}
				for i := range l.Notices {
					out.Body.Notices = append(out.Body.Notices, toNoticeInfo(&l.Notices[i]))
				}
				if ar := l.Archive; ar != nil {
					out.Body.Archive = &ArchiveInfo{SHA256: ar.SHA256, Size: ar.Size, Files: ar.Files, Retention: string(ar.Retention),
						RetentionLabel: ar.Retention.Label(), LockMode: ar.LockMode, RetainUntil: ar.RetainUntil, ArchivedAt: ar.ArchivedAt}
				}
				return out, nil
			})
		})
}
