"""The daily schedule for the whole graph, in the brand's time zone (COMMERCE_TIMEZONE, read at load)."""

from __future__ import annotations

import dagster as dg

from orchestration.defs import jobs
from orchestration.lib.settings import OrchestrationSettings, load_orchestration_settings


def build_daily_schedule(settings: OrchestrationSettings) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name="daily_commerce_analytics",
        job=jobs.main_job(),
        cron_schedule=settings.daily_cron,
        execution_timezone=settings.timezone,
        default_status=(
            dg.DefaultScheduleStatus.RUNNING if settings.automation_running else dg.DefaultScheduleStatus.STOPPED
        ),
        description=(
            f"Every day at {settings.daily_cron} ({settings.timezone}): pull the configured connectors, "
            "ingest the inbox, build every dbt model, run every check."
        ),
    )


@dg.definitions
def schedules() -> dg.Definitions:
    return dg.Definitions(schedules=[build_daily_schedule(load_orchestration_settings())])
