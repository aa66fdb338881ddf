"""Orchestration fixtures: one private lake, warehouse, dbt target and DAGSTER_HOME per session (orch_helpers)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from orch_helpers import CLEARED, REPO, OrchSession, built_session, orch_session


@pytest.fixture(scope="session")
def orch_env(tmp_path_factory) -> OrchSession:
    """Point every setting at the session's tmp folder (Dagster reads them when definitions load)."""
    session = orch_session(tmp_path_factory)
    if "run" in session.extra:
        # The whole-graph run started in the background: these tests land files and run jobs in its lake
        # and instance, so they start once it has finished, as when it runs in the foreground.
        built_session(tmp_path_factory)
    previous = {k: v for k, v in os.environ.items() if k.startswith(CLEARED)}
    for name in previous:
        del os.environ[name]
    os.environ.update(session.settings)
    yield session
    for name in [k for k in os.environ if k.startswith(CLEARED)]:
        del os.environ[name]
    os.environ.update(previous)


@pytest.fixture(scope="session")
def orch_defs(orch_env):
    """The project's definitions, loaded the way `dagster dev` loads them (parses dbt once per session)."""
    import dagster as dg

    return dg.load_from_defs_folder(path_within_project=REPO / "orchestration")


@pytest.fixture(scope="session")
def orch_built(orch_env, tmp_path_factory) -> OrchSession:
    """The whole graph materialised once through Dagster into the session's lake and warehouse."""
    return built_session(tmp_path_factory)


@pytest.fixture(scope="session")
def demo_dir(orch_env) -> Path:
    """The session's small generated data set (native exports plus truth/)."""
    return orch_env.exports
