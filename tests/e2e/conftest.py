"""Browser tests: headless Debian Chromium driven by Playwright (never `playwright install`).

/usr/bin/chromium is installed by scripts/install-chromium.sh when missing (as root, idempotent), so `make test`
brings it itself. The Dagster UI runs from `dagster dev` (webserver + daemon) on a free port over the session's
built lake, warehouse and DAGSTER_HOME (tests/orchestration/orch_helpers.py: one build shared with the
orchestration tests); the dbt docs site is built by `make docs` into a tmp folder and served by a local static
server. Screenshots go to tests/e2e/artifacts/ (gitignored).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from e2e_helpers import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, REPO, free_port, graphql, wait_for_locations

sys.path.insert(0, str(REPO / "tests" / "orchestration"))
from orch_helpers import built_session  # shared with tests/orchestration: one build per session


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def chromium() -> str:
    if not os.path.exists(CHROMIUM):
        done = subprocess.run(
            ["bash", str(REPO / "scripts" / "install-chromium.sh")], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0 and os.path.exists(CHROMIUM), done.stdout[-2000:] + done.stderr[-2000:]
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    session = built_session(tmp_path_factory)
    assert session.run_returncode == 0, session.run_output[-6000:]
    return session


@pytest.fixture(scope="module")
def dagster_ui(built, browser):
    """`dagster dev` (webserver + daemon) on a free port; yields the base URL once the code location loaded."""
    port = free_port()
    log_path = built.root / "dagster_dev.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed in teardown
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "dagster", "dev"),
            *("-w", str(REPO / "orchestration" / "workspace.yaml")),
            *("-h", "127.0.0.1", "-p", str(port)),
        ],
        cwd=REPO,
        env=built.env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_locations(base, process, log_path)
        graphql(base, "mutation { setNuxSeen }")  # no first-visit community dialog over the pages
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends: dagster dev stops its services
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def dbt_docs(built):
    """`make docs` over the session's built warehouse (a real catalog), served by a local static server."""
    site = built.root / "dbt-docs"
    done = subprocess.run(
        # -o: the venv is current (make test ran setup); never re-sync it from inside a test.
        ["make", "--no-print-directory", "-o", ".venv/.synced", "docs", f"DOCS_DIR={site}"],
        cwd=REPO,
        env=built.env(DBT_LOG_PATH=str(built.root / "dbt-docs-logs")),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args, **kwargs: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    manifest = json.loads((site / "manifest.json").read_text())
    catalog = json.loads((site / "catalog.json").read_text())
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", manifest, catalog
    finally:
        server.shutdown()
        server.server_close()
