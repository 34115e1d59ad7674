package supervision_test

import (
	"bytes"
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"

	"github.com/yichuang/yichuang/services/application"
	"github.com/yichuang/yichuang/services/lifecycle"
	"github.com/yichuang/yichuang/services/supervision"
)

// rollupDiff compares the three rollups with the same aggregate computed directly over the
// store's applications, and returns what differs (nothing when they agree).
func (x *bundle) rollupDiff(t *testing.T) []string {
	t.Helper()
	const figures = `count(*), count(decided_on), count(*) FILTER (WHERE decided_on IS NOT NULL AND on_time),
		count(*) FILTER (WHERE decided_on IS NOT NULL AND NOT on_time), count(*) FILTER (WHERE decided_on IS NULL AND warning = 'red'),
		count(*) FILTER (WHERE decided_on IS NULL AND warning = 'yellow'),
		coalesce(sum(decision_days) FILTER (WHERE decided_on IS NOT NULL), 0), count(decision_days) FILTER (WHERE decided_on IS NOT NULL),
		count(rating), count(*) FILTER (WHERE rating >= 3)`
	const m = `date_trunc('month', coalesce(received_on, accepted_on))::date`
	pairs := [][2]string{
		{`SELECT concat_ws('|', tenant_id, month, region_path, received, decided, on_time, late, overdue, yellow, days_sum, days_count, rated, good)
			FROM supervision.county_months WHERE received <> 0`,
			`SELECT concat_ws('|', tenant_id, ` + m + `, region_path, ` + figures + `)
			FROM supervision.applications WHERE coalesce(received_on, accepted_on) IS NOT NULL GROUP BY tenant_id, ` + m + `, region_path`},
		{`SELECT concat_ws('|', tenant_id, township, month, region_path, received, decided, on_time, late, overdue, yellow, days_sum, days_count, rated, good)
			FROM supervision.township_months WHERE received <> 0`,
			`SELECT concat_ws('|', tenant_id, township, ` + m + `, region_path, ` + figures + `)
			FROM supervision.applications WHERE coalesce(received_on, accepted_on) IS NOT NULL GROUP BY tenant_id, township, ` + m + `, region_path`},
		{`SELECT concat_ws('|', tenant_id, township, item_code, item_name, month, region_path, received, decided, on_time, late, overdue, yellow, days_sum, days_count, rated, good)
			FROM supervision.item_months WHERE received <> 0`,
			`SELECT concat_ws('|', tenant_id, township, item_code, item_name, ` + m + `, region_path, ` + figures + `)
			FROM supervision.applications WHERE coalesce(received_on, accepted_on) IS NOT NULL GROUP BY tenant_id, township, item_code, item_name, ` + m + `, region_path`},
	}
	pairs = append(pairs,
		[2]string{`SELECT concat_ws('|', tenant_id, month, region_path, communities, tasks, refused, intercepted, hours) FROM supervision.burden_county_months`,
			`SELECT concat_ws('|', tenant_id, month, region_path, count(*), sum(tasks), sum(refused), sum(intercepted), sum(hours))
			FROM supervision.burden_months GROUP BY tenant_id, month, region_path`},
		[2]string{`SELECT concat_ws('|', tenant_id, month, region_path, rows, workers, payroll_fen) FROM supervision.workforce_county_months`,
			`SELECT concat_ws('|', tenant_id, month, region_path, count(*), sum(workers), sum(payroll_fen))
			FROM supervision.workforce_months GROUP BY tenant_id, month, region_path`})
	var diff []string
	for _, p := range pairs {
		got, want := x.lines(t, p[0]), x.lines(t, p[1])
		if len(want) == 0 {
			t.Fatalf("nothing to compare: %s", p[1])
		}
		if !slices.Equal(got, want) {
			diff = append(diff, "rollup:\n"+strings.Join(got, "\n")+"\ndirect:\n"+strings.Join(want, "\n"))
		}
	}
	return diff
}

