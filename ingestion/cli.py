"""The `commerce-analytics` command line."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from ingestion.synthetic import generate as gen


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def _money(cents: int) -> str:
    return f"{cents / 100:,.2f}"


def print_summary(result: gen.GenerationResult) -> None:
    """What was written, and the channel P&L the documented rules give for it."""
    summary = result.truth.summary
    period = summary["period"]
    print(f"ArtisanGlow demo data: {period['start']} .. {period['end']} ({period['days']} days) in {result.out}")
    print(f"  {summary['orders']:,} orders, {summary['order_lines']:,} order lines, {len(result.files)} files")
    by_folder: dict[str, list[Path]] = {}
    for path in result.files:
        by_folder.setdefault(path.relative_to(result.out).parts[0], []).append(path)
    for folder, paths in by_folder.items():
        size = sum(p.stat().st_size for p in paths)
        print(f"  {folder + '/':<12} {len(paths):>3} files {size / 1e6:>8.2f} MB")
    print()
    print(f"Channel P&L by the documented rules (truth/summary.json, {summary['reporting_currency']}):")
    header = ["channel", "net_sales", "cm1", "cm2", "cm3", "daily_costs", "net_profit"]
    print(f"  {header[0]:<12}" + "".join(f"{h:>15}" for h in header[1:]))
    for row in summary["channels"]:
        values = [
            row["net_sales"],
            row["contribution_margin_1"],
            row["contribution_margin_2"],
            row["contribution_margin_3"],
            row["daily_costs"],
            row["contribution_margin_3"] - row["daily_costs"],
        ]
        print(f"  {row['channel']:<12}" + "".join(f"{_money(v):>15}" for v in values))
    t = summary["totals_cents"]
    values = [
        t["net_sales"],
        t["contribution_margin_1"],
        t["contribution_margin_2"],
        t["contribution_margin_3"],
        t["daily_costs"],
        t["net_profit"],
    ]
    print(f"  {'Total':<12}" + "".join(f"{_money(v):>15}" for v in values))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="commerce-analytics", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    generate = commands.add_parser("generate", help="write the demo brand's exports and their ground truth")
    generate.add_argument("--out", type=Path, required=True, help="folder to write into")
    generate.add_argument("--start", type=_date, default=gen.DEFAULT_START, help="first day (YYYY-MM-DD)")
    generate.add_argument("--days", type=int, default=gen.DEFAULT_DAYS, help="number of days")
    generate.add_argument(
        "--orders-per-day",
        type=float,
        default=gen.DEFAULT_ORDERS_PER_DAY,
        help="average orders a day across channels before seasonality",
    )
    generate.add_argument("--seed", type=int, default=gen.DEFAULT_SEED, help="random seed")
    generate.add_argument("--quiet", action="store_true", help="print nothing on success")
    ingest = commands.add_parser(
        "ingest",
        help="land export files into the lake (COMMERCE_LAKE), validated and idempotent",
        description="Exit codes: 0 all landed (or duplicates), 1 some rows quarantined, 2 a file rejected.",
    )
    ingest.add_argument(
        "paths", nargs="*", help="files or folders (local or s3://); default: the inbox (COMMERCE_INBOX)"
    )
    ingest.add_argument("--source", help="force a format (e.g. amazon_settlement) or a source (e.g. shopify)")
    ingest.add_argument("--reprocess", action="store_true", help="re-land raw/ files landed by an older parser")
    ingest.add_argument("--force", action="store_true", help="with --reprocess: re-land every raw file")
    ingest.add_argument("--keep-inbox", action="store_true", help="leave ingested files in the inbox")
    ingest.add_argument("--json", action="store_true", help="print one JSON object per file")
    return parser


def run_ingest(args: argparse.Namespace) -> int:
    import json

    from ingestion.ingest import Ingestor, as_dict, exit_code

    ingestor = Ingestor()
    try:
        if args.reprocess:
            results = ingestor.reprocess(args.source, force=args.force)
        else:
            results = ingestor.ingest_paths(args.paths or [ingestor.settings.inbox], args.source, args.keep_inbox)
    except (FileNotFoundError, ValueError) as exc:
        print(f"commerce-analytics ingest: {exc}", file=sys.stderr)
        return 2
    for result in results:
        if args.json:
            print(json.dumps(as_dict(result), default=str))
            continue
        stream = sys.stderr if result.status == "rejected" else sys.stdout
        if result.status == "rejected":
            print(f"REJECTED {result.source_file}: {result.message}", file=stream)
            continue
        counts = f"{result.rows_read} read = {result.rows_landed} landed + {result.rows_quarantined} quarantined"
        print(f"{result.status.upper():<9} {result.source_file} [{result.format}] {counts}", file=stream)
        if result.status == "duplicate":
            print(f"          {result.message}", file=stream)
        for example in result.examples:
            print(f"          {example}", file=stream)
        if result.unknown_values:
            print(f"          unknown values kept: {result.unknown_values}", file=stream)
    code = exit_code(results)
    if not args.json:
        totals = {s: sum(1 for r in results if r.status == s) for s in ("landed", "partial", "duplicate", "rejected")}
        print(
            f"{len(results)} files into {ingestor.lake.url}: "
            + ", ".join(f"{n} {s}" for s, n in totals.items() if n)
            + f" (exit {code})"
        )
    return code


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "generate":
        try:
            result = gen.generate(args.out, args.start, args.days, args.orders_per_day, args.seed)
        except ValueError as exc:
            print(f"commerce-analytics generate: {exc}", file=sys.stderr)
            return 2
        if not args.quiet:
            print_summary(result)
    elif args.command == "ingest":
        return run_ingest(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
