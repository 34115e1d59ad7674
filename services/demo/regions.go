package demo

import (
	"context"

	"github.com/yichuang/yichuang/services/staff"
	"github.com/yichuang/yichuang/services/supervision"
	"github.com/yichuang/yichuang/services/tenancy"
	"github.com/yichuang/yichuang/tenants"
)

// The demo's regions (issue 16): 示范县 (丰宁, 130826) and a second county, 示范二县, under
// 承德市 in 河北省, and one login per region role.
const (
	ProvinceCode = "130000"
	CityCode     = "130800"
	// SecondCode is the second demo county's tenant code.
	SecondCode = "demo-b"
)

var regionAccounts = []struct {
	role        tenants.Role
	name, phone string
	region      string
}{
	{tenants.RoleCitySupervisor, "孙立新", "13900000008", CityCode},
	{tenants.RoleProvinceSupervisor, "郑文博", "13900000009", ProvinceCode},
	{tenants.RolePlatformOperator, "吴海燕", "13900000010", supervision.CountryCode},
}

// SeedRegions registers 河北省 and 承德市, places 示范县 and 示范二县 (created if missing, with
// its own admin) under the city, publishes both to the supervision store, and creates the
// region logins. Idempotent like Seed.
func SeedRegions(ctx context.Context, svc *staff.Service, sup *supervision.Service, password string) ([]Account, error) {
	for _, r := range []struct{ code, name, level, parent string }{
		{supervision.CountryCode, "全国", supervision.LevelCountry, ""},
		{ProvinceCode, "河北省", supervision.LevelProvince, ""},
		{CityCode, "承德市", supervision.LevelCity, ProvinceCode},
	} {
		if _, err := sup.EnsureRegion(ctx, r.code, r.name, r.level, r.parent); err != nil {
			return nil, err
		}
	}
	second, err := tenancy.Provision(ctx, svc, tenancy.NewCounty{Code: SecondCode, Name: "示范二县", RegionCode: "130827", CityCode: CityCode,
		AdminName: "冯志强", AdminPhone: "13900000011", AdminPass: password}, true)
	if err != nil {
		return nil, err
	}
	var out []Account
	for _, id := range []string{Code, SecondCode} {
		err := svc.Store.InTx(ctx, tenants.IDForCode(id), func(ctx context.Context) error {
			if err := tenants.SetCity(ctx, CityCode); err != nil {
				return err
			}
			_, err := sup.Republish(ctx)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	out = append(out, Account{Role: tenants.RoleCountyAdmin, RoleName: tenants.RoleCountyAdmin.Label(), Name: second.Admin.Name, Phone: second.Admin.Phone,
		Password: password, OrgUnit: "示范二县"})
	names := map[string]string{CityCode: "承德市", ProvinceCode: "河北省", supervision.CountryCode: "全国"}
	for _, a := range regionAccounts {
		if _, err := sup.EnsureAccount(ctx, supervision.NewAccount{RegionCode: a.region, Role: a.role, Name: a.name, Phone: a.phone, Password: password}); err != nil {
			return nil, err
		}
		out = append(out, Account{Role: a.role, RoleName: a.role.Label(), Name: a.name, Phone: a.phone, Password: password, OrgUnit: names[a.region]})
	}
	return out, nil
}
