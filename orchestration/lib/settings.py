"""The one place Dagster reads the environment: settings, and the environment -> dbt target mapping.

`load_orchestration_settings()` runs when definitions load (inside `@dg.definitions` functions), never at
import time, so tests and `make dev` can set the environment first. Everything else in `orchestration/`
receives an `OrchestrationSettings` or a resource built from it.

Environment variables (the README's "Settings", plus the orchestration knobs):

    COMMERCE_LAKE, COMMERCE_INBOX, COMMERCE_WAREHOUSE, COMMERCE_TIMEZONE,
    COMMERCE_REPORTING_CURRENCY, AWS_ENDPOINT_URL,
    COMMERCE_CUSTOMER_HASH_SALT                             shared with ingestion (commerce_analytics.settings)
    COMMERCE_INBOX_SETTLE_SECONDS  the sensor (and ingest) takes a local inbox file once it has been unmodified this
                                   long (default 30; S3 objects are atomic and need none)
    COMMERCE_INGEST_MAX_DECOMPRESSED_MIB / COMMERCE_INGEST_MAX_COMPRESSION_RATIO  decompression caps (ingestion)
    COMMERCE_INGEST_WORKERS / COMMERCE_INGEST_MEMORY_MIB  files landed at once, and the memory cap they share
    COMMERCE_DUCKDB_MEMORY_LIMIT / COMMERCE_DUCKDB_THREADS / COMMERCE_DUCKDB_TEMP_DIRECTORY  DuckDB's limits for dbt,
                                   read by dbt_project/profiles.yml (the dbt step inherits the environment), like
    COMMERCE_DBT_THREADS           the models dbt builds at once on DuckDB (they share the memory limit)
    COMMERCE_ENV       local (default) | ci | prod: picks the dbt target when DBT_TARGET is not set
    DBT_TARGET         local | postgres | prod: overrides COMMERCE_ENV's target
    COMMERCE_DBT_TARGET_PATH     where dbt writes manifest.json for Dagster (default dbt_project/target)
    COMMERCE_DAILY_CRON          the daily schedule (default "0 6 * * *", in COMMERCE_TIMEZONE)
    COMMERCE_AUTOMATION            running (default) | stopped: the default status of the schedule and sensor
    COMMERCE_EXECUTOR              in_process (default: steps share the run's process, so the definitions load
                                   once per run) | multiprocess (one process per step, ingestion in parallel)
    COMMERCE_INBOX_SENSOR_SECONDS  how often the inbox sensor lists the inbox (default 60)
    COMMERCE_QUARANTINE_WARN_RATE  quarantined / read above which the quarantine check warns (default 0.01)
    COMMERCE_FRESHNESS_HOURS       hours since the last delivery before a source is stale (default 36);
    COMMERCE_FRESHNESS_HOURS_<SOURCE>  per source, e.g. COMMERCE_FRESHNESS_HOURS_AMAZON=336
    COMMERCE_REJECTION_WINDOW_HOURS  how far back a rejected delivery fails its check (default 168)
    COMMERCE_ANOMALY_LOW_RATIO / COMMERCE_ANOMALY_HIGH_RATIO  a day's landed rows below/above this share
                                   of the trailing median are an anomaly (default 0.2 / 5.0)
    COMMERCE_HALO_MARKETPLACE, COMMERCE_HALO_LAG_DAYS, COMMERCE_HALO_DECAY, COMMERCE_HALO_DECAY_GRID,
    COMMERCE_HALO_HAC_MAX_LAGS     the halo regression (warehouse/halo.py HaloSettings; README "Settings")
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

from commerce_analytics.settings import Settings, load_settings
from ingestion import registry
from warehouse.halo import HaloSettings

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"

# Environment -> dbt target: the deployment decides the warehouse unless DBT_TARGET says otherwise.
ENVIRONMENT_TARGETS: dict[str, str] = {
    "local": "local",  # DuckDB file at COMMERCE_WAREHOUSE (the embedded default, `make dev`, `make demo`)
    "dev": "local",
    "ci": "postgres",  # PostgreSQL stand-in for a server warehouse (libpq PG* variables)
    "prod": "prod",  # Redshift (REDSHIFT_* variables, Spectrum over the S3 lake)
}


def dbt_target_for(environment: str, override: str | None = None) -> str:
    """The dbt target for a deployment environment; an explicit DBT_TARGET wins."""
    if override:
        return override
    try:
        return ENVIRONMENT_TARGETS[environment]
    except KeyError:
        known = ", ".join(sorted(ENVIRONMENT_TARGETS))
        raise ValueError(f"unknown COMMERCE_ENV {environment!r}; use one of: {known}") from None


@dataclass(frozen=True)
class CheckThresholds:
    quarantine_warn_rate: float = 0.01
    freshness_hours: dict[str, float] = field(default_factory=dict)
    default_freshness_hours: float = 36.0
    rejection_window_hours: float = 168.0
    anomaly_low_ratio: float = 0.2
    anomaly_high_ratio: float = 5.0

    def freshness_for(self, source: str) -> float:
        return self.freshness_hours.get(source, self.default_freshness_hours)


@dataclass(frozen=True)
class OrchestrationSettings:
    commerce: Settings
    environment: str
    dbt_target: str
    dbt_project_dir: Path
    dbt_target_path: Path
    daily_cron: str
    sensor_interval_seconds: int
    checks: CheckThresholds
    automation_running: bool = True
    executor: str = "in_process"
    halo: HaloSettings = field(default_factory=HaloSettings)
    dashboard_url: str = ""
    """COMMERCE_DASHBOARD_URL: where the `dashboard` asset publishes the site (AWS: s3://<docs bucket>/dashboard)."""

    @property
    def timezone(self) -> str:
        return self.commerce.timezone

    def dbt_env(self) -> dict[str, str]:
        """Variables the dbt subprocess needs, with local paths made absolute (dbt runs in dbt_project/)."""
        env = {
            "COMMERCE_LAKE": _absolute(self.commerce.lake),
            "COMMERCE_WAREHOUSE": _absolute(self.commerce.warehouse),
            "COMMERCE_TIMEZONE": self.commerce.timezone,
            "COMMERCE_REPORTING_CURRENCY": self.commerce.reporting_currency,
            "DBT_TARGET": self.dbt_target,
            # dagster-dbt puts each invocation's artifacts in a folder under DBT_TARGET_PATH.
            "DBT_TARGET_PATH": str(self.dbt_target_path),
        }
        if self.commerce.aws_endpoint_url:
            env["AWS_ENDPOINT_URL"] = self.commerce.aws_endpoint_url
        return env


def _absolute(location: str) -> str:
    return location if "://" in location else os.path.abspath(location)


def load_orchestration_settings(environ: dict[str, str] | None = None) -> OrchestrationSettings:
    env = os.environ if environ is None else environ
    commerce = load_settings(env)
    commerce = dataclasses.replace(
        commerce,
        lake=_absolute(commerce.lake),
        inbox=_absolute(commerce.inbox),
        warehouse=_absolute(commerce.warehouse),
    )
    environment = env.get("COMMERCE_ENV", "local")
    target = dbt_target_for(environment, env.get("DBT_TARGET"))
    target_path = Path(env.get("COMMERCE_DBT_TARGET_PATH", str(DBT_PROJECT_DIR / "target")))
    freshness = {
        source: float(env[f"COMMERCE_FRESHNESS_HOURS_{source.upper()}"])
        for source in registry.SOURCES
        if env.get(f"COMMERCE_FRESHNESS_HOURS_{source.upper()}")
    }
    checks = CheckThresholds(
        quarantine_warn_rate=float(env.get("COMMERCE_QUARANTINE_WARN_RATE", "0.01")),
        freshness_hours=freshness,
        default_freshness_hours=float(env.get("COMMERCE_FRESHNESS_HOURS", "36")),
        rejection_window_hours=float(env.get("COMMERCE_REJECTION_WINDOW_HOURS", "168")),
        anomaly_low_ratio=float(env.get("COMMERCE_ANOMALY_LOW_RATIO", "0.2")),
        anomaly_high_ratio=float(env.get("COMMERCE_ANOMALY_HIGH_RATIO", "5.0")),
    )
    return OrchestrationSettings(
        commerce=commerce,
        environment=environment,
        dbt_target=target,
        dbt_project_dir=DBT_PROJECT_DIR,
        dbt_target_path=target_path.resolve(),
        daily_cron=env.get("COMMERCE_DAILY_CRON", "0 6 * * *"),
        sensor_interval_seconds=int(env.get("COMMERCE_INBOX_SENSOR_SECONDS", "60")),
        checks=checks,
        automation_running=env.get("COMMERCE_AUTOMATION", "running").lower() != "stopped",
        executor=_choice(env, "COMMERCE_EXECUTOR", "in_process", EXECUTORS),
        halo=HaloSettings.from_environ(env),
        dashboard_url=env.get("COMMERCE_DASHBOARD_URL", "").strip(),
    )


EXECUTORS = ("in_process", "multiprocess")


def _choice(env, name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = env.get(name, default).strip().lower()
    if value not in allowed:
        raise ValueError(f"{name}={value!r}; use one of: {', '.join(allowed)}")
    return value
