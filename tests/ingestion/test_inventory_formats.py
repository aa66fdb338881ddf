"""The inventory snapshot formats: FBA Manage Inventory report, Shopify inventory export, brand stock counts."""

from __future__ import annotations

import datetime as dt
import json

from ingest_helpers import landed, quarantined, write

FBA_HEADER = "\t".join(
    [
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
)
SHOPIFY_HEADER = (
    "Handle,Title,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Option3 Name,Option3 Value,SKU,HS Code,"
    "COO,Location,Bin name,Incoming (not editable),Unavailable (not editable),Committed (not editable),"
    "Available (not editable),On hand (current),On hand (new)"
)


def fba_row(sku: str, fulfillable: str, inbound: tuple[str, str, str] = ("0", "0", "0")) -> str:
    working, shipped, receiving = inbound
    return "\t".join(
        [
            *(sku, "X00ABCDEF1", "B0C1234567", "Amber Soy Candle", "New", "24.99", "No", "", "Yes", "12"),
            *(fulfillable, "1", "2", "15", "0.05", working, shipped, receiving, "0", "0", "0"),
        ]
    )


def test_fba_report_takes_its_day_and_marketplace_from_the_file_name(ingest, lake, tmp_path):
    path = write(
        tmp_path / "fba_inventory_Amazon.de_2025-12-01.txt",
        "\n".join([FBA_HEADER, fba_row("AG-CAN-001", "9", ("5", "10", "3")), fba_row("AG-CAN-002", "-1")]) + "\n",
    )
    [result] = ingest(path)
    assert (result.format, result.status, result.rows_landed, result.rows_quarantined) == (
        "amazon_fba_inventory",
        "partial",
        1,
        1,
    )
    assert result.examples == [f"{path}:3: afn-fulfillable-quantity: -1 must be at least 0"]
    [row] = landed(lake, "amazon", "fba_inventory")
    assert (row["as_of_date"], row["marketplace"], row["sku"], row["_record_key"]) == (
        dt.date(2025, 12, 1),
        "Amazon.de",
        "AG-CAN-001",
        "2025-12-01|Amazon.de|AG-CAN-001",
    )
    inbound = [row[f"afn_inbound_{k}_quantity"] for k in ("working", "shipped", "receiving")]
    assert (row["afn_fulfillable_quantity"], inbound, row["afn_reserved_quantity"]) == (9, [5, 10, 3], 2)
    [bad] = quarantined(lake)
    assert json.loads(bad["_raw"])["sku"] == "AG-CAN-002"


def test_fba_report_marketplace_domains_are_read_whole(ingest, lake, tmp_path):
    """`Amazon.com.mx` is not `Amazon.com`; a name without a marketplace or date lands with the day received."""
    mx = write(tmp_path / "myi_amazon.com.mx_20251203.txt", f"{FBA_HEADER}\n{fba_row('A', '1')}\n")
    plain = write(tmp_path / "12345678901.txt", f"{FBA_HEADER}\n{fba_row('B', '2')}\n")
    ingest(mx, plain)
    rows = {r["sku"]: r for r in landed(lake, "amazon", "fba_inventory")}
    assert (rows["A"]["marketplace"], rows["A"]["as_of_date"]) == ("Amazon.com.mx", dt.date(2025, 12, 3))
    assert rows["B"]["marketplace"] is None
    received = rows["B"]["_ingested_at"].astimezone(dt.timezone(dt.timedelta(hours=-5))).date()
    assert abs((rows["B"]["as_of_date"] - received).days) <= 1  # the brand's day (New York, DST aside)


def test_fba_report_without_inbound_columns_is_rejected_with_what_to_do(ingest, tmp_path):
    header = FBA_HEADER.replace("\tafn-inbound-shipped-quantity", "")
    row = fba_row("A", "1").split("\t")
    del row[16]
    [result] = ingest(write(tmp_path / "fba_inventory_Amazon.com_2025-12-01.txt", f"{header}\n{chr(9).join(row)}\n"))
    assert result.status == "rejected"
    assert "'afn-inbound-shipped-quantity' missing" in result.message
    assert "Manage FBA Inventory" in result.message


def test_shopify_inventory_export_rows_not_stocked_and_bad_quantities(ingest, lake, tmp_path):
    rows = [
        "amber-soy-candle,Amber Soy Candle,Size,8 oz,,,,,AG-CAN-001,,,Main Warehouse,A-1,12,1,3,20,24,24",
        "amber-soy-candle,Amber Soy Candle,Size,8 oz,,,,,AG-CAN-001,,,Pop-up Store,,0,0,0,not stocked,"
        "not stocked,not stocked",
        "sage-mug,Sage Mug,,,,,,,AG-CER-001,,,Main Warehouse,,0,0,0,-2,-2,-2",
        "sage-bowl,Sage Bowl,,,,,,,AG-CER-002,,,Main Warehouse,,0,0,0,many,4,4",
        "gift-card,Gift Card,,,,,,,,,,Main Warehouse,,0,0,0,0,0,0",
    ]
    path = write(tmp_path / "inventory_export_2025-12-02.csv", "\n".join([SHOPIFY_HEADER, *rows]) + "\n")
    [result] = ingest(path)
    assert (result.format, result.rows_read, result.rows_landed, result.rows_quarantined) == (
        "shopify_inventory_csv",
        5,
        3,
        2,
    )
    assert result.examples == [
        f"{path}:5: Available (not editable): 'many' is not a whole number",
        f"{path}:6: SKU: missing value",
    ]
    got = {(r["sku"], r["location"]): r for r in landed(lake, "shopify", "inventory_levels")}
    stocked = got[("AG-CAN-001", "Main Warehouse")]
    assert (stocked["available"], stocked["on_hand"], stocked["incoming"], stocked["committed"]) == (20, 24, 12, 3)
    assert (stocked["variant"], stocked["as_of_date"], stocked["is_stocked"]) == ("8 oz", dt.date(2025, 12, 2), True)
    popup = got[("AG-CAN-001", "Pop-up Store")]
    assert (popup["is_stocked"], popup["available"], popup["on_hand"]) == (False, None, None)
    assert got[("AG-CER-001", "Main Warehouse")]["available"] == -2  # oversold: landed as exported


def test_stock_count_file_with_a_negative_count_and_a_european_spreadsheet(ingest, lake, tmp_path):
    path = write(
        tmp_path / "stock_count.csv",
        "counted_on;location;sku;on_hand;inbound\n"
        "2025-12-01;Overflow 3PL;AG-CAN-001;1.200;60\n"
        "2025-12-01;Overflow 3PL;AG-CAN-002;-4;\n"
        "01.12.2025;Overflow 3PL;AG-CAN-003;7;\n",
    )
    [result] = ingest(path)
    assert (result.format, result.rows_landed, result.rows_quarantined) == ("brand_stock_counts", 2, 1)
    assert result.examples == [f"{path}:3: on_hand: -4 must be at least 0"]
    got = {r["sku"]: r for r in landed(lake, "brand", "stock_counts")}
    assert (got["AG-CAN-001"]["on_hand"], got["AG-CAN-001"]["inbound"]) == (1200, 60)
    assert (got["AG-CAN-003"]["counted_on"], got["AG-CAN-003"]["inbound"]) == (dt.date(2025, 12, 1), None)
    assert got["AG-CAN-001"]["_record_key"] == "2025-12-01|Overflow 3PL|AG-CAN-001"


def test_a_later_download_of_the_same_day_keeps_one_row_per_sku(ingest, lake, tmp_path):
    first = write(tmp_path / "a" / "fba_inventory_Amazon.com_2025-12-01.txt", f"{FBA_HEADER}\n{fba_row('A', '5')}\n")
    again = write(tmp_path / "b" / "fba_inventory_Amazon.com_2025-12-01.txt", f"{FBA_HEADER}\n{fba_row('A', '4')}\n")
    ingest(first)
    ingest(again)
    rows = landed(lake, "amazon", "fba_inventory")
    assert {r["_record_key"] for r in rows} == {"2025-12-01|Amazon.com|A"}  # staging keeps the later delivery
    assert sorted(r["afn_fulfillable_quantity"] for r in rows) == [4, 5]
