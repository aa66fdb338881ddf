"""Incremental fct_financial_performance: late data re-processes its orders, and incremental runs give
the marts a full refresh gives (metrics.md principle 2).

One scenario per target (module-scoped): the session's generated data set is split into what arrives
first and what arrives late, like a brand's exports do:

- late: the last settlement report of each marketplace (Amazon fees estimated until then, Amazon refunds
  posted then), the carrier invoices (shipping estimated), the Shopify Payments export (payment fees
  estimated, CSV refunds dated by `Refunded Amount`), the Admin API orders (the CSV export's
  `<order Id>-<position>` lines until then, and the API's landing sites as touches), the complete Amazon
  all-orders report, cost file, touchpoint export and FX rates;
- first: everything else, with an all-orders report cut at `AMAZON_CUTOFF` in which the orders later
  cancelled are still Pending (their lines must vanish), the cost rows effective before `COST_CUTOFF`,
  touches before `TOUCH_CUTOFF` and rates before `FX_CUTOFF`.

Steps on one warehouse: a first build of the early lake; the late files are ingested; an incremental
build (no --full-refresh), whose fact must equal the complete data's truth; then a second increment: a
re-downloaded settlement report (the same settlement delivered again, replacing the first delivery
whole) lands and the Admin API orders export is retracted (the CSV export's lines come back, orders only
the API had vanish), and an incremental build; then `--full-refresh` of the incremental intermediates and
everything downstream over the same lake, which the incremental run's intermediates, fact and P&L marts
must equal; then a backfill run with `start_date`/`end_date` that changes nothing else. Builds leave out
the data and unit tests (test_build.py runs them); the fact is compared with the truth instead.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from dbt_helpers import CLI, REPO, as_text, clean_env, fresh_postgres_database, postgres_dict_query, postgres_env

from demo import NOT_EXPORTS

pytestmark = [pytest.mark.dbt, pytest.mark.postgres]

AMAZON_CUTOFF = "2025-11-22"  # Amazon orders purchased from this UTC day on arrive with the late report
COST_CUTOFF = "2025-11-18"  # cost rows effective from this day on arrive late
TOUCH_CUTOFF = "2025-11-20"  # touchpoint-export rows from this day on arrive late
FX_CUTOFF = "2025-11-26"  # rates from this day on arrive late (the fallback covers the days until then)
BACKFILL = (dt.date(2025, 11, 10), dt.date(2025, 11, 12))
MODELS_ONLY = ("--exclude", "resource_type:test", "resource_type:unit_test")
FACT = "marts.fct_financial_performance"
# The affected-keys incremental intermediates (macros/incremental.sql), with their watermark column.
INCREMENTAL_INTERMEDIATES = (
    "intermediate.int_shopify_order_lines_allocated",
    "staging.stg_shopify__orders",
    "staging.stg_shopify__order_lines",
    "staging.stg_amazon__orders",
    "staging.stg_amazon__settlement_lines",
)
WATERMARK = "_landed_through"
API_ORDERS = "shopify/orders_api.jsonl"
PNL_MARTS = ("marts.fct_pnl_channel_monthly", "marts.fct_pnl_product_monthly", "marts.fct_daily_pnl")
AUDIT = "_processed_at"


# --- the data set, split into early and late files -------------------------------------------------


def _last_settlement_per_marketplace(settlements: list[Path]) -> list[Path]:
    """The settlement report with the highest settlement-id per currency (one per marketplace here)."""
    latest: dict[str, tuple[int, Path]] = {}
    for path in settlements:
        first = path.read_text(encoding="utf-8").splitlines()[1].split("\t")
        settlement_id, currency = int(first[0]), first[5]
        if currency not in latest or settlement_id > latest[currency][0]:
            latest[currency] = (settlement_id, path)
    return [path for _, path in latest.values()]


def _write_filtered_csv(source: Path, target: Path, keep) -> None:
    with open(source, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(rows[0])
        writer.writerows(row for row in rows[1:] if keep(dict(zip(rows[0], row, strict=True))))


def _write_early_all_orders(source: Path, target: Path) -> set[str]:
    """The all-orders report as of AMAZON_CUTOFF, orders later cancelled still Pending; returns their ids."""
    lines = source.read_bytes().decode("utf-8").split("\r\n")  # CRLF, as Amazon writes it
    header = lines[0].split("\t")
    col = {name: i for i, name in enumerate(header)}
    kept, pending = [lines[0]], set()
    for line in filter(None, lines[1:]):
        row = line.split("\t")
        if row[col["purchase-date"]] >= AMAZON_CUTOFF:
            continue
        if row[col["order-status"]] == "Cancelled":
            row[col["order-status"]], row[col["item-status"]] = "Pending", "Unshipped"
            row[col["quantity"]], row[col["item-price"]] = "1", "29.99"
            row[col["last-updated-date"]] = row[col["purchase-date"]]
            pending.add(row[col["amazon-order-id"]])
        kept.append("\t".join(row))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(("\r\n".join(kept) + "\r\n").encode("utf-8"))
    return pending


@dataclass
class Split:
    early: Path
    late: Path
    again: Path  # the second increment's files: a re-downloaded settlement report
    pending_then_cancelled: set[str]
    late_amazon_orders: set[str]


def _split(dataset, folder: Path) -> Split:
    out = Path(dataset.out)
    files = [p for p in dataset.files if p.relative_to(out).parts[0] != "truth"]
    by_name = {p.relative_to(out).as_posix(): p for p in files}
    settlements = [p for name, p in by_name.items() if name.startswith("amazon/settlements/")]
    late = {p.relative_to(out).as_posix() for p in _last_settlement_per_marketplace(settlements)}
    late |= {name for name in by_name if name.startswith("brand/carrier_invoices")}
    late |= {"shopify/orders_api.jsonl", "shopify/payment_transactions_export_1.csv"}
    late |= {"amazon/all_orders.txt", "brand/cogs.csv", "brand/touchpoints.csv", "brand/fx_rates.csv"}
    assert late <= set(by_name), sorted(late - set(by_name))

    early_dir, late_dir = folder / "early", folder / "late"
    for name, path in by_name.items():
        target = (late_dir if name in late else early_dir) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    pending = _write_early_all_orders(by_name["amazon/all_orders.txt"], early_dir / "amazon/all_orders_early.txt")
    for name, column, cutoff in (
        ("brand/cogs.csv", "effective_from", COST_CUTOFF),
        ("brand/touchpoints.csv", "occurred_at", TOUCH_CUTOFF),
        ("brand/fx_rates.csv", "date", FX_CUTOFF),
    ):
        early_name = name.replace(".csv", "_early.csv")
        _write_filtered_csv(by_name[name], early_dir / early_name, lambda r, c=column, v=cutoff: r[c] < v)

    # A settlement report downloaded again: the same rows in other bytes (CRLF line ends), so it lands as a new
    # delivery of that settlement and replaces the first one whole.
    first_settlement = min(n for n in by_name if n.startswith("amazon/settlements/") and n not in late)
    again_dir = folder / "again"
    redownload = again_dir / first_settlement.replace(".txt", "_redownloaded.txt")
    redownload.parent.mkdir(parents=True, exist_ok=True)
    text = by_name[first_settlement].read_bytes().decode("utf-8")
    redownload.write_bytes(text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8"))

    with open(by_name["amazon/all_orders.txt"], newline="", encoding="utf-8") as handle:
        orders = list(csv.DictReader(handle, delimiter="\t"))
    late_orders = {
        r["amazon-order-id"]
        for r in orders
        if r["purchase-date"] >= AMAZON_CUTOFF and r["order-status"] != "Cancelled" and int(r["quantity"]) > 0
    }
    assert pending and late_orders
    return Split(early_dir, late_dir, again_dir, pending, late_orders)


def _ingest(lake: Path, folder: Path) -> None:
    from commerce_analytics.settings import load_settings
    from ingestion.ingest import Ingestor, exit_code

    results = Ingestor(load_settings({"COMMERCE_LAKE": str(lake)})).ingest_paths(
        [str(folder)], keep_inbox=True, skip=NOT_EXPORTS
    )
    assert exit_code(results) == 0, [(r.source_file, r.status, r.message) for r in results if r.status != "landed"]


def _retract(lake: Path, delivered: Path) -> None:
    from ingestion.lake import Lake
    from ingestion.retract import resolve_sha256, retract

    store = Lake(str(lake))
    retract(store, resolve_sha256(store, str(delivered)), reason="test: a wrong export")


# --- warehouses --------------------------------------------------------------------------------------


@dataclass
class Warehouse:
    target: str
    env: dict[str, str]
    work: Path
    connect: object = field(repr=False)

    def build(self, *args: str) -> None:
        cmd = [str(CLI), "build", "--target", self.target, "--target-path", str(self.work / "target")]
        cmd += ["--log-path", str(self.work), *MODELS_ONLY, *args]
        proc = subprocess.run(cmd, cwd=REPO, env=self.env, capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, f"build {' '.join(args)} failed:\n{(proc.stdout + proc.stderr)[-6000:]}"

    def rows(self, table: str) -> list[dict]:
        return self.connect(f"select * from {table}")


def _duckdb_warehouse(work: Path, lake: Path) -> Iterator[Warehouse]:
    import duckdb

    path = work / "warehouse.duckdb"

    def connect(sql: str) -> list[dict]:
        con = duckdb.connect(str(path), read_only=True)
        try:
            cursor = con.execute(sql)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        finally:
            con.close()

    env = clean_env(COMMERCE_LAKE=str(lake), COMMERCE_WAREHOUSE=str(path), DBT_TARGET="local")
    yield Warehouse("local", env, work, connect)


def _postgres_warehouse(work: Path, lake: Path) -> Iterator[Warehouse]:
    with fresh_postgres_database("commerce_incr") as db:
        connect = postgres_dict_query(db)
        env = postgres_env(db, lake, work)
        yield Warehouse("postgres", env, work, connect)


# --- the scenario ------------------------------------------------------------------------------------


@dataclass
class Scenario:
    target: str
    split: Split
    first: list[dict]  # the fact after the first build (early files)
    incremental: list[dict]  # the fact after the incremental build (late files added)
    incremental_marts: dict[str, list[dict]]
    again: dict[str, list[dict]]  # fact, P&L marts and incremental intermediates after the second increment
    full: list[dict]  # the fact after --full-refresh over the same lake
    full_tables: dict[str, list[dict]]  # the P&L marts and incremental intermediates after it
    warehouse: Warehouse = field(repr=False)


@pytest.fixture(scope="module", params=["local", "postgres"])
def scenario(request, dbt_dataset, tmp_path_factory) -> Iterator[Scenario]:
    work = tmp_path_factory.mktemp(f"incremental-{request.param}")
    split = _split(dbt_dataset, work / "files")
    lake = work / "lake"
    _ingest(lake, split.early)
    opener = _duckdb_warehouse if request.param == "local" else _postgres_warehouse
    for warehouse in opener(work, lake):
        warehouse.build()
        first = warehouse.rows(FACT)
        _ingest(lake, split.late)
        warehouse.build()
        incremental = warehouse.rows(FACT)
        incremental_marts = {table: warehouse.rows(table) for table in PNL_MARTS}
        _ingest(lake, split.again)
        _retract(lake, split.late / API_ORDERS)
        warehouse.build()
        compared = (FACT, *PNL_MARTS, *INCREMENTAL_INTERMEDIATES)
        again = {table: warehouse.rows(table) for table in compared}
        refreshed = [f"{table.split('.')[1]}+" for table in INCREMENTAL_INTERMEDIATES]
        warehouse.build("--full-refresh", "--select", "fct_financial_performance+", *refreshed)
        full_tables = {table: warehouse.rows(table) for table in compared}
        full = full_tables.pop(FACT)
        yield Scenario(request.param, split, first, incremental, incremental_marts, again, full, full_tables, warehouse)


def _canonical(rows: list[dict], drop: tuple[str, ...] = ()) -> list[tuple]:
    """The rows as a sorted list of (column, value) tuples: equal lists mean equal tables (nulls sort too)."""
    return sorted((tuple((k, v) for k, v in sorted(r.items()) if k not in drop) for r in rows), key=repr)


def _by_line(rows: list[dict]) -> dict[str, dict]:
    return {r["order_line_id"]: r for r in rows}


def _estimated(rows: dict[str, dict], lines: set[str], flag: str = "is_estimated") -> int:
    return sum(1 for line in lines if rows[line][flag])


# --- tests -------------------------------------------------------------------------------------------


def test_incremental_runs_equal_full_refresh(scenario):
    """Two increments (late files; a re-downloaded settlement and a retracted export) leave the fact, the
    P&L marts and the incremental intermediates a full refresh of the same lake builds (audit and
    watermark columns aside: they say when a row was written)."""
    again = scenario.again
    assert again[FACT] and len(again[FACT]) == len(scenario.full)
    assert _canonical(again[FACT], drop=(AUDIT,)) == _canonical(scenario.full, drop=(AUDIT,))
    for table in (*PNL_MARTS, *INCREMENTAL_INTERMEDIATES):
        assert again[table], table
        assert _canonical(again[table], drop=(WATERMARK,)) == _canonical(
            scenario.full_tables[table], drop=(WATERMARK,)
        ), table


def test_second_increment_replaced_the_retracted_orders_lines(scenario):
    """The retracted API export's orders went back to their CSV-export lines (or vanished, when only the API
    had them): the affected-keys increment rewrote them and deleted what no visible row holds."""
    api_after_late = {r["order_id"] for r in scenario.incremental if r["order_source"] == "shopify_api"}
    fact_again = scenario.again[FACT]
    assert api_after_late
    assert not [r for r in fact_again if r["order_source"] == "shopify_api"]
    csv_again = {r["order_id"] for r in fact_again if r["order_source"] == "shopify_csv"}
    assert api_after_late & csv_again
    allocated = scenario.again["intermediate.int_shopify_order_lines_allocated"]
    assert {r["order_source"] for r in allocated} == {"shopify_csv"}


def test_incremental_fact_equals_truth(scenario, dbt_dataset):
    """The incremental fact is the complete data's truth (so the split lost nothing), to the cent."""

    with open(Path(dbt_dataset.truth.folder) / "order_lines.csv", newline="", encoding="utf-8") as handle:
        truth = {r["order_line_id"]: r for r in csv.DictReader(handle)}
    fact = _by_line(scenario.incremental)
    assert sorted(fact) == sorted(truth)
    differences = [
        (line, column, as_text(fact[line][column]), value)
        for line, row in truth.items()
        for column, value in row.items()
        if as_text(fact[line][column]) != value
    ]
    assert differences[:10] == []


