"""Shopify refunds as the money refunded (metrics.md contract v2): order adjustments of refunds.

Real refunds rarely pay back exactly what their lines add up to. Shopify records the difference as an
`order_adjustments[]` entry of kind `refund_discrepancy` whose `amount` is the calculated refund minus the
refund actually paid (REST Admin API `Refund.order_adjustments`: kinds `shipping_refund` and
`refund_discrepancy`; GraphQL `OrderAdjustment.reason` RESTOCK, CUSTOMER, DAMAGE, REFUND_DISCREPANCY):

- a restocking fee kept on a return: +fee (the customer got less than the lines' subtotal);
- a discrepancy on a partial return (the merchant paid back a little more or less): either sign;
- a goodwill refund without items (a late parcel, a scratched lid): a refund with no refund lines whose only
  adjustment is -amount (nothing was calculated, all of it was paid).

Draws are keyed by order id (splitmix64 via `hashed_uniform`), not taken from the chunk's generator, so the
rest of the data set does not shift.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from demo.money import div_round
from demo.shopify import hashed_uniform

# Share of returns (refunds of kind full/partial) that keep a restocking fee, and its rate.
RESTOCKING_FEE_SHARE = 0.18
RESTOCKING_FEE_PCT = 10
# Share of partial returns (without a restocking fee) settled for a slightly different amount.
DISCREPANCY_SHARE = 0.15
DISCREPANCY_CENTS = (-500, -300, -200, 200, 300, 500)  # calculated - actual: negative = paid back more
# Goodwill refunds without items: amounts offered (capped at the order's items after discounts).
GOODWILL_CENTS = (500, 1000, 1500, 2000)

_SALT_KIND, _SALT_FEE, _SALT_DISC, _SALT_AMOUNT = 9101, 9102, 9103, 9104


def adjust_refunds(refunds: pl.DataFrame, orders: pl.DataFrame) -> pl.DataFrame:
    """Add `discrepancy_cents` (calculated - actual, 0 when none) and `discrepancy_reason` to each refund.

    `refunds` carries `order_seq`, `order_id`, `refund_kind` and `items_cents` (its lines' subtotals); the
    result keeps `items_cents - discrepancy_cents >= 0` (a refund never takes money from the customer).
    """
    keys = refunds["order_id"].to_numpy().astype(np.int64)
    fee_draw = hashed_uniform(0, keys, _SALT_FEE)
    disc_draw = hashed_uniform(0, keys, _SALT_DISC)
    amount_draw = hashed_uniform(0, keys, _SALT_AMOUNT)
    subtotals = refunds.select("order_seq").join(
        orders.select("order_seq", "subtotal_cents"), on="order_seq", how="left"
    )
    return (
        refunds.with_columns(
            _fee=pl.Series(fee_draw),
            _disc=pl.Series(disc_draw),
            _pick=pl.Series(np.floor(amount_draw * len(DISCREPANCY_CENTS)).astype(np.int64)),
            _gw=pl.Series(np.floor(amount_draw * len(GOODWILL_CENTS)).astype(np.int64)),
            _subtotal=subtotals["subtotal_cents"],
        )
        .with_columns(
            _restocking=pl.col("refund_kind").is_in(["full", "partial"]) & (pl.col("_fee") < RESTOCKING_FEE_SHARE),
        )
        .with_columns(
            _discrepant=(pl.col("refund_kind") == "partial")
            & ~pl.col("_restocking")
            & (pl.col("_disc") < DISCREPANCY_SHARE),
        )
        .with_columns(
            discrepancy_cents=pl.when(pl.col("refund_kind") == "goodwill")
            .then(
                -pl.min_horizontal(
                    pl.col("_gw").replace_strict(dict(enumerate(GOODWILL_CENTS)), return_dtype=pl.Int64),
                    pl.col("_subtotal"),
                )
            )
            .when(pl.col("_restocking"))
            .then(div_round(pl.col("items_cents") * RESTOCKING_FEE_PCT, 100))
            .when(pl.col("_discrepant"))
            .then(
                pl.min_horizontal(
                    pl.col("_pick").replace_strict(dict(enumerate(DISCREPANCY_CENTS)), return_dtype=pl.Int64),
                    pl.col("items_cents"),
                )
            )
            .otherwise(0),
            discrepancy_reason=pl.when(pl.col("refund_kind") == "goodwill")
            .then(pl.lit("Goodwill refund"))
            .when(pl.col("_restocking"))
            .then(pl.lit("Restocking fee"))
            .when(pl.col("_discrepant"))
            .then(pl.lit("Refund discrepancy"))
            .otherwise(pl.lit(None, pl.String)),
        )
        .drop("_fee", "_disc", "_pick", "_gw", "_subtotal", "_restocking", "_discrepant")
    )
