"""Amazon Ads reporting v3 connector against a loopback server replaying Amazon's responses.

Shapes from the Amazon Ads API v3 reporting guide (mirrored in idealerror/amazon-ads-api-docs,
`en-us/guides/reporting/v3/get-started.md`): `POST /reporting/reports` with Content-Type
`application/vnd.createasyncreportrequest.v3+json` answers the report `{"configuration", "createdAt", "endDate",
"failureReason": null, "fileSize": null, "generatedAt": null, "name", "reportId", "startDate", "status": "PENDING",
"updatedAt", "url": null, "urlExpiresAt": null}`; `GET /reporting/reports/{id}` moves PENDING -> PROCESSING ->
COMPLETED (with `url`) or FAILED (with `failureReason`); a duplicate request answers 425; the document is a
GZIP'd JSON array with ids and counts as JSON numbers and money as floats. Sources: docs/connectors.md.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
from urllib.parse import parse_qs

import pytest
from connector_helpers import connector_settings, lake_files
from ingest_helpers import landed, make_ingestor
from werkzeug import Response

from ingestion.connectors import runner

PROFILE = "3945107282715421"
CLIENT_ID = "amzn1.application-oa2-client.ads0123"
TODAY = dt.datetime.now(dt.UTC).date()


def day(offset: int) -> str:
    return (TODAY - dt.timedelta(days=offset)).isoformat()


def sp_row(date: str, sku: str, cost: float, campaign: int = 158410630682987) -> dict:
    return {
        "date": date,
        "campaignId": campaign,
        "campaignName": "SP - Candles - Auto",
        "adGroupId": 72320882861500,
        "adGroupName": "Candles",
        "advertisedSku": sku,
        "advertisedAsin": "B036684322",
        "impressions": 2216,
        "clicks": 13,
        "cost": cost,
        "purchases7d": 2,
        "sales7d": 59.98,
        "campaignBudgetCurrencyCode": "USD",
    }


def sb_row(date: str, cost: float) -> dict:
    return {
        "date": date,
        "campaignId": 144590129011,
        "campaignName": "SB - Brand Video",
        "impressions": 5120,
        "clicks": 31,
        "cost": cost,
        "purchases": 3,
        "sales": 89.97,
        "campaignBudgetCurrencyCode": "USD",
    }


def sd_row(date: str, cost: float) -> dict:
    return {
        "date": date,
        "campaignId": 288012311990,
        "campaignName": "SD - Retargeting",
        "adGroupId": 99120031,
        "adGroupName": "Views 30d",
        "promotedSku": "AG-CER-013",
        "promotedAsin": "B024945522",
        "impressions": 8810,
        "clicks": 9,
        "cost": cost,
        "purchases": 1,
        "sales": 49.99,
        "campaignBudgetCurrencyCode": "USD",
    }


class AdsServer:
    def __init__(self, httpserver):
        self.rows = {
            "SPONSORED_PRODUCTS": [
                sp_row(day(3), "AG-LGT-001", 14.5),
                sp_row(day(3), "AG-WAL-007", 9.45),
                sp_row(day(1), "AG-LGT-001", 12.04),
            ],
            "SPONSORED_BRANDS": [sb_row(day(2), 21.3)],
            "SPONSORED_DISPLAY": [sd_row(day(1), 4.17)],
        }
        self.final_status = "COMPLETED"
        self.polls_before_final = 2
        self.faults: list[Response] = []
        self.expired_tokens: set[str] = set()
        self.tokens_issued = 0
        self.reports: dict[str, dict] = {}
        self.duplicate_of: str | None = None
        self.requests: list[dict] = []
        httpserver.expect_request(re.compile(".*")).respond_with_handler(self.handle)
        self.base = httpserver.url_for("").rstrip("/")

    def handle(self, request):
        self.requests.append({"method": request.method, "path": request.path, "headers": dict(request.headers)})
        if request.path == "/auth/o2/token":
            form = parse_qs(request.get_data(as_text=True))
            if form.get("refresh_token") != ["Atzr|ads-refresh"] or form.get("client_id") != [CLIENT_ID]:
                return Response(
                    json.dumps(
                        {
                            "error": "invalid_grant",
                            "error_description": "The request has an invalid grant parameter : refresh_token",
                        }
                    ),
                    status=400,
                    content_type="application/json",
                )
            self.tokens_issued += 1
            return Response(
                json.dumps(
                    {"access_token": f"Atza|ads-{self.tokens_issued}", "token_type": "bearer", "expires_in": 3600}
                ),
                content_type="application/json",
            )
        if request.path.startswith("/s3/"):
            return Response(
                gzip.compress(json.dumps(self.reports[request.path.removeprefix("/s3/")]["rows"]).encode()),
                content_type="application/octet-stream",
            )
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token in self.expired_tokens or not token.startswith("Atza|"):
            return Response(  # as amzn/amazon-advertising-api-php-sdk#10 quotes it
                json.dumps({"code": "401", "details": "Authentication failed", "requestId": "K144VZX9J0CCDG4229C5"}),
                status=401,
                content_type="application/json",
            )
        if (
            request.headers.get("Amazon-Advertising-API-Scope") != PROFILE
            or request.headers.get("Amazon-Advertising-API-ClientId") != CLIENT_ID
        ):
            return Response(
                json.dumps({"code": "UNAUTHORIZED", "details": "Not authorized to access scope"}),
                status=401,
                content_type="application/json",
            )
        if self.faults:
            return self.faults.pop(0)
        if request.path == "/reporting/reports" and request.method == "POST":
            assert request.headers["Content-Type"] == "application/vnd.createasyncreportrequest.v3+json"
            return self.create(json.loads(request.get_data()))
        return self.status(request.path.rsplit("/", 1)[1])

    def create(self, body: dict) -> Response:
        if self.duplicate_of:
            return Response(
                json.dumps({"code": "425", "detail": f"The Request is a duplicate of : {self.duplicate_of}"}),
                status=425,
                content_type="application/json",
            )
        report_id = f"a1b2c3d4-0000-4000-8000-{len(self.reports):012d}"
        config = body["configuration"]
        rows = [
            {k: v for k, v in r.items() if k in config["columns"]}
            for r in self.rows[config["adProduct"]]
            if body["startDate"] <= r["date"] <= body["endDate"]
        ]
        self.reports[report_id] = {"body": body, "rows": rows, "polls": 0}
        return Response(json.dumps(self.report_json(report_id, "PENDING")), content_type="application/json")

    def report_json(self, report_id: str, status: str) -> dict:
        body = self.reports[report_id]["body"]
        done = status == "COMPLETED"
        return {
            "configuration": body["configuration"] | {"filters": None},
            "createdAt": "2025-10-30T14:03:00.853Z",
            "endDate": body["endDate"],
            "failureReason": "Report generation failed due to an internal error." if status == "FAILED" else None,
            "fileSize": 5234 if done else None,
            "generatedAt": "2025-10-30T14:06:11.120Z" if done else None,
            "name": body["name"],
            "reportId": report_id,
            "startDate": body["startDate"],
            "status": status,
            "updatedAt": "2025-10-30T14:06:11.120Z",
            "url": f"{self.base}/s3/{report_id}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=ab12"
            if done
            else None,
            "urlExpiresAt": "2025-10-30T15:06:11.120Z" if done else None,
        }

    def status(self, report_id: str) -> Response:
        report = self.reports[report_id]
        report["polls"] += 1
        status = "PENDING" if report["polls"] == 1 else "PROCESSING"
        if report["polls"] > self.polls_before_final:
            status = self.final_status
        return Response(json.dumps(self.report_json(report_id, status)), content_type="application/json")

    def created(self) -> list[dict]:
        return [r["body"] for r in self.reports.values()]


@pytest.fixture
def server(httpserver):
    return AdsServer(httpserver)


def settings_for(tmp_path, server, **env):
    return connector_settings(
        tmp_path / "lake",
        AMAZON_ADS_API_ENDPOINT=server.base,
        AMAZON_LWA_TOKEN_URL=f"{server.base}/auth/o2/token",
        AMAZON_ADS_LWA_CLIENT_ID=CLIENT_ID,
        AMAZON_ADS_LWA_CLIENT_SECRET="amzn1.oa2-cs.v1.ads-secret",
        AMAZON_ADS_REFRESH_TOKEN=env.pop("refresh_token", "Atzr|ads-refresh"),
        AMAZON_ADS_PROFILE_IDS=PROFILE,
        AMAZON_ADS_REPORT_POLL_SECONDS="0.01",
        **env,
    )


def pull(tmp_path, server, since=None, until=None, **env):
    since = dt.date.fromisoformat(since) if since else None
    until = dt.date.fromisoformat(until) if until else None
    [result] = runner.pull(["amazon_ads"], since, until, settings_for(tmp_path, server, **env))
    return result


def costs(tmp_path, entity: str) -> list[tuple]:
    return sorted((str(r["date"]), str(r["cost"])) for r in landed(tmp_path / "lake", "amazon_ads", entity))


def test_full_pull_creates_polls_and_downloads_each_ad_product(tmp_path, server):
    result = pull(tmp_path, server, since=day(5))
    assert result.status == "landed", result.message
    assert sorted(costs(tmp_path, "advertised_product_daily")) == sorted(
        [(day(3), "14.50"), (day(3), "9.45"), (day(1), "12.04")]
    )
    rows = landed(tmp_path / "lake", "amazon_ads", "sponsored_brands_display_daily")
    assert sorted((r["ad_product"], str(r["cost"]), r["advertised_sku"]) for r in rows) == [
        ("SPONSORED_BRANDS", "21.30", None),
        ("SPONSORED_DISPLAY", "4.17", "AG-CER-013"),
    ]
    created = {b["configuration"]["reportTypeId"]: b for b in server.created()}
    assert set(created) == {"spAdvertisedProduct", "sbCampaigns", "sdAdvertisedProduct"}
    assert created["spAdvertisedProduct"]["configuration"]["groupBy"] == ["advertiser"]
    assert {b["configuration"]["timeUnit"] for b in created.values()} == {"DAILY"}
    assert {b["configuration"]["format"] for b in created.values()} == {"GZIP_JSON"}
    assert (created["sbCampaigns"]["startDate"], created["sbCampaigns"]["endDate"]) == (day(5), TODAY.isoformat())
    assert all(r["polls"] == 3 for r in server.reports.values())  # PENDING, PROCESSING, COMPLETED
    # One file per report and day; the S3 download carries no token.
    names = {f.source_file.rsplit("/", 1)[1] for f in result.files}
    assert names == {
        f"sp_advertised_product_{PROFILE}_{day(3)}.json",
        f"sp_advertised_product_{PROFILE}_{day(1)}.json",
        f"sb_campaigns_{PROFILE}_{day(2)}.json",
        f"sd_advertised_product_{PROFILE}_{day(1)}.json",
    }
    assert all("Authorization" not in r["headers"] for r in server.requests if r["path"].startswith("/s3/"))
    state = json.loads((tmp_path / f"lake/_state/amazon_ads/{PROFILE}.json").read_text())
    assert state["cursor"] == TODAY.isoformat()


def test_second_pull_lands_nothing_and_an_incremental_pull_rereads_the_lookback(tmp_path, server):
    pull(tmp_path, server, since=day(5))
    raw_before = lake_files(tmp_path / "lake", "raw")
    again = pull(tmp_path, server, since=day(5))
    assert again.status == "landed" and again.new_files == 0, again.message
    assert lake_files(tmp_path / "lake", "raw") == raw_before
    server.rows["SPONSORED_PRODUCTS"][2] = sp_row(day(1), "AG-LGT-001", 12.61)  # Amazon restated a day's spend
    server.reports.clear()
    incremental = pull(tmp_path, server, AMAZON_ADS_LOOKBACK_DAYS="2")
    assert incremental.status == "landed", incremental.message
    assert {b["startDate"] for b in server.created()} == {day(2)}
    assert incremental.new_files == 1
    assert [c for d, c in costs(tmp_path, "advertised_product_daily") if d == day(1)] == ["12.04", "12.61"]


def test_a_window_longer_than_31_days_is_requested_in_slices(tmp_path, server):
    result = pull(tmp_path, server, since=day(40), AMAZON_ADS_AD_PRODUCTS="SPONSORED_PRODUCTS")
    assert result.status == "landed", result.message
    assert sorted((b["startDate"], b["endDate"]) for b in server.created()) == [(day(40), day(10)), (day(9), day(0))]


def test_throttling_and_server_errors_are_retried(tmp_path, server):
    server.faults = [
        Response(json.dumps({"code": "429", "details": "Too Many Requests"}), status=429, headers={"Retry-After": "0"}),
        Response(json.dumps({"code": "INTERNAL_ERROR", "details": "Internal Server Error"}), status=500),
        Response("Bad Gateway", status=502),
    ]
    result = pull(tmp_path, server, since=day(5), AMAZON_ADS_AD_PRODUCTS="SPONSORED_PRODUCTS")
    assert result.status == "landed", result.message
    assert len(landed(tmp_path / "lake", "amazon_ads", "advertised_product_daily")) == 3 and not server.faults


def test_expired_access_token_is_refreshed_once_and_a_refused_one_names_the_settings(tmp_path, server):
    server.expired_tokens = {"Atza|ads-1"}
    result = pull(tmp_path, server, since=day(5), AMAZON_ADS_AD_PRODUCTS="SPONSORED_BRANDS")
    assert result.status == "landed", result.message
    assert server.tokens_issued == 2
    refused = pull(tmp_path, server, since=day(5), refresh_token="Atzr|stale-secret")
    assert refused.status == "failed"
    assert "AMAZON_ADS_REFRESH_TOKEN" in refused.message and PROFILE in refused.message
    assert "stale-secret" not in refused.message and "ads-secret" not in refused.message


def test_a_failed_report_fails_the_profile_and_lands_nothing(tmp_path, server):
    server.final_status = "FAILED"
    result = pull(tmp_path, server, since=day(5))
    assert result.status == "failed"
    assert "FAILED" in result.message and "internal error" in result.message and PROFILE in result.message
    assert "/reporting/reports/" in result.message
    assert not (tmp_path / "lake/raw").exists() and not (tmp_path / "lake/_state").exists()


def test_a_report_that_never_completes_times_out(tmp_path, server):
    server.polls_before_final = 10_000
    result = pull(tmp_path, server, since=day(5), AMAZON_ADS_REPORT_TIMEOUT_SECONDS="0.3")
    assert result.status == "failed" and "AMAZON_ADS_REPORT_TIMEOUT_SECONDS" in result.message
    assert not (tmp_path / "lake/raw").exists()


def running_sponsored_brands_report(server, name: str, start: str, end: str):
    """A Sponsored Brands report already running on the server, which a new request is answered a duplicate of."""
    server.create(
        {
            "name": name,
            "startDate": start,
            "endDate": end,
            "configuration": {
                "adProduct": "SPONSORED_BRANDS",
                "groupBy": ["campaign"],
                "columns": list(sb_row("x", 0)),
                "reportTypeId": "sbCampaigns",
                "timeUnit": "DAILY",
                "format": "GZIP_JSON",
            },
        }
    )
    [running] = server.reports
    server.duplicate_of = running
    return running


def test_a_duplicate_request_awaits_the_report_already_running(tmp_path, server):
    running = running_sponsored_brands_report(server, "earlier run", day(5), TODAY.isoformat())
    result = pull(tmp_path, server, since=day(5), AMAZON_ADS_AD_PRODUCTS="SPONSORED_BRANDS")
    assert result.status == "landed", result.message
    assert len(server.reports) == 1 and server.reports[running]["polls"] == 3
    assert costs(tmp_path, "sponsored_brands_display_daily") == [(day(2), "21.30")]


def test_a_duplicate_naming_another_report_lands_nothing(tmp_path, server):
    running = running_sponsored_brands_report(server, "earlier run, other dates", day(9), day(6))
    result = pull(tmp_path, server, since=day(5), AMAZON_ADS_AD_PRODUCTS="SPONSORED_BRANDS")
    assert result.status == "failed"
    assert f"naming report {running}" in result.message and f"{day(9)}..{day(6)}" in result.message
    assert not (tmp_path / "lake/raw").exists()


def test_an_account_without_sponsored_brands_gets_nothing_for_them(tmp_path, server):
    server.rows["SPONSORED_BRANDS"] = []
    result = pull(tmp_path, server, since=day(5))
    assert result.status == "landed", result.message
    rows = landed(tmp_path / "lake", "amazon_ads", "sponsored_brands_display_daily")
    assert {r["ad_product"] for r in rows} == {"SPONSORED_DISPLAY"}


def test_without_credentials_the_connector_is_skipped(tmp_path):
    [result] = runner.pull(["amazon_ads"], None, None, connector_settings(tmp_path / "lake"))
    assert result.status == "skipped"
    assert "AMAZON_ADS_REFRESH_TOKEN" in result.message and "AMAZON_ADS_PROFILE_IDS" in result.message


def test_pulled_day_files_land_what_the_whole_report_dropped_lands(tmp_path, server):
    pull(tmp_path, server, since=day(5), AMAZON_ADS_AD_PRODUCTS="SPONSORED_PRODUCTS,SPONSORED_DISPLAY")
    dropped = tmp_path / "dropped"
    dropped.mkdir()
    # The GZIP_JSON documents as a person would download them from the console, one per report.
    (dropped / "sp_advertised_product.json.gz").write_bytes(
        gzip.compress(json.dumps(server.rows["SPONSORED_PRODUCTS"]).encode(), mtime=0)
    )
    (dropped / "sd_advertised_product.json.gz").write_bytes(
        gzip.compress(json.dumps(server.rows["SPONSORED_DISPLAY"]).encode(), mtime=0)
    )
    make_ingestor(str(tmp_path / "lake-dropped")).ingest_paths([str(dropped)])

    def rows(lake, entity):
        found = landed(lake, "amazon_ads", entity)
        return sorted(({k: v for k, v in r.items() if not k.startswith("_")} for r in found), key=str)

    for entity in ("advertised_product_daily", "sponsored_brands_display_daily"):
        assert rows(tmp_path / "lake", entity) == rows(tmp_path / "lake-dropped", entity) != []
