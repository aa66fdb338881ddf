"""Shopify Admin GraphQL API: orders (with their transactions) by `updated_at`, and Shopify Payments payouts and
balance transactions.

Orders come from bulk operations (`bulkOperationRunQuery`, polled with `node(id:)`, the JSONL result
downloaded from its signed URL without the token): a bulk query has no cost ceiling and flattens nested
connections, so backfills and daily increments take the same path. A bulk query allows five connections,
so two run one after the other: ORDERS_QUERY (orders, line items, shipping lines; the order's transactions,
refunds and customer journey are plain fields) and FULFILLMENTS_QUERY (each refund's line items and order
adjustments, each fulfillment's line items), joined by id. Payouts are paged with `shopifyPaymentsAccount.payouts`,
balance transactions with `shopifyPaymentsAccount.balanceTransactions` (by `processed_at`; `payments.py`).

Every result is converted to the REST Admin API shapes ingestion parses (`formats/shopify_orders_json.py`,
`shopify_order_transactions_json.py`, `shopify_payouts_json.py`), deterministically (`to_rest_order` and
friends; the mapping is listed in docs/connectors.md), one file per `updated_at` day (UTC):
`shopify/orders_<shop>_updated_<day>.jsonl` and `shopify/order_transactions_<shop>_updated_<day>.json`,
`shopify/payouts_<shop>_<month>.json` and `shopify/payment_transactions_<shop>_<day>.csv` (the Payments
transactions export's columns). Re-pulling unchanged days gives the same bytes (duplicates).

Cursor: the latest `updatedAt` pulled; the next pull asks for `updated_at >=` that day minus
SHOPIFY_LOOKBACK_DAYS (1). Throttling: GraphQL cost limits answer HTTP 200 with a `THROTTLED` error and
`extensions.cost.throttleStatus`; the wait is the missing points over the restore rate.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

import httpx

from commerce_analytics.settings import Settings
from ingestion.connectors.base import (
    NotConfigured,
    PulledFile,
    PullWindow,
    later_cursor,
    stable_json,
    stable_json_lines,
)
from ingestion.connectors.http import ApiClient, endpoint_of
from ingestion.connectors.payments import (
    BALANCE_TRANSACTIONS_QUERY,
    PAYMENT_TRANSACTIONS,
    balance_transaction_files,
    check_one_payments_path,
    payments_since,
)

MONEY = "shopMoney { amount currencyCode } presentmentMoney { amount currencyCode }"
ALLOCATIONS = f"discountAllocations {{ allocatedAmountSet {{ {MONEY} }} discountApplication {{ index }} }}"
TAX_LINES = f"taxLines {{ title rate priceSet {{ {MONEY} }} }}"
ORDERS_QUERY = f"""
{{
  orders(query: "__FILTER__", sortKey: UPDATED_AT) {{
    edges {{ node {{
      __typename id name email createdAt processedAt updatedAt cancelledAt
      currencyCode presentmentCurrencyCode displayFinancialStatus displayFulfillmentStatus
      taxesIncluded sourceName paymentGatewayNames discountCodes tags
      customAttributes {{ key value }}
      customer {{ id }}
      shippingAddress {{ countryCodeV2 provinceCode zip }}
      customerJourneySummary {{ lastVisit {{ landingPage referrerUrl }} firstVisit {{ landingPage referrerUrl }} }}
      totalDiscountsSet {{ {MONEY} }} subtotalPriceSet {{ {MONEY} }} totalShippingPriceSet {{ {MONEY} }}
      totalTaxSet {{ {MONEY} }} totalPriceSet {{ {MONEY} }}
      transactions {{ id kind gateway status createdAt amountSet {{ {MONEY} }} parentTransaction {{ id }} }}
      refunds {{ id createdAt note totalRefundedSet {{ {MONEY} }} }}
      lineItems {{ edges {{ node {{
        __typename id sku name title vendor quantity taxable requiresShipping isGiftCard
        originalUnitPriceSet {{ {MONEY} }} totalDiscountSet {{ {MONEY} }} {ALLOCATIONS} {TAX_LINES}
      }} }} }}
      shippingLines {{ edges {{ node {{
        __typename id title code originalPriceSet {{ {MONEY} }} {ALLOCATIONS} {TAX_LINES}
      }} }} }}
    }} }}
  }}
}}
"""
# refundLineItems and orderAdjustments hang off each refund (a list); bulk JSONL gives their refund as parent.
REFUND_CONNECTIONS = f"""
      refunds {{ id
        refundLineItems {{ edges {{ node {{
          __typename id quantity restockType lineItem {{ id }} subtotalSet {{ {MONEY} }} totalTaxSet {{ {MONEY} }}
        }} }} }}
        orderAdjustments {{ edges {{ node {{
          __typename id reason amountSet {{ {MONEY} }} taxAmountSet {{ {MONEY} }}
        }} }} }}
      }}"""
FULFILLMENTS_QUERY = f"""
{{
  orders(query: "__FILTER__", sortKey: UPDATED_AT) {{
    edges {{ node {{
      __typename id{REFUND_CONNECTIONS}
      fulfillments {{ id status createdAt trackingInfo {{ company number }}
        fulfillmentLineItems {{ edges {{ node {{ __typename id quantity lineItem {{ id }} }} }} }}
      }}
    }} }}
  }}
}}
"""
RUN_BULK = """
mutation RunBulk($query: String!) {
  bulkOperationRunQuery(query: $query) { bulkOperation { id status } userErrors { field message } }
}
"""
POLL_BULK = """
query Poll($id: ID!) {
  node(id: $id) { ... on BulkOperation { id status errorCode objectCount url partialDataUrl } }
}
"""
PAYOUTS_QUERY = """
query Payouts($after: String) {
  shopifyPaymentsAccount {
    payouts(first: 100, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id status issuedAt net { amount currencyCode }
        summary {
          chargesFee { amount } chargesGross { amount } refundsFee { amount } refundsFeeGross { amount }
          adjustmentsFee { amount } adjustmentsGross { amount } reservedFundsFee { amount }
          reservedFundsGross { amount } retriedPayoutsFee { amount } retriedPayoutsGross { amount }
        }
      }
    }
  }
}
"""
# REST payout summary field <- GraphQL ShopifyPaymentsPayoutSummary field.
PAYOUT_SUMMARY = {
    "charges_fee_amount": "chargesFee",
    "charges_gross_amount": "chargesGross",
    "refunds_fee_amount": "refundsFee",
    "refunds_gross_amount": "refundsFeeGross",
    "adjustments_fee_amount": "adjustmentsFee",
    "adjustments_gross_amount": "adjustmentsGross",
    "reserved_funds_fee_amount": "reservedFundsFee",
    "reserved_funds_gross_amount": "reservedFundsGross",
    "retried_payouts_fee_amount": "retriedPayoutsFee",
    "retried_payouts_gross_amount": "retriedPayoutsGross",
}
FULFILLMENT_STATUS = {"FULFILLED": "fulfilled", "PARTIALLY_FULFILLED": "partial", "UNFULFILLED": None}
ADJUSTMENT_REASONS = {"shipping_refund": "Shipping refund", "refund_discrepancy": "Refund discrepancy"}
FINISHED = {"COMPLETED", "FAILED", "CANCELED", "CANCELLED", "EXPIRED"}


def legacy_id(gid: str | None) -> int | None:
    """`gid://shopify/Order/450789469` -> 450789469 (the REST id)."""
    if not gid:
        return None
    tail = str(gid).rsplit("/", 1)[-1].split("?", 1)[0]
    return int(tail) if tail.isdigit() else None


def money_set(bag: dict | None) -> dict | None:
    """GraphQL MoneyBag -> REST `*_set`."""
    if not bag:
        return None
    out = {}
    for graphql, rest in (("shopMoney", "shop_money"), ("presentmentMoney", "presentment_money")):
        money = bag.get(graphql)
        if money:
            out[rest] = {"amount": money.get("amount"), "currency_code": money.get("currencyCode")}
    return out


def shop_amount(bag: dict | None) -> str | None:
    return ((bag or {}).get("shopMoney") or {}).get("amount")


def _lower(value: str | None) -> str | None:
    return value.lower() if isinstance(value, str) else value


def _allocations(node: dict) -> list[dict]:
    return [
        {
            "amount": shop_amount(a.get("allocatedAmountSet")),
            "amount_set": money_set(a.get("allocatedAmountSet")),
            "discount_application_index": (a.get("discountApplication") or {}).get("index"),
        }
        for a in node.get("discountAllocations") or []
    ]


def _tax_lines(node: dict) -> list[dict]:
    return [
        {
            "title": t.get("title"),
            "rate": t.get("rate"),
            "price": shop_amount(t.get("priceSet")),
            "price_set": money_set(t.get("priceSet")),
        }
        for t in node.get("taxLines") or []
    ]


def to_rest_order(order: dict, children: dict[str, list[dict]]) -> dict:
    """One bulk-operation order (with its flattened children by parent id) in the REST Admin API order shape."""
    order_id = legacy_id(order["id"])
    lines = [
        {
            "id": legacy_id(li["id"]),
            "sku": li.get("sku"),
            "name": li.get("name"),
            "title": li.get("title"),
            "vendor": li.get("vendor"),
            "quantity": li.get("quantity"),
            "price": shop_amount(li.get("originalUnitPriceSet")),
            "price_set": money_set(li.get("originalUnitPriceSet")),
            "taxable": li.get("taxable"),
            "requires_shipping": li.get("requiresShipping"),
            "gift_card": li.get("isGiftCard"),
            "total_discount": shop_amount(li.get("totalDiscountSet")),
            "discount_allocations": _allocations(li),
            "tax_lines": _tax_lines(li),
        }
        for li in children_of(children, order["id"], "LineItem")
    ]
    shipping = [
        {
            "title": sl.get("title"),
            "code": sl.get("code"),
            "price": shop_amount(sl.get("originalPriceSet")),
            "price_set": money_set(sl.get("originalPriceSet")),
            "discount_allocations": _allocations(sl),
            "tax_lines": _tax_lines(sl),
        }
        for sl in children_of(children, order["id"], "ShippingLine")
    ]
    shop_currency = order.get("currencyCode")
    line_total = sum((Decimal(li["price"] or 0) * int(li["quantity"] or 0) for li in lines), Decimal(0))
    journey = order.get("customerJourneySummary") or {}
    visit = journey.get("lastVisit") or journey.get("firstVisit") or {}
    return {
        "id": order_id,
        "admin_graphql_api_id": order["id"],
        "name": order.get("name"),
        "email": order.get("email"),
        "created_at": order.get("createdAt"),
        "processed_at": order.get("processedAt"),
        "updated_at": order.get("updatedAt"),
        "cancelled_at": order.get("cancelledAt"),
        "currency": shop_currency,
        "presentment_currency": order.get("presentmentCurrencyCode"),
        "financial_status": _lower(order.get("displayFinancialStatus")),
        "fulfillment_status": FULFILLMENT_STATUS.get(
            order.get("displayFulfillmentStatus"), _lower(order.get("displayFulfillmentStatus"))
        ),
        "taxes_included": order.get("taxesIncluded"),
        "source_name": order.get("sourceName"),
        "landing_site": visit.get("landingPage"),
        "referring_site": visit.get("referrerUrl"),
        "payment_gateway_names": order.get("paymentGatewayNames") or [],
        "discount_codes": _discount_codes(order, lines, shipping),
        "total_line_items_price": f"{line_total:.2f}",
        "total_line_items_price_set": {"shop_money": {"amount": f"{line_total:.2f}", "currency_code": shop_currency}},
        "total_discounts": shop_amount(order.get("totalDiscountsSet")),
        "total_discounts_set": money_set(order.get("totalDiscountsSet")),
        "subtotal_price": shop_amount(order.get("subtotalPriceSet")),
        "subtotal_price_set": money_set(order.get("subtotalPriceSet")),
        "total_shipping_price_set": money_set(order.get("totalShippingPriceSet")),
        "total_tax": shop_amount(order.get("totalTaxSet")),
        "total_tax_set": money_set(order.get("totalTaxSet")),
        "total_price": shop_amount(order.get("totalPriceSet")),
        "total_price_set": money_set(order.get("totalPriceSet")),
        "tags": ", ".join(order.get("tags") or []),
        "note_attributes": [
            {"name": a.get("key"), "value": a.get("value")} for a in order.get("customAttributes") or []
        ],
        "customer": {"id": legacy_id((order.get("customer") or {}).get("id"))} if order.get("customer") else None,
        "shipping_address": _address(order.get("shippingAddress")),
        "line_items": lines,
        "shipping_lines": shipping,
        "refunds": [_refund(r, order_id, children) for r in sorted(order.get("refunds") or [], key=_gid_order)],
        "fulfillments": [
            _fulfillment(f, order_id, children) for f in sorted(order.get("fulfillments") or [], key=_gid_order)
        ],
    }


def _gid_order(node: dict) -> tuple[int, str]:
    return (legacy_id(node.get("id")) or 0, str(node.get("id")))


def children_of(children: dict[str, list[dict]], parent: str, typename: str) -> list[dict]:
    return sorted((c for c in children.get(parent, []) if c.get("__typename") == typename), key=_gid_order)


def _address(address: dict | None) -> dict | None:
    if not address:
        return None
    return {
        "country_code": address.get("countryCodeV2"),
        "province_code": address.get("provinceCode"),
        "zip": address.get("zip"),
    }


def _discount_codes(order: dict, lines: list[dict], shipping: list[dict]) -> list[dict]:
    """REST `discount_codes` [{code, amount, type}]: GraphQL names the codes; the amount is what the order's
    allocations hold (all codes together when several), the type `shipping` when only shipping was discounted."""
    codes = order.get("discountCodes") or []
    if not codes:
        return []
    on_lines = sum((Decimal(a["amount"] or 0) for li in lines for a in li["discount_allocations"]), Decimal(0))
    on_shipping = sum((Decimal(a["amount"] or 0) for sl in shipping for a in sl["discount_allocations"]), Decimal(0))
    total = shop_amount(order.get("totalDiscountsSet")) or f"{on_lines + on_shipping:.2f}"
    kind = "shipping" if on_shipping and not on_lines else "fixed_amount"
    return [{"code": code, "amount": total if i == 0 else "0.00", "type": kind} for i, code in enumerate(codes)]


def _refund(refund: dict, order_id: int | None, children: dict[str, list[dict]]) -> dict:
    refunded = shop_amount(refund.get("totalRefundedSet"))
    lines = [
        {
            "id": legacy_id(rl.get("id")),
            "line_item_id": legacy_id((rl.get("lineItem") or {}).get("id")),
            "quantity": rl.get("quantity"),
            "restock_type": _lower(rl.get("restockType")),
            "subtotal": shop_amount(rl.get("subtotalSet")),
            "subtotal_set": money_set(rl.get("subtotalSet")),
            "total_tax": shop_amount(rl.get("totalTaxSet")),
            "total_tax_set": money_set(rl.get("totalTaxSet")),
        }
        for rl in children_of(children, refund["id"], "RefundLineItem")
    ]
    adjustments = []
    for adj in children_of(children, refund["id"], "OrderAdjustment"):
        kind = _lower(adj.get("reason"))
        adjustments.append(
            {
                "id": legacy_id(adj.get("id")),
                "kind": kind,
                "reason": ADJUSTMENT_REASONS.get(kind, kind),
                "amount": shop_amount(adj.get("amountSet")),
                "amount_set": money_set(adj.get("amountSet")),
                "tax_amount": shop_amount(adj.get("taxAmountSet")),
                "tax_amount_set": money_set(adj.get("taxAmountSet")),
            }
        )
    return {
        "id": legacy_id(refund["id"]),
        "order_id": order_id,
        "created_at": refund.get("createdAt"),
        "processed_at": refund.get("createdAt"),
        "note": refund.get("note"),
        "restock": any(line["restock_type"] not in (None, "no_restock") for line in lines),
        "refund_line_items": lines,
        "order_adjustments": adjustments,
        # The money returned: GraphQL's totalRefundedSet, as the one successful refund transaction REST lists.
        "transactions": (
            [{"kind": "refund", "status": "success", "amount": refunded}] if refunded and Decimal(refunded) else []
        ),
    }


def _fulfillment(fulfillment: dict, order_id: int | None, children: dict[str, list[dict]]) -> dict:
    tracking = fulfillment.get("trackingInfo") or []
    return {
        "id": legacy_id(fulfillment["id"]),
        "order_id": order_id,
        "status": _lower(fulfillment.get("status")),
        "created_at": fulfillment.get("createdAt"),
        "tracking_company": tracking[0].get("company") if tracking else None,
        "tracking_number": tracking[0].get("number") if tracking else None,
        "tracking_numbers": [t.get("number") for t in tracking],
        "line_items": [
            {"id": legacy_id((fl.get("lineItem") or {}).get("id")), "quantity": fl.get("quantity")}
            for fl in children_of(children, fulfillment["id"], "FulfillmentLineItem")
        ],
    }


def to_rest_transactions(order: dict) -> list[dict]:
    """An order's GraphQL `transactions` in the REST `GET /orders/<id>/transactions.json` shape."""
    order_id = legacy_id(order["id"])
    return [
        {
            "id": legacy_id(t["id"]),
            "order_id": order_id,
            "kind": _lower(t.get("kind")),
            "gateway": t.get("gateway"),
            "status": _lower(t.get("status")),
            "amount": shop_amount(t.get("amountSet")),
            "currency": ((t.get("amountSet") or {}).get("shopMoney") or {}).get("currencyCode"),
            "created_at": t.get("createdAt"),
            "parent_id": legacy_id((t.get("parentTransaction") or {}).get("id")),
        }
        for t in sorted(order.get("transactions") or [], key=_gid_order)
    ]


