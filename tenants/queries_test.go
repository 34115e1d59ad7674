package tenants_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

func sorted(ids ...uuid.UUID) []uuid.UUID {
	out := slices.Clone(ids)
	slices.SortFunc(out, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	return out
}

// TestMemberQueries: the member queries other packages ask tenants for (memberships is read
// nowhere else).
func TestMemberQueries(t *testing.T) {
	t.Parallel()
	db := tenanttest.New(t)
	c := tenanttest.NewCounty(t, db, "查询县")
	other := tenanttest.NewCounty(t, db, "邻县")
	db.Ctx(t, c.ID, func(ctx context.Context) error {
		boss := c.Admin.IdentityID
		if _, err := tenants.Own(ctx, tenants.DB(ctx).NewUpdate().Model((*tenants.Membership)(nil))).Set("supervisor_id = ?", boss).
			Where("identity_id = ?", c.Clerk.IdentityID).Exec(ctx); err != nil {
			return err
		}
		check := func(name string, want []uuid.UUID, reach ...tenants.Reach) {
			t.Helper()
			got, err := tenants.ActiveMembers(ctx, reach...)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(sorted(got...), sorted(want...)) {
				t.Errorf("%s: %v, want %v", name, got, want)
			}
		}
		clerk := c.Clerk.IdentityID
		check("clerks of 城关镇", []uuid.UUID{clerk}, tenants.Reach{Role: tenants.RoleTownshipClerk, Units: []uuid.UUID{c.Township.ID}})
		check("clerks anywhere", []uuid.UUID{clerk, c.OtherClerk.IdentityID}, tenants.Reach{Role: tenants.RoleTownshipClerk})
		check("anyone of 县民政局", []uuid.UUID{c.Staff.IdentityID}, tenants.Reach{Units: []uuid.UUID{c.Department.ID}})
		check("admins or one identity, each once", []uuid.UUID{boss, c.Worker.IdentityID},
			tenants.Reach{Role: tenants.RoleCountyAdmin}, tenants.Reach{Identity: &c.Worker.IdentityID}, tenants.Reach{Identity: &boss})
		check("an empty unit list reaches nobody", nil, tenants.Reach{Role: tenants.RoleTownshipClerk, Units: []uuid.UUID{}})
		check("no reach, nobody", nil)
		check("another county's member is not reached", nil, tenants.Reach{Identity: &other.Admin.IdentityID})

		if _, err := tenants.Own(ctx, tenants.DB(ctx).NewUpdate().Model((*tenants.Membership)(nil))).Set("status = ?", tenants.StatusDisabled).
			Where("identity_id = ?", c.OtherClerk.IdentityID).Exec(ctx); err != nil {
			return err
		}
		check("a disabled member is not reached", []uuid.UUID{clerk}, tenants.Reach{Role: tenants.RoleTownshipClerk})

		// The clerk reports to the admin; the worker has no supervisor, so the admins hear.
		sup, err := tenants.Supervisors(ctx, []uuid.UUID{clerk, c.Worker.IdentityID})
		if err != nil {
			return err
		}
		if !slices.Equal(sup, []uuid.UUID{boss, boss}) {
			t.Errorf("supervisors %v, want the admin as supervisor and as the county's admin", sup)
		}
		phones, err := tenants.Phones(ctx, []uuid.UUID{clerk, c.OtherClerk.IdentityID})
		if err != nil {
			return err
		}
		if !slices.Equal(phones, []string{"13800000002"}) {
			t.Errorf("phones %v, want the active clerk's only", phones)
		}
		var name, none *string
		if err := tenants.DB(ctx).NewRaw("SELECT ?, ?", tenants.MemberName(ctx, "'"+clerk.String()+"'::uuid"),
			tenants.MemberName(ctx, "'"+other.Admin.IdentityID.String()+"'::uuid")).Scan(ctx, &name, &none); err != nil {
			return err
		}
		if name == nil || *name != "成员0002" || none != nil {
			t.Errorf("member names %v %v, want the clerk's and none from another county", name, none)
		}
		names, err := tenants.UnitNames(ctx, c.Township.ID, c.Department.ID, other.Township.ID)
		if err != nil {
			return err
		}
		if len(names) != 2 || names[c.Township.ID] != "城关镇" || names[c.Department.ID] != "县民政局" {
			t.Errorf("unit names %v", names)
		}
		return nil
	})
}

type pingArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
}

