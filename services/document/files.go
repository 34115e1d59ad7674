package document

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/yichuang/yichuang/services/application"
	"github.com/yichuang/yichuang/services/notify"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/storage"
	"github.com/yichuang/yichuang/tenants"
)

// File statuses. Only a verified file is attached to its material and can be downloaded.
const (
	StatusAwaiting = "awaiting_upload" // presigned URL issued, upload not yet confirmed
	StatusUploaded = "uploaded"        // registered; the verification job has yet to re-read it
	StatusVerified = "verified"        // re-read, SHA-256 matches: attached
	StatusRejected = "rejected"        // not an accepted type, too large, or not what was declared
	StatusTampered = "tampered"        // the stored bytes differ from the registered SHA-256
)

var statusLabels = map[string]string{
	StatusAwaiting: "待上传", StatusUploaded: "校验中", StatusVerified: "已校验", StatusRejected: "已拒收", StatusTampered: "疑似篡改",
}

// StatusLabel is a file status's Chinese name.
func StatusLabel(s string) string { return statusLabels[s] }

// Channels.
const (
	ChannelDirect    = "direct"    // streamed through the API
	ChannelPresigned = "presigned" // POSTed straight to MinIO under a policy
)

// File is a file of one material of an application.
type File struct {
	bun.BaseModel `bun:"table:application_files,alias:f"`

	TenantID      uuid.UUID  `bun:"tenant_id,pk,type:uuid"`
	ID            uuid.UUID  `bun:"id,pk,type:uuid"`
	ApplicationID uuid.UUID  `bun:"application_id,type:uuid"`
	MaterialKey   string     `bun:"material_key"`
	Channel       string     `bun:"channel"`
	Status        string     `bun:"status"`
	ObjectKey     string     `bun:"object_key"`
	Filename      string     `bun:"filename"`
	DeclaredType  string     `bun:"declared_type"`
	ContentType   string     `bun:"content_type"`
	Size          int64      `bun:"size"`
	SHA256        string     `bun:"sha256"`
	VersionID     *string    `bun:"version_id"`
	Reason        string     `bun:"reason"`
	ReasonEn      string     `bun:"reason_en"`
	UploadedBy    *uuid.UUID `bun:"uploaded_by,type:uuid"`
	CreatedAt     time.Time  `bun:"created_at,nullzero,default:now()"`
	ExpiresAt     *time.Time `bun:"expires_at"`
	UploadedAt    *time.Time `bun:"uploaded_at"`
	CheckedAt     *time.Time `bun:"checked_at"`

	UploaderName string `bun:"uploader_name,scanonly"`
}

// AuthorizationMaterial is the material key of a proxy application's 委托书 (the resident's
// signed authorisation, photographed by the community worker): it is on no item's checklist,
// yet every proxy application has one, so its photo is filed under this key.
const AuthorizationMaterial = "authorization"

// AuthorizationMaterialName is what the documents and the archive call it.
const AuthorizationMaterialName = "代办委托书"

func fileKey(app, id uuid.UUID, t FileType) string {
	return "applications/" + app.String() + "/materials/" + id.String() + t.Ext()
}

// uploadable returns the application if the actor in ctx may attach files to it: they must
// be able to read it, and be a township clerk of its hall or a community worker of the
// village/community that took it in as a proxy; the application must still be open (once it
// is decided its record is what the archive will hold). material must be on its checklist.
func (s *Service) uploadable(ctx context.Context, id uuid.UUID, material, materialLoc string) (*application.Application, error) {
	actor, _ := tenants.ActorFrom(ctx)
	a, err := s.readable(ctx, id)
	if err != nil {
		return nil, err
	}
	under := func(path string) bool { return actor.OrgPath != "" && strings.HasPrefix(path, actor.OrgPath) }
	clerk := actor.HasAny(tenants.RoleTownshipClerk) && under(a.HallPath)
	agent := actor.HasAny(tenants.RoleCommunityWorker) && a.ProxyPath != nil && under(*a.ProxyPath)
	if !clerk && !agent {
		return nil, problem.Forbidden("upload_not_allowed", "只有办件所在大厅的窗口人员或代办该件的村（社区）工作者可以上传材料",
			"only clerks of the application's hall or the community worker who took it in may upload its materials")
	}
	if !a.State.Open() {
		return nil, problem.Conflict("application_closed", "办件已「"+a.State.Label()+"」，不能再上传材料", "the application is "+string(a.State)+"; no more uploads")
	}
	for _, m := range a.Materials {
		if m.Key == material {
			return a, nil
		}
	}
	if material == AuthorizationMaterial && a.Channel == application.ChannelProxy {
		return a, nil
	}
	return nil, problem.Invalid(problem.Field{Location: materialLoc, Message: "该事项没有这项材料：" + material, MessageEn: "the item lists no material " + material, Value: material})
}

