"""The dbt command-line builder: a backfill is one dbt invocation with start/end vars."""

import datetime as dt
import json

import pytest

from orchestration.dbt_args import backfill_vars, build_dbt_args, partition_range_to_dates


def test_plain_build_has_no_vars():
    assert build_dbt_args() == ["build"]


def test_backfill_range_is_one_invocation_with_vars():
    args = build_dbt_args(start="2025-11-01", end=dt.date(2025, 11, 30))
    assert args[0] == "build" and args.count("--vars") == 1
    assert json.loads(args[args.index("--vars") + 1]) == {"start_date": "2025-11-01", "end_date": "2025-11-30"}


def test_full_refresh_selection_and_extra_vars():
    args = build_dbt_args(
        "run", full_refresh=True, extra_vars={"lake": "/x"}, select=["+fct_financial_performance"], exclude=["tag:slow"]
    )
    assert args[:1] == ["run"]
    assert json.loads(args[args.index("--vars") + 1]) == {"lake": "/x"}
    assert "--full-refresh" in args
    assert args[args.index("--select") + 1] == "+fct_financial_performance"
    assert args[args.index("--exclude") + 1] == "tag:slow"


def test_backfill_vars_win_over_extra_vars():
    args = build_dbt_args(start="2025-10-01", end="2025-10-02", extra_vars={"start_date": "1999-01-01"})
    assert json.loads(args[args.index("--vars") + 1])["start_date"] == "2025-10-01"


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


def test_unknown_command_and_test_full_refresh_are_refused():
    with pytest.raises(ValueError, match="unsupported"):
        build_dbt_args("deps")
    with pytest.raises(ValueError, match="full-refresh"):
        build_dbt_args("test", full_refresh=True)


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
