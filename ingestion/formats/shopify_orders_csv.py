"""Shopify Admin > Orders > Export (CSV): one row per line item; order fields on the order's first row only."""

from __future__ import annotations

import polars as pl

from ingestion.formats import common as c
from ingestion.formats.base import DelimitedFormat, ParseContext, Parsed, count_unknown, raw_json, records_frame

TIMESTAMP_FORMATS = ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%dT%H:%M:%S%z")
FINANCIAL_STATUSES = {
    "paid",
    "pending",
    "authorized",
    "partially_paid",
    "partially_refunded",
    "refunded",
    "voided",
    "expired",
    "unpaid",
}
FULFILLMENT_STATUSES = {"fulfilled", "unfulfilled", "partial", "restocked", "pending"}
ORDER_MONEY = {
    "Subtotal": "subtotal",
    "Shipping": "shipping",
    "Taxes": "taxes",
    "Total": "total",
    "Discount Amount": "total_discounts",
    "Refunded Amount": "refunded_amount",
    "Outstanding Balance": "outstanding_balance",
}


class ShopifyOrdersCsv(DelimitedFormat):
    name = "shopify_orders_csv"
    label = "Shopify orders export"
    source = "shopify"
    entities = ("orders", "order_lines")
    download = "Shopify admin > Orders > Export > 'All orders' as 'Plain CSV file'"
    required = (
        "Name",
        "Financial Status",
        "Currency",
        "Subtotal",
        "Shipping",
        "Taxes",
        "Total",
        "Created at",
        "Lineitem quantity",
        "Lineitem name",
        "Lineitem price",
        "Lineitem sku",
        "Id",
    )
    optional = (
        "Email",
        "Paid at",
        "Fulfillment Status",
        "Fulfilled at",
        "Discount Code",
        "Discount Amount",
        "Shipping Method",
        "Lineitem compare at price",
        "Lineitem requires shipping",
        "Lineitem taxable",
        "Lineitem fulfillment status",
        "Lineitem discount",
        "Shipping Country",
        "Shipping Province",
        "Shipping Zip",
        "Note Attributes",
        "Cancelled at",
        "Payment Method",
        "Refunded Amount",
        "Vendor",
        "Outstanding Balance",
        "Tags",
        "Source",
    )
    signature = ("Name", "Financial Status", "Lineitem quantity", "Lineitem price", "Lineitem sku", "Created at")
    group_column = "Name"

    def transform(self, df: pl.DataFrame, ctx: ParseContext) -> Parsed:
        source_columns = [x for x in df.columns if not x.startswith("_")]
        df = self.ensure(df)
        parsed_names = ("Created at", "Paid at", "Fulfilled at", "Cancelled at")
        # Parse each timestamp once; the rules and the outputs below refer to the parsed columns.
        df = df.with_columns(
            [c.timestamp(pl.col(name), TIMESTAMP_FORMATS).alias(f"_ts {name}") for name in parsed_names]
        )
        ts = {name: pl.col(f"_ts {name}") for name in parsed_names}
        first = pl.col("Name").is_first_distinct()
        order_checks = [
            c.required_reason("Id", pl.col("Id")),
            c.integer_reason("Id", pl.col("Id")),
            c.required_reason("Currency", pl.col("Currency")),
            c.currency_reason("Currency", pl.col("Currency")),
            *(c.decimal_reason(name, pl.col(name)) for name in ORDER_MONEY),
            *(c.parsed_reason(name, pl.col(name), ts[name], "a date and time") for name in ts if name != "Created at"),
        ]
        row_checks = [
            c.required_reason("Name", pl.col("Name")),
            c.required_reason("Created at", pl.col("Created at")),
            c.parsed_reason("Created at", pl.col("Created at"), ts["Created at"], "a date and time"),
            c.required_reason("Lineitem quantity", pl.col("Lineitem quantity")),
            c.integer_reason("Lineitem quantity", pl.col("Lineitem quantity"), minimum=1),
            c.required_reason("Lineitem price", pl.col("Lineitem price")),
            c.decimal_reason("Lineitem price", pl.col("Lineitem price")),
            c.decimal_reason("Lineitem compare at price", pl.col("Lineitem compare at price")),
            c.decimal_reason("Lineitem discount", pl.col("Lineitem discount")),
        ]
        own = c.first_reason([*row_checks, pl.when(first).then(c.first_reason(order_checks))])
        df = df.with_columns(_own=own, _first=first)
        # Each per-order window is computed once into a column: referring to a window expression several times
        # evaluated it each time (most of this format's cost).
        df = df.with_columns(
            _bad_line=pl.col("_source_row").filter(pl.col("_own").is_not_null()).min().over("Name"),
            _version=pl.max_horizontal(*ts.values()).max().over("Name"),
            _order_id=c.integer(pl.col("Id")).first().over("Name"),
            _currency=c.currency(pl.col("Currency")).first().over("Name"),
            _position=pl.col("Name").cum_count().over("Name"),
        )
        bad_line = pl.col("_bad_line")
        df = df.with_columns(
            _reason=pl.when(pl.col("_own").is_not_null())
            .then(pl.col("_own"))
            .when(bad_line.is_not_null())
            .then(pl.format("order {} is held back because its line {} was rejected", pl.col("Name"), bad_line))
            .otherwise(c.null_str())
        )
        first = pl.col("_first")
        version = pl.col("_version")
        order_id = pl.col("_order_id")
        currency = pl.col("_currency")
        created = ts["Created at"]
        business_date = c.local_date(created, ctx.timezone)
        orders = df.filter(first).select(
            "_source_row",
            _record_key=order_id.cast(pl.String),
            _record_version=version,
            order_id=order_id,
            order_name=pl.col("Name"),
            email=pl.col("Email"),
            created_at=created,
            created_at_local=pl.col("Created at"),
            paid_at=ts["Paid at"],
            fulfilled_at=ts["Fulfilled at"],
            cancelled_at=ts["Cancelled at"],
            financial_status=pl.col("Financial Status"),
            fulfillment_status=pl.col("Fulfillment Status"),
            currency=currency,
            **{target: c.decimal(pl.col(name)) for name, target in ORDER_MONEY.items()},
            discount_codes=pl.col("Discount Code"),
            shipping_method=pl.col("Shipping Method"),
            payment_method=pl.col("Payment Method"),
            source_name=pl.col("Source"),
            note_attributes=pl.col("Note Attributes"),
            shipping_country=pl.col("Shipping Country"),
            shipping_province=pl.col("Shipping Province"),
            shipping_zip=pl.col("Shipping Zip").str.strip_prefix("'"),
            tags=pl.col("Tags"),
            business_date=business_date,
        )
        position = pl.col("_position")
        lines = df.select(
            "_source_row",
            _record_key=pl.format("{}-{}", order_id, position),
            _record_version=version,
            line_id=pl.format("{}-{}", order_id, position),
            order_id=order_id,
            order_name=pl.col("Name"),
            line_position=position.cast(pl.Int64),
            sku=pl.col("Lineitem sku"),
            product_name=pl.col("Lineitem name"),
            vendor=pl.col("Vendor"),
            quantity=c.integer(pl.col("Lineitem quantity")),
            unit_price=c.decimal(pl.col("Lineitem price")),
            compare_at_price=c.decimal(pl.col("Lineitem compare at price")),
            line_discount=c.decimal(pl.col("Lineitem discount")),
            taxable=c.boolean(pl.col("Lineitem taxable")),
            requires_shipping=c.boolean(pl.col("Lineitem requires shipping")),
            fulfillment_status=pl.col("Lineitem fulfillment status"),
            currency=currency,
            created_at=created,
            business_date=business_date,
        )
        unknown = {
            "Financial Status": count_unknown(df, "Financial Status", FINANCIAL_STATUSES),
            "Fulfillment Status": count_unknown(df, "Fulfillment Status", FULFILLMENT_STATUSES),
        }
        records = records_frame(df, pl.col("_reason"), raw_json(df, source_columns))
        return Parsed(records, {"orders": orders, "order_lines": lines}, unknown=unknown)


FORMAT = ShopifyOrdersCsv()
