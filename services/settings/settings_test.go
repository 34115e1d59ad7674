package settings_test

import (
	"context"
	"testing"

	"github.com/yichuang/yichuang/services/settings"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

// TestGetPut: a county without a row has the national rules; Put stores the admin's values
// and tells the wired hook; the calendar's revision survives a Put (only BumpCalendar moves
// it, so cached calendars stay fresh).
func TestGetPut(t *testing.T) {
	t.Parallel()
	db := tenanttest.New(t)
	c := tenanttest.NewTenant(t, db, "规则县")
	hooked := 0
	svc := &settings.Service{OnChange: func(context.Context) error { hooked++; return nil }}
	db.Ctx(t, c.ID, func(ctx context.Context) error {
		st, err := settings.Get(ctx)
		if err != nil {
			return err
		}
		if *st != settings.Defaults() {
			t.Errorf("without a row: %+v, want the defaults", st)
		}
		if _, err := settings.BumpCalendar(ctx); err != nil {
			return err
		}
		rev, err := settings.BumpCalendar(ctx)
		if err != nil {
			return err
		}
		in := settings.Defaults()
		in.YellowDays, in.ReceiptPrefix = 4, "FN"
		if _, err := svc.Put(ctx, in); err != nil {
			return err
		}
		st, err = settings.Get(ctx)
		if err != nil {
			return err
		}
		if st.YellowDays != 4 || st.ReceiptPrefix != "FN" || st.TenantID != c.ID {
			t.Errorf("after Put: %+v", st)
		}
		if st.CalendarRev != rev || rev != 2 {
			t.Errorf("calendar revision %d after Put, want %d (2)", st.CalendarRev, rev)
		}
		in.YellowDays = 99
		if _, err := svc.Put(ctx, in); err == nil {
			t.Error("yellow_days 99 was stored")
		}
		return nil
	})
	if hooked != 1 {
		t.Errorf("the hook ran %d times, want once (for the one stored change)", hooked)
	}
}
