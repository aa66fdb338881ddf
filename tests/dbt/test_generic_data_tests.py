"""The project's generic data tests (dbt_project/tests/generic, macros/data_tests.sql) still fail on the faults
they exist to catch after their speed-ups: a throwaway dbt project on DuckDB with hand-made rows, one build."""

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
    """,
}


def test_unique_combination_of_columns_finds_every_repeated_combination(tmp_path, monkeypatch):
    from dbt.cli.main import dbtRunner

    project = tmp_path / "project"
    for name, text in FILES.items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    shutil.copytree(PROJECT / "tests" / "generic", project / "tests" / "generic")
    (project / "macros").mkdir()
    shutil.copyfile(PROJECT / "macros" / "data_tests.sql", project / "macros" / "data_tests.sql")
    monkeypatch.setenv("GENERIC_TESTS_WAREHOUSE", str(tmp_path / "check.duckdb"))
    args = ["build", "--project-dir", str(project), "--profiles-dir", str(project)]
    args += ["--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path)]
    result = dbtRunner().invoke(args)
    tests = {r.node.attached_node.split(".")[-1]: r for r in result.result.results if r.node.resource_type == "test"}
    assert set(tests) == {"repeated_rows", "distinct_rows"}
    assert "hash(" in tests["repeated_rows"].node.compiled_code  # DuckDB's hash-first implementation ran
    # One failing row per repeated combination: ('a', 1, 2025-11-01) on 3 rows, ('b', null, 2025-11-02) on 2.
    assert (str(tests["repeated_rows"].status), tests["repeated_rows"].failures) == ("fail", 2)
    assert str(tests["distinct_rows"].status) == "pass"
