"""Amazon Seller Central > Payments > Reports Repository > Settlement report, Flat File V2 (tab-separated).

The first data row is the settlement summary (period, deposit date, total, currency) with empty
transaction columns; it lands in `amazon/settlements`, every other row in `amazon/settlement_lines`.
Numbers and `posted-date` follow the marketplace locale (`95,00` and `DD.MM.YYYY` on EU marketplaces,
`MM/DD/YY` on Amazon.com): the decimal mark and date order are detected per file, from the file itself.
"""

from __future__ import annotations

import re

import polars as pl

from ingestion.formats import common as c
from ingestion.formats.base import DelimitedFormat, ParseContext, Parsed, count_unknown, raw_json, records_frame
from ingestion.textio import read_head

TRANSACTION_TYPES = {
    "order",
    "refund",
    "chargeback refund",
    "a-to-z guarantee claim",
    "a-to-z guarantee refund",
    "adjustment",
    "servicefee",
    "other-transaction",
    "fbafees",
    "fba inventory fee",
    "liquidations",
    "disbursement",
    "transfer",
}
AMOUNT_TYPES = {
    "itemprice",
    "itemfees",
    "promotion",
    "itemwithheldtax",
    "other-transaction",
    "cost of advertising",
    "fba inventory reimbursement",
    "itemtax",
}
PERIOD_FORMATS = ("%Y-%m-%d %H:%M:%S", "%d.%m.%Y %H:%M:%S", "%m/%d/%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d")
POSTED_DATE_FORMATS = {
    "iso": ("%Y-%m-%d",),
    "dmy_dot": ("%d.%m.%Y", "%d.%m.%y"),
    "mdy": ("%m/%d/%y", "%m/%d/%Y"),
    "dmy_slash": ("%d/%m/%Y", "%d/%m/%y"),
}
DAY_FIRST_MARKETPLACES = re.compile(r"amazon\.(co\.uk|de|fr|it|es|nl|com\.be|ie|se|pl|com\.tr|in|com\.au)", re.I)


