"""The local target's DuckDB limits come from COMMERCE_DUCKDB_* (README "Settings"): profiles.yml rendered by
dbt's own renderer, then given to DuckDB the way dbt-duckdb gives `config_options` (once, at connect), so a
build that has spilled can open more cursors (a per-cursor SET of temp_directory then fails)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml
from dbt.config.renderer import ProfileRenderer
from dbt_common.context import set_invocation_context

PROFILES = Path(__file__).resolve().parents[2] / "dbt_project" / "profiles.yml"


def _local_profile(env: dict[str, str]) -> dict:
    """The `local` output of profiles.yml as dbt renders it in the environment `env`."""
    set_invocation_context(env)
    profile = yaml.safe_load(PROFILES.read_text())["commerce_analytics"]["outputs"]["local"]
    return ProfileRenderer({}).render_data(profile)


def _local_settings(env: dict[str, str]) -> dict[str, str]:
    return _local_profile(env)["config_options"]


def _applied(settings: dict[str, str]) -> tuple:
    with duckdb.connect(config=settings) as con:
        return (
            con.cursor()
            .execute(
                "select current_setting('memory_limit'), current_setting('threads'), current_setting('temp_directory')"
            )
            .fetchone()
        )


def test_a_build_that_spilled_opens_more_cursors(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    env = {"COMMERCE_WAREHOUSE": str(warehouse), "COMMERCE_DUCKDB_MEMORY_LIMIT": "60MB", "COMMERCE_DUCKDB_THREADS": "1"}
    with duckdb.connect(str(warehouse), config=_local_settings(env)) as con:
        # A sort larger than the limit spills to <warehouse>.tmp instead of failing.
        con.execute("create table t as select md5(range::varchar) s from range(3000000) order by s")
        assert con.cursor().execute("select count(*) from t").fetchone() == (3_000_000,)


def test_defaults_suit_a_two_core_box_and_spill_beside_the_warehouse(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    settings = _local_settings({"COMMERCE_WAREHOUSE": str(warehouse)})
    assert settings == {
        "memory_limit": "4GB",
        "threads": "2",
        "preserve_insertion_order": False,
        "temp_directory": f"{warehouse}.tmp",
    }
    assert _applied(settings) == ("3.7 GiB", 2, f"{warehouse}.tmp")
    with duckdb.connect(config=settings) as con:
        assert con.execute("select current_setting('preserve_insertion_order')").fetchone() == (False,)


@pytest.mark.parametrize("limit, shown", [("1GB", "953.6 MiB"), ("512MiB", "512.0 MiB")])
def test_settings_override_the_defaults(tmp_path, limit, shown):
    env = {
        "COMMERCE_WAREHOUSE": str(tmp_path / "w.duckdb"),
        "COMMERCE_DUCKDB_MEMORY_LIMIT": limit,
        "COMMERCE_DUCKDB_THREADS": "1",
        "COMMERCE_DUCKDB_TEMP_DIRECTORY": str(tmp_path / "spill"),
    }
    assert _applied(_local_settings(env)) == (shown, 1, str(tmp_path / "spill"))


def test_dbt_builds_two_models_at_once_unless_told_one(tmp_path):
    """COMMERCE_DBT_THREADS: the models sharing DuckDB's memory_limit at once (one for a 10M-line build)."""
    warehouse = str(tmp_path / "w.duckdb")
    assert _local_profile({"COMMERCE_WAREHOUSE": warehouse})["threads"] == 2
    assert _local_profile({"COMMERCE_WAREHOUSE": warehouse, "COMMERCE_DBT_THREADS": "1"})["threads"] == 1
