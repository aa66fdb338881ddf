"""Amazon Ads API reporting v3: daily Sponsored Products, Sponsored Brands and Sponsored Display reports per profile.

For each ad product in `AMAZON_ADS_AD_PRODUCTS` and each slice of at most 31 days (the v3 limit), `POST
/reporting/reports` creates a report, `GET /reporting/reports/{id}` is polled until COMPLETED, and its `url` (a
presigned S3 address) gives the GZIP_JSON document. Its rows land as JSON arrays, one file per profile, report
and day (`amazon_ads/<report>_<profile>_<day>.json`, rows sorted), so a re-pulled day whose numbers did not change
is a duplicate and a restated day lands as a new version of its rows:

| ad product | reportTypeId | groupBy | lands as (ingestion/formats) |
|---|---|---|---|
| SPONSORED_PRODUCTS | spAdvertisedProduct | advertiser | amazon_ads_sp_advertised_product |
| SPONSORED_BRANDS | sbCampaigns | campaign | amazon_ads_sb_campaigns |
| SPONSORED_DISPLAY | sdAdvertisedProduct | advertiser | amazon_ads_sd_advertised_product |

An account without Sponsored Brands or Display campaigns gets empty reports: nothing lands for them (or leave them
out of AMAZON_ADS_AD_PRODUCTS). A report that ends FAILED or is not COMPLETED within
AMAZON_ADS_REPORT_TIMEOUT_SECONDS fails the profile and nothing of it lands. A create request identical to one still
being generated answers 425 naming that report, which is then awaited instead, once its getReport shows the same
dates, ad product, report type and columns (`_same_request`). Auth: Login with Amazon, `Bearer`
token plus the `Amazon-Advertising-API-ClientId` and `-Scope` (profile) headers; a 401 refreshes the token once.
429 and 5xx are retried by the shared client (`Retry-After` when Amazon sends it).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
from collections import defaultdict
from dataclasses import dataclass

import httpx

from commerce_analytics.settings import Settings
from ingestion.connectors.async_reports import date_slices, poll_until
from ingestion.connectors.base import NotConfigured, PulledFile, PullWindow, later_cursor
from ingestion.connectors.http import ApiClient, endpoint_of, response_reason
from ingestion.connectors.oauth import RefreshTokenAuth

REPORTS = "/reporting/reports"
CREATE_CONTENT_TYPE = "application/vnd.createasyncreportrequest.v3+json"
MAX_DAYS = 31
CREDENTIAL_SETTINGS = "AMAZON_ADS_LWA_CLIENT_ID, AMAZON_ADS_LWA_CLIENT_SECRET and AMAZON_ADS_REFRESH_TOKEN"


@dataclass(frozen=True)
class ReportSpec:
    ad_product: str
    report_type: str
    group_by: str
    columns: tuple[str, ...]
    file_prefix: str


COMMON_COLUMNS = ("date", "campaignId", "campaignName", "impressions", "clicks", "cost", "campaignBudgetCurrencyCode")
REPORT_SPECS = {
    spec.ad_product: spec
    for spec in (
        ReportSpec(
            "SPONSORED_PRODUCTS",
            "spAdvertisedProduct",
            "advertiser",
            (*COMMON_COLUMNS, "adGroupId", "adGroupName", "advertisedSku", "advertisedAsin", "purchases7d", "sales7d"),
            "sp_advertised_product",
        ),
        ReportSpec(
            "SPONSORED_BRANDS", "sbCampaigns", "campaign", (*COMMON_COLUMNS, "purchases", "sales"), "sb_campaigns"
        ),
        ReportSpec(
            "SPONSORED_DISPLAY",
            "sdAdvertisedProduct",
            "advertiser",
            (*COMMON_COLUMNS, "adGroupId", "adGroupName", "promotedSku", "promotedAsin", "purchases", "sales"),
            "sd_advertised_product",
        ),
    )
}


class AmazonAdsConnector:
    source = "amazon_ads"
    lake_source = "amazon_ads"
    entities = ("advertised_product_daily", "sponsored_brands_display_daily")
    settings_needed = (
        "AMAZON_ADS_LWA_CLIENT_ID",
        "AMAZON_ADS_LWA_CLIENT_SECRET",
        "AMAZON_ADS_REFRESH_TOKEN",
        "AMAZON_ADS_PROFILE_IDS",
    )

    def accounts(self, settings: Settings) -> list[str]:
        values = (
            settings.amazon_ads_lwa_client_id,
            settings.amazon_ads_lwa_client_secret,
            settings.amazon_ads_refresh_token,
            settings.amazon_ads_profile_ids,
        )
        missing = [name for name, value in zip(self.settings_needed, values, strict=True) if not value]
        if missing:
            raise NotConfigured(self.source, missing)
        return list(settings.amazon_ads_profile_ids)

    def pull(self, account: str, window: PullWindow, state: dict, settings: Settings) -> tuple[list[PulledFile], dict]:
        with ApiClient(
            source=self.source,
            account=account,
            base_url=settings.amazon_ads_api_endpoint,
            settings=settings,
            credential_setting=CREDENTIAL_SETTINGS,
        ) as client:
            unknown = [p for p in settings.amazon_ads_ad_products if p not in REPORT_SPECS]
            if unknown:
                raise client.error(
                    REPORTS,
                    f"AMAZON_ADS_AD_PRODUCTS names {', '.join(unknown)}: use any of {', '.join(REPORT_SPECS)}",
                    "AMAZON_ADS_AD_PRODUCTS",
                )
            session = _Session(client, settings, account)
            files = [
                pulled
                for product in settings.amazon_ads_ad_products
                for since, until in date_slices(window.since, window.until, MAX_DAYS)
                for pulled in session.report(REPORT_SPECS[product], since, until)
            ]
        cursor = window.until.isoformat()
        return files, {"cursor": later_cursor(state.get("cursor"), cursor) if window.explicit else cursor}


class _Session:
    def __init__(self, client: ApiClient, settings: Settings, profile: str):
        self.client = client
        self.settings = settings
        self.profile = profile
        client_id = settings.amazon_ads_lwa_client_id
        self.auth = RefreshTokenAuth(
            client,
            token_url=settings.amazon_lwa_token_url,
            client_id=client_id,
            client_secret=settings.amazon_ads_lwa_client_secret,
            refresh_token=settings.amazon_ads_refresh_token,
            credential_settings=CREDENTIAL_SETTINGS,
            headers=lambda token: {
                "Authorization": f"Bearer {token}",
                "Amazon-Advertising-API-ClientId": client_id,
                "Amazon-Advertising-API-Scope": profile,
            },
            expired=lambda response: response.status_code == 401,
        )

    def report(self, spec: ReportSpec, since: dt.date, until: dt.date) -> list[PulledFile]:
        """One report's rows as one file per day (none for days without rows)."""
        what = f"{spec.report_type} {since}..{until}"
        body = {
            "name": f"commerce-analytics {what}",
            "startDate": since.isoformat(),
            "endDate": until.isoformat(),
            "configuration": {
                "adProduct": spec.ad_product,
                "groupBy": [spec.group_by],
                "columns": list(spec.columns),
                "reportTypeId": spec.report_type,
                "timeUnit": "DAILY",
                "format": "GZIP_JSON",
            },
        }
        created = self.auth.request(
            "POST", REPORTS, json=body, headers={"Content-Type": CREATE_CONTENT_TYPE}, ok_statuses=(425,)
        )
        if created.status_code == 425:  # the same report is being generated already: wait for that one
            report_id = _duplicate_of(created)
            if report_id is None:
                raise self.client.error(REPORTS, f"creating {what}: {response_reason(created)} names no report")
        else:
            report_id = self.client.decode(created)["reportId"]
        path = f"{REPORTS}/{report_id}"
        timeout = self.settings.amazon_ads_report_timeout_seconds
        report = poll_until(
            lambda: self.client.decode(self.auth.request("GET", path)),
            done=lambda r: r.get("status") in ("COMPLETED", "FAILED"),
            every_seconds=self.settings.amazon_ads_report_poll_seconds,
            timeout_seconds=timeout,
            on_timeout=lambda: self.client.error(
                path,
                f"report {report_id} ({what}) was not COMPLETED after {timeout:g} s "
                "(AMAZON_ADS_REPORT_TIMEOUT_SECONDS); nothing landed",
            ),
        )
        if created.status_code == 425 and not _same_request(report, body):
            raise self.client.error(
                path,
                f"Amazon answered 425 naming report {report_id} as the duplicate of {what}, but that report is "
                f"{_described(report)}: its rows are not this request's; nothing landed, pull again later",
            )
        if report["status"] == "FAILED":
            raise self.client.error(
                path,
                f"report {report_id} ({what}) FAILED: {report.get('failureReason') or 'no reason given'}; "
                "nothing landed",
            )
        by_day: dict[str, list[dict]] = defaultdict(list)
        for row in self.download(report_id, report["url"]):
            by_day[str(row.get("date"))].append(row)
        return [
            PulledFile(f"amazon_ads/{spec.file_prefix}_{self.profile}_{day}.json", stable_json_array(rows))
            for day, rows in sorted(by_day.items())
        ]

    def download(self, report_id: str, url: str) -> list[dict]:
        # A presigned S3 URL carries its own signature: requested without the API's token.
        response = self.client.request("GET", url)
        try:
            rows = json.loads(gzip.decompress(response.content))
        except (OSError, EOFError, ValueError) as exc:
            raise self.client.error(
                endpoint_of(url), f"report {report_id} is not GZIP_JSON ({exc}); nothing landed"
            ) from None
        if not isinstance(rows, list):
            raise self.client.error(endpoint_of(url), f"report {report_id} is not a JSON array; nothing landed")
        return rows


