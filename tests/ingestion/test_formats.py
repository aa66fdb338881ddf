"""Every format and quirk: detection by content, shapes, locales, encodings, line numbers."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from ingest_helpers import gz, landed, quarantined, write

from ingestion.formats import FORMATS, Sniff, detect
from ingestion.textio import FileProblem

FIXTURES = Path(__file__).parent / "fixtures"


def test_detection_uses_content_not_file_names(demo, ingest, tmp_path):
    """Every generated file renamed to a meaningless name is still recognised."""
    expected = {
        "shopify/orders_export_1.csv": "shopify_orders_csv",
        "shopify/orders_api.jsonl": "shopify_orders_json",
        "shopify/payment_transactions_export_1.csv": "shopify_payments_csv",
        "amazon/all_orders.txt": "amazon_all_orders",
        "google_ads/campaign_report.csv": "google_ads_ui_csv",
        "google_ads/campaign_daily_gaql.json": "google_ads_gaql_json",
        "brand/cogs.csv": "brand_cogs",
        "brand/carrier_invoices_2025-10.csv": "brand_carrier_invoices",
        "brand/fx_rates.csv": "brand_fx_rates",
        "brand/sku_asin_map.csv": "brand_sku_asin_map",
        "brand/touchpoints.csv": "brand_touchpoints",
        "brand/products.csv": "brand_products",
        "etsy/EtsySoldOrderItems2025.csv": "etsy_sold_order_items_csv",
        "etsy/etsy_statement_2025_10.csv": "etsy_statement_csv",
    }
    settlement = next((demo.out / "amazon/settlements").iterdir()).relative_to(demo.out).as_posix()
    meta = next((demo.out / "meta_ads").iterdir()).relative_to(demo.out).as_posix()
    ads = {
        next((demo.out / "amazon_ads").glob(f"{stem}_*")).relative_to(demo.out).as_posix(): fmt
        for stem, fmt in (
            ("sp_advertised_product", "amazon_ads_sp_advertised_product"),
            ("sb_campaigns", "amazon_ads_sb_campaigns"),
            ("sd_advertised_product", "amazon_ads_sd_advertised_product"),
        )
    }
    clicks = next((demo.out / "google_ads").glob("click_view_*.json")).relative_to(demo.out).as_posix()
    expected |= {settlement: "amazon_settlement", meta: "meta_insights_json", clicks: "google_ads_click_view_json"}
    expected |= ads
    expected |= {  # the inventory snapshots (their day and marketplace come from the name; detection does not)
        next((demo.out / folder).glob(pattern)).relative_to(demo.out).as_posix(): fmt
        for folder, pattern, fmt in (
            ("amazon/fba_inventory", "fba_inventory_*.txt", "amazon_fba_inventory"),
            ("shopify/inventory", "inventory_export_*.csv", "shopify_inventory_csv"),
            ("brand", "stock_count_*.csv", "brand_stock_counts"),
        )
    }
    paths = []
    for i, rel in enumerate(expected):
        target = tmp_path / "renamed" / f"download_{i}.dat"
        target.parent.mkdir(exist_ok=True)
        target.write_bytes((demo.out / rel).read_bytes())
        paths.append(target)
    results = ingest(*paths)
    assert [r.format for r in results] == list(expected.values())
    assert {r.status for r in results} == {"landed"}


def test_every_format_has_download_instructions():
    for fmt in FORMATS.values():
        assert fmt.download and fmt.label and fmt.entities


def test_source_flag_forces_or_restricts(ingest, tmp_path):
    path = write(tmp_path / "x.csv", "sku,asin,marketplace\nA,B000000001,Amazon.com\n")
    [forced] = ingest(path, source="brand_sku_asin_map")
    assert forced.format == "brand_sku_asin_map"
    other = write(tmp_path / "y.csv", "sku,asin,marketplace\nA,B000000002,Amazon.com\n")
    [wrong] = ingest(other, source="amazon_settlement")
    assert wrong.status == "rejected"
    assert wrong.message.startswith(
        "does not look like a Amazon settlement report (Flat File V2) (--source amazon_settlement)"
    )


def test_shopify_json_shapes_give_the_same_records(demo, ingest, lake, tmp_path):
    lines = (demo.out / "shopify/orders_api.jsonl").read_text().splitlines()
    orders = [json.loads(line) for line in lines[:3]]
    page = write(tmp_path / "page.json", json.dumps({"orders": orders}, indent=2))
    single = write(tmp_path / "one.json", json.dumps({"order": orders[0]}, indent=2))
    bare = write(tmp_path / "bare.json", json.dumps(orders[1], indent=2))
    jsonl = write(tmp_path / "lines.jsonl", "\n".join(lines[:3]) + "\n\n")
    results = ingest(page, single, bare, jsonl)
    assert [r.format for r in results] == ["shopify_orders_json"] * 4
    assert [r.rows_read for r in results] == [3, 1, 1, 3]
    keys = {}
    for row in landed(lake, "shopify", "order_lines"):
        keys.setdefault(row["_source_file"], set()).add(row["_record_key"])
    assert keys[str(page)] == keys[str(jsonl)]
    assert keys[str(single)] | keys[str(bare)] <= keys[str(page)]
    rows = landed(lake, "shopify", "orders", f"_source_file = '{jsonl}'")
    assert sorted(r["_source_row"] for r in rows) == [1, 2, 3]


def test_shopify_rest_fixture_without_money_sets(ingest, lake):
    """The Shopify API library's fixture (older API: no *_set twins, no refunds) lands via plain fields."""
    [result] = ingest(FIXTURES / "shopify_python_api_fixture_order.json")
    assert (result.format, result.status) == ("shopify_orders_json", "landed")
    [order] = landed(lake, "shopify", "orders")
    assert (order["order_id"], order["order_name"], str(order["total"]), str(order["subtotal"])) == (
        450789469,
        "#1001",
        "409.94",
        "398.00",
    )
    assert order["shipping"] == 0 and order["discount_codes"] == "TENOFF"
    lines = landed(lake, "shopify", "order_lines")
    assert {r["line_id"] for r in lines} >= {"466157049", "518995019"}


