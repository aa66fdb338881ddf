"""Ingest throughput and peak memory: the ~1 million order-line demo set into a local lake and into an
S3-protocol server (moto, on loopback), against DuckDB's own CSV/JSON-to-Parquet time on the same files.

    .venv/bin/python benchmarks/ingest.py [--data data/bench-1m] [--days 365] [--orders-per-day 1850] [--no-s3]
                                          [--largest 3]

The ingest lands `COMMERCE_INGEST_WORKERS` files at once (default: the cores; set it to 1 for the one-file-at-a-time
figure). Each ingest runs as its own process, so the peak resident memory printed is that of the ingest alone: the
child reports its own VmHWM from /proc/self/status (a forked child's ru_maxrss would include the parent's
pages, i.e. the generator and the in-memory S3 server).

The baseline (issue 16: "ingestion within 3x of DuckDB's own CSV/JSON-to-Parquet time") is DuckDB, in its own
process, copying each export file to zstd Parquet with its sniffed types (`read_csv` / `read_json`, nothing
validated, no lineage, no quarantine): the floor an ingest that also validates, keys and records every row is
measured against. It is printed for the whole set and for each of the largest files, each timed the same way as
the ingest of that file alone (a process each, interpreter start included on both sides).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
CHILD = """
import sys
from commerce_analytics.cli import main
code = main(sys.argv[1:])
peak = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(f"PEAK_RSS_KB {peak}", file=sys.stderr)
sys.exit(code)
"""
EXPORT_DIRS = ("shopify", "amazon", "google_ads", "meta_ads", "amazon_ads", "brand")
# DuckDB copying files to Parquet; prints one JSON line per file and its own peak RSS.
DUCKDB_CHILD = """
import json, sys, tempfile, time
import duckdb
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
with tempfile.TemporaryDirectory(prefix="bench-duckdb-") as out:
    for i, path in enumerate(sys.argv[1:]):
        name = path.lower().removesuffix(".gz")
        reader = "read_json" if name.endswith((".json", ".jsonl", ".ndjson")) else "read_csv"
        started = time.perf_counter()
        try:
            con.execute(f"COPY (FROM {reader}(?)) TO '{out}/{i}.parquet' (FORMAT parquet, COMPRESSION zstd)", [path])
            error = None
        except duckdb.Error as exc:
            error = str(exc).splitlines()[0][:160]
        print(json.dumps({"path": path, "seconds": time.perf_counter() - started, "error": error}), flush=True)
