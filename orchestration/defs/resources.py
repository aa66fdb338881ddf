"""Resources, configured from the environment in one place (when definitions load, not at import).

The lake and check-threshold resources are plain configuration holders built from `OrchestrationSettings`;
the dbt and S3 resources come from dagster-dbt and dagster-aws. Assets, checks and sensors receive them as
parameters.
"""

from __future__ import annotations

import dagster as dg
from dagster_aws.s3 import S3Resource
from dagster_dbt import DbtCliResource

from commerce_analytics.settings import Settings
from ingestion.lake import Lake
from orchestration.lib.dbt_project import dbt_executable
from orchestration.lib.inbox import Classification, InboxFile, classify, list_files
from orchestration.lib.settings import CheckThresholds, OrchestrationSettings, load_orchestration_settings


class LakeResource(dg.ConfigurableResource):
    """The lake (local folder or s3:// prefix) and its inbox; S3 settings come from the `s3` resource."""

    lake_url: str
    inbox_url: str
    warehouse: str
    timezone: str
    reporting_currency: str = "USD"
    dbt_target: str = "local"
    inbox_settle_seconds: float = 30.0
    max_decompressed_mib: int = 16384
    max_compression_ratio: float = 200.0
    s3: S3Resource

    @property
    def endpoint_url(self) -> str | None:
        return self.s3.endpoint_url or None

    def s3_client(self, location: str):
        """The dagster-aws S3 client when `location` is on S3 (None for a local folder)."""
        return self.s3.get_client() if location.startswith("s3://") else None

    def list_files(self, location: str) -> list[InboxFile]:
        """Export files under `location`. In the inbox, local files still being written (not yet settled) are
        left out; files given as explicit paths elsewhere are the caller's and taken as they are (`make demo`
        passes a freshly generated set), as `Ingestor.ingest_paths` does."""
        inbox = self.inbox_url.rstrip("/")
        in_inbox = location.rstrip("/") == inbox or location.startswith(inbox + "/")
        settle = self.inbox_settle_seconds if in_inbox else 0.0
        return list_files(location, self.endpoint_url, self.s3_client(location), settle)

    def classify(self, path: str) -> Classification:
        return classify(path, self.endpoint_url, self.s3_client(path))

    def settings(self) -> Settings:
        return Settings(
            lake=self.lake_url,
            inbox=self.inbox_url,
            warehouse=self.warehouse,
            dbt_target=self.dbt_target,
            timezone=self.timezone,
            reporting_currency=self.reporting_currency,
            aws_endpoint_url=self.endpoint_url,
            inbox_settle_seconds=self.inbox_settle_seconds,
            max_decompressed_mib=self.max_decompressed_mib,
            max_compression_ratio=self.max_compression_ratio,
        )

    def lake(self) -> Lake:
        return Lake(self.lake_url, self.endpoint_url)


class CheckThresholdsResource(dg.ConfigurableResource):
    """Thresholds of the Python asset checks (see orchestration/lib/settings.py for the variables)."""

    quarantine_warn_rate: float = 0.01
    default_freshness_hours: float = 36.0
    freshness_hours: dict[str, float] = {}  # noqa: RUF012 - pydantic copies defaults
    rejection_window_hours: float = 168.0
    anomaly_low_ratio: float = 0.2
    anomaly_high_ratio: float = 5.0

    def thresholds(self) -> CheckThresholds:
        return CheckThresholds(
            quarantine_warn_rate=self.quarantine_warn_rate,
            freshness_hours=dict(self.freshness_hours),
            default_freshness_hours=self.default_freshness_hours,
            rejection_window_hours=self.rejection_window_hours,
            anomaly_low_ratio=self.anomaly_low_ratio,
            anomaly_high_ratio=self.anomaly_high_ratio,
        )

    @classmethod
    def from_thresholds(cls, thresholds: CheckThresholds) -> CheckThresholdsResource:
        return cls(
            quarantine_warn_rate=thresholds.quarantine_warn_rate,
            default_freshness_hours=thresholds.default_freshness_hours,
            freshness_hours=dict(thresholds.freshness_hours),
            rejection_window_hours=thresholds.rejection_window_hours,
            anomaly_low_ratio=thresholds.anomaly_low_ratio,
            anomaly_high_ratio=thresholds.anomaly_high_ratio,
        )


def build_resources(settings: OrchestrationSettings) -> dict[str, object]:
    commerce = settings.commerce
    s3 = S3Resource(endpoint_url=commerce.aws_endpoint_url)
    return {
        "s3": s3,
        "lake": LakeResource(
            lake_url=commerce.lake,
            inbox_url=commerce.inbox,
            warehouse=commerce.warehouse,
            timezone=commerce.timezone,
            reporting_currency=commerce.reporting_currency,
            dbt_target=settings.dbt_target,
            inbox_settle_seconds=commerce.inbox_settle_seconds,
            max_decompressed_mib=commerce.max_decompressed_mib,
            max_compression_ratio=commerce.max_compression_ratio,
            s3=s3,
        ),
        "dbt": DbtCliResource(
            project_dir=str(settings.dbt_project_dir),
            profiles_dir=str(settings.dbt_project_dir),
            target=settings.dbt_target,
            dbt_executable=dbt_executable(),
        ),
        "check_thresholds": CheckThresholdsResource.from_thresholds(settings.checks),
    }


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources=build_resources(load_orchestration_settings()))
