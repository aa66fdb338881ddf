"""One bad file never stops the others: whatever its bytes provoke becomes that file's rejection with a reason,
the rest of the batch lands, and only the run itself failing (disk, lake, memory) exits 3."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest
from ingest_helpers import make_ingestor, quarantined, write
from test_s3 import make_bucket, s3  # noqa: F401 - the S3 server fixture

from commerce_analytics import cli
from ingestion.ingest import exit_code
from ingestion.lake import Lake

INVOICES = (
    "tracking_number,order_reference,ship_date,service,weight_kg,cost,currency\n"
    "1Z1,#1,2025-09-01,UPS Ground,1.00,9.99,USD\n"
)
ORDER = {"id": 1, "order_number": 1001, "financial_status": "paid", "total_price": "1.00", "line_items": []}


def bad_files(folder: Path) -> dict[str, Path]:
    """The three files that crashed the whole ingest (traceback, exit 1, nothing recorded)."""
    folder.mkdir(parents=True, exist_ok=True)
    mac = folder / "a_classic_mac.csv"
    mac.write_bytes(INVOICES.replace("\n", "\r").encode())
    noise = folder / "b_noise.csv"
    noise.write_bytes(bytes((i * 7919 + 13) % 256 for i in range(4096)))
    deep = folder / "c_deep.jsonl"
    deep.write_text(json.dumps(ORDER) + "\n" + '{"id": 2, "line_items": ' + "[" * 100_000 + "]" * 100_000 + "}\n")
    return {"mac": mac, "noise": noise, "deep": deep}


def test_bad_files_are_rejected_with_a_reason_and_the_rest_of_the_batch_lands(lake, tmp_path):
    files = bad_files(tmp_path / "drop")
    good = write(tmp_path / "drop" / "d_invoices.csv", INVOICES)
    results = {Path(r.source_file).name: r for r in make_ingestor(str(lake)).ingest_paths([str(tmp_path / "drop")])}
    assert results["d_invoices.csv"].status == "landed", "the file after the bad ones still lands"
    assert results["a_classic_mac.csv"].status == "rejected"
    assert "carriage return" in results["a_classic_mac.csv"].message
    assert results["b_noise.csv"].status == "rejected" and results["b_noise.csv"].message
    # The deep line is one bad record among good ones: quarantined with its reason, the file still lands.
    deep = results["c_deep.jsonl"]
    assert (deep.status, deep.rows_read) == ("partial", 2)
    reasons = {q["_source_row"]: q["_reason"] for q in quarantined(lake) if q["_source_sha256"] == deep.sha256}
    assert "not a valid JSON object (maximum recursion depth" in reasons[2]
    for name in ("a_classic_mac.csv", "b_noise.csv"):
        manifest = json.loads((lake / "_manifests" / "unknown" / f"{results[name].sha256}.json").read_text())
        assert manifest["status"] == "rejected" and manifest["message"] == results[name].message
    assert exit_code(list(results.values())) == 2
    assert good.exists() and all(f.exists() for f in files.values()), "files outside the inbox are left alone"


def test_a_parser_crash_rejects_the_file_under_its_source(lake, tmp_path, monkeypatch):
    from ingestion.formats import FORMATS

    def crash(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(FORMATS["brand_carrier_invoices"], "transform", crash)
    [result] = make_ingestor(str(lake)).ingest_paths([str(write(tmp_path / "inv.csv", INVOICES))])
    assert result.status == "rejected" and "RecursionError" in result.message
    manifest = json.loads((lake / "_manifests" / "brand" / f"{result.sha256}.json").read_text())
    assert manifest["status"] == "rejected" and manifest["format"] == "brand_carrier_invoices"


def test_bad_files_on_the_s3_server_are_rejected_and_leave_the_inbox(s3, tmp_path):  # noqa: F811
    url = make_bucket(s3, "lake-bad-files")
    lake = Lake(url, s3)
    for path in [*bad_files(tmp_path).values(), write(tmp_path / "inv.csv", INVOICES)]:
        lake.fs.put_file(str(path), lake.path(f"inbox/{path.name}"))
    ingestor = make_ingestor(url, s3)
    results = {Path(r.source_file).name: r.status for r in ingestor.ingest_paths([ingestor.settings.inbox])}
    assert results == {
        "a_classic_mac.csv": "rejected",
        "b_noise.csv": "rejected",
        "c_deep.jsonl": "partial",
        "inv.csv": "landed",
    }
    assert lake.list("inbox") == [], "recorded (landed or rejected) files leave the inbox"
    assert len(lake.list("_manifests/unknown")) == 2


def test_cli_exit_codes_for_bad_files_and_a_failed_run(lake, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COMMERCE_LAKE", str(lake))
    files = bad_files(tmp_path / "drop")
    assert cli.main(["ingest", str(files["mac"]), str(write(tmp_path / "inv.csv", INVOICES))]) == 2
    assert "REJECTED" in capsys.readouterr().err

    # The disk fills up while landing: the run failed (3), not "rows quarantined" (1); nothing half-visible.
    def disk_full(self, local, rel):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    recorded = sorted((lake / "_manifests" / "sha256").iterdir())
    monkeypatch.setattr(Lake, "publish", disk_full)
    other = write(tmp_path / "other.csv", INVOICES.replace("1Z1", "1Z2"))
    assert cli.main(["ingest", str(other)]) == 3
    err = capsys.readouterr().err
    assert "No space left on device" in err and "exit 3" in err
    assert sorted((lake / "_manifests" / "sha256").iterdir()) == recorded, "the file is not recorded as rejected"


def test_cli_exits_3_when_the_s3_lake_is_unusable(s3, tmp_path, monkeypatch, capsys):  # noqa: F811
    monkeypatch.setenv("COMMERCE_LAKE", "s3://no-such-bucket-here/lake")
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3)
    assert cli.main(["ingest", str(write(tmp_path / "inv.csv", INVOICES))]) == 3
    assert "exit 3" in capsys.readouterr().err


def test_out_of_memory_is_a_failed_run(lake, tmp_path, monkeypatch, capsys):
    from ingestion.formats import FORMATS

    def allocate(*args, **kwargs):
        raise MemoryError

    monkeypatch.setenv("COMMERCE_LAKE", str(lake))
    monkeypatch.setattr(FORMATS["brand_carrier_invoices"], "transform", allocate)
    assert cli.main(["ingest", str(write(tmp_path / "inv.csv", INVOICES))]) == 3
    assert "MemoryError" in capsys.readouterr().err
    assert not (lake / "_manifests" / "brand").exists(), "not recorded as the file's fault"


@pytest.mark.parametrize("name", ["mac", "noise"])
def test_classify_never_raises(tmp_path, name):
    from orchestration.lib.inbox import classify

    found = classify(str(bad_files(tmp_path)[name]))
    assert found.source is None and found.problem
