"""Ground truth: metrics.md applied to what the generated files reveal.

A small implementation of the accounting rules, independent of the dbt
models, so the marts can be tested against it to the cent. It reads the
simulation's tables but only uses what the files show: where a file loses
information (the Shopify CSV has no refund lines, a settlement has not posted
yet, an invoice has not arrived) it estimates exactly as the rules say and
flags the line. Each rule is stated in `truth/README.md` (TRUTH_README below).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from demo import (
    gift_cards,
    truth_attribution,
    truth_kpis,
    truth_payments,
    truth_restock,
    truth_shipping,
    truth_tax_inclusive,
)
from demo.amazon import HALO, SEEDS, AmazonWorld, fba_fee_cents, referral_rate_e6
from demo.costs import reimbursement_costs
from demo.etsy import EtsyWorld
from demo.google_click_view import google_clicks
from demo.money import allocate, cents_str, div_round, fx_convert
from demo.shopify import ShopifyWorld, landing_sites
from demo.truth_ads import unreported_ad_charges
from demo.truth_amazon import (
    attach_vat_rate,
    placeholder_lines,
    refunds_net_of_vat,
    vat_in,
    vat_rates,
    vat_withheld_lines,
)
from demo.truth_shipping import normalise_reference  # noqa: F401 (re-exported: rule 12's reference rule)
from demo.truth_shopify import api_refund_items, chargeback_rows
from demo.world import Chunk, Context
from warehouse import pnl_measures

REPORTING_CURRENCY = "USD"
FX_MAX_AGE_DAYS = 7
LOOKBACK_SECONDS = 30 * 86_400
SAME_VISIT_SECONDS = 30 * 60
# Orders whose journeys the truth builds at once: each batch filters every order and visit for its customers
# (230 s for the ~200 batches at 10M lines, beside a CI run); batches of 100,000 changed neither time nor peak
# memory measurably at 3M lines (196 s against 204 s, 4.18 against 4.24 GB).
ATTRIBUTION_ORDERS_PER_BATCH = 20_000
RESTOCKING_TYPES = ("return", "cancel", "legacy_restock")
# The measures, their signs and margin tiers: the project's pnl_measures seed (metrics.md's contract as data).
PNL = pnl_measures.load()
# The order-line measures (amounts, net sales and margins) in display order.
MEASURES = PNL.names(grain="order_line")


def _columns(suffix: str) -> dict[str, pl.Expr]:
    """Each amount's column with `suffix` (`_rep` reporting, `_source` source currency), for PNL.subtotal."""
    return {m: pl.col(f"{m}{suffix}") for m in PNL.names(kind="amount")}


SOURCE_TWINS = [
    "gross_sales",
    "discounts",
    "refunds",
    "net_sales",
    "shipping_revenue",
    "taxes",
    "payment_fees",
    "marketplace_fees",
    "fulfillment_fees",
]


class FxRateMissing(ValueError):
    """No rate within FX_MAX_AGE_DAYS before an event date."""


@dataclass
class Truth:
    """Where the truth files were written, and their headline figures (`summary.json`)."""

    folder: Path
    summary: dict


def local_date(col: str, tz: str) -> pl.Expr:
    return pl.from_epoch(pl.col(col)).dt.replace_time_zone("UTC").dt.convert_time_zone(tz).dt.date()


class Fx:
    """Daily rates, pivot USD, with the 7-day fallback of metrics.md principle 7."""

    def __init__(self, fx: pl.DataFrame):
        self.rates = fx.select(
            "currency", fx_date="date", rate_e6=(pl.col("rate") * 1_000_000).round().cast(pl.Int64)
        ).sort("fx_date")

    def attach(self, df: pl.DataFrame, *, currency: str, date: str, out: str = "rate_e6") -> pl.DataFrame:
        keyed = df.with_row_index("_fx_row")
        needs = keyed.filter(pl.col(currency) != REPORTING_CURRENCY).select("_fx_row", currency, date).sort(date)
        found = needs.join_asof(
            self.rates,
            left_on=date,
            right_on="fx_date",
            by_left=currency,
            by_right="currency",
            strategy="backward",
            tolerance=dt.timedelta(days=FX_MAX_AGE_DAYS),
            check_sortedness=False,
        )
        missing = found.filter(pl.col("rate_e6").is_null())
        if missing.height:
            first = missing.row(0, named=True)
            raise FxRateMissing(
                f"no {first[currency]} rate within {FX_MAX_AGE_DAYS} days before {first[date]}: "
                "add the rate to brand/fx_rates.csv"
            )
        keyed = keyed.join(found.select("_fx_row", pl.col("rate_e6").alias(out)), on="_fx_row", how="left")
        return keyed.with_columns(pl.col(out).fill_null(1_000_000)).sort("_fx_row").drop("_fx_row")


