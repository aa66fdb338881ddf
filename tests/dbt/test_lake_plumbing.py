"""Placeholders, visible files and the generated Spectrum column list (no dbt run)."""

from __future__ import annotations

import json

import duckdb
import pytest

from ingestion import registry
from ingestion.lake import Lake
from warehouse import dbt_sources
from warehouse import targets as warehouse
from warehouse.dbt_args import PROJECT_DIR


def test_placeholders_make_empty_entities_readable(tmp_path):
    lake = Lake(str(tmp_path))
    written = warehouse.ensure_placeholders(lake)
    assert len(written) == len(registry.ENTITIES)
    assert warehouse.ensure_placeholders(lake) == []  # idempotent
    entity = registry.entity("shopify", "orders")
    con = duckdb.connect()
    rel = con.sql(
        f"select * from read_parquet('{tmp_path}/{entity.landed_prefix}/**/*.parquet',"
        " hive_partitioning = false, union_by_name = true)"
    )
    assert rel.columns == list(entity.schema())
    assert rel.fetchall() == []
    types = dict(zip(rel.columns, [str(t) for t in rel.types], strict=True))
    assert types["total"] == "DECIMAL(18,2)" and types["_ingested_at"] == "TIMESTAMP WITH TIME ZONE"
    # No manifest names it, so the load step and staging never see it.
    assert warehouse.visible_files(lake).files == {}


def test_stale_placeholder_is_rewritten(tmp_path):
    lake = Lake(str(tmp_path))
    entity = registry.entity("brand", "cogs")
    target = tmp_path / warehouse.placeholder_rel(entity)
    target.parent.mkdir(parents=True)
    import polars as pl

    pl.DataFrame(schema={"sku": pl.String()}).write_parquet(target)
    assert warehouse.ensure_placeholders(lake, [entity]) == [warehouse.placeholder_rel(entity)]


def test_postgres_and_spectrum_types_cover_the_registry():
    for entity in registry.ENTITIES.values():
        for dtype in entity.schema().values():
            assert warehouse.postgres_type(dtype)
            assert warehouse.spectrum_type(dtype)
    assert warehouse.postgres_type(registry.MONEY) == "numeric(18,2)"
    assert warehouse.postgres_type(registry.UTC) == "timestamptz"
    assert warehouse.spectrum_type(registry.MONEY) == "decimal(18,2)"


def test_generated_dbt_files_are_in_sync_with_the_registry():
    """One source of truth: the sources YAML and the Spectrum column macro are the registry, rendered."""
    assert dbt_sources.out_of_date() == [], "run `commerce-analytics dbt-sources`"
    current = (PROJECT_DIR / "macros" / "_landed_columns.sql").read_text()
    for entity in registry.ENTITIES.values():
        assert f'"{warehouse.table_name(entity)}": {{' in current
        assert f'"prefix": "{entity.landed_prefix}/"' in current


@pytest.mark.parametrize("status, visible", [("landed", True), ("partial", True), ("rejected", False)])
def test_visible_files_follow_manifest_status(tmp_path, status, visible):
    lake = Lake(str(tmp_path))
    manifest = tmp_path / "_manifests" / "brand" / "abc.json"
    manifest.parent.mkdir(parents=True)
    body = {
        "sha256": "abc",
        "status": status,
        "parser_version": "brand_cogs@1",
        "source": "brand",
        "files": ["landed/brand/cogs/abc-v1.parquet"],
    }
    manifest.write_text(json.dumps(body))
    found = warehouse.visible_files(lake)
    assert len(found.manifests) == 1
    assert (found.files == {"brand/cogs": [("landed/brand/cogs/abc-v1.parquet", "brand_cogs@1")]}) is visible


def test_sources_check_fails_on_a_hand_edit_and_regenerates(tmp_path):
    """`commerce-analytics dbt-sources --check` catches a hand-edited or missing file; writing restores it."""
    project = tmp_path / "dbt_project"
    written = dbt_sources.write_generated_files(project)
    assert len(written) == len(registry.SOURCES) + 1 and dbt_sources.out_of_date(project) == []
    edited = project / "models" / "staging" / "brand" / "_brand__sources.yml"
    edited.write_text(edited.read_text().replace("COGS", "Cogs"))
    (project / "macros" / "_landed_columns.sql").unlink()
    assert sorted(dbt_sources.out_of_date(project)) == sorted([edited, project / "macros" / "_landed_columns.sql"])
    dbt_sources.write_generated_files(project)
    assert dbt_sources.out_of_date(project) == []


