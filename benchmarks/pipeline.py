"""The pipeline benchmark: generate, ingest, full dbt build, a daily increment and the fact alone, at one scale.

    .venv/bin/python benchmarks/pipeline.py [--orders-per-day 1850] [--days 365] [--data data/bench-1m]
                                            [--reuse-data] [--reuse-lake] [--drop-exports] [--smoke]

`make bench` runs it at about 1 million order lines (1,850 orders a day), `make bench-10m` at about 10 million
(18,500 a day, with --drop-exports: the exports and the truth's line-grain files are deleted once landed, since
at that scale they, the lake and the warehouse with its staged copy do not fit this machine's disk together).
Every step runs as its own process (`commerce-analytics generate|ingest|build`), so the peak resident memory
printed is that step's alone (the child's VmHWM, see benchmarks/ingest.py). The figures are printed as Markdown
rows for the README's "Performance" table, with the machine's cores, memory and load.

The daily increment is the last day of the period arriving on a warehouse built without it: the base lake gets
the order-grain exports (Shopify orders CSV and API JSON lines, Payments transactions, Amazon All Orders,
the touchpoint export) cut before the period's last day, and every other file whole; the increment delivers
those five exports' rows of the last day (a download filtered on that day) and runs the scheduled build
(ingest, then `commerce-analytics build` without --full-refresh).

Each build step's dbt `run_results.json` is kept as `<data>-dbt/run_results/<step>.json`, and its profile is
printed under the step's row: node time by kind (models, data tests, unit tests, seeds, hooks), the time no
node was running (dbt's own overhead: process start, parse, the lake pin and publish around dbt's run, and the
gaps between nodes inside it) and the slowest nodes. `--profile RUN_RESULTS [--wall SECONDS]` prints the
profile of a saved file.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ingest import CHILD, PYTHON, ROOT, run_ingest

START = dt.date(2025, 1, 1)
SEED = 7
# The order-grain exports the daily increment delivers, with the column holding each row's date ("YYYY-MM-DD"
# prefix: the brand's local day for Shopify, UTC for Amazon and the touchpoints, as the exports write them).
DAILY_FILES = {
    "shopify/orders_export_1.csv": "Created at",
    "shopify/orders_api.jsonl": "created_at",
    "shopify/payment_transactions_export_1.csv": "Transaction Date",
    "amazon/all_orders.txt": "purchase-date",
    "brand/touchpoints.csv": "occurred_at",
}

# The truth's files at order-line or touch grain, which --drop-exports deletes with the exports.
TRUTH_AT_LINE_GRAIN = (
    "order_lines.csv",
    "attribution_credits.csv",
    "attribution_last_click.csv",
    "ad_spend_allocation.csv",
    "planted_touches.csv",
)


@dataclass
class Step:
    name: str
    rows: int
    unit: str
    seconds: float
    peak_mib: float

    def row(self, scale: str) -> str:
        """One row of the README's table."""
        rate = f"{self.rows / self.seconds:,.0f}" if self.seconds > 0 else ""
        return (
            f"| {scale} | {self.name} | {self.rows:,} {self.unit} | {self.seconds:,.1f} | {rate} "
            f"| {self.peak_mib:,.0f} MiB |"
        )


@dataclass(frozen=True)
class Paths:
    """What a run at one data set uses, named after the set's folder: `<data>-lake`, `-warehouse.duckdb`,
    `-dbt` (dbt's target and logs) and `-daily` (the daily split: `base/` and `day/`)."""

    data: Path

    def _beside(self, suffix: str) -> Path:
        return self.data.with_name(self.data.name + suffix)

    @property
    def lake(self) -> Path:
        return self._beside("-lake")

    @property
    def warehouse(self) -> Path:
        return self._beside("-warehouse.duckdb")

    @property
    def work(self) -> Path:
        return self._beside("-dbt")

    @property
    def daily(self) -> Path:
        return self._beside("-daily")


def machine() -> str:
    with open("/proc/meminfo", encoding="ascii") as meminfo:
        total_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal:"))
    return f"{os.cpu_count()} cores, {total_kb / 1024**2:.0f} GiB memory"


