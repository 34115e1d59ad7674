package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/api/server"
	"github.com/yichuang/yichuang/services/document"
	"github.com/yichuang/yichuang/services/storage"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

// docBundle is the server with MinIO and a River client that works the documents queue
// only: the database is shared with tests whose clients run other queues on stub clocks.
type docBundle struct {
	*testBundle
}

func setupDocs(t *testing.T) *docBundle {
	t.Helper()
	return &docBundle{start(t, stack{queues: []string{document.Queue}, publicURL: "https://yc.example.gov.cn"})}
}

// setupDocsWith is setupDocs on the given database and storage (e.g. MinIO behind a proxy a
// test can cut).
func setupDocsWith(t *testing.T, db *tenanttest.DB, st *storage.Store) *docBundle {
	t.Helper()
	return &docBundle{start(t, stack{queues: []string{document.Queue}, publicURL: "https://yc.example.gov.cn", db: db, storage: st})}
}

func randomJPEG(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	copy(b, "\xFF\xD8\xFF\xE0\x00\x10JFIF\x00")
	return b
}

func hexSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// raw posts body as the request body with the given Content-Type.
func (b *docBundle) raw(t *testing.T, m *member, path, ctype string, body []byte) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.srv.URL+path, bytes.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("X-Session-Token", m.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]any{}
	rawBody, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(rawBody, &out)
	if resp.StatusCode >= 400 && resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("POST %s: %d with Content-Type %q", path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return resp.StatusCode, out
}

// served is a document the app streamed itself.
type served struct {
	body                          []byte
	disposition, contentType, csp string
}

// content GETs a document served from the app's own origin and checks the status; a refusal
// must be problem+json.
func (b *testBundle) content(t *testing.T, m *member, path string, want int) served {
	t.Helper()
	resp := get(t, b.srv.URL+path, map[string]string{"X-Session-Token": m.token})
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	if resp.StatusCode != want {
		t.Fatalf("GET %s: %d %s, want %d", path, resp.StatusCode, body, want)
	}
	if want != http.StatusOK && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
		t.Errorf("GET %s: refusal as %q, want problem+json", path, resp.Header.Get("Content-Type"))
	}
	_, params, _ := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
	return served{body: body, disposition: params["filename"], contentType: resp.Header.Get("Content-Type"), csp: resp.Header.Get("Content-Security-Policy")}
}

func fetchURL(t *testing.T, u string) []byte {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, body)
	}
	return body
}

