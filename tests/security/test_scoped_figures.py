"""Class 1: every figure in the caller's scope.

An organisation outside a private camera's scope must get exactly the figures it would get if that
camera did not exist: every answer is taken once without the camera and once with it, and compared.
The camera is placed where it matters (inside the plan's target, overlapping a visible camera's view,
looking at the queried point), and the lead, who may read it, sees its figures change: the camera is
not irrelevant, it is hidden.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import pytest
from flask import Flask
from shapely.geometry import Point, box, mapping

from observo.cli import main
from observo.domain.shapes import Area
from observo.services.organisations import create_pact
from tests import factories

LON, LAT = factories.TURIN
REASON = "Fascicolo 42/2026 (test)"
WINDOW = {"start": "2026-11-22T16:00:00Z", "end": "2026-11-22T18:00:00Z"}
DEADLINES_AT = "2026-11-22T19:00:00Z"
_CENTRE = Area(Point(LON, LAT))
# Keys that change with every answer or every recomputation, whatever the cameras.
VOLATILE = {"computed_at", "snapshot_at", "updated_at", "version", "request_id", "measured_at", "timeStamp"}


def at_offset(east_m: float, north_m: float) -> tuple[float, float]:
    point = _CENTRE.to_lonlat(Point(east_m, north_m))
    return point.x, point.y


def square(half_m: float) -> dict:
    return mapping(_CENTRE.to_lonlat(box(-half_m, -half_m, half_m, half_m)))


SEEN_POINT = at_offset(40, 0)  # in the visible camera's view and in the hidden one's
BBOX = "{:.6f},{:.6f},{:.6f},{:.6f}".format(*at_offset(-300, -300), *at_offset(300, 300))


def tile_of(lon: float, lat: float, zoom: int) -> tuple[int, int]:
    n = 2**zoom
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


@pytest.fixture
def world(session):
    """alfa leads and shares with its pact partner beta; gamma is a private company sponsored by beta;
    cc is a Carabinieri station (reads every shared camera, no private one). alfa has one shared
    camera at the centre, looking east."""
    orgs = {
        slug: factories.org(session, slug, istat_code=code)
        for slug, code in (("alfa", "001001"), ("beta", "001002"))
    }
    orgs["gamma"] = factories.org(session, "gamma", kind="private", sponsor_slug="beta")
    orgs["cc"] = factories.org(session, "cc", kind="carabinieri")
    create_pact(session, slug="patto", name="Patto", member_slugs=["alfa", "beta"])
    session.commit()
    factories.camera(
        session,
        orgs["alfa"],
        LON,
        LAT,
        bearing_deg=90.0,
        hfov_deg=90.0,
        range_m=50.0,
        visibility="shared",
        retention_hours=72,
        footage_contact_name="Sala operativa alfa",
    )
    headers = {
        "lead": factories.headers_for(session, orgs["alfa"], "editor"),
        "partner": factories.headers_for(session, orgs["beta"], "viewer"),
        "partner_editor": factories.headers_for(session, orgs["beta"], "editor"),
        "private_editor": factories.headers_for(session, orgs["gamma"], "editor"),
        "state_force": factories.headers_for(session, orgs["cc"], "viewer"),
    }
    return {"orgs": orgs, "headers": headers}


def add_hidden_camera(session, world, owner: str = "alfa") -> int:
    """A private camera 30 m east of the centre, looking east over the visible camera's view."""
    lon, lat = at_offset(30, 0)
    camera = factories.camera(
        session,
        world["orgs"][owner],
        lon,
        lat,
        bearing_deg=90.0,
        hfov_deg=90.0,
        range_m=60.0,
        visibility="private",
        retention_hours=24,
        footage_contact_name="Segreto",
    )
    return camera.id


def normalised(value: Any) -> Any:
    """The answer without the keys that change whatever the cameras (times, versions)."""
    if isinstance(value, dict):
        return {key: normalised(item) for key, item in value.items() if key not in VOLATILE}
    if isinstance(value, list):
        return [normalised(item) for item in value]
    return value


