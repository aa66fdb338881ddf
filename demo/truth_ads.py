"""Truth for the settlement's Cost of Advertising against the Amazon Ads reports (docs/metrics.md rule 40).

Independent of the dbt SQL: reads the generator's settlement rows and ad delivery as the files carry them.
"""

from __future__ import annotations

import polars as pl


def unreported_ad_charges(settlement_rows: pl.DataFrame, settlements: pl.DataFrame, ads_daily: pl.DataFrame):
    """Per marketplace currency and calendar month of the Cost of Advertising posted date: the charge minus
    the reports' spend of that month in that currency, as daily cost rows `unreported_ad_charge` (Amazon
    Ads, Unassigned) dated by the month's last Cost of Advertising posted date. A month is compared once it
    has a charge and a settlement in its currency ends after the month (the month's charges are all in).

    Also returns the reconciliation rows (month, currency, charged, reported, difference, cost_date).
    """
    charges = settlement_rows.filter(pl.col("amount_type") == "Cost of Advertising").with_columns(
        posted_date=pl.from_epoch("posted_utc").dt.date()
    )
    ends = settlements.group_by("currency").agg(covered_until_utc=pl.col("end_utc").max())
    monthly = (
        charges.group_by("currency", month=pl.col("posted_date").dt.month_start())
        .agg(charged=-pl.col("amount_cents").sum(), cost_date=pl.col("posted_date").max())
        .join(ends, on="currency")
        .with_columns(next_month_utc=pl.col("month").dt.offset_by("1mo").cast(pl.Datetime("us", "UTC")).dt.epoch("s"))
        .filter(pl.col("covered_until_utc") >= pl.col("next_month_utc"))
    )
    reported = ads_daily.group_by(month=pl.col("date").dt.month_start()).agg(reported=pl.col("spend_cents").sum())
    # The demo's Amazon Ads reports are Amazon.com's (budget currency USD).
    reported = reported.with_columns(currency=pl.lit("USD"))
    recon = (
        monthly.join(reported, on=["month", "currency"], how="left")
        .with_columns(pl.col("reported").fill_null(0))
        .with_columns(difference=pl.col("charged") - pl.col("reported"))
        .sort("month", "currency")
    )
    costs = recon.filter(pl.col("difference") != 0).select(
        "cost_date",
        channel=pl.lit("Unassigned"),
        platform=pl.lit("amazon_ads"),
        cost_type=pl.lit("unreported_ad_charge"),
        amount_cents="difference",
        source_currency="currency",
    )
    return costs, recon
