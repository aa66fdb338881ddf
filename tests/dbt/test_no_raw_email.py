"""Staging stores the salted hash of an email, never the email (issue 17, finding 9): no table or view the
build writes holds any email of the generated data set, on DuckDB and on PostgreSQL. (PostgreSQL's `landed`
schema mirrors the lake, like Redshift's Spectrum tables, and is cleared by `forget-customer` plus a load.)"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

pytestmark = [pytest.mark.dbt, pytest.mark.postgres]

BUILT_SCHEMAS = ("staging", "intermediate", "marts")


def _generated_emails(dataset) -> set[str]:
    out = Path(dataset.out)
    with open(out / "shopify/orders_export_1.csv", newline="", encoding="utf-8") as handle:
        emails = {row["Email"] for row in csv.DictReader(handle)}
    with open(out / "brand/touchpoints.csv", newline="", encoding="utf-8") as handle:
        emails |= {row["customer_email"] for row in csv.DictReader(handle)}
    return {e.strip().lower() for e in emails if "@" in e}


def test_no_email_reaches_the_built_schemas(dbt_build, dbt_dataset):
    emails = _generated_emails(dbt_dataset)
    assert emails
    schemas = ", ".join(f"'{s}'" for s in BUILT_SCHEMAS)
    columns = dbt_build.query(
        "select table_schema, table_name, column_name from information_schema.columns "
        f"where table_schema in ({schemas}) and lower(data_type) in ('varchar', 'text', 'character varying')"
    )
    assert any(table == "stg_shopify__orders" for _, table, _ in columns), "no staging columns found"
    found = {}
    for schema, table, column in columns:
        rows = dbt_build.query(
            f'select distinct lower(trim("{column}")) from {schema}."{table}" where "{column}" like \'%@%\''
        )
        leaked = {value for (value,) in rows} & emails
        if leaked:
            found[f"{schema}.{table}.{column}"] = sorted(leaked)[:3]
    assert found == {}
