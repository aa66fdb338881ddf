"""The warehouse's build log: when each build started and how it ended, so `report` can say how old the marts
are and warn when they may be stale or mixed.

`commerce-analytics build` and the Dagster dbt op record a row in `<prefix>audit.warehouse_builds` of the
warehouse they build (DuckDB file or PostgreSQL) before dbt runs (status `running`) and set `succeeded` or
`failed` when dbt ends. A build killed midway stays `running`. On a DuckDB file builds are staged and
published whole (warehouse/publish.py), so such a build left the previous marts intact; elsewhere the marts
may mix its tables with older ones. `report` says which. Redshift is not logged yet (the report does not read it).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from dataclasses import dataclass

from commerce_analytics.settings import Settings

AUDIT_SCHEMA = "audit"
TABLE = "warehouse_builds"
LOGGED_KINDS = ("duckdb", "postgres")


@dataclass(frozen=True)
class BuildRecord:
    build_id: str
    status: str
    """`running` (or killed before it ended), `succeeded` or `failed`."""
    started_at: dt.datetime
    finished_at: dt.datetime | None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _connect(kind: str, settings: Settings):
    if kind == "duckdb":
        import duckdb

        return duckdb.connect(str(settings.warehouse)), "?"
    from warehouse.targets import server_connection

    return server_connection(kind), "%s"


def _table(settings: Settings, target: str | None) -> str:
    return f"{settings.schema(AUDIT_SCHEMA, target)}.{TABLE}"


def record_start(kind: str, settings: Settings, target: str | None = None) -> str | None:
    """Log a build as `running`; returns its id (None on targets without a log)."""
    if kind not in LOGGED_KINDS or (kind == "duckdb" and str(settings.warehouse) == ":memory:"):
        return None  # an in-memory database lives only as long as dbt's own connection
    build_id = uuid.uuid4().hex
    connection, mark = _connect(kind, settings)
    with contextlib.closing(connection):
        cursor = connection.cursor()
        cursor.execute(f"create schema if not exists {settings.schema(AUDIT_SCHEMA, target)}")
        cursor.execute(
            f"create table if not exists {_table(settings, target)} (build_id varchar(32) primary key, "
            "status varchar(16) not null, started_at timestamp not null, finished_at timestamp)"
        )
        cursor.execute(
            f"insert into {_table(settings, target)} (build_id, status, started_at) values ({mark}, 'running', {mark})",
            (build_id, _now()),
        )
        connection.commit()
    return build_id


def record_end(kind: str, settings: Settings, build_id: str | None, succeeded: bool, target: str | None = None):
    """Set a logged build's outcome."""
    if build_id is None:
        return
    connection, mark = _connect(kind, settings)
    with contextlib.closing(connection):
        connection.cursor().execute(
            f"update {_table(settings, target)} set status = {mark}, finished_at = {mark} where build_id = {mark}",
            ("succeeded" if succeeded else "failed", _now(), build_id),
        )
        connection.commit()


def read_builds(connection, settings: Settings, target: str | None = None) -> tuple[BuildRecord | None, ...]:
    """(the latest build, the latest successful build) from an open warehouse connection; None where none."""
    cursor = connection.cursor()
    columns = "build_id, status, started_at, finished_at"
    found = []
    for condition in ("", "where status = 'succeeded'"):
        try:
            cursor.execute(f"select {columns} from {_table(settings, target)} {condition} order by started_at desc")
        except Exception:  # a warehouse built before the log existed has no table: no build recorded
            with contextlib.suppress(Exception):
                connection.rollback()
            return None, None
        row = cursor.fetchone()
        found.append(BuildRecord(*row) if row else None)
    return tuple(found)


def marts_warnings(
    latest: BuildRecord | None,
    succeeded: BuildRecord | None,
    max_age_hours: float,
    now: dt.datetime | None = None,
    *,
    published_whole: bool = False,
) -> list[str]:
    """Why the marts may not be what a fresh, successful build gives; empty when they are.

    `published_whole`: the warehouse's builds are staged and published only on success (warehouse/publish.py),
    so a failed or unfinished build left the previous marts intact rather than mixed."""
    now = now or _now()
    if latest is None:
        return ["no build of these marts is recorded: they may predate the build log, or be stale"]
    warnings = []
    kept = (
        "it was not published, so the marts are still those of the last successful build"
        if published_whole
        else "the marts may mix its tables with an earlier build's"
    )
    if latest.status == "failed":
        warnings.append(f"the latest build (started {latest.started_at:%Y-%m-%d %H:%M} UTC) FAILED: {kept}")
    elif latest.status == "running":
        warnings.append(
            f"the latest build (started {latest.started_at:%Y-%m-%d %H:%M} UTC) has not finished: it is still "
            f"running or was killed; {kept}"
        )
    if succeeded is None:
        warnings.append("no build of these marts has succeeded")
    elif now - succeeded.finished_at > dt.timedelta(hours=max_age_hours):
        age = (now - succeeded.finished_at).total_seconds() / 3600
        warnings.append(
            f"the latest successful build finished {age:,.1f} hours ago, more than "
            f"COMMERCE_MARTS_MAX_AGE_HOURS={max_age_hours:g}"
        )
    return warnings


def describe(succeeded: BuildRecord | None) -> str:
    if succeeded is None:
        return "Marts: no successful build recorded."
    return f"Marts last built successfully at {succeeded.finished_at:%Y-%m-%d %H:%M} UTC."
