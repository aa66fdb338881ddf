"""Fixtures for ingestion tests: a local lake per test."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_helpers import make_ingestor


@pytest.fixture
def lake(tmp_path) -> Path:
    return tmp_path / "lake"


@pytest.fixture
def ingest(lake):
    """Ingest paths into the test's local lake; returns the results list."""

    def run(*paths, source=None):
        return make_ingestor(str(lake)).ingest_paths([str(p) for p in paths], source)

    return run
