package supervision

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/yichuang/yichuang/services/identity"
	"github.com/yichuang/yichuang/services/problem"
	"github.com/yichuang/yichuang/services/staff"
	"github.com/yichuang/yichuang/tenants"
)

// Identities is what the package needs of Kratos: region accounts are identities like a
// county's staff, with metadata_public.region_code in place of tenant_id.
type Identities interface {
	CreateStaff(ctx context.Context, in identity.NewStaff) (uuid.UUID, error)
	Delete(ctx context.Context, id uuid.UUID) error
	VerifyPassword(ctx context.Context, phone, password string) (bool, error)
	SetPassword(ctx context.Context, id uuid.UUID, password string) error
}

// Region levels.
const (
	LevelCountry  = "country"
	LevelProvince = "province"
	LevelCity     = "city"
)

// CountryCode is the root every region hangs from: the platform operator's region.
const CountryCode = "000000"

// Region is a province, a city, or the country root.
type Region struct {
	bun.BaseModel `bun:"table:supervision.regions,alias:r"`

	Code       string    `bun:"code,pk" json:"code"`
	Name       string    `bun:"name" json:"name"`
	Level      string    `bun:"level" json:"level" enum:"country,province,city"`
	ParentCode *string   `bun:"parent_code" json:"parent_code,omitempty"`
	Path       string    `bun:"path" json:"path"`
	CreatedAt  time.Time `bun:"created_at,nullzero,default:now()" json:"-"`
}

// Member is a region account.
type Member struct {
	bun.BaseModel `bun:"table:supervision.region_members,alias:rm"`

	IdentityID uuid.UUID    `bun:"identity_id,pk,type:uuid"`
	RegionCode string       `bun:"region_code"`
	Role       tenants.Role `bun:"role"`
	Name       string       `bun:"name"`
	Phone      string       `bun:"phone"`
	Status     string       `bun:"status"`
	CreatedAt  time.Time    `bun:"created_at,nullzero,default:now()"`
}

// roleLevel is the level of region each region role belongs to.
var roleLevel = map[tenants.Role]string{
	tenants.RoleCitySupervisor: LevelCity, tenants.RoleProvinceSupervisor: LevelProvince, tenants.RolePlatformOperator: LevelCountry,
}

// EnsureRegion registers a region under its parent (the country root when parent is ""),
// in the platform's transaction; a region already there is returned as it is.
func (s *Service) EnsureRegion(ctx context.Context, code, name, level, parent string) (*Region, error) {
	var c problem.Checker
	c.Check(tenants.ValidRegionCode(code), "body.code", "行政区划代码须为 6 位数字", "region code must be 6 digits", code)
	n := utf8.RuneCountInString(name)
	c.Check(n >= 1 && n <= 100, "body.name", "名称须为 1 至 100 个字", "name must be 1 to 100 characters", name)
	c.Check(level == LevelProvince || level == LevelCity || level == LevelCountry, "body.level", "层级无效", "unknown level", level)
	if err := c.Err(); err != nil {
		return nil, err
	}
	out := new(Region)
	err := s.Store.InPlatform(ctx, func(ctx context.Context, db bun.IDB) error {
		if err := db.NewSelect().Model(out).Where("code = ?", code).Scan(ctx); err == nil {
			return nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		*out = Region{Code: code, Name: name, Level: level, Path: "/" + code + "/"}
		if level != LevelCountry {
			if parent == "" {
				parent = CountryCode
			}
			p := new(Region)
			if err := db.NewSelect().Model(p).Where("code = ?", parent).Scan(ctx); err != nil {
				return problem.Invalid(problem.Field{Location: "body.parent_code", Message: "上级区划不存在", MessageEn: "no such parent region", Value: parent})
			}
			want := map[string]string{LevelProvince: LevelCountry, LevelCity: LevelProvince}[level]
			if p.Level != want {
				return problem.Invalid(problem.Field{Location: "body.parent_code", Message: "上级区划层级不符", MessageEn: "the parent is not one level up", Value: parent})
			}
			out.ParentCode, out.Path = &p.Code, p.Path+code+"/"
		}
		// A concurrent creation of the same code wins; this one then reads it.
		if _, err := db.NewInsert().Model(out).On("CONFLICT (code) DO NOTHING").Exec(ctx); err != nil {
			return err
		}
		return db.NewSelect().Model(out).Where("code = ?", code).Scan(ctx)
	})
	return out, err
}

// Regions lists every region (public reference data), by path.
func (s *Service) Regions(ctx context.Context) ([]Region, error) {
	var out []Region
	err := s.Store.InPlatform(ctx, func(ctx context.Context, db bun.IDB) error {
		return db.NewSelect().Model(&out).Order("path").Scan(ctx)
	})
	return out, err
}

var phonePattern = regexp.MustCompile(`^1[3-9][0-9]{9}$`)

// NewAccount is a region account to create.
type NewAccount struct {
	RegionCode string
	Role       tenants.Role
	Name       string
	Phone      string
	Password   string
}

// CreateAccount makes a region account: a Kratos identity carrying the region's code, and its
// row in supervision.region_members. The role must fit the region's level (a city supervisor
// belongs to a city, a platform operator to the country root).
func (s *Service) CreateAccount(ctx context.Context, in NewAccount) (*Member, error) {
	var c problem.Checker
	level, ok := roleLevel[in.Role]
	c.Check(ok, "body.role", "角色无效", "unknown role", string(in.Role))
	n := utf8.RuneCountInString(in.Name)
	c.Check(n >= 1 && n <= 50, "body.name", "姓名须为 1 至 50 个字", "name must be 1 to 50 characters", in.Name)
	c.Check(phonePattern.MatchString(in.Phone), "body.phone", "手机号码格式不正确", "not a mobile number", in.Phone)
	if err := c.Err(); err != nil {
		return nil, err
	}
	if s.Identities == nil {
		return nil, problem.Unavailable("auth_unavailable", "身份认证服务未配置", "authentication is not configured")
	}
	m := &Member{RegionCode: in.RegionCode, Role: in.Role, Name: in.Name, Phone: in.Phone, Status: tenants.StatusActive}
	err := s.Store.InPlatform(ctx, func(ctx context.Context, db bun.IDB) error {
		r := new(Region)
		if err := db.NewSelect().Model(r).Where("code = ?", in.RegionCode).Scan(ctx); err != nil {
			return problem.Invalid(problem.Field{Location: "body.region_code", Message: "区划不存在", MessageEn: "no such region", Value: in.RegionCode})
		}
		if r.Level != level {
			return problem.Invalid(problem.Field{Location: "body.role", Message: "角色与区划层级不符", MessageEn: "the role does not fit the region's level", Value: string(in.Role)})
		}
		if exists, err := db.NewSelect().Model((*Member)(nil)).Where("phone = ?", in.Phone).Exists(ctx); err != nil {
			return err
		} else if exists {
			return problem.Conflict("phone_taken", "该手机号已被使用", "phone already in use")
		}
		id, err := s.Identities.CreateStaff(ctx, identity.NewStaff{RegionCode: in.RegionCode, Phone: in.Phone, Name: in.Name, Password: in.Password})
		switch {
		case errors.Is(err, identity.ErrIdentifierTaken):
			return problem.Conflict("phone_taken", "该手机号已被使用", "phone already in use")
		case errors.Is(err, identity.ErrRejected):
			return problem.Invalid(problem.Field{Location: "body.password", Message: "密码不符合要求", MessageEn: "password rejected"})
		case err != nil:
			return err
		}
		m.IdentityID = id
		if _, err := db.NewInsert().Model(m).Exec(ctx); err != nil {
			_ = s.Identities.Delete(context.WithoutCancel(ctx), id)
			return err
		}
		return nil
	})
	return m, err
}

// ErrNoMember: the identity has no account in the region (or it is disabled).
var ErrNoMember = errors.New("supervision: no region account")

// LookupMember finds the region account of an identity, in the region's transaction.
func LookupMember(ctx context.Context, identityID uuid.UUID) (*Member, error) {
	r, ok := tenants.RegionFrom(ctx)
	if !ok {
		return nil, errors.New("supervision: LookupMember outside a region transaction")
	}
	m := new(Member)
	err := tenants.RegionDB(ctx).NewSelect().Model(m).Where("identity_id = ? AND region_code = ?", identityID, r.Code).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoMember
	}
	return m, err
}

