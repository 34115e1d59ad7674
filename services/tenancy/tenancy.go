// Package tenancy provisions a county: the tenant, its county org unit and its first
// county admin. Platform operators run it (yichuang tenant create).
package tenancy

import (
	"context"
	"errors"
	"regexp"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/staff"
	"github.com/yichuang/yichuang/tenants"
)

// NewCounty is a county to provision.
type NewCounty struct {
	Code       string // e.g. "fengning"; the tenant's id derives from it
	Name       string // e.g. "丰宁满族自治县"
	RegionCode string // 6-digit 行政区划代码, optional
	CityCode   string // the city (supervision.regions) the county belongs to, optional
	AdminName  string
	AdminPhone string
	AdminPass  string
}

var regionPattern = regexp.MustCompile(`^([0-9]{6})?$`)

// Provisioned is what Provision made.
type Provisioned struct {
	Tenant *tenants.Tenant
	County *tenants.OrgUnit
	Admin  *tenants.Membership
}

// Provision creates the tenant and its admin. A tenant that exists already is an error
// unless ifMissing, in which case the existing one is returned (and its admin ensured).
func Provision(ctx context.Context, svc *staff.Service, in NewCounty, ifMissing bool) (*Provisioned, error) {
	var c problem.Checker
	c.Check(tenants.ValidCode(in.Code), "code", "租户编码须以小写字母开头，由小写字母、数字和连字符组成（2 至 32 位）", "code must be 2-32 lowercase letters, digits or '-', starting with a letter", in.Code)
	n := utf8.RuneCountInString(in.Name)
	c.Check(n >= 1 && n <= 100, "name", "县（区）名称须为 1 至 100 个字", "name must be 1 to 100 characters", in.Name)
	c.Check(regionPattern.MatchString(in.RegionCode), "region_code", "行政区划代码须为 6 位数字", "region code must be 6 digits", in.RegionCode)
	c.Check(regionPattern.MatchString(in.CityCode), "city_code", "所属市的区划代码须为 6 位数字", "city code must be 6 digits", in.CityCode)
	if err := c.Err(); err != nil {
		return nil, err
	}
	id := tenants.IDForCode(in.Code)
	out := &Provisioned{}
	err := svc.Store.InTx(ctx, id, func(ctx context.Context) error {
		if t, err := tenants.Current(ctx); err == nil {
			if !ifMissing {
				return problem.Conflict("tenant_exists", "该租户编码已存在", "tenant code already exists")
			}
			out.Tenant = t
			out.County, err = countyOf(ctx)
			return err
		} else if !errors.Is(err, tenants.ErrNotFound) {
			return err
		}
		var err error
		if out.Tenant, err = tenants.CreateTenant(ctx, in.Code, in.Name, in.RegionCode); err != nil {
			var pgErr *pgconn.PgError
			if errors.As(err, &pgErr) && pgErr.Code == "23505" {
				return problem.Conflict("tenant_exists", "该租户编码已存在", "tenant code already exists")
			}
			return err
		}
		if in.CityCode != "" {
			if err := tenants.SetCity(ctx, in.CityCode); err != nil {
				if errors.Is(err, tenants.ErrNoRegion) {
					return problem.Invalid(problem.Field{Location: "city_code", Message: "所属市不存在", MessageEn: "no such city", Value: in.CityCode})
				}
				return err
			}
			out.Tenant.CityCode = &in.CityCode
		}
		if out.County, err = tenants.CreateOrgUnit(ctx, tenants.NewOrgUnit{Kind: tenants.KindCounty, Name: in.Name, Code: "county"}); err != nil {
			return err
		}
		return tenants.Audit(ctx, tenants.Change{Action: "tenant.create", TargetType: "tenant", TargetID: id.String(),
			Summary: map[string]any{"code": in.Code, "name": in.Name, "region_code": in.RegionCode, "city_code": in.CityCode}})
	})
	if err != nil {
		return nil, err
	}
	out.Admin, err = svc.Create(ctx, id, staff.NewAccount{Name: in.AdminName, Phone: in.AdminPhone, Password: in.AdminPass,
		OrgUnitID: out.County.ID, Roles: []tenants.Role{tenants.RoleCountyAdmin}, Scope: tenants.ScopeTenant})
	return out, err
}

func countyOf(ctx context.Context) (*tenants.OrgUnit, error) {
	u := new(tenants.OrgUnit)
	err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(u)).Where("ou.parent_id IS NULL").Scan(ctx)
	return u, err
}
