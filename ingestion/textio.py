"""Bytes to clean UTF-8 text, and the record structure of delimited text, in bounded memory.

Exports arrive gzip-compressed or not, as UTF-8 (with or without BOM),
UTF-16 (Excel "Unicode text") or Windows-1252, with LF or CRLF line ends and
zero-width spaces. `decode_to_utf8` streams any of those into one canonical
form (UTF-8, LF, no BOM, no zero-width spaces) so that every parser sees the
same text, within `DecompressionLimits` (a gzip bomb is rejected, not expanded). Lines ending in a bare CR
(classic Mac OS) are rejected with that reason. `scan_delimited` then finds record boundaries with a vectorised,
quote-aware scan (numpy over 4 MiB chunks): it keeps the physical line number
of every record (so messages can say file:line even after multi-line quoted
fields), drops blank lines, and sets aside records whose field count differs
from the header's or that hold a NUL byte, so the columnar CSV reader only ever sees well-formed rows.
"""

from __future__ import annotations

import codecs
import gzip
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

CHUNK = 4 * 1024 * 1024
MAX_RECORD_BYTES = 64 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"
_INVISIBLE = ("\u200b", "\ufeff", "\u200e", "\u200f")  # zero-width space, stray BOM, direction marks


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n")
    for char in _INVISIBLE:
        if char in text:
            text = text.replace(char, "")
    return text


class FileProblem(Exception):
    """A problem with the whole file: it is rejected with one line naming the problem and the fix."""

    def __init__(self, problem: str, fix: str):
        super().__init__(f"{problem}; {fix}")
        self.problem = problem
        self.fix = fix


@dataclass(frozen=True)
class Decoded:
    path: Path
    compression: str | None
    encoding: str
    bytes_in: int


@dataclass(frozen=True)
class DecompressionLimits:
    """Caps on what a compressed export may expand to, so a gzip bomb is rejected instead of filling the disk."""

    max_bytes: int = 16 * 1024**3
    """COMMERCE_INGEST_MAX_DECOMPRESSED_MIB: the most a file may decompress to."""
    max_ratio: float = 200.0
    """COMMERCE_INGEST_MAX_COMPRESSION_RATIO: decompressed / compressed bytes (real exports stay far below)."""
    ratio_after_bytes: int = 16 * 1024**2
    """The ratio is judged only past this much output: a tiny file of repeated bytes is not a bomb."""


def _read_all_chunks(path: Path, limits: DecompressionLimits):
    with open(path, "rb") as raw:
        magic = raw.read(4)
        raw.seek(0)
        if magic == _ZIP_MAGIC:
            raise FileProblem("a zip archive, not an export", "unzip it and ingest the files inside")
        if magic[:2] != _GZIP_MAGIC:
            while chunk := raw.read(CHUNK):
                yield chunk, None
            return
        stream = gzip.GzipFile(fileobj=raw, mode="rb")
        out = 0
        while True:
            try:
                chunk = stream.read(CHUNK)
            except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
                raise FileProblem(
                    f"truncated or corrupt gzip ({exc})",
                    "the download was cut short: download the report again and ingest the new file",
                ) from exc
            if not chunk:
                return
            out += len(chunk)
            _check_expansion(out, raw.tell(), limits)
            yield chunk, "gzip"


def _check_expansion(out: int, compressed: int, limits: DecompressionLimits) -> None:
    if out > limits.max_bytes:
        raise FileProblem(
            f"decompresses to more than {limits.max_bytes // 1024**2} MiB (COMMERCE_INGEST_MAX_DECOMPRESSED_MIB)",
            "a real export this large is unlikely: check the file; if it is one, raise the setting",
        )
    if out > limits.ratio_after_bytes and out > limits.max_ratio * max(compressed, 1):
        raise FileProblem(
            f"expands more than {limits.max_ratio:g} times when decompressed (COMMERCE_INGEST_MAX_COMPRESSION_RATIO):"
            " a decompression bomb, not an export",
            "ingest the export as downloaded from the platform; if it is one, raise the setting",
        )


def _detect_encoding(head: bytes) -> tuple[str, str]:
    """Codec to decode with, and the name recorded in the manifest."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "utf-8-bom"
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16", "utf-16"
    return "utf-8", "utf-8"


def decode_to_utf8(src: Path, dst: Path, limits: DecompressionLimits = DecompressionLimits()) -> Decoded:
    """Stream `src` (maybe gzip, any supported encoding) into `dst` as canonical UTF-8 text."""
    head = b""
    compression = None
    for chunk, found in _read_all_chunks(src, limits):
        head, compression = chunk[:4096], found
        break
    if not head.strip(b" \t\r\n\x00" + codecs.BOM_UTF8):
        raise FileProblem("empty file (no bytes, or only blank lines)", "export the report again; it came out empty")
    codec, label = _detect_encoding(head)
    if b"\r" in head and b"\n" not in head.replace(b"\x00", b"") and codec != "utf-16":
        raise FileProblem(
            "lines end in a bare carriage return (classic Mac OS line endings)",
            "ingest the export as downloaded, or save it again with Windows (CRLF) or Unix (LF) line endings",
        )
    candidates = [(codec, label)] if codec != "utf-8" else [("utf-8", "utf-8"), ("cp1252", "windows-1252")]
    for codec, label in candidates:
        try:
            _transcode(src, dst, codec, limits)
            return Decoded(dst, compression, label, src.stat().st_size)
        except UnicodeDecodeError:
            continue
    _transcode(src, dst, "latin-1", limits)
    return Decoded(dst, compression, "latin-1", src.stat().st_size)


def _transcode(src: Path, dst: Path, codec: str, limits: DecompressionLimits) -> None:
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    pending_cr = False
    with open(dst, "w", encoding="utf-8", newline="") as out:
        for chunk, _ in _read_all_chunks(src, limits):
            text = decoder.decode(chunk)
            if pending_cr:
                text = "\r" + text
            pending_cr = text.endswith("\r")
            if pending_cr:
                text = text[:-1]
            out.write(_clean(text))
        tail = decoder.decode(b"", final=True) + ("\r" if pending_cr else "")
        out.write(_clean(tail))


def read_head(path: Path, size: int = 65536) -> str:
    with open(path, "rb") as handle:
        return handle.read(size).decode("utf-8", errors="ignore")


@dataclass
class InvalidRecord:
    line: int
    text: str
    fields: int
    has_nul: bool = False
    """A NUL byte inside: no text column of PostgreSQL or Redshift can hold it, so the record is set aside."""

    def reason(self, expected: int) -> str:
        if self.has_nul and self.fields == expected:
            return "row contains a NUL byte (\\x00), which no warehouse text column can hold"
        return f"row has {self.fields} fields where the header has {expected}" + (
            " (a quoted field never closes)" if self.fields == 0 else ""
        )

    @property
    def printable_text(self) -> str:
        """The record for quarantine's `_raw`, NUL bytes written as `\\x00` so it loads anywhere."""
        return self.text.replace("\x00", "\\x00")


