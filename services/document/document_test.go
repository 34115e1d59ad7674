package document_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/application"
	"github.com/yichuang/yichuang/services/catalog"
	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/document"
	"github.com/yichuang/yichuang/services/lifecycle"
	"github.com/yichuang/yichuang/services/notice"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/secret"
	"github.com/yichuang/yichuang/services/storage"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

type bundle struct {
	db                *tenanttest.DB
	store             *tenants.Store
	tenant            *tenanttest.Tenant
	clerk, otherClerk *tenants.Actor
	worker, dept      *tenants.Actor
	itemID            uuid.UUID
	apps              *application.Service
	svc               *document.Service
	storage           *storage.Store
}

// setup makes the standard county (tenanttest.NewCounty: two township halls, a community under
// the first, a department, a member of each kind) with a published promised item, on real PostgreSQL and MinIO (its own
// buckets). Jobs are enqueued (insert-only River client) and run by calling the workers'
// functions, so each test decides when a job runs.
func setup(t *testing.T) *bundle {
	t.Helper()
	db := tenanttest.New(t)
	store := db.Store
	st, err := storage.New(storage.Config{Endpoint: tenanttest.Require(t, "YC_MINIO_ENDPOINT"), AccessKey: tenanttest.Require(t, "YC_MINIO_ACCESS_KEY"),
		SecretKey: tenanttest.Require(t, "YC_MINIO_SECRET_KEY"), Prefix: "doc" + uuid.NewString()[:8]})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.EnsureBuckets(context.Background()); err != nil {
		t.Fatal(err)
	}
	clk := clock.System{}
	c := tenanttest.NewCounty(t, db, "文档县")
	b := &bundle{db: db, store: store, tenant: c.Tenant, storage: st, clerk: c.Clerk, worker: c.Worker, dept: c.Staff, otherClerk: c.OtherClerk,
		apps: &application.Service{Clock: clk, Box: testBox(t), AfterStep: document.AfterStep}}
	b.svc = &document.Service{Store: store, Storage: st, Apps: b.apps, Clock: clk, PublicURL: "https://yc.example.gov.cn"}
	db.Ctx(t, b.tenant.ID, func(ctx context.Context) error {
		dp := c.Department
		it := catalog.Item{BaseCode: "000172001000", ImplCode: "DOC-DIBAO-001", Name: "最低生活保障申请", Kind: catalog.KindPayment,
			DepartmentID: dp.ID, LegalBasis: "《社会救助暂行办法》", Levels: []catalog.Level{catalog.LevelTownship, catalog.LevelCommunity},
			Materials: []catalog.Material{
				{Key: "id", Name: "居民身份证", Form: catalog.FormOriginal, Copies: 1, Required: true},
				{Key: "hukou", Name: "户口簿", Form: catalog.FormOriginal, Copies: 1, Required: true},
			},
			Handling: catalog.HandlingPromised, LegalDays: 20, PromisedDays: 10, ConsultPhone: "0314-8021352"}
		r, err := catalog.Create(ctx, it)
		if err != nil {
			return err
		}
		_, err = catalog.Publish(ctx, r.ID, r.RowVersion)
		b.itemID = r.ID
		return err
	})
	return b
}

func (b *bundle) as(t *testing.T, a *tenants.Actor, fn func(ctx context.Context) error) error {
	t.Helper()
	return b.store.InTx(tenants.WithActor(context.Background(), a), b.tenant.ID, fn)
}

// system runs fn as a job does: in the tenant's transaction, without an actor.
func (b *bundle) system(t *testing.T, fn func(ctx context.Context) error) {
	t.Helper()
	if err := b.store.InTx(context.Background(), b.tenant.ID, fn); err != nil {
		t.Fatalf("job: %v", err)
	}
}

const idNo = "11010519491231002X"

func (b *bundle) intake(t *testing.T, ticks ...string) *application.Detail {
	t.Helper()
	in := application.NewApplication{ItemID: b.itemID, Applicant: application.Applicant{Kind: application.ApplicantPerson, Name: "张三", IDNo: idNo, Phone: "13912345678"}}
	for _, k := range ticks {
		in.Materials = append(in.Materials, application.Tick{Key: k, Provided: true})
	}
	var d *application.Detail
	if err := b.as(t, b.clerk, func(ctx context.Context) (err error) { d, err = b.apps.Intake(ctx, in); return err }); err != nil {
		t.Fatalf("intake: %v", err)
	}
	return d
}

func (b *bundle) act(t *testing.T, who *tenants.Actor, d *application.Detail, action lifecycle.Action, st application.Step) *application.Detail {
	t.Helper()
	st.Action, st.Version = action, d.Version
	var out *application.Detail
	if err := b.as(t, who, func(ctx context.Context) (err error) { out, err = b.apps.Act(ctx, d.ID, st); return err }); err != nil {
		t.Fatalf("%s: %v", action, err)
	}
	return out
}