def test_api_discount_allocations_and_refund_lines(demo, lake, ingest):
    ingest(demo.out / "shopify/orders_api.jsonl")
    source = [json.loads(x) for x in (demo.out / "shopify/orders_api.jsonl").read_text().splitlines()]
    with_refund = next(o for o in source if any(r["refund_line_items"] for r in o["refunds"]))
    refund = with_refund["refunds"][0]
    rows = landed(lake, "shopify", "refund_lines", f"refund_id = {refund['id']}")
    assert {(r["line_item_id"], r["restock_type"], str(r["subtotal"])) for r in rows} == {
        (x["line_item_id"], x["restock_type"], x["subtotal"]) for x in refund["refund_line_items"]
    }
    adjustments = landed(lake, "shopify", "refund_adjustments", f"refund_id = {refund['id']}")
    assert [str(a["amount"]) for a in adjustments] == [a["amount"] for a in refund["order_adjustments"]]
    discounted = next(o for o in source if any(li["discount_allocations"] for li in o["line_items"]))
    item = next(li for li in discounted["line_items"] if li["discount_allocations"])
    [line] = landed(lake, "shopify", "order_lines", f"line_id = '{item['id']}'")
    assert str(line["discount_allocated"]) == f"{sum(float(a['amount']) for a in item['discount_allocations']):.2f}"


