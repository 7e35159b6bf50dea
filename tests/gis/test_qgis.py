"""QGIS 3.22 (Debian's python3-qgis, headless) reads Observo as a desktop user does, and sees what the
API answers the same caller: OGC API – Features layers, vector tiles set up from the TileJSON, a
map drawn by QGIS's renderer, and an export opened by URL through GDAL's /vsicurl/ (audited once).

The QGIS sessions and the live server are in conftest.py; each check reads one step of a session.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import shapely
from shapely.geometry import shape

from tests.gis.conftest import STREETS, LiveObservo

SKIPPED_TYPES = {"DateTime"}  # QGIS keeps milliseconds and writes its own format: not compared


def plain_value(value: Any) -> Any:
    """A value as both sides can compare it: floats to 7 decimals (the API's precision), lists as
    tuples and objects as sorted pairs (hashable)."""
    if isinstance(value, float):
        return round(value, 7)
    if isinstance(value, list | tuple):
        return tuple(plain_value(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((key, plain_value(item)) for key, item in value.items()))
    return value


def qgis_rows(layer: dict[str, Any]) -> Counter:
    """Every feature QGIS read, as (position, attributes) over the fields it compares."""
    compared = [name for name, kind in layer["field_types"].items() if kind not in SKIPPED_TYPES]
    return Counter(
        (
            plain_value(feature["geometry"]["coordinates"]),
            tuple((name, plain_value(feature["attributes"][name])) for name in compared),
        )
        for feature in layer["features"]
    )


def api_rows(features: list[dict[str, Any]], layer: dict[str, Any]) -> Counter:
    """The API's features as `qgis_rows` shows QGIS's (a property a feature lacks is NULL)."""
    compared = [name for name, kind in layer["field_types"].items() if kind not in SKIPPED_TYPES]
    return Counter(
        (
            plain_value(feature["geometry"]["coordinates"]),
            tuple((name, plain_value(feature["properties"].get(name))) for name in compared),
        )
        for feature in features
    )


def ogc_items(live: LiveObservo, caller: str, collection: str = "cameras") -> dict[str, Any]:
    """The server's own answer to the items request QGIS makes, in one page."""
    page = live.get(caller, f"/ogc/collections/{collection}/items?limit=1000")
    assert page["numberMatched"] == page["numberReturned"] == len(page["features"])
    return page


def api_cameras(live: LiveObservo, caller: str) -> list[dict[str, Any]]:
    page = live.get(caller, "/api/v1/cameras?limit=1000")
    assert page["numberMatched"] == page["numberReturned"] == len(page["features"])
    return page["features"]


def assert_layer_is_the_answer(layer: dict[str, Any], page: dict[str, Any]) -> None:
    assert layer["valid"], layer
    assert layer["feature_count"] == page["numberMatched"]  # what QGIS shows as the layer's count
    properties = {name for feature in page["features"] for name in feature["properties"]}
    assert set(layer["fields"]) == properties
    assert qgis_rows(layer) == api_rows(page["features"], layer)  # every feature, every value


# ---------------------------------------------------------------- OGC API – Features


def test_anonymous_layer_is_the_public_answer(live, qgis):
    layer = qgis["desktop"]["anonymous"]
    page = ogc_items(live, "anonymous")
    assert layer["geometry_type"] == "Point" and layer["crs"] == "EPSG:4326"
    assert layer["feature_count"] == len(api_cameras(live, "anonymous"))  # the API's public list
    assert_layer_is_the_answer(layer, page)


def test_qgis_draws_the_anonymous_layer_headless(qgis):
    drawn = qgis["desktop"]["anonymous map"]
    assert drawn["valid"] and drawn["errors"] == []
    assert 0 < drawn["drawn_pixels"] < drawn["pixels"] / 4  # points on a blank map, not a blank map


def test_basic_token_layer_is_the_police_answer(live, qgis):
    """A Basic configuration (the owner's e-mail, the API token as the password) on a fresh profile."""
    layer = qgis["police"]["police"]
    page = ogc_items(live, "police")
    assert (
        layer["feature_count"]
        == len(api_cameras(live, "police"))
        > qgis["desktop"]["anonymous"]["feature_count"]
    )
    assert_layer_is_the_answer(layer, page)
    assert {"camera_id", "code", "municipality_name"} <= set(layer["fields"])


def test_token_layer_after_the_anonymous_one_in_the_same_profile_is_the_police_answer(live, qgis):
    """QGIS's disk cache ignores Vary and reuses the capabilities and the first page without asking:
    after an anonymous layer, a token layer in the same profile must still be the police answer."""
    layer = qgis["desktop"]["police after anonymous"]
    assert_layer_is_the_answer(layer, ogc_items(live, "police"))
    sent = [(path, scheme) for _method, path, scheme, _range in live.notes["desktop requests"]]
    assert ("/ogc/collections/cameras/items", "basic") in sent


def test_basic_user_name_may_be_the_word_token(live, qgis):
    layer = qgis["police"]["police as 'token'"]
    assert_layer_is_the_answer(layer, ogc_items(live, "police"))


def test_camera_views_are_the_police_fields_of_view_as_polygons(live, qgis):
    layer = qgis["police"]["police views"]
    assert layer["geometry_type"] == "Polygon"
    assert_layer_is_the_answer(layer, ogc_items(live, "police", "camera-views"))
    # What each camera sees: its visible area where the demo's buildings clip its sector (issue 20).
    fov_of = {
        camera["properties"]["camera_id"]: shape(
            camera["properties"].get("fov_visible") or camera["properties"]["fov"]
        )
        for camera in ogc_items(live, "police")["features"]
        if camera["properties"]["fov"]
    }
    assert len(layer["features"]) == len(fov_of)
    for feature in layer["features"]:
        drawn = shape(feature["geometry"])
        assert drawn.is_valid
        assert shapely.equals_exact(drawn, fov_of[feature["attributes"]["camera_id"]], tolerance=1e-7)


def test_camera_views_are_not_a_layer_for_anonymous_users(qgis):
    layer = qgis["desktop"]["anonymous views"]
    assert not layer["valid"]
    assert "NOT FOUND" in layer["error"]  # the collection is not even listed to them


def test_qgis_draws_the_camera_views(qgis):
    drawn = qgis["police"]["police views map"]
    assert drawn["valid"] and drawn["errors"] == [], drawn
    assert drawn["geometry_type"] == "Polygon"
    assert 0 < drawn["drawn_pixels"] < drawn["pixels"]


# ---------------------------------------------------------------- vector tiles


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """A Web Mercator (XYZ) tile's west, south, east, north in degrees."""
    n = 2**z

    def lat(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y)


def inside(feature: dict[str, Any], bounds: tuple[float, float, float, float]) -> bool:
    lon, lat = feature["geometry"]["coordinates"]
    return bounds[0] <= lon <= bounds[2] and bounds[1] <= lat <= bounds[3]


def assert_cells_count(tiles: dict[str, Any], cameras: list[dict[str, Any]]) -> None:
    """Aggregated tiles: their cells' counts add up to the cameras, in total and by type."""
    assert tiles["valid"] and tiles["errors"] == [] and tiles["drawn_pixels"] > 0, tiles
    features = tiles["features"]
    assert features and all(feature["tile"][0] < 13 for feature in features)  # aggregated cells
    assert sum(feature["attributes"]["count"] for feature in features) == len(cameras)
    by_type = Counter(camera["properties"]["camera_type"] for camera in cameras)
    for camera_type in {"fixed", "dome", "panning", "panorama", "thermal"}:
        decoded = sum(feature["attributes"][f"count_{camera_type}"] for feature in features)
        assert decoded == by_type[camera_type], camera_type


def test_public_tiles_overview_counts_every_public_camera(live, qgis):
    assert_cells_count(qgis["desktop"]["public tiles, overview"], api_cameras(live, "anonymous"))


def test_restricted_tiles_with_the_basic_token_count_the_police_cameras(live, qgis):
    assert_cells_count(qgis["police"]["restricted tiles, overview"], api_cameras(live, "police"))


def test_public_tiles_at_street_scale_hold_each_camera_of_their_area(live, qgis):
    tiles = qgis["desktop"]["public tiles, streets"]
    assert tiles["valid"] and tiles["errors"] == []
    cameras = api_cameras(live, "anonymous")
    decoded: dict[tuple[int, int, int], Counter] = {}
    for feature in tiles["features"]:
        assert feature["geometry_type"] == "Point" and feature["attributes"]["count"] is None
        kinds = (feature["attributes"]["camera_type"], feature["attributes"]["surveillance_type"])
        decoded.setdefault(tuple(feature["tile"]), Counter())[kinds] += 1
    assert decoded and all(z >= 13 for z, _x, _y in decoded)  # one point per camera
    for tile, seen in decoded.items():
        bounds = tile_bounds(*tile)
        expected = Counter(
            (camera["properties"]["camera_type"], camera["properties"]["surveillance_type"])
            for camera in cameras
            if inside(camera, bounds)
        )
        assert seen == expected, tile
    # Nothing in the map's area is missing: every camera there lies in a tile QGIS decoded.
    in_view = [camera for camera in cameras if inside(camera, tuple(STREETS))]
    assert in_view and all(any(inside(camera, tile_bounds(*tile)) for tile in decoded) for camera in in_view)


# ---------------------------------------------------------------- exports


def test_police_export_opens_by_url_through_vsicurl_audited_once(live, qgis):
    layer = qgis["police"]["export"]
    exports = live.notes["exports"]
    cameras = api_cameras(live, "police")
    assert layer["valid"], layer
    assert layer["feature_count"] == exports["geojson"]["count"] == len(cameras)
    assert layer["geometry_type"] == "Point"
    codes = Counter(feature["attributes"]["code"] for feature in layer["features"])
    assert codes == Counter(camera["properties"]["code"] for camera in cameras)
    # GDAL read each file by URL (HEAD, ranges), without credentials; each export was logged once,
    # when it was asked for, however many reads followed.
    for export in exports.values():
        path = export["href"].removeprefix(live.base)
        reads = [request for request in live.seen if request[1] == path]
        assert reads and all(scheme == "" for _method, _path, scheme, _range in reads)
    assert live.notes["export audit entries"] == len(exports)


def test_police_kml_export_opens_as_points_and_sectors_qgis_draws(live, qgis):
    cameras = api_cameras(live, "police")
    points, sectors = qgis["police"]["kml cameras"], qgis["police"]["kml views"]
    assert points["valid"] and sectors["valid"], (points, sectors)
    assert points["geometry_type"] == "Point" and sectors["geometry_type"] == "Polygon"
    assert points["feature_count"] == len(cameras)
    assert sectors["feature_count"] == sum(1 for camera in cameras if camera["properties"]["fov"])
    codes = Counter(str(feature["attributes"]["observo_code"]) for feature in points["features"])
    assert codes == Counter(camera["properties"]["code"] for camera in cameras)
    drawn = qgis["police"]["kml views map"]
    assert drawn["valid"] and drawn["errors"] == [] and 0 < drawn["drawn_pixels"] < drawn["pixels"]
