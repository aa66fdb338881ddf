"""The one registry of landed sources and entities.

Ingestion writes `landed/<source>/<entity>/` with exactly these columns; dbt
sources and Dagster asset keys (`["landed", source, entity]`) are tested
against this table. Extend it, never rename an entry silently.

Every landed row also carries the lineage columns in `LINEAGE_SCHEMA`.
`_record_key` identifies the same business record across re-deliveries (the
same order in two overlapping exports, in the CSV export and in the API JSON);
staging keeps one row per key with a single latest-wins rule:

    row_number() over (partition by _record_key
                       order by _record_version desc, _ingested_at desc,
                                _source_sha256 desc, _source_row desc) = 1

For `amazon/settlement_lines` the unit that is replaced is the whole
settlement: staging first picks the winning file per `settlement_id` (from
`amazon/settlements`, same rule) and keeps every line of that file. The formats in an entity's
`snapshot_formats` (the brand's product list, cost history, FX rates and SKU-ASIN map files) replace the
entity whole: staging first keeps only the latest visible delivery of each (`_ingested_at`, then sha256).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

MONEY = pl.Decimal(18, 2)
UNIT_COST = pl.Decimal(18, 4)
RATE = pl.Decimal(18, 8)
WEIGHT = pl.Decimal(18, 3)
UTC = pl.Datetime("us", "UTC")

LINEAGE_SCHEMA: dict[str, pl.DataType] = {
    "_source_file": pl.String(),
    "_source_sha256": pl.String(),
    "_source_row": pl.Int64(),
    "_source_format": pl.String(),
    "_ingested_at": UTC,
    "_parser_version": pl.String(),
    "_record_key": pl.String(),
    "_record_version": UTC,
}

QUARANTINE_SCHEMA: dict[str, pl.DataType] = {
    "_source_file": pl.String(),
    "_source_sha256": pl.String(),
    "_source_row": pl.Int64(),
    "_source_format": pl.String(),
    "_ingested_at": UTC,
    "_parser_version": pl.String(),
    "_reason": pl.String(),
    "_raw": pl.String(),
}


@dataclass(frozen=True)
class Entity:
    source: str
    name: str
    description: str
    record_key: str
    """How `_record_key` is built (documentation; the format modules build it)."""
    record_version: str
    columns: dict[str, pl.DataType]
    partitioned: bool = True
    """Partitioned by `business_month=YYYY-MM` of the `business_date` column."""
    formats: tuple[str, ...] = field(default=())
    email_column: str | None = None
    """The column holding a customer's email: `forget-customer` finds a person's rows by it."""
    personal_columns: tuple[str, ...] = ()
    """Columns identifying a person, nulled by `forget-customer` in that person's rows (money stays)."""
    snapshot_formats: tuple[str, ...] = ()
    """Formats whose every delivery is the entity's full current state (a product list, a cost history):
    staging keeps only the latest visible delivery of each, so a row left out of a corrected file is gone.
    Rows of the entity's other formats (ECB rate files, daily or history) are kept by record key as usual."""

    @property
    def key(self) -> str:
        return f"{self.source}/{self.name}"

    @property
    def asset_key(self) -> list[str]:
        return ["landed", self.source, self.name]

    @property
    def landed_prefix(self) -> str:
        return f"landed/{self.source}/{self.name}"

    def schema(self) -> dict[str, pl.DataType]:
        return {**self.columns, **LINEAGE_SCHEMA}