// filename is the name a download gets: the client's name when it gave a usable one (only
// ever shown, never trusted for the type), else the material's, with the sniffed type's
// extension.
func filename(given, material string, a *application.Application, t FileType) string {
	given = strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`/\:*?"<>|`, r) {
			return -1
		}
		return r
	}, given))
	if given == "" && material == AuthorizationMaterial {
		given = AuthorizationMaterialName
	}
	if given == "" {
		for _, m := range a.Materials {
			if m.Key == material {
				given = m.Name
			}
		}
	}
	if utf8.RuneCountInString(given) > 150 {
		given = string([]rune(given)[:150])
	}
	if t.Valid() && !strings.HasSuffix(strings.ToLower(given), t.Ext()) && !(t == TypeJPEG && strings.HasSuffix(strings.ToLower(given), ".jpeg")) {
		given += t.Ext()
	}
	return given
}

func declared(v, loc string) (FileType, error) {
	t, ok := ParseType(v)
	if !ok {
		return "", problem.Invalid(problem.Field{Location: loc, Message: "不接受的文件类型：" + v + "（只接受 JPEG、PNG、TIFF、PDF、OFD）",
			MessageEn: "file type " + v + " is not accepted (JPEG, PNG, TIFF, PDF or OFD only)", Value: v})
	}
	return t, nil
}

var errUnknownType = &problem.Error{Status: http.StatusUnprocessableEntity, Code: "unknown_file_type",
	Message: "无法识别文件内容：只接受 JPEG、PNG、TIFF 图片和 PDF、OFD 文档", MessageEn: "the content is not a JPEG, PNG, TIFF, PDF or OFD file",
	Fields: []problem.Field{{Location: "body", Message: "文件内容不是可接受的类型", MessageEn: "not an accepted file type"}}}

func typeMismatch(loc string, got, want FileType) *problem.Error {
	return &problem.Error{Status: http.StatusUnprocessableEntity, Code: "type_mismatch",
		Message: "文件内容是" + got.Label() + "，与声明的" + want.Label() + "不符", MessageEn: "the content is " + string(got) + ", not the declared " + string(want),
		Fields: []problem.Field{{Location: loc, Message: "声明的类型与文件内容不符", MessageEn: "the declared type does not match the content", Value: string(want)}}}
}

// Upload is a file streamed through the API.
type Upload struct {
	ApplicationID uuid.UUID
	Material      string
	Filename      string
	// DeclaredType is the request's Content-Type; "" or application/octet-stream declares
	// nothing. The type is decided by the content either way.
	DeclaredType string
	// Length is the request's Content-Length, -1 when unknown.
	Length int64
	Body   io.Reader
	// Key is the client's idempotency key (Idempotency-Key), uuid.Nil for none. It becomes the
	// file's id, so a retried upload (a phone that lost the answer, an offline queue sending
	// again) finds the file the first attempt registered instead of adding a second one.
	Key uuid.UUID
}

// errKeyReused answers a key already used for another application or material.
var errKeyReused = problem.Conflict("idempotency_key_reused", "该幂等键已用于另一份文件", "the Idempotency-Key was used for another file")

