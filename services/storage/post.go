package storage

import (
	"context"
	"time"

	"github.com/minio/minio-go/v7"
)

// PostForm is a presigned browser upload: a multipart/form-data POST to URL with Fields,
// then the file as the last field, named FileField.
type PostForm struct {
	URL       string
	Fields    map[string]string
	FileField string
}

// PresignPost returns a short-lived form upload of key whose policy MinIO enforces itself:
// exactly size bytes (content-length-range) of contentType, before the URL expires. Unlike a
// presigned PUT, which only signs the request, a larger or smaller file is refused by MinIO
// and nothing is stored.
func (t *Tenant) PresignPost(ctx context.Context, key string, ttl time.Duration, contentType string, size int64) (*PostForm, error) {
	name, err := t.object(key)
	if err != nil {
		return nil, err
	}
	p := minio.NewPostPolicy()
	if err := p.SetBucket(t.bucket); err != nil {
		return nil, err
	}
	if err := p.SetKey(name); err != nil {
		return nil, err
	}
	if err := p.SetExpires(time.Now().UTC().Add(ttl)); err != nil {
		return nil, err
	}
	if err := p.SetContentType(contentType); err != nil {
		return nil, err
	}
	if err := p.SetContentLengthRange(size, size); err != nil {
		return nil, err
	}
	u, fields, err := t.s.client.PresignedPostPolicy(ctx, p)
	if err != nil {
		return nil, err
	}
	return &PostForm{URL: u.String(), Fields: fields, FileField: "file"}, nil
}

// Versions lists the version ids stored at key (delete markers included), newest first.
func (t *Tenant) Versions(ctx context.Context, key string) ([]string, error) {
	name, err := t.object(key)
	if err != nil {
		return nil, err
	}
	var out []string
	for o := range t.s.client.ListObjects(ctx, t.bucket, minio.ListObjectsOptions{Prefix: name, WithVersions: true}) {
		if o.Err != nil {
			return nil, o.Err
		}
		if o.Key == name {
			out = append(out, o.VersionID)
		}
	}
	return out, nil
}

// Purge removes every version of key for good (a plain delete in a versioned bucket only
// hides the bytes behind a marker) and says how many it removed.
func (t *Tenant) Purge(ctx context.Context, key string) (int, error) {
	versions, err := t.Versions(ctx, key)
	if err != nil {
		return 0, err
	}
	for i, v := range versions {
		if err := t.DeleteVersion(ctx, key, v); err != nil {
			return i, err
		}
	}
	return len(versions), nil
}
