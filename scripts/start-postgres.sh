#!/usr/bin/env bash
# Start the local PostgreSQL 15 server the tests use as the server warehouse, and make sure
# the role and database exist. Idempotent: safe to run before every `make test`.
#
# Settings (libpq names, the same the dbt `postgres` target reads):
#   PGHOST (127.0.0.1) PGPORT (5432) PGUSER (commerce) PGPASSWORD (commerce) PGDATABASE (commerce)
# Needs root (or the postgres user) on a Debian-style install (pg_ctlcluster); when a server
# already answers on PGHOST:PGPORT with these credentials, it does nothing.
set -euo pipefail

PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
PGUSER="${PGUSER:-commerce}"
PGPASSWORD="${PGPASSWORD:-commerce}"
PGDATABASE="${PGDATABASE:-commerce}"
PG_VERSION="${PG_VERSION:-15}"
PG_CLUSTER="${PG_CLUSTER:-main}"

answers() {
    PGPASSWORD="$PGPASSWORD" psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d "$PGDATABASE" -Atqc 'select 1' >/dev/null 2>&1
}

if answers; then
    echo "postgres: ready at $PGHOST:$PGPORT (role $PGUSER, database $PGDATABASE)"
    exit 0
fi

as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then su postgres -c "$1"; else sudo -n -u postgres bash -c "$1"; fi
}

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "postgres: pg_ctlcluster not found; install PostgreSQL $PG_VERSION (apt-get install -y postgresql-$PG_VERSION)" >&2
    exit 1
fi

if ! pg_lsclusters -h 2>/dev/null | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1 == v && $2 == c && $4 == "online" {found=1} END {exit !found}'; then
    echo "postgres: starting cluster $PG_VERSION/$PG_CLUSTER"
    if [ "$(id -u)" -eq 0 ]; then
        pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" start
    else
        sudo -n pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" start
    fi
fi

for _ in $(seq 1 30); do
    if as_postgres "psql -p $PGPORT -Atqc 'select 1'" >/dev/null 2>&1; then break; fi
    sleep 1
done

# Role (with password, allowed to create the per-session test databases) and database, idempotently.
as_postgres "psql -p $PGPORT -v ON_ERROR_STOP=1 -q" <<SQL
do \$\$
begin
    if not exists (select from pg_roles where rolname = '$PGUSER') then
        create role "$PGUSER" login createdb password '$PGPASSWORD';
    else
        alter role "$PGUSER" login createdb password '$PGPASSWORD';
    end if;
end
\$\$;
SQL
if [ -z "$(as_postgres "psql -p $PGPORT -Atqc \"select 1 from pg_database where datname = '$PGDATABASE'\"")" ]; then
    as_postgres "createdb -p $PGPORT -O '$PGUSER' '$PGDATABASE'"
fi

if answers; then
    echo "postgres: ready at $PGHOST:$PGPORT (role $PGUSER, database $PGDATABASE)"
else
    echo "postgres: the server runs but $PGUSER cannot log in at $PGHOST:$PGPORT; check pg_hba.conf" >&2
    exit 1
fi
