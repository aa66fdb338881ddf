"""Names shared by the `pulled` assets and the landed assets they feed: ["pulled", source, entity]."""

from __future__ import annotations

import dagster as dg

from ingestion.connectors import CONNECTORS

GROUP = "pulled"


def pulled_key(source: str, entity: str) -> dg.AssetKey:
    return dg.AssetKey(["pulled", source, entity])


def pulled_deps(source: str, entity: str) -> list[dg.AssetKey]:
    """The pulled asset upstream of landed `source/entity` (none when no connector pulls it). A connector lands
    under its `lake_source` when that differs from its own name (`amazon_sp` lands Seller Central's `amazon`)."""
    return [
        pulled_key(connector.source, entity)
        for connector in CONNECTORS.values()
        if connector.lake_source == source and entity in connector.entities
    ]
