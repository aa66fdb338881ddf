"""The dbt project parses for every target and agrees with the ingestion registry."""

from __future__ import annotations

import subprocess

import pytest
from dbt_helpers import CLI, REPO, clean_env, parse_manifest

from commerce_analytics.settings import load_settings
from ingestion import registry
from warehouse import targets as warehouse


def test_parse_prod_without_secrets(prod_manifest):
    assert prod_manifest["metadata"]["adapter_type"] == "redshift"
    assert any(n.startswith("model.") for n in prod_manifest["nodes"])


def _landed_sources(manifest: dict) -> dict[str, dict]:
    return {
        f"{s['source_name']}/{s['name']}": s
        for s in manifest["sources"].values()
        if s["source_name"] in registry.SOURCES
    }


def test_sources_equal_the_registry(prod_manifest):
    sources = _landed_sources(prod_manifest)
    assert sorted(sources) == sorted(registry.ENTITIES)


def test_sources_name_the_landed_tables_and_asset_keys(prod_manifest):
    for key, source in _landed_sources(prod_manifest).items():
        entity = registry.ENTITIES[key]
        meta = source.get("meta") or source.get("config", {}).get("meta", {})
        assert meta["dagster"]["asset_key"] == ["landed", entity.source, entity.name], key
        assert source["schema"] == warehouse.LANDED_SCHEMA, key
        assert source["identifier"] == warehouse.table_name(entity), key
        location = meta["external_location"]
        assert f"/{entity.landed_prefix}/**/*.parquet" in location, key


def test_manifests_source(prod_manifest):
    manifests = [s for s in prod_manifest["sources"].values() if s["source_name"] == "lake"]
    assert [(s["schema"], s["identifier"]) for s in manifests] == [("landed", warehouse.MANIFESTS_TABLE)]
    columns = set(manifests[0]["columns"])
    assert set(warehouse.MANIFEST_COLUMNS) <= columns or not columns


def test_spectrum_ddl_renders_for_every_entity(tmp_path):
    """`dbt run-operation create_spectrum_sources` (dry run: print, no connection needed)."""
    env = clean_env(COMMERCE_LAKE=str(tmp_path / "lake"), COMMERCE_WAREHOUSE=str(tmp_path / "wh.duckdb"))
    args = [str(CLI), "dbt", "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path), "--"]
    args += ["run-operation", "create_spectrum_sources", "--args", "{dry_run: true}"]
    proc = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    out = proc.stdout
    assert "create external schema if not exists landed from data catalog database" in out
    for entity in registry.ENTITIES.values():
        assert f"create external table landed.{warehouse.table_name(entity)} (" in out
        assert f"/{entity.landed_prefix}/'" in out
    assert "create external table landed.lake_manifests" in out
    for source in registry.SOURCES:
        assert f"partition (manifest_folder='{source}')" in out


@pytest.mark.parametrize(
    ("target", "developer", "marts"),
    [("local", "alice_", "alice_marts"), ("postgres", "bob", "bob_marts"), ("prod", "alice", "marts")],
)
def test_developer_schemas_are_prefixed_off_prod(tmp_path, target, developer, marts):
    """DBT_SCHEMA isolates a developer on a shared dev warehouse; prod and the default keep the plain names,
    and the Python readers (the report) compute the same schema as the dbt macro."""
    manifest = parse_manifest(tmp_path, target, DBT_SCHEMA=developer)
    schemas = {n["schema"] for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    prefix = marts.removesuffix("marts")
    assert schemas == {f"{prefix}staging", f"{prefix}intermediate", f"{prefix}marts"}
    settings = load_settings({"DBT_SCHEMA": developer, "DBT_TARGET": target})
    assert settings.schema("marts") == marts
    assert load_settings({}).schema("marts") == "marts"