def load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def run_child(env: dict[str, str], *args: str) -> tuple[subprocess.CompletedProcess, float, float]:
    """(process, seconds, peak RSS MiB) of one `commerce-analytics` command in its own process."""
    started = time.perf_counter()
    proc = subprocess.run([str(PYTHON), "-c", CHILD, *args], env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(
            f"commerce-analytics {args[0]} failed with exit code {proc.returncode}:\n"
            f"{proc.stdout[-3000:]}{proc.stderr[-3000:]}"
        )
    peak_kb = next(int(line.split()[1]) for line in proc.stderr.splitlines() if line.startswith("PEAK_RSS_KB"))
    return proc, seconds, peak_kb / 1024


def generate(data: Path, days: int, orders_per_day: float, env: dict[str, str]) -> Step:
    shutil.rmtree(data, ignore_errors=True)
    _, seconds, peak = run_child(
        env, "generate", "--out", str(data), "--quiet", "--start", START.isoformat(), "--days", str(days),
        "--orders-per-day", str(orders_per_day), "--seed", str(SEED),
    )  # fmt: skip
    # The marker benchmarks/ingest.py reuses the set by.
    (data / ".bench.json").write_text(json.dumps({"days": days, "orders_per_day": orders_per_day}))
    return Step("generate", order_lines(data), "order lines", seconds, peak)


def order_lines(data: Path) -> int:
    return json.loads((data / "truth" / "summary.json").read_text())["order_lines"]


def split_file(source: Path, before: Path, day: Path, column: str, last_day: str) -> int:
    """`source`'s rows dated before `last_day` into `before`, the others into `day` (both with the header):
    the export as downloaded the day before, and the next day's download (filtered on that day). Returns the
    day's row count."""
    late_rows = 0
    for target in (before, day):
        target.parent.mkdir(parents=True, exist_ok=True)
    newline = "\n" if source.suffix == ".jsonl" else ""
    with (
        open(source, encoding="utf-8", newline="") as rows,
        open(before, "w", encoding="utf-8", newline=newline) as early,
        open(day, "w", encoding="utf-8", newline=newline) as late,
    ):
        if source.suffix == ".jsonl":
            for line in rows:
                is_late = json.loads(line)[column][:10] >= last_day
                (late if is_late else early).write(line)
                late_rows += is_late
        elif source.suffix == ".txt":  # Amazon's tab-separated flat file: no quoting, CRLF rows
            header = next(rows)
            index = header.rstrip("\r\n").split("\t").index(column)
            early.write(header)
            late.write(header)
            for line in rows:
                is_late = line.split("\t")[index][:10] >= last_day
                (late if is_late else early).write(line)
                late_rows += is_late
        else:
            reader = csv.reader(rows)  # quoted fields may hold newlines: parse, do not split lines
            header = next(reader)
            index = header.index(column)
            writers = [csv.writer(handle, lineterminator="\n") for handle in (early, late)]
            for writer in writers:
                writer.writerow(header)
            for row in reader:
                is_late = row[index][:10] >= last_day
                writers[is_late].writerow(row)
                late_rows += is_late
    return late_rows


def split_daily(data: Path, days: int) -> list[str]:
    """The base's paths: every export with the daily files cut before the last day. The last day's rows of those
    files go to `<data>-daily/day/` (what increment_and_fact lands)."""
    last_day = (START + dt.timedelta(days=days - 1)).isoformat()
    split = Paths(data).daily
    shutil.rmtree(split, ignore_errors=True)
    # A day without rows in an export (the Payments export lags the period's end) is no download: no file.
    for name, column in DAILY_FILES.items():
        if not split_file(data / name, split / "base" / name, split / "day" / name, column, last_day):
            (split / "day" / name).unlink()
    folders = [p for p in sorted(data.iterdir()) if p.is_dir() and p.name != "truth" and p.name[0] != "."]
    base = [
        str(p)
        for folder in folders
        for p in sorted(folder.rglob("*"))
        if p.is_file() and str(p.relative_to(data)) not in DAILY_FILES
    ]
    return base + [str(split / "base" / name) for name in DAILY_FILES]


def ingest(name: str, paths: list[str], env: dict[str, str]) -> Step:
    results, seconds, peak = run_ingest(paths, env)
    failed = [r for r in results if r.get("status") not in ("landed", "duplicate", "skipped", "partial")]
    if failed:
        print(f"  note: {len(failed)} files with status {sorted({r.get('status') for r in failed})}")
    rows = sum(r["rows_read"] for r in results)
    landed = sum(r["rows_landed"] for r in results)
    print(f"  {name}: {len(results)} files, {rows:,} rows read, {landed:,} landed")
    return Step(name, rows, "rows read", seconds, peak)


def gib(path: Path) -> float:
    """The GiB a file or folder takes on disk (allocated blocks: DuckDB's free blocks count, sparse holes do not)."""
    if not path.exists():
        return 0.0
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_blocks * 512 for p in files) / 1024**3


