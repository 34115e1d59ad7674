// Package storage keeps documents in MinIO. Every object key lives under its tenant's
// prefix, and the only way to address an object is through a tenant-bound handle, so no
// path reads another county's files by accident.
package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Config locates the MinIO server and names the buckets.
type Config struct {
	Endpoint  string // host:port
	AccessKey string
	SecretKey string
	Secure    bool
	// Prefix starts every bucket name, so several deployments can share one server.
	Prefix string
}

// Store is the documents store.
type Store struct {
	client    *minio.Client
	documents string
	archive   string
}

// New connects to MinIO. It does not touch the network; EnsureBuckets does.
func New(cfg Config) (*Store, error) {
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.Secure,
	})
	if err != nil {
		return nil, err
	}
	p := cfg.Prefix
	if p == "" {
		p = "yichuang"
	}
	return &Store{client: c, documents: p + "-documents", archive: p + "-archive"}, nil
}

// EnsureBuckets creates the buckets when missing: documents with versioning (a regenerated
// notice keeps its earlier versions), the archive with object lock (WORM), which MinIO can
// only switch on when a bucket is created.
func (s *Store) EnsureBuckets(ctx context.Context) error {
	for _, b := range []struct {
		name string
		lock bool
	}{{s.documents, false}, {s.archive, true}} {
		ok, err := s.client.BucketExists(ctx, b.name)
		if err != nil {
			return fmt.Errorf("bucket %s: %w", b.name, err)
		}
		if !ok {
			if err := s.client.MakeBucket(ctx, b.name, minio.MakeBucketOptions{ObjectLocking: b.lock}); err != nil {
				var resp minio.ErrorResponse
				if !errors.As(err, &resp) || resp.Code != "BucketAlreadyOwnedByYou" {
					return fmt.Errorf("create bucket %s: %w", b.name, err)
				}
			}
		}
		if !b.lock {
			if err := s.client.EnableVersioning(ctx, b.name); err != nil {
				return fmt.Errorf("versioning on %s: %w", b.name, err)
			}
		}
	}
	return nil
}

// Ready reports whether MinIO answers and the documents bucket exists.
func (s *Store) Ready(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.documents)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("bucket %s missing", s.documents)
	}
	return nil
}

// Tenant is the documents store as one tenant sees it.
type Tenant struct {
	s      *Store
	bucket string
	prefix string
}

// Documents returns the tenant's view of the documents bucket.
func (s *Store) Documents(tenantID uuid.UUID) *Tenant {
	return &Tenant{s: s, bucket: s.documents, prefix: "tenants/" + tenantID.String() + "/"}
}

// ErrBadKey is returned for keys that are empty or try to leave the tenant's prefix.
var ErrBadKey = errors.New("storage: invalid object key")

func (t *Tenant) object(key string) (string, error) {
	clean := path.Clean("/" + key)[1:]
	if key == "" || clean != key || strings.Contains(key, "..") {
		return "", ErrBadKey
	}
	return t.prefix + clean, nil
}

// Object describes a stored object.
type Object struct {
	Key         string
	Size        int64
	ContentType string
	ETag        string
	VersionID   string
}

// Put stores r (size bytes, or -1 when unknown) at key.
func (t *Tenant) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (*Object, error) {
	name, err := t.object(key)
	if err != nil {
		return nil, err
	}
	info, err := t.s.client.PutObject(ctx, t.bucket, name, r, size, minio.PutObjectOptions{ContentType: contentType})
	if err != nil {
		return nil, err
	}
	return &Object{Key: key, Size: info.Size, ContentType: contentType, ETag: info.ETag, VersionID: info.VersionID}, nil
}

// Get opens the newest version of key.
func (t *Tenant) Get(ctx context.Context, key string) (io.ReadCloser, *Object, error) {
	name, err := t.object(key)
	if err != nil {
		return nil, nil, err
	}
	o, err := t.s.client.GetObject(ctx, t.bucket, name, minio.GetObjectOptions{})
	if err != nil {
		return nil, nil, err
	}
	st, err := o.Stat()
	if err != nil {
		o.Close()
		return nil, nil, notFound(err)
	}
	return o, &Object{Key: key, Size: st.Size, ContentType: st.ContentType, ETag: st.ETag, VersionID: st.VersionID}, nil
}

// ErrNotFound is returned for a key the tenant has no object at.
var ErrNotFound = errors.New("storage: object not found")

func notFound(err error) error {
	if minio.ToErrorResponse(err).Code == "NoSuchKey" {
		return ErrNotFound
	}
	return err
}

// PresignGet returns a short-lived download URL. Callers check the actor may read the
// document first; the URL itself is the authorisation afterwards.
func (t *Tenant) PresignGet(ctx context.Context, key string, ttl time.Duration, filename string) (*url.URL, error) {
	name, err := t.object(key)
	if err != nil {
		return nil, err
	}
	params := url.Values{}
	if filename != "" {
		params.Set("response-content-disposition", "attachment; filename*=UTF-8''"+url.PathEscape(filename))
	}
	return t.s.client.PresignedGetObject(ctx, t.bucket, name, ttl, params)
}

// Delete removes key (a delete marker, since the bucket is versioned).
func (t *Tenant) Delete(ctx context.Context, key string) error {
	name, err := t.object(key)
	if err != nil {
		return err
	}
	return t.s.client.RemoveObject(ctx, t.bucket, name, minio.RemoveObjectOptions{})
}