// prior returns the file a former attempt with this key registered, nil if none.
func (s *Service) prior(ctx context.Context, in Upload) (*File, error) {
	f := new(File)
	err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(f)).Where("f.id = ?", in.Key).Scan(ctx)
	if isNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if f.ApplicationID != in.ApplicationID || f.MaterialKey != in.Material || f.Channel != ChannelDirect {
		return nil, errKeyReused
	}
	return f, nil
}

// Upload attaches a file streamed through the API: the body is spooled to a temporary file
// (bounded by the county's limit, hashed on the way), its type sniffed, then stored and
// registered for verification. The body is read between two transactions, so a slow line
// holds no row lock and no connection.
func (s *Service) Upload(ctx context.Context, in Upload) (*File, error) {
	actor, _ := tenants.ActorFrom(ctx)
	var limit int64
	var done *File
	err := s.Store.InTx(ctx, actor.TenantID, func(ctx context.Context) error {
		if in.Key != uuid.Nil {
			if _, err := s.readable(ctx, in.ApplicationID); err != nil {
				return err
			}
			// A retry: the first attempt's file, whatever happened to the application since
			// (its answer is what the client missed), without reading the body again.
			f, err := s.prior(ctx, in)
			if err != nil || f != nil {
				done = f
				return err
			}
		}
		if _, err := s.uploadable(ctx, in.ApplicationID, in.Material, "query.material"); err != nil {
			return err
		}
		st, err := GetSettings(ctx)
		limit = st.MaxUploadBytes
		return err
	})
	if err != nil {
		return nil, err
	}
	if done != nil {
		return done, nil
	}
	want, err := declared(in.DeclaredType, "header.Content-Type")
	if err != nil {
		return nil, err
	}
	if in.Length > limit {
		return nil, tooLarge(limit, "body")
	}
	if s.Storage == nil {
		return nil, errNoStorage
	}
	tmp, err := os.CreateTemp("", "yc-upload-*")
	if err != nil {
		return nil, err
	}
	defer func() { tmp.Close(); os.Remove(tmp.Name()) }()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(in.Body, limit+1))
	if err != nil {
		return nil, problem.Invalid(problem.Field{Location: "body", Message: "文件未传完整，请重新上传", MessageEn: "the upload was interrupted: " + err.Error()})
	}
	switch {
	case n > limit:
		return nil, tooLarge(limit, "body")
	case n == 0:
		return nil, problem.Invalid(problem.Field{Location: "body", Message: "文件为空", MessageEn: "the file is empty"})
	}
	got := Sniff(tmp, n)
	switch {
	case got == "":
		return nil, errUnknownType
	case want != "" && want != got:
		return nil, typeMismatch("header.Content-Type", got, want)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	id := in.Key
	if id == uuid.Nil {
		id = uuid.New()
	}
	f := &File{TenantID: actor.TenantID, ID: id, ApplicationID: in.ApplicationID, MaterialKey: in.Material, Channel: ChannelDirect,
		Status: StatusUploaded, DeclaredType: string(want), ContentType: string(got), Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}
	f.ObjectKey = fileKey(in.ApplicationID, f.ID, got)
	obj, err := s.Storage.Documents(actor.TenantID).Put(ctx, f.ObjectKey, tmp, n, string(got))
	if err != nil {
		return nil, err
	}
	err = s.Store.InTx(ctx, actor.TenantID, func(ctx context.Context) error {
		// Checked again: the application may have closed while the body arrived.
		a, err := s.uploadable(ctx, in.ApplicationID, in.Material, "query.material")
		if err != nil {
			return err
		}
		now, me := s.now(), actor.IdentityID
		f.Filename, f.VersionID, f.UploadedBy, f.UploadedAt = filename(in.Filename, in.Material, a, got), &obj.VersionID, &me, &now
		res, err := tenants.DB(ctx).NewInsert().Model(f).On("CONFLICT (tenant_id, id) DO NOTHING").Exec(ctx)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err != nil {
				return err
			}
			// The same key sent twice at once: the other attempt registered first.
			if done, err = s.prior(ctx, in); err == nil && done == nil {
				err = errKeyReused
			}
			return err
		}
		return s.registered(ctx, f, "document.file.upload")
	})
	if err != nil || done != nil {
		// Nothing refers to this object version: take it back (best effort; a leftover is harmless).
		_ = s.Storage.Documents(actor.TenantID).DeleteVersion(context.WithoutCancel(ctx), f.ObjectKey, obj.VersionID)
	}
	if err != nil {
		return nil, err
	}
	if done != nil {
		return done, nil
	}
	return f, nil
}

