"""Build the dashboard from the configured warehouse and lake (what the Dagster asset and `make dashboard` run)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from commerce_analytics.settings import Settings
from dashboard.site import RenderedPage, Warehouse, build_site


def dashboard_dir(settings: Settings) -> Path:
    """COMMERCE_DASHBOARD_DIR, else `dashboard/` beside the local warehouse file (data/dashboard for the demo)."""
    configured = os.environ.get("COMMERCE_DASHBOARD_DIR")
    return Path(configured) if configured else Path(settings.warehouse).resolve().parent / "dashboard"


@contextlib.contextmanager
def open_warehouse(settings: Settings, target: str | None = None, *, with_lake: bool = True):
    """The page queries' Warehouse: the marts of `target`, their build status, and the lake's delivery log."""
    from ingestion.lake import Lake
    from warehouse import report

    target = target or settings.dbt_target
    status, warnings = report.read_marts_warnings(settings, target)
    lake = None
    if with_lake:
        from dashboard.lake_tables import lake_connection

        lake = lake_connection(Lake(settings.lake, settings.aws_endpoint_url))
    connection = report.connect(settings, target)
    schemas = {name: settings.schema(name, target) for name in ("marts", "audit")}
    try:
        yield Warehouse(connection, schemas, lake, status, warnings)
    finally:
        connection.close()
        if lake is not None:
            lake.close()


def build_dashboard(settings: Settings, out: Path | None = None, target: str | None = None) -> list[RenderedPage]:
    out = out or dashboard_dir(settings)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open_warehouse(settings, target) as warehouse:
        return build_site(warehouse, out)
