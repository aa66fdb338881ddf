"""Meta Ads Manager export (Reports > Export table data > CSV), with the currency inside the spend
header (`Amount spent (USD)`). It carries names, not ids: the record key uses the names."""

from __future__ import annotations

import re

import polars as pl

from ingestion.formats import common as c
from ingestion.formats.base import DelimitedFormat, Detection, ParseContext, Parsed, raw_json, records_frame

SPEND_HEADER = re.compile(r"^Amount spent \((\w{3})\)$")


def _plain(header: list[str]) -> list[str]:
    """`Amount spent (USD)` -> `Amount spent` (the currency is read from the original header)."""
    return [SPEND_HEADER.sub("Amount spent", h.strip()) for h in header]


class MetaAdsManagerCsv(DelimitedFormat):
    name = "meta_ads_manager_csv"
    label = "Meta Ads Manager export (CSV)"
    source = "meta_ads"
    entities = ("campaign_daily",)
    download = "Meta Ads Manager > Campaigns > Breakdown: By time > Day > Reports > Export table data > .csv"
    required = ("Campaign name", "Day", "Impressions", "Amount spent")
    optional = (
        "Reporting starts",
        "Reporting ends",
        "Ad set name",
        "Link clicks",
        "Purchases",
        "Purchases conversion value",
        "Currency",
    )
    signature = ("Reporting starts", "Reporting ends", "Campaign name", "Day", "Impressions", "Amount spent")

    def column_names(self, header: list[str]) -> list[str]:
        return super().column_names(_plain(header))

    def header_matches(self, header: list[str]) -> float:
        return super().header_matches(_plain(header))

    def check(self, detection: Detection, file_label: str) -> None:
        plain = Detection(detection.format, detection.score, detection.header_line, detection.delimiter)
        plain.header = _plain(detection.header)
        super().check(plain, file_label)

    def transform(self, df: pl.DataFrame, ctx: ParseContext) -> Parsed:
        source_columns = [x for x in df.columns if not x.startswith("_")]
        df = self.ensure(df)
        header_currency = next(
            (m.group(1) for h in ctx.detection.header if (m := SPEND_HEADER.match(h.strip()))),
            None,
        )
        currency = pl.coalesce(pl.col("Currency"), pl.lit(header_currency, dtype=pl.String))
        day = c.date(pl.col("Day"), ("%Y-%m-%d",))
        reason = c.first_reason(
            [
                c.required_reason("Day", pl.col("Day")),
                c.parsed_reason("Day", pl.col("Day"), day, "a date (YYYY-MM-DD)"),
                c.required_reason("Campaign name", pl.col("Campaign name")),
                c.required_reason("Amount spent", pl.col("Amount spent")),
                c.decimal_reason("Amount spent", pl.col("Amount spent")),
                c.decimal_reason("Purchases conversion value", pl.col("Purchases conversion value")),
                c.integer_reason("Impressions", pl.col("Impressions"), minimum=0),
                c.currency_reason("Currency", currency),
            ]
        )
        rows = df.select(
            "_source_row",
            _record_key=c.key(
                day.cast(pl.String), pl.lit("name:") + pl.col("Campaign name"), pl.col("Ad set name"), pl.lit("")
            ),
            _record_version=pl.lit(None, dtype=pl.Datetime("us", "UTC")),
            date=day,
            campaign_name=pl.col("Campaign name"),
            adset_name=pl.col("Ad set name"),
            currency=c.currency(currency),
            impressions=c.integer(pl.col("Impressions")),
            clicks=c.integer(pl.col("Link clicks")),
            spend=c.decimal(pl.col("Amount spent")),
            purchases=c.normalise_number(pl.col("Purchases")).cast(pl.Float64, strict=False),
            purchase_value=c.decimal(pl.col("Purchases conversion value")),
            purchase_action_type=pl.when(pl.col("Purchases").is_not_null()).then(pl.lit("purchase")),
            business_date=day,
        )
        records = records_frame(df, reason, raw_json(df, source_columns))
        return Parsed(records, {"campaign_daily": rows})


FORMAT = MetaAdsManagerCsv()
