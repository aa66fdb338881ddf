"""Pulled assets: one per entity a connector pulls, keyed ["pulled", source, entity], upstream of its landed asset.

One multi_asset per connector (`pull_<source>`) runs `ingestion.connectors.runner.pull_source`: every account
from its cursor minus its lookback, landed through the ingestion path before the cursor moves. Credentials are
read from the environment when the step runs (in production Secrets Manager injects them into the task), never
from Dagster config, and no secret reaches logs or metadata. A connector without credentials is skipped: its
assets are materialized with `pull_status: skipped` and the reason (so the landing and dbt steps downstream still
run on whatever else arrived), and its freshness check says it is not configured. A failed pull fails the step
naming the account, the endpoint and the reason. `pull_fresh` checks each account's last successful pull against
COMMERCE_FRESHNESS_HOURS(_<SOURCE>).
"""

import dataclasses
import datetime as dt

import dagster as dg

from commerce_analytics.settings import Settings, load_settings
from ingestion.connectors import CONNECTORS
from ingestion.connectors.base import Connector, NotConfigured
from ingestion.connectors.runner import FAILED, SKIPPED, pull_source
from ingestion.connectors.state import read_state
from orchestration.defs.ingestion import LAKE_WAREHOUSE_POOL
from orchestration.defs.resources import CheckThresholdsResource, LakeResource
from orchestration.lib.pulled import GROUP, pulled_key


def connector_settings(lake: LakeResource) -> Settings:
    """The environment's settings now (connector credentials, lookbacks, retries) on the lake resource's lake."""
    return dataclasses.replace(load_settings(), **{name: getattr(lake.settings(), name) for name in _LAKE_FIELDS})


_LAKE_FIELDS = (
    "lake",
    "inbox",
    "warehouse",
    "dbt_target",
    "timezone",
    "reporting_currency",
    "aws_endpoint_url",
    "inbox_settle_seconds",
    "max_decompressed_mib",
    "max_compression_ratio",
)


def _pull_asset(connector: Connector) -> dg.AssetsDefinition:
    source = connector.source
    specs = [
        dg.AssetSpec(
            key=pulled_key(source, entity),
            group_name=GROUP,
            description=(
                f"{source} {entity} pulled from the platform's API (docs/connectors.md) and landed through the "
                f"ingestion path; needs {', '.join(connector.settings_needed)} (skipped without them)."
            ),
            kinds={"api"},
            tags={"source": source},
        )
        for entity in connector.entities
    ]

    @dg.multi_asset(
        name=f"pull_{source}",
        specs=specs,
        can_subset=False,
        pool=LAKE_WAREHOUSE_POOL,
        description=f"Pull {source} from its API (every account, cursor minus lookback) and land it.",
    )
    def _pull(context: dg.AssetExecutionContext, lake: LakeResource):
        settings = connector_settings(lake)
        results = pull_source(source, None, None, settings, lake.lake())
        failed = [r for r in results if r.status == FAILED]
        for result in results:
            log = {FAILED: context.log.error, SKIPPED: context.log.warning}.get(result.status, context.log.info)
            log(result.summary())
        if failed:
            raise dg.Failure(
                description=" | ".join(r.summary() for r in failed),
                metadata={"failed_accounts": ", ".join(r.account for r in failed)},
                allow_retries=False,  # HTTP retries already ran; the next run re-pulls the same window
            )
        skipped = all(r.status == SKIPPED for r in results)
        metadata = {
            "pull_status": "skipped" if skipped else "pulled",
            "reason": " | ".join(r.message for r in results) if skipped else "",
            "accounts": ", ".join(r.account for r in results if r.account) or "none",
            "windows": ", ".join(f"{r.account}: {r.window}" for r in results if r.window) or "none",
            "files_pulled": sum(len(r.files) for r in results),
            "files_new": sum(r.new_files for r in results),
            "rows_landed": sum(f.rows_landed for r in results for f in r.files),
        }
        for spec in specs:
            yield dg.MaterializeResult(asset_key=spec.key, metadata=metadata)

    return _pull


def _freshness_check(connector: Connector) -> dg.AssetChecksDefinition:
    source = connector.source
    specs = [
        dg.AssetCheckSpec(
            "pull_fresh",
            asset=pulled_key(source, entity),
            description="Every account's last successful pull is newer than COMMERCE_FRESHNESS_HOURS(_<SOURCE>).",
        )
        for entity in connector.entities
    ]

    @dg.multi_asset_check(specs=specs, name=f"check_pulled_{source}", can_subset=False)
    def _check(context, lake: LakeResource, check_thresholds: CheckThresholdsResource):
        settings = connector_settings(lake)
        max_hours = check_thresholds.thresholds().freshness_for(source)
        try:
            accounts = connector.accounts(settings)
        except NotConfigured as exc:
            passed, detail = True, f"not configured: {exc.reason} (nothing to be fresh)"
        else:
            now = dt.datetime.now(dt.UTC)
            stale = []
            for account in accounts:
                pulled_at = read_state(lake.lake(), source, account).get("pulled_at")
                age = (now - dt.datetime.fromisoformat(pulled_at)).total_seconds() / 3600 if pulled_at else None
                if age is None or age > max_hours:
                    stale.append(f"{account}: " + ("never pulled" if age is None else f"last pulled {age:.1f} h ago"))
            passed = not stale
            detail = "; ".join(stale) or f"every account pulled within {max_hours:g} h"
        for spec in specs:
            yield dg.AssetCheckResult(
                asset_key=spec.asset_key,
                check_name=spec.name,
                passed=passed,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={"detail": detail, "max_age_hours": max_hours},
            )

    return _check


@dg.definitions
def pulled_assets() -> dg.Definitions:
    return dg.Definitions(
        assets=[_pull_asset(c) for c in CONNECTORS.values()],
        asset_checks=[_freshness_check(c) for c in CONNECTORS.values()],
    )
