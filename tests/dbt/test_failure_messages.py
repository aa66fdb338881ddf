"""A failing dbt test that stores its failing rows prints their `failure_message` in the console (issue 17,
finding 7): dbt itself only says "Got 1 result" and names the audit table."""

from __future__ import annotations

import textwrap

import pytest

from commerce_analytics.settings import load_settings
from warehouse import runner
from warehouse.dbt_args import DbtInvocation

pytestmark = pytest.mark.dbt

FILES = {
    "dbt_project.yml": """
        name: throwaway
        version: "1.0"
        config-version: 2
        profile: throwaway
        model-paths: ["models"]
        test-paths: ["tests"]
    """,
    "profiles.yml": """
        throwaway:
          target: local
          outputs:
            local:
              type: duckdb
              path: "{{ env_var('COMMERCE_WAREHOUSE') }}"
              threads: 1
    """,
    "models/events.sql": "select 'EUR' as currency, cast('2025-11-03' as date) as event_date",
    "tests/assert_fx_rate_available.sql": """
        {{ config(store_failures=true) }}
        select
            currency,
            'no ' || currency || ' rate on ' || cast(event_date as varchar)
            || ': add it to brand/fx_rates.csv' as failure_message
        from {{ ref('events') }}
    """,
    "tests/assert_no_events_without_message.sql": """
        {{ config(store_failures=true) }}
        select currency from {{ ref('events') }}
    """,
}


def test_failing_test_prints_its_stored_failure_message(tmp_path, monkeypatch, capsys):
    project = tmp_path / "project"
    for name, text in FILES.items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    warehouse = tmp_path / "wh.duckdb"
    monkeypatch.setenv("COMMERCE_WAREHOUSE", str(warehouse))
    settings = load_settings({"COMMERCE_LAKE": str(tmp_path / "lake"), "COMMERCE_WAREHOUSE": str(warehouse)})
    invocation = DbtInvocation(
        target="local", project_dir=str(project), target_path=str(tmp_path / "target"), log_path=str(tmp_path)
    )
    assert runner.run_dbt(invocation, settings) == 1
    err = capsys.readouterr().err
    assert "assert_fx_rate_available: no EUR rate on 2025-11-03: add it to brand/fx_rates.csv" in err
    assert "assert_no_events_without_message" not in err.split("dbt reported failures")[0]
