"""What a format module provides, and the shared delimited-text and JSON readers.

A format module defines one `Format`: how to recognise the file from its
header or keys (`detect`), which columns it requires, and how one batch of
source records becomes typed rows of registry entities (`transform`), each row
with `_record_key` and `_record_version`, each source record with a
quarantine reason or null. Reading is shared and streams in batches, so memory
does not grow with the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TypeVar

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv

from ingestion.textio import FileProblem, scan_delimited

BATCH_BYTES = 16 * 1024 * 1024
JSON_DECODERS = 2
"""JSON Lines blocks decoded at once: polars decodes one block on one core and releases the GIL."""
R = TypeVar("R")
DELIMITERS = (",", "\t", ";", "|")
DELIMITER_NAMES = {",": "commas", "\t": "tabs", ";": "semicolons", "|": "pipes"}


@dataclass
class Sniff:
    """The first 64 KiB of a file's canonical text."""

    text: str

    @cached_property
    def lines(self) -> list[str]:
        return self.text.split("\n")[:12]

    @cached_property
    def stripped(self) -> str:
        return self.text.lstrip()

    @cached_property
    def is_json(self) -> bool:
        return self.stripped[:1] in ("{", "[")

    @cached_property
    def json_keys(self) -> set[str]:
        return set(re.findall(r'"([A-Za-z_][A-Za-z0-9_.]*)"\s*:', self.text))


@dataclass
class Detection:
    format: Format
    score: float
    header_line: int = 0
    delimiter: str | None = None
    header: list[str] = field(default_factory=list)


@dataclass
class ParseContext:
    source_file: str
    sha256: str
    ingested_at: dt.datetime
    timezone: str
    detection: Detection
    state: dict = field(default_factory=dict)


@dataclass
class Parsed:
    """One batch: every source record (with a reason when rejected) and the entity rows made from them."""

    records: pl.DataFrame
    """`_source_row` (Int64), `_reason` (String, null = fine), `_raw` (String)."""
    entities: dict[str, pl.DataFrame]
    """Entity name -> rows with the entity's columns, `_source_row`, `_record_key`, `_record_version`."""
    skipped: int = 0
    """Lines that are not data (report footers such as `Total: Account`)."""
    unknown: dict[str, dict[str, int]] = field(default_factory=dict)


class Format:
    """One native export format."""

    name: str
    label: str
    source: str
    version: str = "1"
    entities: tuple[str, ...] = ()
    download: str = ""
    """Where to download it in the platform (for the docs and rejection hints)."""

    def detect(self, sniff: Sniff) -> Detection | None:  # pragma: no cover - interface
        raise NotImplementedError

    def parse(self, text_path: Path, workdir: Path, ctx: ParseContext) -> Iterator[Parsed]:  # pragma: no cover
        raise NotImplementedError


def count_unknown(df: pl.DataFrame, column: str, known: set[str], *, case_insensitive: bool = False) -> dict[str, int]:
    """Values of an enumeration outside the known set: kept in the data, counted in the manifest."""
    if column not in df.columns:
        return {}
    values = df.get_column(column).drop_nulls()
    probe = values.str.to_lowercase() if case_insensitive else values
    known_set = {k.lower() for k in known} if case_insensitive else known
    unknown = values.filter(~probe.is_in(list(known_set)))
    if unknown.is_empty():
        return {}
    counts = unknown.value_counts()
    return dict(zip(counts[column].to_list(), counts["count"].to_list(), strict=True))


def raw_json(df: pl.DataFrame, columns: list[str]) -> pl.Expr:
    """The source record's fields as a JSON object (the quarantine's `_raw`)."""
    return pl.struct([pl.col(c) for c in columns if c in df.columns]).struct.json_encode()


def records_frame(df: pl.DataFrame, reason: pl.Expr, raw: pl.Expr) -> pl.DataFrame:
    """One row per source record with its reason; the original text (`_raw`) only for rejected ones."""
    frame = df.with_columns(reason.alias("_reason"))
    rejected = pl.col("_reason").is_not_null()
    return pl.concat(
        [
            frame.filter(~rejected).select("_source_row", "_reason", _raw=pl.lit(None, dtype=pl.String)),
            frame.filter(rejected).select("_source_row", "_reason", raw.alias("_raw")),
        ]
    )


def _normalise(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("\ufeff", "")).strip().strip('"').lower()


