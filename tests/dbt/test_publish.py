"""Write-audit-publish of the DuckDB warehouse (warehouse/publish.py), without dbt: what a build writes is
visible in the live file only when the build succeeded; a failed one leaves the live marts and a `.failed`
copy to inspect, and the build log in the live file says how each build ended."""

from __future__ import annotations

import contextlib

import duckdb
import pytest
from dbt_helpers import fresh_postgres_database

from commerce_analytics.settings import load_settings
from warehouse.build_log import read_builds
from warehouse.publish import build_session, building_path


def _settings(tmp_path):
    return load_settings({"COMMERCE_WAREHOUSE": str(tmp_path / "warehouse.duckdb"), "COMMERCE_LAKE": str(tmp_path)})


def _write(path: str, value: int) -> None:
    with contextlib.closing(duckdb.connect(path)) as con:
        con.execute("create schema if not exists marts")
        con.execute(f"create or replace table marts.pnl as select {value} as net_profit")


def _read(path) -> tuple[list, str | None]:
    settings = load_settings({"COMMERCE_WAREHOUSE": str(path)})
    with contextlib.closing(duckdb.connect(str(path), read_only=True)) as con:
        rows = con.execute("select net_profit from marts.pnl").fetchall()
        latest, _ = read_builds(con, settings, "local")
    return rows, latest.status if latest else None


def test_a_successful_build_is_published_and_a_failed_one_is_not(tmp_path):
    settings = _settings(tmp_path)
    live = tmp_path / "warehouse.duckdb"
    with build_session("duckdb", settings, "local", log=lambda _: None) as session:
        assert session.staged and session.settings.warehouse == str(building_path(settings))
        assert session.environment == {"COMMERCE_WAREHOUSE": session.settings.warehouse}
        _write(session.settings.warehouse, 100)
        session.succeeded = True
    assert _read(live) == ([(100,)], "succeeded")
    assert not building_path(settings).exists()

    with build_session("duckdb", settings, "local", log=lambda _: None) as session:
        _write(session.settings.warehouse, -5)  # a build whose tests then fail
    assert _read(live) == ([(100,)], "failed")
    assert _read(tmp_path / "warehouse.duckdb.failed")[0] == [(-5,)]

    with pytest.raises(RuntimeError), build_session("duckdb", settings, "local", log=lambda _: None) as session:
        _write(session.settings.warehouse, -7)
        raise RuntimeError("the build crashed")
    assert _read(live) == ([(100,)], "failed")

    with build_session("duckdb", settings, "local", log=lambda _: None) as session:
        _write(session.settings.warehouse, 120)  # starts from the live state, as incremental models need
        session.succeeded = True
    assert _read(live) == ([(120,)], "succeeded")


def test_other_warehouses_are_built_in_place(tmp_path):
    settings = load_settings({"COMMERCE_WAREHOUSE": ":memory:", "COMMERCE_LAKE": str(tmp_path)})
    with build_session("duckdb", settings, "local", log=lambda _: None) as session:
        assert not session.staged and session.settings is settings and session.environment == {}
        session.succeeded = True


def test_on_postgresql_the_marts_schema_is_staged_and_swapped(monkeypatch, tmp_path):
    """The server variant: the build writes `marts__building` (a copy of the live marts to start from) and a
    successful build swaps it in; a failed one leaves `marts` as it was and `marts__building` to inspect."""
    import psycopg2

    def pnl(cursor, schema="marts"):
        cursor.execute(f"select net_profit from {schema}.pnl")
        return cursor.fetchall()

    with fresh_postgres_database("commerce_publish") as db:
        for name, value in {"PGHOST": "host", "PGPORT": "port", "PGUSER": "user", "PGPASSWORD": "password"}.items():
            monkeypatch.setenv(name, str(db[value]))
        monkeypatch.setenv("PGDATABASE", db["dbname"])
        settings = load_settings({"COMMERCE_LAKE": str(tmp_path), "DBT_TARGET": "postgres"})

        def build(value: int | None, succeeded: bool) -> None:
            with build_session("postgres", settings, "postgres", log=lambda _: None) as session:
                assert session.environment == {"COMMERCE_MARTS_SCHEMA_SUFFIX": "__building"}
                with contextlib.closing(psycopg2.connect(**db)) as con, con.cursor() as cursor:
                    if value is not None:
                        cursor.execute("create table if not exists marts__building.pnl (net_profit integer)")
                        cursor.execute("delete from marts__building.pnl")
                        cursor.execute("insert into marts__building.pnl values (%s)", (value,))
                    con.commit()
                session.succeeded = succeeded

        build(100, True)
        with contextlib.closing(psycopg2.connect(**db)) as con, con.cursor() as cursor:
            assert pnl(cursor) == [(100,)]
        build(-5, False)
        with contextlib.closing(psycopg2.connect(**db)) as con, con.cursor() as cursor:
            assert pnl(cursor) == [(100,)]
            assert pnl(cursor, "marts__building") == [(-5,)]
            latest, _ = read_builds(con, settings, "postgres")
            assert latest.status == "failed"
        build(None, True)  # a build that leaves the table alone publishes the copy it started from
        with contextlib.closing(psycopg2.connect(**db)) as con, con.cursor() as cursor:
            assert pnl(cursor) == [(100,)]
            cursor.execute("select count(*) from information_schema.schemata where schema_name like 'marts\\_\\_%%'")
            assert cursor.fetchone()[0] == 0
