"""dbt build throughput and peak memory on DuckDB: the ~1 million order-line demo set, from its lake to
the marts, a second build with no new data, and the fact's size.

    .venv/bin/python benchmarks/warehouse.py [--data data/bench-1m] [--days 365] [--orders-per-day 1850]

The data set and its lake are reused between runs when present (the lake at <data>-lake). Each dbt build
runs as its own process (`commerce-analytics build`), so the peak resident memory printed is that of dbt and
DuckDB alone (VmHWM of the child, see benchmarks/ingest.py).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from ingest import CHILD, EXPORT_DIRS, PYTHON, ROOT, ensure_data, run_ingest


def run_build(env: dict[str, str], *extra: str) -> tuple[float, float]:
    """(seconds, peak RSS MiB) of one `commerce-analytics build`."""
    started = time.perf_counter()
    proc = subprocess.run([str(PYTHON), "-c", CHILD, "build", *extra], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"build failed with exit code {proc.returncode}:\n{proc.stdout[-3000:]}{proc.stderr[-2000:]}")
    peak_kb = next(int(line.split()[1]) for line in proc.stderr.splitlines() if line.startswith("PEAK_RSS_KB"))
    return seconds, peak_kb / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "bench-1m")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--orders-per-day", type=float, default=1850)
    args = parser.parse_args()
    ensure_data(args.data, args.days, args.orders_per_day)
    lake = args.data.with_name(args.data.name + "-lake")
    warehouse = args.data.with_name(args.data.name + "-warehouse.duckdb")
    work = args.data.with_name(args.data.name + "-dbt")
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_ENDPOINT_URL", "DBT_TARGET")}
    env.update(COMMERCE_LAKE=str(lake), COMMERCE_WAREHOUSE=str(warehouse), DBT_TARGET="local")
    if not (lake / "_manifests").exists():
        results, seconds, _ = run_ingest([str(args.data / d) for d in EXPORT_DIRS], env)
        print(f"ingested {sum(r['rows_landed'] for r in results):,} rows into {lake} in {seconds:.1f} s")
    for suffix in ("", ".wal"):
        Path(str(warehouse) + suffix).unlink(missing_ok=True)
    paths = ("--target-path", str(work / "target"), "--log-path", str(work))

    import duckdb

    for label, extra in (("full build", ("--full-refresh",)), ("2nd build, no new data", ())):
        seconds, peak = run_build(env, *paths, *extra)
        with duckdb.connect(str(warehouse), read_only=True) as con:
            lines = con.execute("select count(*) from marts.fct_financial_performance").fetchone()[0]
        print(
            f"{label:<24} {lines:>10,} fact rows {seconds:>8.1f} s {lines / seconds:>9,.0f} lines/s"
            f"  peak RSS {peak:>6.0f} MiB"
        )
    print(f"warehouse file: {warehouse.stat().st_size / 1e6:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
