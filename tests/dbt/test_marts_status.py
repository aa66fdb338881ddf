"""`report` says when the marts were last built and warns when they may be stale or mixed (issue 17, finding 6).

The reproduction with a real process: a build killed after the fact and before the monthly P&L left a
stale P&L that `report` printed with exit 0. Now the build log (warehouse/build_log.py) records the killed
build as unfinished and `report` warns and exits 1; a successful, recent build reports exit 0.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import signal
import subprocess

import pytest
from dbt_helpers import CLI, MODELS_ONLY, REPO, clean_env

from warehouse.build_log import BuildRecord, marts_warnings

NOW = dt.datetime(2026, 1, 2, 12, 0)


def _record(status: str, hours_ago: float) -> BuildRecord:
    started = NOW - dt.timedelta(hours=hours_ago)
    return BuildRecord("b", status, started, None if status == "running" else started + dt.timedelta(minutes=5))


def test_warnings_name_what_is_wrong_with_the_latest_build():
    fresh = _record("succeeded", 2)
    assert marts_warnings(fresh, fresh, 26, NOW) == []
    assert "FAILED" in " ".join(marts_warnings(_record("failed", 1), fresh, 26, NOW))
    assert "has not finished" in " ".join(marts_warnings(_record("running", 1), fresh, 26, NOW))
    old = _record("succeeded", 30)
    assert "COMMERCE_MARTS_MAX_AGE_HOURS=26" in " ".join(marts_warnings(old, old, 26, NOW))
    assert "no build" in " ".join(marts_warnings(None, None, 26, NOW))
    assert "has succeeded" in " ".join(marts_warnings(_record("failed", 1), None, 26, NOW))


def _report(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([str(CLI), "report"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.dbt
def test_report_after_a_successful_build_says_when_and_exits_0(duckdb_build, dbt_lake):
    assert duckdb_build.returncode == 0, duckdb_build.output[-3000:]
    warehouse = duckdb_build.target_path.parent / "warehouse.duckdb"
    env = clean_env(COMMERCE_LAKE=str(dbt_lake), COMMERCE_WAREHOUSE=str(warehouse), DBT_TARGET="local")
    report = _report(env)
    assert report.returncode == 0, report.stdout + report.stderr
    assert "Marts last built successfully at" in report.stdout
    stale = _report({**env, "COMMERCE_MARTS_MAX_AGE_HOURS": "0"})
    assert stale.returncode == 1 and "COMMERCE_MARTS_MAX_AGE_HOURS=0" in stale.stdout, stale.stdout


def _pnl_and_fact_cm2(warehouse) -> tuple[str, str]:
    """(CM2 in the monthly channel P&L, CM2 in the order-line fact) of a warehouse file."""
    import duckdb

    with contextlib.closing(duckdb.connect(str(warehouse), read_only=True)) as con:
        pnl = con.execute("select sum(contribution_margin_2) from marts.fct_pnl_channel_monthly").fetchone()[0]
        fact = con.execute("select sum(contribution_margin_2) from marts.fct_financial_performance").fetchone()[0]
    return str(pnl), str(fact)


@pytest.mark.dbt
def test_a_build_killed_between_the_fact_and_the_pnl_publishes_nothing(duckdb_build, dbt_lake, dbt_dataset, tmp_path):
    """The reproduction: new data (here a retracted carrier invoice file), a build killed after the fact and before
    the monthly P&L. Built in place, the fact had already changed under a stale P&L. Staged and published whole
    (warehouse/publish.py), the live marts are still the previous build's, consistent with each other, and
    `report` says the latest build has not finished and was not published."""
    lake = tmp_path / "lake"
    shutil.copytree(dbt_lake, lake)
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(duckdb_build.target_path.parent / "warehouse.duckdb", warehouse)
    before = _pnl_and_fact_cm2(warehouse)
    assert before[0] == before[1]
    env = clean_env(
        COMMERCE_LAKE=str(lake), COMMERCE_WAREHOUSE=str(warehouse), DBT_TARGET="local", PYTHONUNBUFFERED="1"
    )
    invoices = sorted((dbt_dataset.out / "brand").glob("carrier_invoices_*.csv"))[0]
    retracted = subprocess.run(
        [str(CLI), "retract", str(invoices), "--reason", "test"], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert retracted.returncode == 0, retracted.stdout + retracted.stderr
    target = ["--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path)]
    # Models only in the build that is killed before it publishes; the finished build below runs the tests too.
    build = subprocess.Popen(
        [str(CLI), "build", *target, *MODELS_ONLY],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen = []
    try:
        for line in build.stdout:
            seen.append(line)
            if "fct_financial_performance" in line and " OK " in line:
                build.send_signal(signal.SIGKILL)  # after the fact, before the monthly P&L reads it
                break
    finally:
        if build.poll() is None:
            build.kill()
        build.wait(timeout=60)
    assert any("fct_financial_performance" in line and " OK " in line for line in seen), "".join(seen[-40:])
    assert _pnl_and_fact_cm2(warehouse) == before
    report = _report(env)
    assert report.returncode == 1, report.stdout + report.stderr
    assert "has not finished" in report.stdout and "not published" in report.stdout, report.stdout

    finished = subprocess.run([str(CLI), "build", *target], cwd=REPO, env=env, capture_output=True, text=True)
    assert finished.returncode == 0, (finished.stdout + finished.stderr)[-3000:]
    after = _pnl_and_fact_cm2(warehouse)
    assert after[0] == after[1] and after != before  # the next build publishes the new data whole
    assert _report(env).returncode == 0
