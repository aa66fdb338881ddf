"""Write the simulated world as the platforms' native export files (see shared formats.md).

Each writer is vectorised with polars; file-level formatting (title lines,
summary rows, gzip) is added around the frame's CSV/JSON text. Order-grain
files are written chunk by chunk (`ExportWriter`), so memory stays flat.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import shutil
from pathlib import Path
from typing import TextIO

import polars as pl

from demo import etsy, inventory, payouts, tenders
from demo.amazon_ads_v2_writers import write_amazon_ads_v2_reports
from demo.google_click_view import google_clicks, write_click_view
from demo.money import cents_str, div_round
from demo.shipping import fulfillment_id, shopify_tracking
from demo.shopify import ShopifyWorld, landing_sites
from demo.world import Chunk, Context

SHOPIFY_ORDERS_COLUMNS = [
    "Name",
    "Email",
    "Financial Status",
    "Paid at",
    "Fulfillment Status",
    "Fulfilled at",
    "Accepts Marketing",
    "Currency",
    "Subtotal",
    "Shipping",
    "Taxes",
    "Total",
    "Discount Code",
    "Discount Amount",
    "Shipping Method",
    "Created at",
    "Lineitem quantity",
    "Lineitem name",
    "Lineitem price",
    "Lineitem compare at price",
    "Lineitem sku",
    "Lineitem requires shipping",
    "Lineitem taxable",
    "Lineitem fulfillment status",
    "Billing Name",
    "Billing Street",
    "Billing Address1",
    "Billing Address2",
    "Billing Company",
    "Billing City",
    "Billing Zip",
    "Billing Province",
    "Billing Country",
    "Billing Phone",
    "Shipping Name",
    "Shipping Street",
    "Shipping Address1",
    "Shipping Address2",
    "Shipping Company",
    "Shipping City",
    "Shipping Zip",
    "Shipping Province",
    "Shipping Country",
    "Shipping Phone",
    "Notes",
    "Note Attributes",
    "Cancelled at",
    "Payment Method",
    "Payment Reference",
    "Refunded Amount",
    "Vendor",
    "Outstanding Balance",
    "Employee",
    "Location",
    "Device ID",
    "Id",
    "Tags",
    "Risk Level",
    "Source",
    "Lineitem discount",
    "Tax 1 Name",
    "Tax 1 Value",
    "Tax 2 Name",
    "Tax 2 Value",
    "Tax 3 Name",
    "Tax 3 Value",
    "Tax 4 Name",
    "Tax 4 Value",
    "Tax 5 Name",
    "Tax 5 Value",
    "Phone",
    "Receipt Number",
    "Duties",
    "Billing Province Name",
    "Shipping Province Name",
    "Payment ID",
    "Payment Terms Name",
    "Next Payment Due At",
    "Payment References",
]
# Columns a continuation row (second and later line items of an order) repeats.
SHOPIFY_CONTINUATION_COLUMNS = {"Name", "Email", "Created at", "Vendor", "Lineitem discount"}
# Orders CSV `Payment Method` per gateway; split tender joins them with " + ".
PAYMENT_METHOD_NAMES = {
    "shopify_payments": "Shopify Payments",
    "paypal": "PayPal Express Checkout",
    "gift_card": "Gift Card",
    "manual": "manual",
}
PAYMENTS_COLUMNS = [
    "Transaction Date",
    "Type",
    "Order",
    "Card Brand",
    "Card Source",
    "Payout Status",
    "Payout Date",
    "Available On",
    "Amount",
    "Fee",
    "Net",
    "Checkout",
    "Payment Method Name",
    "Presentment Amount",
    "Presentment Currency",
    "Currency",
]
AMAZON_ORDERS_COLUMNS = [
    "amazon-order-id",
    "merchant-order-id",
    "purchase-date",
    "last-updated-date",
    "order-status",
    "fulfillment-channel",
    "sales-channel",
    "order-channel",
    "ship-service-level",
    "product-name",
    "sku",
    "asin",
    "item-status",
    "quantity",
    "currency",
    "item-price",
    "item-tax",
    "shipping-price",
    "shipping-tax",
    "gift-wrap-price",
    "gift-wrap-tax",
    "item-promotion-discount",
    "ship-promotion-discount",
    "ship-city",
    "ship-state",
    "ship-postal-code",
    "ship-country",
    "promotion-ids",
    "is-business-order",
    "purchase-order-number",
    "price-designation",
]
SETTLEMENT_COLUMNS = [
    "settlement-id",
    "settlement-start-date",
    "settlement-end-date",
    "deposit-date",
    "total-amount",
    "currency",
    "transaction-type",
    "order-id",
    "merchant-order-id",
    "adjustment-id",
    "shipment-id",
    "marketplace-name",
    "amount-type",
    "amount-description",
    "amount",
    "fulfillment-id",
    "posted-date",
    "posted-date-time",
    "order-item-code",
    "merchant-order-item-id",
    "merchant-adjustment-item-id",
    "sku",
    "quantity-purchased",
    "promotion-id",
]
EU_MARKETPLACES = {"Amazon.de"}
SETTLEMENT_ROW_ORDER = ["posted_utc", "amazon_order_id", "sku", "transaction_type", "amount_type", "amount_description"]


def local_ts(col: str, tz: str, fmt: str) -> pl.Expr:
    """Epoch seconds -> text in the brand's time zone (the offset changes with DST)."""
    return pl.from_epoch(pl.col(col)).dt.replace_time_zone("UTC").dt.convert_time_zone(tz).dt.strftime(fmt)


def utc_ts(col: str, fmt: str) -> pl.Expr:
    return pl.from_epoch(pl.col(col)).dt.strftime(fmt)


def _write_text(path: Path, text: str, newline: str = "\n") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline=newline) as handle:
        handle.write(text)


def _csv(df: pl.DataFrame, *, separator: str = ",", header: bool = True) -> str:
    """CSV text quoted only where needed; empty values as `,,` (polars would write `""`)."""
    blanked = df.with_columns(pl.col(pl.String).replace("", None))
    return blanked.write_csv(separator=separator, include_header=header, quote_style="necessary")


ROWS_PER_WRITE = 50_000  # rows formatted at a time: the text of a large file is never in memory whole


def _write_csv(target: Path | TextIO, df: pl.DataFrame, *, separator: str = ",", header: bool = True) -> None:
    """`_csv(df)` written to a path or an open text file, `ROWS_PER_WRITE` rows at a time (the same bytes)."""
    if isinstance(target, Path):
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "w", encoding="utf-8", newline="\n") as handle:
            _write_csv(handle, df, separator=separator, header=header)
        return
    for start in range(0, max(df.height, 1), ROWS_PER_WRITE):
        target.write(_csv(df.slice(start, ROWS_PER_WRITE), separator=separator, header=header and start == 0))


def with_presentment(ctx: Context, orders: pl.DataFrame) -> pl.DataFrame:
    """Attach the presentment-currency rate of each order's date (latest weekday rate)."""
    fx = ctx.fx.with_columns(rate_e6=(pl.col("rate") * 1_000_000).round().cast(pl.Int64)).sort("date")
    dated = orders.with_columns(
        _date=pl.from_epoch("created_utc").dt.replace_time_zone("UTC").dt.convert_time_zone(ctx.timezone).dt.date()
    ).sort("_date")
    joined = dated.join_asof(
        fx.rename({"currency": "presentment_currency", "date": "_fx_date"}),
        left_on="_date",
        right_on="_fx_date",
        by="presentment_currency",
        strategy="backward",
        check_sortedness=False,
    )
    return (
        joined.with_columns(pl.col("rate_e6").fill_null(1_000_000)).drop("_date", "_fx_date", "rate").sort("order_seq")
    )


def presentment(cents: pl.Expr) -> pl.Expr:
    """Shop-currency cents in the customer's currency (rates are USD per unit)."""
    return div_round(cents * 1_000_000, pl.col("rate_e6"))


