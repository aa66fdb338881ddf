"""The brand's own files: carrier invoices and the web-analytics touchpoint export."""

from __future__ import annotations

import numpy as np
import polars as pl

from demo import shipping
from demo.amazon import SEEDS
from demo.money import div_round

INVOICE_LAG_DAYS = 7  # the carrier bills weekly: the last week's shipments have no invoice yet
ADDRESS_CORRECTION_CENTS = 1800

SHOPIFY_SERVICE = {"Standard": "UPS Ground", "Express": "UPS 2nd Day Air"}
FBM_SERVICE = {"Standard": "USPS Ground Advantage", "Expedited": "USPS Priority Mail"}


def shipping_rate_cents(shipments: pl.DataFrame) -> pl.DataFrame:
    """Seed rate for each shipment: exact (channel, service, country, weight band) else the default row."""
    rates = pl.read_csv(SEEDS / "shipping_rates.csv").with_columns(
        rate_cents=(pl.col("cost") * 100).round().cast(pl.Int64)
    )
    exact = shipments.join(
        rates.filter(pl.col("channel") != "*"),
        left_on=["channel", "service_level", "destination_country"],
        right_on=["channel", "service_level", "destination_country"],
        how="inner",
    ).filter((pl.col("weight_kg") >= pl.col("weight_from_kg")) & (pl.col("weight_kg") < pl.col("weight_to_kg")))
    default = rates.filter(pl.col("channel") == "*")["rate_cents"][0]
    keyed = shipments.with_row_index("_row")
    return (
        keyed.join(exact.select("shipment_key", "rate_cents"), on="shipment_key", how="left")
        .with_columns(pl.col("rate_cents").fill_null(default))
        .sort("_row")
        .drop("_row")
    )


def shipments(
    shop_orders: pl.DataFrame, shop_lines: pl.DataFrame, amazon_lines: pl.DataFrame, seed: int
) -> pl.DataFrame:
    """Every parcel the brand itself shipped: Shopify order parcels (a split order ships two, a pickup order
    none; demo/shipping.py) and merchant-fulfilled Amazon orders."""
    shop_weight = (
        shop_lines.filter(pl.col("parcel_ship_utc").is_not_null())
        .group_by("order_seq", "parcel")
        .agg(weight_kg=(pl.col("quantity") * pl.col("weight_kg")).sum(), ship_utc=pl.col("parcel_ship_utc").first())
    )
    shop = (
        shop_orders.filter(pl.col("fulfilled_utc").is_not_null() & (pl.col("parcels") > 0))
        .join(shop_weight, on="order_seq")
        .select(
            shipment_key=pl.col("name") + pl.lit("/") + pl.col("parcel").cast(pl.String),
            channel=pl.lit("Shopify Web"),
            order_number=pl.col("order_number").cast(pl.String),
            amazon_order_id=pl.lit(None, pl.String),
            service_level="service_level",
            destination_country="country",
            weight_kg="weight_kg",
            ship_utc="ship_utc",
            tracking_number=shipping.shopify_tracking(seed, pl.col("order_seq"), pl.col("parcel")),
        )
    )
    fbm = (
        amazon_lines.filter((pl.col("fulfillment_channel") == "Merchant") & pl.col("is_shipped"))
        .group_by("amazon_order_id")
        .agg(
            weight_kg=(pl.col("quantity") * pl.col("weight_kg")).sum(),
            service_level=pl.col("ship_service_level").first(),
            destination_country=pl.col("ship_country").first(),
            ship_utc=pl.col("ship_utc").first(),
            order_index=pl.col("order_index").first(),
        )
        .select(
            shipment_key="amazon_order_id",
            channel=pl.lit("Amazon FBM"),
            order_number=pl.lit(None, pl.String),
            amazon_order_id="amazon_order_id",
            service_level="service_level",
            destination_country="destination_country",
            weight_kg="weight_kg",
            ship_utc="ship_utc",
            tracking_number=shipping.fbm_tracking(seed, pl.col("order_index")),
        )
    )
    return pl.concat([shop, fbm]).sort(["ship_utc", "shipment_key"])


