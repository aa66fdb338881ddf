"""warehouse/data_test_scope.py: the watermark a scheduled build narrows its per-row and per-key data tests to,
read from the previous build's tables (hand-made DuckDB file and PostgreSQL database, no dbt)."""

from __future__ import annotations

import datetime as dt

import pytest
from dbt_helpers import fresh_postgres_database

from commerce_analytics.settings import load_settings
from warehouse import build_log
from warehouse.data_test_scope import DataTestScope, PreviousBuild, landed_after, read_previous_build
from warehouse.dbt_args import DbtInvocation
from warehouse.runner import narrows_data_tests

SEEN = dt.datetime(2025, 11, 5, 8, 30)
TABLES = [
    "create schema landed",
    "create table landed.lake_manifests (sha256 varchar, parser_version varchar, status varchar)",
    "insert into landed.lake_manifests values "
    "('aaa', '1', 'landed'), ('bbb', '1', 'partial'), ('ccc', '1', 'duplicate')",
    "create schema staging",
    "create table staging.stg_a (_record_key varchar, _ingested_at timestamp)",
    "insert into staging.stg_a values ('k1', '2025-11-01 08:00:00'), ('k2', '2025-11-05 08:30:00')",
    "create table staging.stg_b (_record_key varchar, _ingested_at timestamp)",
    "insert into staging.stg_b values ('k3', '2025-11-04 08:00:00')",
    "create table staging.stg_reference (code varchar)",  # no lineage columns: not read
]


def test_landed_after_is_the_previous_watermark_unless_a_delivery_was_withdrawn():
    previous = PreviousBuild(frozenset({"aaa", "bbb"}), SEEN)
    assert landed_after(previous, frozenset({"aaa", "bbb", "new"})) == "2025-11-05 08:30:00.000000+00:00"
    eastern = dt.timezone(dt.timedelta(hours=-5))
    aware = PreviousBuild(frozenset({"aaa"}), dt.datetime(2025, 11, 5, 3, 30, tzinfo=eastern))
    assert landed_after(aware, frozenset({"aaa"})) == "2025-11-05 08:30:00.000000+00:00"
    assert landed_after(previous, frozenset({"aaa", "new"})) is None  # bbb retracted: test everything
    assert landed_after(None, frozenset({"aaa"})) is None  # first build
    assert landed_after(PreviousBuild(frozenset(), None), frozenset({"aaa"})) is None


def test_only_scheduled_builds_narrow():
    assert narrows_data_tests(DbtInvocation())
    assert not narrows_data_tests(DbtInvocation(full_refresh=True))
    assert not narrows_data_tests(DbtInvocation(command=("test",)))
    assert not narrows_data_tests(DbtInvocation(vars={"start_date": "2025-11-01", "end_date": "2025-11-30"}))


def test_duckdb_previous_build_and_scope(tmp_path):
    import duckdb

    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        for statement in TABLES:
            con.execute(statement)
    settings = load_settings({"COMMERCE_LAKE": str(tmp_path / "lake"), "COMMERCE_WAREHOUSE": str(warehouse)})
    assert read_previous_build("duckdb", settings) == PreviousBuild(frozenset({"aaa", "bbb"}), SEEN)

    def repin(extra: str):
        def prepare(staged):  # stands in for prepare_target: re-pins the lake's manifests
            with duckdb.connect(str(staged.warehouse)) as con:
                con.execute(extra)
            return {"SALT": "x"}

        return prepare

    scope = DataTestScope("duckdb", enabled=True, log=lambda _: None)
    assert scope.wrap(repin("insert into landed.lake_manifests values ('ddd', '1', 'landed')"))(settings) == {
        "SALT": "x"
    }
    assert scope.environment() == {"COMMERCE_DATA_TESTS_LANDED_AFTER": "2025-11-05 08:30:00.000000+00:00"}
    scope = DataTestScope("duckdb", enabled=True, log=lambda _: None)
    scope.wrap(repin("update landed.lake_manifests set status = 'retracted' where sha256 = 'aaa'"))(settings)
    assert scope.environment() == {"COMMERCE_DATA_TESTS_LANDED_AFTER": ""}
    fresh = load_settings({"COMMERCE_LAKE": str(tmp_path / "lake"), "COMMERCE_WAREHOUSE": str(tmp_path / "new.duckdb")})
    assert read_previous_build("duckdb", fresh) is None  # a first build: nothing to narrow to


@pytest.mark.postgres
def test_postgres_previous_build_must_have_succeeded(tmp_path, monkeypatch):
    import psycopg2

    with fresh_postgres_database("commerce_scope") as db:
        for name, key in (("PGHOST", "host"), ("PGPORT", "port"), ("PGUSER", "user"), ("PGPASSWORD", "password")):
            monkeypatch.setenv(name, str(db[key]))
        monkeypatch.setenv("PGDATABASE", db["dbname"])
        with psycopg2.connect(**db) as conn, conn.cursor() as cursor:
            for statement in TABLES:
                cursor.execute(statement)
        settings = load_settings({"COMMERCE_LAKE": str(tmp_path / "lake"), "DBT_TARGET": "postgres"})
        assert read_previous_build("postgres", settings) is None  # no build recorded
        build_id = build_log.record_start("postgres", settings)
        build_log.record_end("postgres", settings, build_id, succeeded=False)
        assert read_previous_build("postgres", settings) is None  # its staging tables may hold untested rows
        build_id = build_log.record_start("postgres", settings)
        build_log.record_end("postgres", settings, build_id, succeeded=True)
        assert read_previous_build("postgres", settings) == PreviousBuild(frozenset({"aaa", "bbb"}), SEEN)
