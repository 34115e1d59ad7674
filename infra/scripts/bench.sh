#!/usr/bin/env bash
# make bench: every Go benchmark, then the ratios the issues ask for, each against a baseline
# measured in the same run (the machines are shared and noisy, so absolute numbers mislead).
set -uo pipefail
cd "$(dirname "$0")/../.."
out=.run/bench
mkdir -p "$out"

# Reuse a running test stack (e.g. after make test in this checkout); else start one and stop
# it afterwards.
if [ -f .run/test/env ] && (set -a; . .run/test/env; pg_isready -q -d "$DATABASE_URL"); then
  started=""
else
  bash infra/scripts/stack.sh up test >/dev/null || exit 1
  started=1
  trap 'bash infra/scripts/stack.sh down test >/dev/null 2>&1' EXIT
fi
set -a; . .run/test/env; set +a
command -v pgbench >/dev/null || { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >/dev/null; }

: >"$out/bench.txt"
for m in tenants services jobs api; do
  (cd "$m" && go test -run '^$' -bench . -benchmem -timeout 3h -skip 'AcceptanceThroughput' ./... 2>/dev/null) | tee -a "$out/bench.txt" | grep -E '^(Benchmark|ok|FAIL|pkg:)'
done
(cd api && YC_BENCH_SECONDS="${YC_BENCH_SECONDS:-10}" go test -run '^$' -bench AcceptanceThroughput -benchtime 1x ./server/ 2>/dev/null) |
  tee -a "$out/bench.txt" | grep -E '^Benchmark|round:'

python3 - "$out/bench.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ns(name):
    m = re.search(r'^Benchmark%s-\d+\s+\d+\s+([0-9.]+) ns/op' % name, text, re.M)
    return float(m.group(1)) if m else None
def metric(name, unit):
    m = re.search(r'^Benchmark%s-\d+\s.*?([0-9.]+) %s' % (name, re.escape(unit)), text, re.M)
    return float(m.group(1)) if m else None
print("\n== ratios (same run)")
fast, naive = ns("Add"), ns("AddNaive")
if fast and naive:
    r = naive / fast
    print(f"due date, 20 working days: indexed {fast:.1f} ns vs naive lunar-go loop {naive/1000:.1f} µs = {r:,.0f}x faster (target >= 1000x) {'OK' if r >= 1000 else 'BELOW TARGET'}")
else:
    print("due date benchmarks missing"); sys.exit(1)
pay, oracle = ns("Payroll10k"), ns("PayrollOracle10k")
if pay and oracle:
    print(f"payroll, 10,000 workers with 3 months of arrears (no I/O): {pay/1e6:.1f} ms (target < 200 ms) {'OK' if pay < 200e6 else 'ABOVE TARGET'}; "
          f"{oracle/pay:,.0f}x faster than the day-by-day oracle ({oracle/1e6:.0f} ms)")
else:
    print("payroll benchmarks missing"); sys.exit(1)
xl, cells = ns("PayrollExcel10k"), ns("PayrollExcelCellByCell10k")
if xl and cells:
    print(f"payroll Excel, 10,000 rows: {xl/1e9:.2f} s (target < 3 s) {'OK' if xl < 3e9 else 'ABOVE TARGET'}; "
          f"{cells/xl:.1f}x faster than excelize cell by cell ({cells/1e9:.2f} s)")
else:
    print("payroll Excel benchmarks missing"); sys.exit(1)
first = metric("Reconcile", "first_s")
if first is not None:
    m = lambda u: metric("Reconcile", u)
    print(f"deadline reconciliation, {m('open'):,.0f} open applications in one county: first sweep {first:.1f} s, nothing to change "
          f"{m('unchanged_s'):.2f} s = {m('unchanged/first'):.2f} of the first, {m('unchanged_rows_written'):.0f} rows written; "
          f"after a closure {m('closure_s'):.2f} s ({m('closure_scanned'):,.0f} read, {m('closure_changed'):,.0f} re-dated); "
          f"a clerk's step during the first sweep p95 {m('clerk_p95_ms'):.1f} ms (max {m('clerk_max_ms'):.0f} ms) vs {m('clerk_alone_p95_ms'):.1f} ms alone "
          f"(target < 50 ms) {'OK' if m('clerk_p95_ms') < 50 else 'ABOVE TARGET'}")
