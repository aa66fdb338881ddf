"""The jobs: the whole graph (`commerce_analytics`) and the recorder of unrecognised inbox files.

The schedule, the sensor and `python -m orchestration.run` share them (built once per process). The executor
(COMMERCE_EXECUTOR, read at load) applies to every job of the location, including the asset jobs the UI
launches: in-process by default (the definitions load once per run, not once per step).
"""

import functools

import dagster as dg

from ingestion.ingest import ingest_paths_capped
from orchestration.defs.ingestion import LAKE_WAREHOUSE_POOL
from orchestration.defs.resources import LakeResource
from orchestration.lib.settings import load_orchestration_settings

EXECUTORS = {"in_process": dg.in_process_executor, "multiprocess": dg.multiprocess_executor}
MAIN_JOB = "commerce_analytics"
REJECT_JOB = "reject_unrecognised_files"


@functools.cache
def main_job():
    """The whole graph: pull (connectors) -> land -> dbt (staging, intermediate, marts) with every asset check."""
    return dg.define_asset_job(
        MAIN_JOB,
        selection=dg.AssetSelection.all() | dg.AssetSelection.all_asset_checks(),
        description="Pull the configured connectors, ingest the inbox (or the configured paths), build every dbt model "
        "and run every check.",
    )


class RejectConfig(dg.Config):
    paths: list[str]


@dg.op(name="record_unrecognised_files", pool=LAKE_WAREHOUSE_POOL)
def _record_unrecognised(context: dg.OpExecutionContext, config: RejectConfig, lake: LakeResource) -> None:
    """Ingest files no format recognised so the lake records them as rejected, then fail naming each one."""
    results = ingest_paths_capped(lake.settings(), config.paths)
    problems = [f"{r.source_file}: {r.message}" for r in results if r.status == "rejected"]
    for result in results:
        context.log.info(f"{result.status.upper()} {result.source_file}: {result.message}")
    if problems:
        raise dg.Failure(
            description="REJECTED " + " | ".join(problems),
            metadata={"rejected_files": len(problems), "files": "\n".join(problems)},
            allow_retries=False,
        )


@functools.cache
def reject_job() -> dg.JobDefinition:
    @dg.job(name=REJECT_JOB, description="Record inbox files of unknown format as rejected (fails naming them).")
    def _reject():
        _record_unrecognised()

    return _reject


@dg.definitions
def commerce_jobs() -> dg.Definitions:
    settings = load_orchestration_settings()
    return dg.Definitions(jobs=[main_job(), reject_job()], executor=EXECUTORS[settings.executor])