// registered enqueues the verification of an uploaded file and audits the registration.
// Document audit rows name the stored document (a file's id, a notice's or a package's
// object key) with application_id in the summary: rows targeting the application itself are
// its steps.
func (s *Service) registered(ctx context.Context, f *File, action string) error {
	if f.Status == StatusUploaded {
		if _, err := tenants.Enqueue(ctx, VerifyArgs{TenantID: f.TenantID, FileID: f.ID}, nil); err != nil {
			return err
		}
	}
	return tenants.Audit(ctx, tenants.Change{Action: action, TargetType: "application_file", TargetID: f.ID.String(),
		Summary: map[string]any{"application_id": f.ApplicationID, "file_id": f.ID, "material": f.MaterialKey, "status": f.Status, "content_type": f.ContentType,
			"size": f.Size, "sha256": f.SHA256, "filename": f.Filename, "reason": f.ReasonEn}})
}

// UploadRequest asks for a presigned upload; the client declares what it will send.
type UploadRequest struct {
	ApplicationID uuid.UUID
	Material      string
	Filename      string
	ContentType   string
	Size          int64
	SHA256        string
	// Key, when set, is the Idempotency-Key: it becomes the upload's id, and a retry with it
	// gets a fresh URL for the same upload instead of a second one (the answer was lost).
	Key uuid.UUID
}

// Ticket is a presigned upload: POST a multipart form to URL — Fields, then the file as
// FileField — before ExpiresAt, then complete it.
type Ticket struct {
	File      *File
	URL       string
	Method    string
	Fields    map[string]string
	FileField string
	ExpiresAt time.Time
}

var shaPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// BeginUpload registers a presigned upload and returns its URL.
func (s *Service) BeginUpload(ctx context.Context, in UploadRequest) (*Ticket, error) {
	actor, _ := tenants.ActorFrom(ctx)
	a, err := s.uploadable(ctx, in.ApplicationID, in.Material, "body.material")
	if err != nil {
		return nil, err
	}
	st, err := GetSettings(ctx)
	if err != nil {
		return nil, err
	}
	in.SHA256 = strings.ToLower(strings.TrimSpace(in.SHA256))
	t, ok := ParseType(in.ContentType)
	var c problem.Checker
	c.Check(ok && t != "", "body.content_type", "请声明文件类型：JPEG、PNG、TIFF、PDF 或 OFD", "declare the type: image/jpeg, image/png, image/tiff, application/pdf or application/ofd", in.ContentType)
	c.Check(in.Size > 0, "body.size", "请声明文件大小（字节）", "declare the size in bytes", in.Size)
	c.Check(shaPattern.MatchString(in.SHA256), "body.sha256", "请声明文件的 SHA-256（64 位十六进制）", "declare the file's SHA-256 as 64 hex digits", in.SHA256)
	if err := c.Err(); err != nil {
		return nil, err
	}
	if in.Size > st.MaxUploadBytes {
		return nil, tooLarge(st.MaxUploadBytes, "body.size")
	}
	docs, err := s.documents(ctx)
	if err != nil {
		return nil, err
	}
	now, me := s.now(), actor.IdentityID
	exp := now.Add(UploadTTL)
	id := in.Key
	if id == uuid.Nil {
		id = uuid.New()
	}
	f := &File{TenantID: actor.TenantID, ID: id, ApplicationID: a.ID, MaterialKey: in.Material, Channel: ChannelPresigned,
		Status: StatusAwaiting, Filename: filename(in.Filename, in.Material, a, t), DeclaredType: string(t), Size: in.Size,
		SHA256: in.SHA256, UploadedBy: &me, ExpiresAt: &exp}
	f.ObjectKey = fileKey(a.ID, f.ID, t)
	retried := false // the key's first attempt registered this upload: a fresh URL, no new row
	if in.Key != uuid.Nil {
		// A retry: the same declaration gets the first attempt's upload again (with a fresh
		// URL while it awaits its object); any other use of the key is refused.
		prev, err := loadFile(ctx, a.ID, in.Key, true)
		switch {
		case err == nil && (prev.Channel != ChannelPresigned || prev.MaterialKey != in.Material || prev.SHA256 != in.SHA256 ||
			prev.Size != in.Size || prev.DeclaredType != string(t)):
			return nil, errKeyReused
		case err == nil && prev.Status != StatusAwaiting:
			return &Ticket{File: prev, Method: http.MethodPost}, nil
		case err == nil:
			f, retried = prev, true
			if _, err := tenants.DB(ctx).NewUpdate().Model(f).Set("expires_at = ?", exp).WherePK().Exec(ctx); err != nil {
				return nil, err
			}
			f.ExpiresAt = &exp
		case !errors.Is(err, errFileNotFound):
			return nil, err
		default: // not this application's: another county's, or another application's
			if taken, err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model((*File)(nil))).Where("f.id = ?", in.Key).Exists(ctx); err != nil {
				return nil, err
			} else if taken {
				return nil, errKeyReused
			}
		}
	}
	// A form POST under a policy MinIO enforces: exactly the declared size (at most the
	// county's limit, checked above) and type, so nothing larger is ever stored. The policy
	// is signed locally: first make sure MinIO answers, or the URL could not be used.
	if err := s.Storage.Ready(ctx); err != nil {
		return nil, err
	}
	form, err := docs.PresignPost(ctx, f.ObjectKey, UploadTTL, string(t), in.Size)
	if err != nil {
		return nil, err
	}
	if !retried {
		if _, err := tenants.DB(ctx).NewInsert().Model(f).Exec(ctx); err != nil {
			return nil, err
		}
		if err := s.registered(ctx, f, "document.upload.begin"); err != nil {
			return nil, err
		}
	}
	return &Ticket{File: f, URL: form.URL, Method: http.MethodPost, Fields: form.Fields, FileField: form.FileField, ExpiresAt: exp}, nil
}

var errFileNotFound = problem.NotFound("file_not_found", "文件不存在", "file not found")

func loadFile(ctx context.Context, app, id uuid.UUID, lock bool) (*File, error) {
	f := new(File)
	q := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(f)).Where("f.id = ? AND f.application_id = ?", id, app)
	if lock {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx); err != nil {
		if isNoRows(err) {
			return nil, errFileNotFound
		}
		return nil, err
	}
	return f, nil
}

// flag marks f rejected or tampered with the reason the clerk sees.
func (f *File) flag(status, zh, en string) {
	f.Status, f.Reason, f.ReasonEn = status, zh, en
}

