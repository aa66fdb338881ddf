"""Stand-ins for dbt's jinja context under sqlfluff's jinja templater (linting only, never run).

sqlfluff loads this package (library_path in .sqlfluff) and exposes its members by name:
`dbt` (cross-database macros), `adapter` (dispatch), `var` (the project's vars, numbers as numbers),
`env_var` (the default) and `run_started_at` (a fixed UTC time).
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

run_started_at = _dt.datetime(2000, 1, 1, tzinfo=_dt.UTC)

_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project" / "dbt_project.yml"


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