// lines runs a query as the owner (all counties) and returns its rows sorted.
func (x *bundle) lines(t *testing.T, sql string, args ...any) []string {
	t.Helper()
	rows, err := x.db.Owner.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func TestRollupsFollowTheFeed(t *testing.T) {
	t.Parallel()
	x := setup(t)
	for _, c := range []*county{x.a, x.b} {
		apps := x.traffic(t, c)
		x.step(t, c, apps[0], c.Clerk, application.Step{Action: lifecycle.Accept})
		x.publish(t, c)
	}
	// The months' rows: a community's burden and a level's workers, changed and removed as a
	// later publication of the month would (writeMonth updates and deletes).
	for i, sql := range []string{
		`INSERT INTO supervision.burden_months (tenant_id, month, community, region_path, version, tasks, accepted, refused, intercepted, hours, ledgers, certificates, inspections)
		 SELECT tenant_id, m, c, region_path, 1, 5, 4, 1, 2, 3.5, 0, 0, 0 FROM supervision.counties, unnest(ARRAY['2026-01', '2026-02']) m, unnest(ARRAY['东关社区', '西关社区']) c`,
		`INSERT INTO supervision.workforce_months (tenant_id, month, post, level, region_path, version, workers, payroll_fen)
		 SELECT tenant_id, m, '专职', l, region_path, 1, 2, 900000 FROM supervision.counties, unnest(ARRAY['2026-01', '2026-02']) m, generate_series(1, 3) l`,
		`UPDATE supervision.burden_months SET tasks = tasks + 3, hours = hours + 1 WHERE community = '东关社区' AND month = '2026-01'`,
		`DELETE FROM supervision.burden_months WHERE month = '2026-02' AND community = '西关社区'`,
		`DELETE FROM supervision.workforce_months WHERE month = '2026-02'`,
		`UPDATE supervision.workforce_months SET workers = 7 WHERE level = 2`,
	} {
		if _, err := x.db.Owner.Exec(context.Background(), sql); err != nil {
			t.Fatalf("%d: %v", i, err)
		}
	}
	if d := x.rollupDiff(t); d != nil {
		t.Fatalf("after publishing: %v", d)
	}
	rollupA := `SELECT concat_ws('|', township, month, received, decided, on_time, late, overdue, yellow, days_sum, days_count, rated, good)
		FROM supervision.township_months WHERE tenant_id = $1 AND received <> 0`
	before := x.lines(t, rollupA, x.a.ID)
	var r *supervision.Published
	x.as(t, x.a, nil, func(ctx context.Context) (err error) { r, err = x.svc.Republish(ctx); return err })
	if r.Applications != 3 {
		t.Fatalf("republished %+v", r)
	}
	if after := x.lines(t, rollupA, x.a.ID); !slices.Equal(before, after) {
		t.Fatalf("re-publication changed the rollup:\n%v\nvs\n%v", before, after)
	}

	// Random changes to the stored rows (as any later publication could make them): ratings,
	// warnings, decisions and their working days, townships, months; deletions and inserts.
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rnd := rand.New(rand.NewPCG(uint64(seed), 1))
	ctx := context.Background()
	for i := 0; i < 60; i++ {
		var ids []uuid.UUID
		rows, err := x.db.Owner.Query(ctx, "SELECT id FROM supervision.applications ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		if ids, err = pgx.CollectRows(rows, pgx.RowTo[uuid.UUID]); err != nil {
			t.Fatal(err)
		}
		id := ids[rnd.IntN(len(ids))]
		var sql string
		switch rnd.IntN(7) {
		case 0:
			sql = "UPDATE supervision.applications SET rating = (ARRAY[NULL, 1, 2, 3, 4, 5])[1 + floor(random() * 6)::int] WHERE id = $1"
		case 1:
			sql = "UPDATE supervision.applications SET warning = (ARRAY['normal', 'yellow', 'red'])[1 + floor(random() * 3)::int] WHERE id = $1"
		case 2:
			sql = `UPDATE supervision.applications SET decided_on = coalesce(received_on, current_date) + 3, on_time = random() < 0.7,
				decision_days = floor(random() * 20)::int, version = version + 1 WHERE id = $1`
		case 3:
			sql = "UPDATE supervision.applications SET township = (ARRAY['城关镇', '河西乡', '=1+1'])[1 + floor(random() * 3)::int] WHERE id = $1"
		case 4:
			sql = "UPDATE supervision.applications SET received_on = received_on - 40 WHERE id = $1"
		case 5:
			const cols = `region_path, version, item_code, item_name, township, channel, received_on, accepted_on, due_on, decided_on,
				delivered_on, state, warning, on_time, corrections, pauses, extensions, rating, clerk_ref, decision_days`
			sql = `INSERT INTO supervision.applications (tenant_id, id, ` + cols + `)
				SELECT tenant_id, gen_random_uuid(), ` + cols + ` FROM supervision.applications WHERE id = $1`
		default:
			if len(ids) < 4 {
				continue
			}
			sql = "DELETE FROM supervision.applications WHERE id = $1"
		}
		if _, err := x.db.Owner.Exec(ctx, sql, id); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	if d := x.rollupDiff(t); d != nil {
		t.Fatalf("after random changes: %v", d)
	}
	// A re-publication puts the county's rows back as the county has them, rollups with them.
	x.as(t, x.a, nil, func(ctx context.Context) (err error) { _, err = x.svc.Republish(ctx); return err })
	if d := x.rollupDiff(t); d != nil {
		t.Fatalf("after re-publishing: %v", d)
	}
	if after := x.lines(t, rollupA, x.a.ID); !slices.Equal(before, after) {
		t.Fatalf("re-publication did not restore the rollup:\n%v\nvs\n%v", before, after)
	}
}

func unitNames(rows []supervision.UnitRow) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Name)
	}
	slices.Sort(out)
	return out
}

