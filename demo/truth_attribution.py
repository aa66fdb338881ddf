"""The rule-based attribution models' credits (docs/metrics.md rules 50-52), independently of the dbt SQL.

Input: every touch of each Shopify order's lookback window (`truth.order_touches`). Output: one row per
(order, model, credited touch), the touch named by its position in the order's journey (by time, an
exported visit before the order's own landing site at the same instant, then landing URL).
The data-driven model is fitted, not ruled: its hand-computed case is a dbt unit test.
"""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

RULE_BASED_MODELS = ("last_click", "first_click", "linear", "time_decay", "position_based")
HALF_LIFE_DAYS = 7


def order_batches(orders: pl.DataFrame, orders_per_batch: int) -> Iterator[pl.DataFrame]:
    """The orders a batch at a time, as ranges of their sorted names: journeys are independent, and the
    batches' sorted outputs one after another are what one sorted frame of every order would give."""
    keyed = orders.with_columns(_batch=(pl.col("name").rank("dense") - 1) // orders_per_batch)
    for number in keyed["_batch"].unique().sort():
        yield keyed.filter(pl.col("_batch") == number).drop("_batch")


def rule_based_credits(touches: pl.DataFrame, orders: pl.DataFrame, timezone: str) -> pl.DataFrame:
    """Credits of every order's touches under the five rule-based models; credits of an order sum to 1."""
    journey = touches.sort("order_seq", "occurred_utc", "is_landing_site", "landing_url").with_columns(
        touch_position=pl.int_range(1, pl.len() + 1).over("order_seq"),
        touches_in_window=pl.len().over("order_seq"),
        is_paid=pl.col("platform").is_not_null(),
        decay=pl.lit(2.0).pow(-(pl.col("created_utc") - pl.col("occurred_utc")) / 86_400 / HALF_LIFE_DAYS),
    )
    journey = journey.with_columns(
        any_paid=pl.col("is_paid").any().over("order_seq"),
        # Paid touches first, in journey order; all direct: every touch in journey order.
        paid_rank=pl.when(pl.col("is_paid")).then(pl.col("touch_position")),
    ).with_columns(
        first_paid=pl.col("paid_rank").min().over("order_seq"),
        last_paid=pl.col("paid_rank").max().over("order_seq"),
    )
    n = pl.col("touches_in_window")
    position = pl.col("touch_position")
    credits = {
        "last_click": pl.when(position == pl.when(pl.col("any_paid")).then(pl.col("last_paid")).otherwise(n))
        .then(1.0)
        .otherwise(0.0),
        "first_click": pl.when(position == pl.when(pl.col("any_paid")).then(pl.col("first_paid")).otherwise(1))
        .then(1.0)
        .otherwise(0.0),
        "linear": 1.0 / n,
        "time_decay": pl.col("decay") / pl.col("decay").sum().over("order_seq"),
        "position_based": pl.when(n == 1)
        .then(1.0)
        .when(n == 2)
        .then(0.5)
        .when((position == 1) | (position == n))
        .then(0.4)
        .otherwise(0.2 / (n - 2)),
    }
    rows = pl.concat(
        journey.with_columns(attribution_model=pl.lit(model), credit=expr) for model, expr in credits.items()
    ).filter(pl.col("credit") > 0)
    return (
        rows.join(orders.select("order_seq", "name"), on="order_seq")
        .select(
            order_id="name",
            attribution_model="attribution_model",
            touch_position="touch_position",
            touches_in_window="touches_in_window",
            touch_date=pl.from_epoch("occurred_utc")
            .dt.replace_time_zone("UTC")
            .dt.convert_time_zone(timezone)
            .dt.date(),
            platform="platform",
            campaign_id="campaign_id",
            landing_url="landing_url",
            credit=pl.col("credit").round(9),
        )
        .sort("order_id", "attribution_model", "touch_position")
    )
