"""Every route has an explicit access rule, the table is enforced, and the API hides no endpoint."""

from __future__ import annotations

import re

import pytest

from observo.cli import main
from observo.http import route_policy
from observo.http.route_policy import AUDIENCES, POLICY, rule_for

AUTOMATIC = {"HEAD", "OPTIONS"}
# Flask-smorest's own documentation routes: the document describes the API, not itself.
DOCUMENTATION = {"api-docs.openapi_json", "api-docs.openapi_swagger_ui"}


def served(app) -> set[tuple[str, str]]:
    return {
        (rule.endpoint, method) for rule in app.url_map.iter_rules() for method in rule.methods - AUTOMATIC
    }


def test_every_route_and_method_has_a_rule(app):
    missing = sorted(pair for pair in served(app) if rule_for(*pair) is None)
    assert missing == []


def test_the_table_names_no_route_that_does_not_exist(app):
    declared = {(endpoint, method) for endpoint, rules in POLICY.items() for method in rules}
    assert sorted(declared - served(app)) == []


def test_every_rule_is_well_formed(app):
    for endpoint, rules in POLICY.items():
        for method, rule in rules.items():
            assert rule.who in AUDIENCES, (endpoint, method)
            assert rule.note.strip(), (endpoint, method)
            if method not in ("GET", "POST") or rule.who != "anyone":
                assert not rule.cors, f"CORS is for public reads only: {endpoint} {method}"
            if method not in ("GET", "HEAD"):
                assert rule.will_write({}), f"{endpoint} {method} changes data: SQLite must lock first"


def test_head_follows_get(app):
    for endpoint, rules in POLICY.items():
        if "GET" in rules:
            assert rule_for(endpoint, "HEAD") is rules["GET"]


def test_a_route_without_a_rule_is_refused(client, session, monkeypatch):
    assert client.get("/healthz").status_code == 200
    monkeypatch.delitem(POLICY, "health.healthz")
    refused = client.get("/healthz")
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("path", "status"),
    [("/api/v1/cameras/1/history", 401), ("/api/v1/cameras/1/contacts", 401), ("/api/v1/audit", 401)],
)
def test_signed_in_routes_refuse_anonymous_callers_before_the_view(client, session, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"


def test_signed_in_pages_send_anonymous_browsers_to_the_sign_in_form(client, session):
    for path in ("/map", "/cameras/1"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


def test_the_openapi_document_lists_exactly_the_api_routes(app, client, session):
    spec = client.get("/api/v1/openapi.json").json
    documented = {
        (path, method.upper())
        for path, operations in spec["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    }
    routed = {
        (_openapi_path(rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/") and rule.endpoint not in DOCUMENTATION
        for method in rule.methods - AUTOMATIC
    }
    assert documented == routed


def test_the_policy_table_is_generated_for_every_route(app):
    result = app.test_cli_runner().invoke(main, ["access-rules"])
    assert result.exit_code == 0, result.output
    table = result.stdout
    for path, method, rule in route_policy.describe(app.url_map):
        assert rule is not None
        assert f"| `{path}` | {method} | {rule.who} |" in table
    assert "none: refused" not in table
