"""GET /api/v1/clusters: counts per Web Mercator grid cell, by type, deterministic and cacheable.

Cameras are placed near the centres of chosen cells, so the expected cells, counts and mean
positions follow from an independent pyproj computation (EPSG:3857 for the map grid, EPSG:3035 for
the generalised public positions the cells are built on).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import pytest
from pyproj import Transformer

from observo.services.organisations import create_pact
from tests import factories

TO_MERCATOR = Transformer.from_crs(4326, 3857, always_xy=True)
FROM_MERCATOR = Transformer.from_crs(3857, 4326, always_xy=True)
TO_LAEA = Transformer.from_crs(4326, 3035, always_xy=True)
FROM_LAEA = Transformer.from_crs(3035, 4326, always_xy=True)
CLUSTERS = "/api/v1/clusters"
ZOOM = 14
P = factories.TURIN
BBOX = "7.62,45.02,7.76,45.12"  # Turin's centre, well around every camera below


def cell_m(zoom: int) -> float:
    return 2 * math.pi * 6_378_137 / (2**zoom * 4)


def generalised(point, cell=100) -> tuple[float, float]:
    x, y = TO_LAEA.transform(*point)
    return FROM_LAEA.transform((x // cell + 0.5) * cell, (y // cell + 0.5) * cell)


def cell_of(point, zoom=ZOOM) -> tuple[int, int]:
    x, y = TO_MERCATOR.transform(*point)
    return math.floor(x / cell_m(zoom)), math.floor(y / cell_m(zoom))


def near_cell_centre(
    ix: int, iy: int, east_m: float = 0, north_m: float = 0, zoom=ZOOM
) -> tuple[float, float]:
    """A position `east_m`/`north_m` Mercator metres from the centre of cell (ix, iy)."""
    size = cell_m(zoom)
    return FROM_MERCATOR.transform((ix + 0.5) * size + east_m, (iy + 0.5) * size + north_m)


def clusters(client, headers=None, **params):
    response = client.get(
        CLUSTERS, query_string={"bbox": BBOX, "zoom": ZOOM, **params}, headers=headers or {}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/geo+json"
    return response


def counts(body) -> dict[str, int]:
    return {feature["id"]: feature["properties"]["count"] for feature in body["features"]}


def assert_problem(response, status, pointer, code=None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    matching = [error for error in response.json.get("errors", []) if error["pointer"] == pointer]
    assert matching, response.json
    if code:
        assert code in {error["code"] for error in matching}, response.json


@pytest.fixture
def town(session):
    return factories.org(session, "torino", istat_code="001272")


@pytest.fixture
def layout(session, town):
    """Cameras in three cells at zoom 14 (cells ~611 m): (type, visibility) per camera, by position."""
    home = cell_of(P)
    spots = {
        home: [(-80, 40), (60, -90), (10, 10), (-40, -20)],
        (home[0] + 2, home[1]): [(0, 0), (90, 90)],
        (home[0] - 1, home[1] + 3): [(-100, 50)],
    }
    kinds = iter(
        [
            ("fixed", "public"),
            ("dome", "public"),
            ("fixed", "shared"),
            ("fixed", "private"),
            ("panorama", "public"),
            ("dome", "shared"),
            ("fixed", "public"),
        ]
    )
    placed = []
    for (ix, iy), offsets in spots.items():
        for east, north in offsets:
            camera_type, visibility = next(kinds)
            point = near_cell_centre(ix, iy, east, north)
            extra = {"bearing_deg": None} if camera_type != "fixed" else {}
            factories.camera(session, town, *point, camera_type=camera_type, visibility=visibility, **extra)
            placed.append((point, camera_type, visibility))
    return placed


def expected_cells(placed) -> dict[str, dict]:
    cells: dict[str, dict] = defaultdict(lambda: {"count": 0, "by_type": Counter(), "positions": []})
    for point, camera_type, _visibility in placed:
        public = generalised(point)
        ix, iy = cell_of(public)
        cell = cells[f"{ZOOM}/{ix}/{iy}"]
        cell["count"] += 1
        cell["by_type"][camera_type] += 1
        cell["positions"].append(public)
    return cells


def test_counts_by_cell_and_type_for_police(client, session, town, layout):
    police = factories.headers_for(session, town)
    body = clusters(client, police).json
    expected = expected_cells(layout)
    assert len(expected) == 3
    assert counts(body) == {key: cell["count"] for key, cell in expected.items()}
    assert body["numberMatched"] == sum(counts(body).values()) == len(layout) == 7
    assert body["zoom"] == ZOOM and body["cell_m"] == pytest.approx(cell_m(ZOOM), abs=1e-3)
    for feature in body["features"]:
        cell = expected[feature["id"]]
        assert feature["properties"]["by_type"] == dict(cell["by_type"])
        lon = sum(p[0] for p in cell["positions"]) / cell["count"]
        lat = sum(p[1] for p in cell["positions"]) / cell["count"]
        assert feature["geometry"]["coordinates"] == pytest.approx([lon, lat], abs=2e-6)
        west, south, east, north = feature["properties"]["cell_bbox"]
        zoom, ix, iy = map(int, feature["id"].split("/"))
        assert (west, south) == pytest.approx(
            FROM_MERCATOR.transform(ix * cell_m(zoom), iy * cell_m(zoom)), abs=2e-6
        )
        assert west <= lon <= east and south <= lat <= north


def test_cells_come_in_a_stable_order(client, session, town, layout):
    body = clusters(client, factories.headers_for(session, town)).json
    keys = [tuple(map(int, feature["id"].split("/")[1:])) for feature in body["features"]]
    assert keys == sorted(keys)


def test_anonymous_counts_only_public_cameras(client, session, town, layout):
    factories.camera(session, town, *P, visibility="public", status="planned")
    factories.camera(session, town, *P, visibility="public", status="decommissioned")
    public = [spot for spot in layout if spot[2] == "public"]
    body = clusters(client).json
    assert counts(body) == {key: cell["count"] for key, cell in expected_cells(public).items()}
    assert body["numberMatched"] == len(public) == 4
    assert response_headers_scope(client) == "public"


def response_headers_scope(client, headers=None) -> str:
    return clusters(client, headers).headers["Cache-Control"].split(",")[0]


def test_counts_respect_pacts(client, session, town, layout):
    """A viewer outside the pact counts public cameras and its own; a partner also counts shared ones."""
    other = factories.org(session, "moncalieri")
    partner = factories.org(session, "nichelino")
    create_pact(session, slug="pact-tn", name="Pact", member_slugs=["torino", "nichelino"])
    session.commit()
    factories.camera(session, other, *P, visibility="private")
    public = sum(1 for spot in layout if spot[2] == "public")
    shared = sum(1 for spot in layout if spot[2] == "shared")
    outsider = clusters(client, factories.headers_for(session, other)).json
    assert outsider["numberMatched"] == public + 1 == 5
    assert sum(counts(outsider).values()) == outsider["numberMatched"]
    assert (
        clusters(client, factories.headers_for(session, partner)).json["numberMatched"]
        == public + shared
        == 6
    )
    assert response_headers_scope(client, factories.headers_for(session, partner)) == "private"


def test_filters_narrow_the_counts(client, session, town, layout):
    police = factories.headers_for(session, town)
    domes = clusters(client, police, camera_type="dome").json
    assert domes["numberMatched"] == 2
    assert all(set(feature["properties"]["by_type"]) == {"dome"} for feature in domes["features"])
    assert clusters(client, police, visibility="private").json["numberMatched"] == 1
    assert clusters(client, police, owner="nobody").json == {
        "type": "FeatureCollection",
        "zoom": ZOOM,
        "cell_m": round(cell_m(ZOOM), 3),
        "numberMatched": 0,
        "features": [],
    }


def test_bbox_limits_what_is_counted(client, session, town, layout):
    police = factories.headers_for(session, town)
    home = cell_of(P)
    west, south = FROM_MERCATOR.transform(home[0] * cell_m(ZOOM), home[1] * cell_m(ZOOM))
    east, north = FROM_MERCATOR.transform((home[0] + 1) * cell_m(ZOOM), (home[1] + 1) * cell_m(ZOOM))
    body = clusters(client, police, bbox=f"{west},{south},{east},{north}").json
    assert counts(body) == {f"{ZOOM}/{home[0]}/{home[1]}": 4}


def _revalidate(client, headers, etag):
    return client.get(
        CLUSTERS, query_string={"bbox": BBOX, "zoom": ZOOM}, headers={**headers, "If-None-Match": etag}
    )


def test_same_request_same_bytes_and_etag(client, session, town, layout):
    police = factories.headers_for(session, town)
    first, second = clusters(client, police), clusters(client, police)
    assert first.get_data() == second.get_data()
    assert first.headers["ETag"] == second.headers["ETag"] and first.headers["ETag"].startswith('"')


def test_if_none_match_with_the_current_etag_is_304(client, session, town, layout):
    police = factories.headers_for(session, town)
    etag = clusters(client, police).headers["ETag"]
    cached = _revalidate(client, police, etag)
    assert cached.status_code == 304 and cached.get_data() == b""
    assert cached.headers["ETag"] == etag


def test_etag_changes_with_the_data(client, session, town, layout):
    police = factories.headers_for(session, town)
    first = clusters(client, police)
    factories.camera(session, town, *P)
    changed = _revalidate(client, police, first.headers["ETag"])
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]
    assert changed.json["numberMatched"] == first.json["numberMatched"] + 1


def test_anonymous_and_police_get_different_etags_when_counts_differ(client, session, town, layout):
    anonymous = clusters(client)
    police = clusters(client, factories.headers_for(session, town))
    assert anonymous.headers["ETag"] != police.headers["ETag"]
    assert "Authorization" in anonymous.headers["Vary"]


# ---------------------------------------------------------------- bad parameters


def _cells(bbox, zoom):
    (x0, y0), (x1, y1) = TO_MERCATOR.transform(*bbox[:2]), TO_MERCATOR.transform(*bbox[2:])
    size = cell_m(zoom)
    return (math.floor(x1 / size) - math.floor(x0 / size) + 1) * (
        math.floor(y1 / size) - math.floor(y0 / size) + 1
    )


def test_too_many_cells_is_400(client, session, configure):
    assert _cells((7.0, 44.5, 8.0, 45.5), 14) > 20_000
    response = client.get(CLUSTERS, query_string={"bbox": "7.0,44.5,8.0,45.5", "zoom": 14})
    assert_problem(response, 400, "/zoom", "too_many_cells")
    assert _cells((7.62, 45.02, 7.76, 45.12), ZOOM) > 10
    configure(max_cluster_cells=10)
    assert_problem(
        client.get(CLUSTERS, query_string={"bbox": BBOX, "zoom": ZOOM}), 400, "/zoom", "too_many_cells"
    )
    assert client.get(CLUSTERS, query_string={"bbox": BBOX, "zoom": 10}).status_code == 200


BAD = {
    "zoom_too_high": ({"bbox": BBOX, "zoom": 23}, "/zoom", "out_of_range"),
    "zoom_negative": ({"bbox": BBOX, "zoom": -1}, "/zoom", "out_of_range"),
    "zoom_text": ({"bbox": BBOX, "zoom": "far"}, "/zoom", "invalid_type"),
    "no_zoom": ({"bbox": BBOX}, "/zoom", "required"),
    "no_bbox": ({"zoom": 10}, "/bbox", "required"),
    "bbox_inverted": ({"bbox": "7.76,45.02,7.62,45.12", "zoom": 10}, "/bbox", "inverted"),
    "bbox_nan": ({"bbox": "7.62,nan,7.76,45.12", "zoom": 10}, "/bbox", "not_finite"),
    # Found by `make fuzz`: longitudes off the Earth made the cell count infinite (a 500) ...
    "bbox_off_the_earth": ({"bbox": "0,0,1.7976931348623157e308,1e16", "zoom": 12}, "/bbox", "out_of_range"),
    # ... and a box 340° wide measured 1.7 million km² with geodesic edges (28 million along parallels).
    "bbox_most_of_the_world": ({"bbox": "-170,40,170,50", "zoom": 2}, "/bbox", "too_large"),
    "unknown": ({"bbox": BBOX, "zoom": 10, "cluster_size": 5}, "/cluster_size", "unknown_field"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_parameters_are_400(client, session, case):
    params, pointer, code = BAD[case]
    assert_problem(client.get(CLUSTERS, query_string=params), 400, pointer, code)


def test_anonymous_may_not_filter_clusters_by_restricted_properties(client, session, town, layout):
    for params in ({"status": "active"}, {"visibility": "shared"}):
        response = client.get(CLUSTERS, query_string={"bbox": BBOX, "zoom": ZOOM, **params})
        assert response.status_code == 401 and response.mimetype == "application/problem+json"


def test_clusters_take_a_box_larger_than_the_list_allows(client, session, configure):
    # The map's lowest zooms ask for the whole country; the list refuses such a box.
    configure(max_bbox_km2=1_000.0, max_cluster_bbox_km2=2_000_000.0)
    town = factories.org(session, "torino")
    factories.camera(session, town, visibility="public")
    country = "6.5,36.5,18.5,47.0"
    assert client.get(f"/api/v1/cameras?bbox={country}").status_code == 400
    answer = client.get(f"/api/v1/clusters?bbox={country}&zoom=6")
    assert answer.status_code == 200
    assert sum(cell["properties"]["count"] for cell in answer.json["features"]) == 1
    configure(max_bbox_km2=1_000.0, max_cluster_bbox_km2=10_000.0)
    assert client.get(f"/api/v1/clusters?bbox={country}&zoom=6").status_code == 400


@pytest.mark.parametrize("bbox", ["7,-90,7.01,-89.99", "7,89.99,7.01,90", "-180,-90,180,90"])
def test_a_box_reaching_a_pole_is_answered_not_a_server_error(client, session, bbox):
    # Web Mercator ends at 85.05°: at -90° its formula is log(0) (found by `make fuzz`).
    response = client.get(f"/api/v1/clusters?bbox={bbox}&zoom=12")
    assert response.status_code in (200, 400), response.get_data(as_text=True)
    if response.status_code == 200:
        assert response.json["features"] == []  # no camera near a pole
