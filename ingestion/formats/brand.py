"""The brand's own CSV templates (no platform dictates these; the product defines the headers).

Comma-separated with `.` decimals, or semicolon-separated with `,` decimals as spreadsheet programs
in many European locales save them; UTF-8 or Windows-1252. Extra columns are ignored.
"""

from __future__ import annotations

import polars as pl

from ingestion.formats import common as c
from ingestion.formats.base import DelimitedFormat, ParseContext, Parsed, raw_json, records_frame
from ingestion.registry import MONEY, RATE, UNIT_COST, WEIGHT

DATES = ("%Y-%m-%d", "%d.%m.%Y", "%m/%d/%Y")
TIMESTAMPS = (None, "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M:%S")


class BrandTemplate(DelimitedFormat):
    source = "brand"
    delimiters = (",", ";")
    download = "the template in docs/bringing-your-own-exports.md (your own spreadsheet, saved as CSV)"

    def decimal_mark(self, ctx: ParseContext) -> str:
        return "," if ctx.detection.delimiter == ";" else "."

    def dec(self, name: str, ctx: ParseContext, dtype=MONEY) -> pl.Expr:
        return c.decimal(pl.col(name), dtype, self.decimal_mark(ctx))

    def dec_reason(self, name: str, ctx: ParseContext, dtype=MONEY, *, required: bool = True) -> list[pl.Expr]:
        checks = [c.decimal_reason(name, pl.col(name), dtype, self.decimal_mark(ctx))]
        return [c.required_reason(name, pl.col(name)), *checks] if required else checks

    def finish(self, df: pl.DataFrame, source_columns: list[str], reasons: list[pl.Expr], rows: pl.DataFrame) -> Parsed:
        records = records_frame(df, c.first_reason(reasons), raw_json(df, source_columns))
        return Parsed(records, {self.entities[0]: rows})

    def required_checks(self) -> list[pl.Expr]:
        return [c.required_reason(k, pl.col(k)) for k in self.required]


def _no_version() -> pl.Expr:
    return pl.lit(None, dtype=pl.Datetime("us", "UTC"))


class BrandCogs(BrandTemplate):
    name = "brand_cogs"
    label = "COGS cost history (brand template)"
    entities = ("cogs",)
    required = ("sku", "effective_from", "unit_cost", "currency")
    optional = ("inbound_freight_per_unit", "duty_per_unit")

    def transform(self, df: pl.DataFrame, ctx: ParseContext) -> Parsed:
        cols = [x for x in df.columns if not x.startswith("_")]
        df = self.ensure(df)
        start = c.date(pl.col("effective_from"), DATES)
        reasons = [
            *self.required_checks(),
            c.parsed_reason("effective_from", pl.col("effective_from"), start, "a date (YYYY-MM-DD)"),
            *self.dec_reason("unit_cost", ctx, UNIT_COST),
            *self.dec_reason("inbound_freight_per_unit", ctx, UNIT_COST, required=False),
            *self.dec_reason("duty_per_unit", ctx, UNIT_COST, required=False),
            c.currency_reason("currency", pl.col("currency")),
            pl.when(self.dec("unit_cost", ctx, UNIT_COST) < 0).then(pl.lit("unit_cost: must not be negative")),
        ]
        rows = df.select(
            "_source_row",
            _record_key=c.key(pl.col("sku"), start.cast(pl.String)),
            _record_version=_no_version(),
            sku=pl.col("sku"),
            effective_from=start,
            unit_cost=self.dec("unit_cost", ctx, UNIT_COST),
            currency=c.currency(pl.col("currency")),
            inbound_freight_per_unit=self.dec("inbound_freight_per_unit", ctx, UNIT_COST),
            duty_per_unit=self.dec("duty_per_unit", ctx, UNIT_COST),
        )
        return self.finish(df, cols, reasons, rows)


