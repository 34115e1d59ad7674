// Package demo seeds a demonstration county (示范县) with townships, villages and
// communities, county departments and one account per role, so `make run` shows a working
// product. Seeding is idempotent: a second run changes nothing and prints the same logins.
package demo

import (
	"context"
	"database/sql"
	"errors"

	"github.com/yichuang/yichuang/services/catalog"
	"github.com/yichuang/yichuang/services/secret"
	"github.com/yichuang/yichuang/services/staff"
	"github.com/yichuang/yichuang/services/tenancy"
	"github.com/yichuang/yichuang/tenants"
)

// Code is the demo tenant's code.
const Code = "demo"

// Account is a demo login.
type Account struct {
	Role     tenants.Role `json:"role"`
	RoleName string       `json:"role_name"`
	Name     string       `json:"name"`
	Phone    string       `json:"phone"`
	Password string       `json:"password"`
	OrgUnit  string       `json:"org_unit"`
}

type unit struct {
	code, parent, name string
	kind               tenants.OrgKind
}

// The county's shape: two townships with their halls, two villages/communities under each,
// and the county departments, civil affairs (民政审核) and justice (合法性审查) among them.
var units = []unit{
	{"chengguan", "county", "城关镇", tenants.KindTownship},
	{"hexi", "county", "河西镇", tenants.KindTownship},
	{"dongguan", "chengguan", "东关社区", tenants.KindCommunity},
	{"xijie", "chengguan", "西街社区", tenants.KindCommunity},
	{"lijia", "hexi", "李家村", tenants.KindVillage},
	{"wangzhuang", "hexi", "王庄村", tenants.KindVillage},
	{"minzheng", "county", "县民政局", tenants.KindDepartment},
	{"renshe", "county", "县人力资源和社会保障局", tenants.KindDepartment},
	{"weijian", "county", "县卫生健康委员会", tenants.KindDepartment},
	{"yibao", "county", "县医疗保障局", tenants.KindDepartment},
	{"canlian", "county", "县残疾人联合会", tenants.KindDepartment},
	{"tuiyi", "county", "县退役军人事务局", tenants.KindDepartment},
	{"zhujian", "county", "县住房和城乡建设局", tenants.KindDepartment},
	{"sifa", "county", "县司法局", tenants.KindDepartment},
}

type account struct {
	role        tenants.Role
	name, phone string
	unit        string
}

var accounts = []account{
	{tenants.RoleCountyAdmin, "王建国", "13900000001", "county"},
	{tenants.RoleDepartmentStaff, "李秀英", "13900000002", "minzheng"},
	{tenants.RoleTownshipClerk, "张伟", "13900000003", "chengguan"},
	{tenants.RoleCommunityWorker, "刘芳", "13900000004", "dongguan"},
	// An applying department and the legal reviewer of the access lists: reviews are separate
	// duties, so an admission needs a department that applies and three other people.
	{tenants.RoleDepartmentStaff, "陈静", "13900000005", "weijian"},
	{tenants.RoleDepartmentStaff, "赵敏", "13900000006", "sifa"},
	// 县民政局's head, who alone grants an extension of its applications (行政许可法 art. 42).
	{tenants.RoleAgencyHead, "周建华", "13900000007", "minzheng"},
}

// Seed creates the demo county (if missing) and returns its logins. With a key it also puts
// a roster of community workers on the books (三岗十八级), linking 刘芳 to her sign-in.
func Seed(ctx context.Context, svc *staff.Service, password string, box *secret.Box) ([]Account, error) {
	admin := accounts[0]
	p, err := tenancy.Provision(ctx, svc, tenancy.NewCounty{Code: Code, Name: "示范县", RegionCode: "130826",
		AdminName: admin.name, AdminPhone: admin.phone, AdminPass: password}, true)
	if err != nil {
		return nil, err
	}
	ids := map[string]*tenants.OrgUnit{"county": p.County}
	err = svc.Store.InTx(ctx, p.Tenant.ID, func(ctx context.Context) error {
		for _, u := range units {
			existing := new(tenants.OrgUnit)
			err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(existing)).Where("ou.code = ?", u.code).Scan(ctx)
			if err == nil {
				ids[u.code] = existing
				continue
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			parent := ids[u.parent].ID
			created, err := tenants.CreateOrgUnit(ctx, tenants.NewOrgUnit{ParentID: &parent, Kind: u.kind, Name: u.name, Code: u.code})
			if err != nil {
				return err
			}
			if err := tenants.Audit(ctx, tenants.Change{Action: "org_unit.create", TargetType: "org_unit", TargetID: created.ID.String(),
				Summary: map[string]any{"name": u.name, "code": u.code, "kind": u.kind, "source": "seed-demo"}}); err != nil {
				return err
			}
			ids[u.code] = created
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := svc.Store.InTx(ctx, p.Tenant.ID, func(ctx context.Context) error { return seedCatalog(ctx, ids) }); err != nil {
		return nil, err
	}
	if err := svc.Store.InTx(ctx, p.Tenant.ID, func(ctx context.Context) error { return seedAccess(ctx, ids) }); err != nil {
		return nil, err
	}
	var out []Account
	var worker, clerk *tenants.Membership
	for _, a := range accounts {
		u := ids[a.unit]
		m, err := svc.Create(ctx, p.Tenant.ID, staff.NewAccount{Name: a.name, Phone: a.phone, Password: password,
			OrgUnitID: u.ID, Roles: []tenants.Role{a.role}, Scope: tenants.DefaultScope([]tenants.Role{a.role})})
		if err != nil {
			return nil, err
		}
		if a.role == tenants.RoleCommunityWorker {
			worker = m
		}
		if a.role == tenants.RoleTownshipClerk {
			clerk = m
		}
		out = append(out, Account{Role: a.role, RoleName: a.role.Label(), Name: a.name, Phone: a.phone, Password: password, OrgUnit: u.Name})
	}
	if box != nil {
		err := svc.Store.InTx(ctx, p.Tenant.ID, func(ctx context.Context) error { return seedWorkforce(ctx, box, ids, worker) })
		if err != nil {
			return nil, err
		}
		// One application left overdue, so the city's 效能监察 shows a 红牌 (issue 16, item 4).
		if err := svc.Store.InTx(ctx, p.Tenant.ID, func(ctx context.Context) error {
			m, err := tenants.GetMembership(ctx, clerk.IdentityID)
			if err != nil {
				return err
			}
			return seedOverdue(ctx, box, m.Actor(""))
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// seedCatalog publishes the sample catalogue; items already present are left as they are.
func seedCatalog(ctx context.Context, units map[string]*tenants.OrgUnit) error {
	for _, smp := range catalog.Samples() {
		n, err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model((*catalog.Record)(nil))).Where("impl_code = ?", smp.Item.ImplCode).Count(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		dept, ok := units[smp.Department]
		if !ok {
			return errors.New("demo: sample item of unknown department " + smp.Department)
		}
		it := smp.Item
		it.DepartmentID = dept.ID
		r, err := catalog.Create(ctx, it)
		if err != nil {
			return err
		}
		if _, err := catalog.Publish(ctx, r.ID, r.RowVersion); err != nil {
			return err
		}
	}
	return nil
}
