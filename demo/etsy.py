"""The brand's Etsy shop: a small share of orders (US buyers, USD, the same SKUs) and its payment account.

Etsy draws from its own random stream (seed, ETSY_STREAM, chunk), so adding it changed no byte of the
other channels' files. The payment account is simulated as the rows of Etsy's monthly statement
(`Type`, `Title`, `Info`, `Amount`, `Fees & Taxes`, `Net` in cents, `--` as null): per order a sale,
transaction fees on items and shipping, a processing fee, sometimes an Offsite Ads fee, usually a shipping
label, and later refunds with their transaction-fee credits; per day listing fees and the Etsy Ads bill.
Rows dated after the period are not shown yet (the current month's statement is partial).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from demo import people
from demo.money import div_round

ETSY_STREAM = 2_000_000
ETSY_SHARE_OF_ORDERS = 0.09
CURRENCY = "USD"
TRANSACTION_FEE_E6 = 65_000  # 6.5 % of the item price (after its discount) and of the shipping charged
PROCESSING_FEE_E6 = 30_000  # 3 % of the order total including tax ...
PROCESSING_FIXED_CENTS = 25  # ... plus $0.25 (Etsy Payments, US)
OFFSITE_ADS_E6 = 150_000  # 15 % of the order total, at most $100
OFFSITE_ADS_CAP_CENTS = 10_000
LISTING_FEE_CENTS = 20
FREE_SHIPPING_FROM_CENTS = 3_500
SHIPPING_CENTS = 695
PERCENT_COUPON = ("ARTISAN10", 10)
FREE_SHIPPING_COUPON = "FREESHIP"
ORDER_ID_BASE = 3_812_345_600
TRANSACTION_ID_BASE = 4_105_000_000
LISTING_ID_BASE = 1_400_000_000


ORDER_TEXT = {c: pl.String for c in ("order_id", "ship_city", "ship_state", "ship_zipcode", "first_name", "last_name")}


@dataclass
class EtsyCursor:
    """Carried from one chunk of days to the next: running order and transaction counters."""

    next_order_index: int = 0
    next_transaction_index: int = 0


@dataclass
class EtsyWorld:
    """One chunk's Etsy orders, their items and the statement rows they and the chunk's days cause."""

    orders: pl.DataFrame
    items: pl.DataFrame
    statement: pl.DataFrame
    """`event_utc`, `seq` (order within the instant), `type`, `title`, `info`, `amount_cents`, `fees_cents`,
    `net_cents` (null where the statement shows `--`)."""


def listing_ids(products: pl.DataFrame) -> pl.DataFrame:
    """One Etsy listing per SKU."""
    return products.with_row_index("sku_index").select(
        "sku", listing_id=(pl.col("sku_index").cast(pl.Int64) * 7_919 + LISTING_ID_BASE).cast(pl.String)
    )


def _orders(
    rng: np.random.Generator, cursor: EtsyCursor, days: pl.DataFrame, orders_per_day: float, end_utc: int
) -> pl.DataFrame:
    per_day = rng.poisson(orders_per_day * ETSY_SHARE_OF_ORDERS * days["demand"].to_numpy())
    n = int(per_day.sum())
    local_day = np.repeat(np.arange(days.height), per_day)
    sale_utc = days["utc_start"].to_numpy()[local_day] + np.floor(
        rng.beta(2.0, 1.8, n) * days["seconds"].to_numpy()[local_day]
    ).astype(np.int64)
    order_index = cursor.next_order_index + np.arange(n)
    cursor.next_order_index += n
    places = people.COUNTRIES[0][3]
    place = rng.integers(0, len(places), n)
    ship_utc = sale_utc + rng.integers(20 * 3_600, 72 * 3_600, n)
    return pl.DataFrame(
        {
            "order_index": order_index,
            "order_id": (ORDER_ID_BASE + order_index * 37 + rng.integers(0, 37, n)).astype(str),
            "sale_utc": sale_utc,
            "n_items": 1 + (rng.random(n) < 0.15).astype(np.int64),
            "coupon_draw": rng.random(n),
            "ship_city": np.asarray([p[0] for p in places])[place],
            "ship_state": np.asarray([p[1] for p in places])[place],
            "ship_zipcode": np.asarray([p[3] for p in places])[place],
            "tax_rate_e6": np.asarray([round(p[4] * 1e6) for p in places], dtype=np.int64)[place],
            "first_name": np.asarray(people.FIRST_NAMES)[rng.integers(0, len(people.FIRST_NAMES), n)],
            "last_name": np.asarray(people.LAST_NAMES)[rng.integers(0, len(people.LAST_NAMES), n)],
            "ship_utc": np.where(ship_utc < end_utc, ship_utc, -1),
            "has_label": rng.random(n) < 0.85,
            "label_extra_cents": rng.integers(0, 60, n),
            "has_offsite_ad": rng.random(n) < 0.06,
            "refund_draw": rng.random(n),
            "refund_delay": rng.integers(5 * 86_400, 30 * 86_400, n),
            "full_refund": rng.random(n) < 0.6,
            "partial_share_pct": rng.integers(20, 51, n),
        },
        schema_overrides=ORDER_TEXT,  # typed even when a chunk has no Etsy order
    ).with_columns(pl.col("ship_utc").replace(-1, None))


def _items(rng: np.random.Generator, cursor: EtsyCursor, orders: pl.DataFrame, products: pl.DataFrame) -> pl.DataFrame:
    n_items = orders["n_items"].to_numpy()
    item_order = np.repeat(np.arange(orders.height), n_items)
    position = np.arange(item_order.size) - np.repeat(np.cumsum(n_items) - n_items, n_items)
    first_sku = rng.choice(products.height, orders.height, p=products["popularity"].to_numpy())
    # A step below the catalogue size keeps an order's items on distinct SKUs.
    sku_index = (first_sku[item_order] + position * rng.integers(1, 60, item_order.size)) % products.height
    transaction_index = cursor.next_transaction_index + np.arange(item_order.size)
    cursor.next_transaction_index += item_order.size
    catalogue = (
        products.with_row_index("sku_index")
        .with_columns(pl.col("sku_index").cast(pl.Int64))
        .join(listing_ids(products), on="sku")
        .select("sku_index", "sku", "listing_id", "product_name", "price_cents", "weight_kg")
    )
    return (
        pl.DataFrame(
            {
                "order_id": orders["order_id"].to_numpy()[item_order],
                "position": position,
                "transaction_id": (TRANSACTION_ID_BASE + transaction_index * 3).astype(str),
                "sku_index": sku_index.astype(np.int64),
                "quantity": rng.choice([1, 2], item_order.size, p=[0.88, 0.12]),
            },
            schema_overrides={"order_id": pl.String, "transaction_id": pl.String, "sku_index": pl.Int64},
        )
        .join(catalogue, on="sku_index", how="left")
        .with_columns(gross_cents=pl.col("price_cents") * pl.col("quantity"))
        .drop("sku_index")
    )


def _priced_orders(orders: pl.DataFrame, items: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Coupons, item discounts, shipping and the tax Etsy collects."""
    gross = items.group_by("order_id").agg(
        items_gross=pl.col("gross_cents").sum(), weight_kg=(pl.col("weight_kg") * pl.col("quantity")).sum()
    )
    orders = (
        orders.join(gross, on="order_id")
        .with_columns(
            shipping_cents=pl.when(pl.col("items_gross") >= FREE_SHIPPING_FROM_CENTS)
            .then(0)
            .otherwise(SHIPPING_CENTS)
            .cast(pl.Int64)
        )
        .with_columns(
            coupon_code=pl.when(pl.col("coupon_draw") < 0.12)
            .then(pl.lit(PERCENT_COUPON[0]))
            .when((pl.col("coupon_draw") < 0.16) & (pl.col("shipping_cents") > 0))
            .then(pl.lit(FREE_SHIPPING_COUPON))
        )
        .with_columns(
            shipping_discount_cents=pl.when(pl.col("coupon_code") == FREE_SHIPPING_COUPON)
            .then(pl.col("shipping_cents"))
            .otherwise(0)
        )
    )
    items = items.join(orders.select("order_id", "coupon_code"), on="order_id").with_columns(
        discount_cents=pl.when(pl.col("coupon_code") == PERCENT_COUPON[0])
        .then(div_round(pl.col("gross_cents") * PERCENT_COUPON[1], 100))
        .otherwise(0)
    )
    discounts = items.group_by("order_id").agg(items_discount=pl.col("discount_cents").sum())
    orders = (
        orders.join(discounts, on="order_id")
        .with_columns(
            items_net=pl.col("items_gross") - pl.col("items_discount"),
            shipping_net=pl.col("shipping_cents") - pl.col("shipping_discount_cents"),
        )
        .with_columns(
            tax_cents=div_round((pl.col("items_net") + pl.col("shipping_net")) * pl.col("tax_rate_e6"), 1_000_000),
            label_cents=395 + (pl.col("weight_kg") * 420).round().cast(pl.Int64) + pl.col("label_extra_cents"),
        )
    )
    return orders, items


