"""Meta Marketing API: campaign x day Insights of each ad account, as Insights API pages.

`GET <META_GRAPH_API_URL>/act_<id>/insights?level=campaign&time_increment=1&time_range=...`, paged with
`paging.cursors.after` until no `paging.next`. The token goes in the `Authorization: Bearer` header, never in
a URL (the `next` links Meta returns would carry it). Written one file per account and day,
`meta_ads/insights_campaign_daily_<account>_<day>.json` = `{"data": [rows sorted by campaign]}` (the shape
`ingestion/formats/meta_insights_json.py` parses), so a re-pulled day whose numbers did not change is a
duplicate and a restated day lands as a new version of its rows. Cursor: the last day pulled; each pull
re-reads META_ADS_LOOKBACK_DAYS (28) before it, because Meta restates conversions and spend.

Meta answers errors with HTTP 400/403 and an `error.code`: 190 is an invalid or expired token (fails naming
META_ACCESS_TOKEN); 4, 17, 32, 613, 80000-80014 are rate limits (retried, waiting what
`X-Business-Use-Case-Usage` estimates); 2642 is an invalid (expired) paging cursor (the window is re-read
from its first page once).
"""

from __future__ import annotations

import json
from collections import defaultdict

import httpx

from commerce_analytics.settings import Settings
from ingestion.connectors.base import (
    ConnectorError,
    NotConfigured,
    PulledFile,
    PullWindow,
    later_cursor,
    stable_json,
)
from ingestion.connectors.http import USE_BACKOFF, ApiClient, endpoint_of, response_reason

FIELDS = (
    "account_id",
    "account_currency",
    "campaign_id",
    "campaign_name",
    "impressions",
    "clicks",
    "spend",
    "actions",
    "action_values",
    "date_start",
    "date_stop",
)
PAGE_SIZE = 500
TOKEN_ERRORS = {190, 102}
THROTTLE_ERRORS = {4, 17, 32, 613, *range(80000, 80015)}
INVALID_CURSOR = 2642
MAX_PAGES = 10_000


def account_node(account: str) -> str:
    return account if account.startswith("act_") else f"act_{account}"


def _error(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body.get("error") or {} if isinstance(body, dict) else {}


def throttle_wait(response: httpx.Response) -> float | None:
    """Seconds to wait when Meta answered with a rate-limit error code (None otherwise)."""
    if response.status_code < 400 or _error(response).get("code") not in THROTTLE_ERRORS:
        return None
    minutes = []
    for header in ("X-Business-Use-Case-Usage", "X-Ad-Account-Usage"):
        try:
            usage = json.loads(response.headers.get(header, "") or "{}")
        except ValueError:
            continue
        for entries in usage.values() if isinstance(usage, dict) else []:
            for entry in entries if isinstance(entries, list) else []:
                if isinstance(entry, dict) and entry.get("estimated_time_to_regain_access"):
                    minutes.append(float(entry["estimated_time_to_regain_access"]))
    return max(minutes) * 60 if minutes else USE_BACKOFF


class MetaAdsConnector:
    source = "meta_ads"
    lake_source = "meta_ads"
    entities = ("campaign_daily",)
    settings_needed = ("META_ACCESS_TOKEN", "META_AD_ACCOUNT_IDS")

    def accounts(self, settings: Settings) -> list[str]:
        missing = [
            name
            for name, value in (
                ("META_ACCESS_TOKEN", settings.meta_access_token),
                ("META_AD_ACCOUNT_IDS", settings.meta_ad_account_ids),
            )
            if not value
        ]
        if missing:
            raise NotConfigured(self.source, missing)
        return [account_node(a) for a in settings.meta_ad_account_ids]

    def pull(self, account: str, window: PullWindow, state: dict, settings: Settings) -> tuple[list[PulledFile], dict]:
        node = account_node(account)
        client = ApiClient(
            source=self.source,
            account=node,
            base_url=settings.meta_graph_api_url + "/",
            settings=settings,
            headers={"Authorization": f"Bearer {settings.meta_access_token}"},
            credential_setting="META_ACCESS_TOKEN",
        )
        with client:
            try:
                rows = self._rows(client, node, window)
            except _CursorExpired:
                try:  # a fresh pagination of the same window, once (rows are keyed: nothing counted twice)
                    rows = self._rows(client, node, window)
                except _CursorExpired as exc:
                    raise client.error(f"{node}/insights", f"the paging cursor expired twice: {exc}") from None
        by_day: dict[str, list[dict]] = defaultdict(list)
        for row in rows.values():
            by_day[row["date_start"]].append(row)
        files = [
            PulledFile(
                f"meta_ads/insights_campaign_daily_{node}_{day}.json",
                stable_json({"data": sorted(day_rows, key=lambda r: str(r.get("campaign_id")))}),
            )
            for day, day_rows in sorted(by_day.items())
        ]
        cursor = window.until.isoformat()
        return files, {"cursor": later_cursor(state.get("cursor"), cursor) if window.explicit else cursor}

    def _rows(self, client: ApiClient, node: str, window: PullWindow) -> dict[tuple[str, str], dict]:
        params = {
            "level": "campaign",
            "time_increment": "1",
            "time_range": json.dumps({"since": window.since.isoformat(), "until": window.until.isoformat()}),
            "fields": ",".join(FIELDS),
            "limit": str(PAGE_SIZE),
        }
        rows: dict[tuple[str, str], dict] = {}
        after = None
        for _ in range(MAX_PAGES):
            response = client.request(
                "GET",
                f"{node}/insights",
                params={**params, **({"after": after} if after else {})},
                ok_statuses=(400, 401, 403),
                throttled=throttle_wait,
            )
            page = self._page(client, response, resumed=after is not None)
            for row in page.get("data") or []:
                rows[(str(row.get("date_start")), str(row.get("campaign_id")))] = row
            paging = page.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not paging.get("next") or not after:
                return rows
        raise client.error(f"{node}/insights", f"more than {MAX_PAGES} pages: shorten the window (--since/--until)")

    def _page(self, client: ApiClient, response: httpx.Response, resumed: bool) -> dict:
        endpoint = endpoint_of(response.request.url)
        if response.status_code >= 400:
            error = _error(response)
            code = error.get("code")
            message = f"{response_reason(response)}"
            if code in TOKEN_ERRORS or response.status_code == 401:
                raise ConnectorError(
                    self.source,
                    client.account,
                    endpoint,
                    f"{message}: the access token is invalid or expired; create a new system-user token",
                    "META_ACCESS_TOKEN",
                )
            if code == INVALID_CURSOR and resumed:
                raise _CursorExpired(message)
            raise ConnectorError(self.source, client.account, endpoint, message)
        page = client.decode(response)
        if not isinstance(page, dict) or not isinstance(page.get("data", []), list):
            raise ConnectorError(self.source, client.account, endpoint, "the response is not an Insights page")
        return page


class _CursorExpired(Exception):
    pass
