"""Shopify inventory CSV export: Products > Inventory > Export (all locations, "All quantity types").

One row per variant and location (Shopify help, "Inventory CSV file format"): `Handle`, `Title`, three option
name/value pairs, `SKU`, `HS Code`, `COO`, `Location`, `Bin name`, then `Incoming (not editable)`,
`Unavailable (not editable)`, `Committed (not editable)`, `Available (not editable)`, `On hand (current)` and
`On hand (new)` (the import column, ignored). A quantity cell reads `not stocked` when the variant is not
stocked at that location: the row lands with `is_stocked` false and no quantities. Shopify lets quantities go
negative (overselling); they land as exported. The export has no date: the day comes from the file name
(`inventory_snapshot`), e.g. `inventory_export_2025-12-01.csv`.
"""

from __future__ import annotations

import polars as pl

from ingestion.formats import common as c
from ingestion.formats import inventory_snapshot
from ingestion.formats.base import DelimitedFormat, ParseContext, Parsed, raw_json, records_frame

QUANTITIES = {
    "Incoming (not editable)": "incoming",
    "Unavailable (not editable)": "unavailable",
    "Committed (not editable)": "committed",
    "Available (not editable)": "available",
    "On hand (current)": "on_hand",
}
NOT_STOCKED = "not stocked"


class ShopifyInventoryCsv(DelimitedFormat):
    name = "shopify_inventory_csv"
    label = "Shopify inventory export (CSV)"
    source = "shopify"
    entities = ("inventory_levels",)
    download = (
        "Shopify admin > Products > Inventory > Export > All locations, All quantity types, saved as"
        " inventory_export_<YYYY-MM-DD>.csv"
    )
    required = ("Handle", "SKU", "Location", "Available (not editable)", "On hand (current)")
    optional = (
        "Title",
        "Option1 Value",
        "Option2 Value",
        "Option3 Value",
        "Incoming (not editable)",
        "Unavailable (not editable)",
        "Committed (not editable)",
    )
    signature = ("Handle", "SKU", "Location", "Available (not editable)", "On hand (current)", "Bin name")

    def transform(self, df: pl.DataFrame, ctx: ParseContext) -> Parsed:
        source_columns = [x for x in df.columns if not x.startswith("_")]
        df = self.ensure(df)
        as_of = pl.lit(inventory_snapshot.snapshot_date(ctx), dtype=pl.Date)
        not_stocked = pl.any_horizontal(
            [pl.col(q).str.to_lowercase().eq(NOT_STOCKED).fill_null(False) for q in QUANTITIES]
        )

        def quantity(column: str) -> pl.Expr:
            return pl.when(not_stocked).then(pl.lit(None, dtype=pl.Int64)).otherwise(c.integer(pl.col(column)))

        reason = c.first_reason(
            [
                c.required_reason("SKU", pl.col("SKU")),
                c.required_reason("Location", pl.col("Location")),
                *(
                    pl.when(not_stocked).then(c.null_str()).otherwise(c.required_reason(q, pl.col(q)))
                    for q in ("Available (not editable)", "On hand (current)")
                ),
                *(
                    pl.when(not_stocked).then(c.null_str()).otherwise(c.integer_reason(q, pl.col(q)))
                    for q in QUANTITIES
                ),
            ]
        )
        variant = pl.concat_str(
            [pl.col("Option1 Value"), pl.col("Option2 Value"), pl.col("Option3 Value")],
            separator=" / ",
            ignore_nulls=True,
        )
        rows = df.select(
            "_source_row",
            _record_key=c.key(as_of, pl.col("Location"), pl.col("SKU")),
            _record_version=pl.lit(None, dtype=pl.Datetime("us", "UTC")),
            as_of_date=as_of,
            location=pl.col("Location"),
            sku=pl.col("SKU"),
            handle=pl.col("Handle"),
            title=pl.col("Title"),
            variant=pl.when(variant != "").then(variant),
            is_stocked=~not_stocked,
            **{target: quantity(column) for column, target in QUANTITIES.items()},
            business_date=as_of,
        )
        records = records_frame(df, reason, raw_json(df, source_columns))
        return Parsed(records, {"inventory_levels": rows})


FORMAT = ShopifyInventoryCsv()