# --------------------------------------------------------------------------- Shopify


def shopify_orders_csv(ctx: Context, shop: ShopifyWorld, target: Path | TextIO, *, header: bool) -> None:
    """Admin > Orders > Export: one row per line item, newest order first, 79 columns."""
    tz = ctx.timezone
    fmt = "%Y-%m-%d %H:%M:%S %z"
    refunds_dates = shop.refunds.select("order_seq", "refund_utc")
    orders = shop.orders.join(refunds_dates, on="order_seq", how="left")
    zip_text = pl.when(pl.col("zip").str.starts_with("0")).then(pl.lit("'") + pl.col("zip")).otherwise(pl.col("zip"))
    tax_name = (
        pl.when((pl.col("taxes_cents") > 0) & pl.col("taxes_included"))
        .then(pl.col("country") + pl.lit(" VAT ") + (pl.col("tax_rate_e6") // 10_000).cast(pl.String) + pl.lit("%"))
        .when(pl.col("taxes_cents") > 0)
        .then(
            pl.col("province_code")
            + pl.lit(" State Tax ")
            + (pl.col("tax_rate_e6") / 10_000).round(3).cast(pl.String)
            + pl.lit("%")
        )
        .otherwise(pl.lit(""))
    )
    payment_ref = pl.lit("c") + (pl.col("order_id") % 10**11).cast(pl.String) + pl.lit(".1")
    order_fields = orders.select(
        "order_seq",
        **{
            "Financial Status": pl.col("financial_status"),
            "Paid at": local_ts("created_utc", tz, fmt),
            "Fulfillment Status": pl.when(pl.col("fulfilled_utc").is_not_null())
            .then(pl.lit("fulfilled"))
            .otherwise(pl.lit("unfulfilled")),
            "Fulfilled at": pl.when(pl.col("fulfilled_utc").is_not_null())
            .then(local_ts("fulfilled_utc", tz, fmt))
            .otherwise(pl.lit("")),
            "Accepts Marketing": pl.when(pl.col("accepts_marketing")).then(pl.lit("yes")).otherwise(pl.lit("no")),
            "Currency": pl.lit("USD"),
            "Subtotal": cents_str("subtotal_cents"),
            "Shipping": cents_str("shipping_cents"),
            "Taxes": cents_str("taxes_cents"),
            "Total": cents_str("total_cents"),
            "Discount Code": pl.col("discount_code").fill_null(""),
            "Discount Amount": cents_str("discount_amount_cents"),
            "Shipping Method": pl.col("shipping_method"),
            "Billing Name": pl.col("first_name") + pl.lit(" ") + pl.col("last_name"),
            "Billing Street": pl.col("street"),
            "Billing Address1": pl.col("street"),
            "Billing Address2": pl.lit(""),
            "Billing Company": pl.lit(""),
            "Billing City": pl.col("city"),
            "Billing Zip": zip_text,
            "Billing Province": pl.col("province_code"),
            "Billing Country": pl.col("country"),
            "Billing Phone": pl.col("phone"),
            "Shipping Name": pl.col("first_name") + pl.lit(" ") + pl.col("last_name"),
            "Shipping Street": pl.col("street"),
            "Shipping Address1": pl.col("street"),
            "Shipping Address2": pl.lit(""),
            "Shipping Company": pl.lit(""),
            "Shipping City": pl.col("city"),
            "Shipping Zip": zip_text,
            "Shipping Province": pl.col("province_code"),
            "Shipping Country": pl.col("country"),
            "Shipping Phone": pl.col("phone"),
            "Notes": pl.col("note"),
            "Note Attributes": pl.when(pl.col("note") != "").then(pl.lit("gift_wrap: yes")).otherwise(pl.lit("")),
            "Cancelled at": pl.when(pl.col("cancelled_utc").is_not_null())
            .then(local_ts("cancelled_utc", tz, fmt))
            .otherwise(pl.lit("")),
            "Payment Method": pl.col("payment_gateways")
            .list.eval(pl.element().replace_strict(PAYMENT_METHOD_NAMES))
            .list.join(" + "),
            "Payment Reference": payment_ref,
            "Refunded Amount": cents_str("refunded_cents"),
            "Outstanding Balance": pl.lit("0.00"),
            "Employee": pl.lit(""),
            "Location": pl.lit(""),
            "Device ID": pl.lit(""),
            "Id": pl.col("order_id").cast(pl.String),
            "Tags": pl.when(pl.col("is_new_customer")).then(pl.lit("")).otherwise(pl.lit("returning")),
            "Risk Level": pl.lit("Low"),
            "Source": pl.col("source_name"),
            "Tax 1 Name": tax_name,
            "Tax 1 Value": pl.when(pl.col("taxes_cents") > 0).then(cents_str("taxes_cents")).otherwise(pl.lit("")),
            **{f"Tax {i} {part}": pl.lit("") for i in range(2, 6) for part in ("Name", "Value")},
            "Phone": pl.lit(""),
            "Receipt Number": pl.lit(""),
            "Duties": pl.lit(""),
            "Billing Province Name": pl.col("province"),
            "Shipping Province Name": pl.col("province"),
            "Payment ID": payment_ref,
            "Payment Terms Name": pl.lit(""),
            "Next Payment Due At": pl.lit(""),
            "Payment References": payment_ref,
        },
    )
    lines = shop.lines.join(
        shop.orders.select("order_seq", "name", "email", "created_utc", "fulfilled_utc", "cancelled_utc"),
        on="order_seq",
    ).select(
        "order_seq",
        "position",
        Name=pl.col("name"),
        Email=pl.col("email"),
        **{
            "Created at": local_ts("created_utc", tz, fmt),
            "Lineitem quantity": pl.col("quantity").cast(pl.String),
            "Lineitem name": pl.col("product_name"),
            "Lineitem price": cents_str("price_cents"),
            "Lineitem compare at price": pl.lit(""),
            "Lineitem sku": pl.col("sku"),
            "Lineitem requires shipping": pl.when(pl.col("is_gift_card"))
            .then(pl.lit("false"))
            .otherwise(pl.lit("true")),
            "Lineitem taxable": pl.col("taxable").cast(pl.String),
            "Lineitem fulfillment status": pl.when(pl.col("fulfilled_utc").is_not_null())
            .then(pl.lit("fulfilled"))
            .otherwise(pl.lit("pending")),
            "Vendor": pl.col("vendor"),
            "Lineitem discount": pl.lit("0.00"),
        },
    )
    rows = lines.join(order_fields, on="order_seq", how="left")
    first = pl.col("position") == 1
    rows = rows.with_columns(
        [
            pl.when(first).then(pl.col(c)).otherwise(pl.lit("")).alias(c)
            for c in SHOPIFY_ORDERS_COLUMNS
            if c not in SHOPIFY_CONTINUATION_COLUMNS and not c.startswith("Lineitem")
        ]
    ).with_columns(pl.col("Financial Status").fill_null(""))
    rows = rows.sort(["order_seq", "position"], descending=[True, False]).select(SHOPIFY_ORDERS_COLUMNS)
    _write_csv(target, rows.fill_null(""), header=header)


def _money_set(cents: str | pl.Expr, *, currency: str = "USD") -> pl.Expr:
    """Shopify's `*_set` twin: shop money and presentment money."""
    c = pl.col(cents) if isinstance(cents, str) else cents
    return pl.struct(
        shop_money=pl.struct(amount=cents_str(c), currency_code=pl.lit(currency)),
        presentment_money=pl.struct(amount=cents_str(presentment(c)), currency_code=pl.col("presentment_currency")),
    )


def _fulfillments(ctx: Context, orders: pl.DataFrame, lines: pl.DataFrame, iso: str) -> pl.DataFrame:
    """The order's `fulfillments` (REST Fulfillment objects): one per parcel (a split order has two, each with
    its tracking number and the line items it carried); a pickup order's fulfillment has no tracking."""
    shipped = lines.filter(pl.col("parcel_ship_utc").is_not_null()).join(
        orders.select("order_seq", "order_id", "is_pickup"), on="order_seq"
    )
    tracking = shopify_tracking(ctx.seed, pl.col("order_seq"), pl.col("parcel"))
    return (
        shipped.sort(["order_seq", "parcel", "position"])
        .group_by("order_seq", "order_id", "parcel", maintain_order=True)
        .agg(
            pl.col("parcel_ship_utc").first(),
            pl.col("is_pickup").first(),
            line_items=pl.struct(id=pl.col("line_item_id"), sku=pl.col("sku"), quantity=pl.col("quantity")),
        )
        .with_columns(tracking=pl.when(~pl.col("is_pickup")).then(tracking))
        .group_by("order_seq", maintain_order=True)
        .agg(
            fulfillments=pl.struct(
                id=fulfillment_id(pl.col("order_id"), pl.col("parcel")),
                order_id=pl.col("order_id"),
                status=pl.lit("success"),
                created_at=local_ts("parcel_ship_utc", ctx.timezone, iso),
                tracking_company=pl.when(~pl.col("is_pickup")).then(pl.lit("UPS")),
                tracking_number=pl.col("tracking"),
                tracking_numbers=pl.when(~pl.col("is_pickup"))
                .then(pl.concat_list("tracking"))
                .otherwise(pl.lit([], dtype=pl.List(pl.String))),
                line_items=pl.col("line_items"),
            )
        )
    )


def _tax_title() -> pl.Expr:
    """A tax line's title: `GB VAT` where prices include VAT, else the US state's sales tax."""
    return (
        pl.when(pl.col("taxes_included"))
        .then(pl.col("country") + pl.lit(" VAT"))
        .otherwise(pl.col("province_code") + pl.lit(" State Tax"))
    )


def shopify_order_adjustments() -> pl.Expr:
    """A refund's `order_adjustments`: its shipping refund (`shipping_refund`, amount = -shipping refunded)
    and its `refund_discrepancy` (amount = calculated - actual: a kept restocking fee +, a goodwill refund
    without items -); `amount` excludes tax, `tax_amount` is the tax refunded with it (negative), also on a
    tax-inclusive order, whose shipping refunded (tax included) is their sum."""
    shipping_ex_tax = pl.col("shipping_refund_cents") - pl.when(pl.col("taxes_included")).then(
        pl.col("shipping_tax_refund_cents")
    ).otherwise(0)
    shipping = pl.when(pl.col("shipping_refund_cents") > 0).then(
        pl.struct(
            id=pl.col("refund_id") + 3,
            kind=pl.lit("shipping_refund"),
            reason=pl.lit("Shipping refund"),
            amount=cents_str(-shipping_ex_tax),
            amount_set=_money_set(-shipping_ex_tax),
            tax_amount=cents_str(-pl.col("shipping_tax_refund_cents")),
            tax_amount_set=_money_set(-pl.col("shipping_tax_refund_cents")),
        )
    )
    discrepancy = pl.when(pl.col("discrepancy_cents") != 0).then(
        pl.struct(
            id=pl.col("refund_id") + 5,
            kind=pl.lit("refund_discrepancy"),
            reason=pl.col("discrepancy_reason"),
            amount=cents_str("discrepancy_cents"),
            amount_set=_money_set("discrepancy_cents"),
            tax_amount=pl.lit("0.00"),
            tax_amount_set=_money_set(pl.lit(0, pl.Int64)),
        )
    )
    return pl.concat_list(shipping, discrepancy).list.drop_nulls()


def shopify_orders_jsonl(ctx: Context, shop: ShopifyWorld, target: TextIO) -> None:
    """Admin API orders (REST shape), one JSON object per line, for orders since the API connection."""
    tz = ctx.timezone
    iso = "%Y-%m-%dT%H:%M:%S%:z"
    orders = with_presentment(ctx, shop.orders.filter(pl.col("created_utc") >= ctx.api_from_utc))
    rate = orders.select("order_seq", "rate_e6", "presentment_currency")

    lines = shop.lines.join(rate, on="order_seq").join(
        orders.select("order_seq", "tax_rate_e6", "province_code", "country", "taxes_included"), on="order_seq"
    )
    line_struct = pl.struct(
        id=pl.col("line_item_id"),
        sku=pl.col("sku"),
        name=pl.col("product_name"),
        title=pl.col("product_name"),
        vendor=pl.col("vendor"),
        quantity=pl.col("quantity"),
        price=cents_str("price_cents"),
        price_set=_money_set("price_cents"),
        grams=(pl.col("weight_kg") * 1000).round().cast(pl.Int64),
        taxable=pl.col("taxable"),
        requires_shipping=~pl.col("is_gift_card"),
        gift_card=pl.col("is_gift_card"),
        # Shopify often reports 0.00 here although allocations exist: use the allocations.
        total_discount=pl.lit("0.00"),
        discount_allocations=pl.when(pl.col("discount_alloc_cents") > 0).then(
            pl.concat_list(
                pl.struct(
                    amount=cents_str("discount_alloc_cents"),
                    amount_set=_money_set("discount_alloc_cents"),
                    discount_application_index=pl.lit(0),
                )
            )
        ),
        tax_lines=pl.when(pl.col("tax_cents") > 0).then(
            pl.concat_list(
                pl.struct(
                    title=_tax_title(),
                    price=cents_str("tax_cents"),
                    rate=pl.col("tax_rate_e6") / 1_000_000,
                    price_set=_money_set("tax_cents"),
                )
            )
        ),
    )
    line_items = (
        lines.sort(["order_seq", "position"]).group_by("order_seq", maintain_order=True).agg(line_items=line_struct)
    )

    refund_lines = (
        shop.refund_lines.join(rate, on="order_seq")
        .sort(["refund_id", "line_item_id"])
        .group_by("refund_id", maintain_order=True)
        .agg(
            refund_line_items=pl.struct(
                id=pl.col("line_item_id") + 7,
                line_item_id=pl.col("line_item_id"),
                quantity=pl.col("refund_quantity"),
                restock_type=pl.col("restock_type"),
                subtotal=cents_str("subtotal_cents"),
                subtotal_set=_money_set("subtotal_cents"),
                total_tax=cents_str("total_tax_cents"),
                total_tax_set=_money_set("total_tax_cents"),
            )
        )
    )
    refunds = (
        shop.refunds.join(rate, on="order_seq")
        .join(refund_lines, on="refund_id", how="left")  # goodwill refunds have no lines
        .join(orders.select("order_seq", "gateway", "financial_status"), on="order_seq")
    )
    refund_struct = pl.struct(
        id=pl.col("refund_id"),
        order_id=pl.col("order_id"),
        created_at=local_ts("refund_utc", tz, iso),
        processed_at=local_ts("refund_utc", tz, iso),
        note=pl.col("refund_kind").replace_strict(
            {"cancel": "Order cancelled", "full": "Returned", "partial": "Partial return", "goodwill": "Goodwill"}
        ),
        restock=~pl.col("refund_kind").is_in(["partial", "goodwill"]),
        refund_line_items=pl.col("refund_line_items"),
        order_adjustments=shopify_order_adjustments(),
        transactions=pl.concat_list(
            pl.struct(
                # A voided order's cancellation releases the authorization: no money moves back.
                kind=pl.when(pl.col("financial_status") == "voided").then(pl.lit("void")).otherwise(pl.lit("refund")),
                status=pl.lit("success"),
                gateway=pl.col("gateway"),
                amount=cents_str("amount_cents"),
                created_at=local_ts("refund_utc", tz, iso),
            )
        ),
    )
    order_refunds = refunds.group_by("order_seq").agg(refunds=refund_struct)
    order_fulfillments = _fulfillments(ctx, orders, lines, iso)

    orders = (
        orders.join(line_items, on="order_seq")
        .join(order_refunds, on="order_seq", how="left")
        .join(order_fulfillments, on="order_seq", how="left")
        .join(landing_sites(orders, shop.touches), on="order_seq", how="left")
    )
    updated = pl.max_horizontal("created_utc", "fulfilled_utc", "cancelled_utc", "refund_max_utc")
    orders = orders.join(
        shop.refunds.group_by("order_seq").agg(refund_max_utc=pl.col("refund_utc").max()), on="order_seq", how="left"
    ).with_columns(updated_utc=updated)
    out = orders.sort("order_seq").select(
        id=pl.col("order_id"),
        admin_graphql_api_id=pl.lit("gid://shopify/Order/") + pl.col("order_id").cast(pl.String),
        name=pl.col("name"),
        order_number=pl.col("order_number"),
        email=pl.col("email"),
        created_at=local_ts("created_utc", tz, iso),
        processed_at=local_ts("created_utc", tz, iso),
        updated_at=local_ts("updated_utc", tz, iso),
        cancelled_at=pl.when(pl.col("cancelled_utc").is_not_null()).then(local_ts("cancelled_utc", tz, iso)),
        cancel_reason=pl.when(pl.col("cancelled_utc").is_not_null()).then(pl.lit("customer")),
        currency=pl.lit("USD"),
        presentment_currency=pl.col("presentment_currency"),
        financial_status=pl.col("financial_status"),
        fulfillment_status=pl.when(pl.col("fulfilled_utc").is_not_null()).then(pl.lit("fulfilled")),
        taxes_included=pl.col("taxes_included"),
        source_name=pl.col("source_name"),
        landing_site=pl.col("landing_site"),
        referring_site=pl.col("referring_site"),
        payment_gateway_names=pl.col("payment_gateways"),
        discount_codes=pl.when(pl.col("discount_code").is_not_null()).then(
            pl.concat_list(
                pl.struct(
                    code=pl.col("discount_code"),
                    amount=cents_str("discount_amount_cents"),
                    type=pl.when(pl.col("discount_code") == "FREESHIP")
                    .then(pl.lit("shipping"))
                    .otherwise(pl.lit("percentage")),
                )
            )
        ),
        total_line_items_price=cents_str("items_gross_cents"),
        total_line_items_price_set=_money_set("items_gross_cents"),
        total_discounts=cents_str("discount_amount_cents"),
        total_discounts_set=_money_set("discount_amount_cents"),
        subtotal_price=cents_str("subtotal_cents"),
        subtotal_price_set=_money_set("subtotal_cents"),
        total_shipping_price_set=_money_set("shipping_price_cents"),
        total_tax=cents_str("taxes_cents"),
        total_tax_set=_money_set("taxes_cents"),
        total_price=cents_str("total_cents"),
        total_price_set=_money_set("total_cents"),
        note=pl.when(pl.col("note") != "").then(pl.col("note")),
        tags=pl.when(pl.col("is_new_customer")).then(pl.lit("")).otherwise(pl.lit("returning")),
        customer=pl.struct(
            id=pl.col("customer_id"),
            email=pl.col("email"),
            first_name=pl.col("first_name"),
            last_name=pl.col("last_name"),
            accepts_marketing=pl.col("accepts_marketing"),
        ),
        shipping_address=pl.struct(
            city=pl.col("city"),
            province_code=pl.col("province_code"),
            country_code=pl.col("country"),
            zip=pl.col("zip"),
        ),
        line_items=pl.col("line_items"),
        shipping_lines=pl.concat_list(
            pl.struct(
                title=pl.col("shipping_method"),
                code=pl.col("shipping_method"),
                price=cents_str("shipping_price_cents"),
                price_set=_money_set("shipping_price_cents"),
                discount_allocations=pl.when(pl.col("shipping_discount_cents") > 0).then(
                    pl.concat_list(
                        pl.struct(
                            amount=cents_str("shipping_discount_cents"),
                            amount_set=_money_set("shipping_discount_cents"),
                            discount_application_index=pl.lit(0),
                        )
                    )
                ),
                # Tax on shipping where the destination taxes it (docs/metrics.md rule 34).
                tax_lines=pl.when(pl.col("shipping_tax_cents") > 0).then(
                    pl.concat_list(
                        pl.struct(
                            title=_tax_title(),
                            price=cents_str("shipping_tax_cents"),
                            rate=pl.col("tax_rate_e6") / 1_000_000,
                            price_set=_money_set("shipping_tax_cents"),
                        )
                    )
                ),
            )
        ),
        refunds=pl.col("refunds"),
        fulfillments=pl.col("fulfillments"),
    )
    for start in range(0, out.height, ROWS_PER_WRITE):  # one line per order: written a batch at a time
        text = out.slice(start, ROWS_PER_WRITE).write_ndjson()
        # polars writes null for absent lists; Shopify sends [] for these.
        for key in (
            "discount_allocations",
            "tax_lines",
            "refunds",
            "discount_codes",
            "refund_line_items",
            "fulfillments",
        ):
            text = text.replace(f'"{key}":null', f'"{key}":[]')
        target.write(text)


def write_shopify_payments_csv(ctx: Context, transactions: pl.DataFrame, path: Path) -> None:
    """Payments > Payouts > Transactions > Export: charges with fees, refunds without fee return."""
    tz = ctx.timezone
    txns = with_presentment(
        ctx,
        transactions.with_columns(created_utc=pl.col("transaction_utc")),
    )
    txns = payouts.with_payouts(txns, tz, ctx.payments_cutoff_utc)
    payout_utc = pl.col("transaction_utc") + payouts.PAYOUT_DELAY_SECONDS
    out = txns.sort(["transaction_utc", "order_seq", "type"], descending=True).select(
        **{
            "Transaction Date": local_ts("transaction_utc", tz, "%Y-%m-%d %H:%M:%S %z"),
            "Type": pl.col("type"),
            "Order": pl.col("name"),
            "Card Brand": pl.col("card_brand"),
            "Card Source": pl.lit("online"),
            "Payout Status": pl.col("payout_status"),
            "Payout Date": pl.col("payout_date").dt.strftime("%Y-%m-%d"),
            "Available On": pl.from_epoch(payout_utc)
            .dt.replace_time_zone("UTC")
            .dt.convert_time_zone(tz)
            .dt.strftime("%Y-%m-%d"),
            "Amount": cents_str("amount_cents"),
            "Fee": cents_str("fee_cents"),
            "Net": cents_str("net_cents"),
            "Checkout": pl.col("checkout_token"),
            "Payment Method Name": pl.lit("card"),
            # Refund rows show the presentment amount positive (formats.md).
            "Presentment Amount": cents_str(presentment(pl.col("amount_cents").abs())),
            "Presentment Currency": pl.col("presentment_currency"),
            "Currency": pl.lit("USD"),
        }
    )
    _write_csv(path, out)
    # The payouts those transactions were paid in (Admin API payouts page): the deposits to reconcile.
    payouts.write_shopify_payouts_json(payouts.payouts(txns), path.parent / "payouts_api.json")


# --------------------------------------------------------------------------- Amazon


def amazon_orders_tsv(lines: pl.DataFrame, *, header: bool) -> str:
    """Reports > Order Reports > All Orders (flat file, tab-separated, CRLF), one row per order item."""
    iso = "%Y-%m-%dT%H:%M:%S+00:00"
    cancelled = pl.col("is_cancelled")

    def money(col: str) -> pl.Expr:
        return pl.when(cancelled).then(pl.lit("")).otherwise(cents_str(col))

    last_updated = pl.when(pl.col("is_shipped")).then(pl.col("ship_utc")).otherwise(pl.col("purchase_utc") + 1_800)
    out = lines.with_columns(last_updated_utc=last_updated).select(
        **{
            "amazon-order-id": pl.col("amazon_order_id"),
            "merchant-order-id": pl.lit(""),
            "purchase-date": utc_ts("purchase_utc", iso),
            "last-updated-date": utc_ts("last_updated_utc", iso),
            "order-status": pl.col("order_status"),
            "fulfillment-channel": pl.col("fulfillment_channel"),
            "sales-channel": pl.col("marketplace"),
            "order-channel": pl.lit(""),
            "ship-service-level": pl.col("ship_service_level"),
            "product-name": pl.col("product_name"),
            "sku": pl.col("sku"),
            "asin": pl.col("asin"),
            "item-status": pl.col("item_status"),
            "quantity": pl.when(cancelled).then(pl.lit("0")).otherwise(pl.col("quantity").cast(pl.String)),
            "currency": pl.col("currency"),
            "item-price": money("item_price_cents"),
            "item-tax": pl.when(cancelled | (pl.col("marketplace") != "Amazon.com"))
            .then(pl.lit(""))
            .otherwise(cents_str("item_tax_cents")),
            "shipping-price": pl.when(pl.col("shipping_price_cents") > 0)
            .then(money("shipping_price_cents"))
            .otherwise(pl.lit("")),
            "shipping-tax": pl.lit(""),
            "gift-wrap-price": pl.when(pl.col("gift_wrap_cents") > 0)
            .then(money("gift_wrap_cents"))
            .otherwise(pl.lit("")),
            "gift-wrap-tax": pl.when(
                cancelled | (pl.col("marketplace") != "Amazon.com") | (pl.col("gift_wrap_cents") == 0)
            )
            .then(pl.lit(""))
            .otherwise(cents_str("gift_wrap_tax_cents")),
            "item-promotion-discount": pl.when(pl.col("promotion_cents") > 0)
            .then(money("promotion_cents"))
            .otherwise(pl.lit("")),
            "ship-promotion-discount": pl.lit(""),
            "ship-city": pl.col("ship_city"),
            "ship-state": pl.col("ship_state"),
            "ship-postal-code": pl.col("ship_postal_code"),
            "ship-country": pl.col("ship_country"),
            "promotion-ids": pl.when(pl.col("promotion_cents") > 0)
            .then(pl.lit("AG-COUPON-10-US"))
            .otherwise(pl.lit("")),
            "is-business-order": pl.lit("false"),
            "purchase-order-number": pl.lit(""),
            "price-designation": pl.lit(""),
        }
    )
    return _csv(out, separator="\t", header=header).replace("\n", "\r\n")


def settlement_body(rows: pl.DataFrame, *, eu: bool) -> pl.DataFrame:
    """Settlement component rows in Flat File V2 columns, in the marketplace's number and date locale."""
    decimal = "," if eu else "."
    date_fmt = "%d.%m.%Y" if eu else "%m/%d/%y"
    return rows.select(
        **{
            "settlement-id": pl.col("settlement_id"),
            "settlement-start-date": pl.lit(""),
            "settlement-end-date": pl.lit(""),
            "deposit-date": pl.lit(""),
            "total-amount": pl.lit(""),
            "currency": pl.lit(""),
            "transaction-type": pl.col("transaction_type"),
            "order-id": pl.col("amazon_order_id").fill_null(""),
            "merchant-order-id": pl.lit(""),
            "adjustment-id": pl.col("adjustment_id").fill_null(""),
            "shipment-id": pl.when(pl.col("transaction_type") == "Order")
            .then(pl.lit("D") + pl.col("order_item_code").str.slice(5, 8))
            .otherwise(pl.lit("")),
            "marketplace-name": pl.col("marketplace"),
            "amount-type": pl.col("amount_type"),
            "amount-description": pl.col("amount_description"),
            "amount": cents_str("amount_cents", decimal),
            "fulfillment-id": pl.when(pl.col("fulfillment_channel") == "Amazon")
            .then(pl.lit("AFN"))
            .when(pl.col("fulfillment_channel") == "Merchant")
            .then(pl.lit("MFN"))
            .otherwise(pl.lit("")),
            "posted-date": utc_ts("posted_utc", date_fmt),
            "posted-date-time": utc_ts("posted_utc", "%Y-%m-%d %H:%M:%S UTC"),
            "order-item-code": pl.col("order_item_code").fill_null(""),
            "merchant-order-item-id": pl.lit(""),
            "merchant-adjustment-item-id": pl.lit(""),
            "sku": pl.col("sku").fill_null(""),
            "quantity-purchased": pl.col("quantity_purchased").cast(pl.String).fill_null(""),
            "promotion-id": pl.col("promotion_id").fill_null(""),
        }
    )


def settlement_summary(settlement: dict, total_cents: int) -> pl.DataFrame:
    """The first data row: settlement dates, total and currency, transaction columns empty."""
    eu = settlement["marketplace"] in EU_MARKETPLACES
    period_fmt = "%d.%m.%Y %H:%M:%S UTC" if eu else "%Y-%m-%d %H:%M:%S UTC"
    return pl.DataFrame({c: [""] for c in SETTLEMENT_COLUMNS}).with_columns(
        pl.lit(settlement["settlement_id"]).alias("settlement-id"),
        pl.lit(_fmt_utc(settlement["start_utc"], period_fmt)).alias("settlement-start-date"),
        pl.lit(_fmt_utc(settlement["end_utc"], period_fmt)).alias("settlement-end-date"),
        pl.lit(_fmt_utc(settlement["deposit_utc"], period_fmt)).alias("deposit-date"),
        pl.lit(_cents_text(total_cents, "," if eu else ".")).alias("total-amount"),
        pl.lit(settlement["currency"]).alias("currency"),
    )


def _fmt_utc(epoch: int, fmt: str) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime(fmt)


def _cents_text(cents: int, decimal: str = ".") -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}{decimal}{abs(cents) % 100:02d}"


# --------------------------------------------------------------------------- Ads


def _thousands(col: str) -> pl.Expr:
    """Integer with thousands commas, as the Google Ads UI shows it ("795,836")."""
    return pl.col(col).map_batches(lambda s: pl.Series([f"{v:,}" for v in s.to_list()]), return_dtype=pl.String)


def _money_thousands(cents: str) -> pl.Expr:
    return pl.col(cents).map_batches(
        lambda s: pl.Series([f"{v / 100:,.2f}" for v in s.to_list()]), return_dtype=pl.String
    )


def write_google_ads_ui_csv(ctx: Context, path: Path) -> None:
    """Google Ads > Campaigns > Download (CSV): title, date range, header, rows, Total footers."""
    daily = (
        ctx.campaign_daily.filter(
            (pl.col("platform") == "google_ads") & (pl.col("day_index") < ctx.google_ui_until_day)
        )
        .join(ctx.campaigns.select("campaign_id", "campaign_type"), on="campaign_id")
        .sort(["date", "campaign_name"])
    )
    body = daily.select(
        Day=pl.col("date").dt.strftime("%Y-%m-%d"),
        Campaign=pl.col("campaign_name"),
        **{
            "Campaign ID": pl.col("campaign_id"),
            "Currency code": pl.lit("USD"),
            "Impr.": _thousands("impressions"),
            "Clicks": _thousands("clicks"),
            "Cost": _money_thousands("spend_cents"),
            "Conversions": pl.col("conversions")
            .cast(pl.Float64)
            .map_elements(lambda v: f"{v:,.2f}", return_dtype=pl.String),
            "Conv. value": pl.when(pl.col("conversions") == 0)
            .then(pl.lit(" --"))
            .otherwise(_money_thousands("conversion_value_cents")),
        },
    )
    first_day, last_day = daily["date"].min(), daily["date"].max()
    totals = [("Total: Account", daily)] + [
        (f"Total: {label}", daily.filter(pl.col("campaign_type") == ctype))
        for ctype, label in (("SEARCH", "Search"), ("SHOPPING", "Shopping"), ("PERFORMANCE_MAX", "Performance Max"))
    ]
    footer = pl.DataFrame(
        [
            {
                "Day": label,
                "Campaign": "",
                "Campaign ID": "",
                "Currency code": "USD",
                "Impr.": f"{part['impressions'].sum():,}",
                "Clicks": f"{part['clicks'].sum():,}",
                "Cost": f"{part['spend_cents'].sum() / 100:,.2f}",
                "Conversions": f"{float(part['conversions'].sum()):,.2f}",
                "Conv. value": f"{part['conversion_value_cents'].sum() / 100:,.2f}",
            }
            for label, part in totals
        ]
    )
    date_range = f"{_long_date(first_day)} - {_long_date(last_day)}"
    text = "Campaign report\n" + f'"{date_range}"\n' + _csv(pl.concat([body, footer]))
    _write_text(path, text)


def _long_date(d: dt.date) -> str:
    return f"{d.strftime('%B')} {d.day}, {d.year}"


def write_google_ads_gaql_json(ctx: Context, path: Path) -> None:
    """GoogleAdsService.SearchStream response for a campaign x day GAQL query (camelCase, int64 as text)."""
    daily = ctx.campaign_daily.filter(
        (pl.col("platform") == "google_ads") & (pl.col("day_index") >= ctx.google_api_from_day)
    ).sort(["date", "campaign_id"])
    results = daily.select(
        campaign=pl.struct(
            resourceName=pl.lit("customers/4061237788/campaigns/") + pl.col("campaign_id"),
            id=pl.col("campaign_id"),
            name=pl.col("campaign_name"),
        ),
        metrics=pl.struct(
            clicks=pl.col("clicks").cast(pl.String),
            impressions=pl.col("impressions").cast(pl.String),
            costMicros=(pl.col("spend_cents") * 10_000).cast(pl.String),
            conversions=pl.col("conversions").cast(pl.Float64),
            conversionsValue=pl.col("conversion_value_cents") / 100,
        ),
        segments=pl.struct(date=pl.col("date").dt.strftime("%Y-%m-%d")),
    )
    batch = {
        "results": json.loads(results.write_json()),
        "fieldMask": "campaign.id,campaign.name,metrics.clicks,metrics.impressions,metrics.costMicros,"
        "metrics.conversions,metrics.conversionsValue,segments.date",
        "requestId": f"gaql-{ctx.seed}-{ctx.start.isoformat()}",
    }
    _write_text(path, json.dumps([batch], indent=2, ensure_ascii=False) + "\n")


def write_meta_insights(ctx: Context, folder: Path) -> list[Path]:
    """Insights API (level=campaign, time_increment=1), one response per calendar month."""
    daily = ctx.campaign_daily.filter(pl.col("platform") == "meta_ads").sort(["date", "campaign_id"])
    purchases = pl.col("conversions").cast(pl.String)
    purchase_value = cents_str("conversion_value_cents")
    rows = daily.with_columns(month=pl.col("date").dt.strftime("%Y-%m")).select(
        "month",
        account_id=pl.lit("act_1029384756"),
        account_currency=pl.lit("USD"),
        campaign_id=pl.col("campaign_id"),
        campaign_name=pl.col("campaign_name"),
        impressions=pl.col("impressions").cast(pl.String),
        clicks=pl.col("clicks").cast(pl.String),
        spend=cents_str("spend_cents"),
        # The same purchases appear under three action types: count one.
        actions=pl.concat_list(
            pl.struct(action_type=pl.lit("link_click"), value=pl.col("clicks").cast(pl.String)),
            pl.struct(action_type=pl.lit("purchase"), value=purchases),
            pl.struct(action_type=pl.lit("omni_purchase"), value=purchases),
            pl.struct(action_type=pl.lit("offsite_conversion.fb_pixel_purchase"), value=purchases),
        ),
        action_values=pl.concat_list(
            pl.struct(action_type=pl.lit("purchase"), value=purchase_value),
            pl.struct(action_type=pl.lit("omni_purchase"), value=purchase_value),
            pl.struct(action_type=pl.lit("offsite_conversion.fb_pixel_purchase"), value=purchase_value),
        ),
        date_start=pl.col("date").dt.strftime("%Y-%m-%d"),
        date_stop=pl.col("date").dt.strftime("%Y-%m-%d"),
    )
    paths = []
    for month in rows["month"].unique().sort().to_list():
        data = json.loads(rows.filter(pl.col("month") == month).drop("month").write_json())
        payload = {"data": data, "paging": {"cursors": {"before": "MAZDZD", "after": f"M{len(data)}ZD"}}}
        path = folder / f"insights_campaign_daily_{month}.json"
        _write_text(path, json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        paths.append(path)
    return paths


def write_amazon_ads_reports(ctx: Context, folder: Path) -> list[Path]:
    """Sponsored Products v3 `spAdvertisedProduct` report, GZIP_JSON, one per calendar month."""
    rows = (
        ctx.amazon_ads_daily.filter(pl.col("ad_product") == "SPONSORED_PRODUCTS")
        .sort(["date", "campaign_id", "sku"])
        .with_columns(month=pl.col("date").dt.strftime("%Y-%m"))
        .select(
            "month",
            date=pl.col("date").dt.strftime("%Y-%m-%d"),
            campaignId=pl.col("campaign_id").cast(pl.Int64),
            campaignName=pl.col("campaign_name"),
            adGroupId=pl.col("ad_group_id").cast(pl.Int64),
            adGroupName=pl.col("ad_group_name"),
            advertisedSku=pl.col("sku"),
            advertisedAsin=pl.col("asin"),
            impressions=pl.col("impressions"),
            clicks=pl.col("clicks"),
            cost=pl.col("spend_cents") / 100,
            purchases7d=pl.col("purchases_7d"),
            sales7d=pl.col("sales_7d_cents") / 100,
            campaignBudgetCurrencyCode=pl.lit("USD"),
        )
    )
    paths = []
    for month in rows["month"].unique().sort().to_list():
        text = rows.filter(pl.col("month") == month).drop("month").write_json()
        path = folder / f"sp_advertised_product_{month}.json.gz"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))  # mtime=0: byte-identical reruns
        paths.append(path)
    return paths + write_amazon_ads_v2_reports(ctx, folder)


