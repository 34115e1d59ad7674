// Package storage keeps documents in MinIO. Every object key lives under its tenant's
// prefix, and the only way to address an object is through a tenant-bound handle, so no
// path reads another county's files by accident.
package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
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
	base, err := minio.DefaultTransport(cfg.Secure)
	if err != nil {
		return nil, err
	}
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:      credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:     cfg.Secure,
		Transport:  outageTransport{base},
		MaxRetries: maxRetries,
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

// Archive returns the tenant's view of the archive bucket, where objects are stored with an
// object-lock retention (PutLocked) and cannot be deleted or overwritten until it ends.
func (s *Store) Archive(tenantID uuid.UUID) *Tenant {
	return &Tenant{s: s, bucket: s.archive, prefix: "tenants/" + tenantID.String() + "/"}
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
	// Metadata is the user metadata stored with the object (keys in canonical header form,
	// e.g. "Sha256").
	Metadata map[string]string
}

func describe(key string, st minio.ObjectInfo) *Object {
	return &Object{Key: key, Size: st.Size, ContentType: st.ContentType, ETag: st.ETag, VersionID: st.VersionID, Metadata: st.UserMetadata}
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
	return o, describe(key, st), nil
}

// Reader is an opened object version: read it through, or at offsets (a ZIP's central
// directory sits at its end).
type Reader interface {
	io.Reader
	io.ReaderAt
	io.Seeker
	io.Closer
}

// Open opens one version of key; version "" is the newest.
func (t *Tenant) Open(ctx context.Context, key, version string) (Reader, *Object, error) {
	name, err := t.object(key)
	if err != nil {
		return nil, nil, err
	}
	o, err := t.s.client.GetObject(ctx, t.bucket, name, minio.GetObjectOptions{VersionID: version})
	if err != nil {
		return nil, nil, err
	}
	st, err := o.Stat()
	if err != nil {
		o.Close()
		return nil, nil, notFound(err)
	}
	return o, describe(key, st), nil
}

// Stat describes one version of key ("" is the newest) without reading it.
func (t *Tenant) Stat(ctx context.Context, key, version string) (*Object, error) {
	name, err := t.object(key)
	if err != nil {
		return nil, err
	}
	st, err := t.s.client.StatObject(ctx, t.bucket, name, minio.StatObjectOptions{VersionID: version})
	if err != nil {
		return nil, notFound(err)
	}
	return describe(key, st), nil
}

// ErrNotFound is returned for a key the tenant has no object at.
var ErrNotFound = errors.New("storage: object not found")

func notFound(err error) error {
	switch minio.ToErrorResponse(err).Code {
	case "NoSuchKey", "NoSuchVersion":
		return ErrNotFound
	}
	return err
}

// PresignGet returns a short-lived download URL. Callers check the actor may read the
// document first; the URL itself is the authorisation afterwards.
func (t *Tenant) PresignGet(ctx context.Context, key string, ttl time.Duration, filename string) (*url.URL, error) {
	return t.PresignGetVersion(ctx, key, "", ttl, filename, "")
}

// PresignGetVersion is PresignGet for one version ("" is the newest): a download pinned to
// the version that was checked cannot be swapped by a later overwrite of the key. A
// contentType overrides the stored one in the response, which for a browser upload is
// whatever the browser claimed.
func (t *Tenant) PresignGetVersion(ctx context.Context, key, version string, ttl time.Duration, filename, contentType string) (*url.URL, error) {
	return t.presignGet(ctx, key, version, ttl, "attachment", filename, contentType)
}

// PresignViewVersion is PresignGetVersion for showing in the browser (a PDF notice opens in
// its viewer, to read or print) rather than saving.
func (t *Tenant) PresignViewVersion(ctx context.Context, key, version string, ttl time.Duration, filename, contentType string) (*url.URL, error) {
	return t.presignGet(ctx, key, version, ttl, "inline", filename, contentType)
}

func (t *Tenant) presignGet(ctx context.Context, key, version string, ttl time.Duration, disposition, filename, contentType string) (*url.URL, error) {
	name, err := t.object(key)
	if err != nil {
		return nil, err
	}
	params := url.Values{}
	if filename != "" {
		params.Set("response-content-disposition", disposition+"; filename*=UTF-8''"+url.PathEscape(filename))
	}
	if contentType != "" {
		params.Set("response-content-type", contentType)
	}
	if version != "" {
		params.Set("versionId", version)
	}
	return t.s.client.PresignedGetObject(ctx, t.bucket, name, ttl, params)
}

// PresignPut returns a short-lived URL the browser uploads key to directly, with the
// Content-Type header signed: the upload must send exactly contentType. MinIO checks only
// the signature: what arrives (size, content) is for the caller to check afterwards.
func (t *Tenant) PresignPut(ctx context.Context, key string, ttl time.Duration, contentType string) (*url.URL, error) {
	name, err := t.object(key)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	return t.s.client.PresignHeader(ctx, http.MethodPut, t.bucket, name, ttl, nil, h)
}

// RetentionMode is an object lock's mode.
type RetentionMode string

const (
	// Compliance: no one, the root account included, can delete or overwrite the version, or
	// shorten its retention, before it ends.
	Compliance RetentionMode = "COMPLIANCE"
	// Governance: a user with the bypass permission can still delete it.
	Governance RetentionMode = "GOVERNANCE"
)

// PutLocked stores r (size bytes) at key with an object-lock retention until the given time,
// and metadata as user metadata. Only the archive bucket has object lock enabled.
func (t *Tenant) PutLocked(ctx context.Context, key string, r io.Reader, size int64, contentType string, metadata map[string]string, mode RetentionMode, until time.Time) (*Object, error) {
	name, err := t.object(key)
	if err != nil {
		return nil, err
	}
	info, err := t.s.client.PutObject(ctx, t.bucket, name, r, size, minio.PutObjectOptions{ContentType: contentType, UserMetadata: metadata,
		Mode: minio.RetentionMode(mode), RetainUntilDate: until.UTC(), SendContentMd5: true})
	if err != nil {
		return nil, err
	}
	return &Object{Key: key, Size: info.Size, ContentType: contentType, ETag: info.ETag, VersionID: info.VersionID, Metadata: metadata}, nil
}

// Retention reads the object lock of one version of key.
func (t *Tenant) Retention(ctx context.Context, key, version string) (RetentionMode, time.Time, error) {
	name, err := t.object(key)
	if err != nil {
		return "", time.Time{}, err
	}
	mode, until, err := t.s.client.GetObjectRetention(ctx, t.bucket, name, version)
	if err != nil {
		return "", time.Time{}, notFound(err)
	}
	var m RetentionMode
	if mode != nil {
		m = RetentionMode(*mode)
	}
	var u time.Time
	if until != nil {
		u = *until
	}
	return m, u, nil
}

// DeleteVersion removes one version of key for good. MinIO refuses it while the version is
// under an object-lock retention.
func (t *Tenant) DeleteVersion(ctx context.Context, key, version string) error {
	name, err := t.object(key)
	if err != nil {
		return err
	}
	if version == "" {
		return errors.New("storage: DeleteVersion needs a version id")
	}
	return t.s.client.RemoveObject(ctx, t.bucket, name, minio.RemoveObjectOptions{VersionID: version})
}

// Delete removes key (a delete marker, since the bucket is versioned).
func (t *Tenant) Delete(ctx context.Context, key string) error {
	name, err := t.object(key)
	if err != nil {
		return err
	}
	return t.s.client.RemoveObject(ctx, t.bucket, name, minio.RemoveObjectOptions{})
}
