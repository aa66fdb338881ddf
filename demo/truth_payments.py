"""Shopify payment fees per order for the ground truth (docs/metrics.md rules 10 and 21), from what the files show.

- actual: the payments export's fees of the order (charge and refund rows, all mapped to payment_fees),
  dated by its first transaction;
- otherwise an estimate only for a captured payment: financial status authorized, pending, voided or expired,
  or paid only through tenders the rate card charges nothing for (gift card, manual), gets 0, not an
  estimate; else round(captured part x percent) + fixed fee of the first rated tender, where the captured
  part of an API-delivered order is what that gateway captured according to its order transactions (split
  tender: the card part), and the order total otherwise; the fixed fee in the seed's currency (the demo
  shop sells in USD, the seed's currency: no conversion), dated by the order date.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from demo.money import div_round
from demo.tenders import UNCAPTURED, order_transactions

SHOP_CURRENCY = "USD"


def order_payment_fees(orders: pl.DataFrame, transactions: pl.DataFrame, tz: str, seeds: Path) -> pl.DataFrame:
    """One row per order: payment_fee_cents, fee_date, is_payment_fee_estimated."""
    actual = transactions.group_by("order_seq").agg(
        fee_cents=pl.col("fee_cents").sum(),
        fee_date=pl.from_epoch(pl.col("transaction_utc"))
        .dt.replace_time_zone("UTC")
        .dt.convert_time_zone(tz)
        .dt.date()
        .min(),
    )
    plan = pl.read_csv(seeds / "payment_plan_rates.csv").select(
        "gateway",
        "currency",
        pct_e6=(pl.col("percent_rate") * 1_000_000).round().cast(pl.Int64),
        fixed_cents=(pl.col("fixed_fee") * 100).round().cast(pl.Int64),
    )
    if plan.filter(pl.col("currency") != SHOP_CURRENCY).height:
        raise ValueError("the demo shop sells in USD: a seed fixed fee in another currency needs converting")
    tenders = (
        orders.select("order_seq", gateway=pl.col("payment_gateways"))
        .with_columns(position=pl.int_ranges(pl.col("gateway").list.len()))
        .explode("gateway", "position")
        .join(plan, on="gateway", how="left")
        .with_columns(
            is_rated=((pl.col("pct_e6") > 0) | (pl.col("fixed_cents") > 0)).fill_null(False),
            is_free=(pl.col("pct_e6") == 0) & (pl.col("fixed_cents") == 0),
        )
    )
    rated = (
        tenders.filter(pl.col("is_rated"))
        .sort(["order_seq", "position"])
        .group_by("order_seq", maintain_order=True)
        .first()
        .select("order_seq", rated_gateway="gateway", pct_e6="pct_e6", fixed_cents="fixed_cents")
    )
    free_only = tenders.group_by("order_seq").agg(is_free_only=pl.col("is_free").fill_null(False).all())
    api = orders.filter(pl.col("via_api"))
    shown = order_transactions(api)
    captured = (
        shown.filter(pl.col("kind").is_in(["sale", "capture"]))
        .group_by("order_seq", "gateway")
        .agg(captured_cents=pl.col("amount_cents").sum())
    )
    with_transactions = shown.select("order_seq").unique().with_columns(has_transactions=pl.lit(True))
    estimate = (
        orders.select("order_seq", "financial_status", "total_cents", "order_date")
        .join(rated, on="order_seq", how="left")
        .join(free_only, on="order_seq", how="left")
        .join(with_transactions, on="order_seq", how="left")
        .join(captured, left_on=["order_seq", "rated_gateway"], right_on=["order_seq", "gateway"], how="left")
        .with_columns(
            is_uncaptured=pl.col("financial_status").is_in(list(UNCAPTURED)),
            is_free_only=pl.col("is_free_only").fill_null(False),
            base_cents=pl.when(pl.col("has_transactions").fill_null(False))
            .then(pl.col("captured_cents").fill_null(0))
            .otherwise(pl.col("total_cents")),
        )
        .join(actual, on="order_seq", how="left")
    )
    return estimate.select(
        "order_seq",
        is_payment_fee_estimated=pl.col("fee_cents").is_null() & ~pl.col("is_uncaptured") & ~pl.col("is_free_only"),
        payment_fee_cents=pl.when(pl.col("fee_cents").is_not_null())
        .then(pl.col("fee_cents"))
        .when(pl.col("is_uncaptured") | pl.col("is_free_only") | pl.col("pct_e6").is_null())
        .then(0)
        .otherwise(div_round(pl.col("base_cents") * pl.col("pct_e6"), 1_000_000) + pl.col("fixed_cents")),
        fee_date=pl.coalesce("fee_date", "order_date"),
    )
