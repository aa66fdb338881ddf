"""Helpers for ingestion tests: build an ingestor, read what landed, write fixture files."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import duckdb

from commerce_analytics.settings import load_settings
from ingestion.ingest import Ingestor


def make_ingestor(lake: str, endpoint: str | None = None, **lake_kwargs) -> Ingestor:
    from ingestion.lake import Lake

    env = {"COMMERCE_LAKE": lake, "COMMERCE_TIMEZONE": "America/New_York"}
    if endpoint:
        env["AWS_ENDPOINT_URL"] = endpoint
    settings = load_settings(env)
    return Ingestor(settings, Lake(settings.lake, settings.aws_endpoint_url, **lake_kwargs))


def landed(lake: Path, source: str, entity: str, where: str = "true") -> list[dict]:
    """Visible landed rows (the manifest rule) as dicts."""
    pattern = f"{lake}/landed/{source}/{entity}/**/*.parquet"
    if not list(Path(lake).glob(f"landed/{source}/{entity}/**/*.parquet")):
        return []
    con = duckdb.connect()
    rel = con.sql(f"select * from read_parquet('{pattern}', union_by_name=true) where {where}")
    return rel.pl().to_dicts()


def quarantined(lake: Path) -> list[dict]:
    files = list(Path(lake).glob("quarantine/**/*.parquet"))
    if not files:
        return []
    rel = duckdb.connect().sql(f"select * from read_parquet('{lake}/quarantine/**/*.parquet')")
    return rel.pl().to_dicts()


def write(path: Path, text: str, encoding: str = "utf-8", newline: str = "\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def gz(path: Path, data: bytes) -> Path:
    path.write_bytes(gzip.compress(data, mtime=0))
    return path


def copy(src: Path, dst: Path) -> Path:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    return dst
