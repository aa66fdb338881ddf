"""Identical rows of one file keep distinct `_record_key`s however the file is split into parse batches.

A large export is read in batches of about `BATCH_BYTES`. The `#n` numbering of rows that share a natural key
must run over the whole file: two identical rows in different batches are two real rows (two equal Shopify
Payments charges, two equal Amazon lines), and the warehouse's latest-wins dedup by `_record_key` would
silently keep one. Keys must not depend on the batch size, so a re-ingest of an existing file keys its rows
exactly as before.
"""

from __future__ import annotations

import re

import pytest
from ingest_helpers import landed, make_ingestor, write

import ingestion.formats.base as base

SMALL_BATCH = 4096
FILLERS = 200  # distinct rows between the two identical ones: several small batches of text

PAYMENTS_HEADER = (
    "Transaction Date,Type,Order,Card Brand,Card Source,Payout Status,Payout Date,Available On,Amount,Fee,Net,"
    "Checkout,Payment Method Name,Presentment Amount,Presentment Currency,Currency"
)
AMAZON_HEADER = (
    "amazon-order-id\tmerchant-order-id\tpurchase-date\tlast-updated-date\torder-status\tfulfillment-channel\t"
    "sales-channel\tsku\tasin\tquantity\tcurrency\titem-price"
)
BILLING_HEADER = "Bill #,Charge category,Description,Amount,Currency,Date,Order"
ETSY_HEADER = "Date,Type,Title,Info,Currency,Amount,Fees & Taxes,Net,Tax Details"


def payments_row(order: int) -> str:
    return (
        f"2025-10-07 22:44:48 -0400,charge,#{order},visa,online,pending,2025-10-09,2025-10-09,"
        f"112.09,3.55,108.54,{70000 + order},card,112.09,USD,USD"
    )


def amazon_row(order: int) -> str:
    return (
        f"111-0000000-{order:07d}\t\t2025-11-01T10:00:00+00:00\t2025-11-02T10:00:00+00:00\tShipped\tAmazon\t"
        f"Amazon.com\tAG-1\tB000000001\t1\tUSD\t10.00"
    )


def billing_row(order: int) -> str:
    return f"412345678,shipping,Shipping label for order #{order},7.50,USD,2025-10-01,#{order}"


def etsy_row(listing: int) -> str:
    return f'"October 1, 2025",Fee,Listing fee,Listing #{listing},USD,--,-$0.20,-$0.20,--'


# (format, source, entity, header, row, extension, numbered from the last row: a newest-first export)
CASES = {
    "payments": ("shopify_payments_csv", "shopify", "payment_transactions", PAYMENTS_HEADER, payments_row, "csv", 0),
    "amazon": ("amazon_all_orders", "amazon", "orders", AMAZON_HEADER, amazon_row, "txt", 0),
    "billing": ("shopify_billing_csv", "shopify", "billing_charges", BILLING_HEADER, billing_row, "csv", 0),
    "etsy statement": ("etsy_statement_csv", "etsy", "statement_lines", ETSY_HEADER, etsy_row, "csv", 1),
}


def identical_rows_far_apart(header: str, row) -> str:
    """The same row twice at the top (a key repeated within a batch), once in the middle and once at the end
    (repeated in later batches), distinct rows between them."""
    fillers = [row(1000 + i) for i in range(FILLERS)]
    rows = [row(1), row(1), *fillers[: FILLERS // 2], row(1), *fillers[FILLERS // 2 :], row(1)]
    return "\n".join([header, *rows]) + "\n"


def keys_landed(lake, source: str, entity: str) -> list[tuple[int, str]]:
    return sorted((r["_source_row"], r["_record_key"]) for r in landed(lake, source, entity))


@pytest.mark.parametrize("case", CASES)
def test_identical_rows_in_different_batches_get_distinct_keys(case, tmp_path, monkeypatch):
    fmt, source, entity, header, row, ext, from_last = CASES[case]
    text = identical_rows_far_apart(header, row)
    assert len(text.encode()) > 3 * SMALL_BATCH  # the first and last rows are batches apart
    path = write(tmp_path / f"export.{ext}", text)

    whole_lake = tmp_path / "whole"
    [whole] = make_ingestor(str(whole_lake)).ingest_paths([str(path)], None)  # one batch: today's keys
    monkeypatch.setattr(base, "BATCH_BYTES", SMALL_BATCH)
    split_lake = tmp_path / "split"
    [split] = make_ingestor(str(split_lake)).ingest_paths([str(path)], None)

    rows = FILLERS + 4
    for result in (whole, split):
        assert (result.format, result.status, result.rows_read, result.rows_landed) == (fmt, "landed", rows, rows)
    whole_keys = keys_landed(whole_lake, source, entity)
    split_keys = keys_landed(split_lake, source, entity)
    assert split_keys == whole_keys  # independent of the batch size
    assert len({k for _, k in split_keys}) == rows  # no two rows share a key: none collapses in the warehouse
    identical = [split_keys[0], split_keys[1], split_keys[FILLERS // 2 + 2], split_keys[-1]]
    assert [line for line, _ in identical] == [2, 3, FILLERS // 2 + 4, rows + 1]  # their lines
    if from_last:
        identical.reverse()  # numbered from the oldest row, at the bottom
    bare = identical[0][1]
    assert not re.search(r"#\d+$", bare)  # the first occurrence keeps the bare natural key
    assert [k for _, k in identical[1:]] == [f"{bare}#2", f"{bare}#3", f"{bare}#4"]
