package server

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/document"
	"github.com/yichuang/yichuang/services/notice"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/tenants"
)

// noticeRoles may render a notice again: those who issue notices, and the county admin.
var noticeRoles = []tenants.Role{tenants.RoleTownshipClerk, tenants.RoleDepartmentStaff, tenants.RoleCountyAdmin}

// FileInfo is a file of an application's material.
type FileInfo struct {
	ID           uuid.UUID  `json:"id"`
	MaterialKey  string     `json:"material_key"`
	Filename     string     `json:"filename"`
	Channel      string     `json:"channel" enum:"direct,presigned" doc:"streamed through the API, or PUT to a presigned URL"`
	Status       string     `json:"status" enum:"awaiting_upload,uploaded,verified,rejected,tampered" doc:"verified: attached to the material; uploaded: being verified"`
	StatusLabel  string     `json:"status_label"`
	Attached     bool       `json:"attached" doc:"verified, so attached to the material and downloadable"`
	ContentType  string     `json:"content_type" doc:"the type the content is (sniffed, never from the name); empty until known"`
	DeclaredType string     `json:"declared_type" doc:"the type the uploader declared, if any"`
	Size         int64      `json:"size"`
	SHA256       string     `json:"sha256" doc:"registered at upload: computed by the server, or declared for a presigned upload"`
	Reason       string     `json:"reason,omitempty" doc:"why the file was rejected or flagged"`
	ReasonEn     string     `json:"reason_en,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	UploadedAt   *time.Time `json:"uploaded_at,omitempty"`
	CheckedAt    *time.Time `json:"checked_at,omitempty"`
	UploaderName string     `json:"uploader_name" doc:"who uploaded it"`
}

func toFileInfo(f *document.File) FileInfo {
	return FileInfo{ID: f.ID, MaterialKey: f.MaterialKey, Filename: f.Filename, Channel: f.Channel, Status: f.Status, StatusLabel: document.StatusLabel(f.Status),
		Attached: f.Status == document.StatusVerified, ContentType: f.ContentType, DeclaredType: f.DeclaredType, Size: f.Size, SHA256: f.SHA256,
		Reason: f.Reason, ReasonEn: f.ReasonEn, CreatedAt: f.CreatedAt, UploadedAt: f.UploadedAt, CheckedAt: f.CheckedAt, UploaderName: f.UploaderName}
}

// NoticeInfo is a written notice an application's step issued.
type NoticeInfo struct {
	Kind        string     `json:"kind" enum:"accepted,correction,rejected,decided"`
	Title       string     `json:"title" doc:"受理通知书, 一次性告知书, 不予受理通知书, 办结通知书"`
	Version     int        `json:"version" doc:"the application version the issuing step produced"`
	IssuedOn    string     `json:"issued_on"`
	Ready       bool       `json:"ready" doc:"rendered and stored; false while the job runs"`
	SHA256      string     `json:"sha256,omitempty"`
	Size        int64      `json:"size,omitempty"`
	VersionID   string     `json:"version_id,omitempty" doc:"the stored version a download serves"`
	GeneratedAt *time.Time `json:"generated_at,omitempty"`
	Generations int        `json:"generations" doc:"how many different renderings were stored"`
}

func toNoticeInfo(n *document.Notice) NoticeInfo {
	o := NoticeInfo{Kind: string(n.Kind), Title: notice.Title(n.Kind), Version: n.Version, IssuedOn: dateText(n.Content.IssuedOn),
		Ready: n.SHA256 != nil, GeneratedAt: n.GeneratedAt, Generations: n.Generations}
	if n.SHA256 != nil {
		o.SHA256, o.Size, o.VersionID = *n.SHA256, *n.Size, *n.VersionID
	}
	return o
}

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

type documentsOut struct {
	Body struct {
		Files   []FileInfo   `json:"files"`
		Notices []NoticeInfo `json:"notices"`
		Archive *ArchiveInfo `json:"archive,omitempty" doc:"present once the archive package is stored"`
	}
}

type docFileOut struct{ Body FileInfo }

// Upload types a client may declare; the content decides in any case.
var uploadTypes = map[string]*huma.MediaType{}

func init() {
	for _, t := range append(document.Types, "application/octet-stream") {
		uploadTypes[string(t)] = &huma.MediaType{Schema: &huma.Schema{Type: "string", Format: "binary"}}
	}
}

type fileUploadIn struct {
	ID            uuid.UUID `path:"id"`
	Material      string    `query:"material" required:"true" maxLength:"40" doc:"the material's key on the checklist"`
	Filename      string    `query:"filename" maxLength:"200" doc:"shown on downloads only; the type is sniffed from the content"`
	body          io.Reader
	contentType   string
	contentLength int64
}

// Resolve keeps the request body for the handler to stream (huma would read it whole), with
// its declared type and length.
func (in *fileUploadIn) Resolve(ctx huma.Context) []error {
	in.body, in.contentType = ctx.BodyReader(), ctx.Header("Content-Type")
	in.contentLength = -1
	if n, err := strconv.ParseInt(ctx.Header("Content-Length"), 10, 64); err == nil && n >= 0 {
		in.contentLength = n
	}
	return nil
}

type uploadBeginIn struct {
	ID   uuid.UUID `path:"id"`
	Body struct {
		Material    string `json:"material" maxLength:"40" doc:"the material's key on the checklist"`
		Filename    string `json:"filename,omitempty" maxLength:"200"`
		ContentType string `json:"content_type" doc:"image/jpeg, image/png, image/tiff, application/pdf or application/ofd"`
		Size        int64  `json:"size" minimum:"1" doc:"bytes"`
		SHA256      string `json:"sha256" doc:"of the file, 64 hex digits; the upload is verified against it"`
	}
}

type uploadBeginOut struct {
	Body struct {
		UploadID  uuid.UUID         `json:"upload_id"`
		URL       string            `json:"url" doc:"PUT the file here"`
		Method    string            `json:"method" enum:"PUT"`
		Headers   map[string]string `json:"headers" doc:"send these headers with the PUT"`
		ExpiresAt time.Time         `json:"expires_at"`
		File      FileInfo          `json:"file"`
	}
}

type uploadPath struct {
	ID     uuid.UUID `path:"id"`
	Upload uuid.UUID `path:"upload"`
}

type filePath struct {
	ID   uuid.UUID `path:"id"`
	File uuid.UUID `path:"file"`
}

type noticePath struct {
	ID      uuid.UUID `path:"id"`
	Kind    string    `path:"kind" enum:"accepted,correction,rejected,decided"`
	Version int       `query:"version" minimum:"0" doc:"the issuing step's application version; omitted: the newest notice of the kind"`
}

type noticeRegenerateIn struct {
	ID   uuid.UUID `path:"id"`
	Kind string    `path:"kind" enum:"accepted,correction,rejected,decided"`
}

type noticeRegenerateOut struct {
	Body struct {
		Notice  NoticeInfo `json:"notice"`
		Changed bool       `json:"changed" doc:"false: the rendering equals the stored PDF, nothing was written"`
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

func noticeKind(v string) (notice.Kind, error) {
	k, ok := document.ParseKind(v)
	if !ok {
		return "", problem.Invalid(problem.Field{Location: "path.kind", Message: "通知书种类无效：" + v, MessageEn: "unknown notice kind " + v, Value: v})
	}
	return k, nil
}

func (s *Server) documentRoutes() {
	register(s, huma.Operation{OperationID: "upload-application-file", Method: http.MethodPost, Path: "/api/v1/applications/{id}/files",
		Summary: "上传材料文件 / Upload a material's file",
		Description: "The body is the file (JPEG, PNG, TIFF, PDF or OFD), at most the county's size limit. Its type is sniffed from the content; " +
			"an unknown type, or a declared Content-Type the content contradicts, is refused (422); a file over the limit gets 413. " +
			"The file is attached to the material once a background job has re-read it and checked its SHA-256 (status verified). " +
			"Township clerks of the application's hall and the community worker of a proxy application may upload while it is open.",
		Tags: []string{"documents"}, DefaultStatus: http.StatusCreated, Errors: []int{404, 409, 413, 422},
		RequestBody: &huma.RequestBody{Required: true, Description: "the file", Content: uploadTypes}},
		intakeRoles, func(ctx context.Context, in *fileUploadIn) (*docFileOut, error) {
			f, err := s.docs.Upload(ctx, document.Upload{ApplicationID: in.ID, Material: in.Material, Filename: in.Filename,
				DeclaredType: in.contentType, Length: in.contentLength, Body: in.body})
			if err != nil {
				return nil, err
			}
			return &docFileOut{Body: toFileInfo(f)}, nil
		})
	register(s, huma.Operation{OperationID: "begin-application-upload", Method: http.MethodPost, Path: "/api/v1/applications/{id}/uploads",
		Summary: "申请直传地址 / Get a presigned upload URL",
		Description: "Declare the material, type, size and SHA-256 of a file; PUT the file to the returned URL (valid 15 minutes) with the returned headers, " +
			"then complete the upload. The declared SHA-256 is what the file is verified against.",
		Tags: []string{"documents"}, DefaultStatus: http.StatusCreated, Errors: []int{404, 409, 413, 422}},
		intakeRoles, func(ctx context.Context, in *uploadBeginIn) (*uploadBeginOut, error) {
			out := &uploadBeginOut{}
			err := s.inTx(ctx, func(ctx context.Context) error {
				t, err := s.docs.BeginUpload(ctx, document.UploadRequest{ApplicationID: in.ID, Material: in.Body.Material, Filename: in.Body.Filename,
					ContentType: in.Body.ContentType, Size: in.Body.Size, SHA256: in.Body.SHA256})
				if err != nil {
					return err
				}
				out.Body.UploadID, out.Body.URL, out.Body.Method, out.Body.Headers, out.Body.ExpiresAt = t.File.ID, t.URL, t.Method, t.Headers, t.ExpiresAt
				out.Body.File = toFileInfo(t.File)
				return nil
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "complete-application-upload", Method: http.MethodPost, Path: "/api/v1/applications/{id}/uploads/{upload}/complete",
		Summary: "确认直传 / Complete a presigned upload",
		Description: "Registers the uploaded object. One that is over the limit, not the declared size, or whose content is not the declared type " +
			"is kept but flagged (status rejected, with the reason); otherwise it is verified by a background job. " +
			"No object at the URL yet gives 409 upload_missing. Completing again returns the same file.",
		Tags: []string{"documents"}, Errors: []int{404, 409}},
		intakeRoles, func(ctx context.Context, in *uploadPath) (*docFileOut, error) {
			out := &docFileOut{}
			err := s.inTx(ctx, func(ctx context.Context) error {
				f, err := s.docs.CompleteUpload(ctx, in.ID, in.Upload)
				if err == nil {
					out.Body = toFileInfo(f)
				}
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "list-application-documents", Method: http.MethodGet, Path: "/api/v1/applications/{id}/documents",
		Summary: "办件文件 / An application's files, notices and archive package", Description: "Readable by whoever may read the application.",
		Tags: []string{"documents"}, Errors: []int{404}},
		staffRoles, func(ctx context.Context, in *idPath) (*documentsOut, error) {
			out := &documentsOut{}
			out.Body.Files, out.Body.Notices = []FileInfo{}, []NoticeInfo{}
			err := s.inTx(ctx, func(ctx context.Context) error {
				l, err := s.docs.List(ctx, in.ID)
				if err != nil {
					return err
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
				return nil
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "download-application-file", Method: http.MethodGet, Path: "/api/v1/applications/{id}/files/{file}/download",
		Summary: "下载材料文件 / Download an attached file", Description: "Returns a presigned URL valid 5 minutes, pinned to the verified version. " +
			"Files not attached (being verified, rejected, tampered) are not served (409).",
		Tags: []string{"documents"}, Errors: []int{404, 409}},
		staffRoles, func(ctx context.Context, in *filePath) (*linkOut, error) {
			var out *linkOut
			err := s.inTx(ctx, func(ctx context.Context) error {
				l, err := s.docs.FileLink(ctx, in.ID, in.File)
				if err == nil {
					out = toLink(l)
				}
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "download-application-notice", Method: http.MethodGet, Path: "/api/v1/applications/{id}/notices/{kind}/download",
		Summary: "下载通知书 / Download a notice (PDF)", Description: "Returns a presigned URL valid 5 minutes. 409 notice_pending while it is being rendered.",
		Tags: []string{"documents"}, Errors: []int{404, 409, 422}},
		staffRoles, func(ctx context.Context, in *noticePath) (*linkOut, error) {
			kind, err := noticeKind(in.Kind)
			if err != nil {
				return nil, err
			}
			var out *linkOut
			err = s.inTx(ctx, func(ctx context.Context) error {
				l, err := s.docs.NoticeLink(ctx, in.ID, kind, in.Version)
				if err == nil {
					out = toLink(l)
				}
				return err
			})
			return out, err
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
			out := &noticeRegenerateOut{}
			err = s.inTx(ctx, func(ctx context.Context) error {
				n, changed, err := s.docs.Regenerate(ctx, in.ID, kind)
				if err == nil {
					out.Body.Notice, out.Body.Changed = toNoticeInfo(n), changed
				}
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "download-application-archive", Method: http.MethodGet, Path: "/api/v1/applications/{id}/archive/download",
		Summary: "下载归档包 / Download the archive package (zip)", Description: "Returns a presigned URL valid 5 minutes. 409 not_archived before the package is stored.",
		Tags: []string{"documents"}, Errors: []int{404, 409}},
		staffRoles, func(ctx context.Context, in *idPath) (*linkOut, error) {
			var out *linkOut
			err := s.inTx(ctx, func(ctx context.Context) error {
				l, err := s.docs.ArchiveLink(ctx, in.ID)
				if err == nil {
					out = toLink(l)
				}
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "get-document-settings", Method: http.MethodGet, Path: "/api/v1/document-settings",
		Summary: "文件规则 / The county's document rules", Tags: []string{"documents"}},
		staffRoles, func(ctx context.Context, _ *struct{}) (*documentSettingsOut, error) {
			out := &documentSettingsOut{}
			err := s.inTx(ctx, func(ctx context.Context) error {
				st, err := document.GetSettings(ctx)
				if err == nil {
					out.Body = toDocumentSettings(st)
				}
				return err
			})
			return out, err
		})
	register(s, huma.Operation{OperationID: "put-document-settings", Method: http.MethodPut, Path: "/api/v1/document-settings",
		Summary:     "修改文件规则 / Change the document rules",
		Description: "The retention applies to packages archived from now on; stored packages keep the lock they were stored with.",
		Tags:        []string{"documents"}, Errors: []int{422}},
		admins, func(ctx context.Context, in *documentSettingsIn) (*documentSettingsOut, error) {
			out := &documentSettingsOut{}
			err := s.inTx(ctx, func(ctx context.Context) error {
				st, err := document.UpdateSettings(ctx, document.Settings{MaxUploadBytes: int64(in.Body.MaxUploadMB) << 20, Retention: document.Retention(in.Body.Retention)})
				if err == nil {
					out.Body = toDocumentSettings(st)
				}
				return err
			})
			return out, err
		})
}
