"""Shared fixtures: one generated demo data set per test session."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from demo.generate import generate

ORCHESTRATION_TESTS = Path(__file__).resolve().parent / "orchestration"


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """The default demo period (Sep-Dec: DST change, Black Friday, December), at a small volume."""
    out = tmp_path_factory.mktemp("demo")
    return generate(out, start=dt.date(2025, 9, 1), days=122, orders_per_day=24, seed=11)


@pytest.fixture(scope="session", autouse=True)
def _orchestration_run_started(request, tmp_path_factory):
    """When a collected test needs the graph materialised through Dagster (tests/e2e, tests/orchestration), that
    run starts with the session's first test and builds in the background while the tests before them run."""
    if not any({"built", "orch_built"} & set(getattr(item, "fixturenames", ())) for item in request.session.items):
        yield
        return
    if str(ORCHESTRATION_TESTS) not in sys.path:
        sys.path.insert(0, str(ORCHESTRATION_TESTS))
    from orch_helpers import start_built_session, stop_built_session

    start_built_session(tmp_path_factory)
    yield
    stop_built_session()
