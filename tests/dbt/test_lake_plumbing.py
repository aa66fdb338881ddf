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
