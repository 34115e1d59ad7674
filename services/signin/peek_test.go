package signin_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/signin"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

// Peek decides what Touch decides, from one read, and leaves the cases that write to Touch.
func TestPeekAgreesWithTouch(t *testing.T) {
	t.Parallel()
	db := tenanttest.New(t)
	county := tenanttest.NewTenant(t, db, "甲县")
	var clerk *tenants.Actor
	db.Ctx(t, county.ID, func(ctx context.Context) error {
		hall := tenanttest.Unit(t, ctx, county.County.ID, tenants.KindTownship, "城关镇", "cg")
		clerk = tenanttest.Member(t, ctx, hall, tenants.RoleTownshipClerk, newPhone())
		return nil
	})
	ctx := context.Background()
	session := uuid.New()
	now := time.Now()
	peek := func(at time.Time, background, cached bool) (*tenants.Membership, *signin.Activity, bool) {
		t.Helper()
		m, a, settled, err := signin.Peek(ctx, db.Store, county.ID, session, clerk.IdentityID, at, background, cached)
		if err != nil {
			t.Fatal(err)
		}
		return m, a, settled
	}

	// No activity yet: the first request writes last_seen, so Peek leaves it to Touch...
	if _, _, settled := peek(now, false, false); settled {
		t.Fatal("a session's first request settled without writing last_seen")
	}
	// ...unless Kratos' answer came from the cache: then the session was ended elsewhere.
	if _, a, settled := peek(now, false, true); !settled || !a.Ended {
		t.Fatalf("cached answer, no activity row: settled %v, %+v; want Ended", settled, a)
	}
	db.Ctx(t, county.ID, func(ctx context.Context) error {
		_, err := signin.Touch(ctx, session, clerk.IdentityID, now, false, false)
		return err
	})

	// Within touchEvery: settled, the county's idle period, and the same membership as
	// GetMembership's.
	m, a, settled := peek(now.Add(10*time.Second), false, true)
	if !settled || a.Idle || a.Ended || a.IdleMinutes != signin.DefaultIdleMinutes {
		t.Fatalf("10 s after a request: settled %v, %+v", settled, a)
	}
	db.Ctx(t, county.ID, func(ctx context.Context) error {
		want, err := tenants.GetMembership(ctx, clerk.IdentityID)
		if err == nil && !reflect.DeepEqual(m.Actor("s"), want.Actor("s")) {
			t.Errorf("Peek's membership\n%+v\nwant GetMembership's\n%+v", m.Actor("s"), want.Actor("s"))
		}
		return err
	})
	// last_seen due again: Touch writes it; the bell's background poll does not count.
	if _, _, settled := peek(now.Add(31*time.Second), false, false); settled {
		t.Error("31 s after a request: settled, but last_seen is due")
	}
	if _, _, settled := peek(now.Add(31*time.Second), true, false); !settled {
		t.Error("a background poll 31 s after a request: not settled, though it writes nothing")
	}
	// Idle past the county's period: Touch ends the session (and writes the log).
	if _, _, settled := peek(now.Add(31*time.Minute), false, false); settled {
		t.Error("31 minutes idle: settled, but the session must end")
	}

	// No membership in the county: nil.
	if m, _, err := func() (*tenants.Membership, bool, error) {
		m, _, settled, err := signin.Peek(ctx, db.Store, county.ID, session, uuid.New(), now, false, false)
		return m, settled, err
	}(); m != nil || err != nil {
		t.Errorf("unknown identity: %+v, %v; want nil", m, err)
	}
	// A disabled membership comes back as it is, for the caller to refuse.
	if _, err := db.Owner.Exec(ctx, `UPDATE memberships SET status = 'disabled' WHERE tenant_id = $1 AND identity_id = $2`, county.ID, clerk.IdentityID); err != nil {
		t.Fatal(err)
	}
	if m, _, settled := peek(now.Add(10*time.Second), false, false); !settled || m.Status != tenants.StatusDisabled {
		t.Errorf("disabled member: settled %v, status %q", settled, m.Status)
	}
}
