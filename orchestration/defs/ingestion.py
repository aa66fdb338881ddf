"""Ingestion assets: one multi_asset per source, one asset per landed entity, keyed ["landed", source, entity].

File-driven, not daily-partitioned: a run ingests the files named
in its config (the inbox sensor names the new ones) or, with no config, whatever sits in the inbox; each
file is routed by its detected format, so a source's asset only takes its own files. Ingestion itself is
`ingestion.ingest.Ingestor` (idempotent: the same bytes again are a duplicate and change nothing).
A rejected file does not fail the run: the entity's `no_rejected_files` check names it and the reason.
Every ingestion op and the dbt op share the concurrency pool `LAKE_WAREHOUSE_POOL` (limit 1, set in the
instance's dagster.yaml), so Dagster never ingests while a build reads the lake, across runs too.
"""

import dagster as dg

from ingestion import registry
from ingestion.ingest import ingest_paths_capped
from orchestration.defs.resources import LakeResource
from orchestration.lib.pulled import pulled_deps

GROUP = "landed"
MANIFESTS_KEY = dg.AssetKey(["lake", "manifests"])
"""dbt's `source('lake', 'manifests')`: the manifests every ingestion asset writes beside its Parquet."""
LAKE_WAREHOUSE_POOL = "lake_warehouse"
"""The concurrency pool of the ops that write the lake or build from it: one of them runs at a time."""
RETRY = dg.RetryPolicy(max_retries=3, delay=5, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)

_POLARS_TYPES = {"Decimal": "decimal", "Datetime": "timestamp", "String": "string", "Int64": "bigint"}


class IngestConfig(dg.Config):
    paths: list[str] = []  # noqa: RUF012 - pydantic copies defaults
    """Files or folders to ingest (local paths or s3:// URLs). Empty: the lake's inbox."""
    keep_inbox: bool = False
    """Leave ingested files in the inbox (they are removed once recorded by default)."""
    skip: list[str] = []  # noqa: RUF012 - pydantic copies defaults
    """Glob patterns of relative paths inside the given folders that are not exports (e.g. a demo set's truth)."""


def op_name(source: str) -> str:
    return f"ingest_{source}"


def _column_schema(entity: registry.Entity) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name, _POLARS_TYPES.get(type(dtype).__name__, type(dtype).__name__.lower()))
            for name, dtype in entity.schema().items()
        ]
    )


def entity_spec(entity: registry.Entity) -> dg.AssetSpec:
    return dg.AssetSpec(
        key=entity.asset_key,
        group_name=GROUP,
        description=f"{entity.description}\n\nRecord key: {entity.record_key}. Version: {entity.record_version}.",
        kinds={"parquet"},
        metadata={
            "lake_prefix": entity.landed_prefix,
            "formats": ", ".join(entity.formats),
            "record_key": entity.record_key,
            "dagster/column_schema": _column_schema(entity),
        },
        tags={"source": entity.source},
        deps=pulled_deps(entity.source, entity.name),  # a connector's pull runs before its landing
    )


def build_ingestion_assets() -> list[dg.AssetsDefinition]:
    by_source: dict[str, list[registry.Entity]] = {}
    for entity in registry.ENTITIES.values():
        by_source.setdefault(entity.source, []).append(entity)
    return [_source_asset(source, entities) for source, entities in by_source.items()]


def _source_asset(source: str, entities: list[registry.Entity]) -> dg.AssetsDefinition:
    @dg.multi_asset(
        name=op_name(source),
        specs=[entity_spec(e) for e in entities],
        can_subset=True,
        retry_policy=RETRY,
        pool=LAKE_WAREHOUSE_POOL,
        description=f"Land {source} export files into the lake (detect, validate, quarantine, record).",
    )
    def _ingest(context: dg.AssetExecutionContext, config: IngestConfig, lake: LakeResource):
        locations = config.paths or [lake.inbox_url]
        mine, others = [], 0
        for location in locations:
            for found in lake.list_files(location):  # a file another run already took is simply gone
                if lake.classify(found.path).source == source:
                    mine.append(found.path)
                else:
                    others += 1
        context.log.info(f"{len(mine)} {source} file(s) to ingest; {others} other file(s) left to their sources")
        # In a child process whose memory COMMERCE_INGEST_MEMORY_MIB caps (when set), as `commerce-analytics ingest`.
        settings = lake.settings()
        results = ingest_paths_capped(settings, mine, keep_inbox=config.keep_inbox, skip=config.skip) if mine else []
        for result in results:
            level = context.log.warning if result.status in ("rejected", "partial") else context.log.info
            level(f"{result.status.upper()} {result.source_file}: {result.message}")
        by_status = {
            s: sum(1 for r in results if r.status == s) for s in ("landed", "partial", "duplicate", "rejected")
        }
        for entity in entities:
            key = dg.AssetKey(entity.asset_key)
            if key not in context.selected_asset_keys:
                continue
            rows = sum(r.entities.get(entity.name, {}).get("rows_landed", 0) for r in results)
            files = [r.source_file for r in results if entity.name in r.entities]
            yield dg.MaterializeResult(
                asset_key=key,
                metadata={
                    "rows_landed_this_run": rows,
                    "files_this_run": len(files),
                    "files": dg.MetadataValue.md("\n".join(f"- {f}" for f in files) or "none"),
                    **{f"files_{status}": n for status, n in by_status.items()},
                },
            )

    return _ingest


def manifests_spec() -> dg.AssetSpec:
    """The lake's manifests as an external asset in the landed group (written by every ingestion asset).

    Staging reads them to see which landed files are visible; declaring them here keeps them in the landed
    group of the one graph instead of a stray `default` group.
    """
    return dg.AssetSpec(
        key=MANIFESTS_KEY,
        group_name=GROUP,
        description=(
            "One JSON manifest per landed file content (`_manifests/<source>/<sha256>.json`): checksum, parser "
            "version, status and rows read/landed/quarantined. Written by every ingestion asset of the landed "
            "group; staging models read it so that only files with a manifest are visible."
        ),
        kinds={"json"},
        metadata={"lake_prefix": "_manifests"},
    )


@dg.definitions
def ingestion_assets() -> dg.Definitions:
    return dg.Definitions(assets=[*build_ingestion_assets(), manifests_spec()])
