#!/usr/bin/env bash
# make run: the whole product on one origin with demo data, no Docker. The first run builds
# Kratos and MinIO and installs packages (several minutes); later runs reuse everything.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
say() { printf '==> %s\n' "$*"; }

[ -n "${DATABASE_URL:-}" ] && [ -z "${APP_DATABASE_URL:-}" ] && [ -z "${YC_APP_DB_PASSWORD:-}" ] &&
  { echo "With DATABASE_URL set, also set APP_DATABASE_URL (the runtime role) or YC_APP_DB_PASSWORD" >&2; exit 1; }

# A first run builds Kratos and MinIO, installs packages and builds the frontend (several
# minutes); later runs rebuild only what changed. Say so only when it is a first run.
. infra/scripts/versions.env
tools=${YC_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/yichuang/tools}
if [ ! -x "$tools/kratos-$KRATOS_VERSION" ] || [ ! -x "$tools/minio-$MINIO_VERSION" ] ||
  [ ! -f frontend/node_modules/.yichuang-lock-sha ] || [ ! -f frontend/dist/app/index.html ]; then
  say "first run: building Kratos and MinIO, installing packages and building the frontend takes several minutes; later runs take seconds"
fi
# Notice PDFs (services/notice) embed these fonts; without them issuing a notice fails.
if [ ! -f "${YC_PDF_FONT:-/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf}" ] ||
  [ ! -f "${YC_PDF_LATIN_FONT:-/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf}" ]; then
  if [ "$(id -u)" = 0 ]; then
    say "installing the fonts notice PDFs embed"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-droid-fallback fonts-liberation >/dev/null
  else
    echo "notice PDFs need fonts, until then issuing a notice fails: sudo apt-get install fonts-droid-fallback fonts-liberation" >&2
  fi
fi
cleanup() { say "stopping"; bash infra/scripts/stack.sh down dev; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# GNU make, sent SIGINT on its own (not the terminal's Ctrl-C to the whole group), does not
# pass it on: it waits for this script, which would run on forever. Its handler resets
# SIGINT to the default before waiting, so the bit leaves make's caught-signals mask
# (/proc/PID/status SigCgt): watch for that, or for the parent's end, and stop as for Ctrl-C.
catches_sigint() {
  local mask
  mask=$(awk '/^SigCgt:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
  [ -n "$mask" ] && (( 0x$mask & 2 ))
}
parent=$PPID
watch_mask=false
catches_sigint "$parent" && watch_mask=true
( while kill -0 $$ 2>/dev/null; do
    if ! kill -0 "$parent" 2>/dev/null || { $watch_mask && ! catches_sigint "$parent"; }; then
      kill -INT $$; exit 0
    fi
    sleep 1
  done ) &

bash infra/scripts/stack.sh up dev
set -a; . "${YC_STATE_DIR:-.run/dev}/env"; set +a

bash infra/scripts/frontend-deps.sh
# The frontend is rebuilt only when what it is built from changed (Go's build cache does the
# same for the binary): its sources, packages, build configuration and the pinned renderer.
inputs=$( { cd frontend && git ls-files -co --exclude-standard -- src public index.html package-lock.json 'vite.config.*' 'tsconfig*' |
  sort | xargs sha256sum; grep '^SCALAR_' ../infra/scripts/versions.env; } | sha256sum | cut -c1-64)
stamp=.run/frontend-build.sha
if [ ! -f frontend/dist/app/index.html ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$inputs" ]; then
  say "building the frontend"
  (cd frontend && npm run --silent build >/dev/null)
  mkdir -p .run && echo "$inputs" >"$stamp"
fi
say "building bin/yichuang"
go build -o bin/yichuang ./api/cmd/yichuang
say "migrating the database"
./bin/yichuang migrate
say "seeding the demo county"
./bin/yichuang seed-demo
say "serving on $YC_PUBLIC_URL  (Ctrl-C stops everything)"
# In the background and waited for, so a signal to this script alone (not only a terminal's
# Ctrl-C to the whole group) also reaches the server before the stack is stopped.
./bin/yichuang serve --addr "$YC_ADDR" &
serve_pid=$!
trap 'kill -INT $serve_pid 2>/dev/null; wait $serve_pid; exit 130' INT TERM
wait $serve_pid