def to_rest_payout(payout: dict, timezone: str) -> dict:
    """A GraphQL ShopifyPaymentsPayout in the REST payout shape; `date` is `issuedAt` in the shop's time zone."""
    issued = dt.datetime.fromisoformat(payout["issuedAt"].replace("Z", "+00:00")).astimezone(ZoneInfo(timezone))
    summary = payout.get("summary") or {}
    return {
        "id": legacy_id(payout["id"]),
        "status": _lower(payout.get("status")),
        "date": issued.date().isoformat(),
        "currency": (payout.get("net") or {}).get("currencyCode"),
        "amount": (payout.get("net") or {}).get("amount"),
        "summary": {rest: (summary.get(graphql) or {}).get("amount") for rest, graphql in PAYOUT_SUMMARY.items()},
    }


def throttle_wait(response: httpx.Response) -> float | None:
    """Seconds until enough query cost is restored, when Shopify answered THROTTLED (HTTP 200); else None."""
    if response.status_code != 200:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list) or not any(
        isinstance(e, dict) and (e.get("extensions") or {}).get("code") == "THROTTLED" for e in errors
    ):
        return None
    cost = (body.get("extensions") or {}).get("cost") or {}
    status = cost.get("throttleStatus") or {}
    missing = float(cost.get("requestedQueryCost") or 0) - float(status.get("currentlyAvailable") or 0)
    rate = float(status.get("restoreRate") or 50)
    return max(missing, 0.0) / rate + 0.5 if rate else 1.0


