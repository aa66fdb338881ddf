"""The books close (docs/metrics.md rules 19 and 20, contract v2 "The books close").

- On the session data set (DuckDB and PostgreSQL): `fct_payout_reconciliation` has one row per Amazon
  settlement file and per Shopify Payments payout of the payouts file, each with zero difference, and the
  reconciliation tests pass.
- A settlement file and a payments export with a type no one has seen yet (DuckDB, copies of the session
  lake and warehouse; the build selects what the new files feed: their sources' models and tests and
  everything downstream): the amounts land, show as daily costs `other_settlement_charge` /
  `other_payment_charge`, the warning test names each pair and its file, and every settlement and payout
  still closes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from dbt_helpers import CLI, REPO, clean_env

from demo.writers import SETTLEMENT_COLUMNS

pytestmark = [pytest.mark.dbt, pytest.mark.postgres]

RECONCILIATION = "marts.fct_payout_reconciliation"
RECONCILE_TESTS = ("assert_payouts_reconcile", "assert_payout_nets_match_transactions")
UNMAPPED_TEST = "assert_settlement_amount_types_mapped"

NEW_SETTLEMENT_ID = "12899999999"
NEW_SETTLEMENT_DESCRIPTION = "Never Seen Before Fee"
NEW_PAYMENTS_TYPE = "agentic_fee_tax_debit"  # a real Shopify Payments type the seed does not map
NEW_PAYOUT_ID = "699999991"
NEW_PAYOUT_DATE = "2025-12-08"


def _status(build_results: dict[str, str], name: str) -> str:
    [status] = [s for node, s in build_results.items() if node.startswith("test.") and node.split(".")[2] == name]
    return status


def test_every_settlement_and_payout_of_the_demo_closes(dbt_build, dbt_dataset):
    rows = dbt_build.query_dicts(f"select * from {RECONCILIATION}")
    out = Path(dbt_dataset.out)
    settlements = {p.stem.removeprefix("settlement_") for p in (out / "amazon" / "settlements").glob("*.txt")}
    payouts = json.loads((out / "shopify" / "payouts_api.json").read_text())["payouts"]
    amazon = {r["payout_id"]: r for r in rows if r["source"] == "amazon_settlement"}
    shopify = {r["payout_id"]: r for r in rows if r["source"] == "shopify_payments"}
    assert set(amazon) == settlements
    assert {str(p["id"]) for p in payouts} <= set(shopify)
    for payout in payouts:
        row = shopify[str(payout["id"])]
        assert row["deposited_amount"] == Decimal(payout["amount"]), row
        assert row["transactions_net_amount"] == Decimal(payout["amount"]), row
    closed = [r for r in rows if r["deposited_amount"] is not None]
    assert len(closed) == len(settlements) + len(payouts)
    assert [r for r in closed if r["difference_amount"] != 0] == []
    # Without a payout row the transactions are still pending: no deposit, no difference yet.
    assert all(r["difference_amount"] is None for r in rows if r["deposited_amount"] is None)
    assert all(r["status"] == "pending" for r in rows if r["deposited_amount"] is None)
    # Settlements carry sales and fees, exclude facilitator tax, reserves and the Cost of Advertising.
    assert any(r["excluded_reserve_amount"] != 0 for r in amazon.values())
    assert all(r["unmapped_amount"] == 0 for r in rows)
    for name in RECONCILE_TESTS:
        assert _status(dbt_build.results, name) == "pass", name
    assert _status(dbt_build.results, UNMAPPED_TEST) == "pass"


# --------------------------------------------------------------------------- never-seen types


def _settlement_file(folder: Path) -> Path:
    columns = SETTLEMENT_COLUMNS
    summary = dict.fromkeys(columns, "") | {
        "settlement-id": NEW_SETTLEMENT_ID,
        "settlement-start-date": "2025-11-17 07:00:00 UTC",
        "settlement-end-date": "2025-11-24 07:00:00 UTC",
        "deposit-date": "2025-11-26 08:00:00 UTC",
        "total-amount": "-12.34",
        "currency": "USD",
    }
    line = dict.fromkeys(columns, "") | {
        "settlement-id": NEW_SETTLEMENT_ID,
        "transaction-type": "other-transaction",
        "marketplace-name": "Amazon.com",
        "amount-type": "other-transaction",
        "amount-description": NEW_SETTLEMENT_DESCRIPTION,
        "amount": "-12.34",
        "posted-date": "11/20/25",
        "posted-date-time": "2025-11-20 15:00:00 UTC",
    }
    path = folder / f"settlement_{NEW_SETTLEMENT_ID}.txt"
    path.write_text(
        "\n".join("\t".join(r[c] for c in columns) for r in (dict(zip(columns, columns, strict=True)), summary, line))
        + "\n"
    )
    return path


def _payments_files(folder: Path) -> list[Path]:
    header = (
        "Transaction Date,Type,Order,Card Brand,Card Source,Payout Status,Payout Date,Available On,Amount,Fee,Net,"
        "Checkout,Payment Method Name,Presentment Amount,Presentment Currency,Currency"
    )
    row = (
        f"2025-11-20 10:00:00 -0500,{NEW_PAYMENTS_TYPE},,,,paid,{NEW_PAYOUT_DATE},{NEW_PAYOUT_DATE},-4.56,0.25,-4.81,,"
        ",4.56,USD,USD"
    )
    payments = folder / "payment_transactions_export_new_type.csv"
    payments.write_text(f"{header}\n{row}\n")
    summary = {
        f"{k}_{p}_amount": "0.00"
        for k in ("charges", "refunds", "reserved_funds", "retried_payouts")
        for p in ("fee", "gross")
    }
    summary |= {"adjustments_fee_amount": "0.25", "adjustments_gross_amount": "-4.56"}
    payout = {
        "id": int(NEW_PAYOUT_ID),
        "status": "paid",
        "date": NEW_PAYOUT_DATE,
        "currency": "USD",
        "amount": "-4.81",
        "summary": summary,
    }
    payouts = folder / "payouts_new_type.json"
    payouts.write_text(json.dumps({"payouts": [payout]}))
    return [payments, payouts]


@dataclass
class NewTypeBuild:
    returncode: int
    output: str
    results: dict[str, str]
    warnings: list[str]
    daily_costs: dict[tuple, Decimal]
    reconciliation: dict[str, dict]
    base_daily_costs: dict[tuple, Decimal]


def _daily_costs(rows: list[tuple]) -> dict[tuple, Decimal]:
    return {(str(d), ch, pl, ct, cur): amt for d, ch, pl, ct, cur, amt in rows}


DAILY_COSTS_SQL = (
    "select cost_date, channel, platform, cost_type, source_currency, amount_source from marts.fct_daily_costs"
)


@pytest.fixture(scope="module")
def new_type_build(dbt_lake, duckdb_build, tmp_path_factory) -> NewTypeBuild:
    import duckdb

    from commerce_analytics.settings import load_settings
    from ingestion.ingest import Ingestor

    work = tmp_path_factory.mktemp("never-seen-types")
    lake = work / "lake"
    shutil.copytree(dbt_lake, lake)
    drop = work / "drop"
    drop.mkdir()
    files = [_settlement_file(drop), *_payments_files(drop)]
    results = Ingestor(load_settings({"COMMERCE_LAKE": str(lake)})).ingest_paths([str(p) for p in files])
    assert [r.status for r in results] == ["landed"] * 3, [(r.source_file, r.status, r.message) for r in results]
    # The build rebuilds and tests the landed tables the new files feed and everything downstream; the rest of
    # the copied session warehouse holds what it would be rebuilt from (the same session lake).
    assert duckdb_build.returncode == 0, duckdb_build.output[-3000:]
    select = sorted({f"source:{r.source}.{entity}+" for r in results for entity in r.entities})
    assert "source:amazon.settlement_lines+" in select and "source:shopify.payouts+" in select, select
    warehouse = work / "warehouse.duckdb"
    shutil.copyfile(duckdb_build.target_path.parent / "warehouse.duckdb", warehouse)
    env = clean_env(COMMERCE_LAKE=str(lake), COMMERCE_WAREHOUSE=str(warehouse), DBT_TARGET="local")
    target = work / "target"
    cmd = [str(CLI), "build", "--target", "local", "--target-path", str(target), "--log-path", str(work)]
    cmd += ["--select", *select]
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=1200)
    run = json.loads((target / "run_results.json").read_text())["results"]
    statuses = {r["unique_id"]: r["status"] for r in run}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        [relation] = [r["relation_name"] for r in run if r["unique_id"].split(".")[2] == UNMAPPED_TEST]
        warnings = [m for (m,) in con.execute(f"select failure_message from {relation}").fetchall()]
        daily = _daily_costs(con.execute(DAILY_COSTS_SQL).fetchall())
        cursor = con.execute(f"select * from {RECONCILIATION}")
        names = [d[0] for d in cursor.description]
        reconciliation = {
            row[names.index("payout_id")]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()
        }
    finally:
        con.close()
    base = _daily_costs(duckdb_build.query(DAILY_COSTS_SQL))
    return NewTypeBuild(proc.returncode, proc.stdout + proc.stderr, statuses, warnings, daily, reconciliation, base)


def test_never_seen_amounts_land_as_named_daily_costs(new_type_build):
    b = new_type_build
    assert b.returncode == 0, b.output[-4000:]
    amazon_key = ("2025-11-20", "Unassigned", "amazon", "other_settlement_charge", "USD")
    shopify_key = ("2025-11-20", "Shopify Web", "shopify", "other_payment_charge", "USD")
    for key, amount in ((amazon_key, Decimal("12.34")), (shopify_key, Decimal("4.81"))):
        assert b.daily_costs[key] - b.base_daily_costs.get(key, Decimal(0)) == amount, key
    # Nothing else moved.
    changed = {
        k for k in b.daily_costs.keys() | b.base_daily_costs.keys() if b.daily_costs.get(k) != b.base_daily_costs.get(k)
    }
    assert changed == {amazon_key, shopify_key}


def test_the_warning_names_each_unmapped_pair_and_its_file(new_type_build):
    b = new_type_build
    assert _status(b.results, UNMAPPED_TEST) == "warn"
    [amazon] = [m for m in b.warnings if NEW_SETTLEMENT_DESCRIPTION in m]
    assert (
        f"settlement_{NEW_SETTLEMENT_ID}.txt" in amazon and "other_settlement_charge" in amazon and "-12.34" in amazon
    )
    shopify = [m for m in b.warnings if NEW_PAYMENTS_TYPE in m]
    assert len(shopify) == 2  # its Amount and its Fee
    assert all("payment_transactions_export_new_type.csv" in m and "other_payment_charge" in m for m in shopify)
    assert len(b.warnings) == 3
    # The console names them too, not only the audit table (warehouse/runner.py prints warnings' messages).
    shown = [line for line in b.output.splitlines() if f"warning: {UNMAPPED_TEST}:" in line]
    assert len(shown) == 3 and any(NEW_SETTLEMENT_DESCRIPTION in line for line in shown), b.output[-3000:]


def test_the_books_still_close_with_the_never_seen_types(new_type_build):
    b = new_type_build
    for name in RECONCILE_TESTS:
        assert _status(b.results, name) == "pass", name
    settlement = b.reconciliation[NEW_SETTLEMENT_ID]
    assert settlement["deposited_amount"] == Decimal("-12.34")
    assert settlement["carried_daily_costs_amount"] == settlement["unmapped_amount"] == Decimal("-12.34")
    assert settlement["difference_amount"] == 0
    payout = b.reconciliation[NEW_PAYOUT_ID]
    assert payout["deposited_amount"] == Decimal("-4.81")
    assert payout["unmapped_amount"] == Decimal("-4.81")
    assert payout["difference_amount"] == 0
    assert all(r["difference_amount"] in (0, None) for r in b.reconciliation.values())