def test_late_data_replaced_estimates_and_rewrote_only_changed_orders(scenario):
    first, incremental = _by_line(scenario.first), _by_line(scenario.incremental)
    # Actuals beat estimates on the lines of both runs (late orders come with estimates of their own):
    # settlements, carrier invoices and the payments export replaced the rate-card estimates.
    both = set(first) & set(incremental)
    for flag in ("is_marketplace_fee_estimated", "is_shipping_cost_estimated", "is_payment_fee_estimated"):
        assert _estimated(incremental, both, flag) < _estimated(first, both, flag), flag
    assert _estimated(incremental, both) < _estimated(first, both)
    # Late refunds (Amazon settlements, Shopify API refund lines) reached old orders.
    assert sum(r["refunds"] for r in scenario.incremental) > sum(r["refunds"] for r in scenario.first)
    # Orders the API delivered late: their CSV-export lines are gone, replaced by the API's line ids.
    api_orders = {r["order_id"] for r in scenario.incremental if r["order_source"] == "shopify_api"}
    assert api_orders
    csv_lines_then = {k for k, r in first.items() if r["order_id"] in api_orders}
    assert csv_lines_then and all(first[k]["order_source"] == "shopify_csv" for k in csv_lines_then)
    assert not csv_lines_then & set(incremental)
    # Orders cancelled after they were first reported lose every line; orders reported late appear.
    ids_then, ids_now = {r["order_id"] for r in scenario.first}, {r["order_id"] for r in scenario.incremental}
    assert scenario.split.pending_then_cancelled <= ids_then
    assert not scenario.split.pending_then_cancelled & ids_now
    assert scenario.split.late_amazon_orders <= ids_now - ids_then
    # Incremental, not a rebuild: lines of orders nothing changed were left as they were.
    first_stamp = {r[AUDIT] for r in scenario.first}
    assert len(first_stamp) == 1
    kept = [r for r in scenario.incremental if r[AUDIT] in first_stamp]
    rewritten = [r for r in scenario.incremental if r[AUDIT] not in first_stamp]
    assert kept and rewritten
    assert all(first[r["order_line_id"]] == r for r in kept)


# The model's SQL is the same on both targets; one more dbt parse (new vars) is kept to DuckDB for time.
@pytest.mark.parametrize("scenario", ["local"], indirect=True)
def test_backfill_rewrites_exactly_its_order_date_range(scenario):
    """start_date/end_date (warehouse/dbt_args.py) re-process the range; nothing else changed since
    the full refresh, so every other line keeps its stamp and every value stays the same."""
    start, end = BACKFILL
    variables = json.dumps({"start_date": start.isoformat(), "end_date": end.isoformat()})
    scenario.warehouse.build("--select", "fct_financial_performance", "--vars", variables)
    backfilled = scenario.warehouse.rows(FACT)
    before, after = _by_line(scenario.full), _by_line(backfilled)
    assert _canonical(backfilled, drop=(AUDIT,)) == _canonical(scenario.full, drop=(AUDIT,))
    rewritten = {line for line, row in after.items() if row[AUDIT] != before[line][AUDIT]}
    in_range = {line for line, row in after.items() if start <= row["order_date"] <= end}
    assert in_range and rewritten == in_range
