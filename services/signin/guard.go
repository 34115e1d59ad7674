// Package signin is what 等保 2.0 asks of a sign-in beyond the password itself: 登录失败处理
// (throttling and lockout), a login log the county can read, the sessions a user can see and
// end, and 超时自动退出 (a session ends after an idle period the county sets).
//
// Kratos checks passwords; the app fronts Kratos' public API (api/server's proxy), so every
// sign-in passes through Guard first. The counts live in PostgreSQL, so every app process
// shares them, and an attempt is counted before it reaches Kratos: a burst of parallel
// guesses gets at most Policy.MaxFailures answers, not one per request.
package signin

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/problem"
)

// Policy is the lockout and throttling rule.
type Policy struct {
	// MaxFailures failed sign-ins of one account within Window lock it for LockFor.
	MaxFailures int
	Window      time.Duration
	LockFor     time.Duration
	// MaxAddressFailures failed sign-ins from one client address within Window refuse every
	// sign-in from it until the window ends (password spraying across many accounts).
	MaxAddressFailures int
}

// DefaultPolicy: 5 failures in 15 minutes lock the account for 15 minutes; 50 failures from
// one address in 15 minutes block the address for the rest of the window (a county hall
// behind one NAT address has many staff, so the address limit is far above the account one).
var DefaultPolicy = Policy{MaxFailures: 5, Window: 15 * time.Minute, LockFor: 15 * time.Minute, MaxAddressFailures: 50}

// Guard counts sign-ins in the shared signin_throttle table.
type Guard struct {
	Pool   *pgxpool.Pool
	Policy Policy
	// Clock is wall time; nil is the system clock. (Not the deadline clock: a lockout is
	// about real minutes.)
	Clock clock.Clock
}

func (g *Guard) now() time.Time {
	if g.Clock == nil {
		return time.Now()
	}
	return g.Clock.Now()
}

// Attempt is one sign-in: the identifier typed and the client's address.
type Attempt struct {
	Phone   string
	Address string
}

// Reason is why an attempt is refused before it reaches Kratos.
type Reason string

const (
	// Locked: the account failed too often and is locked.
	Locked Reason = "locked"
	// Throttled: too many attempts at once for the account, or too many failures from the
	// address.
	Throttled Reason = "throttled"
)

// Refusal is an attempt the guard stopped.
type Refusal struct {
	Reason Reason
	Until  time.Time
	// ByAddress: the address, not the account, is throttled.
	ByAddress bool
	policy    Policy
}

// china is the time zone the message's clock time is given in.
var china = time.FixedZone("CST", 8*3600)

// Problem is the 429 the user sees, with Retry-After, in Chinese and English.
func (r *Refusal) Problem(now time.Time) *problem.Error {
	wait := max(r.Until.Sub(now), time.Second)
	at := r.Until.In(china).Format("15:04")
	e := &problem.Error{Status: http.StatusTooManyRequests, RetryAfter: wait}
	switch {
	case r.Reason == Locked:
		e.Code = "account_locked"
		e.Message = fmt.Sprintf("该账号连续 %d 次登录失败，已锁定 %d 分钟，请于 %s 后再试；如忘记密码请联系本县系统管理员",
			r.policy.MaxFailures, int(r.policy.LockFor/time.Minute), at)
		e.MessageEn = fmt.Sprintf("this account is locked for %d minutes after %d failed sign-ins; try again after %s (China time)",
			int(r.policy.LockFor/time.Minute), r.policy.MaxFailures, at)
	case r.ByAddress:
		e.Code = "signin_throttled"
		e.Message = fmt.Sprintf("本机登录失败次数过多，请于 %s 后再试", at)
		e.MessageEn = fmt.Sprintf("too many failed sign-ins from this address; try again after %s (China time)", at)
	default:
		e.Code = "signin_throttled"
		e.Message = "登录尝试过于频繁，请稍后再试"
		e.MessageEn = "too many sign-in attempts at once; try again shortly"
	}
	return e
}

type keyKind int

const (
	accountKey keyKind = iota
	addressKey
)

