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


CASES = {
    "payments": ("shopify_payments_csv", "shopify", "payment_transactions", PAYMENTS_HEADER, payments_row, "csv"),
    "amazon": ("amazon_all_orders", "amazon", "orders", AMAZON_HEADER, amazon_row, "txt"),
    "billing": ("shopify_billing_csv", "shopify", "billing_charges", BILLING_HEADER, billing_row, "csv"),
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
    fmt, source, entity, header, row, ext = CASES[case]
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
    first, second, middle, last = (split_keys[0], split_keys[1], split_keys[FILLERS // 2 + 2], split_keys[-1])
    assert (first[0], second[0], middle[0], last[0]) == (2, 3, FILLERS // 2 + 4, rows + 1)  # their lines
    assert (second[1], middle[1], last[1]) == (f"{first[1]}#2", f"{first[1]}#3", f"{first[1]}#4")
    assert not re.search(r"#\d+$", first[1])  # the first occurrence keeps the bare natural key
