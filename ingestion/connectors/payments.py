"""Shopify Payments balance transactions: pulled as the Payments transactions export, one path per store.

The connector pages `shopifyPaymentsAccount.balanceTransactions` (GraphQL Admin API,
ShopifyPaymentsBalanceTransaction) by `processed_at` and writes each UTC day as a file with the columns of
Shopify's Payments > Payouts > Transactions export (`formats/shopify_payments_csv.py`), so they land as the same
entity (`shopify/payment_transactions`) through the same parser, record key and dbt models:
  Transaction Date <- transactionDate (in COMMERCE_TIMEZONE, `%Y-%m-%d %H:%M:%S %z` as the export writes it),
  Type <- type lower-cased (CHARGE -> charge, as the REST balance transactions spell it), Order <-
  associatedOrder.name, Payout Status <- associatedPayout.status lower-cased, Payout Date <- the date of the
  payout associatedPayout.id names (from the payouts pulled alongside; empty while pending), Amount / Fee / Net
  / Currency <- amount, fee, net (MoneyV2). Card Brand, Card Source, Available On, Checkout, Payment Method Name
  and the presentment columns have no field on a balance transaction and stay empty. Test-mode transactions
  (`test: true`) are not money and are left out; transfers (the payout itself) come from `payouts`.

One path per store: the export names no transaction id and the API no checkout, so no key identifies a charge
on both paths (the export's record key includes `Checkout`; their types and timestamps are not documented to
agree either). A store's payments therefore come from the pull OR from dropped exports, never both: the pull
refuses while the lake holds exported payments (`check_one_payments_path`), ingestion rejects a dropped export
while the lake holds pulled ones (`dropped_export_problem`), each naming SHOPIFY_PULL_PAYMENT_TRANSACTIONS.

A transaction is pulled again until its payout is known: the state keeps `payments_pending_since`, the
earliest day of a pulled transaction still pending, and the next pull starts there (its later delivery, with
the payout's status and date, replaces it: the export's entity keeps the latest delivery of a key).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

from commerce_analytics.settings import Settings
from ingestion.connectors.base import ConnectorError, PulledFile, PullWindow, cursor_date
from ingestion.formats.shopify_payments_csv import EXPORT_COLUMNS
from ingestion.lake import Lake

PAYMENT_TRANSACTIONS = "payment_transactions"
SETTING = "SHOPIFY_PULL_PAYMENT_TRANSACTIONS"
EXPORT_FORMAT = "shopify_payments_csv"
PULLED_PREFIX = "pull://shopify/"
ENDPOINT = "shopifyPaymentsAccount.balanceTransactions"
BALANCE_TRANSACTIONS_QUERY = """
query BalanceTransactions($after: String, $query: String) {
  shopifyPaymentsAccount {
    balanceTransactions(first: 100, after: $after, query: $query, sortKey: PROCESSED_AT, hideTransfers: true) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id type test transactionDate sourceId sourceType sourceOrderTransactionId adjustmentReason
        amount { amount currencyCode } fee { amount currencyCode } net { amount currencyCode }
        associatedOrder { id name }
        associatedPayout { id status }
      }
    }
  }
}
"""


def payments_since(window: PullWindow, state: dict) -> dt.date:
    """The first day of balance transactions to pull: the window's, or the oldest still-pending one's."""
    pending = cursor_date(state.get("payments_pending_since"))
    return min(window.since, pending) if pending else window.since


def _money(value: dict | None) -> str:
    amount = (value or {}).get("amount")
    return "" if amount in (None, "") else f"{Decimal(str(amount)):.2f}"


def to_export_row(node: dict, payout_dates: dict[str, str], zone: ZoneInfo) -> dict[str, str]:
    """One ShopifyPaymentsBalanceTransaction as a row of the Payments transactions export."""
    at = dt.datetime.fromisoformat(node["transactionDate"].replace("Z", "+00:00")).astimezone(zone)
    payout = node.get("associatedPayout") or {}
    row = dict.fromkeys(EXPORT_COLUMNS, "")
    row.update(
        {
            "Transaction Date": at.strftime("%Y-%m-%d %H:%M:%S %z"),
            "Type": str(node.get("type") or "").lower(),
            "Order": (node.get("associatedOrder") or {}).get("name") or "",
            "Payout Status": str(payout.get("status") or "").lower(),
            "Payout Date": payout_dates.get(payout.get("id") or "", ""),
            "Amount": _money(node.get("amount")),
            "Fee": _money(node.get("fee")),
            "Net": _money(node.get("net")),
            "Currency": (node.get("amount") or {}).get("currencyCode") or "",
        }
    )
    return row


def balance_transaction_files(
    account: str, nodes: list[dict], payout_dates: dict[str, str], timezone: str
) -> tuple[list[PulledFile], str | None]:
    """One export-shaped CSV per UTC day of `transactionDate` (rows in time, then id order: the same bytes for
    the same data), and the first day of a transaction not yet in a payout (None when all are paid out)."""
    zone = ZoneInfo(timezone)
    by_day: dict[str, list[dict]] = defaultdict(list)
    pending: list[str] = []
    for node in nodes:
        if node.get("test"):
            continue
        by_day[node["transactionDate"][:10]].append(node)
        if not (node.get("associatedPayout") or {}).get("id"):
            pending.append(node["transactionDate"][:10])
    files = []
    for day, day_nodes in sorted(by_day.items()):
        day_nodes.sort(key=lambda n: (n["transactionDate"], str(n["id"])))
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(to_export_row(n, payout_dates, zone) for n in day_nodes)
        files.append(PulledFile(f"shopify/payment_transactions_{account}_{day}.csv", out.getvalue().encode()))
    return files, min(pending) if pending else None


def payment_deliveries(lake: Lake) -> tuple[list[str], list[str]]:
    """(pulled, dropped): the visible deliveries of Shopify Payments transactions in the lake, by path."""
    pulled, dropped = [], []
    for rel in lake.list("_manifests/shopify"):
        if not rel.endswith(".json"):
            continue
        manifest = lake.read_json(rel) or {}
        if manifest.get("format") != EXPORT_FORMAT or manifest.get("status") not in ("landed", "partial"):
            continue
        name = str(manifest.get("source_file") or "")
        (pulled if name.startswith(PULLED_PREFIX) else dropped).append(name)
    return sorted(pulled), sorted(dropped)


def check_one_payments_path(settings: Settings, account: str) -> None:
    """Refuse to pull balance transactions into a lake that holds exported ones (they would count twice)."""
    _, dropped = payment_deliveries(Lake(settings.lake, settings.aws_endpoint_url))
    if dropped:
        raise ConnectorError(
            "shopify",
            account,
            ENDPOINT,
            f"the lake already holds Shopify Payments transactions from {len(dropped)} dropped export file(s) "
            f"(first: {dropped[0]}); the export and the API share no transaction id, so a charge pulled and "
            f"exported would count twice. Keep the exports (set {SETTING}=false), or retract them "
            "(`commerce-analytics retract FILE --reason ...`) and pull the same dates; nothing landed",
            SETTING,
        )


def dropped_export_problem(lake: Lake, format_name: str, display: str) -> tuple[str, str] | None:
    """(problem, fix) when a dropped Payments export arrives in a lake that holds pulled balance transactions."""
    if format_name != EXPORT_FORMAT or display.startswith(PULLED_PREFIX):
        return None
    pulled, _ = payment_deliveries(lake)
    if not pulled:
        return None
    return (
        f"the lake already holds Shopify Payments transactions pulled from the Admin API ({len(pulled)} file(s), "
        f"first: {pulled[0]}); the export and the API share no transaction id, so its charges would count twice",
        f"keep the pull and drop no Payments exports, or set {SETTING}=false, retract the pulled files "
        "(`commerce-analytics retract`) and drop the exports again (docs/connectors.md)",
    )