else:
    print("reconciliation benchmark missing"); sys.exit(1)
apps = metric("Dashboards", "applications")
if apps is not None:
    d = lambda u: metric("Dashboards", u)
    print(f"supervision dashboards, 100 counties, {apps:,.0f} applications in the store (fill {d('fill_s'):.0f} s: rows {d('fill_applications_s'):.0f} s, "
          f"indexes and rollups {d('fill_indexes_rollups_s') + d('fill_rollup_indexes_s'):.0f} s; {d('rollup_rows'):,.0f} rollup rows, equal to the triggers' own "
          f"on {d('rollup_check_apps'):,.0f} applications; YC_SUPERVISION_APPS sets the size, 10,000,000 the province of issue 16):")
    worst, worst_list = 0, 0
    for c in (1, 8):
        base = d(f"baseline_c{c}_p95_ms")
        cells = []
        for level in ("province", "city", "county", "township"):
            p50, p95 = d(f"{level}_c{c}_p50_ms"), d(f"{level}_c{c}_p95_ms")
            worst = max(worst, p95)
            cells.append(f"{level} p50 {p50:.1f} / p95 {p95:.1f} ms ({p95/base:.1f}x)")
        print(f"  {c} client(s), baseline (region transaction, one row) p95 {base:.1f} ms: " + "; ".join(cells))
    print(f"  worst p95 {worst:.1f} ms (target < 200 ms) {'OK' if worst < 200 else 'ABOVE TARGET'}; "
          f"the province's year aggregated from the applications instead: {d('province_direct_ms'):,.0f} ms")
    print(f"  lists at the same size ({d('cards'):,.0f} cards, the list cut at 500, open and red first; {d('login_events'):,.0f} region login events, first page of 50):")
    for c in (1, 8):
        base = d(f"baseline_c{c}_p95_ms")
        cells = []
        for name, label in (("cards_province", "cards, province"), ("cards_city", "cards, city"),
                            ("logins_province", "login log, province"), ("logins_city", "login log, city")):
            p50, p95 = d(f"{name}_c{c}_p50_ms"), d(f"{name}_c{c}_p95_ms")
            worst_list = max(worst_list, p95)
            cells.append(f"{label} p50 {p50:.1f} / p95 {p95:.1f} ms ({p95/base:.1f}x)")
        print(f"  {c} client(s), baseline p95 {base:.1f} ms: " + "; ".join(cells))
    print(f"  worst list p95 {worst_list:.1f} ms (target < 50 ms, issue 14's for list screens) {'OK' if worst_list < 50 else 'ABOVE TARGET'}")
else:
    print("dashboard benchmark missing"); sys.exit(1)
ratio = metric("AcceptanceThroughput", "ratio")
if ratio is not None:
    http, pg = metric("AcceptanceThroughput", "http_intakes/s"), metric("AcceptanceThroughput", "pgbench_tps")
    one = metric("AcceptanceThroughput", "one_county_intakes/s")
    print(f"intake through HTTP with sessions over 20 counties: {http:.0f}/s vs pgbench same inserts {pg:.0f}/s (means of the rounds); median ratio of the rounds {ratio:.2f} (target >= 0.6) {'OK' if ratio >= 0.6 else 'BELOW TARGET'}")
    hc, gc, pc = metric("AcceptanceThroughput", "http_cpu_ms/intake"), metric("AcceptanceThroughput", "go_cpu_ms/intake"), metric("AcceptanceThroughput", "pgbench_cpu_ms/tx")
    if hc and pc:
        print(f"  the machine's CPU per intake {hc:.2f} ms (this process, server and clients: {gc:.2f} ms) vs per pgbench transaction {pc:.2f} ms = {pc/hc:.2f}")
    print(f"intake through HTTP in ONE county (its audit chain head serialises): {one:.0f}/s = {one/pg:.2f} of pgbench over 20 (target >= 200/s) {'OK' if one >= 200 else 'BELOW TARGET'}")
else:
    print("acceptance throughput benchmark missing"); sys.exit(1)
PY