def _entities() -> list[Entity]:
    order_money = {
        c: MONEY
        for c in (
            "subtotal",
            "total_line_items_price",
            "total_discounts",
            "shipping",
            "shipping_discount",
            "shipping_tax",
            "taxes",
            "total",
            "refunded_amount",
            "outstanding_balance",
        )
    }
    return [
        Entity(
            "shopify",
            "orders",
            "One row per Shopify order (CSV export first rows, or API order objects).",
            "order id (CSV `Id`, API `id`): the same order in the CSV export and the API JSON shares the key",
            "API `updated_at`; CSV: the latest event time the row shows (created, paid, fulfilled, cancelled)",
            {
                "order_id": pl.Int64(),
                "order_name": pl.String(),
                "email": pl.String(),
                "created_at": UTC,
                "created_at_local": pl.String(),
                "processed_at": UTC,
                "updated_at": UTC,
                "paid_at": UTC,
                "fulfilled_at": UTC,
                "cancelled_at": UTC,
                "financial_status": pl.String(),
                "fulfillment_status": pl.String(),
                "currency": pl.String(),
                "presentment_currency": pl.String(),
                **order_money,
                "taxes_included": pl.Boolean(),
                "discount_codes": pl.String(),
                "shipping_method": pl.String(),
                "payment_method": pl.String(),
                "source_name": pl.String(),
                "landing_site": pl.String(),
                "referring_site": pl.String(),
                "note_attributes": pl.String(),
                "customer_id": pl.Int64(),
                "shipping_country": pl.String(),
                "shipping_province": pl.String(),
                "shipping_zip": pl.String(),
                "tags": pl.String(),
                "business_date": pl.Date(),
            },
            formats=("shopify_orders_csv", "shopify_orders_json"),
            email_column="email",
            personal_columns=("email", "customer_id", "shipping_zip"),
        ),
        Entity(
            "shopify",
            "order_lines",
            "One row per order line item.",
            "API line item `id`; CSV `<order Id>-<line position>` (metrics.md order_line_id)",
            "the order's version",
            {
                "line_id": pl.String(),
                "order_id": pl.Int64(),
                "order_name": pl.String(),
                "line_position": pl.Int64(),
                "sku": pl.String(),
                "product_name": pl.String(),
                "vendor": pl.String(),
                "quantity": pl.Int64(),
                "unit_price": MONEY,
                "compare_at_price": MONEY,
                "line_discount": MONEY,
                "discount_allocated": MONEY,
                "tax": MONEY,
                "taxable": pl.Boolean(),
                "requires_shipping": pl.Boolean(),
                "fulfillment_status": pl.String(),
                "grams": pl.Int64(),
                "is_gift_card": pl.Boolean(),
                "currency": pl.String(),
                "created_at": UTC,
                "business_date": pl.Date(),
            },
            formats=("shopify_orders_csv", "shopify_orders_json"),
        ),
        Entity(
            "shopify",
            "refunds",
            "One row per refund (API only: the CSV export has no refund events).",
            "refund `id`",
            "the order's `updated_at`",
            {
                "refund_id": pl.Int64(),
                "order_id": pl.Int64(),
                "created_at": UTC,
                "processed_at": UTC,
                "note": pl.String(),
                "restock": pl.Boolean(),
                "amount": MONEY,
                "currency": pl.String(),
                "business_date": pl.Date(),
            },
            formats=("shopify_orders_json",),
        ),
        Entity(
            "shopify",
            "refund_lines",
            "One row per refunded line item (`refund_line_items`): quantity, restock_type, subtotal.",
            "refund line item `id` (else `<refund id>-<line_item_id>`)",
            "the order's `updated_at`",
            {
                "refund_line_id": pl.String(),
                "refund_id": pl.Int64(),
                "order_id": pl.Int64(),
                "line_item_id": pl.Int64(),
                "quantity": pl.Int64(),
                "restock_type": pl.String(),
                "subtotal": MONEY,
                "total_tax": MONEY,
                "currency": pl.String(),
                "created_at": UTC,
                "business_date": pl.Date(),
            },
            formats=("shopify_orders_json",),
        ),
        Entity(
            "shopify",
            "refund_adjustments",
            "One row per refund order adjustment: shipping refunds (`kind` shipping_refund) and refund discrepancies.",
            "order adjustment `id`",
            "the order's `updated_at`",
            {
                "adjustment_id": pl.Int64(),
                "refund_id": pl.Int64(),
                "order_id": pl.Int64(),
                "kind": pl.String(),
                "reason": pl.String(),
                "amount": MONEY,
                "tax_amount": MONEY,
                "currency": pl.String(),
                "created_at": UTC,
                "business_date": pl.Date(),
            },
            formats=("shopify_orders_json",),
        ),
        Entity(
            "shopify",
            "fulfillment_lines",
            "One row per line item of an order fulfillment (a parcel): its tracking number ties a carrier invoice "
            "row to the lines the parcel carried.",
            "`<fulfillment id>-<line item id>`",
            "the order's `updated_at`",
            {
                "fulfillment_id": pl.Int64(),
                "order_id": pl.Int64(),
                "line_id": pl.String(),
                "quantity": pl.Int64(),
                "status": pl.String(),
                "tracking_company": pl.String(),
                "tracking_number": pl.String(),
                "created_at": UTC,
                "business_date": pl.Date(),
            },
            formats=("shopify_orders_json",),
        ),
        Entity(
            "shopify",
            "billing_charges",
            "Shopify bill charges export: Shopify Shipping labels (naming their order), adjustments, plan, app fees.",
            "`Bill #|Charge category|Description|Date|Amount` plus `#n` for the n-th identical row in one file",
            "`_ingested_at`",
            {
                "bill_number": pl.String(),
                "charge_category": pl.String(),
                "description": pl.String(),
                "app": pl.String(),
                "order_name": pl.String(),
                "charged_on": pl.Date(),
                "amount": MONEY,
                "currency": pl.String(),
                "business_date": pl.Date(),
            },
            formats=("shopify_billing_csv",),
        ),
        Entity(
            "shopify",
            "inventory_levels",
            "Shopify inventory CSV export (Products > Inventory > Export, all quantity types): one row per variant"
            " and location on the export's day (from the file name).",
            "`as_of_date|location|sku`",
            "`_ingested_at` (a later export of the same day replaces it)",
            {
                "as_of_date": pl.Date(),
                "location": pl.String(),
                "sku": pl.String(),
                "handle": pl.String(),
                "title": pl.String(),
                "variant": pl.String(),
                "is_stocked": pl.Boolean(),
                "incoming": pl.Int64(),
                "unavailable": pl.Int64(),
                "committed": pl.Int64(),
                "available": pl.Int64(),
                "on_hand": pl.Int64(),
                "business_date": pl.Date(),
            },
            formats=("shopify_inventory_csv",),
        ),
        Entity(
            "shopify",
            "payment_transactions",
            "Shopify Payments transactions export: charges with their actual fees, refunds, adjustments.",
            "`Order|Type|Transaction Date (UTC)|Amount|Checkout` plus `#n` for the n-th identical row in one file",
            "`_ingested_at` (the export has no update time; the later delivery wins)",
            {
                "transaction_at": UTC,
                "transaction_at_local": pl.String(),
                "type": pl.String(),
                "order_name": pl.String(),
                "card_brand": pl.String(),
                "card_source": pl.String(),
                "payout_status": pl.String(),
                "payout_date": pl.Date(),
                "available_on": pl.Date(),
                "amount": MONEY,
                "fee": MONEY,
                "net": MONEY,
                "checkout": pl.String(),
                "payment_method_name": pl.String(),
                "presentment_amount": MONEY,
                "presentment_currency": pl.String(),
                "currency": pl.String(),
                "business_date": pl.Date(),
            },
            formats=("shopify_payments_csv",),
        ),
        Entity(
            "shopify",
            "payouts",
            "Shopify Payments payouts (Admin API): the amount deposited per payout, with its summary by kind.",
            "payout `id`; without one, `payout date|currency` (the transactions export's payout key)",
            "`_ingested_at` (a payout's status moves from scheduled to paid; the later delivery wins)",
            {
                "payout_id": pl.String(),
                "status": pl.String(),
                "payout_date": pl.Date(),
                "currency": pl.String(),
                "amount": MONEY,
                **{
                    f"{kind}_{part}_amount": MONEY
                    for kind in ("charges", "refunds", "adjustments", "reserved_funds", "retried_payouts")
                    for part in ("gross", "fee")
                },
                "business_date": pl.Date(),
            },
            formats=("shopify_payouts_json",),
        ),
        Entity(
            "shopify",
            "order_transactions",
            "Order transactions (Admin API): which tender (gateway) authorized, captured or refunded what.",
            "transaction `id`",
            "`_ingested_at` (a transaction does not change once made)",
            {
                "transaction_id": pl.String(),
                "order_id": pl.Int64(),
                "parent_id": pl.String(),
                "kind": pl.String(),
                "gateway": pl.String(),
                "status": pl.String(),
                "amount": MONEY,
                "currency": pl.String(),
                "created_at": UTC,
                "business_date": pl.Date(),
            },
            formats=("shopify_order_transactions_json",),
        ),
        Entity(
            "amazon",
            "orders",
            "All Orders report: one row per order item.",
            "`amazon-order-id|sku` (metrics.md `<order id>-<sku>`), `#n` for a repeated SKU in one order",
            "`last-updated-date`",
            {
                "amazon_order_id": pl.String(),
                "merchant_order_id": pl.String(),
                "purchase_date": UTC,
                "last_updated_date": UTC,
                "order_status": pl.String(),
                "fulfillment_channel": pl.String(),
                "sales_channel": pl.String(),
                "order_channel": pl.String(),
                "ship_service_level": pl.String(),
                "product_name": pl.String(),
                "sku": pl.String(),
                "asin": pl.String(),
                "item_status": pl.String(),
                "quantity": pl.Int64(),
                "currency": pl.String(),
                **{
                    c: MONEY
                    for c in (
                        "item_price",
                        "item_tax",
                        "shipping_price",
                        "shipping_tax",
                        "gift_wrap_price",
                        "gift_wrap_tax",
                        "item_promotion_discount",
                        "ship_promotion_discount",
                    )
                },
                "ship_city": pl.String(),
                "ship_state": pl.String(),
                "ship_postal_code": pl.String(),
                "ship_country": pl.String(),
                "promotion_ids": pl.String(),
                "is_business_order": pl.Boolean(),
                "business_date": pl.Date(),
            },
            formats=("amazon_all_orders",),
        ),
        Entity(
            "amazon",
            "settlements",
            "One row per settlement report (its summary row: period, deposit date, total, currency).",
            "`settlement-id`",
            "`_ingested_at` (a later download of the same settlement replaces it as a whole)",
            {
                "settlement_id": pl.String(),
                "settlement_start_date": UTC,
                "settlement_end_date": UTC,
                "deposit_date": UTC,
                "total_amount": MONEY,
                "currency": pl.String(),
                "marketplace_name": pl.String(),
                "business_date": pl.Date(),
            },
            formats=("amazon_settlement",),
        ),
        Entity(
            "amazon",
            "settlement_lines",
            "Settlement report (Flat File V2): one row per amount component.",
            "`settlement-id|<line in file>`; the unit replaced is the whole settlement-id",
            "`_ingested_at`",
            {
                "settlement_id": pl.String(),
                "transaction_type": pl.String(),
                "order_id": pl.String(),
                "merchant_order_id": pl.String(),
                "adjustment_id": pl.String(),
                "shipment_id": pl.String(),
                "marketplace_name": pl.String(),
                "amount_type": pl.String(),
                "amount_description": pl.String(),
                "amount": MONEY,
                "currency": pl.String(),
                "fulfillment_id": pl.String(),
                "posted_date": pl.Date(),
                "posted_at": UTC,
                "order_item_code": pl.String(),
                "merchant_order_item_id": pl.String(),
                "merchant_adjustment_item_id": pl.String(),
                "sku": pl.String(),
                "quantity_purchased": pl.Int64(),
                "promotion_id": pl.String(),
                "business_date": pl.Date(),
            },
            formats=("amazon_settlement",),
        ),
        Entity(
            "amazon",
            "fba_inventory",
            "FBA Manage Inventory report (GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA): one row per SKU of one"
            " marketplace's FBA stock on the report's day (the day and marketplace come from the file name).",
            "`as_of_date|marketplace|sku`",
            "`_ingested_at` (a later download of the same day replaces it)",
            {
                "as_of_date": pl.Date(),
                "marketplace": pl.String(),
                "sku": pl.String(),
                "fnsku": pl.String(),
                "asin": pl.String(),
                "product_name": pl.String(),
                "condition": pl.String(),
                **{
                    f"afn_{q}_quantity": pl.Int64()
                    for q in (
                        "warehouse",
                        "fulfillable",
                        "unsellable",
                        "reserved",
                        "total",
                        "inbound_working",
                        "inbound_shipped",
                        "inbound_receiving",
                        "researching",
                    )
                },
                "business_date": pl.Date(),
            },
            formats=("amazon_fba_inventory",),
        ),
        Entity(
            "etsy",
            "order_items",
            "Etsy Sold Order Items CSV: one row per sold item (transaction); the order's shipping, shipping "
            "discount and sales tax repeat on each of its items.",
            "`Transaction ID` (metrics.md rule 18 order_line_id)",
            "`_ingested_at` (the download has no update time; the later delivery wins)",
            {
                "order_id": pl.String(),
                "transaction_id": pl.String(),
                "listing_id": pl.String(),
                "sku": pl.String(),
                "item_name": pl.String(),
                "variations": pl.String(),
                "quantity": pl.Int64(),
                "price": MONEY,
                "item_total": MONEY,
                "discount_amount": MONEY,
                "coupon_code": pl.String(),
                "coupon_details": pl.String(),
                "shipping_discount": MONEY,
                "order_shipping": MONEY,
                "order_sales_tax": MONEY,
                "vat_paid_by_buyer": MONEY,
                "currency": pl.String(),
                "sale_date": pl.Date(),
                "date_paid": pl.Date(),
                "date_shipped": pl.Date(),
                "ship_city": pl.String(),
                "ship_state": pl.String(),
                "ship_zipcode": pl.String(),
                "ship_country": pl.String(),
                "order_type": pl.String(),
                "listings_type": pl.String(),
                "payment_type": pl.String(),
                "business_date": pl.Date(),
            },
            formats=("etsy_sold_order_items_csv",),
        ),
        Entity(
            "etsy",
            "statement_lines",
            "Etsy monthly statement CSV: one row per payment-account activity (sale, fee, credit, refund, "
            "marketing, shipping label, tax, deposit); `--` amounts are null.",
            "`Date|Type|Title|Info|Currency|Amount|Fees & Taxes|Net` plus `#n` for the n-th identical row of a day "
            "counted from the oldest, so a later download of a month keeps the keys of the rows it repeats",
            "`_ingested_at` (a later download of the same month replaces its rows)",
            {
                "statement_date": pl.Date(),
                "type": pl.String(),
                "title": pl.String(),
                "info": pl.String(),
                "currency": pl.String(),
                "amount": MONEY,
                "fees_and_taxes": MONEY,
                "net": MONEY,
                "tax_details": pl.String(),
                "order_id": pl.String(),
                "listing_id": pl.String(),
                "business_date": pl.Date(),
            },
            formats=("etsy_statement_csv",),
        ),
        Entity(
            "google_ads",
            "campaign_daily",
            "Google Ads campaign x day: UI download or GAQL (API) rows.",
            "`<date>|<campaign id>` (`<date>|name:<campaign>` when a UI download lacks the Campaign ID column)",
            "`_ingested_at` (platforms restate recent days; the later delivery wins)",
            {
                "date": pl.Date(),
                "campaign_id": pl.String(),
                "campaign_name": pl.String(),
                "currency": pl.String(),
                "impressions": pl.Int64(),
                "clicks": pl.Int64(),
                "cost": MONEY,
                "cost_micros": pl.Int64(),
                "conversions": pl.Float64(),
                "conversions_value": MONEY,
                "business_date": pl.Date(),
            },
            formats=("google_ads_ui_csv", "google_ads_gaql_json"),
        ),
        Entity(
            "google_ads",
            "click_view",
            "GAQL click_view rows: the campaign and day of each Google click id (gclid).",
            "`<gclid>`",
            "`_ingested_at`",
            {
                "gclid": pl.String(),
                "campaign_id": pl.String(),
                "date": pl.Date(),
                "business_date": pl.Date(),
            },
            formats=("google_ads_click_view_json",),
        ),
        Entity(
            "meta_ads",
            "campaign_daily",
            "Meta Insights rows (time_increment=1) at campaign, ad set or ad level.",
            "`<date>|<campaign id>|<adset id>|<ad id>` (names instead of ids for Ads Manager CSV downloads)",
            "`_ingested_at`",
            {
                "date": pl.Date(),
                "account_id": pl.String(),
                "campaign_id": pl.String(),
                "campaign_name": pl.String(),
                "adset_id": pl.String(),
                "adset_name": pl.String(),
                "ad_id": pl.String(),
                "currency": pl.String(),
                "impressions": pl.Int64(),
                "clicks": pl.Int64(),
                "spend": MONEY,
                "purchases": pl.Float64(),
                "purchase_value": MONEY,
                "purchase_action_type": pl.String(),
                "business_date": pl.Date(),
            },
            formats=("meta_insights_json", "meta_ads_manager_csv"),
        ),
        Entity(
            "amazon_ads",
            "advertised_product_daily",
            "Sponsored Products v3 spAdvertisedProduct report: advertised SKU x day.",
            "`<date>|<campaignId>|<adGroupId>|<advertisedSku>|<advertisedAsin>`",
            "`_ingested_at`",
            {
                "date": pl.Date(),
                "campaign_id": pl.String(),
                "campaign_name": pl.String(),
                "ad_group_id": pl.String(),
                "ad_group_name": pl.String(),
                "advertised_sku": pl.String(),
                "advertised_asin": pl.String(),
                "impressions": pl.Int64(),
                "clicks": pl.Int64(),
                "cost": MONEY,
                "purchases_7d": pl.Int64(),
                "sales_7d": MONEY,
                "currency": pl.String(),
                "business_date": pl.Date(),
            },
            formats=("amazon_ads_sp_advertised_product",),
        ),
        Entity(
            "amazon_ads",
            "sponsored_brands_display_daily",
            "Sponsored Brands v3 sbCampaigns rows (campaign x day, no SKU) and Sponsored Display v3"
            " sdAdvertisedProduct rows (promoted SKU x day), with their ad product.",
            "`<ad_product>|<date>|<campaignId>|<adGroupId>|<promotedSku>|<promotedAsin>`",
            "`_ingested_at`",
            {
                "date": pl.Date(),
                "ad_product": pl.String(),
                "campaign_id": pl.String(),
                "campaign_name": pl.String(),
                "ad_group_id": pl.String(),
                "ad_group_name": pl.String(),
                "advertised_sku": pl.String(),
                "advertised_asin": pl.String(),
                "impressions": pl.Int64(),
                "clicks": pl.Int64(),
                "cost": MONEY,
                "purchases": pl.Int64(),
                "sales": MONEY,
                "currency": pl.String(),
                "business_date": pl.Date(),
            },
            formats=("amazon_ads_sb_campaigns", "amazon_ads_sd_advertised_product"),
        ),
        Entity(
            "brand",
            "cogs",
            "Landed cost history per SKU (effective-dated).",
            "`sku|effective_from`",
            "`_ingested_at`",
            {
                "sku": pl.String(),
                "effective_from": pl.Date(),
                "unit_cost": UNIT_COST,
                "currency": pl.String(),
                "inbound_freight_per_unit": UNIT_COST,
                "duty_per_unit": UNIT_COST,
            },
            partitioned=False,
            formats=("brand_cogs",),
            snapshot_formats=("brand_cogs",),
        ),
        Entity(
            "brand",
            "carrier_invoices",
            "Carrier invoice lines: labels, return labels and adjustments.",
            "`tracking_number|service`",
            "`_ingested_at`",
            {
                "tracking_number": pl.String(),
                "order_reference": pl.String(),
                "ship_date": pl.Date(),
                "service": pl.String(),
                "weight_kg": WEIGHT,
                "cost": MONEY,
                "currency": pl.String(),
                "business_date": pl.Date(),
            },
            formats=("brand_carrier_invoices",),
        ),
        Entity(
            "brand",
            "fx_rates",
            "Daily FX: units of `pivot_currency` per 1 unit of `currency` (ECB files converted to the USD pivot).",
            "`date|currency|pivot_currency`",
            "`_ingested_at`",
            {
                "date": pl.Date(),
                "currency": pl.String(),
                "rate": RATE,
                "pivot_currency": pl.String(),
                "business_date": pl.Date(),
            },
            formats=("brand_fx_rates", "ecb_fx_rates"),
            snapshot_formats=("brand_fx_rates",),
        ),
        Entity(
            "brand",
            "sku_asin_map",
            "SKU <-> ASIN per Amazon marketplace.",
            "`sku|marketplace`",
            "`_ingested_at`",
            {"sku": pl.String(), "asin": pl.String(), "marketplace": pl.String()},
            partitioned=False,
            formats=("brand_sku_asin_map",),
            snapshot_formats=("brand_sku_asin_map",),
        ),
        Entity(
            "brand",
            "touchpoints",
            "Web touchpoints (sessions with landing and referrer URLs).",
            "`occurred_at (UTC ISO)|customer_email|landing_url`",
            "`_ingested_at`",
            {
                "occurred_at": UTC,
                "customer_email": pl.String(),
                "landing_url": pl.String(),
                "referrer_url": pl.String(),
                "business_date": pl.Date(),
            },
            formats=("brand_touchpoints",),
            email_column="customer_email",
            personal_columns=("customer_email",),
        ),
        Entity(
            "brand",
            "stock_counts",
            "The brand's stock count file: units on hand (and inbound) per SKU and location on a count date.",
            "`counted_on|location|sku`",
            "`_ingested_at` (a corrected count file replaces the rows it repeats)",
            {
                "counted_on": pl.Date(),
                "location": pl.String(),
                "sku": pl.String(),
                "on_hand": pl.Int64(),
                "inbound": pl.Int64(),
                "business_date": pl.Date(),
            },
            formats=("brand_stock_counts",),
        ),
        Entity(
            "brand",
            "products",
            "Product master: name, category, vendor, weight and FBA size tier per SKU.",
            "`sku`",
            "`_ingested_at`",
            {
                "sku": pl.String(),
                "product_name": pl.String(),
                "category": pl.String(),
                "vendor": pl.String(),
                "weight_kg": WEIGHT,
                "size_tier": pl.String(),
            },
            partitioned=False,
            formats=("brand_products",),
            snapshot_formats=("brand_products",),
        ),
    ]


