"""`python -m orchestration.run`: the run config it hands to the main job."""

import os

from orchestration.run import run_config


def test_paths_go_to_every_ingestion_op_and_dates_to_dbt():
    config = run_config(["data/demo"], ["shopify", "brand"], "2025-11-01", "2025-11-30", False)
    demo = os.path.abspath("data/demo")
    assert config["ops"]["ingest_shopify"] == {"config": {"paths": [demo], "keep_inbox": True, "skip": ["truth"]}}
    assert config["ops"]["ingest_brand"]["config"]["paths"] == [demo]
    assert config["ops"]["dbt_models"] == {"config": {"start_date": "2025-11-01", "end_date": "2025-11-30"}}


def test_no_paths_means_the_inbox_and_no_dbt_config():
    assert run_config([], ["shopify"], None, None, False) == {"ops": {}}
    assert run_config(["s3://bucket/drop"], ["amazon"], None, None, True)["ops"] == {
        "ingest_amazon": {"config": {"paths": ["s3://bucket/drop"], "keep_inbox": True, "skip": ["truth"]}},
        "dbt_models": {"config": {"full_refresh": True}},
    }
