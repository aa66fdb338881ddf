"""The marketing KPIs the warehouse built (docs/metrics.md rules 58-64), printed for people after the P&L.

Reads the month total rows of `fct_marketing_kpis_monthly` (the KPIs are computed by the dbt macros, never
here) and, when a generated data set's `truth/` folder is at hand, says whether both KPI marts
(`fct_marketing_kpis_monthly`, `fct_cohort_ltv`) equal its `marketing_kpis_monthly.csv` and `cohort_ltv.csv`.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

# Each truth file, its mart and the columns that key a row.
TRUTH_FILES = {
    "marketing_kpis_monthly.csv": ("fct_marketing_kpis_monthly", ("kpi_month", "channel", "platform")),
    "cohort_ltv.csv": ("fct_cohort_ltv", ("cohort_month", "months_since_first_order")),
}
# numeric(18,4) ratios; every other decimal is money (cents).
RATIO_COLUMNS = {"roas", "mer", "acos", "tacos", "repeat_rate_30d", "repeat_rate_60d", "repeat_rate_90d"}
SUMMARY_COLUMNS = [
    ("kpi_month", "month", 10),
    ("spend", "spend", 12),
    ("net_sales", "net sales", 13),
    ("mer", "MER", 8),
    ("roas", "ROAS", 8),
    ("aov", "AOV", 9),
    ("new_customers", "new cust.", 10),
    ("returning_customers", "returning", 10),
    ("cac", "CAC", 9),
    ("repeat_rate_30d", "repeat 30d", 11),
    ("repeat_rate_90d", "repeat 90d", 11),
]


def _query(connection, sql: str) -> list[dict]:
    cursor = connection.cursor()
    cursor.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _text(column: str, value) -> str:
    """A mart value as the truth CSVs write it: 4 decimals for ratios, cents for money, ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:.4f}" if column in RATIO_COLUMNS else f"{value:.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def read_month_totals(connection, marts_schema: str = "marts") -> list[dict]:
    """The month total rows ('All channels', 'All platforms') of the KPI mart, oldest first."""
    return _query(
        connection,
        f"select * from {marts_schema}.fct_marketing_kpis_monthly "
        "where channel = 'All channels' and platform = 'All platforms' order by kpi_month",
    )


def truth_differences(connection, truth_folder: Path, marts_schema: str = "marts", limit: int = 20) -> list[str]:
    """Rows and values of the KPI marts that differ from the truth files, as readable lines."""
    problems: list[str] = []
    for file, (mart, key) in TRUTH_FILES.items():
        with open(truth_folder / file, newline="", encoding="utf-8") as handle:
            want = {tuple(r[k] for k in key): r for r in csv.DictReader(handle)}
        got = {}
        for row in _query(connection, f"select * from {marts_schema}.{mart}"):
            text = {c: _text(c, v) for c, v in row.items()}
            got[tuple(text[k] for k in key)] = text
        problems += [f"{mart} {k}: missing in the mart" for k in sorted(set(want) - set(got))]
        problems += [f"{mart} {k}: not in the truth" for k in sorted(set(got) - set(want))]
        for k in sorted(set(want) & set(got)):
            problems += [
                f"{mart} {k} {c}: warehouse {got[k].get(c)!r}, truth {v!r}"
                for c, v in want[k].items()
                if got[k].get(c) != v
            ]
    return problems[:limit]


def print_kpi_summary(connection, truth_folder: Path | None = None, marts_schema: str = "marts") -> bool:
    """Print the month totals; return False when a truth folder with KPI files was given and a mart differs."""
    rows = read_month_totals(connection, marts_schema)
    currency = rows[0]["reporting_currency"] if rows else ""
    print(f"Marketing KPIs per month ({marts_schema}.fct_marketing_kpis_monthly, {currency}; customers: Shopify only):")
    print("  " + "".join(f"{label:>{width}}" for _, label, width in SUMMARY_COLUMNS))
    for row in rows:
        print("  " + "".join(f"{_text(column, row[column]) or '-':>{width}}" for column, _, width in SUMMARY_COLUMNS))
    if truth_folder is None or not all((truth_folder / f).exists() for f in TRUTH_FILES):
        return True
    problems = truth_differences(connection, truth_folder, marts_schema)
    if problems:
        print(f"KPI marts DIFFER from the ground truth ({truth_folder}):")
        for line in problems:
            print(f"  {line}")
        return False
    print(f"KPI marts match the ground truth ({truth_folder}).")
    return True
