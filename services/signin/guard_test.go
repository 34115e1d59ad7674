package signin_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/signin"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

type testBundle struct {
	db    *tenanttest.DB
	clock *clock.Stub
	guard *signin.Guard
}

var phones = struct {
	sync.Mutex
	n int
}{}

// newPhone is a phone no other test of the package uses (the counts are shared by design).
func newPhone() string {
	phones.Lock()
	defer phones.Unlock()
	phones.n++
	return fmt.Sprintf("139%04d%04d", time.Now().UnixNano()%10000, phones.n)
}

func setup(t *testing.T, p signin.Policy) *testBundle {
	t.Helper()
	db := tenanttest.New(t)
	clk := clock.NewStub(time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC))
	return &testBundle{db: db, clock: clk, guard: &signin.Guard{Pool: db.App, Policy: p, Clock: clk}}
}

func (b *testBundle) attempt(t *testing.T, a signin.Attempt, o signin.Outcome) (*signin.Refusal, *signin.Result) {
	t.Helper()
	ctx := context.Background()
	r, err := b.guard.Begin(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if r != nil {
		return r, nil
	}
	res, err := b.guard.Finish(ctx, a, o)
	if err != nil {
		t.Fatal(err)
	}
	return nil, res
}

// 等保 2.0 登录失败处理: five wrong passwords lock the account for fifteen minutes, the right
// one included; the lock then ends by itself.
func TestFiveFailuresLockTheAccount(t *testing.T) {
	t.Parallel()
	b := setup(t, signin.DefaultPolicy)
	a := signin.Attempt{Phone: newPhone(), Address: "10.0.0.1"}
	for i := 1; i <= 4; i++ {
		if r, res := b.attempt(t, a, signin.Failed); r != nil || res.Locked != nil || res.FailuresLeft != 5-i {
			t.Fatalf("failure %d: %+v %+v", i, r, res)
		}
	}
	_, res := b.attempt(t, a, signin.Failed)
	if res.Locked == nil || !res.Locked.Until.Equal(b.clock.Now().Add(15*time.Minute)) {
		t.Fatalf("fifth failure: %+v, want locked for 15 minutes", res)
	}
	p := res.Locked.Problem(b.clock.Now())
	if p.Status != 429 || p.Code != "account_locked" || p.GetHeaders().Get("Retry-After") != "900" || p.Message == "" {
		t.Fatalf("lock problem: %+v", p)
	}
	// The right password is refused too, and the refusal does not extend the lock.
	b.clock.Advance(14 * time.Minute)
	if r, _ := b.attempt(t, a, signin.Succeeded); r == nil || r.Reason != signin.Locked || !r.Until.Equal(res.Locked.Until) {
		t.Fatalf("right password while locked: %+v", r)
	}
	// Another account from the same address is not locked.
	if r, _ := b.attempt(t, signin.Attempt{Phone: newPhone(), Address: a.Address}, signin.Succeeded); r != nil {
		t.Fatalf("another account: %+v", r)
	}
	b.clock.Advance(time.Minute)
	if r, res := b.attempt(t, a, signin.Failed); r != nil || res.FailuresLeft != 4 {
		t.Fatalf("after the lock: %+v %+v, want a fresh count", r, res)
	}
}

// A success clears the count; failures older than the window are forgotten; an attempt
// Kratos did not judge is given back.
func TestSuccessWindowAndUndecided(t *testing.T) {
	t.Parallel()
	b := setup(t, signin.DefaultPolicy)
	a := signin.Attempt{Phone: newPhone(), Address: "10.0.0.2"}
	for range 4 {
		b.attempt(t, a, signin.Failed)
	}
	b.attempt(t, a, signin.Succeeded)
	if _, res := b.attempt(t, a, signin.Failed); res.FailuresLeft != 4 {
		t.Fatalf("after a success: %d left, want 4", res.FailuresLeft)
	}
	for range 3 {
		b.attempt(t, a, signin.Undecided)
	}
	if _, res := b.attempt(t, a, signin.Failed); res.FailuresLeft != 3 {
		t.Fatalf("undecided attempts counted: %d left, want 3", res.FailuresLeft)
	}
	b.clock.Advance(16 * time.Minute)
	if _, res := b.attempt(t, a, signin.Failed); res.FailuresLeft != 4 {
		t.Fatalf("after the window: %d left, want 4", res.FailuresLeft)
	}
}

// Attempts are counted before they reach Kratos: thirty parallel guesses at one account get
// five tries, however they interleave (the attack of issue 13 ran 8 per second).
func TestParallelGuessesGetFiveTries(t *testing.T) {
	t.Parallel()
	b := setup(t, signin.DefaultPolicy)
	a := signin.Attempt{Phone: newPhone(), Address: "10.0.0.3"}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		admitted int
	)
	for range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := b.guard.Begin(context.Background(), a)
			if err != nil {
				t.Error(err)
				return
			}
			if r == nil {
				mu.Lock()
				admitted++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if admitted != 5 {
		t.Fatalf("%d of 30 parallel attempts admitted, want 5", admitted)
	}
}

// Password spraying: many accounts from one address, each under its own limit, are stopped
// by the address limit.
func TestAddressLimit(t *testing.T) {
	t.Parallel()
	b := setup(t, signin.Policy{MaxFailures: 5, Window: 15 * time.Minute, LockFor: 15 * time.Minute, MaxAddressFailures: 6})
	const addr = "10.0.0.4"
	for range 3 {
		phone := newPhone()
		for range 2 {
			if r, _ := b.attempt(t, signin.Attempt{Phone: phone, Address: addr}, signin.Failed); r != nil {
				t.Fatalf("refused early: %+v", r)
			}
		}
	}
	r, _ := b.attempt(t, signin.Attempt{Phone: newPhone(), Address: addr}, signin.Succeeded)
	if r == nil || !r.ByAddress || r.Problem(b.clock.Now()).Code != "signin_throttled" {
		t.Fatalf("seventh attempt from the address: %+v", r)
	}
	if r, _ := b.attempt(t, signin.Attempt{Phone: newPhone(), Address: "10.0.0.5"}, signin.Succeeded); r != nil {
		t.Fatalf("another address: %+v", r)
	}
	b.clock.Advance(15 * time.Minute)
	if r, _ := b.attempt(t, signin.Attempt{Phone: newPhone(), Address: addr}, signin.Succeeded); r != nil {
		t.Fatalf("after the window: %+v", r)
	}
}

// signin_throttle has no tenant, so RLS keeps it from every transaction that is not the
// guard's: the runtime role reads nothing without app.signin_guard.
func TestThrottleTableIsTheGuardsOnly(t *testing.T) {
	t.Parallel()
	b := setup(t, signin.DefaultPolicy)
	b.attempt(t, signin.Attempt{Phone: newPhone(), Address: "10.0.0.6"}, signin.Failed)
	var n int
	if err := b.db.App.QueryRow(context.Background(), "SELECT count(*) FROM signin_throttle").Scan(&n); err != nil || n != 0 {
		t.Fatalf("runtime role outside the guard sees %d rows (%v)", n, err)
	}
	if _, err := b.db.App.Exec(context.Background(), "INSERT INTO signin_throttle (key_hash, window_start) VALUES ('x', now())"); err == nil {
		t.Fatal("runtime role outside the guard wrote a count")
	}
	if err := b.db.Owner.QueryRow(context.Background(), "SELECT count(*) FROM signin_throttle").Scan(&n); err != nil || n == 0 {
		t.Fatalf("the guard wrote nothing: %d (%v)", n, err)
	}
}