func jpeg(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	copy(b, "\xFF\xD8\xFF\xE0\x00\x10JFIF\x00")
	return b
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func (b *bundle) upload(t *testing.T, who *tenants.Actor, app uuid.UUID, material, ctype string, body []byte) (*document.File, error) {
	t.Helper()
	return b.svc.Upload(tenants.WithActor(context.Background(), who), document.Upload{ApplicationID: app, Material: material,
		Filename: "扫描件", DeclaredType: ctype, Length: int64(len(body)), Body: bytes.NewReader(body)})
}

func (b *bundle) verify(t *testing.T, f *document.File) *document.File {
	t.Helper()
	b.system(t, func(ctx context.Context) error {
		return b.svc.Verify(ctx, document.VerifyArgs{TenantID: b.tenant.ID, FileID: f.ID})
	})
	return b.file(t, f.ID)
}

func (b *bundle) file(t *testing.T, id uuid.UUID) *document.File {
	t.Helper()
	f := new(document.File)
	b.system(t, func(ctx context.Context) error {
		return tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(f)).Where("f.id = ?", id).Scan(ctx)
	})
	return f
}

func fetch(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET presigned URL: %d %s", resp.StatusCode, body)
	}
	return body
}

// post uploads body through a presigned form as a browser would (the policy's fields, then
// the file) and returns MinIO's status.
func post(t *testing.T, ticket *document.Ticket, body []byte) int {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range ticket.Fields {
		_ = w.WriteField(k, v)
	}
	fw, _ := w.CreateFormFile(ticket.FileField, "upload.bin")
	_, _ = fw.Write(body)
	_ = w.Close()
	resp, err := http.Post(ticket.URL, w.FormDataContentType(), &buf)
	if err != nil {
		return 0 // MinIO may cut off a refused body mid-way
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func mustPost(t *testing.T, ticket *document.Ticket, body []byte) {
	t.Helper()
	if status := post(t, ticket, body); status != http.StatusNoContent && status != http.StatusOK && status != http.StatusCreated {
		t.Fatalf("presigned POST: %d", status)
	}
}

func wantProblem(t *testing.T, what string, err error, status int, code, location string) {
	t.Helper()
	p, ok := problem.As(err)
	if !ok || p.Status != status || (code != "" && p.Code != code) {
		t.Errorf("%s: err = %v, want %d %s", what, err, status, code)
		return
	}
	if p.Message == "" || p.MessageEn == "" {
		t.Errorf("%s: problem without both languages: %+v", what, p)
	}
	if location == "" {
		return
	}
	for _, f := range p.Fields {
		if f.Location == location {
			return
		}
	}
	t.Errorf("%s: fields %+v lack %s", what, p.Fields, location)
}

func (b *bundle) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := b.db.Owner.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestUploadVerifyDownload(t *testing.T) {
	t.Parallel()
	b := setup(t)
	app := b.intake(t)
	body := jpeg(300 << 10)
	f, err := b.upload(t, b.clerk, app.ID, "id", "image/jpeg", body)
	if err != nil {
		t.Fatal(err)
	}
	if f.Status != document.StatusUploaded || f.SHA256 != sum(body) || f.ContentType != "image/jpeg" || f.Filename != "扫描件.jpg" {
		t.Fatalf("registered file: %+v", f)
	}
	if n := len(tenanttest.Jobs(t, b.db, func(j tenanttest.Job[document.VerifyArgs]) bool {
		return j.Args.FileID == f.ID && j.Queue == document.Queue
	})); n != 1 {
		t.Errorf("%d verification jobs, want 1", n)
	}
	// Not attached before verification: no download.
	err = b.as(t, b.clerk, func(ctx context.Context) error { _, err := b.svc.FileLink(ctx, app.ID, f.ID); return err })
	wantProblem(t, "download before verification", err, 409, "file_not_attached", "")

	f = b.verify(t, f)
	if f.Status != document.StatusVerified || f.VersionID == nil {
		t.Fatalf("after verification: %+v", f)
	}
	b.verify(t, f) // a second run changes nothing
	var link *document.Link
	if err := b.as(t, b.clerk, func(ctx context.Context) (err error) { link, err = b.svc.FileLink(ctx, app.ID, f.ID); return err }); err != nil {
		t.Fatal(err)
	}
	if got := fetch(t, link.URL); !bytes.Equal(got, body) {
		t.Fatalf("downloaded %d bytes, differ from the upload", len(got))
	}
	// The download is pinned to the verified version: an overwrite of the key changes nothing.
	if _, err := b.storage.Documents(b.tenant.ID).Put(context.Background(), f.ObjectKey, bytes.NewReader([]byte("evil")), 4, "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	if err := b.as(t, b.clerk, func(ctx context.Context) (err error) { link, err = b.svc.FileLink(ctx, app.ID, f.ID); return err }); err != nil {
		t.Fatal(err)
	}
	if got := fetch(t, link.URL); !bytes.Equal(got, body) {
		t.Fatal("a download after an overwrite serves the new bytes")
	}
	// Another county sees nothing: the same id is not found there.
	other := setup(t)
	err = other.as(t, other.clerk, func(ctx context.Context) error { _, err := other.svc.FileLink(ctx, app.ID, f.ID); return err })
	wantProblem(t, "another county downloads", err, 404, "", "")
	// Upload and verification are in the audit chain.
	if n := b.count(t, `SELECT count(*) FROM audit_events WHERE tenant_id = $1 AND action IN ('document.file.upload', 'document.file.verify') AND summary->>'file_id' = $2`,
		b.tenant.ID, f.ID.String()); n != 2 {
		t.Errorf("%d audit rows for the upload and its verification, want 2", n)
	}
}

func TestTamperedFilesAreFlagged(t *testing.T) {
	t.Parallel()
	b := setup(t)
	app := b.intake(t)

	// A presigned upload whose bytes are not those declared.
	declared, sent := jpeg(10<<10), jpeg(10<<10)
	var ticket *document.Ticket
	err := b.as(t, b.worker, func(ctx context.Context) (err error) {
		ticket, err = b.svc.BeginUpload(ctx, document.UploadRequest{ApplicationID: app.ID, Material: "hukou", Filename: "户口簿.jpg",
			ContentType: "image/jpeg", Size: int64(len(declared)), SHA256: sum(declared)})
		return err
	})
	wantProblem(t, "a worker of no proxy application", err, 404, "", "") // a window application is not theirs to see
	if err := b.as(t, b.clerk, func(ctx context.Context) (err error) {
		ticket, err = b.svc.BeginUpload(ctx, document.UploadRequest{ApplicationID: app.ID, Material: "hukou", Filename: "户口簿.jpg",
			ContentType: "image/jpeg", Size: int64(len(declared)), SHA256: strings.ToUpper(sum(declared))})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if ticket.Method != "POST" || ticket.Fields["Content-Type"] != "image/jpeg" || ticket.Fields["policy"] == "" || ticket.FileField != "file" ||
		time.Until(ticket.ExpiresAt) > document.UploadTTL {
		t.Errorf("ticket %+v", ticket)
	}
	var f *document.File
	err = b.as(t, b.clerk, func(ctx context.Context) (err error) {
		f, err = b.svc.CompleteUpload(ctx, app.ID, ticket.File.ID)
		return err
	})
	wantProblem(t, "complete before the upload", err, 409, "upload_missing", "")
	mustPost(t, ticket, sent)
	if err := b.as(t, b.clerk, func(ctx context.Context) (err error) {
		f, err = b.svc.CompleteUpload(ctx, app.ID, ticket.File.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if f.Status != document.StatusUploaded {
		t.Fatalf("completed: %+v", f)
	}
	f = b.verify(t, f)
	if f.Status != document.StatusTampered || f.Reason == "" || f.ReasonEn == "" {
		t.Fatalf("declared SHA-256 differs from the object's: %+v", f)
	}
	err = b.as(t, b.clerk, func(ctx context.Context) error { _, err := b.svc.FileLink(ctx, app.ID, f.ID); return err })
	wantProblem(t, "download of a tampered file", err, 409, "file_not_attached", "")
	// The uploader is told.
	if n := b.count(t, `SELECT count(*) FROM notifications WHERE tenant_id = $1 AND recipient_id = $2 AND kind = 'file_flagged'`,
		b.tenant.ID, b.clerk.IdentityID); n != 1 {
		t.Errorf("%d notifications of the flagged file, want 1", n)
	}

	// A direct upload overwritten in MinIO after registration, before verification.
	body := jpeg(20 << 10)
	g, err := b.upload(t, b.clerk, app.ID, "id", "", body)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.storage.Documents(b.tenant.ID).Put(context.Background(), g.ObjectKey, bytes.NewReader(jpeg(20<<10)), 20<<10, "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	if g = b.verify(t, g); g.Status != document.StatusTampered {
		t.Fatalf("overwritten after registration: %+v", g)
	}
	// Neither is attached: the listing shows them flagged with the reason.
	var l *document.Listing
	if err := b.as(t, b.clerk, func(ctx context.Context) (err error) { l, err = b.svc.List(ctx, app.ID); return err }); err != nil {
		t.Fatal(err)
	}
	for _, x := range l.Files {
		if x.Status == document.StatusVerified {
			t.Errorf("file %s attached", x.ID)
		}
	}
}

func TestTypeAndSizeAreChecked(t *testing.T) {
	t.Parallel()
	b := setup(t)
	app := b.intake(t)
	pdf := append([]byte("%PDF-1.4\n"), jpeg(1000)...)

	_, err := b.upload(t, b.clerk, app.ID, "id", "", []byte("<html><script>alert(1)</script></html>"))
	wantProblem(t, "unknown content", err, 422, "unknown_file_type", "body")
	_, err = b.upload(t, b.clerk, app.ID, "id", "image/png", pdf)
	wantProblem(t, "a PDF declared as PNG", err, 422, "type_mismatch", "header.Content-Type")
	_, err = b.upload(t, b.clerk, app.ID, "id", "text/html", pdf)
	wantProblem(t, "a declared type never accepted", err, 422, "", "header.Content-Type")
	_, err = b.upload(t, b.clerk, app.ID, "nope", "", pdf)
	wantProblem(t, "a material not on the checklist", err, 422, "", "query.material")
	f, err := b.upload(t, b.clerk, app.ID, "id", "application/pdf", pdf)
	if err != nil || f.ContentType != "application/pdf" {
		t.Fatalf("a PDF: %+v %v", f, err)
	}
	if n := b.count(t, `SELECT count(*) FROM application_files WHERE application_id = $1`, app.ID); n != 1 {
		t.Errorf("%d file rows after refused uploads, want 1", n)
	}

	// A presigned upload whose content is not the declared type is flagged, not attached.
	var ticket *document.Ticket
	if err := b.as(t, b.clerk, func(ctx context.Context) (err error) {
		ticket, err = b.svc.BeginUpload(ctx, document.UploadRequest{ApplicationID: app.ID, Material: "id", ContentType: "image/jpeg", Size: int64(len(pdf)), SHA256: sum(pdf)})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	mustPost(t, ticket, pdf)
	var g *document.File
	if err := b.as(t, b.clerk, func(ctx context.Context) (err error) {
		g, err = b.svc.CompleteUpload(ctx, app.ID, ticket.File.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if g.Status != document.StatusRejected || !strings.Contains(g.Reason, "不符") {
		t.Fatalf("a PDF declared as JPEG: %+v", g)
	}
	if n := len(tenanttest.Jobs(t, b.db, func(j tenanttest.Job[document.VerifyArgs]) bool { return j.Args.FileID == g.ID })); n != 0 {
		t.Error("a rejected upload was queued for verification")
	}

	// The size limit is the county's setting.
	err = b.as(t, b.clerk, func(ctx context.Context) error {
		_, err := document.PutSettings(ctx, document.Settings{MaxUploadBytes: 100, Retention: document.Retention30})
		return err
	})
	wantProblem(t, "a limit below 1 MB", err, 422, "", "body.max_upload_mb")
	if err := b.as(t, b.clerk, func(ctx context.Context) error {
		_, err := document.PutSettings(ctx, document.Settings{MaxUploadBytes: 1 << 20, Retention: document.Retention30})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	big := jpeg(1<<20 + 1)
	_, err = b.upload(t, b.clerk, app.ID, "id", "", big)
	wantProblem(t, "a file over the limit (declared length)", err, 413, "file_too_large", "body")
	_, err = b.svc.Upload(tenants.WithActor(context.Background(), b.clerk), document.Upload{ApplicationID: app.ID, Material: "id", Length: -1, Body: bytes.NewReader(big)})
	wantProblem(t, "a file over the limit (chunked)", err, 413, "file_too_large", "body")
	err = b.as(t, b.clerk, func(ctx context.Context) error {
		_, err := b.svc.BeginUpload(ctx, document.UploadRequest{ApplicationID: app.ID, Material: "id", ContentType: "image/jpeg", Size: int64(len(big)), SHA256: sum(big)})
		return err
	})
	wantProblem(t, "a presigned upload declared over the limit", err, 413, "file_too_large", "body.size")
	// Declared small, sent large (or a byte short): MinIO's policy refuses it, nothing is
	// stored, and completing says nothing arrived.
	small := jpeg(1000)
	if err := b.as(t, b.clerk, func(ctx context.Context) (err error) {
		ticket, err = b.svc.BeginUpload(ctx, document.UploadRequest{ApplicationID: app.ID, Material: "id", ContentType: "image/jpeg", Size: int64(len(small)), SHA256: sum(small)})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, body := range [][]byte{big, small[:999], append(small, 0)} {
		if status := post(t, ticket, body); status >= 200 && status < 300 {
			t.Errorf("a presigned POST of %d bytes for a declared %d was stored: %d", len(body), len(small), status)
		}
	}
	if v, err := b.storage.Documents(b.tenant.ID).Versions(context.Background(), ticket.File.ObjectKey); err != nil || len(v) != 0 {
		t.Errorf("refused uploads left versions %v (%v)", v, err)
	}
	err = b.as(t, b.clerk, func(ctx context.Context) (err error) {
		g, err = b.svc.CompleteUpload(ctx, app.ID, ticket.File.ID)
		return err
	})
	wantProblem(t, "complete after a refused upload", err, 409, "upload_missing", "")
	if _, err := b.storage.Documents(b.tenant.ID).Stat(context.Background(), ticket.File.ObjectKey, ""); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("the oversized object is kept: %v", err)
	}
	// The exact size goes through.
	mustPost(t, ticket, small)
	if err := b.as(t, b.clerk, func(ctx context.Context) (err error) {
		g, err = b.svc.CompleteUpload(ctx, app.ID, ticket.File.ID)
		return err
	}); err != nil || g.Status != document.StatusUploaded {
		t.Fatalf("the declared size: %+v %v", g, err)
	}
}

func TestWhoMayUpload(t *testing.T) {
	t.Parallel()
	b := setup(t)
	app := b.intake(t, "id", "hukou")
	body := jpeg(1000)
	_, err := b.upload(t, b.otherClerk, app.ID, "id", "", body)
	wantProblem(t, "a clerk of another hall", err, 404, "", "") // not even visible to them
	_, err = b.upload(t, b.dept, app.ID, "id", "", body)
	wantProblem(t, "department staff", err, 404, "", "") // not routed yet: not visible
	app = b.act(t, b.clerk, app, lifecycle.Reject, application.Step{Reason: "不属于本机关职权范围"})
	_, err = b.upload(t, b.clerk, app.ID, "id", "", body)
	wantProblem(t, "a closed application", err, 409, "application_closed", "")

	// A proxy application: the community worker who took it in, and the hall's clerks.
	in := application.NewApplication{ItemID: b.itemID, Applicant: application.Applicant{Kind: application.ApplicantPerson, Name: "李四", IDNo: idNo, Phone: "13912345678"},
		Authorization: &application.Authorization{SignedOn: b.apps.Today(), Document: "委托书已签字"}}
	var proxy *application.Detail
	if err := b.as(t, b.worker, func(ctx context.Context) (err error) { proxy, err = b.apps.Intake(ctx, in); return err }); err != nil {
		t.Fatal(err)
	}
	for _, who := range []*tenants.Actor{b.worker, b.clerk} {
		if _, err := b.upload(t, who, proxy.ID, "id", "", body); err != nil {
			t.Errorf("%s uploads to a proxy application: %v", who.Roles[0], err)
		}
	}
	_, err = b.upload(t, b.otherClerk, proxy.ID, "id", "", body)
	wantProblem(t, "a clerk of another hall, proxy application", err, 404, "", "")
}

// render is notice.Render, counting calls; with suffix set it appends bytes, as a changed
// template would.
type render struct {
	calls  int
	suffix []byte
}

func (r *render) Render(n notice.Notice) ([]byte, error) {
	r.calls++
	out, err := notice.Render(n)
	return append(out, r.suffix...), err
}

func TestNoticesRenderedOnceAndRegenerated(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := &render{}
	b.svc.Render = r.Render
	app := b.intake(t, "id")
	app = b.act(t, b.clerk, app, lifecycle.RequestCorrection, application.Step{Corrections: []application.CorrectionEntry{{Key: "hukou", Problem: "missing", Note: "需户主页"}}})
	app = b.act(t, b.clerk, app, lifecycle.Resubmit, application.Step{Materials: []application.Tick{{Key: "hukou", Provided: true}}})
	app = b.act(t, b.clerk, app, lifecycle.Accept, application.Step{})

	var ns []document.Notice
	b.system(t, func(ctx context.Context) error {
		return tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(&ns)).Where("application_id = ?", app.ID).Order("version").Scan(ctx)
	})
	if len(ns) != 2 || ns[0].Kind != notice.KindCorrection || ns[1].Kind != notice.KindAccepted || ns[1].SHA256 != nil {
		t.Fatalf("notices issued: %+v", ns)
	}
	acc := ns[1].Content
	if acc.ReceiptNo == "" || acc.ApplicantIDMasked != "110105********002X" || acc.Hall != "城关镇便民服务中心" || acc.County != "文档县" ||
		acc.Clerk == "" || acc.PromisedDue.IsZero() || acc.LegalDue.IsZero() || len(acc.Materials) != 2 {
		t.Errorf("accepted notice content: %+v", acc)
	}
	if m := ns[0].Content.Missing; len(m) != 1 || m[0].Name != "户口簿" || m[0].Note != "缺少：需户主页" {
		t.Errorf("correction notice lists %+v", m)
	}
	raw, _ := json.Marshal(ns)
	if strings.Contains(string(raw), idNo) {
		t.Error("a notice row holds the full ID number")
	}
	if n := len(tenanttest.Jobs(t, b.db, func(j tenanttest.Job[document.NoticeArgs]) bool {
		return j.Args.ApplicationID == app.ID && j.Queue == document.Queue
	})); n != 2 {
		t.Errorf("%d notice jobs, want 2", n)
	}

	args := document.NoticeArgs{TenantID: b.tenant.ID, ApplicationID: app.ID, NoticeKind: notice.KindAccepted, Version: ns[1].Version}
	b.system(t, func(ctx context.Context) error { return b.svc.GenerateNotice(ctx, args) })
	b.system(t, func(ctx context.Context) error { return b.svc.GenerateNotice(ctx, args) }) // a second run does nothing
	if r.calls != 1 {
		t.Errorf("rendered %d times for two runs of the job, want 1", r.calls)
	}
	var link *document.Link
	if err := b.as(t, b.clerk, func(ctx context.Context) (err error) {
		link, err = b.svc.NoticeLink(ctx, app.ID, notice.KindAccepted, 0)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	pdf := fetch(t, link.URL)
	first := b.notice(t, app.ID, notice.KindAccepted)
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || sum(pdf) != *first.SHA256 || first.Generations != 1 {
		t.Fatalf("stored notice: %d bytes, sha %s, row %+v", len(pdf), sum(pdf), first)
	}
	// The correction notice is still pending: its download says so.
	err := b.as(t, b.clerk, func(ctx context.Context) error {
		_, err := b.svc.NoticeLink(ctx, app.ID, notice.KindCorrection, 0)
		return err
	})
	wantProblem(t, "a pending notice", err, 409, "notice_pending", "")

	// Regenerating the same content writes nothing.
	var changed bool
	if err := b.as(t, b.clerk, func(ctx context.Context) (err error) {
		_, changed, err = b.svc.Regenerate(ctx, app.ID, notice.KindAccepted)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	again := b.notice(t, app.ID, notice.KindAccepted)
	if changed || *again.SHA256 != *first.SHA256 || *again.VersionID != *first.VersionID || again.Generations != 1 {
		t.Errorf("identical regeneration changed the record: %+v", again)
	}
	// A changed rendering is a new version of the same key; the old version stays.
	r.suffix = []byte("\n% template v2\n")
	if err := b.as(t, b.clerk, func(ctx context.Context) (err error) {
		_, changed, err = b.svc.Regenerate(ctx, app.ID, notice.KindAccepted)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	second := b.notice(t, app.ID, notice.KindAccepted)
	if !changed || *second.SHA256 == *first.SHA256 || *second.VersionID == *first.VersionID || second.ObjectKey != first.ObjectKey || second.Generations != 2 {
		t.Fatalf("changed regeneration: %+v", second)
	}
	rd, _, err := b.storage.Documents(b.tenant.ID).Open(context.Background(), first.ObjectKey, *first.VersionID)
	if err != nil {
		t.Fatalf("the first version is gone: %v", err)
	}
	old, _ := io.ReadAll(rd)
	rd.Close()
	if sum(old) != *first.SHA256 {
		t.Error("the first version's bytes changed")
	}
	if n := b.count(t, `SELECT count(*) FROM application_notices WHERE application_id = $1`, app.ID); n != 2 {
		t.Errorf("%d notice rows after regenerations, want 2", n)
	}
	if n := b.count(t, `SELECT count(*) FROM audit_events WHERE tenant_id = $1 AND action LIKE 'document.notice.%' AND summary->>'application_id' = $2`, b.tenant.ID, app.ID.String()); n != 2 {
		t.Errorf("%d notice audit rows, want 2 (generate, regenerate)", n)
	}
	// Regeneration needs the application to be readable.
	err = b.as(t, b.otherClerk, func(ctx context.Context) error {
		_, _, err := b.svc.Regenerate(ctx, app.ID, notice.KindAccepted)
		return err
	})
	wantProblem(t, "a clerk of another hall regenerates", err, 404, "", "")
}

func (b *bundle) notice(t *testing.T, app uuid.UUID, kind notice.Kind) *document.Notice {
	t.Helper()
	n := new(document.Notice)
	b.system(t, func(ctx context.Context) error {
		return tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(n)).Where("application_id = ? AND kind = ?", app, kind).Order("version DESC").Limit(1).Scan(ctx)
	})
	return n
}

func TestArchivePackedOnceAndLocked(t *testing.T) {
	t.Parallel()
	b := setup(t)
	app := b.intake(t, "id", "hukou")
	scan := jpeg(50 << 10)
	f, err := b.upload(t, b.clerk, app.ID, "id", "image/jpeg", scan)
	if err != nil {
		t.Fatal(err)
	}
	bad, err := b.upload(t, b.clerk, app.ID, "hukou", "image/jpeg", jpeg(1000))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.storage.Documents(b.tenant.ID).Put(context.Background(), bad.ObjectKey, bytes.NewReader(jpeg(1000)), 1000, "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	app = b.act(t, b.clerk, app, lifecycle.Accept, application.Step{})
	app = b.act(t, b.clerk, app, lifecycle.Route, application.Step{})
	app = b.act(t, b.dept, app, lifecycle.Approve, application.Step{Reason: "符合条件"})
	app = b.act(t, b.clerk, app, lifecycle.Deliver, application.Step{DeliveryMethod: lifecycle.DeliverWindow})
	app = b.act(t, b.clerk, app, lifecycle.Archive, application.Step{})
	if n := len(tenanttest.Jobs(t, b.db, func(j tenanttest.Job[document.ArchiveArgs]) bool {
		return j.Args.ApplicationID == app.ID && j.Queue == document.Queue
	})); n != 1 {
		t.Fatalf("%d archive jobs, want 1", n)
	}
	args := document.ArchiveArgs{TenantID: b.tenant.ID, ApplicationID: app.ID}

	// A run that stores the package but does not commit (a crash) leaves an object and no
	// record; the next run adopts the object instead of storing a second locked one.
	boom := errors.New("crash after the put")
	err = b.store.InTx(context.Background(), b.tenant.ID, func(ctx context.Context) error {
		if err := b.svc.Pack(ctx, args); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("first run: %v", err)
	}
	arch := b.storage.Archive(b.tenant.ID)
	stored, err := arch.Stat(context.Background(), document.ArchiveKey(app.ID), "")
	if err != nil {
		t.Fatalf("the crashed run stored nothing: %v", err)
	}
	b.system(t, func(ctx context.Context) error { return b.svc.Pack(ctx, args) })
	b.system(t, func(ctx context.Context) error { return b.svc.Pack(ctx, args) }) // and once more: nothing
	rec := new(document.Archive)
	b.system(t, func(ctx context.Context) error {
		return tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(rec)).Where("application_id = ?", app.ID).Scan(ctx)
	})
	if rec.VersionID != stored.VersionID || rec.LockMode != "COMPLIANCE" || rec.Retention != document.Retention30 {
		t.Fatalf("archive record %+v, stored version %s", rec, stored.VersionID)
	}
	if n := b.count(t, `SELECT count(*) FROM application_archives WHERE application_id = $1`, app.ID); n != 1 {
		t.Errorf("%d archive rows", n)
	}
	newest, _ := arch.Stat(context.Background(), document.ArchiveKey(app.ID), "")
	if newest.VersionID != stored.VersionID {
		t.Error("a later run stored a second version of the package")
	}
	// Retention: 30 years from 1 January after the year the file closed.
	closed := app.ClosedOn.Year()
	if want := time.Date(closed+31, 1, 1, 0, 0, 0, 0, clock.Zone); !rec.RetainUntil.Equal(want) {
		t.Errorf("retain until %v, want %v", rec.RetainUntil, want)
	}
	mode, until, err := arch.Retention(context.Background(), rec.ObjectKey, rec.VersionID)
	if err != nil || mode != storage.Compliance || !until.Equal(rec.RetainUntil) {
		t.Errorf("object lock %s until %v (%v)", mode, until, err)
	}
	// MinIO refuses to delete the locked version.
	if err := arch.DeleteVersion(context.Background(), rec.ObjectKey, rec.VersionID); err == nil {
		t.Fatal("deleting the archive package during its retention succeeded")
	}
	// The database record cannot be changed either.
	err = b.store.InTx(context.Background(), b.tenant.ID, func(ctx context.Context) error {
		_, err := tenants.Own(ctx, tenants.DB(ctx).NewDelete().Model((*document.Archive)(nil))).Where("application_id = ?", app.ID).Exec(ctx)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("deleting the archive record: %v", err)
	}

	// The package: record, timeline, both notices and the verified file, each with its
	// SHA-256 in the manifest; the tampered upload is listed as excluded.
	r, _, err := arch.Open(context.Background(), rec.ObjectKey, rec.VersionID)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(r)
	r.Close()
	if sum(raw) != rec.SHA256 {
		t.Error("the package's SHA-256 differs from its record")
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	entries := map[string][]byte{}
	for _, zf := range zr.File {
		rc, _ := zf.Open()
		entries[zf.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	var man document.Manifest
	if err := json.Unmarshal(entries["manifest.json"], &man); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, mf := range man.Files {
		paths = append(paths, mf.Path)
		if sum(entries[mf.Path]) != mf.SHA256 {
			t.Errorf("%s: manifest SHA-256 does not match the entry", mf.Path)
		}
	}
	if len(man.Files) != 5 || rec.Files != 5 {
		t.Errorf("package holds %v", paths)
	}
	if !bytes.Equal(entries["materials/id/"+f.ID.String()+".jpg"], scan) {
		t.Error("the verified scan is not in the package as uploaded")
	}
	if len(man.Excluded) != 1 || man.Excluded[0].FileID != bad.ID || man.Excluded[0].Status != document.StatusTampered {
		t.Errorf("excluded %+v", man.Excluded)
	}
	for name, data := range entries {
		if bytes.Contains(data, []byte(idNo)) {
			t.Errorf("%s holds the full ID number", name)
		}
	}
	if !bytes.Contains(entries["record.json"], []byte("110105********002X")) || !bytes.Contains(entries["timeline.json"], []byte("archive")) {
		t.Error("record or timeline incomplete")
	}
	if man.Retention != document.Retention30 || man.LockMode != "COMPLIANCE" || !strings.Contains(man.Basis, "国家档案局令第8号") {
		t.Errorf("manifest retention %+v", man)
	}
	if n := b.count(t, `SELECT count(*) FROM audit_events WHERE tenant_id = $1 AND action = 'document.archive' AND summary->>'application_id' = $2`, b.tenant.ID, app.ID.String()); n != 1 {
		t.Errorf("%d archive audit rows, want 1", n)
	}
}

// TestUploadsNeverCompletedAreSwept: a presigned upload whose bytes arrived but that no one
// completed leaves no stray file once its URL has expired (and the grace passed): every
// version is deleted and the row says why. A completed upload and one still in time are left
// alone.
func TestUploadsNeverCompletedAreSwept(t *testing.T) {
	t.Parallel()
	b := setup(t)
	app := b.intake(t)
	begin := func(body []byte) *document.Ticket {
		var ticket *document.Ticket
		if err := b.as(t, b.clerk, func(ctx context.Context) (err error) {
			ticket, err = b.svc.BeginUpload(ctx, document.UploadRequest{ApplicationID: app.ID, Material: "id", ContentType: "image/jpeg", Size: int64(len(body)), SHA256: sum(body)})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		mustPost(t, ticket, body)
		return ticket
	}
	stray, done, fresh := begin(jpeg(2000)), begin(jpeg(3000)), begin(jpeg(4000))
	if err := b.as(t, b.clerk, func(ctx context.Context) error { _, err := b.svc.CompleteUpload(ctx, app.ID, done.File.ID); return err }); err != nil {
		t.Fatal(err)
	}
	// Two of them expired more than the grace ago.
	if _, err := b.db.Owner.Exec(context.Background(), `UPDATE application_files SET expires_at = now() - interval '2 hours' WHERE id = ANY($1)`,
		[]uuid.UUID{stray.File.ID, done.File.ID}); err != nil {
		t.Fatal(err)
	}
	var n int
	b.system(t, func(ctx context.Context) (err error) { n, err = b.svc.SweepUploads(ctx); return err })
	if n != 1 {
		t.Fatalf("swept %d uploads, want 1", n)
	}
	docs := b.storage.Documents(b.tenant.ID)
	if v, err := docs.Versions(context.Background(), stray.File.ObjectKey); err != nil || len(v) != 0 {
		t.Errorf("the stray upload keeps versions %v (%v)", v, err)
	}
	for _, keep := range []*document.Ticket{done, fresh} {
		if v, err := docs.Versions(context.Background(), keep.File.ObjectKey); err != nil || len(v) != 1 {
			t.Errorf("an upload that is not stray lost its object: %v (%v)", v, err)
		}
	}
	status := func(id uuid.UUID) (s string) {
		if err := b.db.Owner.QueryRow(context.Background(), `SELECT status || ':' || reason FROM application_files WHERE id = $1`, id).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := status(stray.File.ID); !strings.HasPrefix(s, "rejected:上传未在有效期内确认") || !strings.Contains(s, "删除") {
		t.Errorf("the stray upload's row: %s", s)
	}
	if s := status(done.File.ID); s != "uploaded:" {
		t.Errorf("the completed upload's row: %s", s)
	}
	if s := status(fresh.File.ID); s != "awaiting_upload:" {
		t.Errorf("the upload still in time: %s", s)
	}
	// Completing the swept upload afterwards returns it as it is: rejected, not resurrected.
	var f *document.File
	if err := b.as(t, b.clerk, func(ctx context.Context) (err error) {
		f, err = b.svc.CompleteUpload(ctx, app.ID, stray.File.ID)
		return err
	}); err != nil || f.Status != document.StatusRejected {
		t.Errorf("completing a swept upload: %+v %v", f, err)
	}
	if n := b.count(t, `SELECT count(*) FROM audit_events WHERE tenant_id = $1 AND action = 'document.upload.expire'`, b.tenant.ID); n != 1 {
		t.Errorf("%d audit rows of the sweep, want 1", n)
	}
	// A second run finds nothing.
	b.system(t, func(ctx context.Context) (err error) { n, err = b.svc.SweepUploads(ctx); return err })
	if n != 0 {
		t.Errorf("second sweep: %d", n)
	}
}

func testBox(t *testing.T) *secret.Box {
	box, err := secret.New("document-test-key-material-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	return box
}