# --------------------------------------------------------------------------- Brand files


def write_brand_files(ctx: Context, folder: Path) -> None:
    """The brand's own CSV templates (README "The brand's own files")."""
    _write_text(
        folder / "products.csv",
        _csv(ctx.products.select("sku", "product_name", "category", "vendor", "weight_kg", "size_tier")),
    )
    _write_text(
        folder / "cogs.csv",
        _csv(
            ctx.cost_history.select(
                "sku",
                pl.col("effective_from").dt.strftime("%Y-%m-%d"),
                unit_cost=cents_str("unit_cost_cents"),
                currency="currency",
                inbound_freight_per_unit=cents_str("inbound_freight_cents"),
                duty_per_unit=cents_str("duty_cents"),
            )
        ),
    )
    _write_text(
        folder / "fx_rates.csv",
        _csv(
            ctx.fx.select(
                pl.col("date").dt.strftime("%Y-%m-%d"),
                "currency",
                rate=pl.col("rate").map_elements(lambda r: f"{r:.4f}", return_dtype=pl.String),
            )
        ),
    )
    asin_map = ctx.products.select("sku", "asin").join(
        pl.DataFrame({"marketplace": ["Amazon.com", "Amazon.ca", "Amazon.de"]}), how="cross"
    )
    _write_text(folder / "sku_asin_map.csv", _csv(asin_map.sort(["sku", "marketplace"])))