func (pingArgs) Kind() string        { return "tenants_test_ping" }
func (a pingArgs) Tenant() uuid.UUID { return a.TenantID }

// TestCancelJob cancels a scheduled job through River's API in the caller's transaction: rolled
// back, the job still waits; committed, it is cancelled; a finished or vanished job is no error.
func TestCancelJob(t *testing.T) {
	t.Parallel()
	db := tenanttest.New(t)
	c := tenanttest.NewTenant(t, db, "任务县")
	var id int64
	db.Ctx(t, c.ID, func(ctx context.Context) (err error) {
		id, err = tenants.Enqueue(ctx, pingArgs{TenantID: c.ID}, &river.InsertOpts{ScheduledAt: time.Now().Add(time.Hour)})
		return err
	})
	state := func() rivertype.JobState {
		t.Helper()
		j, err := db.River.JobGet(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		return j.State
	}
	_ = db.Store.InTx(context.Background(), c.ID, func(ctx context.Context) error {
		if err := tenants.CancelJob(ctx, id); err != nil {
			t.Fatal(err)
		}
		return context.Canceled // roll back
	})
	if s := state(); s != rivertype.JobStateScheduled {
		t.Fatalf("after a rolled-back cancel the job is %s", s)
	}
	db.Ctx(t, c.ID, func(ctx context.Context) error { return tenants.CancelJob(ctx, id) })
	if s := state(); s != rivertype.JobStateCancelled {
		t.Fatalf("after a cancel the job is %s", s)
	}
	db.Ctx(t, c.ID, func(ctx context.Context) error { return tenants.CancelJob(ctx, id) })
	db.Ctx(t, c.ID, func(ctx context.Context) error { return tenants.CancelJob(ctx, 1<<62) })
}

// TestEnqueueMany inserts jobs in one statement through River's InsertManyTx, in the caller's
// transaction: rolled back, none exist; committed, each exists with its options; a job of
// another tenant is refused before anything is inserted.
func TestEnqueueMany(t *testing.T) {
	t.Parallel()
	db := tenanttest.New(t)
	c := tenanttest.NewTenant(t, db, "批量县")
	other := tenanttest.NewTenant(t, db, "他县")
	later := time.Now().Add(time.Hour).Truncate(time.Second)
	batch := []tenants.JobInsert{
		{Args: pingArgs{TenantID: c.ID}, Opts: &river.InsertOpts{ScheduledAt: later}},
		{Args: pingArgs{TenantID: c.ID}, Opts: &river.InsertOpts{ScheduledAt: later.Add(time.Hour)}},
	}
	mine := func() []tenanttest.Job[pingArgs] {
		return tenanttest.Jobs(t, db, func(j tenanttest.Job[pingArgs]) bool { return j.Args.TenantID == c.ID })
	}
	_ = db.Store.InTx(context.Background(), c.ID, func(ctx context.Context) error {
		if _, err := tenants.EnqueueMany(ctx, batch); err != nil {
			t.Fatal(err)
		}
		return context.Canceled // roll back
	})
	if n := len(mine()); n != 0 {
		t.Fatalf("a rolled-back EnqueueMany left %d jobs", n)
	}
	err := db.Store.InTx(context.Background(), c.ID, func(ctx context.Context) error {
		_, err := tenants.EnqueueMany(ctx, append(slices.Clone(batch), tenants.JobInsert{Args: pingArgs{TenantID: other.ID}}))
		return err
	})
	if err == nil || len(mine()) != 0 {
		t.Fatalf("a batch with another tenant's job: err %v, %d jobs", err, len(mine()))
	}
	var rows []*rivertype.JobRow
	db.Ctx(t, c.ID, func(ctx context.Context) (err error) {
		rows, err = tenants.EnqueueMany(ctx, batch)
		return err
	})
	got := mine()
	if len(rows) != 2 || len(got) != 2 || rows[0].ID != got[0].ID || rows[1].ID != got[1].ID {
		t.Fatalf("EnqueueMany returned %d rows, %d jobs exist", len(rows), len(got))
	}
	for i, j := range got {
		if !j.ScheduledAt.Equal(batch[i].Opts.ScheduledAt) || j.State != rivertype.JobStateScheduled {
			t.Errorf("job %d scheduled %v state %s, want %v scheduled", i, j.ScheduledAt, j.State, batch[i].Opts.ScheduledAt)
		}
	}
}
