"""Truth for Amazon refunds of orders the exports never showed (docs/metrics.md rule 27)."""

from __future__ import annotations

import polars as pl


def placeholder_lines(rows: pl.DataFrame, sold_line_ids: pl.Series, refund_types: list[str]) -> pl.DataFrame:
    """One placeholder line per refunded `<order-id>-<sku>` that no sold All Orders line has.

    `rows` are the settlement rows naming a line, with `event_date` (the posted day in the brand's time
    zone). The placeholder keeps what the settlement knows: the channel from the fulfillment id, the sku,
    the marketplace currency, dated by its first refund; it has no units and no sales, so only its refund
    and fee rows give it amounts.
    """
    refunded = rows.filter(
        pl.col("transaction_type").is_in(refund_types) & ~pl.col("order_line_id").is_in(sold_line_ids.implode())
    )
    return (
        refunded.group_by("order_line_id")
        .agg(
            order_id=pl.col("amazon_order_id").first(),
            sku=pl.col("sku").first(),
            source_currency=pl.col("currency").first(),
            fulfillment_channel=pl.col("fulfillment_channel").first(),
            order_date=pl.col("event_date").min(),
        )
        .select(
            channel=pl.when(pl.col("fulfillment_channel") == "Merchant")
            .then(pl.lit("Amazon FBM"))
            .otherwise(pl.lit("Amazon FBA")),
            order_id="order_id",
            order_key="order_id",
            order_line_id="order_line_id",
            sku="sku",
            order_date="order_date",
            source_currency="source_currency",
            order_source=pl.lit("amazon_settlement_refund"),
            customer_email=pl.lit(None, pl.String),
            units=pl.lit(0, pl.Int64),
            restocked_units=pl.lit(0, pl.Int64),
            gross_cents=pl.lit(0, pl.Int64),
            discounts_cents=pl.lit(0, pl.Int64),
            shipping_revenue_cents=pl.lit(0, pl.Int64),
            taxes_cents=pl.lit(0, pl.Int64),
            payment_fees_cents=pl.lit(0, pl.Int64),
            fee_date="order_date",
            is_payment_fee_estimated=pl.lit(False),
            is_refund_estimated=pl.lit(False),
            is_marketplace_fee_estimated=pl.lit(False),
            is_cancelled=pl.lit(False),
            is_settled=pl.lit(True),
            service_level=pl.lit(None, pl.String),
            destination_country=pl.lit(None, pl.String),
        )
        .sort("order_line_id")
    )
