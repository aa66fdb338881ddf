"""Resource bounds: decompression caps reject a gzip bomb (and an over-large export) with a reason, and the scratch
a killed ingest leaves in `lake/_tmp/` is removed by the next run, never a live run's."""

from __future__ import annotations

import gzip
import json
import signal
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from ingest_helpers import make_ingestor, write
from test_s3 import make_bucket, s3  # noqa: F401 - the S3 server fixture

from commerce_analytics import cli
from commerce_analytics.settings import load_settings
from ingestion.ingest import Ingestor
from ingestion.lake import Lake

INVOICES = (
    "tracking_number,order_reference,ship_date,service,weight_kg,cost,currency\n"
    "1Z1,#1,2025-09-01,UPS Ground,1.00,9.99,USD\n"
)


def gzip_bomb(path, expanded_mib: int):
    """A valid header and row, then MiBs of blank lines: 1000x smaller compressed than expanded."""
    stream = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    with open(path, "wb") as out:
        out.write(stream.compress(INVOICES.encode()))
        block = b"\n" * (1024 * 1024)
        for _ in range(expanded_mib):
            out.write(stream.compress(block))
        out.write(stream.flush())
    return path


def ingestor_with(lake: str, endpoint: str | None = None, **env: str) -> Ingestor:
    settings = load_settings({"COMMERCE_LAKE": lake, **({"AWS_ENDPOINT_URL": endpoint} if endpoint else {}), **env})
    return Ingestor(settings, Lake(lake, endpoint))


def test_a_gzip_bomb_is_rejected_by_the_ratio_cap(lake, tmp_path):
    bomb = gzip_bomb(tmp_path / "invoices.csv.gz", 64)
    assert bomb.stat().st_size * 200 < 64 * 1024 * 1024
    [result] = make_ingestor(str(lake)).ingest_paths([str(bomb)])
    assert result.status == "rejected" and "COMMERCE_INGEST_MAX_COMPRESSION_RATIO" in result.message
    assert not list((lake / "_tmp").iterdir()), "its scratch is gone"
    manifest = json.loads((lake / "_manifests" / "unknown" / f"{result.sha256}.json").read_text())
    assert manifest["status"] == "rejected"


def test_the_total_cap_rejects_an_export_that_expands_too_far(lake, tmp_path):
    big = write(
        tmp_path / "invoices.csv", INVOICES + "".join(f"1Z{i},#{i},2025-09-01,UPS,1,9.99,USD\n" for i in range(40_000))
    )
    packed = tmp_path / "invoices.csv.gz"
    packed.write_bytes(gzip.compress(big.read_bytes(), mtime=0))
    [capped] = ingestor_with(str(lake), COMMERCE_INGEST_MAX_DECOMPRESSED_MIB="1").ingest_paths([str(packed)])
    assert capped.status == "rejected" and "COMMERCE_INGEST_MAX_DECOMPRESSED_MIB" in capped.message
    [landed] = ingestor_with(str(tmp_path / "other-lake")).ingest_paths([str(packed)])
    assert (landed.status, landed.rows_landed) == ("landed", 40_001), "within the default caps it lands"


def test_a_gzip_bomb_on_the_s3_server_is_rejected(s3, tmp_path):  # noqa: F811
    url = make_bucket(s3, "lake-bomb")
    lake = Lake(url, s3)
    lake.fs.put_file(str(gzip_bomb(tmp_path / "invoices.csv.gz", 64)), lake.path("inbox/invoices.csv.gz"))
    ingestor = ingestor_with(url, s3)
    [result] = ingestor.ingest_paths([ingestor.settings.inbox])
    assert result.status == "rejected" and "COMMERCE_INGEST_MAX_COMPRESSION_RATIO" in result.message
    assert lake.list("inbox") == [] and lake.list("_manifests/unknown")


# Holds a work folder open, as an ingest does mid-file, until it is killed.
HOLDER = """
import sys, time
from ingestion.lake import Lake
with Lake(sys.argv[1]).workdir() as work:
    (work / "original").write_bytes(b"x" * 1024)
    print(work, flush=True)
    time.sleep(600)
"""


@pytest.mark.parametrize("where", ["local", "s3"])
def test_scratch_of_a_killed_ingest_is_cleaned_by_the_next_run_never_a_live_one(where, lake, tmp_path, request):
    url = str(lake) if where == "local" else make_bucket(request.getfixturevalue("s3"), "lake-scratch")
    endpoint = None if where == "local" else request.getfixturevalue("s3")
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, url], stdout=subprocess.PIPE, text=True)
    try:
        work = Path(holder.stdout.readline().strip())
        assert work.parent == Lake(url, endpoint).scratch()[0]  # lake/_tmp locally, the system's for S3
        make_ingestor(url, endpoint).ingest_paths([str(write(tmp_path / "a.csv", INVOICES))])
        assert work.exists(), "in use by a live run: kept"
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=60)
    assert work.exists(), "the killed run left its scratch"
    [result] = make_ingestor(url, endpoint).ingest_paths(
        [str(write(tmp_path / "b.csv", INVOICES.replace("1Z1", "1Z2")))]
    )
    assert result.status == "landed"
    assert not work.exists(), "the next run removed it"
    if where == "local":
        assert list((lake / "_tmp").iterdir()) == []


def _big_gaql_json(tmp_path: Path) -> Path:
    """A 40 MB Google Ads JSON document: parsing it takes several times its size."""
    results = [
        {
            "campaign": {"id": str(i), "name": f"Search - Brand {i}"},
            "segments": {"date": "2025-09-01"},
            "metrics": {"clicks": "5", "impressions": "100", "costMicros": "1230000", "conversions": 1.0},
        }
        for i in range(200_000)
    ]
    big = tmp_path / "campaign_daily_gaql.json"
    big.write_text(json.dumps([{"results": results}]))
    return big


def test_the_memory_cap_turns_a_silent_oom_kill_into_exit_3(lake, tmp_path, monkeypatch, capsys):
    """Parsing a 40 MB JSON document takes several times its size; capped at 400 MiB the ingest process fails and
    the run says so (exit 3) instead of vanishing, nothing of the file is recorded; small files fit."""
    big = _big_gaql_json(tmp_path)
    monkeypatch.setenv("COMMERCE_LAKE", str(lake))
    monkeypatch.setenv("COMMERCE_INGEST_MEMORY_MIB", "400")
    assert cli.main(["ingest", str(big)]) == 3
    err = capsys.readouterr().err
    assert "COMMERCE_INGEST_MEMORY_MIB" in err and "exit 3" in err
    assert not (lake / "_manifests" / "google_ads").exists()
    assert cli.main(["ingest", str(write(tmp_path / "inv.csv", INVOICES))]) == 0


def test_the_dagster_ingestion_ops_land_under_the_same_memory_cap(lake, tmp_path):
    """The ingestion ops call `ingest_paths_capped` (orchestration/defs/ingestion.py): past the cap the step fails
    with a RunFailure naming the setting, rather than the OOM killer taking the run worker; small files land."""
    from ingestion.ingest import RunFailure, ingest_paths_capped

    big = _big_gaql_json(tmp_path)
    settings = load_settings({"COMMERCE_LAKE": str(lake), "COMMERCE_INGEST_MEMORY_MIB": "400"})
    with pytest.raises(RunFailure, match="COMMERCE_INGEST_MEMORY_MIB"):
        ingest_paths_capped(settings, [str(big)])
    assert not (lake / "_manifests" / "google_ads").exists()
    [result] = ingest_paths_capped(settings, [str(write(tmp_path / "inv.csv", INVOICES))])
    assert result.status == "landed"
