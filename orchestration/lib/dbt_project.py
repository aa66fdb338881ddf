"""The dbt project as Dagster sees it: DbtProject, manifest preparation and the translator policy.

The manifest is prepared when definitions load (`dbt parse` into COMMERCE_DBT_TARGET_PATH) if it is
missing or older than any file of the project, under a file lock so the webserver, the daemon and run
workers never parse into the same folder at once. `python -m orchestration.prepare` does the same ahead
of time (what `dg`'s prepare step would do in a deployment image).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject

from orchestration.lib.settings import OrchestrationSettings
from warehouse.runner import scoped_environ

PROJECT_INPUTS = ("models", "macros", "tests", "snapshots", "analyses", "dbt_project.yml", "profiles.yml")
LAYERS = ("staging", "intermediate", "marts")


def dbt_executable() -> str:
    """The dbt of this interpreter's environment (the venv need not be on PATH), else the one on PATH."""
    beside = Path(sys.executable).parent / "dbt"
    if beside.exists():
        return os.fspath(beside)
    return shutil.which("dbt") or "dbt"


def dbt_project(settings: OrchestrationSettings) -> DbtProject:
    return DbtProject(
        project_dir=settings.dbt_project_dir,
        profiles_dir=settings.dbt_project_dir,
        target=settings.dbt_target,
        target_path=settings.dbt_target_path,
    )


@contextlib.contextmanager
def dbt_environment(settings: OrchestrationSettings, extra: Mapping[str, str] | None = None) -> Iterator[None]:
    """The environment dbt's env_var() calls need, with absolute paths (dbt runs inside dbt_project/), plus
    `extra` (what warehouse.runner.prepare_target returns: the customer-hash salt)."""
    with scoped_environ({**settings.dbt_env(), **(extra or {})}):
        yield


def stream_dbt(dbt: DbtCliResource, args: list[str], context: dg.AssetExecutionContext) -> Iterator[Any]:
    """dbt's events for the assets; when dbt fails, a `dg.Failure` whose first line is dbt's own error (say
    the DuckDB lock another process holds) instead of dagster-dbt's "exited with code 2, see the logs"."""
    invocation = dbt.cli(args, context=context, raise_on_error=False)
    yield from invocation.stream()
    error = invocation.get_error()
    if error is not None:
        full = str(error)
        raise dg.Failure(description=f"dbt failed: {dbt_error_summary(full)}\n\n{full}")


ERROR_SUMMARY_CHARS = 500


def dbt_error_summary(text: str) -> str:
    """The first error dbt logged, on one line: its lines up to any traceback, without dbt's preamble."""
    errors = text.split("Errors parsed from dbt logs:", 1)[-1]
    lines = []
    for line in errors.strip().splitlines():
        line = line.strip()
        if line.startswith("Traceback (most recent call last)"):
            break
        if line and line != "Encountered an error:":
            lines.append(line)
    return " ".join(lines)[:ERROR_SUMMARY_CHARS] or errors.strip().splitlines()[0]


def _newest_input(project_dir: Path) -> float:
    newest = 0.0
    roots = [project_dir / name for name in PROJECT_INPUTS] + [project_dir.parent / "seeds"]
    for root in roots:
        if root.is_file():
            newest = max(newest, root.stat().st_mtime)
        elif root.is_dir():
            for path in root.rglob("*"):
                if path.is_file():
                    newest = max(newest, path.stat().st_mtime)
    return newest


def manifest_is_stale(project: DbtProject) -> bool:
    manifest = project.manifest_path
    return not manifest.exists() or manifest.stat().st_mtime < _newest_input(Path(project.project_dir))


def prepare_manifest(settings: OrchestrationSettings, *, force: bool = False) -> Path:
    """`dbt parse` into the target path when the manifest is missing or stale; returns manifest.json."""
    project = dbt_project(settings)
    target = Path(project.target_path)
    target.mkdir(parents=True, exist_ok=True)
    with open(target / ".prepare.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if force or manifest_is_stale(project):
            with dbt_environment(settings):
                dbt = DbtCliResource(
                    project_dir=os.fspath(project.project_dir),
                    profiles_dir=os.fspath(project.profiles_dir),
                    target=settings.dbt_target,
                    dbt_executable=dbt_executable(),
                )
                dbt.cli(["parse", "--quiet"], target_path=target).wait()
    return project.manifest_path


class CommerceDbtTranslator(DagsterDbtTranslator):
    """Translator policy read from dbt, never from model names.

    Group: `meta.dagster.group`, else the dbt `group` config (dagster-dbt's default), else the layer the
    model lives in (`staging`, `intermediate`, `marts`; seeds -> `reference`). Asset keys: dagster-dbt's
    default, with sources taking `meta.dagster.asset_key` (= the ingestion asset's ["landed", source, entity]).
    """

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        configured = super().get_group_name(dbt_resource_props)
        if configured:
            return configured
        if dbt_resource_props.get("resource_type") == "seed":
            return "reference"
        fqn = dbt_resource_props.get("fqn") or []
        for part in fqn[1:-1]:
            if part in LAYERS:
                return part
        return None


def translator() -> CommerceDbtTranslator:
    return CommerceDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
