"""TileJSON at /tiles/cameras/metadata.json and /tiles/cameras/restricted/metadata.json, and the
headers of an empty (204) tile, on both databases and for each role."""

from __future__ import annotations

import pytest

from observo.domain import vocabulary as v
from tests import factories

PUBLIC_FIELDS = {"count", *(f"count_{name}" for name in v.CAMERA_TYPES), "camera_type", "surveillance_type"}
RESTRICTED_FIELDS = PUBLIC_FIELDS | {"status", "bearing_deg", "hfov_deg", "range_m"}


@pytest.fixture
def world(session):
    town = factories.org(session, "tj-town", public_precision_m=0)  # exact public positions: exact bounds
    hidden = factories.org(session, "tj-hidden")
    force = factories.org(session, "tj-cc", kind="carabinieri")
    region = factories.org(session, "tj-regione", kind="public_body")
    factories.camera(session, town, 7.60, 45.00, visibility="public")
    factories.camera(session, town, 7.70, 45.10, visibility="shared")
    factories.camera(session, hidden, 12.50, 41.90, visibility="private")  # Rome: nobody else's
    return {
        "officer": factories.headers_for(session, town),
        "state force": factories.headers_for(session, force),
        "admin": factories.headers_for(session, region, "admin"),
        "hidden": factories.headers_for(session, hidden),
    }


def tilejson(response) -> dict:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.json
    assert body["tilejson"] == "3.0.0" and body["minzoom"] == 0 and body["maxzoom"] == 22
    (layer,) = body["vector_layers"]
    assert layer["id"] == "cameras"
    return body


def test_public_tilejson_describes_public_tiles_and_their_bounds(client, world):
    body = tilejson(client.get("/tiles/cameras/metadata.json"))
    assert body["tiles"] == ["http://localhost/tiles/cameras/{z}/{x}/{y}.mvt"]
    assert body["bounds"] == pytest.approx([7.60, 45.00, 7.60, 45.00])  # the public camera only
    assert set(body["vector_layers"][0]["fields"]) == PUBLIC_FIELDS
    # Every camera visible to anyone is inside the bounds; the tiles it points at answer.
    assert (
        client.get(body["tiles"][0].format(z=0, x=0, y=0).removeprefix("http://localhost")).status_code == 200
    )


@pytest.mark.parametrize(
    ("role", "bounds"),
    [
        ("officer", [7.60, 45.00, 7.70, 45.10]),
        ("state force", [7.60, 45.00, 7.70, 45.10]),  # shared cameras, not the private one in Rome
        ("hidden", [7.60, 41.90, 12.50, 45.00]),
        ("admin", [7.60, 41.90, 12.50, 45.10]),
    ],
)
def test_restricted_tilejson_bounds_are_the_callers_scope(client, session, world, role, bounds):
    response = client.get("/tiles/cameras/restricted/metadata.json", headers=world[role])
    body = tilejson(response)
    assert body["tiles"] == ["http://localhost/tiles/cameras/restricted/{z}/{x}/{y}.mvt"]
    assert body["bounds"] == pytest.approx(bounds)
    assert set(body["vector_layers"][0]["fields"]) == RESTRICTED_FIELDS
    assert response.headers["Cache-Control"] == "private, no-store"


def test_restricted_tilejson_needs_the_tiles_credentials(client):
    for headers in ({}, factories.auth("not-a-token")):
        response = client.get("/tiles/cameras/restricted/metadata.json", headers=headers)
        assert response.status_code == 401 and response.mimetype == "application/problem+json"


def test_tilejson_takes_no_query_parameters(client, world):
    assert client.get("/tiles/cameras/metadata.json?x=1").status_code == 400


def test_an_empty_tile_has_no_body_and_no_content_type(client, world):
    for path, headers in (
        ("/tiles/cameras/3/0/0.mvt", {}),  # outside the registry's extent
        ("/tiles/cameras/restricted/3/0/0.mvt", world["officer"]),
        ("/tiles/cameras/15/0/0.mvt", {}),
    ):
        response = client.get(path, headers=headers)
        assert response.status_code == 204 and response.data == b""
        assert "Content-Type" not in response.headers
        assert "Content-Length" not in response.headers or response.headers["Content-Length"] == "0"