class BrandCarrierInvoices(BrandTemplate):
    name = "brand_carrier_invoices"
    label = "carrier invoice (brand template)"
    entities = ("carrier_invoices",)
    required = ("tracking_number", "order_reference", "ship_date", "service", "weight_kg", "cost", "currency")
    signature = ("tracking_number", "order_reference", "ship_date", "service", "cost")

    def transform(self, df: pl.DataFrame, ctx: ParseContext) -> Parsed:
        cols = [x for x in df.columns if not x.startswith("_")]
        df = self.ensure(df)
        ship = c.date(pl.col("ship_date"), DATES)
        reasons = [
            c.required_reason("tracking_number", pl.col("tracking_number")),
            c.required_reason("ship_date", pl.col("ship_date")),
            c.parsed_reason("ship_date", pl.col("ship_date"), ship, "a date (YYYY-MM-DD)"),
            *self.dec_reason("cost", ctx),
            *self.dec_reason("weight_kg", ctx, WEIGHT, required=False),
            c.required_reason("currency", pl.col("currency")),
            c.currency_reason("currency", pl.col("currency")),
        ]
        rows = df.select(
            "_source_row",
            _record_key=c.key(pl.col("tracking_number"), pl.col("service")),
            _record_version=_no_version(),
            tracking_number=pl.col("tracking_number"),
            order_reference=pl.col("order_reference"),
            ship_date=ship,
            service=pl.col("service"),
            weight_kg=self.dec("weight_kg", ctx, WEIGHT),
            cost=self.dec("cost", ctx),
            currency=c.currency(pl.col("currency")),
            business_date=ship,
        )
        return self.finish(df, cols, reasons, rows)


class BrandFxRates(BrandTemplate):
    name = "brand_fx_rates"
    label = "FX rates (brand template)"
    entities = ("fx_rates",)
    required = ("date", "currency", "rate")
    optional = ("pivot_currency",)

    def transform(self, df: pl.DataFrame, ctx: ParseContext) -> Parsed:
        cols = [x for x in df.columns if not x.startswith("_")]
        df = self.ensure(df)
        day = c.date(pl.col("date"), DATES)
        pivot = pl.coalesce(c.currency(pl.col("pivot_currency")), pl.lit(ctx.state.get("pivot", "USD")))
        rate = self.dec("rate", ctx, RATE)
        reasons = [
            *self.required_checks(),
            c.parsed_reason("date", pl.col("date"), day, "a date (YYYY-MM-DD)"),
            *self.dec_reason("rate", ctx, RATE),
            pl.when(rate <= 0).then(pl.format("rate: {} must be positive", pl.col("rate"))),
            c.currency_reason("currency", pl.col("currency")),
            c.currency_reason("pivot_currency", pl.col("pivot_currency")),
        ]
        rows = df.select(
            "_source_row",
            _record_key=c.key(day.cast(pl.String), c.currency(pl.col("currency")), pivot),
            _record_version=_no_version(),
            date=day,
            currency=c.currency(pl.col("currency")),
            rate=rate,
            pivot_currency=pivot,
            business_date=day,
        )
        return self.finish(df, cols, reasons, rows)


class BrandSkuAsinMap(BrandTemplate):
    name = "brand_sku_asin_map"
    label = "SKU to ASIN map (brand template)"
    entities = ("sku_asin_map",)
    required = ("sku", "asin", "marketplace")

    def transform(self, df: pl.DataFrame, ctx: ParseContext) -> Parsed:
        cols = [x for x in df.columns if not x.startswith("_")]
        reasons = [
            *self.required_checks(),
            pl.when(~pl.col("asin").str.contains(r"^[A-Z0-9]{10}$")).then(
                pl.format("asin: '{}' is not a 10-character ASIN", pl.col("asin"))
            ),
        ]
        rows = df.select(
            "_source_row",
            _record_key=c.key(pl.col("sku"), pl.col("marketplace")),
            _record_version=_no_version(),
            sku=pl.col("sku"),
            asin=pl.col("asin"),
            marketplace=pl.col("marketplace"),
        )
        return self.finish(df, cols, reasons, rows)


