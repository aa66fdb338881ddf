"""The inbox sensor: only new files, routed by format, one run of their landed assets and what depends on them."""

import json
from pathlib import Path

import dagster as dg
from orch_helpers import drop_into
from test_checks import lake_resource

from demo import NOT_EXPORTS
from ingestion import registry
from ingestion.ingest import is_skipped
from orchestration.lib.inbox import InboxFile, classify, list_files, plan_inbox


def evaluate(defs, lake, cursor=None):
    sensor = defs.resolve_sensor_def("lake_inbox_sensor")
    with dg.build_sensor_context(
        cursor=cursor, repository_def=defs.get_repository_def(), resources={"lake": lake}
    ) as context:
        result = sensor.evaluate_tick(context)
    return result, result.cursor


def test_sensor_requests_new_files_only(orch_defs, tmp_path, demo_dir):
    lake = lake_resource(tmp_path)
    inbox = tmp_path / "lake" / "inbox"
    drop_into(inbox, demo_dir / "brand" / "fx_rates.csv", demo_dir / "google_ads" / "campaign_report.csv")
    (inbox / "notes.txt").write_text("hello\nnot an export\n")
    (inbox / ".partial-upload").write_text("ignored")

    first, cursor = evaluate(orch_defs, lake)
    requests = {r.job_name: r for r in first.run_requests}
    assert set(requests) == {"commerce_analytics", "reject_unrecognised_files"}
    ingest = requests["commerce_analytics"]
    ops = ingest.run_config["ops"]
    assert set(ops) == {"ingest_brand", "ingest_google_ads"}
    assert ops["ingest_brand"]["config"]["paths"] == [str(inbox / "fx_rates.csv")]
    assert ops["ingest_google_ads"]["config"]["paths"] == [str(inbox / "campaign_report.csv")]
    selected = {k.to_user_string() for k in ingest.asset_selection}
    assert "landed/brand/fx_rates" in selected and "landed/google_ads/campaign_daily" in selected
    assert not any(k.startswith("landed/shopify") for k in selected), "only the sources that have new files"
    assert any(k.endswith("stg_brand__fx_rates") for k in selected), "and what depends on them"
    assert any(k.endswith("stg_google_ads__campaign_daily") for k in selected)
    assert not any(k.endswith("stg_shopify__orders") for k in selected)
    reject = requests["reject_unrecognised_files"].run_config["ops"]["record_unrecognised_files"]["config"]
    assert reject["paths"] == [str(inbox / "notes.txt")]

    # Nothing new: no run.
    second, cursor = evaluate(orch_defs, lake, cursor)
    assert not second.run_requests and second.skip_message

    # One more file: a run for just that file.
    drop_into(inbox, demo_dir / "brand" / "cogs.csv")
    third, cursor = evaluate(orch_defs, lake, cursor)
    assert len(third.run_requests) == 1
    assert third.run_requests[0].run_config["ops"] == {"ingest_brand": {"config": {"paths": [str(inbox / "cogs.csv")]}}}
    assert third.run_requests[0].run_key != ingest.run_key

    # Ingested files leave the inbox and drop out of the cursor; a re-upload under the same name is new again.
    for name in ("fx_rates.csv", "campaign_report.csv", "notes.txt", "cogs.csv"):
        (inbox / name).unlink()
    fourth, cursor = evaluate(orch_defs, lake, cursor)
    assert not fourth.run_requests and json.loads(cursor)["seen"] == []
    drop_into(inbox, demo_dir / "brand" / "fx_rates.csv")
    fifth, _ = evaluate(orch_defs, lake, cursor)
    assert len(fifth.run_requests) == 1


def test_plan_inbox_routes_by_detected_format(demo_dir):
    # The inbox knows nothing of demo sets: a generated set's truth/ is left out as `ingest --skip` would.
    listed = list_files(str(demo_dir))
    files = [f for f in listed if not is_skipped(Path(f.path).relative_to(demo_dir).parts, NOT_EXPORTS)]
    assert files and len(files) < len(listed) and not any("/truth/" in f.path for f in files)
    plan = plan_inbox(files, set(), classify)
    assert set(plan.by_source) == set(registry.SOURCES)
    assert plan.unrecognised == []
    assert any(p.endswith(".json.gz") for p in plan.by_source["amazon_ads"]), "gzip heads are classified"
    again = plan_inbox(files, set(plan.seen), classify)
    assert again.by_source == {} and again.unrecognised == []
    changed = [InboxFile(f.path, f.size + 1, f.modified) if i == 0 else f for i, f in enumerate(files)]
    assert plan_inbox(changed, set(plan.seen), classify).new_files == [files[0].path]


def test_settling_applies_to_the_inbox_not_to_explicit_paths(tmp_path):
    """A file just written is left for later in the inbox (still being written?), but a folder the caller names
    (`python -m orchestration.run --paths data/demo` right after generating it) is taken as it is."""
    settling = lake_resource(tmp_path).model_copy(update={"inbox_settle_seconds": 3600})
    inbox, given = Path(settling.inbox_url), tmp_path / "exports"
    for folder in (inbox, given):
        folder.mkdir(parents=True)
        (folder / "fx_rates.csv").write_text("date,currency,rate\n2025-09-01,EUR,1.1\n")
    assert settling.list_files(str(inbox)) == []
    assert [Path(f.path).name for f in settling.list_files(str(given))] == ["fx_rates.csv"]
