"""Refunds of Amazon orders the exports never showed (docs/metrics.md rule 27).

A settlement in the first weeks of the data carries a few Refund rows of orders placed before the All
Orders report starts (the buyer returned in September what they bought in August). The pipeline has no line
for them: it keeps each refund on a placeholder line (channel from `fulfillment-id`, sku from the row, no
sales). FBA orders only: Amazon ships and takes back those units.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from demo.money import div_round

ORPHAN_REFUNDS = 4  # in the first chunk of days
ORPHAN_WINDOW_SECONDS = 20 * 86_400  # posted within the first 20 days
ORPHAN_TAX_RATE_E6 = 70_000  # 7 % marketplace-facilitator tax, collected and remitted by Amazon
ORPHAN_COMMISSION_PERCENT = 15


def orphan_refunds(
    rng: np.random.Generator, chunk_days: pl.DataFrame, products: pl.DataFrame, end_utc: int
) -> pl.DataFrame:
    """Settlement component rows (the schema of amazon.settlement_events) of refunds of unseen orders."""
    n = ORPHAN_REFUNDS
    start = int(chunk_days["utc_start"].min())
    posted = start + 3_600 + np.sort(rng.integers(0, ORPHAN_WINDOW_SECONDS, n))
    pick = rng.choice(products.height, n, replace=False)
    part_a = rng.integers(1_000_000, 9_999_999, n)
    part_b = rng.integers(1_000_000, 9_999_999, n)
    orders = pl.DataFrame(
        {
            "amazon_order_id": [f"112-{a}-{b}" for a, b in zip(part_a, part_b, strict=True)],
            "sku": products["sku"].to_numpy()[pick],
            "price_cents": products["price_cents"].to_numpy()[pick],
            "posted_utc": posted,
            "k": np.arange(n),
        }
    ).filter(pl.col("posted_utc") < end_utc)
    orders = orders.with_columns(
        tax_cents=div_round(pl.col("price_cents") * ORPHAN_TAX_RATE_E6, 1_000_000),
        commission_cents=div_round(pl.col("price_cents") * ORPHAN_COMMISSION_PERCENT, 100),
        order_item_code=(pl.col("k") * 11 + 49_000_000_000_000).cast(pl.String),
        adjustment_id=(pl.col("k") * 13 + 70_000_000_000).cast(pl.String),
    )
    components = [
        ("ItemPrice", "Principal", -pl.col("price_cents")),
        ("ItemPrice", "Tax", -pl.col("tax_cents")),
        ("ItemWithheldTax", "MarketplaceFacilitatorTax-Principal", pl.col("tax_cents")),
        ("ItemFees", "Commission", pl.col("commission_cents")),
        ("ItemFees", "RefundCommission", -pl.min_horizontal(div_round(pl.col("commission_cents") * 20, 100), 500)),
    ]
    return pl.concat(
        [
            orders.select(
                marketplace=pl.lit("Amazon.com"),
                currency=pl.lit("USD"),
                amazon_order_id="amazon_order_id",
                order_item_code="order_item_code",
                sku="sku",
                fulfillment_channel=pl.lit("Amazon"),
                posted_utc="posted_utc",
                transaction_type=pl.lit("Refund"),
                amount_type=pl.lit(a_type),
                amount_description=pl.lit(desc),
                amount_cents=expr,
                adjustment_id="adjustment_id",
                quantity_purchased=pl.lit(None, pl.Int64),
                promotion_id=pl.lit(None, pl.String),
                order_line_id=pl.col("amazon_order_id") + pl.lit("-") + pl.col("sku"),
            )
            for a_type, desc, expr in components
        ],
        how="vertical_relaxed",
    )
