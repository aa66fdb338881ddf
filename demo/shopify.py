"""Shopify orders, refunds, payments and the visits that led to them, as plain tables.

The writers turn these tables into the native export formats; the truth
module applies metrics.md to what those files reveal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from demo import people
from demo.catalog import SHOP_DOMAIN
from demo.money import div_round

DISCOUNT_CODES = {"WELCOME10": 10, "BFCM25": 25, "ARTISAN15": 15, "FREESHIP": 0}
FREE_SHIPPING_OVER_CENTS = 7500
# US states of the demo that tax shipping charged with taxable goods (docs/metrics.md rule 34; the others
# do not tax separately stated delivery charges): NY, TX, WA, NJ, NC.
SHIPPING_TAXED_PROVINCES = ("NY", "TX", "WA", "NJ", "NC")
# Countries whose buyers see tax-inclusive prices (Shopify Markets' dynamic tax-inclusive pricing): the
# order has `taxes_included: true`, its line and shipping prices contain the VAT (standard rate 20% in
# GB, on delivery too) and Total = Subtotal + Shipping (docs/metrics.md rule 36).
TAX_INCLUSIVE_COUNTRIES = ("GB",)
LOOKBACK_DAYS = 30


@dataclass
class ShopifyCursor:
    """What one chunk of days hands to the next: sequence numbers and the customer count."""

    seed: int
    next_order_seq: int = 0
    last_order_id: int = 5_800_000_000_000
    last_line_item_id: int = 14_200_000_000_000
    customers: int = 0


def hashed_uniform(seed: int, keys: np.ndarray, salt: int) -> np.ndarray:
    """Uniform [0, 1) draws keyed by (seed, key, salt): splitmix64, so any chunk can rebuild a customer."""
    with np.errstate(over="ignore"):
        x = keys.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) + np.uint64((seed * 1_000_003 + salt) % 2**63)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        x = x ^ (x >> np.uint64(31))
    return (x >> np.uint64(11)).astype(np.float64) / float(2**53)


@dataclass
class ShopifyWorld:
    orders: pl.DataFrame
    lines: pl.DataFrame
    refunds: pl.DataFrame
    refund_lines: pl.DataFrame
    transactions: pl.DataFrame
    touches: pl.DataFrame


def _pick(rng: np.random.Generator, options: list, probs: list[float], n: int) -> np.ndarray:
    return np.asarray(options, dtype=object)[rng.choice(len(options), n, p=probs)]


def simulate_orders(
    rng: np.random.Generator, days: pl.DataFrame, products: pl.DataFrame, orders_per_day: float, cursor: ShopifyCursor
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Orders of `days` with customers, discounts, shipping and taxes, plus their line items.

    Advances `cursor` so the next chunk continues the order numbers and the customer base.
    """
    lam = orders_per_day * 0.55 * days["demand"].to_numpy()
    per_day = rng.poisson(lam)
    n = int(per_day.sum())
    local_day = np.repeat(np.arange(days.height), per_day)
    day_index = days["day_index"].to_numpy()[local_day]
    frac = rng.beta(2.4, 1.7, n)
    created = days["utc_start"].to_numpy()[local_day] + np.floor(frac * days["seconds"].to_numpy()[local_day]).astype(
        np.int64
    )
    order_sort = np.argsort(created, kind="stable")
    created, day_index = created[order_sort], day_index[order_sort]

    # Customers: about a quarter of orders come from returning customers (of this or earlier chunks).
    is_new = rng.random(n) < 0.74
    if cursor.customers == 0 and n:
        is_new[0] = True
    known = cursor.customers + np.cumsum(is_new)
    customer_seq = np.where(is_new, known - 1, np.floor(rng.random(n) * known).astype(np.int64))
    seqs = np.unique(customer_seq)

    def draw(salt: int, size: int) -> np.ndarray:
        return np.floor(hashed_uniform(cursor.seed, seqs, salt) * size).astype(np.int64)

    cust_first = draw(1, len(people.FIRST_NAMES))
    cust_last = draw(2, len(people.LAST_NAMES))
    cust_domain = draw(3, len(people.EMAIL_DOMAINS))
    country_cdf = np.cumsum([c[1] for c in people.COUNTRIES])
    cust_country = np.searchsorted(country_cdf / country_cdf[-1], hashed_uniform(cursor.seed, seqs, 4), side="right")
    cust_place = draw(5, 100)
    cust_street_no = 1 + draw(6, 998)
    cust_street = draw(7, len(people.STREETS))
    cust_marketing = hashed_uniform(cursor.seed, seqs, 8) < 0.45

    country_rows = [(ci, pi, c, place) for ci, c in enumerate(people.COUNTRIES) for pi, place in enumerate(c[3])]
    place_table = pl.DataFrame(
        {
            "country_index": [r[0] for r in country_rows],
            "place_index": [r[1] for r in country_rows],
            "country": [r[2][0] for r in country_rows],
            "presentment_currency": [r[2][2] for r in country_rows],
            "city": [r[3][0] for r in country_rows],
            "province_code": [r[3][1] for r in country_rows],
            "province": [r[3][2] for r in country_rows],
            "zip": [r[3][3] for r in country_rows],
            "tax_rate_e6": [round(r[3][4] * 1_000_000) for r in country_rows],
        }
    )
    places_per_country = np.array([len(c[3]) for c in people.COUNTRIES])
    customers = pl.DataFrame(
        {
            "customer_seq": seqs,
            "customer_id": 6_100_000_000_000 + seqs * 37 + 11,
            "first_name": np.asarray(people.FIRST_NAMES, dtype=object)[cust_first].astype(str),
            "last_name": np.asarray(people.LAST_NAMES, dtype=object)[cust_last].astype(str),
            "email_domain": np.asarray(people.EMAIL_DOMAINS, dtype=object)[cust_domain].astype(str),
            "country_index": cust_country,
            "place_index": cust_place % places_per_country[cust_country],
            "street": [f"{no} {people.STREETS[s]}" for no, s in zip(cust_street_no, cust_street, strict=True)],
            "accepts_marketing": cust_marketing,
        }
    ).join(place_table, on=["country_index", "place_index"], how="left")
    customers = customers.with_columns(
        email=(
            pl.col("first_name").str.to_lowercase().str.replace_all(r"[^a-z]", "")
            + pl.lit(".")
            + pl.col("last_name").str.to_lowercase().str.replace_all(r"[^a-z]", "")
            + pl.col("customer_seq").cast(pl.String)
            + pl.lit("@")
            + pl.col("email_domain")
        ),
        phone=pl.lit("+1 555-") + (pl.col("customer_seq") % 9000 + 1000).cast(pl.String),
    )

    order_id = cursor.last_order_id + np.cumsum(rng.integers(1_000, 90_000, n))
    is_bfcm = days["is_bfcm"].to_numpy()[local_day]
    express = rng.random(n) < 0.1
    gateway = np.where(rng.random(n) < 0.88, "shopify_payments", "paypal")
    card_brand = _pick(rng, ["visa", "master", "american_express", "discover"], [0.5, 0.3, 0.15, 0.05], n)
    source_name = _pick(rng, ["web", "shopify_draft_order", "tiktok"], [0.95, 0.03, 0.02], n)
    note_index = np.where(rng.random(n) < 0.04, rng.integers(1, len(people.NOTES), n), 0)
    orders = (
        pl.DataFrame(
            {
                "order_seq": cursor.next_order_seq + np.arange(n),
                "order_id": order_id,
                "order_number": 1001 + cursor.next_order_seq + np.arange(n),
                "created_utc": created,
                "day_index": day_index,
                "customer_seq": customer_seq,
                "is_new_customer": is_new,
                "is_bfcm": is_bfcm,
                "express": express,
                "gateway": gateway,
                "card_brand": np.where(gateway == "shopify_payments", card_brand, "").astype(str),
                "source_name": source_name.astype(str),
                "note": np.asarray(people.NOTES, dtype=object)[note_index].astype(str),
                "discount_draw": rng.random(n),
            }
        )
        .join(customers, on="customer_seq", how="left")
        .sort("order_seq")
    )
    orders = orders.with_columns(
        name=pl.lit("#") + pl.col("order_number").cast(pl.String),
        taxes_included=pl.col("country").is_in(TAX_INCLUSIVE_COUNTRIES),
    )

    # Line items: 1-5 distinct SKUs per order, drawn by popularity.
    n_lines = 1 + np.minimum(rng.poisson(0.55, n), 4)
    line_order = np.repeat(np.arange(n), n_lines)
    position = np.arange(line_order.size) - np.repeat(np.cumsum(n_lines) - n_lines, n_lines)
    first_sku = rng.choice(products.height, n, p=products["popularity"].to_numpy())
    step = rng.integers(1, 23, line_order.size)
    step[position == 0] = 0
    offsets = np.cumsum(step) - np.repeat(np.cumsum(step)[np.cumsum(n_lines) - n_lines] - 0, n_lines)
    sku_index = (first_sku[line_order] + offsets) % products.height
    quantity = rng.choice([1, 2, 3], line_order.size, p=[0.82, 0.14, 0.04])
    line_ids = cursor.last_line_item_id + np.cumsum(rng.integers(1_000, 50_000, line_order.size))
    lines = (
        pl.DataFrame(
            {
                "order_seq": cursor.next_order_seq + line_order,
                "position": position + 1,
                "line_item_id": line_ids,
                "sku_index": sku_index,
                "quantity": quantity,
            }
        )
        .join(
            products.with_row_index("sku_index")
            .with_columns(pl.col("sku_index").cast(pl.Int64))
            .select("sku_index", "sku", "product_name", "category", "vendor", "price_cents", "weight_kg"),
            on="sku_index",
            how="left",
        )
        .with_columns(taxable=pl.col("category") != "Stationery")  # printed matter is exempt in the demo
        .join(
            orders.select("order_seq", "taxes_included", "tax_rate_e6"),
            on="order_seq",
            how="left",
            maintain_order="left",
        )
        # Dynamic tax-inclusive pricing: the catalog price is the product portion, so a VAT buyer's price is it
        # plus the local VAT (Shopify Help Center, "Dynamic tax-inclusive pricing").
        .with_columns(
            price_cents=pl.when(pl.col("taxes_included") & pl.col("taxable"))
            .then(div_round(pl.col("price_cents") * (1_000_000 + pl.col("tax_rate_e6")), 1_000_000))
            .otherwise(pl.col("price_cents"))
        )
        .with_columns(gross_cents=pl.col("price_cents") * pl.col("quantity"))
        .drop("taxes_included", "tax_rate_e6")
    )

    # Discount codes and shipping at order level.
    items = lines.group_by("order_seq").agg(items_gross_cents=pl.col("gross_cents").sum())
    orders = (
        orders.join(items, on="order_seq", how="left")
        .with_columns(
            discount_code=pl.when(pl.col("is_new_customer") & (pl.col("discount_draw") < 0.3))
            .then(pl.lit("WELCOME10"))
            .when(pl.col("is_bfcm") & (pl.col("discount_draw") < 0.55))
            .then(pl.lit("BFCM25"))
            .when(pl.col("discount_draw") > 0.95)
            .then(pl.lit("ARTISAN15"))
            .when((pl.col("discount_draw") > 0.9) & (pl.col("country") == "US"))
            .then(pl.lit("FREESHIP"))
            .otherwise(pl.lit(None, pl.String))
        )
        .with_columns(
            discount_pct=pl.col("discount_code").replace_strict(DISCOUNT_CODES, default=0, return_dtype=pl.Int64)
        )
        .with_columns(item_discount_cents=div_round(pl.col("items_gross_cents") * pl.col("discount_pct"), 100))
        .with_columns(
            shipping_method=pl.when(pl.col("country") != "US")
            .then(pl.lit("International Shipping"))
            .when(pl.col("express"))
            .then(pl.lit("Express Shipping"))
            .when(pl.col("items_gross_cents") - pl.col("item_discount_cents") >= FREE_SHIPPING_OVER_CENTS)
            .then(pl.lit("Free Shipping"))
            .otherwise(pl.lit("Standard Shipping")),
        )
        .with_columns(
            service_level=pl.when(pl.col("shipping_method") == "Express Shipping")
            .then(pl.lit("Express"))
            .otherwise(pl.lit("Standard")),
            shipping_price_cents=pl.col("shipping_method").replace_strict(
                {
                    "International Shipping": 1995,
                    "Express Shipping": 1495,
                    "Free Shipping": 0,
                    "Standard Shipping": 795,
                },
                return_dtype=pl.Int64,
            ),
        )
        .with_columns(
            shipping_discount_cents=pl.when(pl.col("discount_code") == "FREESHIP")
            .then(pl.col("shipping_price_cents"))
            .otherwise(0),
        )
    )

    # Shopify's own allocation of the order discount: floor shares, remainder on the last line.
    lines = (
        lines.join(
            orders.select("order_seq", "item_discount_cents", "items_gross_cents", "tax_rate_e6", "taxes_included"),
            on="order_seq",
        )
        .with_columns(
            _floor=(pl.col("item_discount_cents") * pl.col("gross_cents")) // pl.col("items_gross_cents"),
            _last=pl.col("position") == pl.col("position").max().over("order_seq"),
        )
        .with_columns(
            discount_alloc_cents=pl.col("_floor")
            + pl.when(pl.col("_last"))
            .then(pl.col("item_discount_cents") - pl.col("_floor").sum().over("order_seq"))
            .otherwise(0)
        )
        .with_columns(
            tax_cents=pl.when(pl.col("taxable") & pl.col("taxes_included"))
            .then(
                div_round(
                    (pl.col("gross_cents") - pl.col("discount_alloc_cents")) * pl.col("tax_rate_e6"),
                    1_000_000 + pl.col("tax_rate_e6"),
                )
            )
            .when(pl.col("taxable"))
            .then(
                div_round((pl.col("gross_cents") - pl.col("discount_alloc_cents")) * pl.col("tax_rate_e6"), 1_000_000)
            )
            .otherwise(0)
        )
        .drop("_floor", "_last", "item_discount_cents", "items_gross_cents", "tax_rate_e6", "taxes_included")
    )

    taxes = lines.group_by("order_seq").agg(line_taxes_cents=pl.col("tax_cents").sum())
    orders = (
        orders.join(taxes, on="order_seq")
        .with_columns(
            subtotal_cents=pl.col("items_gross_cents") - pl.col("item_discount_cents"),
            shipping_cents=pl.col("shipping_price_cents") - pl.col("shipping_discount_cents"),
        )
        .with_columns(
            shipping_tax_cents=pl.when(pl.col("taxes_included"))
            .then(div_round(pl.col("shipping_cents") * pl.col("tax_rate_e6"), 1_000_000 + pl.col("tax_rate_e6")))
            .when((pl.col("country") == "US") & pl.col("province_code").is_in(SHIPPING_TAXED_PROVINCES))
            .then(div_round(pl.col("shipping_cents") * pl.col("tax_rate_e6"), 1_000_000))
            .otherwise(0)
        )
        .with_columns(taxes_cents=pl.col("line_taxes_cents") + pl.col("shipping_tax_cents"))
        .with_columns(
            # tax-inclusive prices already contain the tax
            total_cents=pl.col("subtotal_cents")
            + pl.col("shipping_cents")
            + pl.when(pl.col("taxes_included")).then(0).otherwise(pl.col("taxes_cents")),
            discount_amount_cents=pl.col("item_discount_cents") + pl.col("shipping_discount_cents"),
        )
        .drop("discount_draw")
    )
    if n:
        cursor.next_order_seq += n
        cursor.last_order_id = int(order_id[-1])
        cursor.last_line_item_id = int(line_ids[-1])
        cursor.customers = int(known[-1])
    # Joins do not keep row order; later draws are attached by position, so fix it here.
    return orders.sort("order_seq"), lines.sort(["order_seq", "position"])


