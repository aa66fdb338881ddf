"""The demo world: small global tables (the context) and the orders simulated chunk by chunk.

Orders, refunds, settlements events, parcels and visits are simulated for one
chunk of days at a time, so memory stays flat however long the period is.
What crosses a chunk boundary is carried explicitly: order numbers and the
customer base (cursors), and events an order causes later (a refund next month,
a settlement posted after the chunk) belong to the chunk of their order.
Every chunk draws from its own generator seeded with (seed, chunk index); Etsy from
(seed, ETSY_STREAM, chunk index).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from demo import (
    ads,
    amazon,
    amazon_ads_v2,
    brand,
    calendar,
    catalog,
    costs,
    etsy,
    gift_cards,
    inventory,
    shipping,
    shopify,
    tenders,
)

BASE_ORDERS_PER_DAY = 40.0
API_CONNECTED_AT_FRACTION = 0.6  # the brand connected the Admin API 60 % into the period
PAYMENTS_EXPORT_LAG_DAYS = 3
GOOGLE_UI_UNTIL_FRACTION = 0.7  # UI download for the first 70 %, API pulls from 55 % on
GOOGLE_API_FROM_FRACTION = 0.55
CHUNK_DAYS = 28
# A chunk holds at most 28 days of 2,000 orders: sets up to 2,000 orders a day (the demo, the tests, `make bench`)
# keep 28-day chunks and so their seeded draws; larger scales get fewer days a chunk, so the generator's memory
# follows this bound, not the orders a day (`make bench-10m`: 3-day chunks).
CHUNK_ORDERS = CHUNK_DAYS * 2_000
CONTEXT_STREAM = 1_000_000  # the context's generator, apart from every chunk's


@dataclass
class Context:
    """Everything small and global: calendar, catalogue, costs, FX, ads, settlement periods."""

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
    halo: pl.DataFrame
    settlement_periods: pl.DataFrame
    other_settlement_rows: pl.DataFrame
    sample_invoices: pl.DataFrame

    @property
    def end_date(self) -> dt.date:
        """The last day of the period (inclusive)."""
        return self.start + dt.timedelta(days=self.n_days - 1)

    @property
    def settlements(self) -> pl.DataFrame:
        """The settlements that have closed, hence have a file."""
        return self.settlement_periods.filter(pl.col("is_closed"))

    @property
    def google_ui_until_day(self) -> int:
        return int(self.n_days * GOOGLE_UI_UNTIL_FRACTION)

    @property
    def google_api_from_day(self) -> int:
        return int(self.n_days * GOOGLE_API_FROM_FRACTION)


@dataclass
class Chunk:
    """The orders of one run of days and everything they cause."""

    index: int
    days: pl.DataFrame
    shopify: shopify.ShopifyWorld
    amazon: amazon.AmazonWorld
    etsy: etsy.EtsyWorld
    parcels: pl.DataFrame
    invoices: pl.DataFrame
    touchpoints: pl.DataFrame
    shopify_labels: pl.DataFrame = field(default_factory=pl.DataFrame)
    """Shopify Shipping label charges (order_name, ship_utc, service, cost_cents): the Shopify bill's rows."""


def build_context(start: dt.date, n_days: int, orders_per_day: float, seed: int) -> Context:
    rng = np.random.default_rng([seed, CONTEXT_STREAM])
    scale = orders_per_day / BASE_ORDERS_PER_DAY
    days = calendar.build_days(start, n_days)
    end_utc = int(days["utc_start"][-1] + days["seconds"][-1])
    products = catalog.build_products(rng)
    campaign_daily = ads.build_campaign_daily(rng, days, scale)
    amazon_ads_daily = ads.build_amazon_ads_daily(rng, days, products, scale)
    # Sponsored Brands and Display beside Products (`ad_product`), from their own stream.
    amazon_ads_daily = amazon_ads_v2.with_v2_products(seed, days, products, scale, amazon_ads_daily)
    periods = amazon.settlement_periods(start, end_utc)
    samples = max(int(n_days * orders_per_day * 0.002), 2)
    cost_history = catalog.build_cost_history(rng, products, start, n_days)
    return Context(
        start=start,
        n_days=n_days,
        seed=seed,
        orders_per_day=orders_per_day,
        timezone=calendar.BRAND_TIMEZONE,
        days=days,
        end_utc=end_utc,
        api_from_utc=int(days["utc_start"][int(n_days * API_CONNECTED_AT_FRACTION)]),
        payments_cutoff_utc=end_utc - PAYMENTS_EXPORT_LAG_DAYS * 86_400,
        products=products,
        cost_history=cost_history,
        # The rates reach back to the first cost's effective_from: COGS converts at that date (rule 9).
        fx=calendar.build_fx_rates(rng, start, n_days, history_from=cost_history["effective_from"].min()),
        campaigns=ads.build_campaigns(),
        campaign_daily=campaign_daily,
        amazon_ads_daily=amazon_ads_daily,
        halo=amazon.halo_daily(days, campaign_daily),
        settlement_periods=periods,
        other_settlement_rows=amazon.assign_settlements(
            pl.concat(
                [
                    amazon.other_transactions(
                        rng,
                        periods,
                        amazon_ads_daily,
                        days,
                        scale,
                        ad_charges=amazon_ads_v2.monthly_ad_charges(seed, amazon_ads_daily, days),
                    ),
                    shipping.unlinked_labels(periods, seed),
                    costs.inventory_reimbursements(periods, products, seed),
                ],
                how="diagonal_relaxed",
            ),
            periods,
        ),
        sample_invoices=brand.sample_parcels(rng, samples, int(days["utc_start"][0]), end_utc),
    )


