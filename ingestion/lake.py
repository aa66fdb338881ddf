"""The lake: a local folder or an S3 prefix, one code path through fsspec (s3fs for S3).

Layout (relative to `COMMERCE_LAKE`):

    inbox/                                   files users drop; removed once recorded
    raw/<sha[:2]>/<sha256>                   original bytes, content-addressed
    landed/<source>/<entity>/business_month=YYYY-MM/<sha256>-v<n>.parquet
    landed/<source>/<entity>/<sha256>-v<n>.parquet          (entities without a business date)
    quarantine/<source>/<format>/<sha256>-v<n>.parquet      rejected rows with `_reason`
    _manifests/<source>/<sha256>.json        one per file content (current parser version)
    _manifests/unknown/<sha256>.json         rejected files of unknown format
    _manifests/sha256/<sha256>.json          pointer sha -> manifest (cheap duplicate check)
    _manifests/deliveries/<YYYY-MM-DD>/<time>-<sha12>-<id>.json   one object per delivery (append-only)
    _tmp/ingest-*/                           a local lake's work folders; a killed run's are removed by the next

Visibility: a landed or quarantine file counts only when the manifest of its `_source_sha256` exists
and names its `_parser_version`. Writers publish data files first and the manifest last, so a crash
leaves nothing visible; the next run re-lands the file under the same deterministic names.

Every write is atomic: local files are written beside their target and renamed; S3 objects appear only
when their PUT or multipart upload completes, and each upload is verified against the local bytes'
MD5/multipart ETag. Retries with backoff on throttling, 5xx and dropped connections come from
botocore's retry configuration (`standard` mode), plus s3fs's own retry of transient errors.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import fsspec

PART_SIZE = 8 * 1024 * 1024
MAX_ATTEMPTS = 10
VERIFY_ATTEMPTS = 3
COPY_CHUNK = 4 * 1024 * 1024
SCRATCH_LOCK = ".in-use"
UNLOCKED_SCRATCH_SECONDS = 3600


class LakeError(RuntimeError):
    pass


def s3_filesystem(endpoint_url: str | None, *, max_attempts: int = MAX_ATTEMPTS):
    import s3fs

    return s3fs.S3FileSystem(
        endpoint_url=endpoint_url,
        config_kwargs={
            "retries": {"mode": "standard", "max_attempts": max_attempts},
            "connect_timeout": 10,
            "read_timeout": 60,
        },
        skip_instance_cache=True,
        use_listings_cache=False,
    )


def filesystem_for(url: str, endpoint_url: str | None = None):
    """(filesystem, path) for a local path or an s3:// URL."""
    if url.startswith("s3://"):
        return s3_filesystem(endpoint_url), url[len("s3://") :].rstrip("/")
    return fsspec.filesystem("file"), os.path.abspath(url)


def expected_etag(path: Path, part_size: int) -> str:
    """The ETag S3 reports for `path` uploaded by s3fs `put_file` with `chunksize=part_size`."""
    size = path.stat().st_size
    digests = []
    with open(path, "rb") as handle:
        if size < 2 * part_size:
            return hashlib.md5(handle.read(), usedforsecurity=False).hexdigest()
        while chunk := handle.read(part_size):
            digests.append(hashlib.md5(chunk, usedforsecurity=False).digest())
    return f"{hashlib.md5(b''.join(digests), usedforsecurity=False).hexdigest()}-{len(digests)}"


