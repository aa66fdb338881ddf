"""Etsy Shop Manager > Finances > Monthly statements > (month) > Download CSV (`etsy_statement_<YYYY>_<M>.csv`).

One row per payment-account activity, newest first: `Date,Type,Title,Info,Currency,Amount,Fees & Taxes,Net,
Tax Details`. Dates are written out (`September 5, 2025`, some downloads `Sep 5, 2025`); money carries the
currency symbol (`$12.00`, `-$0.78`) and `--` means none. The order a row belongs to is named in its Title
("Payment for Order #3812345600", "Refund to buyer for Order #...") or Info ("Order #3812345600"): it
lands parsed in `order_id`; a listing fee's `Listing #...` in `listing_id`.
"""

from __future__ import annotations

import polars as pl

from ingestion.formats import common as c
from ingestion.formats.base import DelimitedFormat, ParseContext, Parsed, count_unknown, raw_json, records_frame

TYPES = {"sale", "fee", "refund", "marketing", "shipping", "tax", "deposit", "vat", "payment", "subscription"}
DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%m/%d/%Y", "%m/%d/%y", "%d-%b-%y", "%Y-%m-%d")
MONEY = {"Amount": "amount", "Fees & Taxes": "fees_and_taxes", "Net": "net"}
ORDER_REFERENCE = r"Order #\s*(\d+)"
LISTING_REFERENCE = r"Listing #\s*(\d+)"


def _occurrence_from_oldest(natural: pl.Expr) -> pl.Expr:
    """`#n` on the n-th identical row counted from the bottom (the oldest): the statement is newest first,
    so a later download of the month, with new rows on top, keeps the keys of the rows it repeats."""
    n = natural.cum_count(reverse=True).over(natural)
    return pl.when(n > 1).then(natural + pl.lit("#") + n.cast(pl.String)).otherwise(natural)


class EtsyStatementCsv(DelimitedFormat):
    name = "etsy_statement_csv"
    label = "Etsy monthly statement CSV"
    source = "etsy"
    entities = ("statement_lines",)
    download = "Etsy Shop Manager > Finances > Monthly statements > choose the month > Download CSV"
    required = ("Date", "Type", "Title", "Currency", "Amount", "Fees & Taxes", "Net")
    optional = ("Info", "Tax Details")
    signature = ("Date", "Type", "Title", "Info", "Currency", "Amount", "Fees & Taxes", "Net")

    def transform(self, df: pl.DataFrame, ctx: ParseContext) -> Parsed:
        source_columns = [x for x in df.columns if not x.startswith("_")]
        df = self.ensure(df)
        day = c.date(pl.col("Date"), DATE_FORMATS)
        money = {k: c.without_currency_symbol(pl.col(k)) for k in MONEY}
        reason = c.first_reason(
            [
                *(c.required_reason(k, pl.col(k)) for k in ("Date", "Type", "Title", "Currency")),
                c.parsed_reason("Date", pl.col("Date"), day, "a date (Month D, YYYY)"),
                c.currency_reason("Currency", pl.col("Currency")),
                *(c.decimal_reason(k, v) for k, v in money.items()),
            ]
        )
        amounts = {target: c.decimal(money[k]) for k, target in MONEY.items()}
        natural = c.key(
            day.cast(pl.String),
            pl.col("Type"),
            pl.col("Title"),
            pl.col("Info"),
            c.currency(pl.col("Currency")),
            *amounts.values(),
        )
        rows = df.select(
            "_source_row",
            _record_key=_occurrence_from_oldest(natural),
            _record_version=pl.lit(None, dtype=pl.Datetime("us", "UTC")),
            statement_date=day,
            type=pl.col("Type"),
            title=pl.col("Title"),
            info=pl.col("Info"),
            currency=c.currency(pl.col("Currency")),
            **amounts,
            tax_details=pl.when(pl.col("Tax Details") != "--").then(pl.col("Tax Details")),
            order_id=pl.coalesce(
                pl.col("Title").str.extract(ORDER_REFERENCE), pl.col("Info").str.extract(ORDER_REFERENCE)
            ),
            listing_id=pl.col("Info").str.extract(LISTING_REFERENCE),
            business_date=day,
        )
        records = records_frame(df, reason, raw_json(df, source_columns))
        unknown = {"Type": count_unknown(df, "Type", TYPES, case_insensitive=True)}
        return Parsed(records, {"statement_lines": rows}, unknown=unknown)


FORMAT = EtsyStatementCsv()
