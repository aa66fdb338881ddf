"""Stand-ins for dbt's jinja context under sqlfluff's jinja templater (linting only, never run).

sqlfluff loads this package (library_path in .sqlfluff) and exposes its members by name:
`dbt` (cross-database macros), `adapter` (dispatch), `var` (the project's vars, numbers as numbers),
`env_var` (the default), `run_started_at` (a fixed UTC time), and `execute`, `load_relation` and
`run_query` (the seed rows the `pnl_measure_rows` macro reads, from seeds/pnl_measures.csv), so models
render their measures.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

run_started_at = _dt.datetime(2000, 1, 1, tzinfo=_dt.UTC)

_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project" / "dbt_project.yml"
_PNL_MEASURES = Path(__file__).resolve().parents[2] / "seeds" / "pnl_measures.csv"

execute = True


def _project_vars() -> dict:
    try:
        import yaml

        return (yaml.safe_load(_PROJECT.read_text()) or {}).get("vars", {}) or {}
    except Exception:
        return {}


def var(name, default=None):
    value = _project_vars().get(name, default)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return default if default is not None else name


def env_var(name, default="x"):
    return default


def load_relation(relation):
    """Every relation exists while linting."""
    return relation


class _Table:
    def __init__(self, rows):
        self.rows = rows


def run_query(sql):
    """The one query models run while compiling: the pnl_measures seed's rows (as `pnl_measure_rows` selects)."""
    import csv

    with open(_PNL_MEASURES, newline="", encoding="utf-8") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda r: int(r["display_order"]))
    columns = ("measure", "kind", "margin_tier", "sign", "grain")
    return _Table([tuple(int(r[c]) if c == "sign" and r[c] else (r[c] or None) for c in columns) for r in rows])
