"""Google Ads API connector (REST `googleAds:search`) against a loopback server replaying Google's responses.

Shapes: `SearchGoogleAdsResponse` `{"results": [GoogleAdsRow...], "fieldMask", "nextPageToken", "requestId",
"queryResourceConsumption"}` with camelCase fields and int64 as JSON strings (developers.google.com
google-ads/api/reference/rpc/v26, REST JSON mapping of googleads/google-ads-python's protos); errors
`{"error": {"code", "message", "status", "details": [{"@type": "...GoogleAdsFailure", "errors": [{"errorCode":
{"requestError": "EXPIRED_PAGE_TOKEN"}, "message"}], "requestId"}]}}` (`request_error.py`, `quota_error.py` enums
in googleads/google-ads-python v25); 401 UNAUTHENTICATED for an expired access token; OAuth token responses
`{"access_token", "expires_in", "scope", "token_type": "Bearer"}` and `invalid_grant`. Sources: docs/connectors.md.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import parse_qs

import pytest
from connector_helpers import connector_settings, lake_files
from ingest_helpers import landed, make_ingestor
from werkzeug import Response

from ingestion.connectors import runner

CUSTOMER = "1234567890"
MANAGER = "9876543210"
TODAY = dt.datetime.now(dt.UTC).date()
SEARCH = f"/v26/customers/{CUSTOMER}/googleAds:search"
CAMPAIGN_MASK = (
    "segments.date,campaign.id,campaign.name,customer.currencyCode,metrics.clicks,metrics.impressions,"
    "metrics.costMicros,metrics.conversions,metrics.conversionsValue"
)


def day(offset: int) -> str:
    return (TODAY - dt.timedelta(days=offset)).isoformat()


def campaign_row(date: str, campaign: str, micros: str, name: str = "Search - Brand") -> dict:
    return {
        "customer": {"resourceName": f"customers/{CUSTOMER}", "currencyCode": "USD"},
        "campaign": {"resourceName": f"customers/{CUSTOMER}/campaigns/{campaign}", "name": name, "id": campaign},
        "metrics": {
            "clicks": "31",
            "conversionsValue": 129.9,
            "conversions": 2.0,
            "costMicros": micros,
            "impressions": "1024",
        },
        "segments": {"date": date},
    }


def click_row(date: str, gclid: str, campaign: str) -> dict:
    return {
        "clickView": {"resourceName": f"customers/{CUSTOMER}/clickViews/{date}~{gclid}", "gclid": gclid},
        "campaign": {"resourceName": f"customers/{CUSTOMER}/campaigns/{campaign}", "id": campaign},
        "segments": {"date": date},
    }


def google_error(
    status: int, name: str, message: str, code: dict | None = None, details: dict | None = None
) -> Response:
    error = {"code": status, "message": message, "status": name}
    if code:
        error["details"] = [
            {
                "@type": "type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure",
                "errors": [{"errorCode": code, "message": message} | ({"details": details} if details else {})],
                "requestId": "Zx9-Qw4aTbmRr1A",
            }
        ]
    return Response(json.dumps({"error": error}), status=status, content_type="application/json")


class GoogleAdsServer:
    def __init__(self, httpserver, page_size: int = 2):
        self.campaign_rows = [
            campaign_row(day(4), "21004587301", "41270000"),
            campaign_row(day(4), "21004587302", "12900000", "Search - Candles"),
            campaign_row(day(3), "21004587301", "39050000"),
            campaign_row(day(1), "21004587301", "44100000"),
            campaign_row(day(1), "21004587303", "8000000", "Shopping - All Products"),
        ]
        self.click_rows = [
            click_row(day(4), "Cj0KCQjw-ZnABhC1ARIsAIa0", "21004587301"),
            click_row(day(4), "EAIaIQobChMI8-uTgp7hAxX", "21004587302"),
            click_row(day(1), "Cj0KCQjw-ZnABhC1ARIsBBb1", "21004587303"),
        ]
        self.page_size = page_size
        self.faults: list[Response] = []
        self.expired_tokens: set[str] = set()
        self.tokens_issued = 0
        self.requests: list[dict] = []
        self.expire_page_token_once = False
        httpserver.expect_request(re.compile(".*")).respond_with_handler(self.handle)
        self.base = httpserver.url_for("").rstrip("/")

    def handle(self, request):
        body = request.get_data(as_text=True)
        self.requests.append({"path": request.path, "headers": dict(request.headers), "body": body})
        if request.path == "/token":
            form = parse_qs(body)
            if form.get("refresh_token") != ["1//0g-good-refresh"]:
                return Response(
                    json.dumps({"error": "invalid_grant", "error_description": "Token has been expired or revoked."}),
                    status=400,
                    content_type="application/json",
                )
            self.tokens_issued += 1
            return Response(
                json.dumps(
                    {
                        "access_token": f"ya29.a0-{self.tokens_issued}",
                        "expires_in": 3599,
                        "scope": "https://www.googleapis.com/auth/adwords",
                        "token_type": "Bearer",
                    }
                ),
                content_type="application/json",
            )
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token in self.expired_tokens or not token.startswith("ya29."):
            return google_error(
                401,
                "UNAUTHENTICATED",
                "Request had invalid authentication credentials. Expected "
                "OAuth 2 access token, login cookie or other valid authentication credential.",
            )
        if (
            request.headers.get("developer-token") != "Dv-TOKEN-abc"
            or request.headers.get("login-customer-id") != MANAGER
        ):
            return google_error(
                401,
                "UNAUTHENTICATED",
                "User doesn't have permission to access customer.",
                {"authorizationError": "USER_PERMISSION_DENIED"},
            )
        if self.faults:
            return self.faults.pop(0)
        if request.path != SEARCH:
            return google_error(404, "NOT_FOUND", "Not found")
        return self.search(json.loads(body))

    def search(self, body: dict) -> Response:
        query = body["query"]
        if "FROM campaign" in query:
            since, until = re.search(r"BETWEEN '(\S+)' AND '(\S+)'", query).groups()
            rows = [r for r in self.campaign_rows if since <= r["segments"]["date"] <= until]
            mask = CAMPAIGN_MASK
        elif "FROM click_view" in query:
            [date] = re.search(r"segments.date = '(\S+)'", query).groups()
            rows = [r for r in self.click_rows if r["segments"]["date"] == date]
            mask = "clickView.gclid,campaign.id,segments.date"
        else:
            return google_error(
                400, "INVALID_ARGUMENT", "Error in query: unexpected input.", {"queryError": "UNEXPECTED_INPUT"}
            )
        start = int(body.get("pageToken", "page-0").removeprefix("page-"))
        if body.get("pageToken") and self.expire_page_token_once:
            self.expire_page_token_once = False
            return google_error(
                400,
                "INVALID_ARGUMENT",
                "Next page token specified in user request has expired.",
                {"requestError": "EXPIRED_PAGE_TOKEN"},
            )
        page = {
            "results": rows[start : start + self.page_size],
            "fieldMask": mask,
            "requestId": f"req-{len(self.requests)}",
            "queryResourceConsumption": "128",
        }
        if start + self.page_size < len(rows):
            page["nextPageToken"] = f"page-{start + self.page_size}"
        if not page["results"]:
            del page["results"]  # proto3 JSON leaves an empty list out
        return Response(json.dumps(page), content_type="application/json")

    def searches(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.requests if r["path"] == SEARCH]


@pytest.fixture
def server(httpserver):
    return GoogleAdsServer(httpserver)


def settings_for(tmp_path, server, refresh_token="1//0g-good-refresh", **env):
    return connector_settings(
        tmp_path / "lake",
        GOOGLE_ADS_API_ENDPOINT=server.base,
        GOOGLE_ADS_TOKEN_URL=f"{server.base}/token",
        GOOGLE_ADS_DEVELOPER_TOKEN="Dv-TOKEN-abc",
        GOOGLE_ADS_CLIENT_ID="123-abc.apps.googleusercontent.com",
        GOOGLE_ADS_CLIENT_SECRET="GOCSPX-client-secret",
        GOOGLE_ADS_REFRESH_TOKEN=refresh_token,
        GOOGLE_ADS_CUSTOMER_IDS="123-456-7890",
        GOOGLE_ADS_LOGIN_CUSTOMER_ID="987-654-3210",
        **env,
    )


def pull(tmp_path, server, since=None, **env):
    [result] = runner.pull(
        ["google_ads"], dt.date.fromisoformat(since) if since else None, None, settings_for(tmp_path, server, **env)
    )
    return result


def test_full_pull_pages_campaign_metrics_and_clicks(tmp_path, server):
    result = pull(tmp_path, server, since=day(5))
    assert result.status == "landed", result.message
    rows = landed(tmp_path / "lake", "google_ads", "campaign_daily")
    assert sorted((str(r["date"]), r["campaign_id"], str(r["cost"]), r["currency"]) for r in rows) == [
        (day(4), "21004587301", "41.27", "USD"),
        (day(4), "21004587302", "12.90", "USD"),
        (day(3), "21004587301", "39.05", "USD"),
        (day(1), "21004587301", "44.10", "USD"),
        (day(1), "21004587303", "8.00", "USD"),
    ]
    clicks = landed(tmp_path / "lake", "google_ads", "click_view")
    assert sorted((r["gclid"], r["campaign_id"]) for r in clicks) == sorted(
        (r["clickView"]["gclid"], r["campaign"]["id"]) for r in server.click_rows
    )
    searches = server.searches()
    campaign = [s for s in searches if "FROM campaign" in s["query"]]
    assert [s.get("pageToken") for s in campaign] == [None, "page-2", "page-4"]  # 5 rows, 2 a page
    assert f"BETWEEN '{day(5)}' AND '{TODAY}'" in campaign[0]["query"]
    assert len([s for s in searches if "FROM click_view" in s["query"]]) == 6  # one query per day
    names = {f.source_file.rsplit("/", 1)[1] for f in result.files}
    assert f"campaign_daily_gaql_{CUSTOMER}_{day(4)}.json" in names and f"click_view_{CUSTOMER}_{day(1)}.json" in names
    assert len(names) == 5  # campaign days 4, 3, 1; click days 4, 1
    state = json.loads((tmp_path / f"lake/_state/google_ads/{CUSTOMER}.json").read_text())
    assert state["cursor"] == TODAY.isoformat()


def test_second_pull_lands_nothing_and_an_incremental_pull_rereads_the_lookback(tmp_path, server):
    pull(tmp_path, server, since=day(5))
    raw_before = lake_files(tmp_path / "lake", "raw")
    again = pull(tmp_path, server, since=day(5))
    assert again.status == "landed" and again.new_files == 0, again.message  # requestId differs, files do not
    assert lake_files(tmp_path / "lake", "raw") == raw_before
    server.campaign_rows[3] = campaign_row(day(1), "21004587301", "44350000")  # conversions restated a day later
    server.requests.clear()
    incremental = pull(tmp_path, server, GOOGLE_ADS_LOOKBACK_DAYS="2")
    assert incremental.status == "landed", incremental.message
    assert f"BETWEEN '{day(2)}' AND '{TODAY}'" in server.searches()[0]["query"]
    assert incremental.new_files == 1
    costs = [
        str(r["cost"])
        for r in landed(tmp_path / "lake", "google_ads", "campaign_daily")
        if str(r["date"]) == day(1) and r["campaign_id"] == "21004587301"
    ]
    assert sorted(costs) == ["44.10", "44.35"]


def quota_exhausted(seconds: int, rate_name: str) -> Response:
    """A 429 as Google sends it (googleads/google-ads-python quota_error.py; the body as reported in
    PipedreamHQ/pipedream#21554): the top-level `Resource has been exhausted`, the GoogleAdsFailure's quotaError and
    its `quotaErrorDetails` naming the rate and the delay."""
    response = google_error(
        429,
        "RESOURCE_EXHAUSTED",
        f"Too many requests. Retry in {seconds} seconds.",
        {"quotaError": "RESOURCE_EXHAUSTED"},
        {"quotaErrorDetails": {"rateScope": "DEVELOPER", "rateName": rate_name, "retryDelay": f"{seconds}s"}},
    )
    body = json.loads(response.get_data())
    body["error"]["message"] = "Resource has been exhausted (e.g. check quota)."
    response.set_data(json.dumps(body))
    return response


def test_throttling_and_server_errors_are_retried(tmp_path, server):
    server.faults = [
        quota_exhausted(1, "Requests per developer token per second"),
        google_error(500, "INTERNAL", "Internal error encountered.", {"internalError": "INTERNAL_ERROR"}),
        google_error(503, "UNAVAILABLE", "The service is currently unavailable."),
    ]
    result = pull(tmp_path, server, since=day(5))
    assert result.status == "landed", result.message
    assert len(landed(tmp_path / "lake", "google_ads", "campaign_daily")) == 5 and not server.faults


def test_an_exhausted_daily_quota_fails_at_once_with_googles_delay(tmp_path, server):
    server.faults = [quota_exhausted(40591, "Number of operations for basic access")]
    result = pull(tmp_path, server, since=day(5))
    assert result.status == "failed"
    assert "Retry in 40591 seconds" in result.message and "COMMERCE_PULL_DEADLINE_SECONDS" in result.message
    assert len(server.searches()) == 1 and not (tmp_path / "lake/raw").exists()  # no retry into the spent quota


def test_expired_access_token_is_refreshed_once_and_a_revoked_one_names_the_settings(tmp_path, server):
    server.expired_tokens = {"ya29.a0-1"}
    result = pull(tmp_path, server, since=day(5))
    assert result.status == "landed", result.message
    assert server.tokens_issued == 2
    revoked = pull(tmp_path, server, since=day(5), refresh_token="1//0g-revoked-secret")
    assert revoked.status == "failed"
    assert "GOOGLE_ADS_REFRESH_TOKEN" in revoked.message and "Token has been expired or revoked" in revoked.message
    assert "revoked-secret" not in revoked.message and "GOCSPX" not in revoked.message


def test_an_expired_page_token_restarts_the_query_once(tmp_path, server):
    server.expire_page_token_once = True
    result = pull(tmp_path, server, since=day(5))
    assert result.status == "landed", result.message
    assert len(landed(tmp_path / "lake", "google_ads", "campaign_daily")) == 5
    campaign = [s.get("pageToken") for s in server.searches() if "FROM campaign" in s["query"]]
    assert campaign == [None, "page-2", None, "page-2", "page-4"]


def test_a_query_error_fails_the_customer_and_lands_nothing(tmp_path, server):
    real = server.search

    def search(body):  # the campaign query succeeds; a later click_view query is rejected
        if "FROM click_view" in body["query"] and day(1) in body["query"]:
            return google_error(
                400, "INVALID_ARGUMENT", "Error in query: unrecognized field.", {"queryError": "UNRECOGNIZED_FIELD"}
            )
        return real(body)

    server.search = search
    result = pull(tmp_path, server, since=day(5))
    assert result.status == "failed"
    assert CUSTOMER in result.message and SEARCH in result.message and "UNRECOGNIZED_FIELD" in result.message
    assert not (tmp_path / "lake/raw").exists() and not (tmp_path / "lake/_state").exists()


def test_without_credentials_the_connector_is_skipped(tmp_path):
    [result] = runner.pull(["google_ads"], None, None, connector_settings(tmp_path / "lake"))
    assert result.status == "skipped"
    assert "GOOGLE_ADS_DEVELOPER_TOKEN" in result.message and "GOOGLE_ADS_CUSTOMER_IDS" in result.message


def test_pulled_day_files_land_what_one_search_stream_response_lands(tmp_path, server):
    pull(tmp_path, server, since=day(5))
    stream = [
        {"results": server.campaign_rows[:3], "fieldMask": CAMPAIGN_MASK, "requestId": "a"},
        {"results": server.campaign_rows[3:], "fieldMask": CAMPAIGN_MASK, "requestId": "b"},
    ]
    dropped = tmp_path / "dropped/campaign_daily_gaql.json"
    dropped.parent.mkdir()
    dropped.write_text(json.dumps(stream))
    make_ingestor(str(tmp_path / "lake-dropped")).ingest_paths([str(dropped)])

    def rows(lake):
        found = landed(lake, "google_ads", "campaign_daily")
        return sorted(({k: v for k, v in r.items() if not k.startswith("_")} for r in found), key=str)

    assert rows(tmp_path / "lake") == rows(tmp_path / "lake-dropped") != []
