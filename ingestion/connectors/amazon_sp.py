"""Amazon Selling Partner API, Reports API 2021-06-30: settlement reports and the All Orders report, per marketplace.

- Settlements (`GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2`) cannot be requested: Amazon creates one when a
  settlement period closes. `getReports` lists the DONE ones created in the window (Amazon keeps 90 days; a
  `nextToken` page is asked with the token alone), `getReportDocument` gives a presigned URL, and the document
  (decompressed when `compressionAlgorithm` is GZIP) lands as `amazon/settlements/settlement_<reportId>.txt`: the
  flat file Seller Central offers, parsed by `ingestion/formats/amazon_settlement.py`.
- All Orders (`GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL`) is requested with `createReport` for each
  slice of at most 30 days, `getReport` is polled until DONE, and the document is downloaded the same way. It
  lands as one flat file per order day (`amazon/all_orders_<marketplace>_<day>.txt`, header and that day's rows,
  sorted), so a re-pulled day whose orders did not change is a duplicate (`amazon_all_orders.py` parses it).
  CANCELLED means Amazon had no data for the slice (documented: "an automatic cancellation if there is no data
  to return"): nothing lands for it. FATAL, or not DONE within AMAZON_SP_REPORT_TIMEOUT_SECONDS, fails the
  marketplace and nothing of it lands.

Auth: Login with Amazon, `x-amz-access-token` from the refresh token (SP-API dropped AWS signatures in 2023). An
expired token (403 `Unauthorized`, or 401) is refreshed once. Throttling is per operation (HTTP 429; the usage
plan's rate in `x-amzn-RateLimit-Limit`, requests per second): the retry waits one token's refill, 1/rate s.
"""

from __future__ import annotations

import datetime as dt
import gzip

import httpx

from commerce_analytics.settings import Settings
from ingestion.connectors.async_reports import date_slices, poll_until
from ingestion.connectors.base import NotConfigured, PulledFile, PullWindow, later_cursor
from ingestion.connectors.http import MAX_REASON_CHARS, USE_BACKOFF, ApiClient, endpoint_of
from ingestion.connectors.oauth import RefreshTokenAuth

SETTLEMENT_REPORT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
ALL_ORDERS_REPORT = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
REPORTS = "/reports/2021-06-30/reports"
DOCUMENTS = "/reports/2021-06-30/documents"
ALL_ORDERS_MAX_DAYS = 30
REPORT_RETENTION_DAYS = 90
CREDENTIAL_SETTINGS = "AMAZON_SP_LWA_CLIENT_ID, AMAZON_SP_LWA_CLIENT_SECRET and AMAZON_SP_REFRESH_TOKEN"
MAX_PAGES = 1000


def is_expired_token(response: httpx.Response) -> bool:
    """SP-API answers an expired access token with 403 `Unauthorized` "...token...expired" (401 at some gateways)."""
    if response.status_code == 401:
        return True
    if response.status_code != 403:
        return False
    errors = _errors(response)
    return any(e.get("code") == "Unauthorized" and "expired" in str(e.get("details", "")).lower() for e in errors)


def rate_limit_wait(response: httpx.Response) -> float | None:
    """A 429 without Retry-After waits one request's worth of the operation's usage plan (1 / rate)."""
    if response.status_code != 429 or response.headers.get("Retry-After"):
        return None
    try:
        rate = float(response.headers.get("x-amzn-RateLimit-Limit", ""))
    except ValueError:
        return USE_BACKOFF
    return 1.0 / rate if rate > 0 else USE_BACKOFF


