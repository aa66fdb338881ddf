"""Ground truth for Shopify refunds as the money refunded (metrics.md contract v2, docs/metrics.md rule 32).

Independent of the dbt SQL: what the API file shows (refund lines, order adjustments) turned into refunds.
"""

from __future__ import annotations

import polars as pl

from demo.money import allocate
from demo.shopify import ShopifyWorld


def _local_date(col: str, tz: str) -> pl.Expr:
    return pl.from_epoch(col).dt.replace_time_zone("UTC").dt.convert_time_zone(tz).dt.date()


def api_refund_items(shop: ShopifyWorld, api_lines: pl.DataFrame, tz: str) -> pl.DataFrame:
    """`refunds` rows of API orders: each refund's item money spread over its lines.

    Item money = the refund lines' subtotals minus the refund's non-shipping order adjustments (calculated -
    actual: a kept restocking fee is +, a goodwill refund without items is -). A refund with lines spreads
    it by their subtotals; one without lines over all the order's lines by net share (gross - discounts -
    item refunds of earlier refunds with lines), never below zero. Rounding by metrics.md principle 4.
    `api_lines` holds the API orders' lines with `order_seq`, `order_line_id`, `line_item_id` and
    `net_before_refund` (cents). Returns `order_line_id`, `event_date`, `amount_cents`, `measure`.
    """
    refunds = shop.refunds.join(api_lines.select("order_seq").unique(), on="order_seq").select(
        "refund_id", "order_seq", "refund_utc", "discrepancy_cents"
    )
    # A tax-inclusive order's refund line subtotal contains its tax (rule 38).
    lines = (
        shop.refund_lines.join(api_lines.select("line_item_id", "order_line_id"), on="line_item_id")
        .join(shop.orders.select("order_seq", "taxes_included"), on="order_seq")
        .select(
            "refund_id",
            "order_line_id",
            subtotal_cents=pl.col("subtotal_cents")
            - pl.when(pl.col("taxes_included")).then(pl.col("total_tax_cents")).otherwise(0),
        )
    )
    with_lines = (
        lines.join(refunds, on="refund_id")
        .with_columns(items_cents=pl.col("subtotal_cents").sum().over("refund_id") - pl.col("discrepancy_cents"))
        .pipe(
            allocate,
            group="refund_id",
            amount="items_cents",
            weight="subtotal_cents",
            tiebreak="order_line_id",
            out="line_cents",
        )
    )
    no_lines = refunds.join(lines.select("refund_id").unique(), on="refund_id", how="anti").with_columns(
        items_cents=-pl.col("discrepancy_cents")
    )
    earlier = (
        no_lines.select("refund_id", "order_seq", "refund_utc")
        .join(
            with_lines.select(
                "order_seq", "order_line_id", "line_cents", earlier_utc="refund_utc", earlier_id="refund_id"
            ),
            on="order_seq",
        )
        .filter(
            (pl.col("earlier_utc") < pl.col("refund_utc"))
            | ((pl.col("earlier_utc") == pl.col("refund_utc")) & (pl.col("earlier_id") < pl.col("refund_id")))
        )
        .group_by("refund_id", "order_line_id")
        .agg(earlier_cents=pl.col("line_cents").sum())
    )
    spread = (
        no_lines.join(api_lines.select("order_seq", "order_line_id", "net_before_refund"), on="order_seq")
        .join(earlier, on=["refund_id", "order_line_id"], how="left")
        .with_columns(
            weight=pl.max_horizontal(pl.col("net_before_refund") - pl.col("earlier_cents").fill_null(0), pl.lit(0))
        )
        .pipe(
            allocate,
            group="refund_id",
            amount="items_cents",
            weight="weight",
            tiebreak="order_line_id",
            out="line_cents",
        )
    )
    return pl.concat(
        [
            frame.select(
                "order_line_id",
                event_date=_local_date("refund_utc", tz),
                amount_cents="line_cents",
                measure=pl.lit("refunds"),
            )
            for frame in (with_lines, spread)
        ]
    )


def chargeback_rows(shop: ShopifyWorld, lines: pl.DataFrame, tz: str) -> pl.DataFrame:
    """Shopify Payments disputes (docs/metrics.md rule 33) as line amounts dated by the dispute row.

    A chargeback (`dispute` row, negative Amount) is a refund of the order without lines: its amount split
    items : shipping : tax in the order's proportions (net of discounts : shipping charged : taxes; the
    remainder on the largest part, ties items, shipping, tax), items over the lines by net share (gross -
    discounts: the same weights at every dispute row, so a won dispute reverses its chargeback exactly),
    shipping by gross share, tax by taxable net
    share. The row's Fee is a payment fee by gross share on the same day. A won dispute (positive Amount,
    negative Fee) reverses both the same way. `lines` holds the Shopify lines (`order_seq`,
    `order_line_id`, `gross_cents`, `net_before_refund`, `taxable_net`, `shipping_revenue_cents`,
    `taxes_cents_final`).
    """
    disputes = (
        shop.transactions.filter(pl.col("type") == "dispute")
        .select(
            "order_seq",
            event_date=_local_date("transaction_utc", tz),
            amount_cents=-pl.col("amount_cents"),
            fee_cents="fee_cents",
        )
        .join(lines.select("order_seq").unique(), on="order_seq")
        .sort("order_seq", "event_date", "amount_cents")
        .with_row_index("dispute_id")
    )
    order_parts = lines.group_by("order_seq").agg(
        items=pl.col("net_before_refund").sum(),
        shipping=pl.col("shipping_revenue_cents").sum(),
        tax=pl.col("taxes_cents_final").sum(),
    )
    parts = allocate(
        pl.concat(
            [
                disputes.join(order_parts, on="order_seq").select(
                    "dispute_id", "order_seq", "event_date", "amount_cents", part=pl.lit(i), weight=pl.col(kind)
                )
                for i, kind in enumerate(("items", "shipping", "tax"))
            ]
        ),
        group="dispute_id",
        amount="amount_cents",
        weight="weight",
        tiebreak="part",
        out="part_cents",
    )
    weighted = lines.select("order_seq", "order_line_id", "gross_cents", "net_before_refund", "taxable_net").join(
        disputes.select("dispute_id", "order_seq"), on="order_seq"
    )
    out = []
    for part, weight, measure, sign in (
        (0, "net_before_refund", "refunds", 1),
        (1, "gross_cents", "shipping_revenue", -1),
        (2, "taxable_net", "taxes", -1),
    ):
        amounts = parts.filter(pl.col("part") == part).select(
            "dispute_id", "event_date", share=sign * pl.col("part_cents")
        )
        out.append(
            allocate(
                weighted.join(amounts, on="dispute_id"),
                group="dispute_id",
                amount="share",
                weight=weight,
                tiebreak="order_line_id",
                out="line_cents",
            ).select("order_line_id", "event_date", amount_cents="line_cents", measure=pl.lit(measure))
        )
    fees = disputes.select("dispute_id", "event_date", "fee_cents")
    out.append(
        allocate(
            weighted.join(fees, on="dispute_id"),
            group="dispute_id",
            amount="fee_cents",
            weight="gross_cents",
            tiebreak="order_line_id",
            out="line_cents",
        ).select("order_line_id", "event_date", amount_cents="line_cents", measure=pl.lit("payment_fees"))
    )
    return pl.concat(out)