def stable_json_array(rows: list[dict]) -> bytes:
    """A report's rows as the JSON array it was: keys sorted, one row per line, rows sorted (same data, same bytes)."""
    lines = sorted(json.dumps(row, sort_keys=True, ensure_ascii=False, separators=(",", ":")) for row in rows)
    return ("[\n" + ",\n".join(lines) + "\n]\n").encode()


def _same_request(report: dict, body: dict) -> bool:
    """Whether a report (getReport's answer) is what `body` asked for: its dates, ad product, report type, time
    unit and at least its columns (a 425 names a report Amazon deems a duplicate; that must be checked)."""
    asked, got = body["configuration"], report.get("configuration") or {}
    return (
        (report.get("startDate"), report.get("endDate")) == (body["startDate"], body["endDate"])
        and all(got.get(k) == asked[k] for k in ("adProduct", "reportTypeId", "timeUnit"))
        and set(asked["columns"]) <= set(got.get("columns") or [])
    )


def _described(report: dict) -> str:
    config = report.get("configuration") or {}
    return f"{config.get('reportTypeId')} {config.get('adProduct')} {report.get('startDate')}..{report.get('endDate')}"


def _duplicate_of(response: httpx.Response) -> str | None:
    """The report id in a 425's `detail`: "The Request is a duplicate of : <reportId>"."""
    try:
        body = response.json()
    except ValueError:
        return None
    detail = str(body.get("detail") or body.get("details") or "") if isinstance(body, dict) else ""
    match = re.search(r"duplicate of\s*:?\s*([0-9A-Za-z][0-9A-Za-z.\-]*)", detail)
    return match.group(1) if match else None
