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


def test_failure_summary_names_the_real_cause_in_one_line(tmp_path, monkeypatch):
    """Another process holds the DuckDB file: the step's failure says so, not just "dbt exited with 2"."""
    import subprocess
    import sys

    project = write_project(tmp_path / "throwaway")
    monkeypatch.setenv("DBT_TARGET_PATH", str(project / "target"))
    monkeypatch.setenv("ORCH_FAIL_B", "0")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, os.environ["ORCH_THROWAWAY_DB"]], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        job = dg.build_reconstructable_job(
            "failing_dbt",
            "make_job",
            reconstructable_kwargs={"project_dir": str(project)},
            reconstructor_working_directory=HERE,
        )
        with dg.execute_job(job, instance=dg.DagsterInstance.ephemeral(), raise_on_error=False) as failed:
            assert not failed.success
            [failure] = [e for e in failed.all_events if e.event_type_value == "STEP_FAILURE"]
            message = failure.event_specific_data.error.message.strip()
    finally:
        holder.kill()
        holder.wait()
    summary = message.splitlines()[0]
    assert "Conflicting lock is held" in summary, message
    assert f"PID {holder.pid}" in summary, message


HOLD_LOCK = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('locked', flush=True); time.sleep(300)"
