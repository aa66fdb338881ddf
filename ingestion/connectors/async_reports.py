"""Asynchronous reports (SP-API createReport, Amazon Ads v3 reports): the date slices a window is requested in (each
API caps a report's range) and the wait for a report: poll at a fixed interval until it is finished, up to a
deadline. Tenacity does the waiting, so there is one polling rule for every connector."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

import tenacity

T = TypeVar("T")


def poll_until(
    fetch: Callable[[], T],
    *,
    done: Callable[[T], bool],
    every_seconds: float,
    timeout_seconds: float,
    on_timeout: Callable[[], Exception],
) -> T:
    """`fetch()` until `done(result)`; raises `on_timeout()` when the deadline passes first."""
    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_result(lambda result: not done(result)),
        wait=tenacity.wait_fixed(every_seconds),
        stop=tenacity.stop_after_delay(timeout_seconds),
        reraise=True,
    )
    try:
        return retrying(fetch)
    except tenacity.RetryError as exc:
        raise on_timeout() from exc


def date_slices(since: dt.date, until: dt.date, max_days: int) -> list[tuple[dt.date, dt.date]]:
    """[since, until] (inclusive) cut into consecutive ranges of at most `max_days` days."""
    slices, start = [], since
    while start <= until:
        end = min(start + dt.timedelta(days=max_days - 1), until)
        slices.append((start, end))
        start = end + dt.timedelta(days=1)
    return slices
