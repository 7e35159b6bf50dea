"""NUL characters (U+0000) are refused before any view or query, on both databases.

PostgreSQL cannot store them and answered 500 (found by the OpenAPI fuzzing); they are refused as
bad input everywhere, and nothing is written.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from observo.domain.text_input import nul_pointer
from observo.models import Camera
from tests import factories


@pytest.fixture
def editor(session):
    return factories.headers_for(session, factories.org(session, "torino"), "editor")


def _cameras(session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(Camera))


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/organizations/tor%00ino",
        "/api/v1/cameras?q=a%00b",
        "/api/v1/cameras?owner%00=x",
        "/ogc/collections/cameras/items?f=j%00",
    ],
)
def test_a_nul_in_a_path_or_query_string_is_a_malformed_request(client, editor, url):
    response = client.get(url, headers=editor)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.json["errors"][0]["code"] == "nul_character"


def test_a_nul_in_a_json_body_is_refused_with_its_pointer_and_nothing_is_written(client, session, editor):
    before = _cameras(session)
    feature = factories.feature("torino", name="Via Po\u0000")
    response = client.post(
        "/api/v1/cameras", data=json.dumps(feature), headers={**editor, "Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json["errors"] == [
        {"pointer": "/properties/name", "code": "nul_character", "detail": response.json["detail"]}
    ]
    assert _cameras(session) == before


@pytest.mark.parametrize(
    ("body", "media_type"),
    [
        (b"nome;lat;lon;tipo\nVia\x00 Po;45.07;7.68;fissa\n", "text/csv"),
        (
            b'{"type": "FeatureCollection", "features": [{"type": "Feature",'
            b' "properties": {"name": "a\\u0000"}}]}',
            "application/geo+json",
        ),
    ],
)
def test_an_import_file_with_a_nul_imports_nothing(client, session, editor, body, media_type):
    before = _cameras(session)
    response = client.post(
        "/api/v1/imports?owner=torino", data=body, headers={**editor, "Content-Type": media_type}
    )
    assert response.status_code == 422, response.json
    assert any(issue["code"] == "nul_character" for issue in response.json["errors"])
    assert _cameras(session) == before


def test_a_nul_in_the_sign_in_form_is_a_bad_request_page(client, session):
    response = client.post("/login", data={"email": "a\x00@b.it", "password": "x", "csrf_token": "x"})
    assert response.status_code == 400
    assert response.mimetype == "text/html"


def test_nul_pointer_names_the_first_string_holding_one():
    assert nul_pointer({"a": ["ok", {"b/c": "x\x00"}]}) == "/a/1/b~1c"
    assert nul_pointer({"k\x00": 1}) == "/k\x00"
    assert nul_pointer({"a": [1, 2.5, None, True, "fine"]}) is None
