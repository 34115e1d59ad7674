package tenanttest

import (
	"context"
	"testing"

	"github.com/yichuang/yichuang/tenants"
)

// County is the standard county of the service tests: 城关镇 (a township hall) with 东关社区
// under it, a second township 河西镇, the civil-affairs bureau 县民政局 as a county department,
// and one active member of each kind. Tests add what their package needs beside it.
type County struct {
	*Tenant
	// Township is 城关镇, the hall; OtherTownship is 河西镇.
	Township, OtherTownship *tenants.OrgUnit
	// Community is 东关社区, under Township.
	Community *tenants.OrgUnit
	// Department is 县民政局.
	Department *tenants.OrgUnit
	// Admin is a county admin; Clerk a township clerk of Township and OtherClerk of
	// OtherTownship; Worker a community worker of Community; Staff department staff of
	// Department. Their phones are 13800000001 to 13800000005; tests adding members use others.
	Admin, Clerk, OtherClerk, Worker, Staff *tenants.Actor
}

// NewCounty creates a tenant with the standard county.
func NewCounty(t testing.TB, db *DB, name string) *County {
	t.Helper()
	c := &County{Tenant: NewTenant(t, db, name)}
	db.Ctx(t, c.ID, func(ctx context.Context) error {
		c.Township = Unit(t, ctx, c.County.ID, tenants.KindTownship, "城关镇", "cg")
		c.OtherTownship = Unit(t, ctx, c.County.ID, tenants.KindTownship, "河西镇", "hx")
		c.Community = Unit(t, ctx, c.Township.ID, tenants.KindCommunity, "东关社区", "dg")
		c.Department = Unit(t, ctx, c.County.ID, tenants.KindDepartment, "县民政局", "mz")
		c.Admin = Member(t, ctx, c.County, tenants.RoleCountyAdmin, "13800000001")
		c.Clerk = Member(t, ctx, c.Township, tenants.RoleTownshipClerk, "13800000002")
		c.Worker = Member(t, ctx, c.Community, tenants.RoleCommunityWorker, "13800000003")
		c.Staff = Member(t, ctx, c.Department, tenants.RoleDepartmentStaff, "13800000004")
		c.OtherClerk = Member(t, ctx, c.OtherTownship, tenants.RoleTownshipClerk, "13800000005")
		return nil
	})
	return c
}

// As runs fn in the county's transaction as a (nil: the system, as a job runs).
func (c *County) As(t testing.TB, db *DB, a *tenants.Actor, fn func(ctx context.Context) error) error {
	t.Helper()
	ctx := context.Background()
	if a != nil {
		ctx = tenants.WithActor(ctx, a)
	}
	return db.Store.InTx(ctx, c.ID, fn)
}
