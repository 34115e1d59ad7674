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
	"github.com/yichuang/yichuang/services/problem"
)

// FileInfo is a file of an application's material.
type FileInfo struct {
	ID           uuid.UUID  `json:"id"`
	MaterialKey  string     `json:"material_key"`
	Filename     string     `json:"filename"`
	Channel      string     `json:"channel" enum:"direct,presigned" doc:"streamed through the API, or POSTed to a presigned form URL"`
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
	Key           string    `header:"Idempotency-Key" doc:"a UUID, one per file: it becomes the file's id, and a retry with it returns the file the first attempt registered"`
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
	Key  string    `header:"Idempotency-Key" doc:"a UUID, one per file: it becomes the upload's id, and a retry with it gets a fresh URL for the same upload (or the file, once completed) instead of a second one"`
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
		URL       string            `json:"url" doc:"POST the form here"`
		Method    string            `json:"method" enum:"POST"`
		Fields    map[string]string `json:"fields" doc:"send these form fields (multipart/form-data) before the file"`
		FileField string            `json:"file_field" doc:"the form field of the file, sent last"`
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

func (s *Server) fileRoutes() {
	register(s, huma.Operation{OperationID: "upload-application-file", Method: http.MethodPost, Path: "/api/v1/applications/{id}/files",
		Summary: "上传材料文件 / Upload a material's file",
		Description: "The body is the file (JPEG, PNG, TIFF, PDF or OFD), at most the county's size limit. Its type is sniffed from the content; " +
			"an unknown type, or a declared Content-Type the content contradicts, is refused (422); a file over the limit gets 413. " +
			"The file is attached to the material once a background job has re-read it and checked its SHA-256 (status verified). " +
			"Township clerks of the application's hall and the community worker of a proxy application may upload while it is open. " +
			"A proxy application's 委托书 photo goes under the material key authorization. " +
			"Send an Idempotency-Key (a UUID per file) so a retry returns the first file instead of adding another.",
		Tags: []string{"documents"}, DefaultStatus: http.StatusCreated, Errors: []int{404, 409, 413, 422},
		RequestBody: &huma.RequestBody{Required: true, Description: "the file", Content: uploadTypes}},
		intakeRoles, func(ctx context.Context, in *fileUploadIn) (*docFileOut, error) {
			key, err := idempotencyKey(in.Key)
			if err != nil {
				return nil, err
			}
			f, err := s.docs.Upload(ctx, document.Upload{ApplicationID: in.ID, Material: in.Material, Filename: in.Filename,
				DeclaredType: in.contentType, Length: in.contentLength, Body: in.body, Key: key})
			if err != nil {
				return nil, err
			}
			return &docFileOut{Body: toFileInfo(f)}, nil
		})
	register(s, huma.Operation{OperationID: "begin-application-upload", Method: http.MethodPost, Path: "/api/v1/applications/{id}/uploads",
		Summary: "申请直传地址 / Get a presigned upload URL",
		Description: "Declare the material, type, size and SHA-256 of a file; POST it to the returned URL (valid 15 minutes) as multipart/form-data, " +
			"the returned fields first and the file last (field file_field), then complete the upload. The storage's policy admits exactly the declared " +
			"size and type, so a larger file is refused and nothing is stored. The declared SHA-256 is what the file is verified against. " +
			"An upload not completed is swept after its URL expires. Send an Idempotency-Key (a UUID per file): a retry with it gets a fresh URL " +
			"for the same upload, or the file once completed, and a key used for another file or declaration is 409 idempotency_key_reused.",
		Tags: []string{"documents"}, DefaultStatus: http.StatusCreated, Errors: []int{404, 409, 413, 422}},
		intakeRoles, func(ctx context.Context, in *uploadBeginIn) (*uploadBeginOut, error) {
			key, err := idempotencyKey(in.Key)
			if err != nil {
				return nil, err
			}
			return withTx(ctx, s, func(ctx context.Context) (out *uploadBeginOut, err error) {
				out = &uploadBeginOut{}
				t, err := s.docs.BeginUpload(ctx, document.UploadRequest{ApplicationID: in.ID, Material: in.Body.Material, Filename: in.Body.Filename,
					ContentType: in.Body.ContentType, Size: in.Body.Size, SHA256: in.Body.SHA256, Key: key})
				if err != nil {
					return nil, err
				}
				out.Body.UploadID, out.Body.URL, out.Body.Method, out.Body.Fields, out.Body.FileField, out.Body.ExpiresAt = t.File.ID, t.URL, t.Method, t.Fields, t.FileField, t.ExpiresAt
				out.Body.File = toFileInfo(t.File)
				return out, nil
			})
		})
	register(s, huma.Operation{OperationID: "complete-application-upload", Method: http.MethodPost, Path: "/api/v1/applications/{id}/uploads/{upload}/complete",
		Summary: "确认直传 / Complete a presigned upload",
		Description: "Registers the uploaded object. One that is over the limit, not the declared size, or whose content is not the declared type " +
			"is kept but flagged (status rejected, with the reason); otherwise it is verified by a background job. " +
			"No object at the URL yet gives 409 upload_missing. Completing again returns the same file.",
		Tags: []string{"documents"}, Errors: []int{404, 409}},
		intakeRoles, func(ctx context.Context, in *uploadPath) (*docFileOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *docFileOut, err error) {
				out = &docFileOut{}
				f, err := s.docs.CompleteUpload(ctx, in.ID, in.Upload)
				if err == nil {
					out.Body = toFileInfo(f)
				}
				return out, err
			})
		})
	register(s, huma.Operation{OperationID: "download-application-file", Method: http.MethodGet, Path: "/api/v1/applications/{id}/files/{file}/download",
		Summary: "下载材料文件 / Download an attached file", Description: "Returns a presigned URL valid 5 minutes, pinned to the verified version. " +
			"Files not attached (being verified, rejected, tampered) are not served (409).",
		Tags: []string{"documents"}, Errors: []int{404, 409}},
		staffRoles, func(ctx context.Context, in *filePath) (*linkOut, error) {
			return withTx(ctx, s, func(ctx context.Context) (out *linkOut, err error) {
				l, err := s.docs.FileLink(ctx, in.ID, in.File)
				if err == nil {
					out = toLink(l)
				}
				return out, err
			})
		})
	register(s, huma.Operation{OperationID: "get-application-file-content", Method: http.MethodGet, Path: "/api/v1/applications/{id}/files/{file}/content",
		Summary: "下载材料文件（经本站） / An attached file, from the app's own origin",
		Description: "Streams the verified version of the file under its own name, with the same checks as download, so a clerk's PC needs to reach " +
			"only the app, not the storage. The bytes are checked against the recorded SHA-256 while they stream; a changed object is cut short, never served whole.",
		Tags: []string{"documents"}, Errors: []int{404, 409},
		Responses: map[string]*huma.Response{"200": {Description: "the file", Content: map[string]*huma.MediaType{"application/octet-stream": {}}}}},
		staffRoles, func(ctx context.Context, in *filePath) (*huma.StreamResponse, error) {
			c, err := withTx(ctx, s, func(ctx context.Context) (*document.Content, error) { return s.docs.OpenFile(ctx, in.ID, in.File) })
			if err != nil {
				return nil, err
			}
			return streamContent(c), nil
		})
}

// idempotencyKey parses an Idempotency-Key header: empty is none (uuid.Nil).
func idempotencyKey(h string) (uuid.UUID, error) {
	if h == "" {
		return uuid.Nil, nil
	}
	k, err := uuid.Parse(h)
	if err != nil || k == uuid.Nil {
		return uuid.Nil, problem.Invalid(problem.Field{Location: "header.Idempotency-Key", Message: "Idempotency-Key 须为 UUID", MessageEn: "Idempotency-Key must be a UUID"})
	}
	return k, nil
}