def test_shopify_csv_quirks_crlf_quoted_empties_multiline_and_line_numbers(ingest, lake, demo, tmp_path):
    header = (demo.out / "shopify/orders_export_1.csv").read_text().splitlines()[0]
    cols = header.split(",")

    def row(**values):
        return ",".join(values.get(c, "") for c in cols)

    first = row(
        **{
            "Name": "#9001",
            "Financial Status": "paid",
            "Currency": "USD",
            "Subtotal": "30.00",
            "Shipping": '""',
            "Taxes": "0.00",
            "Total": "30.00",
            "Created at": "2025-11-02 01:30:00 -0400",
            "Lineitem quantity": "1",
            "Lineitem name": "Lamp",
            "Lineitem price": "10.00",
            "Lineitem sku": "AG-1",
            "Notes": '"Leave at the door,\nplease\nthanks"',
            "Id": "77001",
            "Shipping Zip": "'02134",
        }
    )
    second = row(
        **{
            "Name": "#9001",
            "Created at": "2025-11-02 01:30:00 -0400",
            "Lineitem quantity": "2",
            "Lineitem price": "10.00",
            "Lineitem sku": "AG-2",
            "Lineitem name": "Mug",
        }
    )
    third_first = row(
        **{
            "Name": "#9002",
            "Financial Status": "weird_status",
            "Currency": "USD",
            "Subtotal": "5.00",
            "Shipping": "0.00",
            "Taxes": "0.00",
            "Total": "5.00",
            "Created at": "2025-11-02 01:30:00 -0500",  # DST: the offset changes within one store
            "Lineitem quantity": "abc",
            "Lineitem name": "Card",
            "Lineitem price": "5.00",
            "Lineitem sku": "AG-3",
            "Id": "77002",
        }
    )
    path = write(tmp_path / "orders.csv", "\n".join([header, first, second, third_first]) + "\n", newline="\r\n")
    [result] = ingest(path)
    assert (result.rows_read, result.rows_landed, result.rows_quarantined) == (3, 2, 1)
    # The multi-line note spans lines 2-4, so the next records start on lines 5 and 6.
    assert result.examples == [f"{path}:6: Lineitem quantity: 'abc' is not a whole number"]
    assert result.unknown_values == {"Financial Status": {"weird_status": 1}}
    lines = sorted(landed(lake, "shopify", "order_lines"), key=lambda r: r["_source_row"])
    assert [(r["_source_row"], r["line_id"], r["currency"]) for r in lines] == [
        (2, "77001-1", "USD"),
        (5, "77001-2", "USD"),
    ]
    [order] = landed(lake, "shopify", "orders")
    assert order["shipping"] is None and order["shipping_zip"] == "02134"
    assert str(order["created_at"]) == "2025-11-02 05:30:00+00:00"


def test_amazon_settlement_eu_locale_and_zero_width_spaces(ingest, lake, demo, tmp_path):
    eu = next(p for p in (demo.out / "amazon/settlements").iterdir() if "Amazon.de" in p.read_text())
    text = eu.read_text().replace("Amazon.de", "Amazon.de\u200b", 3)
    path = write(tmp_path / "settlement.txt", text)
    [result] = ingest(path)
    assert result.status == "landed"
    lines = landed(lake, "amazon", "settlement_lines")
    assert {r["currency"] for r in lines} == {"EUR"} and {r["marketplace_name"] for r in lines} == {"Amazon.de"}
    source_row = text.splitlines()[2].split("\t")
    row = next(r for r in lines if r["_source_row"] == 3)
    assert str(row["amount"]) == source_row[14].replace(",", ".")
    day, month, year = source_row[16].split(".")
    assert str(row["posted_date"]) == f"{year}-{month}-{day}"


def test_google_ui_and_gaql_rows_share_keys(ingest, lake, tmp_path):
    ui = write(
        tmp_path / "report.csv",
        'Campaign report\n"November 1, 2025 - November 2, 2025"\n'
        "Day,Campaign,Campaign ID,Currency code,Impr.,Clicks,Cost,Conversions,Conv. value\n"
        '2025-11-01,Search - Brand,111,USD,"1,234",56,"1,018.18",2.00, --\n'
        'Total: Account,,,USD,"1,234",56,"1,018.18",2.00,0.00\n',
    )
    gaql = write(
        tmp_path / "gaql.json",
        json.dumps(
            [
                {
                    "results": [
                        {
                            "campaign": {"id": "111", "name": "Search - Brand"},
                            "metrics": {
                                "clicks": "57",
                                "impressions": "1300",
                                "costMicros": "1020123456",
                                "conversions": 2.5,
                            },
                            "segments": {"date": "2025-11-01"},
                        }
                    ]
                }
            ]
        ),
    )
    results = ingest(ui, gaql)
    assert [r.rows_read for r in results] == [1, 1] and results[0].rows_skipped == 1
    rows = sorted(landed(lake, "google_ads", "campaign_daily"), key=lambda r: r["_source_format"])
    assert rows[0]["_record_key"] == rows[1]["_record_key"] == "2025-11-01|111"
    assert (str(rows[0]["cost"]), rows[0]["cost_micros"], rows[0]["conversions"]) == ("1020.12", 1020123456, 2.5)
    assert (str(rows[1]["cost"]), rows[1]["impressions"], rows[1]["conversions_value"]) == ("1018.18", 1234, None)


