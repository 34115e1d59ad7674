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
	// Its copy is the newest now: promoting it again (a second restore) writes nothing.
	cur, _ := d.Stat(ctx, key, "")
	for _, v := range []string{cur.VersionID, v1.VersionID} {
		again, err := d.Promote(ctx, key, v)
		if err != nil || again.VersionID != cur.VersionID {
			t.Fatalf("promoting %s again made %+v (%v), want the newest %s unchanged", v, again, err, cur.VersionID)
		}
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
