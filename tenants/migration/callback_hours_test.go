package migration_test

import (
	"context"
	"testing"

	"github.com/yichuang/yichuang/tenants/tenanttest"
)

// TestCallbackHoursBecomeWorkingHours: the 差评 callback limit now counts working hours; a
// county left at the old default (24 wall-clock hours, "within a day") gets one working day
// (7 office hours), and a county's own value stays its number.
func TestCallbackHoursBecomeWorkingHours(t *testing.T) {
	t.Parallel()
	db := tenanttest.NewBefore(t, "20261205000009")
	ctx := context.Background()
	a := tenanttest.NewTenant(t, db, "甲县")
	b := tenanttest.NewTenant(t, db, "乙县")
	for _, r := range []struct {
		id    any
		hours int
	}{{a.ID, 24}, {b.ID, 48}} {
		if _, err := db.Owner.Exec(ctx, `INSERT INTO rating_settings (tenant_id, callback_hours) VALUES ($1, $2)`, r.id, r.hours); err != nil {
			t.Fatal(err)
		}
	}
	tenanttest.Upgrade(t, db)
	for _, r := range []struct {
		id   any
		want int
	}{{a.ID, 7}, {b.ID, 48}} {
		var got int
		if err := db.Owner.QueryRow(ctx, `SELECT callback_hours FROM rating_settings WHERE tenant_id = $1`, r.id).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != r.want {
			t.Errorf("callback_hours = %d, want %d", got, r.want)
		}
	}
}
