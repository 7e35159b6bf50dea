"""Sensitive places: register, read, change, delete, measure; who may do what; known coverage answers."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
import sqlalchemy as sa
from pyproj import Transformer
from shapely.geometry import Polygon, box, mapping, shape

from observo.models import AuditEntry, PlaceCoverage
from observo.services import organisations
from tests import factories
from tests.api.test_openapi import _check as check_against_spec

TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32632", always_xy=True)
TO_LONLAT = Transformer.from_crs("EPSG:32632", "EPSG:4326", always_xy=True)
PLACES = "/api/v1/places"


def _moved(geometry, transformer):
    return shapely.transform(geometry, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


def utm_area(geometry) -> float:
    """Square metres in UTM zone 32N: an independent check of the service's local projection."""
    return _moved(geometry, TO_UTM).area


def square(centre=factories.TURIN, half_side_m=200.0) -> Polygon:
    """A square of side 2 * half_side_m (in UTM metres) around `centre`, in lon/lat."""
    x, y = TO_UTM.transform(*centre)
    return _moved(box(x - half_side_m, y - half_side_m, x + half_side_m, y + half_side_m), TO_LONLAT)


def body(name="Giardini di via Diaz", geometry=None, **extra):
    return {"name": name, "category": "park", "geometry": mapping(geometry or square()), **extra}


@pytest.fixture
def town(session):
    return factories.org(session, "torino", istat_code="001272")


@pytest.fixture
def editor(session, town):
    return factories.headers_for(session, town, "editor")


