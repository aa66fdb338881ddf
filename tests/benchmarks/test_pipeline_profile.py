"""benchmarks/pipeline.py's build profile (node time by kind, time with no node running, slowest nodes) on a
hand-made run_results.json: two threads, overlapping nodes, one gap."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import pipeline


def _node(unique_id: str, start: float, end: float) -> dict:
    stamp = lambda s: f"2026-12-06T00:00:{s:06.3f}Z"  # noqa: E731
    return {
        "unique_id": unique_id,
        "execution_time": end - start,
        "timing": [
            {"name": "compile", "started_at": stamp(start), "completed_at": stamp(start)},
            {"name": "execute", "started_at": stamp(start), "completed_at": stamp(end)},
        ],
    }


RUN_RESULTS = {
    "elapsed_time": 12.0,
    "results": [
        _node("operation.commerce_analytics.commerce_analytics-on-run-start-0", 1.0, 1.5),
        _node("seed.commerce_analytics.channels", 1.5, 2.0),
        _node("model.commerce_analytics.stg_a", 2.0, 8.0),  # thread 1
        _node("model.commerce_analytics.stg_b", 3.0, 5.0),  # thread 2, inside stg_a's span
        _node("unit_test.commerce_analytics.stg_a.test_rule", 8.0, 9.0),
        _node("test.commerce_analytics.unique_stg_a_id.1a2b3c4d5e", 10.0, 11.0),  # after a 1 s gap
    ],
}


def test_profile_sums_kinds_and_counts_the_time_no_node_ran():
    lines = pipeline.profile(RUN_RESULTS, wall=20.0, top=2)
    assert "| models | 2 | 8.0 | 73 % |" in lines
    assert "| data tests | 1 | 1.0 | 9 % |" in lines
    assert "| unit tests | 1 | 1.0 | 9 % |" in lines
    assert "| seeds | 1 | 0.5 | 5 % |" in lines
    assert "| hooks | 1 | 0.5 | 5 % |" in lines
    # Nodes ran during 1.0-9.0 and 10.0-11.0: 9 s; 11 s of node time, 12 s of dbt's run, 20 s of the step.
    assert "node time 11.0 s ran in 9.0 s (1.22 nodes at a time); dbt's run 12.0 s, the step 20.0 s" in lines
    assert any(
        line.startswith("no node running: 3.0 s inside dbt's run")
        and "+ 8.0 s around it" in line
        and "= 11.0 s (55 % of the step)" in line
        for line in lines
    ), lines
    assert lines[-1] == "slowest nodes: stg_a 6.0 s, stg_b 2.0 s"


def test_node_names_read_like_dbt_log():
    assert pipeline.node_name("test.commerce_analytics.unique_stg_a_id.1a2b3c4d5e") == "unique_stg_a_id"
    assert pipeline.node_name("unit_test.commerce_analytics.stg_a.test_rule") == "stg_a::test_rule"
    assert pipeline.node_name("model.commerce_analytics.fct_x") == "fct_x"