class AmazonSpConnector:
    source = "amazon_sp"
    lake_source = "amazon"
    """The files land under the `amazon` source (the same as Seller Central downloads dropped in the inbox)."""
    entities = ("settlements", "settlement_lines", "orders")
    settings_needed = (
        "AMAZON_SP_LWA_CLIENT_ID",
        "AMAZON_SP_LWA_CLIENT_SECRET",
        "AMAZON_SP_REFRESH_TOKEN",
        "AMAZON_SP_MARKETPLACE_IDS",
    )

    def accounts(self, settings: Settings) -> list[str]:
        values = (
            settings.amazon_sp_lwa_client_id,
            settings.amazon_sp_lwa_client_secret,
            settings.amazon_sp_refresh_token,
            settings.amazon_sp_marketplace_ids,
        )
        missing = [name for name, value in zip(self.settings_needed, values, strict=True) if not value]
        if missing:
            raise NotConfigured(self.source, missing)
        return list(settings.amazon_sp_marketplace_ids)

    def pull(self, account: str, window: PullWindow, state: dict, settings: Settings) -> tuple[list[PulledFile], dict]:
        with ApiClient(
            source=self.source,
            account=account,
            base_url=settings.amazon_sp_api_endpoint,
            settings=settings,
            credential_setting=CREDENTIAL_SETTINGS,
        ) as client:
            session = _Session(client, settings, account)
            files = session.settlements(window) + session.all_orders(window)
        cursor = window.until.isoformat()
        return files, {"cursor": later_cursor(state.get("cursor"), cursor) if window.explicit else cursor}


class _Session:
    """One marketplace's pull: the operations it calls on one client and token."""

    def __init__(self, client: ApiClient, settings: Settings, marketplace: str):
        self.client = client
        self.settings = settings
        self.marketplace = marketplace
        self.auth = RefreshTokenAuth(
            client,
            token_url=settings.amazon_lwa_token_url,
            client_id=settings.amazon_sp_lwa_client_id,
            client_secret=settings.amazon_sp_lwa_client_secret,
            refresh_token=settings.amazon_sp_refresh_token,
            credential_settings=CREDENTIAL_SETTINGS,
            headers=lambda token: {"x-amz-access-token": token},
            expired=is_expired_token,
        )

    def call(self, method: str, path: str, **kwargs) -> dict:
        response = self.auth.request(method, path, throttled=rate_limit_wait, **kwargs)
        body = self.client.decode(response)
        if not isinstance(body, dict):
            raise self.client.error(endpoint_of(response.request.url), "the response is not a JSON object")
        return body

    def settlements(self, window: PullWindow) -> list[PulledFile]:
        now = window.now()
        oldest = now - dt.timedelta(days=REPORT_RETENTION_DAYS) + dt.timedelta(minutes=5)
        created_since = max(_midnight(window.since), oldest)
        created_until = min(_midnight(window.until + dt.timedelta(days=1)), now)
        if created_until <= created_since:  # a backfill older than Amazon keeps reports: none to list
            return []
        params: dict = {
            "reportTypes": SETTLEMENT_REPORT,
            "processingStatuses": "DONE",
            "marketplaceIds": self.marketplace,
            "createdSince": _iso(created_since),
            "createdUntil": _iso(created_until),
            "pageSize": 100,
        }
        reports: dict[str, dict] = {}
        for _ in range(MAX_PAGES):
            page = self.call("GET", REPORTS, params=params)
            for report in page.get("reports") or []:
                reports[report["reportId"]] = report
            if not page.get("nextToken"):
                break
            params = {"nextToken": page["nextToken"]}  # Amazon takes the token alone
        else:
            raise self.client.error(REPORTS, f"more than {MAX_PAGES} pages of settlement reports")
        return [
            PulledFile(f"amazon/settlements/settlement_{report_id}.txt", self.document(report["reportDocumentId"]))
            for report_id, report in sorted(reports.items())
            if report.get("processingStatus") == "DONE" and report.get("reportDocumentId")
        ]

    def all_orders(self, window: PullWindow) -> list[PulledFile]:
        files = []
        for start, end in date_slices(window.since, window.until, ALL_ORDERS_MAX_DAYS):
            content = self.requested_report(ALL_ORDERS_REPORT, start, end, window.now())
            if content is not None:
                for day, day_content in split_by_purchase_day(content).items():
                    files.append(PulledFile(f"amazon/all_orders_{self.marketplace}_{day}.txt", day_content))
        return files

    def requested_report(self, report_type: str, start: dt.date, end: dt.date, now: dt.datetime) -> bytes | None:
        """createReport, getReport until it finished, and its document; None when Amazon had no data."""
        # The end of the slice's last day, or a moment ago when that is today: never a future time.
        data_end = min(
            _midnight(end + dt.timedelta(days=1)) - dt.timedelta(seconds=1),
            now - dt.timedelta(minutes=2),
        )
        if data_end <= _midnight(start):  # a slice of today only, minutes after midnight UTC: nothing yet
            return None
        created = self.call(
            "POST",
            REPORTS,
            json={
                "reportType": report_type,
                "marketplaceIds": [self.marketplace],
                "dataStartTime": _iso(_midnight(start)),
                "dataEndTime": _iso(data_end),
            },
        )
        report_id = created["reportId"]
        path = f"{REPORTS}/{report_id}"
        what = f"report {report_id} ({report_type}, {start}..{end})"
        timeout = self.settings.amazon_sp_report_timeout_seconds
        report = poll_until(
            lambda: self.call("GET", path),
            done=lambda r: r.get("processingStatus") in ("DONE", "CANCELLED", "FATAL"),
            every_seconds=self.settings.amazon_sp_report_poll_seconds,
            timeout_seconds=timeout,
            on_timeout=lambda: self.client.error(
                path, f"{what} was not done after {timeout:g} s (AMAZON_SP_REPORT_TIMEOUT_SECONDS); nothing landed"
            ),
        )
        status = report.get("processingStatus")
        if status == "CANCELLED":
            return None
        if status == "FATAL":
            # The Reports API model: a FATAL report "may" carry a reportDocumentId whose document explains why.
            why = "Amazon gives no reason"
            if report.get("reportDocumentId"):
                text = self.document(report["reportDocumentId"]).decode("utf-8", "replace")
                why = f"Amazon's report document says: {' '.join(text.split())[:MAX_REASON_CHARS]}"
            raise self.client.error(
                path,
                f"{what} ended FATAL ({why}); nothing landed: pull again, or check the report in Seller Central",
            )
        return self.document(report["reportDocumentId"])

    def document(self, document_id: str) -> bytes:
        doc = self.call("GET", f"{DOCUMENTS}/{document_id}")
        # A presigned URL with its own signature: requested without the access token.
        response = self.client.request("GET", doc["url"])
        if doc.get("compressionAlgorithm") != "GZIP":
            return response.content
        try:
            return gzip.decompress(response.content)
        except (OSError, EOFError) as exc:
            raise self.client.error(
                endpoint_of(doc["url"]), f"report document {document_id} is not valid GZIP ({exc}); nothing landed"
            ) from None


