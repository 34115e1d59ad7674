package supervision_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// fillProvince fills the supervision store of an empty database (as the owner) with a province:
// 100 counties in 10 cities, apps applications, their rollups, the counties' monthly burden and
// workforce with theirs, cards and the region accounts' login log. It returns the seconds each
// phase took.
//
// Ten million rows one INSERT at a time through the rollup trigger would take hours, and one
// INSERT … SELECT into the indexed table took over six minutes (every row a random place in the
// primary key's b-tree). So: the applications' indexes are dropped and the rollup trigger
// disabled; the rows are generated in chunks of generate_series by several connections at once;
// the indexes are then built again from their own definitions (pg_get_indexdef; the primary key
// re-attached USING INDEX), alongside the rollups, which are one aggregate over the rows (item
// within township) and sums of it (township, county) — every rollup column is a count or a sum,
// so the sum of the finer rows is the coarser row. checkRollups then proves on a sample that
// the rollups are what the triggers themselves would have kept.
func fillProvince(ctx context.Context, pool *pgxpool.Pool, apps int) (phases map[string]float64, slow []string, err error) {
	phases = map[string]float64{}
	t0 := time.Now()
	phase := func(name string) {
		phases[name] = time.Since(t0).Seconds()
		t0 = time.Now()
	}
	workers := min(max(runtime.NumCPU(), 2), 4)
	var mu sync.Mutex
	// job runs its statements on one connection (their SETs apply to the ones after them),
	// and leaves the connection as it found it.
	job := func(sqls ...string) error {
		conn, err := pool.Acquire(ctx)
		if err != nil {
			return err
		}
		defer conn.Release()
		for _, q := range append(sqls, "RESET ALL") {
			t := time.Now()
			if _, err := conn.Exec(ctx, q); err != nil {
				conn.Conn().Close(ctx) //nolint:errcheck // not back into the pool with its settings
				return fmt.Errorf("%s: %w", q, err)
			}
			if d := time.Since(t); d > 2*time.Second { // what the fill spends its time on, for the log
				mu.Lock()
				slow = append(slow, fmt.Sprintf("%5.1f s  %.90s", d.Seconds(), strings.Join(strings.Fields(q), " ")))
				mu.Unlock()
			}
		}
		return nil
	}
	exec := job
	// parallel runs each job on its own connection, workers at a time.
	parallel := func(jobs [][]string) error {
		ch := make(chan []string)
		errs := make(chan error, len(jobs))
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for job := range ch {
					if err := exec(job...); err != nil {
						errs <- err
					}
				}
			}()
		}
		for _, j := range jobs {
			ch <- j
		}
		close(ch)
		wg.Wait()
		close(errs)
		return <-errs
	}

	// The counties; every generated row picks its county from these arrays by g % 100 (in code
	// order, as the benchmark's probes name them).
	if err := exec(`INSERT INTO supervision.counties (tenant_id, region_path, code, name, region_code, published_seq, published_at)
		 SELECT gen_random_uuid(), '/000000/610000/61' || lpad(((n - 1) / 10 + 1)::text, 2, '0') || '00/', 'c' || n, '第' || n || '县',
		        '61' || lpad(((n - 1) / 10 + 1)::text, 2, '0') || lpad(n::text, 2, '0'), 1, now()
		 FROM generate_series(1, 100) n`); err != nil {
		return nil, nil, err
	}
	const counties = `(SELECT array_agg(tenant_id ORDER BY code) AS t, array_agg(region_path ORDER BY code) AS p FROM supervision.counties) c`

	// The indexes of the applications and of their rollups, to be built again after the load.
	type index struct{ table, name, def, constraint, kind string }
	indexes := map[string][]index{}
	for _, table := range []string{"applications", "item_months", "township_months", "county_months"} {
		rows, err := pool.Query(ctx, `SELECT ic.relname, pg_get_indexdef(i.indexrelid), coalesce(k.conname, ''), CASE k.contype WHEN 'p' THEN 'PRIMARY KEY' ELSE 'UNIQUE' END
			FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
			LEFT JOIN pg_constraint k ON k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u')
			WHERE i.indrelid = ('supervision.' || $1)::regclass`, table)
		if err != nil {
			return nil, nil, err
		}
		for rows.Next() {
			x := index{table: table}
			if err := rows.Scan(&x.name, &x.def, &x.constraint, &x.kind); err != nil {
				return nil, nil, err
			}
			indexes[table] = append(indexes[table], x)
		}
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
		for _, x := range indexes[table] {
			q := "DROP INDEX supervision." + pgx.Identifier{x.name}.Sanitize()
			if x.constraint != "" {
				q = "ALTER TABLE supervision." + table + " DROP CONSTRAINT " + pgx.Identifier{x.constraint}.Sanitize()
			}
			if err := exec(q); err != nil {
				return nil, nil, err
			}
		}
	}
	// rebuild are the jobs that build a table's indexes again, one job each.
	rebuild := func(table string) [][]string {
		var jobs [][]string
		for _, x := range indexes[table] {
			job := []string{"SET maintenance_work_mem = '256MB'", x.def}
			if x.constraint != "" {
				job = append(job, fmt.Sprintf("ALTER TABLE supervision.%s ADD CONSTRAINT %s %s USING INDEX %s",
					table, pgx.Identifier{x.constraint}.Sanitize(), x.kind, pgx.Identifier{x.name}.Sanitize()))
			}
			jobs = append(jobs, job)
		}
		return jobs
	}
	if err := exec(`ALTER TABLE supervision.applications DISABLE TRIGGER supervision_rollup`); err != nil {
		return nil, nil, err
	}
	const chunk = 500_000
	var load [][]string
	for lo := 0; lo < apps; lo += chunk {
		hi := min(lo+chunk, apps) - 1
		load = append(load, []string{fmt.Sprintf(`INSERT INTO supervision.applications (tenant_id, id, region_path, version, item_code, item_name, township, channel,
		        received_on, accepted_on, due_on, decided_on, delivered_on, state, warning, on_time, corrections, pauses, extensions,
		        rating, clerk_ref, decision_days)
		 SELECT c.t[g %% 100 + 1], gen_random_uuid(), c.p[g %% 100 + 1], 4, 'ITEM-' || (g / 2000 %% 50), '事项' || (g / 2000 %% 50), '第' || ((g / 100) %% 20) || '镇', 'window',
		        d, d, d + 20, CASE WHEN g %% 10 < 8 THEN d + (g %% 25) END, NULL,
		        CASE WHEN g %% 10 < 8 THEN 'decided' ELSE 'accepted' END,
		        CASE WHEN g %% 10 = 8 THEN 'red' WHEN g %% 10 = 9 THEN 'yellow' ELSE 'normal' END,
		        CASE WHEN g %% 10 < 8 THEN g %% 25 <= 20 END, 0, 0, 0,
		        CASE WHEN g %% 3 = 0 THEN 1 + g %% 5 END, '', CASE WHEN g %% 10 < 8 THEN g %% 18 END
		 FROM %s, generate_series(%d, %d) g
		 CROSS JOIN LATERAL (SELECT date '2022-01-01' + (g / 100 %% 1826)::int AS d) x`, counties, lo, hi)})
	}
	if err := parallel(load); err != nil {
		return nil, nil, err
	}
	if err := exec(`ALTER TABLE supervision.applications ENABLE TRIGGER supervision_rollup`); err != nil {
		return nil, nil, err
	}
	phase("applications_s")

	// The indexes and the rollups at once; the trigger stays off on the monthly tables while
	// they are filled, their county rollups are aggregates of them too.
	build := rebuild("applications")
	const counts = `count(*), count(decided_on),
		        count(*) FILTER (WHERE decided_on IS NOT NULL AND on_time), count(*) FILTER (WHERE decided_on IS NOT NULL AND NOT on_time),
		        count(*) FILTER (WHERE decided_on IS NULL AND warning = 'red'), count(*) FILTER (WHERE decided_on IS NULL AND warning = 'yellow'),
		        coalesce(sum(decision_days) FILTER (WHERE decided_on IS NOT NULL), 0), count(decision_days) FILTER (WHERE decided_on IS NOT NULL),
		        count(rating), count(*) FILTER (WHERE rating >= 3)`
	const sums = `sum(received), sum(decided), sum(on_time), sum(late), sum(overdue), sum(yellow), sum(days_sum), sum(days_count), sum(rated), sum(good)`
	// The rollups in four parts by county (each part's rows aggregated apart; every rollup row
	// is one county's), so they use both cores and each sort is a quarter of the rows.
	for part := 0; part < 4; part++ {
		mine := fmt.Sprintf("tenant_id IN (SELECT tenant_id FROM supervision.counties WHERE substr(code, 2)::int %% 4 = %d)", part)
		build = append(build, []string{"SET work_mem = '128MB'",
			`INSERT INTO supervision.item_months (tenant_id, township, item_code, item_name, month, region_path, received, decided, on_time, late, overdue, yellow, days_sum, days_count, rated, good)
			 SELECT tenant_id, township, item_code, item_name, date_trunc('month', coalesce(received_on, accepted_on))::date, region_path, ` + counts + `
			 FROM supervision.applications WHERE coalesce(received_on, accepted_on) IS NOT NULL AND ` + mine + ` GROUP BY 1, 2, 3, 4, 5, 6`,
			`INSERT INTO supervision.township_months (tenant_id, township, month, region_path, received, decided, on_time, late, overdue, yellow, days_sum, days_count, rated, good)
			 SELECT tenant_id, township, month, region_path, ` + sums + ` FROM supervision.item_months WHERE ` + mine + ` GROUP BY 1, 2, 3, 4`,
			`INSERT INTO supervision.county_months (tenant_id, month, region_path, received, decided, on_time, late, overdue, yellow, days_sum, days_count, rated, good)
			 SELECT tenant_id, month, region_path, ` + sums + ` FROM supervision.township_months WHERE ` + mine + ` GROUP BY 1, 2, 3`,
		})
	}
	// The access lists' burden: twenty communities a county; the workforce: three posts of
	// eighteen levels; every month of the five years (version 1: published once).
	build = append(build, []string{
		`ALTER TABLE supervision.burden_months DISABLE TRIGGER supervision_rollup`,
		`ALTER TABLE supervision.workforce_months DISABLE TRIGGER supervision_rollup`,
		`INSERT INTO supervision.burden_months (tenant_id, month, community, region_path, version, tasks, accepted, refused, intercepted, hours, ledgers, certificates, inspections)
		 SELECT c.t[k], to_char(date '2022-01-01' + make_interval(months => m), 'YYYY-MM'), '第' || j || '社区', c.p[k], 1,
		        10 + (m + j) % 7, 8, (m + j) % 3, (m * j) % 4, 12.5, 1, 0, 1
		 FROM ` + counties + `, generate_series(1, 100) k, generate_series(0, 59) m, generate_series(1, 20) j`,
		`INSERT INTO supervision.workforce_months (tenant_id, month, post, level, region_path, version, workers, payroll_fen)
		 SELECT c.t[k], to_char(date '2022-01-01' + make_interval(months => m), 'YYYY-MM'), post, level, c.p[k], 1, 1 + level % 4, 450000 * (1 + level % 4)
		 FROM ` + counties + `, generate_series(1, 100) k, generate_series(0, 59) m, unnest(ARRAY['正职', '副职', '委员']) post, generate_series(1, 18) level`,
		`ALTER TABLE supervision.burden_months ENABLE TRIGGER supervision_rollup`,
		`ALTER TABLE supervision.workforce_months ENABLE TRIGGER supervision_rollup`,
		`INSERT INTO supervision.burden_county_months (tenant_id, month, region_path, communities, tasks, refused, intercepted, hours)
		 SELECT tenant_id, month, region_path, count(*), sum(tasks), sum(refused), sum(intercepted), sum(hours) FROM supervision.burden_months GROUP BY 1, 2, 3`,
		`INSERT INTO supervision.workforce_county_months (tenant_id, month, region_path, rows, workers, payroll_fen)
		 SELECT tenant_id, month, region_path, count(*), sum(workers), sum(payroll_fen) FROM supervision.workforce_months GROUP BY 1, 2, 3`,
	})
	// Cards: three per thousand applications over the five years, a third red, most of them on a
	// limit, a quarter under 督办 (issued by the province or the county's city, in every status).
	// The login log: four accounts in each of the province and its ten cities signing in about
	// twice a working day for five years, with failures, idle timeouts and ended sessions.
	cards := max(apps*3/1000, 100)
	// Their foreign keys hold by construction (the counties' ids, the regions' codes): the
	// connection skips the checks' triggers (session_replication_role), one per row otherwise.
	build = append(build, []string{"SET session_replication_role = replica",
		fmt.Sprintf(`INSERT INTO supervision.cards (tenant_id, id, application_id, rule, subject, region_path, colour, item_name, township, department,
		        clerk_ref, due_on, days_over, raised_on, red_on)
		 SELECT c.t[g %% 100 + 1], gen_random_uuid(), gen_random_uuid(),
		        (ARRAY['overdue', 'overdue', 'overdue', 'step_overdue', 'refusal_unstated', 'repeat_corrections', 'late_callback'])[g %% 7 + 1],
		        CASE WHEN g %% 7 = 3 THEN 'step' ELSE 'limit' END, c.p[g %% 100 + 1], CASE WHEN g %% 3 = 0 THEN 'red' ELSE 'yellow' END,
		        '事项' || (g %% 50), '第' || (g %% 20) || '镇', '民政局', md5(g::text), d - 3, CASE WHEN g %% 3 = 0 THEN 3 + g %% 9 ELSE g %% 3 END,
		        d, CASE WHEN g %% 3 = 0 THEN d END
		 FROM %s, generate_series(0, %d - 1) g
		 CROSS JOIN LATERAL (SELECT current_date - (g::bigint * 1826 / %d)::int AS d) x`, counties, cards, cards),
		`INSERT INTO supervision.card_orders (tenant_id, card_id, region_path, issued_by, instruction, due_on, issued_at, status, reply, replied_at, closed_at)
		 SELECT k.tenant_id, k.id, k.region_path, CASE WHEN n % 2 = 0 THEN '610000' ELSE split_part(k.region_path, '/', 4) END,
		        '请核查超期原因并限期整改', k.raised_on + 10, k.raised_on + 1, s,
		        CASE WHEN s IN ('replied', 'closed', 'returned') THEN '已整改，相关人员已批评教育' END,
		        CASE WHEN s IN ('replied', 'closed', 'returned') THEN k.raised_on + 5 END, CASE WHEN s = 'closed' THEN k.raised_on + 7 END
		 FROM (SELECT c.*, row_number() OVER (ORDER BY c.id) AS n FROM supervision.cards c) k
		 CROSS JOIN LATERAL (SELECT (ARRAY['issued', 'replied', 'returned', 'closed'])[k.n / 4 % 4 + 1] AS s) st
		 WHERE k.n % 4 = 0`,
		// Their history, through the chaining trigger (the replica role would skip it): the
		// order, then the reply, then its return or close, as the order's row tells.
		"SET session_replication_role = origin",
		`INSERT INTO supervision.card_order_events (tenant_id, card_id, region_path, at, action, actor_kind, actor, body, due_on)
		 SELECT o.tenant_id, o.card_id, o.region_path, s.at, s.action, s.actor_kind, s.actor, s.body, s.due_on
		 FROM supervision.card_orders o
		 CROSS JOIN LATERAL (VALUES
		        (1, o.issued_at, 'issued', 'region', o.issued_by, o.instruction, o.due_on),
		        (2, o.replied_at, 'replied', 'county', 'c', o.reply, NULL::date),
		        (3, CASE WHEN o.status = 'returned' THEN o.replied_at END, 'returned', 'region', o.issued_by, '请补充整改措施', NULL::date),
		        (4, o.closed_at, 'closed', 'region', o.issued_by, NULL, NULL::date)) AS s(n, at, action, actor_kind, actor, body, due_on)
		 WHERE s.at IS NOT NULL
		 ORDER BY o.tenant_id, o.card_id, s.n`,
	}, []string{"SET session_replication_role = replica",
		`INSERT INTO supervision.region_login_events (region_code, id, at, phone, identity_id, name, address, user_agent, result)
		 SELECT r.code, gen_random_uuid(), now() - make_interval(secs => g * 173.0 + (g % 97)), '139' || lpad((g % 44)::text, 8, '0'), gen_random_uuid(),
		        '', '10.0.' || (g % 250) || '.' || (g % 200), 'Mozilla/5.0',
		        (ARRAY['success', 'success', 'success', 'success', 'success', 'success', 'ended', 'idle_timeout', 'idle_timeout', 'failure', 'success', 'locked'])[g % 12 + 1]
		 FROM generate_series(0, 249999) g
		 JOIN (SELECT code, row_number() OVER (ORDER BY code) - 1 AS k FROM supervision.regions WHERE code LIKE '61%') r ON r.k = g % 11`,
	})
	if err := parallel(build); err != nil {
		return nil, nil, err
	}
	phase("indexes_rollups_s")
	if err := parallel(append(append(rebuild("item_months"), rebuild("township_months")...), rebuild("county_months")...)); err != nil {
		return nil, nil, err
	}
	phase("rollup_indexes_s")
	if err := exec(`ANALYZE supervision.county_months`, `ANALYZE supervision.burden_months`, `ANALYZE supervision.burden_county_months`,
		`ANALYZE supervision.workforce_county_months`, `ANALYZE supervision.workforce_months`, `ANALYZE supervision.applications`,
		`ANALYZE supervision.township_months`, `ANALYZE supervision.item_months`, `ANALYZE supervision.counties`,
		`ANALYZE supervision.cards`, `ANALYZE supervision.card_orders`, `ANALYZE supervision.card_order_events`, `ANALYZE supervision.region_login_events`); err != nil {
		return nil, nil, err
	}
	phase("analyze_s")
	return phases, slow, nil
}

