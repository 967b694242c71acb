#!/usr/bin/env bash
# Private PostgreSQL clusters for development, tests and benchmarks.
#
#   scripts/pg.sh start DIR PORT   create (if needed) and start a cluster in DIR,
#                                  listening on 127.0.0.1:PORT, unix socket in DIR,
#                                  superuser `concierge` (trust auth), database `concierge`
#   scripts/pg.sh stop DIR         stop it (pg_ctl stop -m fast); PORT may be given, is ignored
#   scripts/pg.sh status DIR       exit 0 if running
#
# Layout: DIR/data (PGDATA), DIR/postgres.log, DIR/.s.PGSQL.PORT (socket).
# Connection URL: postgres://concierge@127.0.0.1:PORT/concierge
#
# Environment:
#   PG_FAST=1               test tuning: fsync=off, synchronous_commit=off,
#                           full_page_writes=off (throwaway clusters only!)
#   PG_MAX_CONNECTIONS=N    max_connections (default 300: five services and the
#                           gateway with pools of 20, plus tests or pgbench)
#
# PostgreSQL refuses to run as root: when run as root, DIR is chowned to the
# `postgres` user and initdb/pg_ctl run through `runuser -u postgres --`. That user
# must be able to traverse to DIR (a directory under /tmp always works).
set -euo pipefail

log() { printf 'pg.sh: %s\n' "$*" >&2; }
die() {
    log "$*"
    exit 1
}

usage() {
    sed -n '2,21p' "$0" >&2
    exit 2
}

cmd="${1:-}"
dir_arg="${2:-}"
port="${3:-}"
[[ -n "$cmd" && -n "$dir_arg" ]] || usage

find_pg_bin() {
    local dir best=""
    # Highest installed major version wins (glob sorts 13 < 15 < 16 lexically, fine for 2-digit majors).
    for dir in /usr/lib/postgresql/*/bin; do
        [[ -x "$dir/initdb" ]] && best="$dir"
    done
    if [[ -z "$best" ]] && command -v pg_config >/dev/null 2>&1; then
        dir="$(pg_config --bindir 2>/dev/null || true)"
        [[ -n "$dir" && -x "$dir/initdb" ]] && best="$dir"
    fi
    if [[ -z "$best" ]] && command -v initdb >/dev/null 2>&1; then
        best="$(dirname "$(readlink -f "$(command -v initdb)")")"
    fi
    [[ -n "$best" ]] || die "PostgreSQL server binaries not found; run scripts/install-deps.sh runtime"
    printf '%s\n' "$best"
}

PG_BIN="$(find_pg_bin)"

# Run a PostgreSQL server binary as the right user.
as_pg() {
    if [[ "$(id -u)" -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

mkdir -p "$dir_arg"
DIR="$(cd "$dir_arg" && pwd -P)"
DATA="$DIR/data"
LOGFILE="$DIR/postgres.log"

is_running() {
    [[ -f "$DATA/PG_VERSION" ]] && as_pg "$PG_BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

case "$cmd" in
    start)
        [[ "$port" =~ ^[0-9]+$ ]] || die "start needs a numeric PORT (got '${port}')"
        if [[ "$(id -u)" -eq 0 ]]; then
            id postgres >/dev/null 2>&1 || die "user 'postgres' missing; run scripts/install-deps.sh runtime"
            chown -R postgres: "$DIR"
            chmod 700 "$DIR"
            runuser -u postgres -- test -x "$DIR" ||
                die "user 'postgres' cannot reach $DIR (a parent directory is not traversable); use a directory under /tmp"
        fi
        if (( ${#DIR} + 20 > 107 )); then
            die "path too long for a unix socket: $DIR"
        fi

        if [[ ! -f "$DATA/PG_VERSION" ]]; then
            log "initdb in $DATA (superuser concierge, trust auth, UTF8)"
            initdb_args=(-D "$DATA" --auth=trust -U concierge --encoding=UTF8 --locale=C)
            [[ "${PG_FAST:-0}" == 1 ]] && initdb_args+=(--no-sync)
            as_pg "$PG_BIN/initdb" "${initdb_args[@]}" >"$DIR/initdb.log" 2>&1 || {
                cat "$DIR/initdb.log" >&2
                die "initdb failed"
            }
        fi

        if is_running; then
            log "already running in $DATA"
        else
            opts="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$DIR"
            opts+=" -c max_connections=${PG_MAX_CONNECTIONS:-300}"
            if [[ "${PG_FAST:-0}" == 1 ]]; then
                opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
                log "PG_FAST=1: fsync, synchronous_commit and full_page_writes are off"
            fi
            log "starting on 127.0.0.1:$port (log: $LOGFILE)"
            if ! as_pg "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOGFILE" -o "$opts" -w -t 60 start >/dev/null; then
                tail -n 30 "$LOGFILE" >&2 || true
                die "PostgreSQL did not start"
            fi
        fi

        psql_bin="$PG_BIN/psql"
        [[ -x "$psql_bin" ]] || psql_bin="psql"
        live_port="$(as_pg "$psql_bin" -h "$DIR" -p "$port" -U concierge -d postgres -XtAc 'SHOW port' 2>/dev/null || true)"
        [[ "$live_port" == "$port" ]] || die "a cluster runs in $DIR but not on port $port (stop it first)"
        exists="$(as_pg "$psql_bin" -h "$DIR" -p "$port" -U concierge -d postgres -XtAc \
            "SELECT 1 FROM pg_database WHERE datname = 'concierge'")"
        if [[ "$exists" != 1 ]]; then
            log "creating database concierge"
            as_pg "$psql_bin" -h "$DIR" -p "$port" -U concierge -d postgres -Xq -c 'CREATE DATABASE concierge'
        fi
        log "ready: postgres://concierge@127.0.0.1:$port/concierge"
        ;;
    stop)
        if is_running; then
            log "stopping cluster in $DATA"
            as_pg "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >/dev/null
        else
            log "no cluster running in $DATA"
        fi
        ;;
    status)
        is_running
        ;;
    *)
        usage
        ;;
esac
