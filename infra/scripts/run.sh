#!/usr/bin/env bash
# make run: the whole product on one origin with demo data, no Docker. The first run builds
# Kratos and MinIO and installs packages (several minutes); later runs reuse everything.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
say() { printf '==> %s\n' "$*"; }

[ -n "${DATABASE_URL:-}" ] && [ -z "${APP_DATABASE_URL:-}" ] && [ -z "${YC_APP_DB_PASSWORD:-}" ] &&
  { echo "With DATABASE_URL set, also set APP_DATABASE_URL (the runtime role) or YC_APP_DB_PASSWORD" >&2; exit 1; }

say "first run? building Kratos and MinIO and installing packages takes several minutes; later runs take seconds"
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
bash infra/scripts/stack.sh up dev
set -a; . .run/dev/env; set +a

say "building the frontend"
bash infra/scripts/frontend-deps.sh
(cd frontend && npm run --silent build >/dev/null)
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
