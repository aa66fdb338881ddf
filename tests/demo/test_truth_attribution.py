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

from demo.truth import customer_touches, touchpoint_visits
from demo.truth_attribution import RULE_BASED_MODELS, order_batches, rule_based_credits


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


def test_order_batches_are_ranges_of_sorted_names_covering_every_order_once():
    orders = pl.DataFrame({"name": [f"#{n}" for n in (1005, 1001, 1003, 1002, 1004)], "order_seq": range(5)})
    batches = [b["name"].sort().to_list() for b in order_batches(orders, orders_per_batch=2)]
    assert batches == [["#1001", "#1002"], ["#1003", "#1004"], ["#1005"]]


def test_customer_touches_of_some_customers_are_theirs_from_the_whole_period():
    """The truth's attribution runs a batch of orders at a time with only their customers' orders and visits
    (demo/truth.py `TruthBuilder._attribute`); that is exact because touches are per customer: a landing site
    stands for an exported visit of the same customer only."""
    hour = 3_600
    orders = pl.DataFrame(
        {
            "email_key": ["a", "a", "b"],
            "created_utc": [10 * hour, 50 * hour, 10 * hour],
            "landing_site": ["/p?utm_source=google", None, "/p?utm_source=google"],
        }
    )
    visits = touchpoint_visits(
        pl.DataFrame(
            {
                "occurred_utc": [10 * hour - 600, 10 * hour - 600, 20 * hour, 20 * hour],
                "landing_url": ["/p?utm_source=google", "/p?utm_source=google", "/q", "/q"],
                "customer_email": [" A ", "b", "a", "a"],
            }
        )
    )
    whole = customer_touches(orders, visits)
    # Each customer's exported visit 10 minutes before their landing site is that visit; a's repeat counts once.
    assert sorted(whole.select("email_key", "occurred_utc", "is_landing_site").rows()) == [
        ("a", 10 * hour, True),
        ("a", 20 * hour, False),
        ("b", 10 * hour, True),
    ]
    for key in ("a", "b"):
        of_key = pl.col("email_key") == key
        part = customer_touches(orders.filter(of_key), visits.filter(of_key))
        assert part.sort(part.columns).equals(whole.filter(of_key).sort(whole.columns))
