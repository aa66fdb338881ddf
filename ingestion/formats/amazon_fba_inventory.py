"""Amazon Seller Central FBA Manage Inventory report (flat file, tab-separated): one row per SKU.

The report is `GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA` in the Selling Partner API (Seller Central: Reports >
Fulfillment > Inventory > Manage FBA Inventory > Download, .txt). It shows one marketplace's FBA stock at the
moment it is generated and carries neither a date nor the marketplace: both come from the file name
(`inventory_snapshot`), e.g. `fba_inventory_Amazon.com_2025-12-01.txt`. Quantities are whole units;
`afn-fulfillable-quantity` is what Amazon can sell now, the three `afn-inbound-*-quantity` columns are units
in inbound shipments (working, shipped, receiving). Extra columns (`your-price`, `per-unit-volume`,
`afn-reserved-future-supply`, `store`, ...) are ignored.
"""

from __future__ import annotations

import polars as pl

from ingestion.formats import common as c
from ingestion.formats import inventory_snapshot
from ingestion.formats.base import DelimitedFormat, ParseContext, Parsed, raw_json, records_frame

QUANTITIES = {
    "afn-warehouse-quantity": "afn_warehouse_quantity",
    "afn-fulfillable-quantity": "afn_fulfillable_quantity",
    "afn-unsellable-quantity": "afn_unsellable_quantity",
    "afn-reserved-quantity": "afn_reserved_quantity",
    "afn-total-quantity": "afn_total_quantity",
    "afn-inbound-working-quantity": "afn_inbound_working_quantity",
    "afn-inbound-shipped-quantity": "afn_inbound_shipped_quantity",
    "afn-inbound-receiving-quantity": "afn_inbound_receiving_quantity",
    "afn-researching-quantity": "afn_researching_quantity",
}
REQUIRED_QUANTITIES = (
    "afn-fulfillable-quantity",
    "afn-inbound-working-quantity",
    "afn-inbound-shipped-quantity",
    "afn-inbound-receiving-quantity",
)


class AmazonFbaInventory(DelimitedFormat):
    name = "amazon_fba_inventory"
    label = "Amazon FBA Manage Inventory report"
    source = "amazon"
    entities = ("fba_inventory",)
    download = (
        "Seller Central > Reports > Fulfillment > Inventory > Manage FBA Inventory > Download (.txt), saved as"
        " fba_inventory_<marketplace>_<YYYY-MM-DD>.txt (SP-API GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA)"
    )
    delimiters = ("\t",)
    required = ("sku", "fnsku", "asin", *REQUIRED_QUANTITIES)
    optional = (
        "product-name",
        "condition",
        *(q for q in QUANTITIES if q not in REQUIRED_QUANTITIES),
    )
    signature = ("sku", "fnsku", "asin", "afn-fulfillable-quantity", "afn-inbound-shipped-quantity")

    def transform(self, df: pl.DataFrame, ctx: ParseContext) -> Parsed:
        source_columns = [x for x in df.columns if not x.startswith("_")]
        df = self.ensure(df)
        as_of = pl.lit(inventory_snapshot.snapshot_date(ctx), dtype=pl.Date)
        marketplace = pl.lit(inventory_snapshot.marketplace(ctx), dtype=pl.String)
        reason = c.first_reason(
            [
                c.required_reason("sku", pl.col("sku")),
                *(c.required_reason(q, pl.col(q)) for q in REQUIRED_QUANTITIES),
                *(c.integer_reason(q, pl.col(q), minimum=0) for q in QUANTITIES),
            ]
        )
        rows = df.select(
            "_source_row",
            _record_key=c.key(as_of, marketplace, pl.col("sku")),
            _record_version=pl.lit(None, dtype=pl.Datetime("us", "UTC")),
            as_of_date=as_of,
            marketplace=marketplace,
            sku=pl.col("sku"),
            fnsku=pl.col("fnsku"),
            asin=pl.col("asin"),
            product_name=pl.col("product-name"),
            condition=pl.col("condition"),
            **{target: c.integer(pl.col(column)) for column, target in QUANTITIES.items()},
            business_date=as_of,
        )
        records = records_frame(df, reason, raw_json(df, source_columns))
        return Parsed(records, {"fba_inventory": rows})


FORMAT = AmazonFbaInventory()