# What each source is, for people: the dbt source descriptions are generated from it.
SOURCE_DESCRIPTIONS: dict[str, str] = {
    "shopify": "The brand's Shopify store: orders export CSV, Admin API orders JSON, the Shopify Payments"
    " transactions export and the inventory CSV export.",
    "amazon": "Amazon Seller Central: All Orders report, settlement reports (Flat File V2) and the FBA Manage"
    " Inventory report.",
    "google_ads": "Google Ads campaign reports (UI CSV and GAQL JSON) and the GAQL click_view export (gclid ->"
    " campaign).",
    "meta_ads": "Meta Ads Insights (Graph API JSON and Ads Manager CSV).",
    "amazon_ads": "Amazon Ads reporting API v3 (GZIP_JSON): Sponsored Products advertised product, Sponsored"
    " Brands campaigns, Sponsored Display advertised product.",
    "etsy": "Etsy Shop Manager: Sold Order Items CSV and monthly statement CSVs.",
    "brand": "The brand's own files: COGS cost history, carrier invoices, FX rates, SKU-ASIN map, web touchpoints,"
    " product list,"
    " stock counts.",
}

ENTITIES: dict[str, Entity] = {e.key: e for e in _entities()}
SOURCES: tuple[str, ...] = tuple(dict.fromkeys(e.source for e in ENTITIES.values()))


def entity(source: str, name: str) -> Entity:
    return ENTITIES[f"{source}/{name}"]


def asset_keys() -> list[list[str]]:
    """Dagster asset keys of the landed tables, for the orchestration and dbt consistency tests."""
    return [e.asset_key for e in ENTITIES.values()]
