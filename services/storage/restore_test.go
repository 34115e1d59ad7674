package storage_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/storage"
)

// TestPromoteBringsAPinnedVersionBack is the object half of a point-in-time restore: a row
// restored to the point pins v1, while the key was overwritten and then deleted after it.
func TestPromoteBringsAPinnedVersionBack(t *testing.T) {
	t.Parallel()
	s := setup(t)
	ctx := context.Background()
	if ok, err := s.DocumentsVersioned(ctx); err != nil || !ok {
		t.Fatalf("documents bucket versioned: %v %v", ok, err)
	}
	d := s.Documents(uuid.New())
	key := "applications/1/notices/accepted-1.pdf"
	put := func(body string) *storage.Object {
		t.Helper()
		o, err := d.Put(ctx, key, bytes.NewReader([]byte(body)), int64(len(body)), "application/pdf")
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	newest := func() string {
		t.Helper()
		r, _, err := d.Get(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		b, _ := io.ReadAll(r)
		return string(b)
	}
	v1 := put("第一版")
	put("第二版")
	if _, err := d.Promote(ctx, key, v1.VersionID); err != nil {
		t.Fatal(err)
	}
	if got := newest(); got != "第一版" {
		t.Fatalf("after promoting the overwritten version the newest is %q", got)
	}
	// Already the newest (by content, as a copy): promoting the copy writes nothing more.
	cur, _ := d.Stat(ctx, key, "")
	again, err := d.Promote(ctx, key, cur.VersionID)
	if err != nil || again.VersionID != cur.VersionID {
		t.Fatalf("promoting the newest version made %v (%v), want %s", again, err, cur.VersionID)
	}
	if err := d.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.Get(ctx, key); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("after a delete marker: %v", err)
	}
	if _, err := d.Promote(ctx, key, v1.VersionID); err != nil {
		t.Fatal(err)
	}
	if got := newest(); got != "第一版" {
		t.Fatalf("after promoting past a delete marker the newest is %q", got)
	}
	// A version that does not exist is an error, not a silent success.
	if err := d.DeleteVersion(ctx, key, v1.VersionID); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Promote(ctx, key, v1.VersionID); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("promoting a removed version: %v", err)
	}
}
