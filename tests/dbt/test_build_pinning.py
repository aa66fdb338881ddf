"""A build reads the lake as of its start (issue 17, finding 5).

The race with real processes: `commerce-analytics build` runs in one process and, once dbt has started
building models, `commerce-analytics ingest` lands a corrected COGS file (every unit cost doubled; its
later `_ingested_at` makes it win) in another. Before the pin, the staging views read the lake whenever
each model ran, so the marts mixed both lake states and still passed every test. Now the build's marts
equal the ground truth of the lake it started from, whenever the ingest lands, and the next build sees
the new file.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest
from dbt_helpers import CLI, MODELS_ONLY, REPO, clean_env
from test_marts_match_truth import _differences, _truth

pytestmark = [pytest.mark.dbt]


def _doubled_cogs(dataset_out: Path, folder: Path) -> Path:
    rows = list(csv.DictReader((dataset_out / "brand" / "cogs.csv").open(newline="", encoding="utf-8")))
    for row in rows:
        row["unit_cost"] = f"{float(row['unit_cost']) * 2:.4f}"
    folder.mkdir(parents=True)
    path = folder / "cogs.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_ingest_during_a_build_changes_nothing_the_build_reads(dbt_lake, dbt_dataset, tmp_path):
    import duckdb

    lake = tmp_path / "lake"
    shutil.copytree(dbt_lake, lake)
    warehouse = tmp_path / "warehouse.duckdb"
    correction = _doubled_cogs(Path(dbt_dataset.out), tmp_path / "correction")
    env = clean_env(
        COMMERCE_LAKE=str(lake), COMMERCE_WAREHOUSE=str(warehouse), DBT_TARGET="local", PYTHONUNBUFFERED="1"
    )
    target = ["--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path)]
    build = subprocess.Popen(
        # Models only: the fact is compared with the truth below (the session build runs the data tests).
        [str(CLI), "build", *target, *MODELS_ONLY],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = []
    try:
        for line in build.stdout:
            output.append(line)
            if " START " in line and " model " in line:  # dbt has started building: the lake is pinned
                break
        ingest = subprocess.run(
            [str(CLI), "ingest", str(correction)], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
        )
        assert ingest.returncode == 0, ingest.stdout + ingest.stderr
        output += build.stdout.readlines()
        assert build.wait(timeout=1200) == 0, "".join(output[-60:])
    finally:
        if build.poll() is None:
            build.kill()

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        cursor = con.execute("select * from marts.fct_financial_performance")
        names = [d[0] for d in cursor.description]
        actual = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()
    assert _differences(_truth(dbt_dataset, "order_lines.csv"), actual, ("order_line_id",)) == []

    rebuilt = subprocess.run(
        [str(CLI), "build", "--select", "stg_brand__cogs", *target], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert rebuilt.returncode == 0, rebuilt.stdout[-3000:] + rebuilt.stderr
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        doubled = con.execute("select count(*) from landed.lake_manifests where source_file like '%correction%'")
        assert doubled.fetchone()[0] == 1, "the next build does not see the file landed during the previous one"
    finally:
        con.close()
