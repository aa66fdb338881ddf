"""Every generated file has its platform's documented shape and parses with a plain reader."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections import defaultdict
from decimal import Decimal

import polars as pl

from demo import shipping
from demo.writers import (
    AMAZON_ORDERS_COLUMNS,
    ETSY_ITEMS_COLUMNS,
    PAYMENTS_COLUMNS,
    SETTLEMENT_COLUMNS,
    SHOPIFY_ORDERS_COLUMNS,
)


def read_csv(path, delimiter=","):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def test_shopify_orders_export_has_the_79_columns_in_order(demo):
    path = demo.out / "shopify" / "orders_export_1.csv"
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert len(SHOPIFY_ORDERS_COLUMNS) == 79
    assert rows[0] == SHOPIFY_ORDERS_COLUMNS
    assert all(len(r) == 79 for r in rows[1:])
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 without BOM


def test_shopify_orders_export_quirks(demo):
    rows = read_csv(demo.out / "shopify" / "orders_export_1.csv")
    first_rows = [r for r in rows if r["Financial Status"]]
    continuation = [r for r in rows if not r["Financial Status"]]
    assert continuation, "multi-line orders repeat only a few columns"
    for r in continuation:
        assert r["Name"] and r["Created at"] and r["Lineitem sku"] and r["Vendor"]
        assert r["Total"] == "" and r["Subtotal"] == "" and r["Billing Name"] == ""
    assert any("\n" in r["Notes"] for r in first_rows), "quoted multi-line notes"
    offsets = {r["Created at"][-5:] for r in rows}
    assert {"-0400", "-0500"} <= offsets, "the offset changes with DST inside one store"
    assert {r["Financial Status"] for r in first_rows} >= {"paid", "refunded", "partially_refunded"}
    assert any(r["Cancelled at"] for r in first_rows)
    assert {r["Discount Code"] for r in first_rows} >= {"WELCOME10", "BFCM25", "FREESHIP"}
    assert all(r["Lineitem discount"] == "0.00" for r in rows), "the export does not allocate discounts"
    assert any(r["Billing Zip"].startswith("'") for r in first_rows)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-]\d{4}", rows[0]["Created at"])


def test_shopify_totals_add_up(demo):
    rows = read_csv(demo.out / "shopify" / "orders_export_1.csv")
    items = defaultdict(Decimal)
    for r in rows:
        items[r["Name"]] += Decimal(r["Lineitem price"]) * int(r["Lineitem quantity"])
    tax_inclusive = 0
    for r in (r for r in rows if r["Financial Status"]):
        subtotal, shipping, taxes = Decimal(r["Subtotal"]), Decimal(r["Shipping"]), Decimal(r["Taxes"])
        # GB orders show VAT-inclusive prices (docs/metrics.md rule 36): their Total does not add the Taxes.
        if r["Shipping Country"] == "GB":
            tax_inclusive += 1
            assert taxes > 0 and Decimal(r["Total"]) == subtotal + shipping
            assert r["Tax 1 Name"] == "GB VAT 20%"
        else:
            assert Decimal(r["Total"]) == subtotal + shipping + taxes
        item_discount = items[r["Name"]] - subtotal
        assert Decimal(0) <= item_discount <= Decimal(r["Discount Amount"])
        assert Decimal(r["Refunded Amount"]) <= Decimal(r["Total"])
    assert tax_inclusive > 0


def test_shopify_api_orders_shape(demo):
    lines = (demo.out / "shopify" / "orders_api.jsonl").read_text().splitlines()
    orders = [json.loads(line) for line in lines]
    assert orders
    keys = {
        "id",
        "name",
        "created_at",
        "currency",
        "presentment_currency",
        "total_price_set",
        "line_items",
        "refunds",
        "landing_site",
        "customer",
        "total_shipping_price_set",
        "shipping_lines",
    }
    assert keys <= set(orders[0])
    assert {o["presentment_currency"] for o in orders} >= {"USD", "CAD", "GBP", "EUR"}
    assert any(o["landing_site"] and "gclid=" in o["landing_site"] for o in orders)
    assert any(o["landing_site"] and "fbclid=" in o["landing_site"] for o in orders)
    assert any(o["landing_site"] is None for o in orders)
    restock_types = {rli["restock_type"] for o in orders for r in o["refunds"] for rli in r["refund_line_items"]}
    assert restock_types >= {"return", "cancel", "no_restock"}
    for o in orders:
        shop = o["total_price_set"]["shop_money"]
        assert shop["currency_code"] == "USD" and shop["amount"] == o["total_price"]
        allocated = sum(Decimal(a["amount"]) for li in o["line_items"] for a in li["discount_allocations"])
        shipping_discount = sum(Decimal(a["amount"]) for s in o["shipping_lines"] for a in s["discount_allocations"])
        assert allocated + shipping_discount == Decimal(o["total_discounts"])
        assert all(li["total_discount"] == "0.00" for li in o["line_items"])
        assert o["customer"]["email"] == o["email"]


def test_shopify_api_tax_inclusive_orders(demo):
    """GB orders carry `taxes_included: true` (docs/metrics.md rules 36-38): the total adds no tax, and the
    tax lines are 20 % VAT inside the line prices after discount and inside the shipping price."""
    orders = [json.loads(line) for line in (demo.out / "shopify" / "orders_api.jsonl").open()]
    included = [o for o in orders if o["taxes_included"]]
    assert included and all(o["shipping_address"]["country_code"] == "GB" for o in included)
    assert all(not o["taxes_included"] for o in orders if o["shipping_address"]["country_code"] != "GB")
    assert any(Decimal(a["amount"]) > 0 for o in included for li in o["line_items"] for a in li["discount_allocations"])
    for o in included:
        shipping_discount = sum(Decimal(a["amount"]) for s in o["shipping_lines"] for a in s["discount_allocations"])
        shipping = sum(Decimal(s["price"]) for s in o["shipping_lines"]) - shipping_discount
        assert Decimal(o["total_price"]) == Decimal(o["subtotal_price"]) + shipping
        line_tax = sum(Decimal(t["price"]) for li in o["line_items"] for t in li["tax_lines"])
        shipping_tax = sum(Decimal(t["price"]) for s in o["shipping_lines"] for t in s["tax_lines"] or [])
        assert line_tax + shipping_tax == Decimal(o["total_tax"])
        for li in o["line_items"]:
            paid = Decimal(li["price"]) * li["quantity"] - sum(Decimal(a["amount"]) for a in li["discount_allocations"])
            for t in li["tax_lines"]:
                assert t["title"] == "GB VAT" and abs(Decimal(t["price"]) - paid / 6) <= Decimal("0.005")


def test_api_and_csv_overlap(demo):
    """The API covers the later part of the period, the CSV all of it: the same orders appear in both."""
    api_names = {json.loads(line)["name"] for line in (demo.out / "shopify" / "orders_api.jsonl").open()}
    csv_names = {r["Name"] for r in read_csv(demo.out / "shopify" / "orders_export_1.csv")}
    assert api_names < csv_names
    assert 0.2 < len(api_names) / len(csv_names) < 0.6


def test_payments_export(demo):
    rows = read_csv(demo.out / "shopify" / "payment_transactions_export_1.csv")
    assert list(rows[0]) == PAYMENTS_COLUMNS
    charges = [r for r in rows if r["Type"] == "charge"]
    refunds = [r for r in rows if r["Type"] == "refund"]
    assert charges and refunds
    for r in rows:
        assert Decimal(r["Net"]) == Decimal(r["Amount"]) - Decimal(r["Fee"])
        assert r["Order"].startswith("#")
    for r in refunds:
        assert Decimal(r["Amount"]) < 0 and r["Fee"] == "0.00" and Decimal(r["Presentment Amount"]) > 0
    assert all(Decimal(r["Fee"]) > 0 for r in charges)


def test_amazon_all_orders_report(demo):
    raw = (demo.out / "amazon" / "all_orders.txt").read_bytes()
    assert b"\r\n" in raw and raw.count(b"\r\n") == raw.count(b"\n"), "CRLF line ends"
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline=""), delimiter="\t"))
    assert list(rows[0]) == AMAZON_ORDERS_COLUMNS
    assert {r["fulfillment-channel"] for r in rows} == {"Amazon", "Merchant"}
    assert {r["sales-channel"] for r in rows} == {"Amazon.com", "Amazon.ca", "Amazon.de"}
    cancelled = [r for r in rows if r["order-status"] == "Cancelled"]
    assert cancelled and all(r["quantity"] == "0" and r["item-price"] == "" for r in cancelled)
    multi = [r for r in rows if r["order-status"] == "Shipped" and int(r["quantity"]) > 1]
    assert multi, "item-price is a line total"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00", rows[0]["purchase-date"])


def _settlements(demo):
    for path in sorted((demo.out / "amazon" / "settlements").iterdir()):
        yield path, read_csv(path, delimiter="\t")


def test_settlement_reports(demo):
    currencies = set()
    for path, rows in _settlements(demo):
        assert list(rows[0]) == SETTLEMENT_COLUMNS
        summary, body = rows[0], rows[1:]
        assert summary["transaction-type"] == "" and summary["total-amount"]
        eu = summary["currency"] == "EUR"
        currencies.add(summary["currency"])

        def amount(text, eu=eu):
            return Decimal(text.replace(",", ".")) if eu else Decimal(text)

        total = sum(amount(r["amount"]) for r in body)
        assert amount(summary["total-amount"]) == total, path.name
        date_pattern = r"\d{2}\.\d{2}\.\d{4}" if eu else r"\d{2}/\d{2}/\d{2}"
        assert all(re.fullmatch(date_pattern, r["posted-date"]) for r in body)
        if eu:
            assert any("," in r["amount"] for r in body)
    assert currencies == {"USD", "CAD", "EUR"}
    pairs = {
        (r["transaction-type"], r["amount-type"], r["amount-description"])
        for _, rows in _settlements(demo)
        for r in rows[1:]
    }
    assert {
        ("Order", "ItemPrice", "Principal"),
        ("Order", "ItemFees", "Commission"),
        ("Order", "Promotion", "Principal"),
        ("Refund", "ItemFees", "RefundCommission"),
        ("other-transaction", "other-transaction", "Storage Fee"),
        ("other-transaction", "other-transaction", "Subscription Fee"),
    } <= pairs


def test_google_ads_ui_report(demo):
    lines = (demo.out / "google_ads" / "campaign_report.csv").read_text().splitlines()
    assert lines[0] == "Campaign report"
    assert re.fullmatch(r'"[A-Z][a-z]+ \d{1,2}, \d{4} - [A-Z][a-z]+ \d{1,2}, \d{4}"', lines[1])
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[2:]))))
    assert list(rows[0])[:4] == ["Day", "Campaign", "Campaign ID", "Currency code"]
    totals = [r for r in rows if r["Day"].startswith("Total:")]
    assert totals and rows[-1]["Day"].startswith("Total:")
    assert any("," in r["Impr."] for r in rows), "quoted thousands"
    assert any(r["Conv. value"] == " --" for r in rows)
    body = [r for r in rows if not r["Day"].startswith("Total:")]
    account = next(r for r in totals if r["Day"] == "Total: Account")
    assert sum(Decimal(r["Cost"].replace(",", "")) for r in body) == Decimal(account["Cost"].replace(",", ""))


def test_google_ads_gaql_json(demo):
    batches = json.loads((demo.out / "google_ads" / "campaign_daily_gaql.json").read_text())
    result = batches[0]["results"][0]
    assert isinstance(result["metrics"]["costMicros"], str) and result["metrics"]["costMicros"].isdigit()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", result["segments"]["date"])
    assert result["campaign"]["id"].isdigit()


def test_google_ui_and_api_overlap_with_equal_values(demo):
    lines = (demo.out / "google_ads" / "campaign_report.csv").read_text().splitlines()
    ui = {
        (r["Campaign ID"], r["Day"]): Decimal(r["Cost"].replace(",", ""))
        for r in csv.DictReader(io.StringIO("\n".join(lines[2:])))
        if not r["Day"].startswith("Total:")
    }
    api = {
        (r["campaign"]["id"], r["segments"]["date"]): Decimal(r["metrics"]["costMicros"]) / 1_000_000
        for b in json.loads((demo.out / "google_ads" / "campaign_daily_gaql.json").read_text())
        for r in b["results"]
    }
    overlap = ui.keys() & api.keys()
    assert overlap
    assert all(ui[k] == api[k] for k in overlap)


def test_meta_insights(demo):
    for path in sorted((demo.out / "meta_ads").iterdir()):
        payload = json.loads(path.read_text())
        assert set(payload) == {"data", "paging"}
        for row in payload["data"]:
            assert isinstance(row["spend"], str) and isinstance(row["impressions"], str)
            assert row["date_start"] == row["date_stop"]
            purchase_types = [a["action_type"] for a in row["actions"] if "purchase" in a["action_type"]]
            assert len(purchase_types) == 3  # the same purchases under three types


def test_amazon_ads_gzip_json(demo):
    assert all(p.name.endswith(".json.gz") for p in (demo.out / "amazon_ads").iterdir())
    paths = sorted((demo.out / "amazon_ads").glob("sp_advertised_product_*"))
    assert paths
    rows = json.loads(gzip.decompress(paths[0].read_bytes()))
    assert {
        "date",
        "campaignId",
        "campaignName",
        "advertisedSku",
        "advertisedAsin",
        "cost",
        "purchases7d",
        "sales7d",
        "campaignBudgetCurrencyCode",
    } <= set(rows[0])


def test_amazon_ads_sponsored_brands_and_display_reports(demo):
    """v3 sbCampaigns rows have no SKU; sdAdvertisedProduct rows name the promoted SKU (rule 39)."""
    [sb, *_] = sorted((demo.out / "amazon_ads").glob("sb_campaigns_*.json.gz"))
    [sd, *_] = sorted((demo.out / "amazon_ads").glob("sd_advertised_product_*.json.gz"))
    sb_rows = json.loads(gzip.decompress(sb.read_bytes()))
    sd_rows = json.loads(gzip.decompress(sd.read_bytes()))
    assert {"date", "campaignId", "campaignName", "cost", "purchases", "sales", "campaignBudgetCurrencyCode"} <= set(
        sb_rows[0]
    )
    assert not {"advertisedSku", "promotedSku"} & set(sb_rows[0])
    assert {"date", "campaignId", "adGroupId", "promotedSku", "promotedAsin", "cost", "purchases", "sales"} <= set(
        sd_rows[0]
    )


def test_brand_files_have_their_templates(demo):
    brand = demo.out / "brand"
    expected = {
        "cogs.csv": ["sku", "effective_from", "unit_cost", "currency", "inbound_freight_per_unit", "duty_per_unit"],
        "fx_rates.csv": ["date", "currency", "rate"],
        "sku_asin_map.csv": ["sku", "asin", "marketplace"],
        "touchpoints.csv": ["occurred_at", "customer_email", "landing_url", "referrer_url"],
        "products.csv": ["sku", "product_name", "category", "vendor", "weight_kg", "size_tier"],
    }
    for name, header in expected.items():
        assert list(read_csv(brand / name)[0]) == header, name
    for path in brand.glob("carrier_invoices_*.csv"):
        assert list(read_csv(path)[0]) == [
            "tracking_number",
            "order_reference",
            "ship_date",
            "service",
            "weight_kg",
            "cost",
            "currency",
        ]
    assert {r["currency"] for r in read_csv(brand / "fx_rates.csv")} == {"EUR", "GBP", "CAD"}


def test_carrier_invoice_rows_have_distinct_tracking_numbers(demo):
    """A carrier never bills two live parcels under one tracking number, and the warehouse keys invoice rows
    by (tracking number, service): a repeat would collapse two parcels' costs into one."""
    rows = [r for p in (demo.out / "brand").glob("carrier_invoices_*.csv") for r in read_csv(p)]
    keys = [(r["tracking_number"], r["service"]) for r in rows]
    assert rows and len(set(keys)) == len(keys)
    assert {len(t) for t, s in keys if s.startswith("USPS")} == {22}


