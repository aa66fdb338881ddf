"""Pure functions that build dbt command lines for Dagster (unit-tested without dbt).

A backfill of an order-date range is ONE dbt invocation with the range as vars (design.md "Partitions and
late data"): incremental models read `start_date`/`end_date` (inclusive ISO dates) and re-process the
orders in that range; without them they process what is newer than their watermark.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

BACKFILL_START_VAR = "start_date"
BACKFILL_END_VAR = "end_date"


def _iso(value: str | dt.date | None, name: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise ValueError(f"{name} must be a date (YYYY-MM-DD), got {value!r}") from None


def backfill_vars(start: str | dt.date | None, end: str | dt.date | None) -> dict[str, str]:
    """dbt vars for an order-date range; both ends or neither, inclusive, start <= end."""
    start_iso, end_iso = _iso(start, "start"), _iso(end, "end")
    if (start_iso is None) != (end_iso is None):
        raise ValueError("a backfill needs both a start and an end date (or neither)")
    if start_iso is None:
        return {}
    if start_iso > end_iso:
        raise ValueError(f"backfill start {start_iso} is after its end {end_iso}")
    return {BACKFILL_START_VAR: start_iso, BACKFILL_END_VAR: end_iso}


def build_dbt_args(
    command: str = "build",
    *,
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    full_refresh: bool = False,
    extra_vars: dict[str, object] | None = None,
    select: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> list[str]:
    """The dbt CLI arguments (without the `dbt` executable) for one invocation.

    Dagster adds the asset selection itself; `select`/`exclude` are for callers outside Dagster.
    """
    if command not in {"build", "run", "test", "seed"}:
        raise ValueError(f"unsupported dbt command {command!r}")
    args = [command]
    variables = {**(extra_vars or {}), **backfill_vars(start, end)}
    if variables:
        args += ["--vars", json.dumps(variables, sort_keys=True, default=str)]
    if full_refresh:
        if command == "test":
            raise ValueError("--full-refresh does not apply to dbt test")
        args.append("--full-refresh")
    if select:
        args += ["--select", *select]
    if exclude:
        args += ["--exclude", *exclude]
    return args


def partition_range_to_dates(start: dt.datetime, end: dt.datetime) -> tuple[dt.date, dt.date]:
    """A Dagster time window [start, end) of daily partitions -> inclusive (first day, last day)."""
    last = end - dt.timedelta(microseconds=1)
    if last < start:
        raise ValueError("empty partition range")
    return start.date(), last.date()
