#!/usr/bin/env bash
# `make dev`: the Dagster UI (webserver + daemon) on the demo data at http://127.0.0.1:3000.
# DAGSTER_HOME persists under data/dagster_home (runs, check results, schedule and sensor state survive a
# restart); the lake and warehouse are the embedded defaults (data/lake, data/warehouse.duckdb) unless
# COMMERCE_* say otherwise. On the first start the demo set is generated (if missing) and the whole graph is
# materialised once through Dagster, so the UI opens on real data. Afterwards, drop export files into
# data/lake/inbox/ and the inbox sensor lands them and refreshes what depends on them.
set -euo pipefail
cd "$(dirname "$0")/.."
DEMO_DIR="${DEMO_DIR:-data/demo}"
PORT="${DAGSTER_PORT:-3000}"
HOST="${DAGSTER_HOST:-127.0.0.1}"
export DAGSTER_HOME="${DAGSTER_HOME:-$PWD/data/dagster_home}"
export COMMERCE_LAKE="${COMMERCE_LAKE:-$PWD/data/lake}"
export COMMERCE_WAREHOUSE="${COMMERCE_WAREHOUSE:-$PWD/data/warehouse.duckdb}"
mkdir -p "$DAGSTER_HOME" "$COMMERCE_LAKE/inbox"
[ -f "$DAGSTER_HOME/dagster.yaml" ] || cp orchestration/dagster.yaml "$DAGSTER_HOME/dagster.yaml"
if [ ! -d "$DEMO_DIR" ]; then
  .venv/bin/commerce-analytics generate --out "$DEMO_DIR"
fi
if [ ! -d "$COMMERCE_LAKE/_manifests" ] || [ ! -f "$COMMERCE_WAREHOUSE" ]; then
  .venv/bin/python -m orchestration.run --paths "$DEMO_DIR" \
    || echo "dev: the first run did not fully succeed; see it in the UI" >&2
fi
echo "Dagster UI: http://$HOST:$PORT  (DAGSTER_HOME=$DAGSTER_HOME, lake=$COMMERCE_LAKE)"
exec .venv/bin/dagster dev -w orchestration/workspace.yaml -h "$HOST" -p "$PORT"
