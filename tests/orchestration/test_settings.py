"""Settings: the environment -> target mapping lives in one place and is read at load, not import."""

import importlib.resources
import subprocess
import sys

import pytest

from orchestration.lib.settings import ENVIRONMENT_TARGETS, dbt_target_for, load_orchestration_settings


def test_environment_maps_to_a_dbt_target_and_dbt_target_overrides():
    assert dbt_target_for("local") == "local"
    assert dbt_target_for("ci") == "postgres"
    assert dbt_target_for("prod") == "prod"
    assert dbt_target_for("prod", "postgres") == "postgres"
    assert set(ENVIRONMENT_TARGETS.values()) == {"local", "postgres", "prod"}
    with pytest.raises(ValueError, match="unknown COMMERCE_ENV"):
        dbt_target_for("staging-ish")


def test_settings_from_an_explicit_environment(tmp_path):
    env = {
        "COMMERCE_LAKE": "s3://bucket/lake",
        "COMMERCE_WAREHOUSE": "rel/wh.duckdb",
        "COMMERCE_ENV": "prod",
        "COMMERCE_TIMEZONE": "Europe/Berlin",
        "COMMERCE_FRESHNESS_HOURS": "48",
        "COMMERCE_FRESHNESS_HOURS_AMAZON": "336",
        "COMMERCE_QUARANTINE_WARN_RATE": "0.05",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9000",
    }
    s = load_orchestration_settings(env)
    assert s.dbt_target == "prod" and s.timezone == "Europe/Berlin"
    assert s.commerce.lake == "s3://bucket/lake" and s.commerce.inbox == "s3://bucket/lake/inbox"
    assert s.commerce.warehouse.startswith("/")  # made absolute: dbt runs inside dbt_project/
    assert s.checks.freshness_for("amazon") == 336 and s.checks.freshness_for("shopify") == 48
    assert s.checks.quarantine_warn_rate == 0.05
    dbt_env = s.dbt_env()
    assert dbt_env["COMMERCE_LAKE"] == "s3://bucket/lake" and dbt_env["DBT_TARGET"] == "prod"
    assert dbt_env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:9000"


def test_executor_setting():
    assert load_orchestration_settings({}).executor == "in_process"
    assert load_orchestration_settings({"COMMERCE_EXECUTOR": "Multiprocess"}).executor == "multiprocess"
    with pytest.raises(ValueError, match="COMMERCE_EXECUTOR"):
        load_orchestration_settings({"COMMERCE_EXECUTOR": "threads"})


def test_importing_the_definitions_reads_no_environment():
    """A broken environment only fails when definitions load, never at import."""
    code = (
        "import os; os.environ['COMMERCE_ENV'] = 'nonsense'; os.environ['COMMERCE_QUARANTINE_WARN_RATE'] = 'x';"
        "import importlib, pkgutil, orchestration.defs as d;"
        "import orchestration.definitions;"
        "[importlib.import_module(m.name) for m in pkgutil.iter_modules(d.__path__, 'orchestration.defs.')];"
        "print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("ok")


def test_settings_module_is_the_only_reader_of_os_environ():
    import orchestration

    root = importlib.resources.files(orchestration)
    readers = []
    for path in root.rglob("*.py"):  # type: ignore[attr-defined]
        text = path.read_text()
        if ("os.environ" in text or "os.getenv" in text) and path.name not in {
            "settings.py",
            "dbt_project.py",
            "run.py",
        }:
            readers.append(path.name)
    assert readers == []
