"""Google Ads UI download (Campaigns > Download > CSV): a title line, a date-range line, the header on
line 3, then `Total: ...` footer rows that are not data. Numbers may be quoted with thousands commas
("795,836"); ` --` means no value.
"""

from __future__ import annotations

import polars as pl

from ingestion.formats import common as c
from ingestion.formats.base import DelimitedFormat, ParseContext, Parsed, raw_json, records_frame


class GoogleAdsUiCsv(DelimitedFormat):
    name = "google_ads_ui_csv"
    label = "Google Ads campaign report (UI download)"
    source = "google_ads"
    entities = ("campaign_daily",)
    download = (
        "Google Ads > Campaigns > segment by Day, add the Campaign ID column > Download > CSV "
        "(keep the title and total rows; they are handled)"
    )
    required = ("Day", "Campaign", "Impr.", "Clicks", "Cost")
    optional = ("Campaign ID", "Currency code", "Conversions", "Conv. value")
    signature = ("Day", "Campaign", "Impr.", "Clicks", "Cost", "Conv. value")
    max_header_line = 4

    def transform(self, df: pl.DataFrame, ctx: ParseContext) -> Parsed:
        source_columns = [x for x in df.columns if not x.startswith("_")]
        df = self.ensure(df)
        footer = pl.col("Day").str.starts_with("Total")
        skipped = df.filter(footer).height
        df = df.filter(~footer).with_columns(
            [pl.col(k).replace("--", None) for k in ("Impr.", "Clicks", "Cost", "Conversions", "Conv. value")]
        )
        day = c.date(pl.col("Day"), ("%Y-%m-%d", "%b %d, %Y", "%B %d, %Y", "%d/%m/%Y"))
        reason = c.first_reason(
            [
                c.required_reason("Day", pl.col("Day")),
                c.parsed_reason("Day", pl.col("Day"), day, "a date"),
                c.required_reason("Campaign", pl.col("Campaign")),
                c.required_reason("Cost", pl.col("Cost")),
                c.decimal_reason("Cost", pl.col("Cost")),
                c.decimal_reason("Conv. value", pl.col("Conv. value")),
                c.integer_reason("Impr.", pl.col("Impr."), minimum=0),
                c.integer_reason("Clicks", pl.col("Clicks"), minimum=0),
                c.parsed_reason(
                    "Conversions",
                    pl.col("Conversions"),
                    c.normalise_number(pl.col("Conversions")).cast(pl.Float64, strict=False),
                    "a number",
                ),
                c.currency_reason("Currency code", pl.col("Currency code")),
            ]
        )
        campaign = pl.coalesce(pl.col("Campaign ID"), pl.lit("name:") + pl.col("Campaign"))
        cost = c.decimal(pl.col("Cost"))
        rows = df.select(
            "_source_row",
            _record_key=c.key(day.cast(pl.String), campaign),
            _record_version=pl.lit(None, dtype=pl.Datetime("us", "UTC")),
            date=day,
            campaign_id=pl.col("Campaign ID"),
            campaign_name=pl.col("Campaign"),
            currency=c.currency(pl.col("Currency code")),
            impressions=c.integer(pl.col("Impr.")),
            clicks=c.integer(pl.col("Clicks")),
            cost=cost,
            cost_micros=(cost * 1_000_000).cast(pl.Int64, strict=False),
            conversions=c.normalise_number(pl.col("Conversions")).cast(pl.Float64, strict=False),
            conversions_value=c.decimal(pl.col("Conv. value")),
            business_date=day,
        )
        records = records_frame(df, reason, raw_json(df, source_columns))
        return Parsed(records, {"campaign_daily": rows}, skipped=skipped)


FORMAT = GoogleAdsUiCsv()