// NormalizePhone is the identifier as Kratos compares it (trimmed, lower case).
func NormalizePhone(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func hashKey(kind keyKind, v string) []byte {
	prefix := "account:"
	if kind == addressKey {
		prefix = "address:"
	}
	sum := sha256.Sum256([]byte(prefix + v))
	return sum[:]
}

// row is one key's state, locked for the transaction.
type row struct {
	kind        keyKind
	hash        []byte
	failures    int
	windowStart time.Time
	lockedUntil *time.Time
}

// inGuard runs fn in a transaction that may see signin_throttle (its RLS policy admits only
// transactions that set app.signin_guard), with the attempt's two rows locked in a fixed
// order so concurrent attempts queue instead of deadlocking.
func (g *Guard) inGuard(ctx context.Context, a Attempt, now time.Time, fn func(tx pgx.Tx, account, address *row) error) error {
	return pgx.BeginFunc(ctx, g.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT set_config('app.signin_guard', 'on', true)"); err != nil {
			return err
		}
		rows := []*row{{kind: accountKey, hash: hashKey(accountKey, NormalizePhone(a.Phone))}, {kind: addressKey, hash: hashKey(addressKey, a.Address)}}
		sorted := append([]*row(nil), rows...)
		sort.Slice(sorted, func(i, j int) bool { return string(sorted[i].hash) < string(sorted[j].hash) })
		for _, r := range sorted {
			if _, err := tx.Exec(ctx, `INSERT INTO signin_throttle (key_hash, failures, window_start) VALUES ($1, 0, $2) ON CONFLICT (key_hash) DO NOTHING`, r.hash, now); err != nil {
				return err
			}
			if err := tx.QueryRow(ctx, `SELECT failures, window_start, locked_until FROM signin_throttle WHERE key_hash = $1 FOR UPDATE`, r.hash).
				Scan(&r.failures, &r.windowStart, &r.lockedUntil); err != nil {
				return err
			}
			// A window that has passed, and a lock that has ended, start afresh.
			if r.lockedUntil != nil && !r.lockedUntil.After(now) {
				r.failures, r.windowStart, r.lockedUntil = 0, now, nil
			}
			if r.lockedUntil == nil && !r.windowStart.After(now.Add(-g.Policy.Window)) {
				r.failures, r.windowStart = 0, now
			}
		}
		if err := fn(tx, rows[0], rows[1]); err != nil {
			return err
		}
		for _, r := range sorted {
			if _, err := tx.Exec(ctx, `UPDATE signin_throttle SET failures = $2, window_start = $3, locked_until = $4 WHERE key_hash = $1`,
				r.hash, r.failures, r.windowStart, r.lockedUntil); err != nil {
				return err
			}
		}
		return nil
	})
}

// Begin counts an attempt before it reaches Kratos, as a failure until Finish says
// otherwise, or refuses it: the account locked, the address throttled, or as many attempts
// of the account in flight as it has failures left.
func (g *Guard) Begin(ctx context.Context, a Attempt) (*Refusal, error) {
	now := g.now()
	var refusal *Refusal
	err := g.inGuard(ctx, a, now, func(_ pgx.Tx, account, address *row) error {
		p := g.Policy
		switch {
		case account.lockedUntil != nil:
			refusal = &Refusal{Reason: Locked, Until: *account.lockedUntil, policy: p}
		case address.lockedUntil != nil:
			refusal = &Refusal{Reason: Throttled, Until: *address.lockedUntil, ByAddress: true, policy: p}
		case address.failures >= p.MaxAddressFailures:
			refusal = &Refusal{Reason: Throttled, Until: address.windowStart.Add(p.Window), ByAddress: true, policy: p}
		case account.failures >= p.MaxFailures:
			// Attempts still in flight hold every failure left: wait for their outcome.
			refusal = &Refusal{Reason: Throttled, Until: now.Add(5 * time.Second), policy: p}
		default:
			account.failures++
			address.failures++
		}
		return nil
	})
	return refusal, err
}

// Outcome is what Kratos answered.
type Outcome int

const (
	// Succeeded: signed in.
	Succeeded Outcome = iota
	// Failed: wrong identifier or password.
	Failed
	// Undecided: Kratos did not judge the password (an expired flow, a CSRF failure, an
	// outage); the attempt is given back.
	Undecided
)

// Result is the account's state after an attempt.
type Result struct {
	// Locked is set when this failure locked the account.
	Locked *Refusal
	// FailuresLeft before the account locks (after a failure).
	FailuresLeft int
}

// Finish records Kratos' answer to an attempt Begin admitted. A success clears the
// account's failures; a failure stays counted and the one that reaches MaxFailures locks
// the account; an undecided attempt is given back.
func (g *Guard) Finish(ctx context.Context, a Attempt, o Outcome) (*Result, error) {
	now := g.now()
	res := &Result{}
	err := g.inGuard(ctx, a, now, func(_ pgx.Tx, account, address *row) error {
		p := g.Policy
		switch o {
		case Succeeded:
			account.failures, account.lockedUntil = 0, nil
			address.failures = max(address.failures-1, 0)
		case Failed:
			if account.failures >= p.MaxFailures && account.lockedUntil == nil {
				until := now.Add(p.LockFor)
				account.lockedUntil = &until
				res.Locked = &Refusal{Reason: Locked, Until: until, policy: p}
			}
			if address.failures >= p.MaxAddressFailures && address.lockedUntil == nil {
				until := address.windowStart.Add(p.Window)
				address.lockedUntil = &until
			}
			res.FailuresLeft = max(p.MaxFailures-account.failures, 0)
		default:
			account.failures = max(account.failures-1, 0)
			address.failures = max(address.failures-1, 0)
		}
		return nil
	})
	return res, err
}

// Prune deletes counts whose window and lock are long over (run by the hourly sweep).
func (g *Guard) Prune(ctx context.Context) (int64, error) {
	var n int64
	err := pgx.BeginFunc(ctx, g.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT set_config('app.signin_guard', 'on', true)"); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM signin_throttle WHERE window_start < $1 AND (locked_until IS NULL OR locked_until < $2)`,
			g.now().Add(-24*time.Hour), g.now())
		n = tag.RowsAffected()
		return err
	})
	return n, err
}

// Unlock forgets an account's failures and its lock (not its address's): a county admin who
// resets a locked-out member's password gives them a password to sign in with now, not in
// 15 minutes.
func (g *Guard) Unlock(ctx context.Context, phone string) error {
	return pgx.BeginFunc(ctx, g.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT set_config('app.signin_guard', 'on', true)"); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM signin_throttle WHERE key_hash = $1`, hashKey(accountKey, NormalizePhone(phone)))
		return err
	})
}
