"""Google Ads API over REST: GAQL campaign x day metrics and `click_view` (gclid -> campaign) per customer id.

`POST {GOOGLE_ADS_API_ENDPOINT}/{GOOGLE_ADS_API_VERSION}/customers/{id}/googleAds:search` pages through
`nextPageToken` (Google fixes the page size at 10,000 rows). Rows land as the array of batches a `SearchStream`
answers (`[{"fieldMask": ..., "results": [...]}]`, camelCase, int64 as text), the shape
`ingestion/formats/google_ads_gaql_json.py` and `google_ads_click_view_json.py` read, one file per customer and
day (`google_ads/campaign_daily_gaql_<customer>_<day>.json`, `google_ads/click_view_<customer>_<day>.json`):
`requestId` and `queryResourceConsumption` differ on every call and are dropped, so a re-pulled day whose numbers
did not change is a duplicate and a restated day lands as a new version of its rows.

- Campaign metrics: one query over the window (`segments.date BETWEEN`), ordered by day and campaign.
- click_view: one query per day (the view requires a single-day filter and keeps about 90 days: older days are
  skipped); days without clicks land nothing.

Auth: a Google OAuth refresh token (`GOOGLE_ADS_CLIENT_ID`/`_SECRET`/`_REFRESH_TOKEN`) for the access token,
`developer-token` on every call, `login-customer-id` when access goes through a manager account. An expired access
token (401 UNAUTHENTICATED) is refreshed once. A page token that expired mid-query (EXPIRED_PAGE_TOKEN) restarts
that query once. 429 RESOURCE_EXHAUSTED waits its `quotaErrorDetails.retryDelay` (`quota_wait`), 5xx the backoff.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import httpx

from commerce_analytics.settings import Settings
from ingestion.connectors.base import NotConfigured, PulledFile, PullWindow, later_cursor, stable_json
from ingestion.connectors.http import USE_BACKOFF, ApiClient, endpoint_of, response_reason
from ingestion.connectors.oauth import RefreshTokenAuth

CLICK_VIEW_DAYS = 90
MAX_PAGES = 10_000
CREDENTIAL_SETTINGS = "GOOGLE_ADS_CLIENT_ID, GOOGLE_ADS_CLIENT_SECRET and GOOGLE_ADS_REFRESH_TOKEN"
CAMPAIGN_QUERY = (
    "SELECT segments.date, campaign.id, campaign.name, customer.currency_code, metrics.clicks, "
    "metrics.impressions, metrics.cost_micros, metrics.conversions, metrics.conversions_value "
    "FROM campaign WHERE segments.date BETWEEN '{since}' AND '{until}' ORDER BY segments.date, campaign.id"
)
CLICK_VIEW_QUERY = (
    "SELECT click_view.gclid, campaign.id, segments.date FROM click_view "
    "WHERE segments.date = '{day}' ORDER BY click_view.gclid"
)


class GoogleAdsConnector:
    source = "google_ads"
    lake_source = "google_ads"
    entities = ("campaign_daily", "click_view")
    settings_needed = (
        "GOOGLE_ADS_DEVELOPER_TOKEN",
        "GOOGLE_ADS_CLIENT_ID",
        "GOOGLE_ADS_CLIENT_SECRET",
        "GOOGLE_ADS_REFRESH_TOKEN",
        "GOOGLE_ADS_CUSTOMER_IDS",
    )

    def accounts(self, settings: Settings) -> list[str]:
        values = (
            settings.google_ads_developer_token,
            settings.google_ads_client_id,
            settings.google_ads_client_secret,
            settings.google_ads_refresh_token,
            settings.google_ads_customer_ids,
        )
        missing = [name for name, value in zip(self.settings_needed, values, strict=True) if not value]
        if missing:
            raise NotConfigured(self.source, missing)
        return list(settings.google_ads_customer_ids)

    def pull(self, account: str, window: PullWindow, state: dict, settings: Settings) -> tuple[list[PulledFile], dict]:
        with ApiClient(
            source=self.source,
            account=account,
            base_url=settings.google_ads_api_endpoint,
            settings=settings,
            credential_setting=CREDENTIAL_SETTINGS,
        ) as client:
            session = _Session(client, settings, account)
            files = session.campaign_daily(window) + session.click_view(window)
        cursor = window.until.isoformat()
        return files, {"cursor": later_cursor(state.get("cursor"), cursor) if window.explicit else cursor}


class _Session:
    def __init__(self, client: ApiClient, settings: Settings, customer: str):
        self.client = client
        self.customer = customer
        self.deadline = settings.pull_deadline_seconds
        self.path = f"/{settings.google_ads_api_version}/customers/{customer}/googleAds:search"
        fixed = {"developer-token": settings.google_ads_developer_token}
        if settings.google_ads_login_customer_id:
            fixed["login-customer-id"] = settings.google_ads_login_customer_id
        self.auth = RefreshTokenAuth(
            client,
            token_url=settings.google_ads_token_url,
            client_id=settings.google_ads_client_id,
            client_secret=settings.google_ads_client_secret,
            refresh_token=settings.google_ads_refresh_token,
            credential_settings=CREDENTIAL_SETTINGS,
            headers=lambda token: {"Authorization": f"Bearer {token}"} | fixed,
            expired=lambda response: response.status_code == 401,
        )

    def campaign_daily(self, window: PullWindow) -> list[PulledFile]:
        query = CAMPAIGN_QUERY.format(since=window.since.isoformat(), until=window.until.isoformat())
        field_mask, rows = self.search(query)
        by_day: dict[str, list[dict]] = defaultdict(list)
        for row in rows:
            by_day[str((row.get("segments") or {}).get("date"))].append(row)
        return [
            PulledFile(
                f"google_ads/campaign_daily_gaql_{self.customer}_{day}.json",
                stable_json([{"fieldMask": field_mask, "results": day_rows}]),
            )
            for day, day_rows in sorted(by_day.items())
        ]

    def click_view(self, window: PullWindow) -> list[PulledFile]:
        oldest = window.now().date() - dt.timedelta(days=CLICK_VIEW_DAYS - 1)
        files = []
        for day in window.days():
            if day < oldest:
                continue
            field_mask, rows = self.search(CLICK_VIEW_QUERY.format(day=day.isoformat()))
            if rows:
                files.append(
                    PulledFile(
                        f"google_ads/click_view_{self.customer}_{day.isoformat()}.json",
                        stable_json([{"fieldMask": field_mask, "results": rows}]),
                    )
                )
        return files

    def search(self, query: str) -> tuple[str, list[dict]]:
        """Every row of one query (its field mask and rows); an expired page token restarts the query once."""
        try:
            return self._pages(query)
        except _PageTokenExpired:
            try:
                return self._pages(query)
            except _PageTokenExpired as exc:
                raise self.client.error(self.path, f"the page token expired twice: {exc}") from None

    def quota_wait(self, response: httpx.Response) -> float | None:
        """`retry_delay`, except that a wait past COMMERCE_PULL_DEADLINE_SECONDS (the developer token's daily
        operations are spent) ends the pull at once with Google's message instead of retrying into the quota."""
        wait = retry_delay(response)
        if wait is not None and wait > self.deadline:
            raise self.client.error(
                endpoint_of(response.request.url),
                f"{_error_message(response)} (the quota resets before retrying helps: longer than "
                "COMMERCE_PULL_DEADLINE_SECONDS; see docs/connectors.md for the developer token's access levels)",
            )
        return wait

    def _pages(self, query: str) -> tuple[str, list[dict]]:
        rows: list[dict] = []
        field_mask = ""
        body: dict = {"query": query}
        for _ in range(MAX_PAGES):
            response = self.auth.request("POST", self.path, json=body, ok_statuses=(400,), throttled=self.quota_wait)
            if response.status_code == 400:
                if "EXPIRED_PAGE_TOKEN" in _error_codes(response) and "pageToken" in body:
                    raise _PageTokenExpired(response_reason(response))
                raise self.client.error(endpoint_of(response.request.url), _error_message(response))
            page = self.client.decode(response)
            field_mask = page.get("fieldMask", field_mask)
            rows += page.get("results") or []
            if not page.get("nextPageToken"):
                return field_mask, rows
            body = {"query": query, "pageToken": page["nextPageToken"]}
        raise self.client.error(self.path, f"more than {MAX_PAGES} pages: shorten the window (--since/--until)")


