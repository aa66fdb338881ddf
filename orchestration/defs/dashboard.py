"""The dashboard and the monthly PDF report: assets downstream of every marts model, so they rebuild after the
marts and show in the lineage (dashboard/).

`dashboard` builds the static site into COMMERCE_DASHBOARD_DIR (default: `dashboard/` beside the local
warehouse) and, when COMMERCE_DASHBOARD_URL is set (AWS: s3://<docs bucket>/dashboard), publishes it there.
`monthly_report_pdf` prints the latest closed month's P&L and restock list (a month with P&L data before the
current month in COMMERCE_TIMEZONE) to the lake's `reports/monthly-pnl-YYYY-MM.pdf`, once: a closed month's
report is a record of what was reported; `commerce-analytics report --pdf MONTH` prints any month again.
"""

import datetime as dt
import json
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg

from orchestration.lib.dbt_project import dbt_project, prepare_manifest, translator
from orchestration.lib.settings import OrchestrationSettings, load_orchestration_settings
from warehouse import halo

GROUP = "dashboard"


def marts_asset_keys(settings: OrchestrationSettings) -> list[dg.AssetKey]:
    """The asset keys of every marts table the pages read: the dbt marts models and the halo asset's tables."""
    manifest = json.loads(prepare_manifest(settings).read_text())
    policy = translator()
    models = [
        policy.get_asset_spec(manifest, unique_id, dbt_project(settings)).key
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and policy.get_group_name(node) == "marts"
    ]
    halo_tables = [dg.AssetKey(["marts", table]) for table in (halo.ESTIMATE_TABLE, halo.DAILY_TABLE)]
    return sorted([*models, *halo_tables], key=lambda k: k.to_user_string())


def latest_closed_month(connection, marts_schema: str, today: dt.date) -> str | None:
    """The latest month with P&L rows that ended before `today`'s month (YYYY-MM), or None."""
    cursor = connection.cursor()
    cursor.execute(
        f"select max(pnl_month) from {marts_schema}.fct_pnl_channel_monthly where pnl_month < ?"
        if "duckdb" in type(connection).__module__
        else f"select max(pnl_month) from {marts_schema}.fct_pnl_channel_monthly where pnl_month < %s",
        (today.replace(day=1),),
    )
    month = cursor.fetchone()[0]
    return month.strftime("%Y-%m") if month else None


def build_dashboard_assets(settings: OrchestrationSettings) -> list[dg.AssetsDefinition]:
    deps = marts_asset_keys(settings)

    # After the report: the site links the lake's monthly PDFs (dashboard/build.py copy_reports).
    @dg.asset(name="dashboard", group_name=GROUP, deps=[*deps, dg.AssetKey("monthly_report_pdf")], kinds={"html"})
    def dashboard(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        """The owner's dashboard: a static site of SQL + markdown pages over the marts (dashboard/pages/)."""
        from dashboard.build import build_dashboard, dashboard_dir, publish

        out = dashboard_dir(settings.commerce)
        pages = build_dashboard(settings.commerce, out, settings.dbt_target)
        metadata = {"pages": len(pages), "site": dg.MetadataValue.path(str(out / "index.html"))}
        missing = sorted({f"{p.path}: {r.name}" for p in pages for r in p.results.values() if r.missing})
        if missing:
            metadata["sections_waiting_for_their_mart"] = "\n".join(missing)
        url = settings.dashboard_url
        if url:
            publish(out, url, settings.commerce.aws_endpoint_url)
            metadata["published_to"] = url
        context.log.info(f"dashboard: {len(pages)} pages in {out}")
        return dg.MaterializeResult(metadata=metadata)

    @dg.asset(name="monthly_report_pdf", group_name=GROUP, deps=deps, kinds={"pdf"})
    def monthly_report_pdf(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        """The latest closed month's P&L and restock list as a PDF in the lake's reports/ (written once)."""
        from dashboard.build import open_warehouse
        from dashboard.pdf import print_pdf, report_html, report_rel
        from ingestion.lake import Lake

        commerce = settings.commerce
        lake = Lake(commerce.lake, commerce.aws_endpoint_url)
        today = dt.datetime.now(ZoneInfo(commerce.timezone)).date()
        with open_warehouse(commerce, settings.dbt_target, with_lake=False) as warehouse:
            month = latest_closed_month(warehouse.connection, warehouse.variables["marts"], today)
            if month is None:
                context.log.info("no closed month with P&L data yet: no report")
                return dg.MaterializeResult(metadata={"month": "none"})
            rel = report_rel(month)
            if lake.exists(rel):
                context.log.info(f"{lake.display(rel)} exists: a closed month's report is written once")
                return dg.MaterializeResult(metadata={"month": month, "path": lake.display(rel), "written": False})
            html = report_html(warehouse, month)
        with tempfile.TemporaryDirectory(prefix="commerce-report-") as scratch:
            pdf = print_pdf(html, Path(scratch) / "report.pdf")
            with lake.workdir() as workdir:
                lake.write_bytes(rel, pdf.read_bytes(), workdir)
        context.log.info(f"wrote {lake.display(rel)}")
        return dg.MaterializeResult(metadata={"month": month, "path": lake.display(rel), "written": True})

    return [dashboard, monthly_report_pdf]


@dg.definitions
def dashboard_assets() -> dg.Definitions:
    return dg.Definitions(assets=build_dashboard_assets(load_orchestration_settings()))
