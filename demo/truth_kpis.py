"""Truth for the marketing KPI marts (docs/metrics.md rules 58-64): fct_marketing_kpis_monthly and fct_cohort_ltv.

Independent of the dbt SQL: computed in polars from the truth's own order lines, Shopify orders (email),
last-click credits, spend allocation and the ad platforms' delivery. All arithmetic is in integers
(cents, counts); ratios are kept as 1/10000 units and, like money per order or customer, rounded half away
from zero (demo.money.div_round), as the macros do.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from demo.amazon import SEEDS
from demo.money import cents_str, div_round

# The platforms whose clicks land on the Shopify store, so their spend acquires identified customers (CAC);
# the dbt var kpi_acquisition_ad_platforms has the same default. Amazon Ads is the ACoS/TACoS platform.
ACQUISITION_PLATFORMS = ("google_ads", "meta_ads")
AMAZON_ADS = "amazon_ads"
ALL_CHANNELS = "All channels"
ALL_PLATFORMS = "All platforms"
REPEAT_WINDOWS_DAYS = (30, 60, 90)
# The order-line measures the KPIs read (cents, reporting currency).
LINE_MEASURES = ("net_sales", "contribution_margin_2")
MONTHLY_COLUMNS = [
    "kpi_month",
    "channel",
    "platform",
    "reporting_currency",
    "spend",
    "attributed_net_sales",
    "net_sales",
    "orders",
    "new_customers",
    "returning_customers",
    "acquisition_spend",
    "roas",
    "mer",
    "acos",
    "tacos",
    "cac",
    "aov",
    *[f"repeat_rate_{d}d" for d in REPEAT_WINDOWS_DAYS],
]
MONTHLY_MONEY = ["spend", "attributed_net_sales", "net_sales", "acquisition_spend", "cac", "aov"]
MONTHLY_RATIOS = ["roas", "mer", "acos", "tacos", *[f"repeat_rate_{d}d" for d in REPEAT_WINDOWS_DAYS]]


def ratio_e4(numerator: str | pl.Expr, denominator: str | pl.Expr) -> pl.Expr:
    """numerator / denominator in 1/10000 units, rounded half away from zero; null unless denominator > 0."""
    num = (pl.col(numerator) if isinstance(numerator, str) else numerator).cast(pl.Int64)
    den = (pl.col(denominator) if isinstance(denominator, str) else denominator).cast(pl.Int64)
    return pl.when(den > 0).then(div_round(num * 10_000, den))


def per_unit(amount: str | pl.Expr, count: str | pl.Expr) -> pl.Expr:
    """amount cents / count, to the cent (rounded half away from zero); null unless count > 0."""
    num = (pl.col(amount) if isinstance(amount, str) else amount).cast(pl.Int64)
    den = (pl.col(count) if isinstance(count, str) else count).cast(pl.Int64)
    return pl.when(den > 0).then(div_round(num, den))


def ratio_str(col: str) -> pl.Expr:
    """1/10000 units as a 4-decimal string: 16667 -> '1.6667', -5 -> '-0.0005'."""
    c = pl.col(col)
    sign = pl.when(c < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    text = pl.concat_str(
        [sign, (c.abs() // 10_000).cast(pl.String), pl.lit("."), (c.abs() % 10_000).cast(pl.String).str.zfill(4)]
    )
    return pl.when(c.is_not_null()).then(text)


def _month(col: str) -> pl.Expr:
    return pl.col(col).dt.month_start()


def customers(orders: pl.DataFrame, timezone: str) -> pl.DataFrame:
    """One row per customer (trimmed, lower-cased email): first order day and month, second order day.

    Orders are ranked by creation time (cancelled ones count, as dim_customer counts them)."""
    local = pl.from_epoch("created_utc").dt.replace_time_zone("UTC").dt.convert_time_zone(timezone).dt.date()
    return (
        orders.filter(pl.col("email_key").is_not_null())
        .with_columns(order_date=local)
        .sort("email_key", "created_utc", "name")
        .group_by("email_key")
        .agg(
            first_order_date=pl.col("order_date").first(),
            second_order_date=pl.col("order_date").slice(1, 1).first(),
        )
        .with_columns(first_order_month=_month("first_order_date"))
    )


def reported_spend(campaign_daily: pl.DataFrame, amazon_ads_daily: pl.DataFrame, etsy_offsite_ads: pl.DataFrame):
    """The reports' spend per platform and day in cents: Google and Meta campaign days, Amazon Ads (every ad
    product), and Etsy's Offsite Ads fees (its statement is their report). The demo's ad accounts spend in
    the reporting currency (USD), so no conversion."""
    return pl.concat(
        [
            campaign_daily.select("platform", "date", "spend_cents"),
            amazon_ads_daily.select(pl.lit(AMAZON_ADS).alias("platform"), "date", "spend_cents"),
            etsy_offsite_ads.select("platform", "date", spend_cents="amount_source"),
        ]
    )


def attributed_sales(
    lines: pl.DataFrame, credited: pl.DataFrame, allocation: pl.DataFrame, channels: pl.DataFrame
) -> pl.DataFrame:
    """Net sales the default model (last click) credits to each platform per day: on the web store, the lines
    of orders whose credited touch is on a known campaign, dated by the touch; elsewhere, the lines that carry
    a campaign-day's spend (each line once per campaign and day)."""
    rules = lines.join(channels.select("channel", "attribution_rule"), on="channel", how="left")
    web = (
        credited.filter(pl.col("campaign_id").is_not_null())
        .join(rules.filter(pl.col("attribution_rule") == "web_touches"), on="order_id")
        .select("platform", date="touch_date", net_sales="net_sales")
    )
    placed = (
        allocation.select("order_line_id", "platform", "campaign_id", "spend_date")
        .unique()
        .join(rules.filter(pl.col("attribution_rule") != "web_touches"), on="order_line_id")
        .select("platform", date="spend_date", net_sales="net_sales")
    )
    return pl.concat([web, placed])