def _landed_cost(cost_history: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
    """Landed unit cost effective on the order date (latest effective_from <= order_date), with that
    cost row's `effective_from` as `cost_effective_from` (the date it converts at, rule 9)."""
    costs = cost_history.select(
        "sku",
        "effective_from",
        cost_effective_from="effective_from",
        landed_unit_cost_cents=pl.col("unit_cost_cents") + pl.col("inbound_freight_cents") + pl.col("duty_cents"),
        cost_currency="currency",
    ).sort("effective_from")
    return (
        lines.sort("order_date")
        .join_asof(
            costs,
            left_on="order_date",
            right_on="effective_from",
            by="sku",
            strategy="backward",
            check_sortedness=False,
        )
        .drop("effective_from")
    )


# --------------------------------------------------------------------------- Shopify


def _shopify_refund_events_csv(tz: str, transactions: pl.DataFrame, orders: pl.DataFrame) -> pl.DataFrame:
    """Refund events of CSV-only orders, split Subtotal : Shipping : Taxes (metrics.md, refunds).

    The payments export's refund rows give dates and amounts; what `Refunded Amount`
    holds beyond them (a PayPal order, a refund after the export) is one more event
    dated at `Cancelled at`, else at the order date.
    """
    txns = transactions.filter(pl.col("type") == "refund").select(
        "order_seq", amount_cents=-pl.col("amount_cents"), event_date=local_date("transaction_utc", tz)
    )
    csv_orders = orders.filter(~pl.col("via_api"))
    from_payments = txns.join(csv_orders.select("order_seq"), on="order_seq")
    paid_back = from_payments.group_by("order_seq").agg(paid_back=pl.col("amount_cents").sum())
    rest = (
        csv_orders.join(paid_back, on="order_seq", how="left")
        .with_columns(rest=pl.col("refunded_cents") - pl.col("paid_back").fill_null(0))
        .filter(pl.col("rest") > 0)
        .select(
            "order_seq",
            amount_cents="rest",
            event_date=pl.when(pl.col("cancelled_utc").is_not_null())
            .then(local_date("cancelled_utc", tz))
            .otherwise(pl.col("order_date")),
        )
    )
    events = pl.concat([from_payments, rest]).sort(["order_seq", "event_date", "amount_cents"])
    events = events.with_row_index("event_id")
    parts = events.join(truth_tax_inclusive.csv_refund_part_weights(orders), on="order_seq")
    long = pl.concat(
        [
            parts.select(
                "event_id",
                "order_seq",
                "event_date",
                "amount_cents",
                part=pl.lit(i),
                kind=pl.lit(kind),
                weight=pl.col(col),
            )
            for i, (kind, col) in enumerate(
                (("items", "items_weight"), ("shipping", "shipping_weight"), ("tax", "tax_weight"))
            )
        ]
    )
    return allocate(long, group="event_id", amount="amount_cents", weight="weight", tiebreak="part", out="part_cents")


def _split_over_lines(events: pl.DataFrame, lines: pl.DataFrame, weight: str, measure: str) -> pl.DataFrame:
    """Allocate each order-level event (`event_id`, `order_seq`, `event_date`, `amount_cents`) to the order's lines."""
    out = allocate(
        events.join(lines.select("order_seq", "order_line_id", weight), on="order_seq"),
        group="event_id",
        amount="amount_cents",
        weight=weight,
        tiebreak="order_line_id",
        out="line_cents",
    )
    return out.select("order_line_id", "event_date", amount_cents="line_cents", measure=pl.lit(measure))


def shopify_lines(ctx: Context, shop: ShopifyWorld) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Shopify order lines with their order-dated amounts, and their event rows dated apart.

    Event rows (refunds, refunded tax and shipping, all negative for the latter two)
    carry their own dates so the cash view and FX use the refund's day.
    """
    tz = ctx.timezone
    orders = shop.orders.with_columns(
        via_api=pl.col("created_utc") >= ctx.api_from_utc,
        order_date=local_date("created_utc", tz),
    ).pipe(truth_tax_inclusive.with_order_tax_split)
    lines = shop.lines.join(
        orders.select(
            "order_seq",
            "name",
            "order_id",
            "via_api",
            "order_date",
            "email",
            "gateway",
            "total_cents",
            "item_discount_cents",
            "shipping_cents",
            "taxes_cents",
            "shipping_tax_cents",
            "subtotal_cents",
            "is_taxes_included",
            "order_shipping_tax_cents",
            "order_item_taxes_cents",
            "order_shipping_revenue_cents",
            "cancelled_utc",
            "fulfilled_utc",
            "service_level",
            "country",
            "refunded_cents",
        ),
        on="order_seq",
    ).with_columns(
        order_line_id=pl.when(pl.col("via_api"))
        .then(pl.col("line_item_id").cast(pl.String))
        .otherwise(pl.col("order_id").cast(pl.String) + pl.lit("-") + pl.col("position").cast(pl.String)),
    )
    # Discounts: the API's own allocations; the CSV's order discount by gross share.
    lines = allocate(
        lines,
        group="order_seq",
        amount="item_discount_cents",
        weight="gross_cents",
        tiebreak="order_line_id",
        out="csv_discount_cents",
    )
    lines = lines.with_columns(
        discounts_cents=pl.when(pl.col("via_api"))
        .then(pl.col("discount_alloc_cents"))
        .otherwise(pl.col("csv_discount_cents"))
    ).with_columns(
        net_before_refund=pl.col("gross_cents") - pl.col("discounts_cents"),
        taxable_net=pl.when(pl.col("taxable")).then(pl.col("gross_cents") - pl.col("discounts_cents")).otherwise(0),
    )
    # Shipping charged (after shipping discounts, without its tax when prices include it) by gross share (the
    # price as charged); taxes: API tax lines, CSV items' Taxes by taxable net share.
    lines = allocate(
        lines,
        group="order_seq",
        amount="order_shipping_revenue_cents",
        weight="gross_cents",
        tiebreak="order_line_id",
        out="shipping_revenue_cents",
    )
    lines = allocate(
        lines,
        group="order_seq",
        amount="order_item_taxes_cents",
        weight="taxable_net",
        tiebreak="order_line_id",
        out="csv_tax_cents",
    )
    # Tax on shipping (API shipping_lines[].tax_lines, rule 34; a tax-inclusive CSV order's split, rule 37) is
    # allocated like shipping revenue.
    line_tax = pl.when(pl.col("via_api")).then(pl.col("tax_cents")).otherwise(pl.col("csv_tax_cents"))
    lines = allocate(
        lines,
        group="order_seq",
        amount="order_shipping_tax_cents",
        weight="gross_cents",
        tiebreak="order_line_id",
        out="shipping_tax_line_cents",
    ).with_columns(taxes_cents_final=line_tax + pl.col("shipping_tax_line_cents"))
    # Tax-inclusive prices: the tax comes out of gross sales and discounts too (rule 36); from here on
    # gross_cents and net_before_refund are net of tax, as are every later weight.
    lines = truth_tax_inclusive.back_out_line_tax(lines, line_tax)

    # API refunds: refund lines (items and their tax) and shipping refunds, at the refund's date.
    api_refunds = shop.refund_lines.join(shop.refunds.select("refund_id", "refund_utc"), on="refund_id").select(
        "refund_id",
        "line_item_id",
        "refund_quantity",
        "restock_type",
        "subtotal_cents",
        "total_tax_cents",
        event_date=local_date("refund_utc", tz),
    )
    api_lines = lines.filter(pl.col("via_api")).select("order_line_id", "line_item_id")
    api_line_refunds = api_lines.join(api_refunds, on="line_item_id")
    api_rows = [
        api_refund_items(shop, lines.filter(pl.col("via_api")), tz),
        api_line_refunds.select(
            "order_line_id", "event_date", amount_cents=-pl.col("total_tax_cents"), measure=pl.lit("taxes")
        ),
    ]
    # The shipping refund's adjustment amount excludes its tax, also when prices include it (rule 38).
    api_shipping = (
        shop.refunds.join(orders.filter(pl.col("via_api")).select("order_seq", "is_taxes_included"), on="order_seq")
        .filter(pl.col("shipping_refund_cents") > 0)
        .select(
            "order_seq",
            event_id="refund_id",
            event_date=local_date("refund_utc", tz),
            amount_cents=-pl.col("shipping_refund_cents")
            + pl.when(pl.col("is_taxes_included")).then(pl.col("shipping_tax_refund_cents")).otherwise(0),
        )
    )
    api_shipping_tax = (
        shop.refunds.join(orders.filter(pl.col("via_api")).select("order_seq"), on="order_seq")
        .filter(pl.col("shipping_tax_refund_cents") > 0)
        .select(
            "order_seq",
            event_id="refund_id",
            event_date=local_date("refund_utc", tz),
            amount_cents=-pl.col("shipping_tax_refund_cents"),
        )
    )
    restocked = (
        api_refunds.filter(pl.col("restock_type").is_in(RESTOCKING_TYPES))
        .group_by("line_item_id")
        .agg(api_restocked=pl.col("refund_quantity").sum())
    )

    # CSV refunds (estimated): each event's items part by net share, shipping by gross, tax by taxable net.
    events = _shopify_refund_events_csv(tz, shop.transactions, orders)
    csv_rows = []
    for kind, weight, measure, sign in (
        ("items", "net_before_refund", "refunds", 1),
        ("shipping", "gross_cents", "shipping_revenue", -1),
        ("tax", "taxable_net", "taxes", -1),
    ):
        part = events.filter(pl.col("kind") == kind).select(
            "event_id", "order_seq", "event_date", amount_cents=sign * pl.col("part_cents")
        )
        csv_rows.append(_split_over_lines(part, lines, weight, measure))
    refund_estimated = events.select("order_seq").unique().with_columns(is_refund_estimated=pl.lit(True))

    # Payment fees (rules 10 and 21): the payments export's fees, else an estimate for captured payments only.
    # Dispute rows are chargebacks (rule 33): their fee is dated by the dispute, below.
    order_fees = truth_payments.order_payment_fees(
        orders, shop.transactions.filter(pl.col("type") != "dispute"), tz, SEEDS
    )
    lines = lines.join(order_fees, on="order_seq", how="left")
    lines = allocate(
        lines,
        group="order_seq",
        amount="payment_fee_cents",
        weight="gross_cents",
        tiebreak="order_line_id",
        out="payment_fees_cents",
    )
    # Restocked units: API refund lines that restock; a cancelled order that never shipped keeps its goods.
    lines = (
        lines.join(restocked, on="line_item_id", how="left")
        .with_columns(
            restocked_units=pl.when(pl.col("via_api"))
            .then(pl.col("api_restocked").fill_null(0))
            .when(pl.col("cancelled_utc").is_not_null() & pl.col("fulfilled_utc").is_null())
            .then(pl.col("quantity"))
            .otherwise(0),
        )
        .join(refund_estimated, on="order_seq", how="left")
        .with_columns(pl.col("is_refund_estimated").fill_null(False))
    )

    base = lines.select(
        channel=pl.lit("Shopify Web"),
        order_id=pl.col("name"),
        order_key=pl.col("name"),
        order_line_id="order_line_id",
        sku="sku",
        order_date="order_date",
        source_currency=pl.lit("USD"),
        order_source=pl.when(pl.col("via_api")).then(pl.lit("shopify_api")).otherwise(pl.lit("shopify_csv")),
        customer_email="email",
        units="quantity",
        restocked_units="restocked_units",
        gross_cents="gross_cents",
        discounts_cents="discounts_cents",
        shipping_revenue_cents="shipping_revenue_cents",
        taxes_cents="taxes_cents_final",
        payment_fees_cents="payment_fees_cents",
        fee_date="fee_date",
        is_payment_fee_estimated="is_payment_fee_estimated",
        is_refund_estimated="is_refund_estimated",
        is_marketplace_fee_estimated=pl.lit(False),
        is_cancelled=pl.col("cancelled_utc").is_not_null(),
        service_level="service_level",
        destination_country="country",
    )
    shipping_rows = _split_over_lines(api_shipping, lines, "gross_cents", "shipping_revenue")
    shipping_tax_rows = _split_over_lines(api_shipping_tax, lines, "gross_cents", "taxes")
    disputes = chargeback_rows(shop, lines, tz)
    event_rows = pl.concat([*api_rows, shipping_rows, shipping_tax_rows, *csv_rows, disputes], how="vertical_relaxed")
    return base, event_rows


# --------------------------------------------------------------------------- Amazon

# Settlement transaction types that refund a line (metrics.md v2): their item money is a refund of the
# line, their commission credit and refund administration fee marketplace fees.
AMAZON_REFUND_TYPES = ["Refund", "A-to-z Guarantee Claim", "Chargeback Refund"]
VAT_RATES = vat_rates(SEEDS)


def amazon_lines(ctx: Context, amz: AmazonWorld) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Amazon sold lines (cancellations are not sales) and their settled fee and refund rows."""
    tz = ctx.timezone
    lines = amz.orders.filter(~pl.col("is_cancelled")).with_columns(order_date=local_date("purchase_utc", tz))
    # Amazon amounts are dated by their posted time's day in the brand's time zone (docs/metrics.md rule 3).
    rows = amz.settlement_rows.filter(pl.col("order_line_id").is_not_null()).with_columns(
        event_date=local_date("posted_utc", tz)
    )
    # Sales actuals (metrics.md v2): once a line's Order rows have posted, the settlement's ItemPrice and
    # Promotion amounts are its gross sales, discounts and shipping revenue (gift wrap included).
    order_rows = rows.filter(pl.col("transaction_type") == "Order")
    component = pl.col("amount_type") + pl.lit("/") + pl.col("amount_description")
    settled_sales = order_rows.group_by("order_line_id").agg(
        settled_gross=pl.col("amount_cents").filter(component == "ItemPrice/Principal").sum(),
        settled_discounts=-pl.col("amount_cents").filter(component == "Promotion/Principal").sum(),
        settled_shipping=pl.col("amount_cents")
        .filter(component.is_in(["ItemPrice/Shipping", "ItemPrice/GiftWrap", "Promotion/Shipping"]))
        .sum(),
        is_settled=pl.lit(True),
    )
    lines = lines.join(settled_sales, on="order_line_id", how="left").with_columns(
        pl.col("is_settled").fill_null(False)
    )

    fee_map = {
        "Commission": "marketplace_fees",
        "RefundCommission": "marketplace_fees",
        "FixedClosingFee": "marketplace_fees",
        "TechnologyFee": "marketplace_fees",
        "FBAPerUnitFulfillmentFee": "fulfillment_fees",
        "FBAWeightBasedFee": "fulfillment_fees",
        "ShippingChargeback": "fulfillment_fees",
        "GiftwrapChargeback": "fulfillment_fees",
    }
    fee_rows = rows.filter(pl.col("amount_type") == "ItemFees").select(
        "order_line_id",
        "event_date",
        amount_cents=-pl.col("amount_cents"),
        measure=pl.col("amount_description").replace_strict(fee_map),
    )
    refunds = rows.filter(pl.col("transaction_type").is_in(AMAZON_REFUND_TYPES))
    refund_rows = pl.concat(
        [
            refunds.filter(pl.col("amount_description") == "Principal")
            .filter(pl.col("amount_type").is_in(["ItemPrice", "Promotion"]))
            .select(
                "order_line_id",
                "event_date",
                "settlement_id",
                amount_cents=-pl.col("amount_cents"),
                measure=pl.lit("refunds"),
            ),
            refunds.filter(pl.col("amount_description") == "Shipping")
            .filter(pl.col("amount_type").is_in(["ItemPrice", "Promotion"]))
            .select(
                "order_line_id",
                "event_date",
                "settlement_id",
                amount_cents=pl.col("amount_cents"),
                measure=pl.lit("shipping_revenue"),
            ),
        ]
    )

    referral = pl.read_csv(SEEDS / "amazon_referral_fees.csv", schema_overrides={"price_from": pl.Float64})
    fba = pl.read_csv(SEEDS / "amazon_fba_fees.csv")
    # Referral estimate (rule 11, contract v2) on the total sales price: item - promotion + shipping + gift wrap
    # charged (All Orders `gift-wrap-price`, 0 while the data set has none), tier by that price per unit.
    gift_wrap = pl.col("gift_wrap_cents").fill_null(0) if "gift_wrap_cents" in lines.columns else pl.lit(0)
    lines = lines.with_columns(
        referral_base_cents=pl.col("item_price_cents")
        - pl.col("promotion_cents")
        + pl.col("shipping_price_cents").fill_null(0)
        + gift_wrap
    ).with_columns(referral_unit_base=pl.col("referral_base_cents") / pl.col("quantity"))
    lines = fba_fee_cents(referral_rate_e6(lines, referral, price="referral_unit_base"), fba).with_columns(
        est_marketplace=pl.max_horizontal(
            div_round(pl.col("referral_base_cents") * pl.col("rate_e6"), 1_000_000),
            pl.col("min_fee_cents") * pl.col("quantity"),
        ),
        est_fulfillment=pl.when(pl.col("fulfillment_channel") == "Amazon")
        .then(pl.col("fba_fee_per_unit_cents") * pl.col("quantity"))
        .otherwise(0),
    )
    estimated = lines.filter(~pl.col("is_settled"))
    estimate_rows = pl.concat(
        [
            estimated.select(
                "order_line_id",
                event_date="order_date",
                amount_cents="est_marketplace",
                measure=pl.lit("marketplace_fees"),
            ),
            estimated.filter(pl.col("fulfillment_channel") == "Amazon").select(
                "order_line_id",
                event_date="order_date",
                amount_cents="est_fulfillment",
                measure=pl.lit("fulfillment_fees"),
            ),
        ]
    )
    # EU marketplaces sell VAT-inclusive (rule 28): the VAT of the seed rate on the order date is backed out of
    # gross, discounts and shipping; it is `taxes` unless Amazon withholds it as deemed supplier.
    withheld = vat_withheld_lines(rows)
    lines = (
        attach_vat_rate(lines, VAT_RATES, date="order_date")
        .join(withheld, on="order_line_id", how="left")
        .with_columns(
            pl.col("is_vat_withheld").fill_null(False),
            sale_gross=pl.when("is_settled").then("settled_gross").otherwise("item_price_cents"),
            sale_discounts=pl.when("is_settled").then("settled_discounts").otherwise("promotion_cents"),
            sale_shipping=pl.when("is_settled")
            .then("settled_shipping")
            .otherwise(pl.col("shipping_price_cents") + pl.col("gift_wrap_cents")),
        )
        .with_columns(
            vat_gross=vat_in(pl.col("sale_gross"), pl.col("vat_rate_e6")),
            vat_discounts=vat_in(pl.col("sale_discounts"), pl.col("vat_rate_e6")),
            vat_shipping=vat_in(pl.col("sale_shipping"), pl.col("vat_rate_e6")),
        )
    )
    base = lines.select(
        channel=pl.when(pl.col("fulfillment_channel") == "Amazon")
        .then(pl.lit("Amazon FBA"))
        .otherwise(pl.lit("Amazon FBM")),
        order_id="amazon_order_id",
        order_key="amazon_order_id",
        order_line_id="order_line_id",
        sku="sku",
        order_date="order_date",
        source_currency="currency",
        order_source=pl.lit("amazon_all_orders"),
        customer_email=pl.lit(None, pl.String),
        units="quantity",
        restocked_units=pl.lit(0, pl.Int64),  # FBA returns to sellable stock are not in these reports
        gross_cents=pl.col("sale_gross") - pl.col("vat_gross"),
        discounts_cents=pl.col("sale_discounts") - pl.col("vat_discounts"),
        shipping_revenue_cents=pl.col("sale_shipping") - pl.col("vat_shipping"),
        # Marketplace-facilitator tax and deemed-supplier VAT are collected and remitted by Amazon: outside
        # `taxes`; VAT the seller owes is a tax collected.
        taxes_cents=pl.when("is_vat_withheld")
        .then(0)
        .otherwise(pl.col("vat_gross") - pl.col("vat_discounts") + pl.col("vat_shipping")),
        payment_fees_cents=pl.lit(0, pl.Int64),
        fee_date="order_date",
        is_payment_fee_estimated=pl.lit(False),
        is_refund_estimated=pl.lit(False),
        is_marketplace_fee_estimated=~pl.col("is_settled"),
        is_cancelled=pl.lit(False),
        is_settled="is_settled",
        service_level="ship_service_level",
        destination_country="ship_country",
    )
    # A refund of an order the All Orders report never showed keeps a placeholder line (rule 27).
    placeholders = placeholder_lines(rows, lines["order_line_id"], AMAZON_REFUND_TYPES)
    base = pl.concat([base, placeholders.select(base.columns)], how="vertical_relaxed")
    # Refunds net of VAT at the line's rate (placeholders: their marketplace's rate on their date).
    placeholder_vat = attach_vat_rate(
        placeholders.select("order_line_id", "order_date").join(
            rows.group_by("order_line_id").agg(pl.col("marketplace").first()), on="order_line_id"
        ),
        VAT_RATES,
        date="order_date",
    ).join(withheld, on="order_line_id", how="left")
    line_vat = pl.concat(
        [
            lines.select("order_line_id", "vat_rate_e6", "is_vat_withheld"),
            placeholder_vat.select("order_line_id", "vat_rate_e6", pl.col("is_vat_withheld").fill_null(False)),
        ]
    )
    refund_rows = refunds_net_of_vat(refund_rows, line_vat)
    return base, pl.concat([fee_rows, estimate_rows]), refund_rows


# --------------------------------------------------------------------------- Etsy

ETSY_CHANNEL = "Etsy"
ETSY_PLATFORM = "etsy"
ETSY_OFFSITE_ADS_CAMPAIGN = "offsite_ads"
_ORDER_REFERENCE = r"Order #\s*(\d+)"
ETSY_ORDER_KINDS = ["refunds", "marketplace_fees", "payment_fees", "ad_spend", "shipping_cost"]


def etsy_statement_kind(type_: pl.Expr, title: pl.Expr) -> pl.Expr:
    """What a statement row is under rule 18, from its Type and Title; null for rows that are no cost
    (sales, tax collected and remitted by Etsy, deposits); `other_settlement_charge` for any other row."""
    return (
        pl.when((type_ == "Refund") & title.str.contains(r"^(Partial r|R)efund to buyer for Order #"))
        .then(pl.lit("refunds"))
        .when((type_ == "Fee") & title.str.contains(r"^(Transaction fee:|Credit for transaction fee)"))
        .then(pl.lit("marketplace_fees"))
        .when((type_ == "Fee") & title.str.contains(r"^(Processing fee|Credit for processing fee)"))
        .then(pl.lit("payment_fees"))
        .when((type_ == "Marketing") & title.str.starts_with("Offsite Ads fee"))
        .then(pl.lit("ad_spend"))
        .when((type_ == "Shipping") & title.str.to_lowercase().str.ends_with("shipping label"))
        .then(pl.lit("shipping_cost"))
        .when((type_ == "Fee") & title.str.starts_with("Listing fee"))
        .then(pl.lit("listing_fee"))
        .when((type_ == "Marketing") & (title == "Etsy Ads"))
        .then(pl.lit("marketplace_ads"))
        .when(~type_.is_in(["Sale", "Tax", "Deposit"]))
        .then(pl.lit("other_settlement_charge"))  # kept, not lost (principle 1): VAT on fees, credits, ...
    )


@dataclass
class EtsyTruth:
    """Rule 18 for one chunk: the lines, their dated amounts and what lands beside them."""

    base: pl.DataFrame
    event_rows: pl.DataFrame
    label_costs: pl.DataFrame
    """Per order: `order_key`, `shipping_cost_cents`, `shipping_date`, `is_shipping_cost_estimated`."""
    offsite_ads: pl.DataFrame
    """Allocation rows (`order_line_id`, `platform`, `campaign_id`, `date`, `amount_source`)."""
    daily_costs: pl.DataFrame


def etsy_lines(ctx: Context, world: EtsyWorld) -> EtsyTruth:
    """docs/metrics.md rule 18: Sold Order Items rows are the lines; the statement's rows that name an order
    ("Order #...") are its refunds, fees, Offsite Ads and labels, each dated by the statement row."""
    tz = ctx.timezone
    orders = world.orders.select("order_id", "shipping_cents", "shipping_discount_cents", "sale_utc")
    lines = (
        world.items.join(orders, on="order_id")
        .with_columns(
            order_line_id=pl.col("transaction_id"),
            order_date=local_date("sale_utc", tz),
            net_cents=pl.col("gross_cents") - pl.col("discount_cents"),
            order_shipping_net=pl.col("shipping_cents") - pl.col("shipping_discount_cents"),
        )
        .sort("order_line_id")
    )
    lines = allocate(
        lines,
        group="order_id",
        amount="order_shipping_net",
        weight="gross_cents",
        tiebreak="order_line_id",
        out="shipping_revenue_cents",
    )
    statement = world.statement.with_columns(
        event_date=local_date("event_utc", tz),
        order_id=pl.coalesce(
            pl.col("title").str.extract(_ORDER_REFERENCE), pl.col("info").str.extract(_ORDER_REFERENCE)
        ),
        kind=etsy_statement_kind(pl.col("type"), pl.col("title")),
        cost_cents=-pl.col("net_cents"),  # fees are negative on the statement, credits positive
    )
    of_orders = statement.filter(pl.col("kind").is_in(ETSY_ORDER_KINDS))
    sold = lines.select("order_id").unique()
    per_order = (
        of_orders.join(sold, on="order_id", how="semi")
        .group_by("order_id", "kind", "event_date")
        .agg(pl.col("cost_cents").sum())
        .sort("order_id", "kind", "event_date")
        .with_row_index("event_id")
    )

    # A refund up to what is left of the order's items (after discounts) is a refund of items, by net share;
    # the rest refunds shipping, by gross share.
    items_net = lines.group_by("order_id").agg(items_net=pl.col("net_cents").sum())
    refunds = (
        per_order.filter(pl.col("kind") == "refunds")
        .join(items_net, on="order_id")
        .with_columns(before=pl.col("cost_cents").cum_sum().over("order_id") - pl.col("cost_cents"))
        .with_columns(
            items_part=pl.min_horizontal("cost_cents", pl.max_horizontal(pl.col("items_net") - pl.col("before"), 0))
        )
    )
    by_order = lines.rename({"order_id": "order_seq"})  # the key _split_over_lines joins on
    event_rows = [
        _split_over_lines(
            refunds.select("event_id", "event_date", order_seq="order_id", amount_cents="items_part"),
            by_order,
            "net_cents",
            "refunds",
        ),
        _split_over_lines(
            refunds.select(
                "event_id",
                order_seq="order_id",
                event_date="event_date",
                amount_cents=pl.col("items_part") - pl.col("cost_cents"),
            ),
            by_order,
            "gross_cents",
            "shipping_revenue",
        ),
    ]
    for measure in ("marketplace_fees", "payment_fees", "ad_spend"):
        event_rows.append(
            _split_over_lines(
                per_order.filter(pl.col("kind") == measure).select(
                    "event_id", order_seq="order_id", event_date="event_date", amount_cents="cost_cents"
                ),
                by_order,
                "gross_cents",
                measure,
            )
        )
    rows = pl.concat(event_rows)
    offsite_ads = rows.filter(pl.col("measure") == "ad_spend").select(
        "order_line_id",
        platform=pl.lit(ETSY_PLATFORM),
        campaign_id=pl.lit(ETSY_OFFSITE_ADS_CAMPAIGN),
        date="event_date",
        amount_source="amount_cents",
    )
    label_costs = (
        per_order.filter(pl.col("kind") == "shipping_cost")
        .group_by("order_id")
        .agg(shipping_cost_cents=pl.col("cost_cents").sum(), shipping_date=pl.col("event_date").min())
        .select(
            order_key="order_id",
            shipping_cost_cents="shipping_cost_cents",
            shipping_date="shipping_date",
            is_shipping_cost_estimated=pl.lit(False),
        )
    )
    # An order's row naming no order the items file has (or none at all) is kept, not lost (principle 1).
    unmatched = of_orders.join(sold, on="order_id", how="anti").with_columns(kind=pl.lit("other_settlement_charge"))
    daily_costs = pl.concat(
        [
            statement.filter(
                pl.col("kind").is_in(["listing_fee", "marketplace_ads", "other_settlement_charge"])
                & pl.col("cost_cents").fill_null(0).ne(0)
            ),
            unmatched,
        ]
    ).select(
        cost_date="event_date",
        channel=pl.lit(ETSY_CHANNEL),
        platform=pl.lit(ETSY_PLATFORM),
        cost_type="kind",
        amount_cents="cost_cents",
        source_currency=pl.lit("USD"),
    )
    base = lines.select(
        channel=pl.lit(ETSY_CHANNEL),
        order_id="order_id",
        order_key="order_id",
        order_line_id="order_line_id",
        sku="sku",
        order_date="order_date",
        source_currency=pl.lit("USD"),
        order_source=pl.lit("etsy_sold_order_items"),
        customer_email=pl.lit(None, pl.String),  # no buyer identity is used
        units="quantity",
        restocked_units=pl.lit(0, pl.Int64),
        gross_cents="gross_cents",
        discounts_cents="discount_cents",
        shipping_revenue_cents="shipping_revenue_cents",
        taxes_cents=pl.lit(0, pl.Int64),  # Etsy collects and remits US sales tax (marketplace facilitator)
        payment_fees_cents=pl.lit(0, pl.Int64),  # the processing fees are event rows, dated by the statement
        fee_date="order_date",
        is_payment_fee_estimated=pl.lit(False),
        is_refund_estimated=pl.lit(False),
        is_marketplace_fee_estimated=pl.lit(False),
        is_cancelled=pl.lit(False),
        service_level=pl.lit(None, pl.String),
        destination_country=pl.lit("US"),
    )
    return EtsyTruth(
        base=base,
        event_rows=rows.filter(pl.col("measure") != "ad_spend"),
        label_costs=label_costs,
        offsite_ads=offsite_ads,
        daily_costs=daily_costs,
    )


# --------------------------------------------------------------------------- Shipping cost


# --------------------------------------------------------------------------- Attribution


# --------------------------------------------------------------------------- Attribution

_URL_ESCAPES = [("+", " "), ("%20", " "), ("%2B", "+"), ("%26", "&"), ("%2F", "/"), ("%3D", "="), ("%25", "%")]


def _query_param(name: str) -> pl.Expr:
    """A query parameter's decoded value ('+' and %20 are spaces), null when absent or empty."""
    value = pl.col("landing_url").str.extract(rf"[?&]{name}=([^&#]*)")
    for escape, text in _URL_ESCAPES:
        value = value.str.replace_all(escape, text, literal=True)
    return pl.when(value != "").then(value)


def parse_touch_urls(touches: pl.DataFrame, utm_map: dict[str, str]) -> pl.DataFrame:
    """UTM parameters and click ids of each touch's landing URL; the ad platform they point to."""
    has = {key: pl.col("landing_url").str.contains(rf"[?&]{key}=") for key in ("gclid", "fbclid")}
    return touches.with_columns(
        utm_source=_query_param("utm_source"), utm_campaign=_query_param("utm_campaign")
    ).with_columns(
        platform=pl.when(has["gclid"])
        .then(pl.lit("google_ads"))
        .when(has["fbclid"])
        .then(pl.lit("meta_ads"))
        .otherwise(pl.col("utm_source").str.to_lowercase().replace_strict(utm_map, default=None))
    )


def _url_path_query(col: str) -> pl.Expr:
    return pl.col(col).str.replace(r"^https?://[^/]+", "")


def touchpoint_visits(touchpoints: pl.DataFrame) -> pl.DataFrame:
    """The touchpoint export's visits, keyed by the trimmed, lower-cased email (`email_key`)."""
    return touchpoints.select(
        "occurred_utc",
        "landing_url",
        email_key=pl.col("customer_email").str.strip_chars().str.to_lowercase(),
        is_landing_site=pl.lit(False),
    )


def customer_touches(orders: pl.DataFrame, visits: pl.DataFrame) -> pl.DataFrame:
    """The customers' touches: the landing sites of their orders (each at its order's creation) and their
    visits in the touchpoint export (`touchpoint_visits`), matched on `email_key`. Per customer: given the
    orders and visits of some customers, the touches of exactly those.

    `orders` has the order's creation time, its email key and its visible `landing_site` (null for CSV-only
    and draft orders)."""
    landing = orders.filter(pl.col("landing_site").is_not_null()).select(
        "email_key", occurred_utc="created_utc", landing_url="landing_site", is_landing_site=pl.lit(True)
    )
    # An exported visit to the same path and query in the 30 minutes before a landing site is that visit.
    same_visit = visits.join(
        landing.select("email_key", site_utc="occurred_utc", site_path=_url_path_query("landing_url")),
        on="email_key",
    ).filter(
        (_url_path_query("landing_url") == pl.col("site_path"))
        & (pl.col("occurred_utc") <= pl.col("site_utc"))
        & (pl.col("occurred_utc") >= pl.col("site_utc") - SAME_VISIT_SECONDS)
    )
    exported = visits.join(
        same_visit.select("email_key", "occurred_utc", "landing_url"),
        on=["email_key", "occurred_utc", "landing_url"],
        how="anti",
    )
    return pl.concat([exported, landing.select(exported.columns)]).unique()


def google_click_campaigns(click_view: pl.DataFrame) -> pl.DataFrame:
    """The Google click export (gclid, campaign_id) as gclid -> `click_campaign`, the last row of a gclid."""
    return click_view.select("gclid", click_campaign="campaign_id").unique("gclid", keep="last")


def order_touches(
    ctx: Context, orders: pl.DataFrame, touches_of_customers: pl.DataFrame, clicks: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Every touch of each Shopify order's lookback window, with its platform and campaign.

    `touches_of_customers`: `customer_touches` (of these orders' customers at least); `clicks`:
    `google_click_campaigns`, for a Google touch whose utm_campaign names no campaign (rule 41).
    """
    candidates = (
        orders.select("order_seq", "created_utc", "email_key")
        .join(touches_of_customers, on="email_key")
        .filter(
            (pl.col("occurred_utc") <= pl.col("created_utc"))
            & (pl.col("occurred_utc") >= pl.col("created_utc") - LOOKBACK_SECONDS)
        )
        .select("order_seq", "created_utc", "occurred_utc", "landing_url", "is_landing_site")
    )
    utm_map = dict(pl.read_csv(SEEDS / "utm_source_map.csv").iter_rows())
    touches = parse_touch_urls(candidates, utm_map)
    campaigns = ctx.campaigns.select("platform", "campaign_id", "campaign_name")
    by_id = campaigns.select("platform", campaign_by_id="campaign_id", key=pl.col("campaign_id"))
    by_name = campaigns.select(
        "platform", campaign_by_name="campaign_id", key=pl.col("campaign_name").str.to_lowercase()
    )
    touches = (
        touches.with_columns(key_name=pl.col("utm_campaign").str.to_lowercase())
        .join(by_id, left_on=["platform", "utm_campaign"], right_on=["platform", "key"], how="left")
        .join(by_name, left_on=["platform", "key_name"], right_on=["platform", "key"], how="left")
        .with_columns(campaign_id=pl.coalesce("campaign_by_id", "campaign_by_name"))
    )
    if clicks is not None:  # auto-tagged Google clicks: gclid -> campaign (rule 41)
        touches = (
            touches.with_columns(gclid=_query_param("gclid"))
            .join(clicks, on="gclid", how="left")
            .with_columns(
                campaign_id=pl.coalesce(
                    "campaign_id", pl.when(pl.col("platform") == "google_ads").then(pl.col("click_campaign"))
                )
            )
        )
    return touches


def last_click(ctx: Context, orders: pl.DataFrame, touches: pl.DataFrame) -> pl.DataFrame:
    """The credited touch of each Shopify order under the default last-click model (`touches`: order_touches)."""
    has_paid = touches.group_by("order_seq").agg(any_paid=pl.col("platform").is_not_null().any())
    credited = (
        touches.join(has_paid, on="order_seq")
        .filter(pl.col("platform").is_not_null() | ~pl.col("any_paid"))
        .group_by("order_seq")
        .agg(pl.all().sort_by("occurred_utc", "is_landing_site", "landing_url").last())
    )
    return (
        credited.join(orders.select("order_seq", "name"), on="order_seq")
        .select(
            order_id="name",
            touch_occurred_utc="occurred_utc",
            touch_date=local_date("occurred_utc", ctx.timezone),
            platform="platform",
            campaign_id="campaign_id",
            landing_url="landing_url",
        )
        .sort("order_id")
    )


def allocate_ad_spend(
    ctx: Context, lines: pl.DataFrame, credited: pl.DataFrame, fx: Fx, etsy_offsite_ads: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Campaign-day spend over credited lines by gross_sales - discounts (contract v2); Amazon Ads
    (Sponsored Products and Display) by units of the SKU that day, Sponsored Brands none (rule 39);
    Etsy Offsite Ads fees, already on their order's lines (rule 18), as they are.

    Returns the allocation rows (line, platform, campaign, spend date, amounts) and the
    unallocated remainder per platform and day.
    """
    spend = ctx.campaign_daily.select("platform", "campaign_id", "date", spend_cents="spend_cents")
    candidates = (
        lines.filter(pl.col("channel") == "Shopify Web")
        .join(credited.filter(pl.col("campaign_id").is_not_null()), on="order_id")
        .select(
            "order_line_id",
            "platform",
            "campaign_id",
            date="touch_date",
            # contract v2: credit x (gross_sales - discounts); refunds later do not move acquisition cost
            weight=pl.col("gross_sales_rep") - pl.col("discounts_rep"),
        )
    )
    group = ["platform", "campaign_id", "date"]
    web = allocate(
        spend.join(candidates, on=group, how="inner")
        .with_columns(group_weight=pl.col("weight").sum().over(group))
        .filter(pl.col("group_weight") > 0),  # lines with no net sales take no spend
        group=group,
        amount="spend_cents",
        weight="weight",
        tiebreak="order_line_id",
        out="amount_source",
    )
    # Rule 42: a campaign-day no campaign-matched line carried goes to the lines of orders credited to a
    # touch of that platform and day whose campaign is unknown, by the same weight.
    placed_groups = web.select(group).unique()
    orphan = spend.join(placed_groups, on=group, how="anti")
    platform_only = (
        lines.filter(pl.col("channel") == "Shopify Web")
        .join(
            credited.filter(pl.col("campaign_id").is_null() & pl.col("platform").is_not_null()).drop("campaign_id"),
            on="order_id",
        )
        .select(
            "order_line_id",
            "platform",
            date="touch_date",
            weight=pl.col("gross_sales_rep") - pl.col("discounts_rep"),
        )
    )
    platform_share = allocate(
        orphan.join(platform_only, on=["platform", "date"], how="inner")
        .with_columns(group_weight=pl.col("weight").sum().over(group))
        .filter(pl.col("group_weight") > 0),
        group=group,
        amount="spend_cents",
        weight="weight",
        tiebreak="order_line_id",
        out="amount_source",
    )
    shares = ["order_line_id", "platform", "campaign_id", "date", "amount_source"]
    web = pl.concat([web.select(shares), platform_share.select(shares)])
    # The Sponsored Products report is one marketplace's (its budget currency): spend goes to that
    # marketplace's lines of the advertised SKU on the day, by units, per campaign.
    amazon_spend = (
        ctx.amazon_ads_daily.group_by("campaign_id", "sku", "date")
        .agg(spend_cents=pl.col("spend_cents").sum())
        .with_columns(platform=pl.lit("amazon_ads"), source_currency=pl.lit("USD"))
    )
    # A placeholder line (rule 27: no units sold) takes no spend.
    amazon_candidates = lines.filter(
        pl.col("channel").is_in(["Amazon FBA", "Amazon FBM"]) & (pl.col("units") > 0)
    ).select("order_line_id", "sku", "source_currency", date="order_date", weight="units")
    amz = allocate(
        amazon_spend.join(amazon_candidates, on=["sku", "date", "source_currency"], how="inner"),
        group=["campaign_id", "sku", "date"],
        amount="spend_cents",
        weight="weight",
        tiebreak="order_line_id",
        out="amount_source",
    )
    columns = ["order_line_id", "platform", "campaign_id", "date", "amount_source"]
    allocation = pl.concat([web.select(columns), amz.select(columns), etsy_offsite_ads.select(columns)]).with_columns(
        source_currency=pl.lit("USD")
    )
    allocation = fx.attach(allocation, currency="source_currency", date="date").select(
        "order_line_id",
        "platform",
        "campaign_id",
        spend_date="date",
        amount_source="amount_source",
        source_currency="source_currency",
        amount=fx_convert(pl.col("amount_source"), pl.col("rate_e6")),
    )
    reported = pl.concat(
        [
            spend.group_by("platform", "date").agg(pl.col("spend_cents").sum()),
            amazon_spend.group_by("platform", "date").agg(pl.col("spend_cents").sum()),
        ]
    )
    placed = allocation.group_by("platform", date="spend_date").agg(placed=pl.col("amount_source").sum())
    unallocated = (
        reported.join(placed, on=["platform", "date"], how="left")
        .select(
            cost_date="date",
            channel=pl.lit("Unassigned"),
            platform="platform",
            cost_type=pl.lit("unallocated_ad_spend"),
            amount_cents=pl.col("spend_cents") - pl.col("placed").fill_null(0),
            source_currency=pl.lit("USD"),
        )
        .filter(pl.col("amount_cents") != 0)
    )
    return allocation.sort(["spend_date", "platform", "order_line_id", "campaign_id"]), unallocated


# --------------------------------------------------------------------------- Per chunk


def _converted(fx: Fx, rows: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
    """Event rows summed per (line, measure, date) in source currency, each converted at its date (`rep`)."""
    summed = (
        rows.group_by("order_line_id", "measure", "event_date")
        .agg(pl.col("amount_cents").sum())
        .join(lines.select("order_line_id", "source_currency"), on="order_line_id")
    )
    rated = fx.attach(summed, currency="source_currency", date="event_date")
    return rated.with_columns(rep=fx_convert(pl.col("amount_cents"), pl.col("rate_e6")))


def chunk_lines(ctx: Context, chunk: Chunk, fx: Fx) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Every measure of the chunk's order lines except ad spend, the costs no line carries (invoices, Etsy
    listing fees and ads), the lines' amounts by the date of their own event (the cash view, in the
    reporting currency), and the Etsy Offsite Ads fees to allocate with the ad spend."""
    shop_base, shop_refund_rows = shopify_lines(ctx, gift_cards.without_gift_cards(chunk.shopify))
    amz_base, amz_fee_rows, amz_refund_rows = amazon_lines(ctx, chunk.amazon)
    etsy = etsy_lines(ctx, chunk.etsy)
    base = pl.concat([shop_base, amz_base.drop("is_settled"), etsy.base], how="vertical_relaxed")

    # Event rows (measure, date, source amount): order-dated sales and everything dated apart.
    order_dated = [
        ("gross_sales", "gross_cents", "order_date"),
        ("discounts", "discounts_cents", "order_date"),
        ("shipping_revenue", "shipping_revenue_cents", "order_date"),
        ("taxes", "taxes_cents", "order_date"),
        ("payment_fees", "payment_fees_cents", "fee_date"),
    ]
    sales_rows = pl.concat(
        [
            base.select("order_line_id", event_date=date, amount_cents=col, measure=pl.lit(measure))
            for measure, col, date in order_dated
        ]
    )
    rows = pl.concat(
        [sales_rows, shop_refund_rows, amz_fee_rows, amz_refund_rows, etsy.event_rows], how="vertical_relaxed"
    )
    dated = _converted(fx, rows, base)
    converted = dated.group_by("order_line_id", "measure").agg(
        source=pl.col("amount_cents").sum(), rep=pl.col("rep").sum()
    )
    lines = base
    for suffix, values in (("source", "source"), ("rep", "rep")):
        wide = converted.pivot(on="measure", index="order_line_id", values=values)
        lines = lines.join(
            wide.rename({c: f"{c}_{suffix}" for c in wide.columns if c != "order_line_id"}),
            on="order_line_id",
            how="left",
        )
    lines = lines.with_columns(
        pl.col(f"{m}_{suffix}").fill_null(0)
        if f"{m}_{suffix}" in lines.columns
        else pl.lit(0, pl.Int64).alias(f"{m}_{suffix}")
        for m in CONVERTED_MEASURES
        for suffix in ("source", "rep")
    ).with_columns(
        net_sales_source=PNL.subtotal("net_sales", _columns("_source")),
        net_sales_rep=PNL.subtotal("net_sales", _columns("_rep")),
    )

    # COGS at the landed cost effective on the order date, in the cost's currency, converted at the rate of
    # the cost row's effective_from (what the brand paid; rule 9, contract v2), not the order date.
    lines = _landed_cost(ctx.cost_history, lines).with_columns(
        cogs_cost_ccy=(pl.col("units") - pl.col("restocked_units")) * pl.col("landed_unit_cost_cents")
    )
    lines = fx.attach(lines, currency="cost_currency", date="cost_effective_from", out="cogs_rate_e6").with_columns(
        cogs_rep=fx_convert(pl.col("cogs_cost_ccy"), pl.col("cogs_rate_e6"))
    )

    # Shipping cost per line and date: every parcel of the order to its fulfillment's lines (or all lines
    # that need shipping) by units, else the rate card; Etsy's own labels by units (rule 12, contract v2).
    ship_rows, unassigned_shipping = truth_shipping.shipping_cost_rows(ctx, chunk, lines, etsy.label_costs)
    ship_rows = fx.attach(ship_rows, currency="ship_ccy", date="shipping_date", out="ship_rate_e6").with_columns(
        shipping_cost_rep=fx_convert(pl.col("shipping_cost_cents"), pl.col("ship_rate_e6"))
    )
    lines = (
        lines.join(
            ship_rows.group_by("order_line_id").agg(
                shipping_cost_line=pl.col("shipping_cost_cents").sum(),
                shipping_cost_rep=pl.col("shipping_cost_rep").sum(),
                is_shipping_cost_estimated=pl.col("is_shipping_cost_estimated").any(),
            ),
            on="order_line_id",
            how="left",
        )
        .with_columns(
            pl.col("shipping_cost_line").fill_null(0),
            pl.col("shipping_cost_rep").fill_null(0),
            pl.col("is_shipping_cost_estimated").fill_null(False),
        )
        .with_columns(
            is_estimated=pl.col("is_payment_fee_estimated")
            | pl.col("is_refund_estimated")
            | pl.col("is_marketplace_fee_estimated")
            | pl.col("is_shipping_cost_estimated"),
        )
    )
    channel = lines.select("order_line_id", "channel")
    cash = (
        pl.concat(
            [
                dated.join(channel, on="order_line_id").select("channel", "measure", "event_date", amount="rep"),
                lines.select("channel", measure=pl.lit("cogs"), event_date="order_date", amount="cogs_rep"),
                ship_rows.join(channel, on="order_line_id").select(
                    "channel", measure=pl.lit("shipping_cost"), event_date="shipping_date", amount="shipping_cost_rep"
                ),
            ]
        )
        .group_by("event_date", "channel", "measure")
        .agg(pl.col("amount").sum())
    )
    costs = pl.concat([unassigned_shipping, etsy.daily_costs], how="vertical_relaxed")
    return lines.sort(["order_date", "order_id", "order_line_id"]), costs, cash, etsy.offsite_ads


def _visible_orders(chunk: Chunk, api_from_utc: int) -> pl.DataFrame:
    """What attribution sees of each Shopify order: creation, email, and the API's landing_site."""
    orders = chunk.shopify.orders
    sites = landing_sites(orders, chunk.shopify.touches)
    return orders.join(sites, on="order_seq", how="left").select(
        "order_seq",
        "name",
        "created_utc",
        email_key=pl.col("email").str.strip_chars().str.to_lowercase(),
        landing_site=pl.when(pl.col("created_utc") >= api_from_utc).then(pl.col("landing_site")),
    )


# --------------------------------------------------------------------------- Assembly


def _taken(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """The parts as one frame, the list emptied: the parts are freed once copied into the frame (at 10M lines
    the period-wide frames are GBs, and holding the parts beside the frame doubled them)."""
    frame = pl.concat(parts)
    parts.clear()
    return frame


class TruthBuilder:
    """Computes the truth chunk by chunk; attribution and the final files need the whole period.

    Per chunk, every line measure but ad spend is computed and parked as Parquet.
    At the end, last click runs over all orders and visits, spend is allocated,
    and the parked lines are streamed into `order_lines.csv` with their ad spend.
    """

    def __init__(self, ctx: Context, folder: Path):
        self.ctx = ctx
        self.folder = folder
        self.fx = Fx(ctx.fx)
        self.parts = folder / ".parts"
        shutil.rmtree(folder, ignore_errors=True)
        self.parts.mkdir(parents=True)
        self.part_paths: list[Path] = []
        self.slim_lines: list[pl.DataFrame] = []
        self.restock_sales: list[pl.DataFrame] = []
        self.orders: list[pl.DataFrame] = []
        self.costs: list[pl.DataFrame] = []
        self.etsy_offsite_ads: list[pl.DataFrame] = []
        self.google_clicks: list[pl.DataFrame] = []
        self.cash: list[pl.DataFrame] = []
        self.order_dated: list[pl.DataFrame] = []
        self.gift_card_events: list[pl.DataFrame] = []
        self.kpi_lines: list[pl.DataFrame] = []
        self.planted = open(folder / "planted_touches.csv", "w", encoding="utf-8", newline="")  # noqa: SIM115
        self.planted_header = True

    def add(self, chunk: Chunk) -> None:
        lines, unassigned, cash, offsite_ads = chunk_lines(self.ctx, chunk, self.fx)
        self.gift_card_events.append(
            gift_cards.liability_events(chunk.shopify, self.ctx.timezone, self.ctx.api_from_utc)
        )
        self.etsy_offsite_ads.append(offsite_ads)
        self.cash.append(cash)
        path = self.parts / f"lines_{chunk.index:04d}.parquet"
        lines.write_parquet(path)
        self.part_paths.append(path)
        self.slim_lines.append(
            lines.select(
                "order_line_id",
                "order_id",
                "channel",
                "sku",
                "order_date",
                "source_currency",
                "units",
                "gross_sales_rep",
                "discounts_rep",
            )
        )
        # The marketplace of an Amazon line is its All Orders `sales-channel`.
        marketplaces = chunk.amazon.orders.select("order_line_id", "marketplace").unique("order_line_id")
        self.restock_sales.append(truth_restock.daily_sales(lines.join(marketplaces, on="order_line_id", how="left")))
        self.orders.append(_visible_orders(chunk, self.ctx.api_from_utc))
        self.google_clicks.append(google_clicks(chunk.shopify.touches, self.ctx.timezone))
        self.costs.append(unassigned)
        planted = chunk.shopify.touches.join(chunk.shopify.orders.select("order_seq", "name"), on="order_seq").sort(
            ["order_seq", "occurred_utc", "is_order_visit", "landing_url"]
        )
        self.planted.write(
            planted.select(
                order_id="name",
                occurred_at=pl.from_epoch("occurred_utc").dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
                is_order_visit="is_order_visit",
                kind="kind",
                platform="platform",
                campaign_id="campaign_id",
                landing_url="landing_url",
            ).write_csv(include_header=self.planted_header)
        )
        self.planted_header = False

    def finish(self, touchpoints: pl.DataFrame, inventory_snapshots: pl.DataFrame | None = None) -> Truth:
        ctx, folder = self.ctx, self.folder
        if inventory_snapshots is not None:
            sales = _taken(self.restock_sales).group_by("location", "sku", "order_date").agg(pl.col("units").sum())
            truth_restock.recommendations(inventory_snapshots, sales, ctx.products).write_csv(
                folder / "restock_recommendations.csv"
            )
        self.planted.close()
        lines = _taken(self.slim_lines)
        orders = _taken(self.orders)
        credited = self._attribute(orders, touchpoints)
        allocation, unallocated_ads = allocate_ad_spend(ctx, lines, credited, self.fx, pl.concat(self.etsy_offsite_ads))
        allocation.with_columns(
            cents_str("amount_source").alias("amount_source"), cents_str("amount").alias("amount")
        ).write_csv(folder / "ad_spend_allocation.csv")
        ad_spend = allocation.group_by("order_line_id").agg(ad_spend_rep=pl.col("amount").sum())

        channel_totals = []
        with open(folder / "order_lines.csv", "w", encoding="utf-8", newline="") as target:
            for i, path in enumerate(self.part_paths):  # one chunk in memory at a time
                part = (
                    pl.read_parquet(path)
                    .join(ad_spend, on="order_line_id", how="left")
                    .with_columns(pl.col("ad_spend_rep").fill_null(0))
                    # The margins once every amount is known (ad spend is allocated over the whole period).
                    .with_columns(
                        PNL.subtotal(s, _columns("_rep")).alias(f"{s}_rep")
                        for s in PNL.names(kind="subtotal", grain="order_line")
                    )
                    .sort(["order_date", "order_id", "order_line_id"])
                    .select(OUTPUT_COLUMNS)
                )
                self.order_dated.append(
                    part.group_by("order_date", "channel").agg(pl.col(m).sum() for m in DAILY_PNL_MEASURES)
                )
                channel_totals.append(
                    part.group_by("channel").agg(
                        pl.len().alias("order_lines"),
                        pl.col("units").sum(),
                        pl.col("order_id").n_unique().alias("orders"),
                        *[pl.col(m).sum() for m in SUMMARY_MEASURES],
                    )
                )
                self.kpi_lines.append(
                    part.select(
                        "order_line_id", "channel", "order_id", "order_date", "units", *truth_kpis.LINE_MEASURES
                    )
                )
                money = [c for c in part.columns if c in MEASURES or (c.endswith("_source") and c != "order_source")]
                target.write(part.with_columns(cents_str(c).alias(c) for c in money).write_csv(include_header=i == 0))
        unreported_ads, _ = unreported_ad_charges(
            ctx.other_settlement_rows, ctx.settlements, ctx.amazon_ads_daily, ctx.timezone
        )
        daily_costs = _daily_costs(
            ctx,
            self.fx,
            pl.concat(
                [
                    *self.costs,
                    _sample_costs(ctx),
                    truth_shipping.unlinked_label_costs(ctx),
                    reimbursement_costs(ctx),
                    unallocated_ads,
                    unreported_ads,
                ]
            ),
        )
        daily_costs.with_columns(
            cents_str("amount").alias("amount"), cents_str("amount_source").alias("amount_source")
        ).write_csv(folder / "daily_costs.csv")
        credited.with_columns(
            touch_occurred_at=pl.from_epoch("touch_occurred_utc").dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        ).drop("touch_occurred_utc").write_csv(folder / "attribution_last_click.csv")
        self._write_daily_pnl(allocation, lines)
        self._write_marketing_kpis(orders, credited, allocation)
        gift_cards.liability_daily(pl.concat(self.gift_card_events)).select(
            "activity_date",
            "source_currency",
            *(cents_str(f"{c}_cents").alias(f"{c}_amount") for c in ("sold", "redeemed", "outstanding")),
            "gift_cards_sold",
        ).write_csv(folder / "gift_card_liability.csv")
        ctx.halo.write_csv(folder / "halo_daily.csv")
        (folder / "halo.json").write_text(json.dumps(HALO_DESCRIPTION, indent=2) + "\n")
        etsy_offsite_cents = int(pl.concat(self.etsy_offsite_ads)["amount_source"].sum())
        summary = _summary(ctx, pl.concat(channel_totals), daily_costs, etsy_offsite_cents)
        (folder / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
        (folder / "README.md").write_text(TRUTH_README)
        shutil.rmtree(self.parts)
        return Truth(folder=folder, summary=summary)

    def _attribute(self, orders: pl.DataFrame, touchpoints: pl.DataFrame) -> pl.DataFrame:
        """Each Shopify order's last-click credited touch (returned) and the rule-based models' credits
        (`attribution_credits.csv`), a batch of orders at a time: an order's journey is its customer's touches
        in its lookback window, so batches are independent, and the whole period's journeys (0.4 GB more at
        1M lines, growing with the period, with last click's grouping on top) are never in memory at once."""
        ctx = self.ctx
        visits = touchpoint_visits(touchpoints)
        clicks = google_click_campaigns(_taken(self.google_clicks))
        credited = []
        with open(self.folder / "attribution_credits.csv", "w", encoding="utf-8", newline="") as target:
            for number, batch in enumerate(truth_attribution.order_batches(orders, ATTRIBUTION_ORDERS_PER_BATCH)):
                of_batch = pl.col("email_key").is_in(batch["email_key"].unique().drop_nulls().implode())
                touches_of_customers = customer_touches(orders.filter(of_batch), visits.filter(of_batch))
                touches = order_touches(ctx, batch, touches_of_customers, clicks)
                credited.append(last_click(ctx, batch, touches))
                credits = truth_attribution.rule_based_credits(touches, batch, ctx.timezone)
                target.write(credits.write_csv(include_header=number == 0))
            if not credited:  # no Shopify order: the header alone
                empty = order_touches(ctx, orders, customer_touches(orders, visits), clicks)
                credited.append(last_click(ctx, orders, empty))
                target.write(truth_attribution.rule_based_credits(empty, orders, ctx.timezone).write_csv())
        return pl.concat(credited).sort("order_id")

    def _write_marketing_kpis(self, orders: pl.DataFrame, credited: pl.DataFrame, allocation: pl.DataFrame) -> None:
        """The KPI marts' truth (`marketing_kpis_monthly.csv`, `cohort_ltv.csv`, docs/metrics.md rules 58-64)."""
        ctx = self.ctx
        kpi_lines = _taken(self.kpi_lines)
        spend = truth_kpis.reported_spend(ctx.campaign_daily, ctx.amazon_ads_daily, pl.concat(self.etsy_offsite_ads))
        monthly, buyers, customer_lines = truth_kpis.monthly_kpis(
            kpi_lines, orders, credited, allocation, spend, ctx.timezone
        )
        ltv = truth_kpis.cohort_ltv(monthly, buyers, customer_lines, kpi_lines["order_date"].max())
        truth_kpis.write(self.folder, monthly, ltv, REPORTING_CURRENCY)

    def _write_daily_pnl(self, allocation: pl.DataFrame, lines: pl.DataFrame) -> None:
        """Line amounts per day and channel in both time views (`daily_pnl.csv`, reporting currency)."""
        order_view = (
            _taken(self.order_dated)
            .group_by("order_date", "channel")
            .agg(pl.all().sum())
            .unpivot(index=["order_date", "channel"], variable_name="measure", value_name="amount")
            .select(view=pl.lit("order_date"), date="order_date", channel="channel", measure="measure", amount="amount")
        )
        ad_cash = allocation.join(lines.select("order_line_id", "channel"), on="order_line_id").select(
            "channel", measure=pl.lit("ad_spend"), event_date="spend_date", amount="amount"
        )
        cash_view = (
            pl.concat([*self.cash, ad_cash.select(self.cash[0].columns)] if self.cash else [ad_cash])
            .filter(pl.col("measure").is_in(DAILY_PNL_MEASURES))
            .group_by("event_date", "channel", "measure")
            .agg(pl.col("amount").sum())
            .select(view=pl.lit("cash"), date="event_date", channel="channel", measure="measure", amount="amount")
        )
        pnl = pl.concat([order_view, cash_view]).filter(pl.col("amount") != 0)
        pnl.sort(["view", "date", "channel", "measure"]).with_columns(cents_str("amount").alias("amount")).write_csv(
            self.folder / "daily_pnl.csv"
        )


HALO_DESCRIPTION = {
    "series": (
        "Amazon.com daily gross sales (USD: units x item price before promotions and refunds, by purchase date in "
        "the brand's time zone): the halo adds orders worth beta x adstock a day, of which ~1.5 % are cancelled"
    ),
    "lag_days": HALO["lag_days"],
    "decay": HALO["decay"],
    "coefficients_usd_sales_per_usd_spend": HALO["coefficients"],
    "adstock": "A(d) = sum_k decay^k * spend(d - lag - k)",
}
CONVERTED_MEASURES = [
    "gross_sales",
    "discounts",
    "refunds",
    "shipping_revenue",
    "taxes",
    "payment_fees",
    "marketplace_fees",
    "fulfillment_fees",
]
SUMMARY_MEASURES = PNL.names(grain="order_line", in_margins=True)  # taxes are a pass-through
# Amounts that have an event date of their own (the margins and net sales are derived from them).
DAILY_PNL_MEASURES = PNL.names(kind="amount", grain="order_line", in_margins=True)
OUTPUT_COLUMNS = [
    "channel",
    "order_id",
    "order_line_id",
    "sku",
    "order_date",
    "order_source",
    pl.lit(REPORTING_CURRENCY).alias("reporting_currency"),
    "source_currency",
    "units",
    "restocked_units",
    *[pl.col(f"{m}_rep").alias(m) for m in MEASURES],
    *[f"{m}_source" for m in SOURCE_TWINS],
    "is_estimated",
    "is_payment_fee_estimated",
    "is_marketplace_fee_estimated",
    "is_shipping_cost_estimated",
    "is_refund_estimated",
]


def _sample_costs(ctx: Context) -> pl.DataFrame:
    """Invoiced parcels that match no order."""
    return ctx.sample_invoices.select(
        cost_date=local_date("ship_utc", ctx.timezone),
        channel=pl.lit("Unassigned"),
        platform=pl.lit("carrier"),
        cost_type=pl.lit("unallocated_shipping"),
        amount_cents="cost_cents",
        source_currency=pl.lit("USD"),
    )


def _daily_costs(ctx: Context, fx: Fx, costs: pl.DataFrame) -> pl.DataFrame:
    """The daily cost fact: settlement storage and subscription fees plus the given cost rows."""
    mapping = {
        "Storage Fee": "storage_fee",
        "FBA Long-Term Storage": "storage_fee",
        "Subscription Fee": "subscription_fee",
    }
    settlement_costs = ctx.other_settlement_rows.filter(pl.col("amount_description").is_in(list(mapping))).select(
        cost_date=local_date("posted_utc", ctx.timezone),
        channel=pl.when(pl.col("amount_description") == "Subscription Fee")
        .then(pl.lit("Unassigned"))
        .otherwise(pl.lit("Amazon FBA")),
        platform=pl.lit("amazon"),
        cost_type=pl.col("amount_description").replace_strict(mapping),
        amount_cents=-pl.col("amount_cents"),
        source_currency="currency",
    )
    keys = ["cost_date", "channel", "platform", "cost_type", "source_currency"]
    costs = (
        pl.concat([settlement_costs, costs], how="vertical_relaxed").group_by(keys).agg(pl.col("amount_cents").sum())
    )
    rated = fx.attach(costs, currency="source_currency", date="cost_date")
    return rated.select(
        "cost_date",
        "channel",
        "platform",
        "cost_type",
        amount=fx_convert(pl.col("amount_cents"), pl.col("rate_e6")),
        amount_source="amount_cents",
        source_currency="source_currency",
    ).sort(["cost_date", "cost_type", "platform", "channel", "source_currency"])


def _summary(ctx: Context, channel_parts: pl.DataFrame, costs: pl.DataFrame, etsy_offsite_cents: int) -> dict:
    by_channel = channel_parts.group_by("channel").agg(pl.all().sum())
    channel_costs = costs.group_by("channel").agg(daily_costs=pl.col("amount").sum())
    channels = by_channel.join(channel_costs, on="channel", how="full", coalesce=True).fill_null(0).sort("channel")
    totals = {m: int(by_channel[m].sum()) for m in SUMMARY_MEASURES}
    totals["daily_costs"] = int(costs["amount"].sum())
    for subtotal in PNL.names(kind="subtotal", grain="day"):
        totals[subtotal] = PNL.subtotal(subtotal, totals)
    return {
        "period": {"start": ctx.start.isoformat(), "end": ctx.end_date.isoformat(), "days": ctx.n_days},
        "reporting_currency": REPORTING_CURRENCY,
        "order_lines": int(by_channel["order_lines"].sum()),
        "orders": int(by_channel["orders"].sum()),
        "channels": [
            {k: (v if isinstance(v, str) else int(v)) for k, v in row.items()} for row in channels.iter_rows(named=True)
        ],
        "daily_costs_by_type": {
            r["cost_type"]: int(r["amount"])
            for r in costs.group_by("cost_type").agg(pl.col("amount").sum()).sort("cost_type").iter_rows(named=True)
        },
        "totals_cents": totals,
        # The ad platforms' reports plus the Offsite Ads fees on Etsy's statements.
        "reported_ad_spend_cents": int(
            ctx.campaign_daily["spend_cents"].sum() + ctx.amazon_ads_daily["spend_cents"].sum() + etsy_offsite_cents
        ),
    }


TRUTH_README = """\
# Ground truth

What docs/metrics.md (the accounting contract) computes from the files in this data set, produced by
`demo/truth.py`, a small implementation independent of the dbt
models. Money is in cents internally and written with two decimals. Reporting
currency: USD (the FX pivot), brand time zone America/New_York.

## Files
- `order_lines.csv`: one row per sold order line (`fct_financial_performance`
  grain) with every measure in the reporting currency, `*_source` twins in the
  source currency, and the estimate flags.
- `gift_card_liability.csv`: gift cards sold, redeemed and outstanding per day (`fct_gift_card_liability`
  grain), in the shop currency (docs/metrics.md rule 22).
- `daily_costs.csv`: costs no line carries (`fct_daily_costs` grain: cost_date,
  channel, platform, cost_type and source_currency; the currency is part of the
  key because source amounts of different currencies do not add up).
- `ad_spend_allocation.csv`: every allocated share of ad spend (line, platform,
  campaign, spend date, amount in the spend's currency and converted); Etsy's
  Offsite Ads fees appear as platform `etsy`, campaign `offsite_ads` (rule 18).
- `daily_pnl.csv`: line amounts per day and channel in both time views
  (`order_date`: dated by the order; `cash`: dated by their own event), which
  total the same over the whole period.
- `attribution_last_click.csv`: the credited touch of each Shopify order
  (last-click) computed from the visible touches.
- `attribution_credits.csv`: each rule-based attribution model's credit per
  Shopify order and touch (last_click, first_click, linear, time_decay,
  position_based; docs/metrics.md rules 50-52), the touch named by its position
  in the order's journey; credits of an order sum to 1 per model.
- `planted_touches.csv`: every visit the simulation planted for each Shopify
  order (including ones no file shows): what a journey estimator should recover.
- `halo.json`, `halo_daily.csv`: the planted halo of Google and Meta spend on
  Amazon.com sales.
- `summary.json`: totals per channel, daily costs by type, net profit.

## Rules applied
The numbered accounting rules of docs/metrics.md ("Accounting rules"), which the
dbt models cite by number.

## Planted halo
Amazon.com's expected daily orders include `sum_p beta_p x A_p(d)` dollars of
incremental sales divided by the mean order value, where `A_p` is the geometric
adstock of platform p's spend (see `halo.json` for beta, lag and decay).
"""
