# syntax=docker/dockerfile:1.7
#
# The Dagster code location of commerce-analytics. One image serves every
# process; the ECS task definitions (terraform/modules/orchestration) only
# change the command:
#   webserver  dagster-webserver -h 0.0.0.0 -p 3000 -m orchestration.definitions
#   daemon     dagster-daemon run -m orchestration.definitions
#   runs       dagster api execute_run ...   (set by EcsRunLauncher)
#   default    dagster code-server start -m orchestration.definitions
# Built in CI or on a workstation with Docker; see docs/deploying-to-aws.md.

ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS build

ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv

RUN pip install --no-cache-dir "uv==0.13.8"

WORKDIR /app

# Dependencies first (cached until pyproject.toml or uv.lock change).
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .
RUN uv sync --frozen --no-dev

# The manifest dagster-dbt loads at definition time. `dbt parse` needs no
# warehouse connection: every env_var() in profiles.yml has a default.
RUN DBT_TARGET=prod /opt/venv/bin/dbt parse \
      --project-dir dbt_project --profiles-dir dbt_project --target prod \
 && rm -rf dbt_project/logs


FROM ${PYTHON_IMAGE} AS runtime

# Chromium prints the monthly PDF report (the `monthly_report_pdf` asset, dashboard/pdf.py).
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium \
 && rm -rf /var/lib/apt/lists/*

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DAGSTER_HOME=/opt/dagster/dagster_home \
    DBT_TARGET=prod

RUN groupadd --system --gid 10001 dagster \
 && useradd --system --uid 10001 --gid dagster --home-dir /opt/dagster --shell /usr/sbin/nologin dagster

COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app

# Instance configuration for ECS: PostgreSQL storage (DAGSTER_PG_*), runs as
# ECS tasks from the run task definition, a queue so the daemon launches them.
# Compute logs (stdout/stderr) are in CloudWatch through the awslogs driver.
COPY <<'YAML' /opt/dagster/dagster_home/dagster.yaml
storage:
  postgres:
    postgres_db:
      hostname: {env: DAGSTER_PG_HOST}
      port: {env: DAGSTER_PG_PORT}
      db_name: {env: DAGSTER_PG_DB}
      username: {env: DAGSTER_PG_USER}
      password: {env: DAGSTER_PG_PASSWORD}
      params:
        sslmode: require
run_coordinator:
  module: dagster
  class: QueuedRunCoordinator
  config:
    max_concurrent_runs: 4
run_launcher:
  module: dagster_aws.ecs
  class: EcsRunLauncher
  config:
    task_definition: {env: DAGSTER_RUN_TASK_DEFINITION}
    container_name: {env: DAGSTER_CONTAINER_NAME}
    secrets_tag: null
run_monitoring:
  enabled: true
  start_timeout_seconds: 600
  max_resume_run_attempts: 0
compute_logs:
  module: dagster._core.storage.noop_compute_log_manager
  class: NoOpComputeLogManager
concurrency:
  pools:
    # lake_warehouse (every ingestion op and the dbt op): one at a time across runs, as locally
    # (orchestration/dagster.yaml), so no ingest lands files while a build reads the lake.
    default_limit: 1
    granularity: op
local_artifact_storage:
  module: dagster._core.storage.root
  class: LocalArtifactStorage
  config:
    base_dir: /tmp/dagster-storage
telemetry:
  enabled: false
YAML

# dbt and dagster-dbt write target/ and logs/ inside the project at run time.
RUN chown -R dagster:dagster /app/dbt_project /opt/dagster

WORKDIR /app
USER 10001:10001
EXPOSE 3000

CMD ["dagster", "code-server", "start", "-h", "0.0.0.0", "-p", "4000", "-m", "orchestration.definitions"]
