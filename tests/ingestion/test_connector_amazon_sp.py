"""Amazon SP-API connector (Reports API 2021-06-30) against a loopback server replaying Amazon's responses.

Shapes from amzn/selling-partner-api-models `models/reports-api-model/reports_2021-06-30.json` (its sandbox
examples): getReports `{"reports": [...], "nextToken"}`, createReport 202 `{"reportId"}`, getReport with
`processingStatus` IN_QUEUE / IN_PROGRESS / DONE / CANCELLED / FATAL, getReportDocument `{"reportDocumentId",
"url", "compressionAlgorithm": "GZIP"}`, `x-amzn-RateLimit-Limit` on responses; the expired-token 403 body
`{"errors": [{"code": "Unauthorized", "message": "Access to requested resource is denied.", "details": "The
access token you provided has expired."}]}` (amzn/selling-partner-api-docs issues); LWA token responses
`{"access_token", "refresh_token", "token_type": "bearer", "expires_in": 3600}` and `invalid_grant` errors. The
flat files use the demo writers' columns (the Seller Central layouts). Sources: docs/connectors.md.
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

from demo.writers import AMAZON_ORDERS_COLUMNS, SETTLEMENT_COLUMNS
from ingestion.connectors import runner
from ingestion.connectors.amazon_sp import rate_limit_wait, split_by_purchase_day

MARKETPLACE = "ATVPDKIKX0DER"
TODAY = dt.datetime.now(dt.UTC).date()
REPORTS = "/reports/2021-06-30/reports"
EXPIRED = {
    "code": "Unauthorized",
    "message": "Access to requested resource is denied.",
    "details": "The access token you provided has expired.",
}


def day(offset: int) -> dt.date:
    return TODAY - dt.timedelta(days=offset)


def order_row(order_id: str, purchased: dt.date, sku: str, quantity: int, price: str, status: str = "Shipped") -> dict:
    row = dict.fromkeys(AMAZON_ORDERS_COLUMNS, "")
    row.update(
        {
            "amazon-order-id": order_id,
            "purchase-date": f"{purchased.isoformat()}T14:05:11+00:00",
            "last-updated-date": f"{purchased.isoformat()}T18:40:02+00:00",
            "order-status": status,
            "fulfillment-channel": "Amazon",
            "sales-channel": "Amazon.com",
            "ship-service-level": "Standard",
            "product-name": "Juniper Rattan Pendant",
            "sku": sku,
            "asin": "B036684322",
            "item-status": status,
            "quantity": str(quantity),
            "currency": "USD",
            "item-price": price,
            "item-tax": "5.12",
            "ship-city": "Austin",
            "ship-state": "TX",
            "ship-postal-code": "78701",
            "ship-country": "US",
            "is-business-order": "false",
        }
    )
    return row


def flat_file(columns: list[str], rows: list[dict]) -> bytes:
    lines = ["\t".join(columns)] + ["\t".join(r.get(c, "") for c in columns) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode()


def settlement(settlement_id: str, start: dt.date, order_id: str, amount: str) -> bytes:
    summary = {
        "settlement-id": settlement_id,
        "settlement-start-date": f"{start} 07:00:00 UTC",
        "settlement-end-date": f"{start + dt.timedelta(days=14)} 07:00:00 UTC",
        "deposit-date": f"{start + dt.timedelta(days=17)} 08:00:00 UTC",
        "total-amount": amount,
        "currency": "USD",
    }
    posted = start + dt.timedelta(days=2)
    line = {
        "settlement-id": settlement_id,
        "transaction-type": "Order",
        "order-id": order_id,
        "shipment-id": "D00000000",
        "marketplace-name": "Amazon.com",
        "fulfillment-id": "AFN",
        "posted-date": posted.strftime("%m/%d/%y"),
        "posted-date-time": f"{posted} 05:24:31 UTC",
        "order-item-code": "50000000000000",
        "sku": "AG-LGT-001",
        "quantity-purchased": "1",
    }
    rows = [
        summary,
        line | {"amount-type": "ItemPrice", "amount-description": "Principal", "amount": "49.99"},
        line | {"amount-type": "ItemFees", "amount-description": "Commission", "amount": "-7.50"},
    ]
    return (
        "\n".join(
            ["\t".join(SETTLEMENT_COLUMNS)] + ["\t".join(r.get(c, "") for c in SETTLEMENT_COLUMNS) for r in rows]
        ).encode()
        + b"\n"
    )


ORDERS = [
    order_row("114-2492354-1649897", day(40), "AG-LGT-001", 2, "135.98"),
    order_row("111-2735558-1010957", day(25), "AG-WAL-007", 1, "28.99"),
    order_row("112-1058505-9803992", day(25), "AG-CER-013", 1, "49.99"),
    order_row("113-3992872-1079519", day(2), "AG-LGT-001", 1, "49.99"),
]


class SpApiServer:
    """The LWA token endpoint, the Reports API and the S3 host of report documents, on one loopback server.

    `final_status`: what a requested report ends as; `faults`: responses served before the next API answer."""

    def __init__(self, httpserver):
        self.orders = list(ORDERS)
        self.settlements = {  # reportId -> (createdTime, document)
            "51234018899": (day(30), settlement("12800000000", day(45), "114-2492354-1649897", "42.49")),
            "51361019001": (day(16), settlement("12801000000", day(31), "111-2735558-1010957", "21.49")),
        }
        self.final_status = "DONE"
        self.fatal_document: bytes | None = None  # what a FATAL report's document says, when it has one
        self.polls_before_final = 2
        self.faults: list[Response] = []
        self.expired_tokens: set[str] = set()
        self.tokens_issued = 0
        self.refresh_token = "Atzr|good-refresh"
        self.requests: list[dict] = []
        self.created: dict[str, dict] = {}
        self.documents: dict[str, bytes] = {}
        httpserver.expect_request(re.compile(".*")).respond_with_handler(self.handle)
        self.base = httpserver.url_for("").rstrip("/")

    def handle(self, request):
        self.requests.append(
            {
                "method": request.method,
                "path": request.path,
                "args": request.args.to_dict(flat=False),
                "token": request.headers.get("x-amz-access-token"),
                "body": request.get_data(as_text=True),
            }
        )
        if request.path == "/auth/o2/token":
            return self.token(parse_qs(request.get_data(as_text=True)))
        if request.path.startswith("/s3/"):
            return Response(self.documents[request.path.removeprefix("/s3/")])
        if request.headers.get("x-amz-access-token") in self.expired_tokens:
            return amazon(403, {"errors": [EXPIRED]})
        if self.faults:
            return self.faults.pop(0)
        if not request.headers.get("x-amz-access-token", "").startswith("Atza|"):
            return amazon(
                403,
                {
                    "errors": [
                        {"code": "Unauthorized", "message": "Access to requested resource is denied.", "details": ""}
                    ]
                },
            )
        if request.path == REPORTS and request.method == "GET":
            return self.get_reports(request.args)
        if request.path == REPORTS and request.method == "POST":
            return self.create_report(json.loads(request.get_data()))
        if request.path.startswith(f"{REPORTS}/"):
            return self.get_report(request.path.rsplit("/", 1)[1])
        if request.path.startswith("/reports/2021-06-30/documents/"):
            return self.get_document(request.path.rsplit("/", 1)[1])
        return amazon(404, {"errors": [{"code": "NotFound", "message": "Resource not found"}]})

    def token(self, form: dict) -> Response:
        if form.get("grant_type") != ["refresh_token"] or form.get("refresh_token") != [self.refresh_token]:
            return Response(
                json.dumps(
                    {
                        "error_description": "The request has an invalid grant parameter : refresh_token",
                        "error": "invalid_grant",
                    }
                ),
                status=400,
                content_type="application/json",
            )
        self.tokens_issued += 1
        body = {
            "access_token": f"Atza|IwEBI-token-{self.tokens_issued}",
            "refresh_token": self.refresh_token,
            "token_type": "bearer",
            "expires_in": 3600,
        }
        return Response(json.dumps(body), content_type="application/json")

    def get_reports(self, args) -> Response:
        listed = [
            {
                "reportType": "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2",
                "processingEndTime": f"{created}T09:12:40+00:00",
                "processingStatus": "DONE",
                "marketplaceIds": [MARKETPLACE],
                "reportDocumentId": f"amzn1.spdoc.1.4.na.{report_id}",
                "reportId": report_id,
                "dataEndTime": f"{created}T07:00:00+00:00",
                "createdTime": f"{created}T09:11:59+00:00",
                "processingStartTime": f"{created}T09:11:59+00:00",
                "dataStartTime": f"{created - dt.timedelta(days=14)}T07:00:00+00:00",
            }
            for report_id, (created, _) in sorted(self.settlements.items())
            if "nextToken" in args or args["createdSince"] <= f"{created}T09:11:59Z" <= args["createdUntil"]
        ]
        # One report a page: the second page is asked with nextToken alone, as Amazon requires.
        if "nextToken" in args:
            return amazon(200, {"reports": listed[1:]})
        body = {"reports": listed[:1]} | ({"nextToken": "VGhpcyB0b2tlbiBpcyBvcGFxdWU="} if len(listed) > 1 else {})
        return amazon(200, body)

    def create_report(self, body: dict) -> Response:
        report_id = f"{50000 + len(self.created)}"
        self.created[report_id] = body | {"polls": 0}
        return amazon(202, {"reportId": report_id})

    def get_report(self, report_id: str) -> Response:
        created = self.created[report_id]
        created["polls"] += 1
        status = ("IN_QUEUE", "IN_PROGRESS")[min(created["polls"] - 1, 1)]
        body = {
            "reportType": created["reportType"],
            "marketplaceIds": created["marketplaceIds"],
            "reportId": report_id,
            "dataStartTime": created["dataStartTime"],
            "dataEndTime": created["dataEndTime"],
            "createdTime": "2025-10-01T09:00:00+00:00",
            "processingStatus": status,
        }
        if created["polls"] > self.polls_before_final:
            body["processingStatus"] = self.final_status
            if self.final_status == "FATAL" and self.fatal_document is not None:
                body["reportDocumentId"] = f"amzn1.spdoc.1.4.na.{report_id}"
                self.documents[body["reportDocumentId"]] = self.fatal_document
            if self.final_status == "DONE":
                body["reportDocumentId"] = f"amzn1.spdoc.1.4.na.{report_id}"
                start, end = created["dataStartTime"][:10], created["dataEndTime"][:10]
                rows = [r for r in self.orders if start <= r["purchase-date"][:10] <= end]
                self.documents[body["reportDocumentId"]] = flat_file(AMAZON_ORDERS_COLUMNS, rows)
        return amazon(200, body)

    def get_document(self, document_id: str) -> Response:
        report_id = document_id.rsplit(".", 1)[1]
        body = {"reportDocumentId": document_id, "url": f"{self.base}/s3/{document_id}?X-Amz-Signature=abc123"}
        if report_id in self.settlements:  # settlements come compressed, the All Orders document plain
            self.documents[document_id] = gzip.compress(self.settlements[report_id][1])
            body["compressionAlgorithm"] = "GZIP"
        return amazon(200, body)

    def api_requests(self, path_prefix: str = "/reports") -> list[dict]:
        return [r for r in self.requests if r["path"].startswith(path_prefix)]


def amazon(status: int, body: dict, headers: dict | None = None) -> Response:
    return Response(
        json.dumps(body),
        status=status,
        content_type="application/json",
        headers={"x-amzn-RateLimit-Limit": "2.0", "x-amzn-RequestId": "6875f61f-6aa1-4e3f-a2fb-d9f2ff5ad6c8"}
        | (headers or {}),
    )


@pytest.fixture
def server(httpserver):
    return SpApiServer(httpserver)


def settings_for(tmp_path, server, refresh_token="Atzr|good-refresh", **env):
    return connector_settings(
        tmp_path / "lake",
        AMAZON_SP_API_ENDPOINT=server.base,
        AMAZON_LWA_TOKEN_URL=f"{server.base}/auth/o2/token",
        AMAZON_SP_LWA_CLIENT_ID="amzn1.application-oa2-client.0123",
        AMAZON_SP_LWA_CLIENT_SECRET="amzn1.oa2-cs.v1.secret-value",
        AMAZON_SP_REFRESH_TOKEN=refresh_token,
        AMAZON_SP_MARKETPLACE_IDS=MARKETPLACE,
        AMAZON_SP_REPORT_POLL_SECONDS="0.01",
        **env,
    )


def pull(tmp_path, server, since=None, **env):
    [result] = runner.pull(["amazon_sp"], since, None, settings_for(tmp_path, server, **env))
    return result


def test_full_pull_lists_settlements_and_requests_all_orders(tmp_path, server):
    result = pull(tmp_path, server, since=day(44))
    assert result.status == "landed", result.message
    lake = tmp_path / "lake"
    settlements = landed(lake, "amazon", "settlements")
    assert sorted((s["settlement_id"], str(s["total_amount"])) for s in settlements) == [
        ("12800000000", "42.49"),
        ("12801000000", "21.49"),
    ]
    assert len(landed(lake, "amazon", "settlement_lines")) == 4
    orders = landed(lake, "amazon", "orders")
    assert sorted(o["amazon_order_id"] for o in orders) == sorted(r["amazon-order-id"] for r in ORDERS)
    # getReports: the filtered first page, then the nextToken page asked with the token alone.
    listing = [r for r in server.api_requests(REPORTS) if r["method"] == "GET" and r["path"] == REPORTS]
    assert listing[0]["args"]["reportTypes"] == ["GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"]
    assert listing[0]["args"]["marketplaceIds"] == [MARKETPLACE]
    assert listing[1]["args"] == {"nextToken": ["VGhpcyB0b2tlbiBpcyBvcGFxdWU="]}
    # All Orders: 45 days are two createReport slices (30 + 15 days), each polled until DONE.
    created = sorted(server.created.values(), key=lambda c: c["dataStartTime"])
    assert [c["dataStartTime"] for c in created] == [f"{day(44)}T00:00:00Z", f"{day(14)}T00:00:00Z"]
    assert created[0]["dataEndTime"] == f"{day(15)}T23:59:59Z"
    assert created[1]["dataEndTime"][:10] in (f"{TODAY}", f"{day(1)}")  # a moment ago (day(1) just after midnight)
    assert created[1]["dataEndTime"] < dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # never the future
    assert {c["reportType"] for c in created} == {"GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"}
    assert all(c["marketplaceIds"] == [MARKETPLACE] and c["polls"] == 3 for c in created)
    # One file per order day; the presigned document URL never gets the access token.
    assert {f.source_file.rsplit("/", 1)[1] for f in result.files} >= {
        f"all_orders_{MARKETPLACE}_{day(25)}.txt",
        "settlement_51234018899.txt",
    }
    assert all(r["token"] is None for r in server.requests if r["path"].startswith("/s3/"))
    assert server.tokens_issued == 1
    state = json.loads((lake / f"_state/amazon_sp/{MARKETPLACE}.json").read_text())
    assert state["cursor"] == TODAY.isoformat()


def test_second_pull_lands_nothing_and_an_incremental_pull_rereads_the_lookback(tmp_path, server):
    pull(tmp_path, server, since=day(44))
    raw_before = lake_files(tmp_path / "lake", "raw")
    again = pull(tmp_path, server, since=day(44))
    assert again.status == "landed" and again.new_files == 0, again.message
    assert lake_files(tmp_path / "lake", "raw") == raw_before
    # Incremental: the cursor (today) minus AMAZON_SP_LOOKBACK_DAYS; an order two days old was cancelled.
    server.orders[3] = order_row("113-3992872-1079519", day(2), "AG-LGT-001", 0, "", status="Cancelled")
    server.created.clear()
    incremental = pull(tmp_path, server, AMAZON_SP_LOOKBACK_DAYS="3")
    assert incremental.status == "landed", incremental.message
    [created] = server.created.values()
    assert created["dataStartTime"] == f"{day(3)}T00:00:00Z"
    assert incremental.new_files == 1  # only the changed day; the settlements and other days are duplicates
    statuses = {
        o["order_status"]
        for o in landed(tmp_path / "lake", "amazon", "orders")
        if o["amazon_order_id"] == "113-3992872-1079519"
    }
    assert statuses == {"Shipped", "Cancelled"}  # both versions kept; staging keeps the latest delivery


def test_throttling_and_server_errors_are_retried(tmp_path, server):
    server.faults = [
        amazon(
            429,
            {"errors": [{"code": "QuotaExceeded", "message": "You exceeded your quota for the requested resource."}]},
            {"x-amzn-RateLimit-Limit": "100"},
        ),
        amazon(500, {"errors": [{"code": "InternalFailure", "message": "We encountered an internal error."}]}),
        Response("<html>Service Unavailable</html>", status=503),
    ]
    result = pull(tmp_path, server, since=day(10))
    assert result.status == "landed", result.message
    assert len(landed(tmp_path / "lake", "amazon", "orders")) == 1
    assert not server.faults


def test_a_429_waits_for_the_operations_rate_limit():
    throttled = Response("{}", status=429, headers={"x-amzn-RateLimit-Limit": "0.0167"})
    import httpx

    as_httpx = httpx.Response(429, headers=dict(throttled.headers))
    assert rate_limit_wait(as_httpx) == pytest.approx(1 / 0.0167)
    assert rate_limit_wait(httpx.Response(429, headers={"Retry-After": "3"})) is None  # the client honours it
    assert rate_limit_wait(httpx.Response(200)) is None


def test_expired_access_token_is_refreshed_once(tmp_path, server):
    server.expired_tokens = {"Atza|IwEBI-token-1"}
    result = pull(tmp_path, server, since=day(10))
    assert result.status == "landed", result.message
    assert server.tokens_issued == 2
    assert {r["token"] for r in server.api_requests()} >= {"Atza|IwEBI-token-1", "Atza|IwEBI-token-2"}


def test_a_refused_refresh_token_fails_naming_the_settings_not_the_secret(tmp_path, server):
    result = pull(tmp_path, server, since=day(10), refresh_token="Atzr|revoked-secret")
    assert result.status == "failed"
    assert "AMAZON_SP_REFRESH_TOKEN" in result.message and "invalid_grant" in result.message
    assert "/auth/o2/token" in result.message and MARKETPLACE in result.message
    assert "revoked-secret" not in result.message and "secret-value" not in result.message
    # A token the API keeps refusing after one refresh fails the same way.
    server.expired_tokens = {f"Atza|IwEBI-token-{n}" for n in range(1, 10)}
    again = pull(tmp_path, server, since=day(10))
    assert again.status == "failed" and "AMAZON_SP_REFRESH_TOKEN" in again.message
    assert server.tokens_issued == 2 and not (tmp_path / "lake/raw").exists()


def test_a_fatal_report_fails_the_marketplace_and_lands_nothing(tmp_path, server):
    server.final_status = "FATAL"
    result = pull(tmp_path, server, since=day(44))
    assert result.status == "failed"
    assert "FATAL" in result.message and MARKETPLACE in result.message and REPORTS in result.message
    # The settlements were downloaded before the report failed: nothing of the marketplace landed.
    assert not (tmp_path / "lake/raw").exists() and not (tmp_path / "lake/_state").exists()


def test_a_fatal_report_with_a_document_names_amazons_reason(tmp_path, server):
    # The Reports API model: FATAL "and a reportDocumentId may be present ... may explain why"; the document's
    # shape is not documented, so its text is quoted whatever it holds.
    server.final_status = "FATAL"
    server.fatal_document = b'{"errorDetails": "The report could not be generated for the requested dates."}\n'
    result = pull(tmp_path, server, since=day(44))
    assert result.status == "failed"
    assert "could not be generated for the requested dates" in result.message and "FATAL" in result.message
    assert not (tmp_path / "lake/raw").exists()


def test_a_report_that_never_finishes_times_out(tmp_path, server):
    server.polls_before_final = 10_000
    result = pull(tmp_path, server, since=day(5), AMAZON_SP_REPORT_TIMEOUT_SECONDS="0.3")
    assert result.status == "failed"
    assert "AMAZON_SP_REPORT_TIMEOUT_SECONDS" in result.message and "nothing landed" in result.message
    assert not (tmp_path / "lake/raw").exists()


def test_a_cancelled_report_means_no_data_and_lands_nothing_for_it(tmp_path, server):
    server.final_status = "CANCELLED"
    result = pull(tmp_path, server, since=day(20))
    assert result.status == "landed", result.message
    assert landed(tmp_path / "lake", "amazon", "orders") == []
    assert len(landed(tmp_path / "lake", "amazon", "settlements")) == 1  # the one created in the window


def test_without_credentials_the_connector_is_skipped(tmp_path):
    [result] = runner.pull(["amazon_sp"], None, None, connector_settings(tmp_path / "lake"))
    assert result.status == "skipped"
    assert "AMAZON_SP_REFRESH_TOKEN" in result.message and "AMAZON_SP_MARKETPLACE_IDS" in result.message


def test_pulled_day_files_land_the_same_orders_as_the_whole_report_dropped(tmp_path):
    whole = flat_file(AMAZON_ORDERS_COLUMNS, ORDERS)
    by_day = split_by_purchase_day(whole)
    assert sorted(by_day) == sorted({r["purchase-date"][:10] for r in ORDERS})
    assert all(content.startswith(whole.split(b"\r\n")[0] + b"\r\n") for content in by_day.values())
    (tmp_path / "pulled").mkdir()
    for name, content in by_day.items():
        (tmp_path / "pulled" / f"all_orders_{name}.txt").write_bytes(content)
    (tmp_path / "dropped").mkdir()
    (tmp_path / "dropped/all_orders.txt").write_bytes(whole)

    def orders(folder: str) -> list[dict]:
        make_ingestor(str(tmp_path / f"lake-{folder}")).ingest_paths([str(tmp_path / folder)])
        rows = landed(tmp_path / f"lake-{folder}", "amazon", "orders")
        return sorted(({k: v for k, v in r.items() if not k.startswith("_")} for r in rows), key=str)

    assert orders("pulled") == orders("dropped") != []


def test_pulled_assets_feed_the_landed_assets_of_the_source_they_land_in():
    import dagster as dg

    from orchestration.lib.pulled import pulled_deps

    assert pulled_deps("amazon", "orders") == [dg.AssetKey(["pulled", "amazon_sp", "orders"])]
    assert pulled_deps("amazon", "settlement_lines") == [dg.AssetKey(["pulled", "amazon_sp", "settlement_lines"])]
    assert pulled_deps("amazon_ads", "sponsored_brands_display_daily") == [
        dg.AssetKey(["pulled", "amazon_ads", "sponsored_brands_display_daily"])
    ]
    assert pulled_deps("google_ads", "click_view") == [dg.AssetKey(["pulled", "google_ads", "click_view"])]
    assert pulled_deps("amazon_sp", "orders") == []  # no landed source of that name


def test_a_backfill_older_than_amazon_keeps_settlements_lists_none(tmp_path, server):
    since, until = day(200), day(150)
    [result] = runner.pull(["amazon_sp"], since, until, settings_for(tmp_path, server))
    assert result.status == "landed", result.message
    assert not [r for r in server.requests if r["path"] == REPORTS and r["method"] == "GET"]
    assert len(server.created) == 2  # All Orders is still requested for the range (Amazon keeps orders longer)
    state = json.loads((tmp_path / f"lake/_state/amazon_sp/{MARKETPLACE}.json").read_text())
    assert state["cursor"] == until.isoformat()
