"""Every benchmark script runs end to end at a tiny scale and prints its figure lines (issue 16: figures come
from the scripts, so the scripts must not rot). No timing is asserted: CI machines differ."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DAYS, ORDERS_PER_DAY = "14", "20"
FIGURE = r"\| [^|]+ \| {name} \| ([\d,]+) [a-z ]+(?:\(reused\) )?\| ([\d,.]+) \| ([\d,]*) \| ([\d,]+) MiB \|"


def _run(script: str, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / script), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert proc.returncode == 0, f"{script} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout


def _figures(out: str, name: str) -> tuple[int, float]:
    match = re.search(FIGURE.format(name=re.escape(name)), out)
    assert match, f"no figure line for {name!r} in:\n{out}"
    return int(match[1].replace(",", "")), float(match[2].replace(",", ""))


def test_pipeline_and_ingest_benchmarks_print_their_figures(tmp_path):
    data = tmp_path / "set"
    out = _run("pipeline.py", "--days", DAYS, "--orders-per-day", ORDERS_PER_DAY, "--data", str(data), "--smoke")
    assert re.search(r"machine: \d+ cores, \d+ GiB memory; load average", out), out
    generated, _ = _figures(out, "generate")
    full, _ = _figures(out, "full build")
    increment, _ = _figures(out, "daily increment (ingest + build)")
    after, _ = _figures(out, "daily increment: scheduled build")
    alone, _ = _figures(out, "fct_financial_performance alone")
    for name in ("ingest (all but the last day)", "daily increment: ingest"):
        assert _figures(out, name)[0] > 0
    # The last day's orders reach the fact through the increment, and the fact then has every generated line.
    assert increment > 0
    assert full + increment == after == alone == generated
    # Each build step keeps its dbt run results and prints their profile (README "Where the full build's time goes").
    saved = sorted(p.name for p in (tmp_path / "set-dbt" / "run_results").iterdir())
    assert saved == [
        "daily-increment-scheduled-build.json",
        "fct-financial-performance-alone.json",
        "full-build.json",
    ]
    assert out.count("| models | ") == 3 and out.count("slowest nodes: ") == 3, out
    assert re.search(r"no node running: [\d.]+ s inside dbt's run .* around it", out), out
    # The disk each step leaves is printed, and the cut copies of the daily exports are gone once landed.
    assert out.count("  disk: exports ") == 3, out
    assert not (tmp_path / "set-daily" / "base").exists()

    # benchmarks/ingest.py reuses the set the pipeline generated (its marker file); the S3 lake is left out here
    # (a moto server start per run; tests/ingestion covers S3 ingestion).
    out = _run("ingest.py", "--data", str(data), "--days", DAYS, "--orders-per-day", ORDERS_PER_DAY, "--no-s3")
    for label in ("local lake", "local lake, 2nd run"):
        assert re.search(rf"^{re.escape(label)} +\d+ files .* rows/s +peak RSS +\d+ MiB", out, re.M), out
