#!/bin/sh
# Make sure the local PostgreSQL server answers and has PostGIS available, and print the admin URL the
# tests use to create their databases. Exits non-zero (with the reason) when that is impossible.
set -eu
url="${OBSERVO_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres}"
psql_url=$(echo "$url" | sed 's/+psycopg//')

if ! psql "$psql_url" -Atqc 'SELECT 1' >/dev/null 2>&1; then
    # A local cluster that is merely stopped can be started (Debian's wrapper, no systemd needed).
    if command -v pg_lsclusters >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
        pg_lsclusters --no-header | while read -r version cluster _rest; do
            pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start 2>/dev/null || true
        done
        sleep 2
    fi
fi
if ! psql "$psql_url" -Atqc 'SELECT 1' >/dev/null 2>&1; then
    echo "PostgreSQL is not reachable at $psql_url" >&2
    exit 1
fi
available=$(psql "$psql_url" -Atqc "SELECT count(*) FROM pg_available_extensions WHERE name = 'postgis'")
if [ "$available" != "1" ]; then
    echo "PostGIS is not installed for this PostgreSQL server (scripts/system-packages.sh --postgis)" >&2
    exit 1
fi
echo "$url"
