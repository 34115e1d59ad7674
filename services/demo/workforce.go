package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/level"
	"github.com/yichuang/yichuang/services/pay"
	"github.com/yichuang/yichuang/services/secret"
	"github.com/yichuang/yichuang/services/workday"
	"github.com/yichuang/yichuang/services/workforce"
	"github.com/yichuang/yichuang/tenants"
)

type demoWorker struct {
	name, unit, title string
	post              level.Post
	hired             string
	education         level.Education
	certificate       level.Certificate
	birth             string // YYYYMMDD
	female            bool
}

// A plausible roster: a secretary, a director and staff in each community or village.
var roster = []demoWorker{
	{"刘芳", "dongguan", "社区工作者", level.Staff, "2019-07-01", level.EducationBachelor, level.CertificateJunior, "19930415", true},
	{"陈静", "dongguan", "书记", level.Head, "2008-03-01", level.EducationBachelor, level.CertificateIntermediate, "19780921", true},
	{"赵磊", "dongguan", "副主任", level.Deputy, "2013-09-01", level.EducationCollege, level.CertificateJunior, "19850203", false},
	{"孙悦", "dongguan", "社区工作者", level.Staff, "2022-02-14", level.EducationMaster, level.CertificateNone, "19970618", true},
	{"周强", "xijie", "主任", level.Head, "2011-05-01", level.EducationCollege, level.CertificateIntermediate, "19800711", false},
	{"吴敏", "xijie", "委员", level.Staff, "2016-10-10", level.EducationBachelor, level.CertificateJunior, "19900308", true},
	{"郑凯", "xijie", "社区工作者", level.Staff, "2020-02-29", level.EducationBachelor, level.CertificateNone, "19960229", false},
	{"王海", "lijia", "书记", level.Head, "2005-01-01", level.EducationNone, level.CertificateNone, "19720105", false},
	{"李娜", "lijia", "副书记", level.Deputy, "2017-06-01", level.EducationBachelor, level.CertificateSenior, "19880912", true},
	{"冯涛", "wangzhuang", "主任", level.Head, "2014-03-15", level.EducationCollege, level.CertificateJunior, "19821130", false},
	{"何丽", "wangzhuang", "社区工作者", level.Staff, "2024-09-01", level.EducationBachelor, level.CertificateNone, "20000101", true},
}

// idNumber builds a valid GB 11643 number in the demo county's region (130826).
func idNumber(birth string, seq int, female bool) string {
	s := fmt.Sprintf("130826%s%02d", birth, seq%100)
	g := 1
	if female {
		g = 2
	}
	s += fmt.Sprint(g)
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(s[i]-'0') * w
	}
	return s + string("10X98765432"[sum%11])
}

func seedWorkforce(ctx context.Context, box *secret.Box, units map[string]*tenants.OrgUnit, worker *tenants.Membership) error {
	var n int
	if err := tenants.DB(ctx).NewSelect().Table("workers").ColumnExpr("count(*)").Where("tenant_id = ?", tenants.CurrentID(ctx)).Scan(ctx, &n); err != nil || n > 0 {
		return err
	}
	sample := pay.Sample()
	if _, err := workforce.PutScheme(ctx, workday.Date{Year: 2020, Month: time.January, Day: 1}, sample); err != nil {
		return err
	}
	svc := &workforce.Service{Box: box, Clock: clock.System{}}
	for i, d := range roster {
		hired, err := workday.ParseDate(d.hired)
		if err != nil {
			return err
		}
		w, err := svc.Hire(ctx, workforce.NewWorker{IDNumber: idNumber(d.birth, i+11, d.female),
			Record: workforce.Record{Name: d.name, OrgUnitID: units[d.unit].ID, Post: d.post, Title: d.title, Hired: hired,
				Education: d.education, Certificate: d.certificate, Phone: fmt.Sprintf("1370000%04d", i+1)},
			Reasoned: workforce.Reasoned{Reason: "示范数据建档", Approver: "王建国"}})
		if err != nil {
			return fmt.Errorf("demo worker %s: %w", d.name, err)
		}
		if d.name == "刘芳" && worker != nil {
			if _, err := svc.LinkIdentity(ctx, w.ID, &worker.IdentityID); err != nil {
				return err
			}
		}
	}
	return nil
}