// Actor builds the actor of a region account.
func (m *Member) Actor(sessionID, regionPath string) *tenants.Actor {
	return &tenants.Actor{IdentityID: m.IdentityID, SessionID: sessionID, Name: m.Name, Phone: m.Phone,
		Roles: []tenants.Role{m.Role}, RegionCode: m.RegionCode, RegionPath: regionPath}
}

// errNotFound is the region reader's 404 for a county outside their region.
var errNotFound = &problem.Error{Status: http.StatusNotFound, Code: "county_not_found", Message: "找不到该县", MessageEn: "no such county"}

// EnsureAccount is CreateAccount for a seed that runs again: an account whose phone is already
// a region account is returned as it is.
func (s *Service) EnsureAccount(ctx context.Context, in NewAccount) (*Member, error) {
	m := new(Member)
	err := s.Store.InPlatform(ctx, func(ctx context.Context, db bun.IDB) error {
		return db.NewSelect().Model(m).Where("phone = ?", in.Phone).Scan(ctx)
	})
	if err == nil {
		return m, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	return s.CreateAccount(ctx, in)
}

// ChangeOwnPassword sets a region account's new password after checking its current one, by
// the same policy as a county's staff (staff.CheckPassword): region accounts read every
// county of their region, so their passwords are held to no lower rule. The caller counts a
// wrong current password as a failed sign-in (the lockout applies).
func (s *Service) ChangeOwnPassword(ctx context.Context, identityID uuid.UUID, phone, current, next string) error {
	if s.Identities == nil {
		return problem.Unavailable("identity_unavailable", "身份认证服务未配置", "the identity service is not configured")
	}
	if next == current {
		return problem.Invalid(problem.Field{Location: "body.password", Message: "新密码不能与当前密码相同", MessageEn: "the new password must differ from the current one"})
	}
	if f := staff.CheckPassword("body.password", next, phone); f != nil {
		return problem.Invalid(*f)
	}
	ok, err := s.Identities.VerifyPassword(ctx, phone, current)
	if err != nil {
		return unavailable(err)
	}
	if !ok {
		return &problem.Error{Status: http.StatusUnprocessableEntity, Code: staff.ErrWrongPassword, Message: "当前密码不正确", MessageEn: "the current password is wrong",
			Fields: []problem.Field{{Location: "body.current_password", Message: "当前密码不正确", MessageEn: "the current password is wrong"}}}
	}
	return unavailable(s.Identities.SetPassword(ctx, identityID, next))
}

func unavailable(err error) error {
	if errors.Is(err, identity.ErrUnavailable) {
		return problem.Unavailable("identity_unavailable", "身份认证服务暂不可用，请稍后重试", "identity service unavailable")
	}
	return err
}
