"""Connectors: pull the platforms' APIs into their native export formats and land them (docs/connectors.md).

`CONNECTORS` maps a lake source to its connector (`base.Connector`); the runner (`runner.pull`), the CLI
(`commerce-analytics pull`) and the Dagster `pulled` assets all read it.
"""

from __future__ import annotations

from ingestion.connectors.amazon_ads import AmazonAdsConnector
from ingestion.connectors.amazon_sp import AmazonSpConnector
from ingestion.connectors.base import Connector
from ingestion.connectors.google_ads import GoogleAdsConnector
from ingestion.connectors.meta_ads import MetaAdsConnector
from ingestion.connectors.shopify import ShopifyConnector

CONNECTORS: dict[str, Connector] = {
    "shopify": ShopifyConnector(),
    "meta_ads": MetaAdsConnector(),
    "amazon_sp": AmazonSpConnector(),
    "amazon_ads": AmazonAdsConnector(),
    "google_ads": GoogleAdsConnector(),
}
