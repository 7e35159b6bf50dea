"""The OpenAPI document is valid 3.0 and responses match the schemas it declares."""

from __future__ import annotations

import jsonschema
import pytest
from openapi_spec_validator import validate

from tests import factories


@pytest.fixture
def spec(client, session):
    return client.get("/api/v1/openapi.json").json


def test_document_is_valid_openapi_30(spec):
    assert spec["openapi"].startswith("3.0")
    validate(spec)
    for path in (
        "/api/v1/cameras",
        "/api/v1/cameras/{camera_id}",
        "/api/v1/cameras/{camera_id}/history",
        "/api/v1/organizations",
        "/api/v1/organizations/{slug}",
    ):
        assert path in spec["paths"], path
    assert {"get", "patch", "delete"} <= set(spec["paths"]["/api/v1/cameras/{camera_id}"])


def test_docs_page_is_served(client, session):
    assert client.get("/api/v1/docs").status_code == 200


def _schema(spec, name):
    """A component schema as JSON Schema, references resolved against the document."""
    return {**spec["components"]["schemas"][name], "components": spec["components"]}


def _openapi_to_jsonschema(node):
    # OpenAPI 3.0 says `nullable: true` where JSON Schema says type [..., "null"].
    if isinstance(node, dict):
        node = {k: _openapi_to_jsonschema(v) for k, v in node.items()}
        if node.pop("nullable", False) and "type" in node:
            node["type"] = [node["type"], "null"]
        return node
    if isinstance(node, list):
        return [_openapi_to_jsonschema(v) for v in node]
    return node


def _check(spec, name, instance):
    schema = _openapi_to_jsonschema(_schema(spec, name))
    jsonschema.validate(instance, schema)


def test_camera_responses_match_declared_schemas(client, session, spec):
    town = factories.org(session, "torino")
    headers = factories.auth(factories.token(session, factories.user(session, town, "editor")))
    created = client.post(
        "/api/v1/cameras", json=factories.feature("torino", installed_on="2024-05-01"), headers=headers
    )
    _check(spec, "CameraOutput", created.json)
    _check(spec, "CameraCollection", client.get("/api/v1/cameras", headers=headers).json)
    _check(spec, "CameraHistory", client.get(created.headers["Location"] + "/history", headers=headers).json)
    problem = client.get("/api/v1/cameras/987654", headers=headers).json
    _check(spec, "Problem", problem)


def test_problem_schema_is_the_declared_error(spec):
    assert "Problem" in spec["components"]["schemas"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            responses = operation["responses"]
            assert "default" not in responses, f"{method} {path}: statuses are listed, not a catch-all"
            for status in (s for s in responses if int(s) >= 400):
                name = responses[status]["$ref"].rsplit("/", 1)[1]
                content = spec["components"]["responses"][name]["content"]
                assert list(content) == ["application/problem+json"], f"{method} {path} {status}"


@pytest.mark.parametrize(
    ("path", "method", "statuses"),
    [
        ("/api/v1/cameras/{camera_id}", "patch", {"400", "404", "412", "415", "422", "428"}),
        ("/api/v1/cameras/{camera_id}", "delete", {"404", "412", "428"}),
        ("/api/v1/cameras", "get", {"400", "401", "429", "503"}),
        ("/api/v1/cameras", "post", {"400", "413", "415", "422"}),
        ("/api/v1/search", "post", {"400", "413", "415", "422"}),
    ],
)
def test_each_operation_declares_the_statuses_it_answers(spec, path, method, statuses):
    assert statuses <= set(spec["paths"][path][method]["responses"])


def test_a_creation_links_to_the_read_change_and_removal_of_what_it_created(spec):
    links = spec["paths"]["/api/v1/cameras"]["post"]["responses"]["201"]["links"]
    assert {name: link["operationRef"].rsplit("/", 1)[1] for name, link in links.items()} == {
        "read": "get",
        "change": "patch",
        "remove": "delete",
    }
    assert links["change"]["parameters"]["header.If-Match"] == "$response.header.ETag"


def test_ids_beyond_the_database_integer_are_not_found(client, session):
    headers = factories.headers_for(session, factories.org(session, "torino"), "admin")
    for camera_id in (0, 2**31, 2**63, 10**30):
        response = client.get(f"/api/v1/cameras/{camera_id}", headers=headers)
        assert response.status_code == 404, camera_id
        assert response.mimetype == "application/problem+json"