// CompleteUpload registers a presigned upload once the client has POSTed the file: the object
// must be there, no larger than the county's limit and the declared size, and its content
// the declared type. A file that is not is flagged rejected (kept, with the reason) rather
// than refused, so the clerk sees what arrived; one that is goes to verification. Completing
// again returns the same file.
func (s *Service) CompleteUpload(ctx context.Context, app, id uuid.UUID) (*File, error) {
	f, err := loadFile(ctx, app, id, true)
	if err != nil {
		return nil, err
	}
	if _, err := s.uploadable(ctx, app, f.MaterialKey, "body.material"); err != nil {
		return nil, err
	}
	if f.Channel != ChannelPresigned || f.Status != StatusAwaiting {
		return f, nil
	}
	docs, err := s.documents(ctx)
	if err != nil {
		return nil, err
	}
	st, err := GetSettings(ctx)
	if err != nil {
		return nil, err
	}
	obj, err := docs.Stat(ctx, f.ObjectKey, "")
	if errors.Is(err, storage.ErrNotFound) {
		return nil, problem.Conflict("upload_missing", "尚未收到文件：请先用上传地址上传，再确认", "nothing was uploaded yet: POST the file to the upload URL first")
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	f.UploadedAt, f.VersionID, f.Status = &now, &obj.VersionID, StatusUploaded
	switch {
	case obj.Size > st.MaxUploadBytes:
		f.flag(StatusRejected, "文件大小 "+mb(obj.Size)+" 超过上限 "+mb(st.MaxUploadBytes), "the file's "+mb(obj.Size)+" exceed the limit of "+mb(st.MaxUploadBytes))
		// The bytes are of no use (the POST policy admits only the declared size, so this is
		// a defence in depth, e.g. after the limit was lowered): the row keeps what arrived,
		// the object goes.
		if err := docs.DeleteVersion(ctx, f.ObjectKey, obj.VersionID); err != nil {
			return nil, err
		}
	case obj.Size != f.Size:
		f.flag(StatusRejected, "收到的文件大小（"+mb(obj.Size)+"）与声明的（"+mb(f.Size)+"）不符", "the uploaded size differs from the declared size")
		f.Size = obj.Size // the row tells what arrived; the reason keeps what was declared
	default:
		r, _, err := docs.Open(ctx, f.ObjectKey, obj.VersionID)
		if err != nil {
			return nil, err
		}
		got := Sniff(r, obj.Size)
		r.Close()
		f.ContentType = string(got)
		switch {
		case got == "":
			f.flag(StatusRejected, "无法识别文件内容：只接受 JPEG、PNG、TIFF 图片和 PDF、OFD 文档", "the content is not a JPEG, PNG, TIFF, PDF or OFD file")
		case string(got) != f.DeclaredType:
			f.flag(StatusRejected, "文件内容是"+got.Label()+"，与声明的"+FileType(f.DeclaredType).Label()+"不符",
				"the content is "+string(got)+", not the declared "+f.DeclaredType)
		}
	}
	if _, err := tenants.DB(ctx).NewUpdate().Model(f).Column("status", "content_type", "version_id", "reason", "reason_en", "uploaded_at").WherePK().Exec(ctx); err != nil {
		return nil, err
	}
	return f, s.registered(ctx, f, "document.upload.complete")
}

// VerifyArgs verify one uploaded file.
type VerifyArgs struct {
	TenantID uuid.UUID `json:"tenant_id" river:"unique"`
	FileID   uuid.UUID `json:"file_id" river:"unique"`
}

// Kind is River's job kind.
func (VerifyArgs) Kind() string { return "document_verify" }

// Tenant is the job's tenant.
func (a VerifyArgs) Tenant() uuid.UUID { return a.TenantID }

// InsertOpts: the documents queue, once per file.
func (VerifyArgs) InsertOpts() river.InsertOpts { return jobOpts() }

// Verify re-reads an uploaded file from MinIO — the newest version of its key, what a
// download of the key would serve — and compares its SHA-256 and size with what the upload
// registered. A match attaches the file, pinned to the version read, so a later overwrite of
// the key changes nothing that is served or archived; a mismatch flags it tampered and tells
// the uploader. A file not awaiting verification is left alone (a second run does nothing).
func (s *Service) Verify(ctx context.Context, args VerifyArgs) error {
	f := new(File)
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(f)).Where("f.id = ?", args.FileID).For("UPDATE").Scan(ctx); err != nil {
		if isNoRows(err) {
			return nil
		}
		return err
	}
	return s.verify(ctx, f)
}