def test_meta_ads_manager_csv_currency_in_header(ingest, lake, tmp_path):
    path = write(
        tmp_path / "meta.csv",
        "Reporting starts,Reporting ends,Campaign name,Ad set name,Day,Impressions,Link clicks,"
        "Amount spent (EUR),Purchases,Purchases conversion value\n"
        "2025-11-01,2025-11-30,Prospecting,Broad,2025-11-03,1500,40,25.50,2,99.90\n",
    )
    [result] = ingest(path)
    assert result.format == "meta_ads_manager_csv"
    [row] = landed(lake, "meta_ads", "campaign_daily")
    assert (row["currency"], str(row["spend"]), row["purchases"]) == ("EUR", "25.50", 2.0)


def test_ecb_reference_rates_convert_to_the_usd_pivot(ingest, lake, tmp_path):
    path = write(
        tmp_path / "eurofxref-hist.csv",
        "Date,USD,JPY,GBP,CAD,CYP,\n2025-11-21,1.1512,181.76,0.8790,1.6250,N/A,\n",
    )
    [result] = ingest(path)
    assert (result.format, result.status) == ("ecb_fx_rates", "landed")
    rates = {r["currency"]: float(r["rate"]) for r in landed(lake, "brand", "fx_rates")}
    assert set(rates) == {"EUR", "JPY", "GBP", "CAD"}
    assert rates["EUR"] == pytest.approx(1.1512)
    assert rates["GBP"] == pytest.approx(1.1512 / 0.8790, abs=1e-8)
    assert {r["pivot_currency"] for r in landed(lake, "brand", "fx_rates")} == {"USD"}


def test_brand_template_saved_by_a_european_spreadsheet(ingest, lake, tmp_path):
    path = write(
        tmp_path / "cogs.csv", "sku;effective_from;unit_cost;currency\nAG-1;2024-01-01;10,9875;EUR\n", encoding="cp1252"
    )
    [result] = ingest(path)
    assert result.status == "landed"
    assert str(landed(lake, "brand", "cogs")[0]["unit_cost"]) == "10.9875"


def test_gzip_crlf_and_bom_together(ingest, lake, tmp_path):
    data = "\ufeffsku,asin,marketplace\r\nA,B000000001,Amazon.com\r\nB,B000000002,Amazon.de\r\n".encode()
    [result] = ingest(gz(tmp_path / "map.csv.gz", data))
    assert (result.status, result.rows_landed) == ("landed", 2)
    assert {r["marketplace"] for r in landed(lake, "brand", "sku_asin_map")} == {"Amazon.com", "Amazon.de"}


def test_invalid_json_line_is_quarantined(ingest, lake, tmp_path):
    good = json.dumps({"date_start": "2025-11-01", "date_stop": "2025-11-01", "campaign_id": "1", "spend": "1.00"})
    path = write(tmp_path / "meta.jsonl", f"{good}\n{{broken\n{good.replace('1.00', '2.00')}\n")
    [result] = ingest(path)
    assert (result.rows_read, result.rows_landed, result.rows_quarantined) == (3, 2, 1)
    assert result.examples[0].startswith(f"{path}:2: not a valid JSON object")
    assert quarantined(lake)[0]["_raw"] == "{broken"


def test_unsupported_shapes_raise_clear_problems():
    with pytest.raises(FileProblem, match="unknown format"):
        detect(Sniff('{"hello": "world"}'), "x.json")


