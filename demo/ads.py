"""Ad campaigns and their daily delivery on Google Ads, Meta and Amazon Ads.

Campaigns start, pause and stop at fixed fractions of the period so any
--start/--days gives the same story. Spend is in the account currency (USD).
"""

from __future__ import annotations

import numpy as np
import polars as pl

# (platform, campaign_id, name, type, daily budget USD, active from, active to, paused from, paused to)
# "from/to" are fractions of the period; the pause is a gap inside the active window.
CAMPAIGNS = [
    ("google_ads", "21004587301", "Search - Brand", "SEARCH", 45, 0.0, 1.0, None, None),
    ("google_ads", "21004587302", "Search - Candles", "SEARCH", 70, 0.0, 1.0, None, None),
    ("google_ads", "21004587303", "Shopping - All Products", "SHOPPING", 120, 0.0, 1.0, None, None),
    ("google_ads", "21004587304", "PMax - Holiday Gifts", "PERFORMANCE_MAX", 210, 0.45, 0.88, None, None),
    ("google_ads", "21004587305", "Search - Ceramics", "SEARCH", 38, 0.0, 0.8, 0.3, 0.42),
    ("meta_ads", "120210447700001", "Prospecting - Broad", "OUTCOME_SALES", 150, 0.0, 1.0, None, None),
    ("meta_ads", "120210447700002", "Retargeting - 7 Day", "OUTCOME_SALES", 55, 0.0, 1.0, None, None),
    ("meta_ads", "120210447700003", "Holiday Gift Guide", "OUTCOME_SALES", 240, 0.5, 0.9, None, None),
    ("meta_ads", "120210447700004", "Creative Test - Reels", "OUTCOME_TRAFFIC", 40, 0.1, 0.3, None, None),
]
# Amazon Sponsored Products: one auto campaign per category, one ad group each, its SKUs advertised.
AMAZON_ADS_DAILY_PER_SKU = 6.0


def build_campaigns() -> pl.DataFrame:
    return pl.DataFrame(
        [c[:9] for c in CAMPAIGNS],
        schema=[
            "platform",
            "campaign_id",
            "campaign_name",
            "campaign_type",
            "daily_budget",
            "active_from",
            "active_to",
            "paused_from",
            "paused_to",
        ],
        orient="row",
    )


def build_campaign_daily(rng: np.random.Generator, days: pl.DataFrame, scale: float) -> pl.DataFrame:
    """Google and Meta campaign x day delivery (only days a campaign spent).

    `scale` grows budgets with the brand's order volume (1.0 at 40 orders a day).
    """
    n_days = days.height
    frac = (np.arange(n_days) + 0.5) / n_days
    demand = days["demand"].to_numpy()
    frames = []
    for platform, cid, name, ctype, budget, a_from, a_to, p_from, p_to in CAMPAIGNS:
        active = (frac >= a_from) & (frac < a_to)
        if p_from is not None:
            active &= ~((frac >= p_from) & (frac < p_to))
        noise = rng.lognormal(0.0, 0.18, n_days)
        spend = np.round(budget * scale * np.sqrt(demand) * noise * 100).astype(np.int64)
        cpc = (0.9 if platform == "google_ads" else 0.7) * rng.lognormal(0, 0.15, n_days)
        clicks = np.maximum((spend / 100 / cpc).astype(np.int64), 1)
        ctr = (0.045 if ctype == "SEARCH" else 0.012) * rng.lognormal(0, 0.1, n_days)
        impressions = (clicks / ctr).astype(np.int64)
        conversions = rng.binomial(clicks, 0.03)
        conv_value = np.round(conversions * rng.normal(62, 8, n_days) * 100).astype(np.int64)
        frames.append(
            pl.DataFrame(
                {
                    "platform": platform,
                    "campaign_id": cid,
                    "campaign_name": name,
                    "date": days["date"],
                    "day_index": days["day_index"],
                    "spend_cents": spend,
                    "impressions": impressions,
                    "clicks": clicks,
                    "conversions": conversions,
                    "conversion_value_cents": conv_value,
                    "active": active,
                }
            )
            .filter(pl.col("active"))
            .drop("active")
        )
    return pl.concat(frames)


def build_amazon_ads_daily(
    rng: np.random.Generator, days: pl.DataFrame, products: pl.DataFrame, scale: float
) -> pl.DataFrame:
    """Sponsored Products advertised-product rows for the 36 best sellers (amazon.com, USD)."""
    top = products.sort("popularity", descending=True).head(36).sort("sku")
    grid = (
        days.select("date", "day_index", "demand")
        .join(top.select("sku", "asin", "category"), how="cross")
        .sort(["day_index", "sku"])
    )
    n = grid.height
    spend = np.round(
        AMAZON_ADS_DAILY_PER_SKU * scale * np.sqrt(grid["demand"].to_numpy()) * rng.lognormal(0, 0.35, n) * 100
    ).astype(np.int64)
    clicks = np.maximum((spend / 100 / (1.1 * rng.lognormal(0, 0.2, n))).astype(np.int64), 1)
    purchases = rng.binomial(clicks, 0.09)
    category_index = {c: i for i, c in enumerate(sorted(top["category"].unique().to_list()))}
    return grid.with_columns(
        spend_cents=pl.Series(spend),
        clicks=pl.Series(clicks),
        impressions=pl.Series((clicks / (0.004 * rng.lognormal(0, 0.2, n))).astype(np.int64)),
        purchases_7d=pl.Series(purchases),
        sales_7d_cents=pl.Series(np.round(purchases * rng.normal(31, 5, n) * 100).astype(np.int64)),
        campaign_id=pl.col("category").replace_strict({c: str(301845520000 + i) for c, i in category_index.items()}),
        campaign_name=pl.lit("SP - ") + pl.col("category") + pl.lit(" - Auto"),
        ad_group_id=pl.col("category").replace_strict({c: str(402377810000 + i) for c, i in category_index.items()}),
        ad_group_name=pl.col("category") + pl.lit(" - All"),
    ).filter(pl.col("spend_cents") > 0)
