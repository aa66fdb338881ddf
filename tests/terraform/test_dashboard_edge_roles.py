"""Dashboard roles at the edge: the docs site's Lambda@Edge function lets each Cognito group read its pages.

finance reads every page; marketing the overview, marketing and products pages; operations restock and data
health; a viewer in no dashboard group reads no page; an unsigned request is sent to sign-in; the dbt docs stay
open to every signed-in viewer. The page map is the Terraform variable's default (read from variables.tf), so
the test pins what deploys.
"""

from __future__ import annotations

import re
from types import ModuleType

import hcl2
import pytest
import test_docs_edge_auth as docs_edge
from test_docs_edge_auth import CONFIG, HANDLER, RsaKey, make_token, viewer_request

VARIABLES = HANDLER.parent.parent / "variables.tf"
PAGES = ["overview", "channel-pnl", "products", "marketing", "restock", "data-health"]
ALLOWED = {
    "finance": set(PAGES),
    "marketing": {"overview", "marketing", "products"},
    "operations": {"restock", "data-health"},
}


def _unquote(value):
    """python-hcl2 keeps the quotes of string literals and quoted keys."""
    if isinstance(value, str):
        return value.strip('"')
    if isinstance(value, list):
        return [_unquote(v) for v in value]
    if isinstance(value, dict):
        return {_unquote(k): _unquote(v) for k, v in value.items()}
    return value


def _variable_defaults() -> dict:
    with open(VARIABLES, encoding="utf-8") as handle:
        parsed = hcl2.load(handle)
    return {
        _unquote(name): _unquote(body.get("default")) for block in parsed["variable"] for name, body in block.items()
    }


@pytest.fixture(scope="module")
def key() -> RsaKey:
    return RsaKey(seed=20261205, kid="dashboard-key")


@pytest.fixture()
def dashboard_edge(monkeypatch: pytest.MonkeyPatch, key: RsaKey) -> ModuleType:
    """The handler as test_docs_edge_auth loads it (fake JWKS), with the dashboard's page map."""
    edge = docs_edge.edge.__wrapped__(monkeypatch, key)
    defaults = _variable_defaults()
    access = defaults["dashboard_access"]
    assert set(access) == set(PAGES), "every dashboard page has its groups"
    edge._config = dict(CONFIG) | {
        "dashboard_prefix": "/dashboard/",
        "dashboard_access": access,
        "dashboard_full_access": defaults["dashboard_full_access"],
    }
    return edge


def _get(edge: ModuleType, key: RsaKey, uri: str, groups: list[str] | None) -> dict:
    claims = {} if groups is None else {"cognito:groups": groups}
    return edge.handler(viewer_request(uri, cookies={"docs_id_token": make_token(key, **claims)}))


@pytest.mark.parametrize("group", sorted(ALLOWED))
def test_each_role_reads_exactly_its_pages(dashboard_edge: ModuleType, key: RsaKey, group: str) -> None:
    for page in PAGES:
        for uri in (f"/dashboard/{page}/", f"/dashboard/{page}/index.html", f"/dashboard/{page}/monthly.csv"):
            result = _get(dashboard_edge, key, uri, [group])
            if page in ALLOWED[group]:
                assert result.get("uri") == uri, f"{group} must read {uri}"
                assert "cookie" not in result["headers"]
            else:
                assert result.get("status") == "403", f"{group} must not read {uri}"
    # The landing page and the chart library are shared by every dashboard role.
    for uri in ("/dashboard/", "/dashboard/index.html", "/dashboard/assets/plotly.min.js"):
        assert _get(dashboard_edge, key, uri, [group]).get("uri") == uri


def test_drill_down_pages_follow_their_page(dashboard_edge: ModuleType, key: RsaKey) -> None:
    uri = "/dashboard/channel-pnl/2025-11-01/index.html"
    assert _get(dashboard_edge, key, uri, ["finance"]).get("uri") == uri
    assert _get(dashboard_edge, key, uri, ["marketing"]).get("status") == "403"


def test_finance_reads_pages_added_later_others_do_not(dashboard_edge: ModuleType, key: RsaKey) -> None:
    uri = "/dashboard/cash-flow/"
    assert _get(dashboard_edge, key, uri, ["finance"]).get("uri") == uri
    assert _get(dashboard_edge, key, uri, ["marketing", "operations"]).get("status") == "403"


def test_a_viewer_in_no_group_reads_no_dashboard_page_but_the_docs(dashboard_edge: ModuleType, key: RsaKey) -> None:
    for groups in (None, [], ["someone-else"]):
        assert _get(dashboard_edge, key, "/dashboard/overview/", groups).get("status") == "403"
        assert _get(dashboard_edge, key, "/dashboard/", groups).get("status") == "403"
        assert _get(dashboard_edge, key, "/index.html", groups).get("uri") == "/index.html", "dbt docs stay open"
    # A prefix look-alike is not the dashboard; dot segments cannot walk from an allowed page into another.
    assert _get(dashboard_edge, key, "/dashboardx/overview/", []).get("uri") == "/dashboardx/overview/"
    for uri in ("/dashboard/restock/../overview/", "/dashboard/restock/%2e%2e/overview/", "/dashboard/./overview/"):
        assert _get(dashboard_edge, key, uri, ["operations"]).get("status") == "403", uri


def test_unsigned_request_is_sent_to_sign_in(dashboard_edge: ModuleType) -> None:
    for uri in ("/dashboard/overview/", "/dashboard/restock/restock.csv"):
        result = dashboard_edge.handler(viewer_request(uri))
        assert result["status"] == "302"
        assert re.match(
            rf"https://{re.escape(CONFIG['cognito_domain'])}/oauth2/authorize\?",
            result["headers"]["location"][0]["value"],
        )


def test_terraform_ships_the_page_map_and_creates_the_groups() -> None:
    main_tf = (HANDLER.parent.parent / "main.tf").read_text(encoding="utf-8")
    for key_name in ("dashboard_prefix", "dashboard_access", "dashboard_full_access"):
        assert f"{key_name} " in main_tf, f"Terraform does not write {key_name}"
    auth = (HANDLER.parents[2] / "auth" / "main.tf").read_text(encoding="utf-8")
    auth_vars = (HANDLER.parents[2] / "auth" / "variables.tf").read_text(encoding="utf-8")
    assert 'resource "aws_cognito_user_group" "dashboard"' in auth
    assert all(f'"{group}"' in auth_vars for group in ALLOWED)
