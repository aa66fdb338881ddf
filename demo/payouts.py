"""Shopify Payments payouts: which payout each balance transaction is paid in, and the payouts file.

A transaction is paid out two days after it happens (the shop's payout schedule), in the payout of that
local day and currency. The brand downloaded the export at `payments_cutoff_utc`: payouts dated before that
day are `paid` (their transactions too); later transactions are still `pending` and have no payout yet.
The payouts file is the Admin API's `GET /admin/api/<version>/shopify_payments/payouts.json` page
(`{"payouts": [...]}`), in the shape of Shopify's own fixture (`samples/shopify_python_api_fixture_payout.json`):
`amount` = the sum of the payout's transactions' nets = sum over kinds of (gross - fee).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl

PAYOUT_DELAY_SECONDS = 2 * 86_400
PAYOUT_ID_BASE = 623_700_000
SUMMARY_KINDS = {"charge": "charges", "refund": "refunds", "adjustment": "adjustments", "reserve": "reserved_funds"}


def with_payouts(transactions: pl.DataFrame, timezone: str, cutoff_utc: int) -> pl.DataFrame:
    """Adds `payout_date` (local date of the payout) and `payout_status` (paid or pending) to each transaction."""
    cutoff_day = dt.datetime.fromtimestamp(cutoff_utc, dt.UTC).astimezone(_zone(timezone)).date()
    payout_date = (
        pl.from_epoch(pl.col("transaction_utc") + PAYOUT_DELAY_SECONDS)
        .dt.replace_time_zone("UTC")
        .dt.convert_time_zone(timezone)
        .dt.date()
    )
    return transactions.with_columns(payout_date=payout_date).with_columns(
        payout_status=pl.when(pl.col("payout_date") < cutoff_day).then(pl.lit("paid")).otherwise(pl.lit("pending"))
    )


def payouts(transactions: pl.DataFrame, currency: str = "USD") -> pl.DataFrame:
    """One row per paid payout: its id, date, net amount (cents) and the gross and fee cents per kind."""
    paid = transactions.filter(pl.col("payout_status") == "paid").with_columns(
        kind=pl.col("type").replace_strict(SUMMARY_KINDS, default="adjustments")
    )
    sums = [
        expr
        for kind in ("charges", "refunds", "adjustments", "reserved_funds", "retried_payouts")
        for expr in (
            pl.col("amount_cents").filter(pl.col("kind") == kind).sum().alias(f"{kind}_gross_cents"),
            pl.col("fee_cents").filter(pl.col("kind") == kind).sum().alias(f"{kind}_fee_cents"),
        )
    ]
    out = paid.group_by("payout_date").agg(pl.col("net_cents").sum().alias("amount_cents"), *sums).sort("payout_date")
    epoch_day = (pl.col("payout_date") - pl.date(2020, 1, 1)).dt.total_days()
    return out.with_columns(payout_id=PAYOUT_ID_BASE + epoch_day * 7 + 3, currency=pl.lit(currency))


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def write_shopify_payouts_json(payout_rows: pl.DataFrame, path: Path) -> None:
    """The Admin API payouts page, newest first as the API lists them."""
    kinds = ("charges", "refunds", "adjustments", "reserved_funds", "retried_payouts")
    page = [
        {
            "id": row["payout_id"],
            "status": "paid",
            "date": row["payout_date"].isoformat(),
            "currency": row["currency"],
            "amount": _money(row["amount_cents"]),
            "summary": {
                f"{kind}_{part}_amount": _money(row[f"{kind}_{part}_cents"])
                for kind in kinds
                for part in ("fee", "gross")
            },
        }
        for row in payout_rows.sort("payout_date", descending=True).iter_rows(named=True)
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"payouts": page}, indent=2) + "\n", encoding="utf-8")


def _zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)
