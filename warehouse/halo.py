"""The Amazon halo of off-Amazon ads: one joint regression of daily Amazon sales on adstocked Google and Meta spend.

docs/metrics.md "Halo estimate" states the method; in short, for each day d of the series

    amazon_sales(d) = a + sum_p beta_p * A_p(d) + day-of-week + trend + retail-calendar events + e(d)
    A_p(d) = sum_k decay^k * spend_p(d - lag - k)            (geometric adstock, lag and decay settings)

fitted by OLS (statsmodels) with HAC (Newey-West) standard errors, because daily residuals are autocorrelated
(floored at the classical standard errors: see `_fit`), and Student t 95 % intervals.
`amazon_sales` is the gross sales (units x unit price, before discounts and refunds; cancelled orders have no line)
of one Amazon marketplace's lines by order date in the reporting currency, less the sales Amazon Ads credits to
its own ads (the Sponsored Products `sales7d`, Sponsored Brands/Display `sales` of that marketplace's currency):
what is left is the demand no Amazon click explains. Gross, not net, because a halo moves demand (orders placed);
refunds and promotions follow later and for reasons of their own.

The decay is a setting; the decay the data prefers is also found by profile likelihood over a grid (the fit's
Gaussian log-likelihood at each grid value, the best one reported) and fitted too, as a second set of rows.

Plain functions (no Dagster): orchestration/defs/halo.py calls `run_halo`; the tests call `fit_halo` on
series straight from the demo generator.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np
import polars as pl

from commerce_analytics.settings import Settings

PLATFORMS = ("google_ads", "meta_ads")
ESTIMATE_TABLE = "fct_halo_estimate"
DAILY_TABLE = "fct_halo_daily"
CONFIDENCE = 0.95
DEFAULT_DECAY_GRID = tuple(round(0.1 * i, 1) for i in range(10))  # 0.0 .. 0.9


@dataclass(frozen=True)
class HaloSettings:
    """How the halo is fitted (README "Settings": COMMERCE_HALO_*)."""

    marketplace: str = "Amazon.com"
    """Whose Amazon sales: the marketplace the off-Amazon ads reach (the demo's Google and Meta ads are US)."""
    lag_days: int = 1
    """Days between spend and its first effect on Amazon sales."""
    decay: float = 0.5
    """Geometric adstock decay: the share of a day's effect carried to the next day."""
    decay_grid: tuple[float, ...] = DEFAULT_DECAY_GRID
    """Decays tried by the profile likelihood."""
    hac_max_lags: int | None = None
    """Newey-West lags of the HAC covariance; None: the Newey-West rule floor(4 (n/100)^(2/9)) (4 for 122 days)."""

    def __post_init__(self) -> None:
        if self.lag_days < 0:
            raise ValueError(f"COMMERCE_HALO_LAG_DAYS must be 0 or more, not {self.lag_days}")
        for value in (self.decay, *self.decay_grid):
            if not 0.0 <= value < 1.0:
                raise ValueError(f"a halo decay must be in [0, 1), not {value} (COMMERCE_HALO_DECAY[_GRID])")
        if not self.decay_grid:
            raise ValueError("COMMERCE_HALO_DECAY_GRID lists no decay")
        if self.hac_max_lags is not None and self.hac_max_lags < 0:
            raise ValueError(f"COMMERCE_HALO_HAC_MAX_LAGS must be 0 or more, not {self.hac_max_lags}")

    @classmethod
    def from_environ(cls, environ) -> HaloSettings:
        """Settings from COMMERCE_HALO_* variables (orchestration/lib/settings.py, the one place reading them)."""
        grid = environ.get("COMMERCE_HALO_DECAY_GRID")
        return cls(
            marketplace=environ.get("COMMERCE_HALO_MARKETPLACE") or cls.marketplace,
            lag_days=int(environ.get("COMMERCE_HALO_LAG_DAYS") or cls.lag_days),
            decay=float(environ.get("COMMERCE_HALO_DECAY") or cls.decay),
            decay_grid=tuple(float(v) for v in grid.split(",")) if grid else DEFAULT_DECAY_GRID,
            hac_max_lags=int(lags) if (lags := environ.get("COMMERCE_HALO_HAC_MAX_LAGS")) else None,
        )

    def hac_lags(self, n_days: int) -> int:
        if self.hac_max_lags is not None:
            return self.hac_max_lags
        return int(np.floor(4 * (n_days / 100) ** (2 / 9)))


def adstock(spend: np.ndarray, lag: int, decay: float) -> np.ndarray:
    """A(d) = sum_k decay^k * spend(d - lag - k); days before the series count as no spend."""
    shifted = np.concatenate([np.zeros(lag), spend[: max(len(spend) - lag, 0)]])[: len(spend)]
    out = np.empty(len(spend), dtype=np.float64)
    carry = 0.0
    for i, value in enumerate(shifted):
        carry = value + decay * carry
        out[i] = carry
    return out


def retail_events(dates: Sequence[dt.date]) -> dict[str, np.ndarray]:
    """US retail-calendar periods whose demand no trend or weekday explains (0/1 per day).

    Thanksgiving to Cyber Monday, the run-up to Christmas (to 20 December) and the last days of the year.
    Brands raise spend exactly then, so without them the regression credits the ads with the season.
    """
    columns: dict[str, list[float]] = {"event_thanksgiving_to_cyber_monday": [], "event_holiday_run_up": []}
    columns["event_year_end"] = []
    for day in dates:
        first = dt.date(day.year, 11, 1)
        thanksgiving = first + dt.timedelta(days=(3 - first.weekday()) % 7 + 21)
        cyber_monday = thanksgiving + dt.timedelta(days=4)
        columns["event_thanksgiving_to_cyber_monday"].append(float(thanksgiving <= day <= cyber_monday))
        columns["event_holiday_run_up"].append(float(cyber_monday < day <= dt.date(day.year, 12, 20)))
        columns["event_year_end"].append(float(dt.date(day.year, 12, 21) <= day))
    return {name: np.asarray(values) for name, values in columns.items()}


class HaloNotEstimable(ValueError):
    """The warehouse's data cannot carry the regression (no sales of the marketplace, a platform that never
    spent, fewer days than regressors): the asset says why and leaves no estimate behind."""


@dataclass
class HaloFit:
    """One regression's result: per platform slope, standard error and 95% interval, and the daily fit."""

    decay: float
    decay_source: str
    lag_days: int
    n_days: int
    hac_max_lags: int
    log_likelihood: float
    controls: list[str]
    slopes: dict[str, float]
    std_errors: dict[str, float]
    """The larger of the HAC and the classical standard error (see _fit)."""
    hac_std_errors: dict[str, float]
    ols_std_errors: dict[str, float]
    intervals: dict[str, tuple[float, float]]
    daily: pl.DataFrame = field(repr=False)


@dataclass
class HaloResult:
    settings: HaloSettings
    at_setting: HaloFit
    at_profile: HaloFit
    profile: dict[float, float]
    """Log-likelihood per decay of the grid."""


def _design(series: pl.DataFrame, lag: int, decay: float) -> tuple[np.ndarray, list[str], dict[str, np.ndarray]]:
    dates = series["date"].to_list()
    n = len(dates)
    stocks = {p: adstock(series[f"{p}_spend"].to_numpy().astype(np.float64), lag, decay) for p in PLATFORMS}
    columns: dict[str, np.ndarray] = {"intercept": np.ones(n), **{f"{p}_adstock": stocks[p] for p in PLATFORMS}}
    columns["trend"] = np.arange(n, dtype=np.float64) / max(n - 1, 1)
    weekday = np.asarray([d.weekday() for d in dates])
    for k, name in enumerate(["tue", "wed", "thu", "fri", "sat", "sun"], start=1):
        columns[f"dow_{name}"] = (weekday == k).astype(np.float64)
    for name, flags in retail_events(dates).items():
        # An event the window does not see (or that covers the whole window) identifies nothing.
        if 0 < flags.sum() < n:
            columns[name] = flags
    # A platform that never spent in the window has no slope to fit.
    silent = [f"{p}_adstock" for p in PLATFORMS if not stocks[p].any()]
    if silent:
        raise HaloNotEstimable(f"no spend in the halo window for {', '.join(silent)}: nothing to estimate")
    names = list(columns)
    return np.column_stack([columns[c] for c in names]), names, stocks


def _fit(series: pl.DataFrame, settings: HaloSettings, decay: float, decay_source: str) -> HaloFit:
    from scipy import stats
    from statsmodels.regression.linear_model import OLS

    y = series["amazon_sales"].to_numpy().astype(np.float64)
    design, names, stocks = _design(series, settings.lag_days, decay)
    lags = settings.hac_lags(len(y))
    if len(y) <= len(names) + lags:
        raise HaloNotEstimable(
            f"the halo needs more days than its {len(names)} regressors and {lags} HAC lags: "
            f"the warehouse has {len(y)} days of {settings.marketplace} sales"
        )
    model = OLS(y, design)
    hac = model.fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}, use_t=True)
    classical = model.fit()
    # On a few months of days Newey-West is biased down (measured on generated seeds: 92 % coverage of a
    # nominal 95 % interval with HAC alone, 96 % with this floor), so the interval never gets narrower than
    # the classical one; with autocorrelated residuals HAC is the larger and wins.
    std_error = np.maximum(hac.bse, classical.bse)
    quantile = float(stats.t.ppf(0.5 + CONFIDENCE / 2, classical.df_resid))
    index = {p: names.index(f"{p}_adstock") for p in PLATFORMS}
    slopes = {p: float(classical.params[index[p]]) for p in PLATFORMS}
    contributions = {p: slopes[p] * stocks[p] for p in PLATFORMS}
    daily = series.select("date", "amazon_sales").with_columns(
        pl.Series("fitted", classical.fittedvalues),
        *[pl.Series(f"{p}_adstock", stocks[p]) for p in PLATFORMS],
        *[pl.Series(f"{p}_contribution", contributions[p]) for p in PLATFORMS],
    )
    return HaloFit(
        decay=decay,
        decay_source=decay_source,
        lag_days=settings.lag_days,
        n_days=len(y),
        hac_max_lags=lags,
        log_likelihood=float(classical.llf),
        controls=[c for c in names if c != "intercept" and not c.endswith("_adstock")],
        slopes=slopes,
        std_errors={p: float(std_error[index[p]]) for p in PLATFORMS},
        hac_std_errors={p: float(hac.bse[index[p]]) for p in PLATFORMS},
        ols_std_errors={p: float(classical.bse[index[p]]) for p in PLATFORMS},
        intervals={
            p: (slopes[p] - quantile * float(std_error[index[p]]), slopes[p] + quantile * float(std_error[index[p]]))
            for p in PLATFORMS
        },
        daily=daily,
    )


