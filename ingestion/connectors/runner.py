"""Pull every configured connector's accounts and land what they return through the ingestion path.

Per account: read its cursor, compute the window, pull every page (a connector returns only complete
results), write the files to a private folder and land them with the ingestion entry point the CLI and
Dagster use (same manifests, record keys, dedup, quarantine; recorded as `pull://<source>/<account>/<file>`),
and only then write the new cursor. A failure in one account lands nothing of it and leaves its cursor; the
other accounts and sources still run.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from commerce_analytics.settings import Settings
from ingestion.connectors import CONNECTORS
from ingestion.connectors.base import ConnectorError, NotConfigured, pull_window
from ingestion.connectors.state import read_state, state_rel, write_state
from ingestion.ingest import FileResult, RunFailure, exit_code, ingest_paths_capped
from ingestion.lake import Lake

LANDED, SKIPPED, FAILED = "landed", "skipped", "failed"


@dataclass
class PullResult:
    source: str
    account: str
    status: str
    """landed (pulled and landed, possibly nothing new), skipped (not configured) or failed."""
    message: str
    window: str = ""
    files: list[FileResult] = field(default_factory=list)

    @property
    def new_files(self) -> int:
        return sum(1 for f in self.files if f.status in ("landed", "partial"))

    def summary(self) -> str:
        who = f"{self.source} {self.account}".strip()
        return f"{who}: {self.status}: {self.message}"


def unknown_sources(sources: list[str]) -> list[str]:
    return [s for s in sources if s not in CONNECTORS]


def pull(
    sources: list[str] | None,
    since: dt.date | None,
    until: dt.date | None,
    settings: Settings,
    *,
    today: dt.date | None = None,
) -> list[PullResult]:
    """Pull `sources` (all connectors when empty) for --since/--until (else each cursor's lookback window)."""
    unknown = unknown_sources(sources or [])
    if unknown:
        raise ValueError(f"unknown source(s) {', '.join(unknown)}: choose from {', '.join(CONNECTORS)}")
    lake = Lake(settings.lake, settings.aws_endpoint_url)
    results: list[PullResult] = []
    for source in sources or list(CONNECTORS):
        results.extend(pull_source(source, since, until, settings, lake, today=today))
    return results


def pull_source(
    source: str,
    since: dt.date | None,
    until: dt.date | None,
    settings: Settings,
    lake: Lake,
    *,
    today: dt.date | None = None,
) -> list[PullResult]:
    connector = CONNECTORS[source]
    try:
        accounts = connector.accounts(settings)
    except NotConfigured as exc:
        return [PullResult(source, "", SKIPPED, f"{exc.reason} (see docs/connectors.md)")]
    results = []
    for account in accounts:
        results.append(_pull_account(connector, account, since, until, settings, lake, today))
    return results


def _pull_account(connector, account, since, until, settings, lake, today) -> PullResult:
    source = connector.source
    state = read_state(lake, source, account)
    try:
        window = pull_window(source, state, settings, since, until, today)
        files, new_state = connector.pull(account, window, state, settings)
    except NotConfigured as exc:
        return PullResult(source, account, SKIPPED, f"{exc.reason} (see docs/connectors.md)")
    except ConnectorError as exc:
        return PullResult(source, account, FAILED, f"{exc}; nothing landed, cursor unchanged")
    except ValueError as exc:
        return PullResult(source, account, FAILED, f"{exc}; nothing landed, cursor unchanged")
    label = f"pull://{source}/{account}"
    with tempfile.TemporaryDirectory(prefix=f"commerce-pull-{source}-") as folder:
        for pulled in files:
            path = Path(folder) / pulled.name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(pulled.content)
        # A RunFailure (disk, lake, memory) is the run's, not the account's: it propagates (exit 3, a failed
        # step); the files recorded before it stay, the cursor is unchanged, so the next run re-pulls them.
        landed = ingest_paths_capped(settings, [folder], display_as=label) if files else []
    rejected = [f for f in landed if f.status == "rejected" or "_previous_status" in f.entities]
    if rejected:
        names = ", ".join(f"{f.source_file} ({f.message})" for f in rejected)
        return PullResult(
            source, account, FAILED, f"rejected by ingestion: {names}; cursor unchanged", str(window), landed
        )
    pulled_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    write_state(lake, source, account, {**new_state, "pulled_at": pulled_at, "window": str(window)})
    new = sum(1 for f in landed if f.status in ("landed", "partial"))
    quarantined = sum(f.rows_quarantined for f in landed)
    message = (
        f"{window}: {len(files)} file(s) pulled, {new} new, {len(landed) - new} already landed"
        + (f", {quarantined} row(s) quarantined" if quarantined else "")
        + f"; cursor {new_state.get('cursor', '-')} in {lake.display(state_rel(source, account))}"
    )
    return PullResult(source, account, LANDED, message, str(window), landed)


def pull_exit_code(results: list[PullResult]) -> int:
    """0 everything configured landed (skips are fine), 1 rows quarantined, 2 a pull or file failed."""
    if any(r.status == FAILED for r in results):
        return 2
    return exit_code([f for r in results for f in r.files])


def run_pull_command(sources: list[str], since: dt.date | None, until: dt.date | None) -> int:
    """`commerce-analytics pull`: one line per account, the exit code of `pull_exit_code` (3: the run failed)."""
    import sys

    from commerce_analytics.settings import load_settings

    try:
        results = pull(sources, since, until, load_settings())
    except ValueError as exc:
        print(f"commerce-analytics pull: {exc}", file=sys.stderr)
        return 2
    except RunFailure as exc:
        print(f"commerce-analytics pull: the run failed: {exc}", file=sys.stderr)
        return 3
    for result in results:
        print(result.summary(), file=sys.stderr if result.status == FAILED else sys.stdout)
    return pull_exit_code(results)