def write_touchpoints(touchpoints: pl.DataFrame, path: Path) -> None:
    """The web-analytics visit export, oldest first."""
    _write_csv(
        path,
        touchpoints.sort(["occurred_utc", "customer_email", "landing_url"]).select(
            occurred_at=utc_ts("occurred_utc", "%Y-%m-%dT%H:%M:%SZ"),
            customer_email="customer_email",
            landing_url="landing_url",
            referrer_url="referrer_url",
        ),
    )


def write_carrier_invoices(ctx: Context, invoices: pl.DataFrame, folder: Path) -> None:
    """One carrier invoice file per month of ship date."""
    local = pl.from_epoch("ship_utc").dt.replace_time_zone("UTC").dt.convert_time_zone(ctx.timezone)
    invoices = invoices.sort(["ship_utc", "tracking_number", "service"]).with_columns(
        month=local.dt.strftime("%Y-%m"), ship_date=local.dt.strftime("%Y-%m-%d")
    )
    for month in invoices["month"].unique().sort().to_list():  # a handful of files
        part = invoices.filter(pl.col("month") == month).select(
            "tracking_number",
            "order_reference",
            "ship_date",
            "service",
            weight_kg=cents_str((pl.col("weight_kg") * 100).round().cast(pl.Int64)),
            cost=cents_str("cost_cents"),
            currency=pl.lit("USD"),
        )
        _write_text(folder / f"carrier_invoices_{month}.csv", _csv(part))


