"""The inbox sensor and the ingestion assets on an S3 lake (a moto S3 server on loopback, as tests/ingestion does):
the sensor lists s3://.../inbox through dagster-aws's S3 client, the run it requests lands just those files,
and the next tick finds nothing new."""

import os
import socket

import dagster as dg
import pytest
from dagster_aws.s3 import S3Resource

from ingestion.lake import Lake, s3_filesystem
from orchestration.defs.checks import build_lake_checks
from orchestration.defs.ingestion import build_ingestion_assets
from orchestration.defs.jobs import reject_job
from orchestration.defs.resources import CheckThresholdsResource, LakeResource

pytest.importorskip("moto.server")
from moto.server import ThreadedMotoServer

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def s3_endpoint():
    previous = {k: os.environ.get(k) for k in CREDENTIALS}
    os.environ.update(CREDENTIALS)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()
    for key, value in previous.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def s3_lake_resource(endpoint: str, bucket: str) -> LakeResource:
    s3_filesystem(endpoint).mkdir(bucket)
    return LakeResource(
        lake_url=f"s3://{bucket}/lake",
        inbox_url=f"s3://{bucket}/lake/inbox",
        warehouse=":memory:",
        timezone="America/New_York",
        s3=S3Resource(endpoint_url=endpoint, region_name="us-east-1"),
    )


def tick(defs, lake, cursor=None):
    sensor = defs.resolve_sensor_def("lake_inbox_sensor")
    with dg.build_sensor_context(
        cursor=cursor, repository_def=defs.get_repository_def(), resources={"lake": lake}
    ) as context:
        result = sensor.evaluate_tick(context)
    return result, result.cursor


def test_sensor_on_an_s3_inbox_lands_just_the_new_files(orch_defs, s3_endpoint, demo_dir):
    lake_resource = s3_lake_resource(s3_endpoint, "orch-sensor")
    lake = Lake(lake_resource.lake_url, s3_endpoint)
    lake.fs.put_file(str(demo_dir / "brand" / "fx_rates.csv"), lake.path("inbox/fx_rates.csv"))
    lake.fs.put_file(str(demo_dir / "google_ads" / "campaign_report.csv"), lake.path("inbox/ads/report.csv"))
    lake.fs.pipe_file(lake.path("inbox/readme.txt"), b"dear analyst,\nthese are not numbers\n")

    first, cursor = tick(orch_defs, lake_resource)
    requests = {r.job_name: r for r in first.run_requests}
    assert set(requests) == {"commerce_analytics", "reject_unrecognised_files"}
    ops = requests["commerce_analytics"].run_config["ops"]
    assert ops == {
        "ingest_brand": {"config": {"paths": ["s3://orch-sensor/lake/inbox/fx_rates.csv"]}},
        "ingest_google_ads": {"config": {"paths": ["s3://orch-sensor/lake/inbox/ads/report.csv"]}},
    }
    reject_paths = requests["reject_unrecognised_files"].run_config["ops"]["record_unrecognised_files"]["config"]
    assert reject_paths == {"paths": ["s3://orch-sensor/lake/inbox/readme.txt"]}

    # Run what the sensor asked for (its landed assets and their checks; the dbt part needs a warehouse).
    landed = [k for k in requests["commerce_analytics"].asset_selection if k.path[0] == "landed"]
    result = dg.materialize(
        [*build_ingestion_assets(), *build_lake_checks()],
        selection=dg.AssetSelection.assets(*landed),
        run_config=requests["commerce_analytics"].run_config,
        resources={"lake": lake_resource, "check_thresholds": CheckThresholdsResource()},
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    fx = next(m for m in result.get_asset_materialization_events() if m.asset_key.path[-1] == "fx_rates")
    assert fx.event_specific_data.materialization.metadata["rows_landed_this_run"].value > 0
    assert lake.list("landed/brand/fx_rates"), "landed Parquet written to S3"
    assert lake.list("landed/google_ads/campaign_daily")
    checks = {
        (e.asset_key.path[-1], e.check_name): e
        for e in (ev.event_specific_data for ev in result.all_events if ev.event_type_value == "ASSET_CHECK_EVALUATION")
    }
    assert checks[("fx_rates", "reconciliation")].passed, checks[("fx_rates", "reconciliation")].description
    assert checks[("campaign_daily", "no_rejected_files")].passed

    rejected = reject_job().execute_in_process(
        run_config=requests["reject_unrecognised_files"].run_config,
        resources={"lake": lake_resource},
        raise_on_error=False,
    )
    assert not rejected.success
    assert sorted(lake.list("inbox")) == [], "landed and rejected files both leave the inbox"

    # Nothing new on the next tick; a new upload is picked up alone.
    second, cursor = tick(orch_defs, lake_resource, cursor)
    assert not second.run_requests
    lake.fs.put_file(str(demo_dir / "brand" / "cogs.csv"), lake.path("inbox/cogs.csv"))
    third, _ = tick(orch_defs, lake_resource, cursor)
    assert [r.run_config["ops"] for r in third.run_requests] == [
        {"ingest_brand": {"config": {"paths": ["s3://orch-sensor/lake/inbox/cogs.csv"]}}}
    ]
