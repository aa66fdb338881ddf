"""The demo's inventory snapshots follow its sales, the planted stock-out stops sales, and the restock truth
gives the hand-computed numbers."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl

from demo import truth_restock


def _fba_amazon_com(demo) -> pl.DataFrame:
    frames = [
        pl.read_csv(path, separator="\t", infer_schema=False).with_columns(
            as_of_date=pl.lit(dt.date.fromisoformat(path.stem.rsplit("_", 1)[1]))
        )
        for path in sorted((demo.out / "amazon" / "fba_inventory").glob("fba_inventory_Amazon.com_*.txt"))
    ]
    return pl.concat(frames).select(
        "sku",
        "as_of_date",
        on_hand=pl.col("afn-fulfillable-quantity").cast(pl.Int64),
        inbound=pl.col("afn-inbound-shipped-quantity").cast(pl.Int64),
    )


def _fba_amazon_com_sales(demo) -> pl.DataFrame:
    orders = pl.read_csv(demo.out / "amazon" / "all_orders.txt", separator="\t", infer_schema=False)
    return (
        orders.filter(
            (pl.col("sales-channel") == "Amazon.com")
            & (pl.col("fulfillment-channel") == "Amazon")
            & (pl.col("order-status") != "Cancelled")
        )
        .with_columns(
            day=pl.col("purchase-date")
            .str.to_datetime(time_zone="UTC")
            .dt.convert_time_zone("America/New_York")
            .dt.date()
        )
        .group_by("sku", "day")
        .agg(units=pl.col("quantity").cast(pl.Int64).sum())
    )


def test_daily_fba_snapshots_fall_by_exactly_what_sold(demo):
    """Opening stock of a day = the previous day's opening - the units sold that day (+ a refill received)."""
    planted = json.loads((Path(demo.truth.folder) / "restock_planted.json").read_text())
    stock = _fba_amazon_com(demo).sort("sku", "as_of_date")
    assert stock["as_of_date"].n_unique() == 29 and stock["on_hand"].min() >= 0
    moves = (
        stock.with_columns(next_on_hand=pl.col("on_hand").shift(-1).over("sku"))
        .drop_nulls("next_on_hand")
        .join(_fba_amazon_com_sales(demo), left_on=["sku", "as_of_date"], right_on=["sku", "day"], how="left")
        .with_columns(pl.col("units").fill_null(0))
        .with_columns(received=pl.col("next_on_hand") - pl.col("on_hand") + pl.col("units"))
    )
    unplanted = moves.filter(pl.col("sku") != planted["stock_out"]["sku"])
    assert unplanted.filter(pl.col("received") != 0).is_empty()
    refills = moves.filter(pl.col("received") != 0)
    assert refills.height == 1 and refills["received"][0] > 0  # the planted SKU's inbound shipment
    assert refills["as_of_date"][0] == dt.date.fromisoformat(planted["stock_out"]["last_day"])


def test_the_planted_stock_out_has_no_stock_and_no_sales(demo):
    planted = json.loads((Path(demo.truth.folder) / "restock_planted.json").read_text())["stock_out"]
    first, last = (dt.date.fromisoformat(planted[k]) for k in ("first_day", "last_day"))
    sku = planted["sku"]
    stock = _fba_amazon_com(demo).filter(pl.col("sku") == sku)
    out = stock.filter(pl.col("as_of_date").is_between(first, last))
    assert out.height == (last - first).days + 1 and out["on_hand"].to_list() == [0] * out.height
    assert (out["inbound"] > 0).all()  # the refill is on its way
    sales = _fba_amazon_com_sales(demo).filter(pl.col("sku") == sku)
    assert sales.filter(pl.col("day").is_between(first, last)).is_empty()
    assert sales["units"].sum() > 0  # a best seller: it sells on the other days
    recommendation = pl.read_csv(Path(demo.truth.folder) / "restock_recommendations.csv").filter(
        (pl.col("sku") == sku) & (pl.col("location") == planted["location"])
    )
    assert recommendation["urgent"].to_list() == [True] and recommendation["on_hand"][0] > 0


def test_restock_truth_gives_the_hand_computed_numbers():
    """The dbt unit test's case (fct_restock_recommendations), through the truth's implementation."""
    day = dt.date.fromisoformat
    snapshots = pl.DataFrame(
        {
            "source": ["amazon_fba_inventory"] * 4 + ["shopify_inventory_csv", "brand_stock_counts"],
            "physical_location": ["Amazon.com"] * 4 + ["Main Warehouse"] * 2,
            "location": ["Amazon FBA Amazon.com"] * 4 + ["Own warehouse"] * 2,
            "sku": ["A"] * 4 + ["B", "B"],
            "as_of_date": [day("2025-12-26"), day("2025-12-27"), day("2025-12-28")] + [day("2025-12-29")] * 3,
            "on_hand": [0, 0, 6, 5, 23, 20],  # the count (20) beats Shopify (23) on the same day
            "inbound": [6, 6, 6, 6, 0, 0],
        }
    )
    sales = pl.DataFrame(
        {
            "location": ["Amazon FBA Amazon.com"] * 2 + ["Own warehouse"] * 4,
            "sku": ["A", "A", "B", "B", "B", "B"],
            "order_date": [day("2025-12-25"), day("2025-12-28")] + [day(f"2025-12-2{d}") for d in (5, 6, 7, 8)],
            "units": [3, 1, 2, 2, 2, 2],
        }
    )
    products = pl.DataFrame({"sku": ["A", "B"], "vendor": ["nobody", "ArtisanGlow"]})
    old = truth_restock.VELOCITY_WINDOW_DAYS, truth_restock.REVIEW_PERIOD_DAYS
    truth_restock.VELOCITY_WINDOW_DAYS, truth_restock.REVIEW_PERIOD_DAYS = 4, 7
    try:
        got = {r["sku"]: r for r in truth_restock.recommendations(snapshots, sales, products).to_dicts()}
    finally:
        truth_restock.VELOCITY_WINDOW_DAYS, truth_restock.REVIEW_PERIOD_DAYS = old
    # A: default terms (30 days, 1 unit); stock-out 12-26, 12-27; velocity 4 / 2; sd of (3, 1) = 1.414214.
    # safety = 1.644854 x 1.414214 x sqrt(30) = 12.74; reorder = 60 + 12.74; order up to 2 x 37 + 12.74.
    a = got["A"]
    assert (a["stock_out_days"], a["velocity"], a["days_of_cover"], a["urgent"]) == (2, "2.0000", "2.5", "true")
    assert (a["safety_stock"], a["reorder_point"], a["suggested_quantity"]) == ("12.74", "72.74", 76)
    # B: ArtisanGlow terms (21 days, cartons of 12); 2 a day, sd 0; on hand 20 (the count) + 0 <= 42:
    # order up to 2 x (21 + 7) = 56, i.e. 36 -> 3 cartons of 12; cover 10 days < 21: urgent.
    b = got["B"]
    assert (b["on_hand"], b["velocity"], b["days_of_cover"], b["urgent"]) == (20, "2.0000", "10.0", "true")
    assert (b["lead_time_days"], b["case_pack"], b["reorder_point"], b["suggested_quantity"]) == (21, 12, "42.00", 36)
