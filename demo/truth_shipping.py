"""Carrier shipping cost per line and date, as docs/metrics.md rule 12 (contract v2) computes it from the files.

Every invoice row of an order the brand ships that is not a return label belongs to the order: a row whose
tracking number is one of the order's fulfillments (the Shopify API file lists them) goes to that
fulfillment's lines by the units it carried, any other row (CSV-only orders, Amazon FBM) to all the order's
lines that need shipping by units. An order the brand ships without any such row gets the rate-card
estimate at its order date. Lines that need no shipping (FBA, cancelled, pickup orders, `requires_shipping`
false) take nothing; invoices of such orders and of no order are daily costs. Independent of the dbt SQL.
"""

from __future__ import annotations

import polars as pl

from demo import shipping
from demo.brand import shipping_rate_cents
from demo.money import allocate
from demo.world import Chunk, Context

BRAND_SHIPPED = ["Shopify Web", "Amazon FBM"]


def _local_date(col: str, tz: str) -> pl.Expr:
    return pl.from_epoch(pl.col(col)).dt.replace_time_zone("UTC").dt.convert_time_zone(tz).dt.date()


def normalise_reference(col: str) -> pl.Expr:
    """'#1001', '1001' and ' #1001 ' all match order #1001; Amazon ids match as they are."""
    ref = pl.col(col).str.strip_chars().str.strip_chars_start("#")
    return pl.when(ref.str.contains(r"^\d+$")).then(pl.lit("#") + ref).otherwise(ref)


def _pickup_orders(chunk: Chunk) -> pl.DataFrame:
    """Orders whose shipping method names a pickup (the API and CSV both show it)."""
    method = chunk.shopify.orders["shipping_method"].str.to_lowercase()
    is_pickup = method.str.contains("pickup") | method.str.contains("pick up") | method.str.contains("pick-up")
    return chunk.shopify.orders.filter(is_pickup).select(order_key="name")


def _fulfillment_lines(ctx: Context, chunk: Chunk) -> pl.DataFrame:
    """What the API file's fulfillments show: (order, tracking number) -> line and units carried."""
    orders = chunk.shopify.orders.filter(pl.col("created_utc") >= ctx.api_from_utc).select(
        "order_seq", "name", "is_pickup"
    )
    return (
        chunk.shopify.lines.filter(pl.col("parcel_ship_utc").is_not_null())
        .join(orders, on="order_seq")
        .filter(~pl.col("is_pickup"))
        .select(
            order_key="name",
            tracking_number=shipping.shopify_tracking(ctx.seed, pl.col("order_seq"), pl.col("parcel")),
            order_line_id=pl.col("line_item_id").cast(pl.String),
            weight_units="quantity",
        )
    )


