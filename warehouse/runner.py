"""`commerce-analytics build` / `commerce-analytics dbt`: run dbt on the configured target.

Before dbt runs, the target gets what it needs from the lake (see warehouse/targets.py): the manifests
pinned as of the build's start (`landed.lake_manifests`, which staging joins every landed row to), plus
on DuckDB the httpfs extension and the empty-entity placeholders, on PostgreSQL the load of the pinned rows.
dbt also gets the customer-hash salt (warehouse/customer_salt.py) in its environment.
The argument list comes from warehouse/dbt_args.py, which the Dagster dbt assets use too.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import yaml

from commerce_analytics.settings import Settings, load_settings
from warehouse.data_test_scope import DataTestScope
from warehouse.dbt_args import BACKFILL_START_VAR, BUILD_COMMANDS, PROJECT_DIR, BuildError, DbtInvocation, dbt_args


def target_type(target: str, profiles_dir: str | Path = PROJECT_DIR) -> str:
    """The adapter type (`duckdb`, `postgres`, `redshift`) of a target in profiles.yml."""
    profiles = yaml.safe_load((Path(profiles_dir) / "profiles.yml").read_text())
    for profile in profiles.values():
        outputs = profile.get("outputs", {}) if isinstance(profile, dict) else {}
        if target in outputs:
            return str(outputs[target]["type"])
    names = sorted({t for p in profiles.values() if isinstance(p, dict) for t in p.get("outputs", {})})
    raise BuildError(f"unknown dbt target {target!r}; profiles.yml has {', '.join(names)}")


def prepare_target(kind: str, settings: Settings, *, load: bool = True, log=print) -> dict[str, str]:
    """Give the target what it needs from the lake before dbt runs, with the lake pinned as of now.

    `load=False` (a dbt command that reads no landed rows) leaves the target's landed tables as they are.
    Returns the environment variables dbt needs beyond the settings (the customer-hash salt): callers run dbt
    inside `scoped_environ` of them."""
    from ingestion.lake import Lake
    from warehouse.customer_salt import salt_environment
    from warehouse.targets import (
        ensure_duckdb_httpfs,
        ensure_placeholders,
        load_postgres,
        pin_duckdb_manifests,
        pin_manifests,
    )

    lake = Lake(settings.lake, settings.aws_endpoint_url)
    if kind == "duckdb":
        ensure_duckdb_httpfs()
        written = ensure_placeholders(lake)
        if written:
            log(f"lake: wrote {len(written)} empty-entity placeholders under {lake.url}/landed")
        if "://" not in settings.warehouse and settings.warehouse != ":memory:":
            Path(settings.warehouse).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        if load:
            pinned = pin_duckdb_manifests(settings.warehouse, pin_manifests(lake))
            log(f"lake: pinned {pinned} manifests of {lake.url} for this build")
    elif kind == "postgres" and load:
        report = load_postgres(lake, manifests=pin_manifests(lake))
        log(f"postgres: {report.summary()} from {lake.url} as of the build's start")
    return salt_environment(kind, settings, lake)


@contextlib.contextmanager
def scoped_environ(variables: Mapping[str, str]) -> Iterator[None]:
    """Set `variables` in os.environ (dbt's env_var() reads it) and restore the previous values afterwards,
    so one process can build several lakes, each with its own salt."""
    previous = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_dbt(inv: DbtInvocation, settings: Settings | None = None, *, load: bool = True) -> int:
    """Prepare the target and run dbt in-process. Exit code: 0 ok, 1 dbt reported failures, 2 could not run."""
    settings = settings or load_settings()
    target = inv.target or settings.dbt_target
    name = "commerce-analytics " + " ".join(inv.command)
    builds = inv.command[:1] in [(command,) for command in BUILD_COMMANDS]
    try:
        kind = target_type(target, inv.profiles_dir or inv.project_dir)
    except Exception as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return 2
    from warehouse.publish import TargetNotReady, build_session

    if not builds:
        try:
            environment = prepare_target(kind, settings, load=False)
        except Exception as exc:
            print(f"{name}: preparing target {target!r} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 2
        return _invoke(inv, settings, kind, target, name, environment)
    # A scheduled (incremental) build's per-row and per-key data tests check what landed since the previous build.
    scope = DataTestScope(kind, enabled=narrows_data_tests(inv), target=target)
    prepare = scope.wrap(lambda s: prepare_target(kind, s, load=load))
    try:
        # A build writes into a staged copy of the marts and is published only when it succeeds.
        with build_session(kind, settings, target, prepare=prepare) as session:
            environment = {**session.environment, **scope.environment()}
            code = _invoke(inv, session.settings, kind, target, name, environment)
            session.succeeded = code == 0
    except TargetNotReady as exc:
        print(f"{name}: preparing target {target!r} failed: {exc}", file=sys.stderr)
        return 2
    return code


def narrows_data_tests(inv: DbtInvocation) -> bool:
    """Whether a build may narrow its data tests to what landed since the previous build
    (warehouse/data_test_scope.py): `build` without --full-refresh or a backfill range."""
    if inv.command[:1] != ("build",) or inv.full_refresh:
        return False
    # A backfill rewrites the rows of its date range under the current watermark: they are tested whole.
    return BACKFILL_START_VAR not in inv.vars


def _invoke(
    inv: DbtInvocation, settings: Settings, kind: str, target: str, name: str, environment: Mapping[str, str]
) -> int:
    from dbt.cli.main import dbtRunner

    args = dbt_args(inv, settings)
    # dbt's env_var() reads the process environment: pass the settings on, including their defaults.
    os.environ.setdefault("COMMERCE_WAREHOUSE", settings.warehouse)
    with scoped_environ(environment):
        result = dbtRunner().invoke(args)
    if kind == "duckdb":
        _release_duckdb()
    if result.success:
        # Warning-severity tests (an unmapped amount type, an ad charge the reports do not explain) say what to
        # look at in their stored message; dbt's console only counts their rows.
        for line in stored_failure_messages(result.result, settings, kind, statuses=("warn",)):
            print(f"{name}: warning: {line}", file=sys.stderr)
        return 0
    if result.exception is not None:
        print(f"{name}: dbt could not run on target {target!r}: {result.exception}", file=sys.stderr)
        return 2
    for line in stored_failure_messages(result.result, settings, kind):
        print(f"{name}: {line}", file=sys.stderr)
    print(
        f"{name}: dbt reported failures on target {target!r} (see the log above and "
        f"{inv.log_path or Path(inv.project_dir) / 'logs'}/dbt.log)",
        file=sys.stderr,
    )
    return 1


def _release_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in this process after a run. A staged build's file is
    renamed over the live one when it succeeds (warehouse/publish.py); a connection left open under the staged
    path would otherwise be reused by the next build in this process and write to the published file."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager as manager

    with manager._LOCK:
        if manager._ENV is not None:
            with contextlib.suppress(Exception):
                manager._ENV.close()
            manager._ENV = None


MESSAGES_PER_TEST = 5


def stored_failure_messages(results, settings: Settings, kind: str, statuses: tuple[str, ...] = ("fail",)) -> list[str]:
    """`<test>: <failure_message>` for the tests of `statuses` (failing by default) that store their rows
    (store_failures) with a `failure_message` column: dbt's console only counts the rows, the message says which
    rate or file to fix. Best effort: a warehouse not reachable from here (Redshift) or a test without the column
    gives nothing."""
    failed = [
        r
        for r in getattr(results, "results", None) or []
        if str(r.status) in statuses and getattr(r.node, "relation_name", None)
    ]
    if not failed:
        return []
    try:
        connection = _warehouse_connection(kind, settings)
    except Exception:
        return []
    if connection is None:
        return []
    lines = []
    with contextlib.closing(connection):
        for r in failed:
            cursor = connection.cursor()
            try:
                cursor.execute(f"select failure_message from {r.node.relation_name} limit {MESSAGES_PER_TEST + 1}")
                messages = [str(row[0]) for row in cursor.fetchall()]
            except Exception:  # no failure_message column: dbt's own line says enough
                continue
            finally:
                cursor.close()
            shown = messages[:MESSAGES_PER_TEST]
            lines += [f"{r.node.name}: {message}" for message in shown]
            if len(messages) > len(shown):
                lines.append(f"{r.node.name}: ... more in {r.node.relation_name}")
    return lines


def _warehouse_connection(kind: str, settings: Settings):
    if kind == "duckdb":
        import duckdb

        # dbt-duckdb keeps the file open in this process: connect with the same (default) configuration.
        return duckdb.connect(str(settings.warehouse))
    if kind == "postgres":
        from warehouse.targets import server_connection

        connection = server_connection(kind)
        connection.autocommit = True  # one failed query must not abort the next
        return connection
    return None
