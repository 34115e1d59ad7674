package signin

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

// Idle periods a county may set: 30 minutes unless it says otherwise, at least 5 (shorter
// would sign staff out while they read an application), at most 480 (a working day, the
// session's own lifetime in Kratos).
const (
	DefaultIdleMinutes = 30
	MinIdleMinutes     = 5
	MaxIdleMinutes     = 480
)

// touchEvery is how stale last_seen may get before a request writes it again: one write a
// minute per session at most, instead of one per request.
const touchEvery = 30 * time.Second

// Settings are a county's sign-in settings.
type Settings struct {
	IdleMinutes int `json:"idle_minutes"`
}

// GetSettings reads the settings of the tenant in ctx.
func GetSettings(ctx context.Context) (Settings, error) {
	s := Settings{IdleMinutes: DefaultIdleMinutes}
	err := tenants.DB(ctx).NewRaw(`SELECT idle_minutes FROM signin_settings WHERE tenant_id = ?`, tenants.CurrentID(ctx)).Scan(ctx, &s.IdleMinutes)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return s, err
}

// PutSettings stores the settings of the tenant in ctx, audited.
func PutSettings(ctx context.Context, s Settings) (Settings, error) {
	var c problem.Checker
	c.Check(s.IdleMinutes >= MinIdleMinutes && s.IdleMinutes <= MaxIdleMinutes, "body.idle_minutes",
		"空闲超时须在 5 至 480 分钟之间", "the idle period must be 5 to 480 minutes", s.IdleMinutes)
	if err := c.Err(); err != nil {
		return s, err
	}
	before, err := GetSettings(ctx)
	if err != nil {
		return s, err
	}
	tx, _ := tenants.TxFrom(ctx)
	if _, err := tx.DB().NewRaw(`INSERT INTO signin_settings (tenant_id, idle_minutes, updated_at) VALUES (?, ?, now())
		ON CONFLICT (tenant_id) DO UPDATE SET idle_minutes = EXCLUDED.idle_minutes, updated_at = now()`, tx.TenantID(), s.IdleMinutes).Exec(ctx); err != nil {
		return s, err
	}
	return s, tenants.Audit(ctx, tenants.Change{Action: "signin_settings.update", TargetType: "signin_settings", TargetID: tx.TenantID().String(),
		Summary: map[string]any{"idle_minutes": map[string]int{"before": before.IdleMinutes, "after": s.IdleMinutes}}})
}

// Activity is what Touch found.
type Activity struct {
	// Idle: the session's last request is older than the county's idle period; the session
	// must end.
	Idle        bool
	IdleMinutes int
	// Ended: the caller's answer for the session was cached and the session has no activity
	// row. Every request a process answers writes that row, and only ending the session
	// (sign-out, 结束会话, the idle timeout: Forget, or the idle branch here) or a day's
	// silence (PruneActivity) removes it; so another process ended it after this one cached
	// Kratos' answer. Nothing was written: the caller must ask Kratos again.
	Ended bool
}

// Touch records a request of a session in the transaction's book (a county's, or a region
// account's: bookOf) and reports whether the session had idled out before it, or (cached:
// the caller's Kratos answer came from its cache) was ended meanwhile by another process. A
// background request (the notification bell's poll) is checked but does not count as
// activity, or an open tab would never time out.
func Touch(ctx context.Context, sessionID, identityID uuid.UUID, now time.Time, background, cached bool) (*Activity, error) {
	b := bookOf(ctx)
	var r struct {
		LastSeen *time.Time `bun:"last_seen"`
		Idle     int        `bun:"idle"`
	}
	// A region has no settings row: its accounts idle out after the default period.
	idle := `?`
	idleArgs := []any{DefaultIdleMinutes}
	if b.county {
		idle = `coalesce((SELECT idle_minutes FROM signin_settings WHERE tenant_id = ?), ?)`
		idleArgs = []any{b.owner, DefaultIdleMinutes}
	}
	if err := b.db.NewRaw(`SELECT (SELECT last_seen FROM ? WHERE ? = ? AND session_id = ?) AS last_seen, `+idle+` AS idle`,
		append([]any{b.activity, b.key, b.owner, sessionID}, idleArgs...)...).Scan(ctx, &r); err != nil {
		return nil, err
	}
	a := &Activity{IdleMinutes: r.Idle}
	switch {
	case r.LastSeen == nil && cached:
		a.Ended = true
		return a, nil
	case r.LastSeen != nil && now.Sub(*r.LastSeen) > time.Duration(r.Idle)*time.Minute:
		a.Idle = true
		_, err := b.db.NewRaw(`DELETE FROM ? WHERE ? = ? AND session_id = ?`, b.activity, b.key, b.owner, sessionID).Exec(ctx)
		return a, err
	case r.LastSeen == nil || (!background && now.Sub(*r.LastSeen) >= touchEvery):
		_, err := b.db.NewRaw(`INSERT INTO ? (?, session_id, identity_id, last_seen) VALUES (?, ?, ?, ?)
			ON CONFLICT (?, session_id) DO UPDATE SET last_seen = EXCLUDED.last_seen`, b.activity, b.key, b.owner, sessionID, identityID, now.UTC(), b.key).Exec(ctx)
		return a, err
	}
	return a, nil
}

// LastSeen returns the last request of each of the given sessions in the transaction's book.
func LastSeen(ctx context.Context, sessionIDs []uuid.UUID) (map[uuid.UUID]time.Time, error) {
	out := map[uuid.UUID]time.Time{}
	if len(sessionIDs) == 0 {
		return out, nil
	}
	b := bookOf(ctx)
	var rows []struct {
		SessionID uuid.UUID `bun:"session_id"`
		LastSeen  time.Time `bun:"last_seen"`
	}
	if err := b.db.NewRaw(`SELECT session_id, last_seen FROM ? WHERE ? = ? AND session_id IN (?)`, b.activity, b.key, b.owner, bun.In(sessionIDs)).Scan(ctx, &rows); err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.SessionID] = r.LastSeen
	}
	return out, nil
}

// Forget drops a session's activity row (the session was ended).
func Forget(ctx context.Context, sessionID uuid.UUID) error {
	b := bookOf(ctx)
	_, err := b.db.NewRaw(`DELETE FROM ? WHERE ? = ? AND session_id = ?`, b.activity, b.key, b.owner, sessionID).Exec(ctx)
	return err
}

// PruneActivity deletes the activity of sessions idle for a day in the transaction's book:
// Kratos has ended them.
func PruneActivity(ctx context.Context, now time.Time) error {
	b := bookOf(ctx)
	_, err := b.db.NewRaw(`DELETE FROM ? WHERE ? = ? AND last_seen < ?`, b.activity, b.key, b.owner, now.Add(-24*time.Hour)).Exec(ctx)
	return err
}