def _transaction_fee(base: pl.Expr) -> pl.Expr:
    return div_round(base * TRANSACTION_FEE_E6, 1_000_000)


def _row(
    df: pl.DataFrame,
    utc: str | pl.Expr,
    seq: int,
    type_: str,
    title: pl.Expr,
    info: pl.Expr | None,
    *,
    amount: pl.Expr | None = None,
    fees: pl.Expr | None = None,
) -> pl.DataFrame:
    """Statement rows; `Net` is Amount + Fees & Taxes (null when both are `--`)."""
    none = pl.lit(None, dtype=pl.Int64)
    amount = none if amount is None else amount
    fees = none if fees is None else fees
    return df.select(
        event_utc=(pl.col(utc) if isinstance(utc, str) else utc).cast(pl.Int64),
        seq=pl.lit(seq, pl.Int64),
        type=pl.lit(type_),
        title=title,
        info=pl.lit(None, dtype=pl.String) if info is None else info,
        amount_cents=amount.cast(pl.Int64),
        fees_cents=fees.cast(pl.Int64),
        net_cents=pl.when(amount.is_null() & fees.is_null())
        .then(none)
        .otherwise(amount.fill_null(0) + fees.fill_null(0))
        .cast(pl.Int64),
    )


def _statement(
    rng: np.random.Generator,
    days: pl.DataFrame,
    orders: pl.DataFrame,
    items: pl.DataFrame,
    n_listings: int,
    orders_per_day: float,
    end_utc: int,
) -> pl.DataFrame:
    order_ref = pl.lit("Order #") + pl.col("order_id")
    items = items.join(orders.select("order_id", "sale_utc"), on="order_id").with_columns(
        transaction_fee=_transaction_fee(pl.col("gross_cents") - pl.col("discount_cents"))
    )
    orders = orders.with_columns(
        order_total=pl.col("items_net") + pl.col("shipping_net"),
        shipping_fee=_transaction_fee(pl.col("shipping_net")),
        refund_utc=pl.col("ship_utc") + pl.col("refund_delay"),
    ).with_columns(
        is_refunded=(pl.col("refund_draw") < 0.05)
        & pl.col("refund_utc").is_not_null()
        & (pl.col("refund_utc") < end_utc),
        refund_cents=pl.when(pl.col("full_refund"))
        .then(pl.col("order_total"))
        .otherwise(div_round(pl.col("items_net") * pl.col("partial_share_pct"), 100)),
    )
    refunded = orders.filter(pl.col("is_refunded"))
    full = refunded.filter(pl.col("full_refund"))
    partial = refunded.filter(~pl.col("full_refund"))
    first_item = items.filter(pl.col("position") == 0).select("order_id", "product_name")
    rows = [
        _row(
            orders,
            "sale_utc",
            0,
            "Sale",
            pl.lit("Payment for Order #") + pl.col("order_id"),
            None,
            amount=pl.col("order_total"),
        ),
        _row(
            orders.filter(pl.col("tax_cents") > 0),
            "sale_utc",
            1,
            "Tax",
            pl.lit("Sales tax paid by buyer"),
            order_ref,
            amount=pl.col("tax_cents"),
            fees=-pl.col("tax_cents"),
        ),
        _row(
            items,
            "sale_utc",
            2,
            "Fee",
            pl.lit("Transaction fee: ") + pl.col("product_name"),
            order_ref,
            fees=-pl.col("transaction_fee"),
        ),
        _row(
            orders.filter(pl.col("shipping_fee") > 0),
            "sale_utc",
            3,
            "Fee",
            pl.lit("Transaction fee: Shipping"),
            order_ref,
            fees=-pl.col("shipping_fee"),
        ),
        _row(
            orders,
            "sale_utc",
            4,
            "Fee",
            pl.lit("Processing fee"),
            order_ref,
            fees=-(
                div_round((pl.col("order_total") + pl.col("tax_cents")) * PROCESSING_FEE_E6, 1_000_000)
                + PROCESSING_FIXED_CENTS
            ),
        ),
        _row(
            orders.filter(pl.col("has_offsite_ad")),
            "sale_utc",
            5,
            "Marketing",
            pl.lit("Offsite Ads fee"),
            order_ref,
            fees=-pl.min_horizontal(
                div_round(pl.col("order_total") * OFFSITE_ADS_E6, 1_000_000), pl.lit(OFFSITE_ADS_CAP_CENTS)
            ),
        ),
        _row(
            orders.filter(pl.col("has_label") & pl.col("ship_utc").is_not_null()),
            "ship_utc",
            6,
            "Shipping",
            pl.lit("USPS shipping label"),
            order_ref,
            fees=-pl.col("label_cents"),
        ),
        _row(
            full,
            "refund_utc",
            7,
            "Refund",
            pl.lit("Refund to buyer for Order #") + pl.col("order_id"),
            None,
            amount=-pl.col("refund_cents"),
        ),
        _row(
            partial,
            "refund_utc",
            7,
            "Refund",
            pl.lit("Partial refund to buyer for Order #") + pl.col("order_id"),
            None,
            amount=-pl.col("refund_cents"),
        ),
        _row(
            full.filter(pl.col("tax_cents") > 0),
            "refund_utc",
            8,
            "Tax",
            pl.lit("Refund to buyer for sales tax"),
            order_ref,
            amount=-pl.col("tax_cents"),
            fees=pl.col("tax_cents"),
        ),
        # A full refund credits every transaction fee; a partial one the fee on the amount refunded.
        _row(
            items.join(full.select("order_id", "refund_utc"), on="order_id"),
            "refund_utc",
            9,
            "Fee",
            pl.lit("Credit for transaction fee on ") + pl.col("product_name"),
            order_ref,
            fees=pl.col("transaction_fee"),
        ),
        _row(
            full.filter(pl.col("shipping_fee") > 0),
            "refund_utc",
            10,
            "Fee",
            pl.lit("Credit for transaction fee on shipping"),
            order_ref,
            fees=pl.col("shipping_fee"),
        ),
        _row(
            partial.join(first_item, on="order_id"),
            "refund_utc",
            9,
            "Fee",
            pl.lit("Credit for transaction fee on ") + pl.col("product_name"),
            order_ref,
            fees=_transaction_fee(pl.col("refund_cents")),
        ),
    ]
    rows += _daily_rows(rng, days, n_listings, orders_per_day)
    return pl.concat(rows).filter(pl.col("event_utc") < end_utc)


