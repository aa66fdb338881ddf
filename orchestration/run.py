"""Materialise the whole asset graph THROUGH Dagster, in-process: `python -m orchestration.run`.

    python -m orchestration.run --paths data/demo          # the demo: land the exports, build, check
    python -m orchestration.run                             # the inbox (what the daily schedule does)
    python -m orchestration.run --dbt-only --start 2025-11-01 --end 2025-11-30   # backfill an order-date range

The run is recorded in DAGSTER_HOME (when set) so it shows in the UI of `make dev`. Prints each step,
the failed or warning checks, then the channel P&L and the monthly marketing KPIs from the warehouse
(warehouse/report.py, warehouse/kpi_report.py; checked against `truth/` when a demo set is among --paths).
Exit 0 when the run succeeded (and the P&L and KPIs match the truth, when there is one), else 1.
"""

import argparse
import os
import shutil
import sys
from pathlib import Path

import dagster as dg

from demo import NOT_EXPORTS
from orchestration.defs.dbt import DBT_OP
from orchestration.defs.ingestion import op_name
from orchestration.defs.jobs import MAIN_JOB

LOCAL_INSTANCE_YAML = Path(__file__).parent / "dagster.yaml"
"""The local instance's settings (the lake_warehouse pool's limit), copied into a DAGSTER_HOME that has none."""
RUN_TAG = "commerce/trigger"
"""Tag on runs, shared with the inbox sensor: `cli` for runs of this module."""


def run_config(paths: list[str], sources: list[str], start: str | None, end: str | None, full_refresh: bool) -> dict:
    ops: dict[str, dict] = {}
    if paths:
        absolute = [p if "://" in p else os.path.abspath(p) for p in paths]
        for source in sources:
            ops[op_name(source)] = {"config": {"paths": absolute, "keep_inbox": True, "skip": list(NOT_EXPORTS)}}
    dbt_config = {k: v for k, v in {"start_date": start, "end_date": end}.items() if v}
    if full_refresh:
        dbt_config["full_refresh"] = True
    if dbt_config:
        ops[DBT_OP] = {"config": dbt_config}
    return {"ops": ops}


def main(argv: list[str] | None = None) -> int:
    from ingestion import registry

    parser = argparse.ArgumentParser(prog="python -m orchestration.run", description=__doc__.split("\n")[0])
    parser.add_argument("--paths", nargs="*", default=[], help="files or folders to ingest (default: the inbox)")
    parser.add_argument("--start", help="backfill: first order date (YYYY-MM-DD)")
    parser.add_argument("--end", help="backfill: last order date (inclusive)")
    parser.add_argument("--full-refresh", action="store_true", help="rebuild incremental models from scratch")
    parser.add_argument("--dbt-only", action="store_true", help="skip ingestion (e.g. for a backfill)")
    args = parser.parse_args(argv)

    defs = dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
    job = defs.resolve_job_def(MAIN_JOB)
    home = os.environ.get("DAGSTER_HOME")
    if home:
        os.makedirs(home, exist_ok=True)
        instance_yaml = Path(home) / "dagster.yaml"
        if not instance_yaml.exists():
            shutil.copyfile(LOCAL_INSTANCE_YAML, instance_yaml)
    instance = dg.DagsterInstance.get() if home else dg.DagsterInstance.ephemeral()
    config = run_config(args.paths, list(registry.SOURCES), args.start, args.end, args.full_refresh)
    selection = None
    if args.dbt_only:
        graph = defs.resolve_asset_graph()
        selection = [k for k in graph.materializable_asset_keys if k.path[0] != "landed"]
        config["ops"] = {k: v for k, v in config["ops"].items() if k == DBT_OP}
    result = job.execute_in_process(
        run_config=config,
        instance=instance,
        raise_on_error=False,
        asset_selection=selection,
        tags={RUN_TAG: "cli"},
    )
    print(summarise(result))
    matches = print_pnl(args.paths)
    print_halo(args.paths)
    print_dashboard()
    return 0 if result.success and matches else 1


def print_dashboard() -> None:
    """Where the run's dashboard is (the `dashboard` asset) and the URL `make dashboard` serves it on."""
    from dashboard.build import DASHBOARD_PORT, dashboard_dir
    from orchestration.lib.settings import load_orchestration_settings

    site = dashboard_dir(load_orchestration_settings().commerce)
    if (site / "index.html").exists():
        print(f"Dashboard: {site}/index.html; `make dashboard` serves it at http://127.0.0.1:{DASHBOARD_PORT}/")


def print_pnl(paths: list[str]) -> bool:
    """The channel P&L the run built (warehouse/report.py), checked against truth/ when a demo set was given."""
    from orchestration.lib.settings import load_orchestration_settings
    from warehouse import attribution_report, report

    settings = load_orchestration_settings()
    truth = next(
        (Path(p) / "truth" / "summary.json" for p in paths if (Path(p) / "truth" / "summary.json").exists()), None
    )
    try:
        rows = report.read_channel_pnl(settings.commerce, settings.dbt_target)
    except Exception as exc:  # the mart may not exist yet (a failed build), or the target is Redshift
        print(f"(no channel P&L: {type(exc).__name__}: {str(exc).splitlines()[0][:200]})")
        return True
    print()
    matches = report.print_channel_pnl(rows, truth)
    attribution_report.print_roas_by_model(settings.commerce, settings.dbt_target)
    kpis_match = report.print_kpis(settings.commerce, settings.dbt_target, truth.parent if truth else None)
    return report.print_marts_status(settings.commerce, settings.dbt_target) and matches and kpis_match


def print_halo(paths: list[str]) -> None:
    """The halo slopes the run estimated (warehouse/halo.py), beside the planted ones when a demo set was given."""
    import contextlib

    from orchestration.lib.settings import load_orchestration_settings
    from warehouse import halo, report

    settings = load_orchestration_settings()
    planted = next((Path(p) / "truth" / "halo.json" for p in paths if (Path(p) / "truth" / "halo.json").exists()), None)
    try:
        with contextlib.closing(report.connect(settings.commerce, settings.dbt_target)) as connection:
            rows = halo.read_estimates(connection, settings.commerce.schema("marts", settings.dbt_target))
    except Exception as exc:  # not estimated (the asset's log says why), or the target is Redshift
        print(f"(no halo estimate: {type(exc).__name__}: {str(exc).splitlines()[0][:200]})")
        return
    print()
    print("\n".join(halo.report_lines(rows, planted)))


def summarise(result: dg.ExecuteInProcessResult) -> str:
    lines = [f"Dagster run {result.run_id}: {'SUCCESS' if result.success else 'FAILURE'}"]
    materialised = result.get_asset_materialization_events()
    lines.append(f"  {len(materialised)} asset materialisations")
    for event in result.all_events:
        if event.is_step_failure:
            lines.append(f"  step FAILED {event.step_key}: {event.event_specific_data.error.message.strip()[:300]}")
        elif event.is_step_skipped:
            lines.append(f"  step skipped {event.step_key}")
    evaluations = [e.event_specific_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    failed = [e for e in evaluations if not e.passed]
    lines.append(
        f"  {len(evaluations)} checks evaluated, {len(evaluations) - len(failed)} passed, {len(failed)} did not"
    )
    for evaluation in failed:
        severity = evaluation.severity.value
        text = evaluation.description or ""
        lines.append(f"  {severity:<5} {evaluation.asset_key.to_user_string()}:{evaluation.check_name} {text[:200]}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
