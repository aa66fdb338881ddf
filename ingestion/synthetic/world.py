"""Assemble the whole demo world for a period: one deterministic simulation, many tables."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from ingestion.synthetic import ads, amazon, brand, calendar, catalog, shopify

BASE_ORDERS_PER_DAY = 40.0
API_CONNECTED_AT_FRACTION = 0.6  # the brand connected the Admin API 60 % into the period
PAYMENTS_EXPORT_LAG_DAYS = 3
GOOGLE_UI_UNTIL_FRACTION = 0.7  # UI download for the first 70 %, API pulls from 55 % on


@dataclass
class World:
    start: dt.date
    n_days: int
    seed: int
    orders_per_day: float
    timezone: str
    days: pl.DataFrame
    end_utc: int
    api_from_utc: int
    payments_cutoff_utc: int
    products: pl.DataFrame
    cost_history: pl.DataFrame
    fx: pl.DataFrame
    campaigns: pl.DataFrame
    campaign_daily: pl.DataFrame
    amazon_ads_daily: pl.DataFrame
    shopify: shopify.ShopifyWorld
    amazon: amazon.AmazonWorld
    parcels: pl.DataFrame
    invoices: pl.DataFrame
    touchpoints: pl.DataFrame

    @property
    def end_date(self) -> dt.date:
        """The last day of the period (inclusive)."""
        return self.start + dt.timedelta(days=self.n_days - 1)

    @property
    def google_ui_until_day(self) -> int:
        return int(self.n_days * GOOGLE_UI_UNTIL_FRACTION)

    @property
    def google_api_from_day(self) -> int:
        return int(self.n_days * 0.55)


def build_world(start: dt.date, n_days: int, orders_per_day: float, seed: int) -> World:
    """Simulate the brand; every random draw comes from one generator seeded with `seed`."""
    rng = np.random.default_rng(seed)
    scale = orders_per_day / BASE_ORDERS_PER_DAY
    days = calendar.build_days(start, n_days)
    end_utc = int(days["utc_start"][-1] + days["seconds"][-1])
    api_day = int(n_days * API_CONNECTED_AT_FRACTION)
    api_from_utc = int(days["utc_start"][api_day])
    payments_cutoff_utc = end_utc - PAYMENTS_EXPORT_LAG_DAYS * 86_400
    products = catalog.build_products(rng)
    cost_history = catalog.build_cost_history(rng, products, start, n_days)
    fx = calendar.build_fx_rates(rng, start, n_days)
    campaigns = ads.build_campaigns()
    campaign_daily = ads.build_campaign_daily(rng, days, scale)
    amazon_ads_daily = ads.build_amazon_ads_daily(rng, days, products, scale)
    shop = shopify.simulate_shopify(
        rng, days, products, orders_per_day, campaign_daily, campaigns, end_utc, payments_cutoff_utc
    )
    amz = amazon.simulate_amazon(
        rng, days, products, orders_per_day, campaign_daily, amazon_ads_daily, start, end_utc, scale
    )
    parcels = brand.shipments(shop.orders, shop.lines, amz.orders)
    invoices = brand.carrier_invoices(rng, parcels, shop.refunds, shop.orders, end_utc)
    touchpoints = brand.touchpoint_export(rng, shop.touches, shop.orders, end_utc)
    return World(
        start=start,
        n_days=n_days,
        seed=seed,
        orders_per_day=orders_per_day,
        timezone=calendar.BRAND_TIMEZONE,
        days=days,
        end_utc=end_utc,
        api_from_utc=api_from_utc,
        payments_cutoff_utc=payments_cutoff_utc,
        products=products,
        cost_history=cost_history,
        fx=fx,
        campaigns=campaigns,
        campaign_daily=campaign_daily,
        amazon_ads_daily=amazon_ads_daily,
        shopify=shop,
        amazon=amz,
        parcels=parcels,
        invoices=invoices,
        touchpoints=touchpoints,
    )
