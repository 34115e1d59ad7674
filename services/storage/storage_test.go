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
