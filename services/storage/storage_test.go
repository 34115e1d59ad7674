package storage_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/storage"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

func setup(t *testing.T) *storage.Store {
	t.Helper()
	endpoint := tenanttest.Require(t, "YC_MINIO_ENDPOINT")
	s, err := storage.New(storage.Config{
		Endpoint: endpoint, AccessKey: tenanttest.Require(t, "YC_MINIO_ACCESS_KEY"), SecretKey: tenanttest.Require(t, "YC_MINIO_SECRET_KEY"),
		Prefix: "t" + uuid.NewString()[:8],
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureBuckets(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTenantObjectsAreSeparate(t *testing.T) {
	t.Parallel()
	s := setup(t)
	ctx := context.Background()
	a, b := s.Documents(uuid.New()), s.Documents(uuid.New())
	body := []byte("受理通知书 PDF 内容")
	obj, err := a.Put(ctx, "applications/1/notice.pdf", bytes.NewReader(body), int64(len(body)), "application/pdf")
	if err != nil {
		t.Fatal(err)
	}
	if obj.VersionID == "" {
		t.Error("documents bucket is not versioned: no version id")
	}
	r, info, err := a.Get(ctx, "applications/1/notice.pdf")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	if !bytes.Equal(got, body) || info.ContentType != "application/pdf" {
		t.Fatalf("read back %q (%s)", got, info.ContentType)
	}
	if _, _, err := b.Get(ctx, "applications/1/notice.pdf"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("tenant B reads A's object: err = %v, want ErrNotFound", err)
	}
	for _, bad := range []string{"", "../x", "a/../../b", "/abs"} {
		if _, err := a.Put(ctx, bad, bytes.NewReader(nil), 0, "text/plain"); !errors.Is(err, storage.ErrBadKey) {
			t.Errorf("key %q: err = %v, want ErrBadKey", bad, err)
		}
	}

	u, err := a.PresignGet(ctx, "applications/1/notice.pdf", time.Minute, "受理通知书.pdf")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	dl, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(dl, body) {
		t.Fatalf("presigned download: %d %q", resp.StatusCode, dl)
	}
	if err := s.Ready(ctx); err != nil {
		t.Fatalf("Ready: %v", err)
	}
}

func TestReadyReportsDownServer(t *testing.T) {
	t.Parallel()
	tenanttest.Require(t, "YC_MINIO_ENDPOINT")
	// A port nothing listens on: the store must say so rather than hang or pretend.
	s, err := storage.New(storage.Config{Endpoint: "127.0.0.1:1", AccessKey: "x", SecretKey: "y"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Ready(ctx); err == nil {
		t.Fatal("Ready succeeded against a server that is down")
	}
}

func TestPresignedPutAndVersions(t *testing.T) {
	t.Parallel()
	s := setup(t)
	ctx := context.Background()
	docs := s.Documents(uuid.New())
	u, err := docs.PresignPut(ctx, "applications/2/scan.png", time.Minute, "image/png")
	if err != nil {
		t.Fatal(err)
	}
	first := []byte("\x89PNG\r\n\x1a\nfirst")
	// The Content-Type is signed: another one is refused.
	req, _ := http.NewRequest(http.MethodPut, u.String(), bytes.NewReader(first))
	req.Header.Set("Content-Type", "text/html")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("presigned PUT with another Content-Type: %d, want 403", resp.StatusCode)
	}
	req, _ = http.NewRequest(http.MethodPut, u.String(), bytes.NewReader(first))
	req.Header.Set("Content-Type", "image/png")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("presigned PUT: %d", resp.StatusCode)
	}
	v1, err := docs.Stat(ctx, "applications/2/scan.png", "")
	if err != nil || v1.Size != int64(len(first)) {
		t.Fatalf("stat after PUT: %+v %v", v1, err)
	}
	// An overwrite is a new version; the first stays readable by its id.
	if _, err := docs.Put(ctx, "applications/2/scan.png", bytes.NewReader([]byte("second")), 6, "image/png"); err != nil {
		t.Fatal(err)
	}
	r, obj, err := docs.Open(ctx, "applications/2/scan.png", v1.VersionID)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	if !bytes.Equal(got, first) || obj.VersionID != v1.VersionID {
		t.Fatalf("version %s reads %q", v1.VersionID, got)
	}
	if _, err := docs.Stat(ctx, "applications/2/none.png", ""); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("stat of a missing key: %v", err)
	}
}

func TestArchiveObjectsAreLocked(t *testing.T) {
	t.Parallel()
	s := setup(t)
	ctx := context.Background()
	arch := s.Archive(uuid.New())
	until := time.Now().Add(24 * time.Hour).Truncate(time.Second)
	body := []byte("PK archive")
	obj, err := arch.PutLocked(ctx, "applications/3.zip", bytes.NewReader(body), int64(len(body)), "application/zip",
		map[string]string{"sha256": "abc"}, storage.Compliance, until)
	if err != nil {
		t.Fatal(err)
	}
	mode, got, err := arch.Retention(ctx, "applications/3.zip", obj.VersionID)
	if err != nil || mode != storage.Compliance || !got.Equal(until) {
		t.Fatalf("retention = %s %v %v, want COMPLIANCE until %v", mode, got, err, until)
	}
	// Deleting the locked version is refused by MinIO itself.
	if err := arch.DeleteVersion(ctx, "applications/3.zip", obj.VersionID); err == nil {
		t.Fatal("deleting a version under COMPLIANCE retention succeeded")
	}
	st, err := arch.Stat(ctx, "applications/3.zip", obj.VersionID)
	if err != nil || st.Metadata["Sha256"] != "abc" {
		t.Fatalf("after the refused delete: %+v %v", st, err)
	}
}
