"""A freshly generated set lands every file, each file's counts reconcile, and a second run changes nothing."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest
from ingest_helpers import landed, make_ingestor

from demo import NOT_EXPORTS
from ingestion import registry
from ingestion.formats import FORMATS
from ingestion.ingest import exit_code

EXPORT_DIRS = ("shopify", "amazon", "etsy", "google_ads", "meta_ads", "amazon_ads", "brand")


@pytest.fixture(scope="module")
def demo_lake(demo, tmp_path_factory):
    lake = tmp_path_factory.mktemp("demo-lake")
    first = make_ingestor(str(lake)).ingest_paths([str(demo.out)], skip=NOT_EXPORTS)
    snapshot = {p.relative_to(lake): p.stat().st_mtime_ns for p in lake.rglob("*") if p.is_file()}
    second = make_ingestor(str(lake)).ingest_paths([str(demo.out)], skip=NOT_EXPORTS)
    return lake, first, second, snapshot


def test_every_export_file_lands_and_counts_reconcile(demo, demo_lake):
    lake, first, _, _ = demo_lake
    exported = sorted(p for d in EXPORT_DIRS for p in (demo.out / d).rglob("*") if p.is_file())
    assert sorted(Path(r.source_file) for r in first) == exported  # truth/ is not an export
    assert {r.status for r in first} == {"landed"}
    assert exit_code(first) == 0
    for result in first:
        manifest = json.loads((lake / f"_manifests/{result.source}/{result.sha256}.json").read_text())
        assert manifest["rows_read"] == manifest["rows_landed"] + manifest["rows_quarantined"]
        assert manifest["rows_read"] > 0
        assert manifest["parser_version"] == f"{result.format}@{FORMATS[result.format].version}"
        for key in ("source_file", "format", "sha256", "status", "message"):
            assert manifest[key]
        # Landed rows of each entity equal the manifest's per-entity count.
        for entity, counts in manifest["entities"].items():
            con = duckdb.connect()
            files = [str(lake / f) for f in manifest["files"] if f"/{entity}/" in f]
            n = con.sql(f"select count(*) from read_parquet({files})").fetchone()[0] if files else 0
            assert n == counts["rows_landed"], (result.source_file, entity)
        assert (lake / "raw" / result.sha256[:2] / result.sha256).read_bytes() == Path(result.source_file).read_bytes()


def test_rows_read_equal_the_data_records_of_each_csv(demo_lake):
    _, first, _, _ = demo_lake
    for result in first:
        path = Path(result.source_file)
        if path.suffix != ".csv" or "campaign_report" in path.name:
            continue
        with open(path, newline="", encoding="utf-8") as handle:
            records = sum(1 for _ in csv.reader(handle)) - 1
        assert result.rows_read == records, path


def test_second_run_changes_nothing(demo_lake):
    lake, first, second, snapshot = demo_lake
    assert {r.status for r in second} == {"duplicate"}
    assert exit_code(second) == 0
    now = {p.relative_to(lake): p.stat().st_mtime_ns for p in lake.rglob("*") if p.is_file()}
    changed = {p for p in now if now[p] != snapshot.get(p)}
    assert changed and all(p.parts[:2] == ("_manifests", "deliveries") for p in changed)
    assert len([p for p in now if p.parts[:2] == ("_manifests", "deliveries")]) == 2 * len(first)


def test_lineage_columns_on_every_landed_row(demo_lake):
    lake, _, _, _ = demo_lake
    for entity in registry.ENTITIES.values():
        rows = landed(lake, entity.source, entity.name, "_record_key is null or _record_version is null")
        assert rows == [], entity.key
        rel = duckdb.connect().sql(
            f"select * from read_parquet('{lake}/{entity.landed_prefix}/**/*.parquet', hive_partitioning=false)"
        )
        assert rel.columns == list(entity.schema()), entity.key


def test_record_keys_are_unique_within_a_delivery(demo_lake):
    lake, _, _, _ = demo_lake
    con = duckdb.connect()
    for entity in registry.ENTITIES.values():
        dupes = con.sql(
            "select _source_sha256, _record_key, count(*) n "
            f"from read_parquet('{lake}/{entity.landed_prefix}/**/*.parquet') group by all having n > 1"
        ).fetchall()
        assert dupes == [], entity.key


def test_settlement_lines_add_up_to_each_summary_total_in_both_locales(demo_lake):
    lake, _, _, _ = demo_lake
    con = duckdb.connect()
    rows = con.sql(
        f"""
        select s.settlement_id, s.currency, s.total_amount, sum(l.amount) as lines
        from read_parquet('{lake}/landed/amazon/settlements/**/*.parquet') s
        join read_parquet('{lake}/landed/amazon/settlement_lines/**/*.parquet') l using (settlement_id)
        group by all
        """
    ).fetchall()
    assert {r[1] for r in rows} == {"USD", "CAD", "EUR"}
    for settlement_id, _, total, lines in rows:
        assert total == lines, settlement_id


def test_google_ui_footers_dropped_and_meta_purchases_counted_once(demo, demo_lake):
    lake, first, _, _ = demo_lake
    ui = next(r for r in first if r.format == "google_ads_ui_csv")
    assert ui.rows_skipped == 4  # Total: Account/Search/Shopping/Performance Max
    assert not landed(lake, "google_ads", "campaign_daily", "campaign_name is null or starts_with(date::varchar, 'T')")
    meta = json.loads((demo.out / "meta_ads").glob("*.json").__next__().read_text())["data"][0]
    rows = landed(
        lake, "meta_ads", "campaign_daily", f"campaign_id = '{meta['campaign_id']}' and date = '{meta['date_start']}'"
    )
    purchase = next(a["value"] for a in meta["actions"] if a["action_type"] == "purchase")
    assert rows[0]["purchases"] == float(purchase)
    assert rows[0]["purchase_action_type"] == "omni_purchase"


def test_csv_export_and_api_json_share_order_keys(demo_lake):
    lake, _, _, _ = demo_lake
    con = duckdb.connect()
    shared = con.sql(
        f"""
        select count(*) from (
          select _record_key from read_parquet('{lake}/landed/shopify/orders/**/*.parquet')
          group by 1 having count(distinct _source_format) = 2)
        """
    ).fetchone()[0]
    assert shared > 0


def test_every_format_is_in_the_registry():
    for fmt in FORMATS.values():
        for name in fmt.entities:
            assert fmt.name in registry.entity(fmt.source, name).formats
    for entity in registry.ENTITIES.values():
        assert entity.formats and all(f in FORMATS for f in entity.formats)
        assert entity.asset_key == ["landed", entity.source, entity.name]
