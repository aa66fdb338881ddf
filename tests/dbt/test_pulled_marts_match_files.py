"""The pulled files produce the same marts as the same data delivered as files (issue 13).

Lake A is the session's `dbt_lake` (every export dropped as a file) and its `duckdb_build`. Lake B lands the same
data set except what a connector pulls instead, from loopback servers replaying it as each platform's API answers:
Shopify (GraphQL bulk operations, payouts, Payments balance transactions), Meta (paged Insights), Amazon SP-API
(settlement reports listed and downloaded gzipped, All Orders requested and polled), Amazon Ads v3 (async SP/SB/SD
reports, GZIP_JSON) and Google Ads (paged GAQL campaign metrics and click_view). Those three pull at an injected
`today` inside the data's range, so the platforms' retention cut-offs (SP-API's 90 days of reports, click_view's
90 days) follow the data set, not the real date. One DuckDB build of B, then every mart is compared with A's.

One difference is by design: the Payments export gives a transaction not yet paid out the payout date Shopify
expects, the API gives it none until it is in a payout (docs/connectors.md), so it has no row of
fct_payout_reconciliation yet. The files' rows without a deposit are compared, by currency and to the cent, with
the pulled transactions not yet paid out; every other row, and every other mart, exactly.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
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
from test_connector_amazon_ads import AdsServer
from test_connector_amazon_ads import settings_for as amazon_ads_settings
from test_connector_amazon_sp import SpApiServer
from test_connector_amazon_sp import settings_for as amazon_sp_settings
from test_connector_google_ads import GoogleAdsServer
from test_connector_google_ads import settings_for as google_ads_settings
from test_connector_meta import InsightsServer

from demo import NOT_EXPORTS
from ingestion.connectors import runner
from ingestion.ingest import Ingestor, exit_code
from warehouse import halo
from warehouse.customer_salt import LAKE_SALT_PATH

pytestmark = pytest.mark.dbt
PULLED = [
    "shopify/orders_api.jsonl",
    "shopify/order_transactions_api.json",
    "shopify/payouts_api.json",
    "shopify/payment_transactions_export_*.csv",
    "meta_ads",
    "amazon/all_orders.txt",
    "amazon/settlements",
    "amazon_ads",
    "google_ads/campaign_daily_gaql.json",
    "google_ads/click_view_*.json",
]
NOT_PAID_OUT = """
    select
        source_currency,
        count(*),
        sum(amount_source),
        sum(case when mapping_kind in ('measure', 'daily_cost') then amount_source else 0 end),
        sum(case when mapping_kind = 'excluded' then amount_source else 0 end)
    from intermediate.int_payment_amounts_mapped
    where payout_date is null
    group by source_currency
    order by source_currency
"""
ADS_REPORTS = {"SPONSORED_PRODUCTS": "sp_", "SPONSORED_BRANDS": "sb_", "SPONSORED_DISPLAY": "sd_"}


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
    with (shopify / "payment_transactions_export_1.csv").open(newline="") as f:
        payment_rows = list(csv.DictReader(f))
    shop = ShopifyServer(httpserver, orders, transactions, payouts, payout_page=50, payment_rows=payment_rows)
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
    since = start - dt.timedelta(days=60)
    pulled = runner.pull(["shopify", "meta_ads"], since, start + dt.timedelta(days=120), settings)
    # The day the other pulls run, two months into the data: Amazon's 90 days of reports and click_view's 90 days
    # count back from it (at the real date, every one of the data set's days would be past them).
    today = start + dt.timedelta(days=60)
    # The other three answer every path: one server at a time on the same loopback port.
    for source, serve, settings_for in (
        ("amazon_sp", lambda: sp_server(httpserver, out), amazon_sp_settings),
        ("amazon_ads", lambda: ads_server(httpserver, out), amazon_ads_settings),
        ("google_ads", lambda: google_server(httpserver, out), google_ads_settings),
    ):
        httpserver.clear()
        pulled += runner.pull([source], since, today, settings_for(work, serve()), today=today)
    httpserver.clear()
    assert [r.status for r in pulled] == ["landed"] * 5, [r.message for r in pulled]
    assert all(r.new_files for r in pulled), [r.message for r in pulled]

    warehouse = work / "warehouse.duckdb"
    env = clean_env(COMMERCE_LAKE=str(lake), COMMERCE_WAREHOUSE=str(warehouse), DBT_TARGET="local")
    args = [str(CLI), "build", "--target", "local", "--target-path", str(work / "target"), "--log-path", str(work)]
    proc = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return warehouse


def sp_server(httpserver, out: Path) -> SpApiServer:
    """The data set's All Orders rows and settlement reports, each report created the day its settlement ended."""
    server = SpApiServer(httpserver)
    with (out / "amazon/all_orders.txt").open(newline="", encoding="utf-8") as f:
        server.orders = list(csv.DictReader(f, delimiter="\t"))
    server.settlements = {}
    for path in sorted((out / "amazon/settlements").glob("*.txt")):
        ended = path.read_text(errors="replace").splitlines()[1].split("\t")[2][:10]  # settlement-end-date
        day = dt.datetime.strptime(ended, "%d.%m.%Y").date() if "." in ended else dt.date.fromisoformat(ended)
        server.settlements[path.stem.rsplit("_", 1)[1]] = (day, path.read_bytes())
    return server


