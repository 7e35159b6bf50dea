"""/api/v1/obstacles: read by box per role (checked against shapely), import and delete per role, bad
files change nothing, paging, bounded boxes."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from geoalchemy2.shape import to_shape
from shapely.geometry import box, shape

from observo.domain.permissions import SYSTEM
from observo.models import AuditEntry, Obstacle
from observo.services import obstacles as service
from observo.services.organisations import create_pact
from tests import factories
from tests import obstacle_data as data
from tests.api.test_openapi import _check as check_against_spec

OBSTACLES = "/api/v1/obstacles"
IMPORTS = "/api/v1/obstacles/imports"
LON, LAT = data.LON, data.LAT


@pytest.fixture
def towns(session):
    """Torino and Asti in a pact, Cuneo outside, the carabinieri, and an admin's region; each of the three
    towns with the OSM extract's layer (the same shapes: the readers tell them apart by organisation)."""
    found = {slug: factories.org(session, slug) for slug in ("torino", "asti", "cuneo")}
    found["cc"] = factories.org(session, "cc", kind="carabinieri")
    found["regione"] = factories.org(session, "regione", kind="public_body")
    create_pact(session, slug="pact", name="Pact", member_slugs=["asti", "torino"])
    for slug in ("torino", "asti", "cuneo"):
        service.import_obstacles(session, SYSTEM, data.osm_xml(), f"{slug}.osm", slug)
    service.import_obstacles(session, SYSTEM, data.city_geojson(), "edifici.geojson", "torino")
    session.commit()
    return found


def _bbox(*corners: float) -> str:
    return ",".join(f"{c:.7f}" for c in corners)


def _get(client, headers, **query):
    return client.get(OBSTACLES, query_string=query, headers=headers)


def _expected(session, frame, slugs):
    """Ids of the stored obstacles of `slugs` that shapely finds meeting `frame`."""
    rows = session.scalars(sa.select(Obstacle).order_by(Obstacle.id))
    return [o.id for o in rows if o.organisation.slug in slugs and to_shape(o.geometry).intersects(frame)]


BOXES = [
    (LON - 0.0001, LAT - 0.0001, LON + 0.0012, LAT + 0.0005),  # the house and the wall's west end
    (LON + 0.0030, LAT + 0.0001, LON + 0.0035, LAT + 0.0002),  # touches the block's east edge only
    (LON + 0.0024, LAT + 0.0004, LON + 0.0026, LAT + 0.0006),  # inside the courtyard: nothing
    (LON - 0.01, LAT - 0.01, LON + 0.01, LAT + 0.01),  # everything
]


@pytest.mark.parametrize(
    ("caller", "role", "slugs"),
    [
        ("torino", "viewer", {"torino", "asti"}),  # its own and its pact partner's
        ("asti", "editor", {"torino", "asti"}),
        ("cuneo", "viewer", {"cuneo"}),
        ("cc", "viewer", {"torino", "asti", "cuneo"}),  # a state force reads every organisation's
        ("regione", "admin", {"torino", "asti", "cuneo"}),
    ],
)
def test_bbox_reads_per_role_match_shapely(client, session, towns, caller, role, slugs):
    headers = factories.headers_for(session, towns[caller], role)
    for corners in BOXES:
        response = _get(client, headers, bbox=_bbox(*corners), limit=1000)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == "application/geo+json"
        body = response.json
        assert [f["id"] for f in body["features"]] == _expected(session, box(*corners), slugs), corners
        assert {f["properties"]["organization"] for f in body["features"]} <= slugs
        for feature in body["features"]:
            assert shape(feature["geometry"]).intersects(box(*corners))


def test_features_carry_kind_height_and_source(client, session, towns):
    headers = factories.headers_for(session, towns["torino"], "viewer")
    body = _get(client, headers, bbox=_bbox(*BOXES[0])).json
    by_ref = {
        f["properties"]["source_ref"]: f
        for f in body["features"]
        if f["properties"]["organization"] == "torino"
    }
    assert by_ref["way/10"]["properties"] == {
        "kind": "building",
        "height_m": 12.5,
        "organization": "torino",
        "source": "osm",
        "source_ref": "way/10",
    }
    assert by_ref["way/10"]["geometry"]["type"] == "Polygon"
    assert shape(by_ref["way/10"]["geometry"]).normalize().equals_exact(data.HOUSE.normalize(), 1e-7)
    assert by_ref["way/11"]["geometry"]["type"] == "LineString"
    check_against_spec(client.get("/api/v1/openapi.json").json, "ObstacleCollection", body)