class ShopifyConnector:
    source = "shopify"
    lake_source = "shopify"
    entities = ("orders", "order_transactions", "payouts", PAYMENT_TRANSACTIONS)
    settings_needed = ("SHOPIFY_SHOP_URL", "SHOPIFY_ACCESS_TOKEN")

    def accounts(self, settings: Settings) -> list[str]:
        missing = [
            name
            for name, value in (
                ("SHOPIFY_SHOP_URL", settings.shopify_shop_url),
                ("SHOPIFY_ACCESS_TOKEN", settings.shopify_access_token),
            )
            if not value
        ]
        if missing:
            raise NotConfigured(self.source, missing)
        return [shop_name(settings.shopify_shop_url)]

    def pull(self, account: str, window: PullWindow, state: dict, settings: Settings) -> tuple[list[PulledFile], dict]:
        client = ApiClient(
            source=self.source,
            account=account,
            base_url=f"{settings.shopify_shop_url}/admin/api/{settings.shopify_api_version}/",
            settings=settings,
            headers={"X-Shopify-Access-Token": settings.shopify_access_token},
            credential_setting="SHOPIFY_ACCESS_TOKEN",
        )
        downloads = ApiClient(source=self.source, account=account, base_url="", settings=settings)
        pull_payments = settings.shopify_pull_payment_transactions
        if pull_payments:  # before any request: a store keeps one path for its payments (docs/connectors.md)
            check_one_payments_path(settings, account)
        with client, downloads:
            bulk = BulkRunner(client, downloads, settings)
            flt = (
                f"updated_at:>='{window.since.isoformat()}T00:00:00Z' "
                f"AND updated_at:<='{window.until.isoformat()}T23:59:59Z'"
            )
            orders, children = bulk.run(ORDERS_QUERY.replace("__FILTER__", flt))
            more_orders, more_children = bulk.run(FULFILLMENTS_QUERY.replace("__FILTER__", flt))
            payouts, payout_dates = self._payouts(client, window, settings)
            since = payments_since(window, state)
            balance = self._balance_transactions(client, since, window.until) if pull_payments else []
        for gid, extra in more_orders.items():
            if gid in orders:
                orders[gid]["fulfillments"] = extra.get("fulfillments") or []
        for parent, nodes in more_children.items():
            children[parent].extend(nodes)
        payment_files, pending_since = balance_transaction_files(account, balance, payout_dates, settings.timezone)
        files = self._order_files(account, orders, children) + self._payout_files(account, payouts) + payment_files
        latest = max((o.get("updatedAt") for o in orders.values() if o.get("updatedAt")), default=None)
        cursor = later_cursor(state.get("cursor"), latest) if (window.explicit or latest is None) else latest
        new_state = {"cursor": cursor} if cursor else {}
        if pending_since:  # re-pulled until paid out: the payout's status and date arrive later
            new_state["payments_pending_since"] = pending_since
        return files, new_state

    def _balance_transactions(self, client: ApiClient, since: dt.date, until: dt.date) -> list[dict]:
        """Every balance transaction processed from `since` to `until` (UTC days), paged; [] without Payments."""
        nodes, after = [], None
        flt = f"processed_at:>='{since.isoformat()}T00:00:00Z' AND processed_at:<='{until.isoformat()}T23:59:59Z'"
        while True:
            data = graphql(client, BALANCE_TRANSACTIONS_QUERY, {"after": after, "query": flt})
            account = data.get("shopifyPaymentsAccount")
            if account is None:
                return []
            page = account["balanceTransactions"]
            nodes.extend(page.get("nodes") or [])
            if not (page.get("pageInfo") or {}).get("hasNextPage"):
                return nodes
            after = page["pageInfo"]["endCursor"]

    def _order_files(self, account: str, orders: dict[str, dict], children) -> list[PulledFile]:
        by_day: dict[str, list[dict]] = defaultdict(list)
        for order in orders.values():
            by_day[str(order.get("updatedAt") or order.get("createdAt"))[:10]].append(order)
        files = []
        for day, day_orders in sorted(by_day.items()):
            day_orders.sort(key=_gid_order)
            files.append(
                PulledFile(
                    f"shopify/orders_{account}_updated_{day}.jsonl",
                    stable_json_lines([to_rest_order(o, children) for o in day_orders]),
                )
            )
            transactions = [t for o in day_orders for t in to_rest_transactions(o)]
            if transactions:
                files.append(
                    PulledFile(
                        f"shopify/order_transactions_{account}_updated_{day}.json",
                        stable_json({"transactions": transactions}),
                    )
                )
        return files

    def _payouts(self, client: ApiClient, window: PullWindow, settings: Settings) -> tuple[list[dict], dict[str, str]]:
        """The payouts dated in `window` (REST shape), and every payout's date by gid (a balance transaction's
        Payout Date)."""
        payouts, dates, after = [], {}, None
        while True:
            data = graphql(client, PAYOUTS_QUERY, {"after": after})
            account = data.get("shopifyPaymentsAccount")
            if account is None:  # the store does not use Shopify Payments
                return [], {}
            page = account["payouts"]
            for node in page.get("nodes") or []:
                rest = to_rest_payout(node, settings.timezone)
                dates[node["id"]] = rest["date"]
                if window.since.isoformat() <= rest["date"] <= window.until.isoformat():
                    payouts.append(rest)
            if not (page.get("pageInfo") or {}).get("hasNextPage"):
                return payouts, dates
            after = page["pageInfo"]["endCursor"]

    def _payout_files(self, account: str, payouts: list[dict]) -> list[PulledFile]:
        by_month: dict[str, list[dict]] = defaultdict(list)
        for payout in payouts:
            by_month[payout["date"][:7]].append(payout)
        return [
            PulledFile(
                f"shopify/payouts_{account}_{month}.json",
                stable_json({"payouts": sorted(rows, key=lambda p: (p["date"], p["id"] or 0))}),
            )
            for month, rows in sorted(by_month.items())
        ]


