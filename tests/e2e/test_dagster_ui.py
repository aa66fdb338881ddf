"""The Dagster UI in a real browser: it loads, shows one graph from the landed files to the marts, and a
materialisation launched from it succeeds and shows its checks."""

import re

from e2e_helpers import RUNS, TARGET_MODEL, graphql, wait_for_new_run

from ingestion import registry

LAYERS = ("landed", "staging", "intermediate", "marts", "reference")

ASSET_NODE = """
query ($path: [String!]!) { assetNodeOrError(assetKey: {path: $path}) { ... on AssetNode {
  groupName dependencyKeys { path } } } }
"""


def test_ui_loads_with_the_layers_as_groups(dagster_ui, page, artifacts):
    page.goto(dagster_ui + "/asset-groups")
    page.get_by_text("Global asset lineage").first.wait_for()
    page.get_by_text("Materialize all").first.wait_for()
    body = page.inner_text("body")
    for group in LAYERS:
        assert re.search(rf"^{group}$", body, re.MULTILINE), f"group {group} missing from the global lineage"
    assert "community" not in body.lower(), "the first-visit dialog hides the page"
    page.screenshot(path=str(artifacts / "dagster_global_lineage.png"))


def test_lineage_runs_from_the_ingestion_assets_to_fct_financial_performance(dagster_ui, page, artifacts):
    page.set_viewport_size({"width": 1400, "height": 3400})  # tall: the 60-asset graph fits with legible names
    page.goto(f"{dagster_ui}/assets/marts/{TARGET_MODEL}?view=lineage&lineageScope=upstream&lineageDepth=12")
    page.get_by_text("fct_f", exact=False).first.wait_for()
    page.get_by_text("Materialize all").first.wait_for()
    page.wait_for_timeout(1500)  # the graph lays out after the first paint
    labels = set(page.inner_text("body").splitlines())
    assert {"landed", "staging", "intermediate", "marts"} <= labels, "upstream groups of the target"
    for name in ("fx_rates", "order_lines", "orders", "settlement_lines", "campaign_daily", "touchpoints"):
        assert name in labels, f"ingestion asset {name} is not upstream of {TARGET_MODEL} in the UI"
    page.screenshot(path=str(artifacts / f"dagster_lineage_{TARGET_MODEL}.png"))

    # One hop down from an ingestion asset: the staging model that reads it.
    page.goto(f"{dagster_ui}/assets/landed/brand/fx_rates?view=lineage&lineageScope=downstream&lineageDepth=1")
    page.set_viewport_size({"width": 1400, "height": 700})
    page.get_by_text(re.compile(r"stg_b.*fx_rates")).first.wait_for()
    page.wait_for_timeout(1500)  # the graph zooms to fit after the first paint
    page.screenshot(path=str(artifacts / "dagster_lineage_landed_fx_rates.png"))

    # The same edges as the UI's API reports them: every landed entity feeds a staging model.
    node = graphql(dagster_ui, ASSET_NODE, {"path": ["staging", "stg_brand__fx_rates"]})["assetNodeOrError"]
    assert ["landed", "brand", "fx_rates"] in [d["path"] for d in node["dependencyKeys"]]
    page.goto(f"{dagster_ui}/assets/landed?view=folder")
    page.get_by_text("brand").first.wait_for()
    body = page.inner_text("body")
    assert all(source in body for source in registry.SOURCES)


def test_launched_materialisation_succeeds_and_shows_its_checks(dagster_ui, page, artifacts):
    known = {r["runId"] for r in graphql(dagster_ui, RUNS)["runsOrError"]["results"]}
    page.goto(f"{dagster_ui}/assets/marts/{TARGET_MODEL}")
    button = page.locator("button").filter(has_text=re.compile(r"^\s*Materialize\s*$")).first
    button.wait_for()
    button.click()
    run = wait_for_new_run(dagster_ui, known)
    page.goto(f"{dagster_ui}/runs/{run['runId']}")
    page.get_by_text(re.compile(r"^\d+ checks$")).first.wait_for()
    page.wait_for_timeout(2000)
    page.screenshot(path=str(artifacts / "dagster_launched_run.png"))
    assert run["status"] == "SUCCESS", run
    run_checks = int(re.search(r"^(\d+) checks$", page.inner_text("body"), re.MULTILINE).group(1))

    # The run's dbt tests, shown as the asset's checks, all evaluated by that run and passed.
    page.goto(f"{dagster_ui}/assets/marts/{TARGET_MODEL}?view=checks")
    page.get_by_text(re.compile(r"Checks \(\d+\)")).first.wait_for()
    page.get_by_text("Succeeded").first.wait_for()
    body = page.inner_text("body")
    count = int(re.search(r"Checks \((\d+)\)", body).group(1))
    assert count > 0 and count == run_checks, "the launched run evaluated every check of the asset"
    assert body.count("Succeeded") >= count, "every check of the launched materialisation succeeded"
    assert "Failed" not in body
    page.screenshot(path=str(artifacts / f"dagster_checks_{TARGET_MODEL}.png"))

    # The Python checks of an ingestion asset (from the session's main run) show beside it.
    page.goto(f"{dagster_ui}/assets/landed/brand/fx_rates?view=checks")
    page.get_by_text("reconciliation").first.wait_for()
    body = page.inner_text("body")
    for check in ("reconciliation", "no_rejected_files", "quarantine_rate", "freshness", "row_count_anomalies"):
        assert check in body
    assert body.count("Succeeded") >= 5
    page.screenshot(path=str(artifacts / "dagster_checks_landed_fx_rates.png"))