def carrier_invoices(
    rng: np.random.Generator, parcels: pl.DataFrame, shop_refunds: pl.DataFrame, shop_orders: pl.DataFrame, end_utc: int
) -> pl.DataFrame:
    """Invoice lines: shipments, return labels, address corrections and unmatched sample parcels."""
    billed_until = end_utc - INVOICE_LAG_DAYS * 86_400
    priced = shipping_rate_cents(parcels).with_columns(
        billed_weight=(pl.col("weight_kg") + 0.2).round(2),
        draw=pl.Series(rng.random(parcels.height)),
        noise_e6=pl.Series(np.round(rng.lognormal(0.0, 0.08, parcels.height) * 1e6).astype(np.int64)),
    )
    reference = (
        pl.when(pl.col("channel") == "Amazon FBM")
        .then(pl.col("amazon_order_id"))
        .when(pl.col("draw") < 0.5)
        .then(pl.lit("#") + pl.col("order_number"))
        .otherwise(pl.col("order_number"))
    )
    service = (
        pl.when(pl.col("channel") == "Amazon FBM")
        .then(pl.col("service_level").replace_strict(FBM_SERVICE, default="USPS Ground Advantage"))
        .when(pl.col("destination_country") != "US")
        .then(pl.lit("UPS Worldwide Saver"))
        .otherwise(pl.col("service_level").replace_strict(SHOPIFY_SERVICE, default="UPS Ground"))
    )
    # Shopify parcels carry the tracking number of their fulfillment (the same in the order export).
    shipped = priced.select(
        tracking_number="tracking_number",
        order_reference=reference,
        ship_utc="ship_utc",
        service=service,
        weight_kg="billed_weight",
        cost_cents=div_round(pl.col("rate_cents") * pl.col("noise_e6"), 1_000_000),
        kind=pl.lit("shipment"),
        draw="draw",
    )
    corrections = shipped.filter(pl.col("draw") > 0.98).with_columns(
        ship_utc=pl.col("ship_utc") + 2 * 86_400,
        service=pl.lit("UPS Address Correction"),
        weight_kg=pl.lit(0.0),
        cost_cents=pl.lit(ADDRESS_CORRECTION_CENTS, pl.Int64),
        kind=pl.lit("adjustment"),
    )
    returns = (
        shop_refunds.filter(pl.col("refund_kind") != "cancel")
        .join(shop_orders.select("order_seq", "order_number"), on="order_seq")
        .select(
            tracking_number=pl.lit("1Z9A47E9") + (pl.col("refund_id") % 10**10).cast(pl.String).str.zfill(10),
            order_reference=pl.col("order_number").cast(pl.String),
            ship_utc=pl.col("refund_utc") - 3 * 86_400,
            service=pl.lit("UPS Ground Return"),
            weight_kg=pl.lit(1.0),
            cost_cents=pl.lit(895, pl.Int64),
            kind=pl.lit("return"),
            draw=pl.lit(0.0),
        )
    )
    invoices = pl.concat([shipped, corrections, returns], how="vertical_relaxed")
    return invoices.filter(pl.col("ship_utc") < billed_until).drop("draw").sort(["ship_utc", "tracking_number"])


def sample_parcels(rng: np.random.Generator, count: int, first_utc: int, end_utc: int) -> pl.DataFrame:
    """Parcels sent to influencers: invoiced, but matching no order (unallocated shipping)."""
    billed_until = end_utc - INVOICE_LAG_DAYS * 86_400
    sent = np.sort(rng.integers(first_utc, billed_until, count))
    return pl.DataFrame(
        {
            "tracking_number": [f"1Z9A47E8{i:010d}" for i in range(count)],
            "order_reference": [f"SAMPLE-{i + 1:03d}" for i in range(count)],
            "ship_utc": sent,
            "service": "UPS Ground",
            "weight_kg": 0.8,
            "cost_cents": np.int64(1240),
            "kind": "unmatched",
        }
    )


def touchpoint_export(
    rng: np.random.Generator, touches: pl.DataFrame, orders: pl.DataFrame, end_utc: int
) -> pl.DataFrame:
    """The web-analytics export: most visits, keyed by the visitor's email as typed.

    The order's own visit is logged a few minutes before checkout (7 in 10 times);
    earlier visits 85 % of the time; some visits after the order are logged too.
    """
    n = touches.height
    keep = np.where(touches["is_order_visit"].to_numpy(), rng.random(n) < 0.7, rng.random(n) < 0.85)
    before = rng.integers(60, 1_500, n)
    logged = touches.with_columns(
        occurred_utc=pl.when(pl.col("is_order_visit"))
        .then(pl.col("occurred_utc") - pl.Series(before))
        .otherwise(pl.col("occurred_utc")),
    ).filter(pl.Series(keep))
    revisits = orders.filter(pl.Series(rng.random(orders.height) < 0.05))
    after = revisits.select(
        "order_seq",
        occurred_utc=pl.col("created_utc") + pl.Series(rng.integers(86_400, 3 * 86_400, revisits.height)),
        landing_url=pl.lit("https://artisanglow.com/pages/track-order"),
        referrer_url=pl.lit(""),
        variant=pl.lit(0.5),
    )
    rows = pl.concat([logged.select("order_seq", "occurred_utc", "landing_url", "referrer_url", "variant"), after])
    rows = rows.join(orders.select("order_seq", "email"), on="order_seq").with_columns(
        customer_email=pl.when(pl.col("variant") < 0.1)
        .then(pl.lit(" ") + pl.col("email").str.to_uppercase())
        .when(pl.col("variant") > 0.9)
        .then(pl.col("email").str.to_titlecase() + pl.lit(" "))
        .otherwise(pl.col("email"))
    )
    return (
        rows.filter(pl.col("occurred_utc") < end_utc)
        .sort(["occurred_utc", "order_seq", "landing_url"])
        .select("occurred_utc", "customer_email", "landing_url", "referrer_url")
    )
