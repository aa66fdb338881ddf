"""Undoing a bad delivery through a dbt build (issue 17, finding 4): the brand's cost history is a full
snapshot, so a corrected file replaces a typo'd one whole, and `retract` withdraws a delivery; either way
the next build's marts are those of the good file again.

One scenario per target (module-scoped) on a copy of the session lake and of the session build (its
warehouse file, its PostgreSQL database) as the first build; a cost file with a typo row (a 999.00 unit
cost from mid-month) is ingested and built; the corrected file (the good rows, re-exported in another
order: new bytes) is ingested and built; the corrected delivery is retracted and built (the typo file is
the latest visible snapshot again); the typo delivery is retracted and built.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from dbt_helpers import POSTGRES_SALT, fresh_postgres_database, postgres_dict_query, postgres_env
from test_incremental import AUDIT, FACT, PNL_MARTS, Warehouse, _canonical, _duckdb_warehouse

pytestmark = [pytest.mark.dbt, pytest.mark.postgres]

TYPO_FROM = "2025-11-10"
TYPO_COST = "999.0000"
COGS_AND_DOWN = ("--select", "stg_brand__cogs+")
MARTS = (FACT, *PNL_MARTS)


@dataclass
class Steps:
    good: dict[str, list]
    typo: dict[str, list]
    corrected: dict[str, list]
    corrected_retracted: dict[str, list]
    typo_retracted: dict[str, list]
    staged_costs: dict[str, list[str]]
    typo_sku: str


def _marts(warehouse: Warehouse) -> dict[str, list]:
    return {table: _canonical(warehouse.rows(table), drop=(AUDIT,)) for table in MARTS}


def _cost_files(dataset, folder: Path) -> tuple[Path, Path, str]:
    """A cost file with one typo row, and the corrected file (the good rows in reverse order)."""
    header, *rows = list(csv.reader(io.StringIO((Path(dataset.out) / "brand/cogs.csv").read_text())))
    typo_row = dict(zip(header, rows[0], strict=True)) | {"effective_from": TYPO_FROM, "unit_cost": TYPO_COST}
    files = {"cogs_typo.csv": [*rows, list(typo_row.values())], "cogs_corrected.csv": rows[::-1]}
    for name, body in files.items():
        with open(folder / name, "w", newline="", encoding="utf-8") as handle:
            csv.writer(handle, lineterminator="\n").writerows([header, *body])
    return folder / "cogs_typo.csv", folder / "cogs_corrected.csv", typo_row["sku"]


def _postgres_copy(work: Path, lake: Path, session_database: dict[str, str]) -> Iterator[Warehouse]:
    """A Warehouse over a copy of the PostgreSQL session build's database (built with the session's salt)."""
    with fresh_postgres_database("commerce_retract", template=session_database["dbname"]) as db:
        connect = postgres_dict_query(db)
        env = postgres_env(db, lake, work, COMMERCE_CUSTOMER_HASH_SALT=POSTGRES_SALT)
        yield Warehouse("postgres", env, work, connect)


@pytest.fixture(scope="module", params=["local", "postgres"])
def steps(request, dbt_lake, dbt_dataset, tmp_path_factory) -> Iterator[Steps]:
    from commerce_analytics.settings import load_settings
    from ingestion.ingest import Ingestor
    from ingestion.retract import resolve_sha256, retract

    work = tmp_path_factory.mktemp(f"retract-{request.param}")
    lake = work / "lake"
    shutil.copytree(dbt_lake, lake)
    typo_file, corrected_file, sku = _cost_files(dbt_dataset, work)
    ingestor = Ingestor(load_settings({"COMMERCE_LAKE": str(lake)}))
    staged: dict[str, list[str]] = {}

    def ingest_and_build(warehouse: Warehouse, step: str, path: Path | None = None) -> dict[str, list]:
        if path is not None:
            [result] = ingestor.ingest_paths([str(path)])
            assert result.status == "landed", result.message
        warehouse.build(*COGS_AND_DOWN)
        rows = warehouse.rows(f"staging.stg_brand__cogs where sku = '{sku}'")
        staged[step] = sorted(str(r["unit_cost"]) for r in rows)
        return _marts(warehouse)

    # The first build is the session's (same lake content): copied, not built again.
    session = request.getfixturevalue("duckdb_build" if request.param == "local" else "postgres_build")
    assert session.returncode == 0, session.output[-3000:]
    if request.param == "local":
        shutil.copyfile(session.target_path.parent / "warehouse.duckdb", work / "warehouse.duckdb")
        warehouses = _duckdb_warehouse(work, lake)
    else:
        warehouses = _postgres_copy(work, lake, request.getfixturevalue("postgres_database"))
    for warehouse in warehouses:
        good = _marts(warehouse)
        typo = ingest_and_build(warehouse, "typo", typo_file)
        corrected = ingest_and_build(warehouse, "corrected", corrected_file)
        retract(ingestor.lake, resolve_sha256(ingestor.lake, str(corrected_file)), "test: corrected retracted")
        corrected_retracted = ingest_and_build(warehouse, "corrected_retracted")
        retract(ingestor.lake, resolve_sha256(ingestor.lake, str(typo_file)), "test: typo retracted")
        typo_retracted = ingest_and_build(warehouse, "typo_retracted")
        yield Steps(good, typo, corrected, corrected_retracted, typo_retracted, staged, sku)


def test_staging_replaces_exactly_the_registry_snapshot_formats():
    """Each staging model passes its entity's `snapshot_formats` to the landed-rows macro, and no other does."""
    from dbt_helpers import REPO

    from ingestion import registry

    for entity in registry.ENTITIES.values():
        sql = REPO / f"dbt_project/models/staging/{entity.source}/stg_{entity.source}__{entity.name}.sql"
        if not sql.exists():
            continue
        listed = re.findall(r"snapshot_formats=\[([^\]]*)\]", sql.read_text())
        assert [re.findall(r"'([^']+)'", group) for group in listed] == (
            [list(entity.snapshot_formats)] if entity.snapshot_formats else []
        ), sql.name
    assert registry.entity("brand", "cogs").snapshot_formats == ("brand_cogs",)


def test_the_typo_row_reaches_the_marts(steps):
    assert any(cost.startswith("999") for cost in steps.staged_costs["typo"])
    assert steps.typo[FACT] != steps.good[FACT]


def test_a_corrected_snapshot_replaces_the_typo_file_whole(steps):
    assert not any(cost.startswith("999") for cost in steps.staged_costs["corrected"])
    assert steps.corrected == steps.good


def test_retracting_a_delivery_withdraws_its_rows_from_the_next_build(steps):
    assert steps.corrected_retracted == steps.typo, "the typo file is the latest visible snapshot again"
    assert not any(cost.startswith("999") for cost in steps.staged_costs["typo_retracted"])
    assert steps.typo_retracted == steps.good