def fit_at(series: pl.DataFrame, settings: HaloSettings, decay: float | None = None) -> HaloFit:
    """One fit at `decay` (the setting's when None): what the recovery tests check, without the profile."""
    return _fit(series.sort("date"), settings, settings.decay if decay is None else decay, "setting")


def fit_halo(series: pl.DataFrame, settings: HaloSettings | None = None) -> HaloResult:
    """Fit the halo on a daily series (`date`, `amazon_sales`, `google_ads_spend`, `meta_ads_spend`; every day
    of the window once, in order) at the setting's decay, and at the decay of best profile likelihood."""
    settings = settings or HaloSettings()
    series = series.sort("date")
    profile = {
        decay: _fit(series, settings, decay, "profile_likelihood").log_likelihood for decay in settings.decay_grid
    }
    best = max(profile, key=lambda decay: (profile[decay], -decay))  # ties: the shorter memory
    return HaloResult(
        settings=settings,
        at_setting=_fit(series, settings, settings.decay, "setting"),
        at_profile=_fit(series, settings, best, "profile_likelihood"),
        profile=profile,
    )


# ------------------------------------------------------------------ warehouse
def series_query(settings: Settings, target: str | None = None) -> str:
    """The daily series from the marts (and Amazon Ads' own attribution from staging), portable SQL.

    One row per order date of the marketplace's lines; spend and credited sales of the same day joined on.
    Credited sales are in the marketplace's currency and convert at the rate the fact applied to that day's
    sales (gross_sales / gross_sales_source), so both sides of the subtraction use one rate.
    """
    marts = settings.schema("marts", target)
    staging = settings.schema("staging", target)
    return f"""
with

marketplace_days as (
    select
        order_date as sales_date,
        max(source_currency) as source_currency,
        sum(gross_sales) as gross_sales,
        sum(gross_sales_source) as gross_sales_source
    from {marts}.fct_financial_performance
    where marketplace = {{marketplace}}
    group by order_date
),

amazon_ads_credited as (
    select date as credited_date, currency, sales_7d as credited_sales
    from {staging}.stg_amazon_ads__advertised_product_daily
    union all
    select date as credited_date, currency, sales as credited_sales
    from {staging}.stg_amazon_ads__sponsored_brands_display_daily
),

credited_days as (
    select
        marketplace_days.sales_date,
        sum(amazon_ads_credited.credited_sales) as credited_sales_source
    from marketplace_days
    inner join amazon_ads_credited
        on amazon_ads_credited.credited_date = marketplace_days.sales_date
        and amazon_ads_credited.currency = marketplace_days.source_currency
    group by marketplace_days.sales_date
),

spend_days as (
    select
        activity_date as spend_date,
        sum(case when platform = 'google_ads' then spend else 0 end) as google_ads_spend,
        sum(case when platform = 'meta_ads' then spend else 0 end) as meta_ads_spend
    from {marts}.fct_campaign_daily
    -- Every attribution model repeats the day's spend (docs/metrics.md rule 52): read one model's rows.
    where platform in ('google_ads', 'meta_ads') and attribution_model = 'last_click'
    group by activity_date
)

select
    marketplace_days.sales_date as date,
    marketplace_days.gross_sales,
    coalesce(
        credited_days.credited_sales_source * marketplace_days.gross_sales
        / nullif(marketplace_days.gross_sales_source, 0),
        0
    ) as amazon_ads_credited_sales,
    coalesce(spend_days.google_ads_spend, 0) as google_ads_spend,
    coalesce(spend_days.meta_ads_spend, 0) as meta_ads_spend
from marketplace_days
left join credited_days on credited_days.sales_date = marketplace_days.sales_date
left join spend_days on spend_days.spend_date = marketplace_days.sales_date
order by marketplace_days.sales_date
"""


