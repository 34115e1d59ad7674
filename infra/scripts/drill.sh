#!/usr/bin/env bash
# make drill: the backup drill. On a throwaway stack of its own (profile drill: .run/drill,
# its own ports, so a test or dev stack runs on undisturbed) it does what a disaster and its
# recovery would:
#
#   1. the real app (bin/yichuang serve, the demo county) takes applications through the HTTP
#      API with a clerk's session — intake, 受理 (its notice rendered into MinIO), some with an
#      uploaded scan; one is acknowledged when every call answered 2xx
#   2. full backup (pgBackRest) → more applications → incremental backup → more applications
#      (these only in the archived WAL) → the point in time is recorded
#   3. after the point: more applications, and in MinIO a pinned upload overwritten and a
#      pinned notice deleted
#   4. the app and PostgreSQL stop and the data folder is DESTROYED
#   5. make restore to the point (backup.sh restore --target), PostgreSQL starts
#   6. checks: every application acknowledged before the point is there as acknowledged,
#      none after it; the audit chain verifies (`yichuang audit verify`, with its anchor);
#      every object version a restored row pins exists (`yichuang documents check`), and
#      `--restore` makes the overwritten and deleted ones the newest again; the restarted app
#      serves the restored applications, the notice and the scan, and takes a new intake
#
# Prints each check, then "drill: N passed, M failed"; exit status 1 on any failure.
# Ports: YC_DRILL_PG_PORT, YC_DRILL_KRATOS_PUBLIC_PORT, YC_DRILL_KRATOS_ADMIN_PORT,
# YC_DRILL_MINIO_PORT, YC_DRILL_APP_PORT (defaults in stack.sh's drill profile).
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
started=$(date +%s)
say() { printf '\n==> [%3d s] %s\n' "$(( $(date +%s) - started ))" "$*"; }

# The drill's stack, whatever the caller's YC_* variables point at.
export YC_PG_PORT=${YC_DRILL_PG_PORT:-25452} YC_KRATOS_PUBLIC_PORT=${YC_DRILL_KRATOS_PUBLIC_PORT:-24453}
export YC_KRATOS_ADMIN_PORT=${YC_DRILL_KRATOS_ADMIN_PORT:-24454} YC_MINIO_PORT=${YC_DRILL_MINIO_PORT:-29020}
export YC_APP_PORT=${YC_DRILL_APP_PORT:-18100}
export YC_STATE_DIR=$repo/.run/drill
unset DATABASE_URL APP_DATABASE_URL YC_APP_URL KRATOS_DSN YC_MINIO_BUCKET_PREFIX
out=$repo/.run/drill-results
rm -rf "$out"; mkdir -p "$out"
export YC_DRILL_OUT=$out
results=$out/checks.txt
: >"$results"
check() { # name command...: a check run by the shell
  local name=$1; shift
  if "$@" >"$out/last.log" 2>&1; then echo "pass $name" >>"$results"; echo "  ok   $name"
  else echo "fail $name" >>"$results"; echo "  FAIL $name"; sed 's/^/       /' "$out/last.log" | tail -n 15; fi
}
finish() {
  local p f
  p=$(grep -c '^pass ' "$results"); f=$(grep -c '^fail ' "$results")
  echo "{\"passed\": $p, \"failed\": $f, \"seconds\": $(( $(date +%s) - started ))}" >"$out/drill.json"
  echo; echo "drill: $p passed, $f failed ($(( $(date +%s) - started )) s)"
  [ "$f" = 0 ] && [ "$p" -gt 0 ]
}
abort() { echo "fail $1" >>"$results"; echo "  FAIL $1" >&2; finish; exit 1; }

