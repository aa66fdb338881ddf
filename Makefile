# One entry point per task. Every target installs what it needs, so the README's
# two commands (`make demo`, `make test`) work on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help
UV := python3 -m uv
PY := .venv/bin/python
DEMO_DIR ?= data/demo

.PHONY: help setup demo test lint format bench bench-ingest clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

.venv/.synced: pyproject.toml uv.lock
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen --all-groups
	@touch $@

setup: .venv/.synced  ## install the project and its tools into .venv (uv, locked)

demo: setup  ## generate the ArtisanGlow demo data set and run the main job on it
	.venv/bin/commerce-analytics generate --out $(DEMO_DIR)

test: setup  ## run every test (installs what the tests need)
	$(PY) -m pytest

lint: setup  ## ruff, terraform fmt, checkov
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	@if [ -d terraform ] && command -v terraform >/dev/null; then terraform fmt -check -recursive terraform; fi
	@if [ -f terraform/scripts/checkov.sh ]; then bash terraform/scripts/checkov.sh; fi

format: setup  ## apply ruff's fixes and formatting
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

bench: setup  ## print generator throughput and peak memory for 1 million order lines
	$(PY) benchmarks/generate.py

bench-ingest: setup  ## print ingest rows/s and peak memory for that set, into a local lake and an S3 server
	$(PY) benchmarks/ingest.py

clean:  ## remove generated data and caches (not the virtualenv)
	rm -rf data .pytest_cache .ruff_cache
