package storage

import (
	"context"
	"strings"

	"github.com/minio/minio-go/v7"
)

// Newest returns the object under prefix whose key sorts last, and its newest version that
// is not a delete marker. It descends folder by folder ("/"-delimited), so a prefix holding
// years of date-named objects costs a few short listings, not one long one. Versions are
// listed too: on a locked bucket a delete marker hides an object without removing it, and
// what was written under lock must still count. ErrNotFound when there is none.
func (t *Tenant) Newest(ctx context.Context, prefix string) (*Object, error) {
	dir := t.prefix + prefix
	for {
		var best minio.ObjectInfo
		for o := range t.s.client.ListObjects(ctx, t.bucket, minio.ListObjectsOptions{Prefix: dir, WithVersions: true}) {
			if o.Err != nil {
				return nil, o.Err
			}
			if o.IsDeleteMarker {
				continue
			}
			// Keys sort; among versions of the best key the newest (IsLatest, or the latest
			// LastModified when a delete marker is latest) wins.
			switch {
			case o.Key > best.Key:
				best = o
			case o.Key == best.Key && !strings.HasSuffix(o.Key, "/") && (o.IsLatest || o.LastModified.After(best.LastModified)):
				best = o
			}
		}
		switch {
		case best.Key == "":
			return nil, ErrNotFound
		case strings.HasSuffix(best.Key, "/"):
			dir = best.Key
		default:
			return &Object{Key: strings.TrimPrefix(best.Key, t.prefix), Size: best.Size, ETag: best.ETag, VersionID: best.VersionID}, nil
		}
	}
}
