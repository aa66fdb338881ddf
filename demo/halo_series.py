"""The halo regression's daily series straight from the generator's functions, without writing any export.

The same quantities warehouse/halo.py reads from the marts (Amazon.com gross sales by order date, less Amazon
Ads' own attributed sales; Google and Meta spend), for recovery tests that fit many seeds in seconds. Orders are
drawn for the whole window from one stream (the full generator draws per chunk of days), so a seed's series is
like, not equal to, the data set of that seed.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from demo import DEFAULT_ORDERS_PER_DAY, DEFAULT_START, amazon, world

HALO_OFF = {"google_ads": 0.0, "meta_ads": 0.0}


def halo_series(
    seed: int,
    n_days: int,
    orders_per_day: float = DEFAULT_ORDERS_PER_DAY,
    start: dt.date = DEFAULT_START,
    coefficients: dict[str, float] | None = None,
) -> pl.DataFrame:
    """One row per day: `date`, `gross_sales`, `amazon_ads_credited_sales`, `amazon_sales` (their difference),
    `google_ads_spend`, `meta_ads_spend` (USD). `coefficients` as amazon.halo_daily (HALO_OFF: no halo)."""
    ctx = world.build_context(start, n_days, orders_per_day, seed)
    halo = amazon.halo_daily(ctx.days, ctx.campaign_daily, coefficients)
    rng = np.random.default_rng([seed, 0])
    lines = amazon.simulate_orders(
        rng, ctx.days, ctx.products, orders_per_day, halo, ctx.end_utc, amazon.AmazonCursor()
    )
    sales = (
        # Cancelled orders have no line in the warehouse (docs/metrics.md rule 1), so none here either.
        lines.filter((pl.col("marketplace") == "Amazon.com") & ~pl.col("is_cancelled"))
        .group_by("day_index")
        .agg(gross_sales=(pl.col("unit_price_cents") * pl.col("quantity")).sum() / 100)
    )
    # Amazon Ads' own attribution (Sponsored Products sales7d, Brands and Display sales), all Amazon.com USD.
    credited = ctx.amazon_ads_daily.group_by("day_index").agg(
        amazon_ads_credited_sales=pl.col("sales_7d_cents").sum() / 100
    )
    return (
        halo.select("day_index", "date", "google_ads_spend", "meta_ads_spend")
        .join(sales, on="day_index", how="left")
        .join(credited, on="day_index", how="left")
        .fill_null(0.0)
        .with_columns(amazon_sales=pl.col("gross_sales") - pl.col("amazon_ads_credited_sales"))
        .sort("day_index")
        .drop("day_index")
    )
