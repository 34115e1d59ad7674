#!/usr/bin/env bash
# Backups of the local PostgreSQL cluster (the one stack.sh runs as processes) with Debian's
# pgBackRest: WAL archiving all the time, full and incremental backups on demand, restore to
# a point in time. The repository is a folder next to the cluster (.run/PROFILE/backup); for a
# real deployment point repo1-path at another disk or machine (or an S3 bucket: pgBackRest's
# repo1-type=s3), since a backup on the disk it protects dies with it.
#
#   backup.sh backup  [PROFILE] [--type incr|full|diff]   incremental by default; pgBackRest
#                                                         takes a full one when none exists
#   backup.sh restore [PROFILE] [--target TIME] [--set LABEL]
#                     stop PostgreSQL, move the data folder aside (…/pg.before-restore-TIME),
#                     restore the newest backup (or LABEL) and replay the archived WAL up to
#                     TIME (e.g. '2026-12-05 16:30:00+08'; without it: to the end of the
#                     archive), promote, and leave PostgreSQL running
#   backup.sh info    [PROFILE]                           the backups in the repository
#
# stack.sh calls `archive-opts PROFILE DIR PORT` (writes the configuration, prints the server
# settings) and `stanza PROFILE` (creates the repository's stanza once the server is up).
# PROFILE is dev (default) or drill; the test profile does not archive.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

cmd=${1:-}
[ $# -gt 0 ] && shift
profile=dev
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then profile=$1; shift; fi
state=${YC_STATE_DIR:-$repo/.run/$profile}
stanza=yichuang

say() { printf '==> %s\n' "$*" >&2; }
die() { echo "$*" >&2; exit 1; }

# pgBackRest runs as the user PostgreSQL runs as (stack.sh: postgres when we are root).
pg_run() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pgbackrest_bin() {
  if ! command -v pgbackrest >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
      say "installing Debian's pgbackrest package (first time only)"
      apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbackrest >/dev/null ||
        die "could not install pgbackrest"
    else
      die "pgBackRest is not installed. Install it with: sudo apt-get install pgbackrest"
    fi
  fi
  command -v pgbackrest
}

# The cluster's folder and the configuration beside it; stack.sh writes pg.ref when it
# starts the cluster.
cluster() {
  [ -s "$state/pg.ref" ] || die "no local PostgreSQL cluster in $state (start it with make run, or stack.sh up $profile)"
  read -r bin dir <"$state/pg.ref"
  base=$(dirname "$dir")
  conf=$base/pgbackrest/pgbackrest.conf
}

need_conf() {
  cluster
  [ -s "$conf" ] || die "pgBackRest is not configured for $state: restart the stack (make down; make run) so stack.sh turns WAL archiving on"
}

rest() { pg_run "$(pgbackrest_bin)" --config="$conf" --stanza="$stanza" "$@"; }

port() { sed -n 's/^pg1-port=//p' "$conf"; }

sql() { "$bin/psql" -qAt -h 127.0.0.1 -p "$(port)" -U postgres -d postgres -c "$1"; }

archive_opts() { # DIR PORT
  local dir=$1 port=$2 exe
  exe=$(pgbackrest_bin) || return 1
  base=$(dirname "$dir")
  conf=$base/pgbackrest/pgbackrest.conf
  mkdir -p "$base/pgbackrest/log" "$base/pgbackrest/lock" "$base/pgbackrest/spool" "$base/backup"
  # lz4: the cheapest compression, so backing up costs the hall little CPU; two full backups
  # (and the WAL they need) are kept. Locks and logs stay in our folder, so stacks of
  # several checkouts never share a lock.
  cat >"$conf" <<CONF
[global]
repo1-path=$base/backup
repo1-retention-full=2
log-path=$base/pgbackrest/log
lock-path=$base/pgbackrest/lock
spool-path=$base/pgbackrest/spool
log-level-console=error
log-level-file=info
compress-type=lz4
start-fast=y
process-max=2

[$stanza]
pg1-path=$dir
pg1-port=$port
pg1-socket-path=$dir
pg1-user=postgres
CONF
  if [ "$(id -u)" = 0 ]; then chown -R postgres "$base/pgbackrest" "$base/backup"; fi
  # archive_timeout: a quiet hall still gets its last minute of work archived, so a lost
  # disk loses at most a minute of acknowledged writes.
  printf '%s' "-c archive_mode=on -c archive_timeout=60 -c archive_command='$exe --config=$conf --stanza=$stanza archive-push %p'"
}

case "$cmd" in
  archive-opts)
    archive_opts "$@" ;;
  stanza)
    need_conf
    rest stanza-create ;;
  backup)
    type=${TYPE:-incr}
    while [ $# -gt 0 ]; do
      case "$1" in
        --type) type=${2:-}; shift 2 ;;
        *) die "unknown option $1" ;;
      esac
    done
    case "$type" in incr|full|diff) ;; *) die "--type is incr, full or diff" ;; esac
    [ "$type" = full ] || TYPE_NOTE=" (full when the repository holds none yet)"
    need_conf
    [ "$(sql 'SHOW archive_mode' 2>/dev/null)" = on ] ||
      die "PostgreSQL in $state is not running with WAL archiving: start (or restart) it with make run / stack.sh up $profile"
    rest stanza-create >/dev/null
    say "pgBackRest: $type backup of $dir${TYPE_NOTE:-}"
    rest backup --type="$type"
    rest info --output=json | python3 -c '
