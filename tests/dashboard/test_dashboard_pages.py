"""The dashboard's renderer on tiny hand-made marts (no dbt build): CSV escaping, optional marts, the restock
page before and after its mart lands, page parsing errors, the PDF month rule."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from dashboard.build import campaign_model_filter
from dashboard.csv_export import csv_cell, to_csv
from dashboard.pages import PAGES_DIR, parse_page
from dashboard.pdf import check_month, last_closed_month
from dashboard.site import Warehouse, build_site, render_page

RESTOCK_COLUMNS = (
    "sku varchar, location varchar, on_hand integer, inbound integer, velocity decimal(18,4), "
    "days_of_cover decimal(18,2), reorder_point integer, safety_stock integer, suggested_quantity integer, "
    "urgent boolean, as_of_date date, lead_time_days integer, case_pack integer"
)


def _render(page_file: str, connection, params: dict | None = None):
    page = parse_page(PAGES_DIR / page_file)
    variables = {
        "marts": "marts",
        "audit": "audit",
        "campaign_model_filter": campaign_model_filter(connection, "marts"),
    }
    warehouse = Warehouse(connection, variables)
    return render_page(page, warehouse, params or {}, nav=[], built_at="now", layout="page.html.j2")


def test_csv_cells_are_neutralised_against_formula_injection():
    for text in ('=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert csv_cell(text) == "'" + text
    assert csv_cell("SKU-1") == "SKU-1" and csv_cell("a=b") == "a=b"
    # Numbers stay numbers (a negative amount is no formula); NULL is empty; dates ISO.
    assert csv_cell(Decimal("-12.50")) == Decimal("-12.50") and csv_cell(-3) == -3
    assert csv_cell(None) == "" and csv_cell(dt.date(2025, 11, 1)) == "2025-11-01"
    rows = list(csv.reader(io.StringIO(to_csv(["sku", "amount"], [("=cmd|' /C calc'!A0", Decimal("-1.00"))]))))
    assert rows == [["sku", "amount"], ["'=cmd|' /C calc'!A0", "-1.00"]]


def test_restock_page_says_no_inventory_data_until_the_mart_exists(tmp_path):
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    connection.execute("create schema marts")
    missing = _render("restock.md", connection)
    assert "No inventory data yet" in missing.html and missing.results["restock"].missing
    connection.execute(f"create table marts.fct_restock_recommendations ({RESTOCK_COLUMNS})")
    empty = _render("restock.md", connection)
    assert "No inventory data yet" in empty.html and empty.results["restock"].missing is None


def test_restock_page_lists_urgent_skus_first_with_their_csv(tmp_path):
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    connection.execute("create schema marts")
    connection.execute(f"create table marts.fct_restock_recommendations ({RESTOCK_COLUMNS})")
    connection.execute(
        "insert into marts.fct_restock_recommendations values "
        "('CALM-1', 'FBA US', 500, 0, 2.0, 250.00, 60, 20, 0, false, '2025-12-31', 30, 12), "
        "('=BEST', 'Shopify', 10, 0, 5.0, 2.00, 200, 50, 336, true, '2025-12-31', 30, 24)"
    )
    done = _render("restock.md", connection)
    assert "No inventory data yet" not in done.html
    assert [r[0] for r in done.results["restock"].rows] == ["=BEST", "CALM-1"], "urgent first"
    lines = done.csv_files["restock.csv"].splitlines()
    assert lines[0].startswith("sku,location,on_hand,inbound,velocity,days_of_cover")
    assert lines[1].startswith("'=BEST,Shopify,10,0,5.0000,2.00,30,200,50,336,24,true,2025-12-31")
    assert 'data-query="lowest_cover" data-points="4"' in done.html, "days of cover and lead time per SKU"


def test_a_missing_optional_mart_is_skipped_a_required_one_fails(tmp_path):
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    connection.execute("create schema marts")
    connection.execute(
        "create table marts.fct_campaign_daily as select 'google_ads' as platform, 'Brand' as campaign_name, "
        "date '2025-11-02' as activity_date, 10.00::decimal(18,2) as spend, "
        "35.00::decimal(18,2) as attributed_net_sales"
    )
    done = _render("marketing.md", connection)
    assert done.results["roas_by_model"].missing and "ROAS by attribution model" not in done.html
    assert done.results["kpis"].missing and 'class="empty" data-query="kpis"' in done.html
    assert done.results["spend"].rows[0][-1] == Decimal("3.50"), "ROAS = attributed net sales / spend"
    with pytest.raises(duckdb.CatalogException, match="fct_pnl_channel_monthly"):
        _render("overview.md", connection)


def test_spend_counts_once_when_campaign_rows_repeat_per_attribution_model(tmp_path):
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    connection.execute("create schema marts")
    connection.execute(
        "create table marts.fct_campaign_daily as select m as attribution_model, 'meta_ads' as platform, "
        "'Prospecting' as campaign_name, date '2025-11-02' as activity_date, 10.00::decimal(18,2) as spend, "
        "(case when m = 'last_click' then 30.00 else 12.00 end)::decimal(18,2) as attributed_net_sales "
        "from (values ('last_click'), ('linear'), ('data_driven')) as models(m)"
    )
    assert campaign_model_filter(connection, "marts") == "attribution_model = 'last_click'"
    done = _render("marketing.md", connection)
    spend, attributed, roas = done.results["spend"].rows[0][2:]
    assert (spend, attributed, roas) == (Decimal("10.00"), Decimal("30.00"), Decimal("3.00")), "once, last click"
    by_model = {r[0]: float(r[-1]) for r in done.results["roas_by_model"].rows}
    assert by_model == {"data_driven": 1.2, "last_click": 3.0, "linear": 1.2}
    assert "ROAS by attribution model" in done.html


def test_page_sources_are_checked(tmp_path: Path):
    bad = tmp_path / "bad.md"
    bad.write_text("# no front matter\n")
    with pytest.raises(ValueError, match="front matter"):
        parse_page(bad)
    bad.write_text("---\ntitle: X\npath: x\n---\n```sql q sometimes\nselect 1\n```\n")
    with pytest.raises(ValueError, match="unknown flags"):
        parse_page(bad)
    assert {p.stem for p in PAGES_DIR.glob("*.md")} >= {"overview", "channel_pnl", "products", "marketing"}


def test_site_is_replaced_whole_with_assets_and_relative_links(tmp_path):
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    connection.execute("create schema marts")
    page = tmp_path / "p.md"
    page.write_text(
        "---\ntitle: Tiny\npath: tiny\n---\n```sql q\nselect 'a' as k, 1.50::decimal(18,2) as v\n```\n"
        '{{ bar_chart("q", x="k", y="v") }}\n{{ table("q") }}\n'
    )
    out = tmp_path / "site"
    (out / "stale").mkdir(parents=True)
    build_site(Warehouse(connection, {"marts": "marts"}), out, [parse_page(page)])  # needs no other variable
    assert not (out / "stale").exists()
    html = (out / "tiny" / "index.html").read_text()
    assert 'src="../assets/plotly.min.js"' in html and 'href="q.csv"' in html
    assert (out / "assets" / "plotly.min.js").stat().st_size > 1_000_000, "vendored, not from a CDN"
    assert "cdn" not in html.lower()
    assert (out / "tiny" / "q.csv").read_bytes() == b"k,v\r\na,1.50\r\n"


def test_report_month_rules():
    assert check_month("2025-11") == "2025-11"
    with pytest.raises(ValueError, match="YYYY-MM"):
        check_month("2025-13")
    assert last_closed_month(dt.date(2026, 1, 15)) == "2025-12"