def read_series(connection, settings: Settings, halo: HaloSettings, target: str | None = None) -> pl.DataFrame:
    """The daily series: every day from the marketplace's first to last order date (a day without sales is 0)."""
    cursor = connection.cursor()
    query = series_query(settings, target).replace("{marketplace}", _placeholder(connection))
    cursor.execute(query, (halo.marketplace,))
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    if not rows:
        raise HaloNotEstimable(
            f"no {halo.marketplace} order lines in {settings.schema('marts', target)}.fct_financial_performance: "
            "set COMMERCE_HALO_MARKETPLACE to a marketplace the warehouse has (e.g. Amazon.com)"
        )
    frame = pl.DataFrame(
        [[float(v) if isinstance(v, Decimal) else v for v in row] for row in rows], schema=names, orient="row"
    )
    days = pl.DataFrame({"date": pl.date_range(frame["date"].min(), frame["date"].max(), eager=True)})
    return (
        days.join(frame.with_columns(pl.col("date").cast(pl.Date)), on="date", how="left")
        .fill_null(0.0)
        .with_columns(pl.col("gross_sales", "amazon_ads_credited_sales", "google_ads_spend", "meta_ads_spend").round(2))
        .with_columns(amazon_sales=(pl.col("gross_sales") - pl.col("amazon_ads_credited_sales")).round(2))
    )


