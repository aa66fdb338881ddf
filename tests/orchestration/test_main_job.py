"""The main job through Dagster, end to end: `python -m orchestration.run --paths <exports>` (what `make demo`
runs) lands every export, builds every dbt model, evaluates every check and prints a channel P&L equal to the
generator's truth; a backfill of an order-date range is one dbt invocation with start/end vars."""

import contextlib
import json

import dagster as dg
import pytest

from commerce_analytics.settings import load_settings
from orchestration.defs.jobs import MAIN_JOB
from orchestration.run import RUN_TAG
from warehouse import report


@pytest.fixture(scope="module")
def instance(orch_built):
    with dg.DagsterInstance.from_config(str(orch_built.dagster_home)) as instance:
        yield instance


@pytest.fixture(scope="module")
def main_run(orch_built, instance):
    assert orch_built.run_returncode == 0, orch_built.run_output[-6000:]
    runs = instance.get_runs(filters=dg.RunsFilter(job_name=MAIN_JOB, tags={RUN_TAG: "cli"}))
    assert len(runs) == 1, "one run recorded in DAGSTER_HOME (so it shows in the UI of `make dev`)"
    return runs[0]


def _records(instance, run_id, event_type):
    return [r.event_log_entry for r in instance.get_records_for_run(run_id, of_type=event_type, limit=100_000).records]


def test_demo_run_materialises_the_whole_graph(orch_defs, instance, main_run):
    assert main_run.status == dg.DagsterRunStatus.SUCCESS
    graph = orch_defs.resolve_asset_graph()
    materialised = {
        e.dagster_event.asset_key
        for e in _records(instance, main_run.run_id, dg.DagsterEventType.ASSET_MATERIALIZATION)
    }
    expected = set(graph.materializable_asset_keys)
    assert expected - materialised == set(), "every asset of the graph is materialised"
    for key in ("landed/brand/fx_rates", "staging/stg_shopify__orders", "marts/fct_financial_performance"):
        assert dg.AssetKey.from_user_string(key) in materialised


def test_demo_run_evaluates_every_check_and_all_pass(orch_defs, instance, main_run):
    evaluations = [
        e.dagster_event.event_specific_data
        for e in _records(instance, main_run.run_id, dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    ]
    evaluated = {dg.AssetCheckKey(e.asset_key, e.check_name) for e in evaluations}
    declared = set(orch_defs.resolve_asset_graph().asset_check_keys)
    assert declared - evaluated == set(), "every declared check (dbt tests and Python checks) is evaluated"
    python_checks = {k for k in evaluated if k.asset_key.path[0] == "landed"}
    dbt_checks = evaluated - python_checks
    assert len(python_checks) >= 5 * 14 and len(dbt_checks) > 50
    failed = [f"{e.asset_key.to_user_string()}:{e.check_name} {e.description}" for e in evaluations if not e.passed]
    assert failed == []


def test_demo_prints_the_channel_pnl_equal_to_the_truth(orch_built, main_run):
    assert "Channel P&L from the warehouse" in orch_built.run_output
    assert "Matches the ground truth" in orch_built.run_output
    settings = load_settings(orch_built.settings)
    with contextlib.closing(report.connect(settings, "local")) as connection:
        rows = report.channel_pnl(connection)
        lines = connection.execute("select count(*) from marts.fct_financial_performance").fetchone()[0]
    assert lines > 0 and {r["channel"] for r in rows} >= {"Shopify Web", "Amazon FBA"}
    assert report.truth_differences(rows, orch_built.exports / "truth" / "summary.json") == []


def test_backfill_is_one_dbt_invocation_with_start_and_end_vars(orch_defs, orch_built, instance, main_run):
    """Launching the job with a date range (ops.dbt_models.config) runs dbt once with the range as vars."""
    job = orch_defs.resolve_job_def(MAIN_JOB)
    target = dg.AssetKey(["marts", "fct_financial_performance"])
    result = job.execute_in_process(
        run_config={"ops": {"dbt_models": {"config": {"start_date": "2025-11-20", "end_date": "2025-11-26"}}}},
        instance=instance,
        asset_selection=[target],
        raise_on_error=False,
    )
    assert result.success
    assert {e.asset_key for e in result.get_asset_materialization_events()} == {target}
    invocations = list(orch_built.dbt_target_path.glob(f"dbt_models-{result.run_id[:7]}-*"))
    assert len(invocations) == 1, "one dbt invocation for the whole range"
    run_results = json.loads((invocations[0] / "run_results.json").read_text())
    variables = run_results["args"]["vars"]
    assert variables["start_date"] == "2025-11-20" and variables["end_date"] == "2025-11-26"
    assert variables["lake"] == str(orch_built.lake.resolve())
    assert run_results["args"]["which"] == "build"
    built = {r["unique_id"]: r["status"] for r in run_results["results"]}
    assert built["model.commerce_analytics.fct_financial_performance"] == "success"
