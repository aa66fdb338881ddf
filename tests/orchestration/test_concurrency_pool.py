"""Dagster never runs an ingest and a build at once (issue 17, finding 5).

Every op that writes the lake (the ingestion ops, the recorder of unrecognised files) and the dbt op share
the pool `lake_warehouse`; the local instance (`make demo`, `make dev`) and the ECS instance (Dockerfile)
limit it to one op at a time across runs. The behaviour test holds the pool's one slot as another run would
and checks that an ingest waits for it.
"""

from __future__ import annotations

import re
import shutil
import threading
import time
import uuid

import dagster as dg
import yaml
from orch_helpers import REPO

from ingestion import registry
from orchestration.defs.ingestion import LAKE_WAREHOUSE_POOL, op_name
from orchestration.defs.jobs import MAIN_JOB, REJECT_JOB
from orchestration.run import LOCAL_INSTANCE_YAML


def _dockerfile_instance() -> dict:
    text = (REPO / "Dockerfile").read_text()
    found = re.search(r"COPY <<'YAML' /opt/dagster/dagster_home/dagster.yaml\n(.*?)\nYAML\n", text, re.S)
    assert found, "the Dockerfile writes the ECS instance's dagster.yaml"
    return yaml.safe_load(found.group(1))


def test_lake_writers_and_the_build_share_one_pool(orch_defs):
    job = orch_defs.resolve_job_def(MAIN_JOB)
    pools = {node.name: node.definition.pool for node in job.graph.nodes}
    writers_and_build = {op_name(source) for source in registry.SOURCES} | {"dbt_models"}
    expected = dict.fromkeys(writers_and_build, LAKE_WAREHOUSE_POOL)
    assert {name: pools.get(name) for name in writers_and_build} == expected
    reject = orch_defs.resolve_job_def(REJECT_JOB)
    assert {node.definition.pool for node in reject.graph.nodes} == {LAKE_WAREHOUSE_POOL}


def test_local_and_production_instances_limit_the_pool_to_one_op(tmp_path):
    local = yaml.safe_load(LOCAL_INSTANCE_YAML.read_text())
    assert local["concurrency"] == {"pools": {"default_limit": 1, "granularity": "op"}}
    assert _dockerfile_instance()["concurrency"] == local["concurrency"]
    shutil.copyfile(LOCAL_INSTANCE_YAML, tmp_path / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        config = instance.get_concurrency_config().pool_config
        assert (config.default_pool_limit, config.pool_granularity.value) == (1, "op")


def test_an_ingest_waits_while_another_run_holds_the_pool(orch_defs, tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(LOCAL_INSTANCE_YAML, home / "dagster.yaml")
    nothing = tmp_path / "nothing_to_ingest"
    nothing.mkdir()
    job = orch_defs.resolve_job_def(MAIN_JOB)
    brand = [dg.AssetKey(e.asset_key) for e in registry.ENTITIES.values() if e.source == "brand"]
    config = {"ops": {op_name("brand"): {"config": {"paths": [str(nothing)]}}}}
    with dg.DagsterInstance.from_config(str(home)) as instance:
        storage = instance.event_log_storage
        storage.initialize_concurrency_limit_to_default(LAKE_WAREHOUSE_POOL)
        holder = "a-build-in-another-run"
        assert storage.claim_concurrency_slot(LAKE_WAREHOUSE_POOL, holder, "dbt_models").is_claimed
        run_id = str(uuid.uuid4())
        outcome = {}

        def ingest():
            result = job.execute_in_process(
                run_config=config, instance=instance, asset_selection=brand, run_id=run_id, raise_on_error=False
            )
            outcome["success"] = result.success

        worker = threading.Thread(target=ingest, daemon=True)
        worker.start()
        # The run registers as waiting for the pool; until then it must not have finished either.
        for _ in range(600):
            if run_id in storage.get_concurrency_run_ids() or not worker.is_alive():
                break
            time.sleep(0.2)
        assert worker.is_alive(), "the ingest ran while another run held the lake_warehouse pool"
        assert run_id in storage.get_concurrency_run_ids()
        started = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.STEP_START).records
        assert started == [], "an ingestion step started while another run held the pool"
        storage.free_concurrency_slots_for_run(holder)
        worker.join(timeout=300)
        assert outcome == {"success": True}
