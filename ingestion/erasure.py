"""Erase a customer: `commerce-analytics forget-customer EMAIL`, the answer to a GDPR/CCPA deletion request.

What is rewritten (every file that holds the person, visible or not):
- `raw/`: the original export bytes. In a delimited export, the person's rows (a field equal to the email)
  lose their personal fields (email, names, street, address, company, city, zip, phone); in JSON, an object
  holding the email loses its personal keys and those of its customer and address objects; in any other
  text the email itself is removed. Money fields stay, so `ingest --reprocess` lands the same amounts.
- `landed/`: rows whose registry `email_column` matches get their registry `personal_columns` nulled.
- `quarantine/`: rows whose `_raw` text holds the email lose `_raw`.

Identity: a raw file keeps its name, the sha256 of the bytes as *delivered*, which stays the delivery's
identity in its manifest, its `_source_sha256` lineage and the duplicate check. So a re-sent original
export is still a duplicate and the person does not come back; the manifest records each erasure and the
sha256 of the bytes now stored (`erasures`). The erasure itself is logged under
`_manifests/erasures/<date>/` with the sha256 of the normalised email (never the email) and the files
rewritten. The warehouse is cleared by the next build (staging reads the rewritten files; on PostgreSQL the
load step replaces the landed tables), and staging stores only the salted hash of any email.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import getpass
import gzip
import hashlib
import io
import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from ingestion import registry
from ingestion.lake import Lake
from ingestion.textio import FileProblem, decode_to_utf8

PERSONAL_HEADER = re.compile(
    r"^((billing|shipping|ship)[ _-]?(name|street|address ?[12]?|company|city|zip|zipcode|postal[ _-]?code|phone)"
    r"|ship-(city|postal-code)|e-?mail|customer[ _]email|buyer[ _]email|phone|contact[ _]email)$",
    re.IGNORECASE,
)
PERSONAL_KEYS = frozenset(
    {
        "email",
        "contact_email",
        "customer_email",
        "phone",
        "first_name",
        "last_name",
        "address1",
        "address2",
        "company",
        "city",
        "zip",
        "latitude",
        "longitude",
    }
)
"""JSON keys blanked in an object that holds the email."""
PERSON_ONLY_KEYS = frozenset({"name", "id"})
"""Blanked only inside PERSON_OBJECTS: elsewhere they are an order's or product's name and id."""
PERSON_OBJECTS = frozenset({"customer", "billing_address", "shipping_address", "default_address"})
DELIMITERS = (",", "\t", ";", "|")


@dataclass
class Erasure:
    email_sha256: str
    raw: list[str] = field(default_factory=list)
    landed: list[str] = field(default_factory=list)
    quarantine: list[str] = field(default_factory=list)
    rows_erased: int = 0
    log: str = ""

    @property
    def files(self) -> int:
        return len(self.raw) + len(self.landed) + len(self.quarantine)


def normalised(email: str) -> str:
    """The email as identity matching sees it (dbt macro `normalised_email`): trimmed, lower-cased."""
    return email.strip().lower()


def forget_customer(lake: Lake, email: str, by: str | None = None, reason: str = "") -> Erasure:
    """Erase one person from raw/, landed/ and quarantine/ and log the erasure. Idempotent."""
    target = normalised(email)
    if "@" not in target:
        raise ValueError(f"{email!r} is not an email address")
    erasure = Erasure(hashlib.sha256(target.encode()).hexdigest())
    now = dt.datetime.now(dt.UTC)
    with lake.workdir() as work:
        after = _erase_raw(lake, target, work, erasure)
        _erase_landed(lake, target, work, erasure)
        _erase_quarantine(lake, target, work, erasure)
        erasure.log = f"_manifests/erasures/{now:%Y-%m-%d}/{now:%H%M%S%f}-{uuid.uuid4().hex[:8]}.json"
        entry = {
            "erased_at": now.isoformat(),
            "by": by or getpass.getuser(),
            "reason": reason,
            "email_sha256": erasure.email_sha256,
            "raw": erasure.raw,
            "landed": erasure.landed,
            "quarantine": erasure.quarantine,
            "rows_erased": erasure.rows_erased,
        }
        lake.write_json(erasure.log, entry, work)
        for sha, stored in after.items():
            _note_in_manifest(lake, sha, {"at": now.isoformat(), "log": erasure.log, "stored_sha256": stored}, work)
    return erasure


# ---------------------------------------------------------------------- raw/
def _erase_raw(lake: Lake, target: str, work: Path, erasure: Erasure) -> dict[str, str]:
    """Rewrite raw files holding the email; returns delivery sha256 -> sha256 of the bytes now stored."""
    after = {}
    for rel in lake.list("raw"):
        local, text_path = work / "raw", work / "raw.txt"
        lake.fetch(rel, local)
        try:
            decoded = decode_to_utf8(local, text_path)
        except FileProblem:
            continue  # not text (a rejected binary file): nothing a person could be found in
        text = text_path.read_text(encoding="utf-8")
        if target not in text.lower():
            continue
        erased = _erase_text(text, target)
        data = erased.encode("utf-8")
        if decoded.compression == "gzip":
            data = gzip.compress(data, mtime=0)
        lake.write_bytes(rel, data, work)
        erasure.raw.append(rel)
        after[Path(rel).name] = hashlib.sha256(data).hexdigest()
    return after


def _erase_text(text: str, target: str) -> str:
    """The person's records without their personal fields, then the email removed wherever else it is."""
    header = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=header.count)
    if text.lstrip().startswith(("{", "[")):
        with contextlib.suppress(ValueError):  # not JSON after all: only the email goes
            text = _erase_json(text, target)
    elif header.count(delimiter):
        text = _erase_delimited(text, target, delimiter)
    return re.sub(re.escape(target), "", text, flags=re.IGNORECASE)


