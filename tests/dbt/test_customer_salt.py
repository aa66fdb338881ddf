"""Customer keys are salted (issue 17, finding 1): no mart holds sha256(email), the lake keeps one random salt
that every build reuses, the user's salt wins, and dbt refuses to run without one."""

from __future__ import annotations

import hashlib
import re
import subprocess

import pytest
from dbt_helpers import CLI, DBT, POSTGRES_SALT, PROJECT_DIR, REPO, clean_env

from commerce_analytics.settings import load_settings
from ingestion.lake import Lake
from orchestration.lib.settings import load_orchestration_settings
from warehouse.customer_salt import LAKE_SALT_PATH, SALT_ENV, lake_salt, salt_environment
from warehouse.dbt_args import BuildError

EMAIL = re.compile(rb"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_lake_salt_is_random_created_once_and_reused(tmp_path):
    first, second = Lake(str(tmp_path / "a")), Lake(str(tmp_path / "b"))
    salt = lake_salt(first)
    assert re.fullmatch(r"[0-9a-f]{64}", salt)
    assert lake_salt(Lake(str(tmp_path / "a"))) == salt
    assert first.read_json(LAKE_SALT_PATH) == {"salt": salt}
    assert lake_salt(second) != salt


def test_the_users_salt_wins_and_prod_never_gets_the_lakes(tmp_path):
    lake = Lake(str(tmp_path / "lake"))
    mine = load_settings({"COMMERCE_LAKE": lake.url, SALT_ENV: "mine"})
    assert salt_environment("duckdb", mine, lake) == {SALT_ENV: "mine"}
    assert salt_environment("redshift", mine, lake) == {SALT_ENV: "mine"}
    assert not lake.exists(LAKE_SALT_PATH)
    unset = load_settings({"COMMERCE_LAKE": lake.url})
    with pytest.raises(BuildError, match=f"{SALT_ENV} is not set"):
        salt_environment("redshift", unset, lake)
    assert not lake.exists(LAKE_SALT_PATH)
    assert salt_environment("postgres", unset, lake) == {SALT_ENV: lake_salt(lake)}
    assert "mine" not in repr(mine)
    assert load_orchestration_settings({SALT_ENV: "mine"}).commerce.customer_hash_salt == "mine"


def _generated_emails(dataset) -> set[str]:
    emails = set()
    for path in dataset.out.rglob("*"):
        if path.is_file() and "truth" not in path.relative_to(dataset.out).parts:
            emails |= {m.decode().strip().lower() for m in EMAIL.findall(path.read_bytes())}
    return emails


def _mart_text_values(build) -> set[str]:
    columns = build.query(
        "select table_name, column_name from information_schema.columns where table_schema = 'marts'"
        " and lower(data_type) in ('varchar', 'text', 'character varying')"
    )
    values: set[str] = set()
    for table, column in columns:
        values |= {row[0] for row in build.query(f'select distinct "{column}" from marts."{table}"') if row[0]}
    return values


@pytest.mark.dbt
@pytest.mark.postgres
def test_no_mart_holds_an_unsalted_email_hash(dbt_build, dbt_dataset, dbt_lake):
    emails = _generated_emails(dbt_dataset)
    assert len(emails) > 50
    values = _mart_text_values(dbt_build)
    assert not values & {_sha256(e) for e in emails}
    salt = POSTGRES_SALT if dbt_build.target == "postgres" else lake_salt(Lake(str(dbt_lake)))
    salted = values & {_sha256(salt + e) for e in emails}
    assert len(salted) > 50, "the marts' customer keys are not sha256(salt || email) with the expected salt"


@pytest.mark.dbt
def test_dbt_refuses_to_run_without_a_salt(tmp_path):
    """dbt run directly (not through the runner, which passes the lake's salt) stops before any model."""
    env = clean_env(COMMERCE_LAKE=str(tmp_path / "lake"), COMMERCE_WAREHOUSE=str(tmp_path / "wh.duckdb"))
    args = [str(DBT), "run", "--select", "dim_date", "--project-dir", str(PROJECT_DIR)]
    args += ["--profiles-dir", str(PROJECT_DIR), "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path)]
    proc = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode != 0
    assert "COMMERCE_CUSTOMER_HASH_SALT is not set on target 'local'" in proc.stdout
    assert "START sql" not in proc.stdout


@pytest.mark.dbt
def test_prod_build_without_a_salt_fails_clearly(tmp_path):
    """The prod target (Redshift, unreachable here) fails on the salt before dbt tries to connect."""
    lake = tmp_path / "lake"
    env = clean_env(COMMERCE_LAKE=str(lake), DBT_TARGET="prod")
    env = {k: v for k, v in env.items() if not k.startswith("REDSHIFT_")}
    args = [str(CLI), "build", "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path)]
    proc = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 2
    assert "COMMERCE_CUSTOMER_HASH_SALT is not set: the redshift (prod) target needs" in proc.stderr
    assert "Database Error" not in proc.stdout + proc.stderr
    assert not Lake(str(lake)).exists(LAKE_SALT_PATH)
