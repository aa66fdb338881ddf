"""`commerce-analytics generate`: the demo brand's exports plus their ground truth."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from demo import DEFAULT_DAYS, DEFAULT_ORDERS_PER_DAY, DEFAULT_SEED, DEFAULT_START, inventory
from demo.truth import Truth, TruthBuilder
from demo.world import build_context, iter_chunks
from demo.writers import ExportWriter
from warehouse import pnl_measures, report

# Folders the generator owns inside --out; they are replaced on every run so no stale file lingers.
OWNED_FOLDERS = ("shopify", "amazon", "etsy", "google_ads", "meta_ads", "amazon_ads", "brand", "truth")

# Where each generated file comes from, for the summary and the README.
FILE_GUIDE = [
    (
        "shopify/orders_export_1.csv",
        "Shopify",
        "Orders export CSV",
        "Admin > Orders > Export > All orders, CSV for Excel",
    ),
    (
        "shopify/orders_api.jsonl",
        "Shopify",
        "Admin API orders, JSON lines",
        "Admin API GET /orders.json (or a connector)",
    ),
    (
        "shopify/payment_transactions_export_1.csv",
        "Shopify",
        "Payments transactions CSV",
        "Admin > Settings > Payments > View payouts > Transactions > Export",
    ),
    (
        "shopify/billing_charges.csv",
        "Shopify",
        "Bill charges CSV (Shopify Shipping labels)",
        "Admin > Settings > Billing > a bill > Export",
    ),
    (
        "shopify/order_transactions_api.json",
        "Shopify",
        "Order transactions, Admin API JSON",
        "Admin API GET /orders/<id>/transactions.json (which tender paid what)",
    ),
    (
        "shopify/payouts_api.json",
        "Shopify",
        "Shopify Payments payouts, Admin API JSON",
        "Admin API GET /shopify_payments/payouts.json (the deposits the transactions are paid in)",
    ),
    (
        "amazon/all_orders.txt",
        "Amazon Seller Central",
        "All Orders report, TSV",
        "Reports > Fulfillment / Order Reports > All Orders > Request .txt download",
    ),
    (
        "amazon/settlements/settlement_<id>.txt",
        "Amazon Seller Central",
        "Settlement report Flat File V2, TSV",
        "Reports > Payments > Reports Repository > Settlement, Flat File V2",
    ),
    (
        "etsy/EtsySoldOrderItems<YYYY>.csv",
        "Etsy",
        "Sold Order Items CSV",
        "Shop Manager > Settings > Options > Download Data > Order Items",
    ),
    (
        "etsy/etsy_statement_<YYYY>_<M>.csv",
        "Etsy",
        "Monthly statement CSV",
        "Shop Manager > Finances > Monthly statements > Download CSV",
    ),
    (
        "google_ads/campaign_report.csv",
        "Google Ads",
        "Campaign report CSV (UI download)",
        "Campaigns > segment by Day > Download > CSV",
    ),
    (
        "google_ads/campaign_daily_gaql.json",
        "Google Ads",
        "GAQL SearchStream JSON",
        "Google Ads API GoogleAdsService.SearchStream",
    ),
    (
        "google_ads/click_view_<YYYY-MM>.json",
        "Google Ads",
        "GAQL click_view SearchStream JSON (gclid -> campaign, one batch per day)",
        "Google Ads API GoogleAdsService.SearchStream on click_view, one day per query",
    ),
    (
        "meta_ads/insights_campaign_daily_<YYYY-MM>.json",
        "Meta",
        "Insights API JSON",
        "Graph API /act_<id>/insights?level=campaign&time_increment=1",
    ),
    (
        "amazon_ads/sp_advertised_product_<YYYY-MM>.json.gz",
        "Amazon Ads",
        "Reporting API v3 spAdvertisedProduct, GZIP_JSON",
        "Amazon Ads API POST /reporting/reports, reportTypeId spAdvertisedProduct",
    ),
    (
        "amazon_ads/sb_campaigns_<YYYY-MM>.json.gz",
        "Amazon Ads",
        "Reporting API v3 sbCampaigns (Sponsored Brands, no SKU), GZIP_JSON",
        "Amazon Ads API POST /reporting/reports, reportTypeId sbCampaigns, groupBy campaign",
    ),
    (
        "amazon_ads/sd_advertised_product_<YYYY-MM>.json.gz",
        "Amazon Ads",
        "Reporting API v3 sdAdvertisedProduct (Sponsored Display), GZIP_JSON",
        "Amazon Ads API POST /reporting/reports, reportTypeId sdAdvertisedProduct",
    ),
    (
        "amazon/fba_inventory/fba_inventory_<marketplace>_<YYYY-MM-DD>.txt",
        "Amazon Seller Central",
        "FBA Manage Inventory report, TSV (daily for Amazon.com, weekly for Amazon.ca and Amazon.de)",
        "Reports > Fulfillment > Inventory > Manage FBA Inventory > Download",
    ),
    (
        "shopify/inventory/inventory_export_<YYYY-MM-DD>.csv",
        "Shopify",
        "Inventory CSV export (weekly)",
        "Admin > Products > Inventory > Export > All locations, All quantity types",
    ),
    ("brand/stock_count_<YYYY-MM-DD>.csv", "Brand", "Stock count CSV", "The warehouse's physical count"),
    ("brand/products.csv", "Brand", "Product catalogue CSV", "The brand's product master"),
    ("brand/cogs.csv", "Brand", "COGS cost history CSV", "The brand's costing spreadsheet"),
    ("brand/carrier_invoices_<YYYY-MM>.csv", "Brand", "Carrier invoice CSV", "UPS/USPS billing centre export"),
    ("brand/fx_rates.csv", "Brand", "FX rates CSV", "Treasury / bank rate export (USD per unit)"),
    (
        "brand/sku_asin_map.csv",
        "Brand",
        "SKU to ASIN map CSV",
        "Seller Central > Inventory > Manage All Inventory export",
    ),
    ("brand/touchpoints.csv", "Brand", "Web touchpoints CSV", "Web analytics session export with landing URLs"),
]


@dataclass
class GenerationResult:
    out: Path
    truth: Truth
    files: list[Path]


def generate(
    out: Path,
    start: dt.date = DEFAULT_START,
    days: int = DEFAULT_DAYS,
    orders_per_day: float = DEFAULT_ORDERS_PER_DAY,
    seed: int = DEFAULT_SEED,
) -> GenerationResult:
    if days < 14:
        raise ValueError("--days must be at least 14 (one settlement period)")
    if orders_per_day <= 0:
        raise ValueError("--orders-per-day must be positive")
    out.mkdir(parents=True, exist_ok=True)
    for folder in OWNED_FOLDERS:
        shutil.rmtree(out / folder, ignore_errors=True)
    ctx = build_context(start, days, orders_per_day, seed)
    exports = ExportWriter(ctx, out)
    truth_builder = TruthBuilder(ctx, out / "truth")
    stock = inventory.StockBook(ctx)
    for chunk in iter_chunks(ctx):  # one chunk of days in memory at a time
        exports.add(chunk)
        truth_builder.add(chunk)
        stock.add(chunk)
    exports.finish()
    snapshots = inventory.snapshot_files(ctx, stock.snapshots())
    exports.write_inventory(snapshots)
    truth = truth_builder.finish(exports.touchpoints(), snapshots)
    exports.close()
    inventory.write_planted(ctx, out / "truth")
    files = sorted(p for p in out.rglob("*") if p.is_file() and p.relative_to(out).parts[0] in OWNED_FOLDERS)
    return GenerationResult(out, truth, files)


def print_summary(result: GenerationResult) -> None:
    """What was written, and the channel P&L the documented rules give for it."""
    summary = result.truth.summary
    period = summary["period"]
    print(f"ArtisanGlow demo data: {period['start']} .. {period['end']} ({period['days']} days) in {result.out}")
    print(f"  {summary['orders']:,} orders, {summary['order_lines']:,} order lines, {len(result.files)} files")
    by_folder: dict[str, list[Path]] = {}
    for path in result.files:
        by_folder.setdefault(path.relative_to(result.out).parts[0], []).append(path)
    for folder, paths in by_folder.items():
        size = sum(p.stat().st_size for p in paths)
        print(f"  {folder + '/':<12} {len(paths):>3} files {size / 1e6:>8.2f} MB")
    print()
    print(f"Channel P&L by the documented rules (truth/summary.json, {summary['reporting_currency']}):")
    measures = pnl_measures.load()
    rows = [*summary["channels"], {"channel": "Total", **summary["totals_cents"]}]
    figures = [
        (row["channel"], {c: Decimal(cents) / 100 for c, cents in measures.report_figures(row).items()}) for row in rows
    ]
    print("\n".join(report.pnl_table(figures)))
