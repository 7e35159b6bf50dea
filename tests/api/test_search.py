"""POST /api/v1/search: cameras located in, or seeing into, an area, a point's surroundings or a route.

Shapes and cameras are laid out in metres with pyproj Geod.fwd around Piazza Castello, so relations,
distances and orders are known in advance and checked against pyproj.
"""

from __future__ import annotations

import json

import pytest
from pyproj import Geod
from shapely.geometry import MultiPolygon, box, mapping

from observo.services.organisations import create_pact
from tests import factories

GEOD = Geod(ellps="WGS84")
P = factories.TURIN
REASON = "proc. pen. 1234/2026"
SEARCH = "/api/v1/search"


def at(azimuth: float, metres: float, origin: tuple[float, float] = P) -> tuple[float, float]:
    lon, lat, _back = GEOD.fwd(*origin, azimuth, metres)
    return lon, lat


def metres_between(a, b) -> float:
    return GEOD.inv(*a, *b)[2]


def square(centre, half_m):
    """A lon/lat box whose sides lie `half_m` metres north, south, east and west of `centre`."""
    return box(
        at(270, half_m, centre)[0],
        at(180, half_m, centre)[1],
        at(90, half_m, centre)[0],
        at(0, half_m, centre)[1],
    )


def geojson(geometry) -> dict:
    return json.loads(json.dumps(mapping(geometry)))


def search(client, headers, geometry, **fields):
    return client.post(SEARCH, json={"geometry": geometry, "reason": REASON, **fields}, headers=headers)


def found(client, headers, geometry, **fields) -> dict:
    response = search(client, headers, geometry, **fields)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/geo+json"
    return response.json


def ids(body) -> list[int]:
    return [feature["id"] for feature in body["features"]]


def hits(body) -> list[tuple[int, str]]:
    return [(feature["id"], feature["properties"]["relation"]) for feature in body["features"]]


def distances(body) -> dict[int, float]:
    return {feature["id"]: feature["properties"]["distance_m"] for feature in body["features"]}


def next_link(body):
    found_links = [link for link in body["links"] if link["rel"] == "next"]
    assert len(found_links) <= 1
    return found_links[0] if found_links else None


