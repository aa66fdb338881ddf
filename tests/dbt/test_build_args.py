"""`commerce-analytics build`: argument building and target resolution, without running dbt."""

from __future__ import annotations

import json

import pytest

from commerce_analytics.cli import build_parser
from commerce_analytics.settings import load_settings
from warehouse import dbt_args as build
from warehouse import runner


def settings(**env):
    return load_settings({"COMMERCE_LAKE": "/lake", **env})


def test_default_build_args():
    args = build.dbt_args(build.DbtInvocation(project_dir="/p"), settings())
    assert args[:5] == ["build", "--project-dir", "/p", "--profiles-dir", "/p"]
    assert args[args.index("--target") + 1] == "local"
    assert json.loads(args[args.index("--vars") + 1]) == {"lake": "/lake"}
    assert "--full-refresh" not in args and "--select" not in args


def test_all_options():
    inv = build.DbtInvocation(
        target="postgres",
        select=("staging", "+fct_financial_performance"),
        exclude=("tag:slow",),
        full_refresh=True,
        vars={"start_date": "2025-11-01", "lake": "/other"},
        project_dir="/p",
        profiles_dir="/profiles",
        target_path="/t",
        log_path="/l",
    )
    args = build.dbt_args(inv, settings(DBT_TARGET="local"))
    assert args[args.index("--target") + 1] == "postgres"
    assert args[args.index("--profiles-dir") + 1] == "/profiles"
    assert args[args.index("--select") + 1 : args.index("--select") + 3] == ["staging", "+fct_financial_performance"]
    assert args[args.index("--exclude") + 1] == "tag:slow"
    assert "--full-refresh" in args
    assert args[args.index("--target-path") + 1] == "/t" and args[args.index("--log-path") + 1] == "/l"
    # An explicit lake var wins over COMMERCE_LAKE.
    assert json.loads(args[args.index("--vars") + 1]) == {"lake": "/other", "start_date": "2025-11-01"}


def test_target_from_environment_and_lake_var():
    args = build.dbt_args(build.DbtInvocation(project_dir="/p"), settings(DBT_TARGET="prod"))
    assert args[args.index("--target") + 1] == "prod"
    assert build.lake_var("s3://bucket/prefix/") == "s3://bucket/prefix"
    assert build.lake_var("relative/lake").startswith("/")


def test_parse_vars():
    assert build.parse_vars(None) == {}
    assert build.parse_vars("{start_date: 2025-11-01, n: 3}") == {
        "start_date": __import__("datetime").date(2025, 11, 1),
        "n": 3,
    }
    assert build.parse_vars('{"a": "b"}') == {"a": "b"}
    with pytest.raises(build.BuildError, match="mapping"):
        build.parse_vars("just a string")


def test_target_types_from_profiles():
    assert runner.target_type("local") == "duckdb"
    assert runner.target_type("postgres") == "postgres"
    assert runner.target_type("prod") == "redshift"
    with pytest.raises(build.BuildError, match="unknown dbt target 'nope'"):
        runner.target_type("nope")


def test_cli_parses_build_options():
    args = build_parser().parse_args(
        ["build", "--target", "postgres", "--select", "staging", "-s", "marts", "--full-refresh", "--vars", "{a: 1}"]
    )
    assert (args.target, args.select, args.full_refresh, args.vars) == (
        "postgres",
        ["staging", "marts"],
        True,
        "{a: 1}",
    )
    args = build_parser().parse_args(["dbt", "--target", "local", "--", "docs", "generate"])
    assert args.args[-2:] == ["docs", "generate"]


def _skips_unit_tests(args: list[str]) -> bool:
    return "--exclude-resource-type" in args and args[args.index("--exclude-resource-type") + 1] == "unit_test"


def test_scheduled_build_skips_unit_tests_full_refresh_and_ci_run_them():
    """dbt unit tests run with a full refresh or when asked (CI); the daily incremental build leaves them out."""
    args = lambda **kw: build.dbt_args(build.DbtInvocation(project_dir="/p", **kw), settings())  # noqa: E731
    assert _skips_unit_tests(args())
    assert not _skips_unit_tests(args(full_refresh=True))
    assert not _skips_unit_tests(args(unit_tests=True))
    assert _skips_unit_tests(args(full_refresh=True, unit_tests=False))
    # Only `build` runs unit tests: other commands get no resource-type exclusion.
    assert "--exclude-resource-type" not in args(command=("run",))
    assert "--exclude-resource-type" not in args(command=("test",))
    parsed = build_parser().parse_args(["build", "--unit-tests"])
    assert parsed.unit_tests is True
    assert build_parser().parse_args(["build", "--no-unit-tests"]).unit_tests is False
    assert build_parser().parse_args(["build"]).unit_tests is None


def test_unknown_target_is_a_clear_error(capsys):
    code = runner.run_dbt(build.DbtInvocation(target="nope"), settings())
    assert code == 2
    assert "unknown dbt target 'nope'" in capsys.readouterr().err
