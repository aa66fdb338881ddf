"""Jobs shared by the schedule, the sensor and `python -m orchestration.run` (built once per process)."""

import functools

import dagster as dg

from orchestration.resources import LakeResource

MAIN_JOB = "commerce_analytics"
REJECT_JOB = "reject_unrecognised_files"


@functools.cache
def main_job():
    """The whole graph: land -> dbt (staging, intermediate, marts) with every asset check."""
    return dg.define_asset_job(
        MAIN_JOB,
        selection=dg.AssetSelection.all() | dg.AssetSelection.all_asset_checks(),
        description="Ingest the inbox (or the configured paths), build every dbt model and run every check.",
    )


class RejectConfig(dg.Config):
    paths: list[str]


@dg.op(name="record_unrecognised_files")
def _record_unrecognised(context: dg.OpExecutionContext, config: RejectConfig, lake: LakeResource) -> None:
    """Ingest files no format recognised so the lake records them as rejected, then fail naming each one."""
    results = lake.ingestor().ingest_paths(config.paths)
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
