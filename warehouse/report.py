"""The channel P&L the warehouse built, printed for people, and checked against the generator's truth.

`make demo` ends here: it reads `marts.fct_pnl_channel_monthly` (summed over the period;
`<DBT_SCHEMA>_marts` for a developer) from the configured warehouse and, when the data set's
`truth/summary.json` is at hand, says whether every channel's figures equal the ground truth to the cent.
"""

from __future__ import annotations

import contextlib
import json
from decimal import Decimal
from pathlib import Path

from commerce_analytics.settings import Settings
from warehouse import pnl_measures

# Every subtotal and the line-less costs, as the pnl_measures seed orders and labels them.
COLUMNS = pnl_measures.load().report_columns
HEADER = [pnl_measures.load()[c].label for c in COLUMNS]


def channel_pnl_query(marts_schema: str = "marts") -> str:
    """The period's channel P&L from the monthly mart in `marts_schema` (a developer's prefixed one too)."""
    return f"""
select channel, {", ".join(f"sum({c}) as {c}" for c in COLUMNS)}, max(reporting_currency) as currency
from {marts_schema}.fct_pnl_channel_monthly
group by channel
order by case when channel = 'Unassigned' then 1 else 0 end, channel
"""


def connect(settings: Settings, target: str | None = None):
    """A DB-API connection to the warehouse of `target` (local DuckDB file or PostgreSQL)."""
    target = target or settings.dbt_target
    if target == "local":
        import duckdb

        return duckdb.connect(str(settings.warehouse), read_only=True)
    if target == "postgres":
        import psycopg2

        return psycopg2.connect("")  # libpq reads PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE
    raise ValueError(f"the P&L report reads the local or postgres target, not {target!r}")


def channel_pnl(connection, marts_schema: str = "marts") -> list[dict]:
    cursor = connection.cursor()
    cursor.execute(channel_pnl_query(marts_schema))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def read_channel_pnl(settings: Settings, target: str | None = None) -> list[dict]:
    """The channel P&L rows from the warehouse of `target` (connects, reads, closes)."""
    with contextlib.closing(connect(settings, target)) as connection:
        return channel_pnl(connection, settings.schema("marts", target))


def print_kpis(settings: Settings, target: str | None = None, truth_folder: Path | None = None) -> bool:
    """The monthly marketing KPIs (warehouse/kpi_report.py) after the P&L; False when they differ from the truth."""
    from warehouse import kpi_report

    target = target or settings.dbt_target
    print()
    with contextlib.closing(connect(settings, target)) as connection:
        return kpi_report.print_kpi_summary(connection, truth_folder, settings.schema("marts", target))


def read_marts_warnings(settings: Settings, target: str | None = None) -> tuple[str, list[str]]:
    """When the marts were last built successfully, and why they may be stale or mixed (warehouse/build_log.py)."""
    from warehouse import build_log
    from warehouse.publish import stages_builds

    target = target or settings.dbt_target
    with contextlib.closing(connect(settings, target)) as connection:
        latest, succeeded = build_log.read_builds(connection, settings, target)
    published_whole = stages_builds("duckdb" if target == "local" else target, settings)
    warnings = build_log.marts_warnings(
        latest, succeeded, settings.marts_max_age_hours, published_whole=published_whole
    )
    return build_log.describe(succeeded), warnings


def print_marts_status(settings: Settings, target: str | None = None) -> bool:
    """Print when the marts were built and any warning; False when they may be stale or mixed."""
    built, warnings = read_marts_warnings(settings, target)
    print(built)
    for warning in warnings:
        print(f"WARNING: {warning}")
    return not warnings


def truth_differences(
    rows: list[dict], summary_path: Path, measures: pnl_measures.PnlMeasures | None = None
) -> list[str]:
    """Channel figures that differ from `truth/summary.json` (cents), as readable lines.

    The subtotals are recomputed from the summary's amounts with the tiering of `measures` (the project's
    pnl_measures seed by default), so a warehouse built with another tiering is compared with its own truth."""
    measures = measures or pnl_measures.load()
    summary = json.loads(summary_path.read_text())
    expected: dict[str, dict[str, int]] = {}
    for channel in summary["channels"]:
        expected[channel["channel"]] = measures.report_figures(channel)
    actual = {r["channel"]: {c: int(Decimal(r[c]) * 100) for c in measures.report_columns} for r in rows}
    problems = []
    for channel in sorted(set(expected) | set(actual)):
        for column in measures.report_columns:
            want = expected.get(channel, {}).get(column, 0)
            got = actual.get(channel, {}).get(column, 0)
            if want != got:
                problems.append(f"{channel} {column}: warehouse {got / 100:,.2f}, truth {want / 100:,.2f}")
    return problems


def pnl_table(rows: list[tuple[str, dict[str, Decimal]]]) -> list[str]:
    """The channel P&L as printed lines: the header, then one line per (channel, figures in currency units)."""
    lines = [f"  {'channel':<12}" + "".join(f"{h:>15}" for h in HEADER)]
    lines += [f"  {channel:<12}" + "".join(f"{figures[c]:>15,.2f}" for c in COLUMNS) for channel, figures in rows]
    return lines


def print_channel_pnl(rows: list[dict], truth_summary: Path | None = None) -> bool:
    """Print the P&L; return False when a truth summary was given and the figures differ from it."""
    currency = rows[0]["currency"] if rows else ""
    print(f"Channel P&L from the warehouse (marts.fct_pnl_channel_monthly, {currency}):")
    figures = [(row["channel"], {c: Decimal(row[c]) for c in COLUMNS}) for row in rows]
    totals = {c: sum((f[c] for _, f in figures), Decimal(0)) for c in COLUMNS}
    print("\n".join(pnl_table([*figures, ("Total", totals)])))
    if truth_summary is None or not truth_summary.exists():
        return True
    problems = truth_differences(rows, truth_summary)
    if problems:
        print(f"DIFFERS from the ground truth ({truth_summary}) in {len(problems)} figures:")
        for line in problems[:20]:
            print(f"  {line}")
        return False
    print(f"Matches the ground truth ({truth_summary}) to the cent.")
    return True