class DelimitedFormat(Format):
    """A CSV/TSV export mapped by header name (extra columns tolerated, required ones checked)."""

    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    signature: tuple[str, ...] = ()
    """Columns that identify the format (defaults to `required`)."""
    delimiters: tuple[str, ...] = (",",)
    max_header_line: int = 0
    group_column: str | None = None
    """Rows sharing this column's value (Shopify's order `Name`) stay in one batch."""

    @property
    def known_columns(self) -> tuple[str, ...]:
        return self.required + self.optional

    def header_matches(self, header: list[str]) -> float:
        names = {_normalise(h) for h in header}
        signature = self.signature or self.required
        return sum(1 for c in signature if c.lower() in names) / len(signature)

    def detect(self, sniff: Sniff) -> Detection | None:
        best: Detection | None = None
        for index, line in enumerate(sniff.lines[: self.max_header_line + 1]):
            for delimiter in DELIMITERS:
                if delimiter not in line:
                    continue
                header = next(csv.reader([line], delimiter=delimiter))
                score = self.header_matches(header)
                if score > 0 and (best is None or score > best.score):
                    best = Detection(self, score, index, delimiter, header)
        return best

    def check(self, detection: Detection, file_label: str) -> None:
        """File-level checks once this format won the detection."""
        if detection.delimiter not in self.delimiters:
            expected = " or ".join(DELIMITER_NAMES[d] for d in self.delimiters)
            raise FileProblem(
                f"looks like a {self.label} but its columns are separated by "
                f"{DELIMITER_NAMES[detection.delimiter]}, not {expected}",
                "ingest the file as downloaded (re-saving in a spreadsheet changes the separator), "
                f"or download it again: {self.download}",
            )
        names = {_normalise(h) for h in detection.header}
        missing = [c for c in self.required if c.lower() not in names]
        if missing:
            listed = ", ".join(f"'{c}'" for c in missing)
            raise FileProblem(
                f"{self.label}: required column{'s' if len(missing) > 1 else ''} {listed} missing",
                f"export it again with all columns ({self.download})",
            )

    # ------------------------------------------------------------------ reading
    def column_names(self, header: list[str]) -> list[str]:
        """Unique frame column names: known columns in their canonical spelling, others as written."""
        canonical = {c.lower(): c for c in self.known_columns}
        seen: dict[str, int] = {}
        names = []
        for index, raw in enumerate(header):
            norm = _normalise(raw)
            name = canonical.get(norm, raw.strip() or f"_column_{index + 1}")
            seen[name] = seen.get(name, 0) + 1
            names.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
        return names

    def read_batches(self, text_path: Path, workdir: Path, ctx: ParseContext) -> Iterator[pl.DataFrame | Parsed]:
        detection = ctx.detection
        scan = scan_delimited(text_path, workdir, detection.delimiter, detection.header_line)
        header = next(csv.reader([scan.header], delimiter=detection.delimiter))
        names = self.column_names(header)
        if scan.invalid:
            expected = len(header)
            yield Parsed(
                records=pl.DataFrame(
                    {
                        "_source_row": [r.line for r in scan.invalid],
                        "_reason": [r.reason(expected) for r in scan.invalid],
                        "_raw": [r.printable_text for r in scan.invalid],
                    },
                    schema={"_source_row": pl.Int64, "_reason": pl.String, "_raw": pl.String},
                ),
                entities={},
            )
        if scan.records == 0:
            return
        lines = np.memmap(scan.lines_path, dtype=np.int64, mode="r")  # paged in per batch, not held
        disagreement = _Disagreement()
        try:
            reader = pacsv.open_csv(
                scan.path,
                read_options=pacsv.ReadOptions(
                    column_names=[f"c{i}" for i in range(len(names))], skip_rows=1, block_size=BATCH_BYTES
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=detection.delimiter, newlines_in_values=scan.multiline, invalid_row_handler=disagreement
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={f"c{i}": pa.string() for i in range(len(names))},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            offset = 0
            held: pl.DataFrame | None = None
            for batch in reader:
                frame = pl.from_arrow(batch)
                assert isinstance(frame, pl.DataFrame)
                frame.columns = names
                frame = frame.with_columns(
                    pl.col(pl.String).str.strip_chars().replace("", None),
                    pl.Series("_source_row", np.array(lines[offset : offset + batch.num_rows]), dtype=pl.Int64),
                )
                offset += batch.num_rows
                if held is not None:
                    frame = pl.concat([held, frame])
                    held = None
                if self.group_column and self.group_column in frame.columns and frame.height:
                    last = frame.get_column(self.group_column)[-1]
                    tail = frame.get_column(self.group_column) == last
                    if not tail.all():
                        held = frame.filter(tail)
                        frame = frame.filter(~tail)
                yield frame
            if held is not None:
                yield held
        except pa.ArrowInvalid as exc:
            raise disagreement.problem(exc) from exc

    def parse(self, text_path: Path, workdir: Path, ctx: ParseContext) -> Iterator[Parsed]:
        for item in self.read_batches(text_path, workdir, ctx):
            yield item if isinstance(item, Parsed) else self.transform(item, ctx)

    def transform(self, df: pl.DataFrame, ctx: ParseContext) -> Parsed:  # pragma: no cover - interface
        raise NotImplementedError

    def ensure(self, df: pl.DataFrame) -> pl.DataFrame:
        """Optional columns absent from this file become null columns."""
        missing = [c for c in self.known_columns if c not in df.columns]
        return df.with_columns([pl.lit(None, dtype=pl.String).alias(c) for c in missing]) if missing else df


class _Disagreement:
    """pyarrow's invalid-row handler. The scan already removed rows with the wrong field count; reaching here means
    the columnar reader split a row differently (e.g. a stray quote mid-field). pyarrow ignores exceptions raised in
    a handler, so it notes the row and answers "error"; the reader's error then becomes this file problem."""

    def __init__(self) -> None:
        self.text: str | None = None

    def __call__(self, row) -> str:
        self.text = self.text or row.text
        return "error"

    def problem(self, exc: Exception) -> FileProblem:
        shown = repr(self.text[:80]) if self.text else str(exc).splitlines()[0][:120]
        return FileProblem(
            f"a row could not be split into columns consistently ({shown})",
            "check the file for a stray double quote near that line, or export it again",
        )


def ordered_map(function: Callable[..., R], arguments: Iterator[tuple], workers: int) -> Iterator[R]:
    """`function(*args)` for each of `arguments` on `workers` threads, yielded in order. At most `workers` calls
    are in flight besides the result the caller holds (memory: `workers` + 1 batches)."""
    with ThreadPoolExecutor(workers, thread_name_prefix="decode") as pool:
        pending = deque()
        for args in arguments:
            pending.append(pool.submit(function, *args))
            if len(pending) >= workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


# ---------------------------------------------------------------------- JSON


def json_lines_batches(text_path: Path, schema: dict, batch_bytes: int = BATCH_BYTES) -> Iterator[pl.DataFrame]:
    """JSON Lines in batches of whole lines; `_source_row` is the physical line number.

    A line that is not valid JSON is returned as a record with `_error` set
    (found by re-parsing only the failing batch line by line). `JSON_DECODERS` blocks are decoded at once.
    """
    blocks = ((*block, schema) for block in _json_lines_blocks(text_path, batch_bytes))
    yield from ordered_map(_parse_json_lines, blocks, JSON_DECODERS)


def _json_lines_blocks(text_path: Path, batch_bytes: int) -> Iterator[tuple]:
    """(block, starts, ends, nonblank, line_numbers) of each run of whole lines of about `batch_bytes`."""
    line_base = 0
    carry = b""
    with open(text_path, "rb") as handle:
        while True:
            chunk = handle.read(batch_bytes)
            buf = carry + chunk
            if not chunk:
                if buf and not buf.endswith(b"\n"):
                    buf += b"\n"
                if not buf:
                    return
            cut = buf.rfind(b"\n") + 1
            if cut == 0:
                carry = buf
                continue
            block, carry = buf[:cut], buf[cut:]
            arr = np.frombuffer(block, dtype=np.uint8)
            ends = np.flatnonzero(arr == 10)
            starts = np.concatenate(([0], ends[:-1] + 1))
            nonblank = _nonblank_lines(arr, starts, ends)
            line_numbers = line_base + 1 + np.flatnonzero(nonblank)
            line_base += len(ends)
            yield block, starts, ends, nonblank, line_numbers
            if not chunk:
                return


def _nonblank_lines(arr: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Which lines hold a byte other than space, tab, CR or another control byte. Judged by each line's first
    byte, and only a line that starts with such a byte (rare) is looked at whole: a scan of every byte cost
    more than parsing the JSON."""
    nonempty = ends > starts
    nonblank = nonempty.copy()
    nonblank[nonempty] = arr[starts[nonempty]] > 32
    for i in np.flatnonzero(nonempty & ~nonblank):
        nonblank[i] = bool((arr[starts[i] : ends[i]] > 32).any())
    return nonblank


def _decode_json_lines(block: bytes, nonblank: np.ndarray, schema: dict) -> pl.DataFrame | None:
    """The non-blank lines of `block` decoded as JSON objects of `schema`, or None when a line is not one (or does
    not fit the schema): the caller then reads the block the slower way that tells the lines apart. Polars'
    `str.json_decode` is several times faster than `read_ndjson` on nested exports such as Shopify orders and
    gives the same frame wherever it succeeds; it is stricter (a list or object where the schema has text
    fails), which only sends such a block down the slower path."""
    lines = pl.Series(block.decode("utf-8").split("\n")[:-1], dtype=pl.String).filter(pl.Series(nonblank))
    try:
        decoded = lines.str.json_decode(pl.Struct(schema))
    except (pl.exceptions.ComputeError, pl.exceptions.SchemaError, ValueError):
        return None
    if decoded.null_count():  # a `null` line decodes to a null record; read_ndjson rejects it
        return None
    return decoded.struct.unnest()


def _parse_json_lines(block, starts, ends, nonblank, line_numbers, schema) -> pl.DataFrame:
    fast = _decode_json_lines(block, nonblank, schema)
    if fast is not None and fast.height == len(line_numbers):
        return fast.with_columns(
            pl.Series("_source_row", line_numbers, dtype=pl.Int64), pl.lit(None, dtype=pl.String).alias("_error")
        )
    try:
        frame = pl.read_ndjson(io.BytesIO(block), schema=schema)
        if frame.height == len(line_numbers):
            return frame.with_columns(
                pl.Series("_source_row", line_numbers, dtype=pl.Int64), pl.lit(None, dtype=pl.String).alias("_error")
            )
    except (pl.exceptions.ComputeError, pl.exceptions.SchemaError, ValueError):
        pass
    # Error path: find the lines that are not JSON objects.
    good, good_rows, bad_rows, bad_text, errors = [], [], [], [], []
    for (s, e), line_no in zip(np.column_stack((starts, ends))[nonblank].tolist(), line_numbers.tolist(), strict=True):
        text = block[s:e]
        try:
            value = json.loads(text)
            if not isinstance(value, dict):
                raise ValueError("not a JSON object")
            good.append(text)
            good_rows.append(line_no)
        except (ValueError, RecursionError) as exc:  # RecursionError: nested deeper than any export is
            bad_rows.append(line_no)
            bad_text.append(text.decode("utf-8", "replace")[:2000])
            errors.append(f"not a valid JSON object ({str(exc)[:80]})")
    frames = []
    if good:
        frames.append(
            pl.read_ndjson(io.BytesIO(b"\n".join(good)), schema=schema).with_columns(
                pl.Series("_source_row", good_rows, dtype=pl.Int64), pl.lit(None, dtype=pl.String).alias("_error")
            )
        )
    if bad_rows:
        empty = pl.DataFrame(schema=schema).clear(len(bad_rows))
        frames.append(
            empty.with_columns(
                pl.Series("_source_row", bad_rows, dtype=pl.Int64), pl.Series("_error", errors, dtype=pl.String)
            ).with_columns(pl.Series("_bad_text", bad_text, dtype=pl.String))
        )
    out = pl.concat(frames, how="diagonal") if frames else pl.DataFrame()
    return out.sort("_source_row") if out.height else out


def read_json_document(text_path: Path, schema: dict) -> pl.DataFrame:
    """A whole JSON document with an explicit schema (extra keys ignored, int64-as-text accepted)."""
    try:
        return pl.read_json(text_path, schema=schema)
    except (pl.exceptions.ComputeError, pl.exceptions.SchemaError, ValueError) as exc:
        raise FileProblem(
            f"not valid JSON in the expected shape ({str(exc).splitlines()[0][:120]})",
            "the download is incomplete or not this report; download it again",
        ) from exc


def with_record_numbers(frame: pl.DataFrame) -> pl.DataFrame:
    """1-based record number for records of a JSON document (the element's position in its array)."""
    return frame.with_row_index("_source_row", offset=1).with_columns(pl.col("_source_row").cast(pl.Int64))


def rest_resource_rows(
    text_path: Path, plural: str, singular: str, row: pl.Struct, fix_when_empty: str
) -> pl.DataFrame:
    """The records of a REST Admin API response saved as returned: a page `{"<plural>": [...]}` or one
    `{"<singular>": {...}}`, numbered. An empty response is a file problem (`fix_when_empty` says what to request)."""
    doc = read_json_document(text_path, {plural: pl.List(row), singular: row})
    page = doc.select(pl.col(plural).explode()).drop_nulls().unnest(plural)
    single = doc.select(singular).drop_nulls().unnest(singular)
    rows = pl.concat([page, single], how="vertical_relaxed")
    if rows.is_empty():
        raise FileProblem(f"header-only file: the response holds no {plural}", fix_when_empty)
    return with_record_numbers(rows)
