# One entry point per task. Every target installs what it needs, so the README's
# two commands (`make demo`, `make test`) work on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help
UV := python3 -m uv
PY := .venv/bin/python
DEMO_DIR ?= data/demo
DOCS_DIR ?= $(CURDIR)/data/dbt-docs
DOCS_PORT ?= 8080
DASHBOARD_PORT ?= 8081
CLI := .venv/bin/commerce-analytics

.PHONY: help setup demo dev test lint format docs docs-serve dashboard bench bench-10m bench-ingest clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

.venv/.synced: pyproject.toml uv.lock
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen --all-groups --compile-bytecode  # compiled once: every dbt/Dagster process starts faster
	@$(PY) -c "from warehouse.targets import ensure_duckdb_httpfs as f; print('duckdb httpfs:', f())"
	@touch $@

setup: .venv/.synced  ## install the project and its tools into .venv (uv, locked)

demo: setup  ## generate the demo data set and materialise the whole graph through Dagster; prints the channel P&L
	@# The default lake and warehouse hold only the demo: start them afresh, since a newer generator may restate
	@# amounts the previous demo already landed (the lake keeps every delivery). Your own COMMERCE_LAKE or
	@# COMMERCE_WAREHOUSE is never touched.
	@if [ -z "$$COMMERCE_LAKE" ] && [ -z "$$COMMERCE_WAREHOUSE" ]; then rm -rf data/lake data/warehouse.duckdb data/warehouse.duckdb.*; fi
	@bash scripts/install-chromium.sh >/dev/null  # the monthly PDF report asset prints with Chromium
	$(CLI) generate --out $(DEMO_DIR)
	@# The demo is the synthetic brand: connector credentials you may have exported must not pull a real store into it.
	env -u SHOPIFY_ACCESS_TOKEN -u META_ACCESS_TOKEN -u AMAZON_SP_REFRESH_TOKEN -u AMAZON_ADS_REFRESH_TOKEN \
	  -u GOOGLE_ADS_REFRESH_TOKEN -u GOOGLE_ADS_DEVELOPER_TOKEN \
	  DAGSTER_HOME="$${DAGSTER_HOME:-$(CURDIR)/data/dagster_home}" $(PY) -m orchestration.run --paths $(DEMO_DIR)

dev: setup  ## the Dagster UI (webserver + daemon) on the demo data at http://127.0.0.1:3000 (DAGSTER_HOME under data/)
	DEMO_DIR=$(DEMO_DIR) bash scripts/dagster-dev.sh

test: setup  ## run every test (installs and starts what the tests need: PostgreSQL, Chromium)
	bash scripts/start-postgres.sh
	bash scripts/install-chromium.sh
	COMMERCE_REQUIRE_POSTGRES=1 $(PY) -m pytest --durations=25

lint: setup  ## ruff, sqlfluff, dbt portability, terraform fmt, checkov
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/sqlfluff lint dbt_project/models dbt_project/macros dbt_project/tests
	$(PY) scripts/check_portability.py
	$(CLI) dbt-sources --check
	@if [ -d terraform ] && command -v terraform >/dev/null; then terraform fmt -check -recursive terraform; fi
	@if [ -f terraform/scripts/checkov.sh ]; then bash terraform/scripts/checkov.sh; fi

format: setup  ## apply ruff's fixes and formatting
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

docs: setup  ## build the dbt docs site into $(DOCS_DIR) (catalog from the current warehouse)
	$(CLI) dbt --target-path $(DOCS_DIR) -- docs generate

docs-serve: docs  ## serve the dbt docs site on http://127.0.0.1:$(DOCS_PORT)
	$(PY) -m http.server --bind 127.0.0.1 --directory $(DOCS_DIR) $(DOCS_PORT)

dashboard: setup  ## build the dashboard from the current warehouse (the demo's after `make demo`) and serve it on http://127.0.0.1:$(DASHBOARD_PORT)
	DASHBOARD_PORT=$(DASHBOARD_PORT) $(CLI) dashboard --serve $(DASHBOARD_PORT)

bench: setup  ## the pipeline at ~1M order lines: generate, ingest, full dbt build, a daily increment, the fact alone
	$(PY) benchmarks/pipeline.py --days 365 --orders-per-day 1850

bench-10m: setup  ## the same at ~10M order lines (18,500 orders a day, one model at a time; long: ~2 h, ~80 GB of disk and 13 GiB of generator memory, see README "Performance")
	COMMERCE_DBT_THREADS=1 $(PY) benchmarks/pipeline.py --days 365 --orders-per-day 18500 --drop-exports

bench-ingest: setup  ## print ingest rows/s and peak memory for the 1M set, into a local lake and an S3 server
	$(PY) benchmarks/ingest.py

clean:  ## remove generated data and caches (not the virtualenv)
	rm -rf data .pytest_cache .ruff_cache