SHOPIFY_BILLING_COLUMNS = [
    "Bill #",
    "Charge category",
    "Description",
    "App",
    "Start date of billing cycle",
    "End date of billing cycle",
    "Amount",
    "Currency",
    "Order",
    "Date",
]


def write_shopify_billing_csv(ctx: Context, labels: pl.DataFrame, folder: Path) -> None:
    """The Shopify bill's charges exported as CSV, one file for the period: Shopify Shipping labels (USD, one
    row per label naming its order), billed monthly (bill number per calendar month of the label date)."""
    if labels.is_empty():
        return
    local = pl.from_epoch("ship_utc").dt.replace_time_zone("UTC").dt.convert_time_zone(ctx.timezone)
    rows = labels.with_columns(day=local.dt.date()).sort(["day", "order_name", "service"])
    month_start = pl.col("day").dt.month_start()
    out = rows.select(
        **{
            "Bill #": pl.lit("41") + pl.col("day").dt.strftime("%Y%m"),
            "Charge category": pl.lit("Shipping"),
            "Description": pl.lit("Shipping label: ")
            + pl.col("service")
            + pl.lit(" for order ")
            + pl.col("order_name"),
            "App": pl.lit(""),
            "Start date of billing cycle": month_start.dt.strftime("%Y-%m-%d"),
            "End date of billing cycle": pl.col("day").dt.month_end().dt.strftime("%Y-%m-%d"),
            "Amount": cents_str("cost_cents"),
            "Currency": pl.lit("USD"),
            "Order": pl.col("order_name"),
            "Date": pl.col("day").dt.strftime("%Y-%m-%d"),
        }
    )
    _write_text(folder / "billing_charges.csv", _csv(out.select(SHOPIFY_BILLING_COLUMNS)))