def ok(response) -> Any:
    assert response.status_code in (200, 201), response.get_data(as_text=True)
    return response


def brief_figures(html: str) -> str:
    """The brief from its totals to its pending requests (figures, cameras, owners, requests)."""
    start, end = html.index('<p class="totals">'), html.index('<footer class="brief-foot"')
    return html[start:end]


def plan(client, world) -> dict:
    """alfa's intervention on a 200 m square and a street, shared with the pact and the Carabinieri
    station, confirmed."""
    body = {
        "title": "Presidio",
        "kind": "proximity_patrol",
        "window": WINDOW,
        "reason": REASON,
        "shared_with": {"pacts": ["patto"], "organizations": ["cc"]},
        "targets": [
            {"name": "Piazza", "geometry": square(100)},
            {
                "name": "Via",
                "geometry": {"type": "LineString", "coordinates": [at_offset(-80, 10), at_offset(90, 10)]},
                "buffer_m": 15,
            },
        ],
        "status": "planned",
    }
    return ok(client.post("/api/v1/interventions", json=body, headers=world["headers"]["lead"])).json


def recompute(client, world, item: dict) -> None:
    url = f"/api/v1/interventions/{item['id']}"
    current = ok(client.get(url, headers=world["headers"]["lead"])).json
    headers = {**world["headers"]["lead"], "If-Match": f'"{item["id"]}.{current["version"]}"'}
    ok(client.post(f"{url}/snapshot", headers=headers))


def intervention_answers(client, headers: dict, item: dict) -> dict[str, Any]:
    url = f"/api/v1/interventions/{item['id']}"
    listed = [
        i for i in ok(client.get("/api/v1/interventions", headers=headers)).json if i["id"] == item["id"]
    ]
    return {
        "item": normalised(ok(client.get(url, headers=headers)).json),
        "list": normalised(listed),
        "deadlines": normalised(ok(client.get(f"{url}/deadlines?at={DEADLINES_AT}", headers=headers)).json),
        "map": normalised(ok(client.get(f"{url}/map", headers=headers)).json),
        "brief": brief_figures(ok(client.get(f"{url}/brief", headers=headers)).get_data(as_text=True)),
    }


def registry_answers(client, headers: dict) -> dict[str, Any]:
    """Every other answer made of figures, for one reader."""
    lon, lat = SEEN_POINT
    answers: dict[str, Any] = {}
    coverage = {"geometry": square(100), "reason": REASON, "suggestions": 3}
    answers["coverage"] = normalised(ok(client.post("/api/v1/coverage", json=coverage, headers=headers)).json)
    route = {
        "geometry": {"type": "LineString", "coordinates": [at_offset(-80, 10), at_offset(90, 10)]},
        "buffer_m": 15,
        "reason": REASON,
    }
    answers["route"] = normalised(ok(client.post("/api/v1/coverage", json=route, headers=headers)).json)
    search = {"geometry": square(100), "reason": REASON}
    answers["search"] = normalised(ok(client.post("/api/v1/search", json=search, headers=headers)).json)
    answers["stats"] = normalised(ok(client.get("/api/v1/stats", headers=headers)).json)
    for zoom in (8, 12, 15):
        clusters = ok(client.get(f"/api/v1/clusters?bbox={BBOX}&zoom={zoom}", headers=headers))
        answers[f"clusters{zoom}"] = (clusters.json, clusters.headers.get("ETag"))
    for zoom in (10, 14, 17):
        x, y = tile_of(LON, LAT, zoom)
        answers[f"tile{zoom}"] = client.get(
            f"/tiles/cameras/restricted/{zoom}/{x}/{y}.mvt", headers=headers
        ).data
    answers["list"] = normalised(ok(client.get(f"/api/v1/cameras?bbox={BBOX}", headers=headers)).json)
    answers["near"] = normalised(
        ok(client.get(f"/api/v1/cameras?near={lon},{lat}&radius=200&reason={REASON}", headers=headers)).json
    )
    answers["sees"] = normalised(
        ok(client.get(f"/api/v1/cameras?sees={lon},{lat}&reason={REASON}", headers=headers)).json
    )
    answers["nearest"] = normalised(
        ok(
            client.get(f"/api/v1/cameras/nearest?point={lon},{lat}&k=5&reason={REASON}", headers=headers)
        ).json
    )
    answers["ogc_items"] = normalised(
        ok(client.get(f"/ogc/collections/cameras/items?bbox={BBOX}&f=json", headers=headers)).json
    )
    answers["ogc_collection"] = normalised(
        ok(client.get("/ogc/collections/cameras?f=json", headers=headers)).json
    )
    export = ok(client.get(f"/api/v1/exports?f=geojson&reason={REASON}", headers=headers))
    answers["export"] = normalised(json.loads(export.get_data(as_text=True)))
    return answers


