"""Google Ads API (GAQL) campaign x day rows: a `SearchStream` response (an array of batches with
`results`) or a `Search` page (`{"results": [...]}`). camelCase keys, int64 values as text, cost in
micros of the account currency.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl

from ingestion.formats import common as c
from ingestion.formats.base import (
    Detection,
    Format,
    ParseContext,
    Parsed,
    Sniff,
    read_json_document,
    records_frame,
    with_record_numbers,
)
from ingestion.registry import MONEY
from ingestion.textio import FileProblem

ROW = pl.Struct(
    {
        "campaign": pl.Struct({"id": pl.String, "name": pl.String}),
        "customer": pl.Struct({"currencyCode": pl.String}),
        "metrics": pl.Struct(
            {
                "clicks": pl.String,
                "impressions": pl.String,
                "costMicros": pl.String,
                "conversions": pl.String,
                "conversionsValue": pl.String,
            }
        ),
        "segments": pl.Struct({"date": pl.String}),
    }
)


def result_rows(text_path: Path, row: pl.Struct, fix_when_empty: str) -> pl.DataFrame:
    """The `results` rows of a GAQL response, numbered: a SearchStream array of batches and a single Search
    page read the same way. An empty response is a file problem (`fix_when_empty` says what to query)."""
    doc = read_json_document(text_path, {"results": pl.List(row)})
    rows = doc.select(pl.col("results").explode()).drop_nulls().unnest("results")
    if rows.is_empty():
        raise FileProblem("header-only file: the response holds no result rows", fix_when_empty)
    return with_record_numbers(rows)


class GoogleAdsGaqlJson(Format):
    name = "google_ads_gaql_json"
    label = "Google Ads API (GAQL) campaign rows"
    source = "google_ads"
    entities = ("campaign_daily",)
    download = (
        "GoogleAdsService.SearchStream with `SELECT segments.date, campaign.id, campaign.name, metrics.clicks, "
        "metrics.impressions, metrics.cost_micros, metrics.conversions, metrics.conversions_value FROM campaign`"
    )

    def detect(self, sniff: Sniff) -> Detection | None:
        keys = sniff.json_keys
        if sniff.is_json and "results" in keys and "segments" in keys and "metrics" in keys:
            return Detection(self, 1.0)
        return None

    def parse(self, text_path: Path, workdir: Path, ctx: ParseContext) -> Iterator[Parsed]:
        yield self.transform(result_rows(text_path, ROW, "query a period with spend"), ctx)

    def transform(self, df: pl.DataFrame, ctx: ParseContext) -> Parsed:
        m = pl.col("metrics").struct.field
        day_text = pl.col("segments").struct.field("date")
        day = c.date(day_text, ("%Y-%m-%d",))
        campaign_id = pl.col("campaign").struct.field("id")
        micros = c.integer(m("costMicros"))
        reason = c.first_reason(
            [
                c.required_reason("segments.date", day_text),
                c.parsed_reason("segments.date", day_text, day, "a date (yyyy-MM-dd)"),
                c.required_reason("campaign.id", campaign_id),
                c.required_reason("metrics.costMicros", m("costMicros")),
                c.integer_reason("metrics.costMicros", m("costMicros"), minimum=0),
                c.integer_reason("metrics.clicks", m("clicks"), minimum=0),
                c.integer_reason("metrics.impressions", m("impressions"), minimum=0),
                c.currency_reason("customer.currencyCode", pl.col("customer").struct.field("currencyCode")),
            ]
        )
        rows = df.select(
            "_source_row",
            _record_key=c.key(day.cast(pl.String), campaign_id),
            _record_version=pl.lit(None, dtype=pl.Datetime("us", "UTC")),
            date=day,
            campaign_id=campaign_id,
            campaign_name=pl.col("campaign").struct.field("name"),
            currency=c.currency(pl.col("customer").struct.field("currencyCode")),
            impressions=c.integer(m("impressions")),
            clicks=c.integer(m("clicks")),
            cost=(micros.cast(pl.Decimal(24, 6)) / 1_000_000).round(2).cast(MONEY),
            cost_micros=micros,
            conversions=m("conversions").cast(pl.Float64, strict=False),
            conversions_value=c.float_decimal(m("conversionsValue")),
            business_date=day,
        )
        records = records_frame(df, reason, pl.struct("campaign", "metrics", "segments").struct.json_encode())
        return Parsed(records, {"campaign_daily": rows})


FORMAT = GoogleAdsGaqlJson()
