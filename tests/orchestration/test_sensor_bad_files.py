"""A bad file in the inbox never wedges the sensor: the tick routes it to the reject job (which records the reason)
and the valid files beside it to their ingestion, and the file is not asked for again until its bytes change.
Before, the tick raised on every evaluation and nothing in the inbox ever landed."""

from __future__ import annotations

import json

from orch_helpers import drop_into
from test_checks import lake_resource
from test_sensor import evaluate
from test_sensor_s3 import s3_endpoint, s3_lake_resource, tick  # noqa: F401 - the S3 server fixture

from ingestion.lake import Lake
from orchestration.defs.jobs import reject_job

MAC = "date,currency,rate\r2025-09-01,EUR,1.1\r"


def test_bad_files_do_not_wedge_the_sensor(orch_defs, tmp_path, demo_dir):
    lake = lake_resource(tmp_path)
    inbox = tmp_path / "lake" / "inbox"
    drop_into(inbox, demo_dir / "brand" / "fx_rates.csv")
    (inbox / "mac.csv").write_bytes(MAC.encode())
    (inbox / "noise.csv").write_bytes(bytes((i * 7919 + 13) % 256 for i in range(4096)))

    first, cursor = evaluate(orch_defs, lake)
    requests = {r.job_name: r for r in first.run_requests}
    assert requests["commerce_analytics"].run_config["ops"] == {
        "ingest_brand": {"config": {"paths": [str(inbox / "fx_rates.csv")]}}
    }
    rejected = requests["reject_unrecognised_files"].run_config["ops"]["record_unrecognised_files"]["config"]
    assert rejected["paths"] == [str(inbox / "mac.csv"), str(inbox / "noise.csv")]

    # Still in the inbox (the reject run has not happened yet): not asked for again ...
    second, cursor = evaluate(orch_defs, lake, cursor)
    assert not second.run_requests
    # ... until its bytes change.
    (inbox / "mac.csv").write_bytes(MAC.replace("1.1", "1.15").encode())
    third, cursor = evaluate(orch_defs, lake, cursor)
    [again] = third.run_requests
    assert again.run_config["ops"]["record_unrecognised_files"]["config"]["paths"] == [str(inbox / "mac.csv")]

    result = reject_job().execute_in_process(
        run_config=requests["reject_unrecognised_files"].run_config, resources={"lake": lake}, raise_on_error=False
    )
    assert not result.success
    manifests = [json.loads(p.read_text()) for p in (tmp_path / "lake" / "_manifests" / "unknown").glob("*.json")]
    reasons = {m["source_file"].rsplit("/", 1)[-1]: m["message"] for m in manifests}
    assert set(reasons) == {"mac.csv", "noise.csv"} and "carriage return" in reasons["mac.csv"]
    assert not (inbox / "mac.csv").exists() and not (inbox / "noise.csv").exists()


def test_bad_files_do_not_wedge_the_sensor_on_s3(orch_defs, s3_endpoint, demo_dir):  # noqa: F811
    lake_resource_ = s3_lake_resource(s3_endpoint, "orch-bad-files")
    lake = Lake(lake_resource_.lake_url, s3_endpoint)
    lake.fs.put_file(str(demo_dir / "brand" / "fx_rates.csv"), lake.path("inbox/fx_rates.csv"))
    lake.fs.pipe_file(lake.path("inbox/mac.csv"), MAC.encode())

    first, cursor = tick(orch_defs, lake_resource_)
    requests = {r.job_name: r for r in first.run_requests}
    assert requests["commerce_analytics"].run_config["ops"] == {
        "ingest_brand": {"config": {"paths": ["s3://orch-bad-files/lake/inbox/fx_rates.csv"]}}
    }
    reject_run = requests["reject_unrecognised_files"].run_config
    assert reject_run["ops"]["record_unrecognised_files"]["config"]["paths"] == [
        "s3://orch-bad-files/lake/inbox/mac.csv"
    ]
    second, cursor = tick(orch_defs, lake_resource_, cursor)
    assert not second.run_requests

    result = reject_job().execute_in_process(
        run_config=reject_run, resources={"lake": lake_resource_}, raise_on_error=False
    )
    assert not result.success
    assert [m for m in lake.list("_manifests/unknown")], "recorded as rejected with its reason"
    assert lake.list("inbox") == ["inbox/fx_rates.csv"]
