"""The pulled files produce the same marts as the same data delivered as files (issue 13).

Lake A is the session's `dbt_lake` (every export dropped as a file) and its `duckdb_build`. Lake B lands the same
data set except the Shopify API files (orders, order transactions, payouts) and the Meta Insights files, which it
pulls instead from loopback servers replaying them as the platforms' APIs answer (GraphQL bulk operations and
payouts for Shopify, paged Insights for Meta); one DuckDB build of B, then every mart is compared with A's.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from dbt_helpers import CLI, REPO, clean_env

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ingestion"))  # the recorded-response servers

from connector_helpers import connector_settings
from shopify_graphql_server import TOKEN, ShopifyServer
from test_connector_meta import InsightsServer

from demo import NOT_EXPORTS
from ingestion.connectors import runner
from ingestion.ingest import Ingestor, exit_code
from warehouse import halo
from warehouse.customer_salt import LAKE_SALT_PATH

pytestmark = pytest.mark.dbt
PULLED = ["shopify/orders_api.jsonl", "shopify/order_transactions_api.json", "shopify/payouts_api.json", "meta_ads"]


@pytest.fixture(scope="module")
def pulled_build(dbt_dataset, dbt_lake, tmp_path_factory, make_httpserver):
    httpserver = make_httpserver  # the session server: this fixture outlives one test
    work = tmp_path_factory.mktemp("pulled-build")
    lake = work / "lake"
    out = Path(dbt_dataset.out)
    settings = connector_settings(lake)
    results = Ingestor(settings).ingest_paths([str(out)], keep_inbox=True, skip=[*NOT_EXPORTS, *PULLED])
    assert exit_code(results) == 0
    # The same customer salt as lake A, so customer keys compare (the salt lives in the lake, not in the data).
    (lake / LAKE_SALT_PATH).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(dbt_lake / LAKE_SALT_PATH, lake / LAKE_SALT_PATH)

    shopify = out / "shopify"
    orders = [json.loads(line) for line in (shopify / "orders_api.jsonl").read_text().splitlines() if line.strip()]
    transactions = json.loads((shopify / "order_transactions_api.json").read_text())["transactions"]
    payouts = json.loads((shopify / "payouts_api.json").read_text())["payouts"]
    shop = ShopifyServer(httpserver, orders, transactions, payouts, payout_page=50)
    rows = [r for f in sorted((out / "meta_ads").glob("*.json")) for r in json.loads(f.read_text())["data"]]
    meta = InsightsServer(httpserver, rows, page_size=100)
    settings = connector_settings(
        lake,
        SHOPIFY_SHOP_URL=shop.shop_url,
        SHOPIFY_ACCESS_TOKEN=TOKEN,
        META_GRAPH_API_URL=meta.base,
        META_ACCESS_TOKEN="good-token",
        META_AD_ACCOUNT_IDS="1029384756",
    )
    start = dt.date.fromisoformat(min(r["date_start"] for r in rows))
    pulled = runner.pull(
        ["shopify", "meta_ads"], start - dt.timedelta(days=60), start + dt.timedelta(days=120), settings
    )
    assert [r.status for r in pulled] == ["landed", "landed"], [r.message for r in pulled]

    warehouse = work / "warehouse.duckdb"
    env = clean_env(COMMERCE_LAKE=str(lake), COMMERCE_WAREHOUSE=str(warehouse), DBT_TARGET="local")
    args = [str(CLI), "build", "--target", "local", "--target-path", str(work / "target"), "--log-path", str(work)]
    proc = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return warehouse


def marts(query) -> dict[str, list[tuple]]:
    tables = [
        t
        for (t,) in query(
            "select table_name from information_schema.tables where table_schema = 'marts' order by table_name"
        )
    ]
    out = {}
    for table in tables:
        columns = [
            c
            for (c,) in query(
                f"select column_name from information_schema.columns where table_schema = 'marts' "
                f"and table_name = '{table}' order by ordinal_position"
            )
            # Lineage names the delivery (a dropped path vs pull://<source>/<account>/<file>): not data.
            if not c.startswith("_") and not c.endswith("_file")
        ]
        select = ", ".join(f'"{c}"' for c in columns)
        out[table] = sorted(query(f"select {select} from marts.{table}"), key=repr)
    return out


def test_pulled_files_build_the_same_marts_as_the_files(pulled_build, duckdb_build):
    import duckdb

    assert duckdb_build.returncode == 0, duckdb_build.output[-3000:]
    con = duckdb.connect(str(pulled_build), read_only=True)
    try:
        pulled = marts(lambda sql: con.execute(sql).fetchall())
    finally:
        con.close()
    # The halo asset writes its tables into the session build when its tests run first; dbt builds neither.
    files = {
        t: rows for t, rows in marts(duckdb_build.query).items() if t not in (halo.ESTIMATE_TABLE, halo.DAILY_TABLE)
    }
    assert set(pulled) == set(files) and files
    assert files["fct_financial_performance"], "the comparison needs rows"
    different = [table for table in files if pulled[table] != files[table]]
    assert not different, different