def detect_locale(sample: str) -> tuple[str, str]:
    """(decimal mark, posted-date style) of one settlement file, from a sample of its rows."""
    lines = sample.split("\n")
    header = [h.strip().lower() for h in lines[0].split("\t")]
    rows = [line.split("\t") for line in lines[1:400] if "\t" in line]

    def values(column: str) -> list[str]:
        if column not in header:
            return []
        i = header.index(column)
        return [r[i].strip() for r in rows if len(r) > i and r[i].strip()]

    amounts = values("amount") + values("total-amount")
    comma = sum(1 for a in amounts if re.fullmatch(r"-?[\d.]*\d,\d{1,2}", a))
    dot = sum(1 for a in amounts if re.fullmatch(r"-?[\d,]*\d\.\d{1,2}", a))
    decimal_mark = "," if comma > dot else "."
    dates = values("posted-date")
    slashed = [d.split("/") for d in dates if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{2,4}", d)]
    if any(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in dates):
        style = "iso"
    elif any("." in d for d in dates):
        style = "dmy_dot"
    elif any(int(d[0]) > 12 for d in slashed):
        style = "dmy_slash"
    elif any(int(d[1]) > 12 for d in slashed):
        style = "mdy"
    else:
        style = "dmy_slash" if DAY_FIRST_MARKETPLACES.search(" ".join(values("marketplace-name"))) else "mdy"
    return decimal_mark, style


class AmazonSettlement(DelimitedFormat):
    name = "amazon_settlement"
    label = "Amazon settlement report (Flat File V2)"
    source = "amazon"
    entities = ("settlements", "settlement_lines")
    download = "Seller Central > Payments > Reports Repository > Settlement > Flat File V2 > Download"
    required = (
        "settlement-id",
        "settlement-start-date",
        "settlement-end-date",
        "deposit-date",
        "total-amount",
        "currency",
        "transaction-type",
        "order-id",
        "amount-type",
        "amount-description",
        "amount",
        "posted-date",
    )
    optional = (
        "merchant-order-id",
        "adjustment-id",
        "shipment-id",
        "marketplace-name",
        "fulfillment-id",
        "posted-date-time",
        "order-item-code",
        "merchant-order-item-id",
        "merchant-adjustment-item-id",
        "sku",
        "quantity-purchased",
        "promotion-id",
    )
    signature = ("settlement-id", "settlement-start-date", "deposit-date", "total-amount", "amount-type", "amount")
    delimiters = ("\t",)

    def transform(self, df: pl.DataFrame, ctx: ParseContext) -> Parsed:
        source_columns = [x for x in df.columns if not x.startswith("_")]
        df = self.ensure(df)
        if "locale" not in ctx.state:
            ctx.state["locale"] = detect_locale(read_head(ctx.state["text_path"], 1 << 20))
        decimal_mark, style = ctx.state["locale"]
        is_summary = (
            pl.col("transaction-type").is_null() & pl.col("amount").is_null() & pl.col("total-amount").is_not_null()
        )
        period = {
            k: c.naive_utc(pl.col(k), PERIOD_FORMATS)
            for k in ("settlement-start-date", "settlement-end-date", "deposit-date")
        }
        posted_date = c.date(pl.col("posted-date"), POSTED_DATE_FORMATS[style])
        posted_at = c.naive_utc(pl.col("posted-date-time"), ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"))
        summary_checks = [
            c.required_reason("total-amount", pl.col("total-amount")),
            c.decimal_reason("total-amount", pl.col("total-amount"), decimal_mark=decimal_mark),
            c.required_reason("currency", pl.col("currency")),
            c.currency_reason("currency", pl.col("currency")),
            *(c.parsed_reason(k, pl.col(k), v, "a date and time") for k, v in period.items()),
        ]
        line_checks = [
            c.required_reason("transaction-type", pl.col("transaction-type")),
            c.required_reason("amount", pl.col("amount")),
            c.decimal_reason("amount", pl.col("amount"), decimal_mark=decimal_mark),
            c.required_reason("posted-date", pl.col("posted-date")),
            c.parsed_reason("posted-date", pl.col("posted-date"), posted_date, "a date in this file's format"),
            c.parsed_reason("posted-date-time", pl.col("posted-date-time"), posted_at, "a date and time"),
            c.integer_reason("quantity-purchased", pl.col("quantity-purchased"), minimum=0),
        ]
        reason = c.first_reason(
            [
                c.required_reason("settlement-id", pl.col("settlement-id")),
                pl.when(is_summary).then(c.first_reason(summary_checks)).otherwise(c.first_reason(line_checks)),
            ]
        )
        summary = df.filter(is_summary)
        if summary.height:
            known = ctx.state.setdefault("currency", {})
            for sid, cur in summary.select("settlement-id", c.currency(pl.col("currency"))).iter_rows():
                known[sid] = cur  # one summary row per settlement file
        currency_by_id = pl.col("settlement-id").replace_strict(
            ctx.state.get("currency", {}), default=None, return_dtype=pl.String
        )
        marketplace_currency = (
            pl.col("marketplace-name")
            .str.to_lowercase()
            .replace_strict(c.MARKETPLACE_CURRENCY, default=None, return_dtype=pl.String)
        )
        settlements = summary.select(
            "_source_row",
            _record_key=pl.col("settlement-id"),
            _record_version=pl.lit(None, dtype=pl.Datetime("us", "UTC")),
            settlement_id=pl.col("settlement-id"),
            settlement_start_date=period["settlement-start-date"],
            settlement_end_date=period["settlement-end-date"],
            deposit_date=period["deposit-date"],
            total_amount=c.decimal(pl.col("total-amount"), decimal_mark=decimal_mark),
            currency=c.currency(pl.col("currency")),
            marketplace_name=pl.col("marketplace-name"),
            business_date=pl.coalesce(period["deposit-date"], period["settlement-end-date"]).dt.date(),
        )
        lines = df.filter(~is_summary).select(
            "_source_row",
            _record_key=c.key(pl.col("settlement-id"), pl.col("_source_row")),
            _record_version=pl.lit(None, dtype=pl.Datetime("us", "UTC")),
            settlement_id=pl.col("settlement-id"),
            transaction_type=pl.col("transaction-type"),
            order_id=pl.col("order-id"),
            merchant_order_id=pl.col("merchant-order-id"),
            adjustment_id=pl.col("adjustment-id"),
            shipment_id=pl.col("shipment-id"),
            marketplace_name=pl.col("marketplace-name"),
            amount_type=pl.col("amount-type"),
            amount_description=pl.col("amount-description"),
            amount=c.decimal(pl.col("amount"), decimal_mark=decimal_mark),
            currency=pl.coalesce(currency_by_id, marketplace_currency),
            fulfillment_id=pl.col("fulfillment-id"),
            posted_date=posted_date,
            posted_at=posted_at,
            order_item_code=pl.col("order-item-code"),
            merchant_order_item_id=pl.col("merchant-order-item-id"),
            merchant_adjustment_item_id=pl.col("merchant-adjustment-item-id"),
            sku=pl.col("sku"),
            quantity_purchased=c.integer(pl.col("quantity-purchased")),
            promotion_id=pl.col("promotion-id"),
            business_date=pl.coalesce(posted_date, posted_at.dt.date()),
        )
        records = records_frame(df, reason, raw_json(df, source_columns))
        unknown = {
            "transaction-type": count_unknown(df, "transaction-type", TRANSACTION_TYPES, case_insensitive=True),
            "amount-type": count_unknown(df, "amount-type", AMOUNT_TYPES, case_insensitive=True),
        }
        return Parsed(records, {"settlements": settlements, "settlement_lines": lines}, unknown=unknown)


FORMAT = AmazonSettlement()
