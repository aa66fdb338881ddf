"""A loopback Shopify Admin GraphQL server (pytest-httpserver) replaying bulk operations and payouts.

Its data are REST-shaped orders, order transactions and payouts (the demo's `orders_api.jsonl`,
`order_transactions_api.json`, `payouts_api.json`), turned into what the GraphQL Admin API returns
(`rest_to_graphql`): gids, camelCase, MoneyBags with `shopMoney`/`presentmentMoney`, UTC `Z` timestamps,
decimals without trailing zeros, enums in capitals, and bulk-operation JSONL where each nested connection
node is its own line with `__parentId` (Shopify's bulk operations guide). Shapes of the envelopes: bulk
`bulkOperationRunQuery` / `node(id:)` answers, `THROTTLED` errors with `extensions.cost.throttleStatus`
(shopify.dev "API rate limits"), `{"errors": "[API] Invalid API key or access token ..."}` on HTTP 401.

Balance transactions are the demo's Payments transactions export rows (`payment_transactions_export_1.csv`) as
ShopifyPaymentsBalanceTransaction nodes (`export_row_to_graphql`; fields per shopify.dev GraphQL Admin
ShopifyPaymentsBalanceTransaction and the `shopifyPaymentsAccount` "Return a list of all balance transactions"
example): `transactionDate` in UTC, `type`/`sourceType` enums in capitals, MoneyV2 amounts, `associatedOrder
{ id name }`, and `associatedPayout { id status }` with the paid payout of the row's Payout Date, or no id and
status PENDING before it is paid out. Pages of `balanceTransactions(first:, after:, query: "processed_at:...")`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

from werkzeug import Request, Response

API = "/admin/api/2025-07"
TOKEN = "shpat_good"


def gid(kind: str, value) -> str | None:
    return None if value is None else f"gid://shopify/{kind}/{value}"


def utc(text: str | None) -> str | None:
    if not text:
        return text
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def dec(text) -> str | None:
    """GraphQL Decimal text: `12.50` -> `12.5`, `3.00` -> `3.0`."""
    if text is None:
        return None
    value = Decimal(str(text)).normalize()
    out = format(value, "f")
    return out if "." in out else out + ".0"


def bag(rest_set: dict | None, plain=None, currency="USD") -> dict | None:
    if rest_set is None and plain is None:
        return None
    rest_set = rest_set or {"shop_money": {"amount": plain, "currency_code": currency}}
    out = {}
    for rest, graphql in (("shop_money", "shopMoney"), ("presentment_money", "presentmentMoney")):
        money = rest_set.get(rest)
        if money:
            out[graphql] = {"amount": dec(money["amount"]), "currencyCode": money["currency_code"]}
    return out


def allocations(items: list[dict] | None) -> list[dict]:
    return [
        {
            "allocatedAmountSet": bag(a.get("amount_set"), a.get("amount")),
            "discountApplication": {"index": a.get("discount_application_index", 0)},
        }
        for a in items or []
    ]


def tax_lines(items: list[dict] | None) -> list[dict]:
    return [
        {"title": t.get("title"), "rate": t.get("rate"), "priceSet": bag(t.get("price_set"), t.get("price"))}
        for t in items or []
    ]


def upper(value: str | None) -> str | None:
    return value.upper() if value else value


def rest_to_graphql(orders: list[dict], transactions: list[dict]) -> tuple[list[dict], list[dict]]:
    """(ORDERS_QUERY bulk lines, FULFILLMENTS_QUERY bulk lines) for REST orders and their transactions."""
    by_order: dict[int, list[dict]] = {}
    for t in transactions:
        by_order.setdefault(int(t["order_id"]), []).append(t)
    first, second = [], []
    for o in orders:
        og = gid("Order", o["id"])
        visit = None
        if o.get("landing_site") or o.get("referring_site"):
            visit = {"landingPage": o.get("landing_site"), "referrerUrl": o.get("referring_site")}
        currency = o["currency"]
        refunded = {
            r["id"]: sum(
                (
                    Decimal(t["amount"])
                    for t in r.get("transactions") or []
                    if t.get("kind") == "refund" and t.get("status", "success") == "success"
                ),
                Decimal(0),
            )
            for r in o.get("refunds") or []
        }
        first.append(
            {
                "__typename": "Order",
                "id": og,
                "name": o.get("name"),
                "email": o.get("email"),
                "createdAt": utc(o.get("created_at")),
                "processedAt": utc(o.get("processed_at")),
                "updatedAt": utc(o.get("updated_at")),
                "cancelledAt": utc(o.get("cancelled_at")),
                "currencyCode": currency,
                "presentmentCurrencyCode": o.get("presentment_currency"),
                "displayFinancialStatus": upper(o.get("financial_status")),
                "displayFulfillmentStatus": {"fulfilled": "FULFILLED", "partial": "PARTIALLY_FULFILLED"}.get(
                    o.get("fulfillment_status"), "UNFULFILLED"
                ),
                "taxesIncluded": o.get("taxes_included"),
                "sourceName": o.get("source_name"),
                "paymentGatewayNames": o.get("payment_gateway_names") or [],
                "discountCodes": [d["code"] for d in o.get("discount_codes") or []],
                "tags": [t.strip() for t in (o.get("tags") or "").split(",") if t.strip()],
                "customAttributes": [{"key": a["name"], "value": a["value"]} for a in o.get("note_attributes") or []],
                "customer": {"id": gid("Customer", o["customer"]["id"])} if o.get("customer") else None,
                "shippingAddress": (
                    {
                        "countryCodeV2": o["shipping_address"].get("country_code"),
                        "provinceCode": o["shipping_address"].get("province_code"),
                        "zip": o["shipping_address"].get("zip"),
                    }
                    if o.get("shipping_address")
                    else None
                ),
                "customerJourneySummary": {"lastVisit": visit, "firstVisit": visit} if visit else None,
                "totalDiscountsSet": bag(o.get("total_discounts_set"), o.get("total_discounts"), currency),
                "subtotalPriceSet": bag(o.get("subtotal_price_set"), o.get("subtotal_price"), currency),
                "totalShippingPriceSet": bag(o.get("total_shipping_price_set"), None, currency),
                "totalTaxSet": bag(o.get("total_tax_set"), o.get("total_tax"), currency),
                "totalPriceSet": bag(o.get("total_price_set"), o.get("total_price"), currency),
                "transactions": [
                    {
                        "id": gid("OrderTransaction", t["id"]),
                        "kind": upper(t.get("kind")),
                        "gateway": t.get("gateway"),
                        "status": upper(t.get("status")),
                        "createdAt": utc(t.get("created_at")),
                        "amountSet": {"shopMoney": {"amount": dec(t["amount"]), "currencyCode": t.get("currency")}},
                        "parentTransaction": {"id": gid("OrderTransaction", t["parent_id"])}
                        if t.get("parent_id")
                        else None,
                    }
                    for t in by_order.get(int(o["id"]), [])
                ],
                "refunds": [
                    {
                        "id": gid("Refund", r["id"]),
                        "createdAt": utc(r.get("created_at")),
                        "note": r.get("note"),
                        "totalRefundedSet": {"shopMoney": {"amount": dec(refunded[r["id"]]), "currencyCode": currency}},
                    }
                    for r in o.get("refunds") or []
                ],
            }
        )
        for li in o.get("line_items") or []:
            first.append(
                {
                    "__typename": "LineItem",
                    "id": gid("LineItem", li["id"]),
                    "sku": li.get("sku"),
                    "name": li.get("name"),
                    "title": li.get("title"),
                    "vendor": li.get("vendor"),
                    "quantity": li.get("quantity"),
                    "taxable": li.get("taxable"),
                    "requiresShipping": li.get("requires_shipping"),
                    "isGiftCard": li.get("gift_card"),
                    "originalUnitPriceSet": bag(li.get("price_set"), li.get("price"), currency),
                    "totalDiscountSet": bag(None, li.get("total_discount"), currency),
                    "discountAllocations": allocations(li.get("discount_allocations")),
                    "taxLines": tax_lines(li.get("tax_lines")),
                    "__parentId": og,
                }
            )
        for n, sl in enumerate(o.get("shipping_lines") or []):
            first.append(
                {
                    "__typename": "ShippingLine",
                    "id": gid("ShippingLine", int(o["id"]) * 10 + n),
                    "title": sl.get("title"),
                    "code": sl.get("code"),
                    "originalPriceSet": bag(sl.get("price_set"), sl.get("price"), currency),
                    "discountAllocations": allocations(sl.get("discount_allocations")),
                    "taxLines": tax_lines(sl.get("tax_lines")),
                    "__parentId": og,
                }
            )
        second.append(
            {
                "__typename": "Order",
                "id": og,
                "refunds": [{"id": gid("Refund", r["id"])} for r in o.get("refunds") or []],
                "fulfillments": [
                    {
                        "id": gid("Fulfillment", f["id"]),
                        "status": upper(f.get("status")),
                        "createdAt": utc(f.get("created_at")),
                        "trackingInfo": [
                            {"company": f.get("tracking_company"), "number": n}
                            for n in (
                                f.get("tracking_numbers")
                                or ([f["tracking_number"]] if f.get("tracking_number") else [])
                            )
                        ],
                    }
                    for f in o.get("fulfillments") or []
                ],
            }
        )
        for r in o.get("refunds") or []:
            for rl in r.get("refund_line_items") or []:
                second.append(
                    {
                        "__typename": "RefundLineItem",
                        "id": gid("RefundLineItem", rl["id"]),
                        "quantity": rl.get("quantity"),
                        "restockType": upper(rl.get("restock_type")),
                        "lineItem": {"id": gid("LineItem", rl["line_item_id"])},
                        "subtotalSet": bag(rl.get("subtotal_set"), rl.get("subtotal"), currency),
                        "totalTaxSet": bag(rl.get("total_tax_set"), rl.get("total_tax"), currency),
                        "__parentId": gid("Refund", r["id"]),
                    }
                )
            for adj in r.get("order_adjustments") or []:
                second.append(
                    {
                        "__typename": "OrderAdjustment",
                        "id": gid("OrderAdjustment", adj["id"]),
                        "reason": upper(adj.get("kind")),
                        "amountSet": bag(adj.get("amount_set"), adj.get("amount"), currency),
                        "taxAmountSet": bag(adj.get("tax_amount_set"), adj.get("tax_amount"), currency),
                        "__parentId": gid("Refund", r["id"]),
                    }
                )
        for f in o.get("fulfillments") or []:
            for fl in f.get("line_items") or []:
                second.append(
                    {
                        "__typename": "FulfillmentLineItem",
                        "id": gid("FulfillmentLineItem", f"{f['id']}{fl['id']}"),
                        "quantity": fl.get("quantity"),
                        "lineItem": {"id": gid("LineItem", fl["id"])},
                        "__parentId": gid("Fulfillment", f["id"]),
                    }
                )
    return first, second


def rest_payout_to_graphql(payout: dict, timezone: str) -> dict:
    """A REST payout as GraphQL ShopifyPaymentsPayout; issued at noon of its date in the shop's time zone."""
    noon = dt.datetime.combine(dt.date.fromisoformat(payout["date"]), dt.time(12), ZoneInfo(timezone))
    summary = payout.get("summary") or {}
    from ingestion.connectors.shopify import PAYOUT_SUMMARY

    return {
        "id": gid("ShopifyPaymentsPayout", payout["id"]),
        "status": upper(payout["status"]),
        "issuedAt": noon.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "net": {"amount": dec(payout["amount"]), "currencyCode": payout["currency"]},
        "summary": {
            graphql: {"amount": dec(summary.get(rest)), "currencyCode": payout["currency"]}
            for rest, graphql in PAYOUT_SUMMARY.items()
        },
    }