ETSY_ITEMS_HEADER = (
    "Sale Date,Item Name,Buyer,Quantity,Price,Coupon Code,Coupon Details,Discount Amount,Shipping Discount,"
    "Order Shipping,Order Sales Tax,Item Total,Currency,Transaction ID,Listing ID,Date Paid,Date Shipped,Ship Name,"
    "Ship Address1,Ship Address2,Ship City,Ship State,Ship Zipcode,Ship Country,Order ID,Variations,Order Type,"
    "Listings Type,Payment Type,InPerson Discount,InPerson Location,VAT Paid by Buyer,SKU"
)
ETSY_ITEMS = [
    '09/03/25,"Amber Soy Candle, 8 oz",janedoe,2,$34.00,THANKS10,10% off,$6.80,$0.00,$6.95,$4.90,$68.00,USD,'
    "4001,1501,09/03/25,09/05/25,Jane Doe,12 Lane,,Austin,TX,78701,United States,3812345600,Scent: Amber,"
    "online,listing,online_cc,,,,AG-CAN-001",
    "09/03/25,Sage Bud Vase,janedoe,1,22.99,THANKS10,10% off,2.30,0,6.95,4.90,22.99,USD,4002,1502,09/03/25,,"
    "Jane Doe,12 Lane,,Austin,TX,78701,United States,3812345600,,online,listing,online_cc,,,,AG-CER-002",
    "09/04/25,Fern Bar Soap,bob,x,9.00,,,0,0,0,0,9.00,USD,4003,1503,09/04/25,,Bob,1 Road,,Reno,NV,89501,"
    "United States,3812345601,,online,listing,online_cc,,,,AG-BAT-001",
]
ETSY_STATEMENT_HEADER = "Date,Type,Title,Info,Currency,Amount,Fees & Taxes,Net,Tax Details"
ETSY_STATEMENT = [
    '"September 8, 2025",Deposit,"$1,037.35 sent to your bank account",,USD,--,--,--,--',
    '"September 5, 2025",Shipping,USPS shipping label,Order #3812345600,USD,--,-$5.25,-$5.25,--',
    '"September 3, 2025",Fee,Listing fee,Listing #1501,USD,--,-$0.20,-$0.20,--',
    '"September 3, 2025",Fee,Listing fee,Listing #1501,USD,--,-$0.20,-$0.20,--',
    '"September 3, 2025",Fee,"Transaction fee: Amber Soy Candle, 8 oz",Order #3812345600,USD,--,-$3.98,-$3.98,--',
    '"September 3, 2025",Sale,Payment for Order #3812345600,,USD,$89.84,--,$89.84,--',
    '"Sep 3, 2025",Marketing,Etsy Ads,Etsy Ads on Sep 2,USD,--,-$4.10,-$4.10,--',
    '"September 31, 2025",Fee,Listing fee,Listing #1502,USD,--,-$0.20,-$0.20,--',
]


def test_etsy_order_items_money_with_and_without_symbols_and_a_bad_quantity(ingest, lake, tmp_path):
    path = write(tmp_path / "EtsySoldOrderItems2025.csv", "\n".join([ETSY_ITEMS_HEADER, *ETSY_ITEMS]) + "\n")
    [result] = ingest(path)
    assert (result.format, result.status) == ("etsy_sold_order_items_csv", "partial")
    assert (result.rows_read, result.rows_landed, result.rows_quarantined) == (3, 2, 1)
    assert result.examples == [f"{path}:4: Quantity: 'x' is not a whole number"]
    [bad] = quarantined(lake)
    assert (bad["_source_file"], bad["_source_row"]) == (str(path), 4)
    assert json.loads(bad["_raw"])["Transaction ID"] == "4003"
    rows = {r["transaction_id"]: r for r in landed(lake, "etsy", "order_items")}
    candle, vase = rows["4001"], rows["4002"]
    assert (candle["order_id"], candle["_record_key"], candle["item_name"], candle["quantity"]) == (
        "3812345600",
        "4001",
        "Amber Soy Candle, 8 oz",
        2,
    )
    assert [str(candle[k]) for k in ("price", "discount_amount", "order_shipping", "order_sales_tax")] == [
        "34.00",
        "6.80",
        "6.95",
        "4.90",
    ]
    assert (str(vase["price"]), str(vase["shipping_discount"])) == ("22.99", "0.00")
    assert (candle["sale_date"], candle["date_shipped"], vase["date_shipped"]) == (
        dt.date(2025, 9, 3),
        dt.date(2025, 9, 5),
        None,
    )
    assert candle["business_date"] == dt.date(2025, 9, 3) and candle["sku"] == "AG-CAN-001"
    assert "ship_name" not in candle and "buyer" not in candle  # no buyer identity lands


