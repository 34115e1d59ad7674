package server

import (
	"context"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/auditlog"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/supervision"
	"github.com/yichuang/yichuang/services/tenancy"
	"github.com/yichuang/yichuang/tenants"
)

// The platform operator's console (issue 16, item 1): the county registry by region, a new
// county (the CLI's `tenant create` as a form), each county's health, regions and region
// accounts. Region accounts of the platform operator only (registerRegion); every read across
// counties goes through supervision's deliberate paths (the platform transaction for the
// registry, each county's own transaction for its health).

type registryOut struct{ Body *supervision.Registry }

type newCountyIn struct {
	Body struct {
		Code          string `json:"code" maxLength:"32" doc:"租户编码，如 fengning（小写字母开头）"`
		Name          string `json:"name" maxLength:"100" doc:"县（区）名称"`
		RegionCode    string `json:"region_code,omitempty" maxLength:"6" doc:"本县（区）行政区划代码（6 位，可空）"`
		CityCode      string `json:"city_code" maxLength:"6" doc:"所属市的区划代码"`
		AdminName     string `json:"admin_name" maxLength:"50"`
		AdminPhone    string `json:"admin_phone" maxLength:"11"`
		AdminPassword string `json:"admin_password" maxLength:"72"`
	}
}

type newCountyOut struct {
	Body supervision.CountyLine
}

type healthIn struct {
	County string `path:"county" maxLength:"36" doc:"the county's tenant id or code"`
}

type countyHealthOut struct{ Body *supervision.Health }

type newRegionIn struct {
	Body struct {
		Code       string `json:"code" maxLength:"6" doc:"GB/T 2260 区划代码"`
		Name       string `json:"name" maxLength:"100"`
		Level      string `json:"level" enum:"province,city"`
		ParentCode string `json:"parent_code,omitempty" maxLength:"6" doc:"上级区划代码（省：可空）"`
	}
}

type regionOut struct{ Body *supervision.Region }

type newAccountIn struct {
	Body struct {
		RegionCode string `json:"region_code" maxLength:"6"`
		Role       string `json:"role" enum:"city_supervisor,province_supervisor,platform_operator"`
		Name       string `json:"name" maxLength:"50"`
		Phone      string `json:"phone" maxLength:"11"`
		Password   string `json:"password" maxLength:"72"`
	}
}

// RegionAccount is a region account as the console shows it.
type RegionAccount struct {
	IdentityID uuid.UUID `json:"identity_id"`
	RegionCode string    `json:"region_code"`
	Role       string    `json:"role"`
	Name       string    `json:"name"`
	Phone      string    `json:"phone"`
}

type accountOut struct{ Body RegionAccount }

func (s *Server) platformRoutes() {
	registerRegion(s, huma.Operation{OperationID: "list-platform-counties", Method: http.MethodGet, Path: "/api/v1/platform/counties",
		Summary: "县（区）管理 / Counties by region", Tags: []string{"platform"}},
		operators, func(ctx context.Context, _ *struct{}) (*registryOut, error) {
			r, err := s.supervision().Counties(ctx)
			return &registryOut{Body: r}, err
		})
	registerRegion(s, huma.Operation{OperationID: "create-county", Method: http.MethodPost, Path: "/api/v1/platform/counties",
		Summary:     "开通县（区）/ Create a county",
		Description: "What `yichuang tenant create` does: the tenant, its county unit, its first county admin (a Kratos identity), placed under a city. Audited in the new county's chain.",
		Tags:        []string{"platform"}, DefaultStatus: http.StatusCreated, Errors: []int{409, 422}},
		operators, func(ctx context.Context, in *newCountyIn) (*newCountyOut, error) {
			b := in.Body
			if b.CityCode == "" {
				return nil, problem.Invalid(problem.Field{Location: "body.city_code", Message: "请选择所属市", MessageEn: "choose the city"})
			}
			p, err := tenancy.Provision(ctx, s.staff, tenancy.NewCounty{Code: b.Code, Name: b.Name, RegionCode: b.RegionCode, CityCode: b.CityCode,
				AdminName: b.AdminName, AdminPhone: b.AdminPhone, AdminPass: b.AdminPassword}, false)
			if err != nil {
				return nil, inBody(err)
			}
			// Published at once, so the city's supervisors see the new county before its first change.
			if err := s.deps.Store.InTx(ctx, p.Tenant.ID, func(ctx context.Context) error {
				_, err := s.supervision().Republish(ctx)
				return err
			}); err != nil {
				return nil, err
			}
			return &newCountyOut{Body: supervision.CountyLine{ID: p.Tenant.ID, Code: p.Tenant.Code, Name: p.Tenant.Name, RegionCode: p.Tenant.RegionCode,
				CityCode: b.CityCode, Status: p.Tenant.Status, CreatedAt: p.Tenant.CreatedAt}}, nil
		})
	registerRegion(s, huma.Operation{OperationID: "get-county-health", Method: http.MethodGet, Path: "/api/v1/platform/counties/{county}/health",
		Summary:     "县（区）运行状况 / A county's health",
		Description: "Job backlog, the audit chain's last anchor, the last sign-in, storage used, the supervision feed's lag; read in that county's own transaction.",
		Tags:        []string{"platform"}, Errors: []int{404}},
		operators, func(ctx context.Context, in *healthIn) (*countyHealthOut, error) {
			var vault supervision.VaultFor
			if s.deps.Storage != nil {
				vault = func(t uuid.UUID) auditlog.Vault { return s.deps.Storage.Archive(t) }
			}
			county, err := countyRef(in.County)
			if err != nil {
				return nil, err
			}
			h, err := s.supervision().CountyHealth(ctx, county, vault)
			return &countyHealthOut{Body: h}, err
		})
	registerRegion(s, huma.Operation{OperationID: "create-region", Method: http.MethodPost, Path: "/api/v1/platform/regions",
		Summary: "新增区划 / Register a province or city", Tags: []string{"platform"}, DefaultStatus: http.StatusCreated, Errors: []int{422}},
		operators, func(ctx context.Context, in *newRegionIn) (*regionOut, error) {
			r, err := s.supervision().EnsureRegion(ctx, in.Body.Code, in.Body.Name, in.Body.Level, in.Body.ParentCode)
			return &regionOut{Body: r}, err
		})
	registerRegion(s, huma.Operation{OperationID: "create-region-account", Method: http.MethodPost, Path: "/api/v1/platform/accounts",
		Summary:     "新建监察账号 / Create a region account",
		Description: "A city or province supervisor (or another platform operator): a Kratos identity that belongs to the region, not to a county.",
		Tags:        []string{"platform"}, DefaultStatus: http.StatusCreated, Errors: []int{409, 422}},
		operators, func(ctx context.Context, in *newAccountIn) (*accountOut, error) {
			b := in.Body
			m, err := s.supervision().CreateAccount(ctx, supervision.NewAccount{RegionCode: b.RegionCode, Role: tenants.Role(b.Role),
				Name: b.Name, Phone: b.Phone, Password: b.Password})
			if err != nil {
				return nil, err
			}
			return &accountOut{Body: RegionAccount{IdentityID: m.IdentityID, RegionCode: m.RegionCode, Role: string(m.Role), Name: m.Name, Phone: m.Phone}}, nil
		})
}

// inBody puts tenancy's field locations ("code") under the request body ("body.code"), where
// the form finds them.
func inBody(err error) error {
	p, ok := problem.As(err)
	if !ok {
		return err
	}
	for i, f := range p.Fields {
		if !strings.HasPrefix(f.Location, "body.") {
			p.Fields[i].Location = "body." + f.Location
		}
	}
	return p
}