def cost(requested=10, available=1990.0) -> dict:
    return {
        "cost": {
            "requestedQueryCost": requested,
            "actualQueryCost": requested,
            "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": available, "restoreRate": 100.0},
        }
    }


class ShopifyServer:
    """Replays the bulk operations (filtering orders by the `updated_at` range in the query) and payouts."""

    def __init__(
        self,
        httpserver,
        orders: list[dict],
        transactions: list[dict],
        payouts: list[dict],
        timezone: str = "America/New_York",
        payout_page: int = 2,
        payment_rows: list[dict] | None = None,
        balance_page: int = 100,
    ):
        self.httpserver = httpserver
        order_ids = {o["name"]: o["id"] for o in orders}
        payout_ids = {p["date"]: p["id"] for p in payouts if p["status"] == "paid"}
        self.balance = sorted(
            (
                export_row_to_graphql(n, row, order_ids, payout_ids, timezone)
                for n, row in enumerate(payment_rows or [], start=1)
            ),
            key=lambda t: (t["transactionDate"], t["id"]),
        )
        self.balance_page = balance_page
        self.first, self.second = rest_to_graphql(orders, transactions)
        self.payouts = sorted(
            (rest_payout_to_graphql(p, timezone) for p in payouts), key=lambda p: p["issuedAt"], reverse=True
        )
        self.payout_page = payout_page
        self.operations: dict[str, dict] = {}
        self.requests: list[dict] = []
        self.downloads: list[dict] = []
        self.faults: list[Response] = []
        self.fail_bulk: str | None = None
        httpserver.expect_request(f"{API}/graphql.json", method="POST").respond_with_handler(self.graphql)
        httpserver.expect_request(re.compile(r"/bulk/.*")).respond_with_handler(self.download)
        self.shop_url = httpserver.url_for("/").rstrip("/")

    def graphql(self, request: Request) -> Response:
        body = json.loads(request.data)
        query, variables = body["query"], body.get("variables") or {}
        self.requests.append(
            {"query": query, "variables": variables, "token": request.headers.get("X-Shopify-Access-Token")}
        )
        if self.faults:
            return self.faults.pop(0)
        if request.headers.get("X-Shopify-Access-Token") != TOKEN:
            return Response(
                json.dumps({"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}),
                status=401,
                content_type="application/json",
            )
        if "bulkOperationRunQuery" in query:
            return self.json({"bulkOperationRunQuery": self.start(variables["query"])})
        if "node(id:" in query:
            return self.json({"node": self.poll(variables["id"])})
        if "balanceTransactions" in query:
            return self.json({"shopifyPaymentsAccount": self.balance_page_for(variables)})
        if "shopifyPaymentsAccount" in query:
            return self.json({"shopifyPaymentsAccount": self.payout_page_for(variables.get("after"))})
        return Response(json.dumps({"errors": [{"message": "unexpected query"}]}), content_type="application/json")

    def json(self, data: dict) -> Response:
        return Response(json.dumps({"data": data, "extensions": cost()}), content_type="application/json")

    def start(self, bulk_query: str) -> dict:
        since, until = re.findall(r"updated_at:[<>]='([^']+)'", bulk_query)
        lines = self.second if "fulfillmentLineItems" in bulk_query else self.first
        kept = {
            line["id"] for line in lines if "__parentId" not in line and since <= line.get("updatedAt", "") <= until
        }
        if lines is self.second:
            kept = {o["id"] for o in self.first if "__parentId" not in o and since <= o["updatedAt"] <= until}
        refunds = {r["id"] for line in lines if line["id"] in kept for r in line.get("refunds", [])}
        fulfillments = {f["id"] for line in lines if line["id"] in kept for f in line.get("fulfillments", [])}
        parents = kept | refunds | fulfillments
        selected = [line for line in lines if line["id"] in kept or line.get("__parentId") in parents]
        number = len(self.operations) + 1
        op_id = f"gid://shopify/BulkOperation/{number}"
        self.operations[op_id] = {"lines": selected, "polls": 0, "query": bulk_query}
        return {"bulkOperation": {"id": op_id, "status": "CREATED"}, "userErrors": []}

    def poll(self, op_id: str) -> dict:
        op = self.operations[op_id]
        op["polls"] += 1
        if op["polls"] == 1:
            return {
                "id": op_id,
                "status": "RUNNING",
                "errorCode": None,
                "objectCount": "0",
                "url": None,
                "partialDataUrl": None,
            }
        if self.fail_bulk:
            return {
                "id": op_id,
                "status": "FAILED",
                "errorCode": self.fail_bulk,
                "objectCount": "0",
                "url": None,
                "partialDataUrl": None,
            }
        number = op_id.rsplit("/", 1)[-1]
        url = self.httpserver.url_for(f"/bulk/{number}.jsonl?X-Goog-Signature=abc") if op["lines"] else None
        return {
            "id": op_id,
            "status": "COMPLETED",
            "errorCode": None,
            "objectCount": str(len(op["lines"])),
            "url": url,
            "partialDataUrl": None,
        }

    def download(self, request: Request) -> Response:
        self.downloads.append({"path": request.path, "token": request.headers.get("X-Shopify-Access-Token")})
        number = request.path.rsplit("/", 1)[-1].removesuffix(".jsonl")
        lines = self.operations[f"gid://shopify/BulkOperation/{number}"]["lines"]
        return Response("".join(json.dumps(line) + "\n" for line in lines), content_type="application/jsonl")

    def payout_page_for(self, after: str | None) -> dict:
        start = int(after) if after else 0
        nodes = self.payouts[start : start + self.payout_page]
        more = start + self.payout_page < len(self.payouts)
        return {
            "payouts": {
                "pageInfo": {"hasNextPage": more, "endCursor": str(start + len(nodes)) if nodes else None},
                "nodes": nodes,
            }
        }

    def balance_page_for(self, variables: dict) -> dict:
        since, until = re.findall(r"processed_at:[<>]='([^']+)'", variables["query"])
        rows = [t for t in self.balance if since <= t["transactionDate"] <= until]
        start = int(variables["after"]) if variables.get("after") else 0
        nodes = rows[start : start + self.balance_page]
        more = start + self.balance_page < len(rows)
        return {
            "balanceTransactions": {
                "pageInfo": {"hasNextPage": more, "endCursor": str(start + len(nodes)) if nodes else None},
                "nodes": nodes,
            }
        }


def export_row_to_graphql(n: int, row: dict, order_ids: dict, payout_ids: dict, timezone: str) -> dict:
    """A Payments transactions export row as the ShopifyPaymentsBalanceTransaction the API holds for it."""
    at = dt.datetime.strptime(row["Transaction Date"], "%Y-%m-%d %H:%M:%S %z").astimezone(dt.UTC)
    kind = row["Type"].upper().replace(" ", "_")
    currency = row["Currency"]
    payout_id = payout_ids.get(row["Payout Date"]) if row["Payout Status"] == "paid" else None
    order = row.get("Order") or None
    return {
        "id": gid("ShopifyPaymentsBalanceTransaction", 880000 + n),
        "type": kind,
        "test": False,
        "transactionDate": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sourceId": 770000 + n,
        "sourceType": kind if kind in ("CHARGE", "REFUND", "DISPUTE", "ADJUSTMENT") else "SYSTEM_ADJUSTMENT",
        "sourceOrderTransactionId": None,
        "adjustmentReason": None,
        "amount": {"amount": dec(row["Amount"]), "currencyCode": currency},
        "fee": {"amount": dec(row["Fee"]), "currencyCode": currency},
        "net": {"amount": dec(row["Net"]), "currencyCode": currency},
        "associatedOrder": {"id": gid("Order", order_ids.get(order)), "name": order} if order else None,
        "associatedPayout": {
            "id": gid("ShopifyPaymentsPayout", payout_id),
            "status": "PAID" if payout_id else "PENDING",
        },
    }
