"""The month's P&L and restock list as a PDF: `commerce-analytics report --pdf MONTH`, and the Dagster asset
`monthly_report_pdf` that writes it to the lake's `reports/` once a month has closed.

The report is a page like the dashboard's (dashboard/reports/monthly_pnl.md, SQL + markdown) rendered to HTML
and printed by headless Chromium (`--print-to-pdf`): the same renderer as the site, no second layout engine.
Chromium: /usr/bin/chromium (scripts/install-chromium.sh), or COMMERCE_CHROMIUM.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from commerce_analytics.settings import Settings
from dashboard.pages import parse_page
from dashboard.site import TEMPLATES, render_page

REPORT_PAGE = Path(__file__).resolve().parent / "reports" / "monthly_pnl.md"
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
PRINT_TIMEOUT_S = 120


def chromium_path() -> str:
    for candidate in (os.environ.get("COMMERCE_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.path.exists(candidate):
            return candidate
    raise FileNotFoundError(
        "no Chromium to print the PDF: run `bash scripts/install-chromium.sh` (Debian package) or set COMMERCE_CHROMIUM"
    )


def check_month(month: str) -> str:
    if not MONTH.match(month):
        raise ValueError(f"month {month!r}: give it as YYYY-MM, e.g. 2025-11")
    return month


def report_html(warehouse, month: str) -> str:
    page = parse_page(REPORT_PAGE)
    built_at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return render_page(
        page, warehouse, {"month": check_month(month)}, nav=[], built_at=built_at, layout="report.html.j2"
    ).html


def print_pdf(html: str, out: Path) -> Path:
    """Print `html` to `out` with headless Chromium (its stylesheet inlined: one self-contained file)."""
    style = (TEMPLATES / "style.css").read_text(encoding="utf-8")
    html = re.sub(r'<link rel="stylesheet" href="[^"]*style\.css">', lambda _: f"<style>{style}</style>", html)
    with tempfile.TemporaryDirectory(prefix="commerce-report-") as scratch:
        page = Path(scratch) / "report.html"
        page.write_text(html, encoding="utf-8")
        target = Path(scratch) / "report.pdf"
        done = subprocess.run(
            [
                chromium_path(),
                *("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"),
                *("--disable-background-networking", "--no-pdf-header-footer", f"--user-data-dir={scratch}/profile"),
                f"--print-to-pdf={target}",
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=PRINT_TIMEOUT_S,
            check=False,
        )
        if done.returncode != 0 or not target.exists():
            raise RuntimeError(f"Chromium could not print the report (exit {done.returncode}): {done.stderr[-1500:]}")
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(target, out)
    return out


def write_report_pdf(settings: Settings, month: str, out: Path, target: str | None = None) -> Path:
    from dashboard.build import open_warehouse

    with open_warehouse(settings, target, with_lake=False) as warehouse:
        html = report_html(warehouse, month)
    return print_pdf(html, out)


def last_closed_month(today: dt.date) -> str:
    """The month before `today`'s: the latest month whose P&L no longer changes with new orders."""
    first = today.replace(day=1)
    return (first - dt.timedelta(days=1)).strftime("%Y-%m")


def report_rel(month: str) -> str:
    """Where the month's PDF goes in the lake."""
    return f"reports/monthly-pnl-{check_month(month)}.pdf"
