"""The connector runner and its helpers: windows, Retry-After, a rejected pulled file, the CLI's exit codes."""

from __future__ import annotations

import datetime as dt
import email.utils
import time

from connector_helpers import connector_settings

from commerce_analytics import cli
from ingestion.connectors import CONNECTORS, runner
from ingestion.connectors.base import PulledFile, PullWindow, later_cursor, pull_window
from ingestion.connectors.http import retry_after_seconds

TODAY = dt.date(2025, 12, 5)


def test_window_from_cursor_lookback_backfill_and_explicit_dates(tmp_path):
    settings = connector_settings(tmp_path, META_ADS_LOOKBACK_DAYS="7")
    assert pull_window("meta_ads", {"cursor": "2025-12-01"}, settings, today=TODAY) == PullWindow(
        dt.date(2025, 11, 24), TODAY
    )
    # Shopify's cursor is a timestamp; its default lookback is one day; other ad platforms default to 28.
    assert pull_window("shopify", {"cursor": "2025-12-03T17:04:11Z"}, settings, today=TODAY).since == dt.date(
        2025, 12, 2
    )
    assert pull_window("google_ads", {"cursor": "2025-12-03"}, settings, today=TODAY).since == dt.date(2025, 11, 5)
    assert pull_window("meta_ads", {}, settings, today=TODAY).since == TODAY - dt.timedelta(days=365)
    backfill = pull_window("meta_ads", {"cursor": "2025-12-01"}, settings, dt.date(2025, 1, 1), dt.date(2025, 1, 31))
    assert backfill == PullWindow(dt.date(2025, 1, 1), dt.date(2025, 1, 31), explicit=True)
    assert later_cursor("2025-12-01", "2025-01-31") == "2025-12-01"  # a backfill never moves the cursor back


def test_retry_after_in_seconds_or_as_an_http_date():
    assert retry_after_seconds("7") == 7.0
    later = email.utils.formatdate(time.time() + 120, usegmt=True)
    assert 100 < retry_after_seconds(later) <= 120
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


class GarbageConnector:
    source = "garbage"
    entities = ("things",)
    settings_needed = ()

    def accounts(self, settings):
        return ["acct-1"]

    def pull(self, account, window, state, settings):
        return [PulledFile("garbage/unknown.txt", b"this is no export\n")], {"cursor": window.until.isoformat()}


def test_a_file_ingestion_rejects_fails_the_account_keeps_the_bytes_and_the_cursor(tmp_path, monkeypatch):
    monkeypatch.setitem(CONNECTORS, "garbage", GarbageConnector())
    settings = connector_settings(tmp_path / "lake")
    [result] = runner.pull(["garbage"], None, None, settings, today=TODAY)
    assert result.status == "failed" and "rejected by ingestion" in result.message
    assert "pull://garbage/acct-1/garbage/unknown.txt" in result.message
    assert list((tmp_path / "lake/raw").rglob("*")), "the rejected bytes are kept (raw/ and quarantine)"
    assert not (tmp_path / "lake/_state/garbage").exists()
    assert runner.pull_exit_code([result]) == 2


def test_cli_pull_skips_unconfigured_and_refuses_unknown_sources(tmp_path, monkeypatch, capsys):
    for name in ("SHOPIFY_SHOP_URL", "SHOPIFY_ACCESS_TOKEN", "META_ACCESS_TOKEN", "META_AD_ACCOUNT_IDS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COMMERCE_LAKE", str(tmp_path / "lake"))
    assert cli.main(["pull", "shopify", "meta_ads"]) == 0
    out = capsys.readouterr().out
    assert "shopify: skipped: not configured: set SHOPIFY_SHOP_URL, SHOPIFY_ACCESS_TOKEN" in out
    assert "meta_ads: skipped" in out
    assert cli.main(["pull", "tiktok"]) == 2
    assert "unknown source(s) tiktok" in capsys.readouterr().err
