"""The dashboard assets sit after every marts model (and the site after the report) in the asset graph, and the
report's month is the latest month with P&L data that has closed in the brand's time zone."""

import datetime as dt

import dagster as dg
import duckdb

from orchestration.defs.dashboard import latest_closed_month


def test_dashboard_assets_follow_every_mart(orch_defs):
    graph = orch_defs.resolve_asset_graph()
    marts = {k for k in graph.get_all_asset_keys() if graph.get(k).group_name == "marts"}
    assert dg.AssetKey(["marts", "fct_pnl_channel_monthly"]) in marts or any(
        k.path[-1] == "fct_pnl_channel_monthly" for k in marts
    )
    report = graph.get(dg.AssetKey("monthly_report_pdf"))
    site = graph.get(dg.AssetKey("dashboard"))
    assert marts <= set(report.parent_keys)
    assert marts | {dg.AssetKey("monthly_report_pdf")} <= set(site.parent_keys)
    assert site.group_name == report.group_name == "dashboard"


def test_latest_closed_month_skips_the_open_month(tmp_path):
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    connection.execute("create schema marts")
    connection.execute("create table marts.fct_pnl_channel_monthly (pnl_month date)")
    assert latest_closed_month(connection, "marts", dt.date(2025, 12, 15)) is None
    connection.execute("insert into marts.fct_pnl_channel_monthly values ('2025-11-01'), ('2025-12-01')")
    assert latest_closed_month(connection, "marts", dt.date(2025, 12, 15)) == "2025-11"
    assert latest_closed_month(connection, "marts", dt.date(2026, 1, 1)) == "2025-12"
