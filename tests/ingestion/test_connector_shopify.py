"""Shopify Admin GraphQL connector against a loopback server replaying bulk operations and payouts.

The server's data are the demo generator's REST-shaped Shopify API files turned into GraphQL answers
(`shopify_graphql_server.rest_to_graphql`), so the landed rows of a pull are compared with the same files
dropped in the inbox: the GraphQL -> REST conversion loses nothing ingestion reads.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from connector_helpers import connector_settings, lake_files
from ingest_helpers import landed, make_ingestor
from shopify_graphql_server import TOKEN, ShopifyServer, cost
from werkzeug import Response

from ingestion.connectors import runner

TODAY = dt.date(2026, 1, 31)
EXPORT = "payment_transactions_export_1.csv"
SINCE = dt.date(2025, 11, 1)
COMPARED = {
    "orders": [
        "order_id",
        "created_at",
        "updated_at",
        "currency",
        "subtotal",
        "total_discounts",
        "taxes",
        "total",
        "financial_status",
        "landing_site",
        "referring_site",
        "customer_id",
    ],
    "order_lines": ["line_id", "order_id", "sku", "quantity", "unit_price", "discount_allocated", "tax"],
    "refunds": ["refund_id", "order_id", "created_at", "amount"],
    "refund_lines": None,
    "refund_adjustments": None,
    "fulfillment_lines": None,
    "order_transactions": None,
    "payouts": None,
}


@pytest.fixture(scope="module")
def shopify_files(tmp_path_factory) -> Path:
    from demo.generate import generate

    out = tmp_path_factory.mktemp("shopify-demo")
    generate(out, start=dt.date(2025, 11, 10), days=20, orders_per_day=12, seed=7)  # has a refund with an adjustment
    return out / "shopify"


def rest_data(folder: Path):
    orders = [json.loads(line) for line in (folder / "orders_api.jsonl").read_text().splitlines() if line.strip()]
    transactions = json.loads((folder / "order_transactions_api.json").read_text())["transactions"]
    payouts = json.loads((folder / "payouts_api.json").read_text())["payouts"]
    return orders, transactions, payouts


def export_rows(folder: Path) -> list[dict]:
    with (folder / EXPORT).open(newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def server(httpserver, shopify_files):
    return ShopifyServer(
        httpserver, *rest_data(shopify_files), payment_rows=export_rows(shopify_files), balance_page=40
    )


def settings_for(tmp_path, server, token=TOKEN, **env):
    return connector_settings(tmp_path / "lake", SHOPIFY_SHOP_URL=server.shop_url, SHOPIFY_ACCESS_TOKEN=token, **env)


def columns(rows: list[dict], names: list[str] | None) -> list[tuple]:
    drop = lambda k: k.startswith("_")  # noqa: E731 - lineage differs by design (file, time, row)
    keep = names or sorted(k for k in (rows[0] if rows else {}) if not drop(k))
    return sorted(tuple(str(r.get(k)) for k in keep) for r in rows)


def test_full_pull_lands_what_the_rest_files_land(tmp_path, server, shopify_files):
    settings = settings_for(tmp_path, server)
    [result] = runner.pull(["shopify"], SINCE, None, settings, today=TODAY)
    assert result.status == "landed", result.message
    assert not [f for f in result.files if f.status != "landed"], [(f.source_file, f.message) for f in result.files]
    # Two bulk operations, each polled until COMPLETED; the signed download never carries the token.
    bulk = [r for r in server.requests if "bulkOperationRunQuery" in r["query"]]
    assert len(bulk) == 2 and all(r["token"] == TOKEN for r in server.requests)
    assert server.downloads and all(d["token"] is None for d in server.downloads)
    files_lake = tmp_path / "files-lake"
    make_ingestor(str(files_lake)).ingest_paths(
        [str(shopify_files / n) for n in ("orders_api.jsonl", "order_transactions_api.json", "payouts_api.json")]
    )
    for entity, names in COMPARED.items():
        pulled = landed(tmp_path / "lake", "shopify", entity)
        dropped = landed(files_lake, "shopify", entity)
        assert dropped, entity
        assert columns(pulled, names) == columns(dropped, names), entity
    state = json.loads(
        (tmp_path / "lake/_state/shopify" / f"{server.shop_url.split('//')[1].split(':')[0]}.json").read_text()
    )
    assert state["cursor"] == max(o["updatedAt"] for o in server.first if o["__typename"] == "Order")


def test_second_pull_lands_nothing_and_increment_asks_from_the_cursor(tmp_path, server):
    settings = settings_for(tmp_path, server)
    runner.pull(["shopify"], SINCE, None, settings, today=TODAY)
    raw = lake_files(tmp_path / "lake", "raw")
    server.requests.clear()
    [again] = runner.pull(["shopify"], None, None, settings, today=TODAY)
    assert again.status == "landed" and again.new_files == 0, again.message
    assert lake_files(tmp_path / "lake", "raw") == raw
    cursor = max(o["updatedAt"] for o in server.first if o["__typename"] == "Order")
    since = (dt.date.fromisoformat(cursor[:10]) - dt.timedelta(days=1)).isoformat()
    bulk = [r["variables"]["query"] for r in server.requests if "bulkOperationRunQuery" in r["query"]]
    assert all(f"updated_at:>='{since}T00:00:00Z'" in q for q in bulk)


def test_cost_throttling_429_and_5xx_are_retried(tmp_path, server):
    throttled = {
        "errors": [
            {
                "message": "Throttled",
                "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"},
            }
        ],
        "extensions": cost(50, 49.0),
    }
    server.faults = [
        Response(json.dumps(throttled), content_type="application/json"),
        Response(
            json.dumps({"errors": "Exceeded 2 calls per second for api client."}),
            status=429,
            headers={"Retry-After": "0.0"},
            content_type="application/json",
        ),
        Response("<html>502 Bad Gateway</html>", status=502),
        Response(json.dumps({"errors": "Internal Server Error"}), status=500, content_type="application/json"),
    ]
    [result] = runner.pull(["shopify"], SINCE, None, settings_for(tmp_path, server), today=TODAY)
    assert result.status == "landed", result.message
    assert landed(tmp_path / "lake", "shopify", "orders")


def test_invalid_token_names_the_setting_and_lands_nothing(tmp_path, server):
    [result] = runner.pull(
        ["shopify"], SINCE, None, settings_for(tmp_path, server, token="shpat_revoked_secret"), today=TODAY
    )
    assert result.status == "failed"
    assert "SHOPIFY_ACCESS_TOKEN" in result.message and "HTTP 401" in result.message
    assert "/admin/api/2025-07/graphql.json" in result.message and "shpat_revoked_secret" not in result.message
    assert not (tmp_path / "lake/raw").exists() and not (tmp_path / "lake/_state").exists()


def test_failed_bulk_operation_lands_nothing_and_says_why(tmp_path, server):
    server.fail_bulk = "INTERNAL_SERVER_ERROR"
    [result] = runner.pull(["shopify"], SINCE, None, settings_for(tmp_path, server), today=TODAY)
    assert result.status == "failed"
    assert "ended FAILED (INTERNAL_SERVER_ERROR)" in result.message and "bulkOperation" in result.message
    assert not (tmp_path / "lake/raw").exists() and not (tmp_path / "lake/_state").exists()


def test_payouts_are_paged(tmp_path, server, shopify_files):
    [result] = runner.pull(["shopify"], SINCE, None, settings_for(tmp_path, server), today=TODAY)
    assert result.status == "landed", result.message
    pages = [r for r in server.requests if "payouts(" in r["query"]]
    payouts = json.loads((shopify_files / "payouts_api.json").read_text())["payouts"]
    assert len(pages) == -(-len(payouts) // server.payout_page) >= 2
    assert len(landed(tmp_path / "lake", "shopify", "payouts")) == len(payouts)


# What the export and the pull both carry (the API has no card, checkout or presentment fields).
PAYMENT_COLUMNS = ["transaction_at", "type", "order_name", "payout_status", "amount", "fee", "net", "currency"]


def test_balance_transactions_land_as_the_payments_export_rows(tmp_path, server, shopify_files):
    [result] = runner.pull(["shopify"], SINCE, None, settings_for(tmp_path, server), today=TODAY)
    assert result.status == "landed", result.message
    pages = [r for r in server.requests if "balanceTransactions" in r["query"]]
    assert len(pages) == -(-len(server.balance) // server.balance_page) >= 2  # paged
    files_lake = tmp_path / "files-lake"
    make_ingestor(str(files_lake)).ingest_paths([str(shopify_files / EXPORT)])
    pulled = landed(tmp_path / "lake", "shopify", "payment_transactions")
    dropped = landed(files_lake, "shopify", "payment_transactions")
    assert len(pulled) == len(dropped) == len(server.balance) > 0
    assert columns(pulled, PAYMENT_COLUMNS) == columns(dropped, PAYMENT_COLUMNS)
    # Paid rows carry their payout's date; the API gives none before a transaction is in a payout.
    paid = ["transaction_at", "amount", "payout_date"]
    assert columns([r for r in pulled if r["payout_status"] == "paid"], paid) == columns(
        [r for r in dropped if r["payout_status"] == "paid"], paid
    )
    pending = [r for r in pulled if r["payout_status"] == "pending"]
    assert pending and all(r["payout_date"] is None for r in pending)
    state = json.loads(next((tmp_path / "lake/_state/shopify").glob("*.json")).read_text())
    assert state["payments_pending_since"] == min(r["transaction_at"] for r in pending).strftime("%Y-%m-%d")


def test_pending_balance_transactions_are_pulled_again_until_paid_out(tmp_path, server):
    settings = settings_for(tmp_path, server)
    runner.pull(["shopify"], SINCE, None, settings, today=TODAY)
    state = json.loads(next((tmp_path / "lake/_state/shopify").glob("*.json")).read_text())
    server.requests.clear()
    [again] = runner.pull(["shopify"], None, None, settings, today=TODAY)
    assert again.status == "landed" and again.new_files == 0, again.message
    [query] = {r["variables"]["query"] for r in server.requests if "balanceTransactions" in r["query"]}
    assert f"processed_at:>='{state['payments_pending_since']}T00:00:00Z'" in query
    # Paid out since: the re-pulled day lands the payout's status and date over the pending row.
    day = state["payments_pending_since"]
    payout = server.payouts[0]
    for node in server.balance:
        if node["transactionDate"].startswith(day) and not node["associatedPayout"]["id"]:
            node["associatedPayout"] = {"id": payout["id"], "status": "PAID"}
    [paid] = runner.pull(["shopify"], None, None, settings, today=TODAY)
    assert paid.status == "landed" and paid.new_files == 1, paid.message
    rows = landed(tmp_path / "lake", "shopify", "payment_transactions")
    latest = {}
    for row in sorted(rows, key=lambda r: r["_ingested_at"]):
        latest[row["_record_key"]] = row
    moved = [r for r in latest.values() if r["transaction_at"].strftime("%Y-%m-%d") == day]
    assert moved and all(r["payout_status"] == "paid" and r["payout_date"] for r in moved)


def test_a_store_keeps_one_path_for_its_payments(tmp_path, server, shopify_files):
    lake = tmp_path / "lake"
    make_ingestor(str(lake)).ingest_paths([str(shopify_files / EXPORT)])
    [refused] = runner.pull(["shopify"], SINCE, None, settings_for(tmp_path, server), today=TODAY)
    assert refused.status == "failed"
    assert "SHOPIFY_PULL_PAYMENT_TRANSACTIONS" in refused.message and EXPORT in refused.message
    assert not server.requests and not (lake / "_state").exists()  # refused before asking Shopify anything
    # Keeping the exports: the pull lands the rest and no balance transactions.
    settings = settings_for(tmp_path, server, SHOPIFY_PULL_PAYMENT_TRANSACTIONS="false")
    [kept] = runner.pull(["shopify"], SINCE, None, settings, today=TODAY)
    assert kept.status == "landed", kept.message
    assert not [r for r in server.requests if "balanceTransactions" in r["query"]]
    assert {r["_source_file"] for r in landed(lake, "shopify", "payment_transactions")} == {str(shopify_files / EXPORT)}


def test_an_export_dropped_into_a_pulled_store_is_rejected_naming_the_setting(tmp_path, server, shopify_files):
    runner.pull(["shopify"], SINCE, None, settings_for(tmp_path, server), today=TODAY)
    before = landed(tmp_path / "lake", "shopify", "payment_transactions")
    [result] = make_ingestor(str(tmp_path / "lake")).ingest_paths([str(shopify_files / EXPORT)])
    assert result.status == "rejected"
    assert "SHOPIFY_PULL_PAYMENT_TRANSACTIONS" in result.message and "pulled from the Admin API" in result.message
    assert len(landed(tmp_path / "lake", "shopify", "payment_transactions")) == len(before)
    # Re-landing every raw file keeps it out too (only retracting the pulled files lets it in).
    make_ingestor(str(tmp_path / "lake")).reprocess(force=True)
    assert len(landed(tmp_path / "lake", "shopify", "payment_transactions")) == len(before)
