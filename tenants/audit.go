package tenants

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"
)

// AuditEvent is one append-only row of a tenant's audit chain.
type AuditEvent struct {
	bun.BaseModel `bun:"table:audit_events"`

	TenantID   uuid.UUID       `bun:"tenant_id,pk,type:uuid" json:"-"`
	Seq        int64           `bun:"seq,pk" json:"seq"`
	At         time.Time       `bun:"at" json:"at"`
	ActorID    *uuid.UUID      `bun:"actor_id,type:uuid" json:"actor_id"`
	ActorName  string          `bun:"actor_name" json:"actor_name"`
	Action     string          `bun:"action" json:"action"`
	TargetType string          `bun:"target_type" json:"target_type"`
	TargetID   string          `bun:"target_id" json:"target_id"`
	RequestID  string          `bun:"request_id" json:"request_id"`
	Summary    json.RawMessage `bun:"summary,type:jsonb" json:"summary"`
	PrevHash   []byte          `bun:"prev_hash" json:"-"`
	Hash       []byte          `bun:"hash" json:"-"`
}

// Change describes a mutation for the audit chain. Summary holds what changed (new values,
// or before/after pairs); never secrets such as passwords.
type Change struct {
	Action     string
	TargetType string
	TargetID   string
	Summary    any
}

// Audit appends c to the chain of the tenant of the transaction in ctx, attributed to the
// actor and request in ctx (a nil actor is the system: CLI or job).
func Audit(ctx context.Context, c Change) error {
	tx, ok := TxFrom(ctx)
	if !ok {
		return fmt.Errorf("tenants: audit %s outside a tenant transaction", c.Action)
	}
	summary, err := canonicalJSON(c.Summary)
	if err != nil {
		return fmt.Errorf("audit summary of %s: %w", c.Action, err)
	}
	ev := &AuditEvent{
		TenantID:   tx.tenantID,
		At:         time.Now().UTC().Truncate(time.Microsecond),
		ActorName:  "系统",
		Action:     c.Action,
		TargetType: c.TargetType,
		TargetID:   c.TargetID,
		RequestID:  RequestID(ctx),
		Summary:    summary,
	}
	if a, ok := ActorFrom(ctx); ok && a != nil {
		id := a.IdentityID
		ev.ActorID, ev.ActorName = &id, a.Name
	}

	// The row is written when the transaction commits (Tx.flush): the head row's lock, which
	// orders a county's appends, is then held for the round trip that ends the transaction
	// (two statements and the commit when it appends several rows), not for the rest of its
	// work.
	tx.mu.Lock()
	tx.pending = append(tx.pending, ev)
	tx.mu.Unlock()
	return nil
}

// FlushAudit writes the audit rows the transaction in ctx has appended so far (and the writes
// left by ExecAtCommit, before them); InTx does it with the commit. Code that reads the chain
// inside the transaction that appends to it calls it first (VerifyAudit does).
func FlushAudit(ctx context.Context) error {
	tx, ok := TxFrom(ctx)
	if !ok {
		return fmt.Errorf("tenants: FlushAudit outside a tenant transaction")
	}
	return tx.flushAudit(ctx)
}

// flushAudit writes what the transaction has left for its end (the writes of ExecAtCommit,
// then the audit rows), without committing: for code that reads them inside the transaction.
func (t *Tx) flushAudit(ctx context.Context) error {
	_, err := t.flush(ctx, false)
	return err
}

// flush sends the transaction's deferred writes (ExecAtCommit), then numbers and chains the
// pending audit rows under the head's lock, and with commit set commits. One audit row (every
// write of an application) is one statement: the UPDATE of the head takes the lock, reserves
// the number and computes the row's hash in PostgreSQL from the previous hash and the content
// built here (chainParts), and the INSERT writes the row from what it returns. The deferred
// writes, that statement and the COMMIT then go as one pipelined batch: one round trip, and
// the head's lock is released in the round trip that took it. committed reports that the
// COMMIT went with the batch. Several audit rows take the old way: one UPDATE reserves the
// numbers and returns the hash to chain onto, one statement inserts every row and moves the
// head's hash, and the caller commits.
func (t *Tx) flush(ctx context.Context, commit bool) (committed bool, err error) {
	t.mu.Lock()
	evs, later := t.pending, t.later
	t.pending, t.later = nil, nil
	t.mu.Unlock()
	if len(evs) == 0 && len(later) == 0 {
		return false, nil
	}
	if len(evs) > 1 {
		if len(later) > 0 {
			if _, err := t.sendBatch(ctx, later, nil, false); err != nil {
				return false, err
			}
		}
		return false, t.appendMany(ctx, evs)
	}
	var ev *AuditEvent
	if len(evs) == 1 {
		ev = evs[0]
	}
	committed, err = t.sendBatch(ctx, later, ev, commit)
	if errors.Is(err, errNoHead) {
		// The county's first row: create its head, then go again (errNoHead comes before the
		// batch is sent: nothing of it ran).
		if err = t.createHead(ctx); err == nil {
			committed, err = t.sendBatch(ctx, later, ev, commit)
		}
	}
	return committed, err
}

