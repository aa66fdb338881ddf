"""Withdrawing a delivery (`retract`) and landing it again on purpose (`ingest --reinstate`), on a local lake
and on the S3 server; which deliveries a snapshot entity keeps is tested through dbt
(tests/dbt/test_retract_in_marts.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from ingest_helpers import make_ingestor, write

from ingestion.ingest import exit_code
from ingestion.lake import Lake
from ingestion.retract import RETRACTED, resolve_sha256, retract
from warehouse.targets import visible_files

COGS = "sku,effective_from,unit_cost,currency\nAG-1,2024-01-01,10.00,USD\nAG-2,2024-01-01,4.00,USD\n"
TYPO = COGS + "AG-2,2024-03-01,400.00,USD\n"


def visible_cogs(lake: Lake) -> list[str]:
    return [rel for rel, _ in visible_files(lake).files.get("brand/cogs", [])]


def check_retract_cycle(lake_url: str, tmp_path, endpoint: str | None = None) -> None:
    ingestor = make_ingestor(lake_url, endpoint)
    lake = ingestor.lake
    typo = write(tmp_path / "cogs_typo.csv", TYPO)
    [landed] = ingestor.ingest_paths([str(typo)])
    assert landed.status == "landed" and len(visible_cogs(lake)) == 1

    sha = resolve_sha256(lake, str(typo), endpoint)
    assert sha == landed.sha256 == resolve_sha256(lake, sha[:10]) == resolve_sha256(lake, "cogs_typo.csv")
    done = retract(lake, sha, "unit cost typo in row 4", by="tester")
    assert (done.status_before, done.rows_withdrawn) == ("landed", 3)
    assert visible_cogs(lake) == []
    manifest = lake.read_json(f"_manifests/brand/{sha}.json")
    assert manifest["status"] == RETRACTED and manifest["retraction"]["by"] == "tester"
    log = [lake.read_json(rel) for rel in lake.list("_manifests/deliveries")]
    assert [e["status"] for e in log if e["status"] == RETRACTED] == [RETRACTED]
    assert lake.exists(f"raw/{sha[:2]}/{sha}"), "the raw bytes stay"
    with pytest.raises(ValueError, match="retracted"):
        retract(lake, sha, "again")

    # The same bytes again: a duplicate that stays withdrawn, also through a forced re-parse.
    [again] = ingestor.ingest_paths([str(typo)])
    assert again.status == "duplicate" and "--reinstate" in again.message and exit_code([again]) == 0
    ingestor.reprocess(force=True)
    assert visible_cogs(lake) == []

    # Deliberately: --reinstate lands it as a new, later delivery.
    [back] = ingestor.ingest_paths([str(typo)], reinstate=True)
    assert back.status == "landed" and len(visible_cogs(lake)) == 1
    reinstated = lake.read_json(f"_manifests/brand/{sha}.json")
    assert reinstated["ingested_at"] > manifest["ingested_at"]


def test_retract_withdraws_and_reinstate_brings_back_local(tmp_path):
    check_retract_cycle(str(tmp_path / "lake"), tmp_path)


def test_retract_unknown_or_ambiguous_names_fail_clearly(tmp_path):
    ingestor = make_ingestor(str(tmp_path / "lake"))
    ingestor.ingest_paths([str(write(tmp_path / "a/cogs.csv", COGS)), str(write(tmp_path / "b/cogs.csv", TYPO))])
    with pytest.raises(ValueError, match="no delivery"):
        resolve_sha256(ingestor.lake, "products.csv")
    with pytest.raises(ValueError, match="names 2 deliveries"):
        resolve_sha256(ingestor.lake, "cogs.csv")


def test_retract_cli(tmp_path, monkeypatch):
    lake = tmp_path / "lake"
    typo = write(tmp_path / "cogs_typo.csv", TYPO)
    make_ingestor(str(lake)).ingest_paths([str(typo)])
    env = {"COMMERCE_LAKE": str(lake), "PATH": "/usr/bin:/bin"}
    cli = [sys.executable, "-m", "commerce_analytics.cli"]
    ok = subprocess.run([*cli, "retract", str(typo), "--reason", "typo"], env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("RETRACTED ") and "3 rows withdrawn" in ok.stdout
    again = subprocess.run([*cli, "retract", str(typo), "--reason", "x"], env=env, capture_output=True, text=True)
    assert again.returncode == 2 and "is retracted" in again.stderr
