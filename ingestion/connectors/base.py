"""What every connector is: the `Connector` protocol, its window, its files and its errors.

A connector turns a platform's API responses into files in the platform's NATIVE export format (the one
`ingestion/formats/` already parses), so pulled data lands through the same path as a dropped file: same
manifests, record keys, dedup and quarantine. File names and bytes are deterministic for the same data, so
re-pulling what already landed is a duplicate that changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, Protocol

from commerce_analytics.settings import Settings


class ConnectorError(Exception):
    """A pull that failed: names the source, the account, the endpoint and the reason (and, for missing or
    expired credentials, the setting to fix). Never holds a secret."""

    def __init__(self, source: str, account: str, endpoint: str, reason: str, setting: str | None = None):
        self.source = source
        self.account = account
        self.endpoint = endpoint
        self.reason = reason
        self.setting = setting
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.source} account {self.account or '-'}, {self.endpoint or '-'}"
        fix = f" (check the setting {self.setting})" if self.setting else ""
        return f"{where}: {self.reason}{fix}"

    def __reduce__(self):  # crosses the process boundary of the memory-capped landing
        return (type(self), (self.source, self.account, self.endpoint, self.reason, self.setting))


class NotConfigured(ConnectorError):
    """The connector's credentials or settings are absent: it is skipped with this message, not failed."""

    def __init__(self, source: str, missing: str | list[str], account: str = "", endpoint: str = "", reason: str = ""):
        names = [missing] if isinstance(missing, str) else list(missing)
        self.missing = names
        super().__init__(source, account, endpoint, reason or f"not configured: set {', '.join(names)}", None)

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"

    def __reduce__(self):
        return (type(self), (self.source, self.missing, self.account, self.endpoint, self.reason))


@dataclass(frozen=True)
class PullWindow:
    """The inclusive days to pull. `explicit`: given as --since/--until (a backfill), so the cursor must not
    move backwards (`later_cursor`). `today`: the runner's day (injected by tests and replays; None: the real
    one); every "how old is too old" cut-off (report retention, click_view's 90 days) follows `now()`."""

    since: dt.date
    until: dt.date
    explicit: bool = False
    today: dt.date | None = field(default=None, compare=False)

    def now(self) -> dt.datetime:
        """The moment of the pull: the real time, or the end of an injected `today` that has passed."""
        real = dt.datetime.now(dt.UTC)
        if self.today is None or self.today >= real.date():
            return real
        return dt.datetime.combine(self.today + dt.timedelta(days=1), dt.time(0), dt.UTC)

    def days(self) -> list[dt.date]:
        return [self.since + dt.timedelta(days=n) for n in range((self.until - self.since).days + 1)]

    def __str__(self) -> str:
        return f"{self.since.isoformat()}..{self.until.isoformat()}"


def cursor_date(cursor: str | None) -> dt.date | None:
    """The day of a stored cursor (an ISO date or timestamp)."""
    if not cursor:
        return None
    return (
        dt.datetime.fromisoformat(cursor.replace("Z", "+00:00")).date()
        if "T" in cursor
        else dt.date.fromisoformat(cursor)
    )


def pull_window(
    source: str,
    state: dict,
    settings: Settings,
    since: dt.date | None = None,
    until: dt.date | None = None,
    today: dt.date | None = None,
) -> PullWindow:
    """The window of one pull: --since/--until when given (a backfill); else from the cursor minus the source's
    lookback (<SOURCE>_LOOKBACK_DAYS) to today; a first pull reaches COMMERCE_PULL_BACKFILL_DAYS back."""
    injected = today
    today = today or dt.datetime.now(dt.UTC).date()
    end = until or today
    if since is not None:
        start = since
    else:
        cursor = cursor_date(state.get("cursor"))
        if cursor is None:
            start = end - dt.timedelta(days=settings.pull_backfill_days)
        else:
            start = min(cursor, end) - dt.timedelta(days=settings.lookback_days(source))
    if start > end:
        raise ValueError(f"--since {start} is after --until {end}")
    return PullWindow(start, end, explicit=since is not None or until is not None, today=injected)


def later_cursor(old: str | None, new: str | None) -> str | None:
    """The later of two ISO cursors (a backfill of an old range keeps the newer cursor)."""
    if not old or not new:
        return new or old
    return max(old, new, key=lambda c: (cursor_date(c), c))


@dataclass(frozen=True)
class PulledFile:
    """One file in the platform's native export format; same data -> same `name` and same `content`."""

    name: str
    content: bytes


def stable_json(document: Any) -> bytes:
    """Deterministic JSON bytes (sorted keys, fixed separators, trailing newline) for a pulled file."""
    return (json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def stable_json_lines(records: list[Any]) -> bytes:
    """Deterministic JSON Lines bytes (one sorted-key object per line) for a pulled file."""
    return b"".join(stable_json(r) for r in records)


class Connector(Protocol):
    source: str
    """Its name: the CLI's SOURCE, the `pulled` asset prefix and the `_state/<source>/` folder (shopify, meta_ads,
    amazon_sp, amazon_ads, google_ads)."""
    lake_source: str
    """The lake source its files land in (`amazon_sp` lands Seller Central's `amazon`; the others their own name)."""
    entities: tuple[str, ...]
    """What it pulls, one Dagster asset each in the `pulled` group (e.g. orders, payouts)."""
    settings_needed: tuple[str, ...]
    """The settings it needs (named in the skip message and the docs)."""

    def accounts(self, settings: Settings) -> list[str]:
        """The accounts to pull; raises NotConfigured when credentials/settings are absent."""
        ...

    def pull(self, account: str, window: PullWindow, state: dict, settings: Settings) -> tuple[list[PulledFile], dict]:
        """All files of `window` for `account`, and the new cursor state (written after they landed). Raises
        ConnectorError; returns only when every page was fetched (nothing partial)."""
        ...
