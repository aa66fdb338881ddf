"""Etsy Shop Manager > Finances > Monthly statements > (month) > Download CSV (`etsy_statement_<YYYY>_<M>.csv`).

One row per payment-account activity, newest first: `Date,Type,Title,Info,Currency,Amount,Fees & Taxes,Net,
Tax Details`. Dates are written out (`September 5, 2025`, some downloads `Sep 5, 2025`); money carries the
currency symbol (`$12.00`, `-$0.78`) and `--` means none. The order a row belongs to is named in its Title
("Payment for Order #3812345600", "Refund to buyer for Order #...") or Info ("Order #3812345600"): it
lands parsed in `order_id`; a listing fee's `Listing #...` in `listing_id`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl

from ingestion.formats import common as c
from ingestion.formats.base import DelimitedFormat, ParseContext, Parsed, count_unknown, raw_json, records_frame

TYPES = {"sale", "fee", "refund", "marketing", "shipping", "tax", "deposit", "vat", "payment", "subscription"}
DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%m/%d/%Y", "%m/%d/%y", "%d-%b-%y", "%Y-%m-%d")
MONEY = {"Amount": "amount", "Fees & Taxes": "fees_and_taxes", "Net": "net"}
ORDER_REFERENCE = r"Order #\s*(\d+)"
LISTING_REFERENCE = r"Listing #\s*(\d+)"


def _day() -> pl.Expr:
    return c.date(pl.col("Date"), DATE_FORMATS)


def _money() -> dict[str, pl.Expr]:
    return {k: c.without_currency_symbol(pl.col(k)) for k in MONEY}


def _amounts() -> dict[str, pl.Expr]:
    money = _money()
    return {target: c.decimal(money[k]) for k, target in MONEY.items()}


def _natural() -> pl.Expr:
    """What tells two statement rows apart; identical rows (two equal listing fees on one day) are told apart
    by their `#n` occurrence (`occurrence_suffix`)."""
    return c.key(
        _day().cast(pl.String),
        pl.col("Type"),
        pl.col("Title"),
        pl.col("Info"),
        c.currency(pl.col("Currency")),
        *_amounts().values(),
    )


class EtsyStatementCsv(DelimitedFormat):
    name = "etsy_statement_csv"
    label = "Etsy monthly statement CSV"
    source = "etsy"
    entities = ("statement_lines",)
    download = "Etsy Shop Manager > Finances > Monthly statements > choose the month > Download CSV"
    required = ("Date", "Type", "Title", "Currency", "Amount", "Fees & Taxes", "Net")
    optional = ("Info", "Tax Details")
    signature = ("Date", "Type", "Title", "Info", "Currency", "Amount", "Fees & Taxes", "Net")

    def parse(self, text_path: Path, workdir: Path, ctx: ParseContext) -> Iterator[Parsed]:
        """Two passes: identical rows are numbered from the statement's last (oldest) row up, so a later
        download of the month, with new rows on top, keeps the keys of the rows it repeats; a large statement
        is read in batches, so the whole file's rows per key are counted before the first batch is keyed."""
        for item in self.read_batches(text_path, workdir, ctx):
            if isinstance(item, pl.DataFrame):
                c.count_keys(self.ensure(item), _natural(), ctx.state)
        yield from super().parse(text_path, workdir, ctx)

    def transform(self, df: pl.DataFrame, ctx: ParseContext) -> Parsed:
        source_columns = [x for x in df.columns if not x.startswith("_")]
        df = self.ensure(df)
        day = _day()
        money = _money()
        reason = c.first_reason(
            [
                *(c.required_reason(k, pl.col(k)) for k in ("Date", "Type", "Title", "Currency")),
                c.parsed_reason("Date", pl.col("Date"), day, "a date (Month D, YYYY)"),
                c.currency_reason("Currency", pl.col("Currency")),
                *(c.decimal_reason(k, v) for k, v in money.items()),
            ]
        )
        amounts = _amounts()
        rows = df.select(
            "_source_row",
            _record_key=c.occurrence_suffix(df, _natural(), ctx.state, from_last=True),
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
