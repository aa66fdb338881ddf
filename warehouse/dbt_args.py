"""The one dbt argument builder: `commerce-analytics build/dbt` and the Dagster dbt assets both call it.

Pure functions, unit-tested without dbt. Every invocation carries the `lake` var (where dbt's sources read
the landed Parquet). A backfill of an order-date range is ONE dbt invocation with the range as vars:
incremental models read `start_date`/`end_date` (inclusive ISO dates) and re-process the orders in that
range; without them they process what is newer than their watermark.

dbt unit tests check the models' SQL on fixed inputs, so they can only fail after a code change: as dbt
recommends, they run in development and CI, not in every production run. A `build` runs them when asked
(`unit_tests=True`: `commerce-analytics build --unit-tests`, the CI session builds) or, by default, with a full
refresh (the rebuild after a deployment); the scheduled daily build (incremental) leaves them out
(`--exclude-resource-type unit_test`). README "The warehouse" says the same.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from commerce_analytics.settings import Settings

REPO = Path(__file__).resolve().parent.parent
PROJECT_DIR = REPO / "dbt_project"
BACKFILL_START_VAR = "start_date"
BACKFILL_END_VAR = "end_date"
BUILD_COMMANDS = ("build", "run")
"""dbt commands that (re)build models: they pin the lake at their start and are recorded in the build log.
Others (`test`, `docs generate`, ...) read what the last build pinned."""


class BuildError(RuntimeError):
    pass


@dataclass(frozen=True)
class DbtInvocation:
    """What to ask dbt for; paths default to the project's own."""

    command: tuple[str, ...] = ("build",)
    target: str | None = None
    select: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    full_refresh: bool = False
    vars: dict = field(default_factory=dict)
    project_dir: str = str(PROJECT_DIR)
    profiles_dir: str | None = None
    target_path: str | None = None
    log_path: str | None = None
    extra: tuple[str, ...] = ()
    unit_tests: bool | None = None
    """Run dbt unit tests in a `build`: None (default) with a full refresh only, True always, False never."""

    def runs_unit_tests(self) -> bool:
        if self.command[:1] != ("build",):
            return False
        return self.full_refresh if self.unit_tests is None else self.unit_tests


def lake_var(lake: str) -> str:
    """The `lake` var dbt's sources read: an absolute folder (dbt may run anywhere) or the s3:// URL as is."""
    if "://" in lake:
        return lake.rstrip("/")
    return str(Path(lake).expanduser().resolve())


def parse_vars(text: str | None) -> dict:
    """`--vars` as dbt takes it (a YAML or JSON mapping)."""
    if not text:
        return {}
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise BuildError(f"--vars is not YAML: {exc}") from exc
    if not isinstance(value, dict):
        raise BuildError(f"--vars must be a mapping such as '{{start_date: 2025-11-01}}', not {text!r}")
    return value


def _iso(value: str | dt.date | None, name: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise ValueError(f"{name} must be a date (YYYY-MM-DD), got {value!r}") from None


def backfill_vars(start: str | dt.date | None, end: str | dt.date | None) -> dict[str, str]:
    """dbt vars for an order-date range; both ends or neither, inclusive, start <= end."""
    start_iso, end_iso = _iso(start, "start"), _iso(end, "end")
    if (start_iso is None) != (end_iso is None):
        raise ValueError("a backfill needs both a start and an end date (or neither)")
    if start_iso is None:
        return {}
    if start_iso > end_iso:
        raise ValueError(f"backfill start {start_iso} is after its end {end_iso}")
    return {BACKFILL_START_VAR: start_iso, BACKFILL_END_VAR: end_iso}


def partition_range_to_dates(start: dt.datetime, end: dt.datetime) -> tuple[dt.date, dt.date]:
    """A Dagster time window [start, end) of daily partitions -> inclusive (first day, last day)."""
    last = end - dt.timedelta(microseconds=1)
    if last < start:
        raise ValueError("empty partition range")
    return start.date(), last.date()


def dbt_args(inv: DbtInvocation, settings: Settings, *, locate: bool = True) -> list[str]:
    """The argument list for dbtRunner().invoke / the dbt CLI. Pure: no I/O.

    `locate=False` leaves out the project, profiles and target (dagster-dbt's DbtCliResource adds them).
    """
    if inv.full_refresh and inv.command[:1] == ("test",):
        raise ValueError("--full-refresh does not apply to dbt test")
    args = [*inv.command]
    if locate:
        args += ["--project-dir", inv.project_dir, "--profiles-dir", inv.profiles_dir or inv.project_dir]
        args += ["--target", inv.target or settings.dbt_target]
    if inv.target_path:
        args += ["--target-path", inv.target_path]
    if inv.log_path:
        args += ["--log-path", inv.log_path]
    if inv.select:
        args += ["--select", *inv.select]
    if inv.exclude:
        args += ["--exclude", *inv.exclude]
    if inv.full_refresh:
        args.append("--full-refresh")
    if inv.command[:1] == ("build",) and not inv.runs_unit_tests():
        args += ["--exclude-resource-type", "unit_test"]
    variables = {"lake": lake_var(settings.lake), **inv.vars}
    args += ["--vars", json.dumps(variables, sort_keys=True, default=str)]
    args += list(inv.extra)
    return args
