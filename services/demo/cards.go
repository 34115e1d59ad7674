package demo

import (
	"context"
	"time"

	"github.com/yichuang/yichuang/services/application"
	"github.com/yichuang/yichuang/services/catalog"
	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/lifecycle"
	"github.com/yichuang/yichuang/services/secret"
	"github.com/yichuang/yichuang/tenants"
)

// overdueKey is the demo's overdue application's intake key: seeding again finds it.
const overdueKey = "demo-overdue-0001"

// overdueDays is how long ago (calendar days) the overdue application was taken in: its
// 10-working-day promise ran out about three working weeks ago, so 承德市 sees a 红牌 (效能监察,
// issue 16 item 4) from the first publication.
const overdueDays = 35

// seedOverdue takes in, accepts and routes one 城乡居民基本养老保险待遇领取 at 城关镇's window
// overdueDays ago (on a clock set back), and leaves it undecided with its department: the
// application then runs past its limit, as a real one left on a desk would.
func seedOverdue(ctx context.Context, box *secret.Box, clerk *tenants.Actor) error {
	svc := &application.Service{Clock: clock.NewStub(time.Now().AddDate(0, 0, -overdueDays)), Box: box}
	item := new(catalog.Record)
	if err := tenants.Own(ctx, tenants.DB(ctx).NewSelect().Model(item)).Where("name = ?", "城乡居民基本养老保险待遇领取").
		Order("impl_code").Limit(1).Scan(ctx); err != nil {
		return err
	}
	_, v, err := catalog.InForce(ctx, item.ID)
	if err != nil {
		return err
	}
	var ticks []application.Tick
	for _, m := range v.Content.Materials {
		if m.Required {
			ticks = append(ticks, application.Tick{Key: m.Key, Provided: true})
		}
	}
	actx := tenants.WithActor(ctx, clerk)
	d, err := svc.Intake(actx, application.NewApplication{ItemID: item.ID, RequestKey: overdueKey, Materials: ticks,
		Applicant: application.Applicant{Kind: application.ApplicantPerson, Name: "孙桂兰", IDNo: "11010519491231002X", Phone: "13700000021"}})
	if err != nil {
		return err
	}
	if d.State == lifecycle.Received {
		if d, err = svc.Act(actx, d.ID, application.Step{Action: lifecycle.Accept, Version: d.Version}); err != nil {
			return err
		}
	}
	if d.State == lifecycle.Accepted {
		if _, err = svc.Act(actx, d.ID, application.Step{Action: lifecycle.Route, Version: d.Version}); err != nil {
			return err
		}
	}
	return nil
}
