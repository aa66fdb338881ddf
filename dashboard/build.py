"""Build the dashboard from the configured warehouse and lake (what the Dagster asset and `make dashboard` run)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from commerce_analytics.settings import Settings
from dashboard.site import RenderedPage, Warehouse, build_site

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"

DASHBOARD_PORT = int(os.environ.get("DASHBOARD_PORT", "8081"))
"""Where `make dashboard` serves the site (DASHBOARD_PORT; the dbt docs use 8080)."""


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
    status, warnings = "", []
    if target in ("local", "postgres"):  # the build log is kept on these (warehouse/build_log.py)
        status, warnings = report.read_marts_warnings(settings, target)
    lake = None
    if with_lake:
        from dashboard.lake_tables import lake_connection

        lake = lake_connection(Lake(settings.lake, settings.aws_endpoint_url))
    if target in ("local", "postgres"):
        connection = report.connect(settings, target)
    else:  # prod: Redshift
        from warehouse.targets import server_connection

        connection = server_connection("redshift")
    variables = {name: settings.schema(name, target) for name in ("marts", "audit")}
    variables["campaign_model_filter"] = campaign_model_filter(connection, variables["marts"])
    try:
        yield Warehouse(connection, variables, lake, status, warnings)
    finally:
        connection.close()
        if lake is not None:
            lake.close()


def default_attribution_model() -> str:
    """The dbt var `attribution_model` (the model the facts keep), last_click when the project sets none."""
    import yaml

    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return str((project.get("vars") or {}).get("attribution_model", "last_click"))


def campaign_model_filter(connection, marts_schema: str) -> str:
    """A condition keeping one attribution model's rows of fct_campaign_daily when it has one row per model
    (`attribution_model`): summing spend over every model would count it once per model. `1 = 1` before."""
    cursor = connection.cursor()
    cursor.execute(
        "select count(*) from information_schema.columns where table_schema = '"
        + marts_schema.replace("'", "")
        + "' and table_name = 'fct_campaign_daily' and column_name = 'attribution_model'"
    )
    if not cursor.fetchone()[0]:
        return "1 = 1"
    return "attribution_model = '" + default_attribution_model().replace("'", "") + "'"


def build_dashboard(settings: Settings, out: Path | None = None, target: str | None = None) -> list[RenderedPage]:
    out = out or dashboard_dir(settings)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open_warehouse(settings, target) as warehouse:
        pages = build_site(warehouse, out)
    copy_reports(settings, out / "reports")
    return pages


def copy_reports(settings: Settings, folder: Path) -> list[Path]:
    """The lake's monthly PDF reports into the site (finance-only at the edge: /dashboard/reports/)."""
    from dashboard.lake_tables import REPORT_NAME
    from ingestion.lake import Lake

    lake = Lake(settings.lake, settings.aws_endpoint_url)
    copied = []
    for rel in lake.list("reports"):
        if REPORT_NAME.match(rel):
            folder.mkdir(parents=True, exist_ok=True)
            lake.fetch(rel, folder / rel.split("/")[-1])
            copied.append(folder / rel.split("/")[-1])
    return copied


def publish(site: Path, url: str, endpoint_url: str | None = None) -> None:
    """Copy the built site to `url` (COMMERCE_DASHBOARD_URL, e.g. s3://<docs bucket>/dashboard in AWS, where the
    docs site's CloudFront serves it behind the edge sign-in with per-group pages)."""
    from ingestion.lake import filesystem_for

    fs, root = filesystem_for(url, endpoint_url)
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        remote = f"{root}/{path.relative_to(site).as_posix()}"
        fs.makedirs(remote.rsplit("/", 1)[0], exist_ok=True)
        fs.put_file(str(path), remote)


def serve(site: Path, port: int) -> None:
    """Serve the built site on 127.0.0.1:`port` until interrupted (what `make dashboard` runs)."""
    import functools
    import http.server

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        print(f"dashboard: http://127.0.0.1:{port}/ (Ctrl-C stops)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
