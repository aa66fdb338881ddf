"""The P&L measures live in one place, the `pnl_measures` seed, and everything follows it.

- The seed says what the contract (docs/metrics.md's table of measures) and the dbt docs of the subtotal
  columns say: net sales, each contribution margin and net profit are the amounts they name, with the same
  signs. Moving a cost is one seed line plus those texts, and a missed text fails here.
- Moving `shipping_cost` from CM2 to CM3 is one seed line: a copy of the project with only that line
  changed builds on DuckDB, and CM2 and CM3 move exactly as the definition says in the fact, the P&L
  marts and the channel report, each equal to the ground truth recomputed with the same tiering.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from dbt_helpers import DBT, PROJECT_DIR, REPO, as_text, clean_env

from warehouse import pnl_measures
from warehouse.dbt_args import DbtInvocation, dbt_args
from warehouse.report import channel_pnl_query, truth_differences
from warehouse.runner import prepare_target

CONTRACT = REPO / "docs" / "metrics.md"
DBT_DOCS = PROJECT_DIR / "models" / "marts" / "finance" / "_finance__docs.md"
SUBTOTAL_ALIASES = {"CM1": "contribution_margin_1", "CM2": "contribution_margin_2", "CM3": "contribution_margin_3"}


def _expand(formulas: dict[str, str], subtotals: list[str]) -> dict[str, set[tuple[str, int]]]:
    """Each subtotal's formula ("CM1 - payment_fees - ...", up to a '(', ':' or '.') as (amount, sign) pairs."""
    expanded: dict[str, set[tuple[str, int]]] = {}
    for subtotal in subtotals:
        formula = re.split(r"[(:.]", formulas[subtotal])[0]
        terms: set[tuple[str, int]] = set()
        for sign, name in re.findall(r"(^|[+-])\s*(\w+)", formula.strip()):
            name = SUBTOTAL_ALIASES.get(name, name)
            factor = -1 if sign == "-" else 1
            terms |= {(a, s * factor) for a, s in expanded[name]} if name in expanded else {(name, factor)}
        expanded[subtotal] = terms
    return expanded


def test_the_seed_says_what_the_contract_and_the_dbt_docs_say():
    """The contract's table of measures and the margin columns' docs state the seed's tiering."""
    measures = pnl_measures.load()
    subtotals = measures.names(kind="subtotal")
    seed = {s: set(measures[s].terms) for s in subtotals}
    table = dict(re.findall(r"^\| `(\w+)` \| (.+?) \|$", CONTRACT.read_text(), flags=re.MULTILINE))
    line_subtotals = measures.names(kind="subtotal", grain="order_line")
    assert _expand(table, line_subtotals) == {s: seed[s] for s in line_subtotals}, f"{CONTRACT} differs from the seed"
    docs = dict(re.findall(r"\{% docs pnl_(\w+) %\}\s*(.+?)\s*\{% enddocs %\}", DBT_DOCS.read_text(), flags=re.DOTALL))
    assert _expand(docs, subtotals) == seed, f"{DBT_DOCS} differs from the seed"
    assert measures["taxes"].margin_tier == pnl_measures.PASS_THROUGH, "taxes are a pass-through, in no margin"


def test_a_malformed_seed_is_refused(tmp_path):
    seed = tmp_path / "pnl_measures.csv"
    seed.write_text(pnl_measures.SEED.read_text().replace(",contribution_margin_3,-1,", ",contribution_margin_9,-1,"))
    with pytest.raises(ValueError, match="contribution_margin_9"):
        pnl_measures.load(seed)


# --------------------------------------------------------------------------- the alternative tiering


def _alternative_project(root: Path) -> Path:
    """A copy of dbt_project/ and seeds/ whose only change is shipping_cost's tier (CM2 -> CM3)."""
    shutil.copytree(PROJECT_DIR, root / "dbt_project", ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    shutil.copytree(REPO / "seeds", root / "seeds")
    seed = root / "seeds" / "pnl_measures.csv"
    before = seed.read_text()
    after = before.replace("shipping_cost,amount,contribution_margin_2,", "shipping_cost,amount,contribution_margin_3,")
    seed.write_text(after)
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b]
    assert len(changed) == 1, changed
    return seed


@pytest.fixture(scope="module")
def alternative_build(dbt_lake, tmp_path_factory):
    """The P&L marts (and their upstream) built on DuckDB from the alternative project; returns a query function."""
    import duckdb

    from commerce_analytics.settings import load_settings
    from ingestion.lake import Lake
    from warehouse.customer_salt import lake_salt

    root = tmp_path_factory.mktemp("dbt-alt-tiering")
    seed = _alternative_project(root)
    warehouse = root / "warehouse.duckdb"
    env = clean_env(
        COMMERCE_LAKE=str(dbt_lake),
        COMMERCE_WAREHOUSE=str(warehouse),
        DBT_TARGET="local",
        # dbt runs directly here, not through the runner: give it the lake's salt, as the session build has.
        COMMERCE_CUSTOMER_HASH_SALT=lake_salt(Lake(str(dbt_lake))),
    )
    settings = load_settings(env)
    invocation = DbtInvocation(
        target="local",
        select=("+fct_pnl_channel_monthly", "+fct_pnl_product_monthly", "+fct_daily_pnl"),
        project_dir=str(root / "dbt_project"),
        target_path=str(root / "target"),
        log_path=str(root / "logs"),
        extra=("--indirect-selection", "buildable"),  # the marts' tests, but not those needing unselected dims
    )
    prepare_target("duckdb", settings, log=lambda _: None)  # the lake pinned into the warehouse, as a build does
    proc = subprocess.run(
        [str(DBT), *dbt_args(invocation, settings)], cwd=REPO, env=env, capture_output=True, text=True, timeout=1200
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]

    def query(sql: str) -> list[dict]:
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            cursor = con.execute(sql)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        finally:
            con.close()

    return pnl_measures.load(seed), query


MARTS = {
    "fct_financial_performance": ("order_line_id",),
    "fct_pnl_channel_monthly": ("pnl_month", "channel"),
    "fct_pnl_product_monthly": ("pnl_month", "sku"),
    "fct_daily_pnl": ("pnl_view", "pnl_date", "channel"),
}


@pytest.mark.parametrize("mart", MARTS)
def test_moving_shipping_cost_to_cm3_moves_cm2_only(alternative_build, duckdb_build, mart):
    """CM2_alt = CM2 + shipping_cost on every row; CM3, net profit and every other column unchanged."""
    _, query = alternative_build
    key = MARTS[mart]
    sql = f"select * exclude (_processed_at) from marts.{mart}" if mart == "fct_financial_performance" else None
    default = {tuple(r[k] for k in key): r for r in duckdb_build.query_dicts(sql or f"select * from marts.{mart}")}
    moved = {tuple(r[k] for k in key): r for r in query(sql or f"select * from marts.{mart}")}
    assert default and default.keys() == moved.keys()
    differences = []
    for k, before in default.items():
        expected = {**before, "contribution_margin_2": before["contribution_margin_2"] + before["shipping_cost"]}
        differences += [f"{k} {c}: {moved[k][c]} != {v}" for c, v in expected.items() if moved[k][c] != v]
    assert differences[:10] == []
    assert any(r["shipping_cost"] != 0 for r in default.values()), "the data set has shipping cost to move"


def test_alternative_fact_equals_truth_recomputed_with_its_tiering(alternative_build, dbt_dataset):
    measures, query = alternative_build
    with open(Path(dbt_dataset.truth.folder) / "order_lines.csv", newline="", encoding="utf-8") as handle:
        truth = {r["order_line_id"]: r for r in csv.DictReader(handle)}
    subtotals = measures.names(kind="subtotal", grain="order_line")
    fact = query(f"select order_line_id, {', '.join(subtotals)} from marts.fct_financial_performance")
    assert len(fact) == len(truth)
    differences = []
    for row in fact:
        line = truth[row["order_line_id"]]
        amounts = {m: Decimal(line[m]) for m in measures.names(kind="amount", grain="order_line")}
        for subtotal in subtotals:
            want = as_text(measures.subtotal(subtotal, amounts))
            if as_text(row[subtotal]) != want:
                differences.append(f"{row['order_line_id']} {subtotal}: mart {row[subtotal]}, truth {want}")
    assert differences[:10] == []


def test_alternative_report_equals_truth_with_its_tiering(alternative_build, dbt_dataset):
    measures, query = alternative_build
    summary = Path(dbt_dataset.truth.folder) / "summary.json"
    rows = query(channel_pnl_query())
    assert rows and truth_differences(rows, summary, measures) == []
    assert truth_differences(rows, summary) != [], "the default tiering's truth differs from the moved one"