def _daily_rows(
    rng: np.random.Generator, days: pl.DataFrame, n_listings: int, orders_per_day: float
) -> list[pl.DataFrame]:
    """Listing renewals through each day, and each day's Etsy Ads spend billed early the next day."""
    renewals = rng.poisson(max(orders_per_day * 0.1, 1.0), days.height)
    day = np.repeat(np.arange(days.height), renewals)
    listing = (LISTING_ID_BASE + rng.integers(0, n_listings, day.size) * 7_919).astype(str)
    listing_rows = pl.DataFrame(
        {
            "event_utc": days["utc_start"].to_numpy()[day] + rng.integers(0, 86_000, day.size),
            "listing": listing,
        }
    )
    spend = np.maximum(np.round(rng.uniform(2.5, 9.0, days.height) * orders_per_day / 40 * 100), 1).astype(np.int64)
    ads = days.select(
        event_utc=pl.col("utc_start") + pl.col("seconds") + 3 * 3_600,
        spend_cents=pl.Series(spend),
        label=pl.col("date").dt.strftime("Etsy Ads on %b %-d"),
    )
    return [
        _row(
            listing_rows,
            "event_utc",
            11,
            "Fee",
            pl.lit("Listing fee"),
            pl.lit("Listing #") + pl.col("listing"),
            fees=pl.lit(-LISTING_FEE_CENTS, pl.Int64),
        ),
        _row(ads, "event_utc", 12, "Marketing", pl.lit("Etsy Ads"), pl.col("label"), fees=-pl.col("spend_cents")),
    ]


