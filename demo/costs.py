"""Amazon FBA inventory reimbursements (docs/metrics.md rule 16, contract v2): the generator's rows and the truth.

When a fulfillment centre loses or damages units, Amazon reimburses the seller: a settlement other-transaction
row of amount-type `FBA Inventory Reimbursement` whose amount-description is the Finances API adjustment type
(`WAREHOUSE_LOST`, `WAREHOUSE_DAMAGE`, `REVERSAL_REIMBURSEMENT` for a reimbursement reversed after a customer
return), with the SKU and quantity, no order id. It is income: a negative daily cost `inventory_reimbursement`
of channel Amazon FBA. Draws are hashed on the period, so no random stream of the generator moves.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from demo.shopify import hashed_uniform

REIMBURSEMENT_AMOUNT_TYPE = "FBA Inventory Reimbursement"
REIMBURSEMENT_KINDS = ["WAREHOUSE_DAMAGE", "WAREHOUSE_LOST", "REVERSAL_REIMBURSEMENT"]
_SALT_KIND, _SALT_SKU, _SALT_DAY, _SALT_QTY = 7201, 7202, 7203, 7204


def inventory_reimbursements(periods: pl.DataFrame, products: pl.DataFrame, seed: int) -> pl.DataFrame:
    """Two reimbursement rows in each Amazon.com settlement period (a lost or damaged unit of an FBA SKU, paid
    at about 45 % of its price); one in four is a REVERSAL_REIMBURSEMENT (a clawback: negative amount)."""
    com = periods.filter(pl.col("marketplace") == "Amazon.com").sort("period")
    if com.is_empty():
        return pl.DataFrame()
    keys = np.repeat(com["period"].to_numpy() * 2, 2) + np.tile(np.arange(2), com.height)
    start = np.repeat(com["start_utc"].to_numpy(), 2)
    kind_draw = hashed_uniform(seed, keys, _SALT_KIND)
    kind = np.where(kind_draw < 0.25, 2, np.where(kind_draw < 0.65, 0, 1))
    sku_index = (hashed_uniform(seed, keys, _SALT_SKU) * products.height).astype(np.int64)
    quantity = 1 + (hashed_uniform(seed, keys, _SALT_QTY) < 0.2).astype(np.int64)
    price = products["price_cents"].to_numpy()[sku_index]
    cents = np.round(price * 0.45 * quantity).astype(np.int64)
    return pl.DataFrame(
        {
            "marketplace": "Amazon.com",
            "currency": "USD",
            "posted_utc": start + 43_200 + (hashed_uniform(seed, keys, _SALT_DAY) * 10 * 86_400).astype(np.int64),
            "transaction_type": "other-transaction",
            "amount_type": REIMBURSEMENT_AMOUNT_TYPE,
            "amount_description": np.asarray(REIMBURSEMENT_KINDS)[kind],
            "amount_cents": np.where(kind == 2, -cents, cents),
            "sku": products["sku"].to_numpy()[sku_index],
            "quantity_purchased": quantity,
        }
    )


def reimbursement_costs(ctx) -> pl.DataFrame:
    """The truth: settled reimbursement rows as negative daily costs `inventory_reimbursement` (Amazon FBA,
    platform amazon, by posted date); a reversal (negative amount) is a positive cost."""
    rows = ctx.other_settlement_rows.filter(pl.col("amount_type") == REIMBURSEMENT_AMOUNT_TYPE)
    return rows.select(
        # The posted day in the brand's time zone, like every Amazon amount (docs/metrics.md rule 3).
        cost_date=pl.from_epoch("posted_utc").dt.replace_time_zone("UTC").dt.convert_time_zone(ctx.timezone).dt.date(),
        channel=pl.lit("Amazon FBA"),
        platform=pl.lit("amazon"),
        cost_type=pl.lit("inventory_reimbursement"),
        amount_cents=-pl.col("amount_cents"),
        source_currency="currency",
    )
