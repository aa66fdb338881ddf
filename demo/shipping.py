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
_SALT_SPLIT, _SALT_PICKUP, _SALT_DELAY, _SALT_TRACKING, _SALT_FBM_TRACKING = 7101, 7102, 7103, 7104, 7105
_DIGITS_MULTIPLIER = 48_271_013  # odd, not a multiple of 5; times 10**11 still fits in Int64


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
    # Gift cards (rule 22) are not shipped: they are in no parcel and no fulfillment's carried lines.
    shipped = ~pl.col("is_gift_card") if "is_gift_card" in lines.columns else pl.lit(True)
    n_lines = lines.filter(shipped).group_by("order_seq").agg(n_lines=pl.len())
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
            _last_shipped=pl.when(shipped).then(pl.col("position")).max().over("order_seq"),
        )
        .with_columns(
            parcel=pl.when(~shipped)
            .then(pl.lit(None, pl.Int64))
            .when(pl.col("is_split") & (pl.col("position") == pl.col("_last_shipped")))
            .then(2)
            .otherwise(1)
        )
        .with_columns(
            parcel_ship_utc=pl.when(pl.col("parcel").is_null())
            .then(pl.lit(None, pl.Int64))
            .when(pl.col("parcel") == 2)
            .then(pl.col("second_ship_utc"))
            .otherwise(pl.col("fulfilled_utc"))
        )
        .drop("_last_shipped")
        .drop("is_split", "fulfilled_utc", "second_ship_utc")
        .sort(["order_seq", "position"])
    )
    return orders, lines


def shopify_tracking(seed: int, order_seq: pl.Expr, parcel: pl.Expr) -> pl.Expr:
    """The UPS tracking number of an order's parcel: the same in the fulfillment and on the carrier invoice."""
    return pl.lit("1Z9A47E") + distinct_digits(order_seq * 4 + parcel, 11, seed, _SALT_TRACKING)


def fbm_tracking(seed: int, order_index: pl.Expr) -> pl.Expr:
    """The USPS tracking number of a merchant-fulfilled Amazon order's parcel (22 digits)."""
    return pl.lit("940011189922") + distinct_digits(order_index, 10, seed, _SALT_FBM_TRACKING)


def distinct_digits(number: pl.Expr, digits: int, seed: int, salt: int) -> pl.Expr:
    """`digits` digits (text) that look arbitrary but differ for every distinct `number` below 10**digits.

    Carriers never reuse a live tracking number, and the invoice is keyed by it: hashed or random draws
    collide by the birthday bound (5 M parcels on 11 drawn digits share ~500 numbers, so the 10 M set lost
    invoice rows). An affine map modulo 10**digits whose multiplier is coprime to 10 is a permutation."""
    space = 10**digits
    offset = int(hashed_uniform(seed, np.array([salt], dtype=np.int64), salt)[0] * space)
    scrambled = ((number.cast(pl.Int64) % space) * _DIGITS_MULTIPLIER + offset) % space
    return scrambled.cast(pl.String).str.zfill(digits)


