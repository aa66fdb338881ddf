"""Generator throughput: order lines per second and peak memory for about one million order lines.

Runs `commerce-analytics generate` in a child process (so its peak RSS is its own)
and prints the figures; the README's "Performance" table quotes them.

    .venv/bin/python benchmarks/generate.py [--days 365] [--orders-per-day 1850]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--orders-per-day", type=float, default=1850)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-generate-") as tmp:
        out = Path(tmp) / "data"
        command = [
            sys.executable, "-m", "commerce_analytics.cli", "generate", "--out", str(out), "--quiet",
            "--start", "2025-01-01", "--days", str(args.days), "--orders-per-day", str(args.orders_per_day),
            "--seed", str(args.seed),
        ]  # fmt: skip
        started = time.perf_counter()
        subprocess.run(command, check=True)
        seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        summary = json.loads((out / "truth" / "summary.json").read_text())
        size_mb = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6
    lines = summary["order_lines"]
    print(f"order lines        {lines:>12,}")
    print(f"orders             {summary['orders']:>12,}")
    print(f"files written      {size_mb:>12,.0f} MB")
    print(f"seconds            {seconds:>12.1f}")
    print(f"order lines / s    {lines / seconds:>12,.0f}")
    print(f"peak memory        {peak_mb:>12,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