def shipping_cost_rows(
    ctx: Context, chunk: Chunk, lines: pl.DataFrame, label_costs: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Per (order_line_id, shipping_date): `shipping_cost_cents` (USD) and `is_shipping_cost_estimated`; and the
    invoice rows no line carries (daily costs). `label_costs` are a channel's own labels per order (Etsy:
    order_key, shipping_cost_cents, shipping_date), spread over the order's lines by units."""
    tz = ctx.timezone
    pickup = _pickup_orders(chunk)
    needs = lines.filter(
        pl.col("channel").is_in(BRAND_SHIPPED)
        & ~pl.col("is_cancelled")
        & ~pl.col("order_key").is_in(pickup["order_key"].implode())
    )
    inv = chunk.invoices.with_columns(
        ref=normalise_reference("order_reference"),
        ship_date=_local_date("ship_utc", tz),
        is_return=pl.col("service").str.to_lowercase().str.contains("return"),
    )
    # Amazon Buy Shipping labels of the settled periods: rows of their order like a carrier invoice row.
    labels = chunk.amazon.settlement_rows.filter(
        pl.col("amount_description").str.contains("^Postage(Billing|Refund)_")
    ).select(
        tracking_number=pl.lit(None, pl.String),
        service="amount_description",
        ref="amazon_order_id",
        ship_date=_local_date("posted_utc", tz),  # Amazon amounts: posted day in the brand's time zone (rule 3)
        is_return=pl.lit(False),
        cost_cents=-pl.col("amount_cents"),
        currency="currency",
        platform=pl.lit("amazon"),
        allocation_key=pl.lit("label:") + pl.col("amazon_order_id") + "|" + pl.col("posted_utc").cast(pl.String),
    )
    inv = pl.concat(
        [
            inv.select(
                "tracking_number",
                "service",
                "ref",
                "ship_date",
                "is_return",
                "cost_cents",
                currency=pl.lit("USD"),
                platform=pl.lit("carrier"),
                allocation_key=pl.col("tracking_number") + "|" + pl.col("service"),
            ),
            labels,
            # Shopify Shipping labels on the Shopify bill: rows of their order, dated by the charge's day.
            chunk.shopify_labels.select(
                tracking_number=pl.lit(None, pl.String),
                service="service",
                ref="order_name",
                ship_date=_local_date("ship_utc", tz),
                is_return=pl.lit(False),
                cost_cents="cost_cents",
                currency=pl.lit("USD"),
                platform=pl.lit("shopify"),
                allocation_key=pl.lit("shopify:") + pl.col("order_name") + "|" + pl.col("ship_utc").cast(pl.String),
            ),
        ],
        how="diagonal_relaxed",
    )
    shippable_keys = needs["order_key"].unique()
    all_orders = lines.select("order_key", "channel").unique()
    known = inv.join(all_orders, left_on="ref", right_on="order_key", how="left")
    is_parcel = ~pl.col("is_return") & pl.col("ref").is_in(shippable_keys.implode())
    parcels = known.filter(is_parcel)
    unassigned = known.filter(~is_parcel).select(
        cost_date="ship_date",
        channel=pl.col("channel").fill_null("Unassigned"),
        platform="platform",
        cost_type=pl.when(pl.col("is_return"))
        .then(pl.lit("return_shipping"))
        .otherwise(pl.lit("unallocated_shipping")),
        amount_cents="cost_cents",
        source_currency="currency",
    )

    # Parcels tied to a fulfillment of their order: its lines (that need shipping) by units carried.
    needed_ids = needs.select("order_line_id")
    tied = parcels.join(
        _fulfillment_lines(ctx, chunk).join(needed_ids, on="order_line_id"),
        left_on=["ref", "tracking_number"],
        right_on=["order_key", "tracking_number"],
    ).select("allocation_key", "order_line_id", "ship_date", "cost_cents", "weight_units", "currency")
    untied = (
        parcels.join(tied.select("allocation_key").unique(), on="allocation_key", how="anti")
        .join(needs.select("order_key", "order_line_id", weight_units="units"), left_on="ref", right_on="order_key")
        .select("allocation_key", "order_line_id", "ship_date", "cost_cents", "weight_units", "currency")
    )

    # Orders the brand ships with no invoice row yet: the rate card on the weight of the lines shipped.
    invoiced = parcels.select(order_key="ref").unique()
    weights = (
        needs.join(ctx.products.select("sku", "weight_kg"), on="sku")
        .group_by("order_key")
        .agg(weight_kg=(pl.col("units") * pl.col("weight_kg")).sum())
    )
    orders = (
        needs.group_by("order_key")
        .agg(
            channel=pl.col("channel").first(),
            order_date=pl.col("order_date").first(),
            service_level=pl.col("service_level").first(),
            destination_country=pl.col("destination_country").first(),
        )
        .join(invoiced, on="order_key", how="anti")
        .join(weights, on="order_key")
        .with_columns(shipment_key=pl.col("order_key"))
    )
    estimated = (
        shipping_rate_cents(orders)
        .join(needs.select("order_key", "order_line_id", weight_units="units"), on="order_key")
        .select(
            allocation_key=pl.lit("estimate:") + pl.col("order_key"),
            order_line_id="order_line_id",
            ship_date="order_date",
            cost_cents="rate_cents",
            weight_units="weight_units",
            currency=pl.lit("USD"),
        )
    )
    labels = label_costs.join(lines.select("order_key", "order_line_id", weight_units="units"), on="order_key").select(
        allocation_key=pl.lit("label:") + pl.col("order_key"),
        order_line_id="order_line_id",
        ship_date="shipping_date",
        cost_cents="shipping_cost_cents",
        weight_units="weight_units",
        is_estimated="is_shipping_cost_estimated",
        currency=pl.lit("USD"),
    )
    rows = pl.concat(
        [
            tied.with_columns(is_estimated=pl.lit(False)),
            untied.with_columns(is_estimated=pl.lit(False)),
            estimated.with_columns(is_estimated=pl.lit(True)),
            labels,
        ],
        how="diagonal_relaxed",
    )
    allocated = allocate(
        rows,
        group="allocation_key",
        amount="cost_cents",
        weight="weight_units",
        tiebreak="order_line_id",
        out="line_cents",
    )
    per_date = allocated.group_by("order_line_id", "ship_date", "currency").agg(
        shipping_cost_cents=pl.col("line_cents").sum(), is_shipping_cost_estimated=pl.col("is_estimated").any()
    )
    return per_date.rename({"ship_date": "shipping_date", "currency": "ship_ccy"}), unassigned


def unlinked_label_costs(ctx: Context) -> pl.DataFrame:
    """Buy Shipping labels of the settled periods without an order id: unallocated_shipping (channel
    Unassigned, platform amazon), by posted date."""
    return ctx.other_settlement_rows.filter(
        pl.col("amount_description").str.contains("^Postage(Billing|Refund)_") & pl.col("amazon_order_id").is_null()
    ).select(
        cost_date=_local_date("posted_utc", ctx.timezone),  # posted day in the brand's time zone (rule 3)
        channel=pl.lit("Unassigned"),
        platform=pl.lit("amazon"),
        cost_type=pl.lit("unallocated_shipping"),
        amount_cents=-pl.col("amount_cents"),
        source_currency="currency",
    )