def footprint(paths: Paths) -> str:
    """The disk the step leaves: exports, lake, warehouse (10M needs most of a disk, README "Performance")."""
    free = shutil.disk_usage(paths.data.parent).free / 1024**3
    return (
        f"  disk: exports {gib(paths.data):,.1f} GiB, lake {gib(paths.lake):,.1f} GiB, "
        f"warehouse {gib(paths.warehouse):,.1f} GiB; {free:,.1f} GiB free"
    )


def fact_rows(warehouse: Path) -> int:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select count(*) from marts.fct_financial_performance").fetchone()[0]


def build(name: str, env: dict[str, str], work: Path, warehouse: Path, *extra: str) -> Step:
    paths = ("--target-path", str(work / "target"), "--log-path", str(work))
    _, seconds, peak = run_child(env, "build", *paths, *extra)
    return Step(name, fact_rows(warehouse), "fact lines", seconds, peak)


# run_results' unique_id prefix -> the kind the profile sums under, in the order printed.
NODE_KINDS = {
    "model": "models",
    "test": "data tests",
    "unit_test": "unit tests",
    "seed": "seeds",
    "snapshot": "snapshots",
    "operation": "hooks",
}


def node_name(unique_id: str, width: int = 70) -> str:
    """A node's name as dbt's log shows it: a data test without its hash, a unit test as `model::test`."""
    parts = unique_id.split(".")
    name = {"test": parts[2], "unit_test": "::".join(parts[2:4])}.get(parts[0], parts[-1])
    return name if len(name) <= width else name[: width - 3] + "..."


def _node_span(result: dict) -> tuple[float, float] | None:
    """(start, end) in epoch seconds of one node: its first timing's start to its last timing's end."""
    timing = [t for t in result.get("timing") or [] if t.get("started_at") and t.get("completed_at")]
    if not timing:
        return None
    stamp = lambda text: dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()  # noqa: E731
    return min(stamp(t["started_at"]) for t in timing), max(stamp(t["completed_at"]) for t in timing)


def _covered_seconds(spans: list[tuple[float, float]]) -> float:
    """Seconds during which at least one node ran (the union of the spans)."""
    covered, end = 0.0, float("-inf")
    for start, stop in sorted(spans):
        if stop <= end:
            continue
        covered += stop - max(start, end)
        end = stop
    return covered


def profile(run_results: dict, wall: float | None = None, top: int = 10) -> list[str]:
    """Where one dbt invocation's time went, from its run_results.json: node time by kind, the time no node
    ran (dbt's own overhead) and the slowest nodes. `wall`: the step's wall seconds (process start to exit)."""
    results = run_results["results"]
    kinds: dict[str, list] = {kind: [0, 0.0] for kind in NODE_KINDS.values()}
    for result in results:
        kind = NODE_KINDS.get(result["unique_id"].split(".", 1)[0], "other")
        kinds.setdefault(kind, [0, 0.0])
        kinds[kind][0] += 1
        kinds[kind][1] += result["execution_time"]
    node_seconds = sum(seconds for _, seconds in kinds.values())
    running = _covered_seconds([span for span in map(_node_span, results) if span])
    elapsed = run_results["elapsed_time"]
    lines = ["| kind | nodes | node seconds | share of node time |", "|---|---|---|---|"]
    for kind, (count, seconds) in kinds.items():
        if count:
            share = 100 * seconds / node_seconds if node_seconds else 0
            lines.append(f"| {kind} | {count:,} | {seconds:,.1f} | {share:.0f} % |")
    lines.append(
        f"node time {node_seconds:,.1f} s ran in {running:,.1f} s ({node_seconds / running if running else 0:.2f} "
        f"nodes at a time); dbt's run {elapsed:,.1f} s" + (f", the step {wall:,.1f} s" if wall is not None else "")
    )
    overhead = f"no node running: {elapsed - running:,.1f} s inside dbt's run (between nodes)"
    if wall is not None:
        overhead += f" + {wall - elapsed:,.1f} s around it (process start, parse, lake pin, publish)"
        overhead += f" = {wall - running:,.1f} s ({100 * (wall - running) / wall:.0f} % of the step)"
    lines.append(overhead)
    ranked = sorted(results, key=lambda r: r["execution_time"], reverse=True)[:top]
    slowest = (f"{node_name(r['unique_id'])} {r['execution_time']:.1f} s" for r in ranked)
    lines.append("slowest nodes: " + ", ".join(slowest))
    return lines


