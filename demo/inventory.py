"""The demo brand's stock, consistent with what it sold, and the snapshot files the platforms export.

Locations: FBA stock per Amazon marketplace, and the brand's own warehouse (the Shopify location
`Main Warehouse`), which ships Shopify, Amazon FBM and Etsy orders. Stock follows the sales: going back from
the last day, a day's opening stock is the next day's plus the units sold that day (cancelled lines sold
nothing), less a receipt arriving the next day. A snapshot is the opening stock of its day (a report
downloaded first thing in the morning).

Planted, on the two best sellers (by catalogue popularity):
- the best seller runs out at FBA Amazon.com for STOCK_OUT_DAYS days inside the last 28 (its FBA sales on
  Amazon.com stop: `unavailable` removes them from the simulation), is restocked from an inbound shipment,
  and at the end holds about URGENT_COVER_SHARE of its lead time in cover: about to run out again, so urgent;
- the second best seller is about to run out at the own warehouse in the same way.
Files: the FBA Manage Inventory report of Amazon.com daily over the last 29 days, of Amazon.ca and Amazon.de
weekly; the Shopify inventory export weekly; one brand stock count of the warehouse (it found a few units
fewer than Shopify showed) on a day that also has a Shopify export.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import polars as pl

from demo import amazon
from demo.truth_restock import FBA_PREFIX, OWN_WAREHOUSE, supplier_terms

OWN_LOCATION = "Main Warehouse"
DAILY_MARKETPLACE = "Amazon.com"
WINDOW_DAYS = 28
STOCK_OUT_STARTS_BEFORE_END = 18
STOCK_OUT_DAYS = 6
INBOUND_SHOWN_DAYS = 4  # the refill shipment is inbound this many days before the stock-out ends
URGENT_COVER_SHARE = 0.4
COUNT_DAY_BEFORE_END = 14
COUNT_SHRINKAGE_SKUS = 3
INVENTORY_STREAM = 3_000_000


def planted_skus(products: pl.DataFrame) -> tuple[str, str]:
    """(runs out at FBA Amazon.com and is about to again, about to run out at the own warehouse)."""
    ranked = products.sort(["popularity", "sku"], descending=[True, False])["sku"].to_list()
    return ranked[0], ranked[1]


def stock_out_day_indexes(n_days: int) -> range:
    first = n_days - 1 - STOCK_OUT_STARTS_BEFORE_END
    return range(first, first + STOCK_OUT_DAYS)


def unavailable(products: pl.DataFrame, n_days: int) -> pl.DataFrame:
    """Amazon line keys that cannot sell: the planted SKU at FBA Amazon.com on its stock-out days."""
    days = list(stock_out_day_indexes(n_days))
    return pl.DataFrame(
        {
            "marketplace": DAILY_MARKETPLACE,
            "fulfillment_channel": "Amazon",
            "sku": planted_skus(products)[0],
            "day_index": days,
        },
        schema_overrides={"day_index": pl.Int64},
    )


class StockBook:
    """Units sold per location, SKU and day, collected chunk by chunk (small: SKUs x locations x days)."""

    def __init__(self, ctx) -> None:
        self.ctx = ctx
        self.parts: list[pl.DataFrame] = []

    def add(self, chunk) -> None:
        shop = (
            chunk.shopify.lines.filter(~pl.col("is_gift_card"))
            .join(chunk.shopify.orders.select("order_seq", "day_index", "cancelled_utc"), on="order_seq")
            .filter(pl.col("cancelled_utc").is_null())
            .select("day_index", "sku", "quantity", location=pl.lit(OWN_LOCATION))
        )
        amz = chunk.amazon.orders.filter(~pl.col("is_cancelled")).select(
            "day_index",
            "sku",
            "quantity",
            location=pl.when(pl.col("fulfillment_channel") == "Amazon")
            .then(pl.col("marketplace"))
            .otherwise(pl.lit(OWN_LOCATION)),
        )
        starts = self.ctx.days["utc_start"].to_numpy()
        etsy = chunk.etsy.items.join(chunk.etsy.orders.select("order_id", "sale_utc"), on="order_id")
        etsy = etsy.select(
            pl.Series("day_index", np.searchsorted(starts, etsy["sale_utc"].to_numpy(), side="right") - 1),
            "sku",
            "quantity",
            location=pl.lit(OWN_LOCATION),
        )
        both = pl.concat([shop, amz, etsy.with_columns(pl.col("day_index").cast(pl.Int64))], how="vertical_relaxed")
        self.parts.append(both.group_by("location", "sku", "day_index").agg(units=pl.col("quantity").sum()))

    def snapshots(self) -> pl.DataFrame:
        """Opening stock and inbound per location, SKU and snapshot day (the last WINDOW_DAYS + 1 days)."""
        ctx = self.ctx
        last = ctx.n_days - 1
        first = last - WINDOW_DAYS
        sold = pl.concat(self.parts).group_by("location", "sku", "day_index").agg(pl.col("units").sum())
        locations = [OWN_LOCATION, *(m[0] for m in amazon.MARKETPLACES)]
        rng = np.random.default_rng([ctx.seed, INVENTORY_STREAM])
        pairs = (
            ctx.products.select("sku", "vendor")
            .join(pl.DataFrame({"location": locations}), how="cross")
            .join(supplier_terms(ctx.products), on="sku")
            .sort("location", "sku")
        )
        totals = sold.group_by("location", "sku").agg(
            total=pl.col("units").sum(),
            window=pl.col("units").filter(pl.col("day_index").is_between(first, last - 1)).sum(),
        )
        pairs = pairs.join(totals, on=["location", "sku"], how="left").with_columns(
            pl.col("total").fill_null(0), pl.col("window").fill_null(0)
        )
        cover = pl.Series(rng.uniform(20, 70, pairs.height))
        final = (pairs["total"] / ctx.n_days * (pairs["lead_time_days"] + cover)).ceil().cast(pl.Int64)
        pairs = pairs.with_columns(final_on_hand=final.clip(lower_bound=2))
        stock_out_sku, urgent_sku = planted_skus(ctx.products)
        out_days = stock_out_day_indexes(ctx.n_days)

        def about_to_run_out(row: dict, in_stock_days: int) -> int:
            velocity = row["window"] / in_stock_days
            return max(1, math.floor(URGENT_COVER_SHARE * row["lead_time_days"] * velocity))

        grid = pairs.join(pl.DataFrame({"day_index": list(range(first, last + 1))}), how="cross").join(
            sold, on=["location", "sku", "day_index"], how="left"
        )
        grid = grid.with_columns(pl.col("units").fill_null(0)).sort("location", "sku", "day_index")
        rows = []
        for (location, sku), part in grid.group_by(["location", "sku"], maintain_order=True):
            row = part.row(0, named=True)
            units = part["units"].to_list()
            days = part["day_index"].to_list()
            if location == DAILY_MARKETPLACE and sku == stock_out_sku:
                opening, inbound = self._stock_out_path(days, units, about_to_run_out(row, WINDOW_DAYS - len(out_days)))
            else:
                final_on_hand = row["final_on_hand"]
                if location == OWN_LOCATION and sku == urgent_sku:
                    final_on_hand = about_to_run_out(row, WINDOW_DAYS)
                # opening(d) = final + units sold from d to the day before the last
                after = np.concatenate([np.cumsum(units[::-1][1:])[::-1], [0]])
                opening, inbound = list(final_on_hand + after), [0] * len(days)
            rows.append(
                pl.DataFrame(
                    {
                        "location": location,
                        "sku": sku,
                        "day_index": days,
                        "on_hand": opening,
                        "inbound": inbound,
                    },
                    schema_overrides={"on_hand": pl.Int64, "inbound": pl.Int64, "day_index": pl.Int64},
                )
            )
        snaps = pl.concat(rows).join(ctx.days.select("day_index", "date"), on="day_index")
        assert snaps["on_hand"].min() >= 0
        return snaps

    @staticmethod
    def _stock_out_path(days: list[int], units: list[int], final_on_hand: int) -> tuple[list[int], list[int]]:
        """Runs out at the start of the stock-out, refilled the day after it ends, `final_on_hand` at the end."""
        out = set(stock_out_day_indexes(days[-1] + 1))
        start, refill_day = min(out), max(out) + 1
        assert all(u == 0 for d, u in zip(days, units, strict=True) if d in out), "stock-out days cannot sell"
        opening, inbound = [], []
        refill = final_on_hand + sum(u for d, u in zip(days, units, strict=True) if refill_day <= d < days[-1])
        for d in days:
            if d < start:
                opening.append(sum(u for k, u in zip(days, units, strict=True) if d <= k < start))
            elif d in out:
                opening.append(0)
            else:
                opening.append(final_on_hand + sum(u for k, u in zip(days, units, strict=True) if d <= k < days[-1]))
            inbound.append(refill if start - INBOUND_SHOWN_DAYS <= d < refill_day else 0)
        return opening, inbound


def write_planted(ctx, folder: Path) -> None:
    """truth/restock_planted.json: what the restock recommendations must find."""
    stock_out_sku, urgent_sku = planted_skus(ctx.products)
    days = ctx.days["date"].to_list()
    out = stock_out_day_indexes(ctx.n_days)
    planted = {
        "stock_out": {
            "sku": stock_out_sku,
            "location": FBA_PREFIX + DAILY_MARKETPLACE,
            "first_day": days[out[0]].isoformat(),
            "last_day": days[out[-1]].isoformat(),
            "why": "the best seller ran out at FBA Amazon.com (its sales there stop), was refilled, and is about to"
            " run out again: urgent, with its stock-out days left out of its velocity",
        },
        "about_to_run_out": {
            "sku": urgent_sku,
            "location": OWN_WAREHOUSE,
            "why": "the second best seller holds less cover than its lead time at the own warehouse: urgent",
        },
    }
    (folder / "restock_planted.json").write_text(json.dumps(planted, indent=2) + "\n")


def restock_location(physical: pl.Expr) -> pl.Expr:
    return pl.when(physical == OWN_LOCATION).then(pl.lit(OWN_WAREHOUSE)).otherwise(pl.lit(FBA_PREFIX) + physical)


def snapshot_files(ctx, snaps: pl.DataFrame) -> pl.DataFrame:
    """What the files show: source format, physical location, restock location, sku, as_of_date, on_hand, inbound."""
    last = ctx.n_days - 1
    weekly = [last - 7 * k for k in range(WINDOW_DAYS // 7 + 1)]
    fba = snaps.filter(
        (pl.col("location") != OWN_LOCATION)
        & ((pl.col("location") == DAILY_MARKETPLACE) | pl.col("day_index").is_in(weekly))
    ).with_columns(source=pl.lit("amazon_fba_inventory"))
    shop = snaps.filter((pl.col("location") == OWN_LOCATION) & pl.col("day_index").is_in(weekly)).with_columns(
        source=pl.lit("shopify_inventory_csv")
    )
    count_day = last - COUNT_DAY_BEFORE_END
    counted = (
        snaps.filter((pl.col("location") == OWN_LOCATION) & (pl.col("day_index") == count_day))
        .sort("sku")
        .with_columns(
            # The count found one unit fewer than Shopify showed on a few SKUs (shrinkage).
            on_hand=pl.when((pl.int_range(pl.len()) < COUNT_SHRINKAGE_SKUS) & (pl.col("on_hand") > 0))
            .then(pl.col("on_hand") - 1)
            .otherwise(pl.col("on_hand")),
            source=pl.lit("brand_stock_counts"),
        )
    )
    return pl.concat([fba, shop, counted]).select(
        "source",
        "day_index",
        physical_location="location",
        location=restock_location(pl.col("location")),
        sku="sku",
        as_of_date="date",
        on_hand="on_hand",
        inbound="inbound",
    )


MYI_COLUMNS = [
    "sku",
    "fnsku",
    "asin",
    "product-name",
    "condition",
    "your-price",
    "mfn-listing-exists",
    "mfn-fulfillable-quantity",
    "afn-listing-exists",
    "afn-warehouse-quantity",
    "afn-fulfillable-quantity",
    "afn-unsellable-quantity",
    "afn-reserved-quantity",
    "afn-total-quantity",
    "per-unit-volume",
    "afn-inbound-working-quantity",
    "afn-inbound-shipped-quantity",
    "afn-inbound-receiving-quantity",
    "afn-researching-quantity",
    "afn-reserved-future-supply",
    "afn-future-supply-buyable",
]
SHOPIFY_INVENTORY_COLUMNS = [
    "Handle",
    "Title",
    "Option1 Name",
    "Option1 Value",
    "Option2 Name",
    "Option2 Value",
    "Option3 Name",
    "Option3 Value",
    "SKU",
    "HS Code",
    "COO",
    "Location",
    "Bin name",
    "Incoming (not editable)",
    "Unavailable (not editable)",
    "Committed (not editable)",
    "Available (not editable)",
    "On hand (current)",
    "On hand (new)",
]


def write_files(ctx, files: pl.DataFrame, out: Path, csv) -> None:
    """The snapshots in their native formats; `csv` is the writers' CSV text helper."""
    products = ctx.products.select(
        "sku", "asin", "product_name", "price_cents", fnsku=pl.lit("X00") + pl.col("asin").str.slice(3)
    )
    rows = files.join(products, on="sku").sort("sku")
    for (source, physical, day), part in rows.group_by(
        ["source", "physical_location", "as_of_date"], maintain_order=True
    ):
        stamp = day.isoformat()
        if source == "amazon_fba_inventory":
            q = pl.col("on_hand").cast(pl.String)
            body = part.select(
                "sku",
                "fnsku",
                "asin",
                pl.col("product_name").alias("product-name"),
                pl.lit("New").alias("condition"),
                (pl.col("price_cents") / 100).round(2).cast(pl.String).alias("your-price"),
                pl.lit("No").alias("mfn-listing-exists"),
                pl.lit(None, pl.String).alias("mfn-fulfillable-quantity"),
                pl.lit("Yes").alias("afn-listing-exists"),
                q.alias("afn-warehouse-quantity"),
                q.alias("afn-fulfillable-quantity"),
                pl.lit("0").alias("afn-unsellable-quantity"),
                pl.lit("0").alias("afn-reserved-quantity"),
                (pl.col("on_hand") + pl.col("inbound")).cast(pl.String).alias("afn-total-quantity"),
                pl.lit("0.05").alias("per-unit-volume"),
                pl.lit("0").alias("afn-inbound-working-quantity"),
                pl.col("inbound").cast(pl.String).alias("afn-inbound-shipped-quantity"),
                pl.lit("0").alias("afn-inbound-receiving-quantity"),
                pl.lit("0").alias("afn-researching-quantity"),
                pl.lit("0").alias("afn-reserved-future-supply"),
                pl.lit("0").alias("afn-future-supply-buyable"),
            )
            path = out / "amazon" / "fba_inventory" / f"fba_inventory_{physical}_{stamp}.txt"
            text = csv(body.select(MYI_COLUMNS), separator="\t")
        elif source == "shopify_inventory_csv":
            q = pl.col("on_hand").cast(pl.String)
            body = part.select(
                pl.col("product_name").str.to_lowercase().str.replace_all(r"[^a-z0-9]+", "-").alias("Handle"),
                pl.col("product_name").alias("Title"),
                *(pl.lit(None, pl.String).alias(f"Option{i} {k}") for i in (1, 2, 3) for k in ("Name", "Value")),
                pl.col("sku").alias("SKU"),
                pl.lit(None, pl.String).alias("HS Code"),
                pl.lit(None, pl.String).alias("COO"),
                pl.lit(physical).alias("Location"),
                pl.lit(None, pl.String).alias("Bin name"),
                pl.col("inbound").cast(pl.String).alias("Incoming (not editable)"),
                pl.lit("0").alias("Unavailable (not editable)"),
                pl.lit("0").alias("Committed (not editable)"),
                q.alias("Available (not editable)"),
                q.alias("On hand (current)"),
                q.alias("On hand (new)"),
            )
            path = out / "shopify" / "inventory" / f"inventory_export_{stamp}.csv"
            text = csv(body.select(SHOPIFY_INVENTORY_COLUMNS))
        else:
            body = part.select(
                counted_on=pl.lit(stamp),
                location=pl.lit(physical),
                sku="sku",
                on_hand="on_hand",
                inbound="inbound",
            )
            path = out / "brand" / f"stock_count_{stamp}.csv"
            text = csv(body)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
