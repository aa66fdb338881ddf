"""The dbt argument builder as Dagster uses it: a backfill is one dbt invocation with start/end vars."""

import datetime as dt
import json

import pytest

from commerce_analytics.settings import load_settings
from warehouse.dbt_args import DbtInvocation, backfill_vars, dbt_args, partition_range_to_dates

SETTINGS = load_settings({"COMMERCE_LAKE": "/lake"})


def dagster_args(**kwargs) -> list[str]:
    return dbt_args(DbtInvocation(**kwargs), SETTINGS, locate=False)


def test_dagster_build_leaves_the_project_to_the_resource():
    # A scheduled (not full-refresh) build leaves the unit tests to CI (README "The warehouse").
    args = dagster_args()
    assert args == ["build", "--exclude-resource-type", "unit_test", "--vars", json.dumps({"lake": "/lake"})]
    args = dagster_args(unit_tests=True)
    assert args == ["build", "--vars", json.dumps({"lake": "/lake"})]


def test_backfill_range_is_one_invocation_with_vars():
    args = dagster_args(vars=backfill_vars("2025-11-01", dt.date(2025, 11, 30)))
    assert args[0] == "build" and args.count("--vars") == 1
    assert json.loads(args[args.index("--vars") + 1]) == {
        "lake": "/lake",
        "start_date": "2025-11-01",
        "end_date": "2025-11-30",
    }


def test_full_refresh_on_test_is_refused():
    with pytest.raises(ValueError, match="full-refresh"):
        dagster_args(command=("test",), full_refresh=True)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2025-11-02", "2025-11-01", "after its end"),
        ("2025-11-01", None, "both a start and an end"),
        (None, "2025-11-01", "both a start and an end"),
        ("2025-13-01", "2025-12-01", "must be a date"),
    ],
)
def test_bad_ranges_are_refused(start, end, message):
    with pytest.raises(ValueError, match=message):
        backfill_vars(start, end)


def test_datetime_and_empty_values():
    assert backfill_vars(dt.datetime(2025, 9, 1, 5), dt.datetime(2025, 9, 3)) == {
        "start_date": "2025-09-01",
        "end_date": "2025-09-03",
    }
    assert backfill_vars("", None) == {}


def test_partition_window_to_inclusive_dates():
    start, end = dt.datetime(2025, 11, 1), dt.datetime(2025, 12, 1)
    assert partition_range_to_dates(start, end) == (dt.date(2025, 11, 1), dt.date(2025, 11, 30))
    with pytest.raises(ValueError):
        partition_range_to_dates(end, start)