def monthly_kpis(
    lines: pl.DataFrame,
    orders: pl.DataFrame,
    credited: pl.DataFrame,
    allocation: pl.DataFrame,
    spend: pl.DataFrame,
    timezone: str,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """fct_marketing_kpis_monthly in integers (cents, 1/10000 ratios), plus the customers and their lines.

    `lines`: every order line (order_line_id, channel, order_id, order_date, units, net_sales and
    contribution_margin_2 in cents); `orders`: Shopify orders (name, created_utc, email_key)."""
    channels = pl.read_csv(SEEDS / "channels.csv")
    amazon_channels = channels.filter(pl.col("attribution_rule") == "amazon_ads_sku")["channel"].to_list()
    buyers = customers(orders, timezone)
    web_channels = channels.filter(pl.col("has_buyer_identity"))["channel"].to_list()
    customer_lines = (
        lines.filter(pl.col("channel").is_in(web_channels))
        .join(orders.select(order_id="name", email_key="email_key"), on="order_id")
        .join(buyers, on="email_key")
    )

    platform = (
        pl.concat(
            [
                spend.select("platform", "date", "spend_cents", attributed=pl.lit(0, pl.Int64)),
                attributed_sales(lines, credited, allocation, channels).select(
                    "platform", "date", spend_cents=pl.lit(0, pl.Int64), attributed="net_sales"
                ),
            ]
        )
        .group_by("platform", kpi_month=_month("date"))
        .agg(pl.col("spend_cents").sum(), pl.col("attributed").sum())
    )
    channel = lines.group_by("channel", kpi_month=_month("order_date")).agg(
        net_sales=pl.col("net_sales").sum(),
        # A placeholder line (a refund of an order never seen) has no units: it is no order.
        orders=pl.col("order_id").filter(pl.col("units") > 0).n_unique(),
    )
    amazon = (
        channel.filter(pl.col("channel").is_in(amazon_channels))
        .group_by("kpi_month")
        .agg(amazon_net_sales=pl.col("net_sales").sum())
    )
    new = buyers.group_by(kpi_month="first_order_month").agg(new_customers=pl.len())
    returning = (
        customer_lines.filter((pl.col("units") > 0) & (_month("order_date") > pl.col("first_order_month")))
        .group_by(kpi_month=_month("order_date"))
        .agg(returning_customers=pl.col("email_key").n_unique())
    )
    data_end = lines["order_date"].max()
    month_end = pl.col("first_order_month").dt.offset_by("1mo") - pl.duration(days=1)
    gap_days = (pl.col("second_order_date") - pl.col("first_order_date")).dt.total_days()
    repeats = buyers.group_by(kpi_month="first_order_month").agg(
        pl.len().alias("cohort"),
        *[(gap_days <= d).sum().alias(f"repeat_{d}") for d in REPEAT_WINDOWS_DAYS],
        *[((month_end + pl.duration(days=d)).first() <= data_end).alias(f"observed_{d}") for d in REPEAT_WINDOWS_DAYS],
    )
    acquisition = (
        platform.filter(pl.col("platform").is_in(ACQUISITION_PLATFORMS))
        .group_by("kpi_month")
        .agg(acquisition=pl.col("spend_cents").sum())
    )

    platform_rows = platform.join(amazon, on="kpi_month", how="left").select(
        "kpi_month",
        channel=pl.lit(ALL_CHANNELS),
        platform="platform",
        spend="spend_cents",
        attributed_net_sales="attributed",
        roas=ratio_e4("attributed", "spend_cents"),
        acos=pl.when(pl.col("platform") == AMAZON_ADS).then(ratio_e4("spend_cents", "attributed")),
        tacos=pl.when(pl.col("platform") == AMAZON_ADS).then(ratio_e4("spend_cents", "amazon_net_sales")),
    )
    channel_rows = channel.select(
        "kpi_month",
        "channel",
        platform=pl.lit(ALL_PLATFORMS),
        net_sales="net_sales",
        orders="orders",
        aov=per_unit("net_sales", "orders"),
    )
    months = pl.concat([platform.select("kpi_month"), channel.select("kpi_month")]).unique()
    totals = (
        months.join(
            platform.group_by("kpi_month").agg(pl.col("spend_cents").sum(), pl.col("attributed").sum()),
            on="kpi_month",
            how="left",
        )
        .join(
            channel.group_by("kpi_month").agg(pl.col("net_sales").sum(), pl.col("orders").sum()),
            on="kpi_month",
            how="left",
        )
        .join(new, on="kpi_month", how="left")
        .join(returning, on="kpi_month", how="left")
        .join(acquisition, on="kpi_month", how="left")
        .join(repeats, on="kpi_month", how="left")
        .with_columns(
            pl.col(c).fill_null(0)
            for c in ("spend_cents", "attributed", "net_sales", "orders", "new_customers", "returning_customers")
        )
        .with_columns(pl.col("acquisition").fill_null(0))
    )
    total_rows = totals.select(
        "kpi_month",
        channel=pl.lit(ALL_CHANNELS),
        platform=pl.lit(ALL_PLATFORMS),
        spend="spend_cents",
        attributed_net_sales="attributed",
        net_sales="net_sales",
        orders="orders",
        new_customers="new_customers",
        returning_customers="returning_customers",
        acquisition_spend="acquisition",
        roas=ratio_e4("attributed", "spend_cents"),
        mer=ratio_e4("net_sales", "spend_cents"),
        cac=per_unit("acquisition", "new_customers"),
        aov=per_unit("net_sales", "orders"),
        **{
            f"repeat_rate_{d}d": pl.when(pl.col(f"observed_{d}")).then(ratio_e4(f"repeat_{d}", "cohort"))
            for d in REPEAT_WINDOWS_DAYS
        },
    )
    columns = [c for c in MONTHLY_COLUMNS if c != "reporting_currency"]
    monthly = (
        pl.concat([platform_rows, channel_rows, total_rows], how="diagonal_relaxed")
        .with_columns(pl.col(c).cast(pl.Int64) for c in columns if c not in ("kpi_month", "channel", "platform"))
        .select(columns)
        .sort("kpi_month", "channel", "platform")
    )
    return monthly, buyers, customer_lines


def cohort_ltv(monthly: pl.DataFrame, buyers: pl.DataFrame, customer_lines: pl.DataFrame, data_end: dt.date):
    """fct_cohort_ltv in integers: per cohort month and month since the first order, from month 0 to the last
    month with orders, the cohort's cumulative CM2, per customer, the cohort month's CAC and payback."""
    cohorts = buyers.group_by(cohort_month="first_order_month").agg(customers=pl.len())
    last_month = data_end.replace(day=1)
    months_since = (pl.col("activity_month").dt.year() - pl.col("cohort_month").dt.year()) * 12 + (
        pl.col("activity_month").dt.month() - pl.col("cohort_month").dt.month()
    )
    grid = (
        cohorts.with_columns(
            activity_month=pl.date_ranges("cohort_month", pl.lit(last_month), interval="1mo", closed="both")
        )
        .explode("activity_month")
        .with_columns(months_since_first_order=months_since)
    )
    margin = (
        customer_lines.select(
            cohort_month="first_order_month", activity_month=_month("order_date"), cm2="contribution_margin_2"
        )
        .with_columns(months_since_first_order=months_since)
        .group_by("cohort_month", "months_since_first_order")
        .agg(pl.col("cm2").sum())
    )
    cac = monthly.filter((pl.col("channel") == ALL_CHANNELS) & (pl.col("platform") == ALL_PLATFORMS)).select(
        cohort_month="kpi_month", cac="cac"
    )
    ltv = (
        grid.join(margin, on=["cohort_month", "months_since_first_order"], how="left")
        .sort("cohort_month", "months_since_first_order")
        .with_columns(cumulative_cm2=pl.col("cm2").fill_null(0).cum_sum().over("cohort_month"))
        .with_columns(cumulative_cm2_per_customer=per_unit("cumulative_cm2", "customers"))
        .join(cac, on="cohort_month", how="left")
        .with_columns(is_paid_back=pl.col("cumulative_cm2_per_customer") >= pl.col("cac"))
        .with_columns(
            cac_payback_months=pl.col("months_since_first_order")
            .filter(pl.col("is_paid_back"))
            .min()
            .over("cohort_month")
        )
    )
    return ltv.select(
        "cohort_month",
        pl.col("months_since_first_order").cast(pl.Int64),
        pl.col("customers").cast(pl.Int64),
        "cumulative_cm2",
        "cumulative_cm2_per_customer",
        "cac",
        "is_paid_back",
        pl.col("cac_payback_months").cast(pl.Int64),
    ).sort("cohort_month", "months_since_first_order")


def write(folder: Path, monthly: pl.DataFrame, ltv: pl.DataFrame, reporting_currency: str) -> None:
    """`marketing_kpis_monthly.csv` and `cohort_ltv.csv`: money in decimal units, ratios to 4 decimals."""
    monthly.with_columns(
        reporting_currency=pl.lit(reporting_currency),
        **{c: cents_str(c) for c in MONTHLY_MONEY},
        **{c: ratio_str(c) for c in MONTHLY_RATIOS},
    ).select(MONTHLY_COLUMNS).write_csv(folder / "marketing_kpis_monthly.csv")
    ltv.with_columns(
        reporting_currency=pl.lit(reporting_currency),
        **{c: cents_str(c) for c in ("cumulative_cm2", "cumulative_cm2_per_customer", "cac")},
    ).select(
        "cohort_month",
        "months_since_first_order",
        "customers",
        "reporting_currency",
        "cumulative_cm2",
        "cumulative_cm2_per_customer",
        "cac",
        "is_paid_back",
        "cac_payback_months",
    ).write_csv(folder / "cohort_ltv.csv")
