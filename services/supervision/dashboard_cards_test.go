package supervision_test

import (
	"context"
	"testing"
	"time"

	"github.com/yichuang/yichuang/services/supervision"
)

// The dashboards count the cards raised in the period (issue 16 item 5: "…, cards, …") at
// every level of the drill-down, each in its own unit and month: 甲县 has a red card on its
// limit and one on its running step; 乙县 and 丙县 have none.
func TestDashboardsCountTheCards(t *testing.T) {
	t.Parallel()
	x := setup(t)
	for _, c := range []*county{x.b, x.c} {
		x.traffic(t, c)
		x.publish(t, c)
	}
	x.cardsOf(t, x.a)
	all := x.allRegionCards(t, "320000", supervision.CardFilter{})
	if len(all) != 2 {
		t.Fatalf("cards: %+v", all)
	}
	raised := all[0].RaisedOn.UTC().Format("2006-01")
	q := supervision.DashboardQuery{From: time.Now().AddDate(0, -1, 0).Format("2006-01"), To: raised}
	if err := q.Check(time.Now()); err != nil {
		t.Fatal(err)
	}
	dash := func(code string, q supervision.DashboardQuery) *supervision.Dashboard {
		var d *supervision.Dashboard
		x.region(t, code, func(ctx context.Context) (err error) { d, err = supervision.RegionDashboard(ctx, q); return err })
		return d
	}
	cardsOf := func(d *supervision.Dashboard) map[string][2]int {
		out := map[string][2]int{"": {d.Totals.RedCards, d.Totals.YellowCards}}
		for _, c := range d.Children {
			out[c.Name] = [2]int{c.RedCards, c.YellowCards}
		}
		for _, m := range d.Months {
			if m.RedCards+m.YellowCards > 0 {
				out["month "+m.Month] = [2]int{m.RedCards, m.YellowCards}
			}
		}
		return out
	}
	want := func(level string, got map[string][2]int, expect map[string][2]int) {
		t.Helper()
		for k, v := range expect {
			if got[k] != v {
				t.Errorf("%s: %q has %v cards, want %v (all: %v)", level, k, got[k], v, got)
			}
		}
	}
	province := dash("320000", q)
	want("province", cardsOf(province), map[string][2]int{"": {2, 0}, "南京市": {2, 0}, "无锡市": {0, 0}, "month " + raised: {2, 0}})
	city := dash("320100", q)
	want("city", cardsOf(city), map[string][2]int{"": {2, 0}, "甲县": {2, 0}, "乙县": {0, 0}})
	q.County = x.a.ID
	county := dash("320100", q)
	want("county", cardsOf(county), map[string][2]int{"": {2, 0}, "城关镇": {2, 0}})
	q.Township = "城关镇"
	want("township", cardsOf(dash("320100", q)), map[string][2]int{"": {2, 0}, "临时救助申请": {2, 0}})
	// Another city's supervisor sees none of them.
	q.County, q.Township = [16]byte{}, ""
	want("another city", cardsOf(dash("320200", q)), map[string][2]int{"": {0, 0}})
	// The county admin's own dashboard counts its own.
	x.as(t, x.a, x.a.Admin, func(ctx context.Context) error {
		d, err := supervision.CountyDashboard(ctx, q)
		if err == nil {
			want("own county", cardsOf(d), map[string][2]int{"": {2, 0}, "城关镇": {2, 0}})
		}
		return err
	})
}
