"""Etsy Shop Manager > Settings > Options > Download Data > Orders: Order Items CSV (`EtsySoldOrderItems<YYYY>.csv`).

One row per sold item (Etsy "transaction"). `Sale Date`, `Date Paid` and `Date Shipped` are `MM/DD/YY`
(the shop's day, no time); money is plain (`34.00`) or with the currency symbol (`$34.00`) depending on
the download, both are read. `Order Shipping`, `Shipping Discount` and `Order Sales Tax` are the order's
values repeated on each of its items; `Discount Amount` is the item's own. Buyer names and street
addresses are not landed (no PII downstream): city, state, zip code and country are.
"""

from __future__ import annotations

import polars as pl

from ingestion.formats import common as c
from ingestion.formats.base import DelimitedFormat, ParseContext, Parsed, raw_json, records_frame

DATE_FORMATS = ("%m/%d/%y", "%m/%d/%Y", "%Y-%m-%d")
MONEY = {
    "Price": "price",
    "Item Total": "item_total",
    "Discount Amount": "discount_amount",
    "Shipping Discount": "shipping_discount",
    "Order Shipping": "order_shipping",
    "Order Sales Tax": "order_sales_tax",
    "VAT Paid by Buyer": "vat_paid_by_buyer",
}
DATES = {"Sale Date": "sale_date", "Date Paid": "date_paid", "Date Shipped": "date_shipped"}


class EtsySoldOrderItemsCsv(DelimitedFormat):
    name = "etsy_sold_order_items_csv"
    label = "Etsy Sold Order Items CSV"
    source = "etsy"
    entities = ("order_items",)
    download = "Etsy Shop Manager > Settings > Options > Download Data > CSV type Order Items > Download CSV"
    required = ("Sale Date", "Item Name", "Quantity", "Price", "Currency", "Transaction ID", "Order ID")
    optional = (
        "Buyer",
        "Coupon Code",
        "Coupon Details",
        "Discount Amount",
        "Shipping Discount",
        "Order Shipping",
        "Order Sales Tax",
        "Item Total",
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
        "Variations",
        "Order Type",
        "Listings Type",
        "Payment Type",
        "InPerson Discount",
        "InPerson Location",
        "VAT Paid by Buyer",
        "SKU",
    )
    signature = ("Sale Date", "Item Name", "Transaction ID", "Listing ID", "Order ID", "Order Shipping", "Item Total")

    def transform(self, df: pl.DataFrame, ctx: ParseContext) -> Parsed:
        source_columns = [x for x in df.columns if not x.startswith("_")]
        df = self.ensure(df)
        money = {k: c.without_currency_symbol(pl.col(k)) for k in MONEY}
        dates = {k: c.date(pl.col(k), DATE_FORMATS) for k in DATES}
        reason = c.first_reason(
            [
                *(c.required_reason(k, pl.col(k)) for k in ("Transaction ID", "Order ID", "Sale Date", "Currency")),
                *(c.parsed_reason(k, pl.col(k), v, "a date (MM/DD/YY)") for k, v in dates.items()),
                c.required_reason("Quantity", pl.col("Quantity")),
                c.integer_reason("Quantity", pl.col("Quantity"), minimum=1),
                c.required_reason("Price", pl.col("Price")),
                *(c.decimal_reason(k, v) for k, v in money.items()),
                c.currency_reason("Currency", pl.col("Currency")),
            ]
        )
        rows = df.select(
            "_source_row",
            _record_key=pl.col("Transaction ID"),
            _record_version=pl.lit(None, dtype=pl.Datetime("us", "UTC")),
            # Etsy ids are numbers in the download; kept as text, as the statement names them ("Order #...").
            order_id=pl.col("Order ID").str.strip_chars_start("#"),
            transaction_id=pl.col("Transaction ID"),
            listing_id=pl.col("Listing ID"),
            sku=pl.col("SKU"),
            item_name=pl.col("Item Name"),
            variations=pl.col("Variations"),
            quantity=c.integer(pl.col("Quantity")),
            **{target: c.decimal(money[k]) for k, target in MONEY.items()},
            coupon_code=pl.col("Coupon Code"),
            coupon_details=pl.col("Coupon Details"),
            currency=c.currency(pl.col("Currency")),
            **{target: dates[k] for k, target in DATES.items()},
            ship_city=pl.col("Ship City"),
            ship_state=pl.col("Ship State"),
            ship_zipcode=pl.col("Ship Zipcode"),
            ship_country=pl.col("Ship Country"),
            order_type=pl.col("Order Type"),
            listings_type=pl.col("Listings Type"),
            payment_type=pl.col("Payment Type"),
            business_date=dates["Sale Date"],
        )
        records = records_frame(df, reason, raw_json(df, source_columns))
        return Parsed(records, {"order_items": rows})


FORMAT = EtsySoldOrderItemsCsv()
