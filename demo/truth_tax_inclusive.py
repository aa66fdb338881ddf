"""Ground truth for tax-inclusive Shopify prices (metrics.md contract v2 "Taxes", docs/metrics.md rules 36-38).

Independent of the dbt SQL: the tax inside tax-inclusive prices comes out of gross sales, discounts and
shipping alike, so net sales as charged less the tax are unchanged and every measure is net of tax.
"""

from __future__ import annotations

import polars as pl

from demo.money import div_round


def with_order_tax_split(orders: pl.DataFrame) -> pl.DataFrame:
    """Per order: `is_taxes_included`, the tax on shipping and the items' tax, and shipping revenue (cents).

    Prices include tax when the API says so (`taxes_included`) or, in the CSV export, when Total = Subtotal +
    Shipping although the order has Taxes. Tax on shipping: the API's shipping tax lines (rule 34); a
    tax-inclusive CSV order's one Taxes figure split Shipping : Subtotal (rule 37), the shipping part rounded
    half away from zero; none split out of other CSV orders. Shipping revenue excludes its tax when prices
    include it. `orders` carries `via_api`, `taxes_included`, `subtotal_cents`, `shipping_cents`,
    `taxes_cents`, `shipping_tax_cents` and `total_cents`.
    """
    charged = pl.col("subtotal_cents") + pl.col("shipping_cents")
    return (
        orders.with_columns(
            is_taxes_included=pl.when(pl.col("via_api"))
            .then(pl.col("taxes_included"))
            .otherwise((pl.col("taxes_cents") > 0) & (pl.col("total_cents") == charged))
        )
        .with_columns(
            order_shipping_tax_cents=pl.when(pl.col("via_api"))
            .then(pl.col("shipping_tax_cents"))
            .when(pl.col("is_taxes_included") & (charged > 0))
            .then(div_round(pl.col("taxes_cents") * pl.col("shipping_cents"), charged))
            .otherwise(0)
        )
        .with_columns(
            order_item_taxes_cents=pl.col("taxes_cents") - pl.col("order_shipping_tax_cents"),
            order_shipping_revenue_cents=pl.col("shipping_cents")
            - pl.when(pl.col("is_taxes_included")).then(pl.col("order_shipping_tax_cents")).otherwise(0),
        )
    )


def back_out_line_tax(lines: pl.DataFrame, line_tax: pl.Expr) -> pl.DataFrame:
    """Gross sales, discounts and net before refunds of tax-inclusive lines without their tax (rule 36).

    The line's tax (`line_tax`: API tax lines, CSV the items' Taxes by taxable net share) is charged on its
    price after discount, so its discount holds tax x discount / (price - discount) (rounded half away from
    zero; 0 when nothing is left to pay); gross = price - tax - that, discounts = discount - that.
    `lines` carries `is_taxes_included`, `gross_cents` (the price as charged) and `discounts_cents`.
    """
    payable = pl.col("gross_cents") - pl.col("discounts_cents")
    return (
        lines.with_columns(_line_tax=line_tax)
        .with_columns(
            discount_tax_cents=pl.when(pl.col("is_taxes_included") & (payable > 0))
            .then(div_round(pl.col("_line_tax") * pl.col("discounts_cents"), payable))
            .otherwise(0)
        )
        .with_columns(
            gross_cents=pl.col("gross_cents")
            - pl.when(pl.col("is_taxes_included"))
            .then(pl.col("_line_tax") + pl.col("discount_tax_cents"))
            .otherwise(0),
            discounts_cents=pl.col("discounts_cents") - pl.col("discount_tax_cents"),
        )
        .with_columns(net_before_refund=pl.col("gross_cents") - pl.col("discounts_cents"))
        .drop("_line_tax")
    )


def csv_refund_part_weights(orders: pl.DataFrame) -> pl.DataFrame:
    """A CSV order's refund-event split weights (rule 6): Subtotal : Shipping : Taxes, the first two without
    their tax when prices include it (rule 37). Returns `order_seq`, `items_weight`, `shipping_weight`,
    `tax_weight` from the output of `with_order_tax_split`."""
    return orders.select(
        "order_seq",
        items_weight=pl.col("subtotal_cents")
        - pl.when(pl.col("is_taxes_included")).then(pl.col("order_item_taxes_cents")).otherwise(0),
        shipping_weight="order_shipping_revenue_cents",
        tax_weight="taxes_cents",
    )