# --------------------------------------------------------------------------- Etsy

ETSY_ITEMS_COLUMNS = [
    "Sale Date",
    "Item Name",
    "Buyer",
    "Quantity",
    "Price",
    "Coupon Code",
    "Coupon Details",
    "Discount Amount",
    "Shipping Discount",
    "Order Shipping",
    "Order Sales Tax",
    "Item Total",
    "Currency",
    "Transaction ID",
    "Listing ID",
    "Date Paid",
    "Date Shipped",
    "Ship Name",
    "Ship Address1",
    "Ship Address2",
    "Ship City",
    "Ship State",
    "Ship Zipcode",
    "Ship Country",
    "Order ID",
    "Variations",
    "Order Type",
    "Listings Type",
    "Payment Type",
    "InPerson Discount",
    "InPerson Location",
    "VAT Paid by Buyer",
    "SKU",
]
ETSY_COUPON_DETAILS = {etsy.PERCENT_COUPON[0]: "10% off", etsy.FREE_SHIPPING_COUPON: "Free shipping"}


def _dollars(col: str) -> pl.Expr:
    """Statement money: `$12.00`, `-$0.78`, and `--` for none."""
    c = pl.col(col)
    return (
        pl.when(c.is_null())
        .then(pl.lit("--"))
        .otherwise(pl.concat_str([pl.when(c < 0).then(pl.lit("-$")).otherwise(pl.lit("$")), cents_str(c.abs())]))
    )


