"""Helpers shared by the orchestration and browser tests (importable: pytest puts this folder on sys.path;
tests/e2e/conftest.py adds it too).

`orch_session()` is the ONE private environment of a test session: lake, warehouse, dbt target folder and
DAGSTER_HOME under a tmp folder, plus a small generated data set. `built_session()` materialises the whole
graph into it once, through Dagster, exactly as `make demo` does (`python -m orchestration.run --paths ...`),
so the orchestration tests and the browser tests share one built warehouse and one run history.
Both are memoised at module level: tests/orchestration/conftest.py and tests/e2e/conftest.py call them from
their own fixtures and get the same objects. `start_built_session()` starts that run in the background
(tests/conftest.py does at the session's first test when a collected test needs it): it is one Python
process, about one core, so the tests before it run on the other core meanwhile.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# Small on purpose: dbt's time goes on its ~500 nodes, not on rows; 21 days cover Black Friday.
DATASET = {"start": dt.date(2025, 11, 10), "days": 21, "orders_per_day": 8, "seed": 7}
# Variables the session sets; everything else is inherited (and these are cleared first).
CLEARED = ("COMMERCE_", "DBT_", "DAGSTER_", "AWS_ENDPOINT_URL", "SHOPIFY_", "META_")


def drop_into(folder: Path, *sources: Path, names: list[str] | None = None) -> list[Path]:
    """Copy files into a folder (the inbox), optionally under other names."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i, source in enumerate(sources):
        target = folder / (names[i] if names else source.name)
        shutil.copyfile(source, target)
        out.append(target)
    return out


@dataclass
class OrchSession:
    root: Path
    settings: dict[str, str]
    """The COMMERCE_*/DBT_*/DAGSTER_HOME variables of the session."""
    exports: Path
    """The generated data set (native export files plus truth/)."""
    run_returncode: int | None = None
    run_output: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def lake(self) -> Path:
        return Path(self.settings["COMMERCE_LAKE"])

    @property
    def warehouse(self) -> Path:
        return Path(self.settings["COMMERCE_WAREHOUSE"])

    @property
    def dagster_home(self) -> Path:
        return Path(self.settings["DAGSTER_HOME"])

    @property
    def dbt_target_path(self) -> Path:
        return Path(self.settings["COMMERCE_DBT_TARGET_PATH"])

    def env(self, **overrides: str) -> dict[str, str]:
        """A full environment for a subprocess: the inherited one without foreign settings, plus ours."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(CLEARED)}
        # Let the session's ~10 Dagster and dbt processes cache their bytecode in .venv instead of each one
        # compiling dagster, dbt and their dependencies from source again (seconds per process).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.update(self.settings)
        env.update(overrides)
        return env


_SESSION: dict[str, OrchSession] = {}


def orch_session(tmp_path_factory) -> OrchSession:
    if "session" not in _SESSION:
        from demo.generate import generate
        from orchestration.run import LOCAL_INSTANCE_YAML

        root = tmp_path_factory.mktemp("orch")
        home = root / "dagster_home"
        home.mkdir()
        shutil.copyfile(LOCAL_INSTANCE_YAML, home / "dagster.yaml")
        settings = {
            "COMMERCE_LAKE": str(root / "lake"),
            "COMMERCE_WAREHOUSE": str(root / "warehouse.duckdb"),
            "COMMERCE_DBT_TARGET_PATH": str(root / "dbt_target"),
            "COMMERCE_TIMEZONE": "America/New_York",
            "COMMERCE_AUTOMATION": "stopped",  # tests launch their own runs; no schedule or sensor racing them
            "COMMERCE_INBOX_SETTLE_SECONDS": "0",  # tests drop whole files at once (settling: test_inbox_settling.py)
            "DAGSTER_HOME": str(home),
        }
        exports = root / "exports"
        generate(exports, **DATASET)
        _SESSION["session"] = OrchSession(root, settings, exports)
    return _SESSION["session"]


def start_built_session(tmp_path_factory) -> OrchSession:
    """Start materialising the whole graph through Dagster (the `make demo` command), once per session."""
    session = orch_session(tmp_path_factory)
    if session.run_returncode is None and "run" not in session.extra:
        with open(session.root / "main_run.out", "w") as out, open(session.root / "main_run.err", "w") as err:
            session.extra["run"] = subprocess.Popen(
                [sys.executable, "-m", "orchestration.run", "--paths", str(session.exports)],
                cwd=REPO,
                env=session.env(),
                stdout=out,
                stderr=err,
                text=True,
                start_new_session=True,  # its own process group: stop_built_session() ends dbt with it
            )
    return session


def built_session(tmp_path_factory) -> OrchSession:
    """The session with the whole graph materialised once through Dagster (started here unless it was)."""
    session = start_built_session(tmp_path_factory)
    if session.run_returncode is None:
        run = session.extra["run"]
        try:
            run.wait(timeout=900)
        finally:
            stop_built_session()
        err = (session.root / "main_run.err").read_text()
        session.run_returncode = run.returncode
        session.run_output = (session.root / "main_run.out").read_text() + "\n" + err[-5000:]
        (session.root / "main_run.log").write_text(session.run_output)
    return session


def stop_built_session() -> None:
    """Kill the run if it still runs (a session that ends early, say after `-x`, leaves nothing behind)."""
    run = _SESSION["session"].extra.get("run") if "session" in _SESSION else None
    if run is not None and run.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(run.pid, signal.SIGKILL)
        run.wait(timeout=60)
