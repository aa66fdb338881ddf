"""Every attribution model on the demo warehouse, DuckDB and PostgreSQL (docs/metrics.md rules 50-54).

The five rule-based models equal the generator's truth (demo/truth_attribution.py, polars, no SQL);
every model's credits sum to 1 per order; every model's spend is allocated or unallocated to the cent;
the default model's numbers are the ones the P&L carries.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from dbt_helpers import as_text

pytestmark = [pytest.mark.dbt, pytest.mark.postgres]

MODELS = ("last_click", "first_click", "linear", "time_decay", "position_based", "data_driven")
RULE_BASED = MODELS[:-1]


def test_rule_based_credits_equal_truth(dbt_build, dbt_dataset):
    with open(Path(dbt_dataset.truth.folder) / "attribution_credits.csv", newline="", encoding="utf-8") as handle:
        expected = list(csv.DictReader(handle))
    assert {r["attribution_model"] for r in expected} == set(RULE_BASED)
    models = ", ".join(f"'{m}'" for m in RULE_BASED)
    actual = dbt_build.query_dicts(
        "select order_id, attribution_model, touch_position, touches_in_window, touch_date, platform, campaign_id,"
        f" landing_url, credit from marts.fct_attribution_credits where attribution_model in ({models})"
    )
    key = ("order_id", "attribution_model", "touch_position")
    want = {tuple(r[k] for k in key): r for r in expected}
    got = {tuple(as_text(r[k]) for k in key): r for r in actual}
    assert len(want) == len(expected) and len(got) == len(actual)
    problems = [f"missing in the mart: {k}" for k in sorted(set(want) - set(got))]
    problems += [f"not in the truth: {k}" for k in sorted(set(got) - set(want))]
    for k in sorted(set(want) & set(got)):
        for column in ("touches_in_window", "touch_date", "platform", "campaign_id", "landing_url"):
            if as_text(got[k][column]) != want[k][column]:
                problems.append(f"{k} {column}: mart {as_text(got[k][column])!r}, truth {want[k][column]!r}")
        if abs(Decimal(str(got[k]["credit"])) - Decimal(want[k]["credit"])) > Decimal("1e-9"):
            problems.append(f"{k} credit: mart {got[k]['credit']}, truth {want[k]['credit']}")
    assert problems[:10] == []


def test_every_model_credits_each_order_once_in_total(dbt_build):
    """Per model, an order with touches has credits summing to 1; an order without touches has none."""
    rows = dbt_build.query(
        "select attribution_model, count(*) as orders, sum(case when abs(total - 1) > 1e-9 then 1 else 0 end)"
        " from (select attribution_model, order_id, sum(credit) as total from marts.fct_attribution_credits"
        " group by attribution_model, order_id) as per_order group by attribution_model"
    )
    touched = dbt_build.query("select count(distinct order_id) from intermediate.int_attribution_touches")[0][0]
    assert touched > 0
    assert sorted((r[0], int(r[1]), int(r[2])) for r in rows) == sorted((m, touched, 0) for m in MODELS)


def test_every_model_allocated_plus_unallocated_equals_reported(dbt_build):
    """metrics.md invariant, per model, platform and day, in the spend's currency (the dbt singular test
    asserts it too; this one also proves every model is there and spends something)."""
    rows = dbt_build.query(
        """
        with reported as (
            select platform, spend_date, source_currency, sum(spend_source_cents) as cents
            from intermediate.int_ad_spend_daily group by platform, spend_date, source_currency
        ),
        placed as (
            select attribution_model, platform, spend_date, source_currency, sum(amount_source_cents) as cents
            from intermediate.int_ad_spend_allocated
            group by attribution_model, platform, spend_date, source_currency
        ),
        left_over as (
            select attribution_model, platform, cost_date as spend_date, source_currency,
                sum(amount_source) * 100 as cents
            from intermediate.int_ad_spend_unallocated
            group by attribution_model, platform, cost_date, source_currency
        ),
        models as (select distinct attribution_model from placed)
        select models.attribution_model, count(*) as days,
            sum(case when coalesce(placed.cents, 0) + coalesce(left_over.cents, 0) != reported.cents
                then 1 else 0 end) as broken,
            sum(coalesce(placed.cents, 0)) as placed_cents
        from reported
        cross join models
        left join placed on placed.attribution_model = models.attribution_model
            and placed.platform = reported.platform and placed.spend_date = reported.spend_date
            and placed.source_currency = reported.source_currency
        left join left_over on left_over.attribution_model = models.attribution_model
            and left_over.platform = reported.platform and left_over.spend_date = reported.spend_date
            and left_over.source_currency = reported.source_currency
        group by models.attribution_model
        """
    )
    assert {r[0] for r in rows} == set(MODELS)
    assert all(int(r[2]) == 0 and int(r[3]) > 0 for r in rows), rows


def test_campaign_daily_default_model_is_what_the_pnl_carries(dbt_build):
    """The default model's allocated spend is the fact's ad_spend and its unallocated spend the daily cost
    fact's; every model's allocated + unallocated is the same reported spend per platform."""
    by_model = {
        (r[0], r[1]): (Decimal(r[2]), Decimal(r[3]), Decimal(r[4]))
        for r in dbt_build.query(
            "select attribution_model, platform, sum(spend), sum(allocated_spend), sum(unallocated_spend)"
            " from marts.fct_campaign_daily group by attribution_model, platform"
        )
    }
    platforms = {p for _, p in by_model}
    for platform in platforms:
        spends = {by_model[(m, platform)][0] for m in MODELS}
        assert len(spends) == 1, (platform, spends)
        for m in MODELS:
            spend, allocated, unallocated = by_model[(m, platform)]
            assert allocated + unallocated == spend, (m, platform)
    fact_ad_spend = Decimal(dbt_build.query("select sum(ad_spend) from marts.fct_financial_performance")[0][0])
    assert sum(by_model[("last_click", p)][1] for p in platforms) == fact_ad_spend
    daily_unallocated = Decimal(
        dbt_build.query("select sum(amount) from marts.fct_daily_costs where cost_type = 'unallocated_ad_spend'")[0][0]
    )
    assert sum(by_model[("last_click", p)][2] for p in platforms) == daily_unallocated


def test_attribution_nodes_build_and_pass(dbt_build):
    """Models, unit tests and data tests of attribution (Markov walk absorbed, spend invariant per model)."""
    results = dbt_build.results
    ours = {n: s for n, s in results.items() if "attribution" in n or "ad_spend" in n or "markov" in n}
    assert "test.commerce_analytics.assert_markov_walk_absorbed" in ours
    assert "test.commerce_analytics.assert_ad_spend_allocated_plus_unallocated_equals_reported" in ours
    assert {n: s for n, s in ours.items() if s not in ("success", "pass")} == {}
