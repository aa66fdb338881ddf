"""Shopify Payments > Payouts > Transactions > Export (CSV): charges with their actual fees, refunds, adjustments."""

from __future__ import annotations

import polars as pl

from ingestion.formats import common as c
from ingestion.formats.base import DelimitedFormat, ParseContext, Parsed, count_unknown, raw_json, records_frame

TYPES = {"charge", "refund", "adjustment", "shop_cash_credit", "marketplace sales tax", "dispute", "payout", "reserve"}
TIMESTAMP_FORMATS = ("%Y-%m-%d %H:%M:%S %z", None)
DATE_FORMATS = ("%Y-%m-%d",)
MONEY = {"Amount": "amount", "Fee": "fee", "Net": "net", "Presentment Amount": "presentment_amount"}


# The export's columns in Shopify's order (/work/shared/formats.md "Payments transactions export CSV"): what
# the Payments connector writes, so pulled balance transactions land through this same parser.
EXPORT_COLUMNS = (
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
)


class ShopifyPaymentsCsv(DelimitedFormat):
    name = "shopify_payments_csv"
    label = "Shopify Payments transactions export"
    source = "shopify"
    entities = ("payment_transactions",)
    download = "Shopify admin > Finance (Settings > Payments) > Payouts > View transactions > Export"
    required = ("Transaction Date", "Type", "Order", "Amount", "Fee", "Net", "Currency")
    optional = (
        "Card Brand",
        "Card Source",
        "Payout Status",
        "Payout Date",
        "Available On",
        "Checkout",
        "Payment Method Name",
        "Presentment Amount",
        "Presentment Currency",
    )
    signature = ("Transaction Date", "Type", "Order", "Amount", "Fee", "Net", "Payout Status")

    def transform(self, df: pl.DataFrame, ctx: ParseContext) -> Parsed:
        source_columns = [x for x in df.columns if not x.startswith("_")]
        df = self.ensure(df)
        # Parsed once: the rules, the key and the outputs below refer to the column.
        df = df.with_columns(_at=c.timestamp(pl.col("Transaction Date"), TIMESTAMP_FORMATS))
        at = pl.col("_at")
        dates = {k: c.date(pl.col(k), DATE_FORMATS) for k in ("Payout Date", "Available On")}
        reason = c.first_reason(
            [
                c.required_reason("Transaction Date", pl.col("Transaction Date")),
                c.parsed_reason("Transaction Date", pl.col("Transaction Date"), at, "a date and time"),
                c.required_reason("Type", pl.col("Type")),
                *(c.required_reason(k, pl.col(k)) for k in ("Amount", "Currency")),
                *(c.decimal_reason(k, pl.col(k)) for k in MONEY),
                c.currency_reason("Currency", pl.col("Currency")),
                c.currency_reason("Presentment Currency", pl.col("Presentment Currency")),
                *(c.parsed_reason(k, pl.col(k), v, "a date (YYYY-MM-DD)") for k, v in dates.items()),
            ]
        )
        df = df.with_columns(
            _natural=c.key(
                pl.col("Order"), pl.col("Type"), c.iso_utc_text(at), c.decimal(pl.col("Amount")), pl.col("Checkout")
            )
        )
        natural = pl.col("_natural")  # a column: a window partitioned by the expression re-evaluated it per use
        rows = df.select(
            "_source_row",
            _record_key=c.occurrence_suffix(df, natural, ctx.state),
            _record_version=pl.lit(None, dtype=pl.Datetime("us", "UTC")),
            transaction_at=at,
            transaction_at_local=pl.col("Transaction Date"),
            type=pl.col("Type"),
            order_name=pl.col("Order"),
            card_brand=pl.col("Card Brand"),
            card_source=pl.col("Card Source"),
            payout_status=pl.col("Payout Status"),
            payout_date=dates["Payout Date"],
            available_on=dates["Available On"],
            **{target: c.decimal(pl.col(k)) for k, target in MONEY.items()},
            checkout=pl.col("Checkout"),
            payment_method_name=pl.col("Payment Method Name"),
            presentment_currency=c.currency(pl.col("Presentment Currency")),
            currency=c.currency(pl.col("Currency")),
            business_date=c.local_date(at, ctx.timezone),
        )
        records = records_frame(df, reason, raw_json(df, source_columns))
        unknown = {"Type": count_unknown(df, "Type", TYPES, case_insensitive=True)}
        return Parsed(records, {"payment_transactions": rows}, unknown=unknown)


FORMAT = ShopifyPaymentsCsv()