def ads_server(httpserver, out: Path) -> AdsServer:
    server = AdsServer(httpserver)
    server.rows = {
        product: [
            r
            for f in sorted((out / "amazon_ads").glob(f"{prefix}*.json.gz"))
            for r in json.loads(gzip.decompress(f.read_bytes()))
        ]
        for product, prefix in ADS_REPORTS.items()
    }
    return server


def google_server(httpserver, out: Path) -> GoogleAdsServer:
    server = GoogleAdsServer(httpserver, page_size=200)

    def results(name: str) -> list[dict]:
        return [
            r for f in sorted((out / "google_ads").glob(name)) for b in json.loads(f.read_text()) for r in b["results"]
        ]

    server.campaign_rows, server.click_rows = results("campaign_daily_gaql.json"), results("click_view_*.json")
    return server


def mart_columns(query, table: str) -> list[str]:
    return [
        c
        for (c,) in query(
            f"select column_name from information_schema.columns where table_schema = 'marts' "
            f"and table_name = '{table}' order by ordinal_position"
        )
        # Lineage names the delivery (a dropped path vs pull://<source>/<account>/<file>): not data.
        if not c.startswith("_") and not c.endswith("_file")
    ]


def marts(query) -> dict[str, list[tuple]]:
    tables = [
        t
        for (t,) in query(
            "select table_name from information_schema.tables where table_schema = 'marts' order by table_name"
        )
    ]
    out = {}
    for table in tables:
        select = ", ".join(f'"{c}"' for c in mart_columns(query, table))
        out[table] = sorted(query(f"select {select} from marts.{table}"), key=repr)
    return out


def split_pending(query, rows: list[tuple]) -> tuple[list[tuple], list[tuple]]:
    """fct_payout_reconciliation's rows with a deposit, and its rows without one summed by source and currency
    (the export dates those by the expected payout, the API does not: see the module's docstring)."""
    columns = mart_columns(query, "fct_payout_reconciliation")
    at = {c: i for i, c in enumerate(columns)}
    deposited = [r for r in rows if r[at["deposited_amount"]] is not None]
    sums: dict[tuple, list] = {}
    for r in rows:
        if r[at["deposited_amount"]] is None:
            total = sums.setdefault((r[at["source"]], r[at["source_currency"]]), [0, 0, 0, 0])
            for n, name in enumerate(("amount_rows", "transactions_net_amount", "carried_amount", "excluded_amount")):
                total[n] += r[at[name]] or 0
    return deposited, sorted((*key, *total) for key, total in sums.items())


def test_pulled_files_build_the_same_marts_as_the_files(pulled_build, duckdb_build):
    import duckdb

    assert duckdb_build.returncode == 0, duckdb_build.output[-3000:]
    con = duckdb.connect(str(pulled_build), read_only=True)
    try:
        pulled = marts(lambda sql: con.execute(sql).fetchall())
        # Not yet in a payout: no Payout Date from the API, so no row of fct_payout_reconciliation.
        not_paid_out = [("shopify_payments", *row) for row in con.execute(NOT_PAID_OUT).fetchall()]
    finally:
        con.close()
    # The halo asset writes its tables into the session build when its tests run first; dbt builds neither.
    files = {
        t: rows for t, rows in marts(duckdb_build.query).items() if t not in (halo.ESTIMATE_TABLE, halo.DAILY_TABLE)
    }
    assert set(pulled) == set(files) and files
    assert files["fct_financial_performance"], "the comparison needs rows"
    pulled["fct_payout_reconciliation"], pulled_pending = split_pending(
        duckdb_build.query, pulled["fct_payout_reconciliation"]
    )
    files["fct_payout_reconciliation"], files_pending = split_pending(
        duckdb_build.query, files["fct_payout_reconciliation"]
    )
    # The export's expected-payout rows are the pulled transactions still without a payout, to the cent.
    assert not pulled_pending and files_pending and files_pending == not_paid_out
    different = {
        table: (
            sorted(set(pulled[table]) - set(files[table]), key=repr)[:3],
            sorted(set(files[table]) - set(pulled[table]), key=repr)[:3],
        )
        for table in files
        if pulled[table] != files[table]
    }
    assert not different, different  # per table: (pulled only, files only), the first three of each
