"""How the brand's Shopify orders leave the studio (docs/metrics.md rule 12, contract v2).

Most fulfilled orders ship in one parcel. Some multi-line orders ship in two (the last line is back-ordered
and follows a day or two later): two fulfillments, two tracking numbers, two carrier invoice rows. Some US
orders with free shipping are picked up at the studio instead ("Local Pickup": no parcel, no label, no
shipping cost and no estimate). Draws are hashed on the order, so no random stream of the generator moves.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from demo.shopify import hashed_uniform

SPLIT_SHARE = 0.10  # of fulfilled multi-line orders (a back-ordered line ships later)
PICKUP_SHARE = 0.06  # of US orders with free shipping
PICKUP_METHOD = "Local Pickup"
_SALT_SPLIT, _SALT_PICKUP, _SALT_DELAY, _SALT_TRACKING = 7101, 7102, 7103, 7104


def plan_parcels(
    orders: pl.DataFrame, lines: pl.DataFrame, seed: int, end_utc: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Pickup orders (`shipping_method` Local Pickup) and the parcel of each line (`parcel` 1 or 2, with
    `parcel_ship_utc`, null while not shipped); orders get `parcels` (0 for pickup and unfulfilled orders)."""
    seq = orders["order_seq"].to_numpy()
    pickup = (
        (orders["shipping_method"] == "Free Shipping").to_numpy()
        & (orders["country"] == "US").to_numpy()
        & (hashed_uniform(seed, seq, _SALT_PICKUP) < PICKUP_SHARE)
    )
    delay = (86_400 * (1 + 2 * hashed_uniform(seed, seq, _SALT_DELAY))).astype(np.int64)
    n_lines = lines.group_by("order_seq").agg(n_lines=pl.len())
    orders = (
        orders.with_columns(
            shipping_method=pl.when(pl.Series(pickup)).then(pl.lit(PICKUP_METHOD)).otherwise(pl.col("shipping_method")),
            _split_draw=pl.Series(hashed_uniform(seed, seq, _SALT_SPLIT)),
            _second_utc=pl.col("fulfilled_utc") + pl.Series(delay),
        )
        .join(n_lines, on="order_seq", how="left")
        .with_columns(
            is_pickup=pl.col("shipping_method") == PICKUP_METHOD,
            is_split=(pl.col("shipping_method") != PICKUP_METHOD)
            & (pl.col("n_lines") >= 2)
            & pl.col("fulfilled_utc").is_not_null()
            & (pl.col("_split_draw") < SPLIT_SHARE)
            & (pl.col("_second_utc") < end_utc),
        )
        .with_columns(
            parcels=pl.when(pl.col("fulfilled_utc").is_null() | pl.col("is_pickup"))
            .then(0)
            .when(pl.col("is_split"))
            .then(2)
            .otherwise(1),
            second_ship_utc=pl.when(pl.col("is_split")).then(pl.col("_second_utc")),
        )
        .drop("_split_draw", "_second_utc", "n_lines")
        .sort("order_seq")
    )
    lines = (
        lines.join(orders.select("order_seq", "is_split", "fulfilled_utc", "second_ship_utc"), on="order_seq")
        .with_columns(
            parcel=pl.when(pl.col("is_split") & (pl.col("position") == pl.col("position").max().over("order_seq")))
            .then(2)
            .otherwise(1)
        )
        .with_columns(
            parcel_ship_utc=pl.when(pl.col("parcel") == 2)
            .then(pl.col("second_ship_utc"))
            .otherwise(pl.col("fulfilled_utc"))
        )
        .drop("is_split", "fulfilled_utc", "second_ship_utc")
        .sort(["order_seq", "position"])
    )
    return orders, lines


def shopify_tracking(seed: int, order_seq: pl.Expr, parcel: pl.Expr) -> pl.Expr:
    """The UPS tracking number of an order's parcel: the same in the fulfillment and on the carrier invoice."""
    key = order_seq * 4 + parcel
    digits = key.map_batches(
        lambda s: pl.Series((hashed_uniform(seed, s.to_numpy(), _SALT_TRACKING) * 1e11).astype(np.int64)),
        return_dtype=pl.Int64,
    )
    return pl.lit("1Z9A47E") + digits.cast(pl.String).str.zfill(11)


def fulfillment_id(order_id: pl.Expr, parcel: pl.Expr) -> pl.Expr:
    """A stable fulfillment id per order parcel (Shopify ids are large integers)."""
    return (order_id // 1000) * 10 + 4_100_000_000_000 + parcel
