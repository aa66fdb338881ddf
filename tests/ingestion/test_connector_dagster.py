"""The connectors in Dagster: `pulled` assets skip without credentials (the run succeeds, the reason is in the
metadata), pull and land with them, fail naming the setting on a bad token, and never put a secret in an event."""

from __future__ import annotations

import json

import dagster as dg
import pytest
from connector_helpers import FAST_RETRIES
from dagster_aws.s3 import S3Resource
from ingest_helpers import landed
from test_connector_meta import ACCOUNT, ROWS, InsightsServer

from orchestration.defs.pulled import pulled_assets
from orchestration.defs.resources import CheckThresholdsResource, LakeResource

SECRET = "good-token"


def run(tmp_path, monkeypatch, env: dict[str, str]):
    for name in ("SHOPIFY_SHOP_URL", "SHOPIFY_ACCESS_TOKEN", "META_ACCESS_TOKEN", "META_AD_ACCOUNT_IDS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {**FAST_RETRIES, "COMMERCE_PULL_BACKFILL_DAYS": "800", **env}.items():
        monkeypatch.setenv(name, value)
    defs = pulled_assets()
    resources = {
        "lake": LakeResource(
            lake_url=str(tmp_path / "lake"),
            inbox_url=str(tmp_path / "lake" / "inbox"),
            warehouse=str(tmp_path / "wh.duckdb"),
            timezone="America/New_York",
            s3=S3Resource(),
        ),
        "check_thresholds": CheckThresholdsResource(),
    }
    return dg.materialize(
        [*defs.assets, *defs.asset_checks],
        resources=resources,
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def materialized(result) -> dict[str, dict]:
    return {
        "/".join(m.asset_key.path[1:]): {k: v.value for k, v in m.event_specific_data.materialization.metadata.items()}
        for m in result.get_asset_materialization_events()
    }


def checks(result) -> dict[str, object]:
    return {
        "/".join(e.asset_key.path[1:]): e
        for e in (ev.event_specific_data for ev in result.all_events if ev.event_type_value == "ASSET_CHECK_EVALUATION")
    }


def test_without_credentials_pulled_assets_are_skipped_with_the_reason(tmp_path, monkeypatch):
    result = run(tmp_path, monkeypatch, {})
    assert result.success
    assets = materialized(result)
    assert set(assets) >= {"shopify/orders", "shopify/payouts", "meta_ads/campaign_daily"}
    assert assets["meta_ads/campaign_daily"]["pull_status"] == "skipped"
    assert "META_ACCESS_TOKEN" in assets["meta_ads/campaign_daily"]["reason"]
    assert "SHOPIFY_ACCESS_TOKEN" in assets["shopify/orders"]["reason"]
    meta_check = checks(result)["meta_ads/campaign_daily"]
    assert meta_check.passed and "not configured" in meta_check.metadata["detail"].value


def test_configured_connector_pulls_lands_and_is_fresh(tmp_path, monkeypatch, httpserver):
    server = InsightsServer(httpserver, list(ROWS))
    env = {"META_GRAPH_API_URL": server.base, "META_ACCESS_TOKEN": SECRET, "META_AD_ACCOUNT_IDS": ACCOUNT}
    result = run(tmp_path, monkeypatch, env)
    assert result.success
    meta = materialized(result)["meta_ads/campaign_daily"]
    assert meta["pull_status"] == "pulled" and meta["files_new"] == 4 and meta["rows_landed"] == 5
    assert len(landed(tmp_path / "lake", "meta_ads", "campaign_daily")) == 5
    assert checks(result)["meta_ads/campaign_daily"].passed


def test_bad_token_fails_the_step_naming_the_setting_and_no_event_holds_it(tmp_path, monkeypatch, httpserver):
    server = InsightsServer(httpserver, list(ROWS))
    secret = "EAAB-expired-secret"
    env = {"META_GRAPH_API_URL": server.base, "META_ACCESS_TOKEN": secret, "META_AD_ACCOUNT_IDS": ACCOUNT}
    result = run(tmp_path, monkeypatch, env)
    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert "META_ACCESS_TOKEN" in failure.event_specific_data.error.message
    events = json.dumps([str(e) for e in result.all_events])
    assert secret not in events
    with pytest.raises(KeyError):
        materialized(result)["meta_ads/campaign_daily"]