// checkRollups proves on a sample that the filled rollups are what the triggers would keep:
// in a transaction rolled back afterwards, the rollup rows of one county's year (and its
// burden and workforce county rows) are deleted and added again by the trigger's own functions
// (supervision.rollup_add and the monthly ones, row by row), and the result must equal what the
// fill wrote, column for column. It returns the applications the sample covered.
func checkRollups(ctx context.Context, pool *pgxpool.Pool, code string) (int, error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	var tid string
	if err := tx.QueryRow(ctx, "SELECT tenant_id::text FROM supervision.counties WHERE code = $1", code).Scan(&tid); err != nil {
		return 0, err
	}
	const year = `month >= '2024-01-01' AND month < '2025-01-01'`
	tables := []struct{ name, where, order string }{
		{"county_months", year, "month"},
		{"township_months", year, "township, month"},
		{"item_months", year, "township, item_code, item_name, month"},
		{"burden_county_months", "true", "month"},
		{"workforce_county_months", "true", "month"},
	}
	dump := func() ([]string, error) {
		var out []string
		for _, t := range tables {
			rows, err := tx.Query(ctx, fmt.Sprintf("SELECT row_to_json(s)::text FROM supervision.%s s WHERE tenant_id = $1 AND %s ORDER BY %s", t.name, t.where, t.order), tid)
			if err != nil {
				return nil, err
			}
			lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return nil, err
			}
			out = append(out, fmt.Sprintf("%s: %d rows", t.name, len(lines)))
			out = append(out, lines...)
		}
		return out, nil
	}
	filled, err := dump()
	if err != nil {
		return 0, err
	}
	for _, t := range tables {
		if _, err := tx.Exec(ctx, fmt.Sprintf("DELETE FROM supervision.%s WHERE tenant_id = $1 AND %s", t.name, t.where), tid); err != nil {
			return 0, err
		}
	}
	const sample = `FROM supervision.applications a WHERE a.tenant_id = $1 AND a.received_on >= '2024-01-01' AND a.received_on < '2025-01-01'`
	var n int
	if err := tx.QueryRow(ctx, "SELECT count(*) "+sample, tid).Scan(&n); err != nil {
		return 0, err
	}
	for _, q := range []string{"SELECT supervision.rollup_add(a, 1) " + sample,
		`SELECT supervision.burden_rollup_add(b, 1) FROM supervision.burden_months b WHERE b.tenant_id = $1`,
		`SELECT supervision.workforce_rollup_add(w, 1) FROM supervision.workforce_months w WHERE w.tenant_id = $1`} {
		if _, err := tx.Exec(ctx, q, tid); err != nil {
			return 0, err
		}
	}
	kept, err := dump()
	if err != nil {
		return 0, err
	}
	if n == 0 || len(filled) != len(kept) {
		return n, fmt.Errorf("rollups of %s: %d applications; the fill wrote %d lines, the triggers' functions %d", code, n, len(filled), len(kept))
	}
	for i := range filled {
		if filled[i] != kept[i] {
			return n, fmt.Errorf("rollups of %s differ from the triggers' own:\nfill:    %s\ntrigger: %s", code, filled[i], kept[i])
		}
	}
	return n, nil
}
