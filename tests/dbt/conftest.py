"""dbt test infrastructure: one generated data set, one lake and one build per target per session.

Fixtures (all session-scoped, built lazily the first time a test asks for them):

- `dbt_dataset`   a small generated data set with its ground truth (`.out`, `.truth`, `.files`):
                  30 days from 2025-11-01 (DST change, Black Friday), 25 orders a day, seed 4.
- `dbt_lake`      that data set ingested into a fresh local lake (path).
- `duckdb_build`  `commerce-analytics build` on the DuckDB target (`local`) into a private warehouse file
                  (customer keys salted with the lake's own salt).
- `postgres_build` the same on PostgreSQL, in a fresh database created for the session (dropped after),
                  with COMMERCE_CUSTOMER_HASH_SALT set.

Each build is a `Build`: `.returncode`, `.output`, `.results` (node unique_id -> status from
run_results.json), `.failures()`, and `.query(sql)` -> list of tuples (`.query_dicts(sql)` for dicts).
A build that fails does not fail the fixture: tests assert on what they need (see test_build.py).

Environment knobs (for development, not CI):
- COMMERCE_DBT_TEST_SELECT  dbt selection for the session builds (default: the whole project)
- COMMERCE_REQUIRE_POSTGRES=1  fail instead of skip when no PostgreSQL server answers (`make test` sets it)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from dbt_helpers import CLI, POSTGRES_SALT, REPO, clean_env, fresh_postgres_database, parse_manifest

from demo import NOT_EXPORTS

DATASET = {"start": dt.date(2025, 11, 1), "days": 30, "orders_per_day": 25, "seed": 4}


def pytest_configure(config):
    config.addinivalue_line("markers", "dbt: builds the dbt project (session fixtures, a minute or two)")
    config.addinivalue_line("markers", "postgres: needs the local PostgreSQL server (scripts/start-postgres.sh)")


@dataclass
class Build:
    target: str
    returncode: int
    output: str
    target_path: Path
    connect: object = field(repr=False, default=None)

    @property
    def results(self) -> dict[str, str]:
        path = self.target_path / "run_results.json"
        if not path.exists():
            return {}
        return {r["unique_id"]: r["status"] for r in json.loads(path.read_text())["results"]}

    def failures(self) -> dict[str, str]:
        return {node: status for node, status in self.results.items() if status in ("error", "fail", "skipped")}

    def query(self, sql: str) -> list[tuple]:
        return self.connect(sql, as_dicts=False)

    def query_dicts(self, sql: str) -> list[dict]:
        return self.connect(sql, as_dicts=True)


def _run_build(target: str, env: dict[str, str], work: Path) -> tuple[int, str]:
    args = [str(CLI), "build", "--target", target, "--target-path", str(work / "target"), "--log-path", str(work)]
    select = os.environ.get("COMMERCE_DBT_TEST_SELECT")
    if select:
        args += ["--select", *shlex.split(select)]
    proc = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=1200)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.fixture(scope="session")
def dbt_dataset(tmp_path_factory):
    from demo.generate import generate

    return generate(tmp_path_factory.mktemp("dbt-data"), **DATASET)


@pytest.fixture(scope="session")
def dbt_lake(dbt_dataset, tmp_path_factory) -> Path:
    from commerce_analytics.settings import load_settings
    from ingestion.ingest import Ingestor, exit_code

    lake = tmp_path_factory.mktemp("dbt-lake")
    settings = load_settings({"COMMERCE_LAKE": str(lake)})
    results = Ingestor(settings).ingest_paths([str(dbt_dataset.out)], keep_inbox=True, skip=NOT_EXPORTS)
    assert exit_code(results) == 0, [(r.source_file, r.status, r.message) for r in results if r.status != "landed"]
    return lake


@pytest.fixture(scope="session")
def duckdb_build(dbt_lake, tmp_path_factory) -> Build:
    import duckdb

    work = tmp_path_factory.mktemp("dbt-duckdb")
    warehouse = work / "warehouse.duckdb"
    env = clean_env(COMMERCE_LAKE=str(dbt_lake), COMMERCE_WAREHOUSE=str(warehouse), DBT_TARGET="local")
    code, output = _run_build("local", env, work)

    def connect(sql: str, as_dicts: bool):
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            cursor = con.execute(sql)
            rows = cursor.fetchall()
            if not as_dicts:
                return rows
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in rows]
        finally:
            con.close()

    return Build("local", code, output, work / "target", connect)


@pytest.fixture(scope="session")
def postgres_database():
    """A fresh database on the local server for this session (dropped at the end)."""
    with fresh_postgres_database("commerce_test") as db:
        yield db


@pytest.fixture(scope="session")
def postgres_build(dbt_lake, postgres_database, tmp_path_factory) -> Build:
    import psycopg2
    import psycopg2.extras

    work = tmp_path_factory.mktemp("dbt-postgres")
    db = postgres_database
    env = clean_env(
        COMMERCE_LAKE=str(dbt_lake),
        COMMERCE_WAREHOUSE=str(work / "unused.duckdb"),
        DBT_TARGET="postgres",
        PGHOST=db["host"],
        PGPORT=str(db["port"]),
        PGUSER=db["user"],
        PGPASSWORD=db["password"],
        PGDATABASE=db["dbname"],
        COMMERCE_CUSTOMER_HASH_SALT=POSTGRES_SALT,
    )
    code, output = _run_build("postgres", env, work)

    def connect(sql: str, as_dicts: bool):
        conn = psycopg2.connect(**db)
        try:
            factory = psycopg2.extras.RealDictCursor if as_dicts else None
            with conn.cursor(cursor_factory=factory) as cursor:
                cursor.execute(sql)
                rows = cursor.fetchall()
            return [dict(r) for r in rows] if as_dicts else rows
        finally:
            conn.close()

    return Build("postgres", code, output, work / "target", connect)


@pytest.fixture(scope="session", params=["local", "postgres"])
def dbt_build(request) -> Build:
    """Each target's build in turn: a test using it runs once on DuckDB and once on PostgreSQL."""
    return request.getfixturevalue("duckdb_build" if request.param == "local" else "postgres_build")


@pytest.fixture(scope="session")
def prod_manifest(tmp_path_factory) -> dict:
    """`dbt parse --target prod` with no secrets in the environment."""
    return parse_manifest(tmp_path_factory.mktemp("dbt-parse-prod"), "prod")
