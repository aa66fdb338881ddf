"""Sponsored Brands and Sponsored Display reports in the Amazon Ads reporting API v3 shape.

- `sbCampaigns` (adProduct SPONSORED_BRANDS, groupBy campaign, timeUnit DAILY, GZIP_JSON): one row per
  campaign and day; no SKU (an SB ad shows several ASINs).
- `sdAdvertisedProduct` (adProduct SPONSORED_DISPLAY, groupBy advertiser, timeUnit DAILY, GZIP_JSON):
  one row per promoted SKU, ad group and day; the SKU column is `promotedSku` (SP says `advertisedSku`).
Column names from the v3 report-type docs (docs/bringing-your-own-exports.md, "Amazon Ads").
"""

from __future__ import annotations

import gzip
from pathlib import Path

import polars as pl

from demo.amazon_ads_v2 import SB_CAMPAIGNS


def _write_monthly(rows: pl.DataFrame, folder: Path, stem: str) -> list[Path]:
    paths = []
    for month in rows["month"].unique().sort().to_list():
        text = rows.filter(pl.col("month") == month).drop("month").write_json()
        path = folder / f"{stem}_{month}.json.gz"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))  # mtime=0: byte-identical reruns
        paths.append(path)
    return paths


def write_amazon_ads_v2_reports(ctx, folder: Path) -> list[Path]:
    daily = ctx.amazon_ads_daily.with_columns(month=pl.col("date").dt.strftime("%Y-%m"))
    cost_type = {cid: ct for cid, _, _, ct in SB_CAMPAIGNS}
    sb = (
        daily.filter(pl.col("ad_product") == "SPONSORED_BRANDS")
        .sort(["date", "campaign_id"])
        .select(
            "month",
            date=pl.col("date").dt.strftime("%Y-%m-%d"),
            campaignId=pl.col("campaign_id").cast(pl.Int64),
            campaignName=pl.col("campaign_name"),
            campaignStatus=pl.lit("ENABLED"),
            campaignBudgetType=pl.lit("DAILY"),
            campaignBudgetCurrencyCode=pl.lit("USD"),
            costType=pl.col("campaign_id").replace_strict(cost_type),
            impressions=pl.col("impressions"),
            clicks=pl.col("clicks"),
            cost=pl.col("spend_cents") / 100,
            purchases=pl.col("purchases_7d"),
            sales=pl.col("sales_7d_cents") / 100,
            topOfSearchImpressionShare=(pl.col("clicks") % 37 + 8) / 100,
        )
    )
    sd = (
        daily.filter(pl.col("ad_product") == "SPONSORED_DISPLAY")
        .sort(["date", "campaign_id", "sku"])
        .select(
            "month",
            date=pl.col("date").dt.strftime("%Y-%m-%d"),
            campaignId=pl.col("campaign_id").cast(pl.Int64),
            campaignName=pl.col("campaign_name"),
            adGroupId=pl.col("ad_group_id").cast(pl.Int64),
            adGroupName=pl.col("ad_group_name"),
            promotedSku=pl.col("sku"),
            promotedAsin=pl.col("asin"),
            impressions=pl.col("impressions"),
            impressionsViews=(pl.col("impressions") * 0.62).round().cast(pl.Int64),
            clicks=pl.col("clicks"),
            cost=pl.col("spend_cents") / 100,
            purchases=pl.col("purchases_7d"),
            sales=pl.col("sales_7d_cents") / 100,
            campaignBudgetCurrencyCode=pl.lit("USD"),
        )
    )
    return _write_monthly(sb, folder, "sb_campaigns") + _write_monthly(sd, folder, "sd_advertised_product")
