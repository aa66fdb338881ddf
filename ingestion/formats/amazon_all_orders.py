"""Amazon Seller Central > Reports > Order Reports > All Orders (flat file, tab-separated): one row per item.

`item-price` is the line total for the quantity. Cancelled items carry quantity 0 and blank prices.
"""

from __future__ import annotations

import polars as pl

from ingestion.formats import common as c
from ingestion.formats.base import DelimitedFormat, ParseContext, Parsed, count_unknown, raw_json, records_frame

ORDER_STATUSES = {"Shipped", "Pending", "Unshipped", "Cancelled", "Shipping", "Pending - Waiting for Pick Up"}
FULFILLMENT_CHANNELS = {"Amazon", "Merchant"}
TIMESTAMPS = (None, "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S %z")
MONEY = (
    "item-price",
    "item-tax",
    "shipping-price",
    "shipping-tax",
    "gift-wrap-price",
    "gift-wrap-tax",
    "item-promotion-discount",
    "ship-promotion-discount",
)
TEXT = {
    "merchant-order-id": "merchant_order_id",
    "order-status": "order_status",
    "fulfillment-channel": "fulfillment_channel",
    "sales-channel": "sales_channel",
    "order-channel": "order_channel",
    "ship-service-level": "ship_service_level",
    "product-name": "product_name",
    "sku": "sku",
    "asin": "asin",
    "item-status": "item_status",
    "ship-city": "ship_city",
    "ship-state": "ship_state",
    "ship-postal-code": "ship_postal_code",
    "ship-country": "ship_country",
    "promotion-ids": "promotion_ids",
}


class AmazonAllOrders(DelimitedFormat):
    name = "amazon_all_orders"
    label = "Amazon All Orders report"
    source = "amazon"
    entities = ("orders",)
    download = "Seller Central > Reports > Fulfillment (or Order Reports) > All Orders > 'Order Date' range > Download"
    required = (
        "amazon-order-id",
        "purchase-date",
        "last-updated-date",
        "order-status",
        "fulfillment-channel",
        "sales-channel",
        "sku",
        "quantity",
        "currency",
        "item-price",
    )
    optional = (*(k for k in TEXT if k not in ("sku",)), *(m for m in MONEY if m != "item-price"), "is-business-order")
    signature = ("amazon-order-id", "purchase-date", "last-updated-date", "order-status", "item-price", "asin")
    delimiters = ("\t",)

    def transform(self, df: pl.DataFrame, ctx: ParseContext) -> Parsed:
        source_columns = [x for x in df.columns if not x.startswith("_")]
        df = self.ensure(df)
        purchase = c.timestamp(pl.col("purchase-date"), TIMESTAMPS)
        updated = c.timestamp(pl.col("last-updated-date"), TIMESTAMPS)
        quantity = c.integer(pl.col("quantity"))
        cancelled = pl.col("order-status").str.to_lowercase() == "cancelled"
        reason = c.first_reason(
            [
                c.required_reason("amazon-order-id", pl.col("amazon-order-id")),
                c.required_reason("purchase-date", pl.col("purchase-date")),
                c.parsed_reason("purchase-date", pl.col("purchase-date"), purchase, "an ISO-8601 timestamp"),
                c.parsed_reason("last-updated-date", pl.col("last-updated-date"), updated, "an ISO-8601 timestamp"),
                c.required_reason("quantity", pl.col("quantity")),
                c.integer_reason("quantity", pl.col("quantity"), minimum=0),
                pl.when((quantity == 0) & ~cancelled.fill_null(False))
                .then(
                    pl.format(
                        "quantity: 0 on an item whose order-status is '{}' (only Cancelled may)", pl.col("order-status")
                    )
                )
                .otherwise(c.null_str()),
                c.currency_reason("currency", pl.col("currency")),
                *(c.decimal_reason(m, pl.col(m)) for m in MONEY),
            ]
        )
        natural = c.key(pl.col("amazon-order-id"), pl.col("sku"))
        rows = df.select(
            "_source_row",
            _record_key=c.occurrence_suffix(df, natural, ctx.state),
            _record_version=pl.coalesce(updated, purchase),
            amazon_order_id=pl.col("amazon-order-id"),
            purchase_date=purchase,
            last_updated_date=updated,
            quantity=quantity,
            currency=c.currency(pl.col("currency")),
            is_business_order=c.boolean(pl.col("is-business-order")),
            business_date=c.local_date(purchase, ctx.timezone),
            **{target: pl.col(name) for name, target in TEXT.items()},
            **{m.replace("-", "_"): c.decimal(pl.col(m)) for m in MONEY},
        )
        records = records_frame(df, reason, raw_json(df, source_columns))
        unknown = {
            "order-status": count_unknown(df, "order-status", ORDER_STATUSES, case_insensitive=True),
            "fulfillment-channel": count_unknown(df, "fulfillment-channel", FULFILLMENT_CHANNELS),
        }
        return Parsed(records, {"orders": rows}, unknown=unknown)


FORMAT = AmazonAllOrders()
