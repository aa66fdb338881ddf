"""Restock recommendations by the documented rules (docs/metrics.md, "Inventory and restock"), in polars.

From what the exports reveal: the inventory snapshots (FBA Manage Inventory reports, Shopify inventory exports,
the brand's stock counts) and the order lines the truth derives from the order exports. Independent of the dbt
SQL; the policy (lead times, case packs) is the project's seed, the settings are the dbt vars' defaults.
"""

from __future__ import annotations

import math
from pathlib import Path
from statistics import NormalDist

import polars as pl

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
VELOCITY_WINDOW_DAYS = 28  # dbt var restock_velocity_window_days
REVIEW_PERIOD_DAYS = 14  # dbt var restock_review_period_days
SERVICE_LEVEL = 0.95  # dbt var restock_service_level
OWN_WAREHOUSE = "Own warehouse"
FBA_PREFIX = "Amazon FBA "
# Channels whose units leave FBA stock (seeds/channels.csv `fulfillment` = amazon); every other channel that
# ships (`merchant`) leaves the brand's own stock.
FBA_CHANNEL = "Amazon FBA"
MERCHANT_CHANNELS = ("Shopify Web", "Amazon FBM", "Etsy")
SOURCE_RANK = {"brand_stock_counts": 0, "shopify_inventory_csv": 1, "amazon_fba_inventory": 1}


def supplier_terms(products: pl.DataFrame) -> pl.DataFrame:
    """Lead time and case pack per SKU: the SKU's seed row, else its vendor's, else the default row."""
    seed = pl.read_csv(SEEDS / "supplier_lead_times.csv", schema_overrides={"vendor": pl.String, "sku": pl.String})
    by_sku = seed.filter(pl.col("sku").is_not_null()).select("sku", sku_lead="lead_time_days", sku_pack="case_pack")
    by_vendor = seed.filter(pl.col("sku").is_null() & pl.col("vendor").is_not_null()).select(
        "vendor", vendor_lead="lead_time_days", vendor_pack="case_pack"
    )
    default = seed.filter(pl.col("sku").is_null() & pl.col("vendor").is_null()).row(0, named=True)
    return (
        products.select("sku", "vendor")
        .unique("sku")
        .join(by_sku, on="sku", how="left")
        .join(by_vendor, on="vendor", how="left")
        .select(
            "sku",
            lead_time_days=pl.coalesce("sku_lead", "vendor_lead", pl.lit(default["lead_time_days"])),
            case_pack=pl.coalesce("sku_pack", "vendor_pack", pl.lit(default["case_pack"])),
        )
    )


def daily_sales(lines: pl.DataFrame) -> pl.DataFrame:
    """Units sold per restock location, SKU and order date (cancelled lines sold nothing)."""
    fba = pl.col("channel") == FBA_CHANNEL
    return (
        lines.filter(~pl.col("is_cancelled") & (fba | pl.col("channel").is_in(MERCHANT_CHANNELS)))
        .with_columns(
            location=pl.when(fba).then(pl.lit(FBA_PREFIX) + pl.col("marketplace")).otherwise(pl.lit(OWN_WAREHOUSE))
        )
        .group_by("location", "sku", "order_date")
        .agg(units=pl.col("units").sum())
    )


def recommendations(snapshots: pl.DataFrame, sales: pl.DataFrame, products: pl.DataFrame) -> pl.DataFrame:
    """`snapshots`: source, physical_location, restock location, sku, as_of_date, on_hand, inbound (as landed)."""
    z = round(NormalDist().inv_cdf(SERVICE_LEVEL), 6)  # six decimals, as macros/restock.sql tabulates it
    # A stock count beats the platform's figure for the same place, SKU and day.
    snaps = (
        snapshots.with_columns(rank=pl.col("source").replace_strict(SOURCE_RANK))
        .sort("rank")
        .unique(["physical_location", "sku", "as_of_date"], keep="first", maintain_order=True)
        .with_columns(on_hand=pl.col("on_hand").clip(0), inbound=pl.col("inbound").fill_null(0).clip(0))
    )
    latest = snaps.sort("as_of_date").group_by("physical_location", "sku").last()
    current = latest.group_by("location", "sku").agg(
        pl.col("as_of_date").max(), pl.col("on_hand").sum(), pl.col("inbound").sum()
    )
    daily_stock = snaps.group_by("location", "sku", "as_of_date").agg(day_on_hand=pl.col("on_hand").sum())
    offsets = pl.DataFrame({"offset": list(range(1, VELOCITY_WINDOW_DAYS + 1))})
    window = (
        current.select("location", "sku", "as_of_date")
        .join(offsets, how="cross")
        .with_columns(day=pl.col("as_of_date") - pl.duration(days=pl.col("offset")))
        .join(sales.rename({"order_date": "day"}), on=["location", "sku", "day"], how="left")
        .join(
            daily_stock.rename({"as_of_date": "day"}),
            on=["location", "sku", "day"],
            how="left",
        )
        .with_columns(units=pl.col("units").fill_null(0))
        .with_columns(is_stock_out=(pl.col("day_on_hand") == 0).fill_null(False) & (pl.col("units") == 0))
    )
    demand = window.group_by("location", "sku").agg(
        stock_out_days=pl.col("is_stock_out").sum().cast(pl.Int64),
        in_stock_units=pl.col("units").filter(~pl.col("is_stock_out")).sum(),
        in_stock_days=(~pl.col("is_stock_out")).sum().cast(pl.Int64),
        demand_sd=pl.col("units").filter(~pl.col("is_stock_out")).cast(pl.Float64).std(ddof=1),
    )
    rows = []
    terms = supplier_terms(products)
    joined = current.join(demand, on=["location", "sku"]).join(terms, on="sku", how="left")
    assert joined["lead_time_days"].null_count() == 0, "every demo SKU is in the product list"
    for r in joined.sort("location", "sku").iter_rows(named=True):
        lead, pack, units = r["lead_time_days"], r["case_pack"], r["in_stock_units"]
        velocity = r["in_stock_units"] / r["in_stock_days"] if r["in_stock_days"] else 0.0
        sd = r["demand_sd"] if r["demand_sd"] is not None and not math.isnan(r["demand_sd"]) else 0.0
        safety = z * sd * math.sqrt(lead)
        reorder = velocity * lead + safety
        position = r["on_hand"] + r["inbound"]
        order_up_to = velocity * (lead + REVIEW_PERIOD_DAYS) + safety
        suggested = 0
        if velocity > 0 and position <= reorder:
            suggested = math.ceil((order_up_to - position) / pack) * pack
        rows.append(
            {
                "sku": r["sku"],
                "location": r["location"],
                "as_of_date": r["as_of_date"].isoformat(),
                "on_hand": r["on_hand"],
                "inbound": r["inbound"],
                "stock_out_days": r["stock_out_days"],
                "velocity": f"{velocity:.4f}",
                # on_hand / velocity = on_hand x days / units, half up to tenths, exact in integers.
                "days_of_cover": _tenths((20 * r["on_hand"] * r["in_stock_days"] + units) // (2 * units))
                if units
                else "",
                "lead_time_days": lead,
                "case_pack": pack,
                "safety_stock": f"{safety:.2f}",
                "reorder_point": f"{reorder:.2f}",
                "suggested_quantity": suggested,
                "urgent": "true" if units and r["on_hand"] * r["in_stock_days"] < units * lead else "false",
            }
        )
    return pl.DataFrame(rows)


def _tenths(tenths: int) -> str:
    return f"{tenths // 10}.{tenths % 10}"
