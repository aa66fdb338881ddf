"""Ingestion assets and the Python checks: a rejected file fails a check naming the file and the reason."""

import datetime as dt

import dagster as dg
import pytest
from orch_helpers import drop_into

from ingestion import registry
from ingestion.lake import Lake
from orchestration.defs.checks import build_lake_checks
from orchestration.defs.ingestion import build_ingestion_assets
from orchestration.defs.jobs import reject_job
from orchestration.defs.resources import CheckThresholdsResource, LakeResource
from orchestration.lib import lake_checks
from orchestration.lib.settings import CheckThresholds


def lake_resource(root) -> LakeResource:
    from dagster_aws.s3 import S3Resource

    return LakeResource(
        lake_url=str(root / "lake"),
        inbox_url=str(root / "lake" / "inbox"),
        warehouse=str(root / "wh.duckdb"),
        timezone="America/New_York",
        inbox_settle_seconds=0,  # tests drop whole files at once (settling: tests/ingestion/test_inbox_settling.py)
        s3=S3Resource(),
    )


def brand_keys() -> list[dg.AssetKey]:
    return [dg.AssetKey(e.asset_key) for e in registry.ENTITIES.values() if e.source == "brand"]


@pytest.fixture(scope="module")
def brand_run(tmp_path_factory, demo_dir):
    """Land brand files from the inbox through the assets, with one header-only and one bad-row file."""
    root = tmp_path_factory.mktemp("checks")
    inbox = root / "lake" / "inbox"
    drop_into(inbox, demo_dir / "brand" / "fx_rates.csv")
    header = (demo_dir / "brand" / "sku_asin_map.csv").read_text().splitlines()[0]
    (inbox / "sku_asin_map_empty.csv").write_text(header + "\n")
    lines = (demo_dir / "brand" / "products.csv").read_text().splitlines()
    cells = lines[5].split(",")
    cells[4] = "heavy"  # weight_kg not a number: that row is quarantined
    lines[5] = ",".join(cells)
    (inbox / "products.csv").write_text("\n".join(lines) + "\n")

    resources = {
        "lake": lake_resource(root),
        "check_thresholds": CheckThresholdsResource(quarantine_warn_rate=0.001),
    }
    result = dg.materialize(
        [*build_ingestion_assets(), *build_lake_checks()],
        selection=dg.AssetSelection.assets(*brand_keys()),
        resources=resources,
        instance=dg.DagsterInstance.ephemeral(),
    )
    evaluations = {
        (e.asset_key.path[-1], e.check_name): e
        for e in (ev.event_specific_data for ev in result.all_events if ev.event_type_value == "ASSET_CHECK_EVALUATION")
    }
    return root, result, evaluations


def test_ingestion_assets_land_the_inbox_and_report(brand_run):
    root, result, _ = brand_run
    assert result.success, "a rejected file must not fail the ingestion run"
    materialised = {m.asset_key.path[-1]: m for m in result.get_asset_materialization_events()}
    assert set(materialised) == {e.name for e in registry.ENTITIES.values() if e.source == "brand"}
    fx = materialised["fx_rates"].event_specific_data.materialization.metadata
    assert fx["rows_landed_this_run"].value > 0
    assert fx["files_rejected"].value == 1
    assert list((root / "lake" / "inbox").iterdir()) == [], "ingested files leave the inbox"


def test_rejected_file_fails_its_check_naming_file_and_reason(brand_run):
    _, _, evaluations = brand_run
    check = evaluations[("sku_asin_map", "no_rejected_files")]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    assert "sku_asin_map_empty.csv" in check.description and "header-only" in check.description
    assert evaluations[("fx_rates", "no_rejected_files")].passed


def test_quarantine_rate_warns_naming_the_file(brand_run):
    _, _, evaluations = brand_run
    check = evaluations[("products", "quarantine_rate")]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    assert "products.csv" in check.description and "1 of 120 rows quarantined" in check.description
    assert evaluations[("fx_rates", "quarantine_rate")].passed


def test_reconciliation_and_freshness(brand_run):
    _, _, evaluations = brand_run
    for entity in ("fx_rates", "products"):
        assert evaluations[(entity, "reconciliation")].passed, evaluations[(entity, "reconciliation")].description
        assert evaluations[(entity, "freshness")].passed
    stale = evaluations[("touchpoints", "freshness")]
    assert not stale.passed and stale.severity == dg.AssetCheckSeverity.WARN
    assert "no delivery" in stale.description


def test_reconciliation_catches_a_tampered_landed_file(brand_run):
    root, _, _ = brand_run
    lake = Lake(str(root / "lake"))
    entity = registry.entity("brand", "fx_rates")
    manifests = lake_checks.source_manifests(lake, "brand")
    assert lake_checks.reconciliation(lake, entity, manifests).passed
    for manifest in manifests:
        if manifest.get("format") in lake_checks.entity_formats(entity):
            manifest["entities"]["fx_rates"]["rows_landed"] += 1
    outcome = lake_checks.reconciliation(lake, entity, manifests)
    assert not outcome.passed and "fx_rates.csv" in outcome.description


def test_anomaly_detection():
    start = dt.date(2025, 9, 1)
    counts = {start + dt.timedelta(days=i): 100 for i in range(40)}
    counts[start + dt.timedelta(days=39)] = 3  # the newest day is partial by nature: not an anomaly
    assert lake_checks.find_anomalies(counts, 0.2, 5.0) == []
    counts[start + dt.timedelta(days=35)] = 5
    counts[start + dt.timedelta(days=36)] = 900
    del counts[start + dt.timedelta(days=37)]  # a missing day counts as zero
    found = lake_checks.find_anomalies(counts, 0.2, 5.0)
    assert [f.split(":")[0] for f in found] == ["2025-10-06", "2025-10-07", "2025-10-08"]
    thresholds = CheckThresholds()
    assert thresholds.freshness_for("shopify") == 36


def test_unrecognised_file_fails_the_reject_job_naming_it(tmp_path):
    inbox = tmp_path / "lake" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "holiday_photo.txt").write_text("not an export at all\njust words\n")
    result = reject_job().execute_in_process(
        run_config={"ops": {"record_unrecognised_files": {"config": {"paths": [str(inbox / "holiday_photo.txt")]}}}},
        resources={"lake": lake_resource(tmp_path)},
        raise_on_error=False,
    )
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    message = failure.event_specific_data.error.message
    assert "holiday_photo.txt" in message and "unknown format" in message
    assert Lake(str(tmp_path / "lake")).list("_manifests/unknown"), "the rejection is recorded in the lake"
