package notify_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/notify"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

// SendMany, as a reconciliation calls it: many messages in one statement, most already sent.
// Each recipient hears of each dedup key once; only a message that reached someone new is
// texted, once per phone.
func TestSendManyTellsEachRecipientOnce(t *testing.T) {
	t.Parallel()
	db := tenanttest.New(t)
	c := tenanttest.NewCounty(t, db, "通知县")
	clerk, admin := c.Clerk.IdentityID, c.Admin.IdentityID
	msg := func(key string, sms bool, to ...uuid.UUID) notify.Delivery {
		return notify.Delivery{To: to, Message: notify.Message{Kind: "deadline_red", Title: "承诺时限超期", Body: key, DedupKey: key, SMS: sms}}
	}
	counts := func() (notes, sms int) {
		t.Helper()
		db.Ctx(t, c.ID, func(ctx context.Context) error {
			if err := tenants.DB(ctx).NewSelect().Table("notifications").Where("tenant_id = ?", tenants.CurrentID(ctx)).ColumnExpr("count(*)").Scan(ctx, &notes); err != nil {
				return err
			}
			return tenants.DB(ctx).NewSelect().Table("sms_outbox").Where("tenant_id = ?", tenants.CurrentID(ctx)).ColumnExpr("count(*)").Scan(ctx, &sms)
		})
		return notes, sms
	}
	deliverJobs := func() int {
		return len(tenanttest.Jobs(t, db, func(j tenanttest.Job[notify.DeliverArgs]) bool { return j.Args.TenantID == c.ID }))
	}
	send := func(ds ...notify.Delivery) int {
		t.Helper()
		var n int
		db.Ctx(t, c.ID, func(ctx context.Context) (err error) {
			n, err = notify.SendMany(ctx, ds)
			return err
		})
		return n
	}

	// The first key once to the clerk already (as its job would have sent it).
	db.Ctx(t, c.ID, func(ctx context.Context) error {
		_, err := notify.Send(ctx, []uuid.UUID{clerk}, msg("a", true).Message)
		return err
	})
	if n, sms := counts(); n != 1 || sms != 1 || deliverJobs() != 1 {
		t.Fatalf("after Send: %d notifications, %d SMS, %d delivery jobs", n, sms, deliverJobs())
	}
	// "a" reaches the admin anew (and is texted to both phones: the clerk's SMS is there
	// already); "b" is new, twice the same recipient; "c" is not texted.
	if n := send(msg("a", true, clerk, admin), msg("b", true, admin, admin), msg("c", false, clerk)); n != 3 {
		t.Errorf("SendMany wrote %d notifications, want 3 (a to the admin, b, c)", n)
	}
	if n, sms := counts(); n != 4 || sms != 3 || deliverJobs() != 2 {
		t.Errorf("after SendMany: %d notifications, %d SMS, %d delivery jobs; want 4, 3 (a twice, b once) and 2", n, sms, deliverJobs())
	}
	// Everything again: nothing new, nothing texted, no delivery job.
	if n := send(msg("a", true, clerk, admin), msg("b", true, admin), msg("c", false, clerk)); n != 0 {
		t.Errorf("SendMany of what was sent wrote %d notifications", n)
	}
	if n, sms := counts(); n != 4 || sms != 3 || deliverJobs() != 2 {
		t.Errorf("after sending it all again: %d notifications, %d SMS, %d delivery jobs", n, sms, deliverJobs())
	}
	if n := send(); n != 0 {
		t.Errorf("SendMany of nothing wrote %d", n)
	}
}
