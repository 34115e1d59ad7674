package demo

import (
	"context"
	"time"

	"github.com/yichuang/yichuang/services/access"
	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/tenants"
)

type demoItem struct {
	code, name, dept, basis string
	kind                    access.Kind
	funding                 access.Funding
	amount                  int64 // fen
	ledgers, inspections    int
	hours                   float64
}

// A county list in the shape the published ones have (duties, assist items, certificates a
// community may and may not issue, work it must not take on); the basis texts are the real
// laws and documents such lists cite.
var demoItems = []demoItem{
	{"LZ-001", "召集村（居）民会议、村（居）民代表会议", "minzheng", "《中华人民共和国村民委员会组织法》《中华人民共和国城市居民委员会组织法》", access.KindDuty, access.FundingNone, 0, 1, 0, 24},
	{"LZ-002", "村（居）务公开", "minzheng", "《中华人民共和国村民委员会组织法》第三十条", access.KindDuty, access.FundingNone, 0, 1, 0, 12},
	{"XZ-MZ-001", "最低生活保障对象入户调查协助", "minzheng", "《社会救助暂行办法》第十一条", access.KindAssist, access.FundingPerTask, 5000, 1, 0, 60},
	{"XZ-MZ-002", "特困人员探访关爱", "minzheng", "《关于加强特困人员供养服务的意见》", access.KindAssist, access.FundingPerYear, 200000, 1, 1, 48},
	{"XZ-RS-001", "城乡居民基本养老保险参保登记协助", "renshe", "《中华人民共和国社会保险法》", access.KindAssist, access.FundingPerYear, 150000, 1, 0, 36},
	{"XZ-WJ-001", "计划生育家庭奖励扶助对象信息核实", "weijian", "《中华人民共和国人口与计划生育法》", access.KindAssist, access.FundingPerTask, 3000, 1, 0, 12},
	{"XZ-YB-001", "城乡居民医疗保险参保缴费宣传", "yibao", "《中华人民共和国社会保险法》第二十五条", access.KindAssist, access.FundingPerYear, 100000, 0, 0, 20},
	{"XZ-CL-001", "残疾人基本服务状况和需求信息调查", "canlian", "《中华人民共和国残疾人保障法》", access.KindAssist, access.FundingPerTask, 2000, 1, 0, 16},
	{"XZ-TY-001", "退役军人信息采集协助", "tuiyi", "《中华人民共和国退役军人保障法》", access.KindAssist, access.FundingPerTask, 2000, 1, 0, 8},
	{"ZM-001", "居住在本社区的情况说明（用于非户籍居民办理居住证）", "minzheng", "《居住证暂行条例》", access.KindCertificate, access.FundingNone, 0, 0, 0, 6},
	{"BZ-001", "亲属关系证明", "", "《关于做好取消村级证明事项工作的通知》", access.KindNoCertificate, access.FundingNone, 0, 0, 0, 0},
	{"BZ-002", "无犯罪记录证明", "", "《关于做好取消村级证明事项工作的通知》", access.KindNoCertificate, access.FundingNone, 0, 0, 0, 0},
	{"BZ-003", "出生日期证明", "", "《关于做好取消村级证明事项工作的通知》", access.KindNoCertificate, access.FundingNone, 0, 0, 0, 0},
	{"BD-001", "要求村（社区）挂牌（清单外各类机构牌子）", "", "《关于深化城乡社区减负工作的若干措施》", access.KindForbidden, access.FundingNone, 0, 0, 0, 0},
	{"BD-002", "要求村（社区）填报清单外台账、报表", "", "《关于深化城乡社区减负工作的若干措施》", access.KindForbidden, access.FundingNone, 0, 0, 0, 0},
	{"BD-003", "以村（社区）为对象的清单外评比达标考核", "", "《关于深化城乡社区减负工作的若干措施》", access.KindForbidden, access.FundingNone, 0, 0, 0, 0},
}

func seedAccess(ctx context.Context, units map[string]*tenants.OrgUnit) error {
	// 民政审核 by 县民政局, 合法性审查 by 县司法局; a county seeded before the legal department
	// existed gets it too.
	st, err := access.GetSettings(ctx)
	if err != nil {
		return err
	}
	if st.CivilDeptID == nil || st.LegalDeptID == nil {
		st.CivilDeptID, st.LegalDeptID = &units["minzheng"].ID, &units["sifa"].ID
		if _, err := access.PutSettings(ctx, *st); err != nil {
			return err
		}
	}
	var n int
	if err := tenants.DB(ctx).NewSelect().Table("access_items").ColumnExpr("count(*)").Where("tenant_id = ?", tenants.CurrentID(ctx)).Scan(ctx, &n); err != nil || n > 0 {
		return err
	}
	svc := &access.Service{Clock: clock.System{}}
	for _, d := range demoItems {
		c := access.Content{Code: d.code, Kind: d.kind, Name: d.name, LegalBasis: d.basis, Funding: d.funding, FundingAmount: d.amount,
			Ledgers: d.ledgers, Inspections: d.inspections, HoursPerYear: d.hours}
		if d.dept != "" {
			c.DepartmentID = &units[d.dept].ID
		}
		it, err := svc.Create(ctx, access.NewItem{Content: c, EffectiveFrom: workday.Date{Year: 2026, Month: time.January, Day: 1}})
		if err != nil {
			return err
		}
		// The county's list as re-confirmed this year (年度确认), so a demo seeded in a later
		// year does not lapse at its first sweep.
		if y := clock.Today(clock.System{}).Year; y > it.EffectiveFrom.Year {
			if _, err := svc.Confirm(ctx, it.ID, y); err != nil {
				return err
			}
		}
	}
	return nil
}
