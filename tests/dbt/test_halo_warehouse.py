"""The halo asset's warehouse side (warehouse/halo.py) on the session builds (DuckDB and PostgreSQL).

It reads what the regression needs from the marts, the series equals the ground truth of the data set (the
same quantity the generator plants: Amazon.com gross sales by order date), writes `fct_halo_estimate` and
`fct_halo_daily` into the marts schema, and the tables survive the next build's write-audit-publish.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

import duckdb
import polars as pl
import pytest
from dbt_helpers import fresh_postgres_database

from commerce_analytics.settings import load_settings
from warehouse import halo
from warehouse.publish import build_session
from warehouse.targets import server_connection

FITTED_AT = dt.datetime(2026, 12, 5, 6, 0, 0)


def _settings(build, environ: dict[str, str]):
    if build.target == "local":
        return "duckdb", load_settings({"COMMERCE_WAREHOUSE": str(Path(build.target_path).parent / "warehouse.duckdb")})
    return "postgres", load_settings({"DBT_TARGET": "postgres", **environ})


@pytest.fixture(scope="module")
def halo_written(dbt_build, request):
    """run_halo on each target's session build (module scope: once per target)."""
    environ = {}
    if dbt_build.target == "postgres":
        database = request.getfixturevalue("postgres_database")
        environ = {
            "PGHOST": database["host"],
            "PGPORT": str(database["port"]),
            "PGUSER": database["user"],
            "PGPASSWORD": database["password"],
            "PGDATABASE": database["dbname"],
        }
    with pytest.MonkeyPatch.context() as patch:
        for name, value in environ.items():
            patch.setenv(name, value)
        kind, settings = _settings(dbt_build, environ)
        result = halo.run_halo(kind, settings, halo.HaloSettings(), dbt_build.target, now=FITTED_AT)
    return dbt_build, result


def test_series_is_the_truths_amazon_com_gross_sales(halo_written, dbt_dataset):
    """The regression's sales are what the generator plants: Amazon.com (the USD marketplace) gross sales by
    order date (cancelled orders have no line, rule 1), to the cent of the ground truth."""
    build, _ = halo_written
    truth = (
        pl.read_csv(dbt_dataset.out / "truth" / "order_lines.csv", infer_schema_length=0)
        .filter(pl.col("channel").str.starts_with("Amazon") & (pl.col("source_currency") == "USD"))
        .group_by("order_date")
        .agg(pl.col("gross_sales").cast(pl.Decimal(18, 2)).sum())
    )
    daily = build.query_dicts("select date, gross_sales from marts.fct_halo_daily")
    got = {str(row["date"]): round(float(row["gross_sales"]), 2) for row in daily}
    expected = {row["order_date"]: float(row["gross_sales"]) for row in truth.iter_rows(named=True)}
    assert {d: v for d, v in got.items() if v} == expected


def test_estimate_rows_and_columns(halo_written):
    build, result = halo_written
    rows = build.query_dicts("select * from marts.fct_halo_estimate order by decay_source desc, platform")
    assert [(r["platform"], r["decay_source"]) for r in rows] == [
        ("google_ads", "setting"),
        ("meta_ads", "setting"),
        ("google_ads", "profile_likelihood"),
        ("meta_ads", "profile_likelihood"),
    ]
    for row in rows:
        assert row["ci_low"] < row["slope"] < row["ci_high"]
        assert row["std_error"] == pytest.approx(max(row["hac_std_error"], row["ols_std_error"]))
        assert (row["lag_days"], row["marketplace"], row["fitted_at"]) == (1, "Amazon.com", FITTED_AT)
        assert row["n_days"] == result.at_setting.n_days
    assert rows[0]["decay"] == 0.5 and rows[2]["decay"] == result.at_profile.decay
    assert rows[0]["slope"] == pytest.approx(result.at_setting.slopes["google_ads"])


def test_daily_rows_add_up(halo_written):
    build, result = halo_written
    rows = build.query_dicts("select * from marts.fct_halo_daily order by date")
    assert len(rows) == result.at_setting.n_days
    assert [r["date"] for r in rows] == sorted({r["date"] for r in rows})  # every day once
    assert (rows[-1]["date"] - rows[0]["date"]).days == len(rows) - 1  # no gap
    for row in rows:
        assert row["observed"] == pytest.approx(row["gross_sales"] - row["amazon_ads_credited_sales"])
        parts = row["baseline"] + row["google_ads_contribution"] + row["meta_ads_contribution"]
        assert row["fitted"] == pytest.approx(parts)


def _publish_noop(kind: str, settings) -> None:
    """A build that builds nothing and succeeds: the staging and publishing of warehouse/publish.py alone."""
    with build_session(kind, settings, log=lambda _: None) as session:
        session.succeeded = True


def test_tables_survive_the_next_publish_on_duckdb(tmp_path):
    settings = load_settings({"COMMERCE_WAREHOUSE": str(tmp_path / "warehouse.duckdb")})
    with contextlib.closing(duckdb.connect(settings.warehouse)) as connection:
        connection.execute("create schema marts")
        halo.replace_table(connection, "marts", halo.ESTIMATE_TABLE, pl.DataFrame({"platform": ["google_ads"]}))
    _publish_noop("duckdb", settings)
    with contextlib.closing(duckdb.connect(settings.warehouse, read_only=True)) as connection:
        assert connection.execute(f"select platform from marts.{halo.ESTIMATE_TABLE}").fetchall() == [("google_ads",)]


def test_tables_survive_the_next_publish_on_postgresql(monkeypatch):
    with fresh_postgres_database("commerce_halo") as database:
        for name, key in [("PGHOST", "host"), ("PGPORT", "port"), ("PGUSER", "user"), ("PGPASSWORD", "password")]:
            monkeypatch.setenv(name, str(database[key]))
        monkeypatch.setenv("PGDATABASE", database["dbname"])
        settings = load_settings({"DBT_TARGET": "postgres"})
        with contextlib.closing(server_connection("postgres")) as connection:
            connection.cursor().execute("create schema marts")
            halo.replace_table(connection, "marts", halo.ESTIMATE_TABLE, pl.DataFrame({"platform": ["meta_ads"]}))
        _publish_noop("postgres", settings)
        with contextlib.closing(server_connection("postgres")) as connection:
            cursor = connection.cursor()
            cursor.execute(f"select platform from marts.{halo.ESTIMATE_TABLE}")
            assert cursor.fetchall() == [("meta_ads",)]