@dataclass
class ScanResult:
    path: Path
    """Header plus the well-formed, non-blank data records, in order."""
    lines_path: Path
    """int64 physical line number (1-based) of each record in `path` after the header."""
    header: str
    records: int
    invalid: list[InvalidRecord] = field(default_factory=list)
    multiline: bool = False


def scan_delimited(src: Path, workdir: Path, delimiter: str, header_line: int) -> ScanResult:
    """Split `src` (canonical UTF-8 from `decode_to_utf8`) into records, starting at the header line.

    Lines before `header_line` (0-based: report titles, date ranges) are skipped.
    A record ends at a newline outside double quotes; quotes are counted over
    the whole record, so `""` escapes keep the parity right. UTF-8 never puts
    the delimiter, quote or newline bytes inside a multi-byte character, so
    the byte-level scan is exact.
    """
    out_path = workdir / "records.csv"
    lines_path = workdir / "records.lines"
    delim = ord(delimiter)
    result = ScanResult(out_path, lines_path, header="", records=0)
    expected: int | None = None
    with open(src, "rb") as handle, open(out_path, "wb") as out, open(lines_path, "wb") as lines_out:
        for _ in range(header_line):
            handle.readline()
        line_base = header_line  # physical lines before `carry`
        carry = b""
        eof = False
        while not eof:
            chunk = handle.read(CHUNK)
            eof = not chunk
            buf = carry + chunk
            if eof and buf and not buf.endswith(b"\n"):
                buf += b"\n"
            if not buf:
                break
            arr = np.frombuffer(buf, dtype=np.uint8)
            # Positions, not per-byte running sums: a byte is inside quotes when an odd number of quotes precede
            # it, counted by binary search over the quote positions (a cumsum over every byte cost most of the scan).
            quotes = np.flatnonzero(arr == 34)
            newlines = np.flatnonzero(arr == 10)
            ends = newlines[(np.searchsorted(quotes, newlines) & 1) == 0]
            if len(ends) == 0:
                if eof:  # an opened quote never closes
                    result.invalid.append(InvalidRecord(line_base + 1, buf.decode("utf-8", "replace")[:2000], 0))
                    break
                if len(buf) > MAX_RECORD_BYTES:
                    raise FileProblem(
                        f"a quoted field opened at line {line_base + 1} never closes",
                        "the file is truncated or has a stray double quote; export it again",
                    )
                carry = buf
                continue
            used = int(ends[-1]) + 1
            starts = np.concatenate(([0], ends[:-1] + 1))
            newlines_through_end = np.searchsorted(newlines, ends, side="right")
            lines_before = np.concatenate(([0], newlines_through_end[:-1]))
            first_line = line_base + 1 + lines_before
            embedded = newlines_through_end - lines_before - 1
            lengths = ends - starts
            delims = np.flatnonzero(arr[:used] == delim)
            delims = delims[(np.searchsorted(quotes, delims) & 1) == 0]
            fields = np.diff(np.searchsorted(delims, ends), prepend=0) + 1  # delimiters before each end, per record
            blank = lengths == 0
            nul = np.zeros(len(ends), dtype=bool)
            nul[np.searchsorted(ends, np.flatnonzero(arr[:used] == 0))] = True
            first = 0
            if expected is None:
                expected = int(fields[0])
                result.header = buf[: int(ends[0])].decode("utf-8")
                out.write(buf[: int(ends[0]) + 1])
                first = 1
            keep = (~blank) & (fields == expected) & ~nul
            keep[:first] = False
            bad = (~blank) & ((fields != expected) | nul)
            bad[:first] = False
            if keep[first:].all() and not blank[first:].any():
                out.write(buf[int(starts[first]) if first < len(starts) else used : used])
            else:
                mask = np.repeat(keep, lengths + 1)
                out.write(arr[:used][mask].tobytes())
            first_line[keep].astype(np.int64).tofile(lines_out)
            result.records += int(keep.sum())
            result.multiline = result.multiline or bool(embedded[keep].any())
            for i in np.flatnonzero(bad):  # malformed records only: they go to quarantine one by one
                text = buf[int(starts[i]) : int(ends[i])].decode("utf-8", "replace")
                result.invalid.append(InvalidRecord(int(first_line[i]), text, int(fields[i]), bool(nul[i])))
            line_base += int(newlines_through_end[-1])
            carry = buf[used:]
    if expected is None:
        raise FileProblem("empty file (no header line)", "export the report again; it came out empty")
    return result
