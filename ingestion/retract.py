"""Withdraw a delivery: `commerce-analytics retract FILE_OR_SHA`.

A retraction sets the file's manifest status to `retracted` (with who, when, why and the status it had),
so the visibility rule (landed or partial manifests only: dbt_project/macros/landed.sql and
warehouse/targets.py `visible_files`) drops its rows from the next build. Nothing is deleted: the raw
bytes, the landed Parquet and an entry in the deliveries log stay as the audit trail. Re-sending the same
bytes afterwards is a duplicate that stays withdrawn; `ingest --reinstate` lands them again deliberately,
as a new delivery (for a snapshot entity it then becomes the latest one).
"""

from __future__ import annotations

import datetime as dt
import getpass
import re
from dataclasses import dataclass
from pathlib import Path

from ingestion.lake import Lake, copy_with_sha256, deliveries_log_rel, filesystem_for

RETRACTED = "retracted"
WITHDRAWABLE = ("landed", "partial")
SHA_PREFIX = re.compile(r"^[0-9a-f]{8,64}$")


@dataclass
class Retraction:
    sha256: str
    source_file: str
    manifest: str
    status_before: str
    rows_withdrawn: int


def resolve_sha256(lake: Lake, file_or_sha: str, endpoint_url: str | None = None) -> str:
    """The sha256 of a delivery named by an existing file (hashed), a sha256 or a prefix of at least 8 hex
    digits, or the name it was delivered under (its path, or a unique file name)."""
    fs, path = filesystem_for(file_or_sha, endpoint_url)
    if fs.isfile(path):
        with lake.workdir() as work:
            return copy_with_sha256(fs, path, work / "original")
    known = [Path(rel).stem for rel in lake.list("_manifests/sha256")]
    if SHA_PREFIX.match(file_or_sha.lower()):
        matches = [sha for sha in known if sha.startswith(file_or_sha.lower())]
    else:
        matches = []
        for sha in known:
            manifest = _manifest(lake, sha)
            delivered = str(manifest.get("source_file") or "")
            if file_or_sha in (delivered, Path(delivered).name):
                matches.append(sha)
    if not matches:
        raise ValueError(f"{file_or_sha}: no delivery in {lake.url} has this file, sha256 or name")
    if len(matches) > 1:
        listed = ", ".join(m[:12] for m in matches)
        raise ValueError(f"{file_or_sha}: names {len(matches)} deliveries ({listed}); give the sha256")
    return matches[0]


def retract(lake: Lake, sha256: str, reason: str, by: str | None = None) -> Retraction:
    """Mark the delivery's manifest `retracted` and log it; raises ValueError when nothing is visible to withdraw."""
    pointer = lake.read_json(f"_manifests/sha256/{sha256}.json") or {}
    manifest = lake.read_json(pointer.get("manifest", "")) if pointer else None
    if not manifest:
        raise ValueError(f"{sha256}: no manifest in {lake.url}")
    status = manifest.get("status")
    if status not in WITHDRAWABLE:
        raise ValueError(f"{manifest.get('source_file')} ({sha256[:12]}) is {status}: no rows of it are visible")
    now = dt.datetime.now(dt.UTC)
    record = {"at": now.isoformat(), "by": by or getpass.getuser(), "reason": reason, "status_before": status}
    with lake.workdir() as work:
        lake.write_json(pointer["manifest"], {**manifest, "status": RETRACTED, "retraction": record}, work)
        entry = {
            "delivered_at": now.isoformat(),
            "source_file": manifest.get("source_file"),
            "sha256": sha256,
            "format": manifest.get("format"),
            "parser_version": manifest.get("parser_version"),
            "status": RETRACTED,
            "rows_withdrawn": manifest.get("rows_landed", 0),
            "retracted_by": record["by"],
            "message": f"retracted by {record['by']}: {reason}",
        }
        lake.write_json(deliveries_log_rel(sha256, now), entry, work)
    rows = manifest.get("rows_landed", 0)
    return Retraction(sha256, manifest.get("source_file", ""), pointer["manifest"], status, rows)


def _manifest(lake: Lake, sha256: str) -> dict:
    pointer = lake.read_json(f"_manifests/sha256/{sha256}.json") or {}
    return (lake.read_json(pointer["manifest"]) if pointer.get("manifest") else None) or {}