def keep_profile(work: Path, step: Step) -> None:
    """Save the step's run_results.json under <work>/run_results/ and print its profile."""
    saved = work / "run_results" / (re.sub(r"[^a-z0-9]+", "-", step.name.lower()).strip("-") + ".json")
    saved.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(work / "target" / "run_results.json", saved)
    print(f"  profile of {step.name} ({saved}):")
    for line in profile(json.loads(saved.read_text()), step.seconds):
        print(f"  {line}")


def reconcile(env: dict[str, str], data: Path) -> str:
    """The marts after the daily increment (the whole period) against the generated truth, by
    `commerce-analytics report --truth`: a figure is only worth quoting for a build whose marts are right (the
    10M set once differed in 8 channel figures while every smaller set matched). Returns the verdicts and, when
    the marts differ, the figures that do."""
    truth = data / "truth" / "summary.json"
    proc = subprocess.run(
        [str(PYTHON), "-c", CHILD, "report", "--target", "local", "--truth", str(truth)],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    kept, differences = [], False
    for line in proc.stdout.splitlines():
        if line.startswith(("Matches", "KPI marts match", "DIFFERS", "KPI marts DIFFER")):
            kept.append(line)
            differences = "DIFFER" in line
        elif differences and line.startswith("  "):
            kept.append(line)
        else:
            differences = False
    if proc.returncode not in (0, 1) or len([k for k in kept if not k.startswith("  ")]) != 2:
        output = proc.stdout[-3000:] + proc.stderr[-3000:]
        raise SystemExit(f"commerce-analytics report failed (exit {proc.returncode}):\n{output}")
    verdict = "match the truth to the cent" if proc.returncode == 0 else "DIFFER from the truth"
    return "\n".join([f"marts after the daily increment {verdict}:", *kept])


def increment_and_fact(scale: str, env: dict[str, str], paths: Paths, before: int, smoke: tuple[str, ...]) -> None:
    """The steps after the full build: the last day's downloads and the scheduled build, then the fact alone.
    `before`: the fact lines of the full build."""
    warehouse, work = paths.warehouse, paths.work
    day = paths.daily / "day"
    day_ingest = ingest("daily increment: ingest", [str(day / n) for n in DAILY_FILES if (day / n).exists()], env)
    print(day_ingest.row(scale), flush=True)
    day_build = build("daily increment: scheduled build", env, work, warehouse, *smoke)
    print(day_build.row(scale), flush=True)
    keep_profile(work, day_build)
    print(footprint(paths), flush=True)
    new_lines = day_build.rows - before
    total = Step(
        "daily increment (ingest + build)",
        new_lines,
        "new fact lines",
        day_ingest.seconds + day_build.seconds,
        max(day_ingest.peak_mib, day_build.peak_mib),
    )
    print(total.row(scale), flush=True)
    if not smoke:  # the smoke builds the fact's upstream only, not the P&L marts the report reads
        print(reconcile(env, paths.data), flush=True)
    alone = ("-s", "fct_financial_performance", *smoke[2:])
    fact = build("fct_financial_performance alone", env, work, warehouse, "--full-refresh", *alone)
    print(fact.row(scale), flush=True)
    keep_profile(work, fact)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--orders-per-day", type=float, default=1850)
    parser.add_argument("--data", type=Path, help="the data set's folder (default data/bench-<scale>)")
    parser.add_argument("--reuse-data", action="store_true", help="keep a data set generated at the same scale")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="builds only the fact and its upstream models, without tests: the CI smoke, not a figure to quote",
    )
    parser.add_argument(
        "--reuse-lake",
        action="store_true",
        help="start at the full build, on the lake and the last day's cut that a run at the same scale landed "
        "(for a change to the build only)",
    )
    parser.add_argument(
        "--drop-exports",
        action="store_true",
        help="delete the generated exports and the truth's line-grain files once landed, for a disk too small for "
        "them, the lake and the warehouse's staged copy (make bench-10m); the set is then generated again next time",
    )
    parser.add_argument("--profile", type=Path, help="print the profile of a saved run_results.json and exit")
    parser.add_argument("--wall", type=float, help="with --profile: the step's wall seconds")
    args = parser.parse_args(argv)
    if args.profile:
        print("\n".join(profile(json.loads(args.profile.read_text()), args.wall)))
        return 0
    named = {(365, 1850): "1M", (365, 18500): "10M"}  # data/bench-1m is benchmarks/ingest.py's set too
    scale = named.get((args.days, args.orders_per_day), f"{args.days} d x {args.orders_per_day:g}")
    default = f"bench-{scale.lower()}" if scale in named.values() else f"bench-{args.days}d-{args.orders_per_day:g}"
    data = (args.data or ROOT / "data" / default).resolve()
    paths = Paths(data)
    lake, warehouse, work = paths.lake, paths.warehouse, paths.work
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_ENDPOINT_URL", "DBT_TARGET", "COMMERCE_ENV")}
    env.update(COMMERCE_LAKE=str(lake), COMMERCE_WAREHOUSE=str(warehouse), DBT_TARGET="local")
    print(f"pipeline benchmark: {args.days} days x {args.orders_per_day:g} orders a day in {data}")
    print(f"machine: {machine()}; {load()} at the start")
    print("| order lines | step | rows | seconds | rows / s | peak RSS |")
    print("|---|---|---|---|---|---|")
    smoke = ("-s", "+fct_financial_performance", "--exclude", "resource_type:test", "resource_type:unit_test")
    smoke = smoke if args.smoke else ()
    marker = data / ".bench.json"
    lake_marker = lake / ".bench.json"  # written once the base is landed: the lake a later run may reuse
    wanted = {"days": args.days, "orders_per_day": args.orders_per_day}
    shutil.rmtree(work, ignore_errors=True)
    for suffix in ("", ".wal", ".building", ".building.wal", ".failed", ".failed.wal"):
        Path(str(warehouse) + suffix).unlink(missing_ok=True)
    if args.reuse_lake and lake_marker.exists() and json.loads(lake_marker.read_text()) == wanted:
        print(f"| {scale} | ingest (all but the last day) | {order_lines(data):,} order lines (lake reused) | | | |")
    else:
        if args.reuse_data and marker.exists() and json.loads(marker.read_text()) == wanted:
            print(f"| {scale} | generate | {order_lines(data):,} order lines (reused) | | | |")
        else:
            print(generate(data, args.days, args.orders_per_day, env).row(scale), flush=True)
        base = split_daily(data, args.days)
        shutil.rmtree(lake, ignore_errors=True)
        print(ingest("ingest (all but the last day)", base, env).row(scale), flush=True)
        lake_marker.write_text(json.dumps(wanted))
        # The cut copies are in the lake now; at 10M they are ~11 GB of a disk the warehouse needs twice over
        # (a build stages a copy of the warehouse file, warehouse/publish.py).
        shutil.rmtree(paths.daily / "base")
        if args.drop_exports:
            print(footprint(paths) + " before dropping the exports", flush=True)
            marker.unlink()
            for folder in data.iterdir():
                if folder.is_dir() and folder.name != "truth":
                    shutil.rmtree(folder)
            for name in TRUTH_AT_LINE_GRAIN:  # 9.4 GB at 10M; the daily and monthly truth stays to reconcile with
                (data / "truth" / name).unlink(missing_ok=True)
    print(footprint(paths), flush=True)
    full = build("full build", env, work, warehouse, "--full-refresh", *smoke)
    print(full.row(scale), flush=True)
    keep_profile(work, full)
    print(footprint(paths), flush=True)
    increment_and_fact(scale, env, paths, full.rows, smoke)
    print(f"machine: {machine()}; {load()} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
