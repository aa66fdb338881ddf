"""The bad-input corpus: each case with its expected status, message and counts."""

from __future__ import annotations

import json

import pytest
from ingest_helpers import gz, landed, quarantined, write

from ingestion.ingest import exit_code

PAYMENTS_HEADER = (
    "Transaction Date,Type,Order,Card Brand,Card Source,Payout Status,Payout Date,Available On,Amount,Fee,Net,"
    "Checkout,Payment Method Name,Presentment Amount,Presentment Currency,Currency"
)
PAYMENTS_ROWS = [
    "2025-10-07 22:44:48 -0400,charge,#1403,visa,online,pending,2025-10-09,2025-10-09,"
    "112.09,3.55,108.54,71968,card,112.09,USD,USD",
    "2025-10-07 21:50:30 -0400,charge,#1402,master,online,pending,2025-10-09,2025-10-09,"
    "62.51,2.11,60.40,87124,card,62.51,USD,USD",
    "2025-10-06 10:00:00 -0400,refund,#1390,visa,online,paid,2025-10-08,2025-10-08,"
    "-20.00,0.00,-20.00,11111,card,20.00,USD,USD",
]
INVOICES = (
    "tracking_number,order_reference,ship_date,service,weight_kg,cost,currency\n"
    "1Z1,#1005,2025-09-01,UPS Ground,4.85,13.25,USD\n"
    "1Z2,1010,2025-09-02,UPS Ground,8.47,12.3x,USD\n"
    "1Z3,#1008,2025-09-02,UPS Ground,1.92,11.51,USD\n"
)
AMAZON_HEADER = (
    "amazon-order-id\tmerchant-order-id\tpurchase-date\tlast-updated-date\torder-status\tfulfillment-channel\t"
    "sales-channel\tsku\tasin\tquantity\tcurrency\titem-price"
)


def payments(rows=PAYMENTS_ROWS, header=PAYMENTS_HEADER, sep=","):
    return "\n".join([header.replace(",", sep), *(r.replace(",", sep) for r in rows)]) + "\n"


def amazon_row(order_id, status, updated, sku="AG-1", qty="1", price="10.00"):
    return (
        f"{order_id}\t\t2025-11-01T10:00:00+00:00\t{updated}\t{status}\tAmazon\tAmazon.com\t{sku}\tB000000001\t"
        f"{qty}\tUSD\t{price}"
    )


def test_wrong_delimiter_is_rejected_with_the_fix(ingest, tmp_path):
    path = write(tmp_path / "payments.csv", payments(sep=";"))
    [result] = ingest(path)
    assert result.status == "rejected"
    assert result.message.startswith(
        "looks like a Shopify Payments transactions export but its columns are separated by semicolons, not commas"
    )
    assert "ingest the file as downloaded" in result.message
    assert (result.rows_read, result.rows_landed, result.rows_quarantined) == (0, 0, 0)
    assert exit_code([result]) == 2


def test_missing_required_column(ingest, lake, tmp_path):
    header = PAYMENTS_HEADER.replace("Fee,", "")
    rows = [",".join(r.split(",")[:9] + r.split(",")[10:]) for r in PAYMENTS_ROWS]
    [result] = ingest(write(tmp_path / "p.csv", payments(rows, header)))
    assert result.status == "rejected"
    assert result.message.startswith("Shopify Payments transactions export: required column 'Fee' missing")
    manifest = json.loads((lake / f"_manifests/shopify/{result.sha256}.json").read_text())
    assert manifest["status"] == "rejected" and manifest["rows_read"] == 0


def test_non_numeric_amount_quarantines_that_row_only(ingest, lake, tmp_path):
    path = write(tmp_path / "carrier_invoices.csv", INVOICES)
    [result] = ingest(path)
    assert (result.status, result.rows_read, result.rows_landed, result.rows_quarantined) == ("partial", 3, 2, 1)
    assert result.examples == [f"{path}:3: cost: '12.3x' is not a number"]
    [bad] = quarantined(lake)
    assert bad["_source_row"] == 3 and bad["_reason"] == "cost: '12.3x' is not a number"
    assert json.loads(bad["_raw"])["tracking_number"] == "1Z2"
    assert {r["tracking_number"] for r in landed(lake, "brand", "carrier_invoices")} == {"1Z1", "1Z3"}
    assert exit_code([result]) == 1


def test_impossible_date(ingest, tmp_path):
    path = write(tmp_path / "fx.csv", "date,currency,rate\n2025-02-28,EUR,1.0819\n2025-02-30,EUR,1.0822\n")
    [result] = ingest(path)
    assert (result.rows_read, result.rows_landed, result.rows_quarantined) == (2, 1, 1)
    assert result.examples == [f"{path}:3: date: '2025-02-30' is not a date (YYYY-MM-DD)"]


