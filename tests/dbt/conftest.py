"""dbt test infrastructure: one generated data set, one lake and one build per target per session.

Fixtures (all session-scoped, built lazily the first time a test asks for them):

- `dbt_dataset`   a small generated data set with its ground truth (`.out`, `.truth`, `.files`):
                  30 days from 2025-11-01 (DST change, Black Friday), 25 orders a day, seed 4.
- `dbt_lake`      that data set ingested into a fresh local lake (path).
- `duckdb_build`  `commerce-analytics build` on the DuckDB target (`local`) into a private warehouse file
                  (customer keys salted with the lake's own salt).
- `postgres_build` the same on PostgreSQL, in a fresh database created for the session (dropped after),
                  with COMMERCE_CUSTOMER_HASH_SALT set.

The two builds run at the same time, in the background: the first test that needs either starts both (when
the session's tests need both), and the tests before it that need neither run meanwhile. A small dbt build
is a single Python process (about one core), so on two cores the pair takes about as long as one.

Each build is a `Build`: `.returncode`, `.output`, `.results` (node unique_id -> status from
run_results.json), `.failures()`, and `.query(sql)` -> list of tuples (`.query_dicts(sql)` for dicts).
A build that fails does not fail the fixture: tests assert on what they need (see test_build.py).

Environment knobs (for development, not CI):
- COMMERCE_DBT_TEST_SELECT  dbt selection for the session builds (default: the whole project)
- COMMERCE_REQUIRE_POSTGRES=1  fail instead of skip when no PostgreSQL server answers (`make test` sets it)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from dbt_helpers import CLI, POSTGRES_SALT, REPO, clean_env, fresh_postgres_database, parse_manifest, postgres_env

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


class _BackgroundBuild:
    """`commerce-analytics build` started now; `wait()` returns (exit code, output) once it has finished."""

    def __init__(self, target: str, env: dict[str, str], work: Path):
        args = [str(CLI), "build", "--target", target, "--target-path", str(work / "target"), "--log-path", str(work)]
        args.append("--unit-tests")  # CI runs the unit tests; the scheduled (incremental) build skips them
        select = os.environ.get("COMMERCE_DBT_TEST_SELECT")
        if select:
            args += ["--select", *shlex.split(select)]
        self.output_path = work / "build_output.txt"
        with open(self.output_path, "w") as output:  # a file, not a pipe: nobody reads while it runs
            self.process = subprocess.Popen(args, cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT, text=True)

    def wait(self) -> tuple[int, str]:
        try:
            code = self.process.wait(timeout=1200)
        except subprocess.TimeoutExpired:
            self.stop()
            raise
        return code, self.output_path.read_text()

    def stop(self) -> None:
        """Kill it if it still runs (a session that ends early, say after `-x`, leaves no build behind)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=60)


# target -> (the build running or finished, what its Build needs); filled by _start_session_builds.
_SESSION_BUILDS: dict[str, tuple[_BackgroundBuild, Path, object]] = {}


def _session_needs(session, target: str) -> bool:
    """Whether a collected test uses this target's session build (directly or through `dbt_build`)."""
    fixture = "duckdb_build" if target == "local" else "postgres_build"
    for item in session.items:
        names = getattr(item, "fixturenames", ())
        if fixture in names:
            return True
        callspec = getattr(item, "callspec", None)
        if "dbt_build" in names and callspec is not None and callspec.params.get("dbt_build") == target:
            return True
    return False


def _start_session_builds(request, needed: str | None) -> None:
    """Start the `needed` target's session build, and each other one a collected test needs."""
    for target in ("local", "postgres"):
        if target in _SESSION_BUILDS or (target != needed and not _session_needs(request.session, target)):
            continue
        if target == "local":
            started = _start_duckdb(request)
        else:
            try:
                started = _start_postgres(request, request.getfixturevalue("postgres_database"))
            except (pytest.skip.Exception, pytest.fail.Exception):
                if target == needed:
                    raise
                continue  # no server: postgres_build says so (skip, or fail under COMMERCE_REQUIRE_POSTGRES=1)
        _SESSION_BUILDS[target] = started
        request.addfinalizer(started[0].stop)


@pytest.fixture(scope="session", autouse=True)
def _session_builds_started(request):
    """The session builds the collected tests need start with the first dbt test, so the dbt tests that need
    neither run while they build."""
    # Say the lake did not ingest: each test that needs a build reports it (pytest keeps a fixture's error).
    with contextlib.suppress(Exception, pytest.skip.Exception, pytest.fail.Exception):
        _start_session_builds(request, None)


def _start_duckdb(request):
    work = request.getfixturevalue("tmp_path_factory").mktemp("dbt-duckdb")
    warehouse = work / "warehouse.duckdb"
    lake = request.getfixturevalue("dbt_lake")
    env = clean_env(COMMERCE_LAKE=str(lake), COMMERCE_WAREHOUSE=str(warehouse), DBT_TARGET="local")
    return _BackgroundBuild("local", env, work), work, warehouse


def _start_postgres(request, db: dict[str, str]):
    work = request.getfixturevalue("tmp_path_factory").mktemp("dbt-postgres")
    env = postgres_env(db, request.getfixturevalue("dbt_lake"), work, COMMERCE_CUSTOMER_HASH_SALT=POSTGRES_SALT)
    return _BackgroundBuild("postgres", env, work), work, db


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
def duckdb_build(request) -> Build:
    import duckdb

    _start_session_builds(request, "local")
    build, work, warehouse = _SESSION_BUILDS["local"]
    code, output = build.wait()

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
def postgres_build(request, postgres_database) -> Build:
    import psycopg2
    import psycopg2.extras

    _start_session_builds(request, "postgres")
    build, work, db = _SESSION_BUILDS["postgres"]
    code, output = build.wait()

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
