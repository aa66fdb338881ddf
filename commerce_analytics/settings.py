"""Settings from the environment, with the defaults of the embedded demo.

Read through `load_settings()` when a command runs, never at import time, so
Dagster definitions and tests can change the environment first.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

# Days re-pulled before a connector's cursor: ad platforms restate conversions and spend for weeks; Shopify's
# cursor is `updated_at`, so its overlap only covers clock skew and orders updated while a pull ran.
DEFAULT_LOOKBACK_DAYS = {"shopify": 1}
AD_PLATFORM_LOOKBACK_DAYS = 28
META_GRAPH_API_URL = "https://graph.facebook.com/v23.0"


@dataclass(frozen=True)
class Settings:
    lake: str
    inbox: str
    warehouse: str
    dbt_target: str
    timezone: str
    reporting_currency: str
    aws_endpoint_url: str | None
    dbt_schema: str = ""
    """DBT_SCHEMA: a developer's schema prefix on non-prod targets (dbt_project/macros/generate_schema_name.sql)."""
    inbox_settle_seconds: float = 30.0
    """COMMERCE_INBOX_SETTLE_SECONDS: a local inbox file is ingested once unmodified this long (S3 is atomic)."""
    max_decompressed_mib: int = 16384
    """COMMERCE_INGEST_MAX_DECOMPRESSED_MIB: the most one compressed export may expand to."""
    max_compression_ratio: float = 200.0
    """COMMERCE_INGEST_MAX_COMPRESSION_RATIO: decompressed / compressed size above which a file is a bomb."""
    ingest_memory_mib: int = 0
    """COMMERCE_INGEST_MEMORY_MIB: caps `commerce-analytics ingest`'s memory (0: no cap); beyond it the run exits 3."""
    marts_max_age_hours: float = 26.0
    """COMMERCE_MARTS_MAX_AGE_HOURS: `report` warns when the latest successful build is older (daily + slack)."""
    customer_hash_salt: str = field(default="", repr=False)
    """COMMERCE_CUSTOMER_HASH_SALT: the salt of customer keys; empty -> the lake's own (warehouse/customer_salt.py)."""
    # Connectors (ingestion/connectors/, docs/connectors.md). Secrets are repr=False: never in logs or metadata.
    shopify_shop_url: str = ""
    """SHOPIFY_SHOP_URL: the store's Admin URL, `https://<shop>.myshopify.com`."""
    shopify_access_token: str = field(default="", repr=False)
    """SHOPIFY_ACCESS_TOKEN: a custom app's Admin API access token (read-only scopes)."""
    shopify_api_version: str = "2025-07"
    """SHOPIFY_API_VERSION: the Admin API version pulled."""
    meta_graph_api_url: str = META_GRAPH_API_URL
    """META_GRAPH_API_URL: the Graph API base URL, with its version."""
    meta_access_token: str = field(default="", repr=False)
    """META_ACCESS_TOKEN: a system user's token with ads_read."""
    meta_ad_account_ids: tuple[str, ...] = ()
    """META_AD_ACCOUNT_IDS: comma-separated ad account ids (`act_` optional)."""
    lookback: dict[str, int] = field(default_factory=dict)
    """<SOURCE>_LOOKBACK_DAYS (SHOPIFY_, META_ADS_, GOOGLE_ADS_, AMAZON_ADS_, AMAZON_SP_): days re-pulled."""
    pull_backfill_days: int = 365
    """COMMERCE_PULL_BACKFILL_DAYS: how far back a first pull (no cursor, no --since) reaches."""
    pull_timeout_seconds: float = 60.0
    """COMMERCE_PULL_TIMEOUT_SECONDS: one HTTP request's connect/read timeout."""
    pull_retry_attempts: int = 8
    """COMMERCE_PULL_RETRY_ATTEMPTS: attempts per request on 429, 5xx and transport errors."""
    pull_backoff_seconds: float = 1.0
    """COMMERCE_PULL_BACKOFF_SECONDS: the first retry's wait; doubles up to COMMERCE_PULL_BACKOFF_MAX_SECONDS."""
    pull_backoff_max_seconds: float = 60.0
    """COMMERCE_PULL_BACKOFF_MAX_SECONDS: the longest wait between retries (Retry-After may ask for longer)."""
    pull_deadline_seconds: float = 900.0
    """COMMERCE_PULL_DEADLINE_SECONDS: a request's total time with its retries; past it the pull fails."""

    def lookback_days(self, source: str) -> int:
        """Days re-pulled before `source`'s cursor (<SOURCE>_LOOKBACK_DAYS, defaults: ad platforms 28)."""
        return self.lookback.get(source, DEFAULT_LOOKBACK_DAYS.get(source, AD_PLATFORM_LOOKBACK_DAYS))

    def schema(self, name: str, target: str | None = None) -> str:
        """The warehouse schema dbt gives custom schema `name` (`marts`, ...) on `target`: the same rule as
        the dbt macro, so readers find what a developer's build wrote."""
        developer = self.dbt_schema.strip()
        if (target or self.dbt_target) == "prod" or not developer:
            return name
        return f"{developer if developer.endswith('_') else developer + '_'}{name}"


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    lake = env.get("COMMERCE_LAKE", "./data/lake").rstrip("/")
    return Settings(
        lake=lake,
        inbox=env.get("COMMERCE_INBOX", f"{lake}/inbox"),
        warehouse=env.get("COMMERCE_WAREHOUSE", "./data/warehouse.duckdb"),
        dbt_target=env.get("DBT_TARGET", "local"),
        timezone=env.get("COMMERCE_TIMEZONE", "America/New_York"),
        reporting_currency=env.get("COMMERCE_REPORTING_CURRENCY", "USD"),
        aws_endpoint_url=env.get("AWS_ENDPOINT_URL") or None,
        dbt_schema=env.get("DBT_SCHEMA", ""),
        inbox_settle_seconds=float(env.get("COMMERCE_INBOX_SETTLE_SECONDS", "30")),
        max_decompressed_mib=int(env.get("COMMERCE_INGEST_MAX_DECOMPRESSED_MIB", "16384")),
        max_compression_ratio=float(env.get("COMMERCE_INGEST_MAX_COMPRESSION_RATIO", "200")),
        ingest_memory_mib=int(env.get("COMMERCE_INGEST_MEMORY_MIB", "0")),
        marts_max_age_hours=float(env.get("COMMERCE_MARTS_MAX_AGE_HOURS") or 26.0),
        customer_hash_salt=env.get("COMMERCE_CUSTOMER_HASH_SALT", ""),
        shopify_shop_url=env.get("SHOPIFY_SHOP_URL", "").strip().rstrip("/"),
        shopify_access_token=env.get("SHOPIFY_ACCESS_TOKEN", "").strip(),
        shopify_api_version=env.get("SHOPIFY_API_VERSION") or "2025-07",
        meta_graph_api_url=(env.get("META_GRAPH_API_URL") or META_GRAPH_API_URL).rstrip("/"),
        meta_access_token=env.get("META_ACCESS_TOKEN", "").strip(),
        meta_ad_account_ids=tuple(a.strip() for a in env.get("META_AD_ACCOUNT_IDS", "").split(",") if a.strip()),
        lookback={
            name[: -len("_LOOKBACK_DAYS")].lower(): int(value)
            for name, value in env.items()
            if name.endswith("_LOOKBACK_DAYS") and value.strip()
        },
        pull_backfill_days=int(env.get("COMMERCE_PULL_BACKFILL_DAYS") or 365),
        pull_timeout_seconds=float(env.get("COMMERCE_PULL_TIMEOUT_SECONDS") or 60),
        pull_retry_attempts=int(env.get("COMMERCE_PULL_RETRY_ATTEMPTS") or 8),
        pull_backoff_seconds=float(env.get("COMMERCE_PULL_BACKOFF_SECONDS") or 1),
        pull_backoff_max_seconds=float(env.get("COMMERCE_PULL_BACKOFF_MAX_SECONDS") or 60),
        pull_deadline_seconds=float(env.get("COMMERCE_PULL_DEADLINE_SECONDS") or 900),
    )
