"""GET /api/v1/cameras filters, ordering and paging, ?f=csv, and /cameras/nearest, on known data.

Cameras stand at chosen bearings and distances from a point (pyproj Geod.fwd), so every answer is
known in advance and spatial results are checked against an independent pyproj/shapely computation.
"""

from __future__ import annotations

import csv
import io

import pytest
from geoalchemy2.shape import to_shape
from pyproj import Geod, Transformer
from shapely import wkt
from shapely.geometry import Point, box, shape

from observo.domain.permissions import SYSTEM
from observo.models import Camera
from observo.services.cameras import CameraWrite, create_camera
from observo.services.organisations import create_pact
from tests import factories

GEOD = Geod(ellps="WGS84")
TO_LAEA = Transformer.from_crs(4326, 3035, always_xy=True)
FROM_LAEA = Transformer.from_crs(3035, 4326, always_xy=True)
P = factories.TURIN
REASON = "proc. pen. 1234/2026"
CAMERAS = "/api/v1/cameras"
NEAREST = "/api/v1/cameras/nearest"
PUBLIC_COLUMNS = ["id", "lon", "lat", "name", "camera_type", "surveillance_type", "municipality", "owner"]


# ---------------------------------------------------------------- helpers


def at(azimuth: float, metres: float, origin: tuple[float, float] = P) -> tuple[float, float]:
    lon, lat, _back = GEOD.fwd(*origin, azimuth, metres)
    return lon, lat


def metres_between(a, b) -> float:
    return GEOD.inv(*a, *b)[2]


def text(point) -> str:
    return f"{point[0]!r},{point[1]!r}"


def bbox_text(*values: float) -> str:
    return ",".join(repr(value) for value in values)


def get(client, headers=None, path=CAMERAS, **params):
    response = client.get(path, query_string=params, headers=headers or {})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/geo+json"
    return response.json


def ids(body) -> list[int]:
    return [feature["id"] for feature in body["features"]]


def next_link(body):
    found = [link for link in body["links"] if link["rel"] == "next"]
    assert len(found) <= 1
    return found[0] if found else None


def walk_pages(client, headers, **params) -> tuple[list[int], list[dict]]:
    """Follow `next` from the first page; returns every id seen and every page body."""
    pages = [get(client, headers, **params)]
    while (link := next_link(pages[-1])) is not None:
        assert link["type"] == "application/geo+json"
        response = client.get(link["href"], headers=headers or {})
        assert response.status_code == 200, response.get_data(as_text=True)
        pages.append(response.json)
        assert len(pages) < 50, "next links never end"
    return [i for page in pages for i in ids(page)], pages


