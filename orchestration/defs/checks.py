"""Python asset checks on the landed entities (dbt tests surface as checks through dagster-dbt).

Per entity: reconciliation (landed Parquet rows vs manifest counts; error), no_rejected_files (a rejected
delivery names the file and the reason; error), quarantine_rate (warn above the threshold), freshness
(warn when the source's last delivery is older than its limit) and row_count_anomalies (warn). One
multi_asset_check per source, so a source's checks read its manifests once. The logic lives in
orchestration/lib/lake_checks.py.
"""

import datetime as dt

import dagster as dg

from ingestion import registry
from orchestration.defs.resources import CheckThresholdsResource, LakeResource
from orchestration.lib import lake_checks

CHECKS = {
    "reconciliation": "Landed Parquet rows equal the manifests' counts; rows read = landed + quarantined.",
    "no_rejected_files": "No delivery of a format feeding this entity was rejected within the window.",
    "quarantine_rate": "Quarantined / read rows stay under the threshold (warning).",
    "freshness": "The source delivered within its configured hours (warning).",
    "row_count_anomalies": "No day's landed rows far below or above the trailing 28-day median (warning).",
}


def _result(key: dg.AssetKey, name: str, outcome: lake_checks.CheckOutcome) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=name,
        passed=outcome.passed,
        severity=dg.AssetCheckSeverity.WARN if outcome.warn else dg.AssetCheckSeverity.ERROR,
        description=outcome.description,
        metadata=outcome.metadata,
    )


def _source_checks(source: str, entities: list[registry.Entity]) -> dg.AssetChecksDefinition:
    specs = [
        dg.AssetCheckSpec(name, asset=dg.AssetKey(e.asset_key), description=description, blocking=False)
        for e in entities
        for name, description in CHECKS.items()
    ]

    @dg.multi_asset_check(specs=specs, name=f"check_landed_{source}", can_subset=True)
    def _check(context: dg.AssetCheckExecutionContext, lake: LakeResource, check_thresholds: CheckThresholdsResource):
        the_lake = lake.lake()
        thresholds = check_thresholds.thresholds()
        manifests = lake_checks.source_manifests(the_lake, source)
        now = dt.datetime.now(dt.UTC)
        selected = context.selected_asset_check_keys
        for entity in entities:
            key = dg.AssetKey(entity.asset_key)
            outcomes = {
                "reconciliation": lambda e=entity: lake_checks.reconciliation(the_lake, e, manifests),
                "no_rejected_files": lambda e=entity: lake_checks.rejected_files(e, manifests, thresholds, now),
                "quarantine_rate": lambda e=entity: lake_checks.quarantine_rate(e, manifests, thresholds),
                "freshness": lambda e=entity: lake_checks.freshness(e, manifests, thresholds, now),
                "row_count_anomalies": lambda e=entity: lake_checks.row_count_anomalies(
                    the_lake, e, manifests, thresholds
                ),
            }
            for name, evaluate in outcomes.items():
                if dg.AssetCheckKey(key, name) in selected:
                    yield _result(key, name, evaluate())

    return _check


def build_lake_checks() -> list[dg.AssetChecksDefinition]:
    by_source: dict[str, list[registry.Entity]] = {}
    for entity in registry.ENTITIES.values():
        by_source.setdefault(entity.source, []).append(entity)
    return [_source_checks(source, entities) for source, entities in by_source.items()]


@dg.definitions
def lake_asset_checks() -> dg.Definitions:
    return dg.Definitions(asset_checks=build_lake_checks())
