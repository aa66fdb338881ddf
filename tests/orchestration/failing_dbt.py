"""A throwaway dbt project whose middle model can be made to fail (for the failure/re-execution test).

    a  ->  b (fails while ORCH_FAIL_B=1)  ->  c  ->  report (a Python asset after dbt)

`make_job` is the reconstructable entry point `execute_job` needs; it builds the same kind of dbt assets
as orchestration/defs/dbt.py (translator, dbt_args) over the tmp project.
"""

import os
import textwrap
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

from commerce_analytics.settings import load_settings
from orchestration.lib.dbt_project import dbt_executable, stream_dbt, translator
from warehouse.dbt_args import DbtInvocation, dbt_args

FILES = {
    "dbt_project.yml": """
        name: throwaway
        version: "1.0"
        config-version: 2
        profile: throwaway
        model-paths: ["models"]
        models:
          throwaway:
            +materialized: table
    """,
    "profiles.yml": """
        throwaway:
          target: local
          outputs:
            local:
              type: duckdb
              path: "{{ env_var('ORCH_THROWAWAY_DB') }}"
              threads: 1
    """,
    "models/a.sql": "select 1 as id",
    "models/b.sql": """
        {% if env_var('ORCH_FAIL_B', '0') == '1' %}
        select * from a_table_that_does_not_exist
        {% else %}
        select id from {{ ref('a') }}
        {% endif %}
    """,
    "models/c.sql": "select id, id * 2 as doubled from {{ ref('b') }}",
    # A singular test over two models: its dbt meta names the asset it checks (else Dagster cannot attach it).
    "tests/assert_c_doubles_b.sql": """
        {{ config(meta={"dagster": {"ref": {"name": "c"}}}) }}
        select c.id from {{ ref('c') }} as c join {{ ref('b') }} as b on b.id = c.id where c.doubled != 2 * b.id
    """,
    "models/schema.yml": """
        version: 2
        models:
          - name: c
            columns:
              - name: id
                data_tests: [not_null, unique]
    """,
}


def write_project(root: Path) -> Path:
    for rel, text in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).strip() + "\n")
    os.environ["ORCH_THROWAWAY_DB"] = str(root / "throwaway.duckdb")
    DbtCliResource(project_dir=str(root), profiles_dir=str(root), dbt_executable=dbt_executable()).cli(
        ["parse", "--quiet"], target_path=root / "target"
    ).wait()
    return root


def make_job(project_dir: str) -> dg.JobDefinition:
    project = DbtProject(project_dir=project_dir, profiles_dir=project_dir, target_path=Path(project_dir) / "target")

    @dbt_assets(manifest=project.manifest_path, project=project, dagster_dbt_translator=translator())
    def throwaway_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        yield from stream_dbt(dbt, dbt_args(DbtInvocation(), load_settings(), locate=False), context)

    @dg.asset(deps=[dg.AssetKey("c")])
    def report() -> dg.MaterializeResult:
        return dg.MaterializeResult(metadata={"ok": True})

    defs = dg.Definitions(
        assets=[throwaway_models, report],
        resources={
            "dbt": DbtCliResource(project_dir=project_dir, profiles_dir=project_dir, dbt_executable=dbt_executable())
        },
        jobs=[dg.define_asset_job("throwaway", selection=dg.AssetSelection.all(), executor_def=dg.in_process_executor)],
    )
    return defs.resolve_job_def("throwaway")