// postForm uploads body through a presigned form ticket as a browser would: its fields, then
// the file. It returns MinIO's status (0 when MinIO cut a refused body off mid-way).
func postForm(t *testing.T, ticket map[string]any, body []byte) int {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fields, _ := ticket["fields"].(map[string]any)
	for k, v := range fields {
		_ = w.WriteField(k, v.(string))
	}
	fw, _ := w.CreateFormFile(ticket["file_field"].(string), "upload.bin")
	_, _ = fw.Write(body)
	_ = w.Close()
	resp, err := http.Post(ticket["url"].(string), w.FormDataContentType(), &buf)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func mustPostForm(t *testing.T, ticket map[string]any, body []byte) {
	t.Helper()
	if status := postForm(t, ticket, body); status < 200 || status > 299 {
		t.Fatalf("presigned POST: %d", status)
	}
}

// wantProblem checks a problem+json answer: status, code, both languages, and the field.
func wantProblem(t *testing.T, what string, status int, body map[string]any, wantStatus int, code, location string) {
	t.Helper()
	if status != wantStatus || (code != "" && body["code"] != code) || body["message"] == "" || body["message_en"] == "" {
		t.Errorf("%s: %d %v, want %d %s", what, status, body, wantStatus, code)
		return
	}
	if location == "" {
		return
	}
	errs, _ := body["errors"].([]any)
	for _, e := range errs {
		if fe := e.(map[string]any); fe["location"] == location && fe["message"] != "" && fe["message_en"] != "" {
			return
		}
	}
	t.Errorf("%s: errors %v lack %s", what, errs, location)
}

func (b *docBundle) fileStatus(t *testing.T, m *member, app, file string) string {
	t.Helper()
	_, docs, _ := b.call(t, m, "GET", "/api/v1/applications/"+app+"/documents", nil)
	files, _ := docs["files"].([]any)
	for _, f := range files {
		if f := f.(map[string]any); f["id"] == file {
			return f["status"].(string)
		}
	}
	return ""
}

func (b *docBundle) windowIntake(t *testing.T, c *county, itemID string) map[string]any {
	t.Helper()
	status, app, _ := b.call(t, c.clerk, "POST", "/api/v1/applications", map[string]any{"item_id": itemID,
		"applicant": map[string]any{"kind": "person", "name": "王秀兰", "id_no": "11010519491231002X", "phone": "13912345678"},
		"materials": []map[string]any{{"key": "id", "provided": true}, {"key": "hukou", "provided": true}}})
	if status != http.StatusCreated {
		t.Fatalf("intake: %d %v", status, app)
	}
	return app
}

// TestMaterialFilesThroughTheAPI uploads through the API and by presigned PUT, with the
// verification job running on real MinIO, and checks what is refused, flagged and served.
func TestMaterialFilesThroughTheAPI(t *testing.T) {
	t.Parallel()
	b := setupDocs(t)
	c := b.newCounty(t)
	itemID := b.publishItem(t, c, "FILES-"+strings.ToUpper(uuid.NewString()[:8]))
	app := b.windowIntake(t, c, itemID)
	id := app["id"].(string)
	files := "/api/v1/applications/" + id + "/files"

	// Streamed through the API, then verified by the job, then downloaded as uploaded.
	scan := randomJPEG(200 << 10)
	status, f := b.raw(t, c.clerk, files+"?material=id&filename="+url.QueryEscape("身份证正面.jpg"), "image/jpeg", scan)
	if status != http.StatusCreated || f["status"] != "uploaded" || f["sha256"] != hexSum(scan) || f["content_type"] != "image/jpeg" || f["attached"] != false {
		t.Fatalf("upload: %d %v", status, f)
	}
	fid := f["id"].(string)
	waitFor(t, "the upload to be verified", func() bool { return b.fileStatus(t, c.clerk, id, fid) == "verified" })
	status, link, _ := b.call(t, c.clerk, "GET", files+"/"+fid+"/download", nil)
	if status != http.StatusOK || link["url"] == "" {
		t.Fatalf("download: %d %v", status, link)
	}
	if got := fetchURL(t, link["url"].(string)); !bytes.Equal(got, scan) {
		t.Fatal("the downloaded bytes differ from the upload")
	}
	// The same file from the app's own origin (a clerk's PC need not reach MinIO), under its
	// Chinese name, never to be run as a page of the app.
	own := b.content(t, c.clerk, files+"/"+fid+"/content", http.StatusOK)
	if !bytes.Equal(own.body, scan) || own.disposition != "身份证正面.jpg" || own.contentType != "image/jpeg" || !strings.Contains(own.csp, "sandbox") {
		t.Fatalf("file through the app: %d bytes, name %q, type %q, CSP %q", len(own.body), own.disposition, own.contentType, own.csp)
	}

	// Refused: content of no accepted type, a declared type the content contradicts, a
	// material the checklist lacks.
	status, body := b.raw(t, c.clerk, files+"?material=id&filename=a.jpg", "image/jpeg", []byte("<svg onload=alert(1)>"))
	wantProblem(t, "unknown content named .jpg", status, body, 422, "unknown_file_type", "body")
	status, body = b.raw(t, c.clerk, files+"?material=id", "image/png", append([]byte("%PDF-1.7\n"), scan...))
	wantProblem(t, "a PDF declared as PNG", status, body, 422, "type_mismatch", "header.Content-Type")
	status, body = b.raw(t, c.clerk, files+"?material=nope", "", scan)
	wantProblem(t, "an unknown material", status, body, 422, "", "query.material")

	// Presigned: the client declares type, size and SHA-256, POSTs the form to MinIO, completes.
	png := append([]byte("\x89PNG\r\n\x1a\n"), randomJPEG(30<<10)...)
	declare := map[string]any{"material": "hukou", "filename": "户口簿.png", "content_type": "image/png", "size": len(png), "sha256": hexSum(png)}
	key := uuid.NewString()
	status, ticket, _ := b.call(t, c.clerk, "POST", "/api/v1/applications/"+id+"/uploads", declare, "Idempotency-Key", key)
	if status != http.StatusCreated || ticket["method"] != "POST" || ticket["upload_id"] != key {
		t.Fatalf("begin upload: %d %v", status, ticket)
	}
	up := ticket["upload_id"].(string)
	// A retry with the key (the answer was lost) gets the same upload, not a second one; the
	// key with another declaration is refused.
	status, again, _ := b.call(t, c.clerk, "POST", "/api/v1/applications/"+id+"/uploads", declare, "Idempotency-Key", key)
	if status != http.StatusCreated || again["upload_id"] != up || again["url"] == "" {
		t.Fatalf("begin upload again: %d %v", status, again)
	}
	changed := maps.Clone(declare)
	changed["size"] = len(png) + 1
	status, body, _ = b.call(t, c.clerk, "POST", "/api/v1/applications/"+id+"/uploads", changed, "Idempotency-Key", key)
	wantProblem(t, "the key with another declaration", status, body, 409, "idempotency_key_reused", "")
	status, body, _ = b.call(t, c.clerk, "POST", "/api/v1/applications/"+id+"/uploads", declare, "Idempotency-Key", "not-a-uuid")
	wantProblem(t, "a key that is no UUID", status, body, 422, "", "header.Idempotency-Key")
	_, docs, _ := b.call(t, c.clerk, "GET", "/api/v1/applications/"+id+"/documents", nil)
	if n := strings.Count(fmt.Sprint(docs), up); n != 1 {
		t.Fatalf("the upload is listed %d times: %v", n, docs)
	}
	status, body, _ = b.call(t, c.clerk, "POST", "/api/v1/applications/"+id+"/uploads/"+up+"/complete", nil)
	wantProblem(t, "complete before the upload", status, body, 409, "upload_missing", "")
	mustPostForm(t, ticket, png)
	status, body, _ = b.call(t, c.clerk, "POST", "/api/v1/applications/"+id+"/uploads/"+up+"/complete", nil)
	if status != http.StatusOK || body["status"] != "uploaded" {
		t.Fatalf("complete: %d %v", status, body)
	}
	waitFor(t, "the presigned upload to be verified", func() bool { return b.fileStatus(t, c.clerk, id, up) == "verified" })

	// Tampered: the bytes PUT are not those whose SHA-256 was declared.
	status, ticket, _ = b.call(t, c.clerk, "POST", "/api/v1/applications/"+id+"/uploads",
		map[string]any{"material": "hukou", "content_type": "image/jpeg", "size": len(scan), "sha256": hexSum(randomJPEG(10))})
	if status != http.StatusCreated {
		t.Fatalf("begin upload: %d %v", status, ticket)
	}
	bad := ticket["upload_id"].(string)
	mustPostForm(t, ticket, scan)
	b.call(t, c.clerk, "POST", "/api/v1/applications/"+id+"/uploads/"+bad+"/complete", nil)
	waitFor(t, "the tampered upload to be flagged", func() bool { return b.fileStatus(t, c.clerk, id, bad) == "tampered" })
	status, body, _ = b.call(t, c.clerk, "GET", files+"/"+bad+"/download", nil)
	wantProblem(t, "download of a tampered file", status, body, 409, "file_not_attached", "")
	b.content(t, c.clerk, files+"/"+bad+"/content", http.StatusConflict)
	if !b.hasNotification(t, c.clerk, "file_flagged", id) {
		t.Error("the clerk was not told the upload failed verification")
	}

	// The size limit is the county's setting; clerks can read it.
	status, body, _ = b.call(t, c.clerk, "PUT", "/api/v1/document-settings", map[string]any{"max_upload_mb": 1, "retention": "30y"})
	if status != http.StatusForbidden {
		t.Errorf("a clerk changes the document rules: %d %v", status, body)
	}
	status, body, _ = b.call(t, c.admin, "PUT", "/api/v1/document-settings", map[string]any{"max_upload_mb": 1, "retention": "30y"})
	if status != http.StatusOK || body["max_upload_mb"] != float64(1) {
		t.Fatalf("set the limit: %d %v", status, body)
	}
	if _, body, _ = b.call(t, c.clerk, "GET", "/api/v1/document-settings", nil); body["max_upload_mb"] != float64(1) {
		t.Errorf("settings as the clerk reads them: %v", body)
	}
	status, body = b.raw(t, c.clerk, files+"?material=id", "image/jpeg", randomJPEG(1<<20+1))
	wantProblem(t, "a file over the limit", status, body, 413, "file_too_large", "body")
	status, body, _ = b.call(t, c.clerk, "POST", "/api/v1/applications/"+id+"/uploads",
		map[string]any{"material": "id", "content_type": "image/jpeg", "size": 2 << 20, "sha256": hexSum(scan)})
	wantProblem(t, "a presigned upload over the limit", status, body, 413, "file_too_large", "body.size")

	// Another county's member: the application, its files and its uploads do not exist.
	other := b.newCounty(t)
	for _, p := range []string{files + "/" + fid + "/download", "/api/v1/applications/" + id + "/documents"} {
		status, body, _ := b.call(t, other.clerk, "GET", p, nil)
		wantProblem(t, "another county GET "+p, status, body, 404, "", "")
	}
	status, body = b.raw(t, other.clerk, files+"?material=id", "image/jpeg", scan)
	wantProblem(t, "another county uploads", status, body, 404, "", "")
	b.content(t, other.clerk, files+"/"+fid+"/content", http.StatusNotFound)
	// So too for a department member of the county before the application is routed to it.
	status, body, _ = b.call(t, c.deptM, "GET", files+"/"+fid+"/download", nil)
	wantProblem(t, "an unrouted department downloads", status, body, 404, "", "")
	// Everything written is in the audit chain.
	_, events, _ := b.call(t, c.admin, "GET", "/api/v1/audit-events?limit=200", nil)
	seen := map[string]int{}
	for _, e := range events["items"].([]any) {
		seen[e.(map[string]any)["action"].(string)]++
	}
	if seen["document.file.upload"] != 1 || seen["document.upload.begin"] != 2 || seen["document.upload.complete"] != 2 ||
		seen["document.file.verify"] != 3 || seen["document_settings.update"] != 1 {
		t.Errorf("audit actions %v", seen)
	}
}

// TestNoticesAndArchiveThroughTheAPI takes an application from intake to the archive: each
// notice is rendered by the job and downloadable, and the archive package is stored once,
// under a COMPLIANCE lock MinIO enforces.
func TestNoticesAndArchiveThroughTheAPI(t *testing.T) {
	t.Parallel()
	b := setupDocs(t)
	c := b.newCounty(t)
	itemID := b.publishItem(t, c, "ARCHIVE-"+strings.ToUpper(uuid.NewString()[:8]))
	app := b.windowIntake(t, c, itemID)
	id := app["id"].(string)
	scan := randomJPEG(64 << 10)
	status, f := b.raw(t, c.clerk, "/api/v1/applications/"+id+"/files?material=id", "", scan)
	if status != http.StatusCreated {
		t.Fatalf("upload: %d %v", status, f)
	}
	act := func(m *member, action string, body map[string]any) {
		t.Helper()
		if body == nil {
			body = map[string]any{}
		}
		status, out, _ := b.call(t, m, "POST", "/api/v1/applications/"+id+"/actions/"+action, body, "If-Match", strconv.Itoa(int(app["version"].(float64))))
		if status != http.StatusOK {
			t.Fatalf("%s: %d %v", action, status, out)
		}
		app = out
	}
	noticeReady := func(kind string) bool {
		_, docs, _ := b.call(t, c.clerk, "GET", "/api/v1/applications/"+id+"/documents", nil)
		ns, _ := docs["notices"].([]any)
		for _, n := range ns {
			if n := n.(map[string]any); n["kind"] == kind && n["ready"] == true {
				return true
			}
		}
		return false
	}

	edition := func(kind string) (version, edition any) {
		t.Helper()
		_, docs, _ := b.call(t, c.clerk, "GET", "/api/v1/applications/"+id+"/documents", nil)
		ns, _ := docs["notices"].([]any)
		for _, n := range ns {
			if n := n.(map[string]any); n["kind"] == kind {
				return n["version"], n["edition"]
			}
		}
		t.Fatalf("no %s notice in %v", kind, docs)
		return nil, nil
	}

	act(c.clerk, "accept", nil)
	waitFor(t, "the 受理通知书", func() bool { return noticeReady("accepted") })
	// The first notice of its kind is 第 1 版, whatever the application's version (issue 15 item 7).
	if v, e := edition("accepted"); v == float64(1) || e != float64(1) {
		t.Errorf("the first 受理通知书: version %v, edition %v; want edition 1 at a later version", v, e)
	}
	status, link, _ := b.call(t, c.clerk, "GET", "/api/v1/applications/"+id+"/notices/accepted/download", nil)
	if status != http.StatusOK {
		t.Fatalf("notice download: %d %v", status, link)
	}
	if pdf := fetchURL(t, link["url"].(string)); !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("the notice is not a PDF: %q", pdf[:min(20, len(pdf))])
	}
	// The same PDF from the app's own origin, under its Chinese title (issue 15 item 7).
	resp := get(t, b.srv.URL+"/api/v1/applications/"+id+"/notices/accepted/file", map[string]string{"X-Session-Token": c.clerk.token})
	own, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	cd := resp.Header.Get("Content-Disposition")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(own, []byte("%PDF-")) {
		t.Fatalf("notice from the app: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), own[:min(40, len(own))])
	}
	if csp := resp.Header.Values("Content-Security-Policy"); len(csp) != 1 || csp[0] != server.PDFContentSecurityPolicy {
		t.Errorf("the PDF's CSP: %q", csp)
	}
	name, err := url.PathUnescape(strings.TrimPrefix(cd, "inline; filename*=UTF-8''"))
	if !strings.HasPrefix(cd, "inline; filename*=UTF-8''") || err != nil || !strings.HasPrefix(name, "受理通知书-") || !strings.HasSuffix(name, "-第1版.pdf") {
		t.Errorf("Content-Disposition %q (name %q)", cd, name)
	}
	other := b.newCounty(t)
	resp = get(t, b.srv.URL+"/api/v1/applications/"+id+"/notices/accepted/file", map[string]string{"X-Session-Token": other.clerk.token})
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("another county's clerk gets the notice: %d", resp.StatusCode)
	}
	status, regen, _ := b.call(t, c.clerk, "POST", "/api/v1/applications/"+id+"/notices/accepted/regenerate", nil)
	if status != http.StatusOK || regen["changed"] != false || regen["notice"].(map[string]any)["generations"] != float64(1) ||
		regen["notice"].(map[string]any)["edition"] != float64(1) {
		t.Errorf("regenerate identical: %d %v", status, regen)
	}
	status, body, _ := b.call(t, c.worker, "POST", "/api/v1/applications/"+id+"/notices/accepted/regenerate", nil)
	wantProblem(t, "a community worker regenerates", status, body, 403, "", "")
	status, body, _ = b.call(t, c.clerk, "GET", "/api/v1/applications/"+id+"/notices/rejected/download", nil)
	wantProblem(t, "a notice never issued", status, body, 404, "notice_not_found", "")
	status, body, _ = b.call(t, c.clerk, "GET", "/api/v1/applications/"+id+"/archive/download", nil)
	wantProblem(t, "the archive before archiving", status, body, 409, "not_archived", "")

	act(c.clerk, "route", nil)
	act(c.deptM, "approve", map[string]any{"reason": "符合条件"})
	waitFor(t, "the 办结通知", func() bool { return noticeReady("decided") })
	if _, e := edition("decided"); e != float64(1) {
		t.Errorf("the first 办结通知书 is edition %v, want 1", e)
	}
	act(c.clerk, "deliver", map[string]any{"delivery_method": "window"})
	act(c.clerk, "archive", nil)
	var archive map[string]any
	waitFor(t, "the archive package", func() bool {
		_, docs, _ := b.call(t, c.clerk, "GET", "/api/v1/applications/"+id+"/documents", nil)
		archive, _ = docs["archive"].(map[string]any)
		return archive != nil
	})
	if archive["lock_mode"] != "COMPLIANCE" || archive["retention"] != "30y" || archive["files"] != float64(5) {
		t.Errorf("archive %v", archive)
	}
	status, link, _ = b.call(t, c.clerk, "GET", "/api/v1/applications/"+id+"/archive/download", nil)
	if status != http.StatusOK {
		t.Fatalf("archive download: %d %v", status, link)
	}
	pkg := fetchURL(t, link["url"].(string))
	if hexSum(pkg) != archive["sha256"] {
		t.Error("the downloaded package differs from its recorded SHA-256")
	}
	if own := b.content(t, c.clerk, "/api/v1/applications/"+id+"/archive/content", http.StatusOK); !bytes.Equal(own.body, pkg) ||
		!strings.HasPrefix(own.disposition, "归档-") || own.contentType != "application/zip" {
		t.Errorf("package through the app: %d bytes (want %d), name %q, type %q", len(own.body), len(pkg), own.disposition, own.contentType)
	}
	zr, err := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, zf := range zr.File {
		names = append(names, zf.Name)
	}
	want := fmt.Sprint([]string{"record.json", "timeline.json", "notices/accepted-2.pdf", "notices/decided-4.pdf", "materials/id/" + f["id"].(string) + ".jpg", "manifest.json"})
	if fmt.Sprint(names) != want {
		t.Errorf("package entries %v, want %s", names, want)
	}

	// MinIO refuses to delete the package during its retention.
	var key, version string
	if err := b.db.Owner.QueryRow(context.Background(), `SELECT object_key, version_id FROM application_archives WHERE application_id = $1`, id).Scan(&key, &version); err != nil {
		t.Fatal(err)
	}
	if err := b.storage.Archive(c.tenant.ID).DeleteVersion(context.Background(), key, version); err == nil {
		t.Fatal("the archive package was deleted during its retention")
	}
	if _, err := b.storage.Archive(c.tenant.ID).Stat(context.Background(), key, version); err != nil {
		t.Fatalf("the package after the refused delete: %v", err)
	}
	// Another county cannot reach it.
	other = b.newCounty(t)
	status, body, _ = b.call(t, other.admin, "GET", "/api/v1/applications/"+id+"/archive/download", nil)
	wantProblem(t, "another county's admin downloads the archive", status, body, 404, "", "")
	b.content(t, other.admin, "/api/v1/applications/"+id+"/archive/content", http.StatusNotFound)
}