def shop_name(shop_url: str) -> str:
    """The account name of a store: its myshopify host (`artisanglow.myshopify.com`)."""
    return httpx.URL(shop_url if "://" in shop_url else f"https://{shop_url}").host or shop_url


def graphql(client: ApiClient, query: str, variables: dict | None = None) -> dict:
    """POST graphql.json; GraphQL errors other than throttling (retried by the client) raise ConnectorError."""
    response = client.request(
        "POST", "graphql.json", json={"query": query, "variables": variables or {}}, throttled=throttle_wait
    )
    body = client.decode(response)
    if body.get("errors"):
        messages = "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in body["errors"])
        raise client.error(endpoint_of(response.request.url), f"GraphQL errors: {messages}")
    return body.get("data") or {}


class BulkRunner:
    """Runs one bulk query to completion and reads its JSONL: (orders by gid, child nodes by parent gid)."""

    def __init__(self, client: ApiClient, downloads: ApiClient, settings: Settings):
        self.client = client
        self.downloads = downloads
        self.settings = settings

    def run(self, query: str) -> tuple[dict[str, dict], dict[str, list[dict]]]:
        started = graphql(self.client, RUN_BULK, {"query": query})["bulkOperationRunQuery"]
        if started.get("userErrors"):
            reasons = "; ".join(e.get("message", "") for e in started["userErrors"])
            raise self.client.error("bulkOperationRunQuery", f"the bulk query was refused: {reasons}")
        operation = self._wait(started["bulkOperation"]["id"])
        orders: dict[str, dict] = {}
        children: dict[str, list[dict]] = defaultdict(list)
        if not operation.get("url"):  # no object matched
            return orders, children
        response = self.downloads.request("GET", operation["url"])
        for number, line in enumerate(response.text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                node = json.loads(line)
            except ValueError:
                raise self.client.error(
                    endpoint_of(operation["url"]), f"line {number} of the bulk result is not JSON"
                ) from None
            parent = node.pop("__parentId", None)
            if parent:
                children[parent].append(node)
            else:
                orders[node["id"]] = node
        return orders, children

    def _wait(self, operation_id: str) -> dict:
        deadline = time.monotonic() + self.settings.pull_deadline_seconds
        pause = self.settings.pull_backoff_seconds
        while True:
            operation = graphql(self.client, POLL_BULK, {"id": operation_id}).get("node") or {}
            status = operation.get("status")
            if status == "COMPLETED":
                return operation
            if status in FINISHED:
                raise self.client.error(
                    "bulkOperation",
                    f"bulk operation {operation_id} ended {status} ({operation.get('errorCode') or 'no error code'}); "
                    "nothing landed",
                )
            if time.monotonic() + pause > deadline:
                raise self.client.error(
                    "bulkOperation",
                    f"bulk operation {operation_id} still {status} after COMMERCE_PULL_DEADLINE_SECONDS",
                )
            time.sleep(pause)
            pause = min(pause * 2, self.settings.pull_backoff_max_seconds)