def assert_problem(response, status, pointer=None, code=None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body["status"] == status and body["type"].startswith("urn:observo:problem:")
    assert "Traceback" not in response.get_data(as_text=True)
    if pointer:
        matching = [error for error in body.get("errors", []) if error["pointer"] == pointer]
        assert matching, f"no error at {pointer}: {body}"
        if code:
            assert code in {error["code"] for error in matching}, body


@pytest.fixture
def town(session):
    return factories.org(session, "torino", istat_code="001272")


@pytest.fixture
def police(session, town):
    return factories.headers_for(session, town, "viewer")


# ---------------------------------------------------------------- polygon


@pytest.fixture
def district(session, town):
    """A 200 m square around P; cameras inside, one outside looking in, one outside looking away."""
    area = square(P, 100)
    east_edge = (area.bounds[2], P[1])
    cams = {
        "inside": factories.camera(session, town, *P).id,
        "seer": factories.camera(session, town, *at(90, 60, east_edge), bearing_deg=270, range_m=100).id,
        "inside_ne": factories.camera(session, town, *at(45, 50)).id,
        "away": factories.camera(session, town, *at(90, 30, east_edge), bearing_deg=90, range_m=100).id,
        "faulty": factories.camera(session, town, *at(200, 40), status="faulty").id,
        "planned": factories.camera(session, town, *at(300, 60), status="planned").id,
    }
    return area, cams


def test_polygon_inside_first_then_cameras_seeing_into_it(client, district, police):
    area, cams = district
    body = found(client, police, geojson(area))
    assert hits(body) == [
        (cams["inside"], "inside"),
        (cams["inside_ne"], "inside"),
        (cams["seer"], "sees_into"),
    ]
    assert distances(body)[cams["inside"]] == 0 and distances(body)[cams["inside_ne"]] == 0
    # Due east of the east edge along a geodesic perpendicular to it: 60 m from the polygon.
    assert distances(body)[cams["seer"]] == pytest.approx(60, abs=0.02)
    assert body["numberMatched"] == body["numberReturned"] == 3 and next_link(body) is None


def test_search_uses_active_cameras_unless_status_says_otherwise(client, district, police):
    area, cams = district
    widened = found(client, police, geojson(area), status=["active", "faulty"])
    assert ids(widened) == [cams["inside"], cams["inside_ne"], cams["faulty"], cams["seer"]]
    assert ids(found(client, police, geojson(area), status=["planned"])) == [cams["planned"]]


def test_search_combines_with_attribute_filters(client, session, district, police, town):
    area, cams = district
    dome = factories.camera(session, town, *at(0, 20), camera_type="dome", bearing_deg=None).id
    assert ids(found(client, police, geojson(area), camera_type="dome")) == [dome]
    assert ids(found(client, police, geojson(area), owner="someone-else")) == []
    assert ids(found(client, police, geojson(area), q=f"OBS-{cams['seer']:06d}")) == [cams["seer"]]


def test_multipolygon_finds_cameras_in_each_part(client, session, town, police):
    north, south = at(0, 300), at(180, 300)
    in_north = factories.camera(session, town, *north).id
    in_south = factories.camera(session, town, *south).id
    factories.camera(session, town, *P, bearing_deg=90, range_m=100)  # between the parts, looking away
    parts = MultiPolygon([square(north, 50), square(south, 50)])
    body = found(client, police, geojson(parts))
    assert hits(body) == [(in_north, "inside"), (in_south, "inside")]


# ---------------------------------------------------------------- point and route


def test_point_with_buffer_is_answered_nearest_first(client, session, town, police):
    placements = {
        "far_in": (300, 95, {}),
        "near_in": (10, 20, {}),
        "seer": (90, 150, {"bearing_deg": 270, "range_m": 100}),
        "mid_in": (200, 60, {}),
        "away": (0, 130, {"bearing_deg": 0, "range_m": 100}),
        "beyond": (180, 105, {"bearing_deg": 180, "range_m": 50}),
    }
    cams = {}
    for name, (azimuth, metres, attrs) in placements.items():
        cams[name] = factories.camera(session, town, *at(azimuth, metres), **attrs).id
    body = found(client, police, {"type": "Point", "coordinates": list(P)}, buffer_m=100)
    expected = ["near_in", "mid_in", "far_in", "seer"]
    assert hits(body) == [(cams[n], "sees_into" if n == "seer" else "inside") for n in expected]
    for name in expected:
        azimuth, metres, _attrs = placements[name]
        assert distances(body)[cams[name]] == pytest.approx(metres_between(P, at(azimuth, metres)), abs=0.01)


def _along(line_start, line_end, fraction):
    return (
        line_start[0] + (line_end[0] - line_start[0]) * fraction,
        line_start[1] + (line_end[1] - line_start[1]) * fraction,
    )


def test_route_corridor_is_ordered_along_the_route(client, session, town, police):
    start, end = P, at(90, 1000)
    route = {"type": "LineString", "coordinates": [list(start), list(end)]}
    cams = {}
    for fraction in (0.8, 0.2, 0.5):  # created out of order: ids do not give the route's order
        cams[fraction] = factories.camera(session, town, *at(0, 20, _along(start, end, fraction))).id
    looking_in = at(180, 70, _along(start, end, 0.35))
    cams[0.35] = factories.camera(session, town, *looking_in, bearing_deg=0, hfov_deg=40, range_m=60).id
    factories.camera(session, town, *at(0, 80, _along(start, end, 0.5)), bearing_deg=0, range_m=100)
    factories.camera(session, town, *at(270, 200, start), bearing_deg=270, range_m=100)  # behind the start
    body = found(client, police, route, buffer_m=50)
    assert ids(body) == [cams[f] for f in (0.2, 0.35, 0.5, 0.8)]
    assert [f["properties"]["relation"] for f in body["features"]] == [
        "inside",
        "sees_into",
        "inside",
        "inside",
    ]
    expected = {cams[0.2]: 20, cams[0.35]: 70, cams[0.5]: 20, cams[0.8]: 20}
    assert distances(body) == pytest.approx(expected, abs=0.02)


# ---------------------------------------------------------------- paging


def test_paging_with_post_next_links(client, session, town, police, configure):
    area = square(P, 200)
    made = [factories.camera(session, town, *at(70 * n, 30 + 20 * n)).id for n in range(5)]
    whole = found(client, police, geojson(area))
    assert sorted(ids(whole)) == sorted(made)
    pages = [found(client, police, geojson(area), limit=2)]
    while (link := next_link(pages[-1])) is not None:
        assert (link["method"], link["type"]) == ("POST", "application/geo+json")
        assert link["body"]["offset"] == 2 * len(pages) and link["body"]["limit"] == 2
        assert link["body"]["reason"] == REASON and link["body"]["geometry"] == geojson(area)
        response = client.post(link["href"], json=link["body"], headers=police)
        assert response.status_code == 200, response.get_data(as_text=True)
        pages.append(response.json)
        assert len(pages) < 10
    assert [i for page in pages for i in ids(page)] == ids(whole)
    assert [page["numberReturned"] for page in pages] == [2, 2, 1]
    assert [page["numberMatched"] for page in pages] == [5, 5, 5]
    configure(count_cap=3)
    capped = found(client, police, geojson(area), limit=2)
    assert "numberMatched" not in capped and next_link(capped)["body"]["offset"] == 2


# ---------------------------------------------------------------- who may search


@pytest.mark.parametrize("with_reason", [True, False], ids=["with_reason", "without_reason"])
def test_anonymous_search_is_401(client, session, town, with_reason):
    """Searching is for signed-in users: an anonymous caller is told to authenticate, reason or not."""
    factories.camera(session, town, visibility="public")
    body = {"geometry": geojson(square(P, 100)), **({"reason": REASON} if with_reason else {})}
    response = client.post(SEARCH, json=body)
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_viewer_outside_the_pact_finds_no_shared_or_private_cameras(client, session):
    a = factories.org(session, "town-a")
    factories.org(session, "town-b")
    c = factories.org(session, "town-c")
    create_pact(session, slug="pact-ab", name="Pact AB", member_slugs=["town-a", "town-b"])
    session.commit()
    cams = {
        v: factories.camera(session, a, *at(10, 20), visibility=v).id for v in ("public", "shared", "private")
    }
    seer = factories.camera(session, a, *at(90, 150), bearing_deg=270, visibility="shared").id
    area = geojson(square(P, 100))
    outsider = found(client, factories.headers_for(session, c), area)
    assert ids(outsider) == [cams["public"]] and outsider["numberMatched"] == 1
    carabinieri = factories.org(session, "cc-torino", kind="carabinieri")
    assert ids(found(client, factories.headers_for(session, carabinieri), area)) == [
        cams["public"],
        cams["shared"],
        seer,
    ]
    member = found(client, factories.headers_for(session, a), area)
    assert ids(member) == [cams["public"], cams["shared"], cams["private"], seer]


# ---------------------------------------------------------------- bad bodies


def _far_too_large_polygon():
    area = box(P[0] - 0.1, P[1] - 0.05, P[0] + 0.1, P[1] + 0.05)
    assert abs(GEOD.geometry_area_perimeter(area)[0]) / 1e6 > 100  # above max_search_km2
    return geojson(area)


def _long_route():
    start, end = at(270, 30_000), at(90, 30_000)  # 60 km; with a 1 km buffer each side, ~120 km²
    return {"type": "LineString", "coordinates": [list(start), list(end)]}


def _zigzag(count):
    return {
        "type": "LineString",
        "coordinates": [[P[0] + n * 1e-6, P[1] + (n % 2) * 1e-6] for n in range(count)],
    }


BAD_BODIES = {
    "no_geometry": ({"reason": REASON}, "/geometry", "required"),
    "no_reason": (
        {"geometry": {"type": "Point", "coordinates": list(P)}, "buffer_m": 50},
        "/reason",
        "required",
    ),
    "blank_reason": (
        {"geometry": {"type": "Point", "coordinates": list(P)}, "buffer_m": 50, "reason": "  "},
        "/reason",
        "required",
    ),
    "buffer_too_large": (
        {"geometry": {"type": "Point", "coordinates": list(P)}, "buffer_m": 1000.5, "reason": REASON},
        "/buffer_m",
        "too_large",
    ),
    "negative_buffer": (
        {"geometry": {"type": "Point", "coordinates": list(P)}, "buffer_m": -1, "reason": REASON},
        "/buffer_m",
        "out_of_range",
    ),
    "area_too_large": (
        {"geometry": _far_too_large_polygon(), "reason": REASON},
        "/geometry",
        "area_too_large",
    ),
    "route_too_large": (
        {"geometry": _long_route(), "buffer_m": 1000, "reason": REASON},
        "/geometry",
        "area_too_large",
    ),
    "too_many_vertices": (
        {"geometry": _zigzag(10_001), "buffer_m": 10, "reason": REASON},
        "/geometry/coordinates",
        "too_many_vertices",
    ),
    "swapped_point": (
        {"geometry": {"type": "Point", "coordinates": [P[1], P[0]]}, "buffer_m": 10, "reason": REASON},
        "/geometry/coordinates",
        "axis_order",
    ),
    "wrong_type": (
        {"geometry": {"type": "MultiPoint", "coordinates": [list(P)]}, "reason": REASON},
        "/geometry/type",
        "invalid_type",
    ),
    "unknown_field": (
        {
            "geometry": {"type": "Point", "coordinates": list(P)},
            "buffer_m": 10,
            "reason": REASON,
            "radius": 5,
        },
        "/radius",
        "unknown_field",
    ),
    "unknown_status": (
        {
            "geometry": {"type": "Point", "coordinates": list(P)},
            "buffer_m": 10,
            "reason": REASON,
            "status": ["on"],
        },
        "/status/0",
        "invalid_choice",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
def test_bad_bodies_are_422_problems(client, police, case):
    body, pointer, code = BAD_BODIES[case]
    assert_problem(client.post(SEARCH, json=body, headers=police), 422, pointer, code)


def test_a_body_that_is_not_json_is_415(client, police):
    response = client.post(
        SEARCH,
        data="geometry=POINT(7.6869 45.0703)&reason=x",
        headers={**police, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_problem(response, 415)


def test_an_oversized_body_is_413(client, police):
    body = {
        "geometry": {"type": "Point", "coordinates": list(P)},
        "buffer_m": 10,
        "reason": "x" * (3 * 1024 * 1024),
    }
    assert_problem(client.post(SEARCH, json=body, headers=police), 413)