func (s *Service) verify(ctx context.Context, f *File) error {
	if f.Status != StatusUploaded {
		return nil
	}
	docs, err := s.documents(ctx)
	if err != nil {
		return err
	}
	now := s.now()
	f.CheckedAt = &now
	// The newest version, named: hashing and pinning the same version even if the key is
	// written to meanwhile.
	obj, err := docs.Stat(ctx, f.ObjectKey, "")
	var r storage.Reader
	if err == nil {
		r, obj, err = docs.Open(ctx, f.ObjectKey, obj.VersionID)
	}
	switch {
	case errors.Is(err, storage.ErrNotFound):
		f.flag(StatusRejected, "文件存储中找不到该文件", "the file is missing from storage")
	case err != nil:
		return err
	default:
		h := sha256.New()
		n, err := io.Copy(h, r)
		r.Close()
		if err != nil {
			return err
		}
		if sum := hex.EncodeToString(h.Sum(nil)); sum != f.SHA256 || n != f.Size {
			f.flag(StatusTampered, "文件内容与上传时登记的 SHA-256 不一致（上传后被替换或已损坏），未挂接到材料，请重新上传",
				"the stored content does not match the SHA-256 registered at upload (replaced or corrupted): not attached; upload it again")
		} else {
			f.Status, f.VersionID = StatusVerified, &obj.VersionID
		}
	}
	if _, err := tenants.DB(ctx).NewUpdate().Model(f).Column("status", "version_id", "reason", "reason_en", "checked_at").WherePK().Exec(ctx); err != nil {
		return err
	}
	if err := tenants.Audit(ctx, tenants.Change{Action: "document.file.verify", TargetType: "application_file", TargetID: f.ID.String(),
		Summary: map[string]any{"application_id": f.ApplicationID, "file_id": f.ID, "material": f.MaterialKey, "status": f.Status, "sha256": f.SHA256, "reason": f.ReasonEn}}); err != nil {
		return err
	}
	if f.Status == StatusVerified || f.UploadedBy == nil {
		return nil
	}
	id := f.ApplicationID
	_, err = notify.Send(ctx, []uuid.UUID{*f.UploadedBy}, notify.Message{Kind: "file_flagged", ApplicationID: &id,
		Title: "上传的材料未通过校验：" + f.Filename, Body: f.Reason, DedupKey: "file_flagged:" + f.ID.String()})
	return err
}

// Link is a short-lived download URL.
type Link struct {
	URL       string
	ExpiresAt time.Time
}

// FileLink returns a download URL for an attached file, after checking the actor in ctx may
// read the application. Files that are not attached are not served: they are what the
// checks refused, and their bytes are not known to be what they claim.
func (s *Service) FileLink(ctx context.Context, app, id uuid.UUID) (*Link, error) {
	f, docs, err := s.attached(ctx, app, id)
	if err != nil {
		return nil, err
	}
	if err := servable(ctx, docs, f.ObjectKey, *f.VersionID); err != nil {
		return nil, err
	}
	u, err := docs.PresignGetVersion(ctx, f.ObjectKey, *f.VersionID, DownloadTTL, f.Filename, f.ContentType)
	if err != nil {
		return nil, err
	}
	return &Link{URL: u.String(), ExpiresAt: s.now().Add(DownloadTTL)}, nil
}

// attached is the checks every download of a file makes: the actor may read the application,
// and the file is attached (verified), so it has a pinned version to serve.
func (s *Service) attached(ctx context.Context, app, id uuid.UUID) (*File, *storage.Tenant, error) {
	if _, err := s.readable(ctx, app); err != nil {
		return nil, nil, err
	}
	f, err := loadFile(ctx, app, id, false)
	if err != nil {
		return nil, nil, err
	}
	if f.Status != StatusVerified || f.VersionID == nil {
		return nil, nil, problem.Conflict("file_not_attached", "文件「"+StatusLabel(f.Status)+"」，尚未挂接到材料，不能下载", "the file is "+f.Status+", not attached; it cannot be downloaded")
	}
	docs, err := s.documents(ctx)
	if err != nil {
		return nil, nil, err
	}
	return f, docs, nil
}

func listFiles(ctx context.Context, app uuid.UUID) ([]File, error) {
	var fs []File
	err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&fs)).ColumnExpr("f.*, coalesce(?, '') AS uploader_name", tenants.MemberName(ctx, "f.uploaded_by")).
		Where("f.application_id = ?", app).OrderExpr("f.created_at, f.id").Scan(ctx)
	return fs, err
}
