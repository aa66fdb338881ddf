"""Shopify bill charges (CSV): Settings > Billing > a bill (or the current billing cycle) > Export.

Every charge of the bill is a row: the plan subscription, app charges, and Shopify Shipping labels with
their price adjustments (Shopify help: "Shopify Shipping billing" - labels are billed in USD through the
Shopify bill, adjustments and refunds appear as label charges and credits). A label row names its order
in the `Order` column (else `#<number>` in the description). Extra columns are ignored.
"""

from __future__ import annotations

import polars as pl

from ingestion.formats import common as c
from ingestion.formats.base import DelimitedFormat, ParseContext, Parsed, raw_json, records_frame

DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%Y-%m-%d %H:%M:%S %z")


class ShopifyBillingCsv(DelimitedFormat):
    name = "shopify_billing_csv"
    label = "Shopify bill charges (CSV)"
    source = "shopify"
    entities = ("billing_charges",)
    download = "Shopify admin > Settings > Billing > Past bills > a bill > Export (or Current billing cycle > Export)"
    required = ("Bill #", "Charge category", "Description", "Amount", "Currency", "Date")
    optional = ("Order", "App", "Start date of billing cycle", "End date of billing cycle")
    signature = ("Bill #", "Charge category", "Description", "Amount")

    def transform(self, df: pl.DataFrame, ctx: ParseContext) -> Parsed:
        source_columns = [x for x in df.columns if not x.startswith("_")]
        df = self.ensure(df)
        day = c.date(pl.col("Date"), DATE_FORMATS)
        reason = c.first_reason(
            [
                c.required_reason("Charge category", pl.col("Charge category")),
                c.required_reason("Date", pl.col("Date")),
                c.parsed_reason("Date", pl.col("Date"), day, "a date (YYYY-MM-DD)"),
                c.required_reason("Amount", pl.col("Amount")),
                c.decimal_reason("Amount", pl.col("Amount")),
                c.required_reason("Currency", pl.col("Currency")),
                c.currency_reason("Currency", pl.col("Currency")),
            ]
        )
        order_name = pl.coalesce(
            pl.when(pl.col("Order").str.strip_chars() != "").then(pl.col("Order").str.strip_chars()),
            pl.col("Description").str.extract(r"(#\d+)"),
        )
        natural = c.key(
            pl.col("Bill #"), pl.col("Charge category"), pl.col("Description"), day.cast(pl.String), pl.col("Amount")
        )
        rows = df.select(
            "_source_row",
            _record_key=c.occurrence_suffix(df, natural, ctx.state),
            _record_version=pl.lit(None, dtype=pl.Datetime("us", "UTC")),
            bill_number=pl.col("Bill #"),
            charge_category=pl.col("Charge category"),
            description=pl.col("Description"),
            app=pl.col("App"),
            order_name=order_name,
            charged_on=day,
            amount=c.decimal(pl.col("Amount")),
            currency=c.currency(pl.col("Currency")),
            business_date=day,
        )
        records = records_frame(df, reason, raw_json(df, source_columns))
        return Parsed(records, {"billing_charges": rows})


FORMAT = ShopifyBillingCsv()