// errNoHead: the county has no audit head yet.
var errNoHead = errors.New("tenants: no audit head")

// appendOne is the statement that appends one audit row; SET expressions read the head's old
// values, so last_prev_hash keeps the hash the row chains onto (migration 20261205000052).
// Were the head missing, the row would have no number and its INSERT would fail (seq is NOT
// NULL): the COMMIT behind it in the batch is then skipped, never a commit without the row. It
// runs on every write of an application: with bind parameters through pgx, whose statement
// cache prepares it once per connection, so PostgreSQL does not parse and plan it again.
const appendOne = `WITH head AS (
	UPDATE audit_heads SET last_seq = last_seq + 1, last_prev_hash = last_hash,
		last_hash = sha256(last_hash || $2::bytea || convert_to((last_seq + 1)::text, 'UTF8') || $3::bytea)
	WHERE tenant_id = $1 RETURNING last_seq, last_prev_hash, last_hash)
INSERT INTO audit_events (tenant_id, seq, at, actor_id, actor_name, action, target_type, target_id, request_id, summary, prev_hash, hash)
SELECT $1, head.last_seq, $4, $5, $6, $7, $8, $9, $10, $11, head.last_prev_hash, head.last_hash FROM (VALUES (1)) one LEFT JOIN head ON true
RETURNING seq, prev_hash, hash`

// sendBatch sends the deferred writes, the audit row ev (if any) and, with commit, COMMIT, as
// one pipelined batch. Should one fail, PostgreSQL skips the rest (the COMMIT too) and the
// transaction is aborted; a missing head is reported as errNoHead, before anything ran.
func (t *Tx) sendBatch(ctx context.Context, later []laterExec, ev *AuditEvent, commit bool) (committed bool, err error) {
	if _, known := t.store.heads.Load(t.tenantID); ev != nil && !known {
		// A batch cannot wait to see that a statement found no head, so the head must be
		// known to exist before: asked once per county and process (heads are never deleted:
		// the runtime role may not).
		var ok bool
		if err := t.pgx.QueryRow(ctx, `SELECT true FROM audit_heads WHERE tenant_id = $1`, t.tenantID).Scan(&ok); errors.Is(err, pgx.ErrNoRows) {
			return false, errNoHead
		} else if err != nil {
			return false, fmt.Errorf("audit head: %w", err)
		}
		t.store.heads.Store(t.tenantID, true)
	}
	b := &pgx.Batch{}
	for _, l := range later {
		b.Queue(l.sql, l.args...)
	}
	if ev != nil {
		pre, suf := chainParts(ev)
		b.Queue(appendOne, t.tenantID, pre, suf, ev.At, ev.ActorID, ev.ActorName, ev.Action, ev.TargetType, ev.TargetID, ev.RequestID, string(ev.Summary))
	}
	if commit {
		b.Queue("COMMIT")
	}
	br := t.pgx.SendBatch(ctx, b)
	defer func() {
		if cerr := br.Close(); err == nil && cerr != nil {
			err, committed = cerr, false
		}
	}()
	for range later {
		if _, err := br.Exec(); err != nil {
			return false, err
		}
	}
	if ev != nil {
		if err := br.QueryRow().Scan(&ev.Seq, &ev.PrevHash, &ev.Hash); err != nil {
			return false, fmt.Errorf("audit append: %w", err)
		}
	}
	if commit {
		tag, err := br.Exec()
		if err != nil {
			return false, err
		}
		// COMMIT of a transaction that had failed answers ROLLBACK, not an error.
		if tag.String() != "COMMIT" {
			return false, fmt.Errorf("tenants: the transaction was rolled back (%s)", tag)
		}
		return true, nil
	}
	return false, nil
}

func (t *Tx) createHead(ctx context.Context) error {
	_, err := t.conn.NewRaw(`INSERT INTO audit_heads (tenant_id, last_seq, last_hash) VALUES (?, 0, ?)
		ON CONFLICT (tenant_id) DO NOTHING`, t.tenantID, make([]byte, sha256.Size)).Exec(ctx)
	if err == nil {
		t.store.heads.Store(t.tenantID, true)
	}
	return err
}

// appendMany writes several audit rows: one UPDATE reserves their numbers under the head's
// lock and returns the hash to chain onto, one statement inserts them and moves the hash.
func (t *Tx) appendMany(ctx context.Context, evs []*AuditEvent) error {
	n := int64(len(evs))
	var lastSeq int64
	var lastHash []byte
	reserve := func() error {
		return t.pgx.QueryRow(ctx, `UPDATE audit_heads SET last_seq = last_seq + $1 WHERE tenant_id = $2 RETURNING last_seq, last_hash`,
			n, t.tenantID).Scan(&lastSeq, &lastHash)
	}
	err := reserve()
	if errors.Is(err, pgx.ErrNoRows) {
		if err = t.createHead(ctx); err == nil {
			err = reserve()
		}
	}
	if err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	prev := lastHash
	for i, ev := range evs {
		ev.Seq = lastSeq - n + int64(i) + 1
		ev.PrevHash = prev
		ev.Hash = chainHash(ev)
		prev = ev.Hash
	}
	_, err = t.conn.NewRaw(`WITH rows AS (?) UPDATE audit_heads SET last_hash = ? WHERE tenant_id = ?`,
		t.conn.NewInsert().Model(&evs), prev, t.tenantID).Exec(ctx)
	return err
}

