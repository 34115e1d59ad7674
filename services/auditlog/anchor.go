package auditlog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/storage"
	"github.com/yichuang/yichuang/tenants"
)

// Anchoring keeps the chain from being shortened unnoticed. The hash chain proves that no
// row was changed or removed from the middle, but whoever owns the database can delete the
// newest rows and rewrite audit_heads, and the shorter chain still verifies. So each county's
// head is written, periodically, outside the database: to the archive bucket, under a
// COMPLIANCE object lock that nobody (MinIO's root included) can lift before it ends.
// Verification compares the database with the newest anchor: the row at the anchor's seq
// must exist and carry the anchored hash. Since every row's hash covers its predecessor, the
// newest anchor vouches for every row up to it; rows written after it (the window since the
// last anchor, reported with every check) are protected by the chain alone.

// AnchorPrefix is where a county's anchors live in the archive bucket, named by time so the
// newest sorts last: audit-anchors/2026/1205/20261205T101500.000000000Z-000000000012.json.
const AnchorPrefix = "audit-anchors/"

// AnchorRetention is how long an anchor is locked: as long as the archive keeps a closed
// file (定期30年, 国家档案局令第8号), so an anchor outlives the records it vouches for.
const AnchorRetention = 30 * 365 * 24 * time.Hour

// AnchorEvery is how often the sweep anchors each county (jobs' hourly sweep): the window in
// which deleted rows would go unnoticed is at most this long.
const AnchorEvery = time.Hour

// Vault is the locked store anchors are written to and read from (a county's view of the
// archive bucket, storage.Store.Archive).
type Vault interface {
	PutLocked(ctx context.Context, key string, r io.Reader, size int64, contentType string, metadata map[string]string, mode storage.RetentionMode, until time.Time) (*storage.Object, error)
	Newest(ctx context.Context, prefix string) (*storage.Object, error)
	Open(ctx context.Context, key, version string) (storage.Reader, *storage.Object, error)
}

// Anchor is one county's head as written to the vault.
type Anchor struct {
	TenantID uuid.UUID `json:"tenant_id"`
	Seq      int64     `json:"seq"`
	// Hash is the hex SHA-256 of the row at Seq (the zero hash for an empty chain).
	Hash string `json:"hash"`
	// EventAt is the time of the row at Seq.
	EventAt *time.Time `json:"event_at,omitempty"`
	// AnchoredAt is when the anchor was written.
	AnchoredAt time.Time `json:"anchored_at"`
	// Key is where the anchor is stored (not part of the stored JSON).
	Key string `json:"-"`
}

// AnchorArgs is the River job that anchors one county's head (enqueued by the hourly sweep).
type AnchorArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
}

// Kind names the job in River.
func (AnchorArgs) Kind() string { return "audit_anchor" }

// Tenant is the tenant the job works in.
func (a AnchorArgs) Tenant() uuid.UUID { return a.TenantID }

// head reads the tenant's head and the time of its newest row.
func head(ctx context.Context) (seq int64, hash []byte, at *time.Time, err error) {
	// Rows appended earlier in this transaction count (they are written at commit otherwise).
	if err := tenants.FlushAudit(ctx); err != nil {
		return 0, nil, nil, err
	}
	var h struct {
		LastSeq  int64  `bun:"last_seq"`
		LastHash []byte `bun:"last_hash"`
	}
	err = tenants.DB(ctx).NewRaw(`SELECT last_seq, last_hash FROM audit_heads WHERE tenant_id = ?`, tenants.CurrentID(ctx)).Scan(ctx, &h)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, make([]byte, sha256.Size), nil, nil
	}
	if err != nil {
		return 0, nil, nil, err
	}
	var t time.Time
	if err := tenants.DB(ctx).NewRaw(`SELECT at FROM audit_events WHERE tenant_id = ? AND seq = ?`, tenants.CurrentID(ctx), h.LastSeq).Scan(ctx, &t); err == nil {
		at = &t
	}
	return h.LastSeq, h.LastHash, at, nil
}