READERS = ("partner", "state_force")


def test_a_hidden_camera_changes_no_figure_of_a_shared_plan_or_of_the_registry(client, session, world):
    item = plan(client, world)
    before = {reader: intervention_answers(client, world["headers"][reader], item) for reader in READERS}
    before_registry = {reader: registry_answers(client, world["headers"][reader]) for reader in READERS}
    lead_before = intervention_answers(client, world["headers"]["lead"], item)

    hidden = add_hidden_camera(session, world)
    recompute(client, world, item)
    # The lead asks the hidden camera's owner to preserve its footage: a request about a camera the
    # readers may not read is, for them, no request at all (not listed, counted, shown or found).
    requests = f"/api/v1/interventions/{item['id']}/preservation-requests"
    asked = {"owner": "alfa", "channel": "pec", "camera_ids": [hidden], "note": "segreto"}
    made = ok(client.post(requests, json=asked, headers=world["headers"]["lead"])).json

    lead_after = intervention_answers(client, world["headers"]["lead"], item)
    assert lead_after["item"]["summary"] != lead_before["item"]["summary"]  # the camera matters
    assert hidden in {camera["id"] for camera in lead_after["deadlines"]["cameras"]}
    for reader in READERS:
        after = intervention_answers(client, world["headers"][reader], item)
        for name, answer in after.items():
            assert answer == before[reader][name], f"{reader} learns of the hidden camera from {name}"
        assert ok(client.get(requests, headers=world["headers"][reader])).json == []
        by_id = client.get(f"{requests}/{made['id']}", headers=world["headers"][reader])
        missing = client.get(f"{requests}/{made['id'] + 1000}", headers=world["headers"][reader])
        assert by_id.status_code == missing.status_code == 404
        after_registry = registry_answers(client, world["headers"][reader])
        for name, answer in after_registry.items():
            assert answer == before_registry[reader][name], (
                f"{reader} learns of the hidden camera from {name}"
            )


def test_a_snapshot_taken_by_an_admin_shows_the_lead_only_its_own_scope(client, session, world):
    """An admin reads everything; the plan it confirms must still show the lead's users only the
    figures of what they may read (here: a private camera of a pact partner, hidden from the lead)."""
    item = plan(client, world)
    before = intervention_answers(client, world["headers"]["lead"], item)
    add_hidden_camera(session, world, owner="beta")  # a partner's private camera: hidden from the lead
    admin = factories.headers_for(session, factories.org(session, "regione", kind="public_body"), "admin")
    url = f"/api/v1/interventions/{item['id']}"
    current = ok(client.get(url, headers=admin)).json
    ok(client.post(f"{url}/snapshot", headers={**admin, "If-Match": f'"{item["id"]}.{current["version"]}"'}))
    admin_view = ok(client.get(url, headers=admin)).json["summary"]
    assert admin_view["cameras"] == before["item"]["summary"]["cameras"] + 1
    after = intervention_answers(client, world["headers"]["lead"], item)
    assert after == before


