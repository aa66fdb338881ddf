"""Meta Marketing API connector against a loopback server replaying Insights responses.

Shapes: `/act_<id>/insights` pages `{"data": [...], "paging": {"cursors": {"before", "after"}, "next"}}` with
numbers as text and purchases under three action types (Marketing API Insights reference; the demo's
`meta_ads/insights_campaign_daily_*.json`); errors `{"error": {"message", "type": "OAuthException", "code",
"error_subcode", "fbtrace_id"}}` with code 190 / subcode 463 for an expired token, 17 / 80004 for rate limits
and 2642 "Invalid cursors values" (facebook/facebook-java-business-sdk#292). Sources: docs/connectors.md.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from connector_helpers import connector_settings, lake_files
from ingest_helpers import landed
from werkzeug import Response

from ingestion.connectors import runner

ACCOUNT = "act_1029384756"
TODAY = dt.date(2025, 10, 31)


def insight(day: str, campaign: str, spend: str, purchases: str = "2") -> dict:
    return {
        "account_id": ACCOUNT.removeprefix("act_"),
        "account_currency": "USD",
        "campaign_id": campaign,
        "campaign_name": f"Campaign {campaign[-1]}",
        "impressions": "10234",
        "clicks": "187",
        "spend": spend,
        "actions": [
            {"action_type": "link_click", "value": "187"},
            {"action_type": "omni_purchase", "value": purchases},
            {"action_type": "purchase", "value": purchases},
            {"action_type": "offsite_conversion.fb_pixel_purchase", "value": purchases},
        ],
        "action_values": [
            {"action_type": "omni_purchase", "value": "129.9"},
            {"action_type": "purchase", "value": "129.9"},
            {"action_type": "offsite_conversion.fb_pixel_purchase", "value": "129.9"},
        ],
        "date_start": day,
        "date_stop": day,
    }


class InsightsServer:
    """Serves `rows` in pages of `page_size` rows for the requested time_range; faults are queued responses."""

    def __init__(self, httpserver, rows: list[dict], page_size: int = 2):
        self.rows = rows
        self.page_size = page_size
        self.faults: list[Response] = []
        self.requests: list[dict] = []
        httpserver.expect_request(f"/v23.0/{ACCOUNT}/insights").respond_with_handler(self.handle)
        self.base = httpserver.url_for("/v23.0")

    def handle(self, request):
        self.requests.append({"args": dict(request.args), "auth": request.headers.get("Authorization")})
        if self.faults:
            return self.faults.pop(0)
        if request.headers.get("Authorization") != "Bearer good-token":
            return error(400, 190, "Error validating access token: Session has expired on Friday, 31-Oct-25.", 463)
        window = json.loads(request.args["time_range"])
        rows = [r for r in self.rows if window["since"] <= r["date_start"] <= window["until"]]
        start = int(request.args.get("after", "0").removeprefix("c") or 0)
        page = rows[start : start + self.page_size]
        body = {"data": page, "paging": {"cursors": {"before": f"c{start}", "after": f"c{start + len(page)}"}}}
        if start + self.page_size < len(rows):
            body["paging"]["next"] = f"{self.base}/{ACCOUNT}/insights?after=c{start + len(page)}"
        return Response(json.dumps(body), content_type="application/json")


def error(status: int, code: int, message: str, subcode: int | None = None, headers=None) -> Response:
    body = {"error": {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEf123"}}
    if subcode:
        body["error"]["error_subcode"] = subcode
    return Response(json.dumps(body), status=status, content_type="application/json", headers=headers or {})


ROWS = [
    insight("2025-10-01", "120210447700001", "41.27"),
    insight("2025-10-01", "120210447700002", "12.90"),
    insight("2025-10-02", "120210447700001", "39.05"),
    insight("2025-10-30", "120210447700001", "44.10"),
    insight("2025-10-31", "120210447700002", "8.00", "1"),
]


@pytest.fixture
def server(httpserver):
    return InsightsServer(httpserver, list(ROWS))


def settings_for(tmp_path, server, token="good-token", **env):
    return connector_settings(
        tmp_path / "lake",
        META_GRAPH_API_URL=server.base,
        META_ACCESS_TOKEN=token,
        META_AD_ACCOUNT_IDS=ACCOUNT.removeprefix("act_"),
        **env,
    )


def test_full_pull_pages_lands_days_and_writes_the_cursor(tmp_path, server):
    settings = settings_for(tmp_path, server)
    [result] = runner.pull(["meta_ads"], dt.date(2025, 10, 1), None, settings, today=TODAY)
    assert result.status == "landed", result.message
    assert len(server.requests) == 3  # 5 rows, 2 a page: the connector followed the cursors
    assert all(r["auth"] == "Bearer good-token" and "access_token" not in r["args"] for r in server.requests)
    assert {r["args"]["level"] for r in server.requests} == {"campaign"}
    assert {r["args"]["time_increment"] for r in server.requests} == {"1"}
    rows = landed(tmp_path / "lake", "meta_ads", "campaign_daily")
    assert sorted((str(r["date"]), r["campaign_id"], str(r["spend"])) for r in rows) == [
        ("2025-10-01", "120210447700001", "41.27"),
        ("2025-10-01", "120210447700002", "12.90"),
        ("2025-10-02", "120210447700001", "39.05"),
        ("2025-10-30", "120210447700001", "44.10"),
        ("2025-10-31", "120210447700002", "8.00"),
    ]
    assert {r["purchases"] for r in rows} == {2.0, 1.0}  # one of the three purchase action types counted
    assert {r["_source_file"].split("/")[-1] for r in rows} >= {f"insights_campaign_daily_{ACCOUNT}_2025-10-01.json"}
    state = json.loads((tmp_path / "lake/_state/meta_ads/act_1029384756.json").read_text())
    assert state["cursor"] == "2025-10-31"


def test_second_pull_lands_nothing_and_incremental_pull_rereads_the_lookback(tmp_path, server):
    settings = settings_for(tmp_path, server, META_ADS_LOOKBACK_DAYS="3")
    runner.pull(["meta_ads"], dt.date(2025, 10, 1), None, settings, today=TODAY)
    raw_before = lake_files(tmp_path / "lake", "raw")
    server.requests.clear()
    [again] = runner.pull(["meta_ads"], dt.date(2025, 10, 1), None, settings, today=TODAY)
    assert again.status == "landed" and again.new_files == 0, again.message
    assert lake_files(tmp_path / "lake", "raw") == raw_before
    # Incremental: from the cursor (10-31) minus 3 days; Meta restated 10-30's spend.
    server.rows[3] = insight("2025-10-30", "120210447700001", "45.55")
    server.requests.clear()
    [incremental] = runner.pull(["meta_ads"], None, None, settings, today=dt.date(2025, 11, 1))
    assert incremental.status == "landed", incremental.message
    assert json.loads(server.requests[0]["args"]["time_range"]) == {"since": "2025-10-28", "until": "2025-11-01"}
    assert incremental.new_files == 1  # only the restated day is new; 10-31 is a duplicate
    spends = {
        str(r["spend"])
        for r in landed(tmp_path / "lake", "meta_ads", "campaign_daily")
        if str(r["date"]) == "2025-10-30"
    }
    assert spends == {"44.10", "45.55"}  # both versions kept; staging keeps the latest delivery


def test_429_and_5xx_and_rate_limit_codes_are_retried(tmp_path, server):
    server.faults = [
        Response("slow down", status=429, headers={"Retry-After": "0"}),
        Response("<html>Bad Gateway</html>", status=502),
        error(
            400,
            80004,
            "There have been too many calls to this ad-account.",
            headers={
                "X-Business-Use-Case-Usage": json.dumps(
                    {"1029384756": [{"type": "ads_insights", "call_count": 100, "estimated_time_to_regain_access": 0}]}
                )
            },
        ),
        error(400, 17, "(#17) User request limit reached"),
    ]
    [result] = runner.pull(["meta_ads"], dt.date(2025, 10, 1), None, settings_for(tmp_path, server), today=TODAY)
    assert result.status == "landed", result.message
    assert len(landed(tmp_path / "lake", "meta_ads", "campaign_daily")) == 5


def test_persistent_5xx_fails_naming_account_endpoint_and_lands_nothing(tmp_path, server):
    server.faults = [Response("unavailable", status=503)] * 10
    [result] = runner.pull(["meta_ads"], dt.date(2025, 10, 1), None, settings_for(tmp_path, server), today=TODAY)
    assert result.status == "failed"
    assert ACCOUNT in result.message and "/v23.0/act_1029384756/insights" in result.message
    assert "HTTP 503" in result.message and "gave up after 6 attempts" in result.message
    assert not (tmp_path / "lake/raw").exists() and not (tmp_path / "lake/_state").exists()


def test_expired_token_fails_naming_the_setting_and_never_the_token(tmp_path, server):
    settings = settings_for(tmp_path, server, token="expired-secret-token")
    [result] = runner.pull(["meta_ads"], dt.date(2025, 10, 1), None, settings, today=TODAY)
    assert result.status == "failed"
    assert "META_ACCESS_TOKEN" in result.message and "Session has expired" in result.message
    assert "expired-secret-token" not in result.message and "expired-secret-token" not in repr(settings)
    assert len(server.requests) == 1  # a bad token is not retried


def test_expired_paging_cursor_restarts_the_window_once(tmp_path, server):
    real = server.handle
    calls = {"n": 0}

    def handle(request):
        calls["n"] += 1
        if calls["n"] == 2:  # the second page's cursor has expired
            return error(400, 2642, "(#2642) Invalid cursors values")
        return real(request)

    server.handle = handle
    server_settings = settings_for(tmp_path, server)
    [result] = runner.pull(["meta_ads"], dt.date(2025, 10, 1), None, server_settings, today=TODAY)
    assert result.status == "landed", result.message
    assert len(landed(tmp_path / "lake", "meta_ads", "campaign_daily")) == 5


def test_without_credentials_the_connector_is_skipped(tmp_path):
    [result] = runner.pull(["meta_ads"], None, None, connector_settings(tmp_path / "lake"), today=TODAY)
    assert result.status == "skipped"
    assert "META_ACCESS_TOKEN" in result.message and "META_AD_ACCOUNT_IDS" in result.message
    assert runner.pull_exit_code([result]) == 0
