"""The marts equal the generator's ground truth to the cent, on DuckDB and on PostgreSQL.

The truth (`truth/` of the generated data set) is computed from the same exports by an
independent implementation of metrics.md (demo/truth.py, polars, no SQL).
Every value is compared as text at the truth's precision: cents for money, ISO dates,
lower-case booleans, so a single cent anywhere fails the test and names the row.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from dbt_helpers import CLI, as_text, clean_env

from warehouse.report import channel_pnl_query, print_channel_pnl, truth_differences

pytestmark = [pytest.mark.dbt, pytest.mark.postgres]


def _truth(dataset, name: str) -> list[dict[str, str]]:
    with open(Path(dataset.truth.folder) / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _differences(expected: list[dict], actual: list[dict], key: tuple[str, ...], limit: int = 10) -> list[str]:
    """Rows missing on either side and values that differ, as readable lines (at most `limit`)."""
    want = {tuple(r[k] for k in key): r for r in expected}
    got = {tuple(as_text(r[k]) for k in key): {c: as_text(v) for c, v in r.items()} for r in actual}
    assert len(want) == len(expected), f"truth key {key} is not unique"
    assert len(got) == len(actual), f"mart key {key} is not unique"
    problems = [f"missing in the mart: {k}" for k in sorted(set(want) - set(got))]
    problems += [f"not in the truth: {k}" for k in sorted(set(got) - set(want))]
    for k in sorted(set(want) & set(got)):
        for column, value in want[k].items():
            if column in got[k] and got[k][column] != value:
                problems.append(f"{k} {column}: mart {got[k][column]!r}, truth {value!r}")
    return problems[:limit]


def test_fact_equals_truth_order_lines(dbt_build, dbt_dataset):
    expected = _truth(dbt_dataset, "order_lines.csv")
    actual = dbt_build.query_dicts("select * from marts.fct_financial_performance")
    compared = set(expected[0]) & set(actual[0])
    assert len(compared) == len(expected[0]), f"fact lacks truth columns {set(expected[0]) - compared}"
    assert _differences(expected, actual, ("order_line_id",)) == []


def test_daily_costs_equal_truth(dbt_build, dbt_dataset):
    expected = _truth(dbt_dataset, "daily_costs.csv")
    actual = dbt_build.query_dicts("select * from marts.fct_daily_costs")
    key = ("cost_date", "channel", "platform", "cost_type", "source_currency")
    assert expected and _differences(expected, actual, key) == []


def test_daily_pnl_equals_truth_in_both_views(dbt_build, dbt_dataset):
    expected = _truth(dbt_dataset, "daily_pnl.csv")
    measures = sorted({r["measure"] for r in expected})
    unpivoted = " union all ".join(
        f"select pnl_view as view, pnl_date as date, channel, '{m}' as measure, {m} as amount "
        f"from marts.fct_daily_pnl where {m} <> 0"
        for m in measures
    )
    actual = dbt_build.query_dicts(unpivoted)
    assert {r["view"] for r in expected} == {"order_date", "cash"}
    assert _differences(expected, actual, ("view", "date", "channel", "measure")) == []


def test_ad_spend_allocation_equals_truth(dbt_build, dbt_dataset):
    expected = _truth(dbt_dataset, "ad_spend_allocation.csv")
    actual = dbt_build.query_dicts(
        "select order_line_id, platform, campaign_id, spend_date, amount_source, source_currency, amount "
        "from intermediate.int_ad_spend_allocated where attribution_model = 'last_click'"
    )
    key = ("order_line_id", "platform", "campaign_id", "spend_date")
    assert expected and _differences(expected, actual, key) == []


def test_last_click_equals_truth(dbt_build, dbt_dataset):
    expected = _truth(dbt_dataset, "attribution_last_click.csv")
    for row in expected:
        row.pop("touch_occurred_at")  # timestamp text formats differ by adapter; touch_date pins the day
    actual = dbt_build.query_dicts(
        "select order_id, touch_date, platform, campaign_id, landing_url from intermediate.int_attribution_last_click"
    )
    assert expected and _differences(expected, actual, ("order_id",)) == []


def test_channel_pnl_equals_truth_summary(dbt_build, dbt_dataset):
    """The report's own query (what `make demo` prints) gives the truth's channel figures."""
    rows = dbt_build.query_dicts(channel_pnl_query())
    assert rows and truth_differences(rows, Path(dbt_dataset.truth.folder) / "summary.json") == []


def test_report_prints_the_channel_pnl_and_the_truth_match(duckdb_build, dbt_dataset, capsys):
    rows = duckdb_build.query_dicts(channel_pnl_query())
    assert print_channel_pnl(rows, Path(dbt_dataset.truth.folder) / "summary.json")
    out = capsys.readouterr().out
    assert "Matches the ground truth" in out and "Unassigned" in out and "Total" in out


def test_report_command_reads_the_warehouse_and_checks_the_truth(duckdb_build, dbt_dataset):
    summary = Path(dbt_dataset.truth.folder) / "summary.json"
    env = clean_env(COMMERCE_WAREHOUSE=str(duckdb_build.target_path.parent / "warehouse.duckdb"))
    proc = subprocess.run(
        [str(CLI), "report", "--target", "local", "--truth", str(summary)], env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Matches the ground truth" in proc.stdout
    assert "KPI marts match the ground truth" in proc.stdout and "Marketing KPIs per month" in proc.stdout


KPI_RATIOS = ("roas", "mer", "acos", "tacos", "repeat_rate_30d", "repeat_rate_60d", "repeat_rate_90d")


def _ratios_as_text(rows: list[dict]) -> list[dict]:
    """KPI ratios at the truth's precision (4 decimals; as_text writes decimals as cents)."""
    return [{c: (f"{v:.4f}" if c in KPI_RATIOS and v is not None else v) for c, v in r.items()} for r in rows]