def test_paging(client, session, towns):
    headers = factories.headers_for(session, towns["regione"], "admin")
    everything = _get(client, headers, bbox=_bbox(*BOXES[3]), limit=1000).json["features"]
    seen, url, pages = [], None, 0
    response = _get(client, headers, bbox=_bbox(*BOXES[3]), limit=4)
    while True:
        pages += 1
        body = response.json
        assert body["numberReturned"] == len(body["features"]) <= 4
        seen.extend(f["id"] for f in body["features"])
        following = [link["href"] for link in body["links"] if link["rel"] == "next"]
        if not following:
            break
        url = following[0]
        response = client.get(url, headers=headers)
    assert seen == [f["id"] for f in everything] and pages == -(-len(everything) // 4)


def test_anonymous_and_bad_boxes(client, session, towns):
    assert _get(client, {}, bbox=_bbox(*BOXES[0])).status_code == 401
    headers = factories.headers_for(session, towns["torino"], "viewer")
    missing = _get(client, headers)
    assert missing.status_code in (400, 422) and missing.mimetype == "application/problem+json"
    too_large = _get(client, headers, bbox=_bbox(7.0, 40.0, 12.0, 45.0))
    assert too_large.status_code in (400, 422)
    assert "too_large" in {e["code"] for e in too_large.json["errors"]}
    assert _get(client, headers, bbox=_bbox(*BOXES[0]), colour="red").status_code == 400


def _upload(client, headers, content, name, **fields):
    form = {"file": (io.BytesIO(content), name), **fields}
    return client.post(IMPORTS, data=form, headers=headers, content_type="multipart/form-data")


def _layer(session, slug):
    """(source, source_ref) of the organisation's obstacles, by id."""
    stmt = sa.select(Obstacle).order_by(Obstacle.id)
    return [(o.source, o.source_ref) for o in session.scalars(stmt) if o.organisation.slug == slug]


def test_import_and_delete_per_role(client, session, towns):
    editor = factories.headers_for(session, towns["cuneo"], "editor")
    created = _upload(client, editor, data.city_geojson(), "edifici.geojson", organization="cuneo")
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.json["counts"] == {"building": 2, "wall": 1}
    assert (created.json["source"], created.json["crs"], created.json["replaced"]) == (
        "edifici.geojson",
        "EPSG:32632",
        0,
    )
    check_against_spec(client.get("/api/v1/openapi.json").json, "ObstacleImportOutput", created.json)
    again = _upload(
        client, editor, data.osm_xml(with_wall=False), "x.osm", organization="cuneo", source="osm"
    )
    assert again.status_code == 201 and again.json["replaced"] == 3

    before = _layer(session, "cuneo")
    viewer = factories.headers_for(session, towns["cuneo"], "viewer")
    assert _upload(client, viewer, data.osm_xml(), "x.osm", organization="cuneo").status_code == 403
    assert _upload(client, {}, data.osm_xml(), "x.osm", organization="cuneo").status_code == 401
    stranger = factories.headers_for(session, towns["torino"], "editor")
    hidden = _upload(client, stranger, data.osm_xml(), "x.osm", organization="cuneo")
    assert hidden.status_code == 422 and hidden.json["errors"][0]["code"] == "unknown_organisation"
    partner = factories.headers_for(session, towns["asti"], "editor")
    assert _upload(client, partner, data.osm_xml(), "x.osm", organization="torino").status_code == 403
    police = factories.headers_for(session, towns["cc"], "editor")
    assert _upload(client, police, data.osm_xml(), "x.osm", organization="cuneo").status_code == 422
    assert _layer(session, "cuneo") == before

    assert client.delete(OBSTACLES, query_string={"organization": "cuneo"}, headers=viewer).status_code == 403
    assert client.delete(OBSTACLES, query_string={"organization": "cuneo"}).status_code == 401
    removed = client.delete(
        OBSTACLES, query_string={"organization": "cuneo", "source": "osm"}, headers=editor
    )
    assert removed.status_code == 200 and removed.json == {"deleted": 2}
    assert [source for source, _ref in _layer(session, "cuneo")] == ["edifici.geojson"] * 3
    admin = factories.headers_for(session, towns["regione"], "admin")
    everything = client.delete(OBSTACLES, query_string={"organization": "cuneo"}, headers=admin)
    assert everything.json == {"deleted": 3} and _layer(session, "cuneo") == []
    actions = session.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.subject_organisation_id == towns["cuneo"].id, AuditEntry.action.like("obstacles.%"))
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["obstacles.import"] * 3 + ["obstacles.delete"] * 2  # the fixture's, two here


def test_bad_files_change_nothing(client, session, towns):
    editor = factories.headers_for(session, towns["torino"], "editor")
    before = _layer(session, "torino")
    bow_tie = data.bad_geojson()
    refused = _upload(client, editor, bow_tie, "edifici.geojson", organization="torino")
    assert refused.status_code == 422 and refused.mimetype == "application/problem+json"
    codes = {(e["pointer"].split("/geometry")[0], e["code"]) for e in refused.json["errors"]}
    assert codes == {("/features/1", "self_intersection"), ("/features/2", "no_geometry")}
    incomplete = _upload(client, editor, data.osm_xml(drop_node=2), "centro.osm", organization="torino")
    assert incomplete.status_code == 422 and incomplete.json["errors"][0]["pointer"] == "/way/10"
    no_file = client.post(
        IMPORTS, data={"organization": "torino"}, headers=editor, content_type="multipart/form-data"
    )
    assert no_file.status_code == 422 and no_file.json["errors"][0]["pointer"] == "/file"
    unknown_field = _upload(client, editor, data.osm_xml(), "c.osm", organization="torino", colour="red")
    assert unknown_field.status_code == 422
    assert _layer(session, "torino") == before
