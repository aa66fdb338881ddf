"""How Shopify orders were paid (docs/metrics.md rule 21): captured or not, and through which tenders.

Applied to each chunk's Shopify world after it is simulated, with draws keyed by the order (hashed, no
shared random stream), so every other table of the data set keeps its values:
- about 1.2% of orders are paid by a manual method (bank deposit) still awaiting payment: `pending`, gateway
  `manual`, no Shopify Payments charge;
- about 1% are paid fully by gift card (gateway `gift_card`) and about 2.5% of Shopify Payments orders over
  $25 split tender: a $10 or $25 gift card, the rest charged through Shopify Payments (the charge is the
  rest, its fee on the rest);
- a third of the Shopify Payments orders of the last two days are only `authorized` (manual capture, not
  yet captured): no charge yet;
- half of the Shopify Payments orders cancelled within hours (API-delivered) were never captured: `voided`,
  the authorization voided, the order's lines refunded by its cancel refund lines, and no charge or refund in
  the payments export.
Orders with a refund other than such a cancellation keep their single tender.
The order transactions (Admin API `orders/<id>/transactions.json`) of the API-delivered orders say which
tender paid what.
"""

from __future__ import annotations

import polars as pl

from demo.money import div_round
from demo.shopify import ShopifyWorld, hashed_uniform

GIFT_CARD_SPLITS_CENTS = (1000, 2500)
AUTHORIZED_WINDOW_SECONDS = 2 * 86_400
UNCAPTURED = ("authorized", "pending", "voided", "expired")


def apply_tenders(shop: ShopifyWorld, seed: int, end_utc: int, api_from_utc: int) -> ShopifyWorld:
    orders = shop.orders
    seqs = orders["order_seq"].to_numpy()
    u = hashed_uniform(seed, seqs, 9101)
    v = hashed_uniform(seed, seqs, 9102)
    w = hashed_uniform(seed, seqs, 9103)
    orders = orders.with_columns(_u=pl.Series(u), _v=pl.Series(v), _w=pl.Series(w))
    unrefunded = pl.col("refund_kind") == ""
    card = pl.col("gateway") == "shopify_payments"
    split_cents = pl.when(pl.col("_w") < 0.5).then(GIFT_CARD_SPLITS_CENTS[0]).otherwise(GIFT_CARD_SPLITS_CENTS[1])
    orders = orders.with_columns(
        tender=pl.when(unrefunded & (pl.col("_u") < 0.012))
        .then(pl.lit("manual"))
        .when(unrefunded & (pl.col("_u") < 0.022))
        .then(pl.lit("gift_card"))
        .when(unrefunded & card & (pl.col("_u") < 0.047) & (pl.col("total_cents") > 2500))
        .then(pl.lit("split"))
        .otherwise(pl.lit("single")),
    ).with_columns(
        gateway=pl.when(pl.col("tender") == "manual")
        .then(pl.lit("manual"))
        .when(pl.col("tender") == "gift_card")
        .then(pl.lit("gift_card"))
        .otherwise(pl.col("gateway")),
        gift_card_cents=pl.when(pl.col("tender") == "gift_card")
        .then(pl.col("total_cents"))
        .when(pl.col("tender") == "split")
        .then(pl.min_horizontal(split_cents, pl.col("total_cents") - 100))
        .otherwise(0),
    )
    orders = orders.with_columns(
        payment_gateways=pl.when(pl.col("tender") == "split")
        .then(pl.concat_list(pl.lit("gift_card"), pl.col("gateway")))
        .otherwise(pl.concat_list(pl.col("gateway"))),
        financial_status=pl.when(pl.col("tender") == "manual")
        .then(pl.lit("pending"))
        .when(
            unrefunded
            & card
            & (pl.col("tender") == "single")
            & (pl.col("created_utc") >= end_utc - AUTHORIZED_WINDOW_SECONDS)
            & (pl.col("_v") < 1 / 3)
        )
        .then(pl.lit("authorized"))
        .when(
            (pl.col("refund_kind") == "cancel") & card & (pl.col("created_utc") >= api_from_utc) & (pl.col("_v") < 0.5)
        )
        .then(pl.lit("voided"))
        .otherwise(pl.col("financial_status")),
    ).drop("_u", "_v", "_w")

    # The payments export: no charge (nor refund) for orders never captured; a split order's charge is the rest.
    uncaptured = orders.filter(pl.col("financial_status").is_in(UNCAPTURED) | (pl.col("tender") == "gift_card"))
    charged = pl.col("amount_cents") - pl.col("gift_card_cents")
    transactions = (
        shop.transactions.join(uncaptured.select("order_seq"), on="order_seq", how="anti")
        .join(orders.select("order_seq", "gift_card_cents"), on="order_seq", how="left")
        .with_columns(
            amount_cents=pl.when(pl.col("type") == "charge").then(charged).otherwise(pl.col("amount_cents")),
            fee_cents=pl.when((pl.col("type") == "charge") & (pl.col("gift_card_cents") > 0))
            .then(card_fee_cents(charged))
            .otherwise(pl.col("fee_cents")),
        )
        .with_columns(net_cents=pl.col("amount_cents") - pl.col("fee_cents"))
        .drop("gift_card_cents")
    )
    return ShopifyWorld(orders, shop.lines, shop.refunds, shop.refund_lines, transactions, shop.touches)


