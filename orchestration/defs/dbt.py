"""dbt assets: every model, seed and snapshot of dbt_project/, with dbt tests as asset checks.

One dbt invocation per run (`dbt build` over the selected assets). A backfill of an order-date range is
the same single invocation with `start_date`/`end_date` vars, built by warehouse/dbt_args.py (the builder
`commerce-analytics build` uses too), so nothing forces a full re-run of untouched models; incremental
models re-process what newer rows touch. The op is in the ingestion ops' concurrency pool, so no ingest
runs while dbt reads the lake (the build also pins the lake at its start: warehouse/runner.py).
"""

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.defs.ingestion import LAKE_WAREHOUSE_POOL
from orchestration.lib.dbt_project import dbt_environment, dbt_project, prepare_manifest, stream_dbt, translator
from orchestration.lib.settings import OrchestrationSettings, load_orchestration_settings
from warehouse.data_test_scope import DataTestScope
from warehouse.dbt_args import DbtInvocation, backfill_vars, dbt_args
from warehouse.publish import build_session
from warehouse.runner import narrows_data_tests, prepare_target, target_type

DBT_OP = "dbt_models"


class DbtBuildConfig(dg.Config):
    start_date: str | None = None
    """Backfill: first order date (YYYY-MM-DD), with end_date; passed to dbt as vars in one run."""
    end_date: str | None = None
    """Backfill: last order date (inclusive)."""
    full_refresh: bool = False
    """Rebuild incremental models from scratch."""
    unit_tests: bool | None = None
    """Run dbt unit tests: by default only with full_refresh (the scheduled run skips them, warehouse/dbt_args.py)."""


def build_dbt_assets(settings: OrchestrationSettings) -> dg.AssetsDefinition:
    project = dbt_project(settings)
    prepare_manifest(settings)

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        name=DBT_OP,
        dagster_dbt_translator=translator(),
        pool=LAKE_WAREHOUSE_POOL,
    )
    def _dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig):
        # The target gets what it needs from the lake first (DuckDB: httpfs and empty-entity placeholders;
        # PostgreSQL: the load step), exactly as `commerce-analytics build` does.
        kind = target_type(settings.dbt_target, settings.dbt_project_dir)
        # Write-audit-publish (warehouse/publish.py): on a DuckDB file dbt builds a staged copy, published
        # only when the build succeeds; the build log tells `report` how the latest build ended.
        invocation = DbtInvocation(
            full_refresh=config.full_refresh,
            unit_tests=config.unit_tests,
            vars=backfill_vars(config.start_date, config.end_date),
        )
        # The scheduled run's per-row and per-key data tests check what landed since the previous build.
        scope = DataTestScope(
            kind, enabled=narrows_data_tests(invocation), target=settings.dbt_target, log=context.log.info
        )
        with build_session(
            kind,
            settings.commerce,
            settings.dbt_target,
            prepare=scope.wrap(lambda staged: prepare_target(kind, staged, log=context.log.info)),
            log=context.log.info,
        ) as session:
            args = dbt_args(invocation, session.settings, locate=False)
            context.log.info(f"dbt {' '.join(args)} (target {settings.dbt_target})")
            with dbt_environment(settings, {**session.environment, **scope.environment()}):
                yield from stream_dbt(dbt, args, context)
            session.succeeded = True

    return _dbt_models


@dg.definitions
def dbt_models() -> dg.Definitions:
    return dg.Definitions(assets=[build_dbt_assets(load_orchestration_settings())])
