"""The lake's delivery log as tables for the Data health page (queries flagged `lake`).

Also `monthly_reports` (month, file): the PDFs in the lake's `reports/`, which the site copies to `reports/`.

The warehouse holds what landed, not when it was delivered nor what was quarantined and why: those live in the
lake's manifests (`_manifests/<source>/*.json`) and quarantine files (`quarantine/<source>/<format>/*.parquet`,
with `_reason`, `_source_file`, `_source_row`). They are loaded here into an in-memory DuckDB as
`lake_deliveries` and `quarantined_rows`, where the page's SQL reads them. Only visible files count (a manifest
landed or partial, as ingestion/lake.py defines visibility, naming the quarantine file's parser version).
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path

import duckdb
import polars as pl

from ingestion.lake import Lake

VISIBLE = ("landed", "partial")
DELIVERY_COLUMNS = {
    "source": pl.String,
    "format": pl.String,
    "source_file": pl.String,
    "status": pl.String,
    "ingested_at": pl.Datetime("us", "UTC"),
    "rows_read": pl.Int64,
    "rows_landed": pl.Int64,
    "rows_quarantined": pl.Int64,
    "message": pl.String,
}
QUARANTINE_COLUMNS = {"source": pl.String, "format": pl.String, "source_file": pl.String}
QUARANTINE_COLUMNS |= {"source_row": pl.Int64, "reason": pl.String}


def _manifests(lake: Lake) -> list[dict]:
    found = []
    for rel in lake.list("_manifests"):
        parts = rel.split("/")
        # _manifests/<source>/<sha>.json only: not the sha256 pointers, deliveries or erasures logs.
        if len(parts) == 3 and rel.endswith(".json") and parts[1] not in ("sha256", "deliveries", "erasures"):
            manifest = lake.read_json(rel)
            if manifest and manifest.get("source"):
                found.append(manifest)
    return found


def deliveries(manifests: list[dict]) -> pl.DataFrame:
    rows = []
    for m in manifests:
        when = dt.datetime.fromisoformat(m["ingested_at"]) if m.get("ingested_at") else None
        rows.append({k: m.get(k) for k in DELIVERY_COLUMNS} | {"ingested_at": when})
    return pl.DataFrame(rows, schema=DELIVERY_COLUMNS)


def quarantined(lake: Lake, manifests: list[dict]) -> pl.DataFrame:
    # A quarantine file is <sha256>-v<n>.parquet: it counts while that content's manifest is visible and names
    # parser version n (a retracted file or a superseded parser's rows are not shown).
    visible = {
        (m["sha256"], str(m.get("parser_version", "")).rsplit("@", 1)[-1])
        for m in manifests
        if m.get("status") in VISIBLE and m.get("sha256")
    }
    frames = []
    with tempfile.TemporaryDirectory(prefix="dashboard-quarantine-") as scratch:
        for i, rel in enumerate(lake.list("quarantine")):
            parts = rel.split("/")
            name = parts[-1].removesuffix(".parquet")
            sha, _, version = name.rpartition("-v")
            if len(parts) != 4 or not rel.endswith(".parquet") or (sha, version) not in visible:
                continue
            local = Path(scratch) / f"{i}.parquet"
            lake.fetch(rel, local)
            frame = pl.read_parquet(local, columns=["_source_file", "_source_row", "_reason"])
            frames.append(
                frame.select(
                    pl.lit(parts[1]).alias("source"),
                    pl.lit(parts[2]).alias("format"),
                    pl.col("_source_file").cast(pl.String).alias("source_file"),
                    pl.col("_source_row").cast(pl.Int64).alias("source_row"),
                    pl.col("_reason").cast(pl.String).alias("reason"),
                )
            )
    if not frames:
        return pl.DataFrame(schema=QUARANTINE_COLUMNS)
    return pl.concat(frames).sort("source", "source_file", "source_row")


REPORT_NAME = re.compile(r"^reports/monthly-pnl-(\d{4}-\d{2})\.pdf$")


def monthly_reports(lake: Lake) -> pl.DataFrame:
    """The monthly PDF reports in the lake's reports/ (the `monthly_report_pdf` asset writes them)."""
    rows = [
        {"month": m.group(1), "file": rel.split("/")[-1]}
        for rel in lake.list("reports")
        if (m := REPORT_NAME.match(rel))
    ]
    return pl.DataFrame(rows, schema={"month": pl.String, "file": pl.String})


def lake_connection(lake: Lake) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with `lake_deliveries`, `quarantined_rows` and `monthly_reports`."""
    manifests = _manifests(lake)
    lake_deliveries = deliveries(manifests)
    quarantined_rows = quarantined(lake, manifests)
    reports = monthly_reports(lake)
    connection = duckdb.connect(":memory:")
    connection.execute("set timezone = 'UTC'")
    connection.register("lake_deliveries_frame", lake_deliveries.to_arrow())
    connection.register("quarantined_rows_frame", quarantined_rows.to_arrow())
    connection.execute("create table lake_deliveries as select * from lake_deliveries_frame")
    connection.execute("create table quarantined_rows as select * from quarantined_rows_frame")
    connection.register("monthly_reports_frame", reports.to_arrow())
    connection.execute("create table monthly_reports as select * from monthly_reports_frame")
    return connection
