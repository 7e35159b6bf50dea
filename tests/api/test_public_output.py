"""Acceptance, "Who sees what": the public snapshot an anonymous caller gets.

"The keys of public output equal an allowlist; positions are identical across repeated and shifted
requests and never finer than the grid." Expected public positions are computed here, independently
of the application, with pyproj: EPSG:4326 -> EPSG:3035, floor to the cell, its centre, back,
rounded to 7 decimals.
"""

from __future__ import annotations

import csv
import io
import math
from datetime import date

import pytest
from pyproj import Geod, Transformer

from observo.domain.shapes import BBox, MapGrid
from tests import factories

GEOD = Geod(ellps="WGS84")
TO_LAEA = Transformer.from_crs("EPSG:4326", "EPSG:3035", always_xy=True)
FROM_LAEA = Transformer.from_crs("EPSG:3035", "EPSG:4326", always_xy=True)
TO_MERCATOR = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
P = factories.TURIN
CAMERAS = "/api/v1/cameras"
NEAREST = "/api/v1/cameras/nearest"
CLUSTERS = "/api/v1/clusters"
CLUSTER_BBOX = "7.62,45.02,7.76,45.12"
REASON = "proc. pen. 4321/2026"

ALLOWED_PROPERTIES = {"name", "camera_type", "surveillance_type", "municipality", "owner"}
FEATURE_KEYS = {"type", "id", "geometry", "properties"}
COLLECTION_KEYS = {"type", "features", "numberMatched", "numberReturned", "links"}
CSV_HEADER = ["id", "lon", "lat", "name", "camera_type", "surveillance_type", "municipality", "owner"]
CLUSTER_KEYS = {"type", "zoom", "cell_m", "numberMatched", "features"}
CLUSTER_PROPERTIES = {"count", "by_type", "cell_bbox", "cell_centre"}
ISTAT = "001272"


# ---------------------------------------------------------------- independent geometry


def cell_origin(point, cell_m: int) -> tuple[float, float]:
    """South-west corner (EPSG:3035 metres) of the cell of side `cell_m` holding `point`."""
    x, y = TO_LAEA.transform(*point)
    return math.floor(x / cell_m) * cell_m, math.floor(y / cell_m) * cell_m


def in_cell(east_m: float, north_m: float, cell_m: int = 100, cells_east: int = 0, cells_north: int = 0):
    """A position `east_m`/`north_m` grid metres from the south-west corner of a cell near Turin."""
    x0, y0 = cell_origin(P, cell_m)
    return FROM_LAEA.transform(x0 + (cells_east * cell_m) + east_m, y0 + (cells_north * cell_m) + north_m)


def public_of(point, cell_m: int = 100) -> tuple[float, float]:
    """Where the public must see `point`: the centre of its EPSG:3035 cell, 7 decimals (0: exact)."""
    if cell_m == 0:
        return round(point[0], 7), round(point[1], 7)
    x0, y0 = cell_origin(point, cell_m)
    lon, lat = FROM_LAEA.transform(x0 + cell_m / 2, y0 + cell_m / 2)
    return round(lon, 7), round(lat, 7)


def metres(a, b) -> float:
    return GEOD.inv(*a, *b)[2]


def shifted(point, east_m: float = 0.0, north_m: float = 0.0) -> tuple[float, float]:
    lon, lat = point
    if east_m:
        lon = GEOD.fwd(lon, lat, 90 if east_m > 0 else 270, abs(east_m))[0]
    if north_m:
        lat = GEOD.fwd(lon, lat, 0 if north_m > 0 else 180, abs(north_m))[1]
    return lon, lat


