#!/usr/bin/env bash
# The local stack: PostgreSQL, Ory Kratos and MinIO as plain processes on loopback, no Docker.
#
#   stack.sh up PROFILE        start (PROFILE is dev, test or drill); prints progress, writes STATE/env
#   stack.sh down PROFILE      stop what `up` started
#   stack.sh pg-stop PROFILE   stop PostgreSQL only; pg-start starts it again (backup.sh restore)
#
# dev keeps its data under .run/dev between runs; test and drill (the backup drill,
# drill.sh) wipe theirs on every `up` and use other ports, so all can run at once. Ports and
# the state folder can be overridden with the variables below. dev and drill archive the
# WAL with pgBackRest (backup.sh), so they can be restored to a point in time.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$here/versions.env"

profile=${2:-dev}
case "$profile" in
  dev)  : "${YC_PG_PORT:=54320}" "${YC_KRATOS_PUBLIC_PORT:=4433}" "${YC_KRATOS_ADMIN_PORT:=4434}"
        : "${YC_MINIO_PORT:=9000}" "${YC_APP_PORT:=8080}" ;;
  test) : "${YC_PG_PORT:=25432}" "${YC_KRATOS_PUBLIC_PORT:=24433}" "${YC_KRATOS_ADMIN_PORT:=24434}"
        : "${YC_MINIO_PORT:=29000}" "${YC_APP_PORT:=18080}" ;;
  drill) : "${YC_PG_PORT:=25452}" "${YC_KRATOS_PUBLIC_PORT:=24453}" "${YC_KRATOS_ADMIN_PORT:=24454}"
        : "${YC_MINIO_PORT:=29020}" "${YC_APP_PORT:=18100}" ;;
  *) echo "unknown profile $profile (dev, test or drill)" >&2; exit 2 ;;
esac
# test and drill are throwaway: wiped on every `up`, and they refuse ports in use. Their ports
# lie below Linux's ephemeral range (32768-60999 by default): a port in that range can be held
# for a moment by any outgoing connection, which once made MinIO's bind fail in CI.
throwaway() { [ "$profile" = test ] || [ "$profile" = drill ]; }
state=${YC_STATE_DIR:-$repo/.run/$profile}
app_url=${YC_APP_URL:-http://127.0.0.1:$YC_APP_PORT}

say() { printf '==> %s\n' "$*"; }

pg_bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$d" ]; then
    if [ "$(id -u)" = 0 ]; then
      say "installing Debian's postgresql package (first time only)"
      apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
      d=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    else
      echo "PostgreSQL is not installed. Install it with: sudo apt-get install postgresql  (or set DATABASE_URL)" >&2
      exit 1
    fi
  fi
  echo "$d"
}

# PostgreSQL refuses to run as root; as root the cluster runs as the postgres user, in a
# folder that user can reach.
pg_run() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_dir() {
  local d=$state/pg
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql --shell /bin/bash postgres
    mkdir -p "$state"
    if ! runuser -u postgres -- test -x "$state"; then
      # The work tree is not reachable by the postgres user (e.g. a private temp folder).
      d=/var/tmp/yichuang-$(printf '%s' "$state" | sha256sum | cut -c1-12)/pg
    fi
  fi
  echo "$d"
}

# The server's options. dev and drill archive every WAL segment with pgBackRest (backup.sh
# writes its configuration and prints the settings), which point-in-time restore needs.
archiving=off
pg_opts() { # dir
  local dir=$1 opts="-p $YC_PG_PORT -k $1 -c listen_addresses=127.0.0.1 -c max_connections=200" a
  # Throwaway test data needs no durability; skipping fsync makes the suite much faster.
  [ "$profile" = test ] && opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  # The drill's cluster is thrown away too, but its commits must be what a real one's are:
  # only the flushes to disk go (a clean stop still writes everything out).
  [ "$profile" = drill ] && opts="$opts -c fsync=off"
  # pg_stat_statements lets `make tenant-predicates` list the statements on tenant tables
  # that do not name tenant_id (Citus readiness; tenants/migration/statements_test.go).
  [ "$profile" = test ] && opts="$opts -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.max=20000"
  if [ "$profile" != test ]; then
    if a=$(bash "$here/backup.sh" archive-opts "$profile" "$dir" "$YC_PG_PORT"); then
      opts="$opts $a"
    else
      echo "(PostgreSQL runs without WAL archiving: make backup / make restore are unavailable)" >&2
    fi
  fi
  echo "$opts"
}

