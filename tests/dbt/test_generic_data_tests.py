"""The project's generic data tests (dbt_project/tests/generic, macros/data_tests.sql) still fail on the faults
they exist to catch after their speed-ups, and on a scheduled build (COMMERCE_DATA_TESTS_LANDED_AFTER) on those the
new rows bring: a throwaway dbt project on DuckDB with hand-made rows."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.dbt

PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"

FILES = {
    "dbt_project.yml": """
        name: generic_tests_check
        version: "1.0"
        config-version: 2
        profile: generic_tests_check
        model-paths: ["models"]
        macro-paths: ["macros"]
        test-paths: ["tests"]
    """,
    "profiles.yml": """
        generic_tests_check:
          target: local
          outputs:
            local:
              type: duckdb
              path: "{{ env_var('GENERIC_TESTS_WAREHOUSE') }}"
              threads: 1
    """,
    # Two repeated combinations (one of them with a null, which group by treats as a value) and rows that
    # differ in one column only, which are not repeats.
    "models/repeated_rows.sql": """
        select * from (values
            ('a', 1, cast('2025-11-01' as date)),
            ('a', 1, cast('2025-11-01' as date)),
            ('a', 1, cast('2025-11-01' as date)),
            ('b', null, cast('2025-11-02' as date)),
            ('b', null, cast('2025-11-02' as date)),
            ('c', 2, cast('2025-11-03' as date)),
            ('c', 2, cast('2025-11-04' as date)),
            ('c', 3, cast('2025-11-03' as date))
        ) as rows_ (order_id, line_number, event_date)
    """,
    "models/distinct_rows.sql": """
        select * from (values
            ('c', 2, cast('2025-11-03' as date)),
            ('c', 2, cast('2025-11-04' as date)),
            ('c', null, cast('2025-11-04' as date)),
            (null, 2, cast('2025-11-04' as date))
        ) as rows_ (order_id, line_number, event_date)
    """,
    # A staging model's lineage columns. Landed before the previous build (2025-11-01): k2 without its file
    # and k4 on two rows (faults that build's tests caught). Landed after it (2025-11-05): a second version of
    # k1 kept beside the first, and k3 with a format the model does not read.
    "models/staging/landed_rows.sql": """
        select
            _record_key, _source_file, 'abc' as _source_sha256, _source_format,
            cast(_ingested_at as timestamp) as _ingested_at
        from (values
            ('k1', 'orders_1.csv', 'shopify_orders_csv', '2025-11-01 08:00:00'),
            ('k1', 'orders_2.csv', 'shopify_orders_csv', '2025-11-05 08:00:00'),
            ('k2', null, 'shopify_orders_csv', '2025-11-01 08:00:00'),
            ('k3', 'orders_2.csv', 'amazon_all_orders', '2025-11-05 08:00:00'),
            ('k4', 'orders_1.csv', 'shopify_orders_csv', '2025-11-01 08:00:00'),
            ('k4', 'orders_1.csv', 'shopify_orders_csv', '2025-11-01 08:00:00'),
            ('k5', 'orders_2.csv', 'shopify_orders_csv', '2025-11-05 08:00:00')
        ) as rows_ (_record_key, _source_file, _source_format, _ingested_at)
    """,
    # An affected-keys incremental model: rows written by the previous build (watermark 2025-11-01) and by the
    # scheduled one (2025-11-05). Old faults: L1 refunds on two rows, L3's null amount. New ones: L2 refunds
    # written again beside its old row, L4's null amount.
    "models/line_amounts.sql": """
        {{ config(materialized='incremental') }}
        select order_line_id, measure, amount, cast(_landed_through as timestamp) as _landed_through
        from (values
            ('L1', 'refunds', 1, '2025-11-01 08:00:00'),
            ('L1', 'refunds', 1, '2025-11-01 08:00:00'),
            ('L2', 'refunds', 2, '2025-11-01 08:00:00'),
            ('L2', 'refunds', 2, '2025-11-05 08:00:00'),
            ('L3', 'refunds', null, '2025-11-01 08:00:00'),
            ('L4', 'taxes', null, '2025-11-05 08:00:00'),
            ('L5', 'taxes', 5, '2025-11-05 08:00:00')
        ) as rows_ (order_line_id, measure, amount, _landed_through)
    """,
    # A model rebuilt whole that carries an input's `_ingested_at`: a new row may carry an old time (a new order
    # credited to an old touch), so it is checked whole even on a scheduled build.
    "models/credits.sql": """
        select order_id, touchpoint_id, cast(_ingested_at as timestamp) as _ingested_at
        from (values
            ('o9', 't1', '2025-11-01 08:00:00'),
            ('o9', 't1', '2025-11-01 08:00:00')
        ) as rows_ (order_id, touchpoint_id, _ingested_at)
    """,
    "models/_models.yml": """
        version: 2
        models:
          - name: repeated_rows
            data_tests:
              - unique_combination_of_columns:
                  arguments:
                    combination_of_columns: [order_id, line_number, event_date]
          - name: distinct_rows
            data_tests:
              - unique_combination_of_columns:
                  arguments:
                    combination_of_columns: [order_id, line_number, event_date]
          - name: credits
            data_tests:
              - unique_combination_of_columns:
                  arguments:
                    combination_of_columns: [order_id, touchpoint_id]
          - name: line_amounts
            data_tests:
              - unique_combination_of_columns:
                  arguments:
                    combination_of_columns: [order_line_id, measure]
                  config:
                    store_failures: true
              - not_null_columns:
                  arguments:
                    columns: [amount]
                  config:
                    store_failures: true
          - name: landed_rows
            data_tests:
              - lineage_columns_valid:
                  arguments:
                    source_formats: [shopify_orders_csv]
                  config:
                    store_failures: true
    """,
}


def _project(tmp_path, monkeypatch) -> Path:
    project = tmp_path / "project"
    for name, text in FILES.items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    shutil.copytree(PROJECT / "tests" / "generic", project / "tests" / "generic")
    (project / "macros").mkdir()
    shutil.copyfile(PROJECT / "macros" / "data_tests.sql", project / "macros" / "data_tests.sql")
    monkeypatch.setenv("GENERIC_TESTS_WAREHOUSE", str(tmp_path / "check.duckdb"))
    return project


def _dbt(project: Path, tmp_path: Path, *args: str) -> dict:
    """dbt's test results by the model and generic test."""
    from dbt.cli.main import dbtRunner

    paths = ["--project-dir", str(project), "--profiles-dir", str(project)]
    paths += ["--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path)]
    result = dbtRunner().invoke([*args, *paths])
    return {
        (r.node.attached_node.split(".")[-1], r.node.test_metadata.name): r
        for r in result.result.results
        if r.node.resource_type == "test"
    }


def _failing_rows(tmp_path: Path, result) -> list[tuple]:
    import duckdb

    # dbt-duckdb keeps the file open in this process: connect with the same (default) configuration.
    with duckdb.connect(str(tmp_path / "check.duckdb")) as con:
        return sorted(con.execute(f"select * from {result.node.relation_name}").fetchall())


def test_generic_tests_fail_on_their_faults_and_on_new_rows_faults_when_scheduled(tmp_path, monkeypatch):
    project = _project(tmp_path, monkeypatch)
    monkeypatch.delenv("COMMERCE_DATA_TESTS_LANDED_AFTER", raising=False)
    tests = _dbt(project, tmp_path, "build")
    unique, not_null, lineage = "unique_combination_of_columns", "not_null_columns", "lineage_columns_valid"
    assert set(tests) == {
        ("repeated_rows", unique),
        ("distinct_rows", unique),
        ("credits", unique),
        ("line_amounts", unique),
        ("line_amounts", not_null),
        ("landed_rows", lineage),
    }
    assert "hash(" in tests["repeated_rows", unique].node.compiled_code  # DuckDB's hash-first implementation ran
    # One failing row per repeated combination: ('a', 1, 2025-11-01) on 3 rows, ('b', null, 2025-11-02) on 2.
    assert (str(tests["repeated_rows", unique].status), tests["repeated_rows", unique].failures) == ("fail", 2)
    assert str(tests["distinct_rows", unique].status) == "pass"
    assert _failing_rows(tmp_path, tests["line_amounts", unique]) == [("L1", "refunds", 2), ("L2", "refunds", 2)]
    assert _failing_rows(tmp_path, tests["line_amounts", not_null]) == [("amount", 2, "amount is null on 2 rows")]
    assert _failing_rows(tmp_path, tests["landed_rows", lineage]) == [
        ("k1", "_record_key k1 is on 2 rows"),
        ("k2", "_source_file is null"),
        ("k3", "_source_format amazon_all_orders is not one of shopify_orders_csv"),
        ("k4", "_record_key k4 is on 2 rows"),
    ]

    # A scheduled build after one that saw the rows up to 2025-11-01 (warehouse/data_test_scope.py): what the
    # rows written since break still fails (L2 again beside its old row, L4's null; k1's new version beside
    # its old one, k3); what the previous build's tests already reported is not checked again.
    monkeypatch.setenv("COMMERCE_DATA_TESTS_LANDED_AFTER", "2025-11-03 00:00:00.000000+00:00")
    tests = _dbt(project, tmp_path, "test", "-s", "credits", "line_amounts", "landed_rows")
    assert tests["credits", unique].failures == 1  # not incremental nor staging: whole
    assert _failing_rows(tmp_path, tests["line_amounts", unique]) == [("L2", "refunds", 2)]
    assert _failing_rows(tmp_path, tests["line_amounts", not_null]) == [("amount", 1, "amount is null on 1 rows")]
    assert _failing_rows(tmp_path, tests["landed_rows", lineage]) == [
        ("k1", "_record_key k1 is on 2 rows"),
        ("k3", "_source_format amazon_all_orders is not one of shopify_orders_csv"),
    ]
