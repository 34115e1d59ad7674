package document

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/storage"
)

// Content is one stored document opened for the app to serve from its own origin, so a
// clerk's PC needs to reach only the app, never the storage (issue 15 item 7). The caller
// streams Body with CopyVerified after the transaction that checked access has ended: a
// 50 MB archive never holds a database connection while it crosses a village link.
type Content struct {
	Body        io.ReadCloser
	Name        string // the Chinese name a save offers
	ContentType string
	Size        int64
	SHA256      string // what the record says the bytes hash to
}

// OpenFile opens an attached (verified) file of the application, after the checks FileLink
// makes.
func (s *Service) OpenFile(ctx context.Context, app, id uuid.UUID) (*Content, error) {
	f, docs, err := s.attached(ctx, app, id)
	if err != nil {
		return nil, err
	}
	return open(ctx, docs, f.ObjectKey, *f.VersionID, &Content{Name: f.Filename, ContentType: f.ContentType, Size: f.Size, SHA256: f.SHA256})
}

// OpenArchive opens the application's archive package, after the checks ArchiveLink makes.
func (s *Service) OpenArchive(ctx context.Context, app uuid.UUID) (*Content, error) {
	ar, arch, name, err := s.archived(ctx, app)
	if err != nil {
		return nil, err
	}
	return open(ctx, arch, ar.ObjectKey, ar.VersionID, &Content{Name: name, ContentType: "application/zip", Size: ar.Size, SHA256: ar.SHA256})
}

// open opens the pinned version and checks its size against the record before a byte is
// sent (a changed object is refused with a clear error rather than served).
func open(ctx context.Context, t *storage.Tenant, key, version string, c *Content) (*Content, error) {
	r, obj, err := t.Open(ctx, key, version)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, errObjectMissing
	}
	if err != nil {
		return nil, err
	}
	if obj.Size != c.Size {
		r.Close()
		return nil, fmt.Errorf("%s (version %s): %d bytes stored, %d recorded: not serving a file that changed", key, version, obj.Size, c.Size)
	}
	if c.Name == "" {
		c.Name = "文件"
	}
	if c.ContentType == "" {
		c.ContentType = "application/octet-stream"
	}
	c.Body = r
	return c, nil
}

// ErrChanged is returned by CopyVerified when the bytes do not hash to the record.
var ErrChanged = errors.New("document: stored bytes differ from their recorded SHA-256")

// holdBack is how much CopyVerified keeps unsent until the hash is known.
const holdBack = 32 << 10

// CopyVerified copies c.Body to w, hashing as it goes, and sends the last chunk only once the
// whole content hashed to c.SHA256. A changed object thus never reaches the client whole: it
// gets fewer bytes than Content-Length announced, which every browser reports as a failed
// download. Memory stays at two chunks whatever the size.
func CopyVerified(w io.Writer, c *Content) error {
	h := sha256.New()
	cur, next := make([]byte, holdBack), make([]byte, holdBack)
	n, err := io.ReadFull(c.Body, cur)
	for {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return err
		}
		m, rerr := io.ReadFull(c.Body, next)
		if m == 0 && (errors.Is(rerr, io.EOF) || errors.Is(rerr, io.ErrUnexpectedEOF)) {
			break // cur is the last chunk
		}
		h.Write(cur[:n])
		if _, werr := w.Write(cur[:n]); werr != nil {
			return werr
		}
		cur, next, n, err = next, cur, m, rerr
	}
	h.Write(cur[:n])
	if c.SHA256 != "" && hex.EncodeToString(h.Sum(nil)) != c.SHA256 {
		return ErrChanged
	}
	_, err = w.Write(cur[:n])
	return err
}
