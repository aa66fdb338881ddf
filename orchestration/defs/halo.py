"""The Amazon halo estimate: a Python asset downstream of the dbt marts (the logic is warehouse/halo.py).

It reads the daily series from the marts the dbt op just published (and Amazon Ads' own attributed sales from
staging), fits the joint regression and writes `marts.fct_halo_estimate` and `marts.fct_halo_daily`. Its op is in
the lake_warehouse pool, so no build copies or swaps the marts while it writes; the next build's staged marts
carry the two tables until this asset rewrites them. When the data cannot carry the regression (e.g. a platform
that never spent) the tables are dropped and the run goes on: the warning says why.
"""

import dagster as dg

from orchestration.defs.ingestion import LAKE_WAREHOUSE_POOL
from orchestration.lib.settings import OrchestrationSettings, load_orchestration_settings
from warehouse import halo
from warehouse.runner import target_type

INPUTS = [
    dg.AssetKey(["marts", "fct_financial_performance"]),
    dg.AssetKey(["marts", "fct_campaign_daily"]),
    dg.AssetKey(["staging", "stg_amazon_ads__advertised_product_daily"]),
    dg.AssetKey(["staging", "stg_amazon_ads__sponsored_brands_display_daily"]),
]


def build_halo_asset(settings: OrchestrationSettings) -> dg.AssetsDefinition:
    @dg.multi_asset(
        name="halo_estimate",
        specs=[
            dg.AssetSpec(
                ["marts", halo.ESTIMATE_TABLE],
                deps=INPUTS,
                group_name="marts",
                kinds={"python", "statsmodels"},
                description="Halo slopes of Google and Meta spend on Amazon sales, with HAC standard errors and "
                "95% intervals (docs/metrics.md 'Halo estimate').",
            ),
            dg.AssetSpec(
                ["marts", halo.DAILY_TABLE],
                deps=INPUTS,
                group_name="marts",
                kinds={"python", "statsmodels"},
                description="The halo fit per day: observed, fitted, baseline and each platform's contribution.",
            ),
        ],
        pool=LAKE_WAREHOUSE_POOL,
    )
    def _halo(context: dg.AssetExecutionContext):
        kind = target_type(settings.dbt_target, settings.dbt_project_dir)
        try:
            result = halo.run_halo(kind, settings.commerce, settings.halo, settings.dbt_target)
        except halo.HaloNotEstimable as exc:
            context.log.warning(f"no halo estimate: {exc}")
            for table in (halo.ESTIMATE_TABLE, halo.DAILY_TABLE):
                yield dg.MaterializeResult(asset_key=["marts", table], metadata={"not_estimated": str(exc)})
            return
        fit = result.at_setting
        summary = {f"{p}_slope": dg.MetadataValue.float(fit.slopes[p]) for p in halo.PLATFORMS} | {
            f"{p}_ci": f"[{fit.intervals[p][0]:.3f}, {fit.intervals[p][1]:.3f}]" for p in halo.PLATFORMS
        }
        summary |= {
            "n_days": fit.n_days,
            "decay": fit.decay,
            "decay_by_profile_likelihood": result.at_profile.decay,
        }
        yield dg.MaterializeResult(asset_key=["marts", halo.ESTIMATE_TABLE], metadata=summary)
        yield dg.MaterializeResult(asset_key=["marts", halo.DAILY_TABLE], metadata={"n_days": fit.n_days})

    return _halo


@dg.definitions
def halo_estimate() -> dg.Definitions:
    return dg.Definitions(assets=[build_halo_asset(load_orchestration_settings())])
