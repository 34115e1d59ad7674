package server

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/yichuang/yichuang/services/document"
)

// DocumentSettings are the county's document rules.
type DocumentSettings struct {
	MaxUploadMB int    `json:"max_upload_mb" minimum:"1" maximum:"200" doc:"单个文件大小上限，MB（默认 20）"`
	Retention   string `json:"retention" enum:"permanent,30y,10y" doc:"归档包保管期限：永久 / 定期30年（默认）/ 定期10年（国家档案局令第8号）"`
}

type documentSettingsOut struct{ Body DocumentSettings }

type documentSettingsIn struct{ Body DocumentSettings }

func toDocumentSettings(st *document.Settings) DocumentSettings {
	return DocumentSettings{MaxUploadMB: int(st.MaxUploadBytes >> 20), Retention: string(st.Retention)}
}

func (s *Server) documentSettingsRoutes() {
	register(s, huma.Operation{OperationID: "get-document-settings", Method: http.MethodGet, Path: "/api/v1/document-settings",
		Summary: "文件规则 / The county's document rules", Tags: []string{"documents"}},
		staffRoles, func(ctx context.Context, _ *struct{}) (*documentSettingsOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *documentSettingsOut, err error) {
				out = &documentSettingsOut{}
				st, err := document.GetSettings(ctx)
				if err == nil {
					out.Body = toDocumentSettings(st)
				}
				return out, err
			})
		})
	register(s, huma.Operation{OperationID: "put-document-settings", Method: http.MethodPut, Path: "/api/v1/document-settings",
		Summary:     "修改文件规则 / Change the document rules",
		Description: "The retention applies to packages archived from now on; stored packages keep the lock they were stored with.",
		Tags:        []string{"documents"}, Errors: []int{422}},
		admins, func(ctx context.Context, in *documentSettingsIn) (*documentSettingsOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *documentSettingsOut, err error) {
				out = &documentSettingsOut{}
				st, err := document.PutSettings(ctx, document.Settings{MaxUploadBytes: int64(in.Body.MaxUploadMB) << 20, Retention: document.Retention(in.Body.Retention)})
				if err == nil {
					out.Body = toDocumentSettings(st)
				}
				return out, err
			})
		})
}