class _PageTokenExpired(Exception):
    pass


def _failures(response: httpx.Response) -> list[dict]:
    """The GoogleAdsFailure errors of an error body: `{"error": {"details": [{"errors": [...]}]}}`."""
    try:
        body = response.json()
    except ValueError:
        return []
    error = body.get("error") if isinstance(body, dict) else None
    details = (error or {}).get("details") or []
    return [e for d in details if isinstance(d, dict) for e in d.get("errors") or [] if isinstance(e, dict)]


def retry_delay(response: httpx.Response) -> float | None:
    """Seconds a 429 RESOURCE_EXHAUSTED asks to wait: its `quotaErrorDetails.retryDelay` ("40591s"; Google sends
    no Retry-After), USE_BACKOFF when it names none; None for any other response."""
    if response.status_code != 429 or response.headers.get("Retry-After"):
        return None
    delays = [
        str(((e.get("details") or {}).get("quotaErrorDetails") or {}).get("retryDelay") or "")
        for e in _failures(response)
    ]
    seconds = [float(d.removesuffix("s")) for d in delays if d.removesuffix("s").replace(".", "", 1).isdigit()]
    return max(seconds) if seconds else USE_BACKOFF


def _error_codes(response: httpx.Response) -> set[str]:
    return {str(v) for e in _failures(response) for v in (e.get("errorCode") or {}).values()}


def _error_message(response: httpx.Response) -> str:
    failures = "; ".join(
        f"{'/'.join(f'{k}={v}' for k, v in (e.get('errorCode') or {}).items())}: {e.get('message', '')}"
        for e in _failures(response)
    )
    return f"HTTP {response.status_code}: {failures}" if failures else response_reason(response)