def test_unknown_currency(ingest, tmp_path):
    path = write(
        tmp_path / "cogs.csv", "sku,effective_from,unit_cost,currency\nA,2024-01-01,1.50,USD\nB,2024-01-01,2.00,XYZ\n"
    )
    [result] = ingest(path)
    assert (result.rows_landed, result.rows_quarantined) == (1, 1)
    assert result.examples == [f"{path}:3: currency: 'XYZ' is not an ISO 4217 currency code"]


def test_same_file_under_two_names_is_a_logged_duplicate(ingest, lake, tmp_path):
    first = write(tmp_path / "a" / "payments.csv", payments())
    second = write(tmp_path / "b" / "payments (1).csv", payments())
    [r1] = ingest(first)
    manifest_path = lake / f"_manifests/shopify/{r1.sha256}.json"
    before = manifest_path.read_bytes()
    [r2] = ingest(second)
    assert r2.status == "duplicate" and r2.sha256 == r1.sha256
    assert "duplicate of" in r2.message and str(first) in r2.message
    assert manifest_path.read_bytes() == before  # the record is not overwritten
    deliveries = [json.loads(p.read_text()) for p in (lake / "_manifests/deliveries").rglob("*.json")]
    assert sorted(d["status"] for d in deliveries) == ["duplicate", "landed"]
    assert {d["source_file"] for d in deliveries} == {str(first), str(second)}
    assert len(landed(lake, "shopify", "payment_transactions")) == 3
    assert exit_code([r2]) == 0


def test_overlapping_reexport_with_one_changed_order_keeps_one_version(ingest, lake, tmp_path):
    november = [
        amazon_row("111-1", "Shipped", "2025-11-02T00:00:00+00:00"),
        amazon_row("111-2", "Shipped", "2025-11-02T00:00:00+00:00"),
        amazon_row("111-3", "Pending", "2025-11-01T11:00:00+00:00"),
    ]
    mid_nov_dec = [
        amazon_row("111-2", "Shipped", "2025-11-02T00:00:00+00:00"),
        amazon_row("111-3", "Cancelled", "2025-11-20T00:00:00+00:00", qty="0", price=""),
        amazon_row("111-4", "Shipped", "2025-12-01T00:00:00+00:00"),
    ]
    a = write(tmp_path / "nov.txt", "\n".join([AMAZON_HEADER, *november]) + "\n", newline="\r\n")
    b = write(tmp_path / "nov-dec.txt", "\n".join([AMAZON_HEADER, *mid_nov_dec]) + "\n", newline="\r\n")
    results = ingest(a, b)
    assert [r.status for r in results] == ["landed", "landed"]
    rows = landed(lake, "amazon", "orders")
    assert len(rows) == 6  # append-only: both deliveries are kept
    import duckdb

    latest = (
        duckdb.connect()
        .sql(
            f"""
            select * from read_parquet('{lake}/landed/amazon/orders/**/*.parquet')
            qualify row_number() over (partition by _record_key
                order by _record_version desc, _ingested_at desc, _source_sha256 desc, _source_row desc) = 1
            """
        )
        .pl()
    )
    assert sorted(latest["amazon_order_id"].to_list()) == ["111-1", "111-2", "111-3", "111-4"]
    assert latest.filter(latest["amazon_order_id"] == "111-3")["order_status"].to_list() == ["Cancelled"]
    keys = {r["_record_key"] for r in rows if r["amazon_order_id"] == "111-2"}
    assert keys == {"111-2|AG-1"}


def test_empty_file(ingest, lake, tmp_path):
    path = tmp_path / "orders_export.csv"
    path.write_bytes(b"")
    [result] = ingest(path)
    assert result.status == "rejected"
    assert result.message == "empty file (no bytes, or only blank lines); export the report again; it came out empty"
    assert (lake / f"_manifests/unknown/{result.sha256}.json").exists()


def test_header_only_file(ingest, tmp_path):
    [result] = ingest(write(tmp_path / "payments.csv", PAYMENTS_HEADER + "\n"))
    assert result.status == "rejected"
    assert result.message.startswith("header-only file: no data rows after the header")
    assert result.format == "shopify_payments_csv"


