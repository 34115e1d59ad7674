// Package auditlog reads a county's audit chain and checks it on request: the check runs
// as a River job, so a long history never holds a request open.
package auditlog

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/tenants"
)

// Page is one page of events, newest first.
type Page struct {
	Items []tenants.AuditEvent
	// NextBeforeSeq continues the listing; 0 on the last page.
	NextBeforeSeq int64
}

// Check is a requested verification of the chain.
type Check struct {
	bun.BaseModel `bun:"table:audit_checks,alias:c"`

	TenantID    uuid.UUID  `bun:"tenant_id,pk,type:uuid"`
	ID          uuid.UUID  `bun:"id,pk,type:uuid"`
	RequestedBy *uuid.UUID `bun:"requested_by,type:uuid"`
	RequestedAt time.Time  `bun:"requested_at,nullzero,default:now()"`
	Status      string     `bun:"status"`
	OK          *bool      `bun:"ok"`
	RowsChecked *int64     `bun:"rows_checked"`
	FirstBadSeq *int64     `bun:"first_bad_seq"`
	FinishedAt  *time.Time `bun:"finished_at"`
	// The comparison with the newest anchor (anchor.go): AnchorStatus is ok, broken, none
	// (not anchored yet) or unavailable (the vault could not be read); Unanchored counts the
	// rows written since the anchor.
	AnchorStatus    *string    `bun:"anchor_status"`
	AnchorKey       *string    `bun:"anchor_key"`
	AnchorSeq       *int64     `bun:"anchor_seq"`
	AnchoredAt      *time.Time `bun:"anchored_at"`
	Unanchored      *int64     `bun:"unanchored"`
	AnchorProblem   *string    `bun:"anchor_problem"`
	AnchorProblemEn *string    `bun:"anchor_problem_en"`
}

// Anchor statuses of a check.
const (
	AnchorOK          = "ok"
	AnchorBroken      = "broken"
	AnchorNone        = "none"
	AnchorUnavailable = "unavailable"
)

// CheckArgs is the River job that runs a Check.
type CheckArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
	CheckID  uuid.UUID `json:"check_id"`
}

// Kind names the job in River.
func (CheckArgs) Kind() string { return "audit_check" }

// Tenant is the tenant the job works in.
func (a CheckArgs) Tenant() uuid.UUID { return a.TenantID }

// RequestCheck records a check and enqueues its job in the same transaction.
func RequestCheck(ctx context.Context, by *tenants.Actor) (*Check, error) {
	tx, ok := tenants.TxFrom(ctx)
	if !ok {
		return nil, errors.New("auditlog: RequestCheck outside a tenant transaction")
	}
	c := &Check{TenantID: tx.TenantID(), ID: uuid.New(), Status: "queued"}
	if by != nil {
		c.RequestedBy = &by.IdentityID
	}
	if _, err := tx.DB().NewInsert().Model(c).Returning("requested_at").Exec(ctx); err != nil {
		return nil, err
	}
	if _, err := tenants.Enqueue(ctx, CheckArgs{TenantID: c.TenantID, CheckID: c.ID}, nil); err != nil {
		return nil, err
	}
	return c, nil
}

// GetCheck returns a check of the tenant in ctx.
func GetCheck(ctx context.Context, id uuid.UUID) (*Check, error) {
	c := new(Check)
	err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(c)).Where("c.id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, problem.NotFound("audit_check_not_found", "校验记录不存在", "audit check not found")
	}
	return c, err
}

// RunCheck verifies the chain, compares it with the newest anchor in vault (nil: no vault
// configured, reported as unavailable) and stores the outcome. A check already done is left
// as it is, so a job that runs twice records one result.
func RunCheck(ctx context.Context, id uuid.UUID, vault Vault) (*Check, error) {
	c, err := GetCheck(ctx, id)
	if err != nil || c.Status == "done" {
		return c, err
	}
	res, err := Verify(ctx, vault)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	c.Status, c.OK, c.RowsChecked, c.FinishedAt = "done", &res.OK, &res.RowsChecked, &now
	if !res.OK {
		c.FirstBadSeq = &res.FirstBadSeq
	}
	c.AnchorStatus = &res.AnchorStatus
	if a := res.Anchor.Anchor; a != nil {
		c.AnchorKey, c.AnchorSeq, c.AnchoredAt = &a.Key, &a.Seq, &a.AnchoredAt
		if res.AnchorStatus == AnchorOK {
			c.Unanchored = &res.Anchor.Since
		}
	}
	if res.Anchor.Problem != "" {
		c.AnchorProblem, c.AnchorProblemEn = &res.Anchor.Problem, &res.Anchor.ProblemEn
	}
	_, err = tenants.DB(ctx).NewUpdate().Model(c).Column("status", "ok", "rows_checked", "first_bad_seq", "finished_at",
		"anchor_status", "anchor_key", "anchor_seq", "anchored_at", "unanchored", "anchor_problem", "anchor_problem_en").WherePK().Exec(ctx)
	return c, err
}

// Verification is the chain recomputed and compared with its newest anchor.
type Verification struct {
	tenants.AuditVerification
	// AnchorStatus is AnchorOK, AnchorBroken, AnchorNone or AnchorUnavailable.
	AnchorStatus string
	Anchor       AnchorCheck
}

// Verify recomputes the chain of the tenant in ctx (tenants.VerifyAudit) and compares it
// with the newest anchor in vault. The chain is not OK when the anchor proves rows missing
// or changed, even if what is left links up.
func Verify(ctx context.Context, vault Vault) (*Verification, error) {
	chain, err := tenants.VerifyAudit(ctx)
	if err != nil {
		return nil, err
	}
	v := &Verification{AuditVerification: *chain}
	if vault == nil {
		v.AnchorStatus = AnchorUnavailable
		v.Anchor.Problem, v.Anchor.ProblemEn = "未配置对象存储，无法与锚点比对", "no object storage configured: the anchors were not compared"
		return v, nil
	}
	a, err := NewestAnchor(ctx, vault)
	switch {
	case errors.Is(err, ErrNoAnchor):
		v.AnchorStatus = AnchorNone
		v.Anchor.Problem, v.Anchor.ProblemEn = "尚无锚点（每小时写入一次）", "not anchored yet (anchors are written hourly)"
		return v, nil
	case err != nil:
		v.AnchorStatus = AnchorUnavailable
		v.Anchor.Problem, v.Anchor.ProblemEn = "对象存储暂不可用，未能与锚点比对", "object storage unavailable: the anchors were not compared"
		return v, nil
	}
	cmp, err := CompareAnchor(ctx, a)
	if err != nil {
		return nil, err
	}
	v.Anchor = *cmp
	v.AnchorStatus = AnchorOK
	if !cmp.OK {
		v.AnchorStatus = AnchorBroken
		if v.OK || cmp.FirstBadSeq < v.FirstBadSeq {
			v.FirstBadSeq = cmp.FirstBadSeq
		}
		v.OK = false
	}
	return v, nil
}
