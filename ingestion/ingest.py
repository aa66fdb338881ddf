"""Land export files into the lake: detect, validate, write typed Parquet, quarantine, record.

Each file in bounded memory: the bytes are copied and hashed, decoded to canonical UTF-8, detected, parsed in
batches into registry entities, and written as Parquet in a private work folder; then raw bytes, landed and
quarantine files, and last the manifest are published (see `lake.py` for the visibility rule). The idempotency
key is sha256 + parser version: the same bytes under any name are a duplicate and change nothing but the
deliveries log. `COMMERCE_INGEST_WORKERS` files are landed at once, and recorded (manifests, deliveries log,
inbox removal) in the order given, so the outcome is that of one file after another (`batch.py`).
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import multiprocessing
import os
import resource
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TypeVar

import polars as pl
import pyarrow.parquet as pq

from commerce_analytics.settings import Settings, load_settings
from ingestion import registry
from ingestion.batch import Batch, Stopped
from ingestion.connectors.payments import dropped_export_problem
from ingestion.formats import FORMATS, Detection, Format, Sniff, detect
from ingestion.formats.base import ParseContext, Parsed
from ingestion.lake import (
    Lake,
    LakeError,
    copy_with_sha256,
    deliveries_log_rel,
    filesystem_for,
    raw_path,
    sha256_of,
)
from ingestion.retract import RETRACTED
from ingestion.textio import DecompressionLimits, FileProblem, decode_to_utf8, read_head

MAX_EXAMPLES = 5
T = TypeVar("T")
TEMPORARY_SUFFIXES = (".part", ".partial", ".tmp", ".crdownload", ".download")
TEMPORARY_PREFIXES = ("~$",)
# `.` and `..` are not hidden names but path segments: in an S3 key they are literal, yet every local copy,
# display and S3 console resolves them to another path, so such an object is rejected rather than skipped.
DOT_SEGMENTS = (".", "..")
# The run itself failing (disk full, lake unreachable, out of memory) is never the file's fault: the run stops
# with exit 3 and the file is retried next time. Anything else a file's bytes provoke rejects that file.
RUN_FAILURES = (OSError, MemoryError, LakeError)


class RunFailure(Exception):
    """The run itself failed; `results` are the files recorded before it (they stay recorded)."""

    def __init__(self, during: str, cause: BaseException, results: list[FileResult]):
        super().__init__(f"{during}: {type(cause).__name__}: {cause}")
        self.during = during
        self.cause = cause
        self.results = results

    def __reduce__(self):  # crosses the process boundary of `run_with_memory_cap`
        return (RunFailure, (self.during, self.cause, self.results))


def run_with_memory_cap(target: Callable[[T], list[FileResult]], arg: T, memory_mib: int) -> list[FileResult]:
    """`target(arg)`, in a child process whose private memory is capped at `memory_mib` (RLIMIT_DATA) when set.

    Past the cap an allocation fails (Python's MemoryError; polars aborts the process): either way, as when a
    container's OOM killer picks the child, this process survives to report it as a `RunFailure` (exit 3) instead
    of the run vanishing. Exceptions the child raises are raised here."""
    if not memory_mib:
        return target(arg)
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no threads or caches inherited
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_capped_child, args=(send, target, arg, memory_mib * 1024**2))
    child.start()
    send.close()
    try:
        kind, value = receive.recv()
    except EOFError:
        kind, value = "died", None
    child.join()
    if kind == "returned":
        return value
    if kind == "raised":
        raise value
    cause = MemoryError(
        f"the ingest process ended with exit status {child.exitcode} with its memory capped at {memory_mib} MiB "
        "(COMMERCE_INGEST_MEMORY_MIB): raise the cap, or split the largest file"
    )
    raise RunFailure("the files given", cause, [])


def ingest_paths_capped(
    settings: Settings,
    paths: list[str],
    *,
    keep_inbox: bool = False,
    skip: Sequence[str] = (),
    display_as: str | None = None,
) -> list[FileResult]:
    """`Ingestor(settings).ingest_paths(...)` under COMMERCE_INGEST_MEMORY_MIB (see `run_with_memory_cap`): the
    Dagster ingestion ops land through this, so a file too big for the cap fails the step with a reason instead
    of the OOM killer taking the run worker."""
    job = (settings, list(paths), keep_inbox, tuple(skip), display_as)
    return run_with_memory_cap(_ingest_job, job, settings.ingest_memory_mib)


def _ingest_job(job: tuple[Settings, list[str], bool, tuple[str, ...], str | None]) -> list[FileResult]:
    settings, paths, keep_inbox, skip, display_as = job
    return Ingestor(settings).ingest_paths(paths, keep_inbox=keep_inbox, skip=skip, display_as=display_as)


def _capped_child(send, target, arg, limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_DATA, (limit, resource.getrlimit(resource.RLIMIT_DATA)[1]))
    try:
        send.send(("returned", target(arg)))
    except Exception as exc:
        send.send(("raised", exc))


@dataclass
class FileResult:
    source_file: str
    sha256: str
    format: str | None
    source: str | None
    parser_version: str | None
    status: str
    rows_read: int = 0
    rows_landed: int = 0
    rows_quarantined: int = 0
    message: str = ""
    entities: dict[str, dict[str, int]] = field(default_factory=dict)
    unknown_values: dict[str, dict[str, int]] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)
    rows_skipped: int = 0

    def manifest(self) -> dict:
        return {
            "source_file": self.source_file,
            "format": self.format,
            "sha256": self.sha256,
            "parser_version": self.parser_version,
            "rows_read": self.rows_read,
            "rows_landed": self.rows_landed,
            "rows_quarantined": self.rows_quarantined,
            "status": self.status,
            "message": self.message,
            "source": self.source,
            "entities": self.entities,
            "unknown_values": self.unknown_values,
            "rows_skipped": self.rows_skipped,
        }


def parser_version(fmt: Format) -> str:
    return f"{fmt.name}@{fmt.version}"


def file_stem(sha256: str, fmt: Format) -> str:
    return f"{sha256}-v{fmt.version}"


# ---------------------------------------------------------------------- writing parquet


class EntitySink:
    """Typed Parquet for one entity of one file, one file per business month, in the work folder."""

    def __init__(self, folder: Path, entity: registry.Entity, stem: str):
        self.folder = folder
        self.entity = entity
        self.stem = stem
        self.schema = entity.schema()
        self.writers: dict[str | None, pq.ParquetWriter] = {}
        self.rows = 0

    def rel(self, month: str | None) -> str:
        part = f"business_month={month}/" if month else ""
        return f"{self.entity.landed_prefix}/{part}{self.stem}.parquet"

    def write(self, frame: pl.DataFrame) -> None:
        if frame.is_empty():
            return
        frame = conform(frame, self.schema)
        parts = (
            frame.with_columns(_m=pl.col("business_date").dt.strftime("%Y-%m")).partition_by("_m", as_dict=True)
            if self.entity.partitioned
            else {(None,): frame}
        )
        for (month,), part in parts.items():
            table = part.drop("_m", strict=False).to_arrow()
            writer = self.writers.get(month)
            if writer is None:
                path = self.folder / self.rel(month)
                path.parent.mkdir(parents=True, exist_ok=True)
                writer = pq.ParquetWriter(path, table.schema, compression="zstd")
                self.writers[month] = writer
            writer.write_table(table)
        self.rows += frame.height

    def close(self) -> list[str]:
        for writer in self.writers.values():
            writer.close()
        return [self.rel(month) for month in self.writers]


def conform(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return frame.select(
        [
            (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
            for name, dtype in schema.items()
        ]
    )


# ---------------------------------------------------------------------- one file


@dataclass
class Delivery:
    """One file handed to ingestion: where it came from, and its local copy."""

    display: str
    local: Path
    sha256: str
    received_at: dt.datetime
    origin: str | None = None
    """Inbox path to remove once recorded (None: leave the source alone)."""
    recording: list[Callable[[Path], None]] = field(default_factory=list)
    """What records the outcome (manifest, deliveries log, inbox removal): run after the file's data files are
    published, by the run's own thread in the order files were given (`batch.py`), with a work folder."""


class Ingestor:
    def __init__(self, settings: Settings | None = None, lake: Lake | None = None):
        self.settings = settings or load_settings()
        self.lake = lake or Lake(self.settings.lake, self.settings.aws_endpoint_url)

    # ---------------------------------------------------------------- entry points
    def ingest_paths(
        self,
        paths: list[str],
        forced: str | None = None,
        keep_inbox: bool = False,
        skip: Sequence[str] = (),
        reinstate: bool = False,
        display_as: str | None = None,
    ) -> list[FileResult]:
        """Ingest files and folders. In a folder, names starting with `.` or `_` are never exports, and
        `skip` holds glob patterns of relative paths (a pattern matching a folder skips what it holds)
        that the caller knows are not exports, such as a generated data set's `truth`. With `reinstate`,
        files whose delivery was retracted land again as a new delivery (otherwise they are duplicates).
        `display_as` names the given folder in manifests instead of its path (a connector's temporary folder
        is recorded as `pull://<source>/<account>`)."""
        inbox = self.settings.inbox.rstrip("/")
        self.lake.clean_scratch()
        files = list(self._expand(paths, skip, display_as))
        batch = Batch(len(files), clock=_now)

        def land(index: int) -> tuple[FileResult, list[Callable[[Path], None]]]:
            fs, path, display = files[index]
            try:
                if batch.stopped:
                    raise Stopped
                with self.lake.workdir() as work:
                    from_inbox = _is_under(path, inbox, fs)
                    return self._ingest_one(
                        fs, path, display, work, forced, from_inbox, keep_inbox, reinstate, batch, index
                    )
            finally:
                batch.release(index)

        results: list[FileResult] = []
        workers = max(1, min(self.settings.ingest_workers, len(files)))
        with self.lake.workdir() as work, ThreadPoolExecutor(workers, thread_name_prefix="ingest") as pool:
            landing = [pool.submit(land, index) for index in range(len(files))]
            try:
                for index, (future, (_, _, display)) in enumerate(zip(landing, files, strict=True)):
                    try:
                        result, recording = future.result()
                        for step in recording:
                            step(work)
                    except RUN_FAILURES as exc:
                        raise RunFailure(display, exc, results) from exc
                    batch.recorded(index)
                    results.append(result)
            finally:
                batch.stop()  # wakes workers waiting on a file that will not be recorded
                for future in landing:
                    future.cancel()
        return results

    def _ingest_one(
        self,
        fs,
        path: str,
        display: str,
        work: Path,
        forced: str | None,
        from_inbox: bool,
        keep_inbox: bool,
        reinstate: bool,
        batch: Batch,
        index: int,
    ) -> tuple[FileResult, list[Callable[[Path], None]]]:
        """File `index` of `batch` landed: its result, and the steps that record it (see `Delivery.recording`)."""
        # S3 objects appear whole when their upload completes; a local file may still be growing.
        settle = self.settings.inbox_settle_seconds if from_inbox and "://" not in self.settings.inbox else 0.0
        before = fs.info(path)
        if not is_settled(before, settle):
            return _waiting(display, settle), []
        local = work / "original"
        sha = copy_with_sha256(fs, path, local)
        if settle and _changed(before, fs.info(path)):
            return _waiting(display, settle), []
        received_at, same_bytes_earlier = batch.hashed(index, sha)
        if same_bytes_earlier is not None:
            batch.wait_recorded(same_bytes_earlier)  # then this file is its duplicate, as in a serial run
        if has_dot_segment(fs, path):
            problem = FileProblem(
                "its S3 key has a '.' or '..' path segment, which tools resolve to a different path than the key",
                "copy the object to a key without '.' or '..' segments and delete this one",
            )
            delivery = Delivery(display, local, sha, received_at)
            return self._reject(delivery, problem, fmt=None, forced=forced), delivery.recording
        origin = path if from_inbox and not keep_inbox else None
        delivery = Delivery(display, local, sha, received_at, origin=origin)
        result = self._ingest(delivery, work, forced, reinstate=reinstate)
        if origin:
            delivery.recording.append(lambda _work: _remove_origin(fs, origin, sha))
        return result, delivery.recording

    def reprocess(self, forced: str | None = None, force: bool = False) -> list[FileResult]:
        """Re-land every raw file whose manifest has another parser version (all with `force`)."""
        results: list[FileResult] = []
        self.lake.clean_scratch()
        for rel in self.lake.list("_manifests/sha256"):
            pointer = self.lake.read_json(rel) or {}
            manifest = self.lake.read_json(pointer.get("manifest", "")) or {}
            sha = pointer.get("sha256") or Path(rel).stem
            if manifest.get("status") == RETRACTED:
                continue  # withdrawn deliveries stay withdrawn; `ingest --reinstate FILE` brings one back
            if forced and forced not in (manifest.get("source"), manifest.get("format")):
                continue
            try:
                with self.lake.workdir() as work:
                    local = work / "original"
                    self.lake.fetch(raw_path(sha), local)
                    received = _parse_time(manifest.get("ingested_at")) or _now()
                    delivery = Delivery(manifest.get("source_file", sha), local, sha, received)
                    result = self._ingest(
                        delivery, work, pointer.get("forced_source"), reprocess=True, force=force, previous=manifest
                    )
                    for step in delivery.recording:
                        step(work)
                    results.append(result)
            except RUN_FAILURES as exc:
                raise RunFailure(raw_path(sha), exc, results) from exc
        return results

    # ---------------------------------------------------------------- internals
    def _expand(self, paths: list[str], skip: Sequence[str] = (), display_as: str | None = None):
        for given in paths:
            fs, path = filesystem_for(given, self.settings.aws_endpoint_url)
            if fs.isdir(path):
                for found in sorted(fs.find(path)):
                    rel = found[len(path.rstrip("/")) + 1 :]
                    parts = rel.split("/")
                    if is_skipped(parts, skip):
                        continue
                    yield fs, found, os.path.join(display_as or given, rel)
            elif fs.exists(path):
                yield fs, path, given
            else:
                raise FileNotFoundError(f"{given}: no such file or folder")

    def _ingest(
        self,
        delivery: Delivery,
        work: Path,
        forced: str | None,
        *,
        reprocess: bool = False,
        force: bool = False,
        previous: dict | None = None,
        reinstate: bool = False,
    ) -> FileResult:
        sha = delivery.sha256
        pointer = self.lake.read_json(f"_manifests/sha256/{sha}.json")
        if pointer and not reprocess and reinstate:
            manifest = self.lake.read_json(pointer["manifest"]) or {}
            if manifest.get("status") == RETRACTED:
                # Re-land as a new delivery (received now), so a snapshot entity takes it as its latest.
                reprocess, force, previous = True, True, manifest
        if pointer and not reprocess:
            current = FORMATS.get(pointer.get("format") or "")
            if current is None or pointer.get("parser_version") == parser_version(current):
                return self._duplicate(delivery, pointer)
            # Landed by an older parser: re-land like --reprocess, replacing that version's files.
            reprocess, previous = True, self.lake.read_json(pointer["manifest"]) or {}
            delivery.received_at = _parse_time(previous.get("ingested_at")) or delivery.received_at
        text = work / "text"
        try:
            decoded = decode_to_utf8(delivery.local, text, decompression_limits(self.settings))
            detection = detect(Sniff(read_head(text)), delivery.display, forced)
        except RUN_FAILURES:
            raise
        except FILE_FAILURES as exc:
            problem = as_file_problem(exc)
            return self._reject(delivery, problem, fmt=_format_named(problem), forced=forced)
        fmt = detection.format
        clash = dropped_export_problem(self.lake, fmt.name, delivery.display)
        if clash:  # one path per store for Shopify Payments (ingestion/connectors/payments.py)
            return self._reject(delivery, FileProblem(*clash), fmt=fmt, forced=forced)
        if reprocess and previous and previous.get("parser_version") == parser_version(fmt) and not force:
            return FileResult(
                delivery.display,
                sha,
                fmt.name,
                fmt.source,
                parser_version(fmt),
                "duplicate",
                previous.get("rows_read", 0),
                previous.get("rows_landed", 0),
                previous.get("rows_quarantined", 0),
                "up to date with this parser version; nothing re-landed",
            )
        try:
            result, files, extra = self._parse(delivery, work, detection, decoded.encoding, decoded.compression, text)
        except RUN_FAILURES:
            raise
        except FILE_FAILURES as exc:
            return self._reject(delivery, as_file_problem(exc), fmt=fmt, forced=forced)
        self._publish_raw(delivery)
        for rel in files:
            self.lake.publish(work / "out" / rel, rel)
        self._record(delivery, result, extra, forced_source=fmt.name)
        if reprocess and previous:
            # Once the new manifest is written: the previous version's files it no longer lists.
            stale = [rel for rel in previous.get("files", []) if rel not in files]
            delivery.recording.append(lambda _work: [self.lake.delete(rel) for rel in stale])
        return result

    def _context(self, delivery: Delivery, detection: Detection, text: Path) -> ParseContext:
        ctx = ParseContext(delivery.display, delivery.sha256, delivery.received_at, self.settings.timezone, detection)
        ctx.state["text_path"] = text
        return ctx

    def _parse(
        self, delivery: Delivery, work: Path, detection: Detection, encoding: str, compression: str | None, text: Path
    ) -> tuple[FileResult, list[str], dict]:
        """Parse into Parquet under `work/out` (nothing in the lake yet): the result, its files and manifest extras."""
        fmt = detection.format
        version = parser_version(fmt)
        stem = file_stem(delivery.sha256, fmt)
        ctx = self._context(delivery, detection, text)
        out = work / "out"
        sinks = {name: EntitySink(out, registry.entity(fmt.source, name), stem) for name in fmt.entities}
        quarantine_rel = f"quarantine/{fmt.source}/{fmt.name}/{stem}.parquet"
        quarantine_writer: pq.ParquetWriter | None = None
        lineage = {
            "_source_file": pl.lit(delivery.display),
            "_source_sha256": pl.lit(delivery.sha256),
            "_source_format": pl.lit(fmt.name),
            "_ingested_at": pl.lit(delivery.received_at).cast(registry.UTC),
            "_parser_version": pl.lit(version),
        }
        read = quarantined = skipped = 0
        examples: list[str] = []
        unknown: dict[str, Counter] = {}
        for parsed in fmt.parse(text, work, ctx):
            parsed = _require_keys_and_dates(parsed, fmt)
            records = parsed.records
            bad = records.filter(pl.col("_reason").is_not_null())
            read += records.height
            quarantined += bad.height
            skipped += parsed.skipped
            for column, counts in parsed.unknown.items():
                unknown.setdefault(column, Counter()).update(counts)
            if bad.height:
                if len(examples) < MAX_EXAMPLES:
                    for row, reason in bad.head(MAX_EXAMPLES - len(examples)).select("_source_row", "_reason").rows():
                        examples.append(f"{delivery.display}:{row}: {reason}")
                table = conform(bad.with_columns(**lineage), registry.QUARANTINE_SCHEMA).to_arrow()
                if quarantine_writer is None:
                    path = out / quarantine_rel
                    path.parent.mkdir(parents=True, exist_ok=True)
                    quarantine_writer = pq.ParquetWriter(path, table.schema, compression="zstd")
                quarantine_writer.write_table(table)
            bad_rows = bad.select("_source_row")
            for name, frame in parsed.entities.items():
                if frame.is_empty():
                    continue
                good = frame.join(bad_rows, on="_source_row", how="anti") if bad.height else frame
                good = good.with_columns(
                    **lineage, _record_version=pl.coalesce(pl.col("_record_version"), lineage["_ingested_at"])
                )
                sinks[name].write(good)
        files = [rel for sink in sinks.values() for rel in sink.close()]
        if quarantine_writer is not None:
            quarantine_writer.close()
            files.append(quarantine_rel)
        if read == 0:
            raise FileProblem(
                "header-only file: no data rows after the header",
                f"export a period that has data ({fmt.download})",
            )
        landed = read - quarantined
        entities = {name: {"rows_landed": sink.rows} for name, sink in sinks.items()}
        unknown_values = {k: dict(v.most_common()) for k, v in unknown.items() if v}
        status = "partial" if quarantined else "landed"
        message = _landing_message(fmt, read, landed, quarantined, skipped, entities, unknown_values)
        result = FileResult(
            delivery.display,
            delivery.sha256,
            fmt.name,
            fmt.source,
            version,
            status,
            read,
            landed,
            quarantined,
            message,
            entities,
            unknown_values,
            examples,
            skipped,
        )
        extra = {
            "files": files,
            "encoding": encoding,
            "compression": compression,
            "delimiter": detection.delimiter,
            "header_line": detection.header_line + 1 if detection.delimiter else None,
            "quarantine_examples": examples,
        }
        return result, files, extra

    def _publish_raw(self, delivery: Delivery) -> None:
        rel = raw_path(delivery.sha256)
        if not self.lake.exists(rel):
            self.lake.publish(delivery.local, rel)

    def _record(self, delivery: Delivery, result: FileResult, extra: dict, forced_source: str | None) -> None:
        """Manifest last: it is what makes the landed files visible (written in file order, `Delivery.recording`)."""
        delivery.recording.append(lambda work: self._write_manifest(delivery, result, work, extra, forced_source))
        self._log_delivery(delivery, result)

    def _write_manifest(
        self, delivery: Delivery, result: FileResult, work: Path, extra: dict, forced_source: str | None
    ) -> None:
        folder = result.source if result.format else "unknown"
        manifest_rel = f"_manifests/{folder}/{result.sha256}.json"
        manifest = {**result.manifest(), **extra, "ingested_at": delivery.received_at.isoformat()}
        self.lake.write_json(manifest_rel, manifest, work)
        pointer = {
            "sha256": result.sha256,
            "manifest": manifest_rel,
            "format": result.format,
            "parser_version": result.parser_version,
            "forced_source": forced_source,
        }
        self.lake.write_json(f"_manifests/sha256/{result.sha256}.json", pointer, work)

    def _log_delivery(self, delivery: Delivery, result: FileResult) -> None:
        delivery.recording.append(lambda work: self._write_delivery_log(delivery, result, work))

    def _write_delivery_log(self, delivery: Delivery, result: FileResult, work: Path) -> None:
        now = _now()
        rel = deliveries_log_rel(result.sha256, now)
        entry = {
            "delivered_at": now.isoformat(),
            "source_file": delivery.display,
            "sha256": result.sha256,
            "format": result.format,
            "parser_version": result.parser_version,
            "status": result.status,
            "rows_read": result.rows_read,
            "rows_landed": result.rows_landed,
            "rows_quarantined": result.rows_quarantined,
            "message": result.message,
        }
        self.lake.write_json(rel, entry, work)

    def _duplicate(self, delivery: Delivery, pointer: dict) -> FileResult:
        manifest = self.lake.read_json(pointer["manifest"]) or {}
        previous = manifest.get("status", "landed")
        note = f"duplicate of {manifest.get('source_file')} (ingested {manifest.get('ingested_at')}, {previous})"
        if previous == "rejected":
            note += f": still rejected: {manifest.get('message')}"
        if previous == RETRACTED:
            retraction = manifest.get("retraction") or {}
            note += (
                f": retracted {retraction.get('at')} by {retraction.get('by')} ({retraction.get('reason')}), its rows "
                "stay withdrawn; `commerce-analytics ingest --reinstate FILE` lands it again"
            )
        result = FileResult(
            delivery.display,
            delivery.sha256,
            pointer.get("format"),
            manifest.get("source"),
            pointer.get("parser_version"),
            "duplicate",
            manifest.get("rows_read", 0),
            manifest.get("rows_landed", 0),
            manifest.get("rows_quarantined", 0),
            note + "; nothing changed",
        )
        result.entities = {"_previous_status": {previous: 1}} if previous == "rejected" else {}
        self._log_delivery(delivery, result)
        return result

    def _reject(
        self, delivery: Delivery, problem: FileProblem, *, fmt: Format | None, forced: str | None
    ) -> FileResult:
        result = FileResult(
            delivery.display,
            delivery.sha256,
            fmt.name if fmt else None,
            fmt.source if fmt else None,
            parser_version(fmt) if fmt else "detect@1",
            "rejected",
            message=f"{problem.problem}; {problem.fix}",
        )
        self._publish_raw(delivery)
        self._record(delivery, result, {"files": []}, forced_source=forced)
        return result


# What a file's bytes can provoke in a parser (csv.Error, RecursionError, polars and pyarrow errors, and polars'
# panics, which are BaseExceptions): each becomes that file's rejection.
FILE_FAILURES = (Exception, pl.exceptions.PanicException)


def as_file_problem(exc: BaseException) -> FileProblem:
    if isinstance(exc, FileProblem):
        return exc
    detail = str(exc).splitlines()[0][:200] if str(exc) else ""
    return FileProblem(
        f"could not be parsed ({type(exc).__name__}{': ' + detail if detail else ''})",
        "check that it is the export as downloaded (not re-saved or truncated) and download it again; "
        "if it is, report the file to the maintainers",
    )


def decompression_limits(settings: Settings) -> DecompressionLimits:
    return DecompressionLimits(
        max_bytes=settings.max_decompressed_mib * 1024**2, max_ratio=settings.max_compression_ratio
    )


def is_settled(info: dict, settle_seconds: float) -> bool:
    """Whether a local file (its fsspec `info`) has not been modified for `settle_seconds`: a writer still copying
    it would have."""
    return settle_seconds <= 0 or time.time() - float(info["mtime"]) >= settle_seconds


def _remove_origin(fs, origin: str, sha256: str) -> None:
    """Remove an inbox file once recorded. A writer may have replaced it since it was read: only the bytes that
    were recorded leave."""
    if sha256_of(fs, origin) == sha256:
        fs.rm_file(origin)


def _changed(before: dict, after: dict) -> bool:
    return (before["size"], before["mtime"]) != (after["size"], after["mtime"])


def _waiting(display: str, settle_seconds: float) -> FileResult:
    return FileResult(
        display,
        "",
        None,
        None,
        None,
        "waiting",
        message=(
            f"still being written (modified within the last {settle_seconds:g} s, COMMERCE_INBOX_SETTLE_SECONDS); "
            "left in the inbox for the next run"
        ),
    )


def _require_keys_and_dates(parsed: Parsed, fmt: Format) -> Parsed:
    """Safety net: an entity row without a record key or business date quarantines its record."""
    problems = []
    for name, frame in parsed.entities.items():
        entity = registry.entity(fmt.source, name)
        checks = [pl.col("_record_key").is_null()]
        if entity.partitioned:
            checks.append(pl.col("business_date").is_null())
        missing = frame.filter(pl.any_horizontal(checks)).select("_source_row")
        if missing.height:
            problems.append(missing.with_columns(_extra=pl.lit(f"{name}: no record key or business date")))
    if not problems:
        return parsed
    extra = pl.concat(problems).unique("_source_row")
    records = (
        parsed.records.join(extra, on="_source_row", how="left")
        .with_columns(_reason=pl.coalesce("_reason", "_extra"))
        .drop("_extra")
    )
    return Parsed(records, parsed.entities, parsed.skipped, parsed.unknown)


def _landing_message(fmt, read, landed, quarantined, skipped, entities, unknown) -> str:
    parts = [f"{fmt.label}: {read} rows read, {landed} landed, {quarantined} quarantined"]
    parts.append("(" + ", ".join(f"{k} {v['rows_landed']}" for k, v in entities.items()) + ")")
    if skipped:
        parts.append(f"{skipped} report total/footer lines skipped")
    if quarantined:
        parts.append(
            f"see quarantine/{fmt.source}/{fmt.name}/ for each row's reason; fix those rows at the source and "
            "ingest the corrected export (landed rows are replaced by record key, nothing is double-counted)"
        )
    if unknown:
        listed = "; ".join(
            f"{col}: " + ", ".join(f"{v!r} x{n}" for v, n in vals.items()) for col, vals in unknown.items()
        )
        parts.append(f"unknown values kept and counted: {listed}")
    return "; ".join(parts)


def _format_named(problem: FileProblem) -> Format | None:
    for fmt in FORMATS.values():
        if problem.problem.startswith(fmt.label) or f"a {fmt.label}" in problem.problem:
            return fmt
    return None


def _is_under(path: str, folder: str, fs) -> bool:
    if folder.startswith("s3://"):
        folder = folder[len("s3://") :]
    elif "://" not in folder:
        folder = os.path.abspath(folder)
    return path.startswith(folder.rstrip("/") + "/")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _parse_time(text: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def exit_code(results: list[FileResult]) -> int:
    """0 all landed, duplicates or still settling; 1 some rows quarantined; 2 a file rejected.
    (3, the run itself failed, is a `RunFailure` raised instead of results.)"""
    if any(r.status == "rejected" or "_previous_status" in r.entities for r in results):
        return 2
    if any(r.status == "partial" for r in results):
        return 1
    return 0


def as_dict(result: FileResult) -> dict:
    return asdict(result)


def has_dot_segment(fs, path: str) -> bool:
    """Whether an object-store path (`bucket/key` or `s3://bucket/key`) has a `.` or `..` segment. Local
    paths resolve them through the file system, so they are never refused."""
    if "file" in _protocols(fs):
        return False
    return any(part in DOT_SEGMENTS for part in path.split("://")[-1].split("/"))


def _protocols(fs) -> tuple[str, ...]:
    return (fs.protocol,) if isinstance(fs.protocol, str) else tuple(fs.protocol)


def is_skipped(parts: Sequence[str], patterns: Sequence[str] = ()) -> bool:
    """Whether a relative path (split on `/`) inside a given folder is not an export: a hidden or `_` name
    (editor and lake bookkeeping files) anywhere in it, a temporary name (`.part`, `.tmp`, `~$` and similar:
    a transfer in progress or an Office lock file), or it or a folder holding it matches a skip pattern."""
    if any(part.startswith((".", "_")) and part not in DOT_SEGMENTS for part in parts):
        return True
    if parts and (parts[-1].startswith(TEMPORARY_PREFIXES) or parts[-1].lower().endswith(TEMPORARY_SUFFIXES)):
        return True  # a download or copy still in progress, or an Office lock file
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(fnmatch.fnmatchcase(prefix, pattern) for pattern in patterns for prefix in prefixes)