def write_etsy_order_items(ctx: Context, orders: pl.DataFrame, items: pl.DataFrame, folder: Path) -> list[Path]:
    """Download Data > Order Items: one file per year of sale, newest sale first, `MM/DD/YY` dates."""
    local = pl.from_epoch("sale_utc").dt.replace_time_zone("UTC").dt.convert_time_zone(ctx.timezone)
    shipped = pl.from_epoch("ship_utc").dt.replace_time_zone("UTC").dt.convert_time_zone(ctx.timezone)
    rows = (
        items.join(orders.drop("coupon_code"), on="order_id")
        .with_columns(year=local.dt.year())
        .sort(["sale_utc", "order_id", "position"], descending=[True, False, False])
    )
    paths = []
    for year in rows["year"].unique().sort().to_list():  # one or two files
        part = rows.filter(pl.col("year") == year).select(
            **{
                "Sale Date": local.dt.strftime("%m/%d/%y"),
                "Item Name": "product_name",
                "Buyer": pl.col("last_name").str.to_lowercase().str.replace_all(r"[^a-z]", "")
                + pl.col("order_index").mod(997).cast(pl.String),
                "Quantity": "quantity",
                "Price": cents_str("price_cents"),
                "Coupon Code": "coupon_code",
                "Coupon Details": pl.col("coupon_code").replace_strict(ETSY_COUPON_DETAILS, default=None),
                "Discount Amount": cents_str("discount_cents"),
                "Shipping Discount": cents_str("shipping_discount_cents"),
                "Order Shipping": cents_str("shipping_cents"),
                "Order Sales Tax": cents_str("tax_cents"),
                "Item Total": cents_str("gross_cents"),
                "Currency": pl.lit(etsy.CURRENCY),
                "Transaction ID": "transaction_id",
                "Listing ID": "listing_id",
                "Date Paid": local.dt.strftime("%m/%d/%y"),
                "Date Shipped": shipped.dt.strftime("%m/%d/%y"),
                "Ship Name": pl.col("first_name") + pl.lit(" ") + pl.col("last_name"),
                "Ship Address1": (pl.col("order_index").mod(890) + 10).cast(pl.String) + pl.lit(" Maple Street"),
                "Ship Address2": pl.lit(None, pl.String),
                "Ship City": "ship_city",
                "Ship State": "ship_state",
                "Ship Zipcode": "ship_zipcode",
                "Ship Country": pl.lit("United States"),
                "Order ID": "order_id",
                "Variations": pl.lit(None, pl.String),
                "Order Type": pl.lit("online"),
                "Listings Type": pl.lit("listing"),
                "Payment Type": pl.lit("online_cc"),
                "InPerson Discount": pl.lit(None, pl.String),
                "InPerson Location": pl.lit(None, pl.String),
                "VAT Paid by Buyer": pl.lit(None, pl.String),
                "SKU": "sku",
            }
        )
        path = folder / f"EtsySoldOrderItems{year}.csv"
        _write_text(path, _csv(part.select(ETSY_ITEMS_COLUMNS)))
        paths.append(path)
    return paths


def write_etsy_statements(ctx: Context, statement: pl.DataFrame, folder: Path) -> list[Path]:
    """Finances > Monthly statements > Download CSV: one file per month, newest row first; the last is partial."""
    rows = pl.concat([statement, etsy.deposits(statement, ctx.days)])
    local = pl.from_epoch("event_utc").dt.replace_time_zone("UTC").dt.convert_time_zone(ctx.timezone)
    rows = rows.with_columns(year=local.dt.year(), month=local.dt.month()).sort(
        ["event_utc", "seq", "title", "info"], descending=True, nulls_last=True
    )
    paths = []
    for year, month in rows.select("year", "month").unique().sort(["year", "month"]).iter_rows():
        part = rows.filter((pl.col("year") == year) & (pl.col("month") == month)).select(
            Date=local.dt.strftime("%B %-d, %Y"),
            Type="type",
            Title="title",
            Info=pl.col("info").fill_null(""),
            Currency=pl.lit(etsy.CURRENCY),
            Amount=_dollars("amount_cents"),
            **{"Fees & Taxes": _dollars("fees_cents")},
            Net=_dollars("net_cents"),
            **{"Tax Details": pl.lit("--")},
        )
        path = folder / f"etsy_statement_{year}_{month}.csv"
        _write_text(path, _csv(part))
        paths.append(path)
    return paths