def assert_on_grid(public, true, cell_m: int) -> None:
    """`public` is the centre of the cell holding `true`, no farther from it than half the diagonal."""
    x, y = TO_LAEA.transform(*public)
    x0, y0 = cell_origin(true, cell_m)
    assert x - x0 == pytest.approx(cell_m / 2, abs=0.02) and y - y0 == pytest.approx(cell_m / 2, abs=0.02)
    corners = [FROM_LAEA.transform(x0 + dx, y0 + dy) for dx in (0, cell_m) for dy in (0, cell_m)]
    half_diagonal = max(metres(public, corner) for corner in corners)
    assert half_diagonal == pytest.approx(cell_m * math.sqrt(2) / 2, rel=0.002)
    assert metres(true, public) <= half_diagonal + 0.02


def text(point) -> str:
    return f"{point[0]!r},{point[1]!r}"


def bbox_text(west: float, south: float, east: float, north: float) -> str:
    return ",".join(repr(value) for value in (west, south, east, north))


def box_around(point, half_m: float) -> str:
    west, south = shifted(point, -half_m, -half_m)
    east, north = shifted(point, half_m, half_m)
    return bbox_text(west, south, east, north)


def coordinate_strings(point) -> list[str]:
    """How an exact position could show up in a response: repr, 7 and 6 decimals."""
    return [f"{value!r}" for value in point] + [f"{value:.{n}f}" for value in point for n in (7, 6)]


# ---------------------------------------------------------------- requests


