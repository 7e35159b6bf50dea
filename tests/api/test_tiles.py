"""Vector tiles: /tiles/cameras/{z}/{x}/{y}.mvt (public) and /tiles/cameras/restricted/... (signed in).

Cameras are placed around the centre of a tile computed with the standard slippy-map formula; the
expected tile coordinates, grid cells and generalised positions follow from that formula and pyproj
(EPSG:3035 for the public grid), independently of the code under test. Tiles are decoded with
mapbox-vector-tile, on both databases.
"""

from __future__ import annotations

import math
from collections import Counter

import mapbox_vector_tile
import pytest
from pyproj import Transformer

from observo.domain import vocabulary as v
from observo.domain.permissions import SYSTEM
from observo.services import tiles
from observo.settings import Settings
from observo.spatial.base import Tile
from tests import factories

MVT = "application/vnd.mapbox-vector-tile"
EXTENT = 4096
TO_LAEA = Transformer.from_crs(4326, 3035, always_xy=True)
FROM_LAEA = Transformer.from_crs(3035, 4326, always_xy=True)
POINT_ZOOM = 15  # one feature per camera
CELL_ZOOM = 10  # one feature per grid cell


def tile_xy(lon: float, lat: float, zoom: int) -> tuple[float, float]:
    """Fractional slippy-map tile coordinates of a position (x from the west, y from the north)."""
    n = 2**zoom
    x = (lon + 180.0) / 360.0 * n
    y = (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n
    return x, y


def tile_of(point, zoom: int) -> tuple[int, int, int]:
    x, y = tile_xy(*point, zoom)
    return zoom, math.floor(x), math.floor(y)


def pixel(point, tile) -> tuple[float, float]:
    """Where `point` falls in `tile`, in tile units (0..4096, y down)."""
    zoom, tx, ty = tile
    x, y = tile_xy(*point, zoom)
    return (x - tx) * EXTENT, (y - ty) * EXTENT


def near_tile_centre(tile, east: float, south: float):
    """A position `east`/`south` tile units from the centre of `tile`."""
    zoom, tx, ty = tile
    n = 2**zoom
    x = tx + 0.5 + east / EXTENT
    y = ty + 0.5 + south / EXTENT
    lon = x / n * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    return lon, lat


def generalised(point, cell: float = 100) -> tuple[float, float]:
    x, y = TO_LAEA.transform(*point)
    return FROM_LAEA.transform((x // cell + 0.5) * cell, (y // cell + 0.5) * cell)


def url(tile, restricted: bool = False) -> str:
    z, x, y = tile
    return f"/tiles/cameras/{'restricted/' if restricted else ''}{z}/{x}/{y}.mvt"


def decoded(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == MVT
    layers = mapbox_vector_tile.decode(response.data, default_options={"y_coord_down": True})
    assert set(layers) == {"cameras"} and layers["cameras"]["extent"] == EXTENT
    return layers["cameras"]["features"]


def by_id(features) -> dict[int, dict]:
    return {feature["id"]: feature for feature in features}


def assert_at(feature, expected, tolerance: float = 1.0) -> None:
    assert feature["geometry"]["type"] == "Point"
    assert feature["geometry"]["coordinates"] == pytest.approx(list(expected), abs=tolerance)


def total(features) -> int:
    return sum(feature["properties"]["count"] for feature in features)


def police(session, town) -> dict[str, str]:
    return factories.headers_for(session, town)


def assert_problem(response, status: int, pointer: str | None = None) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    if pointer is not None:
        assert pointer in {error["pointer"] for error in response.json["errors"]}, response.json


# --- data ---

HOME = tile_of(factories.TURIN, POINT_ZOOM)


@pytest.fixture
def town(session):
    return factories.org(session, "torino", istat_code="001272")


@pytest.fixture
def layout(session, town):
    """Five cameras of Turin inside one tile at zoom 15, one per (type, visibility, status)."""
    spots = [
        ((-800, -600), "fixed", "public", "active"),
        ((700, 300), "dome", "public", "faulty"),
        ((100, 900), "fixed", "shared", "active"),
        ((-300, 500), "panorama", "private", "active"),
        ((500, -900), "fixed", "public", "planned"),
    ]
    placed = {}
    for (east, south), camera_type, visibility, status in spots:
        point = near_tile_centre(HOME, east, south)
        extra = {"bearing_deg": None} if camera_type != "fixed" else {"bearing_deg": 45.0}
        created = factories.camera(
            session, town, *point, camera_type=camera_type, visibility=visibility, status=status, **extra
        )
        placed[created.id] = (point, camera_type, visibility, status)
    return placed


# --- one feature per camera ---


def test_restricted_tile_has_every_readable_camera_at_its_exact_position(client, session, town, layout):
    features = by_id(decoded(client.get(url(HOME, True), headers=police(session, town))))
    assert set(features) == set(layout)
    for camera_id, (point, camera_type, _visibility, status) in layout.items():
        feature = features[camera_id]
        assert_at(feature, pixel(point, HOME))
        properties = feature["properties"]
        assert properties["camera_type"] == camera_type and properties["status"] == status
        assert properties["surveillance_type"] == "camera"
        assert properties["range_m"] == pytest.approx(100.0)
        assert properties["hfov_deg"] == pytest.approx(60.0 if camera_type == "fixed" else 360.0)
        assert properties.get("bearing_deg") == (45.0 if camera_type == "fixed" else None)


def test_public_tile_has_public_cameras_at_generalised_positions_only(client, session, town, layout):
    features = by_id(decoded(client.get(url(HOME))))
    listed = {
        camera_id
        for camera_id, (_point, _type, visibility, status) in layout.items()
        if visibility == "public" and status in ("active", "faulty")
    }
    assert set(features) == listed and len(listed) == 2
    for camera_id in listed:
        point, camera_type, _visibility, _status = layout[camera_id]
        feature = features[camera_id]
        assert feature["properties"] == {"camera_type": camera_type, "surveillance_type": "camera"}
        public = pixel(generalised(point), HOME)
        assert_at(feature, public)
        assert math.dist(public, pixel(point, HOME)) > 2  # the exact position is not what is shown


def test_public_tile_is_the_same_for_a_signed_in_caller(client, session, town, layout):
    anonymous = client.get(url(HOME))
    signed_in = client.get(url(HOME), headers=police(session, town))
    assert signed_in.data == anonymous.data
    assert signed_in.headers["Cache-Control"] == "private, no-store"  # credentials sent: never stored


def test_restricted_tile_respects_the_read_scope(client, session, town, layout):
    outsider = factories.org(session, "moncalieri")
    own = factories.camera(session, outsider, *near_tile_centre(HOME, 0, 0), visibility="private")
    features = by_id(decoded(client.get(url(HOME, True), headers=factories.headers_for(session, outsider))))
    public = {camera_id for camera_id, spot in layout.items() if spot[2] == "public"}
    assert set(features) == public | {own.id}  # not Turin's shared or private ones
    assert features[own.id]["properties"]["status"] == "active"
    town_view = by_id(decoded(client.get(url(HOME, True), headers=police(session, town))))
    assert own.id not in town_view


# --- one feature per grid cell ---


def cell_in_tile(point, tile) -> tuple[int, int]:
    """The 4 x 4 grid cell of the tile holding `point` (column from the west, row from the north)."""
    x, y = pixel(point, tile)
    return math.floor(x / (EXTENT / 4)), math.floor(y / (EXTENT / 4))


def cells(features) -> dict[tuple[int, int], dict]:
    found = {}
    for feature in features:
        x, y = feature["geometry"]["coordinates"]
        found[(math.floor(x / (EXTENT / 4)), math.floor(y / (EXTENT / 4)))] = feature["properties"]
    return found


@pytest.fixture
def spread(session, town):
    """Cameras in three cells of a zoom-10 tile, one in the tile east of it: (point, type, visibility)."""
    tile = tile_of(factories.TURIN, CELL_ZOOM)
    offsets = [
        ((-1500, -1500), "fixed", "public"),
        ((-1400, -1450), "dome", "shared"),
        ((-1450, -1300), "fixed", "private"),
        ((300, 200), "panorama", "public"),
        ((350, 250), "fixed", "public"),
        ((1500, 1500), "thermal", "shared"),
        ((2400, 0), "fixed", "public"),  # beyond the tile's east edge (2048 units from the centre)
    ]
    placed = []
    for (east, south), camera_type, visibility in offsets:
        point = near_tile_centre(tile, east, south)
        extra = {"bearing_deg": None} if camera_type in ("dome", "panorama") else {}
        factories.camera(session, town, *point, camera_type=camera_type, visibility=visibility, **extra)
        placed.append((point, camera_type, visibility))
    return tile, placed


def expected_cells(tile, placed) -> dict[tuple[int, int], Counter]:
    expected: dict[tuple[int, int], Counter] = {}
    for point, camera_type, _visibility in placed:
        if tile_of(point, CELL_ZOOM) == tile:
            expected.setdefault(cell_in_tile(point, tile), Counter())[camera_type] += 1
    return expected


def assert_cells(found, expected) -> None:
    assert set(found) == set(expected)
    for key, by_type in expected.items():
        properties = found[key]
        assert properties["count"] == sum(by_type.values())
        assert {name: properties[f"count_{name}"] for name in v.CAMERA_TYPES} == {
            name: by_type.get(name, 0) for name in v.CAMERA_TYPES
        }


def test_low_zoom_tiles_count_cameras_per_cell(client, session, town, spread):
    tile, placed = spread
    features = decoded(client.get(url(tile, True), headers=police(session, town)))
    assert all(feature["id"] == 0 for feature in features)  # cells carry no feature id (decoded as 0)
    expected = expected_cells(tile, placed)
    assert len(expected) == 3
    assert_cells(cells(features), expected)
    assert total(features) == len(placed) - 1 == 6
    east = (tile[0], tile[1] + 1, tile[2])
    assert total(decoded(client.get(url(east, True), headers=police(session, town)))) == 1


def test_low_zoom_public_tiles_count_public_cameras_on_generalised_positions(client, session, town, spread):
    tile, placed = spread
    public = [(generalised(point), camera_type, vis) for point, camera_type, vis in placed if vis == "public"]
    features = decoded(client.get(url(tile)))
    assert_cells(cells(features), expected_cells(tile, public))
    assert total(features) == 3
    for feature in features:
        assert set(feature["properties"]) == {"count", *(f"count_{name}" for name in v.CAMERA_TYPES)}


def test_a_crowded_tile_is_aggregated_instead(session, town, layout):
    tile = Tile(*HOME)
    extent = Settings().extent
    full = mapbox_vector_tile.decode(tiles.camera_tile(session, SYSTEM, tile, extent, max_points=5))
    assert sorted(feature["id"] for feature in full["cameras"]["features"]) == sorted(layout)
    crowded = mapbox_vector_tile.decode(tiles.camera_tile(session, SYSTEM, tile, extent, max_points=4))
    features = crowded["cameras"]["features"]
    assert total(features) == len(layout) == 5
    assert all(feature["id"] == 0 and "status" not in feature["properties"] for feature in features)


# --- empty tiles, headers, refusals ---


def test_empty_tiles_are_204(client, session, town, layout):
    east = (HOME[0], HOME[1] + 1, HOME[2])
    for tile in (east, (3, 0, 0)):  # no camera there; outside the registry's extent
        response = client.get(url(tile))
        assert response.status_code == 204 and response.data == b""
        assert response.headers["Cache-Control"].startswith("public")
        restricted = client.get(url(tile, True), headers=police(session, town))
        assert restricted.status_code == 204 and restricted.data == b""


def test_public_tiles_are_cacheable_by_anyone(client, session, town, layout):
    response = client.get(url(HOME), headers={"Origin": "https://comune.example"})
    assert response.status_code == 200 and response.mimetype == MVT
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    etag = response.headers["ETag"]
    revalidated = client.get(url(HOME), headers={"If-None-Match": etag})
    assert revalidated.status_code == 304 and revalidated.headers["ETag"] == etag


def test_restricted_tiles_are_never_shared(client, session, town, layout):
    headers = {**police(session, town), "Origin": "https://comune.example"}
    response = client.get(url(HOME, True), headers=headers)
    assert response.status_code == 200 and response.mimetype == MVT
    assert response.headers["Cache-Control"] == "private, no-store"
    assert {"authorization", "cookie"} <= {value.lower() for value in response.vary}
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "ETag" not in response.headers


def test_restricted_tiles_need_a_signed_in_caller(client, session, town, layout):
    assert_problem(client.get(url(HOME, True)), 401)
    assert_problem(client.get(url(HOME, True), headers=factories.auth("not-a-token")), 401)


@pytest.mark.parametrize(
    ("path", "pointer"),
    [
        ("23/0/0", "/z"),
        ("2/4/0", "/x"),
        ("2/0/4", "/y"),
        ("a/0/0", "/z"),
        ("1/0/0.5", "/y"),
        ("-1/0/0", "/z"),
        ("1/1e0/0", "/x"),
        ("1/0/1%0A", "/y"),
        ("1/%D9%A1/0", "/x"),  # an Arabic-Indic digit one: int() would take it
    ],
)
def test_bad_tile_addresses_are_400(client, session, town, path, pointer):
    assert_problem(client.get(f"/tiles/cameras/{path}.mvt"), 400, pointer)
    restricted = client.get(f"/tiles/cameras/restricted/{path}.mvt", headers=police(session, town))
    assert_problem(restricted, 400, pointer)


def test_query_parameters_are_refused(client, session, town):
    assert_problem(client.get(url(HOME), query_string={"camera_type": "dome"}), 400, "/camera_type")
