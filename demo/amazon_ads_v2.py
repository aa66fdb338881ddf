"""Sponsored Brands and Sponsored Display delivery (contract v2 "Advertising").

Amazon Ads spend comes from every ad product a brand runs. Beside the Sponsored Products
advertised-product rows (demo/ads.py), the demo brand runs:
- Sponsored Brands headline and video campaigns: the v3 `sbCampaigns` report has no SKU (an SB ad
  shows several ASINs), so this spend is brand-level and stays an unallocated daily cost;
- one Sponsored Display remarketing campaign whose v3 `sdAdvertisedProduct` rows name the promoted
  SKU (`promotedSku`), allocated like Sponsored Products.
Drawn from their own generator so the other streams draw exactly what they drew before.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

AMAZON_ADS_V2_STREAM = 1_000_012
# (campaign id, name, daily budget USD at scale 1, cost type)
SB_CAMPAIGNS = [
    ("512093340001", "SB - Brand Headline - Candles & Home", 22.0, "CPC"),
    ("512093340002", "SB - Video - Best Sellers", 14.0, "CPC"),
]
SD_CAMPAIGN = ("618870150001", "SD - Views Remarketing - 30d", "728455000001", "Remarketing - All")
SD_DAILY_PER_SKU = 2.5
SD_SKUS = 12


def build_amazon_ads_v2_daily(
    seed: int, days: pl.DataFrame, products: pl.DataFrame, scale: float, sp_columns: list[str]
) -> pl.DataFrame:
    """SB campaign-day rows (sku null) and SD promoted-SKU-day rows, in the SP frame's columns plus
    `ad_product`, `purchases` and `sales_cents` (SB/SD attribute purchases over 14 days)."""
    rng = np.random.default_rng([seed, AMAZON_ADS_V2_STREAM])
    n_days = days.height
    demand = np.sqrt(days["demand"].to_numpy())
    frames = []
    for cid, name, budget, _cost_type in SB_CAMPAIGNS:
        spend = np.round(budget * scale * demand * rng.lognormal(0, 0.25, n_days) * 100).astype(np.int64)
        clicks = np.maximum((spend / 100 / (1.3 * rng.lognormal(0, 0.2, n_days))).astype(np.int64), 1)
        purchases = rng.binomial(clicks, 0.07)
        frames.append(
            days.select("date", "day_index").with_columns(
                sku=pl.lit(None, pl.String),
                asin=pl.lit(None, pl.String),
                category=pl.lit(None, pl.String),
                demand=pl.lit(None, pl.Float64),
                spend_cents=pl.Series(spend),
                clicks=pl.Series(clicks),
                impressions=pl.Series((clicks / (0.006 * rng.lognormal(0, 0.2, n_days))).astype(np.int64)),
                purchases_7d=pl.Series(purchases),
                sales_7d_cents=pl.Series(np.round(purchases * rng.normal(38, 6, n_days) * 100).astype(np.int64)),
                campaign_id=pl.lit(cid),
                campaign_name=pl.lit(name),
                ad_group_id=pl.lit(None, pl.String),
                ad_group_name=pl.lit(None, pl.String),
                ad_product=pl.lit("SPONSORED_BRANDS"),
            )
        )
    top = products.sort("popularity", descending=True).head(SD_SKUS).sort("sku")
    grid = days.select("date", "day_index", "demand").join(top.select("sku", "asin", "category"), how="cross")
    grid = grid.sort(["day_index", "sku"])
    n = grid.height
    spend = np.round(
        SD_DAILY_PER_SKU * scale * np.sqrt(grid["demand"].to_numpy()) * rng.lognormal(0, 0.4, n) * 100
    ).astype(np.int64)
    clicks = np.maximum((spend / 100 / (0.8 * rng.lognormal(0, 0.2, n))).astype(np.int64), 1)
    purchases = rng.binomial(clicks, 0.05)
    cid, name, gid, gname = SD_CAMPAIGN
    frames.append(
        grid.with_columns(
            spend_cents=pl.Series(spend),
            clicks=pl.Series(clicks),
            impressions=pl.Series((clicks / (0.003 * rng.lognormal(0, 0.2, n))).astype(np.int64)),
            purchases_7d=pl.Series(purchases),
            sales_7d_cents=pl.Series(np.round(purchases * rng.normal(31, 5, n) * 100).astype(np.int64)),
            campaign_id=pl.lit(cid),
            campaign_name=pl.lit(name),
            ad_group_id=pl.lit(gid),
            ad_group_name=pl.lit(gname),
            ad_product=pl.lit("SPONSORED_DISPLAY"),
        )
    )
    return pl.concat([f.select(*sp_columns, "ad_product") for f in frames], how="vertical_relaxed").filter(
        pl.col("spend_cents") > 0
    )


def with_v2_products(seed: int, days: pl.DataFrame, products: pl.DataFrame, scale: float, sp: pl.DataFrame):
    """The Sponsored Products rows tagged, stacked with the SB and SD rows."""
    sp = sp.with_columns(ad_product=pl.lit("SPONSORED_PRODUCTS"))
    v2 = build_amazon_ads_v2_daily(seed, days, products, scale, [c for c in sp.columns if c != "ad_product"])
    return pl.concat([sp, v2.select(sp.columns)], how="vertical_relaxed")


def monthly_ad_charges(seed: int, amazon_ads_daily: pl.DataFrame, days: pl.DataFrame) -> pl.DataFrame:
    """The settlement's "Cost of Advertising" (Amazon.com, USD): one charge per calendar month, posted at
    12:00 UTC on the month's last day (the same date in the brand's time zone), for the month's spend of
    every ad product. Real charges differ a little from the reports (rule 40): odd months carry an
    invalid-click credit (0.3-1.2 % less), even months the spend of a campaign whose report the brand
    did not export (0.5-2 % more), every third month none. A month the period ends inside is not billed yet.

    Returns (posted_utc, amount_cents) with the settlement's sign (a charge is negative).
    """
    rng = np.random.default_rng([seed, AMAZON_ADS_V2_STREAM + 1])
    last_day = days.select(pl.col("date").max()).item()
    monthly = (
        amazon_ads_daily.group_by(month=pl.col("date").dt.month_start())
        .agg(spend=pl.col("spend_cents").sum())
        .sort("month")
        .with_columns(month_end=pl.col("month").dt.month_end())
        .filter(pl.col("month_end") <= last_day)
    )
    rows = []
    for k, (month_end, spend) in enumerate(monthly.select("month_end", "spend").iter_rows()):
        draw = rng.random()
        if k % 3 == 2:
            difference = 0
        elif k % 2 == 0:
            difference = -round(spend * (0.003 + 0.009 * draw))
        else:
            difference = round(spend * (0.005 + 0.015 * draw))
        posted = int(dt.datetime(month_end.year, month_end.month, month_end.day, 12, tzinfo=dt.UTC).timestamp())
        rows.append((posted, -(spend + difference)))
    return pl.DataFrame(rows, orient="row", schema={"posted_utc": pl.Int64, "amount_cents": pl.Int64})
