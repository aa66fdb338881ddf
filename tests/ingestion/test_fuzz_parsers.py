"""Byte fuzzing of every parser (hypothesis): whatever bytes arrive, the file lands, quarantines rows with reasons,
or is rejected with a reason; never an uncaught exception; rows read = landed + quarantined, as recorded.

Each format is fuzzed from a real sample of it (the demo set's file, or its header) so mutations reach the parser
rather than stopping at detection: bytes spliced in, cut off, overwritten, a gzip stream damaged, or pure noise.
"""

from __future__ import annotations

import gzip
import json
import tempfile
from functools import cache
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ingest_helpers import make_ingestor

from demo import NOT_EXPORTS
from ingestion.formats import FORMATS
from ingestion.formats.base import DelimitedFormat
from ingestion.ingest import is_skipped
from orchestration.lib.inbox import classify

EXAMPLES = 12
# An exception a parser callback raises where it cannot propagate (pyarrow's invalid-row handler) is a bug too.
pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
HEAD_LINES = 30


@cache
def samples(demo_out: Path) -> dict[str, tuple[bytes, bool]]:
    """Format name -> (a short sample of it as text bytes, whether the export is gzip-compressed)."""
    found: dict[str, tuple[bytes, bool]] = {}
    for path in sorted(p for p in demo_out.rglob("*") if p.is_file()):
        if is_skipped(path.relative_to(demo_out).parts, NOT_EXPORTS):
            continue
        name = classify(str(path)).format
        if name is None or name in found:
            continue
        compressed = path.name.endswith(".gz")
        data = gzip.decompress(path.read_bytes()) if compressed else path.read_bytes()
        if FORMATS[name].__class__.__name__.endswith("Json") and not data.lstrip().startswith(b"{\n"):
            found[name] = (data, compressed)  # one JSON document: cutting it would only test truncation
        else:
            found[name] = (b"".join(data.splitlines(keepends=True)[:HEAD_LINES]), compressed)
    for name, fmt in FORMATS.items():
        if name not in found and isinstance(fmt, DelimitedFormat):
            delimiter = fmt.delimiters[0]
            found[name] = ((delimiter.join(fmt.known_columns) + "\n").encode(), False)
    return found


@st.composite
def mutated(draw, sample: bytes) -> bytes:
    kind = draw(st.sampled_from(["splice", "cut", "overwrite", "noise"]))
    if kind == "noise":
        return draw(st.binary(max_size=2048))
    at = draw(st.integers(0, len(sample)))
    if kind == "cut":
        return sample[:at]
    junk = draw(st.binary(min_size=1, max_size=64) | st.sampled_from([b"\r", b'"', b"\x00", b"\n\n", b",", b"\t"]))
    if kind == "splice":
        return sample[:at] + junk + sample[at:]
    return sample[:at] + junk + sample[at + len(junk) :]


def check(data: bytes, format_name: str, suffix: str) -> None:
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        path = Path(tmp) / f"export{suffix}"
        path.write_bytes(data)
        lake = Path(tmp) / "lake"
        [result] = make_ingestor(str(lake)).ingest_paths([str(path)], format_name)
        assert result.status in ("landed", "partial", "rejected"), result
        if result.status == "rejected":
            assert result.message and result.rows_landed == 0
            return
        assert result.rows_read == result.rows_landed + result.rows_quarantined > 0
        manifest = json.loads((lake / "_manifests" / result.source / f"{result.sha256}.json").read_text())
        assert (manifest["rows_read"], manifest["rows_landed"], manifest["rows_quarantined"]) == (
            result.rows_read,
            result.rows_landed,
            result.rows_quarantined,
        )
        quarantine = [lake / f for f in manifest["files"] if f.startswith("quarantine/")]
        rows = (
            duckdb.sql(f"select count(*), count(_reason) from read_parquet({[str(q) for q in quarantine]})").fetchone()
            if quarantine
            else (0, 0)
        )
        assert rows == (result.rows_quarantined, result.rows_quarantined), "every quarantined row has its reason"


@pytest.mark.parametrize("format_name", sorted(FORMATS))
def test_any_bytes_land_quarantine_or_reject(format_name, demo):
    sample, compressed = samples(demo.out)[format_name]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=mutated(sample), gzip_it=st.booleans() if compressed else st.just(False))
    def fuzz(data: bytes, gzip_it: bool) -> None:
        check(gzip.compress(data, mtime=0) if gzip_it else data, format_name, ".json.gz" if gzip_it else ".txt")

    fuzz()


def test_damaged_gzip_is_rejected_with_a_reason(demo):
    raw = next(p for p in (demo.out / "amazon_ads").iterdir() if p.name.endswith(".gz")).read_bytes()

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
    @given(data=mutated(raw))
    def fuzz(data: bytes) -> None:
        check(data, "amazon_ads_sp_advertised_product", ".json.gz")

    fuzz()
