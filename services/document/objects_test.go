package document_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/yichuang/yichuang/services/document"
)

// TestCheckObjectsAfterARestore is the object half of a point-in-time restore: the row pins
// the version it was written with; after the point the key is overwritten and then deleted.
// The check finds the pinned version, counts it as covered, and --restore brings it back
// once; a pinned version that is gone for good is reported missing.
func TestCheckObjectsAfterARestore(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := b.intake(t, "id", "hukou")
	scan := jpeg(20 << 10)
	f, err := b.upload(t, b.clerk, d.ID, "id", "image/jpeg", scan)
	if err != nil {
		t.Fatal(err)
	}
	f = b.verify(t, f)
	docs := b.storage.Documents(b.tenant.ID)
	check := func(promote bool) *document.ObjectReport {
		t.Helper()
		var rep *document.ObjectReport
		b.system(t, func(ctx context.Context) (err error) { rep, err = b.svc.CheckObjects(ctx, promote); return err })
		return rep
	}
	newest := func() []byte {
		t.Helper()
		r, _, err := docs.Get(context.Background(), f.ObjectKey)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		got, _ := io.ReadAll(r)
		return got
	}

	if rep := check(false); rep.Referenced != 1 || rep.Present != 1 || rep.Covered != 0 || len(rep.Missing) != 0 {
		t.Fatalf("untouched: %+v", rep)
	}
	other := jpeg(10 << 10)
	if _, err := docs.Put(context.Background(), f.ObjectKey, bytes.NewReader(other), int64(len(other)), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	if rep := check(false); rep.Present != 1 || rep.Covered != 1 || rep.Promoted != 0 {
		t.Fatalf("overwritten, checked: %+v", rep)
	}
	if !bytes.Equal(newest(), other) {
		t.Fatal("a check without --restore changed the newest version")
	}
	if rep := check(true); rep.Covered != 1 || rep.Promoted != 1 {
		t.Fatalf("overwritten, restored: %+v", rep)
	}
	if !bytes.Equal(newest(), scan) {
		t.Fatal("after the restore the newest version is not the pinned bytes")
	}
	if rep := check(true); rep.Covered != 0 || rep.Promoted != 0 {
		t.Fatalf("a second restore found work: %+v", rep)
	}
	if err := docs.Delete(context.Background(), f.ObjectKey); err != nil {
		t.Fatal(err)
	}
	if rep := check(true); rep.Covered != 1 || rep.Promoted != 1 || !bytes.Equal(newest(), scan) {
		t.Fatalf("deleted, restored: %+v", rep)
	}
	if err := docs.DeleteVersion(context.Background(), f.ObjectKey, *f.VersionID); err != nil {
		t.Fatal(err)
	}
	if rep := check(false); rep.Present != 0 || len(rep.Missing) != 1 || rep.Missing[0] != f.ObjectKey+"@"+*f.VersionID {
		t.Fatalf("pinned version removed: %+v", rep)
	}
}
