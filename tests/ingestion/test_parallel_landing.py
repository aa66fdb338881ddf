"""Files landed in parallel (COMMERCE_INGEST_WORKERS) are recorded as a one-file-at-a-time run would record them.

The first file is made slow, so later files finish first: their manifests must still wait for it (delivery times
and manifests in the given order, the rule incremental models rely on), the same bytes twice are still a
duplicate of the earlier name, and a run failure still records only the files before the failing one.
"""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

import polars as pl
import pytest
from ingest_helpers import copy, landed, quarantined, write

from commerce_analytics.settings import load_settings
from ingestion.formats.base import JSON_DECODERS, json_lines_batches
from ingestion.formats.shopify_orders_json import ORDER_FIELDS
from ingestion.ingest import Ingestor, RunFailure
from ingestion.lake import Lake

INVOICES = (
    "tracking_number,order_reference,ship_date,service,weight_kg,cost,currency\n"
    "1Z1,#1,2025-09-01,UPS Ground,1.00,9.99,USD\n"
    "1Z2,#2,not a date,UPS Ground,1.00,4.50,USD\n"
)


def _ingestor(lake: Path, workers: int) -> Ingestor:
    env = {"COMMERCE_LAKE": str(lake), "COMMERCE_TIMEZONE": "America/New_York", "COMMERCE_INGEST_WORKERS": str(workers)}
    settings = load_settings(env)
    return Ingestor(settings, Lake(settings.lake))


def _exports(demo, folder: Path) -> list[Path]:
    """Real exports of several formats, one with a quarantined row, the same bytes under a second name, and a file
    no format recognises."""
    return [
        copy(demo.out / "shopify/orders_export_1.csv", folder / "a_orders.csv"),
        write(folder / "b_invoices.csv", INVOICES),
        copy(demo.out / "brand/products.csv", folder / "c_products.csv"),
        copy(demo.out / "brand/products.csv", folder / "d_products_again.csv"),
        write(folder / "e_notes.csv", "what,ever\n1,2\n"),
        copy(demo.out / "brand/cogs.csv", folder / "f_cogs.csv"),
    ]


def _slow_first_file(monkeypatch, name: str, seconds: float) -> None:
    parse = Ingestor._parse

    def slow(self, delivery, *args, **kwargs):
        if delivery.display.endswith(name):
            time.sleep(seconds)
        return parse(self, delivery, *args, **kwargs)

    monkeypatch.setattr(Ingestor, "_parse", slow)


def _manifests(lake: Path) -> dict[str, dict]:
    out = {}
    for path in sorted((lake / "_manifests").glob("*/*.json")):
        if path.parent.name != "sha256":
            manifest = json.loads(path.read_text())
            out[Path(manifest["source_file"]).name] = manifest
    return out


def _without_stamps(rows: list[dict]) -> list[dict]:
    return sorted(
        ({k: v for k, v in row.items() if k not in ("_ingested_at", "_record_version")} for row in rows), key=repr
    )


def test_parallel_landing_records_what_one_file_at_a_time_does(demo, tmp_path, monkeypatch):
    files = _exports(demo, tmp_path / "exports")
    serial = _ingestor(tmp_path / "serial", 1).ingest_paths([str(tmp_path / "exports")])
    _slow_first_file(monkeypatch, "a_orders.csv", 1.5)
    recorded: list[tuple[str, bool]] = []
    write_manifest = Ingestor._write_manifest

    def note(self, delivery, *args, **kwargs):
        recorded.append((Path(delivery.display).name, threading.current_thread() is threading.main_thread()))
        return write_manifest(self, delivery, *args, **kwargs)

    monkeypatch.setattr(Ingestor, "_write_manifest", note)
    parallel = _ingestor(tmp_path / "parallel", 3).ingest_paths([str(tmp_path / "exports")])

    def outcome(results):
        return [(Path(r.source_file).name, r.status, r.rows_read, r.rows_landed, r.rows_quarantined) for r in results]

    assert outcome(parallel) == outcome(serial)

    def said(results):  # a duplicate's message names the first delivery's time: the one thing that differs
        return [(re.sub(r"ingested [^,]+,", "", r.message), r.entities, r.examples) for r in results]

    assert said(parallel) == said(serial)
    statuses = {Path(r.source_file).name: r.status for r in parallel}
    assert statuses == {
        "a_orders.csv": "landed",
        "b_invoices.csv": "partial",
        "c_products.csv": "landed",
        "d_products_again.csv": "duplicate",
        "e_notes.csv": "rejected",
        "f_cogs.csv": "landed",
    }
    assert "duplicate of " in parallel[3].message and parallel[3].message.split(" (")[0].endswith("c_products.csv")
    # Manifests written by the run's thread in the given order although the first file finished last...
    assert recorded == [(p.name, True) for p in files if p.name != "d_products_again.csv"]
    # ...with delivery times in that order too.
    manifests = _manifests(tmp_path / "parallel")
    stamps = [manifests[p.name]["ingested_at"] for p in files if p.name in manifests]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    for source, entity in [("shopify", "orders"), ("shopify", "order_lines"), ("brand", "products"), ("brand", "cogs")]:
        rows = landed(tmp_path / "parallel", source, entity)
        assert rows and _without_stamps(rows) == _without_stamps(landed(tmp_path / "serial", source, entity))
    assert _without_stamps(quarantined(tmp_path / "parallel")) == _without_stamps(quarantined(tmp_path / "serial"))


def test_a_run_failure_while_landing_in_parallel_records_only_the_files_before_it(demo, tmp_path, monkeypatch):
    files = _exports(demo, tmp_path / "exports")
    lake = tmp_path / "lake"
    _slow_first_file(monkeypatch, "a_orders.csv", 1.0)
    publish = Lake.publish

    def disk_full(self, local, rel):
        if rel.startswith("landed/brand/carrier_invoices/"):
            raise OSError(28, "No space left on device")
        return publish(self, local, rel)

    monkeypatch.setattr(Lake, "publish", disk_full)
    with pytest.raises(RunFailure) as failure:
        _ingestor(lake, 3).ingest_paths([str(tmp_path / "exports")])
    assert failure.value.during.endswith("b_invoices.csv")
    assert [Path(r.source_file).name for r in failure.value.results] == ["a_orders.csv"]
    # The files after it finished first, yet none is recorded: their next run lands them as new.
    assert set(_manifests(lake)) == {"a_orders.csv"}
    assert len(list((lake / "_manifests" / "deliveries").rglob("*.json"))) == 1
    monkeypatch.setattr(Lake, "publish", publish)
    again = _ingestor(lake, 3).ingest_paths([str(p) for p in files])
    assert [r.status for r in again] == ["duplicate", "partial", "landed", "duplicate", "rejected", "landed"]


def test_json_lines_blocks_decoded_at_once_come_back_in_file_order(demo):
    """`JSON_DECODERS` blocks of a JSON Lines export are decoded at once: the batches still come in file order,
    each line once with its own line number, the same rows as one block read whole."""
    path = demo.out / "shopify/orders_api.jsonl"
    whole = pl.concat(json_lines_batches(path, ORDER_FIELDS, batch_bytes=1 << 30))
    blocks = list(json_lines_batches(path, ORDER_FIELDS, batch_bytes=16 * 1024))
    assert len(blocks) > 2 * JSON_DECODERS
    assert pl.concat(blocks).equals(whole)
    assert whole.get_column("_source_row").is_sorted() and whole.get_column("_source_row").is_unique().all()
