"""Gift cards sold and redeemed (docs/metrics.md rule 22): a liability, not sales.

About 4% of the paid, single-tender Shopify orders delivered through the API also buy a gift card ($25,
$50 or $100, one unit, not taxable, no shipping): an extra line item with `gift_card: true`, which raises the
order's subtotal and total and its Shopify Payments charge (the fee is on the whole charge). Redemptions are
the gift-card tenders of demo/tenders.py, as the order transactions show them (gateway `gift_card`).
Draws are keyed by the order (hashed), so every other table keeps its values.
"""

from __future__ import annotations

import polars as pl

from demo.shopify import ShopifyWorld, hashed_uniform
from demo.tenders import card_fee_cents, order_transactions

GIFT_CARD_SHARE = 0.04
GIFT_CARD_VALUES_CENTS = (2500, 5000, 10000)
GIFT_CARD_SKU = "GIFT-CARD"


def add_gift_card_lines(shop: ShopifyWorld, seed: int, api_from_utc: int) -> ShopifyWorld:
    orders, lines = shop.orders, shop.lines.with_columns(is_gift_card=pl.lit(False))
    seqs = orders["order_seq"].to_numpy()
    orders = orders.with_columns(_g=pl.Series(hashed_uniform(seed, seqs, 9201)))
    buyers = orders.filter(
        (pl.col("_g") < GIFT_CARD_SHARE)
        & (pl.col("created_utc") >= api_from_utc)
        & (pl.col("financial_status") == "paid")
        & (pl.col("tender") == "single")
    ).with_columns(
        price_cents=pl.when(pl.col("_g") < GIFT_CARD_SHARE / 3)
        .then(GIFT_CARD_VALUES_CENTS[0])
        .when(pl.col("_g") < 2 * GIFT_CARD_SHARE / 3)
        .then(GIFT_CARD_VALUES_CENTS[1])
        .otherwise(GIFT_CARD_VALUES_CENTS[2])
    )
    orders = orders.drop("_g")
    if buyers.is_empty():
        return ShopifyWorld(orders, lines, shop.refunds, shop.refund_lines, shop.transactions, shop.touches)
    last = lines.group_by("order_seq").agg(
        position=pl.col("position").max() + 1, line_item_id=pl.col("line_item_id").max()
    )
    new_lines = (
        buyers.select("order_seq", "price_cents")
        .join(last, on="order_seq")
        .select(
            "order_seq",
            "position",
            line_item_id=pl.col("line_item_id") + 7,
            sku_index=pl.lit(-1, pl.Int64),
            quantity=pl.lit(1, pl.Int64),
            sku=pl.lit(GIFT_CARD_SKU),
            product_name=pl.format("Gift Card ${}", pl.col("price_cents") // 100),
            category=pl.lit("Gift Card"),
            vendor=pl.lit("Artisan Goods Co."),
            price_cents="price_cents",
            weight_kg=pl.lit(0.0),
            gross_cents="price_cents",
            taxable=pl.lit(False),
            discount_alloc_cents=pl.lit(0, pl.Int64),
            tax_cents=pl.lit(0, pl.Int64),
            is_gift_card=pl.lit(True),
        )
    )
    lines = pl.concat([lines, new_lines.select(lines.columns)], how="vertical_relaxed").sort(["order_seq", "position"])
    added = buyers.select("order_seq", added_cents="price_cents")
    orders = (
        orders.join(added, on="order_seq", how="left")
        .with_columns(pl.col("added_cents").fill_null(0))
        .with_columns(
            items_gross_cents=pl.col("items_gross_cents") + pl.col("added_cents"),
            subtotal_cents=pl.col("subtotal_cents") + pl.col("added_cents"),
            total_cents=pl.col("total_cents") + pl.col("added_cents"),
        )
        .drop("added_cents")
        .sort("order_seq")
    )
    # The order's charge covers the gift card too (the buyers are single-tender Shopify Payments or PayPal orders).
    transactions = (
        shop.transactions.join(added, on="order_seq", how="left")
        .with_columns(pl.col("added_cents").fill_null(0))
        .with_columns(
            amount_cents=pl.when(pl.col("type") == "charge")
            .then(pl.col("amount_cents") + pl.col("added_cents"))
            .otherwise(pl.col("amount_cents"))
        )
        .with_columns(
            fee_cents=pl.when((pl.col("type") == "charge") & (pl.col("added_cents") > 0))
            .then(card_fee_cents(pl.col("amount_cents")))
            .otherwise(pl.col("fee_cents"))
        )
        .with_columns(net_cents=pl.col("amount_cents") - pl.col("fee_cents"))
        .drop("added_cents")
    )
    return ShopifyWorld(orders, lines, shop.refunds, shop.refund_lines, transactions, shop.touches)


def without_gift_cards(shop: ShopifyWorld) -> ShopifyWorld:
    """The world without its gift-card lines: what the sales measures see."""
    lines = shop.lines.filter(~pl.col("is_gift_card")) if "is_gift_card" in shop.lines.columns else shop.lines
    return ShopifyWorld(shop.orders, lines, shop.refunds, shop.refund_lines, shop.transactions, shop.touches)


def liability_events(shop: ShopifyWorld, timezone: str, api_from_utc: int) -> pl.DataFrame:
    """Gift cards sold (by order date) and redeemed (by the gift-card transaction's date), in cents, per day."""
    local = lambda col, extra=0: (  # noqa: E731
        pl.from_epoch(pl.col(col) + extra).dt.replace_time_zone("UTC").dt.convert_time_zone(timezone).dt.date()
    )
    sold = (
        shop.lines.filter(pl.col("is_gift_card"))
        .join(shop.orders.select("order_seq", "created_utc"), on="order_seq")
        .select(
            activity_date=local("created_utc"),
            sold_cents=pl.col("gross_cents"),
            redeemed_cents=pl.lit(0, pl.Int64),
            gift_cards_sold=pl.col("quantity"),
        )
    )
    api = shop.orders.filter(pl.col("created_utc") >= api_from_utc)
    redeemed = (
        order_transactions(api)
        .filter((pl.col("gateway") == "gift_card") & pl.col("kind").is_in(["sale", "capture"]))
        .select(
            activity_date=local("created_utc", 2),
            sold_cents=pl.lit(0, pl.Int64),
            redeemed_cents=pl.col("amount_cents"),
            gift_cards_sold=pl.lit(0, pl.Int64),
        )
    )
    return pl.concat([sold, redeemed], how="vertical_relaxed")


def liability_daily(events: pl.DataFrame, currency: str = "USD") -> pl.DataFrame:
    """fct_gift_card_liability's grain: per day with activity, sold, redeemed, outstanding (running balance)."""
    return (
        events.group_by("activity_date")
        .agg(pl.col("sold_cents").sum(), pl.col("redeemed_cents").sum(), pl.col("gift_cards_sold").sum())
        .sort("activity_date")
        .with_columns(
            source_currency=pl.lit(currency),
            outstanding_cents=(pl.col("sold_cents") - pl.col("redeemed_cents")).cum_sum(),
        )
    )
