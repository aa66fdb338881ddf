"""Paths and environment helpers shared by the dbt tests and their conftest."""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PROJECT_DIR = REPO / "dbt_project"
CLI = Path(sys.executable).parent / "commerce-analytics"
DBT = Path(sys.executable).parent / "dbt"

# Settings the builds must not inherit from the developer's shell.
_SCRUBBED = (
    "COMMERCE_LAKE",
    "COMMERCE_INBOX",
    "COMMERCE_WAREHOUSE",
    "DBT_TARGET",
    "DBT_TARGET_PATH",
    "DBT_LOG_PATH",
    "AWS_ENDPOINT_URL",
)


def clean_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
    env.update(overrides)
    return env