def simulate_refunds(
    rng: np.random.Generator, orders: pl.DataFrame, lines: pl.DataFrame, end_utc: int
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """At most one refund per order: cancellations, full and partial returns, goodwill refunds without items.

    Refunds dated after the end of the period have not happened yet and are dropped.
    Returns the orders with cancellation and fulfilment times, the refunds and their lines.
    """
    n = orders.height
    draw = rng.random(n)
    kind = np.where(
        draw < 0.012,
        "cancel",
        np.where(draw < 0.037, "full", np.where(draw < 0.062, "partial", np.where(draw < 0.07, "goodwill", ""))),
    )
    created = orders["created_utc"].to_numpy()
    delay = np.where(
        kind == "cancel",
        rng.integers(1_800, 30 * 3_600, n),
        rng.integers(8 * 86_400, 35 * 86_400, n),
    )
    refund_at = created + delay
    happened = (kind != "") & (refund_at < end_utc)
    kind = np.where(happened, kind, "")
    ship_at = created + rng.integers(7_200, 3 * 86_400, n)
    orders = orders.with_columns(
        refund_kind=pl.Series(kind),
        cancelled_utc=pl.Series(np.where(kind == "cancel", refund_at, -1)).replace(-1, None),
        fulfilled_utc=pl.Series(np.where((kind != "cancel") & (ship_at < end_utc), ship_at, -1)).replace(-1, None),
    )
    refunds = (
        orders.filter(pl.col("refund_kind") != "")
        .select(
            "order_seq",
            "order_id",
            "refund_kind",
            "shipping_cents",
            "shipping_tax_cents",
            "taxes_included",
            refund_utc=pl.Series(refund_at[happened]),
        )
        .with_columns(
            refund_id=980_000_000_000 + pl.col("order_seq") * 13,
            shipping_refund_cents=pl.when(pl.col("refund_kind") == "cancel")
            .then(pl.col("shipping_cents"))
            .otherwise(0),
            shipping_tax_refund_cents=pl.when(pl.col("refund_kind") == "cancel")
            .then(pl.col("shipping_tax_cents"))
            .otherwise(0),
        )
        .drop("shipping_cents", "shipping_tax_cents")
    )

    line_draw = rng.random(lines.height)
    restock_draw = rng.random(lines.height)
    qty_draw = rng.random(lines.height)
    refund_lines = lines.with_columns(
        _draw=pl.Series(line_draw), _restock=pl.Series(restock_draw), _qty=pl.Series(qty_draw)
    ).join(
        refunds.filter(pl.col("refund_kind") != "goodwill").select("order_seq", "refund_id", "refund_kind"),
        on="order_seq",
        how="inner",
    )
    # Partial refunds take back part of one line; the others everything.
    refund_lines = (
        refund_lines.with_columns(_chosen=pl.col("_draw") == pl.col("_draw").min().over("order_seq"))
        .filter((pl.col("refund_kind") != "partial") | pl.col("_chosen"))
        .with_columns(
            refund_quantity=pl.when(pl.col("refund_kind") == "partial")
            .then(1 + (pl.col("_qty") * pl.col("quantity")).floor().cast(pl.Int64).clip(0, pl.col("quantity") - 1))
            .otherwise(pl.col("quantity")),
            restock_type=pl.when(pl.col("refund_kind") == "cancel")
            .then(pl.lit("cancel"))
            .when((pl.col("refund_kind") == "partial") & (pl.col("_restock") < 0.45))
            .then(pl.lit("no_restock"))
            .otherwise(pl.lit("return")),
        )
        .with_columns(
            subtotal_cents=div_round(
                (pl.col("gross_cents") - pl.col("discount_alloc_cents")) * pl.col("refund_quantity"), pl.col("quantity")
            ),
            total_tax_cents=div_round(pl.col("tax_cents") * pl.col("refund_quantity"), pl.col("quantity")),
        )
        .select(
            "refund_id",
            "order_seq",
            "line_item_id",
            "refund_quantity",
            "restock_type",
            "subtotal_cents",
            "total_tax_cents",
        )
        .sort(["refund_id", "line_item_id"])
    )
    totals = refund_lines.group_by("refund_id").agg(
        items_cents=pl.col("subtotal_cents").sum(), tax_cents=pl.col("total_tax_cents").sum()
    )
    # Goodwill refunds have no lines; restocking fees and discrepancies change the money paid back.
    from demo.shopify_refunds import adjust_refunds

    refunds = adjust_refunds(
        refunds.join(totals, on="refund_id", how="left").with_columns(
            pl.col("items_cents").fill_null(0), pl.col("tax_cents").fill_null(0)
        ),
        orders,
    )
    # Tax-inclusive prices: the lines' subtotals and the shipping refunded already contain their tax.
    refunds = refunds.with_columns(
        amount_cents=pl.col("items_cents")
        - pl.col("discrepancy_cents")
        + pl.col("shipping_refund_cents")
        + pl.when(pl.col("taxes_included")).then(0).otherwise(pl.col("tax_cents") + pl.col("shipping_tax_refund_cents"))
    ).sort("order_seq")
    refunded = refunds.select("order_seq", refunded_cents="amount_cents")
    orders = (
        orders.join(refunded, on="order_seq", how="left")
        .with_columns(
            refunded_cents=pl.col("refunded_cents").fill_null(0),
            financial_status=pl.when(pl.col("refund_kind").is_in(["partial", "goodwill"]))
            .then(pl.lit("partially_refunded"))
            .when(pl.col("refund_kind") != "")
            .then(pl.lit("refunded"))
            .otherwise(pl.lit("paid")),
        )
        .sort("order_seq")
    )
    return orders, refunds, refund_lines


def simulate_transactions(
    rng: np.random.Generator, orders: pl.DataFrame, refunds: pl.DataFrame, cutoff_utc: int
) -> pl.DataFrame:
    """Shopify Payments balance transactions: one charge per order, refunds without fee return.

    The brand downloaded the export `cutoff_utc`, a few days before the period ends,
    so the newest orders carry estimated fees until the next export.
    """
    paid = orders.filter(pl.col("gateway") == "shopify_payments")
    international = (pl.col("country") != "US") | (pl.col("card_brand") == "american_express")
    charges = paid.select(
        "order_seq",
        "name",
        "card_brand",
        "presentment_currency",
        "country",
        transaction_utc=pl.col("created_utc") + 3,
        type=pl.lit("charge"),
        amount_cents=pl.col("total_cents"),
        fee_cents=pl.when(international)
        .then(div_round(pl.col("total_cents") * 39, 1000) + 30)
        .otherwise(div_round(pl.col("total_cents") * 29, 1000) + 30),
    )
    refund_rows = refunds.join(
        paid.select("order_seq", "name", "card_brand", "presentment_currency", "country"), on="order_seq"
    ).select(
        "order_seq",
        "name",
        "card_brand",
        "presentment_currency",
        "country",
        transaction_utc=pl.col("refund_utc") + 5,
        type=pl.lit("refund"),
        amount_cents=-pl.col("amount_cents"),
        fee_cents=pl.lit(0, pl.Int64),
    )
    txns = pl.concat([charges, refund_rows]).filter(pl.col("transaction_utc") <= cutoff_utc)
    txns = txns.sort(["transaction_utc", "order_seq", "type"]).with_columns(
        net_cents=pl.col("amount_cents") - pl.col("fee_cents"),
        checkout_token=pl.Series(rng.integers(10**15, 10**16, txns.height)).cast(pl.String),
    )
    # Chargebacks and won disputes (docs/metrics.md rule 33), keyed by order so no other draw shifts.
    from demo.shopify_disputes import dispute_rows

    disputes = (
        dispute_rows(
            paid.select(
                "order_seq",
                "order_id",
                "name",
                "card_brand",
                "presentment_currency",
                "country",
                "created_utc",
                "total_cents",
                "refund_kind",
            )
        )
        .filter(pl.col("transaction_utc") <= cutoff_utc)
        .with_columns(net_cents=pl.col("amount_cents") - pl.col("fee_cents"), checkout_token=pl.lit(""))
    )
    return pl.concat([txns, disputes]).sort(["transaction_utc", "order_seq", "type"])


def simulate_touches(
    rng: np.random.Generator,
    orders: pl.DataFrame,
    campaign_daily: pl.DataFrame,
    campaigns: pl.DataFrame,
    products: pl.DataFrame,
    days: pl.DataFrame,
) -> pl.DataFrame:
    """The planted visit sequence of each order: 1-4 visits, the last one the order's own.

    Paid visits pick a campaign that spent that day (by its share of the day's spend);
    visits outside the period keep their click id but no campaign.
    """
    n = orders.height
    n_touch = rng.choice([1, 2, 3, 4], n, p=[0.4, 0.3, 0.2, 0.1])
    order_seq = np.repeat(orders["order_seq"].to_numpy(), n_touch)
    created = np.repeat(orders["created_utc"].to_numpy(), n_touch)
    last = np.cumsum(n_touch) - 1
    is_last = np.zeros(order_seq.size, dtype=bool)
    is_last[last] = True
    age = np.where(is_last, 0, np.floor(rng.uniform(0.02, 34.0, order_seq.size) * 86_400).astype(np.int64))
    occurred = created - age
    kind = _pick(
        rng, ["google", "meta", "email", "organic", "direct"], [0.28, 0.30, 0.10, 0.16, 0.16], order_seq.size
    ).astype(str)
    utc_starts = days["utc_start"].to_numpy()
    touch_day = np.searchsorted(utc_starts, occurred, side="right") - 1
    touch_day = np.where(occurred >= utc_starts[0], touch_day, -1)
    touches = pl.DataFrame(
        {
            "order_seq": order_seq,
            "occurred_utc": occurred,
            "is_order_visit": is_last,
            "kind": kind,
            "day_index": touch_day.astype(np.int32),
            "pick": rng.random(order_seq.size),
            "variant": rng.random(order_seq.size),
            "product_index": rng.choice(products.height, order_seq.size, p=products["popularity"].to_numpy()),
            "click_id": rng.integers(10**17, 10**18, order_seq.size),
        }
    ).with_columns(platform=pl.col("kind").replace_strict({"google": "google_ads", "meta": "meta_ads"}, default=None))
    # Choose the campaign by cumulative share of that day's spend on the platform.
    shares = (
        campaign_daily.sort(["platform", "day_index", "campaign_id"])
        .with_columns(
            cum_share=pl.col("spend_cents").cum_sum().over(["platform", "day_index"])
            / pl.col("spend_cents").sum().over(["platform", "day_index"])
        )
        .select("platform", "day_index", "cum_share", "campaign_id")
    )
    touches = (
        touches.sort("pick")
        .join_asof(
            shares.sort("cum_share"),
            left_on="pick",
            right_on="cum_share",
            by=["platform", "day_index"],
            strategy="forward",
            check_sortedness=False,
        )
        .drop("cum_share")
    )
    touches = touches.join(campaigns.select("campaign_id", "campaign_name"), on="campaign_id", how="left")
    handles = products.select(handle=pl.col("product_name").str.to_lowercase().str.replace_all(" ", "-"))[
        "handle"
    ].to_numpy()
    touches = touches.with_columns(
        path=pl.Series("path", np.char.add("/products/", handles[touches["product_index"].to_numpy()].astype(str)))
    )
    encoded_name = (
        pl.when(pl.col("variant") < 0.5)
        .then(pl.col("campaign_name").str.replace_all(" ", "+"))
        .otherwise(pl.col("campaign_name").str.to_lowercase().str.replace_all(" ", "%20"))
    )
    meta_source = (
        pl.when(pl.col("variant") < 0.45)
        .then(pl.lit("facebook"))
        .when(pl.col("variant") < 0.7)
        .then(pl.lit("instagram"))
        .when(pl.col("variant") < 0.85)
        .then(pl.lit("fb"))
        .otherwise(pl.lit("ig"))
    )
    click = pl.col("click_id").cast(pl.String)
    query = (
        pl.when((pl.col("kind") == "google") & (pl.col("variant") < 0.15))
        .then(pl.lit("?gclid=Cj0KCQ") + click)  # auto-tagging only: platform known, campaign not
        .when((pl.col("kind") == "google") & pl.col("campaign_id").is_null())
        .then(pl.lit("?utm_source=google&utm_medium=cpc&gclid=Cj0KCQ") + click)
        .when(pl.col("kind") == "google")
        .then(
            pl.lit("?utm_source=google&utm_medium=cpc&utm_campaign=")
            + pl.when(pl.col("variant") < 0.6).then(pl.col("campaign_id")).otherwise(encoded_name)
            + pl.lit("&gclid=Cj0KCQ")
            + click
        )
        .when((pl.col("kind") == "meta") & pl.col("campaign_id").is_null())
        .then(pl.lit("?utm_source=") + meta_source + pl.lit("&utm_medium=paid_social&fbclid=IwAR") + click)
        .when(pl.col("kind") == "meta")
        .then(
            pl.lit("?utm_source=")
            + meta_source
            + pl.lit("&utm_medium=paid_social&utm_campaign=")
            + encoded_name
            + pl.lit("&fbclid=IwAR")
            + click
        )
        .when(pl.col("kind") == "email")
        .then(pl.lit("?utm_source=klaviyo&utm_medium=email&utm_campaign=Weekly+Newsletter"))
        .otherwise(pl.lit(""))
    )
    touches = touches.with_columns(
        landing_path=pl.col("path") + query,
        referrer_url=pl.when(pl.col("kind") == "organic")
        .then(pl.lit("https://www.google.com/"))
        .when(pl.col("kind") == "meta")
        .then(pl.lit("https://l.facebook.com/"))
        .when(pl.col("kind") == "google")
        .then(pl.lit("https://www.google.com/"))
        .otherwise(pl.lit("")),
    ).with_columns(
        landing_url=pl.lit(f"https://{SHOP_DOMAIN}") + pl.col("landing_path"),
        platform=pl.when(pl.col("kind") == "google")
        .then(pl.lit("google_ads"))
        .when(pl.col("kind") == "meta")
        .then(pl.lit("meta_ads"))
        .otherwise(pl.lit(None, pl.String)),
    )
    return touches.sort(["order_seq", "occurred_utc", "is_order_visit"]).select(
        "order_seq",
        "occurred_utc",
        "is_order_visit",
        "kind",
        "platform",
        "campaign_id",
        "campaign_name",
        "landing_path",
        "landing_url",
        "referrer_url",
        "variant",
    )


def landing_sites(orders: pl.DataFrame, touches: pl.DataFrame) -> pl.DataFrame:
    """What Shopify records for each order's visit: `landing_site` and `referring_site`.

    landing_site is the path with its query, sometimes a full URL, and null for draft orders.
    """
    visits = touches.filter(pl.col("is_order_visit")).select(
        "order_seq", "landing_path", "landing_url", "referrer_url", "variant"
    )
    return (
        orders.select("order_seq", "source_name")
        .join(visits, on="order_seq", how="left")
        .select(
            "order_seq",
            landing_site=pl.when(pl.col("source_name") == "shopify_draft_order")
            .then(pl.lit(None, pl.String))
            .when(pl.col("variant") > 0.7)
            .then(pl.col("landing_url"))
            .otherwise(pl.col("landing_path")),
            referring_site=pl.when(pl.col("referrer_url") != "").then(pl.col("referrer_url")),
        )
    )


def simulate_shopify(
    rng: np.random.Generator,
    cursor: ShopifyCursor,
    chunk_days: pl.DataFrame,
    days: pl.DataFrame,
    products: pl.DataFrame,
    orders_per_day: float,
    campaign_daily: pl.DataFrame,
    campaigns: pl.DataFrame,
    end_utc: int,
    payments_cutoff_utc: int,
) -> ShopifyWorld:
    orders, lines = simulate_orders(rng, chunk_days, products, orders_per_day, cursor)
    orders, refunds, refund_lines = simulate_refunds(rng, orders, lines, end_utc)
    transactions = simulate_transactions(rng, orders, refunds, payments_cutoff_utc)
    touches = simulate_touches(rng, orders, campaign_daily, campaigns, products, days)
    return ShopifyWorld(orders, lines, refunds, refund_lines, transactions, touches)