def test_marketing_kpis_equal_truth(dbt_build, dbt_dataset):
    """ROAS, MER, ACoS, TACoS, CAC, AOV, new/returning customers and repeat rates (rules 58-64), every row."""
    expected = _truth(dbt_dataset, "marketing_kpis_monthly.csv")
    actual = _ratios_as_text(dbt_build.query_dicts("select * from marts.fct_marketing_kpis_monthly"))
    assert set(expected[0]) == set(actual[0])
    assert any(r["tacos"] for r in expected) and any(r["cac"] for r in expected)
    assert _differences(expected, actual, ("kpi_month", "channel", "platform")) == []


def test_cohort_ltv_equals_truth(dbt_build, dbt_dataset):
    """Cumulative CM2 per cohort customer, the cohort month's CAC and the payback month (rules 62-64)."""
    expected = _truth(dbt_dataset, "cohort_ltv.csv")
    actual = dbt_build.query_dicts("select * from marts.fct_cohort_ltv")
    assert set(expected[0]) == set(actual[0])
    assert _differences(expected, actual, ("cohort_month", "months_since_first_order")) == []


# Restock columns compared exactly (as text) and those compared as numbers within half their last decimal
# (statistics computed in floating point by two engines).
RESTOCK_EXACT = (
    "as_of_date",
    "on_hand",
    "inbound",
    "stock_out_days",
    "lead_time_days",
    "case_pack",
    "days_of_cover",
    "suggested_quantity",
    "urgent",
)
RESTOCK_CLOSE = {"velocity": 0.00005, "safety_stock": 0.005, "reorder_point": 0.005}


def test_restock_recommendations_equal_truth(dbt_build, dbt_dataset):
    expected = {(r["sku"], r["location"]): r for r in _truth(dbt_dataset, "restock_recommendations.csv")}
    actual = {
        (r["sku"], r["location"]): r for r in dbt_build.query_dicts("select * from marts.fct_restock_recommendations")
    }
    assert expected and set(actual) == set(expected)
    problems = []
    for key, want in sorted(expected.items()):
        got = actual[key]
        for column in RESTOCK_EXACT:
            value = got[column]
            text = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
            if column == "as_of_date":
                text = value.isoformat()
            if text != want[column]:
                problems.append(f"{key} {column}: mart {text!r}, truth {want[column]!r}")
        for column, tolerance in RESTOCK_CLOSE.items():
            if abs(float(got[column]) - float(want[column])) > tolerance:
                problems.append(f"{key} {column}: mart {got[column]}, truth {want[column]}")
    assert problems[:10] == []


def test_restock_flags_the_planted_stock_outs_before_they_happen(dbt_build, dbt_dataset):
    """The best seller that ran out at FBA (its stock-out days out of its velocity) and the SKU about to run out
    at the own warehouse are urgent while they still have stock, with a suggestion of whole case packs."""
    planted = json.loads((Path(dbt_dataset.truth.folder) / "restock_planted.json").read_text())
    rows = dbt_build.query_dicts(
        "select sku, location, on_hand, stock_out_days, urgent, suggested_quantity, case_pack, days_of_cover,"
        " lead_time_days from marts.fct_restock_recommendations"
    )
    by_key = {(r["sku"], r["location"]): r for r in rows}
    ran_out = by_key[(planted["stock_out"]["sku"], planted["stock_out"]["location"])]
    about = by_key[(planted["about_to_run_out"]["sku"], planted["about_to_run_out"]["location"])]
    planted_days = (
        dt.date.fromisoformat(planted["stock_out"]["last_day"])
        - dt.date.fromisoformat(planted["stock_out"]["first_day"])
    ).days + 1
    assert ran_out["stock_out_days"] >= planted_days
    for row in (ran_out, about):
        assert row["urgent"] is True and row["on_hand"] > 0
        assert row["days_of_cover"] < row["lead_time_days"]
        assert row["suggested_quantity"] > 0 and row["suggested_quantity"] % row["case_pack"] == 0


def test_benchmark_reconcile_says_whether_the_marts_match_and_names_a_differing_figure(
    duckdb_build, dbt_dataset, tmp_path
):
    """`make bench` checks its marts against the truth (benchmarks/pipeline.py `reconcile`): a match on the
    test set's build, and the figure named when the truth is moved by one cent."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import pipeline

    env = clean_env(COMMERCE_WAREHOUSE=str(duckdb_build.target_path.parent / "warehouse.duckdb"))
    truth = Path(dbt_dataset.truth.folder)
    matched = pipeline.reconcile(env, truth.parent)
    assert matched.startswith("marts after the daily increment match the truth to the cent")
    assert "KPI marts match the ground truth" in matched

    moved = tmp_path / "set"
    shutil.copytree(truth, moved / "truth")
    summary = json.loads((truth / "summary.json").read_text())
    channel = summary["channels"][0]
    channel["gross_sales"] += 1
    (moved / "truth" / "summary.json").write_text(json.dumps(summary))
    differs = pipeline.reconcile(env, moved)
    assert differs.startswith("marts after the daily increment DIFFER from the truth")
    assert f"  {channel['channel']} net_sales: warehouse" in differs, differs  # the report's subtotal
