package supervision_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/services/clock"
	"github.com/yichuang/yichuang/services/supervision"
	"github.com/yichuang/yichuang/tenants"
	"github.com/yichuang/yichuang/tenants/tenanttest"
)

// BenchmarkDashboards (issue 16, item 6): a province of 100 counties (10 cities of 10) with
// YC_SUPERVISION_APPS applications in the store (default 1,000,000 in make bench; the
// province the issue names is YC_SUPERVISION_APPS=10000000, make bench-province), generated
// by SQL over five years, twenty townships a county and fifty items; the rollups built from
// them by one aggregate each (the trigger keeps them one change at a time, which
// TestRollupsFollowTheFeed proves equal). Then every dashboard query (province, city, county,
// township; twelve months) at 1 and 8 clients, p50 and p95, against a baseline measured in the same run:
// the region transaction alone (SET ROLE, the path, one row read), the floor any region read
// pays. Target: p95 < 200 ms. Also, once: the province's figures aggregated directly from the
// applications, what the rollups save.
func BenchmarkDashboards(b *testing.B) {
	apps := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("YC_SUPERVISION_APPS")); err == nil && v > 0 {
		apps = v
	}
	db := tenanttest.NewIsolated(b)
	ctx := context.Background()
	svc := &supervision.Service{Store: db.Store, Clock: clock.System{}}
	for _, r := range [][4]string{{supervision.CountryCode, "全国", supervision.LevelCountry, ""}, {"610000", "陕西省", supervision.LevelProvince, ""}} {
		if _, err := svc.EnsureRegion(ctx, r[0], r[1], r[2], r[3]); err != nil {
			b.Fatal(err)
		}
	}
	for c := 1; c <= 10; c++ {
		if _, err := svc.EnsureRegion(ctx, fmt.Sprintf("61%02d00", c), fmt.Sprintf("第%d市", c), supervision.LevelCity, "610000"); err != nil {
			b.Fatal(err)
		}
	}
	start := time.Now()
	// As the owner: the counties, then the applications with the rollup trigger off (one
	// statement instead of ten million trigger calls), then the rollups by one aggregate each.
	fill := []string{
		`INSERT INTO supervision.counties (tenant_id, region_path, code, name, region_code, published_seq, published_at)
		 SELECT gen_random_uuid(), '/000000/610000/61' || lpad(((n - 1) / 10 + 1)::text, 2, '0') || '00/', 'c' || n, '第' || n || '县',
		        '61' || lpad(((n - 1) / 10 + 1)::text, 2, '0') || lpad(n::text, 2, '0'), 1, now()
		 FROM generate_series(1, 100) n`,
		`ALTER TABLE supervision.applications DISABLE TRIGGER supervision_rollup`,
		`CREATE TEMP TABLE bench_counties AS SELECT row_number() OVER (ORDER BY code) - 1 AS k, tenant_id, region_path FROM supervision.counties`,
		fmt.Sprintf(`INSERT INTO supervision.applications (tenant_id, id, region_path, version, item_code, item_name, township, channel,
		        received_on, accepted_on, due_on, decided_on, delivered_on, state, warning, on_time, corrections, pauses, extensions,
		        rating, clerk_ref, decision_days)
		 SELECT c.tenant_id, gen_random_uuid(), c.region_path, 4, 'ITEM-' || (g / 2000 %% 50), '事项' || (g / 2000 %% 50), '第' || ((g / 100) %% 20) || '镇', 'window',
		        d, d, d + 20, CASE WHEN g %% 10 < 8 THEN d + (g %% 25) END, NULL,
		        CASE WHEN g %% 10 < 8 THEN 'decided' ELSE 'accepted' END,
		        CASE WHEN g %% 10 = 8 THEN 'red' WHEN g %% 10 = 9 THEN 'yellow' ELSE 'normal' END,
		        CASE WHEN g %% 10 < 8 THEN g %% 25 <= 20 END, 0, 0, 0,
		        CASE WHEN g %% 3 = 0 THEN 1 + g %% 5 END, '', CASE WHEN g %% 10 < 8 THEN g %% 18 END
		 FROM generate_series(0, %d - 1) g
		 JOIN bench_counties c ON c.k = g %% 100
		 CROSS JOIN LATERAL (SELECT date '2022-01-01' + (g / 100 %% 1826)::int AS d) x`, apps),
		`ALTER TABLE supervision.applications ENABLE TRIGGER supervision_rollup`,
		`ALTER TABLE supervision.burden_months DISABLE TRIGGER supervision_rollup`,
		`ALTER TABLE supervision.workforce_months DISABLE TRIGGER supervision_rollup`,
		`INSERT INTO supervision.township_months (tenant_id, township, month, region_path, received, decided, on_time, late, overdue, yellow, days_sum, days_count, rated, good)
		 SELECT tenant_id, township, date_trunc('month', received_on)::date, region_path, count(*), count(decided_on),
		        count(*) FILTER (WHERE decided_on IS NOT NULL AND on_time), count(*) FILTER (WHERE decided_on IS NOT NULL AND NOT on_time),
		        count(*) FILTER (WHERE decided_on IS NULL AND warning = 'red'), count(*) FILTER (WHERE decided_on IS NULL AND warning = 'yellow'),
		        coalesce(sum(decision_days) FILTER (WHERE decided_on IS NOT NULL), 0), count(decision_days) FILTER (WHERE decided_on IS NOT NULL),
		        count(rating), count(*) FILTER (WHERE rating >= 3)
		 FROM supervision.applications GROUP BY 1, 2, 3, 4`,
		`INSERT INTO supervision.item_months (tenant_id, township, item_code, item_name, month, region_path, received, decided, on_time, late, overdue, yellow, days_sum, days_count, rated, good)
		 SELECT tenant_id, township, item_code, item_name, date_trunc('month', received_on)::date, region_path, count(*), count(decided_on),
		        count(*) FILTER (WHERE decided_on IS NOT NULL AND on_time), count(*) FILTER (WHERE decided_on IS NOT NULL AND NOT on_time),
		        count(*) FILTER (WHERE decided_on IS NULL AND warning = 'red'), count(*) FILTER (WHERE decided_on IS NULL AND warning = 'yellow'),
		        coalesce(sum(decision_days) FILTER (WHERE decided_on IS NOT NULL), 0), count(decision_days) FILTER (WHERE decided_on IS NOT NULL),
		        count(rating), count(*) FILTER (WHERE rating >= 3)
		 FROM supervision.applications GROUP BY 1, 2, 3, 4, 5, 6`,
		`INSERT INTO supervision.county_months (tenant_id, month, region_path, received, decided, on_time, late, overdue, yellow, days_sum, days_count, rated, good)
		 SELECT tenant_id, month, region_path, sum(received), sum(decided), sum(on_time), sum(late), sum(overdue), sum(yellow),
		        sum(days_sum), sum(days_count), sum(rated), sum(good)
		 FROM supervision.township_months GROUP BY 1, 2, 3`,
		// The access lists' burden: twenty communities a county; the workforce: three posts of
		// eighteen levels; every month of the five years.
		`INSERT INTO supervision.burden_months (tenant_id, month, community, region_path, tasks, accepted, refused, intercepted, hours, ledgers, certificates, inspections)
		 SELECT c.tenant_id, to_char(date '2022-01-01' + make_interval(months => m), 'YYYY-MM'), '第' || j || '社区', c.region_path,
		        10 + (m + j) % 7, 8, (m + j) % 3, (m * j) % 4, 12.5, 1, 0, 1
		 FROM bench_counties c, generate_series(0, 59) m, generate_series(1, 20) j`,
		`INSERT INTO supervision.workforce_months (tenant_id, month, post, level, region_path, workers, payroll_fen)
		 SELECT c.tenant_id, to_char(date '2022-01-01' + make_interval(months => m), 'YYYY-MM'), post, level, c.region_path, 1 + level % 4, 450000 * (1 + level % 4)
		 FROM bench_counties c, generate_series(0, 59) m, unnest(ARRAY['正职', '副职', '委员']) post, generate_series(1, 18) level`,
		`ALTER TABLE supervision.burden_months ENABLE TRIGGER supervision_rollup`,
		`ALTER TABLE supervision.workforce_months ENABLE TRIGGER supervision_rollup`,
		`INSERT INTO supervision.burden_county_months (tenant_id, month, region_path, communities, tasks, refused, intercepted, hours)
		 SELECT tenant_id, month, region_path, count(*), sum(tasks), sum(refused), sum(intercepted), sum(hours) FROM supervision.burden_months GROUP BY 1, 2, 3`,
		`INSERT INTO supervision.workforce_county_months (tenant_id, month, region_path, rows, workers, payroll_fen)
		 SELECT tenant_id, month, region_path, count(*), sum(workers), sum(payroll_fen) FROM supervision.workforce_months GROUP BY 1, 2, 3`,
		`ANALYZE supervision.county_months`, `ANALYZE supervision.burden_months`, `ANALYZE supervision.burden_county_months`, `ANALYZE supervision.workforce_county_months`, `ANALYZE supervision.workforce_months`, `ANALYZE supervision.applications`, `ANALYZE supervision.township_months`, `ANALYZE supervision.item_months`, `ANALYZE supervision.counties`,
	}
	// One connection: the temporary table lives on it. Released before any Fatal, or the
	// database's cleanup would wait for it.
	if err := func() error {
		conn, err := db.Owner.Acquire(ctx)
		if err != nil {
			return err
		}
		defer conn.Release()
		for _, sql := range fill {
			if _, err := conn.Exec(ctx, sql); err != nil {
				return fmt.Errorf("%s: %w", sql, err)
			}
		}
		return nil
	}(); err != nil {
		b.Fatal(err)
	}
	fillSeconds := time.Since(start).Seconds()
	var county uuid.UUID
	if err := db.Owner.QueryRow(ctx, "SELECT tenant_id FROM supervision.counties WHERE code = 'c37'").Scan(&county); err != nil {
		b.Fatal(err)
	}
	var rollupRows int
	if err := db.Owner.QueryRow(ctx, "SELECT (SELECT count(*) FROM supervision.county_months) + (SELECT count(*) FROM supervision.township_months) + (SELECT count(*) FROM supervision.item_months)").Scan(&rollupRows); err != nil {
		b.Fatal(err)
	}

	q := func(dq supervision.DashboardQuery) supervision.DashboardQuery {
		dq.From, dq.To = "2025-01", "2025-12"
		if err := dq.Check(time.Now()); err != nil {
			b.Fatal(err)
		}
		return dq
	}
	type probe struct {
		name, region string
		run          func(ctx context.Context) error
	}
	dash := func(dq supervision.DashboardQuery, children int) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			d, err := supervision.RegionDashboard(ctx, dq)
			if err == nil && (len(d.Children) == 0 || children > 0 && len(d.Children) != children) {
				err = fmt.Errorf("%d children, want %d", len(d.Children), children)
			}
			if err == nil && dq.Township == "" && (len(d.Burden) != 12 || len(d.Workforce) != 18) {
				err = fmt.Errorf("burden %d months, workforce %d levels", len(d.Burden), len(d.Workforce))
			}
			return err
		}
	}
	probes := []probe{
		{"baseline", "610000", func(ctx context.Context) error {
			var r supervision.Region
			return tenants.RegionDB(ctx).NewSelect().Model(&r).Where("code = ?", "610000").Scan(ctx)
		}},
		{"province", "610000", dash(q(supervision.DashboardQuery{}), 10)},
		{"city", "610100", dash(q(supervision.DashboardQuery{}), 10)},
		{"county", "610000", dash(q(supervision.DashboardQuery{County: county}), 20)},
		{"township", "610000", dash(q(supervision.DashboardQuery{County: county, Township: "第7镇"}), 0)},
	}
	measure := func(p probe, clients, each int) (p50, p95 float64) {
		var mu sync.Mutex
		var lat []float64
		var wg sync.WaitGroup
		for c := 0; c < clients; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					t0 := time.Now()
					err := db.Store.InRegion(ctx, p.region, p.run)
					ms := float64(time.Since(t0).Microseconds()) / 1000
					if err != nil {
						b.Errorf("%s: %v", p.name, err)
						return
					}
					mu.Lock()
					lat = append(lat, ms)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		slices.Sort(lat)
		if len(lat) == 0 {
			b.Fatalf("%s: no samples", p.name)
		}
		return lat[len(lat)/2], lat[(len(lat)*95+99)/100-1]
	}
	b.ResetTimer()
	for range b.N {
		for _, clients := range []int{1, 8} {
			for _, p := range probes {
				measure(p, clients, 3) // warm
				p50, p95 := measure(p, clients, 40/clients+5)
				b.ReportMetric(p50, fmt.Sprintf("%s_c%d_p50_ms", p.name, clients))
				b.ReportMetric(p95, fmt.Sprintf("%s_c%d_p95_ms", p.name, clients))
			}
		}
	}
	b.StopTimer()
	// What the rollups save: the province's year straight from the applications, once.
	t0 := time.Now()
	var n int
	if err := db.Owner.QueryRow(ctx, `SELECT count(*) FROM (SELECT region_path, count(*), count(decided_on), count(*) FILTER (WHERE on_time), count(rating)
		FROM supervision.applications WHERE region_path LIKE '/000000/610000/%' AND received_on BETWEEN '2025-01-01' AND '2025-12-31' GROUP BY 1) x`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(time.Since(t0).Microseconds())/1000, "province_direct_ms")
	b.ReportMetric(float64(apps), "applications")
	b.ReportMetric(float64(rollupRows), "rollup_rows")
	b.ReportMetric(fillSeconds, "fill_s")
}
