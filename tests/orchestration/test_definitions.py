"""The definitions load, validate, and form one graph from the landed files to the dbt models."""

import datetime as dt
import json
import os
import subprocess
import sys
from zoneinfo import ZoneInfo

import dagster as dg
from orch_helpers import REPO

from ingestion import registry
from orchestration.defs.jobs import MAIN_JOB, REJECT_JOB
from orchestration.lib.settings import load_orchestration_settings


def test_every_registry_entity_is_an_ingestion_asset(orch_defs):
    graph = orch_defs.resolve_asset_graph()
    for entity in registry.ENTITIES.values():
        node = graph.get(dg.AssetKey(entity.asset_key))
        assert node.is_materializable, entity.key
        assert node.group_name == "landed"
        assert not node.partitions_def, "ingestion is file-driven, not partitioned"
    ingest_ops = {graph.get(dg.AssetKey(e.asset_key)).assets_def.node_def.name for e in registry.ENTITIES.values()}
    assert ingest_ops == {f"ingest_{s}" for s in registry.SOURCES}


def test_landed_assets_feed_their_staging_models(orch_defs):
    """dbt sources carry meta.dagster.asset_key = the ingestion key, so the graph joins."""
    graph = orch_defs.resolve_asset_graph()
    missing = []
    for entity in registry.ENTITIES.values():
        children = graph.get(dg.AssetKey(entity.asset_key)).child_keys
        staging = f"stg_{entity.source}__{entity.name}"
        if not any(child.path[-1] == staging for child in children):
            missing.append(f"{entity.key} -> {staging} (children: {[c.to_user_string() for c in children]})")
    assert missing == []


def test_dbt_sources_point_at_registry_keys():
    settings = load_orchestration_settings()
    manifest = json.loads((settings.dbt_target_path / "manifest.json").read_text())
    keys = {tuple(k) for k in registry.asset_keys()}
    declared = {}
    for source in manifest["sources"].values():
        key = ((source.get("meta") or {}).get("dagster") or {}).get("asset_key")
        if key:
            declared[f"{source['source_name']}.{source['name']}"] = tuple(key)
    assert set(declared.values()) <= keys, set(declared.values()) - keys
    assert keys <= set(declared.values()), f"entities without a dbt source: {keys - set(declared.values())}"


def test_layers_become_groups_and_dbt_tests_become_checks(orch_defs):
    graph = orch_defs.resolve_asset_graph()
    groups = {graph.get(k).group_name for k in graph.get_all_asset_keys() if graph.get(k).is_materializable}
    assert {"landed", "staging", "reference"} <= groups
    check_keys = set(graph.asset_check_keys)
    landed_checks = {(c.asset_key.path[0], c.name) for c in check_keys if c.asset_key.path[0] == "landed"}
    assert {n for _, n in landed_checks} == {
        "reconciliation",
        "no_rejected_files",
        "quarantine_rate",
        "freshness",
        "row_count_anomalies",
    }
    dbt_checks = [c for c in check_keys if c.asset_key.path[0] != "landed"]
    assert dbt_checks, "dbt tests should surface as asset checks"


def test_every_dbt_test_is_an_asset_check(orch_defs):
    """Generic tests attach to their model; a singular test over several models needs
    `config(meta={'dagster': {'ref': {'name': <model>}}})` or Dagster only logs an observation for it."""
    manifest = json.loads((load_orchestration_settings().dbt_target_path / "manifest.json").read_text())
    tests = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "test"}
    checks = {c.name for c in orch_defs.resolve_asset_graph().asset_check_keys if c.asset_key.path[0] != "landed"}
    missing = sorted(tests - checks)
    assert missing == [], f"dbt tests that are not asset checks (name their model in meta.dagster.ref): {missing}"


def test_automation(orch_defs):
    schedule = orch_defs.resolve_schedule_def("daily_commerce_analytics")
    assert schedule.execution_timezone == os.environ["COMMERCE_TIMEZONE"]
    assert schedule.job_name == MAIN_JOB and schedule.cron_schedule == "0 6 * * *"
    tick = dt.datetime(2025, 11, 3, 6, tzinfo=ZoneInfo(os.environ["COMMERCE_TIMEZONE"]))
    with dg.build_schedule_context(scheduled_execution_time=tick) as context:
        requests = schedule.evaluate_tick(context).run_requests
    assert len(requests) == 1 and not requests[0].run_config, "the daily run ingests the inbox (no paths)"
    sensor = orch_defs.resolve_sensor_def("lake_inbox_sensor")
    assert {t.job_name for t in sensor.targets} == {MAIN_JOB, REJECT_JOB}
    for entity in registry.ENTITIES.values():
        node = orch_defs.resolve_asset_graph().get(dg.AssetKey(entity.asset_key))
        assert node.assets_def.node_def.retry_policy.max_retries >= 1
    assert orch_defs.resolve_job_def(MAIN_JOB).executor_def.name == "in_process"
    assert orch_defs.resolve_implicit_global_asset_job_def().executor_def.name == "in_process", "UI launches too"


def test_schedule_follows_commerce_timezone_at_load(orch_env, monkeypatch):
    from orchestration.defs.schedules import build_daily_schedule

    monkeypatch.setenv("COMMERCE_TIMEZONE", "Europe/London")
    assert build_daily_schedule(load_orchestration_settings()).execution_timezone == "Europe/London"


def test_dagster_definitions_validate(orch_env):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "dagster",
            "definitions",
            "validate",
            "-w",
            str(REPO / "orchestration" / "workspace.yaml"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ},
        check=False,
        timeout=600,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "All code locations passed validation" in out.stdout + out.stderr
