package tenants

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
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

	// The row is written when the transaction commits (flushAudit): the head row's lock, which
	// orders a county's appends, is then held for two statements and the commit, not for the
	// rest of the transaction's work.
	tx.mu.Lock()
	tx.pending = append(tx.pending, ev)
	tx.mu.Unlock()
	return nil
}

// FlushAudit writes the audit rows the transaction in ctx has appended so far; InTx does it
// before committing. Code that reads the chain inside the transaction that appends to it
// calls it first (VerifyAudit does).
func FlushAudit(ctx context.Context) error {
	tx, ok := TxFrom(ctx)
	if !ok {
		return fmt.Errorf("tenants: FlushAudit outside a tenant transaction")
	}
	return tx.flushAudit(ctx)
}

// flushAudit numbers and chains the pending rows under the head's lock, in two round trips:
// one UPDATE takes the lock and reserves the numbers (returning the hash to chain onto), one
// statement inserts every row and moves the head's hash.
func (t *Tx) flushAudit(ctx context.Context) error {
	t.mu.Lock()
	evs := t.pending
	t.pending = nil
	t.mu.Unlock()
	if len(evs) == 0 {
		return nil
	}
	n := int64(len(evs))
	var lastSeq int64
	var lastHash []byte
	// Both statements of a flush run on every write of the application: they go with bind
	// parameters through pgx, whose statement cache prepares them once per connection, so
	// PostgreSQL does not parse and plan them again on every request.
	reserve := func() error {
		return t.pgx.QueryRow(ctx, `UPDATE audit_heads SET last_seq = last_seq + $1 WHERE tenant_id = $2 RETURNING last_seq, last_hash`,
			n, t.tenantID).Scan(&lastSeq, &lastHash)
	}
	err := reserve()
	if errors.Is(err, pgx.ErrNoRows) {
		// The county's first row: create its head, then reserve as usual.
		if _, err = t.conn.NewRaw(`INSERT INTO audit_heads (tenant_id, last_seq, last_hash) VALUES (?, 0, ?)
			ON CONFLICT (tenant_id) DO NOTHING`, t.tenantID, make([]byte, sha256.Size)).Exec(ctx); err == nil {
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
	if len(evs) == 1 {
		ev := evs[0]
		_, err = t.pgx.Exec(ctx, `WITH rows AS (INSERT INTO audit_events (tenant_id, seq, at, actor_id, actor_name, action, target_type, target_id,
			request_id, summary, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12))
			UPDATE audit_heads SET last_hash = $12 WHERE tenant_id = $1`,
			t.tenantID, ev.Seq, ev.At, ev.ActorID, ev.ActorName, ev.Action, ev.TargetType, ev.TargetID, ev.RequestID, string(ev.Summary), ev.PrevHash, ev.Hash)
		return err
	}
	_, err = t.conn.NewRaw(`WITH rows AS (?) UPDATE audit_heads SET last_hash = ? WHERE tenant_id = ?`,
		t.conn.NewInsert().Model(&evs), prev, t.tenantID).Exec(ctx)
	return err
}

// chainHash is sha256(prev_hash || canonical content). The content is JSON with fixed field
// order and a canonical summary, so it can be recomputed from the stored row.
func chainHash(ev *AuditEvent) []byte {
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
	}{ev.TenantID.String(), ev.Seq, ev.At.UTC().Format("2006-01-02T15:04:05.000000Z"), actor, ev.ActorName,
		ev.Action, ev.TargetType, ev.TargetID, ev.RequestID, ev.Summary})
	h := sha256.New()
	h.Write(ev.PrevHash)
	h.Write(content)
	return h.Sum(nil)
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
