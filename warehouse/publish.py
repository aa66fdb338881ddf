"""Write-audit-publish: readers see a build's marts only once all of it passed, never a mix of two builds.

`commerce-analytics build` and the Dagster dbt op run dbt inside `build_session`.

On a local DuckDB file it:
1. takes `<warehouse>.lock` (one build of a file at a time, whoever starts it), logs the build as `running`
   in the live file (warehouse/build_log.py) and checkpoints it;
2. copies the live file to `<warehouse>.building` (incremental models need the previous state) and hands
   the caller settings and an environment that point dbt and the lake pinning at the copy;
3. when dbt succeeded (models built and every error-severity test passed), logs `succeeded` in the copy and
   renames it over the live file: one atomic step, so a reader has either the old marts or the new ones;
4. otherwise leaves the live file's marts as they were, logs the build `failed` there, and keeps the copy as
   `<warehouse>.failed` for inspection. A killed build leaves `running` in the live file's log (and its
   `.building` copy, replaced by the next build): `report` says no build since has been published.

On PostgreSQL and Redshift the marts schema is what is staged: the marts are built into `<marts>__building`
(COMMERCE_MARTS_SCHEMA_SUFFIX, read by macros/generate_schema_name.sql; it starts as a copy of the live marts
tables, for the incremental fact), and a successful build swaps the schemas by renaming them in one
transaction; a failed one leaves `<marts>__building` for inspection. Staging and intermediate models are
rebuilt in place: readers read marts. An in-memory or remote DuckDB is built in place.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from commerce_analytics.settings import Settings
from warehouse import build_log
from warehouse.targets import server_connection

Prepare = Callable[[Settings], Mapping[str, str]]
BUILDING_SUFFIX = ".building"
FAILED_SUFFIX = ".failed"
MARTS_SCHEMA_SUFFIX_VAR = "COMMERCE_MARTS_SCHEMA_SUFFIX"
BUILDING_SCHEMA_SUFFIX = "__building"
PREVIOUS_SCHEMA_SUFFIX = "__previous"
SERVER_KINDS = ("postgres", "redshift")


@dataclass
class BuildSession:
    """What the caller builds with; it sets `succeeded` when dbt finished without failures."""

    settings: Settings
    """The settings to prepare the target and run dbt with (the warehouse is the staged copy under WAP)."""
    environment: dict[str, str] = field(default_factory=dict)
    """Environment variables dbt needs for this build (COMMERCE_WAREHOUSE of the staged copy)."""
    staged: bool = False
    succeeded: bool = False
    log: list[str] = field(default_factory=list)


def stages_builds(kind: str, settings: Settings) -> bool:
    """Whether builds of this warehouse are staged and published whole (a local DuckDB file, or a server)."""
    if kind in SERVER_KINDS:
        return True
    location = str(settings.warehouse)
    return kind == "duckdb" and location != ":memory:" and "://" not in location and not location.startswith("md:")


def building_path(settings: Settings) -> Path:
    return _live(settings).with_name(_live(settings).name + BUILDING_SUFFIX)


def _live(settings: Settings) -> Path:
    return Path(settings.warehouse).expanduser().resolve()


class TargetNotReady(RuntimeError):
    """Preparing the target for the build failed (see `__cause__`): nothing was built or published."""


def _prepared(prepare: Prepare | None, settings: Settings) -> dict[str, str]:
    if prepare is None:
        return {}
    try:
        return dict(prepare(settings))
    except Exception as exc:
        raise TargetNotReady(f"{type(exc).__name__}: {exc}") from exc


@contextlib.contextmanager
def build_session(
    kind: str, settings: Settings, target: str | None = None, *, prepare: Prepare | None = None, log=print
) -> Iterator[BuildSession]:
    """Run a build: yield the session to build with, then publish it (or not) and log its outcome.

    `prepare(settings)` readies the target for the build (warehouse.runner.prepare_target: lake pin, PostgreSQL
    load, the customer-hash salt) and returns the environment dbt needs; it runs on the staged copy of a DuckDB
    file, and before anything is staged on a server (so a missing salt fails before connecting). Its failure
    raises `TargetNotReady`."""
    if not stages_builds(kind, settings):
        environment = _prepared(prepare, settings)
        session = BuildSession(settings, environment)
        build_id = build_log.record_start(kind, settings, target)
        try:
            yield session
        finally:
            build_log.record_end(kind, settings, build_id, session.succeeded, target)
        return

    if kind in SERVER_KINDS:
        environment = _prepared(prepare, settings)
        with _schema_session(kind, settings, target, log) as session:
            session.environment = {**environment, **session.environment}
            yield session
        return

    live = _live(settings)
    live.parent.mkdir(parents=True, exist_ok=True)
    building = building_path(settings)
    with open(live.with_name(live.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        build_id = build_log.record_start(kind, settings, target)  # creates the live file on a first build
        _checkpoint(live)
        _remove_database(building)
        shutil.copyfile(live, building)
        staged_settings = dataclasses.replace(settings, warehouse=str(building))
        session = BuildSession(staged_settings, {"COMMERCE_WAREHOUSE": str(building)}, staged=True)
        try:
            session.environment = {**_prepared(prepare, staged_settings), **session.environment}
            yield session
        except BaseException:
            session.succeeded = False
            raise
        finally:
            if session.succeeded:
                build_log.record_end(kind, staged_settings, build_id, True, target)
                _checkpoint(building)
                os.replace(building, live)
                log(f"warehouse: published the build to {live}")
            else:
                build_log.record_end(kind, settings, build_id, False, target)
                failed = live.with_name(live.name + FAILED_SUFFIX)
                _remove_database(failed)
                if building.exists():
                    os.replace(building, failed)
                log(
                    f"warehouse: the build failed, so it was not published: {live} keeps the marts of the last "
                    f"successful build; the failed build's tables are in {failed} for inspection"
                )


def _checkpoint(path: Path) -> None:
    """Fold the write-ahead log into the file, so a byte copy or a rename carries every committed change."""
    import duckdb

    with contextlib.closing(duckdb.connect(str(path))) as connection:
        connection.execute("checkpoint")


def _remove_database(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + ".wal")):
        candidate.unlink(missing_ok=True)


@contextlib.contextmanager
def _schema_session(kind: str, settings: Settings, target: str | None, log) -> Iterator[BuildSession]:
    live = settings.schema("marts", target)
    building = live + BUILDING_SCHEMA_SUFFIX
    build_id = build_log.record_start(kind, settings, target)
    with contextlib.closing(server_connection(kind)) as connection:
        stage_marts_schema(connection, live, building)
    session = BuildSession(settings, {MARTS_SCHEMA_SUFFIX_VAR: BUILDING_SCHEMA_SUFFIX}, staged=True)
    try:
        yield session
    except BaseException:
        session.succeeded = False
        raise
    finally:
        if session.succeeded:
            with contextlib.closing(server_connection(kind)) as connection:
                swap_marts_schema(connection, live, building)
            log(f"warehouse: published the build's marts as schema {live}")
        else:
            log(
                f"warehouse: the build failed, so it was not published: schema {live} keeps the marts of the last "
                f"successful build; the failed build's marts are in schema {building} for inspection"
            )
        build_log.record_end(kind, settings, build_id, session.succeeded, target)


def _tables(cursor, schema: str) -> list[str]:
    cursor.execute(
        "select table_name from information_schema.tables where table_schema = %s and table_type = 'BASE TABLE' "
        "order by table_name",
        (schema,),
    )
    return [row[0] for row in cursor.fetchall()]


def stage_marts_schema(connection, live: str, building: str) -> None:
    """A fresh `building` schema holding a copy of every table of `live` (the incremental fact continues from
    it; the table models are replaced by the build). `LIKE` keeps Redshift's distribution and sort keys."""
    cursor = connection.cursor()
    cursor.execute(f'drop schema if exists "{building}" cascade')
    cursor.execute(f'create schema "{building}"')
    for table in _tables(cursor, live):
        cursor.execute(f'create table "{building}"."{table}" (like "{live}"."{table}")')
        cursor.execute(f'insert into "{building}"."{table}" select * from "{live}"."{table}"')
    connection.commit()


def swap_marts_schema(connection, live: str, building: str) -> None:
    """Make `building` the live marts schema in one transaction: readers see the old marts or the new ones."""
    previous = live + PREVIOUS_SCHEMA_SUFFIX
    cursor = connection.cursor()
    cursor.execute("select 1 from information_schema.schemata where schema_name = %s", (live,))
    exists = cursor.fetchone() is not None
    cursor.execute(f'drop schema if exists "{previous}" cascade')
    if exists:
        cursor.execute(f'alter schema "{live}" rename to "{previous}"')
    cursor.execute(f'alter schema "{building}" rename to "{live}"')
    if exists:
        cursor.execute(f'drop schema "{previous}" cascade')
    connection.commit()
