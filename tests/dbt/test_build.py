"""The whole dbt project builds and tests on DuckDB and on PostgreSQL (session builds, see conftest)."""

from __future__ import annotations

import pytest

from ingestion import registry
from ingestion.lake import Lake
from warehouse import targets as warehouse

pytestmark = pytest.mark.dbt


def _explain(build) -> str:
    failures = build.failures()
    listed = "\n".join(f"  {status:<8} {node}" for node, status in sorted(failures.items()))
    tail = build.output[-3000:]
    return f"dbt build on {build.target} exited {build.returncode}:\n{listed}\n--- output tail ---\n{tail}"


@pytest.mark.postgres
def test_build_succeeds(dbt_build):
    assert dbt_build.results, _explain(dbt_build)
    assert dbt_build.returncode == 0 and not dbt_build.failures(), _explain(dbt_build)


@pytest.mark.postgres
def test_session_build_ran_the_unit_tests(dbt_build):
    """CI keeps the dbt unit tests (the session builds pass --unit-tests; the scheduled build skips them)."""
    unit_tests = {node: status for node, status in dbt_build.results.items() if node.startswith("unit_test.")}
    assert unit_tests, _explain(dbt_build)
    assert set(unit_tests.values()) == {"pass"}, _explain(dbt_build)


def _staging_models(build) -> list[str]:
    return sorted(
        node.split(".")[-1]
        for node, status in build.results.items()
        if node.startswith("model.") and node.split(".")[-1].startswith("stg_") and status == "success"
    )


@pytest.mark.postgres
def test_staging_rows_agree_between_duckdb_and_postgres(duckdb_build, postgres_build):
    models = sorted(set(_staging_models(duckdb_build)) & set(_staging_models(postgres_build)))
    assert models, _explain(duckdb_build) + _explain(postgres_build)
    for model in models:
        sql = f"select count(*), count(distinct _record_key) from staging.{model}"
        assert duckdb_build.query(sql) == postgres_build.query(sql), model


@pytest.mark.postgres
def test_load_step_lands_exactly_the_visible_rows(dbt_lake, postgres_build):
    """landed.<source>__<entity> holds every row of visible files (manifest status, parser version)."""
    import duckdb

    lake = Lake(str(dbt_lake))
    visible = warehouse.visible_files(lake)
    con = duckdb.connect()
    for entity in registry.ENTITIES.values():
        files = visible.files.get(entity.key, [])
        expected = 0
        for rel, parser_version in files:
            expected += con.execute(
                f"select count(*) from read_parquet('{dbt_lake}/{rel}') where _parser_version = ?", [parser_version]
            ).fetchone()[0]
        loaded = postgres_build.query(f"select count(*) from landed.{warehouse.table_name(entity)}")[0][0]
        assert loaded == expected, entity.key
    manifests = postgres_build.query("select count(*), count(distinct sha256) from landed.lake_manifests")[0]
    assert manifests == (len(visible.manifests), len(visible.manifests))


@pytest.mark.postgres
def test_load_step_is_idempotent(dbt_lake, postgres_build, postgres_database):
    from warehouse.targets import load_postgres

    before = postgres_build.query("select count(*) from landed.shopify__order_lines")
    dsn = " ".join(f"{k}={v}" for k, v in postgres_database.items())
    report = load_postgres(Lake(str(dbt_lake)), dsn=dsn, entities=[registry.entity("shopify", "order_lines")])
    assert postgres_build.query("select count(*) from landed.shopify__order_lines") == before
    assert report.tables["shopify__order_lines"] == before[0][0]
