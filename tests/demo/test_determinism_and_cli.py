"""Same arguments give byte-identical trees; the CLI explains bad arguments."""

from __future__ import annotations

import filecmp
import subprocess
import sys

import pytest

from commerce_analytics.cli import main


def _tree(folder):
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())


def test_same_arguments_give_identical_trees(tmp_path):
    args = ["generate", "--days", "30", "--seed", "7", "--orders-per-day", "15", "--quiet"]
    assert main([*args, "--out", str(tmp_path / "A")]) == 0
    assert main([*args, "--out", str(tmp_path / "B")]) == 0
    files = _tree(tmp_path / "A")
    assert files == _tree(tmp_path / "B")
    assert len(files) > 20
    _match, mismatch, errors = filecmp.cmpfiles(tmp_path / "A", tmp_path / "B", files, shallow=False)
    assert mismatch == [] and errors == []


def test_another_seed_gives_other_data(tmp_path):
    base = ["generate", "--days", "20", "--orders-per-day", "10", "--quiet"]
    main([*base, "--seed", "1", "--out", str(tmp_path / "A")])
    main([*base, "--seed", "2", "--out", str(tmp_path / "B")])
    a = (tmp_path / "A" / "shopify" / "orders_export_1.csv").read_bytes()
    assert a != (tmp_path / "B" / "shopify" / "orders_export_1.csv").read_bytes()


def test_rerun_replaces_stale_files(tmp_path):
    main(["generate", "--days", "40", "--orders-per-day", "8", "--quiet", "--out", str(tmp_path)])
    many = len(list((tmp_path / "amazon" / "settlements").iterdir()))
    main(["generate", "--days", "20", "--orders-per-day", "8", "--quiet", "--out", str(tmp_path)])
    assert len(list((tmp_path / "amazon" / "settlements").iterdir())) < many


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--days", "3"], "--days must be at least 14"),
        (["--orders-per-day", "0"], "--orders-per-day must be positive"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(tmp_path, capsys, args, message):
    assert main(["generate", "--out", str(tmp_path), *args]) == 2
    assert message in capsys.readouterr().err


def test_bad_date_is_rejected_by_the_console_script(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "commerce_analytics.cli", "generate", "--out", str(tmp_path), "--start", "2025-13-01"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2
    assert "not a date (YYYY-MM-DD): '2025-13-01'" in run.stderr


def test_summary_prints_the_channel_pnl(tmp_path, capsys):
    assert main(["generate", "--days", "20", "--orders-per-day", "8", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for word in ("Shopify Web", "Amazon FBA", "Amazon FBM", "Unassigned", "Total", "net_profit"):
        assert word in out
