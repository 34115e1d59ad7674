#!/usr/bin/env bash
# make test: every test against real parts. Starts a private stack (PostgreSQL, Kratos,
# MinIO on their own ports, throwaway data), runs the Go tests (unit and integration; none
# may skip), the frontend unit tests, the API-client staleness check and the browser tests
# in Debian's Chromium, then stops the stack, runs the backup drill (drill.sh, on a stack of
# its own) and prints the counts.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
say() { printf '\n==> %s\n' "$*"; }
out=$repo/.run/test-results
rm -rf "$out"; mkdir -p "$out"
failed_steps=()

if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    say "installing Debian's chromium (browser tests)"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "chromium is missing: sudo apt-get install chromium" >&2; exit 1
  fi
fi
# Chinese text in the browser's screenshots needs a CJK font.
if ! fc-list 2>/dev/null | grep -qi 'cjk\|droid sans fallback'; then
  if [ "$(id -u)" = 0 ]; then
    say "installing CJK fonts for the browser"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null || exit 1
  else
    echo "CJK fonts are missing: sudo apt-get install fonts-noto-cjk" >&2; exit 1
  fi
fi
# Notice PDFs (services/notice) embed Droid Sans Fallback for hanzi and Liberation Sans for
# digits and Latin; their tests read the PDFs back with poppler-utils (pdftotext, pdftoppm).
if ! { [ -f "${YC_PDF_FONT:-/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf}" ] &&
  [ -f "${YC_PDF_LATIN_FONT:-/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf}" ] &&
  command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null; }; then
  if [ "$(id -u)" = 0 ]; then
    say "installing the notice PDF fonts and poppler-utils"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-droid-fallback fonts-liberation poppler-utils >/dev/null || exit 1
  else
    echo "notice PDF fonts or poppler-utils are missing: sudo apt-get install fonts-droid-fallback fonts-liberation poppler-utils" >&2; exit 1
  fi
fi

say "frontend packages"
bash infra/scripts/frontend-deps.sh || exit 1

say "starting the test stack"
bash infra/scripts/stack.sh up test || exit 1
trap 'bash infra/scripts/stack.sh down test' EXIT
set -a; . .run/test/env; set +a
export YC_TEST_REQUIRE=1

say "go vet"
go vet $(echo ./tenants/... ./services/... ./jobs/... ./api/... ./frontend/...) || failed_steps+=("go vet")

say "API client is current"
go build -o bin/yichuang ./api/cmd/yichuang || exit 1
./bin/yichuang openapi | python3 -c 'import json,sys; d=json.load(sys.stdin); f=open(sys.argv[1],"w"); json.dump(d,f,indent=2,ensure_ascii=False); f.write("\n")' "$out/openapi.json"
if ! diff -q "$out/openapi.json" frontend/src/api/openapi.json >/dev/null; then
  echo "frontend/src/api/openapi.json is stale: run \`make api-client\` and commit the result" >&2
  failed_steps+=("api client stale")
fi
(cd frontend && npm run --silent check:api) || failed_steps+=("api client stale")

say "Go tests (unit + integration on the real stack)"
go test -json -count=1 -timeout 15m ./tenants/... ./services/... ./jobs/... ./api/... >"$out/go.json" 2>"$out/go.stderr"
go_rc=$?
# A readable transcript: failures and package results.
python3 - "$out/go.json" <<'PY'
import json, sys
out = {}
for line in open(sys.argv[1]):
    try: e = json.loads(line)
    except ValueError: continue
    key = (e.get("Package"), e.get("Test"))
    if e.get("Action") == "output":
        out.setdefault(key, []).append(e["Output"])
        # The attack suites (api/server/attack*_test.go) report what they sent.
        if e["Output"].startswith("attack suite "): sys.stdout.write(e["Output"])
    if e.get("Action") == "fail" and e.get("Test"): sys.stdout.write("".join(out.get(key, [])))
    if e.get("Action") in ("pass", "fail", "skip") and not e.get("Test"):
        print(f'{e["Action"]:5} {e["Package"]}')
PY
[ $go_rc = 0 ] || { failed_steps+=("go test"); cat "$out/go.stderr" >&2; }

say "frontend unit tests"
(cd frontend && npx vitest run --reporter=default --reporter=json --outputFile="$out/vitest.json") || failed_steps+=("vitest")

