"""The truth's rule-based attribution credits (demo/truth_attribution.py, docs/metrics.md rules 50-52).

The warehouse is compared with this file in tests/dbt/test_attribution_models.py; here the file itself is
checked against the contract's arithmetic and against the truth's own last-click file, and the rules are
checked on a hand-made journey.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import Decimal

import polars as pl
import pytest

from demo.truth_attribution import RULE_BASED_MODELS, rule_based_credits


def _rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_credits_of_each_order_sum_to_one_per_model(demo):
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in _rows(demo.out / "truth" / "attribution_credits.csv"):
        totals[(row["order_id"], row["attribution_model"])] += Decimal(row["credit"])
    orders = {order for order, _ in totals}
    assert orders and len(totals) == len(orders) * len(RULE_BASED_MODELS)
    assert all(abs(total - 1) <= Decimal("1e-8") for total in totals.values())


def test_last_click_credits_are_the_last_click_file(demo):
    credited = {
        r["order_id"]: (r["touch_date"], r["platform"], r["campaign_id"], r["landing_url"])
        for r in _rows(demo.out / "truth" / "attribution_credits.csv")
        if r["attribution_model"] == "last_click"
    }
    last_click = {
        r["order_id"]: (r["touch_date"], r["platform"], r["campaign_id"], r["landing_url"])
        for r in _rows(demo.out / "truth" / "attribution_last_click.csv")
    }
    assert credited == last_click


def test_rules_on_a_hand_made_journey():
    """Touches 14 and 7 days before the order (Google, Meta), then a direct visit at the order."""
    day = 86_400
    created = 100 * day
    touches = pl.DataFrame(
        {
            "order_seq": [1, 1, 1],
            "created_utc": [created] * 3,
            "occurred_utc": [created - 14 * day, created - 7 * day, created],
            "landing_url": ["/g", "/m", "/d"],
            "is_landing_site": [False, False, True],
            "platform": ["google_ads", "meta_ads", None],
            "campaign_id": ["c1", "m1", None],
        }
    )
    orders = pl.DataFrame({"order_seq": [1], "name": ["#1"]})
    credits = rule_based_credits(touches, orders, "UTC")
    got = {(r["attribution_model"], r["touch_position"]): r["credit"] for r in credits.iter_rows(named=True)}
    weights = [0.25, 0.5, 1.0]  # 2^(-14/7), 2^(-7/7), 2^0
    assert got == {
        ("last_click", 2): 1.0,  # the last touch with a platform, not the later direct visit
        ("first_click", 1): 1.0,
        **{("linear", p): pytest.approx(1 / 3) for p in (1, 2, 3)},
        **{("time_decay", p): pytest.approx(w / 1.75) for p, w in zip((1, 2, 3), weights, strict=True)},
        ("position_based", 1): 0.4,
        ("position_based", 2): 0.2,
        ("position_based", 3): 0.4,
    }
