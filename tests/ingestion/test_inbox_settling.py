"""Files still being written are left alone: a local inbox file is ingested only once unmodified for
COMMERCE_INBOX_SETTLE_SECONDS, temporary names (`.part`, `.tmp`, `~$`) are never exports, and an inbox file is
removed only if its bytes still hash to what landed. Before, a slowly copied file landed 60 % of its rows and was
deleted under its writer."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from ingest_helpers import landed, make_ingestor, write
from test_s3 import make_bucket, s3  # noqa: F401 - the S3 server fixture

from commerce_analytics.settings import load_settings
from ingestion.ingest import Ingestor
from ingestion.lake import Lake
from orchestration.lib.inbox import list_files

HEADER = "tracking_number,order_reference,ship_date,service,weight_kg,cost,currency\n"
ROWS = [f"1Z{i:04d},#{i},2025-09-01,UPS Ground,1.00,9.99,USD\n" for i in range(10)]

# A writer in its own process that appends one piece per line it reads, like a slow copy or download.
WRITER = """
import sys
path, pieces = sys.argv[1], sys.argv[2:]
with open(path, "w") as out:
    for piece in pieces:
        sys.stdin.readline()
        out.write(piece.replace("|", "\\n"))
        out.flush()
        print("written", flush=True)
"""


def settling_ingestor(lake: Path, seconds: float) -> Ingestor:
    settings = load_settings(
        {"COMMERCE_LAKE": str(lake), "COMMERCE_INBOX_SETTLE_SECONDS": str(seconds), "COMMERCE_TIMEZONE": "UTC"}
    )
    return Ingestor(settings, Lake(settings.lake))


def backdate(path: Path, seconds: float) -> None:
    """As if `seconds` had passed since the last write."""
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_a_file_being_written_is_not_ingested_until_it_settles(lake):
    inbox = lake / "inbox"
    inbox.mkdir(parents=True)
    target = inbox / "carrier_invoices.csv"
    pieces = [HEADER + "".join(ROWS[:4]), "".join(ROWS[4:7]), "".join(ROWS[7:])]
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(target), *(p.replace("\n", "|") for p in pieces)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    ingestor = settling_ingestor(lake, 30)
    try:
        for _ in pieces:
            writer.stdin.write("go\n")
            writer.stdin.flush()
            assert writer.stdout.readline() == "written\n"
            [result] = ingestor.ingest_paths([str(inbox)])
            assert result.status == "waiting" and "COMMERCE_INBOX_SETTLE_SECONDS" in result.message
            assert target.exists(), "a file still being written stays where its writer writes"
            assert not (lake / "_manifests" / "brand").exists() and not landed(lake, "brand", "carrier_invoices")
    finally:
        writer.stdin.close()
        assert writer.wait(timeout=60) == 0
    backdate(target, 31)
    [result] = ingestor.ingest_paths([str(inbox)])
    assert (result.status, result.rows_read, result.rows_landed) == ("landed", 10, 10)
    assert not target.exists()


def test_an_inbox_file_is_removed_only_if_it_still_holds_what_landed(lake, monkeypatch):
    inbox = lake / "inbox"
    target = write(inbox / "carrier_invoices.csv", HEADER + "".join(ROWS[:5]))
    backdate(target, 60)
    ingestor = settling_ingestor(lake, 30)
    original = Ingestor._ingest

    def writer_resumes_meanwhile(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        appender = "import sys; open(sys.argv[1], 'a').write(sys.argv[2])"
        subprocess.run([sys.executable, "-c", appender, str(target), "".join(ROWS[5:])], check=True)
        return result

    monkeypatch.setattr(Ingestor, "_ingest", writer_resumes_meanwhile)
    [first] = ingestor.ingest_paths([str(inbox)])
    assert (first.status, first.rows_landed) == ("landed", 5)
    assert target.exists(), "the bytes changed after they were read: the file stays for the next run"
    monkeypatch.setattr(Ingestor, "_ingest", original)
    backdate(target, 60)
    [second] = ingestor.ingest_paths([str(inbox)])
    assert (second.status, second.rows_landed) == ("landed", 10)
    assert not target.exists()
    assert len(landed(lake, "brand", "carrier_invoices")) == 15  # two versions; staging keeps the latest per key


def test_temporary_names_are_never_exports(lake):
    inbox = lake / "inbox"
    names = ["invoices.csv.part", "invoices.csv.tmp", "~$invoices.csv", "download.crdownload"]
    for name in names:
        backdate(write(inbox / name, HEADER + ROWS[0]), 60)
    assert settling_ingestor(lake, 30).ingest_paths([str(inbox)]) == []
    assert list_files(str(inbox)) == []
    assert sorted(p.name for p in inbox.iterdir()) == sorted(names)


def test_the_sensor_lists_only_settled_files(tmp_path):
    settled = write(tmp_path / "inbox" / "old.csv", HEADER + ROWS[0])
    backdate(settled, 60)
    write(tmp_path / "inbox" / "fresh.csv", HEADER + ROWS[1])
    assert [Path(f.path).name for f in list_files(str(tmp_path / "inbox"), settle_seconds=30)] == ["old.csv"]
    assert len(list_files(str(tmp_path / "inbox"), settle_seconds=0)) == 2


def test_s3_objects_are_atomic_and_need_no_settling(s3, tmp_path):  # noqa: F811
    url = make_bucket(s3, "lake-settle")
    lake = Lake(url, s3)
    lake.fs.put_file(str(write(tmp_path / "inv.csv", HEADER + "".join(ROWS))), lake.path("inbox/inv.csv"))
    lake.fs.pipe_file(lake.path("inbox/inv.csv.part"), (HEADER + ROWS[0]).encode())
    settings = load_settings({"COMMERCE_LAKE": url, "AWS_ENDPOINT_URL": s3, "COMMERCE_INBOX_SETTLE_SECONDS": "3600"})
    [result] = Ingestor(settings, Lake(url, s3)).ingest_paths([settings.inbox])
    assert (result.status, result.rows_landed) == ("landed", 10)
    assert lake.list("inbox") == ["inbox/inv.csv.part"], "an upload in progress under a temporary name stays"
    assert make_ingestor(url, s3).ingest_paths([settings.inbox]) == []