def _create(client, headers, **kwargs):
    response = client.post(PLACES, json=body(**kwargs), headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response


def _openapi_check(client, name, instance):
    check_against_spec(client.get("/api/v1/openapi.json").json, name, instance)


def test_known_answer_one_sector_inside_a_square(client, session, town, editor):
    """Ratio = sector area / square area, both measured independently in UTM 32N."""
    camera = factories.camera(session, town, bearing_deg=90.0, hfov_deg=60.0, range_m=100.0)
    sector = shape(client.get(f"/api/v1/cameras/{camera.id}", headers=editor).json["properties"]["fov"])
    place = square()
    assert place.contains(sector)
    response = _create(client, editor, geometry=place)
    latest = response.json["properties"]["latest"]
    assert latest["camera_count"] == 1
    assert latest["area_m2"] == pytest.approx(utm_area(place), rel=2e-3)
    assert latest["covered_m2"] == pytest.approx(utm_area(sector), rel=2e-3)
    assert latest["ratio"] == pytest.approx(utm_area(sector) / utm_area(place), rel=1e-3)
    assert latest["ratio"] == pytest.approx(5236 / 160_000, rel=0.01)  # π·100²/6 over 400 m × 400 m


def test_create_answers_feature_location_etag_and_audits(client, session, town, editor):
    response = _create(client, editor)
    place = response.json
    assert response.mimetype == "application/geo+json"
    assert response.headers["Location"].endswith(f"{PLACES}/{place['id']}")
    assert response.headers["ETag"] == f'"{place["id"]}.1"'
    assert place["type"] == "Feature" and place["geometry"]["type"] == "Polygon"
    props = place["properties"]
    assert (props["name"], props["category"], props["organisation"], props["version"]) == (
        "Giardini di via Diaz",
        "park",
        "torino",
        1,
    )
    assert props["latest"]["ratio"] == 0 and props["latest"]["camera_count"] == 0
    _openapi_check(client, "PlaceFeature", place)
    actions = session.scalars(
        sa.select(AuditEntry.action).where(
            AuditEntry.object_type == "place", AuditEntry.object_id == str(place["id"])
        )
    ).all()
    assert sorted(actions) == ["place.create", "place.measure"]


def test_measurements_count_the_active_cameras_the_organisation_reads(client, session, town, editor):
    """Measured in the place's organisation's scope: its own private camera and a partner's shared one
    count; an outsider's private camera and an inactive one do not."""
    partner = factories.org(session, "moncalieri")
    organisations.create_pact(session, slug="patto", name="Patto", member_slugs=["torino", "moncalieri"])
    outsider = factories.org(session, "asti")
    session.commit()
    factories.camera(session, town, visibility="private")
    factories.camera(session, partner, lat=factories.TURIN[1] + 0.0004, visibility="shared")
    factories.camera(session, outsider, lat=factories.TURIN[1] - 0.0004, visibility="private")
    factories.camera(session, town, lon=factories.TURIN[0] + 0.0005, status="inactive")
    latest = _create(client, editor).json["properties"]["latest"]
    assert latest["camera_count"] == 2 and latest["ratio"] > 0


def test_history_grows_oldest_first_as_cameras_are_added(client, session, town, editor):
    place_id = _create(client, editor).json["id"]
    factories.camera(session, town, bearing_deg=0.0)
    measured = client.post(f"{PLACES}/{place_id}/coverage", headers=editor)
    assert measured.status_code == 201 and measured.json["camera_count"] == 1
    assert measured.headers["Location"].endswith(f"{PLACES}/{place_id}/coverage")
    history = client.get(f"{PLACES}/{place_id}/coverage", headers=editor).json
    assert history["place"] == place_id
    ratios = [m["ratio"] for m in history["measurements"]]
    assert len(ratios) == 2 and ratios[0] == 0 < ratios[1]
    _openapi_check(client, "PlaceCoverageHistory", history)
    item = client.get(f"{PLACES}/{place_id}", headers=editor)
    assert item.json["properties"]["latest"]["ratio"] == ratios[1]
    assert item.headers["ETag"] == f'"{place_id}.1"'  # a measurement is not a change of the place


def test_patch_needs_if_match_and_refuses_stale_versions(client, session, town, editor):
    place_id = _create(client, editor).json["id"]
    url = f"{PLACES}/{place_id}"
    assert client.patch(url, json={"name": "Nuovo"}, headers=editor).status_code == 428
    stale = client.patch(url, json={"name": "Nuovo"}, headers={**editor, "If-Match": f'"{place_id}.7"'})
    assert stale.status_code == 412
    renamed = client.patch(
        url, json={"name": "Parco Ruffini"}, headers={**editor, "If-Match": f'"{place_id}.1"'}
    )
    assert renamed.status_code == 200, renamed.get_data(as_text=True)
    assert renamed.json["properties"]["name"] == "Parco Ruffini"
    assert renamed.headers["ETag"] == f'"{place_id}.2"'
    again = client.patch(url, json={"name": "Altro"}, headers={**editor, "If-Match": f'"{place_id}.1"'})
    assert again.status_code == 412


def test_new_outline_is_measured_at_once(client, session, town, editor):
    factories.camera(session, town, bearing_deg=90.0, range_m=100.0)
    created = _create(client, editor, geometry=square(half_side_m=300.0)).json
    place_id = created["id"]
    smaller = square(half_side_m=150.0)
    changed = client.patch(
        f"{PLACES}/{place_id}",
        json={"geometry": mapping(smaller)},
        headers={**editor, "If-Match": f'"{place_id}.1"'},
    ).json["properties"]["latest"]
    assert changed["area_m2"] == pytest.approx(utm_area(smaller), rel=2e-3)
    assert changed["ratio"] > created["properties"]["latest"]["ratio"]
    count = session.scalar(sa.select(sa.func.count()).where(PlaceCoverage.place_id == place_id))
    assert count == 2
    # A category change alone is not a new outline: nothing is measured.
    client.patch(
        f"{PLACES}/{place_id}", json={"category": "square"}, headers={**editor, "If-Match": f'"{place_id}.2"'}
    )
    assert session.scalar(sa.select(sa.func.count()).where(PlaceCoverage.place_id == place_id)) == 2


def test_delete_removes_place_and_measurements(client, session, town, editor):
    place_id = _create(client, editor).json["id"]
    url = f"{PLACES}/{place_id}"
    assert client.delete(url, headers=editor).status_code == 428
    assert client.delete(url, headers={**editor, "If-Match": f'"{place_id}.1"'}).status_code == 204
    assert client.get(url, headers=editor).status_code == 404
    assert session.scalar(sa.select(sa.func.count()).where(PlaceCoverage.place_id == place_id)) == 0
    assert session.scalar(
        sa.select(sa.func.count()).where(
            AuditEntry.action == "place.delete", AuditEntry.object_id == str(place_id)
        )
    )


@pytest.mark.parametrize(
    ("payload", "pointer"),
    [
        ({"category": "castle"}, "/category"),
        (
            {"geometry": {"type": "LineString", "coordinates": [[7.68, 45.07], [7.69, 45.07]]}},
            "/geometry/type",
        ),
        ({"geometry": mapping(square(half_side_m=3000.0))}, "/geometry"),  # 36 km² > 25 km²
        ({"name": "   "}, "/name"),
        ({"organisation": "nowhere"}, "/organisation"),
        ({"colour": "red"}, "/colour"),
    ],
)
def test_invalid_bodies_are_422(client, session, town, editor, payload, pointer):
    response = client.post(PLACES, json={**body(), **payload}, headers=editor)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert pointer in [error["pointer"] for error in response.json["errors"]]


def test_duplicate_name_conflicts_and_organisation_cannot_change(client, session, town, editor):
    place_id = _create(client, editor).json["id"]
    assert client.post(PLACES, json=body(), headers=editor).status_code == 409
    moved = client.patch(
        f"{PLACES}/{place_id}",
        json={"organisation": "asti"},
        headers={**editor, "If-Match": f'"{place_id}.1"'},
    )
    assert moved.status_code == 422 and moved.json["errors"][0]["code"] == "read_only"


def test_who_may_read_and_write(client, session, town, editor):
    partner = factories.org(session, "nichelino")
    outsider = factories.org(session, "cremona")
    organisations.create_pact(session, slug="patto", name="Patto", member_slugs=["torino", "nichelino"])
    session.commit()
    place_id = _create(client, editor).json["id"]
    url = f"{PLACES}/{place_id}"
    viewer = factories.headers_for(session, town, "viewer")
    partner_editor = factories.headers_for(session, partner, "editor")
    stranger = factories.headers_for(session, outsider, "editor")
    admin = factories.headers_for(session, outsider, "admin")
    for reader in (viewer, partner_editor, admin):
        assert client.get(url, headers=reader).status_code == 200
        assert [f["id"] for f in client.get(PLACES, headers=reader).json["features"]] == [place_id]
    # The figures are the organisation's: a partner reads the place without them.
    for reader, withheld in ((viewer, False), (admin, False), (partner_editor, True)):
        props = client.get(url, headers=reader).json["properties"]
        assert props["figures_withheld"] is withheld and (props["latest"] is None) is withheld
        history = client.get(f"{url}/coverage", headers=reader).json
        assert history["figures_withheld"] is withheld and (history["measurements"] == []) is withheld
    assert client.get(url, headers=stranger).status_code == 404
    assert client.get(f"{url}/coverage", headers=stranger).status_code == 404
    assert client.get(PLACES, headers=stranger).json["features"] == []
    if_match = {"If-Match": f'"{place_id}.1"'}
    assert client.patch(url, json={"name": "X"}, headers={**stranger, **if_match}).status_code == 404
    assert client.post(f"{url}/coverage", headers=stranger).status_code == 404
    for refused in (viewer, partner_editor):
        assert client.patch(url, json={"name": "X"}, headers={**refused, **if_match}).status_code == 403
        assert client.delete(url, headers={**refused, **if_match}).status_code == 403
        assert client.post(f"{url}/coverage", headers=refused).status_code == 403
    assert client.post(PLACES, json=body("Scuola"), headers=viewer).status_code == 403
    foreign = client.post(PLACES, json=body("Scuola", organisation="torino"), headers=partner_editor)
    assert foreign.status_code == 403
    assert client.post(f"{url}/coverage", headers=admin).status_code == 201
    for path in (PLACES, url, f"{url}/coverage"):
        assert client.get(path).status_code == 401
    assert client.post(PLACES, json=body("Scuola")).status_code == 401


def test_admin_registers_for_any_organisation_and_filters_by_organisation(client, session, town, editor):
    other = factories.org(session, "asti")
    admin = factories.headers_for(session, other, "admin")
    _create(client, editor, name="Piazza Castello")
    created = _create(client, admin, name="Piazza Alfieri", organisation="asti").json
    assert created["properties"]["organisation"] == "asti"
    names = [f["properties"]["name"] for f in client.get(PLACES, headers=admin).json["features"]]
    assert sorted(names) == ["Piazza Alfieri", "Piazza Castello"]
    only = client.get(f"{PLACES}?organisation=torino", headers=admin).json
    assert [f["properties"]["name"] for f in only["features"]] == ["Piazza Castello"]
    assert only["numberReturned"] == 1
    _openapi_check(client, "PlaceCollection", only)
    assert client.get(f"{PLACES}?colour=red", headers=admin).status_code == 400
