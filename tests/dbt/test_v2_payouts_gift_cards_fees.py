"""Gift cards as a liability (docs/metrics.md rule 22) and payment fees only for captured payments (rule 21),
on the session data set, DuckDB and PostgreSQL: `fct_gift_card_liability` equals the truth to the cent, no
gift-card line reaches the fact, and the orders that were never captured or paid only by gift card or a
manual method carry no payment fee and no fee estimate.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from dbt_helpers import as_text

pytestmark = [pytest.mark.dbt, pytest.mark.postgres]


def test_gift_card_liability_equals_truth(dbt_build, dbt_dataset):
    with open(Path(dbt_dataset.truth.folder) / "gift_card_liability.csv", newline="", encoding="utf-8") as handle:
        expected = list(csv.DictReader(handle))
    actual = dbt_build.query_dicts("select * from marts.fct_gift_card_liability order by activity_date")
    assert expected, "the demo sells and redeems gift cards"
    assert any(float(r["sold_amount"]) > 0 for r in expected) and any(float(r["redeemed_amount"]) > 0 for r in expected)
    assert [{k: as_text(v) for k, v in r.items()} for r in actual] == expected


def test_gift_card_lines_stay_out_of_sales(dbt_build):
    [(sold_lines,)] = dbt_build.query("select count(*) from staging.stg_shopify__order_lines where is_gift_card")
    [(in_fact,)] = dbt_build.query(
        "select count(*) from marts.fct_financial_performance f "
        "join staging.stg_shopify__order_lines l on f.order_line_id = cast(l.line_id as varchar) "
        "where l.is_gift_card"
    )
    assert sold_lines > 0 and in_fact == 0


def test_no_payment_fee_without_a_captured_payment(dbt_build):
    rows = dbt_build.query(
        "select o.financial_status, o.payment_method, sum(p.payment_fees_source_cents), "
        "sum(case when p.is_payment_fee_estimated then 1 else 0 end) "
        "from intermediate.int_payment_fees_by_line p join staging.stg_shopify__orders o on p.order_id = o.order_name "
        "where o.financial_status in ('authorized', 'pending', 'voided', 'expired') "
        "or o.payment_method in ('gift_card', 'Gift Card', 'manual') "
        "group by o.financial_status, o.payment_method"
    )
    statuses = {r[0] for r in rows}
    assert {"authorized", "pending"} <= statuses
    assert all(r[2] == 0 and r[3] == 0 for r in rows), rows
