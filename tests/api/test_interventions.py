"""Interventions through the API: the plan, who reads and changes it, its snapshot, deadlines and map."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta

import jsonschema
import numpy as np
import pytest
import shapely
import sqlalchemy as sa
from geoalchemy2.shape import to_shape
from pyproj import Transformer
from shapely.geometry import LineString, Point, box, mapping, shape

from observo.domain.shapes import Area
from observo.models import AuditEntry, InterventionTarget, Organisation, User
from observo.services import audit
from observo.services import interventions as service
from observo.services.accounts import token_holder
from observo.services.actors import actor_for
from observo.services.organisations import create_pact
from tests import factories
from tests.api.test_openapi import _openapi_to_jsonschema

LON, LAT = factories.TURIN
WINDOW = {"start": "2026-11-22T16:00:00Z", "end": "2026-11-22T18:00:00Z"}
WINDOW_END = datetime(2026, 11, 22, 18, 0, tzinfo=UTC)
REASON = "Ordine di servizio 123/2026"
SQUARE_M2 = 200.0 * 200.0
QUARTER_DISC_50_M2 = math.pi * 50**2 / 4
_CENTRE = Area(Point(LON, LAT))


def at_offset(east_m: float, north_m: float) -> tuple[float, float]:
    """(lon, lat) of a point `east_m`, `north_m` metres from the centre of the square."""
    point = _CENTRE.to_lonlat(Point(east_m, north_m))
    return point.x, point.y


def square(half_m: float = 100.0) -> dict:
    """GeoJSON of a square `2 * half_m` metres wide centred on the test centre."""
    return mapping(_CENTRE.to_lonlat(box(-half_m, -half_m, half_m, half_m)))


def build_world(session) -> dict:
    """Lead moncalieri; nichelino (shared with); trofarello (pact member); cremona (outsider).

    A plan is shared only with organisations its lead may name (docs/security.md): nichelino federates
    under moncalieri here, which leaves nichelino's own read scope as a stranger's."""
    orgs = {slug: factories.org(session, slug) for slug in ("moncalieri", "trofarello", "cremona")}
    orgs["nichelino"] = factories.org(session, "nichelino", sponsor_slug="moncalieri")
    create_pact(session, slug="tutta", name="Tutta mia la Città", member_slugs=["moncalieri", "trofarello"])
    session.commit()
    admin_org = factories.org(session, "regione")
    headers = {
        "lead_editor": factories.headers_for(session, orgs["moncalieri"], "editor"),
        "lead_viewer": factories.headers_for(session, orgs["moncalieri"], "viewer"),
        "shared": factories.headers_for(session, orgs["nichelino"], "viewer"),
        "pact": factories.headers_for(session, orgs["trofarello"], "viewer"),
        "outsider": factories.headers_for(session, orgs["cremona"], "editor"),
        "admin": factories.headers_for(session, admin_org, "admin"),
    }
    return {"orgs": orgs, "headers": headers}


def body(**overrides) -> dict:
    return {
        "title": "Presidio giardini",
        "kind": "proximity_patrol",
        "window": WINDOW,
        "reason": REASON,
        "protocol_number": "PL-2026-77",
        "shared_with": {"organizations": ["nichelino"], "pacts": ["tutta"]},
        "targets": [{"name": "Giardini di via Armando Diaz", "geometry": square()}],
        **overrides,
    }


def create(client, headers, **overrides):
    response = client.post("/api/v1/interventions", json=body(**overrides), headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.json


def if_match(headers: dict, item: dict) -> dict:
    return {**headers, "If-Match": f'"{item["id"]}.{item["version"]}"'}


def confirm(client, headers, item) -> dict:
    url = f"/api/v1/interventions/{item['id']}"
    response = client.patch(url, json={"status": "planned"}, headers=if_match(headers, item))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def entries(session, action: str) -> list[AuditEntry]:
    session.expire_all()
    return list(
        session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))
    )


# name: (owner, metres east, metres north, camera properties); all inside the square, all readable by
# the lead; deadlines after the window's end: cremona 24 h, moncalieri 72 h and 168 h, nichelino
# 240 h, trofarello none (does not record).
LAYOUT = {
    "monc_shared": (
        "moncalieri",
        0,
        0,
        {"hfov_deg": 90, "range_m": 50, "retention_hours": 72, "visibility": "shared"}
        | {"footage_contact_name": "Sala operativa", "footage_contact_phone": "011 640 1111"},
    ),
    "monc_private": (
        "moncalieri",
        -50,
        0,
        {"bearing_deg": 270, "hfov_deg": 90, "range_m": 30, "retention_hours": 168, "visibility": "private"}
        | {"footage_contact_name": "Comandante"},
    ),
    "trof_norec": (
        "trofarello",
        0,
        50,
        {"bearing_deg": 0, "range_m": 20, "records": False, "retention_hours": None, "visibility": "shared"}
        | {"footage_contact_name": "Custode", "footage_contact_hours": "8-18"},
    ),
    "crem_public": (
        "cremona",
        -60,
        60,
        {"bearing_deg": 0, "range_m": 20, "retention_hours": 24, "visibility": "public"},
    ),
    "nich_public": (
        "nichelino",
        0,
        -50,
        {"bearing_deg": 180, "range_m": 20, "retention_hours": 240, "visibility": "public"},
    ),
}


def five_cameras(session, orgs) -> dict[str, int]:
    """The LAYOUT's cameras (name -> id); cremona's cameras name no contact, the organisation does."""
    made = {
        name: factories.camera(session, orgs[owner], *at_offset(east, north), **props).id
        for name, (owner, east, north, props) in LAYOUT.items()
    }
    cremona = session.get(Organisation, orgs["cremona"].id)
    cremona.contact_name, cremona.contact_pec = "Polizia locale Cremona", "pl@pec.comune.cremona.it"
    session.commit()
    return made


@pytest.fixture
def world(session):
    return build_world(session)


@pytest.fixture
def h(world):
    return world["headers"]


# --- create and validate ---------------------------------------------------------------------------


def test_create_answers_the_intervention_with_location_and_etag(client, h, session):
    response = client.post("/api/v1/interventions", json=body(), headers=h["lead_editor"])
    assert response.status_code == 201, response.get_data(as_text=True)
    item = response.json
    assert response.headers["Location"].endswith(f"/api/v1/interventions/{item['id']}")
    assert response.headers["ETag"] == f'"{item["id"]}.1"'
    assert (item["lead"], item["status"], item["kind"], item["version"]) == (
        "moncalieri",
        "draft",
        "proximity_patrol",
        1,
    )
    assert item["window"] == WINDOW
    assert item["shared_with"] == {"organizations": ["nichelino"], "pacts": ["tutta"]}
    assert item["snapshot_at"] is None and item["summary"] is None
    [target] = item["targets"]
    assert target["name"] == "Giardini di via Armando Diaz" and target["buffer_m"] == 0
    assert shape(target["geometry"]).equals_exact(shape(square()), 1e-7)
    assert item["created_by"].startswith("editor") and item["created_at"].endswith("Z")
    [entry] = entries(session, "intervention.create")
    assert entry.reason == REASON and entry.object_id == str(item["id"])


def test_route_target_gets_a_corridor(client, h):
    line = mapping(LineString([at_offset(-100, 0), at_offset(100, 0)]))
    item = create(client, h["lead_editor"], targets=[{"name": "Via Roma", "geometry": line}])
    assert item["targets"][0]["buffer_m"] == 15.0
    response = client.post(
        "/api/v1/interventions",
        json=body(targets=[{"name": "Via Roma", "geometry": line, "buffer_m": 0.5}]),
        headers=h["lead_editor"],
    )
    assert response.status_code == 422
    assert {(e["pointer"], e["code"]) for e in response.json["errors"]} == {
        ("/targets/0/buffer_m", "route_buffer")
    }


@pytest.mark.parametrize(
    ("overrides", "pointer", "code"),
    [
        ({"window": {"start": WINDOW["end"], "end": WINDOW["start"]}}, "/window/end", "window_order"),
        ({"title": ""}, "/title", "invalid_length"),
        ({"kind": "raid"}, "/kind", "invalid_choice"),
        ({"colour": "blue"}, "/colour", "unknown_field"),
        ({"version": 3}, "/version", "read_only"),
        ({"targets": []}, "/targets", "invalid_length"),
        ({"window": {"start": "yesterday", "end": WINDOW["end"]}}, "/window/start", "invalid"),
        # Found by `make fuzz`: one minute east of Greenwich, 0001-01-01T00:00 is in year 0 in UTC
        # (a 500), and footage kept a year after 9999-06-01 has no date.
        ({"window": {**WINDOW, "start": "0001-01-01T00:00:00+00:01"}}, "/window/start", "invalid"),
        ({"window": {**WINDOW, "end": "9999-06-01T00:00:00Z"}}, "/window/end", "invalid"),
        (
            {"targets": [{"name": "P", "geometry": {"type": "Point", "coordinates": [LON, LAT]}}]},
            "/targets/0/geometry/type",
            "invalid_type",
        ),
        (
            {"shared_with": {"organizations": ["atlantide"]}},
            "/shared_with/organizations/0",
            "unknown_organisation",
        ),
        ({"shared_with": {"pacts": ["altrui"]}}, "/shared_with/pacts/0", "unknown_pact"),
    ],
)
def test_invalid_bodies_are_422(client, h, session, overrides, pointer, code):
    create_pact(session, slug="altrui", name="Altrui", member_slugs=["cremona"])  # not the lead's pact
    session.commit()
    response = client.post("/api/v1/interventions", json=body(**overrides), headers=h["lead_editor"])
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    found = {(e["pointer"], e["code"]) for e in response.json["errors"]}
    assert (pointer, code) in found, found


def test_at_most_twenty_targets(client, h):
    targets = [{"name": f"T{n}", "geometry": square(10)} for n in range(21)]
    response = client.post("/api/v1/interventions", json=body(targets=targets), headers=h["lead_editor"])
    assert response.status_code == 422
    assert response.json["errors"][0]["pointer"] == "/targets"


def test_lead_is_your_organisation_unless_admin(client, h):
    response = client.post("/api/v1/interventions", json=body(lead="nichelino"), headers=h["lead_editor"])
    assert response.status_code == 403
    assert create(client, h["admin"], lead="nichelino", shared_with={})["lead"] == "nichelino"
    assert create(client, h["lead_viewer"], lead="moncalieri")["lead"] == "moncalieri"


def test_anonymous_gets_401(client, h):
    assert client.get("/api/v1/interventions").status_code == 401
    assert client.post("/api/v1/interventions", json=body()).status_code == 401
    item = create(client, h["lead_editor"])
    for suffix in ("", "/deadlines", "/map", "/preservation-requests"):
        assert client.get(f"/api/v1/interventions/{item['id']}{suffix}").status_code == 401


# --- who reads, who changes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("lead_viewer", 200), ("shared", 200), ("pact", 200), ("admin", 200), ("outsider", 404)],
)
def test_read_access(client, h, who, status):
    item = create(client, h["lead_editor"])
    response = client.get(f"/api/v1/interventions/{item['id']}", headers=h[who])
    assert response.status_code == status
    listed = [i["id"] for i in client.get("/api/v1/interventions", headers=h[who]).json]
    assert (item["id"] in listed) == (status == 200)
    if status == 200:
        assert response.headers["ETag"] == f'"{item["id"]}.1"'
    for suffix in ("/map", "/preservation-requests"):
        assert client.get(f"/api/v1/interventions/{item['id']}{suffix}", headers=h[who]).status_code == status


def test_sharing_is_what_grants_reading(client, h):
    item = create(client, h["lead_editor"], shared_with={})
    assert client.get(f"/api/v1/interventions/{item['id']}", headers=h["shared"]).status_code == 404
    assert client.get(f"/api/v1/interventions/{item['id']}", headers=h["pact"]).status_code == 404


def test_list_filters_by_status(client, h):
    draft = create(client, h["lead_editor"], title="Bozza")
    planned = confirm(client, h["lead_editor"], create(client, h["lead_editor"], title="Piano"))
    listed = client.get("/api/v1/interventions?status=planned", headers=h["shared"]).json
    assert [i["id"] for i in listed] == [planned["id"]]
    assert draft["id"] in [i["id"] for i in client.get("/api/v1/interventions", headers=h["shared"]).json]
    assert client.get("/api/v1/interventions?status=done", headers=h["shared"]).status_code == 400


@pytest.mark.parametrize(
    ("who", "status"), [("lead_viewer", 200), ("admin", 200), ("shared", 403), ("outsider", 404)]
)
def test_change_access(client, h, session, who, status):
    item = create(client, h["lead_editor"])
    url = f"/api/v1/interventions/{item['id']}"
    response = client.patch(url, json={"title": "Presidio serale"}, headers=if_match(h[who], item))
    assert response.status_code == status, response.get_data(as_text=True)
    if status == 200:
        assert response.json["title"] == "Presidio serale" and response.json["version"] == 2
        assert response.headers["ETag"] == f'"{item["id"]}.2"'
        [entry] = entries(session, "intervention.update")
        assert entry.reason == REASON and "title" in json.loads(entry.details)["changes"]


def test_patch_and_delete_need_a_current_if_match(client, h, session):
    item = create(client, h["lead_editor"])
    url = f"/api/v1/interventions/{item['id']}"
    assert client.patch(url, json={"title": "X"}, headers=h["lead_editor"]).status_code == 428
    assert client.delete(url, headers=h["lead_editor"]).status_code == 428
    changed = client.patch(url, json={"title": "X"}, headers=if_match(h["lead_editor"], item)).json
    assert client.patch(url, json={"title": "Y"}, headers=if_match(h["lead_editor"], item)).status_code == 412
    assert client.delete(url, headers=if_match(h["lead_editor"], item)).status_code == 412
    assert client.delete(url, headers=if_match(h["shared"], changed)).status_code == 403
    assert client.delete(url, headers=if_match(h["lead_editor"], changed)).status_code == 204
    assert client.get(url, headers=h["lead_editor"]).status_code == 404
    [entry] = entries(session, "intervention.delete")
    assert entry.reason == REASON and json.loads(entry.details)["before"]["title"] == "X"


def test_patch_validates_and_refuses_lead(client, h):
    item = create(client, h["lead_editor"])
    url = f"/api/v1/interventions/{item['id']}"
    headers = if_match(h["lead_editor"], item)
    late = {"window": {"start": WINDOW["start"], "end": "2026-11-22T15:00:00Z"}}
    assert client.patch(url, json=late, headers=headers).json["errors"][0]["code"] == "window_order"
    assert (
        client.patch(url, json={"lead": "nichelino"}, headers=headers).json["errors"][0]["code"]
        == "read_only"
    )
    unchanged = client.patch(url, json={"title": item["title"]}, headers=headers)
    assert unchanged.status_code == 200 and unchanged.json["version"] == 1  # nothing changed, nothing written


# --- snapshot --------------------------------------------------------------------------------------


def test_one_sector_in_a_square_known_coverage(client, h, world, session):
    camera = factories.camera(
        session,
        world["orgs"]["moncalieri"],
        LON,
        LAT,
        hfov_deg=90,
        range_m=50,
        retention_hours=72,
        visibility="shared",
    )
    item = confirm(client, h["lead_editor"], create(client, h["lead_editor"]))
    assert item["status"] == "planned" and item["snapshot_at"].endswith("Z")
    summary = item["summary"]
    [target] = summary["targets"]
    assert target["area_m2"] == pytest.approx(SQUARE_M2, rel=1e-3)
    assert target["covered_m2"] == pytest.approx(QUARTER_DISC_50_M2, rel=0.01)
    assert target["ratio"] == pytest.approx(QUARTER_DISC_50_M2 / SQUARE_M2, rel=0.01)
    assert (target["kind"], target["cameras"], target["gaps"]) == ("area", 1, 1)
    assert (summary["cameras"], summary["owners"], summary["pending_requests"]) == (1, 1, 0)

    snapshot = session.get(service.Intervention, item["id"]).snapshot
    [entry] = snapshot["cameras"]
    assert entry["id"] == camera.id and entry["code"] == f"OBS-{camera.id:06d}"
    assert entry["footage_expires_at"] == "2026-11-25T18:00:00Z" and entry["flag"] is None
    assert entry["target_ids"] == [target["id"]] and entry["location"] == [round(LON, 7), round(LAT, 7)]
    assert snapshot["window"] == WINDOW and snapshot["statuses"] == ["active"]
    assert len(snapshot["targets"][0]["coverage"]["suggestions"]) == 3
    assert snapshot["totals"]["ratio"] == pytest.approx(target["ratio"], abs=1e-4)
    [logged] = entries(session, "intervention.snapshot")
    assert logged.reason == REASON and logged.result_count == 1 and logged.geometry_hash


def test_snapshot_is_filtered_per_reader(client, h, world, session):
    ids = five_cameras(session, world["orgs"])
    item = confirm(client, h["lead_editor"], create(client, h["lead_editor"]))
    intervention = session.get(service.Intervention, item["id"])
    seen = {}
    admin = h["admin"]
    fovs = {}
    for camera_id in ids.values():
        answer = client.get(f"/api/v1/cameras/{camera_id}", headers=admin).json
        fovs[camera_id] = shape(answer["properties"]["fov"])
    for who in ("lead_viewer", "shared", "pact", "admin"):
        summary = client.get(f"/api/v1/interventions/{item['id']}", headers=h[who]).json["summary"]
        seen[who] = summary["cameras"]
        visible = client.get(f"/api/v1/interventions/{item['id']}/map", headers=h[who]).json["features"]
        mine = [fovs[f["properties"]["id"]] for f in visible if f["properties"]["layer"] == "camera"]
        # Each reader's figures come from the cameras it may read (an independent UTM measure).
        target = summary["targets"][0]
        assert target["covered_m2"] == pytest.approx(utm_seen_m2(mine, shape(square())), rel=2e-3)
    assert seen == {"lead_viewer": 5, "shared": 2, "pact": 4, "admin": 5}
    full = client.get(f"/api/v1/interventions/{item['id']}", headers=h["lead_viewer"]).json["summary"]
    assert full["targets"][0]["ratio"] == item["summary"]["targets"][0]["ratio"]

    pact_user = actor_for(session, _user_of(session, h["pact"]))
    filtered = service.snapshot_for(pact_user, intervention)
    assert ids["monc_private"] not in [c["id"] for c in filtered["cameras"]]
    assert ids["monc_private"] not in [c["id"] for c in filtered["targets"][0]["coverage"]["cameras"]]
    moncalieri = next(o for o in filtered["owners"] if o["slug"] == "moncalieri")
    assert moncalieri["camera_ids"] == [ids["monc_shared"]]
    assert [c["name"] for c in moncalieri["contacts"]] == ["Sala operativa"]  # not the private camera's
    assert all("contact" not in c for c in filtered["cameras"])
    assert all("organisation_contact" not in o for o in filtered["owners"])
    assert filtered["totals"]["cameras"] == 4 and filtered["totals"]["owners"] == 4


def utm_seen_m2(sectors, target) -> float:
    """Square metres of `target` inside the union of `sectors`, measured in UTM zone 32N."""
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32632", always_xy=True)

    def utm(geometry):
        return shapely.transform(geometry, lambda xy: np.column_stack(to_utm.transform(xy[:, 0], xy[:, 1])))

    return shapely.union_all([utm(sector) for sector in sectors]).intersection(utm(target)).area


def _user_of(session, headers):
    return session.get(User, token_holder(session, headers["Authorization"].split()[1]).user_id)


def test_snapshot_endpoint_recomputes(client, h, world, session):
    item = confirm(client, h["lead_editor"], create(client, h["lead_editor"]))
    assert item["summary"]["cameras"] == 0 and item["summary"]["targets"][0]["ratio"] == 0
    factories.camera(session, world["orgs"]["moncalieri"], LON, LAT, visibility="private")
    url = f"/api/v1/interventions/{item['id']}/snapshot"
    assert client.post(url, headers=h["lead_viewer"]).status_code == 428
    assert client.post(url, headers=if_match(h["shared"], item)).status_code == 403
    assert client.post(url, headers=if_match(h["outsider"], item)).status_code == 404
    again = client.post(url, headers=if_match(h["lead_viewer"], item))
    assert again.status_code == 200, again.get_data(as_text=True)
    assert again.json["summary"]["cameras"] == 1 and again.json["version"] == item["version"] + 1
    assert client.post(url, headers=if_match(h["lead_viewer"], item)).status_code == 412
    assert len(entries(session, "intervention.snapshot")) == 2


def test_new_targets_retake_the_snapshot(client, h, world, session):
    factories.camera(session, world["orgs"]["moncalieri"], *at_offset(300, 0), visibility="shared")
    item = confirm(client, h["lead_editor"], create(client, h["lead_editor"]))
    assert item["summary"]["cameras"] == 0
    far = mapping(_CENTRE.to_lonlat(box(250, -50, 350, 50)))
    url = f"/api/v1/interventions/{item['id']}"
    changed = client.patch(
        url, json={"targets": [{"name": "Piazza", "geometry": far}]}, headers=if_match(h["lead_editor"], item)
    ).json
    assert changed["summary"]["cameras"] == 1 and changed["summary"]["targets"][0]["name"] == "Piazza"
    snapshot = session.get(service.Intervention, item["id"]).snapshot
    assert snapshot["cameras"][0]["target_ids"] == [changed["targets"][0]["id"]]


def test_created_planned_has_a_snapshot(client, h):
    item = create(client, h["lead_editor"], status="planned")
    assert item["summary"] is not None and item["snapshot_at"] is not None


# --- deadlines -------------------------------------------------------------------------------------


def _deadlines(client, h, world, session, at="2026-11-23T18:00:00Z"):
    ids = five_cameras(session, world["orgs"])
    item = confirm(client, h["lead_editor"], create(client, h["lead_editor"]))
    response = client.get(f"/api/v1/interventions/{item['id']}/deadlines?at={at}", headers=h["lead_viewer"])
    assert response.status_code == 200, response.get_data(as_text=True)
    return ids, item, response.json


def test_deadlines_cameras_by_urgency_with_flags(client, h, world, session):
    ids, item, answer = _deadlines(client, h, world, session)
    assert answer["at"] == "2026-11-23T18:00:00Z" and answer["window"] == WINDOW
    order = ("crem_public", "monc_shared", "monc_private", "nich_public", "trof_norec")
    assert [c["id"] for c in answer["cameras"]] == [ids[name] for name in order]
    first, second, _third, last, norec = answer["cameras"]
    assert (first["hours_left"], first["expired"]) == (0.0, True)  # 24 h after the window's end
    assert (second["hours_left"], second["expired"]) == (48.0, False)
    assert (last["footage_expires_at"], last["hours_left"]) == ("2026-12-02T18:00:00Z", 216.0)
    assert (norec["flag"], norec["footage_expires_at"], norec["hours_left"]) == ("not_recording", None, None)
    assert norec["expired"] is False and last["flag"] is None
    assert all(c["preservation"] is None for c in answer["cameras"])
    [entry] = entries(session, "intervention.contacts")
    assert entry.reason == REASON and entry.object_id == str(item["id"]) and entry.result_count == 4


def test_deadlines_owners_with_contacts(client, h, world, session):
    _ids, _item, answer = _deadlines(client, h, world, session)
    owners = {o["slug"]: o for o in answer["owners"]}
    assert [o["slug"] for o in answer["owners"]] == ["cremona", "moncalieri", "nichelino", "trofarello"]
    cremona_office = {"name": "Polizia locale Cremona", "pec": "pl@pec.comune.cremona.it"}
    assert owners["cremona"]["contacts"] == [{"phone": None, "email": None, "hours": None, **cremona_office}]
    assert [c["name"] for c in owners["moncalieri"]["contacts"]] == ["Sala operativa", "Comandante"]
    assert owners["moncalieri"]["earliest_expiry"] == "2026-11-25T18:00:00Z"
    assert owners["nichelino"]["contacts"] == []  # neither its camera nor the organisation names one
    assert owners["nichelino"]["earliest_expiry"] == "2026-12-02T18:00:00Z"
    assert owners["trofarello"]["earliest_expiry"] is None
    assert owners["trofarello"]["contacts"][0]["hours"] == "8-18"


def test_deadlines_per_reader_and_default_now(client, h, world, session):
    ids = five_cameras(session, world["orgs"])
    item = confirm(client, h["lead_editor"], create(client, h["lead_editor"]))
    answer = client.get(f"/api/v1/interventions/{item['id']}/deadlines", headers=h["shared"]).json
    assert [c["id"] for c in answer["cameras"]] == [ids["crem_public"], ids["nich_public"]]
    assert [o["slug"] for o in answer["owners"]] == ["cremona", "nichelino"]
    moment = datetime.fromisoformat(answer["at"])
    assert abs(moment - datetime.now(UTC)) < timedelta(minutes=5)


def test_deadlines_need_a_snapshot_and_a_valid_moment(client, h, session):
    item = create(client, h["lead_editor"])
    url = f"/api/v1/interventions/{item['id']}/deadlines"
    response = client.get(url, headers=h["lead_editor"])
    assert response.status_code == 409 and response.json["code"] == "no_snapshot"
    assert entries(session, "intervention.contacts") == []
    assert client.get(url + "?at=tomorrow", headers=h["lead_editor"]).status_code == 400
    assert client.get(url, headers=h["outsider"]).status_code == 404


# --- map -------------------------------------------------------------------------------------------


def _layers(collection) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for feature in collection["features"]:
        found.setdefault(feature["properties"]["layer"], []).append(feature)
    return found


def test_map_layers_from_the_snapshot_per_reader(client, h, world, session):
    ids = five_cameras(session, world["orgs"])
    item = confirm(client, h["lead_editor"], create(client, h["lead_editor"]))
    response = client.get(f"/api/v1/interventions/{item['id']}/map", headers=h["lead_editor"])
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    collection = response.json
    assert collection["type"] == "FeatureCollection" and collection["live"] is False
    layers = _layers(collection)
    [target] = layers["target"]
    assert target["properties"]["name"] == "Giardini di via Armando Diaz"
    assert target["properties"]["ratio"] == item["summary"]["targets"][0]["ratio"]
    assert layers["gap"] and all(
        g["properties"]["target_id"] == target["properties"]["target_id"] for g in layers["gap"]
    )
    assert [s["properties"]["rank"] for s in layers["suggestion"]] == [1, 2, 3]
    assert {c["properties"]["id"] for c in layers["camera"]} == set(ids.values())
    assert {f["properties"]["camera_id"] for f in layers["fov"]} == set(ids.values())
    assert "contacts" not in str(collection) and "Sala operativa" not in str(collection)
    shared = _layers(client.get(f"/api/v1/interventions/{item['id']}/map", headers=h["shared"]).json)
    assert {c["properties"]["id"] for c in shared["camera"]} == {ids["crem_public"], ids["nich_public"]}
    assert entries(session, "intervention.map") == []  # a stored snapshot: no coverage run


def test_map_is_live_before_the_snapshot(client, h, world, session):
    ids = five_cameras(session, world["orgs"])
    item = create(client, h["lead_editor"])
    collection = client.get(f"/api/v1/interventions/{item['id']}/map", headers=h["pact"]).json
    assert collection["live"] is True
    assert {c["properties"]["id"] for c in _layers(collection)["camera"]} == {
        ids["monc_shared"],
        ids["trof_norec"],
        ids["crem_public"],
        ids["nich_public"],
    }
    [entry] = entries(session, "intervention.map")
    assert entry.reason == REASON and entry.result_count == 4
    assert session.get(service.Intervention, item["id"]).snapshot is None


# --- the contract --------------------------------------------------------------------------------


def _check(spec, name, instance):
    schema = _openapi_to_jsonschema({**spec["components"]["schemas"][name], "components": spec["components"]})
    jsonschema.validate(instance, schema)


def test_responses_match_the_openapi_document(client, h, world, session):
    five_cameras(session, world["orgs"])
    spec = client.get("/api/v1/openapi.json").json
    assert "/api/v1/interventions/{intervention_id}/deadlines" in spec["paths"]
    item = confirm(client, h["lead_editor"], create(client, h["lead_editor"]))
    _check(spec, "InterventionOut", item)
    deadlines = client.get(f"/api/v1/interventions/{item['id']}/deadlines", headers=h["lead_editor"]).json
    _check(spec, "Deadlines", deadlines)
    _check(
        spec,
        "MapCollection",
        client.get(f"/api/v1/interventions/{item['id']}/map", headers=h["lead_editor"]).json,
    )
    # every key the service builds is declared (the schema dump would silently drop the others)
    assert set(deadlines["cameras"][0]) == set(spec["components"]["schemas"]["DeadlineCamera"]["properties"])
    assert set(item) == set(spec["components"]["schemas"]["InterventionOut"]["properties"])


def test_geometry_hash_of_the_snapshot_is_the_targets(client, h, session):
    item = confirm(client, h["lead_editor"], create(client, h["lead_editor"]))
    [logged] = entries(session, "intervention.snapshot")
    stored = session.get(InterventionTarget, item["targets"][0]["id"])
    assert logged.geometry_hash == audit.geometry_hash(to_shape(stored.geometry))
