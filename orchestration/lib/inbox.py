"""Finding export files and telling which source each belongs to, without landing them.

The inbox sensor and the ingestion assets share these helpers: `list_files` walks a folder (local, or
s3:// through a boto3 client from dagster-aws's S3Resource) with the same skip rules as `commerce-analytics ingest`;
`classify` reads only the head of a file (gzip-aware) and runs the ingestion format detector on it, so
the sensor can route each new file to its source's ingestion asset. Nothing here writes to the lake.
"""

from __future__ import annotations

import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from ingestion.formats import Sniff, detect
from ingestion.ingest import FILE_FAILURES, RUN_FAILURES, as_file_problem, is_settled, is_skipped
from ingestion.lake import filesystem_for
from ingestion.textio import decode_to_utf8
from ingestion.textio import read_head as read_text_head

HEAD_BYTES = 256 * 1024


@dataclass(frozen=True)
class InboxFile:
    path: str
    """As `Ingestor.ingest_paths` accepts it: a local absolute path or an s3:// URL."""
    size: int
    modified: str
    """Modification time or ETag: a changed file under the same name is a new delivery."""

    @property
    def fingerprint(self) -> str:
        return f"{self.path}|{self.size}|{self.modified}"


def split_s3(url: str) -> tuple[str, str]:
    """s3://bucket/some/prefix -> ("bucket", "some/prefix")."""
    bucket, _, key = url[len("s3://") :].partition("/")
    return bucket, key.strip("/")


def _skipped(rel: str) -> bool:
    return is_skipped(rel.split("/"))


def list_files(
    location: str, endpoint_url: str | None = None, s3_client=None, settle_seconds: float = 0.0
) -> list[InboxFile]:
    """Export files under a folder (recursively) or the file itself; hidden, `_`-prefixed, temporary (`.part`,
    `.tmp`, `~$`) and, locally, files modified within the last `settle_seconds` (still being written) skipped.

    An s3:// location is listed with a boto3 client (the dagster-aws `S3Resource`'s, else one for
    `endpoint_url`); a local one through the lake's filesystem layer. A missing location lists as empty.
    """
    if location.startswith("s3://"):
        return _list_s3(location, s3_client or _boto3_client(endpoint_url))
    fs, root = filesystem_for(location, endpoint_url)
    if not fs.exists(root):
        return []
    if not fs.isdir(root):
        info = fs.info(root)
        return [_local_file(root, info)] if is_settled(info, settle_seconds) else []
    found = []
    for path, info in sorted(fs.find(root, detail=True).items()):
        if not _skipped(path[len(root.rstrip("/")) + 1 :]) and is_settled(info, settle_seconds):
            found.append(_local_file(path, info))
    return found


def _local_file(path: str, info: dict) -> InboxFile:
    modified = info.get("mtime") or info.get("created") or ""
    return InboxFile(path, int(info.get("size") or 0), str(modified))


def _boto3_client(endpoint_url: str | None):
    import boto3

    return boto3.client("s3", endpoint_url=endpoint_url)


def _list_s3(location: str, client) -> list[InboxFile]:
    bucket, prefix = split_s3(location)
    found: dict[str, InboxFile] = {}
    paginator = client.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket, Prefix=f"{prefix}/" if prefix else ""):
        for item in page.get("Contents", []):
            key = item["Key"]
            rel = key[len(prefix) + 1 :] if prefix else key
            if key.endswith("/") or _skipped(rel):
                continue
            found[key] = InboxFile(f"s3://{bucket}/{key}", int(item["Size"]), str(item["ETag"]).strip('"'))
    if not found and prefix:  # the location may be one object rather than a folder
        try:
            head = client.head_object(Bucket=bucket, Key=prefix)
        except client.exceptions.ClientError:
            return []
        return [InboxFile(location, int(head["ContentLength"]), str(head["ETag"]).strip('"'))]
    return [found[key] for key in sorted(found)]


def read_head(path: str, endpoint_url: str | None = None, s3_client=None) -> bytes:
    """The first HEAD_BYTES of a file (a ranged GET on S3)."""
    if path.startswith("s3://"):
        bucket, key = split_s3(path)
        client = s3_client or _boto3_client(endpoint_url)
        response = client.get_object(Bucket=bucket, Key=key, Range=f"bytes=0-{HEAD_BYTES - 1}")
        return response["Body"].read()
    fs, real = filesystem_for(path, endpoint_url)
    with fs.open(real, "rb") as handle:
        return handle.read(HEAD_BYTES)


@dataclass(frozen=True)
class Classification:
    source: str | None
    format: str | None
    problem: str | None = None


def classify(path: str, endpoint_url: str | None = None, s3_client=None) -> Classification:
    """The source and format a file's head says it is (None and the problem when it is not recognisable)."""
    head = read_head(path, endpoint_url, s3_client)
    if head[:2] == b"\x1f\x8b":
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, HEAD_BYTES * 4)
        except zlib.error as exc:
            return Classification(None, None, f"corrupt gzip ({exc})")
    if len(head) >= HEAD_BYTES and b"\n" in head:
        head = head[: head.rfind(b"\n") + 1]  # whole lines only, so a cut multi-byte character cannot matter
    with tempfile.TemporaryDirectory(prefix="commerce-classify-") as tmp:
        raw, text = Path(tmp) / "head", Path(tmp) / "text"
        raw.write_bytes(head)
        try:
            decode_to_utf8(raw, text)
            detection = detect(Sniff(read_text_head(text)), path)
        except RUN_FAILURES:
            raise
        except FILE_FAILURES as exc:  # whatever the bytes provoke: the reject job records the file's reason
            return Classification(None, None, str(as_file_problem(exc)))
    return Classification(detection.format.source, detection.format.name)


@dataclass
class InboxPlan:
    by_source: dict[str, list[str]]
    """New files per detected source (paths as the ingestion assets' config takes them)."""
    unrecognised: list[tuple[str, str]]
    """New files no format recognised, with the detector's problem."""
    seen: list[str]
    """The cursor to keep: fingerprints of every file still in the inbox that has been handed to a run."""

    @property
    def new_files(self) -> list[str]:
        return sorted([p for paths in self.by_source.values() for p in paths] + [p for p, _ in self.unrecognised])


def plan_inbox(files: list[InboxFile], seen: set[str], classify_fn) -> InboxPlan:
    """Which inbox files are new since the cursor, routed by source. Files that left the inbox drop out."""
    by_source: dict[str, list[str]] = {}
    unrecognised: list[tuple[str, str]] = []
    keep = []
    for found in files:
        keep.append(found.fingerprint)
        if found.fingerprint in seen:
            continue
        what = classify_fn(found.path)
        if what.source:
            by_source.setdefault(what.source, []).append(found.path)
        else:
            unrecognised.append((found.path, what.problem or "unknown format"))
    return InboxPlan(by_source, unrecognised, sorted(keep))
