"""Days of the demo period in the brand's time zone: seasonality, UTC bounds, FX."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

BRAND_TIMEZONE = "America/New_York"
WEEKDAY_FACTOR = np.array([1.05, 1.0, 0.98, 1.0, 0.95, 0.92, 1.1])  # Monday .. Sunday
# Pivot-currency (USD) value of one unit, with a mild daily drift; ECB-style weekdays only.
FX_BASE = {"EUR": 1.0850, "GBP": 1.2700, "CAD": 0.7350}


def black_friday(year: int) -> dt.date:
    """The day after the fourth Thursday of November."""
    first = dt.date(year, 11, 1)
    first_thursday = first + dt.timedelta(days=(3 - first.weekday()) % 7)
    return first_thursday + dt.timedelta(days=22)


def build_days(start: dt.date, days: int, tz: str = BRAND_TIMEZONE) -> pl.DataFrame:
    """One row per local day: UTC start of the day, its length in seconds and the demand factor."""
    zone = ZoneInfo(tz)
    dates = [start + dt.timedelta(days=i) for i in range(days + 1)]
    # A loop over days, not rows: DST makes some local days 23 or 25 hours long.
    utc_starts = [int(dt.datetime(d.year, d.month, d.day, tzinfo=zone).timestamp()) for d in dates]
    starts = np.array(utc_starts[:-1], dtype=np.int64)
    lengths = np.diff(np.array(utc_starts, dtype=np.int64))
    dates = dates[:-1]
    doy = np.array([d.timetuple().tm_yday for d in dates])
    weekday = np.array([d.weekday() for d in dates])
    yearly = 1.0 + 0.22 * np.cos(2 * np.pi * (doy - 350) / 365.25)
    peak = np.ones(days)
    is_bfcm = np.zeros(days, dtype=bool)
    for i, d in enumerate(dates):
        bf = black_friday(d.year)
        if bf - dt.timedelta(days=1) <= d <= bf + dt.timedelta(days=3):  # Thanksgiving .. Cyber Monday
            peak[i] = 2.6 if d != bf - dt.timedelta(days=1) else 1.6
            is_bfcm[i] = True
        elif bf + dt.timedelta(days=4) <= d <= dt.date(d.year, 12, 20):
            peak[i] = 1.35
        elif dt.date(d.year, 12, 21) <= d <= dt.date(d.year, 12, 31):
            peak[i] = 0.8
    return pl.DataFrame(
        {
            "day_index": np.arange(days, dtype=np.int32),
            "date": dates,
            "utc_start": starts,
            "seconds": lengths,
            "demand": WEEKDAY_FACTOR[weekday] * yearly * peak,
            "is_bfcm": is_bfcm,
        }
    )


def build_fx_rates(
    rng: np.random.Generator, start: dt.date, days: int, history_from: dt.date | None = None
) -> pl.DataFrame:
    """Daily reference rates on weekdays only (weekends fall back to Friday's rate).

    The period's rates (from 10 days before `start`) drift from FX_BASE. When `history_from` is earlier, the
    file reaches back to it with a walk of its own stream (the rates the brand paid its earlier cost rows at,
    docs/metrics.md rule 9), so the period's rates and everything drawn after them do not move.
    """
    first = start - dt.timedelta(days=10)
    dates = [first + dt.timedelta(days=i) for i in range(days + 10)]
    back = (first - history_from).days if history_from is not None and history_from < first else 0
    back_rng = np.random.default_rng([start.toordinal(), back, 9])
    frames = []
    for currency, base in FX_BASE.items():
        walk = np.cumsum(rng.normal(0, 0.0025, len(dates)))
        rates = np.round(base * np.exp(walk), 4)
        frames.append(pl.DataFrame({"date": dates, "currency": currency, "rate": rates}))
        if back:
            # Walked backwards from the period's first rate: the day before `first` is one step away.
            back_walk = walk[0] + np.cumsum(back_rng.normal(0, 0.0025, back))
            back_dates = [first - dt.timedelta(days=i + 1) for i in range(back)]
            frames.append(
                pl.DataFrame({"date": back_dates, "currency": currency, "rate": np.round(base * np.exp(back_walk), 4)})
            )
    fx = pl.concat(frames)
    return fx.filter(pl.col("date").dt.weekday() <= 5).sort(["date", "currency"])
