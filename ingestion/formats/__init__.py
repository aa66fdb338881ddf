"""Native export formats: one module per format, detected from the file's header and shape.

`FORMATS` lists every format; `detect` picks the one a file is, or raises a `FileProblem` that says
what the file looks like and what to do.
"""

from __future__ import annotations

from ingestion.formats import (
    amazon_ads_sb_sd,
    amazon_ads_sp_advertised_product,
    amazon_all_orders,
    amazon_fba_inventory,
    amazon_settlement,
    brand,
    ecb_fx_rates,
    etsy_sold_order_items_csv,
    etsy_statement_csv,
    google_ads_click_view_json,
    google_ads_gaql_json,
    google_ads_ui_csv,
    meta_ads_manager_csv,
    meta_insights_json,
    shopify_billing_csv,
    shopify_inventory_csv,
    shopify_order_transactions_json,
    shopify_orders_csv,
    shopify_orders_json,
    shopify_payments_csv,
    shopify_payouts_json,
)
from ingestion.formats.base import DelimitedFormat, Detection, Format, Sniff
from ingestion.textio import FileProblem

FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        shopify_orders_csv.FORMAT,
        shopify_orders_json.FORMAT,
        shopify_payments_csv.FORMAT,
        shopify_billing_csv.FORMAT,
        shopify_payouts_json.FORMAT,
        shopify_order_transactions_json.FORMAT,
        shopify_inventory_csv.FORMAT,
        amazon_all_orders.FORMAT,
        amazon_settlement.FORMAT,
        amazon_fba_inventory.FORMAT,
        google_ads_ui_csv.FORMAT,
        google_ads_gaql_json.FORMAT,
        google_ads_click_view_json.FORMAT,
        meta_insights_json.FORMAT,
        meta_ads_manager_csv.FORMAT,
        amazon_ads_sp_advertised_product.FORMAT,
        amazon_ads_sb_sd.SB_FORMAT,
        amazon_ads_sb_sd.SD_FORMAT,
        etsy_sold_order_items_csv.FORMAT,
        etsy_statement_csv.FORMAT,
        ecb_fx_rates.FORMAT,
        *brand.FORMATS,
    )
}
MIN_SCORE = 0.5


def candidates(forced: str | None) -> list[Format]:
    """Formats to try: all, or those named by `--source` (a format name or a source name)."""
    if not forced:
        return list(FORMATS.values())
    if forced in FORMATS:
        return [FORMATS[forced]]
    chosen = [f for f in FORMATS.values() if f.source == forced]
    if not chosen:
        names = ", ".join(sorted(FORMATS) + sorted({f.source for f in FORMATS.values()}))
        raise ValueError(f"unknown --source {forced!r}; use one of: {names}")
    return chosen


def detect(sniff: Sniff, file_label: str, forced: str | None = None) -> Detection:
    best: Detection | None = None
    for fmt in candidates(forced):
        if isinstance(fmt, DelimitedFormat) and sniff.is_json:
            continue
        found = fmt.detect(sniff)
        if found and (best is None or found.score > best.score):
            best = found
    if forced in FORMATS and (best is None or best.score < MIN_SCORE):
        fmt = FORMATS[forced]
        raise FileProblem(
            f"does not look like a {fmt.label} (--source {forced})",
            f"check the file, or download it again: {fmt.download}",
        )
    if best is None or best.score < MIN_SCORE:
        first = sniff.lines[0][:80] if sniff.lines else ""
        raise FileProblem(
            f"unknown format (first line: {first!r})",
            "ingest one of the exports listed in docs/bringing-your-own-exports.md as downloaded, "
            "or force a format with --source",
        )
    if isinstance(best.format, DelimitedFormat):
        best.format.check(best, file_label)
    return best


__all__ = ["FORMATS", "Detection", "FileProblem", "Format", "Sniff", "candidates", "detect"]
