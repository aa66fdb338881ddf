"""What the data tests of a scheduled (incremental) build check: the rows landed since the previous build.

A data test whose invariant holds row by row or key by key (a staging model's lineage columns: every row names
its file, checksum, format and ingest time; one row per record key) can only be broken, when the SQL has not
changed, by rows the previous build did not see. So `commerce-analytics build` without --full-refresh, and the
Dagster dbt op, give dbt the environment variable COMMERCE_DATA_TESTS_LANDED_AFTER: the latest `_ingested_at` of
the staging rows the previous build left; the generic tests that support it (macro `data_test_rows` in
dbt_project/macros/data_tests.sql) check only the rows written after it, and every row of the keys those rows
have. Whole-table invariants (reconciliations, sums) always run whole. An environment variable read only while
tests execute, not a dbt var: a var that changes at every build would make dbt re-parse the whole project.

It is empty, so every test runs whole, when:
- the build is a full refresh (after a deployment the SQL may have changed) or a backfill;
- the previous build did not succeed (on PostgreSQL a failed build leaves its staging tables; a DuckDB file only
  ever holds published, successful builds: warehouse/publish.py);
- a delivery the previous build saw is no longer visible (a retraction: an older version of a record may win
  again with an older `_ingested_at`);
- there is no previous build (a first build), or the target is neither a DuckDB file nor PostgreSQL.
`ingest --reprocess` keeps the first delivery times: build with --full-refresh after it (README "The warehouse").
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from commerce_analytics.settings import Settings

LANDED_AFTER_ENV = "COMMERCE_DATA_TESTS_LANDED_AFTER"
STAGING_SCHEMA = "staging"


@dataclass(frozen=True)
class PreviousBuild:
    visible_deliveries: frozenset[str]
    """sha256 of the deliveries the previous build's pin held visible."""
    landed_through: dt.datetime | None
    """The latest `_ingested_at` in its staging tables (None: no staging table yet)."""


def _connect(kind: str, settings: Settings):
    if kind == "duckdb":
        import duckdb

        return duckdb.connect(str(settings.warehouse))
    from warehouse.targets import server_connection

    return server_connection(kind)


def _visible_deliveries(cursor) -> frozenset[str]:
    from warehouse.targets import LANDED_SCHEMA, MANIFESTS_TABLE, VISIBLE_STATUSES

    statuses = ", ".join(f"'{status}'" for status in VISIBLE_STATUSES)
    cursor.execute(f"select sha256 from {LANDED_SCHEMA}.{MANIFESTS_TABLE} where status in ({statuses})")
    return frozenset(row[0] for row in cursor.fetchall())


def read_previous_build(kind: str, settings: Settings, target: str | None = None) -> PreviousBuild | None:
    """The previous build's pin and staging watermark, read before this build re-pins the lake; None when the
    tests must run whole (see the module's docstring)."""
    from warehouse import build_log

    connection = _connect(kind, settings)
    with contextlib.closing(connection):
        if kind == "postgres":
            latest, _ = build_log.read_builds(connection, settings, target)
            if latest is None or latest.status != "succeeded":
                return None
        cursor = connection.cursor()
        try:
            visible = _visible_deliveries(cursor)
            schema = settings.schema(STAGING_SCHEMA, target)
            cursor.execute(
                "select table_name from information_schema.columns "
                f"where table_schema = '{schema}' and column_name = '_ingested_at'"
            )
            tables = sorted(row[0] for row in cursor.fetchall())
            if not tables:
                return None
            maxima = " union all ".join(f'select max(_ingested_at) as m from {schema}."{t}"' for t in tables)
            cursor.execute(f"select max(m) from ({maxima}) as staging_maxima")
            landed_through = cursor.fetchone()[0]
        except Exception:  # no pin or no staging schema yet (a first build): everything is new
            with contextlib.suppress(Exception):
                connection.rollback()
            return None
    return PreviousBuild(visible, landed_through)


def read_visible_deliveries(kind: str, settings: Settings) -> frozenset[str]:
    connection = _connect(kind, settings)
    with contextlib.closing(connection):
        return _visible_deliveries(connection.cursor())


def landed_after(previous: PreviousBuild | None, visible_now: frozenset[str]) -> str | None:
    """The variable's value: the previous build's watermark, unless no build came before or a delivery it saw was
    withdrawn since. Pure."""
    if previous is None or previous.landed_through is None:
        return None
    if not previous.visible_deliveries <= visible_now:
        return None
    through = previous.landed_through
    # In UTC with its offset: the tests compare it, as a plain literal, with `_ingested_at` (timestamptz on DuckDB,
    # so the literal is read as one whatever the session's time zone).
    through = through.astimezone(dt.UTC) if through.tzinfo else through.replace(tzinfo=dt.UTC)
    return through.strftime("%Y-%m-%d %H:%M:%S.%f+00:00")


class DataTestScope:
    """Wraps a build's `prepare` step: reads the previous build just before the lake is re-pinned, and the new
    pin right after; `environment()` is then what dbt gets (empty value: every data test runs whole)."""

    def __init__(self, kind: str, *, enabled: bool, target: str | None = None, log=print):
        self.kind = kind
        self.enabled = enabled and kind in ("duckdb", "postgres")
        self.target = target
        self.log = log
        self.value: str | None = None

    def wrap(self, prepare: Callable[[Settings], Mapping[str, str]]) -> Callable[[Settings], Mapping[str, str]]:
        def prepared(settings: Settings) -> Mapping[str, str]:
            previous = read_previous_build(self.kind, settings, self.target) if self.enabled else None
            environment = prepare(settings)
            if previous is not None:
                self.value = landed_after(previous, read_visible_deliveries(self.kind, settings))
            if self.value:
                self.log(f"data tests: per-row and per-key tests check the rows landed after {self.value}")
            return environment

        return prepared

    def environment(self) -> dict[str, str]:
        return {LANDED_AFTER_ENV: self.value or ""}