def get_json(client, path=CAMERAS, **params):
    response = client.get(path, query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/geo+json"
    return response.json


def ids(body) -> list[int]:
    return [feature["id"] for feature in body["features"]]


def coordinates(body) -> dict[int, tuple[float, float]]:
    return {feature["id"]: tuple(feature["geometry"]["coordinates"]) for feature in body["features"]}


def csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def csv_positions(client, **params) -> dict[int, tuple[float, float]]:
    rows = csv_rows(client.get(CAMERAS, query_string={"f": "csv", **params}))
    return {int(row["id"]): (float(row["lon"]), float(row["lat"])) for row in rows}


def assert_problem(response, status: int) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == status


def assert_nothing_of(raw: bytes, forbidden) -> None:
    body = raw.decode()
    leaked = sorted({value for value in forbidden if value in body})
    assert not leaked, f"restricted values in a public answer: {leaked}"


def assert_public_feature(feature, extra: frozenset[str] = frozenset()) -> None:
    assert set(feature) == FEATURE_KEYS
    assert feature["type"] == "Feature" and isinstance(feature["id"], int)
    geometry = feature["geometry"]
    assert set(geometry) == {"type", "coordinates"} and geometry["type"] == "Point"
    assert len(geometry["coordinates"]) == 2
    assert all(isinstance(value, float) for value in geometry["coordinates"])
    assert all(round(value, 7) == value for value in geometry["coordinates"]), "finer than 7 decimals"
    assert set(feature["properties"]) == ALLOWED_PROPERTIES | extra
    for name, value in feature["properties"].items():  # scalars only: nothing nested inside
        assert value is None or isinstance(value, str | int | float), (name, value)


# ---------------------------------------------------------------- 1. allowlist


def restricted_properties(tag: str, operator_slug: str) -> dict:
    """Every optional property a client may write, with values unique to `tag`."""
    return {
        "ref": f"REF-{tag}-0042",
        "source": "census",
        "osm_id": 9_876_543_210,
        "site_ref": f"SITO-{tag}-77",
        "address": f"Via Riservatissima {tag} 42",
        "municipality": ISTAT,
        "indoor": False,
        "level": f"L-{tag}",
        "mount": "street_lamp",
        "height_m": 6.75,
        "surveillance_type": "alpr",
        "area_class": "outdoor",
        "zone": "public_transport",
        "make": f"Marca-{tag}",
        "model": f"Modello-{tag}-9",
        "bearing_deg": 123.25,
        "hfov_deg": 47.5,
        "tilt_deg": 17.25,
        "range_m": 88.5,
        "operator": operator_slug,
        "data_controller": f"Titolare {tag} Srl",
        "footage_contact_name": f"Gennaro Quattrocchi-{tag}",
        "footage_contact_phone": "+39 011 5550199",
        "footage_contact_email": f"quattrocchi.{tag}@riservato.example",
        "footage_contact_pec": f"quattrocchi.{tag}@pec.riservato.example",
        "footage_contact_hours": f"lun-ven 9:13-12:47 {tag}",
        "purpose": "ztl_access",
        "legal_basis": f"Delibera GC 777/2021 {tag}",
        "retention_hours": 173,
        "signage": "present",
        "signage_checked_on": date(2024, 3, 17),
        "records": True,
        "live_link": True,
        "night_vision": True,
        "resolution": "3840x2161",
        "installed_on": date(2019, 11, 23),
        "last_verified_on": date(2025, 2, 11),
        "verification": "surveyed",
        "temporary": True,
        "valid_from": date(2024, 1, 5),
        "valid_until": date(2031, 12, 29),
    }


def forbidden_values(properties: dict, true_point) -> set[str]:
    """Values of restricted properties that must never reach an anonymous caller, in any form."""
    visible = ALLOWED_PROPERTIES | {"owner", "camera_type", "name", "visibility"}
    values = {
        value.isoformat() if isinstance(value, date) else value
        for name, value in properties.items()
        if name not in visible and isinstance(value, str | date)
    }
    values.discard(ISTAT)
    return values | {str(properties["osm_id"]), "faulty", "inactive"} | set(coordinate_strings(true_point))


@pytest.fixture
def registry(session):
    """A town and a private shop it sponsors, each with a fully described public camera; a plain
    public camera; and cameras the public must never see (shared, private, planned, decommissioned).
    """
    town = factories.org(
        session,
        "borgo-aperto",
        istat_code=ISTAT,
        contacts={"contact_name": "Dirigente Ombra", "contact_email": "ombra@borgo.example"},
    )
    shop = factories.org(session, "bottega-riservata", kind="private", sponsor_slug=town.slug)
    operator = factories.org(session, "vigilanza-occulta", kind="private", sponsor_slug=town.slug)
    shown: dict[int, dict] = {}
    forbidden = {"Dirigente Ombra", "ombra@borgo.example", shop.slug, operator.slug}
    for tag, owner, status, true in (
        ("alfa", town, "faulty", in_cell(12.0, 17.0)),
        ("beta", shop, "inactive", in_cell(83.0, 71.0, cells_east=3)),
    ):
        props = restricted_properties(tag, operator.slug)
        name = f"Telecamera {tag}"
        camera = factories.camera(
            session, owner, *true, name=name, camera_type="fixed", visibility="public", status=status, **props
        )
        shown[camera.id] = {
            "true": true,
            "properties": {
                "name": name,
                "camera_type": "fixed",
                "surveillance_type": "alpr",
                "municipality": ISTAT,
                "owner": town.slug if owner is town else None,
            },
        }
        forbidden |= forbidden_values(props, true)
    plain_true = in_cell(61.0, 9.0, cells_north=2)
    plain = factories.camera(session, town, *plain_true, name="Telecamera gamma", visibility="public")
    shown[plain.id] = {
        "true": plain_true,
        "properties": {
            "name": "Telecamera gamma",
            "camera_type": "fixed",
            "surveillance_type": "camera",
            "municipality": ISTAT,
            "owner": town.slug,
        },
    }
    forbidden |= set(coordinate_strings(plain_true))
    hidden: dict[int, list[str]] = {}
    for n, (owner, visibility, status) in enumerate(
        (
            (town, "shared", "active"),
            (town, "private", "active"),
            (town, "public", "planned"),
            (town, "public", "decommissioned"),
            (shop, "shared", "active"),
            (shop, "private", "faulty"),
        )
    ):
        true = in_cell(30.0 + n, 40.0 + n, cells_east=n - 2, cells_north=1)
        name = f"Telecamera nascosta {visibility} {status} {n}"
        address = f"Vicolo Nascosto {n}"
        camera = factories.camera(
            session, owner, *true, name=name, address=address, visibility=visibility, status=status
        )
        hidden[camera.id] = [name, address, *coordinate_strings(true)]
        forbidden |= {name, address, *coordinate_strings(true)}
    return {"town": town, "shop": shop, "shown": shown, "hidden": hidden, "forbidden": forbidden}


def check_feature(feature, registry, extra: frozenset[str] = frozenset()) -> None:
    assert_public_feature(feature, extra)
    expected = registry["shown"][feature["id"]]
    assert {name: feature["properties"][name] for name in ALLOWED_PROPERTIES} == expected["properties"]
    assert tuple(feature["geometry"]["coordinates"]) == public_of(expected["true"])


LISTINGS = {
    "list": (CAMERAS, {}, frozenset()),
    "bbox": (CAMERAS, {"bbox": "7.66,45.05,7.72,45.09"}, frozenset()),
    "near": (CAMERAS, {"near": text(P), "radius": 3000}, frozenset({"distance_m"})),
    "nearest": (NEAREST, {"point": text(P), "k": 50}, frozenset({"distance_m"})),
    "text": (CAMERAS, {"q": "telecamera"}, frozenset()),
    "type": (CAMERAS, {"camera_type": "fixed"}, frozenset()),
}


@pytest.mark.parametrize("case", sorted(LISTINGS))
def test_public_listings_carry_only_the_allowlist(client, registry, case):
    path, params, extra = LISTINGS[case]
    response = client.get(path, query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.json
    assert set(body) <= COLLECTION_KEYS and body["type"] == "FeatureCollection"
    assert sorted(ids(body)) == sorted(registry["shown"])
    for feature in body["features"]:
        check_feature(feature, registry, extra)
        if "distance_m" in extra:
            public = public_of(registry["shown"][feature["id"]]["true"])
            assert feature["properties"]["distance_m"] == pytest.approx(metres(P, public), abs=0.01)
    assert_nothing_of(response.get_data(), registry["forbidden"])


def test_public_item_carries_only_the_allowlist_and_no_etag(client, registry):
    for camera_id in registry["shown"]:
        response = client.get(f"{CAMERAS}/{camera_id}")
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == "application/geo+json"
        assert "ETag" not in response.headers
        assert response.json["id"] == camera_id
        check_feature(response.json, registry)
        assert_nothing_of(response.get_data(), registry["forbidden"])


def test_public_csv_has_only_the_allowlisted_columns(client, registry):
    response = client.get(CAMERAS, query_string={"f": "csv"})
    assert next(csv.reader(io.StringIO(response.get_data(as_text=True)))) == CSV_HEADER
    rows = csv_rows(response)
    assert sorted(int(row["id"]) for row in rows) == sorted(registry["shown"])
    for row in rows:
        expected = registry["shown"][int(row["id"])]
        assert (float(row["lon"]), float(row["lat"])) == public_of(expected["true"])
        assert {name: row[name] or None for name in ALLOWED_PROPERTIES} == expected["properties"]
    assert_nothing_of(response.get_data(), registry["forbidden"])


def test_public_clusters_carry_counts_only(client, registry):
    response = client.get(CLUSTERS, query_string={"bbox": CLUSTER_BBOX, "zoom": 14})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.json
    assert set(body) == CLUSTER_KEYS
    assert body["numberMatched"] == len(registry["shown"])  # nothing hidden is counted
    for feature in body["features"]:
        assert set(feature) == FEATURE_KEYS and set(feature["properties"]) == CLUSTER_PROPERTIES
        assert set(feature["geometry"]) == {"type", "coordinates"}
        assert sum(feature["properties"]["by_type"].values()) == feature["properties"]["count"]
    assert_nothing_of(response.get_data(), registry["forbidden"])


def test_owner_is_named_only_for_public_bodies(client, registry):
    owners = {feature["id"]: feature["properties"]["owner"] for feature in get_json(client)["features"]}
    town_cameras = [i for i, c in registry["shown"].items() if c["properties"]["owner"] == "borgo-aperto"]
    shop_cameras = [i for i in registry["shown"] if i not in town_cameras]
    assert len(town_cameras) == 2 and len(shop_cameras) == 1
    assert all(owners[i] == "borgo-aperto" for i in town_cameras)
    assert all(owners[i] is None for i in shop_cameras)


def test_hidden_cameras_are_404_and_say_nothing(client, registry):
    for camera_id, traces in registry["hidden"].items():
        response = client.get(f"{CAMERAS}/{camera_id}")
        assert_problem(response, 404)
        assert_nothing_of(response.get_data(), [*traces, "borgo-aperto", "bottega-riservata"])
    for camera_id in registry["shown"]:  # contacts and history are for signed-in users
        for tail in ("contacts", "history"):
            response = client.get(f"{CAMERAS}/{camera_id}/{tail}")
            assert_problem(response, 401)
            assert_nothing_of(response.get_data(), registry["forbidden"])


# ---------------------------------------------------------------- 2. positions


@pytest.fixture
def town(session):
    return factories.org(session, "torino", istat_code=ISTAT)


@pytest.fixture
def editor(session, town):
    return factories.headers_for(session, town, "editor")


def test_every_answer_gives_the_centre_of_the_cell(client, session, town):
    true = in_cell(12.5, 83.0)
    camera_id = factories.camera(session, town, *true, visibility="public").id
    public = public_of(true)
    assert_on_grid(public, true, 100)
    assert public != (round(true[0], 7), round(true[1], 7)) and metres(true, public) > 30
    assert coordinates(get_json(client)) == {camera_id: public}
    assert tuple(get_json(client, f"{CAMERAS}/{camera_id}")["geometry"]["coordinates"]) == public
    assert csv_positions(client) == {camera_id: public}
    query_point = shifted(true, 250, -120)
    near = get_json(client, near=text(query_point), radius=1000)
    nearest = get_json(client, NEAREST, point=text(query_point), k=3)
    for body in (near, nearest):
        assert coordinates(body) == {camera_id: public}
        distance = body["features"][0]["properties"]["distance_m"]
        assert distance == pytest.approx(metres(query_point, public), abs=0.01)
        assert abs(distance - metres(query_point, true)) > 1  # measured from the public point
    (cluster,) = get_json(client, CLUSTERS, bbox=CLUSTER_BBOX, zoom=14)["features"]
    assert cluster["geometry"]["coordinates"] == [round(public[0], 6), round(public[1], 6)]


def test_repeated_requests_are_byte_identical(client, session, town):
    true = in_cell(71.0, 28.0)
    camera_id = factories.camera(session, town, *true, visibility="public").id
    public = public_of(true)
    requests = {
        "item": (f"{CAMERAS}/{camera_id}", {}),
        "list": (CAMERAS, {}),
        "csv": (CAMERAS, {"f": "csv"}),
        "near": (CAMERAS, {"near": text(P), "radius": 500}),
    }
    for name, (path, params) in requests.items():
        bodies = {client.get(path, query_string=params).get_data() for _ in range(20)}
        assert len(bodies) == 1, name
    assert tuple(get_json(client, f"{CAMERAS}/{camera_id}")["geometry"]["coordinates"]) == public
    assert csv_positions(client) == {camera_id: public}


# Windows around the public point, in metres east/north of it: (west, east) x (south, north). The
# camera's true position lies about 40 m west and 40 m south of the public point, so some edges
# pass between the two; (0, 0) shrinks the window onto the public point (edges are inclusive).
X_RANGES = [
    (-150, 150),
    (-45, 5),
    (-45, -5),
    (-60, -20),
    (-20, 1),
    (-1, 20),
    (5, 45),
    (-300, 300),
    (0.3, 80),
    (0, 0),
]
Y_RANGES = [
    (-150, 150),
    (-45, 5),
    (-45, -5),
    (-60, -20),
    (-20, 1),
    (-1, 20),
    (5, 45),
    (-80, -0.3),
    (-9, 9),
    (0, 0),
]


def test_shifted_windows_give_the_same_point_or_nothing(client, session, town):
    true = in_cell(10.0, 10.0)
    camera_id = factories.camera(session, town, *true, visibility="public").id
    neighbour_true = in_cell(90.0, 55.0, cells_east=1)
    neighbour_id = factories.camera(session, town, *neighbour_true, visibility="public").id
    expected = {camera_id: public_of(true), neighbour_id: public_of(neighbour_true)}
    public = expected[camera_id]
    windows = [(x, (-60, 60)) for x in X_RANGES] + [((-60, 60), y) for y in Y_RANGES]
    windows += list(zip(X_RANGES, Y_RANGES, strict=True))
    kinds = set()
    for (west_m, east_m), (south_m, north_m) in windows:
        west, south = shifted(public, west_m, south_m)
        east, north = shifted(public, east_m, north_m)
        body = get_json(client, bbox=bbox_text(west, south, east, north))
        inside = {i for i, (lon, lat) in expected.items() if west <= lon <= east and south <= lat <= north}
        assert set(ids(body)) == inside, ((west_m, east_m), (south_m, north_m))
        assert coordinates(body) == {i: expected[i] for i in inside}
        truly_inside = west <= true[0] <= east and south <= true[1] <= north
        kinds.add((camera_id in inside, truly_inside))
    # The windows did cover every case: public point only, true point only, both, neither.
    assert kinds == {(True, False), (False, True), (True, True), (False, False)}


def move(client, url: str, headers: dict[str, str], point) -> None:
    """PATCH the camera's position as the user of `headers`, with the ETag that user just read."""
    etag = client.get(url, headers=headers).headers["ETag"]
    response = client.patch(
        url,
        json={"geometry": {"type": "Point", "coordinates": list(point)}},
        headers={**headers, "If-Match": etag},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    # Signed-in users see the exact position (7 decimals): the move did happen.
    assert response.json["geometry"]["coordinates"] == [round(point[0], 7), round(point[1], 7)]


def test_moves_inside_the_cell_keep_the_public_point(client, session, town, editor):
    start = in_cell(50.5, 48.0)
    camera_id = factories.camera(session, town, *start, visibility="public").id
    url = f"{CAMERAS}/{camera_id}"
    public = public_of(start)
    for east_m, north_m in ((0.5, 0.5), (99.5, 0.5), (0.5, 99.5), (99.5, 99.5), (27.0, 63.0), (88.0, 12.0)):
        moved = in_cell(east_m, north_m)
        move(client, url, editor, moved)
        assert public_of(moved) == public
        assert tuple(get_json(client, url)["geometry"]["coordinates"]) == public
        assert_on_grid(public, moved, 100)
    other_id = factories.camera(session, town, *in_cell(5.0, 95.0), visibility="public").id
    assert coordinates(get_json(client)) == {camera_id: public, other_id: public}
    assert csv_positions(client) == {camera_id: public, other_id: public}
    # One cell east: the other cell's centre, 100 m away on the grid.
    moved = in_cell(5.0, 50.0, cells_east=1)
    move(client, url, editor, moved)
    new_public = tuple(get_json(client, url)["geometry"]["coordinates"])
    assert new_public == public_of(moved) != public
    assert metres(new_public, public) == pytest.approx(100, rel=0.002)


CELL_OFFSETS = [(0.03, 0.05), (0.97, 0.02), (0.5, 0.93), (0.21, 0.64), (0.999, 0.999)]


@pytest.mark.parametrize("cell_m", [100, 250, 1000])
def test_the_organisations_grid_sets_the_cell(client, session, cell_m):
    organisation = factories.org(session, f"comune-{cell_m}", public_precision_m=cell_m)
    trues = {}
    for fx, fy in CELL_OFFSETS:
        true = in_cell(fx * cell_m, fy * cell_m, cell_m)
        trues[factories.camera(session, organisation, *true, visibility="public").id] = true
    public = public_of(next(iter(trues.values())), cell_m)
    assert {public_of(true, cell_m) for true in trues.values()} == {public}
    assert coordinates(get_json(client)) == dict.fromkeys(trues, public)
    assert csv_positions(client) == dict.fromkeys(trues, public)
    for true in trues.values():
        assert_on_grid(public, true, cell_m)
    if cell_m != 100:  # not the default grid: the centre of a 100 m cell is elsewhere
        assert all(public_of(true, 100) != public for true in trues.values())


def test_grid_changes_move_the_public_positions_at_once(client, session, town, editor):
    """An administrator changes the town's grid; an editor hands a camera to an owner on another grid."""
    admin = factories.headers_for(session, factories.org(session, "regione", kind="public_body"), "admin")
    true = in_cell(37.0, 212.0, 250)  # in a 250 m cell, chosen so the 100 m grid differs
    camera_id = factories.camera(session, town, *true, visibility="public").id
    url = f"{CAMERAS}/{camera_id}"
    assert tuple(get_json(client, url)["geometry"]["coordinates"]) == public_of(true, 100)
    for cell_m in (250, 0, 1000, 100):
        response = client.patch(
            f"/api/v1/organizations/{town.slug}", json={"public_precision_m": cell_m}, headers=admin
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        assert tuple(get_json(client, url)["geometry"]["coordinates"]) == public_of(true, cell_m)
        assert csv_positions(client) == {camera_id: public_of(true, cell_m)}
    shop = factories.org(session, "edicola", kind="private", sponsor_slug=town.slug, public_precision_m=250)
    etag = client.get(url, headers=editor).headers["ETag"]
    response = client.patch(
        url, json={"properties": {"owner": shop.slug}}, headers={**editor, "If-Match": etag}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    feature = get_json(client, url)
    assert tuple(feature["geometry"]["coordinates"]) == public_of(true, 250) != public_of(true, 100)
    assert feature["properties"]["owner"] is None


def test_precision_zero_exposes_the_exact_position(client, session):
    organisation = factories.org(session, "comune-trasparente", public_precision_m=0)
    true = (7.68691234567, 45.07034567891)
    camera_id = factories.camera(session, organisation, *true, visibility="public").id
    exact = (7.6869123, 45.0703457)
    assert coordinates(get_json(client)) == {camera_id: exact}
    assert tuple(get_json(client, f"{CAMERAS}/{camera_id}")["geometry"]["coordinates"]) == exact
    assert csv_positions(client) == {camera_id: exact}
    near = get_json(client, near=text(true), radius=1)
    assert ids(near) == [camera_id] and near["features"][0]["properties"]["distance_m"] < 0.05


# ---------------------------------------------------------------- 3. filters


@pytest.fixture
def corner(session, town):
    """A public camera 10 m inside the south-west corner of its cell, ~57 m from the public point."""
    true = in_cell(10.0, 10.0)
    camera_id = factories.camera(session, town, *true, visibility="public").id
    return camera_id, true, public_of(true)


def test_near_tests_the_public_point(client, session, town, corner):
    camera_id, true, public = corner
    police = factories.headers_for(session, town, "viewer")
    assert metres(true, public) > 55
    # A small circle around the true position: the public answer is empty, the police one is not.
    assert ids(get_json(client, near=text(true), radius=25)) == []
    found = client.get(
        CAMERAS, query_string={"near": text(true), "radius": 25, "reason": REASON}, headers=police
    )
    assert [f["id"] for f in found.json["features"]] == [camera_id]
    # A circle holding the public point and not the true one (beyond the public point, away from it).
    centre = shifted(public, 10, 10)
    assert metres(centre, true) > 60
    body = get_json(client, near=text(centre), radius=25)
    assert coordinates(body) == {camera_id: public}
    assert body["features"][0]["properties"]["distance_m"] == pytest.approx(metres(centre, public), abs=0.01)
    # nearest measures from the public point too.
    (feature,) = get_json(client, NEAREST, point=text(true), k=1)["features"]
    assert feature["properties"]["distance_m"] == pytest.approx(metres(true, public), abs=0.01)


def test_bbox_tests_the_public_point(client, session, town, corner):
    camera_id, true, public = corner
    assert ids(get_json(client, bbox=box_around(true, 20))) == []
    assert csv_positions(client, bbox=box_around(true, 20)) == {}
    assert coordinates(get_json(client, bbox=box_around(public, 20))) == {camera_id: public}
    assert csv_positions(client, bbox=box_around(public, 20)) == {camera_id: public}
    # Clusters count whole cells of public positions: a box at the true position counts the camera
    # exactly when it touches the cell of the public point (what the public map shows there anyway).
    for zoom in (16, 18, 20):
        grid = MapGrid(zoom)
        ix0, iy0, ix1, iy1 = grid.cell_range(BBox(*map(float, box_around(true, 20).split(","))))
        x, y = TO_MERCATOR.transform(*public)
        public_cell = (math.floor(x / grid.cell_m), math.floor(y / grid.cell_m))
        touched = ix0 <= public_cell[0] <= ix1 and iy0 <= public_cell[1] <= iy1
        clusters = get_json(client, CLUSTERS, bbox=box_around(true, 20), zoom=zoom)
        assert clusters["numberMatched"] == int(touched), zoom
        assert get_json(client, CLUSTERS, bbox=box_around(public, 20), zoom=zoom)["numberMatched"] == 1
    assert not touched  # at zoom 20 (10 m cells) the true position's box is far from the public cell


def test_order_does_not_reveal_which_camera_is_truly_nearer(client, session, town):
    """Two cameras in one cell: the one created second stands right at the query point."""
    first = factories.camera(session, town, *in_cell(90.0, 90.0), visibility="public").id
    query_point = in_cell(8.0, 8.0)
    second = factories.camera(session, town, *shifted(query_point, 0.5, 0.5), visibility="public").id
    near = get_json(client, near=text(query_point), radius=200)
    assert ids(near) == [first, second]
    assert len({feature["properties"]["distance_m"] for feature in near["features"]}) == 1
    assert ids(get_json(client, NEAREST, point=text(query_point), k=1)) == [first]
    assert ids(get_json(client, bbox=box_around(query_point, 150))) == [first, second]


RESTRICTED_FILTERS = {
    "sees": (CAMERAS, {"sees": text(P)}),
    "sees_with_reason": (CAMERAS, {"sees": text(P), "reason": REASON}),
    "sees_csv": (CAMERAS, {"sees": text(P), "f": "csv"}),
    "status": (CAMERAS, {"status": "faulty"}),
    "status_csv": (CAMERAS, {"status": "active", "f": "csv"}),
    "visibility": (CAMERAS, {"visibility": "public"}),
    "status_near": (CAMERAS, {"status": "active", "near": text(P), "radius": 500}),
    "status_nearest": (NEAREST, {"status": "active", "point": text(P)}),
    "visibility_nearest": (NEAREST, {"visibility": "shared", "point": text(P)}),
    "status_clusters": (CLUSTERS, {"status": "active", "bbox": CLUSTER_BBOX, "zoom": 14}),
    "visibility_clusters": (CLUSTERS, {"visibility": "public", "bbox": CLUSTER_BBOX, "zoom": 14}),
}


@pytest.mark.parametrize("case", sorted(RESTRICTED_FILTERS))
def test_restricted_filters_are_401_for_anonymous(client, session, town, case):
    factories.camera(session, town, name="Telecamera del test", visibility="public", status="faulty")
    path, params = RESTRICTED_FILTERS[case]
    response = client.get(path, query_string=params)
    assert_problem(response, 401)
    assert "Telecamera del test" not in response.get_data(as_text=True)