// chainHash is sha256(prev_hash || canonical content). The content is JSON with fixed field
// order and a canonical summary, so it can be recomputed from the stored row.
func chainHash(ev *AuditEvent) []byte {
	pre, suf := chainParts(ev)
	h := sha256.New()
	h.Write(ev.PrevHash)
	h.Write(pre)
	h.Write(strconv.AppendInt(nil, ev.Seq, 10))
	h.Write(suf)
	return h.Sum(nil)
}

// chainParts is the row's canonical content around its number: the content is pre, the
// number in decimal (as JSON and PostgreSQL's bigint::text both write it), then suf. The
// number is cut out so that PostgreSQL can hash a row whose number it assigns (appendOne);
// chainHash puts it back, so both hash the same bytes.
func chainParts(ev *AuditEvent) (pre, suf []byte) {
	var actor string
	if ev.ActorID != nil {
		actor = ev.ActorID.String()
	}
	content, _ := json.Marshal(struct {
		Tenant     string          `json:"tenant_id"`
		Seq        int64           `json:"seq"`
		At         string          `json:"at"`
		ActorID    string          `json:"actor_id"`
		ActorName  string          `json:"actor_name"`
		Action     string          `json:"action"`
		TargetType string          `json:"target_type"`
		TargetID   string          `json:"target_id"`
		RequestID  string          `json:"request_id"`
		Summary    json.RawMessage `json:"summary"`
	}{ev.TenantID.String(), 0, ev.At.UTC().Format("2006-01-02T15:04:05.000000Z"), actor, ev.ActorName,
		ev.Action, ev.TargetType, ev.TargetID, ev.RequestID, ev.Summary})
	// The tenant's id (a UUID's hex and dashes) comes first, so the first `,"seq":0,` is the
	// number's own.
	const mark = `,"seq":`
	i := bytes.Index(content, []byte(mark+"0,"))
	return content[:i+len(mark)], content[i+len(mark)+1:]
}

// canonicalJSON renders v with sorted object keys and exact numbers, the form jsonb
// round-trips to: the hash of a row read back equals the hash computed at insert.
func canonicalJSON(v any) (json.RawMessage, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if v == nil {
		raw = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return nil, err
	}
	return json.Marshal(generic)
}

// AuditVerification is the outcome of recomputing a tenant's chain.
type AuditVerification struct {
	OK          bool
	RowsChecked int64
	// FirstBadSeq is the first row whose stored hashes disagree with its content or its
	// predecessor, 0 when the chain holds.
	FirstBadSeq int64
}

// VerifyAudit recomputes the chain of the tenant of ctx's transaction from the first row,
// and checks the head against the last row (so a deleted tail is caught too).
func VerifyAudit(ctx context.Context) (*AuditVerification, error) {
	tx, ok := TxFrom(ctx)
	if !ok {
		return nil, fmt.Errorf("tenants: VerifyAudit outside a tenant transaction")
	}
	if err := tx.flushAudit(ctx); err != nil {
		return nil, err
	}
	res := &AuditVerification{OK: true}
	prev := make([]byte, sha256.Size)
	var lastSeq int64
	// In batches, so a long history does not sit in memory at once.
	for {
		var batch []AuditEvent
		if err := tx.DB().NewSelect().Model(&batch).Where("tenant_id = ? AND seq > ?", tx.tenantID, lastSeq).Order("seq").Limit(1000).Scan(ctx); err != nil {
			return nil, err
		}
		for i := range batch {
			ev := &batch[i]
			res.RowsChecked++
			summary, err := canonicalJSON(ev.Summary)
			if err != nil {
				return nil, err
			}
			stored := ev.Hash
			ev.Summary = summary
			ok := ev.Seq == lastSeq+1 && bytes.Equal(ev.PrevHash, prev) && bytes.Equal(chainHash(ev), stored)
			if !ok && res.OK {
				res.OK, res.FirstBadSeq = false, ev.Seq
			}
			prev, lastSeq = stored, ev.Seq
		}
		if len(batch) < 1000 {
			break
		}
	}
	var head struct {
		LastSeq  int64  `bun:"last_seq"`
		LastHash []byte `bun:"last_hash"`
	}
	err := tx.DB().NewRaw(`SELECT last_seq, last_hash FROM audit_heads WHERE tenant_id = ?`, tx.tenantID).Scan(ctx, &head)
	switch {
	case errors.Is(err, sql.ErrNoRows) && lastSeq == 0:
		// No events and no head: an empty chain.
	case err != nil:
		return nil, err
	case res.OK && (head.LastSeq != lastSeq || !bytes.Equal(head.LastHash, prev)):
		res.OK, res.FirstBadSeq = false, lastSeq+1
	}
	return res, nil
}
