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
AMAZON_LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"
AMAZON_SP_API_ENDPOINT = "https://sellingpartnerapi-na.amazon.com"
AMAZON_ADS_API_ENDPOINT = "https://advertising-api.amazon.com"
AMAZON_ADS_AD_PRODUCTS = ("SPONSORED_PRODUCTS", "SPONSORED_BRANDS", "SPONSORED_DISPLAY")
GOOGLE_ADS_API_ENDPOINT = "https://googleads.googleapis.com"
GOOGLE_ADS_API_VERSION = "v26"
GOOGLE_ADS_TOKEN_URL = "https://oauth2.googleapis.com/token"


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
    ingest_workers: int = 1
    """COMMERCE_INGEST_WORKERS: files an ingest lands at once (default: the cores); they share the memory cap."""
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
    shopify_pull_payment_transactions: bool = True
    """SHOPIFY_PULL_PAYMENT_TRANSACTIONS: pull Shopify Payments balance transactions (false: they come from dropped
    Payments exports; a store keeps one of the two paths, docs/connectors.md)."""
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
    # Amazon SP-API, Amazon Ads and Google Ads connectors (ingestion/connectors/amazon_sp.py, amazon_ads.py,
    # google_ads.py). Credentials are repr=False.
    amazon_lwa_token_url: str = AMAZON_LWA_TOKEN_URL
    """AMAZON_LWA_TOKEN_URL: Login with Amazon's token endpoint (SP-API and Amazon Ads)."""
    amazon_sp_api_endpoint: str = AMAZON_SP_API_ENDPOINT
    """AMAZON_SP_API_ENDPOINT: the SP-API regional endpoint of the marketplaces pulled."""
    amazon_sp_lwa_client_id: str = ""
    """AMAZON_SP_LWA_CLIENT_ID: the SP-API app's LWA client id."""
    amazon_sp_lwa_client_secret: str = field(default="", repr=False)
    """AMAZON_SP_LWA_CLIENT_SECRET: the SP-API app's LWA client secret."""
    amazon_sp_refresh_token: str = field(default="", repr=False)
    """AMAZON_SP_REFRESH_TOKEN: the seller's authorization of the app (LWA refresh token)."""
    amazon_sp_marketplace_ids: tuple[str, ...] = ()
    """AMAZON_SP_MARKETPLACE_IDS: comma-separated marketplace ids pulled (e.g. ATVPDKIKX0DER)."""
    amazon_sp_report_poll_seconds: float = 30.0
    """AMAZON_SP_REPORT_POLL_SECONDS: how often a requested report's status is asked."""
    amazon_sp_report_timeout_seconds: float = 3600.0
    """AMAZON_SP_REPORT_TIMEOUT_SECONDS: how long a requested report may take before the pull fails."""
    amazon_ads_api_endpoint: str = AMAZON_ADS_API_ENDPOINT
    """AMAZON_ADS_API_ENDPOINT: the Amazon Ads API regional endpoint of the profiles pulled."""
    amazon_ads_lwa_client_id: str = ""
    """AMAZON_ADS_LWA_CLIENT_ID: the Amazon Ads app's LWA client id."""
    amazon_ads_lwa_client_secret: str = field(default="", repr=False)
    """AMAZON_ADS_LWA_CLIENT_SECRET: the Amazon Ads app's LWA client secret."""
    amazon_ads_refresh_token: str = field(default="", repr=False)
    """AMAZON_ADS_REFRESH_TOKEN: the advertiser's authorization of the app (scope advertising::campaign_management)."""
    amazon_ads_profile_ids: tuple[str, ...] = ()
    """AMAZON_ADS_PROFILE_IDS: comma-separated advertising profile ids (one per marketplace)."""
    amazon_ads_ad_products: tuple[str, ...] = AMAZON_ADS_AD_PRODUCTS
    """AMAZON_ADS_AD_PRODUCTS: which of SPONSORED_PRODUCTS, SPONSORED_BRANDS, SPONSORED_DISPLAY to report."""
    amazon_ads_report_poll_seconds: float = 60.0
    """AMAZON_ADS_REPORT_POLL_SECONDS: how often a report's status is asked."""
    amazon_ads_report_timeout_seconds: float = 10800.0
    """AMAZON_ADS_REPORT_TIMEOUT_SECONDS: how long a report may take (Amazon: up to three hours)."""
    google_ads_api_endpoint: str = GOOGLE_ADS_API_ENDPOINT
    """GOOGLE_ADS_API_ENDPOINT: the Google Ads API REST endpoint."""
    google_ads_api_version: str = GOOGLE_ADS_API_VERSION
    """GOOGLE_ADS_API_VERSION: the API version in the path (Google sunsets each about a year after release)."""
    google_ads_token_url: str = GOOGLE_ADS_TOKEN_URL
    """GOOGLE_ADS_TOKEN_URL: Google's OAuth 2.0 token endpoint."""
    google_ads_developer_token: str = field(default="", repr=False)
    """GOOGLE_ADS_DEVELOPER_TOKEN: the manager account's API developer token."""
    google_ads_client_id: str = ""
    """GOOGLE_ADS_CLIENT_ID: the OAuth client id (Google Cloud project)."""
    google_ads_client_secret: str = field(default="", repr=False)
    """GOOGLE_ADS_CLIENT_SECRET: the OAuth client secret."""
    google_ads_refresh_token: str = field(default="", repr=False)
    """GOOGLE_ADS_REFRESH_TOKEN: a user's OAuth refresh token for scope https://www.googleapis.com/auth/adwords."""
    google_ads_customer_ids: tuple[str, ...] = ()
    """GOOGLE_ADS_CUSTOMER_IDS: comma-separated customer ids pulled (dashes optional)."""
    google_ads_login_customer_id: str = ""
    """GOOGLE_ADS_LOGIN_CUSTOMER_ID: the manager account the access goes through, if any."""

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
        ingest_workers=max(1, int(env.get("COMMERCE_INGEST_WORKERS") or os.cpu_count() or 1)),
        marts_max_age_hours=float(env.get("COMMERCE_MARTS_MAX_AGE_HOURS") or 26.0),
        customer_hash_salt=env.get("COMMERCE_CUSTOMER_HASH_SALT", ""),
        shopify_shop_url=env.get("SHOPIFY_SHOP_URL", "").strip().rstrip("/"),
        shopify_access_token=env.get("SHOPIFY_ACCESS_TOKEN", "").strip(),
        shopify_api_version=env.get("SHOPIFY_API_VERSION") or "2025-07",
        shopify_pull_payment_transactions=env.get("SHOPIFY_PULL_PAYMENT_TRANSACTIONS", "true").strip().lower()
        not in ("false", "0", "no", "off"),
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
        amazon_lwa_token_url=env.get("AMAZON_LWA_TOKEN_URL") or AMAZON_LWA_TOKEN_URL,
        amazon_sp_api_endpoint=(env.get("AMAZON_SP_API_ENDPOINT") or AMAZON_SP_API_ENDPOINT).rstrip("/"),
        amazon_sp_lwa_client_id=env.get("AMAZON_SP_LWA_CLIENT_ID", "").strip(),
        amazon_sp_lwa_client_secret=env.get("AMAZON_SP_LWA_CLIENT_SECRET", "").strip(),
        amazon_sp_refresh_token=env.get("AMAZON_SP_REFRESH_TOKEN", "").strip(),
        amazon_sp_marketplace_ids=_list(env.get("AMAZON_SP_MARKETPLACE_IDS", "")),
        amazon_sp_report_poll_seconds=float(env.get("AMAZON_SP_REPORT_POLL_SECONDS") or 30),
        amazon_sp_report_timeout_seconds=float(env.get("AMAZON_SP_REPORT_TIMEOUT_SECONDS") or 3600),
        amazon_ads_api_endpoint=(env.get("AMAZON_ADS_API_ENDPOINT") or AMAZON_ADS_API_ENDPOINT).rstrip("/"),
        amazon_ads_lwa_client_id=env.get("AMAZON_ADS_LWA_CLIENT_ID", "").strip(),
        amazon_ads_lwa_client_secret=env.get("AMAZON_ADS_LWA_CLIENT_SECRET", "").strip(),
        amazon_ads_refresh_token=env.get("AMAZON_ADS_REFRESH_TOKEN", "").strip(),
        amazon_ads_profile_ids=_list(env.get("AMAZON_ADS_PROFILE_IDS", "")),
        amazon_ads_ad_products=tuple(p.upper() for p in _list(env.get("AMAZON_ADS_AD_PRODUCTS", "")))
        or AMAZON_ADS_AD_PRODUCTS,
        amazon_ads_report_poll_seconds=float(env.get("AMAZON_ADS_REPORT_POLL_SECONDS") or 60),
        amazon_ads_report_timeout_seconds=float(env.get("AMAZON_ADS_REPORT_TIMEOUT_SECONDS") or 10800),
        google_ads_api_endpoint=(env.get("GOOGLE_ADS_API_ENDPOINT") or GOOGLE_ADS_API_ENDPOINT).rstrip("/"),
        google_ads_api_version=env.get("GOOGLE_ADS_API_VERSION") or GOOGLE_ADS_API_VERSION,
        google_ads_token_url=env.get("GOOGLE_ADS_TOKEN_URL") or GOOGLE_ADS_TOKEN_URL,
        google_ads_developer_token=env.get("GOOGLE_ADS_DEVELOPER_TOKEN", "").strip(),
        google_ads_client_id=env.get("GOOGLE_ADS_CLIENT_ID", "").strip(),
        google_ads_client_secret=env.get("GOOGLE_ADS_CLIENT_SECRET", "").strip(),
        google_ads_refresh_token=env.get("GOOGLE_ADS_REFRESH_TOKEN", "").strip(),
        google_ads_customer_ids=tuple(c.replace("-", "") for c in _list(env.get("GOOGLE_ADS_CUSTOMER_IDS", ""))),
        google_ads_login_customer_id=env.get("GOOGLE_ADS_LOGIN_CUSTOMER_ID", "").strip().replace("-", ""),
    )


def _list(value: str) -> tuple[str, ...]:
    """A comma-separated setting as its non-empty items."""
    return tuple(item.strip() for item in value.split(",") if item.strip())