def assert_problem(response, status, pointer, code=None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body["status"] == status and body["type"].startswith("urn:observo:problem:")
    matching = [error for error in body.get("errors", []) if error["pointer"] == pointer]
    assert matching, f"no error at {pointer}: {body}"
    if code:
        assert code in {error["code"] for error in matching}, body


def stored_public_position(session, camera_id) -> tuple[float, float]:
    session.expire_all()
    point = to_shape(session.get(Camera, camera_id).public_location)
    return point.x, point.y


def generalised(point, cell_m=100) -> tuple[float, float]:
    """Independent EPSG:3035 grid snap: the centre of the cell holding the point."""
    x, y = TO_LAEA.transform(*point)
    return FROM_LAEA.transform((x // cell_m + 0.5) * cell_m, (y // cell_m + 0.5) * cell_m)


def csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


@pytest.fixture
def town(session):
    return factories.org(session, "torino", istat_code="001272")


@pytest.fixture
def police(session, town):
    return factories.headers_for(session, town, "viewer")


# ---------------------------------------------------------------- bbox


def test_bbox_edges_are_inclusive(client, session, town, police):
    west, east, south, north = at(270, 100), at(90, 100), at(180, 100), at(0, 100)
    bbox = (west[0], south[1], east[0], north[1])
    edge = {
        factories.camera(session, town, *west).id,
        factories.camera(session, town, *east).id,
        factories.camera(session, town, *south).id,
        factories.camera(session, town, *north).id,
        factories.camera(session, town, bbox[2], bbox[3]).id,  # the north-east corner itself
        factories.camera(session, town, *P).id,
    }
    beyond = [at(90, 101), at(0, 101), at(225, 150)]
    outside = {factories.camera(session, town, *point).id for point in beyond}
    assert not any(box(*bbox).intersects(Point(point)) for point in beyond)
    body = get(client, police, bbox=bbox_text(*bbox))
    assert set(ids(body)) == edge and not outside & set(ids(body))
    assert body["numberMatched"] == len(edge) == body["numberReturned"]


def test_bbox_orders_outward_from_the_centre_then_by_id(client, session, town, police):
    # Each distance is more than 1.42 times the previous one, so the order is the same whether
    # measured in metres or in degrees (a degree of longitude is ~0.71 of one of latitude here).
    placements = [(200, 450), (20, 40), (300, 200), (110, 90), (110, 90), (45, 1000)]
    cameras = [(factories.camera(session, town, *at(az, m)).id, at(az, m)) for az, m in placements]
    bbox = (P[0] - 0.02, P[1] - 0.02, P[0] + 0.02, P[1] + 0.02)
    centre = ((bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2)
    planar = [i for i, point in sorted(cameras, key=lambda c: (Point(c[1]).distance(Point(centre)), c[0]))]
    metric = [i for i, point in sorted(cameras, key=lambda c: (metres_between(c[1], centre), c[0]))]
    assert planar == metric
    assert ids(get(client, police, bbox=bbox_text(*bbox))) == planar


def test_list_without_spatial_filter_is_ordered_by_id(client, session, town, police):
    created = [factories.camera(session, town, *at(az, 500 - az)).id for az in (0, 90, 180, 270)]
    assert ids(get(client, police)) == sorted(created)


# ---------------------------------------------------------------- near


def test_near_is_geodesic_nearest_first_with_distance(client, session, town, police):
    # 10 cm either side of the 200 m circle: a spherical or planar distance would get some wrong.
    placements = [(45, 150), (90, 199.9), (0, 200.1), (200, 60), (300, 120), (270, 199.9), (180, 200.1)]
    cameras = {factories.camera(session, town, *at(az, m)).id: at(az, m) for az, m in placements}
    factories.camera(session, town, *at(10, 400))
    expected = sorted(
        (i for i, point in cameras.items() if metres_between(P, point) <= 200),
        key=lambda i: metres_between(P, cameras[i]),
    )
    body = get(client, police, near=text(P), radius=200, reason=REASON)
    assert ids(body) == expected and len(expected) == 5
    for feature in body["features"]:
        measured = metres_between(P, cameras[feature["id"]])
        assert feature["properties"]["distance_m"] == pytest.approx(measured, abs=0.01)
        assert feature["geometry"]["coordinates"] == pytest.approx(list(cameras[feature["id"]]), abs=1e-7)


# ---------------------------------------------------------------- sees


def _sees_analytically(camera_point, bearing, hfov, range_m, target) -> bool:
    azimuth, _back, distance = GEOD.inv(*camera_point, *target)
    if hfov >= 360:
        return distance < range_m
    return distance < range_m and abs((azimuth - bearing + 180) % 360 - 180) < hfov / 2


SEES_LAYOUT = {
    # name: (azimuth from P, metres from P, bearing, hfov, range)
    "west_facing_p": (270, 60, 90, 60, 100),
    "east_facing_away": (90, 30, 90, 60, 100),
    "south_facing_p": (180, 90, 0, 40, 150),
    "north_too_short": (0, 20, 180, 60, 10),
    "dome_near": (45, 40, None, 360, 50),
    "east_looking_aside": (90, 70, 330, 40, 100),
}


def test_sees_returns_cameras_whose_view_contains_the_point_nearest_first(client, session, town, police):
    cameras = {}
    for name, (azimuth, metres, bearing, hfov, range_m) in SEES_LAYOUT.items():
        kind = {"camera_type": "dome"} if hfov == 360 else {"hfov_deg": hfov}
        point = at(azimuth, metres)
        created = factories.camera(
            session, town, *point, **{"bearing_deg": bearing, "range_m": range_m, **kind}
        )
        cameras[created.id] = (name, point, bearing, hfov, range_m)
    expected = sorted(
        (i for i, (_n, point, b, h, r) in cameras.items() if _sees_analytically(point, b, h, r, P)),
        key=lambda i: metres_between(cameras[i][1], P),
    )
    assert [cameras[i][0] for i in expected] == ["dome_near", "west_facing_p", "south_facing_p"]
    body = get(client, police, sees=text(P), reason=REASON)
    assert ids(body) == expected
    for feature in body["features"]:
        assert shape(feature["properties"]["fov"]).contains(Point(P))
        measured = metres_between(cameras[feature["id"]][1], P)
        assert feature["properties"]["distance_m"] == pytest.approx(measured, abs=0.01)


# ---------------------------------------------------------------- attribute filters


@pytest.fixture
def catalogue(session, town):
    """Cameras differing in one attribute each; an admin reads them all."""
    moncalieri = factories.org(session, "moncalieri", istat_code="001156")
    shop = factories.org(session, "bar-sport", kind="private", sponsor_slug="torino")
    specs = {
        "castello": (town, {"name": "Piazza Castello Nord", "address": "Piazza Castello 1"}),
        "dome": (
            town,
            {"name": "Via Po", "address": "Via Po 12", "camera_type": "dome", "bearing_deg": None}
            | {"status": "faulty", "visibility": "public"},
        ),
        "alpr": (
            town,
            {"name": "Varco Garibaldi", "address": "Via Garibaldi 3", "surveillance_type": "alpr"}
            | {"status": "inactive", "visibility": "private"},
        ),
        "retired": (town, {"name": "Old castello", "status": "decommissioned"}),
        "planned": (moncalieri, {"name": "Piazza Vittorio 100%", "status": "planned"}),
        "bar": (shop, {"name": "Bar Sport", "municipality": "001272", "visibility": "public"}),
    }
    made = {
        key: factories.camera(session, owner, *at(30 * n, 50), **attrs).id
        for n, (key, (owner, attrs)) in enumerate(specs.items())
    }
    regione = factories.org(session, "regione", kind="public_body")
    return made, factories.headers_for(session, regione, "admin")


FILTER_CASES = [
    ({}, ["castello", "dome", "alpr", "planned", "bar"]),
    ({"owner": "torino"}, ["castello", "dome", "alpr"]),
    ({"owner": "bar-sport"}, ["bar"]),
    ({"owner": "nobody"}, []),
    ({"camera_type": "dome"}, ["dome"]),
    ({"surveillance_type": "alpr"}, ["alpr"]),
    ({"status": "decommissioned"}, ["retired"]),
    ({"status": "faulty,inactive"}, ["dome", "alpr"]),
    ({"status": "planned,decommissioned"}, ["retired", "planned"]),
    ({"municipality": "001156"}, ["planned"]),
    ({"municipality": "001272"}, ["castello", "dome", "alpr", "bar"]),
    ({"visibility": "public"}, ["dome", "bar"]),
    ({"visibility": "private"}, ["alpr"]),
    ({"q": "CASTELLO nord"}, ["castello"]),
    ({"q": "castello"}, ["castello"]),  # "Old castello" is decommissioned
    ({"q": "via po 12"}, ["dome"]),  # the address
    ({"q": "100%"}, ["planned"]),
    ({"q": "%"}, ["planned"]),  # a literal percent sign, not a LIKE wildcard
    ({"q": "_"}, []),
    ({"owner": "torino", "status": "faulty,inactive", "camera_type": "fixed"}, ["alpr"]),
    ({"municipality": "001272", "visibility": "public", "camera_type": "fixed"}, ["bar"]),
]


@pytest.mark.parametrize(("params", "expected"), FILTER_CASES, ids=[str(c[0]) for c in FILTER_CASES])
def test_attribute_filters(client, catalogue, params, expected):
    made, admin = catalogue
    assert ids(get(client, admin, **params)) == sorted(made[key] for key in expected)


def test_q_finds_a_camera_by_its_public_code(client, session, catalogue):
    made, admin = catalogue
    camera_id = made["alpr"]
    for query in (f"OBS-{camera_id:06d}", f"obs-{camera_id}", f" OBS{camera_id:06d} "):
        assert ids(get(client, admin, q=query)) == [camera_id], query
    assert ids(get(client, admin, q=f"OBS-{999999:06d}")) == []


def test_spatial_and_attribute_filters_combine(client, session, town, police):
    near_dome = factories.camera(session, town, *at(0, 50), camera_type="dome", bearing_deg=None, range_m=80)
    near_fixed = factories.camera(session, town, *at(180, 30), bearing_deg=0, range_m=80)
    near_faulty_dome = factories.camera(
        session, town, *at(90, 20), camera_type="dome", bearing_deg=None, range_m=80, status="faulty"
    )
    factories.camera(session, town, *at(0, 900), camera_type="dome", bearing_deg=None)  # too far
    near = {"near": text(P), "radius": 300, "reason": REASON}
    assert ids(get(client, police, camera_type="dome", **near)) == [near_faulty_dome.id, near_dome.id]
    assert ids(get(client, police, camera_type="dome", status="active", **near)) == [near_dome.id]
    sees = {"sees": text(P), "reason": REASON}
    assert ids(get(client, police, **sees)) == [near_faulty_dome.id, near_fixed.id, near_dome.id]
    assert ids(get(client, police, status="faulty", **sees)) == [near_faulty_dome.id]
    bbox = bbox_text(P[0] - 0.002, P[1] - 0.002, P[0] + 0.002, P[1] + 0.002)
    assert ids(get(client, police, bbox=bbox, camera_type="fixed")) == [near_fixed.id]
    assert ids(get(client, police, bbox=bbox, q="nothing like this")) == []


# ---------------------------------------------------------------- paging and count cap


def _spread(session, town, count):
    return [factories.camera(session, town, *at(37 * n % 360, 40 + 25 * n)).id for n in range(count)]


PAGED_QUERIES = {
    "by_id": {},
    "bbox": {"bbox": bbox_text(P[0] - 0.01, P[1] - 0.01, P[0] + 0.01, P[1] + 0.01)},
    "near": {"near": text(P), "radius": 1000, "reason": REASON},
}


@pytest.mark.parametrize("kind", sorted(PAGED_QUERIES))
def test_next_links_visit_every_match_once_in_order(client, session, town, police, kind):
    created = _spread(session, town, 7)
    params = PAGED_QUERIES[kind]
    whole = ids(get(client, police, **params))
    assert sorted(whole) == sorted(created)
    seen, pages = walk_pages(client, police, limit=3, **params)
    assert seen == whole
    assert [page["numberReturned"] for page in pages] == [3, 3, 1]
    assert [page["numberMatched"] for page in pages] == [7, 7, 7]  # exact on every page
    assert next_link(pages[-1]) is None
    past_the_end = get(client, police, limit=3, offset=10, **params)
    assert (past_the_end["features"], past_the_end["numberMatched"]) == ([], 7)
    assert next_link(past_the_end) is None


def test_limit_above_the_maximum_is_clamped(client, session, town, police, configure):
    configure(max_page_limit=2)
    created = _spread(session, town, 3)
    first = get(client, police, limit=5000)
    assert ids(first) == created[:2] and first["numberReturned"] == 2
    assert "limit=2" in next_link(first)["href"]


def test_number_matched_is_omitted_beyond_the_count_cap_and_next_still_works(
    client, session, town, police, configure
):
    configure(count_cap=3)
    created = _spread(session, town, 5)
    seen, pages = walk_pages(client, police, limit=2)
    assert seen == created
    assert "numberMatched" not in pages[0] and next_link(pages[0]) is not None
    assert all(page.get("numberMatched", 5) == 5 for page in pages)  # exact whenever present
    few = get(client, police, limit=2, q=f"OBS-{created[0]:06d}")
    assert few["numberMatched"] == 1


def test_number_matched_within_the_cap_is_exact_on_a_first_page(client, session, town, police, configure):
    configure(count_cap=3)
    _spread(session, town, 3)
    first = get(client, police, limit=2)
    assert (first["numberMatched"], first["numberReturned"]) == (3, 2)


# ---------------------------------------------------------------- reason


REASON_CASES = {
    "near": (CAMERAS, {"near": text(P), "radius": 100}),
    "sees": (CAMERAS, {"sees": text(P)}),
    "nearest": (NEAREST, {"point": text(P)}),
    "csv": (CAMERAS, {"f": "csv"}),
    "csv_bbox": (CAMERAS, {"f": "csv", "bbox": bbox_text(7.6, 45.0, 7.7, 45.1)}),
    "blank": (CAMERAS, {"sees": text(P), "reason": "   "}),
}


@pytest.mark.parametrize("case", sorted(REASON_CASES))
def test_queries_about_a_place_need_a_reason(client, session, town, police, case):
    factories.camera(session, town)
    path, params = REASON_CASES[case]
    assert_problem(client.get(path, query_string=params, headers=police), 422, "/reason", "required")


def test_browsing_needs_no_reason(client, session, town, police):
    camera_id = factories.camera(session, town).id
    assert ids(get(client, police, bbox=bbox_text(7.6, 45.0, 7.7, 45.1))) == [camera_id]
    assert ids(get(client, police, camera_type="fixed")) == [camera_id]


# ---------------------------------------------------------------- anonymous callers


@pytest.fixture
def corner_case(session, town):
    """A public camera 10 m inside the corner of its 100 m EPSG:3035 cell, ~57 m from the cell centre."""
    x, y = TO_LAEA.transform(*P)
    exact = FROM_LAEA.transform((x // 100) * 100 + 10, (y // 100) * 100 + 10)
    camera = factories.camera(session, town, *exact, visibility="public")
    return camera.id, exact, generalised(exact)


def _box_around(point, half_deg=0.0001):
    return bbox_text(point[0] - half_deg, point[1] - half_deg, point[0] + half_deg, point[1] + half_deg)


def test_anonymous_positions_are_the_generalised_ones(client, session, town, corner_case):
    camera_id, exact, public = corner_case
    stored = stored_public_position(session, camera_id)
    assert stored == pytest.approx(public, abs=2e-7)
    assert metres_between(exact, public) > 50
    (feature,) = get(client)["features"]
    assert feature["id"] == camera_id
    assert feature["geometry"]["coordinates"] == pytest.approx(list(stored), abs=1e-9)
    assert set(feature["properties"]) == set(PUBLIC_COLUMNS[3:])


def test_anonymous_bbox_and_near_run_on_generalised_positions(client, session, town, police, corner_case):
    camera_id, exact, public = corner_case
    assert not box(*map(float, _box_around(exact).split(","))).intersects(Point(public))
    assert ids(get(client, bbox=_box_around(exact))) == []
    assert ids(get(client, bbox=_box_around(public))) == [camera_id]
    assert ids(get(client, police, bbox=_box_around(exact))) == [camera_id]
    assert ids(get(client, police, bbox=_box_around(public))) == []
    assert ids(get(client, near=text(exact), radius=20)) == []
    (found,) = get(client, near=text(public), radius=20)["features"]
    assert found["properties"]["distance_m"] == pytest.approx(0, abs=0.02)
    assert ids(get(client, police, near=text(exact), radius=20, reason=REASON)) == [camera_id]


@pytest.mark.parametrize(
    "params",
    [{"sees": text(P)}, {"sees": text(P), "reason": REASON}, {"status": "active"}, {"visibility": "public"}],
    ids=["sees", "sees_with_reason", "status", "visibility"],
)
def test_anonymous_restricted_filters_are_401(client, session, town, params):
    factories.camera(session, town, visibility="public")
    response = client.get(CAMERAS, query_string=params)
    assert response.status_code == 401 and response.mimetype == "application/problem+json"


def test_anonymous_owner_filter_names_public_bodies_only(client, session, town, police):
    shop = factories.org(session, "bar-sport", kind="private", sponsor_slug="torino")
    shop_camera = factories.camera(session, shop, visibility="public").id
    town_camera = factories.camera(session, town, visibility="public").id
    assert ids(get(client, owner="bar-sport")) == []
    assert ids(get(client, owner="torino")) == [town_camera]
    assert ids(get(client, police, owner="bar-sport")) == [shop_camera]
    (shop_feature,) = [f for f in get(client)["features"] if f["id"] == shop_camera]
    assert shop_feature["properties"]["owner"] is None


def test_anonymous_never_sees_restricted_or_unbuilt_cameras(client, session, town):
    shown = factories.camera(session, town, name="Telecamera pubblica", visibility="public").id
    for visibility in ("shared", "private"):
        factories.camera(session, town, name=f"Telecamera {visibility}", visibility=visibility)
    for status in ("planned", "decommissioned"):
        factories.camera(session, town, name=f"Telecamera {status}", visibility="public", status=status)
    public = generalised(P)
    queries = [
        {},
        {"q": "telecamera"},
        {"bbox": _box_around(P, 0.01)},
        {"near": text(public), "radius": 1000},
        {"camera_type": "fixed"},
        {"owner": "torino"},
    ]
    for params in queries:
        assert ids(get(client, **params)) == [shown], params
    assert ids(get(client, path=NEAREST, point=text(P), k=10)) == [shown]
    assert [int(row["id"]) for row in csv_rows(client.get(CAMERAS, query_string={"f": "csv"}))] == [shown]


def test_anonymous_text_search_does_not_read_addresses(client, session, town, police):
    camera_id = factories.camera(session, town, visibility="public", address="Via Segreta 7").id
    assert ids(get(client, q="segreta")) == []
    assert ids(get(client, police, q="segreta")) == [camera_id]


# ---------------------------------------------------------------- permissions


@pytest.fixture
def outsiders(session):
    """town-a and town-b in a pact; a viewer of town-c outside it; one camera of each visibility at P."""
    a = factories.org(session, "town-a")
    factories.org(session, "town-b")
    c = factories.org(session, "town-c")
    create_pact(session, slug="pact-ab", name="Pact AB", member_slugs=["town-a", "town-b"])
    session.commit()
    cams = {
        visibility: factories.camera(
            session, a, *at(270, 30), visibility=visibility, bearing_deg=90, range_m=100
        ).id
        for visibility in ("public", "shared", "private")
    }
    own = factories.camera(session, c, *at(90, 40), visibility="private", bearing_deg=270, range_m=100).id
    return cams, own, factories.headers_for(session, c, "viewer"), factories.headers_for(session, a, "viewer")


PERMISSION_QUERIES = {
    "list": (CAMERAS, {}),
    "bbox": (CAMERAS, {"bbox": bbox_text(P[0] - 0.01, P[1] - 0.01, P[0] + 0.01, P[1] + 0.01)}),
    "near": (CAMERAS, {"near": text(P), "radius": 500, "reason": REASON}),
    "sees": (CAMERAS, {"sees": text(P), "reason": REASON}),
    "q": (CAMERAS, {"q": "camera"}),
    "nearest": (NEAREST, {"point": text(P), "k": 10, "reason": REASON}),
}


@pytest.mark.parametrize("query", sorted(PERMISSION_QUERIES))
def test_viewer_outside_the_pact_never_sees_shared_or_private(client, session, outsiders, query):
    cams, own, outsider, member = outsiders
    path, params = PERMISSION_QUERIES[query]
    assert set(ids(get(client, outsider, path=path, **params))) == {cams["public"], own}
    assert set(ids(get(client, member, path=path, **params))) == set(cams.values())


def test_outsider_csv_export_has_no_restricted_rows(client, session, outsiders):
    cams, own, outsider, _member = outsiders
    rows = csv_rows(client.get(CAMERAS, query_string={"f": "csv", "reason": REASON}, headers=outsider))
    assert {int(row["id"]) for row in rows} == {cams["public"], own}


# ---------------------------------------------------------------- bad parameters


def _too_large_bbox():
    box_ = (7.0, 44.0, 11.0, 46.5)
    area, _perimeter = GEOD.geometry_area_perimeter(box(*box_))
    assert abs(area) / 1e6 > 60_000  # larger than max_bbox_km2
    return bbox_text(*box_)


BAD_PARAMETERS = {
    "bbox_three_numbers": ({"bbox": "7.6,45.0,7.7"}, "/bbox", "invalid_format"),
    "bbox_text": ({"bbox": "a,b,c,d"}, "/bbox", "invalid_format"),
    "bbox_nan": ({"bbox": "7.6,NaN,7.7,45.1"}, "/bbox", "not_finite"),
    "bbox_infinity": ({"bbox": "7.6,45.0,inf,45.1"}, "/bbox", "not_finite"),
    "bbox_inverted": ({"bbox": "7.7,45.0,7.6,45.1"}, "/bbox", "inverted"),
    "bbox_out_of_extent": ({"bbox": "20.0,50.0,21.0,51.0"}, "/bbox", "out_of_range"),
    "bbox_too_large": ({"bbox": _too_large_bbox()}, "/bbox", "too_large"),
    # Half the northern mid-latitudes: 0 km² when its edges were geodesics (they meet at the pole).
    "bbox_half_the_world": ({"bbox": "0,40,180,50"}, "/bbox", "too_large"),
    "bbox_off_the_earth": ({"bbox": "7.6,45.0,7.7,95"}, "/bbox", "out_of_range"),
    "near_without_radius": ({"near": text(P), "reason": REASON}, "/radius", "required"),
    "radius_without_near": ({"radius": 100, "reason": REASON}, "/near", "required"),
    "radius_too_large": ({"near": text(P), "radius": 5000.5, "reason": REASON}, "/radius", "too_large"),
    "radius_zero": ({"near": text(P), "radius": 0, "reason": REASON}, "/radius", None),
    "near_swapped": ({"near": "45.0703,7.6869", "radius": 100, "reason": REASON}, "/near", "axis_order"),
    "sees_swapped": ({"sees": "45.0703,7.6869", "reason": REASON}, "/sees", "axis_order"),
    "sees_out_of_extent": ({"sees": "2.35,48.85", "reason": REASON}, "/sees", "out_of_range"),
    "unknown_parameter": ({"camera-type": "dome"}, "/camera-type", "unknown_field"),
    "unknown_camera_type": ({"camera_type": "webcam"}, "/camera_type", "invalid_choice"),
    "unknown_status": ({"status": "active,broken"}, "/status", None),
    "bad_municipality": ({"municipality": "12"}, "/municipality", "invalid_format"),
    "q_too_long": ({"q": "x" * 101}, "/q", "invalid_length"),
    "limit_zero": ({"limit": 0}, "/limit", "out_of_range"),
    "limit_text": ({"limit": "ten"}, "/limit", "invalid_type"),
    "offset_negative": ({"offset": -1}, "/offset", "out_of_range"),
    "bad_format": ({"f": "xlsx"}, "/f", "invalid_choice"),
}


@pytest.mark.parametrize("case", sorted(BAD_PARAMETERS))
def test_bad_parameters_are_400_problems(client, session, police, case):
    params, pointer, code = BAD_PARAMETERS[case]
    response = client.get(CAMERAS, query_string=params, headers=police)
    assert_problem(response, 400, pointer, code)
    assert "Traceback" not in response.get_data(as_text=True)


NEAREST_BAD = {
    "missing_point": ({"reason": REASON}, "/point", "required"),
    "swapped": ({"point": "45.0703,7.6869", "reason": REASON}, "/point", "axis_order"),
    "k_zero": ({"point": text(P), "k": 0, "reason": REASON}, "/k", "out_of_range"),
    "unknown": ({"point": text(P), "radius": 10, "reason": REASON}, "/radius", "unknown_field"),
}


@pytest.mark.parametrize("case", sorted(NEAREST_BAD))
def test_bad_nearest_parameters_are_400_problems(client, session, police, case):
    params, pointer, code = NEAREST_BAD[case]
    assert_problem(client.get(NEAREST, query_string=params, headers=police), 400, pointer, code)


# ---------------------------------------------------------------- CSV


def test_csv_matches_the_json_list_for_police(client, session, town, police):
    for n, azimuth in enumerate((10, 100, 190, 280)):
        factories.camera(session, town, *at(azimuth, 50 + 60 * n), bearing_deg=azimuth, address=f"Via {n}, 1")
    params = {"near": text(P), "radius": 1000, "reason": REASON}
    features = get(client, police, **params)["features"]
    response = client.get(CAMERAS, query_string={**params, "f": "csv"}, headers=police)
    header = next(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert header[:3] == ["id", "lon", "lat"] and "fov_wkt" in header and "fov" not in header
    assert {"name", "camera_type", "status", "visibility", "owner", "address"} <= set(header)
    rows = csv_rows(response)
    assert [int(row["id"]) for row in rows] == [feature["id"] for feature in features]
    for row, feature in zip(rows, features, strict=True):
        assert [float(row["lon"]), float(row["lat"])] == pytest.approx(feature["geometry"]["coordinates"])
        assert wkt.loads(row["fov_wkt"]).equals_exact(shape(feature["properties"]["fov"]), 1e-7)
        assert (row["name"], row["address"], row["owner"]) == tuple(
            feature["properties"][key] for key in ("name", "address", "owner")
        )
    assert response.headers["Content-Disposition"].startswith("attachment")


def test_csv_for_anonymous_has_only_public_columns_and_positions(client, session, town):
    shown = [factories.camera(session, town, *at(az, 300), visibility="public").id for az in (0, 120, 240)]
    factories.camera(session, town, visibility="shared")
    response = client.get(CAMERAS, query_string={"f": "csv"})
    assert next(csv.reader(io.StringIO(response.get_data(as_text=True)))) == PUBLIC_COLUMNS
    rows = csv_rows(response)
    assert [int(row["id"]) for row in rows] == shown
    for row in rows:
        public = stored_public_position(session, int(row["id"]))
        assert (float(row["lon"]), float(row["lat"])) == pytest.approx(public, abs=1e-9)


def test_csv_with_no_match_is_just_the_header(client, session, town, police):
    factories.camera(session, town)
    response = client.get(
        CAMERAS, query_string={"f": "csv", "reason": REASON, "q": "nothing"}, headers=police
    )
    assert csv_rows(response) == []
    assert response.get_data(as_text=True).startswith("id,lon,lat,")


def test_csv_without_limit_returns_every_match(client, session, town, police):
    for n in range(105):  # beyond the default page of 100; one commit for all is cheap
        create_camera(
            session, SYSTEM, CameraWrite(Point(*at(n * 3.4, 20 + n)), factories.properties("torino"))
        )
    session.commit()
    page = get(client, police)
    assert page["numberReturned"] == 100 and next_link(page) is not None
    rows = csv_rows(client.get(CAMERAS, query_string={"f": "csv", "reason": REASON}, headers=police))
    assert len(rows) == 105 and len({row["id"] for row in rows}) == 105
    assert [int(row["id"]) for row in rows] == sorted(int(row["id"]) for row in rows)
    limited = client.get(
        CAMERAS, query_string={"f": "csv", "reason": REASON, "limit": 7, "offset": 3}, headers=police
    )
    assert [int(row["id"]) for row in csv_rows(limited)] == [int(row["id"]) for row in rows[3:10]]


# ---------------------------------------------------------------- nearest


NEAREST_LAYOUT = [(90, 150), (0, 180), (225, 40), (300, 260), (135, 1200), (45, 3000)]


@pytest.fixture
def ring(session, town):
    return {factories.camera(session, town, *at(az, m)).id: at(az, m) for az, m in NEAREST_LAYOUT}


def test_nearest_k_by_geodesic_distance(client, session, ring, police):
    # 150 m east is nearer than 180 m north, though it is further in degrees: geodesic, not planar.
    assert Point(at(90, 150)).distance(Point(P)) > Point(at(0, 180)).distance(Point(P))
    by_distance = sorted(ring, key=lambda i: metres_between(P, ring[i]))
    body = get(client, police, path=NEAREST, point=text(P), k=3, reason=REASON)
    assert ids(body) == by_distance[:3] and body["numberReturned"] == 3
    for feature in body["features"]:
        assert feature["properties"]["distance_m"] == pytest.approx(
            metres_between(P, ring[feature["id"]]), abs=0.01
        )
    everything = get(client, police, path=NEAREST, point=text(P), k=50, reason=REASON)
    assert ids(everything) == by_distance  # the search widens until it has k or reaches its limit


def test_nearest_k_defaults_to_ten_and_is_clamped(client, session, town, ring, police, configure):
    for n in range(6):
        factories.camera(session, town, *at(60 * n, 500 + n))
    assert get(client, police, path=NEAREST, point=text(P), reason=REASON)["numberReturned"] == 10
    configure(max_nearest=2)
    body = get(client, police, path=NEAREST, point=text(P), k=50, reason=REASON)
    assert ids(body) == sorted(ring, key=lambda i: metres_between(P, ring[i]))[:2]


def test_nearest_looks_no_further_than_nearest_radius(client, session, ring, police, configure):
    configure(nearest_radius_m=1000)
    within = sorted(
        (i for i in ring if metres_between(P, ring[i]) <= 1000), key=lambda i: metres_between(P, ring[i])
    )
    assert len(within) == 4
    assert ids(get(client, police, path=NEAREST, point=text(P), k=10, reason=REASON)) == within


def test_nearest_for_anonymous_measures_generalised_positions(client, session, town):
    shown = factories.camera(session, town, *at(70, 300), visibility="public").id
    factories.camera(session, town, *at(0, 10), visibility="shared")
    (feature,) = get(client, path=NEAREST, point=text(P), k=5)["features"]
    public = stored_public_position(session, shown)
    assert feature["id"] == shown
    assert feature["properties"]["distance_m"] == pytest.approx(metres_between(P, public), abs=0.01)
    assert "fov" not in feature["properties"]
