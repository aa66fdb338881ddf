"""Helpers for the browser tests (importable: pytest puts this folder on sys.path)."""

from __future__ import annotations

import contextlib
import json
import socket
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"  # gitignored (artifacts/)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
UI_TIMEOUT_S = 240
TARGET_MODEL = "fct_financial_performance"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def graphql(base: str, query: str, variables: dict | None = None) -> dict:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(f"{base}/graphql", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        payload = json.loads(response.read())
    if payload.get("errors"):
        raise AssertionError(f"GraphQL errors: {payload['errors']}")
    return payload["data"]


LOCATIONS = """
{ workspaceOrError { ... on Workspace { locationEntries { name
    locationOrLoadError { __typename ... on PythonError { message } } } } } }
"""

RUNS = """
{ runsOrError(limit: 20) { ... on Runs { results { runId status jobName } } } }
"""


def wait_for_locations(base: str, process, log_path: Path, timeout_s: float = UI_TIMEOUT_S) -> None:
    """Until every code location loaded (raises with the log when one fails or the server exits)."""
    deadline = time.monotonic() + timeout_s
    while True:
        if process.poll() is not None:
            raise AssertionError(f"dagster dev exited: {log_path.read_text()[-3000:]}")
        entries = None
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            entries = graphql(base, LOCATIONS)["workspaceOrError"]["locationEntries"]
        if entries:
            kinds = [(e["locationOrLoadError"] or {}).get("__typename") for e in entries]
            if all(k == "RepositoryLocation" for k in kinds):
                return
            errors = [e["locationOrLoadError"] for e in entries if (e["locationOrLoadError"] or {}).get("message")]
            if errors:
                raise AssertionError(f"code location failed to load: {errors}")
        if time.monotonic() > deadline:
            raise AssertionError(f"the Dagster UI did not come up in time: {log_path.read_text()[-3000:]}")
        time.sleep(2)


def wait_for_new_run(base: str, known: set[str], timeout_s: float = UI_TIMEOUT_S) -> dict:
    """The first run not in `known`, once it has finished."""
    deadline = time.monotonic() + timeout_s
    run = None
    while time.monotonic() < deadline:
        runs = [r for r in graphql(base, RUNS)["runsOrError"]["results"] if r["runId"] not in known]
        run = runs[0] if runs else None
        if run and run["status"] in ("SUCCESS", "FAILURE", "CANCELED"):
            return run
        time.sleep(2)
    raise AssertionError(f"no launched run finished in time (last seen: {run})")


def dismiss_welcome(page) -> None:
    """Dagster OSS may show a one-time dialog; close it so screenshots show the page."""
    for name in ("Skip", "Dismiss", "Close", "Got it"):
        with contextlib.suppress(Exception):
            page.get_by_role("button", name=name).click(timeout=1000)
