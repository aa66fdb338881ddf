"""Shopify Payments payouts, Admin API: a REST page (`GET /admin/api/<version>/shopify_payments/payouts.json`,
`{"payouts": [...]}`) or a single payout (`{"payout": {...}}`). Each payout: `id`, `status` (scheduled,
in_transit, paid, failed, canceled), `date` (the payout date), `currency`, `amount` (the net deposited, as
text) and `summary` (gross and fee amounts of charges, refunds, adjustments, reserved funds and retried
payouts). The transactions export names a payout only by its Payout Date and Currency, so the payout's
deposited amount comes from here (docs/metrics.md rule 20).
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

STATUSES = {"scheduled", "in_transit", "paid", "failed", "canceled", "cancelled"}
SUMMARY_FIELDS = tuple(
    f"{kind}_{part}_amount"
    for kind in ("charges", "refunds", "adjustments", "reserved_funds", "retried_payouts")
    for part in ("gross", "fee")
)
PAYOUT = pl.Struct(
    {
        "id": pl.String,
        "status": pl.String,
        "date": pl.String,
        "currency": pl.String,
        "amount": pl.String,
        "summary": pl.Struct({f: pl.String for f in SUMMARY_FIELDS}),
    }
)


class ShopifyPayoutsJson(Format):
    name = "shopify_payouts_json"
    label = "Shopify Payments payouts (Admin API)"
    source = "shopify"
    entities = ("payouts",)
    download = (
        "Admin API `GET /admin/api/<version>/shopify_payments/payouts.json` (scope shopify_payments_payouts), "
        "each page saved as returned"
    )

    def detect(self, sniff: Sniff) -> Detection | None:
        keys = sniff.json_keys
        if sniff.is_json and keys & {"payouts", "payout"} and "summary" in keys and "charges_gross_amount" in keys:
            return Detection(self, 1.0)
        return None

    def parse(self, text_path: Path, workdir: Path, ctx: ParseContext) -> Iterator[Parsed]:
        yield self.transform(
            rest_resource_rows(text_path, "payouts", "payout", PAYOUT, "request a period with payouts"), ctx
        )

    def transform(self, df: pl.DataFrame, ctx: ParseContext) -> Parsed:
        s = pl.col("summary").struct.field
        day = c.date(pl.col("date"), ("%Y-%m-%d",))
        reason = c.first_reason(
            [
                c.required_reason("date", pl.col("date")),
                c.parsed_reason("date", pl.col("date"), day, "a date (YYYY-MM-DD)"),
                c.required_reason("amount", pl.col("amount")),
                c.decimal_reason("amount", pl.col("amount")),
                c.required_reason("currency", pl.col("currency")),
                c.currency_reason("currency", pl.col("currency")),
                *(c.decimal_reason(f"summary.{f}", s(f)) for f in SUMMARY_FIELDS),
            ]
        )
        currency = c.currency(pl.col("currency"))
        rows = df.select(
            "_source_row",
            # A payout's id when the API gives it, else its (date, currency): the transactions export's key.
            _record_key=pl.coalesce(pl.col("id"), c.key(day.cast(pl.String), currency)),
            _record_version=pl.lit(None, dtype=pl.Datetime("us", "UTC")),
            payout_id=pl.col("id"),
            status=pl.col("status"),
            payout_date=day,
            currency=currency,
            amount=c.decimal(pl.col("amount")),
            **{f: c.decimal(s(f)) for f in SUMMARY_FIELDS},
            business_date=day,
        )
        records = records_frame(
            df, reason, pl.struct("id", "status", "date", "currency", "amount").struct.json_encode()
        )
        unknown = {"status": count_unknown(df, "status", STATUSES, case_insensitive=True)}
        return Parsed(records, {"payouts": rows}, unknown=unknown)


FORMAT = ShopifyPayoutsJson()