def fulfillment_id(order_id: pl.Expr, parcel: pl.Expr) -> pl.Expr:
    """A stable fulfillment id per order parcel (Shopify ids are large integers)."""
    return (order_id // 1000) * 10 + 4_100_000_000_000 + parcel


# --------------------------------------------------------------------------- Amazon Buy Shipping

BUY_SHIPPING_SHARE = 0.7  # of merchant-fulfilled Amazon parcels: the label is bought in Seller Central
BUY_SHIPPING_DESCRIPTION = "PostageBilling_Postage"
_SALT_BUY, _SALT_LABEL = 7105, 7106
_SETTLEMENT_COLUMNS = {
    "marketplace": pl.String,
    "currency": pl.String,
    "posted_utc": pl.Int64,
    "transaction_type": pl.String,
    "amount_type": pl.String,
    "amount_description": pl.String,
    "amount_cents": pl.Int64,
    "amazon_order_id": pl.String,
    "order_item_code": pl.String,
    "sku": pl.String,
    "fulfillment_channel": pl.String,
    "adjustment_id": pl.String,
    "promotion_id": pl.String,
    "order_line_id": pl.String,
    "quantity_purchased": pl.Int64,
}


def _label_rows(marketplace: str, currency: str, posted: pl.Series, order_ids: pl.Series, cents: pl.Series):
    n = len(posted)
    return pl.DataFrame(
        {
            "marketplace": [marketplace] * n,
            "currency": [currency] * n,
            "posted_utc": posted,
            "transaction_type": ["other-transaction"] * n,
            "amount_type": ["other-transaction"] * n,
            "amount_description": [BUY_SHIPPING_DESCRIPTION] * n,
            "amount_cents": -cents,
            "amazon_order_id": order_ids,
        },
        schema_overrides={"amazon_order_id": pl.String, "posted_utc": pl.Int64, "amount_cents": pl.Int64},
    ).with_columns(
        [pl.lit(None, dtype).alias(c) for c, dtype in _SETTLEMENT_COLUMNS.items() if c not in _label_columns()]
    )


def _label_columns() -> set[str]:
    return {
        "marketplace",
        "currency",
        "posted_utc",
        "transaction_type",
        "amount_type",
        "amount_description",
        "amount_cents",
        "amazon_order_id",
    }


def buy_shipping(parcels: pl.DataFrame, rates: pl.DataFrame, seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split merchant-fulfilled Amazon parcels: most labels are bought through Amazon Buy Shipping (charged in
    the settlement as other-transaction `PostageBilling_Postage` with the order id, posted when bought, at
    shipping), the rest on the brand's carrier account (the carrier invoice). `rates` is `parcels` with the
    seed's `rate_cents`. Returns the parcels left for the carrier invoice and the label rows (Amazon.com, USD;
    not yet assigned to settlements)."""
    # Keyed on the order id's digits: the same order draws the same way in any chunk.
    order_key = parcels["amazon_order_id"].str.replace_all("-", "").cast(pl.Int64, strict=False).fill_null(0).to_numpy()
    is_buy = (parcels["channel"] == "Amazon FBM").to_numpy() & (
        hashed_uniform(seed, order_key, _SALT_BUY) < BUY_SHIPPING_SHARE
    )
    labels = rates.filter(pl.Series(is_buy))
    noise = 0.85 + 0.2 * hashed_uniform(seed, order_key[is_buy], _SALT_LABEL)
    cents = pl.Series(np.round(labels["rate_cents"].to_numpy() * noise).astype(np.int64))
    rows = _label_rows("Amazon.com", "USD", labels["ship_utc"], labels["amazon_order_id"], cents)
    return parcels.filter(pl.Series(~is_buy)), rows


def unlinked_labels(periods: pl.DataFrame, seed: int) -> pl.DataFrame:
    """A label bought through Buy Shipping for no order (a replacement parcel sent from the studio): one in
    every other Amazon.com settlement period, without an order id (unallocated_shipping)."""
    com = periods.filter(pl.col("marketplace") == "Amazon.com").sort("period")
    picked = com.filter(pl.col("period") % 2 == 1)
    if picked.is_empty():
        return pl.DataFrame(schema=_SETTLEMENT_COLUMNS)
    draw = hashed_uniform(seed, picked["period"].to_numpy(), _SALT_LABEL + 1)
    posted = picked["start_utc"] + pl.Series(np.round(draw * 5 * 86_400).astype(np.int64) + 36_000)
    cents = pl.Series(np.round(650 + draw * 600).astype(np.int64))
    return _label_rows("Amazon.com", "USD", posted, pl.Series([None] * picked.height, dtype=pl.String), cents)


# --------------------------------------------------------------------------- Shopify Shipping

SHOPIFY_SHIPPING_SHARE = 0.25  # of domestic Shopify parcels: the label is bought in the Shopify admin
SHOPIFY_SHIPPING_SERVICE = {"Standard": "USPS Ground Advantage", "Express": "USPS Priority Mail"}
_SALT_SHOPIFY_LABEL, _SALT_SHOPIFY_PRICE = 7107, 7108


def shopify_shipping(parcels: pl.DataFrame, rates: pl.DataFrame, seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split domestic Shopify parcels: some labels are bought through Shopify Shipping (a charge on the Shopify
    bill naming the order, billed in USD), the rest on the brand's UPS account (the carrier invoice).
    `rates` is `parcels` with the seed's `rate_cents`. Returns the parcels left for the carrier invoice and
    the label charges (order_name, ship_utc, service, cost_cents)."""
    order_number = parcels["order_number"].cast(pl.Int64, strict=False).fill_null(0).to_numpy()
    is_label = (
        (parcels["channel"] == "Shopify Web").to_numpy()
        & (parcels["destination_country"] == "US").to_numpy()
        & (hashed_uniform(seed, order_number, _SALT_SHOPIFY_LABEL) < SHOPIFY_SHIPPING_SHARE)
    )
    labels = rates.filter(pl.Series(is_label))
    # Shopify's discounted USPS rates: about 80-95 % of the UPS account's.
    discount = 0.80 + 0.15 * hashed_uniform(seed, order_number[is_label], _SALT_SHOPIFY_PRICE)
    charges = labels.select(
        order_name=pl.lit("#") + pl.col("order_number"),
        ship_utc="ship_utc",
        service=pl.col("service_level").replace_strict(SHOPIFY_SHIPPING_SERVICE, default="USPS Ground Advantage"),
        cost_cents=pl.Series(np.round(labels["rate_cents"].to_numpy() * discount).astype(np.int64)),
    )
    return parcels.filter(pl.Series(~is_label)), charges
