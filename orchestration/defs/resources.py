"""Resources, configured from the environment in one place (when definitions load, not at import)."""

from __future__ import annotations

import dagster as dg
from dagster_aws.s3 import S3Resource
from dagster_dbt import DbtCliResource

from orchestration.dbt_project import dbt_executable
from orchestration.resources import CheckThresholdsResource, LakeResource
from orchestration.settings import OrchestrationSettings, load_orchestration_settings


def build_resources(settings: OrchestrationSettings) -> dict[str, object]:
    commerce = settings.commerce
    s3 = S3Resource(endpoint_url=commerce.aws_endpoint_url)
    return {
        "s3": s3,
        "lake": LakeResource(
            lake_url=commerce.lake,
            inbox_url=commerce.inbox,
            warehouse=commerce.warehouse,
            timezone=commerce.timezone,
            reporting_currency=commerce.reporting_currency,
            dbt_target=settings.dbt_target,
            s3=s3,
        ),
        "dbt": DbtCliResource(
            project_dir=str(settings.dbt_project_dir),
            profiles_dir=str(settings.dbt_project_dir),
            target=settings.dbt_target,
            dbt_executable=dbt_executable(),
        ),
        "check_thresholds": CheckThresholdsResource.from_thresholds(settings.checks),
    }


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources=build_resources(load_orchestration_settings()))