// WriteAnchor writes the head of the tenant in ctx to the vault under a COMPLIANCE lock.
// It writes no audit row itself: that would move the head it records.
func WriteAnchor(ctx context.Context, vault Vault, now time.Time) (*Anchor, error) {
	tx, ok := tenants.TxFrom(ctx)
	if !ok {
		return nil, errors.New("auditlog: WriteAnchor outside a tenant transaction")
	}
	seq, hash, at, err := head(ctx)
	if err != nil {
		return nil, err
	}
	now = now.UTC()
	a := &Anchor{TenantID: tx.TenantID(), Seq: seq, Hash: hex.EncodeToString(hash), EventAt: at, AnchoredAt: now}
	a.Key = fmt.Sprintf("%s%s/%s-%012d.json", AnchorPrefix, now.Format("2006/0102"), now.Format("20060102T150405.000000000Z"), seq)
	body, _ := json.Marshal(a)
	_, err = vault.PutLocked(ctx, a.Key, bytes.NewReader(body), int64(len(body)), "application/json",
		map[string]string{"Seq": fmt.Sprint(seq), "Hash": a.Hash}, storage.Compliance, now.Add(AnchorRetention))
	if err != nil {
		return nil, fmt.Errorf("auditlog: write anchor: %w", err)
	}
	return a, nil
}

// ErrNoAnchor: the county has not been anchored yet.
var ErrNoAnchor = errors.New("auditlog: no anchor yet")

// NewestAnchor reads the county's newest anchor.
func NewestAnchor(ctx context.Context, vault Vault) (*Anchor, error) {
	obj, err := vault.Newest(ctx, AnchorPrefix)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, ErrNoAnchor
	}
	if err != nil {
		return nil, err
	}
	r, _, err := vault.Open(ctx, obj.Key, obj.VersionID)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	a := &Anchor{}
	if err := json.NewDecoder(io.LimitReader(r, 64<<10)).Decode(a); err != nil {
		return nil, fmt.Errorf("auditlog: anchor %s: %w", obj.Key, err)
	}
	a.Key = obj.Key
	return a, nil
}

// AnchorCheck is how the database compares with the newest anchor.
type AnchorCheck struct {
	// Anchor is the newest anchor; nil when there is none yet or it could not be read.
	Anchor *Anchor
	// OK: the row at the anchor's seq exists and carries the anchored hash.
	OK bool
	// Since is how many rows the database has after the anchor: the window the anchor does
	// not cover yet.
	Since int64
	// Problem says what is wrong, in Chinese and English; empty when OK.
	Problem, ProblemEn string
	// FirstBadSeq is the first row the anchor proves missing or changed.
	FirstBadSeq int64
}

// CompareAnchor checks the tenant's rows in ctx against anchor a.
func CompareAnchor(ctx context.Context, a *Anchor) (*AnchorCheck, error) {
	c := &AnchorCheck{Anchor: a}
	if err := tenants.FlushAudit(ctx); err != nil {
		return nil, err
	}
	var last int64
	if err := tenants.DB(ctx).NewRaw(`SELECT coalesce(max(seq), 0) FROM audit_events WHERE tenant_id = ?`, tenants.CurrentID(ctx)).Scan(ctx, &last); err != nil {
		return nil, err
	}
	name := a.Key
	when := a.AnchoredAt.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04")
	if a.Seq == 0 {
		c.OK, c.Since = true, last
		return c, nil
	}
	if last < a.Seq {
		c.FirstBadSeq = last + 1
		c.Problem = fmt.Sprintf("审计链被截短：锚点 %s（%s）记录了第 %d 条，数据库只剩 %d 条，第 %d 至 %d 条被删除", name, when, a.Seq, last, last+1, a.Seq)
		c.ProblemEn = fmt.Sprintf("the chain was shortened: anchor %s (%s) records row %d, the database has %d rows; rows %d to %d were deleted", name, when, a.Seq, last, last+1, a.Seq)
		return c, nil
	}
	var hash []byte
	if err := tenants.DB(ctx).NewRaw(`SELECT hash FROM audit_events WHERE tenant_id = ? AND seq = ?`, tenants.CurrentID(ctx), a.Seq).Scan(ctx, &hash); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if hex.EncodeToString(hash) != a.Hash {
		c.FirstBadSeq = a.Seq
		c.Problem = fmt.Sprintf("审计链被改写：第 %d 条与锚点 %s（%s）记录的哈希不一致", a.Seq, name, when)
		c.ProblemEn = fmt.Sprintf("the chain was rewritten: row %d does not carry the hash anchor %s (%s) recorded", a.Seq, name, when)
		return c, nil
	}
	c.OK, c.Since = true, last-a.Seq
	return c, nil
}
