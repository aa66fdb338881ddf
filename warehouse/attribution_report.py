"""Last-click vs data-driven ROAS per ad platform, printed after the P&L by `make demo`.

Reads `fct_campaign_daily` (every attribution model's rows, docs/metrics.md rules 50-54) from the
configured warehouse: per platform, the period's spend and attributed net sales under each of the two
models, and ROAS = attributed net sales / spend (metrics.md "Marketing KPIs").
"""

from __future__ import annotations

import contextlib
from decimal import Decimal

from commerce_analytics.settings import Settings
from warehouse.report import connect

COMPARED_MODELS = ("last_click", "data_driven")


def roas_by_model_query(marts_schema: str = "marts") -> str:
    """Spend and attributed net sales per platform and model over the whole period."""
    models = ", ".join(f"'{m}'" for m in COMPARED_MODELS)
    return f"""
select platform, attribution_model, sum(spend) as spend, sum(attributed_net_sales) as attributed_net_sales
from {marts_schema}.fct_campaign_daily
where attribution_model in ({models})
group by platform, attribution_model
order by platform, attribution_model
"""


def read_roas_by_model(settings: Settings, target: str | None = None) -> list[dict]:
    with contextlib.closing(connect(settings, target)) as connection:
        cursor = connection.cursor()
        cursor.execute(roas_by_model_query(settings.schema("marts", target)))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def roas_lines(rows: list[dict]) -> list[str]:
    """One line per platform: spend, then each compared model's attributed net sales and ROAS."""
    by_platform: dict[str, dict[str, dict]] = {}
    for row in rows:
        by_platform.setdefault(row["platform"], {})[row["attribution_model"]] = row
    header = f"  {'platform':<12}{'spend':>14}" + "".join(
        f"{m + ' sales':>22}{m + ' ROAS':>20}" for m in COMPARED_MODELS
    )
    lines = [header]
    for platform, models in sorted(by_platform.items()):
        spend = Decimal(next(iter(models.values()))["spend"] or 0)
        cells = ""
        for model in COMPARED_MODELS:
            sales = Decimal(models.get(model, {}).get("attributed_net_sales") or 0)
            roas = f"{sales / spend:.2f}" if spend else "n/a"
            cells += f"{sales:>22,.2f}{roas:>20}"
        lines.append(f"  {platform:<12}{spend:>14,.2f}{cells}")
    return lines


def print_roas_by_model(settings: Settings, target: str | None = None) -> None:
    """Print the comparison; a warehouse without the mart (a failed build) prints why instead."""
    try:
        rows = read_roas_by_model(settings, target)
    except Exception as exc:  # the mart may not exist (a failed build), or the target is Redshift
        print(f"(no ROAS by attribution model: {type(exc).__name__}: {str(exc).splitlines()[0][:200]})")
        return
    print()
    print("ROAS by attribution model (marts.fct_campaign_daily; docs/metrics.md rules 50-54):")
    print("\n".join(roas_lines(rows)))