peak = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(f"PEAK_RSS_KB {peak}", file=sys.stderr)
"""


def ensure_data(folder: Path, days: int, orders_per_day: float) -> None:
    marker = folder / ".bench.json"
    wanted = {"days": days, "orders_per_day": orders_per_day}
    if marker.exists() and json.loads(marker.read_text()) == wanted:
        return
    # The project's packages, not this folder's scripts: `warehouse` is both (demo.truth imports the package).
    sys.path.insert(0, str(ROOT))
    from demo.generate import generate

    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    generate(folder, start=dt.date(2025, 1, 1), days=days, orders_per_day=orders_per_day, seed=7)
    print(f"generated {folder} in {time.perf_counter() - started:.1f} s")
    marker.write_text(json.dumps(wanted))


def run_ingest(paths: list[str], env: dict[str, str]) -> tuple[list[dict], float, float]:
    """(per-file results, seconds, peak RSS MiB) of one ingest process."""
    started = time.perf_counter()
    proc = subprocess.run(
        [str(PYTHON), "-c", CHILD, "ingest", "--json", *paths], env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"ingest failed with exit code {proc.returncode}: {proc.stderr[-2000:]}")
    results = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    peak_kb = next(int(line.split()[1]) for line in proc.stderr.splitlines() if line.startswith("PEAK_RSS_KB"))
    return results, seconds, peak_kb / 1024


def run_duckdb(files: list[Path]) -> tuple[list[dict], float, float]:
    """(per-file outcomes, seconds, peak RSS MiB) of DuckDB copying `files` to Parquet in one process."""
    started = time.perf_counter()
    proc = subprocess.run(
        [str(PYTHON), "-c", DUCKDB_CHILD, *map(str, files)], capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if proc.returncode:
        raise SystemExit(f"the DuckDB baseline failed: {proc.stderr[-2000:]}")
    outcomes = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    peak_kb = next(int(line.split()[1]) for line in proc.stderr.splitlines() if line.startswith("PEAK_RSS_KB"))
    return outcomes, seconds, peak_kb / 1024


def baseline_line(label: str, seconds: float, peak_mib: float, ingest_seconds: float, failed: list[dict]) -> None:
    note = ""
    if failed:
        first = failed[0]
        note = f"  (DuckDB could not read {len(failed)} files, first {Path(first['path']).name}: {first['error']})"
    print(
        f"{label:<22} {seconds:>7.1f} s  peak RSS {peak_mib:>6.0f} MiB   "
        f"ingest/DuckDB {ingest_seconds / seconds:>5.1f}x{note}"
    )


def report(label: str, results: list[dict], seconds: float, peak_mib: float, input_mb: float) -> None:
    rows = sum(r["rows_read"] for r in results)
    landed = sum(r["rows_landed"] for r in results)
    statuses = sorted({r["status"] for r in results})
    print(
        f"{label:<22} {len(results):>4} files {input_mb:>8.1f} MB {rows:>10,} rows {landed:>10,} landed "
        f"{seconds:>7.1f} s {rows / seconds:>10,.0f} rows/s  peak RSS {peak_mib:>6.0f} MiB  ({', '.join(statuses)})"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "bench-1m")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--orders-per-day", type=float, default=1850)
    parser.add_argument("--no-s3", action="store_true")
    parser.add_argument("--largest", type=int, default=3, help="also time this many largest files alone (0: none)")
    args = parser.parse_args()
    ensure_data(args.data, args.days, args.orders_per_day)
    paths = [str(args.data / d) for d in EXPORT_DIRS]
    files = [p for d in EXPORT_DIRS for p in (args.data / d).rglob("*") if p.is_file()]
    input_mb = sum(p.stat().st_size for p in files) / 1e6
    with open(args.data / "truth" / "order_lines.csv", encoding="utf-8") as truth:
        order_lines = sum(1 for _ in truth) - 1
    print(f"data set: {args.data} ({order_lines:,} order lines, {len(files)} export files, {input_mb:.0f} MB)")

    print(f"machine: {os.cpu_count()} cores, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    workers = os.environ.get("COMMERCE_INGEST_WORKERS") or f"{os.cpu_count()} (the default: the cores)"
    print(f"ingest workers: {workers} (COMMERCE_INGEST_WORKERS: files landed at once)")

    base_env = {**os.environ, "COMMERCE_TIMEZONE": "America/New_York"}
    with tempfile.TemporaryDirectory(prefix="bench-lake-") as lake:
        env = {**base_env, "COMMERCE_LAKE": lake}
        env.pop("AWS_ENDPOINT_URL", None)
        results, whole_seconds, peak = run_ingest(paths, env)
        report("local lake", results, whole_seconds, peak, input_mb)
        report("local lake, 2nd run", *run_ingest(paths, env), input_mb)

    outcomes, duck_seconds, duck_peak = run_duckdb(files)
    failed = [o for o in outcomes if o["error"]]
    baseline_line("DuckDB to Parquet, all", duck_seconds, duck_peak, whole_seconds, failed)
    for path in sorted(files, key=lambda p: p.stat().st_size, reverse=True)[: args.largest]:
        with tempfile.TemporaryDirectory(prefix="bench-lake-") as lake:
            env = {**base_env, "COMMERCE_LAKE": lake}
            env.pop("AWS_ENDPOINT_URL", None)
            results, seconds, peak = run_ingest([str(path)], env)
        report(f"  {path.name[:20]}", results, seconds, peak, path.stat().st_size / 1e6)
        outcomes, duck_file_seconds, duck_file_peak = run_duckdb([path])
        baseline_line(
            "  DuckDB, same file", duck_file_seconds, duck_file_peak, seconds, [o for o in outcomes if o["error"]]
        )

    if not args.no_s3:
        from moto.server import ThreadedMotoServer

        port = free_port()
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        try:
            endpoint = f"http://127.0.0.1:{port}"
            creds = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1"}
            os.environ.update(creds)
            from ingestion.lake import s3_filesystem

            s3_filesystem(endpoint).mkdir("bench-lake")
            env = {**base_env, **creds, "COMMERCE_LAKE": "s3://bench-lake/lake", "AWS_ENDPOINT_URL": endpoint}
            report("S3 (moto) lake", *run_ingest(paths, env), input_mb)
            report("S3 (moto), 2nd run", *run_ingest(paths, env), input_mb)
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
