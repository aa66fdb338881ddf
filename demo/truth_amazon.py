"""Truth for Amazon refunds of orders the exports never showed (rule 27) and EU VAT (rule 28), docs/metrics.md."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from demo.money import div_round


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


# --------------------------------------------------------------------------- EU VAT (rule 28)

VAT_TAX_CLASS = "standard"  # products.csv carries no tax class: every product is standard-rated


def vat_rates(seeds: Path) -> pl.DataFrame:
    """seeds/amazon_vat_rates.csv as (marketplace, effective_from, vat_rate_e6) of the standard class."""
    return (
        pl.read_csv(seeds / "amazon_vat_rates.csv", try_parse_dates=True)
        .filter(pl.col("tax_class") == VAT_TAX_CLASS)
        .select(
            "marketplace",
            pl.col("effective_from").cast(pl.Date),
            vat_rate_e6=(pl.col("rate") * 1_000_000).round().cast(pl.Int64),
        )
        .sort("effective_from")
    )


def attach_vat_rate(df: pl.DataFrame, rates: pl.DataFrame, *, date: str) -> pl.DataFrame:
    """`vat_rate_e6` of the line's marketplace effective on `date` (latest effective_from on or before); 0 outside
    the VAT seed (US, Canada: tax-exclusive prices)."""
    keyed = df.with_row_index("_vat_row")
    found = (
        keyed.select("_vat_row", "marketplace", date)
        .sort(date)
        .join_asof(
            rates,
            left_on=date,
            right_on="effective_from",
            by="marketplace",
            strategy="backward",
            check_sortedness=False,
        )
        .select("_vat_row", "vat_rate_e6")
    )
    return (
        keyed.join(found, on="_vat_row", how="left")
        .with_columns(pl.col("vat_rate_e6").fill_null(0))
        .sort("_vat_row")
        .drop("_vat_row")
    )


def vat_in(amount: pl.Expr, rate_e6: pl.Expr) -> pl.Expr:
    """The VAT inside a VAT-inclusive amount: amount x rate / (1 + rate), rounded half away from zero."""
    return div_round(amount * rate_e6, 1_000_000 + rate_e6)


def vat_withheld_lines(rows: pl.DataFrame) -> pl.DataFrame:
    """Lines whose settlement shows Amazon withholding the VAT (deemed supplier): their VAT is outside the P&L."""
    return (
        rows.filter(
            (pl.col("amount_type") == "ItemWithheldTax")
            & pl.col("amount_description").str.starts_with("MarketplaceFacilitatorVAT")
        )
        .select("order_line_id")
        .unique()
        .with_columns(is_vat_withheld=pl.lit(True))
    )


def refunds_net_of_vat(refund_rows: pl.DataFrame, line_vat: pl.DataFrame) -> pl.DataFrame:
    """Refund rows summed per (line, measure, posted date, settlement), VAT backed out at the line's rate; the
    VAT refunded reduces `taxes` unless Amazon withheld it."""
    summed = (
        refund_rows.group_by("order_line_id", "measure", "event_date", "settlement_id")
        .agg(pl.col("amount_cents").sum())
        .join(line_vat, on="order_line_id", how="left")
        .with_columns(pl.col("vat_rate_e6").fill_null(0), pl.col("is_vat_withheld").fill_null(False))
        .with_columns(vat=vat_in(pl.col("amount_cents"), pl.col("vat_rate_e6")))
    )
    net = summed.select(
        "order_line_id", "event_date", amount_cents=pl.col("amount_cents") - pl.col("vat"), measure="measure"
    )
    taxes = summed.filter(~pl.col("is_vat_withheld") & (pl.col("vat") != 0)).select(
        "order_line_id",
        "event_date",
        measure=pl.lit("taxes"),
        amount_cents=pl.when(pl.col("measure") == "refunds").then(-pl.col("vat")).otherwise(pl.col("vat")),
    )
    return pl.concat([net, taxes.select(net.columns)])
