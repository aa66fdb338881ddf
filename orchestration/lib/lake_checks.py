"""The lake-side data checks, as plain functions over a `Lake` (Dagster wraps them in asset checks).

Each function looks at one landed entity and returns a `CheckOutcome`:

- reconciliation: for every visible manifest (status landed/partial) of a format that feeds the entity,
  the rows in its landed Parquet files equal the manifest's `entities[<entity>].rows_landed`, and
  rows_read = rows_landed + rows_quarantined. A mismatch is an error.
- rejected files: a delivery of a format that feeds the entity was rejected within the window: an
  error naming the file and the reason (the manifest's message).
- quarantine rate: quarantined / read over the entity's visible files above the threshold: a warning
  naming the worst files and example reasons.
- freshness: hours since the newest delivery of the entity's formats above the source's limit: a warning.
- row-count anomalies: a day (business_date) whose landed rows fall below/above a share of the trailing
  28-day median: a warning listing the days.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field

import pyarrow.parquet as pq

from ingestion import registry
from ingestion.formats import FORMATS
from ingestion.lake import Lake
from orchestration.lib.settings import CheckThresholds

VISIBLE = ("landed", "partial")
ANOMALY_WINDOW_DAYS = 28
ANOMALY_MIN_MEDIAN = 10


@dataclass
class CheckOutcome:
    passed: bool
    description: str
    warn: bool = False
    """A failure of warning severity (else error)."""
    metadata: dict = field(default_factory=dict)


def entity_formats(entity: registry.Entity) -> set[str]:
    return {name for name, fmt in FORMATS.items() if fmt.source == entity.source and entity.name in fmt.entities}


def source_manifests(lake: Lake, source: str) -> list[dict]:
    manifests = []
    for rel in lake.list(f"_manifests/{source}"):
        if rel.endswith(".json"):
            manifest = lake.read_json(rel)
            if manifest:
                manifests.append(manifest)
    return manifests


def entity_manifests(manifests: list[dict], entity: registry.Entity) -> list[dict]:
    formats = entity_formats(entity)
    return [m for m in manifests if m.get("format") in formats]


def _time(text: str | None) -> dt.datetime | None:
    try:
        value = dt.datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def _entity_files(manifest: dict, entity: registry.Entity) -> list[str]:
    prefix = entity.landed_prefix + "/"
    return [rel for rel in manifest.get("files", []) if rel.startswith(prefix)]


def reconciliation(lake: Lake, entity: registry.Entity, manifests: list[dict]) -> CheckOutcome:
    mismatches = []
    files_checked = expected_total = actual_total = 0
    for manifest in entity_manifests(manifests, entity):
        if manifest.get("status") not in VISIBLE:
            continue
        name = manifest.get("source_file")
        read, landed, quarantined = (manifest.get(k, 0) for k in ("rows_read", "rows_landed", "rows_quarantined"))
        if read != landed + quarantined:
            mismatches.append(f"{name}: rows read {read} != landed {landed} + quarantined {quarantined}")
        expected = (manifest.get("entities") or {}).get(entity.name, {}).get("rows_landed", 0)
        actual = 0
        for rel in _entity_files(manifest, entity):
            try:
                with lake.fs.open(lake.path(rel), "rb") as handle:
                    actual += pq.ParquetFile(handle).metadata.num_rows
            except FileNotFoundError:
                mismatches.append(f"{name}: landed file {rel} named by the manifest is missing")
        files_checked += 1
        expected_total += expected
        actual_total += actual
        if actual != expected:
            mismatches.append(f"{name}: {actual} rows in landed/ but the manifest says {expected}")
    metadata = {
        "files_checked": files_checked,
        "rows_in_manifests": expected_total,
        "rows_in_landed_parquet": actual_total,
    }
    if mismatches:
        metadata["mismatches"] = "\n".join(mismatches[:20])
        return CheckOutcome(False, f"{len(mismatches)} manifest/landed mismatch(es): {mismatches[0]}", False, metadata)
    return CheckOutcome(
        True, f"{files_checked} files: {actual_total} landed rows match their manifests", False, metadata
    )


def rejected_files(entity: registry.Entity, manifests: list[dict], thresholds: CheckThresholds, now: dt.datetime):
    cutoff = now - dt.timedelta(hours=thresholds.rejection_window_hours)
    rejected = []
    for manifest in entity_manifests(manifests, entity):
        when = _time(manifest.get("ingested_at"))
        if manifest.get("status") == "rejected" and (when is None or when >= cutoff):
            rejected.append(f"{manifest.get('source_file')}: {manifest.get('message')}")
    metadata = {"rejected_files": len(rejected), "window_hours": thresholds.rejection_window_hours}
    if rejected:
        metadata["rejections"] = "\n".join(rejected[:20])
        return CheckOutcome(False, "REJECTED " + " | ".join(rejected[:3]), False, metadata)
    return CheckOutcome(True, "no rejected deliveries in the window", False, metadata)


def quarantine_rate(entity: registry.Entity, manifests: list[dict], thresholds: CheckThresholds) -> CheckOutcome:
    read = quarantined = 0
    worst: list[tuple[float, str]] = []
    for manifest in entity_manifests(manifests, entity):
        if manifest.get("status") not in VISIBLE:
            continue
        r, q = manifest.get("rows_read", 0), manifest.get("rows_quarantined", 0)
        read += r
        quarantined += q
        if q:
            examples = "; ".join(manifest.get("quarantine_examples", [])[:2])
            worst.append((q / max(r, 1), f"{manifest.get('source_file')}: {q} of {r} rows quarantined ({examples})"))
    rate = quarantined / read if read else 0.0
    metadata = {
        "rows_read": read,
        "rows_quarantined": quarantined,
        "quarantine_rate": round(rate, 6),
        "threshold": thresholds.quarantine_warn_rate,
    }
    worst.sort(reverse=True)
    if worst:
        metadata["files"] = "\n".join(text for _, text in worst[:10])
    if rate > thresholds.quarantine_warn_rate:
        return CheckOutcome(
            False,
            f"{rate:.2%} of rows quarantined (threshold {thresholds.quarantine_warn_rate:.2%}): {worst[0][1]}",
            True,
            metadata,
        )
    return CheckOutcome(True, f"{rate:.2%} of rows quarantined", False, metadata)


def freshness(
    entity: registry.Entity, manifests: list[dict], thresholds: CheckThresholds, now: dt.datetime
) -> CheckOutcome:
    limit = thresholds.freshness_for(entity.source)
    times = [
        t
        for m in entity_manifests(manifests, entity)
        if m.get("status") in VISIBLE and (t := _time(m.get("ingested_at")))
    ]
    if not times:
        return CheckOutcome(False, f"no delivery of {entity.key} has landed yet", True, {"limit_hours": limit})
    newest = max(times)
    age = (now - newest).total_seconds() / 3600
    metadata = {"last_delivery": newest.isoformat(), "age_hours": round(age, 2), "limit_hours": limit}
    if age > limit:
        return CheckOutcome(False, f"last delivery {age:.1f} h ago (limit {limit:g} h)", True, metadata)
    return CheckOutcome(True, f"last delivery {age:.1f} h ago (limit {limit:g} h)", False, metadata)


def daily_counts(lake: Lake, entity: registry.Entity, manifests: list[dict]) -> dict[dt.date, int]:
    counts: dict[dt.date, int] = {}
    for manifest in entity_manifests(manifests, entity):
        if manifest.get("status") not in VISIBLE:
            continue
        for rel in _entity_files(manifest, entity):
            with lake.fs.open(lake.path(rel), "rb") as handle:
                column = pq.read_table(handle, columns=["business_date"]).column("business_date")
            for value in column.value_counts().to_pylist():
                day = value["values"]
                if day is not None:
                    counts[day] = counts.get(day, 0) + value["counts"]
    return counts


def find_anomalies(counts: dict[dt.date, int], low: float, high: float) -> list[str]:
    """Days whose count is below `low` x or above `high` x the median of the previous 28 days (gaps are 0).

    The newest day is left out: exports are cut during it, so it is routinely incomplete.
    """
    if not counts:
        return []
    first, last = min(counts), max(counts) - dt.timedelta(days=1)
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    series = [counts.get(day, 0) for day in days]
    found = []
    for i in range(ANOMALY_WINDOW_DAYS, len(series)):
        median = statistics.median(series[i - ANOMALY_WINDOW_DAYS : i])
        if median < ANOMALY_MIN_MEDIAN:
            continue
        value = series[i]
        if value < low * median or value > high * median:
            found.append(f"{days[i]}: {value} rows (trailing median {median:g})")
    return found


def row_count_anomalies(
    lake: Lake, entity: registry.Entity, manifests: list[dict], thresholds: CheckThresholds
) -> CheckOutcome:
    if not entity.partitioned:
        total = sum(
            (m.get("entities") or {}).get(entity.name, {}).get("rows_landed", 0)
            for m in entity_manifests(manifests, entity)
            if m.get("status") in VISIBLE
        )
        return CheckOutcome(True, f"not dated; {total} rows landed", False, {"rows_landed": total})
    counts = daily_counts(lake, entity, manifests)
    anomalies = find_anomalies(counts, thresholds.anomaly_low_ratio, thresholds.anomaly_high_ratio)
    metadata = {"days": len(counts), "rows": sum(counts.values()), "anomalous_days": len(anomalies)}
    if anomalies:
        metadata["anomalies"] = "\n".join(anomalies[:30])
        return CheckOutcome(
            False, f"{len(anomalies)} day(s) with unusual row counts, e.g. {anomalies[0]}", True, metadata
        )
    return CheckOutcome(True, f"{len(counts)} days, no unusual daily row counts", False, metadata)