def estimate_frame(result: HaloResult, fitted_at: dt.datetime) -> pl.DataFrame:
    """`fct_halo_estimate`: one row per platform and decay source (the setting's decay, the profile's best)."""
    rows = []
    for fit in (result.at_setting, result.at_profile):
        for platform in PLATFORMS:
            low, high = fit.intervals[platform]
            rows.append(
                {
                    "platform": platform,
                    "decay_source": fit.decay_source,
                    "slope": fit.slopes[platform],
                    "std_error": fit.std_errors[platform],
                    "hac_std_error": fit.hac_std_errors[platform],
                    "ols_std_error": fit.ols_std_errors[platform],
                    "ci_low": low,
                    "ci_high": high,
                    "confidence_level": CONFIDENCE,
                    "n_days": fit.n_days,
                    "first_date": fit.daily["date"].min(),
                    "last_date": fit.daily["date"].max(),
                    "marketplace": result.settings.marketplace,
                    "lag_days": fit.lag_days,
                    "decay": fit.decay,
                    "hac_max_lags": fit.hac_max_lags,
                    "decay_grid": ",".join(f"{d:g}" for d in result.settings.decay_grid),
                    "controls": ",".join(fit.controls),
                    "log_likelihood": fit.log_likelihood,
                    "fitted_at": fitted_at,
                }
            )
    return pl.DataFrame(rows)


