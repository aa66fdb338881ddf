"""Shopify Payments disputes (chargebacks) in the payments transactions export (docs/metrics.md rule 33).

A cardholder's bank pulls the order's money back: the export shows a `dispute` row (the balance
transaction type of the Shopify Payments REST Transactions resource: charge, refund, dispute, reserve,
adjustment, credit, debit, payout, ...) with the negative disputed amount and the dispute fee (15.00 in the
US) as its Fee. When the merchant wins, a second `dispute` row returns the amount and the fee (positive
Amount, negative Fee). The order itself (API JSON, orders CSV) does not change: a chargeback is not a
refund Shopify records on the order.

Draws are keyed by order id (splitmix64), not taken from the chunk's generator, so the rest of the data
set does not shift.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from demo.shopify import hashed_uniform

DISPUTE_SHARE = 0.004  # of Shopify Payments orders that were not refunded
WON_SHARE = 0.4
DISPUTE_FEE_CENTS = 1500
_SALT_DISPUTE, _SALT_WON, _SALT_DELAY, _SALT_WON_DELAY = 9201, 9202, 9203, 9204


def dispute_rows(paid: pl.DataFrame) -> pl.DataFrame:
    """Dispute rows for the Shopify Payments orders in `paid` (order_seq, order_id, created_utc, total_cents,
    refund_kind and the columns the export repeats): `transaction_utc`, `type` 'dispute', `amount_cents`
    (negative when the money is pulled back, positive when a won dispute returns it) and `fee_cents`."""
    keys = paid["order_id"].to_numpy().astype(np.int64)
    disputed = (hashed_uniform(0, keys, _SALT_DISPUTE) < DISPUTE_SHARE) & (paid["refund_kind"].to_numpy() == "")
    won = hashed_uniform(0, keys, _SALT_WON) < WON_SHARE
    delay = np.floor(15 * 86_400 + hashed_uniform(0, keys, _SALT_DELAY) * 45 * 86_400).astype(np.int64)
    won_delay = np.floor(20 * 86_400 + hashed_uniform(0, keys, _SALT_WON_DELAY) * 25 * 86_400).astype(np.int64)
    base = paid.with_columns(
        _disputed=pl.Series(disputed),
        _won=pl.Series(won),
        _opened=pl.col("created_utc") + pl.Series(delay),
        _closed=pl.col("created_utc") + pl.Series(delay + won_delay),
    ).filter(pl.col("_disputed"))
    keep = ["order_seq", "name", "card_brand", "presentment_currency", "country"]
    opened = base.select(
        *keep,
        transaction_utc=pl.col("_opened"),
        type=pl.lit("dispute"),
        amount_cents=-pl.col("total_cents"),
        fee_cents=pl.lit(DISPUTE_FEE_CENTS, pl.Int64),
    )
    reversed_ = base.filter(pl.col("_won")).select(
        *keep,
        transaction_utc=pl.col("_closed"),
        type=pl.lit("dispute"),
        amount_cents=pl.col("total_cents"),
        fee_cents=pl.lit(-DISPUTE_FEE_CENTS, pl.Int64),
    )
    return pl.concat([opened, reversed_])