def split_by_purchase_day(content: bytes) -> dict[str, bytes]:
    """An All Orders flat file as one file per `purchase-date` day (its first ten characters, as Amazon wrote
    it): the header line, then that day's rows sorted, line endings kept. A header-only report gives none."""
    lines = content.splitlines(keepends=True)
    if not lines:
        return {}
    header = lines[0]
    eol = header[len(header.rstrip(b"\r\n")) :] or b"\n"
    columns = header.rstrip(b"\r\n").decode("utf-8", errors="replace").lstrip("\ufeff").split("\t")
    column = columns.index("purchase-date") if "purchase-date" in columns else None
    by_day: dict[str, list[bytes]] = {}
    for line in lines[1:]:
        if not line.strip():
            continue
        cells = line.rstrip(b"\r\n").split(b"\t")
        day = cells[column][:10].decode("ascii", errors="replace") if column is not None and len(cells) > column else ""
        # A row without a readable day keeps the others company in one file: ingestion quarantines it with a reason.
        by_day.setdefault(day if _is_iso_day(day) else "undated", []).append(line.rstrip(b"\r\n") + eol)
    return {day: header + b"".join(sorted(rows)) for day, rows in sorted(by_day.items())}


def _is_iso_day(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _errors(response: httpx.Response) -> list[dict]:
    try:
        body = response.json()
    except ValueError:
        return []
    errors = body.get("errors") if isinstance(body, dict) else None
    return [e for e in errors or [] if isinstance(e, dict)]