class Lake:
    def __init__(self, url: str, endpoint_url: str | None = None, *, part_size: int = PART_SIZE):
        self.url = url.rstrip("/")
        self.is_s3 = url.startswith("s3://")
        self.fs, self.root = filesystem_for(url, endpoint_url)
        self.endpoint_url = endpoint_url
        self.part_size = part_size

    def path(self, rel: str) -> str:
        return f"{self.root}/{rel.lstrip('/')}"

    def display(self, rel: str) -> str:
        return f"{self.url}/{rel}"

    # ---------------------------------------------------------------- reading
    def exists(self, rel: str) -> bool:
        return self.fs.exists(self.path(rel))

    def read_json(self, rel: str) -> dict | None:
        try:
            with self.fs.open(self.path(rel), "rb") as handle:
                return json.loads(handle.read())
        except FileNotFoundError:
            return None

    def list(self, rel_prefix: str) -> list[str]:
        """Relative paths of the files under a prefix (recursively)."""
        base = self.path(rel_prefix)
        if not self.fs.exists(base):
            return []
        return sorted(p[len(self.root) + 1 :] for p in self.fs.find(base))

    def fetch(self, rel: str, dst: Path) -> None:
        self.fs.get_file(self.path(rel), str(dst))

    # ---------------------------------------------------------------- writing
    def scratch(self) -> tuple[Path, str]:
        """Where work folders go: inside a local lake (`_tmp/`, so publishing is a rename), else the system's."""
        if self.is_s3:
            return Path(tempfile.gettempdir()), "commerce-ingest-"
        return Path(self.root) / "_tmp", "ingest-"

    @contextlib.contextmanager
    def workdir(self) -> Iterator[Path]:
        """A private local folder, locked (flock) while in use so `clean_scratch` can tell it from a dead run's."""
        base, prefix = self.scratch()
        base.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=prefix, dir=base))
        with open(folder / SCRATCH_LOCK, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield folder
            finally:
                shutil.rmtree(folder, ignore_errors=True)

    def clean_scratch(self) -> list[Path]:
        """Remove work folders a killed run left behind (their lock is free); folders in use are kept."""
        base, prefix = self.scratch()
        removed = []
        for folder in sorted(base.glob(f"{prefix}*")) if base.is_dir() else []:
            lock_path = folder / SCRATCH_LOCK
            if not lock_path.exists():
                # Between mkdtemp and taking the lock a live folder has no lock file yet: only old ones are dead.
                if time.time() - folder.stat().st_mtime > UNLOCKED_SCRATCH_SECONDS:
                    shutil.rmtree(folder, ignore_errors=True)
                    removed.append(folder)
                continue
            with open(lock_path) as lock:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
        return removed

    def publish(self, local: Path, rel: str) -> None:
        """Move a finished local file to `rel` atomically (rename, or a verified S3 upload)."""
        target = self.path(rel)
        if not self.is_s3:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if _same_device(local, target):
                os.replace(local, target)
            else:
                tmp = f"{target}.{uuid.uuid4().hex}.tmp"
                shutil.copyfile(local, tmp)
                os.replace(tmp, target)
            return
        expected = expected_etag(Path(local), self.part_size)
        size = Path(local).stat().st_size
        for _ in range(VERIFY_ATTEMPTS):
            self.fs.put_file(str(local), target, chunksize=self.part_size)
            info = self.fs.info(target, refresh=True)
            etag = str(info.get("ETag", "")).strip('"')
            # With SSE-KMS the ETag is not an MD5: then size (and botocore's request checksums) must do.
            if info.get("size") == size and (not _looks_like_md5(etag) or etag == expected):
                return
            self.fs.rm_file(target)
        raise LakeError(f"upload of {rel} did not verify (ETag {etag}, expected {expected}); nothing was kept")

    def write_bytes(self, rel: str, data: bytes, workdir: Path) -> None:
        local = workdir / f"obj-{uuid.uuid4().hex}"
        local.write_bytes(data)
        self.publish(local, rel)

    def write_json(self, rel: str, obj: dict, workdir: Path) -> None:
        self.write_bytes(rel, (json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n").encode(), workdir)

    def delete(self, rel: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.fs.rm_file(self.path(rel))


def _same_device(a: Path | str, b: str) -> bool:
    try:
        return os.stat(a).st_dev == os.stat(os.path.dirname(b)).st_dev
    except OSError:
        return False


def _looks_like_md5(etag: str) -> bool:
    head = etag.split("-")[0]
    return len(head) == 32 and all(ch in "0123456789abcdef" for ch in head.lower())


def copy_with_sha256(fs, path: str, dst: Path) -> str:
    """Copy a source file (local or remote) to `dst`, hashing it on the way."""
    digest = hashlib.sha256()
    with fs.open(path, "rb") as src, open(dst, "wb") as out:
        while chunk := src.read(COPY_CHUNK):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def sha256_of(fs, path: str) -> str:
    digest = hashlib.sha256()
    with fs.open(path, "rb") as src:
        while chunk := src.read(COPY_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def raw_path(sha256: str) -> str:
    return f"raw/{sha256[:2]}/{sha256}"
