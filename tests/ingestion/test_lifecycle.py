"""Reprocessing after a parser fix, crash safety, the inbox and the command line."""

from __future__ import annotations

import json

import pytest
from ingest_helpers import landed, make_ingestor, write

from commerce_analytics import cli
from ingestion.formats import FORMATS
from ingestion.ingest import RunFailure
from ingestion.lake import Lake

INVOICES = (
    "tracking_number,order_reference,ship_date,service,weight_kg,cost,currency\n"
    "1Z1,#1,2025-09-01,UPS Ground,1.00,9.99,USD\n"
)


def visible(lake_path) -> list[str]:
    """Landed files whose manifest exists and names their parser version (the documented visibility rule)."""
    out = []
    for manifest in (lake_path / "_manifests").glob("*/*.json"):
        data = json.loads(manifest.read_text())
        if manifest.parent.name not in ("sha256", "deliveries") and data.get("status") in ("landed", "partial"):
            out += [f for f in data["files"] if f.startswith("landed/")]
    return sorted(out)


def test_reprocess_relands_from_raw_after_a_parser_fix(lake, tmp_path, monkeypatch):
    path = write(tmp_path / "inv.csv", INVOICES)
    [first] = make_ingestor(str(lake)).ingest_paths([str(path)])
    path.unlink()  # raw/ keeps the bytes
    first_ingested_at = json.loads((lake / f"_manifests/brand/{first.sha256}.json").read_text())["ingested_at"]
    old_files = visible(lake)
    assert [r.status for r in make_ingestor(str(lake)).reprocess()] == ["duplicate"]
    monkeypatch.setattr(FORMATS["brand_carrier_invoices"], "version", "2")
    [again] = make_ingestor(str(lake)).reprocess()
    assert (again.status, again.parser_version, again.rows_landed) == ("landed", "brand_carrier_invoices@2", 1)
    manifest = json.loads((lake / f"_manifests/brand/{first.sha256}.json").read_text())
    assert manifest["parser_version"] == "brand_carrier_invoices@2"
    assert manifest["ingested_at"] == first_ingested_at  # reprocessing keeps the delivery time (versions stay ordered)
    new_files = visible(lake)
    assert new_files != old_files and all("-v2.parquet" in f for f in new_files)
    assert not any((lake / f).exists() for f in old_files)  # the superseded version's files are gone
    rows = landed(lake, "brand", "carrier_invoices")
    assert len(rows) == 1 and rows[0]["_parser_version"] == "brand_carrier_invoices@2"


def test_a_crash_mid_file_leaves_nothing_visible_and_a_rerun_completes(lake, demo, monkeypatch):
    path = demo.out / "shopify/orders_export_1.csv"
    ingestor = make_ingestor(str(lake))
    calls = {"n": 0}
    original = Lake.publish

    def crash_after_two(self, local, rel):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("simulated crash")
        return original(self, local, rel)

    monkeypatch.setattr(Lake, "publish", crash_after_two)
    with pytest.raises(RunFailure, match="simulated crash"):  # the run failed (exit 3), not the file
        ingestor.ingest_paths([str(path)])
    monkeypatch.setattr(Lake, "publish", original)
    assert visible(lake) == []  # data files may exist, but no manifest makes them visible
    assert not list((lake / "_manifests").glob("shopify/*.json"))
    [result] = make_ingestor(str(lake)).ingest_paths([str(path)])
    assert result.status == "landed"
    assert len(landed(lake, "shopify", "order_lines")) == result.rows_landed  # nothing doubled
    assert not list((lake / "_tmp").iterdir())


def test_cli_exit_codes_and_inbox(lake, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COMMERCE_LAKE", str(lake))
    monkeypatch.delenv("COMMERCE_INBOX", raising=False)
    monkeypatch.setenv("COMMERCE_INBOX_SETTLE_SECONDS", "0")  # whole files written at once (test_inbox_settling.py)
    inbox = lake / "inbox"
    write(inbox / "carrier.csv", INVOICES)
    assert cli.main(["ingest"]) == 0
    out = capsys.readouterr().out
    assert "LANDED" in out and "1 read = 1 landed + 0 quarantined" in out
    assert list(inbox.iterdir()) == []  # recorded files leave the inbox; raw/ keeps them
    write(inbox / "bad.csv", INVOICES.replace("9.99", "nine"))
    assert cli.main(["ingest"]) == 1
    assert "bad.csv:2: cost: 'nine' is not a number" in capsys.readouterr().out
    write(inbox / "junk.csv", "a,b\n1,2\n")
    assert cli.main(["ingest"]) == 2
    assert "REJECTED" in capsys.readouterr().err
    kept = write(tmp_path / "keep" / "carrier.csv", INVOICES)
    assert cli.main(["ingest", str(kept), "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[0])["status"] == "duplicate"
    assert kept.exists()  # files outside the inbox are never removed
    assert cli.main(["ingest", str(tmp_path / "missing.csv")]) == 2


def test_control_characters_in_file_names_are_escaped_when_printed(lake, tmp_path, monkeypatch, capsys):
    """A crafted name cannot clear the terminal, recolour it or fake a result line."""
    monkeypatch.setenv("COMMERCE_LAKE", str(lake))
    folder = tmp_path / "drop"
    write(folder / "carrier\x1b[2J\nLANDED fake.csv", INVOICES.replace("9.99", "nine"))
    write(folder / "junk\r\x07.csv", "a,b\n1,2\n")
    assert cli.main(["ingest", str(folder), "--keep-inbox"]) == 2
    captured = capsys.readouterr()
    printed = captured.out + captured.err
    assert not [ch for ch in printed if ch != "\n" and not ch.isprintable()], printed
    assert "carrier\\x1b[2J\\nLANDED fake.csv" in captured.out
    assert not [line for line in printed.splitlines() if line.startswith("LANDED fake")]
    assert "junk\\r\\x07.csv" in captured.err
