"""The dbt docs site (`make docs` over the built warehouse) renders fct_financial_performance: its documented
columns with their warehouse types, and its lineage (parents and children) in the lineage graph."""

import re

from e2e_helpers import TARGET_MODEL


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("`", "")).strip()


def _name(manifest: dict, unique_id: str) -> str:
    node = manifest["sources"].get(unique_id) or manifest["nodes"].get(unique_id) or {}
    return node.get("name", unique_id)


def test_docs_render_documented_columns_and_lineage(dbt_docs, page, artifacts):
    base, manifest, catalog = dbt_docs
    unique_id = f"model.commerce_analytics.{TARGET_MODEL}"
    model = manifest["nodes"][unique_id]
    columns = [c for c in model["columns"].values() if c.get("description")]
    assert len(columns) >= 5, f"{TARGET_MODEL} documents too few columns"
    types = {name.lower(): c["type"] for name, c in catalog["nodes"][unique_id]["columns"].items()}

    page.goto(f"{base}/index.html#!/model/{unique_id}")
    page.get_by_text("Depends On").first.wait_for()
    page.get_by_text(columns[0]["name"], exact=True).first.wait_for()
    body = page.inner_text("body")
    plain = _plain(body)
    for column in columns:
        assert re.search(rf"^{re.escape(column['name'])}$", body, re.MULTILINE), f"column {column['name']} missing"
        assert _plain(column["description"])[:60] in plain, f"description of {column['name']} missing"
        assert types[column["name"].lower()] in body, "the column types come from the warehouse's catalog"
    # Model parents by name; a seed a macro refs (pnl_measures) is not listed there, the lineage graph below
    # holds every parent edge.
    parents = [_name(manifest, p) for p in model["depends_on"]["nodes"] if p.startswith("model.")]
    depends_on = body[body.rindex("Depends On") :]  # the section, not the tab above it
    depends_on = depends_on[: depends_on.find("\nCode\n")]
    assert parents and all(p in depends_on for p in parents), [p for p in parents if p not in depends_on]
    page.screenshot(path=str(artifacts / f"dbt_docs_{TARGET_MODEL}.png"), full_page=True)

    # The lineage graph: the model with its parents and children, edges into and out of it.
    page.locator('a[title="View Lineage Graph"]').click()
    page.wait_for_function("() => { const c = document.querySelector('#cy'); return c && c._cyreg && c._cyreg.cy }")
    page.wait_for_function("() => document.querySelector('#cy')._cyreg.cy.nodes().length > 1")
    page.wait_for_timeout(1000)
    graph = page.evaluate(
        """() => { const cy = document.querySelector('#cy')._cyreg.cy;
                   return { nodes: cy.nodes().map(n => n.id()),
                            edges: cy.edges().map(e => [e.source().id(), e.target().id()]) }; }"""
    )
    children = {
        uid for uid, node in manifest["nodes"].items() if unique_id in node.get("depends_on", {}).get("nodes", [])
    }
    children = {c for c in children if c.startswith("model.")}
    assert set(model["depends_on"]["nodes"]) <= set(graph["nodes"])
    assert children and children <= set(graph["nodes"]), "the marts built on the fact are drawn"
    edges = {tuple(e) for e in graph["edges"]}
    assert all((parent, unique_id) in edges for parent in model["depends_on"]["nodes"])
    assert all((unique_id, child) in edges for child in children)
    page.screenshot(path=str(artifacts / f"dbt_docs_lineage_{TARGET_MODEL}.png"))