def _erase_delimited(text: str, target: str, delimiter: str) -> str:
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    personal = [i for i, name in enumerate(rows[0]) if PERSONAL_HEADER.match(name.strip())]
    newline = "\r\n" if "\r\n" in text[:4096] else "\n"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerow(rows[0])
    for row in rows[1:]:
        if any(normalised(value) == target for value in row):
            row = [("" if i in personal or normalised(value) == target else value) for i, value in enumerate(row)]
        writer.writerow(row)
    return out.getvalue()


def _erase_json(text: str, target: str) -> str:
    stripped = text.strip()
    try:
        return json.dumps(_erase_object(json.loads(stripped), target, False), ensure_ascii=False) + "\n"
    except json.JSONDecodeError:
        lines = [line for line in text.splitlines() if line.strip()]
        objects = [_erase_object(json.loads(line), target, False) for line in lines]
        return "".join(json.dumps(obj, ensure_ascii=False) + "\n" for obj in objects)


def _erase_object(value, target: str, holder: bool):
    """Blank personal keys of every object holding the email (and of its person objects)."""
    if isinstance(value, list):
        return [_erase_object(item, target, holder) for item in value]
    if not isinstance(value, dict):
        return "" if isinstance(value, str) and normalised(value) == target else value
    holds = holder or any(isinstance(v, str) and normalised(v) == target for v in value.values())
    erased = {}
    for key, item in value.items():
        if holds and key in PERSON_OBJECTS and isinstance(item, dict):
            erased[key] = _erase_object(item, target, True)
        elif holds and (key in PERSONAL_KEYS or (holder and key in PERSON_ONLY_KEYS)):
            erased[key] = None
        else:
            erased[key] = _erase_object(item, target, False)
    return erased


# ---------------------------------------------------------------------- landed/ and quarantine/
def _erase_landed(lake: Lake, target: str, work: Path, erasure: Erasure) -> None:
    for entity in registry.ENTITIES.values():
        if not entity.email_column:
            continue
        for rel in lake.list(entity.landed_prefix):
            if not rel.endswith(".parquet") or Path(rel).name.startswith("_"):
                continue
            frame = _read(lake, rel)
            hit = pl.col(entity.email_column).str.strip_chars().str.to_lowercase() == target
            rows = frame.filter(hit).height
            if not rows:
                continue
            # The record key of a touch is built from its email: the email leaves the key, which stays unique.
            unkeyed = pl.col("_record_key").str.replace_all(f"(?i){re.escape(target)}", "")
            frame = frame.with_columns(
                *(pl.when(hit).then(None).otherwise(pl.col(c)).alias(c) for c in entity.personal_columns),
                pl.when(hit).then(unkeyed).otherwise(pl.col("_record_key")).alias("_record_key"),
            )
            _write(lake, rel, frame, work)
            erasure.landed.append(rel)
            erasure.rows_erased += rows


def _erase_quarantine(lake: Lake, target: str, work: Path, erasure: Erasure) -> None:
    for rel in lake.list("quarantine"):
        if not rel.endswith(".parquet"):
            continue
        frame = _read(lake, rel)
        hit = pl.col("_raw").str.to_lowercase().str.contains(target, literal=True).fill_null(False)
        rows = frame.filter(hit).height
        if not rows:
            continue
        _write(lake, rel, frame.with_columns(pl.when(hit).then(None).otherwise(pl.col("_raw")).alias("_raw")), work)
        erasure.quarantine.append(rel)
        erasure.rows_erased += rows


def _read(lake: Lake, rel: str) -> pl.DataFrame:
    with lake.fs.open(lake.path(rel), "rb") as handle:
        return pl.from_arrow(pq.read_table(handle))


def _write(lake: Lake, rel: str, frame: pl.DataFrame, work: Path) -> None:
    local = work / f"erased-{uuid.uuid4().hex}.parquet"
    pq.write_table(frame.to_arrow(), local, compression="zstd")
    lake.publish(local, rel)


def _note_in_manifest(lake: Lake, sha256: str, note: dict, work: Path) -> None:
    pointer = lake.read_json(f"_manifests/sha256/{sha256}.json") or {}
    manifest = lake.read_json(pointer.get("manifest", "")) if pointer else None
    if manifest:
        manifest["erasures"] = [*manifest.get("erasures", []), note]
        lake.write_json(pointer["manifest"], manifest, work)
