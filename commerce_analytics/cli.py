"""The `commerce-analytics` command line."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import traceback
from pathlib import Path

import demo


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="commerce-analytics", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    generate = commands.add_parser("generate", help="write the demo brand's exports and their ground truth")
    generate.add_argument("--out", type=Path, required=True, help="folder to write into")
    generate.add_argument("--start", type=_date, default=demo.DEFAULT_START, help="first day (YYYY-MM-DD)")
    generate.add_argument("--days", type=int, default=demo.DEFAULT_DAYS, help="number of days")
    generate.add_argument(
        "--orders-per-day",
        type=float,
        default=demo.DEFAULT_ORDERS_PER_DAY,
        help="average orders a day across channels before seasonality",
    )
    generate.add_argument("--seed", type=int, default=demo.DEFAULT_SEED, help="random seed")
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
    ingest.add_argument(
        "--reinstate", action="store_true", help="land files whose delivery was retracted again, as a new delivery"
    )
    ingest.add_argument(
        "--skip",
        action="append",
        default=[],
        metavar="PATTERN",
        help="glob of relative paths in the given folders that are not exports (repeatable), e.g. truth",
    )
    ingest.add_argument("--json", action="store_true", help="print one JSON object per file")
    retract = commands.add_parser(
        "retract",
        help="withdraw a delivery: its rows stop being visible from the next build (raw bytes and audit stay)",
        description="Exit codes: 0 retracted, 2 no such visible delivery.",
    )
    retract.add_argument("file_or_sha", help="the delivered file, its sha256 (or 8+ hex digits), or its name")
    retract.add_argument("--reason", required=True, help="why, for the audit entry in the deliveries log")
    retract.add_argument("--by", help="who retracts (default: the current user)")
    forget = commands.add_parser(
        "forget-customer",
        help="erase a customer's personal data from raw/, landed/ and quarantine/ (GDPR/CCPA deletion request)",
        description="Money rows stay with the identity removed; the next build clears the warehouse.",
    )
    forget.add_argument("email", help="the customer's email (matched trimmed and lower-cased)")
    forget.add_argument("--reason", default="", help="the request's reference, for the erasure log")
    forget.add_argument("--by", help="who erases (default: the current user)")
    _add_warehouse_commands(commands)
    return parser


def _add_target_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--target", help="dbt target: local (DuckDB), postgres, prod (Redshift); default DBT_TARGET")
    command.add_argument("--target-path", help="dbt's target folder (default dbt_project/target)")
    command.add_argument("--log-path", help="dbt's log folder (default dbt_project/logs)")
    command.add_argument(
        "--no-load",
        action="store_true",
        help="skip pinning the lake and the PostgreSQL load (the landed tables are current)",
    )


def _add_warehouse_commands(commands) -> None:
    build = commands.add_parser(
        "build",
        help="run dbt build on the configured target (after the target's lake step)",
        description="Exit codes: 0 built and tested, 1 dbt reported failing models or tests, 2 could not run.",
    )
    _add_target_options(build)
    build.add_argument("--select", "-s", nargs="+", action="extend", default=[], help="dbt node selection")
    build.add_argument("--exclude", nargs="+", action="extend", default=[], help="dbt nodes to leave out")
    build.add_argument("--full-refresh", action="store_true", help="rebuild incremental models from scratch")
    build.add_argument("--vars", help="dbt vars, a YAML mapping, e.g. '{start_date: 2025-11-01}'")
    build.add_argument(
        "--unit-tests",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="run dbt unit tests (default: only with --full-refresh; the scheduled daily build skips them)",
    )
    dbt = commands.add_parser(
        "dbt",
        help="run any dbt command with the project's paths, target and lake var (e.g. `dbt -- docs generate`)",
    )
    _add_target_options(dbt)
    dbt.add_argument("args", nargs=argparse.REMAINDER, help="the dbt command and its options, after `--`")
    prepare = commands.add_parser(
        "prepare",
        help="give a dbt target what it needs from the lake: DuckDB httpfs + placeholders, PostgreSQL the load step",
    )
    prepare.add_argument("--target", help="dbt target (default DBT_TARGET)")
    commands.add_parser(
        "load-postgres",
        help="load the lake's visible landed rows into PostgreSQL schema `landed` (libpq PG* settings)",
    )
    report = commands.add_parser(
        "report",
        help=(
            "print the channel P&L and the monthly marketing KPIs from the warehouse's marts; compare them with a"
            " data set's truth if given"
        ),
        description=(
            "Exit codes: 0 printed (and equal to the truth if given), 1 differs from the truth or the marts may be "
            "stale or mixed (the latest build failed or did not finish, or the latest successful one is older than "
            "COMMERCE_MARTS_MAX_AGE_HOURS), 2 failed."
        ),
    )
    report.add_argument("--target", help="dbt target to read: local (DuckDB) or postgres; default DBT_TARGET")
    report.add_argument("--truth", type=Path, help="a generated data set's truth/summary.json to check against")
    report.add_argument(
        "--pdf", metavar="MONTH", help="instead: print the month's (YYYY-MM) P&L and restock list to a PDF"
    )
    report.add_argument("--out", type=Path, help="with --pdf: the PDF's path (default monthly-pnl-MONTH.pdf)")
    dashboard = commands.add_parser(
        "dashboard", help="build the dashboard (static site) from the warehouse's marts; --serve to browse it"
    )
    dashboard.add_argument("--out", type=Path, help="site folder (default COMMERCE_DASHBOARD_DIR or data/dashboard)")
    dashboard.add_argument("--target", help="dbt target to read: local (DuckDB) or postgres; default DBT_TARGET")
    dashboard.add_argument("--serve", type=int, metavar="PORT", help="then serve it on http://127.0.0.1:PORT")
    pull = commands.add_parser(
        "pull",
        help="pull the platforms' APIs (connectors with credentials set) and land what they return",
        description="Pulls each configured connector's accounts from its cursor minus its lookback (or --since/"
        "--until: a backfill) and lands the files like `ingest`; connectors without credentials are skipped. "
        "Exit codes: 0 landed (or nothing new), 1 some rows quarantined, 2 a pull or file failed, 3 the run "
        "itself failed. See docs/connectors.md.",
    )
    pull.add_argument("sources", nargs="*", metavar="SOURCE", help="shopify, meta_ads, ... (default: all)")
    pull.add_argument("--since", type=_date, help="first day to pull (YYYY-MM-DD); default: cursor - lookback")
    pull.add_argument("--until", type=_date, help="last day to pull (YYYY-MM-DD); default: today (UTC)")
    sources = commands.add_parser(
        "dbt-sources",
        help="regenerate the dbt sources YAML and the Spectrum column macro from the ingestion registry",
    )
    sources.add_argument(
        "--check", action="store_true", help="exit 1 if a generated file is out of date, write nothing"
    )


def run_warehouse_command(args: argparse.Namespace) -> int:
    from commerce_analytics.settings import load_settings
    from warehouse import runner
    from warehouse.dbt_args import BuildError, DbtInvocation, parse_vars

    settings = load_settings()
    try:
        if args.command == "build":
            inv = DbtInvocation(
                command=("build",),
                target=args.target,
                select=tuple(args.select),
                exclude=tuple(args.exclude),
                full_refresh=args.full_refresh,
                unit_tests=args.unit_tests,
                vars=parse_vars(args.vars),
                target_path=args.target_path,
                log_path=args.log_path,
            )
            return runner.run_dbt(inv, settings, load=not args.no_load)
        if args.command == "dbt":
            rest = list(args.args[1:] if args.args[:1] == ["--"] else args.args)
            if not rest:
                print(
                    "commerce-analytics dbt: name a dbt command, e.g. `commerce-analytics dbt -- parse`",
                    file=sys.stderr,
                )
                return 2
            inv = DbtInvocation(
                command=tuple(rest), target=args.target, target_path=args.target_path, log_path=args.log_path
            )
            return runner.run_dbt(inv, settings, load=not args.no_load)
        if args.command == "prepare":
            target = args.target or settings.dbt_target
            runner.prepare_target(runner.target_type(target), settings)
            print(f"target {target!r} prepared from {settings.lake}")
            return 0
        if args.command == "load-postgres":
            from ingestion.lake import Lake
            from warehouse.targets import load_postgres

            report = load_postgres(Lake(settings.lake, settings.aws_endpoint_url))
            for table, rows in report.tables.items():
                print(f"  landed.{table:<40} {rows:>10,} rows")
            print(report.summary())
            return 0
        if args.command == "report" and args.pdf:
            from dashboard.pdf import check_month, write_report_pdf

            out = args.out or Path(f"monthly-pnl-{check_month(args.pdf)}.pdf")
            print(f"wrote {write_report_pdf(settings, args.pdf, out, args.target)}")
            return 0
        if args.command == "dashboard":
            from dashboard.build import build_dashboard, dashboard_dir, serve

            out = args.out or dashboard_dir(settings)
            pages = build_dashboard(settings, out, args.target)
            print(f"dashboard: {len(pages)} pages built into {out}")
            if args.serve:
                serve(out, args.serve)
            return 0
        if args.command == "report":
            from warehouse import report

            rows = report.read_channel_pnl(settings, args.target)
            if args.truth is not None and not args.truth.exists():
                print(f"commerce-analytics report: no truth summary at {args.truth}", file=sys.stderr)
                return 2
            matches = report.print_channel_pnl(rows, args.truth)
            kpis_match = report.print_kpis(settings, args.target, args.truth.parent if args.truth else None)
            fresh = report.print_marts_status(settings, args.target)
            return 0 if matches and kpis_match and fresh else 1
        if args.command == "dbt-sources":
            from warehouse import dbt_sources

            if args.check:
                stale = dbt_sources.out_of_date()
                for path in stale:
                    print(f"{path} is out of date with ingestion/registry.py: run `commerce-analytics dbt-sources`")
                return 1 if stale else 0
            for path in dbt_sources.write_generated_files():
                print(f"rewrote {path}")
            return 0
    except BuildError as exc:
        print(f"commerce-analytics {args.command}: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        print(f"commerce-analytics {args.command}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    raise AssertionError(args.command)


def printable(text: object) -> str:
    """`text` with control and other unprintable characters escaped (`\\x1b`, `\\n`): a file name or a field
    printed from an export cannot move the cursor, recolour the terminal or fake an output line."""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def printable_result(result):
    """A FileResult with what comes from the file (its name, message, examples) made printable."""
    from dataclasses import replace

    return replace(
        result,
        source_file=printable(result.source_file),
        message=printable(result.message) if result.message else result.message,
        examples=[printable(example) for example in result.examples],
    )


def ingest_files(args: argparse.Namespace) -> list:
    """What `ingest` lands (in a child process when COMMERCE_INGEST_MEMORY_MIB caps its memory)."""
    from ingestion.ingest import Ingestor

    ingestor = Ingestor()
    if args.reprocess:
        return ingestor.reprocess(args.source, force=args.force)
    return ingestor.ingest_paths(
        args.paths or [ingestor.settings.inbox], args.source, args.keep_inbox, skip=args.skip, reinstate=args.reinstate
    )


def run_ingest(args: argparse.Namespace) -> int:
    import json

    from ingestion.ingest import Ingestor, RunFailure, as_dict, exit_code, run_with_memory_cap

    ingestor = Ingestor()
    failure: RunFailure | None = None
    try:
        results = run_with_memory_cap(ingest_files, args, ingestor.settings.ingest_memory_mib)
    except RunFailure as exc:
        failure, results = exc, exc.results
    except (FileNotFoundError, ValueError) as exc:
        print(f"commerce-analytics ingest: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # listing the paths or the lake failed: the run failed, not a file
        traceback.print_exc()
        print(f"commerce-analytics ingest: the run failed ({type(exc).__name__}: {exc}) (exit 3)", file=sys.stderr)
        return 3
    for result in results:
        if args.json:
            print(json.dumps(as_dict(result), default=str))
            continue
        result = printable_result(result)  # JSON escapes on its own
        stream = sys.stderr if result.status == "rejected" else sys.stdout
        if result.status in ("rejected", "waiting"):
            print(f"{result.status.upper()} {result.source_file}: {result.message}", file=stream)
            continue
        counts = f"{result.rows_read} read = {result.rows_landed} landed + {result.rows_quarantined} quarantined"
        print(f"{result.status.upper():<9} {result.source_file} [{result.format}] {counts}", file=stream)
        if result.status == "duplicate":
            print(f"          {result.message}", file=stream)
        for example in result.examples:
            print(f"          {example}", file=stream)
        if result.unknown_values:
            print(f"          unknown values kept: {result.unknown_values}", file=stream)
    if failure is not None:
        print(
            f"commerce-analytics ingest: the run failed while ingesting {failure.during} "
            f"({type(failure.cause).__name__}: {failure.cause}); files recorded before it stay recorded "
            "and nothing of this file is visible. Fix the cause (disk space, network, memory) and run again: "
            "ingesting is idempotent (exit 3)",
            file=sys.stderr,
        )
        return 3
    code = exit_code(results)
    if not args.json:
        statuses = ("landed", "partial", "duplicate", "rejected", "waiting")
        totals = {s: sum(1 for r in results if r.status == s) for s in statuses}
        print(
            f"{len(results)} files into {ingestor.lake.url}: "
            + ", ".join(f"{n} {s}" for s, n in totals.items() if n)
            + f" (exit {code})"
        )
    return code


def run_retract(args: argparse.Namespace) -> int:
    from commerce_analytics.settings import load_settings
    from ingestion.lake import Lake
    from ingestion.retract import resolve_sha256, retract

    settings = load_settings()
    lake = Lake(settings.lake, settings.aws_endpoint_url)
    try:
        done = retract(lake, resolve_sha256(lake, args.file_or_sha, settings.aws_endpoint_url), args.reason, args.by)
    except ValueError as exc:
        print(f"commerce-analytics retract: {exc}", file=sys.stderr)
        return 2
    print(
        f"RETRACTED {done.source_file} ({done.sha256[:12]}, was {done.status_before}): {done.rows_withdrawn} rows "
        "withdrawn from the next build; raw bytes and the audit entry stay"
    )
    return 0


def run_forget_customer(args: argparse.Namespace) -> int:
    from commerce_analytics.settings import load_settings
    from ingestion.erasure import forget_customer
    from ingestion.lake import Lake

    settings = load_settings()
    lake = Lake(settings.lake, settings.aws_endpoint_url)
    try:
        done = forget_customer(lake, args.email, args.by, args.reason)
    except ValueError as exc:
        print(f"commerce-analytics forget-customer: {exc}", file=sys.stderr)
        return 2
    print(
        f"ERASED {done.rows_erased} landed/quarantined rows in {done.files} files "
        f"(raw {len(done.raw)}, landed {len(done.landed)}, quarantine {len(done.quarantine)}); "
        f"logged in {lake.display(done.log)}; the next build clears the warehouse"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "generate":
        from demo import generate as gen

        try:
            result = gen.generate(args.out, args.start, args.days, args.orders_per_day, args.seed)
        except ValueError as exc:
            print(f"commerce-analytics generate: {exc}", file=sys.stderr)
            return 2
        if not args.quiet:
            gen.print_summary(result)
    elif args.command == "ingest":
        return run_ingest(args)
    elif args.command == "retract":
        return run_retract(args)
    elif args.command == "forget-customer":
        return run_forget_customer(args)
    elif args.command == "pull":
        from ingestion.connectors.runner import run_pull_command

        return run_pull_command(args.sources, args.since, args.until)
    else:
        return run_warehouse_command(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