import datetime, json, sys
b = json.load(sys.stdin)[0]["backup"][-1]
stop = datetime.datetime.fromtimestamp(b["timestamp"]["stop"], datetime.timezone.utc)
print("backup %s (%s): %.1f MB stored; consistent at %s, restorable to any time after it (make restore TARGET=...)"
      % (b["label"], b["type"], b["info"]["repository"]["delta"] / 1e6, stop.strftime("%Y-%m-%d %H:%M:%S+00")))' ;;
  info)
    need_conf
    rest info ;;
  restore)
    target="${TARGET:-}" set=""
    while [ $# -gt 0 ]; do
      case "$1" in
        --target) target=${2:-}; shift 2 ;;
        --set) set=${2:-}; shift 2 ;;
        *) die "unknown option $1" ;;
      esac
    done
    need_conf
    rest info --output=json | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)[0]["backup"] else 1)' ||
      die "the repository in $base/backup holds no backup: make backup first"
    say "stopping PostgreSQL"
    bash "$here/stack.sh" pg-stop "$profile"
    if [ -d "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
      aside=$dir.before-restore-$(date -u +%Y%m%dT%H%M%SZ)
      mv "$dir" "$aside"
      say "the data folder as it was is kept in $aside (delete it when the restore is confirmed)"
    fi
    mkdir -p "$dir"; chmod 700 "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    opts=()
    [ -n "$set" ] && opts+=(--set="$set")
    if [ -n "$target" ]; then
      say "pgBackRest: restoring to $target"
      # promote: once the target is reached the cluster opens for writing on a new timeline
      # (pgBackRest's default would pause in recovery, read-only).
      rest restore --type=time --target="$target" --target-action=promote "${opts[@]}"
    else
      say "pgBackRest: restoring to the end of the archived WAL"
      rest restore "${opts[@]}"
    fi
    # The socket's lock file lives in the data folder (unix_socket_directories is the folder) and
    # the backup copied it while the old server ran: it names that server's PID. A process that
    # has exited but not yet been reaped (a container whose PID 1 reaps late) still answers
    # kill(PID, 0), and PostgreSQL would refuse to start beside "another postmaster". Nothing
    # runs on a folder just restored, so the copied lock is stale by definition.
    rm -f "$dir"/.s.PGSQL.*.lock
    bash "$here/stack.sh" pg-start "$profile" >&2
    for _ in $(seq 600); do
      [ "$(sql 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ] && break
      sleep 0.5
    done
    [ "$(sql 'SELECT pg_is_in_recovery()')" = f ] || die "PostgreSQL did not finish recovery; see $base/postgresql.log"
    say "restored${target:+ to $target}; PostgreSQL is running. After a restore to a point in time run"
    say "  yichuang documents check --restore   (MinIO: the versions the restored rows pin become the newest again)"
    say "and take a new full backup: make backup TYPE=full" ;;
  *)
    sed -n '2,/^set /{/^#/p}' "$0" >&2; exit 2 ;;
esac
