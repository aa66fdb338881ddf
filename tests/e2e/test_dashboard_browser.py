"""The dashboard the `dashboard` asset built in the session's Dagster run, in headless Chromium: every page loads
with its charts drawn from data, the overview's net profit equals the warehouse's to the cent, a table's CSV
downloads with the warehouse's figures, the month's PDF (written by `monthly_report_pdf`, linked from the
Channel P&L page) downloads with the month's P&L, and `commerce-analytics report --pdf MONTH` prints the same.
Screenshots of every page go to tests/e2e/artifacts/."""

from __future__ import annotations

import csv
import functools
import http.server
import io
import subprocess
import sys
import threading
from decimal import Decimal

import duckdb
import pypdf
import pytest
from e2e_helpers import REPO

PAGES = ["overview", "channel-pnl", "products", "marketing", "restock", "data-health"]
CHARTS_DRAWN = """() => Array.from(document.querySelectorAll('figure.chart')).map(f => {
    const plot = f.querySelector('.js-plotly-plot');
    if (!plot || !plot._fullData) return -1;
    return plot._fullData.reduce((n, t) => n + ((t.x || t.labels || []).length), 0);
})"""


@pytest.fixture(scope="module")
def dashboard_site(built):
    site = built.warehouse.parent / "dashboard"
    assert (site / "index.html").exists(), "the Dagster run's `dashboard` asset builds the site"
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args, **kwargs: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _warehouse(built, sql: str) -> list[tuple]:
    with duckdb.connect(str(built.warehouse), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def _charts(page) -> list[int]:
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('figure.chart')).every(f => f.querySelector('.main-svg'))"
    )
    return page.evaluate(CHARTS_DRAWN)


def test_every_page_renders_its_charts_with_data(dashboard_site, page, artifacts, built):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{dashboard_site}/index.html")
    links = [a.get_attribute("href") for a in page.locator("ul.pages a").all()]
    assert links == [f"{p}/" for p in PAGES]
    months = [
        m.isoformat()
        for (m,) in _warehouse(built, "select distinct pnl_month from marts.fct_pnl_channel_monthly order by 1")
    ]
    for path in [*PAGES, f"channel-pnl/{months[-1]}"]:
        page.goto(f"{dashboard_site}/{path}/")
        charts = _charts(page)
        page.screenshot(path=str(artifacts / f"dashboard_{path.replace('/', '_')}.png"), full_page=True)
        if path == "restock" and page.locator('.empty[data-query="restock"]').count():
            assert "No inventory data yet" in page.inner_text("main")
            continue
        assert charts and all(points > 0 for points in charts), f"{path}: charts without data: {charts}"
        assert page.locator("table tbody tr").count() > 0, f"{path} shows no table rows"
    assert not errors, errors
    # The drill-down: a month of the Channel P&L links to its daily P&L.
    page.goto(f"{dashboard_site}/channel-pnl/")
    page.get_by_role("link", name=months[-1], exact=True).click()
    page.wait_for_url(f"**/channel-pnl/{months[-1]}/")
    assert f"Daily P&L, month of {months[-1]}" in page.inner_text("h1")


def test_overview_net_profit_equals_the_warehouse_to_the_cent(dashboard_site, page, built):
    page.goto(f"{dashboard_site}/overview/")
    figure = page.locator('.big-value[data-column="net_profit"]')
    (expected,) = _warehouse(built, "select sum(net_profit) from marts.fct_pnl_channel_monthly")[0]
    assert Decimal(figure.get_attribute("data-value")) == expected
    assert figure.locator(".figure").inner_text() == f"{expected:,.2f}"


def test_a_table_downloads_as_csv_with_the_warehouse_figures(dashboard_site, page, built):
    page.goto(f"{dashboard_site}/overview/")
    with page.expect_download() as info:
        page.locator('.table-wrap[data-query="monthly"] a.csv').click()
    download = info.value
    assert download.suggested_filename == "monthly.csv"
    rows = list(csv.DictReader(io.StringIO(download.path().read_text(encoding="utf-8"))))
    expected = _warehouse(
        built, "select pnl_month, sum(net_profit) from marts.fct_pnl_channel_monthly group by 1 order by 1"
    )
    assert [(r["pnl_month"], Decimal(r["net_profit"])) for r in rows] == [(m.isoformat(), v) for m, v in expected]


def _pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_the_month_pdf_downloads_with_the_month_pnl(dashboard_site, page, built, artifacts):
    page.goto(f"{dashboard_site}/channel-pnl/")
    link = page.locator('.table-wrap[data-query="reports"] a').first
    name = link.inner_text()
    month = name.removeprefix("monthly-pnl-").removesuffix(".pdf")
    assert (built.lake / "reports" / name).exists(), "monthly_report_pdf wrote it to the lake's reports/"
    response = page.request.get(f"{dashboard_site}/channel-pnl/{link.get_attribute('href')}")
    assert response.ok
    data = response.body()
    (artifacts / name).write_bytes(data)
    text = _pdf_text(data)
    ((total,),) = _warehouse(
        built, f"select sum(net_profit) from marts.fct_pnl_channel_monthly where pnl_month = date '{month}-01'"
    )
    assert f"Monthly P&L, {month}" in text and "Restock list" in text
    assert f"{total:,.2f}" in text, "the month's total net profit is printed"

    # The same report from the command line.
    out = built.root / f"cli-{name}"
    done = subprocess.run(
        [sys.executable, "-m", "commerce_analytics.cli", "report", "--pdf", month, "--out", str(out)],
        cwd=REPO,
        env=built.env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{total:,.2f}" in _pdf_text(out.read_bytes())
