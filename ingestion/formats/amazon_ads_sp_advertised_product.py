"""Amazon Ads reporting API v3, Sponsored Products `spAdvertisedProduct` report (GZIP_JSON): a JSON
array of daily rows per advertised SKU. Numbers arrive as JSON floats and are rounded to cents."""

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
    json_lines_batches,
    read_json_document,
    records_frame,
    with_record_numbers,
)
from ingestion.formats.meta_insights_json import read_first
from ingestion.textio import FileProblem

ROW_FIELDS: dict[str, pl.DataType] = {
    "date": pl.String(),
    "campaignId": pl.String(),
    "campaignName": pl.String(),
    "adGroupId": pl.String(),
    "adGroupName": pl.String(),
    "advertisedSku": pl.String(),
    "advertisedAsin": pl.String(),
    "impressions": pl.String(),
    "clicks": pl.String(),
    "cost": pl.String(),
    "purchases7d": pl.String(),
    "sales7d": pl.String(),
    "campaignBudgetCurrencyCode": pl.String(),
}


class AmazonAdsSpAdvertisedProduct(Format):
    name = "amazon_ads_sp_advertised_product"
    label = "Amazon Ads Sponsored Products advertised-product report (v3)"
    source = "amazon_ads"
    entities = ("advertised_product_daily",)
    download = (
        "Amazon Ads reporting API v3: reportTypeId spAdvertisedProduct, timeUnit DAILY, format GZIP_JSON "
        "(or Amazon Ads console > Reports > Sponsored Products > Advertised product > Daily)"
    )

    def detect(self, sniff: Sniff) -> Detection | None:
        keys = sniff.json_keys
        if sniff.is_json and ({"advertisedSku", "advertisedAsin"} & keys) and "campaignId" in keys:
            return Detection(self, 1.0)
        return None

    def parse(self, text_path: Path, workdir: Path, ctx: ParseContext) -> Iterator[Parsed]:
        head = read_first(text_path)
        if head.startswith("["):
            rows = read_json_document(text_path, ROW_FIELDS)
            if rows.is_empty():
                raise FileProblem("header-only file: the report holds no rows", "request a period with spend")
            yield self.transform(
                with_record_numbers(rows).with_columns(pl.lit(None, dtype=pl.String).alias("_error")), ctx
            )
        else:
            for frame in json_lines_batches(text_path, ROW_FIELDS):
                yield self.transform(frame, ctx)

    def transform(self, df: pl.DataFrame, ctx: ParseContext) -> Parsed:
        day = c.date(pl.col("date"), ("%Y-%m-%d",))
        reason = c.first_reason(
            [
                pl.col("_error"),
                c.required_reason("date", pl.col("date")),
                c.parsed_reason("date", pl.col("date"), day, "a date (YYYY-MM-DD)"),
                c.required_reason("campaignId", pl.col("campaignId")),
                c.required_reason("cost", pl.col("cost")),
                c.parsed_reason("cost", pl.col("cost"), pl.col("cost").cast(pl.Float64, strict=False), "a number"),
                c.parsed_reason(
                    "sales7d", pl.col("sales7d"), pl.col("sales7d").cast(pl.Float64, strict=False), "a number"
                ),
                c.integer_reason("impressions", pl.col("impressions"), minimum=0),
                c.integer_reason("clicks", pl.col("clicks"), minimum=0),
                c.integer_reason("purchases7d", pl.col("purchases7d"), minimum=0),
                c.currency_reason("campaignBudgetCurrencyCode", pl.col("campaignBudgetCurrencyCode")),
            ]
        )
        rows = df.select(
            "_source_row",
            _record_key=c.key(
                day.cast(pl.String),
                pl.col("campaignId"),
                pl.col("adGroupId"),
                pl.col("advertisedSku"),
                pl.col("advertisedAsin"),
            ),
            _record_version=pl.lit(None, dtype=pl.Datetime("us", "UTC")),
            date=day,
            campaign_id=pl.col("campaignId"),
            campaign_name=pl.col("campaignName"),
            ad_group_id=pl.col("adGroupId"),
            ad_group_name=pl.col("adGroupName"),
            advertised_sku=pl.col("advertisedSku"),
            advertised_asin=pl.col("advertisedAsin"),
            impressions=c.integer(pl.col("impressions")),
            clicks=c.integer(pl.col("clicks")),
            cost=c.float_decimal(pl.col("cost")),
            purchases_7d=c.integer(pl.col("purchases7d")),
            sales_7d=c.float_decimal(pl.col("sales7d")),
            currency=c.currency(pl.col("campaignBudgetCurrencyCode")),
            business_date=day,
        )
        raw_columns = [k for k in ROW_FIELDS if k in df.columns]
        bad_text = pl.col("_bad_text") if "_bad_text" in df.columns else c.null_str()
        records = records_frame(df, reason, pl.coalesce(bad_text, pl.struct(raw_columns).struct.json_encode()))
        return Parsed(records, {"advertised_product_daily": rows})


FORMAT = AmazonAdsSpAdvertisedProduct()
