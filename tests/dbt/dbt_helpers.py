"""Paths and environment helpers shared by the dbt tests and their conftest."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PROJECT_DIR = REPO / "dbt_project"
CLI = Path(sys.executable).parent / "commerce-analytics"
DBT = Path(sys.executable).parent / "dbt"

# Settings the builds must not inherit from the developer's shell.
_SCRUBBED = (
    "COMMERCE_LAKE",
    "COMMERCE_INBOX",
    "COMMERCE_WAREHOUSE",
    "DBT_TARGET",
    "DBT_TARGET_PATH",
    "DBT_LOG_PATH",
    "AWS_ENDPOINT_URL",
    "COMMERCE_CUSTOMER_HASH_SALT",
)
# `commerce-analytics build` arguments for a build whose test asserts on the warehouse's rows, not on dbt's data
# and unit tests (the session builds run those: test_build.py): about a third of a full build's time.
MODELS_ONLY = ("--exclude", "resource_type:test", "resource_type:unit_test")
# The PostgreSQL session build sets its own salt (the DuckDB one uses the lake's): both paths are tested.
POSTGRES_SALT = "postgres-session-salt"


def clean_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
    env.update(overrides)
    return env


def as_text(value) -> str:
    """A warehouse value as the truth CSVs write it: cents for money, ISO dates, lower-case booleans."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@contextlib.contextmanager
def fresh_postgres_database(prefix: str, template: str | None = None) -> Iterator[dict[str, str]]:
    """A new database on the local server (connection arguments), dropped afterwards.

    `template` names a database to copy (`create database ... template`, seconds where a dbt build takes a
    minute); nobody may be connected to it meanwhile. Skips the test when no server answers, or fails it
    under COMMERCE_REQUIRE_POSTGRES=1 (`make test`)."""
    import psycopg2
    import pytest

    from warehouse.targets import postgres_connect_args

    admin = postgres_connect_args()
    try:
        server = psycopg2.connect(**admin, connect_timeout=5)
    except psycopg2.OperationalError as exc:
        message = f"no PostgreSQL server for the dbt tests ({exc}); run scripts/start-postgres.sh"
        if os.environ.get("COMMERCE_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute(f'create database "{name}"' + (f' template "{template}"' if template else ""))
    try:
        yield {**admin, "dbname": name}
    finally:
        _drop_database(server, name)
        server.close()


def _drop_database(server, name: str, attempts: int = 20) -> None:
    """Drop a test database. `with (force)` may not terminate a backend another role owns, such as an
    autovacuum worker that just started on the new database (InsufficientPrivilege): it ends within moments."""
    import psycopg2

    for attempt in range(attempts):
        try:
            with server.cursor() as cursor:
                cursor.execute(f'drop database if exists "{name}" with (force)')
            return
        except (psycopg2.errors.InsufficientPrivilege, psycopg2.errors.ObjectInUse):
            if attempt == attempts - 1:
                raise
            time.sleep(0.5)


def postgres_env(db: dict[str, str], lake: Path, work: Path, **overrides: str) -> dict[str, str]:
    """The environment of a `commerce-analytics` run building `lake` into the PostgreSQL database `db`."""
    return clean_env(
        COMMERCE_LAKE=str(lake),
        COMMERCE_WAREHOUSE=str(work / "unused.duckdb"),
        DBT_TARGET="postgres",
        PGHOST=db["host"],
        PGPORT=str(db["port"]),
        PGUSER=db["user"],
        PGPASSWORD=db["password"],
        PGDATABASE=db["dbname"],
        **overrides,
    )


def postgres_dict_query(db: dict[str, str]):
    """A function running one SQL statement on `db` and returning its rows as dicts (a connection per call)."""
    import psycopg2
    import psycopg2.extras

    def query(sql: str) -> list[dict]:
        conn = psycopg2.connect(**db)
        try:
            with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cursor:
                cursor.execute(sql)
                return [dict(r) for r in cursor.fetchall()]
        finally:
            conn.close()

    return query


def parse_manifest(work: Path, target: str, **env_extra: str) -> dict:
    """`dbt parse --target <target>` with no secrets in the environment; returns target/manifest.json."""
    env = {
        k: v
        for k, v in clean_env().items()
        if not k.startswith(("REDSHIFT_", "AWS_", "PG", "GLUE_", "COMMERCE_", "DBT_"))
    }
    env.update(env_extra)
    args = [str(DBT), "parse", "--target", target, "--project-dir", str(PROJECT_DIR), "--profiles-dir"]
    args += [str(PROJECT_DIR), "--target-path", str(work / "target"), "--log-path", str(work)]
    proc = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    return json.loads((work / "target" / "manifest.json").read_text())
