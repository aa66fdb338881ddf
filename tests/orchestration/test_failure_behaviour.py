"""A failing dbt model fails its run and skips what depends on it; re-execution from failure completes."""

import os

import dagster as dg
from failing_dbt import write_project

HERE = os.path.dirname(__file__)


def _keys(result, event_type):
    return {
        e.asset_key.to_user_string()
        for e in result.all_events
        if e.event_type_value == event_type and e.asset_key is not None
    }


def test_failure_skips_downstream_and_reexecution_from_failure_completes(tmp_path, monkeypatch):
    project = write_project(tmp_path / "throwaway")
    monkeypatch.setenv("DBT_TARGET_PATH", str(project / "target"))
    job = dg.build_reconstructable_job(
        "failing_dbt",
        "make_job",
        reconstructable_kwargs={"project_dir": str(project)},
        reconstructor_working_directory=HERE,
    )
    instance = dg.DagsterInstance.ephemeral()

    monkeypatch.setenv("ORCH_FAIL_B", "1")
    with dg.execute_job(job, instance=instance, raise_on_error=False) as failed:
        assert not failed.success
        materialised = _keys(failed, "ASSET_MATERIALIZATION")
        assert "a" in materialised and "b" not in materialised and "c" not in materialised
        step_events = {e.step_key: e.event_type_value for e in failed.all_events if e.step_key}
        assert step_events["throwaway_models"] == "STEP_FAILURE"
        report_events = [e for e in failed.all_events if e.step_key == "report"]
        assert not any(e.is_step_start for e in report_events), "the Python asset after the failed model never ran"
        assert "report" not in materialised
        logs = [r.user_message for r in instance.all_logs(failed.run_id)]
        assert any("Dependencies for step report failed" in m for m in logs), "report is skipped, not attempted"
        failed_run_id = failed.run_id

    monkeypatch.setenv("ORCH_FAIL_B", "0")  # the fix
    options = dg.ReexecutionOptions.from_failure(failed_run_id, instance)
    with dg.execute_job(job, instance=instance, reexecution_options=options, raise_on_error=False) as retried:
        assert retried.success
        materialised = _keys(retried, "ASSET_MATERIALIZATION")
        assert {"b", "c", "report"} <= materialised
        checks = [e.event_specific_data for e in retried.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
        assert all(c.passed for c in checks), "dbt tests on c run as asset checks"
        assert {(c.asset_key.to_user_string(), c.check_name) for c in checks} >= {
            ("c", "not_null_c_id"),
            ("c", "unique_c_id"),
            ("c", "assert_c_doubles_b"),
        }