// 行政许可法 arts. 42 and 45: the applicant is told in writing of an extension (its reason)
// and of a special procedure (the time it needs): each step issues its notice as a PDF.
func TestExtensionAndSpecialProcedureNotices(t *testing.T) {
	t.Parallel()
	b := setupDocs(t)
	c := b.newCounty(t)
	head := b.newMember(t, c.tenant, c.dept, tenants.RoleAgencyHead)
	itemID := b.publishItem(t, c, "WRITTEN-"+strings.ToUpper(uuid.NewString()[:8]))
	app := b.windowIntake(t, c, itemID)
	id := app["id"].(string)
	act := func(m *member, action string, body map[string]any) {
		t.Helper()
		status, out, _ := b.call(t, m, "POST", "/api/v1/applications/"+id+"/actions/"+action, body, "If-Match", strconv.Itoa(int(app["version"].(float64))))
		if status != http.StatusOK {
			t.Fatalf("%s: %d %v", action, status, out)
		}
		app = out
	}
	pdfOf := func(kind string) []byte {
		var pdf []byte
		waitFor(t, "the "+kind+" notice", func() bool {
			status, link, _ := b.call(t, c.clerk, "GET", "/api/v1/applications/"+id+"/notices/"+kind+"/download", nil)
			if status != http.StatusOK {
				return false
			}
			pdf = fetchURL(t, link["url"].(string))
			return bytes.HasPrefix(pdf, []byte("%PDF-"))
		})
		return pdf
	}
	act(c.clerk, "accept", map[string]any{})
	act(c.clerk, "route", map[string]any{})
	// Department staff may not extend; the agency head may.
	status, body, _ := b.call(t, c.deptM, "POST", "/api/v1/applications/"+id+"/actions/extend", map[string]any{"days": 5, "reason": "需跨县核对"},
		"If-Match", strconv.Itoa(int(app["version"].(float64))))
	wantProblem(t, "department staff extends", status, body, 403, "role_not_allowed", "")
	if msg, _ := body["message"].(string); !strings.Contains(msg, "负责人") {
		t.Errorf("the refusal does not say who grants it: %q", msg)
	}
	act(head, "extend", map[string]any{"days": 5, "reason": "需跨县核对家庭经济状况"})
	if text := pdfText(t, pdfOf("extension")); !strings.Contains(text, "延期通知书") || !strings.Contains(squash(text), "需跨县核对家庭经济状况") {
		t.Errorf("extension notice:\n%s", text)
	}
	// A pause names a procedure from the list, with the time it needs.
	status, body, _ = b.call(t, c.deptM, "POST", "/api/v1/applications/"+id+"/actions/pause", map[string]any{"step": "开会研究", "days": 5, "reason": "x"},
		"If-Match", strconv.Itoa(int(app["version"].(float64))))
	wantProblem(t, "a pause of no listed kind", status, body, 422, "", "body.step")
	if procs := app["special_procedures"].([]any); len(procs) != 9 || procs[0] != "入户调查" {
		t.Errorf("special procedures offered: %v", procs)
	}
	act(c.deptM, "pause", map[string]any{"step": "专家评审", "days": 10, "reason": "疾病认定"})
	if text := squash(pdfText(t, pdfOf("special_procedure"))); !strings.Contains(text, "专家评审") || !strings.Contains(text, "所需时间为10个工作日") {
		t.Errorf("special procedure notice:\n%s", text)
	}
	if p := app["pauses"].([]any)[0].(map[string]any); p["limit_days"] != 10.0 || p["counted"] != false || p["step_due"] == "" {
		t.Errorf("pause: %v", p)
	}
}

// pdfText reads a PDF's text with poppler's pdftotext (installed by make test).
func pdfText(t testing.TB, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notice.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// squash drops white space, which pdftotext puts where lines wrap.
func squash(s string) string {
	return strings.Join(strings.Fields(s), "")
}
