"""The jobs: the whole graph (`commerce_analytics`) and the recorder of unrecognised inbox files.

The executor (COMMERCE_EXECUTOR, read at load) applies to every job of the location, including the asset jobs
the UI launches: in-process by default (the definitions load once per run, not once per step).
"""

from __future__ import annotations

import dagster as dg

from orchestration import jobs
from orchestration.settings import load_orchestration_settings

EXECUTORS = {"in_process": dg.in_process_executor, "multiprocess": dg.multiprocess_executor}


@dg.definitions
def commerce_jobs() -> dg.Definitions:
    settings = load_orchestration_settings()
    return dg.Definitions(jobs=[jobs.main_job(), jobs.reject_job()], executor=EXECUTORS[settings.executor])
