"""Shopify order transactions, Admin API: `GET /admin/api/<version>/orders/<id>/transactions.json`
(`{"transactions": [...]}`), a single `{"transaction": {...}}`, or JSON Lines of either, in the shape of
Shopify's own fixture (`samples/shopify_python_api_fixture_transaction.json`): `id`, `order_id`, `kind`
(authorization, capture, sale, void, refund), `gateway` (shopify_payments, gift_card, paypal, manual ...),
`status` (success, failure, pending, error), `amount` (text, the shop currency), `currency`, `created_at`.
They say which tender paid what: a split-tender order's payment fee is estimated on the part paid through
the rated gateway only (docs/metrics.md rule 21). Not Shopify Payments balance transactions (those carry
`payout_id` and `source_type`).
"""

from __future__ import annotations

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
    records_frame,
    rest_resource_rows,
)

KINDS = {"authorization", "capture", "sale", "void", "refund", "change", "emv_authorization", "suggested_refund"}
TRANSACTION = pl.Struct(
    {
        "id": pl.String,
        "order_id": pl.String,
        "kind": pl.String,
        "gateway": pl.String,
        "status": pl.String,
        "amount": pl.String,
        "currency": pl.String,
        "created_at": pl.String,
        "parent_id": pl.String,
    }
)
TIMESTAMP_FORMATS = (None,)


class ShopifyOrderTransactionsJson(Format):
    name = "shopify_order_transactions_json"
    label = "Shopify order transactions (Admin API)"
    source = "shopify"
    entities = ("order_transactions",)
    download = (
        "Admin API `GET /admin/api/<version>/orders/<order id>/transactions.json` for each order (or a connector "
        'that writes them as one `{"transactions": [...]}` page)'
    )

    def detect(self, sniff: Sniff) -> Detection | None:
        keys = sniff.json_keys
        if (
            sniff.is_json
            and keys & {"transactions", "transaction"}
            and {"kind", "gateway", "order_id"} <= keys
            and not keys & {"payout_id", "source_type", "line_items"}
        ):
            return Detection(self, 1.0)
        return None

    def parse(self, text_path: Path, workdir: Path, ctx: ParseContext) -> Iterator[Parsed]:
        yield self.transform(
            rest_resource_rows(text_path, "transactions", "transaction", TRANSACTION, "request orders with payments"),
            ctx,
        )

    def transform(self, df: pl.DataFrame, ctx: ParseContext) -> Parsed:
        at = c.timestamp(pl.col("created_at"), TIMESTAMP_FORMATS)
        reason = c.first_reason(
            [
                c.required_reason("id", pl.col("id")),
                c.required_reason("order_id", pl.col("order_id")),
                c.required_reason("kind", pl.col("kind")),
                c.required_reason("amount", pl.col("amount")),
                c.decimal_reason("amount", pl.col("amount")),
                c.currency_reason("currency", pl.col("currency")),
                c.parsed_reason("created_at", pl.col("created_at"), at, "an ISO-8601 timestamp"),
            ]
        )
        rows = df.select(
            "_source_row",
            _record_key=pl.col("id"),
            _record_version=pl.lit(None, dtype=pl.Datetime("us", "UTC")),
            transaction_id=pl.col("id"),
            order_id=c.integer(pl.col("order_id")),
            parent_id=pl.col("parent_id"),
            kind=pl.col("kind").str.to_lowercase(),
            gateway=pl.col("gateway"),
            status=pl.col("status").str.to_lowercase(),
            amount=c.decimal(pl.col("amount")),
            currency=c.currency(pl.col("currency")),
            created_at=at,
            business_date=c.local_date(at, ctx.timezone),
        )
        records = records_frame(
            df, reason, pl.struct("id", "order_id", "kind", "gateway", "status", "amount").struct.json_encode()
        )
        unknown = {"kind": count_unknown(df, "kind", KINDS, case_insensitive=True)}
        return Parsed(records, {"order_transactions": rows}, unknown=unknown)


FORMAT = ShopifyOrderTransactionsJson()