class BrandTouchpoints(BrandTemplate):
    name = "brand_touchpoints"
    label = "web touchpoints (brand template)"
    entities = ("touchpoints",)
    required = ("occurred_at", "customer_email", "landing_url")
    optional = ("referrer_url",)

    def transform(self, df: pl.DataFrame, ctx: ParseContext) -> Parsed:
        cols = [x for x in df.columns if not x.startswith("_")]
        df = self.ensure(df)
        at = c.timestamp(pl.col("occurred_at"), TIMESTAMPS)
        reasons = [
            *self.required_checks(),
            c.parsed_reason("occurred_at", pl.col("occurred_at"), at, "an ISO-8601 timestamp"),
        ]
        rows = df.select(
            "_source_row",
            _record_key=c.key(c.iso_utc_text(at), pl.col("customer_email"), pl.col("landing_url")),
            _record_version=_no_version(),
            occurred_at=at,
            customer_email=pl.col("customer_email"),
            landing_url=pl.col("landing_url"),
            referrer_url=pl.col("referrer_url"),
            business_date=c.local_date(at, ctx.timezone),
        )
        return self.finish(df, cols, reasons, rows)


class BrandProducts(BrandTemplate):
    name = "brand_products"
    label = "product master (brand template)"
    entities = ("products",)
    required = ("sku", "product_name", "category")
    optional = ("vendor", "weight_kg", "size_tier")
    signature = ("sku", "product_name", "category", "weight_kg", "size_tier")

    def transform(self, df: pl.DataFrame, ctx: ParseContext) -> Parsed:
        cols = [x for x in df.columns if not x.startswith("_")]
        df = self.ensure(df)
        reasons = [
            c.required_reason("sku", pl.col("sku")),
            *self.dec_reason("weight_kg", ctx, WEIGHT, required=False),
        ]
        rows = df.select(
            "_source_row",
            _record_key=pl.col("sku"),
            _record_version=_no_version(),
            sku=pl.col("sku"),
            product_name=pl.col("product_name"),
            category=pl.col("category"),
            vendor=pl.col("vendor"),
            weight_kg=self.dec("weight_kg", ctx, WEIGHT),
            size_tier=pl.col("size_tier"),
        )
        return self.finish(df, cols, reasons, rows)


class BrandStockCounts(BrandTemplate):
    """A physical count (or a 3PL's stock report) per SKU and location; `inbound` is stock ordered but not
    yet received. The location name is the brand's own (a Shopify location name when the same place)."""

    name = "brand_stock_counts"
    label = "stock count (brand template)"
    entities = ("stock_counts",)
    required = ("counted_on", "location", "sku", "on_hand")
    optional = ("inbound",)

    def transform(self, df: pl.DataFrame, ctx: ParseContext) -> Parsed:
        cols = [x for x in df.columns if not x.startswith("_")]
        df = self.ensure(df)
        day = c.date(pl.col("counted_on"), DATES)
        mark = self.decimal_mark(ctx)
        reasons = [
            *self.required_checks(),
            c.parsed_reason("counted_on", pl.col("counted_on"), day, "a date (YYYY-MM-DD)"),
            c.integer_reason("on_hand", pl.col("on_hand"), minimum=0, decimal_mark=mark),
            c.integer_reason("inbound", pl.col("inbound"), minimum=0, decimal_mark=mark),
        ]
        rows = df.select(
            "_source_row",
            _record_key=c.key(day, pl.col("location"), pl.col("sku")),
            _record_version=_no_version(),
            counted_on=day,
            location=pl.col("location"),
            sku=pl.col("sku"),
            on_hand=c.integer(pl.col("on_hand"), mark),
            inbound=c.integer(pl.col("inbound"), mark),
            business_date=day,
        )
        return self.finish(df, cols, reasons, rows)


COGS = BrandCogs()
CARRIER_INVOICES = BrandCarrierInvoices()
FX_RATES = BrandFxRates()
SKU_ASIN_MAP = BrandSkuAsinMap()
TOUCHPOINTS = BrandTouchpoints()
PRODUCTS = BrandProducts()
STOCK_COUNTS = BrandStockCounts()
FORMATS = (COGS, CARRIER_INVOICES, FX_RATES, SKU_ASIN_MAP, TOUCHPOINTS, PRODUCTS, STOCK_COUNTS)