def card_fee_cents(charged: pl.Expr) -> pl.Expr:
    """Shopify Payments' fee on a charge (demo/shopify.simulate_transactions): 3.9% + 30c for international or
    Amex cards, else 2.9% + 30c. Needs `country` and `card_brand`."""
    international = (pl.col("country") != "US") | (pl.col("card_brand") == "american_express")
    return pl.when(international).then(div_round(charged * 39, 1000) + 30).otherwise(div_round(charged * 29, 1000) + 30)


def order_transactions(orders: pl.DataFrame) -> pl.DataFrame:
    """The order transactions of the given orders: one successful payment per tender (authorization only when
    not captured, nothing for a pending manual payment), ids keyed by the order."""
    base = orders.select(
        "order_seq",
        "order_id",
        "created_utc",
        "gateway",
        "tender",
        "financial_status",
        "total_cents",
        "gift_card_cents",
    )
    gift = base.filter(pl.col("gift_card_cents") > 0).select(
        "order_seq",
        "order_id",
        "created_utc",
        part=pl.lit(1),
        kind=pl.lit("sale"),
        gateway=pl.lit("gift_card"),
        amount_cents="gift_card_cents",
    )
    card = base.filter((pl.col("tender") != "gift_card") & (pl.col("financial_status") != "pending")).select(
        "order_seq",
        "order_id",
        "created_utc",
        part=pl.lit(2),
        kind=pl.when(pl.col("financial_status").is_in(["authorized", "voided"]))
        .then(pl.lit("authorization"))
        .otherwise(pl.lit("sale")),
        gateway="gateway",
        amount_cents=pl.col("total_cents") - pl.col("gift_card_cents"),
    )
    out = pl.concat([gift, card]).sort(["order_seq", "part"])
    return out.with_columns(transaction_id=pl.col("order_id") // 1000 * 10 + pl.col("part"))


def write_order_transactions_json(frames: list[pl.DataFrame], timezone: str, path) -> None:
    """The order transactions page (`{"transactions": [...]}`), in the Admin API's shape."""
    import json

    rows = pl.concat(frames) if frames else pl.DataFrame()
    if rows.is_empty():
        page = []
    else:
        rows = rows.with_columns(
            created_at=pl.from_epoch(pl.col("created_utc") + 2)
            .dt.replace_time_zone("UTC")
            .dt.convert_time_zone(timezone)
            .dt.strftime("%Y-%m-%dT%H:%M:%S%:z"),
            amount=pl.format(
                "{}.{}",
                pl.col("amount_cents") // 100,
                (pl.col("amount_cents") % 100).cast(pl.String).str.zfill(2),
            ),
        )
        page = [
            {
                "id": r["transaction_id"],
                "order_id": r["order_id"],
                "kind": r["kind"],
                "gateway": r["gateway"],
                "status": "success",
                "amount": r["amount"],
                "currency": "USD",
                "created_at": r["created_at"],
                "parent_id": None,
                "test": False,
            }
            for r in rows.iter_rows(named=True)
        ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"transactions": page}) + "\n", encoding="utf-8")
