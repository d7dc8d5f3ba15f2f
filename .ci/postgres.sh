#!/usr/bin/env bash
# A throwaway PostgreSQL 15 for the test suites.
#
#   eval "$(.ci/postgres.sh start)"   # exports JIUZHU_PG_DIR and JIUZHU_TEST_POSTGRES_URL
#   .ci/postgres.sh stop "$JIUZHU_PG_DIR"
#
# `start` runs initdb in a fresh temp dir owned by a system user (PostgreSQL
# refuses to run as root), listens on 127.0.0.1 only on a free port, creates
# role jiuzhu (password jiuzhu, scram-sha-256 over TCP) and database
# jiuzhu_test, and prints shell `export` lines on stdout; progress goes to
# stderr. `stop DIR` stops that server (immediate) and removes DIR.
set -euo pipefail

PG_USER="${JIUZHU_PG_SYSTEM_USER:-jiuzhu-pg}"
MARKER=".jiuzhu-throwaway-postgres"

log() { echo "postgres.sh: $*" >&2; }
die() { log "$*"; exit 1; }

find_pg_bin() {
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
        return
    fi
    local d
    for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
        if [[ -x "$d/initdb" && -x "$d/pg_ctl" ]]; then echo "$d"; return; fi
    done
    die "initdb/pg_ctl not found (apt-get install -y postgresql)"
}

find_psql() {
    if command -v psql >/dev/null 2>&1; then command -v psql; return; fi
    if [[ -x "$PG_BIN/psql" ]]; then echo "$PG_BIN/psql"; return; fi
    die "psql not found (apt-get install -y postgresql-client)"
}

# From / : the caller's directory (e.g. a clone under /root) may be closed to $PG_USER.
as_pg() { (cd / && runuser -u "$PG_USER" -- "$@"); }

free_port() {
    python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

cmd_start() {
    [[ $(id -u) -eq 0 ]] || die "run as root (it creates a system user and uses runuser)"
    PG_BIN="$(find_pg_bin)"
    local psql
    psql="$(find_psql)"

    if ! id -u "$PG_USER" >/dev/null 2>&1; then
        log "creating system user $PG_USER"
        useradd --system --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin "$PG_USER"
    fi

    local dir
    dir="$(mktemp -d /tmp/jiuzhu-pg.XXXXXX)"
    touch "$dir/$MARKER"
    chmod 700 "$dir"
    chown -R "$PG_USER:" "$dir"
    log "initdb in $dir/data ($("$PG_BIN/initdb" --version))"

    local pwfile="$dir/superuser.pw"
    echo "postgres" >"$pwfile"
    chown "$PG_USER:" "$pwfile"
    if ! as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres --pwfile="$pwfile" \
            --encoding=UTF8 --locale=C.UTF-8 \
            --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1; then
        cat "$dir/initdb.log" >&2
        rm -rf "$dir"
        die "initdb failed"
    fi
    rm -f "$pwfile"

    cat >>"$dir/data/postgresql.conf" <<EOF

# throwaway test server (.ci/postgres.sh)
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
log_min_messages = warning
EOF

    # A port picked by binding to 0 can be taken before the server binds it:
    # try a few.
    local port="" attempt
    for attempt in 1 2 3 4 5; do
        port="$(free_port)"
        if as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
                -o "-p $port" start >&2; then
            break
        fi
        log "start on port $port failed (attempt $attempt)"
        tail -n 20 "$dir/server.log" >&2 || true
        port=""
    done
    if [[ -z "$port" ]]; then
        rm -rf "$dir"
        die "could not start PostgreSQL"
    fi

    if ! "$psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres >&2 <<'SQL'
CREATE ROLE jiuzhu LOGIN PASSWORD 'jiuzhu';
CREATE DATABASE jiuzhu_test OWNER jiuzhu ENCODING 'UTF8' TEMPLATE template0;
SQL
    then
        cmd_stop "$dir"
        die "could not create role/database"
    fi

    local url="postgres://jiuzhu:jiuzhu@127.0.0.1:$port/jiuzhu_test"
    log "PostgreSQL listening on 127.0.0.1:$port, data in $dir"
    printf 'export JIUZHU_PG_DIR=%q\n' "$dir"
    printf 'export JIUZHU_TEST_POSTGRES_URL=%q\n' "$url"
}

cmd_stop() {
    local dir="${1:-}"
    [[ -n "$dir" ]] || die "usage: $0 stop DIR"
    [[ -d "$dir" ]] || { log "$dir is gone already"; return 0; }
    [[ -f "$dir/$MARKER" ]] || die "$dir is not a throwaway PostgreSQL dir; not touching it"
    PG_BIN="$(find_pg_bin)"
    if [[ -f "$dir/data/postmaster.pid" ]]; then
        as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >&2 || log "pg_ctl stop failed"
    fi
    rm -rf "$dir"
    log "stopped and removed $dir"
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop "${2:-}" ;;
    *) die "usage: $0 start | stop DIR" ;;
esac
