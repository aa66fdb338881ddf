"""The fast paths of ingestion give what the slow ones gave, and large files go to S3 in parts.

- JSON Lines are decoded with polars' `str.json_decode`, falling back to `read_ndjson` and then line by line for a
  block it cannot take: with bad lines in the file, the landed rows and the quarantine are the same either way.
- The delimited scan finds records by positions and binary search: it agrees with a byte-by-byte reading of the
  same text (quotes, embedded newlines, blank lines, NUL bytes, wrong field counts).
- An export above the multipart threshold is uploaded to S3 in parts (its ETag says how many) and reads back whole.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from ingest_helpers import landed, make_ingestor, quarantined, write
from test_s3 import make_bucket, s3  # noqa: F401 - the S3 server fixture

import ingestion.formats.base as base
import ingestion.ingest as ingest_module
from ingestion import textio
from ingestion.lake import expected_etag, raw_path
from ingestion.textio import scan_delimited

FIXTURE = Path(__file__).parent / "fixtures" / "shopify_python_api_fixture_order.json"
ENTITIES = ("orders", "order_lines", "refunds", "refund_lines", "refund_adjustments", "fulfillment_lines")


def _orders_jsonl(path: Path, first_tags: object) -> Path:
    """Shopify order objects, one a line, with lines a parser must quarantine or skip, and one whose `tags` is a
    list (read_ndjson keeps it as JSON text; json_decode refuses it, so its block takes the slower path)."""
    order = json.loads(FIXTURE.read_text())["order"]

    def variant(n: int, **changes) -> str:
        return json.dumps({**order, "id": 450789469 + n, "name": f"#{1001 + n}", **changes})

    bad_quantity = [{**order["line_items"][0], "quantity": "two"}]
    lines = [
        variant(0, tags=first_tags),
        "",
        variant(1, currency="ZZZ"),
        "{not json",
        "   ",
        variant(2, created_at="yesterday"),
        "[1, 2]",
        "null",
        variant(3, line_items=bad_quantity),
        variant(4),
    ]
    return write(path, "\n".join(lines) + "\n")


def _land(lake: Path, path: Path) -> tuple[dict, dict[str, list[dict]], list[dict]]:
    [result] = make_ingestor(str(lake)).ingest_paths([str(path)])
    rows = {name: sorted(landed(lake, "shopify", name), key=repr) for name in ENTITIES}
    return (
        {k: getattr(result, k) for k in ("status", "rows_read", "rows_landed", "rows_quarantined", "entities")},
        rows,
        sorted(quarantined(lake), key=repr),
    )


@pytest.mark.parametrize("tags_as_list", [False, True])
def test_json_lines_fast_path_lands_and_quarantines_what_the_slow_path_did(tmp_path, monkeypatch, tags_as_list):
    monkeypatch.setattr(ingest_module, "_now", lambda: dt.datetime(2026, 12, 5, 12, tzinfo=dt.UTC))
    export = _orders_jsonl(tmp_path / "orders.jsonl", ["vip"] if tags_as_list else "vip")
    fast = _land(tmp_path / "fast", export)
    monkeypatch.setattr(base, "_decode_json_lines", lambda *args: None)  # as before the fast path existed
    slow = _land(tmp_path / "slow", export)
    assert fast == slow
    summary, rows, bad = fast
    assert summary["status"] == "partial"
    assert summary["rows_read"] == summary["rows_landed"] + summary["rows_quarantined"] == 8  # blank lines skipped
    assert {row["_source_row"] for row in bad} == {3, 4, 6, 7, 8, 9}
    assert {o["order_id"] for o in rows["orders"]} == {450789469, 450789473}
    assert ('["vip"]' if tags_as_list else "vip") in {o["tags"] for o in rows["orders"]}


def _scan_byte_by_byte(text: bytes, delimiter: bytes) -> tuple[list[bytes], list[int], list[tuple[int, int, bool]]]:
    """(kept records, their first physical line, (line, fields, has NUL) of set-aside ones) read one byte at a time."""
    records, quoted, start, line, first_line = [], False, 0, 1, 1
    for i, byte in enumerate(text):
        if byte == ord('"'):
            quoted = not quoted
        elif byte == ord("\n"):
            if not quoted:
                records.append((text[start:i], first_line))
                start, first_line = i + 1, line + 1
            line += 1
    header_fields = None
    kept, lines, invalid = [], [], []
    for record, first in records:
        fields, inside = 1, False
        for byte in record:
            if byte == ord('"'):
                inside = not inside
            elif byte == delimiter[0] and not inside:
                fields += 1
        if header_fields is None:
            header_fields = fields
            continue
        if not record:
            continue
        if fields != header_fields or b"\x00" in record:
            invalid.append((first, fields, b"\x00" in record))
        else:
            kept.append(record)
            lines.append(first)
    return kept, lines, invalid


@pytest.mark.parametrize("delimiter", [",", "\t"])
@pytest.mark.parametrize("chunk", [64, textio.CHUNK])  # 64 bytes: records and quotes cut across chunks
def test_the_delimited_scan_agrees_with_a_byte_by_byte_reading(tmp_path, monkeypatch, delimiter, chunk):
    monkeypatch.setattr(textio, "CHUNK", chunk)
    d = delimiter
    rows = [
        f"a{d}b{d}c",
        f"1{d}two{d}3",
        f'"quoted{d} with delimiter"{d}x{d}y',
        f'"multi\nline"{d}"with ""escaped"" quote"{d}z',
        "",
        f"short{d}row",
        f"nul\x00here{d}x{d}y",
        f"too{d}many{d}fields{d}here",
        f'4{d}"a\n\nb"{d}6',
        f"7{d}8{d}9",
    ]
    text = ("\n".join(rows) + "\n").encode()
    source = tmp_path / "text.csv"
    source.write_bytes(text * 300)
    scan = scan_delimited(source, tmp_path, delimiter, 0)
    kept, lines, invalid = _scan_byte_by_byte(text * 300, delimiter.encode())
    body = scan.path.read_bytes().split(b"\n", 1)[1]
    assert body == b"".join(record + b"\n" for record in kept)
    assert np.fromfile(scan.lines_path, dtype=np.int64).tolist() == lines
    assert [(r.line, r.fields, r.has_nul) for r in scan.invalid] == invalid
    assert scan.records == len(kept) and scan.multiline


def test_an_export_above_the_multipart_threshold_goes_up_in_parts_and_reads_back_whole(s3, tmp_path):  # noqa: F811
    part = 5 * 1024 * 1024  # S3's smallest part; s3fs uploads in parts from two parts' worth
    url = make_bucket(s3, "lake-parts")
    header = "tracking_number,order_reference,ship_date,service,weight_kg,cost,currency,note\n"
    rows = "".join(f"1Z{i},#{i},2025-09-01,UPS Ground,1.00,9.99,USD,{'n' * 600_000}\n" for i in range(20))
    big = write(tmp_path / "invoices.csv", header + rows)
    small = write(tmp_path / "small.csv", header + "1Z99,#99,2025-09-01,UPS Ground,1.00,9.99,USD,\n")
    assert big.stat().st_size > 2 * part > small.stat().st_size
    ingestor = make_ingestor(url, s3, part_size=part)
    big_result, small_result = ingestor.ingest_paths([str(big), str(small)])
    assert (big_result.status, big_result.rows_landed, small_result.status) == ("landed", 20, "landed")
    fs = ingestor.lake.fs
    big_raw = ingestor.lake.path(raw_path(big_result.sha256))
    etag = str(fs.info(big_raw, refresh=True)["ETag"]).strip('"')
    assert etag.endswith("-3") and etag == expected_etag(big, part), "uploaded as three parts"
    assert fs.cat_file(big_raw) == big.read_bytes(), "and reads back whole"
    small_etag = str(fs.info(ingestor.lake.path(raw_path(small_result.sha256)), refresh=True)["ETag"]).strip('"')
    assert "-" not in small_etag, "a small file is one PUT"
