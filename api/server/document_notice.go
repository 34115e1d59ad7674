package server

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/document"
	"github.com/yichuang/yichuang/services/notice"
	"github.com/yichuang/yichuang/services/problem"
)

// NoticeInfo is a written notice an application's step issued.
type NoticeInfo struct {
	Kind        string     `json:"kind" enum:"accepted,correction,rejected,decided,extension,special_procedure"`
	Title       string     `json:"title" doc:"受理通知书, 一次性告知书, 不予受理通知书, 办结通知书, 延期通知书, 特别程序告知书"`
	Version     int        `json:"version" doc:"the application version the issuing step produced"`
	Edition     int        `json:"edition" doc:"its number among the application's notices of this kind, 1 for the first: 第 N 版"`
	IssuedOn    string     `json:"issued_on"`
	Ready       bool       `json:"ready" doc:"rendered and stored; false while the job runs"`
	SHA256      string     `json:"sha256,omitempty"`
	Size        int64      `json:"size,omitempty"`
	VersionID   string     `json:"version_id,omitempty" doc:"the stored version a download serves"`
	GeneratedAt *time.Time `json:"generated_at,omitempty"`
	Generations int        `json:"generations" doc:"how many different renderings were stored"`
}

func toNoticeInfo(n *document.Notice) NoticeInfo {
	o := NoticeInfo{Kind: string(n.Kind), Title: notice.Title(n.Kind), Version: n.Version, Edition: n.Edition, IssuedOn: dateText(n.Content.IssuedOn),
		Ready: n.SHA256 != nil, GeneratedAt: n.GeneratedAt, Generations: n.Generations}
	if n.SHA256 != nil {
		o.SHA256, o.Size, o.VersionID = *n.SHA256, *n.Size, *n.VersionID
	}
	return o
}

// PDFContentSecurityPolicy replaces the app's policy on a PDF the app serves itself: the
// browser's PDF viewer is a plugin, which the app's object-src 'none' would refuse; the PDF
// loads nothing else and may not be framed.
const PDFContentSecurityPolicy = "default-src 'none'; object-src 'self'; frame-ancestors 'none'"

type pdfOut struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	CSP                string `header:"Content-Security-Policy"`
	Body               []byte
}

type noticePath struct {
	ID      uuid.UUID `path:"id"`
	Kind    string    `path:"kind" enum:"accepted,correction,rejected,decided,extension,special_procedure"`
	Version int       `query:"version" minimum:"0" doc:"the issuing step's application version; omitted: the newest notice of the kind"`
}

type noticeRegenerateIn struct {
	ID   uuid.UUID `path:"id"`
	Kind string    `path:"kind" enum:"accepted,correction,rejected,decided,extension,special_procedure"`
}

type noticeRegenerateOut struct {
	Body struct {
		Notice  NoticeInfo `json:"notice"`
		Changed bool       `json:"changed" doc:"false: the rendering equals the stored PDF, nothing was written"`
	}
}

func noticeKind(v string) (notice.Kind, error) {
	k, ok := document.ParseKind(v)
	if !ok {
		return "", problem.Invalid(problem.Field{Location: "path.kind", Message: "通知书种类无效：" + v, MessageEn: "unknown notice kind " + v, Value: v})
	}
	return k, nil
}

func (s *Server) noticeRoutes() {
	register(s, huma.Operation{OperationID: "download-application-notice", Method: http.MethodGet, Path: "/api/v1/applications/{id}/notices/{kind}/download",
		Summary: "下载通知书 / Download a notice (PDF)", Description: "Returns a presigned URL valid 5 minutes. 409 notice_pending while it is being rendered.",
		Tags: []string{"documents"}, Errors: []int{404, 409, 422}},
		staffRoles, func(ctx context.Context, in *noticePath) (*linkOut, error) {
			kind, err := noticeKind(in.Kind)
			if err != nil {
				return nil, err
			}
			return withTx(ctx, s, func(ctx context.Context) (out *linkOut, err error) {
				l, err := s.docs.NoticeLink(ctx, in.ID, kind, in.Version)
				if err == nil {
					out = toLink(l)
				}
				return out, err
			})
		})
	register(s, huma.Operation{OperationID: "get-application-notice-pdf", Method: http.MethodGet, Path: "/api/v1/applications/{id}/notices/{kind}/file",
		Summary: "查看通知书 / A notice's PDF, from the app's own origin",
		Description: "Streams the stored PDF (checked against its SHA-256) with the same checks as download, served inline under its Chinese title, " +
			"so a clerk's PC needs to reach only the app, not the storage. 409 notice_pending while it is being rendered.",
		Tags: []string{"documents"}, Errors: []int{404, 409, 422},
		Responses: map[string]*huma.Response{"200": {Description: "PDF", Content: map[string]*huma.MediaType{"application/pdf": {}}}}},
		staffRoles, func(ctx context.Context, in *noticePath) (*pdfOut, error) {
			kind, err := noticeKind(in.Kind)
			if err != nil {
				return nil, err
			}
			return withTx(ctx, s, func(ctx context.Context) (out *pdfOut, err error) {
				b, name, err := s.docs.NoticePDF(ctx, in.ID, kind, in.Version)
				if err != nil {
					return nil, err
				}
				return &pdfOut{ContentType: "application/pdf", ContentDisposition: inline(name), CSP: PDFContentSecurityPolicy, Body: b}, nil
			})
		})
	register(s, huma.Operation{OperationID: "regenerate-application-notice", Method: http.MethodPost, Path: "/api/v1/applications/{id}/notices/{kind}/regenerate",
		Summary: "重新生成通知书 / Render a notice again",
		Description: "Renders the newest notice of the kind again, with what it printed when issued. Identical bytes change nothing (changed: false); " +
			"different bytes are stored as a new version of the same object.",
		Tags: []string{"documents"}, Errors: []int{404, 422}},
		noticeRoles, func(ctx context.Context, in *noticeRegenerateIn) (*noticeRegenerateOut, error) {
			kind, err := noticeKind(in.Kind)
			if err != nil {
				return nil, err
			}
			return withTx(ctx, s, func(ctx context.Context) (out *noticeRegenerateOut, err error) {
				out = &noticeRegenerateOut{}
				n, changed, err := s.docs.Regenerate(ctx, in.ID, kind)
				if err == nil {
					out.Body.Notice, out.Body.Changed = toNoticeInfo(n), changed
				}
				return out, err
			})
		})
}