def place_body(name: str, half_m: float = 15.0) -> dict:
    """A small square where only the hidden camera looks (60-85 m east of the centre)."""
    centre = _CENTRE.to_lonlat(Point(72, 0))
    local = Area(centre)
    return {
        "name": name,
        "category": "square",
        "geometry": mapping(local.to_lonlat(box(-half_m, -half_m, half_m, half_m))),
    }


def place_figures(answer: dict) -> dict:
    latest = answer["properties"]["latest"]
    return {key: latest[key] for key in ("area_m2", "covered_m2", "ratio", "camera_count")}


@pytest.mark.parametrize("attacker", ["private_editor", "partner_editor"])
def test_drawing_places_does_not_find_a_hidden_camera(app: Flask, client, session, world, attacker):
    """The attack of the issue: a few square metres drawn where a private camera of another
    organisation may look, measured on create, on change, on request and by the periodic job."""
    headers = world["headers"][attacker]
    first = ok(client.post("/api/v1/places", json=place_body("Prima"), headers=headers)).json
    baseline = place_figures(first)
    assert baseline["camera_count"] == 0 and baseline["covered_m2"] == 0

    add_hidden_camera(session, world)

    created = ok(client.post("/api/v1/places", json=place_body("Seconda"), headers=headers)).json
    assert place_figures(created) == baseline
    url = f"/api/v1/places/{first['id']}"
    patched = client.patch(
        url,
        json={"geometry": place_body("x", 14.0)["geometry"]},
        headers={**headers, "If-Match": f'"{first["id"]}.1"'},
    )
    assert patched.status_code == 200
    assert place_figures(patched.json)["camera_count"] == 0
    measured = ok(client.post(f"{url}/coverage", headers=headers)).json
    assert measured["camera_count"] == 0 and measured["covered_m2"] == 0
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["places", "measure"])
    assert result.exit_code == 0, result.output
    history = ok(client.get(f"{url}/coverage", headers=headers)).json["measurements"]
    assert all(m["camera_count"] == 0 and m["covered_m2"] == 0 for m in history)
    listed = ok(client.get("/api/v1/places", headers=headers)).json["features"]
    assert all(place_figures(feature)["camera_count"] == 0 for feature in listed)
    stats = ok(client.get("/api/v1/stats", headers=headers)).json["places"]
    assert stats and all(p["latest"]["camera_count"] == 0 for p in stats)


def test_partners_read_a_place_without_its_organisations_figures(client, session, world):
    """alfa's place is measured in alfa's scope (its private camera counts); beta reads the place
    but not those figures, with or without the camera."""
    add_hidden_camera(session, world)
    created = ok(
        client.post("/api/v1/places", json=place_body("Scuola"), headers=world["headers"]["lead"])
    ).json
    assert place_figures(created)["camera_count"] == 1
    url = f"/api/v1/places/{created['id']}"
    for reader in ("partner", "partner_editor"):
        item = ok(client.get(url, headers=world["headers"][reader])).json["properties"]
        assert item["latest"] is None and item["figures_withheld"] is True
        history = ok(client.get(f"{url}/coverage", headers=world["headers"][reader])).json
        assert history["measurements"] == [] and history["figures_withheld"] is True
        listed = ok(client.get("/api/v1/places", headers=world["headers"][reader])).json["features"]
        assert [f["properties"]["latest"] for f in listed if f["id"] == created["id"]] == [None]


def test_the_stats_page_and_the_cli_show_figures_in_scope(app: Flask, client, session, world):
    runner = app.test_cli_runner()
    place = ok(
        client.post("/api/v1/places", json=place_body("Mercato"), headers=world["headers"]["private_editor"])
    ).json
    add_hidden_camera(session, world)
    result = runner.invoke(main, ["places", "measure", "--org", "gamma"])
    assert result.exit_code == 0, result.output
    assert re.search(r"\tMercato\tratio=0\.0000\tcameras=0$", result.output, re.MULTILINE), result.output
    history = ok(
        client.get(f"/api/v1/places/{place['id']}/coverage", headers=world["headers"]["private_editor"])
    ).json
    assert [m["camera_count"] for m in history["measurements"]] == [0, 0]