def test_etsy_statement_dashes_symbols_order_references_and_an_impossible_date(ingest, lake, tmp_path):
    path = write(tmp_path / "etsy_statement_2025_9.csv", "\n".join([ETSY_STATEMENT_HEADER, *ETSY_STATEMENT]) + "\n")
    [result] = ingest(path)
    assert (result.format, result.status, result.rows_landed, result.rows_quarantined) == (
        "etsy_statement_csv",
        "partial",
        7,
        1,
    )
    assert result.examples == [f"{path}:9: Date: 'September 31, 2025' is not a date (Month D, YYYY)"]
    rows = landed(lake, "etsy", "statement_lines")
    by_title = {r["title"]: r for r in rows}
    sale = by_title["Payment for Order #3812345600"]
    assert (sale["order_id"], str(sale["amount"]), sale["fees_and_taxes"], str(sale["net"])) == (
        "3812345600",
        "89.84",
        None,
        "89.84",
    )
    label = by_title["USPS shipping label"]
    assert (label["order_id"], str(label["fees_and_taxes"]), label["statement_date"]) == (
        "3812345600",
        "-5.25",
        dt.date(2025, 9, 5),
    )
    deposit = by_title["$1,037.35 sent to your bank account"]
    assert (deposit["amount"], deposit["net"], deposit["order_id"]) == (None, None, None)
    assert by_title["Etsy Ads"]["statement_date"] == dt.date(2025, 9, 3)  # "Sep 3, 2025" too
    listing = sorted((r["_source_row"], r["_record_key"], r["listing_id"]) for r in rows if r["title"] == "Listing fee")
    base = "2025-09-03|Fee|Listing fee|Listing #1501|USD||-0.20|-0.20"
    assert listing == [(4, f"{base}#2", "1501"), (5, base, "1501")]  # counted from the oldest row


def test_etsy_statement_redownloaded_with_more_rows_keeps_one_version_per_row(ingest, lake, tmp_path):
    first = write(
        tmp_path / "a" / "etsy_statement_2025_9.csv", "\n".join([ETSY_STATEMENT_HEADER, *ETSY_STATEMENT[1:7]])
    )
    again = write(
        tmp_path / "b" / "etsy_statement_2025_9.csv", "\n".join([ETSY_STATEMENT_HEADER, *ETSY_STATEMENT[1:7]])
    )
    later = [
        '"September 9, 2025",Fee,Listing fee,Listing #1501,USD,--,-$0.20,-$0.20,--',
        *ETSY_STATEMENT[:7],
    ]
    redownload = write(tmp_path / "c" / "etsy_statement_2025_9 (1).csv", "\n".join([ETSY_STATEMENT_HEADER, *later]))
    r1, r2, r3 = ingest(first, again, redownload)
    assert (r1.status, r2.status, r3.status) == ("landed", "duplicate", "landed")
    rows = landed(lake, "etsy", "statement_lines")
    keys_first = {r["_record_key"] for r in rows if r["_source_file"] == str(first)}
    keys_later = {r["_record_key"] for r in rows if r["_source_file"] == str(redownload)}
    assert len(keys_first) == 6 and keys_first < keys_later and len(keys_later) == 8


def test_etsy_sold_orders_file_is_not_taken_for_order_items(ingest, tmp_path):
    """The order-level download (`EtsySoldOrders<YYYY>.csv`) has no items: rejected with the way out."""
    header = (
        "Sale Date,Order ID,Buyer User ID,Full Name,Currency,Order Value,Discount Amount,Shipping Discount,"
        "Shipping,Sales Tax,Order Total,Card Processing Fees,Order Net"
    )
    path = write(
        tmp_path / "EtsySoldOrders2025.csv",
        f"{header}\n09/03/25,3812345600,kj7,A B,USD,82.27,0,0,0,0,82.27,2.72,79.55\n",
    )
    [result] = ingest(path)
    assert result.status == "rejected" and result.message.startswith("unknown format")