pg_start() { # after pg.ref is written
  local bin dir opts
  read -r bin dir <"$state/pg.ref"
  opts=$(pg_opts "$dir")
  case "$opts" in *archive_mode=on*) archiving=on ;; esac
  if ! pg_run "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    say "PostgreSQL: starting on 127.0.0.1:$YC_PG_PORT"
    pg_run "$bin/pg_ctl" -D "$dir" -o "$opts" -l "$(dirname "$dir")/postgresql.log" -w -t 120 start >/dev/null ||
      { tail -n 5 "$(dirname "$dir")/postgresql.log" >&2; echo "PostgreSQL did not start (is port $YC_PG_PORT taken? set YC_PG_PORT)" >&2; exit 1; }
  fi
}

pg_stop() {
  if [ -s "$state/pg.ref" ]; then
    local bin dir
    read -r bin dir <"$state/pg.ref"
    pg_run "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
  fi
}

wait_http() { # url seconds what
  local i
  for ((i = 0; i < $2 * 5; i++)); do
    if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "$3 did not become ready at $1; see $state/*.log" >&2
  return 1
}

secret() { # name: a random secret kept in the state folder, stable across dev runs
  local f=$state/secrets/$1
  if [ ! -s "$f" ]; then
    mkdir -p "$state/secrets"; chmod 700 "$state/secrets"
    head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32 >"$f"
  fi
  cat "$f"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

up() {
  local p
  for p in "$YC_PG_PORT" "$YC_KRATOS_PUBLIC_PORT" "$YC_KRATOS_ADMIN_PORT" "$YC_MINIO_PORT"; do
    if throwaway && ! port_free "$p"; then
      echo "port $p is in use: another stack (make test in another checkout?) is running; stop it or set the YC_*_PORT variables" >&2
      exit 1
    fi
  done
  command -v curl >/dev/null || { apt-get update -qq >/dev/null && apt-get install -y -qq curl >/dev/null; }
  if throwaway; then down >/dev/null 2>&1 || true; rm -rf "$state"; fi
  mkdir -p "$state"
  local tools
  tools=$(bash "$here/build-servers.sh" | tail -n 1)
  local kratos=$tools/kratos-$KRATOS_VERSION minio=$tools/minio-$MINIO_VERSION

  # --- PostgreSQL
  local owner_url
  if [ -n "${DATABASE_URL:-}" ] && [ "$profile" = dev ]; then
    say "PostgreSQL: using DATABASE_URL"
    owner_url=$DATABASE_URL
  else
    local bin dir
    bin=$(pg_bindir); dir=$(pg_dir)
    if throwaway; then rm -rf "$dir" "$(dirname "$dir")/backup" "$(dirname "$dir")/pgbackrest"; fi
    if [ ! -s "$dir/PG_VERSION" ]; then
      say "PostgreSQL: creating a cluster in $dir"
      mkdir -p "$dir"; [ "$(id -u)" = 0 ] && chown -R postgres "$(dirname "$dir")"
      chmod 700 "$dir"
      pg_run "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --no-locale >"$state/initdb.log"
    fi
    echo "$bin $dir" >"$state/pg.ref"
    pg_start
    if [ "$archiving" = on ]; then
      bash "$here/backup.sh" stanza "$profile" >"$state/pgbackrest-stanza.log" 2>&1 ||
        { cat "$state/pgbackrest-stanza.log" >&2; echo "pgBackRest could not create its stanza" >&2; exit 1; }
    fi
    owner_url="postgres://postgres@127.0.0.1:$YC_PG_PORT/yichuang?sslmode=disable"
    "$bin/psql" -qAt "postgres://postgres@127.0.0.1:$YC_PG_PORT/postgres" -c "SELECT 1 FROM pg_database WHERE datname='yichuang'" | grep -q 1 ||
      "$bin/psql" -q "postgres://postgres@127.0.0.1:$YC_PG_PORT/postgres" -c "CREATE DATABASE yichuang" >/dev/null
    "$bin/psql" -qAt "postgres://postgres@127.0.0.1:$YC_PG_PORT/postgres" -c "SELECT 1 FROM pg_database WHERE datname='kratos'" | grep -q 1 ||
      "$bin/psql" -q "postgres://postgres@127.0.0.1:$YC_PG_PORT/postgres" -c "CREATE DATABASE kratos" >/dev/null
  fi
  local kratos_dsn=${KRATOS_DSN:-postgres://postgres@127.0.0.1:$YC_PG_PORT/kratos?sslmode=disable}

  # --- Kratos
  mkdir -p "$state/kratos"
  cp "$repo/infra/kratos/identity.schema.json" "$state/kratos/identity.schema.json"
  local cost=12
  [ "$profile" = test ] && cost=4 # bcrypt's minimum: tests sign in hundreds of times
  sed -e "s|@KRATOS_DSN@|$kratos_dsn|" -e "s|@APP_URL@|$app_url|g" \
      -e "s|@KRATOS_PUBLIC_PORT@|$YC_KRATOS_PUBLIC_PORT|" -e "s|@KRATOS_ADMIN_PORT@|$YC_KRATOS_ADMIN_PORT|g" \
      -e "s|@IDENTITY_SCHEMA@|$state/kratos/identity.schema.json|" \
      -e "s|@KRATOS_COOKIE_SECRET@|$(secret kratos-cookie)|" -e "s|@KRATOS_CIPHER_SECRET@|$(secret kratos-cipher)|" \
      -e "s|@KRATOS_BCRYPT_COST@|$cost|" \
      "$repo/infra/kratos/kratos.yml.tmpl" >"$state/kratos/kratos.yml"
  say "Kratos: migrating its database"
  "$kratos" migrate sql -e --yes -c "$state/kratos/kratos.yml" >"$state/kratos-migrate.log" 2>&1 ||
    { cat "$state/kratos-migrate.log" >&2; exit 1; }
  say "Kratos: starting (public 127.0.0.1:$YC_KRATOS_PUBLIC_PORT, admin 127.0.0.1:$YC_KRATOS_ADMIN_PORT)"
  # --dev: cookies without the Secure flag, because the local stack is plain http. A
  # deployment serves HTTPS and runs Kratos without --dev.
  nohup "$kratos" serve -c "$state/kratos/kratos.yml" --dev --watch-courier=false >"$state/kratos.log" 2>&1 &
  echo $! >"$state/kratos.pid"

  # --- MinIO
  local minio_user=yichuang minio_password
  minio_password=$(secret minio)
  say "MinIO: starting on 127.0.0.1:$YC_MINIO_PORT"
  mkdir -p "$state/minio"
  MINIO_ROOT_USER=$minio_user MINIO_ROOT_PASSWORD=$minio_password MINIO_BROWSER=off \
    nohup "$minio" server --quiet --address "127.0.0.1:$YC_MINIO_PORT" "$state/minio" >"$state/minio.log" 2>&1 &
  echo $! >"$state/minio.pid"

  wait_http "http://127.0.0.1:$YC_KRATOS_ADMIN_PORT/health/ready" 60 Kratos
  wait_http "http://127.0.0.1:$YC_MINIO_PORT/minio/health/live" 60 MinIO

  local app_db_url=${APP_DATABASE_URL:-}
  if [ -z "$app_db_url" ]; then
    app_db_url=$(printf '%s' "$owner_url" | sed -E "s|^postgres(ql)?://[^@]*@|postgres://yichuang_app:$(secret app-db)@|")
  fi
  cat >"$state/env" <<ENV
DATABASE_URL=$owner_url
APP_DATABASE_URL=$app_db_url
YC_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$YC_PG_PORT/postgres?sslmode=disable
YC_KRATOS_PUBLIC_URL=http://127.0.0.1:$YC_KRATOS_PUBLIC_PORT
YC_KRATOS_ADMIN_URL=http://127.0.0.1:$YC_KRATOS_ADMIN_PORT
YC_MINIO_ENDPOINT=127.0.0.1:$YC_MINIO_PORT
YC_MINIO_ACCESS_KEY=$minio_user
YC_MINIO_SECRET_KEY=$minio_password
YC_DATA_KEY=$(secret data-key)
YC_ADDR=127.0.0.1:$YC_APP_PORT
YC_PUBLIC_URL=$app_url
ENV
  say "stack $profile is up (environment in $state/env)"
}

down() {
  local f
  for f in kratos minio; do
    if [ -s "$state/$f.pid" ]; then
      kill "$(cat "$state/$f.pid")" 2>/dev/null || true
      rm -f "$state/$f.pid"
    fi
  done
  pg_stop
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  pg-start) [ -s "$state/pg.ref" ] || { echo "no local PostgreSQL in $state" >&2; exit 1; }; pg_start ;;
  pg-stop) pg_stop ;;
  *) echo "usage: stack.sh up|down|pg-start|pg-stop dev|test|drill" >&2; exit 2 ;;
esac