def test_tracking_digits_are_distinct_for_every_number_in_their_space():
    """Drawn digits collide by the birthday bound at scale (the 10 M set's 11 drawn digits repeated ~500
    times); `distinct_digits` permutes its whole space, checked exhaustively on 5 digits."""
    numbers = pl.DataFrame({"n": range(10**5)})
    digits = numbers.select(d=shipping.distinct_digits(pl.col("n"), 5, seed=7, salt=1))["d"]
    assert digits.n_unique() == 10**5 and set(digits.str.len_chars()) == {5}
    assert digits.head(3).to_list() != ["00000", "00001", "00002"]  # scrambled, not the number itself


def _statement_cents(text):
    if text == "--":
        return None
    sign = -1 if text.startswith("-") else 1
    return sign * int(Decimal(text.lstrip("-").removeprefix("$").replace(",", "")) * 100)


def test_etsy_order_items_and_monthly_statements(demo):
    folder = demo.out / "etsy"
    [items_path] = folder.glob("EtsySoldOrderItems*.csv")
    assert items_path.name == "EtsySoldOrderItems2025.csv"
    items = read_csv(items_path)
    assert len(ETSY_ITEMS_COLUMNS) == 33 and list(items[0]) == ETSY_ITEMS_COLUMNS
    assert all(re.fullmatch(r"\d\d/\d\d/\d\d", r["Sale Date"]) for r in items)
    assert {r["Currency"] for r in items} == {"USD"} and {r["Ship Country"] for r in items} == {"United States"}
    assert len({r["Transaction ID"] for r in items}) == len(items)
    months = sorted(folder.glob("etsy_statement_*.csv"))
    assert [p.name for p in months] == [f"etsy_statement_2025_{m}.csv" for m in (10, 11, 12, 9)]
    rows = [r for p in months for r in read_csv(p)]
    assert list(rows[0]) == [
        "Date",
        "Type",
        "Title",
        "Info",
        "Currency",
        "Amount",
        "Fees & Taxes",
        "Net",
        "Tax Details",
    ]
    assert all(re.fullmatch(r"[A-Z][a-z]+ \d{1,2}, 2025", r["Date"]) for r in rows)
    assert {r["Type"] for r in rows} == {"Sale", "Fee", "Refund", "Marketing", "Shipping", "Tax", "Deposit"}
    for r in rows:  # Net = Amount + Fees & Taxes; `--` where there is none
        amount, fees, net = (_statement_cents(r[k]) for k in ("Amount", "Fees & Taxes", "Net"))
        assert net == (None if amount is None and fees is None else (amount or 0) + (fees or 0))
    # Each order's sale row is its items after discounts plus its shipping after the shipping discount.
    expected = defaultdict(int)
    for r in items:
        expected[r["Order ID"]] += _statement_cents(r["Item Total"]) - _statement_cents(r["Discount Amount"])
    shipping = {
        r["Order ID"]: _statement_cents(r["Order Shipping"]) - _statement_cents(r["Shipping Discount"]) for r in items
    }
    sales = {
        r["Title"].removeprefix("Payment for Order #"): _statement_cents(r["Amount"])
        for r in rows
        if r["Type"] == "Sale"
    }
    assert sales == {order: cents + shipping[order] for order, cents in expected.items()}
    titles = {r["Title"] for r in rows}
    assert {"Processing fee", "Listing fee", "Offsite Ads fee", "Etsy Ads", "USPS shipping label"} <= titles
    assert any(t.startswith("Refund to buyer for Order #") for t in titles)
    assert any(t.startswith("Partial refund to buyer for Order #") for t in titles)
    assert any(t.startswith("Credit for transaction fee on ") for t in titles)
