"""Shopify Admin API order objects: a REST page `{"orders": [...]}`, one `{"order": {...}}` or bare
order object per file, or JSON Lines with one order per line (webhooks, connector dumps).

Money is taken from the `*_set.shop_money` twin (the shop currency, which reconciles to payouts) and
falls back to the plain field for older API versions. Line discounts come from `discount_allocations`
(`total_discount` can read 0.00 while allocations hold the real amounts).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from ingestion.formats import common as c
from ingestion.formats.base import (
    Detection,
    Format,
    ParseContext,
    Parsed,
    Sniff,
    count_unknown,
    json_lines_batches,
    read_json_document,
    records_frame,
    with_record_numbers,
)
from ingestion.registry import MONEY
from ingestion.textio import FileProblem

_MONEY_PAIR = pl.Struct({"amount": pl.String, "currency_code": pl.String})
MONEY_SET = pl.Struct({"shop_money": _MONEY_PAIR, "presentment_money": _MONEY_PAIR})
_ALLOCATION = pl.Struct({"amount": pl.String, "amount_set": MONEY_SET})
LINE_ITEM = pl.Struct(
    {
        "id": pl.String,
        "sku": pl.String,
        "name": pl.String,
        "title": pl.String,
        "vendor": pl.String,
        "quantity": pl.String,
        "price": pl.String,
        "price_set": MONEY_SET,
        "grams": pl.String,
        "taxable": pl.Boolean,
        "requires_shipping": pl.Boolean,
        "gift_card": pl.Boolean,
        "total_discount": pl.String,
        "fulfillment_status": pl.String,
        "discount_allocations": pl.List(_ALLOCATION),
        "tax_lines": pl.List(pl.Struct({"price": pl.String, "price_set": MONEY_SET})),
    }
)
REFUND = pl.Struct(
    {
        "id": pl.String,
        "created_at": pl.String,
        "processed_at": pl.String,
        "note": pl.String,
        "restock": pl.Boolean,
        "refund_line_items": pl.List(
            pl.Struct(
                {
                    "id": pl.String,
                    "line_item_id": pl.String,
                    "quantity": pl.String,
                    "restock_type": pl.String,
                    "subtotal": pl.String,
                    "subtotal_set": MONEY_SET,
                    "total_tax": pl.String,
                    "total_tax_set": MONEY_SET,
                }
            )
        ),
        "order_adjustments": pl.List(
            pl.Struct(
                {
                    "id": pl.String,
                    "kind": pl.String,
                    "reason": pl.String,
                    "amount": pl.String,
                    "amount_set": MONEY_SET,
                    "tax_amount": pl.String,
                    "tax_amount_set": MONEY_SET,
                }
            )
        ),
        "transactions": pl.List(pl.Struct({"kind": pl.String, "status": pl.String, "amount": pl.String})),
    }
)
FULFILLMENT = pl.Struct(
    {
        "id": pl.String,
        "status": pl.String,
        "created_at": pl.String,
        "tracking_company": pl.String,
        "tracking_number": pl.String,
        "tracking_numbers": pl.List(pl.String),
        "line_items": pl.List(pl.Struct({"id": pl.String, "quantity": pl.String})),
    }
)
ORDER_FIELDS: dict[str, pl.DataType] = {
    "id": pl.String(),
    "name": pl.String(),
    "email": pl.String(),
    "created_at": pl.String(),
    "processed_at": pl.String(),
    "updated_at": pl.String(),
    "cancelled_at": pl.String(),
    "currency": pl.String(),
    "presentment_currency": pl.String(),
    "financial_status": pl.String(),
    "fulfillment_status": pl.String(),
    "taxes_included": pl.Boolean(),
    "source_name": pl.String(),
    "landing_site": pl.String(),
    "referring_site": pl.String(),
    "gateway": pl.String(),
    "payment_gateway_names": pl.List(pl.String),
    "discount_codes": pl.List(pl.Struct({"code": pl.String, "amount": pl.String, "type": pl.String})),
    "total_line_items_price": pl.String(),
    "total_line_items_price_set": MONEY_SET,
    "total_discounts": pl.String(),
    "total_discounts_set": MONEY_SET,
    "subtotal_price": pl.String(),
    "subtotal_price_set": MONEY_SET,
    "total_shipping_price_set": MONEY_SET,
    "total_tax": pl.String(),
    "total_tax_set": MONEY_SET,
    "total_price": pl.String(),
    "total_price_set": MONEY_SET,
    "tags": pl.String(),
    "note_attributes": pl.List(pl.Struct({"name": pl.String, "value": pl.String})),
    "customer": pl.Struct({"id": pl.String}),
    "shipping_address": pl.Struct({"country_code": pl.String, "province_code": pl.String, "zip": pl.String}),
    "line_items": pl.List(LINE_ITEM),
    "shipping_lines": pl.List(
        pl.Struct(
            {
                "title": pl.String,
                "price": pl.String,
                "price_set": MONEY_SET,
                "discount_allocations": pl.List(_ALLOCATION),
                "tax_lines": pl.List(pl.Struct({"price": pl.String, "price_set": MONEY_SET})),
            }
        )
    ),
    "refunds": pl.List(REFUND),
    "fulfillments": pl.List(FULFILLMENT),
}
ORDER = pl.Struct(ORDER_FIELDS)
FINANCIAL_STATUSES = {
    "paid",
    "pending",
    "authorized",
    "partially_paid",
    "partially_refunded",
    "refunded",
    "voided",
    "expired",
}
RESTOCK_TYPES = {"no_restock", "cancel", "return", "legacy_restock"}
ISO = (None,)


def shop(plain: pl.Expr, money_set: pl.Expr) -> pl.Expr:
    """The shop-currency amount text: `*_set.shop_money.amount`, else the plain field."""
    return pl.coalesce(money_set.struct.field("shop_money").struct.field("amount"), plain)


def _sum_amounts(items: pl.Expr) -> pl.Expr:
    """Sum of shop-money amounts of a list of `{amount, amount_set}` (or `{price, price_set}`) structs."""
    return items.list.eval(pl.element().cast(MONEY, strict=False)).list.sum().cast(MONEY)


def _allocations(items: pl.Expr) -> pl.Expr:
    return _sum_amounts(
        items.list.eval(
            pl.coalesce(
                pl.element().struct.field("amount_set").struct.field("shop_money").struct.field("amount"),
                pl.element().struct.field("amount"),
            )
        )
    )


def _tax_lines(items: pl.Expr) -> pl.Expr:
    """Sum of the shop-money `price` of a list of tax lines."""
    return _sum_amounts(
        items.list.eval(
            pl.coalesce(
                pl.element().struct.field("price_set").struct.field("shop_money").struct.field("amount"),
                pl.element().struct.field("price"),
            )
        )
    )


class ShopifyOrdersJson(Format):
    name = "shopify_orders_json"
    version = "3"  # 2: shipping_tax from shipping_lines[].tax_lines, adjustments' tax_amount_set; 3: fulfillment_lines
    label = "Shopify API orders (JSON)"
    source = "shopify"
    entities = ("orders", "order_lines", "refunds", "refund_lines", "refund_adjustments", "fulfillment_lines")
    download = (
        "Admin API `GET /admin/api/<version>/orders.json?status=any` (a page), an order webhook, "
        "or a connector's JSON Lines dump"
    )

    def detect(self, sniff: Sniff) -> Detection | None:
        if not sniff.is_json:
            return None
        keys = sniff.json_keys
        if "line_items" in keys and ({"financial_status", "order_number", "total_price"} & keys):
            return Detection(self, 1.0)
        return None

    def _frames(self, text_path: Path) -> Iterator[pl.DataFrame]:
        with open(text_path, encoding="utf-8") as handle:
            first_line = handle.readline().strip()
        try:
            first = json.loads(first_line)
        except ValueError:
            first = None
        if isinstance(first, dict) and "orders" not in first and "order" not in first:
            yield from json_lines_batches(text_path, ORDER_FIELDS)
            return
        with open(text_path, encoding="utf-8") as handle:
            head = handle.read(4096).lstrip()
        if head.startswith("["):
            doc = read_json_document(text_path, ORDER_FIELDS)
        elif '"orders"' in head[:200] or (isinstance(first, dict) and "orders" in first):
            doc = read_json_document(text_path, {"orders": pl.List(ORDER)})
            doc = doc.select(pl.col("orders").explode()).unnest("orders")
        else:
            probe = read_json_document(text_path, {"order": ORDER, "id": pl.String})
            if probe.get_column("order").is_not_null().any():
                doc = probe.select("order").unnest("order")
            else:
                doc = read_json_document(text_path, ORDER_FIELDS)
        if doc.is_empty():
            raise FileProblem("header-only file: the JSON holds no orders", "export a period that has orders")
        yield with_record_numbers(doc).with_columns(pl.lit(None, dtype=pl.String).alias("_error"))

    def parse(self, text_path: Path, workdir: Path, ctx: ParseContext) -> Iterator[Parsed]:
        for frame in self._frames(text_path):
            yield self.transform(frame, ctx)

    @staticmethod
    def _fulfillment_lines(df: pl.DataFrame, parent: list[pl.Expr], tz: str) -> pl.DataFrame:
        if "fulfillments" not in df.columns:
            df = df.with_columns(pl.lit(None, dtype=pl.List(FULFILLMENT)).alias("fulfillments"))
        ff = pl.col("fulfillment").struct.field
        fulfillments = (
            df.select(*parent, pl.col("_created"), pl.col("fulfillments").alias("fulfillment"))
            .explode("fulfillment")
            .filter(pl.col("fulfillment").is_not_null() & ff("id").is_not_null())
            .with_columns(
                _fulfilled=c.timestamp(ff("created_at"), ISO),
                _tracking=pl.coalesce(ff("tracking_number"), ff("tracking_numbers").list.first()),
                _items=ff("line_items"),
            )
            .explode("_items")
            .filter(pl.col("_items").is_not_null() & pl.col("_items").struct.field("id").is_not_null())
        )
        item = pl.col("_items").struct.field
        return fulfillments.select(
            "_source_row",
            "_record_version",
            _record_key=pl.format("{}-{}", ff("id"), item("id")),
            fulfillment_id=c.integer(ff("id")),
            order_id=pl.col("order_id"),
            line_id=item("id"),
            quantity=c.integer(item("quantity")),
            status=ff("status"),
            tracking_company=ff("tracking_company"),
            tracking_number=pl.col("_tracking"),
            created_at=pl.col("_fulfilled"),
            business_date=c.local_date(pl.coalesce(pl.col("_fulfilled"), pl.col("_created")), tz),
        )

    def transform(self, df: pl.DataFrame, ctx: ParseContext) -> Parsed:
        tz = ctx.timezone
        ts = {k: c.timestamp(pl.col(k), ISO) for k in ("created_at", "processed_at", "updated_at", "cancelled_at")}
        money = {
            "subtotal": shop(pl.col("subtotal_price"), pl.col("subtotal_price_set")),
            "total_line_items_price": shop(pl.col("total_line_items_price"), pl.col("total_line_items_price_set")),
            "total_discounts": shop(pl.col("total_discounts"), pl.col("total_discounts_set")),
            "taxes": shop(pl.col("total_tax"), pl.col("total_tax_set")),
            "total": shop(pl.col("total_price"), pl.col("total_price_set")),
        }
        shipping_text = pl.col("total_shipping_price_set").struct.field("shop_money").struct.field("amount")
        shipping_lines_sum = _sum_amounts(
            pl.col("shipping_lines").list.eval(
                pl.coalesce(
                    pl.element().struct.field("price_set").struct.field("shop_money").struct.field("amount"),
                    pl.element().struct.field("price"),
                )
            )
        )
        order_id = c.integer(pl.col("id"))
        version = pl.coalesce(ts["updated_at"], ts["processed_at"], ts["created_at"])
        df = df.with_columns(
            _order_id=order_id,
            _version=version,
            _created=ts["created_at"],
            _currency=c.currency(pl.col("currency")),
        )
        order_checks = [
            pl.col("_error"),
            c.required_reason("id", pl.col("id")),
            c.integer_reason("id", pl.col("id")),
            c.required_reason("created_at", pl.col("created_at")),
            *(c.parsed_reason(k, pl.col(k), ts[k], "an ISO-8601 timestamp") for k in ts),
            c.required_reason("currency", pl.col("currency")),
            c.currency_reason("currency", pl.col("currency")),
            c.currency_reason("presentment_currency", pl.col("presentment_currency")),
            *(c.decimal_reason(k, v) for k, v in money.items()),
            c.decimal_reason("total_shipping_price_set", shipping_text),
        ]
        business_date = c.local_date(pl.col("_created"), tz)
        parent = [
            pl.col("_source_row"),
            pl.col("_order_id").alias("order_id"),
            pl.col("_version").alias("_record_version"),
            pl.col("_currency").alias("currency"),
        ]

        # Line items.
        lines = (
            df.select(*parent, pl.col("name"), pl.col("_created"), pl.col("line_items"))
            .explode("line_items")
            .filter(pl.col("line_items").is_not_null())
        )
        li = pl.col("line_items").struct.field
        price = shop(li("price"), li("price_set"))
        lines = lines.with_columns(
            _reason=c.first_reason(
                [
                    c.required_reason("line_items.id", li("id")),
                    c.required_reason("line_items.quantity", li("quantity")),
                    c.integer_reason("line_items.quantity", li("quantity"), minimum=1),
                    c.required_reason("line_items.price", price),
                    c.decimal_reason("line_items.price", price),
                ]
            )
        )
        order_lines = lines.select(
            "_source_row",
            "_record_version",
            _record_key=li("id"),
            line_id=li("id"),
            order_id=pl.col("order_id"),
            order_name=pl.col("name"),
            line_position=pl.col("_source_row").cum_count().over("_source_row").cast(pl.Int64),
            sku=li("sku"),
            product_name=pl.coalesce(li("name"), li("title")),
            vendor=li("vendor"),
            quantity=c.integer(li("quantity")),
            unit_price=c.decimal(price),
            line_discount=c.decimal(li("total_discount")),
            discount_allocated=_allocations(li("discount_allocations")),
            tax=_sum_amounts(
                li("tax_lines").list.eval(
                    pl.coalesce(
                        pl.element().struct.field("price_set").struct.field("shop_money").struct.field("amount"),
                        pl.element().struct.field("price"),
                    )
                )
            ),
            taxable=li("taxable"),
            requires_shipping=li("requires_shipping"),
            is_gift_card=li("gift_card"),
            fulfillment_status=li("fulfillment_status"),
            grams=c.integer(li("grams")),
            currency=pl.col("currency"),
            created_at=pl.col("_created"),
            business_date=c.local_date(pl.col("_created"), tz),
        )

        # Refunds and their lines and adjustments.
        refunds = df.select(*parent, pl.col("refunds")).explode("refunds").filter(pl.col("refunds").is_not_null())
        rf = pl.col("refunds").struct.field
        refund_created = c.timestamp(pl.coalesce(rf("processed_at"), rf("created_at")), ISO)
        refunds = refunds.with_columns(_refund_created=refund_created, _refund_id=c.integer(rf("id")))
        transactions = rf("transactions").list.eval(
            pl.when(
                (pl.element().struct.field("kind") == "refund")
                & pl.element().struct.field("status").fill_null("success").is_in(["success"])
            ).then(pl.element().struct.field("amount"))
        )
        refund_rows = refunds.select(
            "_source_row",
            "_record_version",
            _record_key=rf("id"),
            refund_id=pl.col("_refund_id"),
            order_id=pl.col("order_id"),
            created_at=c.timestamp(rf("created_at"), ISO),
            processed_at=c.timestamp(rf("processed_at"), ISO),
            note=rf("note"),
            restock=rf("restock"),
            amount=_sum_amounts(transactions.list.drop_nulls()),
            currency=pl.col("currency"),
            business_date=c.local_date(pl.col("_refund_created"), tz),
            _reason=c.first_reason(
                [
                    c.required_reason("refunds.id", rf("id")),
                    c.integer_reason("refunds.id", rf("id")),
                    c.required_reason("refunds.created_at", rf("created_at")),
                    c.parsed_reason("refunds.created_at", rf("created_at"), refund_created, "an ISO-8601 timestamp"),
                ]
            ),
        )
        refund_parent = [
            "_source_row",
            "_record_version",
            "order_id",
            "currency",
            "_refund_id",
            "_refund_created",
        ]
        rl_frame = (
            refunds.select(*refund_parent, rf("refund_line_items").alias("rli"))
            .explode("rli")
            .filter(pl.col("rli").is_not_null())
        )
        rl = pl.col("rli").struct.field
        rl_subtotal = shop(rl("subtotal"), rl("subtotal_set"))
        rl_tax = shop(rl("total_tax"), rl("total_tax_set"))
        rl_key = pl.coalesce(rl("id"), pl.format("{}-{}", pl.col("_refund_id"), rl("line_item_id")))
        refund_lines = rl_frame.select(
            "_source_row",
            "_record_version",
            _record_key=rl_key,
            refund_line_id=rl_key,
            refund_id=pl.col("_refund_id"),
            order_id=pl.col("order_id"),
            line_item_id=c.integer(rl("line_item_id")),
            quantity=c.integer(rl("quantity")),
            restock_type=rl("restock_type"),
            subtotal=c.decimal(rl_subtotal),
            total_tax=c.decimal(rl_tax),
            currency=pl.col("currency"),
            created_at=pl.col("_refund_created"),
            business_date=c.local_date(pl.col("_refund_created"), tz),
            _reason=c.first_reason(
                [
                    c.required_reason("refund_line_items.line_item_id", rl("line_item_id")),
                    c.integer_reason("refund_line_items.quantity", rl("quantity"), minimum=0),
                    c.decimal_reason("refund_line_items.subtotal", rl_subtotal),
                    c.decimal_reason("refund_line_items.total_tax", rl_tax),
                ]
            ),
        )
        adj_frame = (
            refunds.select(*refund_parent, rf("order_adjustments").alias("adj"))
            .explode("adj")
            .filter(pl.col("adj").is_not_null())
        )
        adj = pl.col("adj").struct.field
        adj_amount = shop(adj("amount"), adj("amount_set"))
        adjustments = adj_frame.select(
            "_source_row",
            "_record_version",
            _record_key=pl.coalesce(adj("id"), pl.format("{}-{}", pl.col("_refund_id"), adj("kind"))),
            adjustment_id=c.integer(adj("id")),
            refund_id=pl.col("_refund_id"),
            order_id=pl.col("order_id"),
            kind=adj("kind"),
            reason=adj("reason"),
            amount=c.decimal(adj_amount),
            tax_amount=c.decimal(shop(adj("tax_amount"), adj("tax_amount_set"))),
            currency=pl.col("currency"),
            created_at=pl.col("_refund_created"),
            business_date=c.local_date(pl.col("_refund_created"), tz),
            _reason=c.first_reason(
                [c.decimal_reason("order_adjustments.amount", adj_amount), c.required_reason("amount", adj_amount)]
            ),
        )

        child_reasons = pl.concat(
            [f.select("_source_row", "_reason") for f in (lines, refund_rows, refund_lines, adjustments)]
        )
        child_reasons = (
            child_reasons.filter(pl.col("_reason").is_not_null())
            .group_by("_source_row")
            .agg(_child=pl.col("_reason").first())
        )
        df = df.join(child_reasons, on="_source_row", how="left").with_columns(
            _reason=c.first_reason([*order_checks, pl.col("_child")])
        )
        discount_codes = pl.col("discount_codes").list.eval(pl.element().struct.field("code")).list.join(",")
        orders = df.select(
            "_source_row",
            _record_key=pl.col("_order_id").cast(pl.String),
            _record_version=pl.col("_version"),
            order_id=pl.col("_order_id"),
            order_name=pl.col("name"),
            email=pl.col("email"),
            created_at=pl.col("_created"),
            created_at_local=pl.col("created_at"),
            processed_at=ts["processed_at"],
            updated_at=ts["updated_at"],
            cancelled_at=ts["cancelled_at"],
            financial_status=pl.col("financial_status"),
            fulfillment_status=pl.col("fulfillment_status"),
            currency=pl.col("_currency"),
            presentment_currency=c.currency(pl.col("presentment_currency")),
            **{k: c.decimal(v) for k, v in money.items()},
            shipping=pl.coalesce(c.decimal(shipping_text), shipping_lines_sum),
            shipping_discount=pl.col("shipping_lines")
            .list.eval(_allocations(pl.element().struct.field("discount_allocations")))
            .list.sum()
            .cast(MONEY),
            # Tax charged on shipping (docs/metrics.md rule 34), part of `taxes` (total_tax).
            shipping_tax=pl.col("shipping_lines")
            .list.eval(_tax_lines(pl.element().struct.field("tax_lines")))
            .list.sum()
            .cast(MONEY),
            taxes_included=pl.col("taxes_included"),
            discount_codes=pl.when(discount_codes != "").then(discount_codes),
            shipping_method=pl.col("shipping_lines").list.first().struct.field("title"),
            payment_method=pl.coalesce(pl.col("payment_gateway_names").list.join(","), pl.col("gateway")),
            source_name=pl.col("source_name"),
            landing_site=pl.col("landing_site"),
            referring_site=pl.col("referring_site"),
            note_attributes=pl.col("note_attributes")
            .list.eval(pl.format("{}: {}", pl.element().struct.field("name"), pl.element().struct.field("value")))
            .list.join("\n"),
            customer_id=c.integer(pl.col("customer").struct.field("id")),
            shipping_country=pl.col("shipping_address").struct.field("country_code"),
            shipping_province=pl.col("shipping_address").struct.field("province_code"),
            shipping_zip=pl.col("shipping_address").struct.field("zip"),
            tags=pl.col("tags"),
            business_date=business_date,
        )
        # Fulfillments: one row per (fulfillment, line item) with the parcel's tracking number, so a carrier
        # invoice row can be tied to the lines its parcel carried (docs/metrics.md rule 12).
        fulfillment_lines = self._fulfillment_lines(df, parent, tz)

        raw_columns = [k for k in ORDER_FIELDS if k in df.columns]
        bad_text = pl.col("_bad_text") if "_bad_text" in df.columns else c.null_str()
        raw = pl.coalesce(bad_text, pl.struct(raw_columns).struct.json_encode())
        records = records_frame(df, pl.col("_reason"), raw)
        drop = ["_reason"]
        unknown = {
            "financial_status": count_unknown(df, "financial_status", FINANCIAL_STATUSES),
            "refund_line_items.restock_type": count_unknown(
                rl_frame.select(restock_type=rl("restock_type")), "restock_type", RESTOCK_TYPES
            ),
        }
        return Parsed(
            records,
            {
                "orders": orders,
                "order_lines": order_lines,
                "refunds": refund_rows.drop(drop),
                "refund_lines": refund_lines.drop(drop),
                "refund_adjustments": adjustments.drop(drop),
                "fulfillment_lines": fulfillment_lines,
            },
            unknown=unknown,
        )


FORMAT = ShopifyOrdersJson()