say "drill stack (PostgreSQL with WAL archiving to pgBackRest, Kratos, MinIO) on its own ports"
bash infra/scripts/stack.sh up drill || abort "the drill stack starts"
serve_pid=""
stop_serve() { [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null; serve_pid=""; }
trap 'stop_serve; bash infra/scripts/stack.sh down drill >/dev/null 2>&1' EXIT
set -a; . "$YC_STATE_DIR/env"; set +a
read -r pgbin pgdir <"$YC_STATE_DIR/pg.ref"
export PATH=$pgbin:$PATH

say "the app: build, migrate, seed the demo county, serve"
# make test has just built it (YC_DRILL_BUILD=0); on its own the drill builds it.
if [ "${YC_DRILL_BUILD:-1}" != 0 ] || [ ! -x bin/yichuang ]; then
  go build -o bin/yichuang ./api/cmd/yichuang || abort "bin/yichuang builds"
fi
./bin/yichuang migrate >"$out/migrate.log" 2>&1 || abort "migrate"
./bin/yichuang seed-demo >"$out/seed.log" 2>&1 || abort "seed-demo"
serve() {
  ./bin/yichuang serve --addr "$YC_ADDR" >>"$out/serve.log" 2>&1 &
  serve_pid=$!
  for _ in $(seq 100); do curl -fs "$YC_PUBLIC_URL/readyz" >/dev/null && return 0; sleep 0.2; done
  return 1
}
serve || abort "the app serves"
# The start-up sweep anchors the county's audit head in the locked archive bucket; let it
# land first, so the anchor the restored chain is compared with predates the point.
anchored() { [ "$(psql -qAt "$DATABASE_URL" -c "SELECT count(*) FROM river.river_job WHERE kind = 'audit_anchor' AND state = 'completed'")" -gt 0 ]; }
for _ in $(seq 300); do anchored && break; sleep 0.2; done
check "the county's audit head is anchored in the locked bucket before the writes" anchored

say "writing, backing up, writing"
python3 infra/scripts/drill.py write full 4 2
check "full backup" bash infra/scripts/backup.sh backup drill --type full
python3 infra/scripts/drill.py write incr 4 1
check "incremental backup" bash infra/scripts/backup.sh backup drill --type incr
bash infra/scripts/backup.sh info drill >"$out/backups.txt" 2>&1
check "the repository holds a full and an incremental backup" grep -q 'incr backup' "$out/backups.txt"
python3 infra/scripts/drill.py write wal 4 1
python3 infra/scripts/drill.py wait-documents
sleep 1
point=$(psql -qAt "$DATABASE_URL" -c "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'")
echo "  point in time: $point"
echo "$point" >"$out/point.txt"
sleep 1

say "after the point: more applications; MinIO objects overwritten and deleted"
python3 infra/scripts/drill.py write after 4 1
python3 infra/scripts/drill.py damage
# Everything up to now must be in the archive before the disk "dies" (in production
# archive_timeout bounds what is lost: a minute).
seg=$(psql -qAt "$DATABASE_URL" -c "SELECT pg_walfile_name(pg_switch_wal())")
for _ in $(seq 100); do
  [ "$(psql -qAt "$DATABASE_URL" -c "SELECT last_archived_wal >= '$seg' FROM pg_stat_archiver")" = t ] && break
  sleep 0.2
done
check "the WAL after the point is archived" test "$(psql -qAt "$DATABASE_URL" -c "SELECT last_archived_wal >= '$seg' FROM pg_stat_archiver")" = t

say "disaster: the app and PostgreSQL stop, the data folder is destroyed"
stop_serve
bash infra/scripts/stack.sh pg-stop drill
rm -rf "$pgdir"
check "the data folder is gone" test ! -e "$pgdir"

say "restore to $point"
t0=$(date +%s)
check "make restore to the point in time" bash infra/scripts/backup.sh restore drill --target "$point"
echo "  restore took $(( $(date +%s) - t0 )) s"
check "the restored cluster has been promoted (writable)" test "$(psql -qAt "$DATABASE_URL" -c 'SELECT pg_is_in_recovery()')" = f

say "checks"
python3 infra/scripts/drill.py check-db full,incr,wal after
check "the audit chain verifies against its anchor (yichuang audit verify)" \
  bash -c './bin/yichuang audit verify --tenant demo | tee /dev/stderr | grep -q "matches"'
check "the documents bucket is versioned and every pinned version exists (yichuang documents check)" \
  bash -c './bin/yichuang documents check | tee /dev/stderr | grep -E "^demo: .* 0 missing; 2 overwritten or deleted since, 0 restored"'
check "yichuang documents check --restore makes the pinned versions the newest again" \
  bash -c './bin/yichuang documents check --restore | tee /dev/stderr | grep -E "^demo: .* 0 missing; 2 overwritten or deleted since, 2 restored"'
check "a second documents check finds nothing to restore" \
  bash -c './bin/yichuang documents check | grep -E "^demo: .* 0 missing; 0 overwritten or deleted since"'
python3 infra/scripts/drill.py check-objects
serve || abort "the app serves the restored database"
python3 infra/scripts/drill.py check-api full,incr,wal after
# An incremental one: it proves archiving and backups go on, on the new timeline, and costs
# seconds where a full one costs the drill the longest step.
check "a backup of the restored cluster (new timeline) succeeds" bash infra/scripts/backup.sh backup drill --type incr

finish