class ExportWriter:
    """Writes the native files as chunks arrive, assembling the ones that need the whole period at the end.

    Newest-first files (the Shopify orders export) are written as one part per
    chunk and concatenated in reverse; settlement bodies are appended per
    settlement with running totals, the summary row prepended when they close.
    Period-wide files (payments, visits, clicks, invoices) are written once at the end: the order-grain frames
    they need are parked per chunk as Parquet under `.parts` and read back one file's worth at a time, so the
    chunks' rows do not pile up in memory while the period is simulated (`park`, `unpark`).
    """

    def __init__(self, ctx: Context, out: Path):
        self.ctx = ctx
        self.out = out
        self.parts = out / ".parts"
        shutil.rmtree(self.parts, ignore_errors=True)
        self.parts.mkdir(parents=True)
        self.csv_parts: list[Path] = []
        self.settlement_totals: dict[str, int] = {}
        self.parked: dict[str, list[Path]] = {}
        self.invoices: list[pl.DataFrame] = [ctx.sample_invoices]
        self.shopify_labels: list[pl.DataFrame] = []
        self.etsy_orders: list[pl.DataFrame] = []
        self.etsy_items: list[pl.DataFrame] = []
        self.etsy_statement: list[pl.DataFrame] = []
        for folder in ("shopify", "amazon/settlements", "etsy", "google_ads", "meta_ads", "amazon_ads", "brand"):
            (out / folder).mkdir(parents=True, exist_ok=True)
        self.jsonl = open(out / "shopify" / "orders_api.jsonl", "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        self.all_orders = open(out / "amazon" / "all_orders.txt", "w", encoding="utf-8", newline="")  # noqa: SIM115

    def add(self, chunk: Chunk) -> None:
        part = self.parts / f"shopify_orders_{chunk.index:04d}.csv"
        shopify_orders_csv(self.ctx, chunk.shopify, part, header=False)
        self.csv_parts.append(part)
        shopify_orders_jsonl(self.ctx, chunk.shopify, self.jsonl)
        self.all_orders.write(amazon_orders_tsv(chunk.amazon.orders, header=chunk.index == 0))
        self._append_settlement_rows(chunk.amazon.settlement_rows)
        self.park("transactions", chunk.index, chunk.shopify.transactions)
        api_orders = chunk.shopify.orders.filter(pl.col("created_utc") >= self.ctx.api_from_utc)
        self.park("order_transactions", chunk.index, tenders.order_transactions(api_orders))
        self.park("touchpoints", chunk.index, chunk.touchpoints)
        self.park("google_clicks", chunk.index, google_clicks(chunk.shopify.touches, self.ctx.timezone))
        self.invoices.append(chunk.invoices)
        self.shopify_labels.append(chunk.shopify_labels)
        self.etsy_orders.append(chunk.etsy.orders)
        self.etsy_items.append(chunk.etsy.items)
        self.etsy_statement.append(chunk.etsy.statement)

    def park(self, kind: str, index: int, frame: pl.DataFrame) -> None:
        """Keep one chunk's `frame` of `kind` on disk until the file that needs the whole period is written."""
        path = self.parts / f"{kind}_{index:04d}.parquet"
        frame.write_parquet(path)
        self.parked.setdefault(kind, []).append(path)

    def unpark(self, kind: str) -> list[pl.DataFrame]:
        """The parked frames of `kind`, in chunk order."""
        return [pl.read_parquet(path) for path in self.parked.get(kind, [])]

    def touchpoints(self) -> pl.DataFrame:
        """The whole touchpoint export (the truth's attribution reads it too), until `close`."""
        return pl.concat(self.unpark("touchpoints"))

    def write_inventory(self, snapshots: pl.DataFrame) -> None:
        """The inventory snapshot files (demo/inventory.py): FBA reports, Shopify exports, the stock count."""
        inventory.write_files(self.ctx, snapshots, self.out, _csv)

    def _append_settlement_rows(self, rows: pl.DataFrame) -> None:
        order = [c for c in SETTLEMENT_ROW_ORDER if c in rows.columns]
        for (settlement_id, marketplace), part in rows.group_by(["settlement_id", "marketplace"]):
            body = settlement_body(part.sort(order, nulls_last=True), eu=marketplace in EU_MARKETPLACES)
            with open(self.parts / f"settlement_{settlement_id}.tsv", "a", encoding="utf-8") as handle:
                handle.write(_csv(body, separator="\t", header=False))
            self.settlement_totals[settlement_id] = (
                self.settlement_totals.get(settlement_id, 0) + part["amount_cents"].sum()
            )

    def finish(self) -> None:
        ctx, out = self.ctx, self.out
        self.jsonl.close()
        self.all_orders.close()
        header = ",".join(SHOPIFY_ORDERS_COLUMNS) + "\n"
        with open(out / "shopify" / "orders_export_1.csv", "wb") as target:
            target.write(header.encode("utf-8"))
            for part in reversed(self.csv_parts):  # newest first, as Shopify exports
                with open(part, "rb") as source:
                    shutil.copyfileobj(source, target)
        write_shopify_payments_csv(
            ctx, pl.concat(self.unpark("transactions")), out / "shopify" / "payment_transactions_export_1.csv"
        )
        tenders.write_order_transactions_json(
            self.unpark("order_transactions"), ctx.timezone, out / "shopify" / "order_transactions_api.json"
        )
        self._append_settlement_rows(ctx.other_settlement_rows)
        header = "\t".join(SETTLEMENT_COLUMNS) + "\n"
        for settlement in ctx.settlements.iter_rows(named=True):  # a few dozen files
            settlement_id = settlement["settlement_id"]
            summary = settlement_summary(settlement, self.settlement_totals.get(settlement_id, 0))
            with open(out / "amazon" / "settlements" / f"settlement_{settlement_id}.txt", "wb") as target:
                target.write(header.encode("utf-8"))
                target.write(_csv(summary, separator="\t", header=False).encode("utf-8"))
                body = self.parts / f"settlement_{settlement_id}.tsv"
                if body.exists():
                    with open(body, "rb") as source:
                        shutil.copyfileobj(source, target)
        write_etsy_order_items(ctx, pl.concat(self.etsy_orders), pl.concat(self.etsy_items), out / "etsy")
        write_etsy_statements(ctx, pl.concat(self.etsy_statement), out / "etsy")
        write_google_ads_ui_csv(ctx, out / "google_ads" / "campaign_report.csv")
        write_google_ads_gaql_json(ctx, out / "google_ads" / "campaign_daily_gaql.json")
        write_click_view(pl.concat(self.unpark("google_clicks")), out / "google_ads")
        write_meta_insights(ctx, out / "meta_ads")
        write_amazon_ads_reports(ctx, out / "amazon_ads")
        write_brand_files(ctx, out / "brand")
        write_touchpoints(self.touchpoints(), out / "brand" / "touchpoints.csv")
        write_carrier_invoices(ctx, pl.concat(self.invoices, how="vertical_relaxed"), out / "brand")
        write_shopify_billing_csv(ctx, pl.concat(self.shopify_labels, how="diagonal_relaxed"), out / "shopify")

    def close(self) -> None:
        """Remove the parked parts (after the truth has read the touchpoints)."""
        shutil.rmtree(self.parts)