func trail(d *supervision.Dashboard) string {
	var out []string
	for _, u := range d.Trail {
		out = append(out, u.Name)
	}
	return strings.Join(out, " › ")
}

func TestDashboardsDrillDownWithinTheRegion(t *testing.T) {
	t.Parallel()
	x := setup(t)
	for _, c := range []*county{x.a, x.b, x.c} {
		apps := x.traffic(t, c)
		x.publish(t, c)
		// A rating on the decided one: 好评率 has something to count.
		if _, err := x.db.Owner.Exec(context.Background(), "UPDATE supervision.applications SET rating = 5 WHERE id = $1", apps[2].ID); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	query := func(q supervision.DashboardQuery) supervision.DashboardQuery {
		if err := q.Check(now); err != nil {
			t.Fatal(err)
		}
		return q
	}
	dash := func(code string, q supervision.DashboardQuery) (d *supervision.Dashboard, err error) {
		x.region(t, code, func(ctx context.Context) error {
			d, err = supervision.RegionDashboard(ctx, query(q))
			return nil
		})
		return d, err
	}
	// The city supervisor of 南京市: its two counties, not 无锡市's 丙县.
	city, err := dash("320100", supervision.DashboardQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if got := unitNames(city.Children); city.ChildLevel != supervision.UnitCounty || !slices.Equal(got, []string{"乙县", "甲县"}) {
		t.Fatalf("南京市's children: %s %v", city.ChildLevel, got)
	}
	tot := city.Totals
	if tot.Received != 6 || tot.Decided != 2 || tot.OnTime != 2 || tot.Rated != 2 || tot.Good != 2 || *tot.OnTimeRate != 1 || *tot.GoodRate != 1 {
		t.Fatalf("南京市's totals: %+v", tot)
	}
	if len(city.Months) != 12 || city.Months[11].Received != 6 {
		t.Fatalf("months: %+v", city.Months)
	}
	for _, q := range []supervision.DashboardQuery{{County: x.c.ID}, {Region: "320200"}, {Region: "320000"}, {County: uuid.New()}} {
		if _, err := dash("320100", q); !isStatus(err, 404) {
			t.Errorf("南京市 reads %+v: %v", q, err)
		}
	}
	// Down to a county, a township, its items.
	county, err := dash("320100", supervision.DashboardQuery{County: x.a.ID, RankBy: supervision.RankReceived})
	if err != nil {
		t.Fatal(err)
	}
	if county.ChildLevel != supervision.UnitTownship || len(county.Children) == 0 || county.Totals.Received != 3 || trail(county) != "南京市 › 甲县" {
		t.Fatalf("甲县: %+v", county)
	}
	town := county.Children[0]
	items, err := dash("320100", supervision.DashboardQuery{County: x.a.ID, Township: town.Key})
	if err != nil {
		t.Fatal(err)
	}
	if items.ChildLevel != supervision.UnitItem || len(items.Children) != 1 || items.Children[0].Name != "临时救助申请" ||
		items.Children[0].Received != town.Received || trail(items) != "南京市 › 甲县 › "+town.Name {
		t.Fatalf("%s's items: %+v", town.Name, items)
	}
	if _, err := dash("320100", supervision.DashboardQuery{County: x.a.ID, Township: "没有的乡"}); !isStatus(err, 404) {
		t.Errorf("an unknown township: %v", err)
	}
	// The province: its two cities, and a county of either through its city.
	prov, err := dash("320000", supervision.DashboardQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if got := unitNames(prov.Children); prov.ChildLevel != supervision.UnitCity || !slices.Equal(got, []string{"南京市", "无锡市"}) || prov.Totals.Received != 9 {
		t.Fatalf("江苏省: %s %v %+v", prov.ChildLevel, got, prov.Totals)
	}
	viaCity, err := dash("320000", supervision.DashboardQuery{County: x.c.ID})
	if err != nil || trail(viaCity) != "江苏省 › 无锡市 › 丙县" {
		t.Fatalf("江苏省 → 丙县: %v %v", viaCity, err)
	}
	// The county admin: their own townships only, the same figures their city sees.
	x.as(t, x.a, x.a.Admin, func(ctx context.Context) error {
		own, err := supervision.CountyDashboard(ctx, query(supervision.DashboardQuery{RankBy: supervision.RankReceived}))
		if err != nil {
			return err
		}
		if own.Totals.Received != 3 || !slices.Equal(unitNames(own.Children), unitNames(county.Children)) || own.Children[0].Received != town.Received {
			t.Errorf("甲县's own dashboard: %+v", own)
		}
		return nil
	})
}

func TestDashboardExcelHasEveryTable(t *testing.T) {
	t.Parallel()
	x := setup(t)
	x.traffic(t, x.a)
	x.publish(t, x.a)
	// A township whose name would be a formula: it must stay text.
	if _, err := x.db.Owner.Exec(context.Background(), "UPDATE supervision.applications SET township = '=HYPERLINK(\"http://x\")' WHERE tenant_id = $1", x.a.ID); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	x.as(t, x.a, x.a.Admin, func(ctx context.Context) error {
		q := supervision.DashboardQuery{}
		if err := q.Check(time.Now()); err != nil {
			return err
		}
		d, err := supervision.CountyDashboard(ctx, q)
		if err != nil {
			return err
		}
		return supervision.DashboardExcel(&buf, d)
	})
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := []string{"汇总", "按月", "排名（按时办结率）", "基层负担", "社区工作者等级"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Fatalf("sheets %v", got)
	}
	rows, err := f.GetRows("排名（按时办结率）")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[1][1] != "乡镇（街道）" || rows[2][1] != `=HYPERLINK("http://x")` || rows[2][2] != "3" {
		t.Fatalf("ranking sheet: %q", rows)
	}
	if formula, _ := f.GetCellFormula("排名（按时办结率）", "B3"); formula != "" {
		t.Fatalf("a township's name became a formula: %q", formula)
	}
	if months, _ := f.GetRows("按月"); len(months) != 14 || months[13][1] != "3" {
		t.Fatalf("months sheet: %q", months)
	}
	if total, _ := f.GetRows("汇总"); len(total) != 3 || total[2][1] != "3" {
		t.Fatalf("totals sheet: %q", total)
	}
}
