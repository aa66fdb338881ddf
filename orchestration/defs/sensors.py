"""The inbox sensor: event-driven ingestion from the lake's inbox/ (local folder or S3).

Each tick lists the inbox through the lake's own code path, routes the files it has not handed to a run
yet to their source by format detection, and requests ONE run of the main job selecting the landed assets
of those sources and everything downstream of them (dbt staging -> marts, with their checks), configured
with exactly the new files. Files no format recognises go to `reject_unrecognised_files`, which records
them as rejected and fails naming each file and the reason. The cursor holds fingerprints
(path|size|mtime-or-ETag) of files still in the inbox, so a re-upload under the same name is new again.
"""

import hashlib
import json

import dagster as dg

from ingestion import registry
from orchestration.defs import jobs
from orchestration.defs.ingestion import op_name
from orchestration.defs.resources import LakeResource
from orchestration.lib.inbox import plan_inbox
from orchestration.lib.settings import OrchestrationSettings, load_orchestration_settings

SENSOR = "lake_inbox_sensor"


def _run_key(kind: str, paths: list[str], fingerprints: list[str]) -> str:
    wanted = sorted(f for f in fingerprints if f.split("|", 1)[0] in set(paths))
    return f"{kind}-" + hashlib.sha256("\n".join(wanted).encode()).hexdigest()[:24]


def build_inbox_sensor(settings: OrchestrationSettings) -> dg.SensorDefinition:
    @dg.sensor(
        name=SENSOR,
        jobs=[jobs.main_job(), jobs.reject_job()],
        minimum_interval_seconds=settings.sensor_interval_seconds,
        default_status=(
            dg.DefaultSensorStatus.RUNNING if settings.automation_running else dg.DefaultSensorStatus.STOPPED
        ),
        description="Lists the lake inbox; ingests only new files, then refreshes what depends on them.",
    )
    def lake_inbox_sensor(context: dg.SensorEvaluationContext, lake: LakeResource) -> dg.SensorResult:
        cursor = json.loads(context.cursor) if context.cursor else {}
        files = lake.list_files(lake.inbox_url)
        plan = plan_inbox(files, set(cursor.get("seen", [])), lake.classify)
        requests = []
        if plan.by_source:
            keys = [dg.AssetKey(e.asset_key) for e in registry.ENTITIES.values() if e.source in plan.by_source]
            selection = dg.AssetSelection.assets(*keys).downstream().resolve(context.repository_def.asset_graph)
            paths = [p for ps in plan.by_source.values() for p in ps]
            requests.append(
                dg.RunRequest(
                    run_key=_run_key("ingest", paths, plan.seen),
                    job_name=jobs.MAIN_JOB,
                    asset_selection=sorted(selection, key=lambda k: k.to_user_string()),
                    run_config={
                        "ops": {
                            op_name(source): {"config": {"paths": ps}} for source, ps in sorted(plan.by_source.items())
                        }
                    },
                    tags={"commerce/trigger": SENSOR, "commerce/sources": ",".join(sorted(plan.by_source))},
                )
            )
        if plan.unrecognised:
            paths = [p for p, _ in plan.unrecognised]
            for path, problem in plan.unrecognised:
                context.log.warning(f"{path}: {problem}")
            requests.append(
                dg.RunRequest(
                    run_key=_run_key("reject", paths, plan.seen),
                    job_name=jobs.REJECT_JOB,
                    run_config={"ops": {"record_unrecognised_files": {"config": {"paths": paths}}}},
                    tags={"commerce/trigger": SENSOR},
                )
            )
        new_cursor = json.dumps({"seen": plan.seen})
        if not requests:
            return dg.SensorResult(skip_reason=f"no new files in {lake.inbox_url}", cursor=new_cursor)
        return dg.SensorResult(run_requests=requests, cursor=new_cursor)

    return lake_inbox_sensor


@dg.definitions
def sensors() -> dg.Definitions:
    return dg.Definitions(sensors=[build_inbox_sensor(load_orchestration_settings())])
