"""Dagster entry point: everything comes from orchestration/defs/ (one module per concern).

Loaded lazily: the environment is read when Dagster loads definitions, not when this module is imported.
`dagster dev -m orchestration.definitions`, `dg dev`, `dagster definitions validate -m orchestration.definitions`.
"""

from pathlib import Path

import dagster as dg


@dg.definitions
def defs() -> dg.Definitions:
    return dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