def daily_frame(result: HaloResult, series: pl.DataFrame, fitted_at: dt.datetime) -> pl.DataFrame:
    """`fct_halo_daily`: the setting's fit per day: observed, fitted, each platform's contribution, inputs."""
    fit = result.at_setting
    return (
        fit.daily.rename({"amazon_sales": "observed"})
        .join(
            series.select("date", "gross_sales", "amazon_ads_credited_sales", "google_ads_spend", "meta_ads_spend"),
            on="date",
            how="left",
        )
        .with_columns(
            baseline=pl.col("fitted") - pl.col("google_ads_contribution") - pl.col("meta_ads_contribution"),
            marketplace=pl.lit(result.settings.marketplace),
            lag_days=pl.lit(fit.lag_days),
            decay=pl.lit(fit.decay),
            fitted_at=pl.lit(fitted_at),
        )
        .select(
            "date",
            "marketplace",
            "gross_sales",
            "amazon_ads_credited_sales",
            "observed",
            "fitted",
            "baseline",
            "google_ads_contribution",
            "meta_ads_contribution",
            "google_ads_spend",
            "meta_ads_spend",
            "google_ads_adstock",
            "meta_ads_adstock",
            "lag_days",
            "decay",
            "fitted_at",
        )
    )


def _is_duckdb(connection) -> bool:
    return "duckdb" in type(connection).__module__


def _placeholder(connection) -> str:
    """The driver's positional parameter: DuckDB `?`, psycopg2 and redshift_connector `%s`."""
    return "?" if _is_duckdb(connection) else "%s"


SQL_TYPES = {pl.String: "varchar(256)", pl.Float64: "double precision", pl.Int64: "bigint", pl.Int32: "integer"}


def _sql_type(dtype: pl.DataType) -> str:
    if isinstance(dtype, pl.Datetime):
        return "timestamp"
    if isinstance(dtype, pl.Date):
        return "date"
    for kind, name in SQL_TYPES.items():
        if isinstance(dtype, kind):
            return name
    raise TypeError(f"no warehouse type for {dtype!r}")


def replace_table(connection, schema: str, table: str, frame: pl.DataFrame) -> None:
    """Replace `schema.table` with `frame` in one transaction (readers see the old rows or the new, never none)."""
    columns = ", ".join(f'"{c}" {_sql_type(t)}' for c, t in frame.schema.items())
    placeholders = ", ".join([_placeholder(connection)] * frame.width)
    rows = frame.rows()
    # A DuckDB cursor is a connection of its own: the transaction runs on the connection itself.
    cursor = connection if _is_duckdb(connection) else connection.cursor()
    if _is_duckdb(connection):
        cursor.execute("begin transaction")
    cursor.execute(f'drop table if exists {schema}."{table}"')
    cursor.execute(f'create table {schema}."{table}" ({columns})')
    cursor.executemany(f'insert into {schema}."{table}" values ({placeholders})', rows)
    connection.commit()


