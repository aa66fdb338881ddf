"""Google Ads API (GAQL) `click_view` rows: which campaign each Google click id (gclid) came from.

`SELECT click_view.gclid, campaign.id, segments.date FROM click_view WHERE segments.date = 'yyyy-MM-dd'`
(click_view takes one day per query and keeps about 90 days). A `SearchStream` response is an array of
batches with `results`; several days' responses may be concatenated into one array. Keys are camelCase
(`clickView.gclid`, `campaign.id`, `segments.date`), int64 values as text. Touches whose landing URL
carries a gclid but no `utm_campaign` (auto-tagging) resolve to their campaign through it
(docs/metrics.md rule 41).
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
    records_frame,
)
from ingestion.formats.google_ads_gaql_json import result_rows

ROW = pl.Struct(
    {
        "clickView": pl.Struct({"resourceName": pl.String, "gclid": pl.String}),
        "campaign": pl.Struct({"resourceName": pl.String, "id": pl.String}),
        "segments": pl.Struct({"date": pl.String}),
    }
)


class GoogleAdsClickViewJson(Format):
    name = "google_ads_click_view_json"
    label = "Google Ads API (GAQL) click_view rows (gclid -> campaign)"
    source = "google_ads"
    entities = ("click_view",)
    download = (
        "GoogleAdsService.SearchStream, one query per day: `SELECT click_view.gclid, campaign.id, segments.date "
        "FROM click_view WHERE segments.date = 'yyyy-MM-dd'` (responses of several days may be concatenated)"
    )

    def detect(self, sniff: Sniff) -> Detection | None:
        keys = sniff.json_keys
        if sniff.is_json and "results" in keys and "clickView" in keys and "gclid" in keys:
            return Detection(self, 1.0)
        return None

    def parse(self, text_path: Path, workdir: Path, ctx: ParseContext) -> Iterator[Parsed]:
        yield self.transform(result_rows(text_path, ROW, "query a day with clicks"), ctx)

    def transform(self, df: pl.DataFrame, ctx: ParseContext) -> Parsed:
        day_text = pl.col("segments").struct.field("date")
        day = c.date(day_text, ("%Y-%m-%d",))
        gclid = pl.col("clickView").struct.field("gclid")
        campaign_id = pl.col("campaign").struct.field("id")
        reason = c.first_reason(
            [
                c.required_reason("segments.date", day_text),
                c.parsed_reason("segments.date", day_text, day, "a date (yyyy-MM-dd)"),
                c.required_reason("clickView.gclid", gclid),
                c.required_reason("campaign.id", campaign_id),
            ]
        )
        rows = df.select(
            "_source_row",
            _record_key=c.key(gclid),
            _record_version=pl.lit(None, dtype=pl.Datetime("us", "UTC")),
            gclid=gclid,
            campaign_id=campaign_id,
            date=day,
            business_date=day,
        )
        records = records_frame(df, reason, pl.struct("clickView", "campaign", "segments").struct.json_encode())
        return Parsed(records, {"click_view": rows})


FORMAT = GoogleAdsClickViewJson()