def test_staging_lineage_columns_macro_names_the_registry_lineage():
    """Staging passes on exactly the lineage columns ingestion writes (macros/landed.sql lineage_columns)."""
    text = (PROJECT_DIR / "macros" / "landed.sql").read_text()
    body = text[
        text.index("{% macro lineage_columns() -%}") : text.index("{%- endmacro %}", text.index("lineage_columns"))
    ]
    named = [line.strip().rstrip(",") for line in body.splitlines()[1:] if line.strip()]
    assert named == list(registry.LINEAGE_SCHEMA)


@pytest.mark.postgres
def test_a_nul_byte_is_quarantined_with_its_line_and_the_postgres_load_succeeds(tmp_path):
    """PostgreSQL text cannot hold NUL: the row goes to quarantine (file:line) instead of failing the load."""
    import psycopg2
    from dbt_helpers import fresh_postgres_database

    from commerce_analytics.settings import load_settings
    from ingestion.ingest import Ingestor

    invoices = tmp_path / "carrier_invoices_2025-09.csv"
    invoices.write_bytes(
        b"tracking_number,order_reference,ship_date,service,weight_kg,cost,currency\n"
        b"1Z1,#1005,2025-09-01,UPS Ground,4.85,13.25,USD\n"
        b"1Z2,#1010,2025-09-02,UPS\x00Ground,8.47,12.30,USD\n"
        b"1Z3,#1008,2025-09-02,UPS Ground,1.92,11.51,USD\n"
    )
    lake = Lake(str(tmp_path / "lake"))
    [result] = Ingestor(load_settings({"COMMERCE_LAKE": lake.url})).ingest_paths([str(invoices)], keep_inbox=True)
    assert (result.rows_read, result.rows_landed, result.rows_quarantined) == (3, 2, 1)
    assert result.examples == [
        f"{invoices}:3: row contains a NUL byte (\\x00), which no warehouse text column can hold"
    ]
    with fresh_postgres_database("commerce_nul") as db:
        report = warehouse.load_postgres(lake, " ".join(f"{k}={v}" for k, v in db.items()))
        conn = psycopg2.connect(**db)
        try:
            with conn.cursor() as cursor:
                cursor.execute("select tracking_number from landed.brand__carrier_invoices order by 1")
                assert cursor.fetchall() == [("1Z1",), ("1Z3",)]
        finally:
            conn.close()
    assert "brand__carrier_invoices" in report.tables


@pytest.mark.dbt
def test_a_lake_path_with_a_quote_builds(tmp_path):
    """The lake path is quoted into the sources' SQL: an apostrophe in it must not break the SQL."""
    import subprocess

    from dbt_helpers import CLI, REPO, clean_env

    from commerce_analytics.settings import load_settings
    from ingestion.ingest import Ingestor

    invoices = tmp_path / "carrier_invoices_2025-09.csv"
    invoices.write_text(
        "tracking_number,order_reference,ship_date,service,weight_kg,cost,currency\n"
        "1Z1,#1005,2025-09-01,UPS Ground,4.85,13.25,USD\n"
        "1Z3,#1008,2025-09-02,UPS Ground,1.92,11.51,USD\n"
    )
    lake = tmp_path / "o'brien's lake"
    [result] = Ingestor(load_settings({"COMMERCE_LAKE": str(lake)})).ingest_paths([str(invoices)], keep_inbox=True)
    assert result.status == "landed"
    warehouse_file = tmp_path / "wh.duckdb"
    env = clean_env(COMMERCE_LAKE=str(lake), COMMERCE_WAREHOUSE=str(warehouse_file))
    args = [str(CLI), "dbt", "--target", "local", "--target-path", str(tmp_path / "target"), "--log-path"]
    args += [str(tmp_path), "--", "run", "--select", "stg_brand__carrier_invoices"]
    proc = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    con = duckdb.connect(str(warehouse_file), read_only=True)
    try:
        assert con.execute("select count(*) from staging.stg_brand__carrier_invoices").fetchone() == (2,)
    finally:
        con.close()
