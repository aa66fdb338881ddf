"""Shared fixtures: one generated demo data set per test session."""

from __future__ import annotations

import datetime as dt

import pytest

from demo.generate import generate


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """The default demo period (Sep-Dec: DST change, Black Friday, December), at a small volume."""
    out = tmp_path_factory.mktemp("demo")
    return generate(out, start=dt.date(2025, 9, 1), days=122, orders_per_day=24, seed=11)
