"""The demo brand's catalogue: about 120 SKUs in 8 categories, with costs that change.

Everything is derived from the seed so the same arguments give the same brand.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

BRAND = "ArtisanGlow"
SHOP_DOMAIN = "artisanglow.com"

# (category, sku prefix, nouns, price range in USD, weight range kg, FBA size tier)
CATEGORIES = [
    (
        "Candles",
        "CAN",
        ["Soy Candle", "Beeswax Pillar", "Travel Tin", "Taper Set", "Wood Wick Candle"],
        (18, 48),
        (0.25, 0.9),
        "large_standard",
    ),
    (
        "Ceramics",
        "CER",
        ["Stoneware Mug", "Bud Vase", "Serving Bowl", "Planter", "Espresso Cup Pair"],
        (22, 95),
        (0.3, 1.8),
        "large_standard",
    ),
    (
        "Textiles",
        "TEX",
        ["Linen Napkins", "Throw Blanket", "Cushion Cover", "Tea Towel Set", "Table Runner"],
        (16, 120),
        (0.15, 1.4),
        "large_standard",
    ),
    (
        "Kitchen & Dining",
        "KIT",
        ["Olive Wood Board", "Salad Servers", "Spice Jar Set", "Butter Dish", "Trivet"],
        (14, 85),
        (0.2, 1.6),
        "large_standard",
    ),
    (
        "Wall Decor",
        "WAL",
        ["Macrame Hanging", "Woven Wall Basket", "Art Print", "Mirror", "Wall Shelf"],
        (25, 160),
        (0.2, 4.5),
        "large_bulky",
    ),
    (
        "Bath & Body",
        "BAT",
        ["Bar Soap", "Bath Salts", "Body Oil", "Hand Cream", "Soap Dish"],
        (7, 32),
        (0.08, 0.45),
        "small_standard",
    ),
    (
        "Lighting",
        "LGT",
        ["Rattan Pendant", "Ceramic Lamp", "Candle Lantern", "String Lights", "Tea Light Holder"],
        (20, 140),
        (0.2, 3.5),
        "large_standard",
    ),
    (
        "Stationery",
        "STA",
        ["Notebook", "Greeting Cards", "Wax Seal Kit", "Desk Planner", "Bookmark Set"],
        (6, 38),
        (0.05, 0.5),
        "small_standard",
    ),
]
ADJECTIVES = [
    "Amber",
    "Sage",
    "Coastal",
    "Juniper",
    "Ivory",
    "Terracotta",
    "Midnight",
    "Honey",
    "Fern",
    "Harbor",
    "Cedar",
    "Linen",
    "Rosewood",
    "Slate",
    "Saffron",
]
SKUS_PER_CATEGORY = 15


def build_products(rng: np.random.Generator) -> pl.DataFrame:
    """One row per SKU: name, category, price, weight, size tier, ASIN, popularity."""
    rows = []
    for cat_index, (category, prefix, nouns, (p_lo, p_hi), (w_lo, w_hi), tier) in enumerate(CATEGORIES):
        for i in range(SKUS_PER_CATEGORY):
            noun = nouns[i % len(nouns)]
            adjective = ADJECTIVES[(i * 7 + cat_index * 3) % len(ADJECTIVES)]
            rows.append((category, prefix, i, f"{adjective} {noun}", p_lo, p_hi, w_lo, w_hi, tier))
    n = len(rows)
    price = np.array([r[4] for r in rows]) + rng.random(n) * np.array([r[5] - r[4] for r in rows])
    price_cents = (np.floor(price) * 100 + 99).astype(np.int64)  # shop prices end in .99
    weight = np.array([r[6] for r in rows]) + rng.random(n) * np.array([r[7] - r[6] for r in rows])
    tiers = [r[8] for r in rows]
    # Light items of a bulky category still ship as large standard.
    # Light items of a bulky category ship as large standard; heavy small items are not small.
    tiers = [
        "large_standard" if (t == "large_bulky" and w < 2.0) or (t == "small_standard" and w >= 0.45) else t
        for t, w in zip(tiers, weight, strict=True)
    ]
    popularity = rng.zipf(1.6, n).astype(np.float64)
    popularity = np.minimum(popularity, 40.0) + rng.random(n)
    asin_digits = rng.integers(10**8, 10**9, n)
    return pl.DataFrame(
        {
            "sku": [f"AG-{r[1]}-{r[2] + 1:03d}" for r in rows],
            "product_name": [r[3] for r in rows],
            "category": [r[0] for r in rows],
            "vendor": BRAND,
            "price_cents": price_cents,
            "weight_kg": np.round(weight, 3),
            "size_tier": tiers,
            "asin": [f"B0{d:08d}"[:10] for d in asin_digits],
            "popularity": popularity / popularity.sum(),
        }
    )


def build_cost_history(rng: np.random.Generator, products: pl.DataFrame, start: dt.date, days: int) -> pl.DataFrame:
    """Landed cost per SKU, effective-dated; about a quarter of SKUs change cost in the period.

    A few ceramics come from a European workshop and are costed in EUR.
    """
    n = products.height
    price = products["price_cents"].to_numpy()
    ratio = 0.22 + rng.random(n) * 0.16
    unit_cost = np.round(price * ratio).astype(np.int64)
    freight = np.round(price * (0.02 + rng.random(n) * 0.03)).astype(np.int64)
    duty = np.where(rng.random(n) < 0.4, np.round(price * 0.03), 0).astype(np.int64)
    is_eur = (products["category"].to_numpy() == "Ceramics") & (rng.random(n) < 0.5)
    # EUR-costed items: the supplier quotes in EUR (about 0.92 EUR per USD).
    unit_cost = np.where(is_eur, np.round(unit_cost * 0.92), unit_cost).astype(np.int64)
    first = pl.DataFrame(
        {
            "sku": products["sku"],
            "effective_from": dt.date(start.year - 1, 1, 1),
            "unit_cost_cents": unit_cost,
            "currency": np.where(is_eur, "EUR", "USD"),
            "inbound_freight_cents": freight,
            "duty_cents": duty,
        }
    )
    changes = rng.random(n) < 0.25
    change_day = rng.integers(max(days // 5, 1), max(days * 4 // 5, 2), n)
    factor = 1.0 + rng.choice([-0.06, 0.04, 0.08, 0.12], n)
    second = first.with_columns(
        effective_from=pl.lit(start) + pl.duration(days=pl.Series(change_day)),
        unit_cost_cents=pl.Series(np.round(unit_cost * factor).astype(np.int64)),
    ).filter(pl.Series(changes))
    return pl.concat([first, second]).sort(["sku", "effective_from"])