def test_truncated_gzip(ingest, tmp_path):
    data = gz(tmp_path / "full.json.gz", json.dumps([{"date": "2025-09-01"}] * 5000).encode()).read_bytes()
    path = tmp_path / "sp_advertised_product.json.gz"
    path.write_bytes(data[: len(data) // 2])
    [result] = ingest(path)
    assert result.status == "rejected"
    assert result.message.startswith("truncated or corrupt gzip")
    assert "download the report again" in result.message


def test_utf8_bom_is_removed(ingest, lake, tmp_path):
    path = tmp_path / "products.csv"
    path.write_bytes(
        b"\xef\xbb\xbfsku,product_name,category,vendor,weight_kg,size_tier\nAG-1,Lamp,Lighting,AG,0.5,small\n"
    )
    [result] = ingest(path)
    assert result.status == "landed"
    assert landed(lake, "brand", "products")[0]["sku"] == "AG-1"


def test_windows_1252_is_transcoded(ingest, lake, tmp_path):
    path = write(
        tmp_path / "touchpoints.csv",
        "occurred_at,customer_email,landing_url,referrer_url\n2025-09-01T10:00:00Z,m\xfcller@example.de,https://x/caf\xe9,\n",
        encoding="cp1252",
    )
    [result] = ingest(path)
    assert result.status == "landed"
    row = landed(lake, "brand", "touchpoints")[0]
    assert row["customer_email"] == "müller@example.de" and row["landing_url"] == "https://x/café"
    manifest = json.loads((lake / f"_manifests/brand/{result.sha256}.json").read_text())
    assert manifest["encoding"] == "windows-1252"


def test_unknown_format(ingest, lake, tmp_path):
    [result] = ingest(write(tmp_path / "orders.csv", "foo,bar\n1,2\n"))
    assert result.status == "rejected"
    assert result.message.startswith("unknown format (first line: 'foo,bar')")
    assert "--source" in result.message
    manifest = json.loads((lake / f"_manifests/unknown/{result.sha256}.json").read_text())
    assert manifest["status"] == "rejected" and manifest["format"] is None
    assert (lake / "raw" / result.sha256[:2] / result.sha256).exists()


def test_one_bad_row_among_good_ones_holds_back_its_whole_order(ingest, lake, demo, tmp_path):
    lines = (demo.out / "shopify/orders_export_1.csv").read_text().splitlines()
    header, rows = lines[0], lines[1:]
    # Find an order with a continuation row and break that row's quantity.
    names = [r.split(",", 1)[0] for r in rows]
    index = next(i for i in range(1, len(rows)) if names[i] == names[i - 1] and rows[i].count(",") == header.count(","))
    cols = rows[index].split(",")
    cols[16] = "0"  # Lineitem quantity
    rows[index] = ",".join(cols)
    path = write(tmp_path / "orders_export.csv", "\n".join([header, *rows]) + "\n")
    [result] = ingest(path)
    order_rows = sum(1 for n in names if n == names[index])
    assert result.status == "partial"
    assert result.rows_quarantined == order_rows
    assert result.rows_read == result.rows_landed + result.rows_quarantined
    reasons = {q["_reason"] for q in quarantined(lake)}
    assert "Lineitem quantity: 0 must be at least 1" in reasons
    assert any(r.startswith(f"order {names[index]} is held back because its line") for r in reasons)
    assert not landed(lake, "shopify", "orders", f"order_name = '{names[index]}'")


def test_row_with_wrong_field_count_is_quarantined_with_its_line(ingest, lake, tmp_path):
    text = INVOICES.replace(
        "1Z3,#1008,2025-09-02,UPS Ground,1.92,11.51,USD", "1Z3,#1008,2025-09-02,UPS, Ground,1.92,11.51,USD"
    )
    text = text.replace("12.3x", "12.30")
    path = write(tmp_path / "inv.csv", text)
    [result] = ingest(path)
    assert (result.rows_read, result.rows_landed, result.rows_quarantined) == (3, 2, 1)
    assert result.examples == [f"{path}:4: row has 8 fields where the header has 7"]


@pytest.mark.parametrize("batch_bytes", [65536, 16 * 1024 * 1024])
def test_large_file_in_many_batches_gives_the_same_result(ingest, lake, demo, tmp_path, monkeypatch, batch_bytes):
    """A big export read in small batches: Shopify orders stay whole across batch boundaries."""
    import ingestion.formats.base as base

    monkeypatch.setattr(base, "BATCH_BYTES", batch_bytes)
    src = (demo.out / "shopify/orders_export_1.csv").read_text()
    [result] = ingest(write(tmp_path / "orders.csv", src))
    assert result.status == "landed"
    orders = landed(lake, "shopify", "orders")
    lines = landed(lake, "shopify", "order_lines")
    assert result.rows_read == len(lines) == result.rows_landed
    assert len(orders) == len({r["order_name"] for r in lines})
    assert all(r["order_id"] is not None and r["currency"] == "USD" for r in lines)
    positions = {}
    for r in lines:
        positions.setdefault(r["order_id"], []).append(r["line_position"])
    assert all(sorted(p) == list(range(1, len(p) + 1)) for p in positions.values())


def test_big_generated_file_streams(ingest, lake, tmp_path):
    """About 60 MB of carrier invoices: landed in batches, counts exact."""
    n = 600_000
    import polars as pl

    frame = pl.DataFrame(
        {
            "tracking_number": [f"1Z{i:09d}" for i in range(n)],
            "order_reference": [f"#{i}" for i in range(n)],
            "ship_date": ["2025-10-01"] * n,
            "service": ["UPS Ground"] * n,
            "weight_kg": ["1.25"] * n,
            "cost": ["9.99"] * n,
            "currency": ["USD"] * n,
        }
    )
    path = tmp_path / "carrier_invoices_big.csv"
    frame.write_csv(path)
    [result] = ingest(path)
    assert (result.status, result.rows_read, result.rows_landed) == ("landed", n, n)
