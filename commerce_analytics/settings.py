"""Settings from the environment, with the defaults of the embedded demo.

Read through `load_settings()` when a command runs, never at import time, so
Dagster definitions and tests can change the environment first.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field


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
    )