say "browser tests (Chromium) against the real server"
go build -o bin/yichuang ./api/cmd/yichuang && (cd frontend && npm run --silent build >/dev/null) && go build -o bin/yichuang ./api/cmd/yichuang || failed_steps+=("build")
./bin/yichuang migrate >/dev/null && ./bin/yichuang seed-demo --json "$out/accounts.json" >/dev/null || failed_steps+=("seed")
./bin/yichuang serve --addr "$YC_ADDR" >"$out/serve.log" 2>&1 &
serve_pid=$!
trap 'kill $serve_pid 2>/dev/null; bash infra/scripts/stack.sh down test' EXIT
for _ in $(seq 50); do curl -fs "$YC_PUBLIC_URL/readyz" >/dev/null && break; sleep 0.2; done
(cd frontend && YC_E2E_BASE_URL=$YC_PUBLIC_URL YC_E2E_ACCOUNTS=$out/accounts.json YC_E2E_SCREENSHOT_DIR=$repo/docs/screenshots \
  node --test --test-reporter=spec --test-reporter-destination=stdout --test-reporter=tap --test-reporter-destination="$out/e2e.tap" e2e/) ||
  failed_steps+=("browser tests")

# Last, once the Go suite and the browser tests (through the real server) have sent their
# statements: every one of the runtime role on a tenant table compares tenant_id with a value
# (Citus routes only those to one shard; tenants/migration/statements_test.go).
say "every statement on a tenant table names its tenant (pg_stat_statements)"
go test -count=1 -tags statementaudit -run TestEveryStatementFiltersTenant -v ./tenants/migration/ >"$out/tenant-predicates.txt" 2>&1
tp_rc=$?
grep -E 'statements of the runtime role checked' "$out/tenant-predicates.txt" | tail -n 1
if [ $tp_rc != 0 ]; then
  sed -n '/statement touches a tenant table/{n;p}' "$out/tenant-predicates.txt" | cut -c1-300 | head -n 60
  tail -n 5 "$out/tenant-predicates.txt"
  failed_steps+=("tenant predicates")
fi

say "make run twice: the second rebuilds nothing, /docs works offline, SIGINT to make stops it"
python3 infra/scripts/run-check.py || failed_steps+=("make run check")

say "backup drill: back up, destroy the data folder, restore to a point in time (infra/scripts/drill.sh)"
# The test stack's ports are free once it is down: the drill takes them, so it needs no ports
# of its own here (a `make drill` beside a running test stack uses the drill profile's).
kill $serve_pid 2>/dev/null; wait $serve_pid 2>/dev/null
bash infra/scripts/stack.sh down test
drill_ports=("${YC_PG_PORT:-25432}" "${YC_KRATOS_PUBLIC_PORT:-24433}" "${YC_KRATOS_ADMIN_PORT:-24434}" "${YC_MINIO_PORT:-29000}" "${YC_APP_PORT:-18080}")
for _ in $(seq 50); do
  busy=0
  for p in "${drill_ports[@]}"; do (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && busy=1; done
  [ $busy = 0 ] && break
  sleep 0.2
done
YC_DRILL_PG_PORT=${drill_ports[0]} YC_DRILL_KRATOS_PUBLIC_PORT=${drill_ports[1]} YC_DRILL_KRATOS_ADMIN_PORT=${drill_ports[2]} \
  YC_DRILL_MINIO_PORT=${drill_ports[3]} YC_DRILL_APP_PORT=${drill_ports[4]} YC_DRILL_BUILD=0 bash infra/scripts/drill.sh || failed_steps+=("backup drill")
cp .run/drill-results/drill.json "$out/drill.json" 2>/dev/null

say "summary"
python3 - "$out" <<'PY'
import json, os, re, sys
d = sys.argv[1]
p = f = s = 0
for line in open(os.path.join(d, "go.json")):
    try: e = json.loads(line)
    except ValueError: continue
    if not e.get("Test"): continue
    a = e.get("Action")
    p += a == "pass"; f += a == "fail"; s += a == "skip"
print(f"go:      {p} passed, {f} failed, {s} skipped")
gp, gf, gs = p, f, s
try:
    v = json.load(open(os.path.join(d, "vitest.json")))
    vp, vf = v.get("numPassedTests", 0), v.get("numFailedTests", 0)
except (OSError, ValueError):
    vp, vf = 0, 1
print(f"vitest:  {vp} passed, {vf} failed")
ep = ef = 0
try:
    tap = open(os.path.join(d, "e2e.tap")).read()
    ep = int((re.search(r"^# pass (\d+)", tap, re.M) or [0, 0])[1])
    ef = int((re.search(r"^# fail (\d+)", tap, re.M) or [0, 0])[1])
except OSError:
    ef = 1
print(f"browser: {ep} passed, {ef} failed")
try:
    dr = json.load(open(os.path.join(d, "drill.json")))
    dp, df = dr["passed"], dr["failed"]
except (OSError, ValueError, KeyError):
    dp, df = 0, 1
print(f"drill:   {dp} passed, {df} failed")
print(f"total: {gp+vp+ep+dp} passed, {gf+vf+ef+df} failed, {gs} skipped")
PY
if [ ${#failed_steps[@]} -gt 0 ]; then
  echo "FAILED: ${failed_steps[*]}" >&2
  exit 1
fi
