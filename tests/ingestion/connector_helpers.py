"""Helpers for the connector tests: settings pointing at a loopback recorded-response server, fast retries."""

from __future__ import annotations

from pathlib import Path

from commerce_analytics.settings import load_settings

FAST_RETRIES = {
    "COMMERCE_PULL_RETRY_ATTEMPTS": "6",
    "COMMERCE_PULL_BACKOFF_SECONDS": "0.01",
    "COMMERCE_PULL_BACKOFF_MAX_SECONDS": "0.05",
    "COMMERCE_PULL_DEADLINE_SECONDS": "20",
    "COMMERCE_PULL_TIMEOUT_SECONDS": "5",
}


def connector_settings(lake: Path, **env: str):
    return load_settings({"COMMERCE_LAKE": str(lake), "COMMERCE_TIMEZONE": "America/New_York", **FAST_RETRIES, **env})


def lake_files(lake: Path, prefix: str) -> list[str]:
    return sorted(str(p.relative_to(lake)) for p in (lake / prefix).rglob("*") if p.is_file())
