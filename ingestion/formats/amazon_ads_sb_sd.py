"""Amazon Ads reporting API v3, Sponsored Brands and Sponsored Display reports (GZIP_JSON): JSON arrays of
daily rows. Numbers arrive as JSON floats and are rounded to cents. Both land in
`amazon_ads/sponsored_brands_display_daily` with their `ad_product`:

- `sbCampaigns` (groupBy campaign): one row per campaign and day, no SKU (a Sponsored Brands ad shows
  several ASINs): brand-level spend, an unallocated daily cost (docs/metrics.md rule 39).
- `sdAdvertisedProduct` (groupBy advertiser): one row per promoted SKU, ad group and day (`promotedSku`,
  `promotedAsin`): advertised-SKU spend, allocated like Sponsored Products.

A Sponsored Display *campaign* report (`sdCampaigns`) is not read: with the advertised-product report
it would count the same spend twice; its SD-only columns (views, viewability) keep it from being taken
for a Sponsored Brands report.
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
    json_lines_batches,
    read_json_document,
    records_frame,
    with_record_numbers,
)
from ingestion.formats.meta_insights_json import read_first
from ingestion.textio import FileProblem

ENTITY = "sponsored_brands_display_daily"
SKU_KEYS = {"advertisedSku", "advertisedAsin", "promotedSku", "promotedAsin"}
# Sponsored Products metrics carry their attribution window in the name (sales7d, purchases14d, ...).
SP_KEYS = {f"{m}{d}d" for m in ("sales", "purchases", "unitsSoldClicks") for d in (1, 7, 14, 30)}
SD_ONLY_KEYS = {
    "impressionsViews",
    "viewabilityRate",
    "cumulativeReach",
    "impressionsFrequencyAverage",
    "purchasesPromotedClicks",
    "salesPromotedClicks",
    "brandedSearchesViews",
    "addToCartViews",
}

COMMON_FIELDS: dict[str, pl.DataType] = {
    "date": pl.String(),
    "campaignId": pl.String(),
    "campaignName": pl.String(),
    "impressions": pl.String(),
    "clicks": pl.String(),
    "cost": pl.String(),
    "purchases": pl.String(),
    "sales": pl.String(),
    "campaignBudgetCurrencyCode": pl.String(),
}
SD_FIELDS = COMMON_FIELDS | {
    "adGroupId": pl.String(),
    "adGroupName": pl.String(),
    "promotedSku": pl.String(),
    "promotedAsin": pl.String(),
}


class _AmazonAdsV3Report(Format):
    source = "amazon_ads"
    entities = (ENTITY,)
    ad_product = ""
    fields: dict[str, pl.DataType] = COMMON_FIELDS

    def parse(self, text_path: Path, workdir: Path, ctx: ParseContext) -> Iterator[Parsed]:
        head = read_first(text_path)
        if head.startswith("["):
            rows = read_json_document(text_path, self.fields)
            if rows.is_empty():
                raise FileProblem("header-only file: the report holds no rows", "request a period with spend")
            yield self.transform(
                with_record_numbers(rows).with_columns(pl.lit(None, dtype=pl.String).alias("_error")), ctx
            )
        else:
            for frame in json_lines_batches(text_path, self.fields):
                yield self.transform(frame, ctx)

    def transform(self, df: pl.DataFrame, ctx: ParseContext) -> Parsed:
        for name in self.fields:  # a report requested without an optional column
            if name not in df.columns:
                df = df.with_columns(pl.lit(None, dtype=pl.String).alias(name))
        day = c.date(pl.col("date"), ("%Y-%m-%d",))
        sku = pl.col("promotedSku") if "promotedSku" in self.fields else c.null_str()
        asin = pl.col("promotedAsin") if "promotedAsin" in self.fields else c.null_str()
        group_id = pl.col("adGroupId") if "adGroupId" in self.fields else c.null_str()
        group_name = pl.col("adGroupName") if "adGroupName" in self.fields else c.null_str()
        reason = c.first_reason(
            [
                pl.col("_error"),
                c.required_reason("date", pl.col("date")),
                c.parsed_reason("date", pl.col("date"), day, "a date (YYYY-MM-DD)"),
                c.required_reason("campaignId", pl.col("campaignId")),
                c.required_reason("cost", pl.col("cost")),
                c.parsed_reason("cost", pl.col("cost"), pl.col("cost").cast(pl.Float64, strict=False), "a number"),
                c.parsed_reason("sales", pl.col("sales"), pl.col("sales").cast(pl.Float64, strict=False), "a number"),
                c.integer_reason("impressions", pl.col("impressions"), minimum=0),
                c.integer_reason("clicks", pl.col("clicks"), minimum=0),
                c.integer_reason("purchases", pl.col("purchases"), minimum=0),
                c.currency_reason("campaignBudgetCurrencyCode", pl.col("campaignBudgetCurrencyCode")),
            ]
        )
        rows = df.select(
            "_source_row",
            _record_key=c.key(pl.lit(self.ad_product), day.cast(pl.String), pl.col("campaignId"), group_id, sku, asin),
            _record_version=pl.lit(None, dtype=pl.Datetime("us", "UTC")),
            date=day,
            ad_product=pl.lit(self.ad_product),
            campaign_id=pl.col("campaignId"),
            campaign_name=pl.col("campaignName"),
            ad_group_id=group_id,
            ad_group_name=group_name,
            advertised_sku=sku,
            advertised_asin=asin,
            impressions=c.integer(pl.col("impressions")),
            clicks=c.integer(pl.col("clicks")),
            cost=c.float_decimal(pl.col("cost")),
            purchases=c.integer(pl.col("purchases")),
            sales=c.float_decimal(pl.col("sales")),
            currency=c.currency(pl.col("campaignBudgetCurrencyCode")),
            business_date=day,
        )
        raw_columns = [k for k in self.fields if k in df.columns]
        bad_text = pl.col("_bad_text") if "_bad_text" in df.columns else c.null_str()
        records = records_frame(df, reason, pl.coalesce(bad_text, pl.struct(raw_columns).struct.json_encode()))
        return Parsed(records, {ENTITY: rows})


class AmazonAdsSbCampaigns(_AmazonAdsV3Report):
    name = "amazon_ads_sb_campaigns"
    label = "Amazon Ads Sponsored Brands campaign report (v3 sbCampaigns)"
    ad_product = "SPONSORED_BRANDS"
    fields = COMMON_FIELDS
    download = (
        "Amazon Ads reporting API v3: reportTypeId sbCampaigns, groupBy campaign, timeUnit DAILY, format "
        "GZIP_JSON (columns date, campaignId, campaignName, cost, impressions, clicks, purchases, sales, "
        "campaignBudgetCurrencyCode)"
    )

    def detect(self, sniff: Sniff) -> Detection | None:
        keys = sniff.json_keys
        if (
            sniff.is_json
            and {"campaignId", "cost"} <= keys
            and not (keys & (SKU_KEYS | SP_KEYS | SD_ONLY_KEYS))
            and ({"purchases", "sales", "costType", "topOfSearchImpressionShare", "date"} & keys)
        ):
            return Detection(self, 0.9)
        return None


class AmazonAdsSdAdvertisedProduct(_AmazonAdsV3Report):
    name = "amazon_ads_sd_advertised_product"
    label = "Amazon Ads Sponsored Display advertised-product report (v3 sdAdvertisedProduct)"
    ad_product = "SPONSORED_DISPLAY"
    fields = SD_FIELDS
    download = (
        "Amazon Ads reporting API v3: reportTypeId sdAdvertisedProduct, groupBy advertiser, timeUnit DAILY, "
        "format GZIP_JSON (columns date, campaignId, campaignName, adGroupId, adGroupName, promotedSku, "
        "promotedAsin, cost, impressions, clicks, purchases, sales, campaignBudgetCurrencyCode)"
    )

    def detect(self, sniff: Sniff) -> Detection | None:
        keys = sniff.json_keys
        if sniff.is_json and ({"promotedSku", "promotedAsin"} & keys) and "campaignId" in keys:
            return Detection(self, 1.0)
        return None


SB_FORMAT = AmazonAdsSbCampaigns()
SD_FORMAT = AmazonAdsSdAdvertisedProduct()