def simulate_etsy(
    seed: int,
    chunk_index: int,
    cursor: EtsyCursor,
    days: pl.DataFrame,
    products: pl.DataFrame,
    orders_per_day: float,
    end_utc: int,
) -> EtsyWorld:
    rng = np.random.default_rng([seed, ETSY_STREAM, chunk_index])
    orders = _orders(rng, cursor, days, orders_per_day, end_utc)
    items = _items(rng, cursor, orders, products)
    orders, items = _priced_orders(orders, items)
    statement = _statement(rng, days, orders, items, products.height, orders_per_day, end_utc)
    # Joins do not keep row order: sort, so the same arguments give the same files.
    return EtsyWorld(
        orders=orders.sort("order_index"),
        items=items.sort("transaction_id"),
        statement=statement.sort(["event_utc", "seq", "title", "info"], nulls_last=True),
    )


def deposits(statement: pl.DataFrame, days: pl.DataFrame) -> pl.DataFrame:
    """Weekly transfers to the bank (Mondays): the week's net, when positive. Shown with `--` amounts."""
    mondays = days.filter(pl.col("date").dt.weekday() == 1).select(event_utc=pl.col("utc_start") + 9 * 3_600)
    edges = mondays["event_utc"].to_numpy()
    week = np.searchsorted(edges, statement["event_utc"].to_numpy(), side="right")
    net = (
        statement.select(pl.col("net_cents").fill_null(0))
        .with_columns(week=pl.Series(week))
        .group_by("week")
        .agg(pl.col("net_cents").sum())
    )
    paid = (
        mondays.with_row_index("week")
        .with_columns(pl.col("week").cast(pl.Int64))
        .join(net.with_columns(pl.col("week").cast(pl.Int64)), on="week", how="left")
        .filter(pl.col("net_cents") > 0)
    )
    amount = paid["net_cents"].to_list()
    titles = [f"${cents / 100:,.2f} sent to your bank account" for cents in amount]
    return _row(
        paid.with_columns(title=pl.Series(titles, dtype=pl.String)), "event_utc", 13, "Deposit", pl.col("title"), None
    )
