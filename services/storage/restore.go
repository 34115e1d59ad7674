package storage

import (
	"context"
	"errors"
	"fmt"

	"github.com/minio/minio-go/v7"
)

// After a point-in-time restore of the database (infra/scripts/backup.sh), the rows point
// at object versions as they were at that point, while MinIO has gone on: a key may since
// have been overwritten (a regenerated notice) or deleted (a delete marker). Nothing is lost
// in a versioned bucket — every row pins its version id — so the restore of the objects is
// by that id: check that it exists, and make it the newest again (Promote), so that whatever
// reads the newest version sees what the restored row describes. A timestamp (the newest
// version before the restore point, from the version listing) would also find it, but the
// pinned id is exact where a timestamp can tie or drift between the two servers' clocks.

// DocumentsVersioned reports whether the documents bucket keeps versions (EnsureBuckets turns
// it on at every start): without it an overwrite or a delete after a backup loses the bytes
// the restored rows point at.
func (s *Store) DocumentsVersioned(ctx context.Context) (bool, error) {
	c, err := s.client.GetBucketVersioning(ctx, s.documents)
	if err != nil {
		return false, err
	}
	return c.Enabled(), nil
}

// Promote makes version of key the newest again, by a server-side copy of it onto the key
// (a new version with the same bytes, content type and metadata; the later versions stay).
// It does nothing when the newest version is it, or a copy of it (Same): a second restore
// adds nothing. Only for an unlocked bucket (the documents): the archive's versions are
// read by id and never need it.
func (t *Tenant) Promote(ctx context.Context, key, version string) (*Object, error) {
	if version == "" {
		return nil, errors.New("storage: Promote needs a version id")
	}
	name, err := t.object(key)
	if err != nil {
		return nil, err
	}
	pinned, err := t.Stat(ctx, key, version)
	if err != nil {
		return nil, fmt.Errorf("%s@%s: %w", key, version, err)
	}
	newest, err := t.Stat(ctx, key, "")
	switch {
	case err == nil && Same(newest, pinned):
		return newest, nil
	case err != nil && !errors.Is(err, ErrNotFound): // ErrNotFound: a delete marker is newest
		return nil, err
	}
	info, err := t.s.client.CopyObject(ctx, minio.CopyDestOptions{Bucket: t.bucket, Object: name},
		minio.CopySrcOptions{Bucket: t.bucket, Object: name, VersionID: version})
	if err != nil {
		return nil, err
	}
	return t.Stat(ctx, key, info.VersionID)
}

// Same reports whether two versions of a key hold the same bytes as far as MinIO tells
// without reading them: the same version, or the same ETag (a single-part object's MD5,
// which a server-side copy keeps) and size.
func Same(a, b *Object) bool {
	return a.VersionID == b.VersionID || (a.ETag != "" && a.ETag == b.ETag && a.Size == b.Size)
}
