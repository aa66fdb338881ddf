"""Connector cursors in the lake: `_state/<source>/<account>.json`, written only after the pulled files landed
(a pull that fails leaves the previous cursor, so the next run re-pulls the same window)."""

from __future__ import annotations

import re

from ingestion.lake import Lake

STATE_PREFIX = "_state"


def state_rel(source: str, account: str) -> str:
    """The lake-relative path of an account's state: the account made safe as one path segment."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", account).strip("._") or "default"
    return f"{STATE_PREFIX}/{source}/{safe}.json"


def read_state(lake: Lake, source: str, account: str) -> dict:
    return lake.read_json(state_rel(source, account)) or {}


def write_state(lake: Lake, source: str, account: str, state: dict) -> None:
    with lake.workdir() as work:
        lake.write_json(state_rel(source, account), state, work)