def chunk_days_for(orders_per_day: float) -> int:
    """Days a chunk simulates at this scale (see CHUNK_ORDERS)."""
    return max(1, min(CHUNK_DAYS, int(CHUNK_ORDERS // max(orders_per_day, 1.0))))


def iter_chunks(ctx: Context, chunk_days: int | None = None) -> Iterator[Chunk]:
    chunk_days = chunk_days or chunk_days_for(ctx.orders_per_day)
    shop_cursor = shopify.ShopifyCursor(seed=ctx.seed)
    amazon_cursor = amazon.AmazonCursor()
    etsy_cursor = etsy.EtsyCursor()
    for index, first in enumerate(range(0, ctx.n_days, chunk_days)):
        rng = np.random.default_rng([ctx.seed, index])
        days = ctx.days.slice(first, chunk_days)
        shop = shopify.simulate_shopify(
            rng,
            shop_cursor,
            days,
            ctx.days,
            ctx.products,
            ctx.orders_per_day,
            ctx.campaign_daily,
            ctx.campaigns,
            ctx.end_utc,
            ctx.payments_cutoff_utc,
        )
        shop = tenders.apply_tenders(shop, ctx.seed, ctx.end_utc, ctx.api_from_utc)
        shop = gift_cards.add_gift_card_lines(shop, ctx.seed, ctx.api_from_utc)
        # Split shipments and pickup orders (hashed draws: no stream moves), rule 12.
        shop.orders, shop.lines = shipping.plan_parcels(shop.orders, shop.lines, ctx.seed, ctx.end_utc)
        amz = amazon.simulate_amazon(
            rng,
            amazon_cursor,
            days,
            ctx.products,
            ctx.orders_per_day,
            ctx.halo,
            ctx.settlement_periods,
            ctx.end_utc,
            unavailable=inventory.unavailable(ctx.products, ctx.n_days),  # the planted stock-out
        )
        parcels = brand.shipments(shop.orders, shop.lines, amz.orders, ctx.seed)
        # Most FBM labels are bought through Amazon Buy Shipping: settlement rows, not carrier invoice rows.
        parcels, labels = shipping.buy_shipping(parcels, brand.shipping_rate_cents(parcels), ctx.seed)
        # Some domestic Shopify labels are bought through Shopify Shipping: charges on the Shopify bill.
        parcels, shopify_labels = shipping.shopify_shipping(parcels, brand.shipping_rate_cents(parcels), ctx.seed)
        amz.settlement_rows = pl.concat(
            [amz.settlement_rows, amazon.assign_settlements(labels, ctx.settlement_periods)], how="diagonal_relaxed"
        )
        yield Chunk(
            index=index,
            days=days,
            shopify=shop,
            amazon=amz,
            # Its own stream: the other channels draw exactly what they drew before Etsy existed.
            etsy=etsy.simulate_etsy(ctx.seed, index, etsy_cursor, days, ctx.products, ctx.orders_per_day, ctx.end_utc),
            parcels=parcels,
            invoices=brand.carrier_invoices(rng, parcels, shop.refunds, shop.orders, ctx.end_utc),
            touchpoints=brand.touchpoint_export(rng, shop.touches, shop.orders, ctx.end_utc),
            shopify_labels=shopify_labels,
        )