@contextlib.contextmanager
def _warehouse(kind: str, settings: Settings) -> Iterator[object]:
    """A writable connection; on a DuckDB file under the build's lock, so no build copies the file meanwhile
    (a build's publish would otherwise rename over these tables)."""
    if kind == "duckdb":
        import duckdb

        live = Path(settings.warehouse).expanduser().resolve()
        with open(live.with_name(live.name + ".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            connection = duckdb.connect(str(live))
            try:
                yield connection
            finally:
                connection.close()
        return
    from warehouse.targets import server_connection

    connection = server_connection(kind)
    try:
        yield connection
    finally:
        connection.close()


def run_halo(
    kind: str, settings: Settings, halo: HaloSettings, target: str | None = None, now: dt.datetime | None = None
) -> HaloResult:
    """Read the series from the warehouse, fit, write `fct_halo_estimate` and `fct_halo_daily` into the marts.

    The tables live in the live marts schema beside dbt's; a build's staged copy carries them (the DuckDB file
    copy, the server's copy of every marts table), so the next publish keeps them until this asset rewrites them.
    """
    fitted_at = (now or dt.datetime.now(dt.UTC)).replace(tzinfo=None, microsecond=0)
    marts = settings.schema("marts", target)
    with _warehouse(kind, settings) as connection:
        try:
            series = read_series(connection, settings, halo, target)
            result = fit_halo(series, halo)
        except HaloNotEstimable:
            # No estimate beats a stale one: readers see the tables go, the asset's log says why.
            cursor = connection if _is_duckdb(connection) else connection.cursor()
            for table in (ESTIMATE_TABLE, DAILY_TABLE):
                cursor.execute(f'drop table if exists {marts}."{table}"')
            connection.commit()
            raise
        replace_table(connection, marts, ESTIMATE_TABLE, estimate_frame(result, fitted_at))
        replace_table(connection, marts, DAILY_TABLE, daily_frame(result, series, fitted_at))
    return result


def read_estimates(connection, marts_schema: str = "marts") -> list[dict]:
    """The estimate rows as the report prints them (setting's decay first)."""
    cursor = connection.cursor()
    cursor.execute(
        f"select platform, decay_source, slope, std_error, ci_low, ci_high, n_days, lag_days, decay, marketplace "
        f"from {marts_schema}.{ESTIMATE_TABLE} order by case when decay_source = 'setting' then 0 else 1 end, platform"
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def report_lines(rows: list[dict], planted_file: Path | None = None) -> list[str]:
    """The estimate as `make demo` prints it; with the generator's truth/halo.json, the planted values beside."""
    import json

    planted = json.loads(planted_file.read_text()) if planted_file is not None else None
    setting = [r for r in rows if r["decay_source"] == "setting"]
    profile = [r for r in rows if r["decay_source"] == "profile_likelihood"]
    if not setting:
        return ["(no halo estimate in the warehouse)"]
    first = setting[0]
    lines = [
        f"Amazon halo ({ESTIMATE_TABLE}: {first['marketplace']} sales not credited to Amazon Ads per unit of "
        f"adstocked spend, {first['n_days']} days, lag {first['lag_days']}, decay {float(first['decay']):g}, "
        f"95% intervals):"
    ]
    slopes = (planted or {}).get("coefficients_usd_sales_per_usd_spend", {})
    header = f"  {'platform':<12}{'slope':>8}{'std_error':>11}   {'95% interval':<18}"
    lines.append(header + ("  planted  inside" if planted else ""))
    for row in setting:
        low, high = float(row["ci_low"]), float(row["ci_high"])
        line = f"  {row['platform']:<12}{float(row['slope']):>8.3f}{float(row['std_error']):>11.3f}   "
        line += f"[{low:>6.3f}, {high:>6.3f}]"
        if planted and row["platform"] in slopes:
            value = float(slopes[row["platform"]])
            line += f"  {value:>7.2f}  {'yes' if low <= value <= high else 'NO'}"
        lines.append(line)
    if profile:
        lines.append(
            f"  decay by profile likelihood: {float(profile[0]['decay']):g}"
            + (f" (planted: lag {planted['lag_days']}, decay {planted['decay']:g})" if planted else "")
        )
    lines.append("  A correlation under the stated controls, not a causal lift (docs/metrics.md 'Halo estimate').")
    return lines
