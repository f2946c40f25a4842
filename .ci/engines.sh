#!/usr/bin/env bash
# PostgreSQL and Apache Spark for the engine tests (tests/test_engines.py).
#
# Sourced by .ci/run, with the project's virtual environment active:
#
#     . .ci/engines.sh        # install, start, export PLG_TEST_POSTGRES, PLG_TEST_SPARK, PLG_PG_*
#     trap engines_stop EXIT  # stop the server and remove its files, however the run ends
#
# It installs the `postgres` and `spark` extras into the active environment and Debian's
# PostgreSQL (when its binaries are missing), then starts a throwaway server on 127.0.0.1 under
# the clone's own folder (.ci-postgres/, or PLG_CI_PG_DIR), as the `postgres` user when run as
# root. The server's own time zone is not UTC and, where ICU is available, its collation is
# en-US: the project must not depend on either. Spark needs no server: pyspark runs inside each
# build (Java 17 or later on the PATH).
#
# Run directly, `.ci/engines.sh stop` stops a server left behind in that folder.

engines_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
engines_pg_dir="${PLG_CI_PG_DIR:-$engines_root/.ci-postgres}"

engines_pg_bin() {
    local bin
    bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    [ -n "$bin" ] && [ -x "$bin/pg_ctl" ] && echo "$bin"
}

engines_as_owner() {
    # Run a PostgreSQL program as the owner of the data folder (never as root).
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

engines_stop() {
    local bin
    bin="$(engines_pg_bin)" || return 0
    if [ -f "$engines_pg_dir/data/postmaster.pid" ]; then
        engines_as_owner "$bin/pg_ctl" -D "$engines_pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$engines_pg_dir"
}

engines_free_port() {
    python - "$1" <<'EOF'
import socket, sys
port = int(sys.argv[1])
while True:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
            break
        except OSError:
            port += 1
print(port)
EOF
}

engines_start() {
    echo "Engines: installing the postgres and spark extras" >&2
    python -m pip install --quiet "$engines_root[postgres,spark]"

    if ! command -v java >/dev/null 2>&1; then
        echo "Engines: installing a Java runtime for Spark" >&2
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null
    fi

    if ! engines_pg_bin >/dev/null; then
        echo "Engines: installing Debian's PostgreSQL" >&2
        # The package would otherwise create and start a cluster of its own on port 5432.
        mkdir -p /etc/postgresql-common
        grep -qs '^create_main_cluster' /etc/postgresql-common/createcluster.conf \
            || echo 'create_main_cluster = false' >> /etc/postgresql-common/createcluster.conf
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
    local bin port
    bin="$(engines_pg_bin)"

    engines_stop
    mkdir -p "$engines_pg_dir"
    if [ "$(id -u)" = 0 ]; then
        chown postgres "$engines_pg_dir"
        if ! runuser -u postgres -- test -w "$engines_pg_dir"; then
            # A clone the postgres user cannot reach (e.g. under /root): a folder of its own.
            rm -rf "$engines_pg_dir"
            engines_pg_dir="$(mktemp -d /tmp/plg-ci-postgres.XXXXXX)"
            chown postgres "$engines_pg_dir"
        fi
    fi

    echo "Engines: starting PostgreSQL ($bin) in $engines_pg_dir" >&2
    local initdb_args=(-D "$engines_pg_dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8)
    if ! engines_as_owner env TZ=America/Los_Angeles "$bin/initdb" "${initdb_args[@]}" \
            --locale-provider=icu --icu-locale=en-US >"$engines_pg_dir/initdb.log" 2>&1; then
        rm -rf "$engines_pg_dir/data"
        engines_as_owner env TZ=America/Los_Angeles "$bin/initdb" "${initdb_args[@]}" >"$engines_pg_dir/initdb.log" 2>&1
    fi
    # A port found free can be taken by another server before this one binds it (two runs
    # starting at once): try the next free port rather than export one this server does not hold.
    local attempt started=""
    port="${PLG_CI_PG_PORT:-55432}"
    for attempt in 1 2 3 4 5; do
        port="$(engines_free_port "$port")"
        if engines_as_owner "$bin/pg_ctl" -D "$engines_pg_dir/data" -l "$engines_pg_dir/server.log" -w -t 60 \
                -o "-c listen_addresses=127.0.0.1 -p $port -k $engines_pg_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
                start >/dev/null; then
            started=1
            break
        fi
        echo "Engines: PostgreSQL did not start on port $port (attempt $attempt of 5)" >&2
        port=$((port + 1))
    done
    if [ -z "$started" ]; then
        echo "Engines: PostgreSQL did not start; its log ($engines_pg_dir/server.log) ends:" >&2
        tail -n 20 "$engines_pg_dir/server.log" >&2
        return 1
    fi

    export PLG_TEST_POSTGRES=1 PLG_TEST_SPARK=1
    export PLG_PG_HOST=127.0.0.1 PLG_PG_PORT="$port" PLG_PG_USER=postgres PLG_PG_PASSWORD="" PLG_PG_DATABASE=postgres
    echo "Engines: PostgreSQL on 127.0.0.1:$port; Spark in process ($(java -version 2>&1 | head -n 1))" >&2
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    # Run, not sourced: only stopping makes sense (exports would not reach the caller).
    case "${1:-}" in
        stop) engines_stop ;;
        *) echo "usage: . .ci/engines.sh (start and export), or .ci/engines.sh stop" >&2; exit 2 ;;
    esac
else
    engines_start
fi
