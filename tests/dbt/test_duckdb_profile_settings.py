"""The local target's DuckDB limits come from COMMERCE_DUCKDB_* (README "Settings"): profiles.yml rendered by
dbt's own renderer, then applied to a DuckDB connection the way dbt-duckdb applies `settings:`."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest
import yaml
from dbt.adapters.duckdb.environments import Environment
from dbt.config.renderer import ProfileRenderer
from dbt_common.context import set_invocation_context

PROFILES = Path(__file__).resolve().parents[2] / "dbt_project" / "profiles.yml"


def _local_settings(env: dict[str, str]) -> dict[str, str]:
    set_invocation_context(env)
    profile = yaml.safe_load(PROFILES.read_text())["commerce_analytics"]["outputs"]["local"]
    return ProfileRenderer({}).render_data(profile)["settings"]


def _applied(settings: dict[str, str]) -> tuple:
    con = duckdb.connect()
    cursor = Environment.initialize_cursor(SimpleNamespace(settings=settings, retries=None), con.cursor())
    return cursor.execute(
        "select current_setting('memory_limit'), current_setting('threads'), current_setting('temp_directory')"
    ).fetchone()


def test_defaults_suit_a_two_core_box_and_spill_beside_the_warehouse(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    settings = _local_settings({"COMMERCE_WAREHOUSE": str(warehouse)})
    assert settings == {"memory_limit": "4GB", "threads": "2", "temp_directory": f"{warehouse}.tmp"}
    assert _applied(settings) == ("3.7 GiB", 2, f"{warehouse}.tmp")


@pytest.mark.parametrize("limit, shown", [("1GB", "953.6 MiB"), ("512MiB", "512.0 MiB")])
def test_settings_override_the_defaults(tmp_path, limit, shown):
    env = {
        "COMMERCE_WAREHOUSE": str(tmp_path / "w.duckdb"),
        "COMMERCE_DUCKDB_MEMORY_LIMIT": limit,
        "COMMERCE_DUCKDB_THREADS": "1",
        "COMMERCE_DUCKDB_TEMP_DIRECTORY": str(tmp_path / "spill"),
    }
    assert _applied(_local_settings(env)) == (shown, 1, str(tmp_path / "spill"))
