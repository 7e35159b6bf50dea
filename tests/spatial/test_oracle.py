"""Every camera filter of the API against an independent oracle, on SpatiaLite and PostGIS (issue 3).

Hypothesis generates cameras around Turin and queries near them; each answer is compared with
shapely (planar predicates on lon/lat, which is how the contract defines bbox, fields of view and
polygons) and with pyproj.Geod (metres on the WGS84 ellipsoid). A camera within MARGIN_M of the
boundary being tested is left out of the comparison: there float noise, 7-decimal output and
polygonised circles may legitimately decide either way. A camera exactly on a bbox edge or on a
vertex of the searched shape is kept: the contract includes boundaries and no arithmetic is involved.

Examples are derandomised, so both databases (the `dialect` fixture) get the same data and are held
to the same oracle: they agree with each other by construction.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import numpy as np
import pytest
import shapely
import sqlalchemy as sa
from flask.testing import FlaskClient
from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st
from pyproj import Geod, Transformer
from shapely.geometry import LineString, Point, Polygon, box, mapping, shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from observo.domain.fov import sector
from observo.domain.permissions import SYSTEM
from observo.domain.shapes import Area
from observo.models import Camera, CameraStatusChange
from observo.services.cameras import CameraWrite, create_camera
from tests import factories

GEOD = Geod(ellps="WGS84")
ORIGIN = Point(0.0, 0.0)
# Closer than this to the boundary being tested, either answer is right (float noise, 1e-7° output).
MARGIN_M = 0.05
REASON = "oracle check, protocol 3/2026"
TYPES = ("fixed", "dome", "panorama", "panning", "thermal")
# hfov defaults to 360 for heads that see or turn all round, 60 for the others (docs/architecture.md,
# "Field of view geometry").
ALL_ROUND = ("dome", "panorama", "panning")
STATUSES = ("planned", "active", "faulty", "inactive", "decommissioned")
# Drawn more often: search looks at active cameras by default.
STATUS_DRAWS = ("active", "active", "faulty", "inactive", "planned", "decommissioned")
LISTED = ("planned", "active", "faulty", "inactive")  # lists skip decommissioned unless asked
PUBLICLY_LISTED = ("active", "faulty", "inactive")  # what anonymous callers see of public cameras
VISIBILITIES = ("public", "shared", "private")
PRECISIONS = (0, 100, 250)  # owners' public grids in metres (0: exact position)
# `%` and `_` must be literal in `q`: "a_n" would match "Roma nord" and "%" everything as wildcards.
NAMES = ("Via Roma", "via Roma nord", "Piazza Castello", "Corso 50% Francia", "Varco_ZTL 3", "Porta Nuova")
TEXTS = ("roma", "ROMA", "castello", "50%", "%", "a_n", "o_z", "porta n", "nuova 1")
# Half-size of a scene in degrees (~470 m x 445 m): small enough that queries meet cameras.
SPAN = (0.006, 0.004)
TO_LAEA = Transformer.from_crs("EPSG:4326", "EPSG:3035", always_xy=True)
FROM_LAEA = Transformer.from_crs("EPSG:3035", "EPSG:4326", always_xy=True)

# True: must be returned; False: must not be; None: too close to the boundary to call.
Verdict = bool | None


def examples(count: int) -> settings:
    """Reproducible in CI (derandomised, no example database); fixtures are shared across examples."""
    return settings(
        max_examples=count,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# --- the oracle: pyproj and shapely, never the code under test ------------------------------------


def geodesic_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    return float(GEOD.inv(lon1, lat1, lon2, lat2, return_back_azimuth=True)[2])


def to_metres(lon0: float, lat0: float) -> Callable[[np.ndarray], np.ndarray]:
    """An affine map of lon/lat to metres around (lon0, lat0), scaled by Geod.

    Affine, so straight lon/lat edges stay straight and planar in/out answers do not change; over
    the few km of a scene its distances are right to about 1e-4, plenty for a 5 cm margin.
    """
    kx = geodesic_m(lon0 - 5e-4, lat0, lon0 + 5e-4, lat0) / 1e-3
    ky = geodesic_m(lon0, lat0 - 5e-4, lon0, lat0 + 5e-4) / 1e-3
    return lambda xy: (xy - (lon0, lat0)) * (kx, ky)


def local(geom: BaseGeometry, lon: float, lat: float) -> BaseGeometry:
    """`geom` in metres around (lon, lat), which becomes the origin."""
    return shapely.transform(geom, to_metres(lon, lat))


def boundary_gap_m(polygon: Polygon, lon: float, lat: float) -> float:
    return float(local(polygon, lon, lat).boundary.distance(ORIGIN))


def planar_verdict(polygon: Polygon, lon: float, lat: float) -> Verdict:
    """Boundary included, as ST_Intersects decides; undecided within MARGIN_M of the boundary."""
    if boundary_gap_m(polygon, lon, lat) < MARGIN_M:
        return None
    return bool(polygon.covers(Point(lon, lat)))


def bbox_verdict(lon: float, lat: float, bbox: Sequence[float]) -> Verdict:
    min_lon, min_lat, max_lon, max_lat = bbox
    inside = min_lon <= lon <= max_lon and min_lat <= lat <= max_lat
    if inside and (lon in (min_lon, max_lon) or lat in (min_lat, max_lat)):
        return True  # exactly on an edge: included by contract, and the same doubles on both sides
    return planar_verdict(box(*bbox), lon, lat)


def snapped(lon: float, lat: float, cell_m: int) -> tuple[float, float]:
    """The centre of the EPSG:3035 grid cell of side `cell_m`, 7 decimals (docs/architecture.md, "Public data
    is generalised, deterministically")."""
    if cell_m:
        easting, northing = TO_LAEA.transform(lon, lat)
        lon, lat = FROM_LAEA.transform(
            (math.floor(easting / cell_m) + 0.5) * cell_m, (math.floor(northing / cell_m) + 0.5) * cell_m
        )
    return round(lon, 7) + 0.0, round(lat, 7) + 0.0


def angle_between(a: float, b: float) -> float:
    return abs((a - b + 180.0) % 360.0 - 180.0)


class GeodesicShape:
    """Geodesic metres from a position to a Point, LineString or Polygon (0 inside a polygon).

    Edges are geodesics sampled every <= 1 m; around the nearest sample of each edge the geodesic is
    sampled again every <= 1 cm, so the minimum is exact to well under a millimetre.
    """

    def __init__(self, geom: BaseGeometry) -> None:
        self.geom = geom
        ring = geom.exterior if isinstance(geom, Polygon) else geom
        self.vertices = [tuple(xy) for xy in shapely.get_coordinates(ring).tolist()]
        pairs = zip(self.vertices[:-1], self.vertices[1:], strict=True)
        self.edges = [_geodesic_samples(a, b, 1.0) for a, b in pairs]

    def distance(self, lon: float, lat: float) -> float:
        if isinstance(self.geom, Polygon) and self.geom.covers(Point(lon, lat)):
            return 0.0
        if len(self.vertices) == 1:
            return geodesic_m(lon, lat, *self.vertices[0])
        return min(_edge_distance(lons, lats, lon, lat) for lons, lats in self.edges)


def _geodesic_samples(a: Sequence[float], b: Sequence[float], step_m: float) -> tuple[np.ndarray, np.ndarray]:
    count = max(2, math.ceil(geodesic_m(*a, *b) / step_m) + 1)
    samples = GEOD.inv_intermediate(
        a[0], a[1], b[0], b[1], npts=count, initial_idx=0, terminus_idx=0, return_back_azimuth=True
    )
    return np.asarray(samples.lons), np.asarray(samples.lats)


def _nearest_sample(lons: np.ndarray, lats: np.ndarray, lon: float, lat: float) -> tuple[int, float]:
    size = len(lons)
    _, _, distances = GEOD.inv(np.full(size, lon), np.full(size, lat), lons, lats, return_back_azimuth=True)
    index = int(np.argmin(distances))
    return index, float(distances[index])


def _edge_distance(lons: np.ndarray, lats: np.ndarray, lon: float, lat: float) -> float:
    index, best = _nearest_sample(lons, lats, lon, lat)
    before, after = max(index - 1, 0), min(index + 1, len(lons) - 1)
    fine = _geodesic_samples((lons[before], lats[before]), (lons[after], lats[after]), 0.01)
    return min(best, _nearest_sample(*fine, lon, lat)[1])


# --- generated cameras and how they are placed -----------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """A generated camera: what the oracle knows of it, independently of what the API stores."""

    lon: float
    lat: float
    camera_type: str
    bearing: float | None
    hfov: float | None  # None: the type's default
    range_m: float
    status: str
    visibility: str
    precision: int  # its owner's public grid, metres
    name: str

    @property
    def hfov_deg(self) -> float:
        if self.hfov is not None:
            return self.hfov
        return 360.0 if self.camera_type in ALL_ROUND else 60.0

    @cached_property
    def fov(self) -> Polygon:
        return sector(self.lon, self.lat, self.bearing, self.hfov_deg, self.range_m)

    @cached_property
    def public(self) -> tuple[float, float]:
        return snapped(self.lon, self.lat, self.precision)

    def properties(self, owner: str) -> dict[str, Any]:
        return factories.properties(
            owner,
            name=self.name,
            camera_type=self.camera_type,
            bearing_deg=self.bearing,
            hfov_deg=self.hfov,
            range_m=self.range_m,
            status=self.status,
            visibility=self.visibility,
        )


@dataclass(frozen=True)
class Scene:
    centre: tuple[float, float]
    cameras: tuple[Spec, ...]


@dataclass(frozen=True)
class World:
    owners: Mapping[int, str]  # public precision -> owner slug
    admin: Mapping[str, str]
    viewer: Mapping[str, str]  # a carabinieri station: all shared and public cameras

    def headers(self, actor: str) -> Mapping[str, str]:
        return {"admin": self.admin, "viewer": self.viewer, "anonymous": {}}[actor]


@pytest.fixture
def world(session: Session) -> World:
    owners = {p: factories.org(session, f"oracle-{p}", public_precision_m=p).slug for p in PRECISIONS}
    town = factories.org(session, "oracle-town")
    station = factories.org(session, "oracle-cc", kind="carabinieri")
    admin = factories.auth(factories.token(session, factories.user(session, town, "admin")))
    viewer = factories.auth(factories.token(session, factories.user(session, station, "viewer")))
    return World(owners, admin, viewer)


@contextmanager
def placed(session: Session, world: World, specs: Sequence[Spec]) -> Iterator[dict[int, Spec]]:
    """Register the cameras for one example and remove them after it.

    The `session` fixture (one rolled-back transaction) spans every example of a test, so each example
    deletes what it made; history rows go first so the delete needs no cascade.
    """
    ids: list[int] = []
    try:
        for spec in specs:
            write = CameraWrite(Point(spec.lon, spec.lat), spec.properties(world.owners[spec.precision]))
            ids.append(create_camera(session, SYSTEM, write).id)
        session.commit()
        yield dict(zip(ids, specs, strict=True))
    finally:
        session.rollback()
        session.expunge_all()
        if ids:
            unsynced = {"synchronize_session": False}
            gone = sa.delete(CameraStatusChange).where(CameraStatusChange.camera_id.in_(ids))
            session.execute(gone, execution_options=unsynced)
            session.execute(sa.delete(Camera).where(Camera.id.in_(ids)), execution_options=unsynced)
            session.commit()


# --- calling the API ------------------------------------------------------------------------------


def follow(client: FlaskClient, headers: Mapping[str, str], response: TestResponse) -> list[dict[str, Any]]:
    """Every feature of a collection, page after page through its `next` links."""
    features: list[dict[str, Any]] = []
    matched: int | None = None
    while True:
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        if not features:
            matched = body.get("numberMatched")
        features.extend(body["features"])
        link = next((link for link in body["links"] if link["rel"] == "next"), None)
        if link is None:
            break
        if link.get("method") == "POST":
            response = client.post(link["href"], json=link["body"], headers=headers)
        else:
            response = client.get(link["href"], headers=headers)
    ids = [feature["id"] for feature in features]
    assert len(set(ids)) == len(ids), f"a camera came back twice across pages: {ids}"
    assert matched in (None, len(ids)), f"numberMatched {matched}, but {len(ids)} features"
    return features


def list_cameras(client: FlaskClient, headers: Mapping[str, str], **params: Any) -> list[dict[str, Any]]:
    note(f"GET /api/v1/cameras {params}")
    return follow(client, headers, client.get("/api/v1/cameras", query_string=params, headers=headers))


def by_id(features: Sequence[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {feature["id"]: feature for feature in features}


def position(lon: float, lat: float) -> str:
    return f"{lon!r},{lat!r}"  # repr round-trips: the server parses the very same doubles


def assert_verdicts(
    returned: Mapping[int, Any], verdicts: Mapping[int, Verdict], cameras: Mapping[int, Spec], what: str
) -> None:
    missing = [i for i, verdict in verdicts.items() if verdict is True and i not in returned]
    unexpected = [i for i in returned if verdicts.get(i) is False or i not in verdicts]
    assert not (missing or unexpected), (
        f"{what}\n  missing: {[(i, cameras[i]) for i in missing]}"
        f"\n  unexpected: {[(i, cameras.get(i)) for i in unexpected]}"
    )


def assert_nearest_first(features: Sequence[dict[str, Any]], slack_m: float = 0.0) -> None:
    distances = [feature["properties"]["distance_m"] for feature in features]
    assert all(a <= b + slack_m for a, b in zip(distances, distances[1:], strict=False)), distances


# --- strategies ------------------------------------------------------------------------------------


def points_near(centre: tuple[float, float], scale: float = 1.0) -> st.SearchStrategy[tuple[float, float]]:
    (lon, lat), (dx, dy) = centre, (SPAN[0] * scale, SPAN[1] * scale)
    return st.tuples(st.floats(lon - dx, lon + dx), st.floats(lat - dy, lat + dy))


@st.composite
def camera_specs(draw: st.DrawFn, centre: tuple[float, float]) -> Spec:
    lon, lat = draw(points_near(centre))
    camera_type = draw(st.sampled_from(TYPES))
    hfov = draw(st.none() | st.floats(1.0, 360.0))
    bearing: float | None = draw(st.floats(0.0, 360.0, exclude_max=True))
    spec = Spec(
        lon,
        lat,
        camera_type,
        bearing,
        hfov,
        draw(st.floats(1.0, 500.0)),
        draw(st.sampled_from(STATUS_DRAWS)),
        draw(st.sampled_from(VISIBILITIES)),
        draw(st.sampled_from(PRECISIONS)),
        draw(st.sampled_from(NAMES)),
    )
    if spec.hfov_deg >= 360 and draw(st.booleans()):
        return replace(spec, bearing=None)  # an all-round head needs no bearing
    return spec


@st.composite
def scenes(draw: st.DrawFn, min_cameras: int = 3, max_cameras: int = 10) -> Scene:
    centre = (draw(st.floats(7.61, 7.74)), draw(st.floats(45.01, 45.11)))
    cameras = draw(st.lists(camera_specs(centre), min_size=min_cameras, max_size=max_cameras))
    return Scene(centre, tuple(cameras))


@st.composite
def query_points(draw: st.DrawFn, scene: Scene) -> tuple[float, float]:
    """At a camera, somewhere in its reach (around its boundary too), or anywhere in the scene."""
    spec = draw(st.sampled_from(scene.cameras))
    where = draw(st.sampled_from(("in_reach", "at_camera", "anywhere")))
    if where == "at_camera":
        return spec.lon, spec.lat
    if where == "anywhere":
        return draw(points_near(scene.centre))
    azimuth, reach = draw(st.floats(0.0, 360.0)), draw(st.floats(0.0, 1.2))
    lon, lat, _ = GEOD.fwd(spec.lon, spec.lat, azimuth, reach * spec.range_m, return_back_azimuth=True)
    return float(lon), float(lat)


@st.composite
def bboxes(draw: st.DrawFn, scene: Scene, public: bool) -> tuple[float, float, float, float]:
    """Edges anywhere, or exactly through a camera's (public) position to test inclusive edges."""

    def edge(axis: int) -> float:
        if draw(st.booleans()):
            spec = draw(st.sampled_from(scene.cameras))
            return (spec.public if public else (spec.lon, spec.lat))[axis]
        centre, span = scene.centre[axis], SPAN[axis] * 1.3
        return draw(st.floats(centre - span, centre + span))

    lons, lats = sorted((edge(0), edge(0))), sorted((edge(1), edge(1)))
    return lons[0], lats[0], lons[1], lats[1]


PAGE_SIZES = st.sampled_from((1000, 4))
TEXT_FILTER = st.none() | st.sampled_from(TEXTS)
TYPE_FILTER = st.none() | st.sampled_from(TYPES)
STATUS_FILTER = st.none() | st.lists(st.sampled_from(STATUSES), min_size=1, max_size=3, unique=True).map(
    tuple
)


def with_queries(
    query: Callable[[Scene], st.SearchStrategy[Any]], max_queries: int = 4, **scene_args: int
) -> st.SearchStrategy[tuple[Scene, list[Any]]]:
    """A scene and a few queries about it: several queries share one (costly) camera setup."""
    return scenes(**scene_args).flatmap(
        lambda scene: st.tuples(st.just(scene), st.lists(query(scene), min_size=1, max_size=max_queries))
    )


# --- attribute filters, the Python way ------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    camera_type: str | None = None
    statuses: tuple[str, ...] | None = None
    q: str | None = None

    def params(self) -> dict[str, str]:
        values = {"camera_type": self.camera_type, "q": self.q}
        if self.statuses:
            values["status"] = ",".join(self.statuses)
        return {name: value for name, value in values.items() if value is not None}

    def match(self, spec: Spec, default_statuses: Sequence[str] = LISTED) -> bool:
        if self.camera_type is not None and spec.camera_type != self.camera_type:
            return False
        if spec.status not in (self.statuses or default_statuses):
            return False
        return self.q is None or self.q.lower() in spec.name.lower()


def readable(spec: Spec, actor: str) -> bool:
    if actor == "admin":
        return True
    if actor == "viewer":  # a state force reads every shared and public camera
        return spec.visibility in ("public", "shared")
    return spec.visibility == "public" and spec.status in PUBLICLY_LISTED


FILTERS = st.builds(Filters, TYPE_FILTER, STATUS_FILTER, TEXT_FILTER)
PUBLIC_FILTERS = st.builds(Filters, TYPE_FILTER, st.none(), TEXT_FILTER)  # status is not public


# --- bbox -----------------------------------------------------------------------------------------

# Pinned so every run checks them: a box reduced to a point or a line (min == max is allowed, and
# the edges are inclusive), with a camera exactly on it.
ON_EDGE = Spec(7.65625, 45.015625, "fixed", 0.0, None, 1.0, "active", "public", 0, "Via Roma")
POINT_BOX = (ON_EDGE.lon, ON_EDGE.lat, ON_EDGE.lon, ON_EDGE.lat)
LINE_BOX = (ON_EDGE.lon, ON_EDGE.lat - 1e-3, ON_EDGE.lon, ON_EDGE.lat + 1e-3)
EDGE_SCENE = Scene((ON_EDGE.lon, ON_EDGE.lat), (ON_EDGE,))


@examples(50)
@given(case=with_queries(lambda scene: st.tuples(bboxes(scene, public=False), PAGE_SIZES)))
@example(case=(EDGE_SCENE, [(LINE_BOX, 1000), (POINT_BOX, 1000)]))
def test_bbox_is_lonlat_containment_edges_included(
    client: FlaskClient, session: Session, world: World, case: tuple[Scene, list[Any]]
) -> None:
    scene, queries = case
    with placed(session, world, scene.cameras) as cameras:
        for bbox, page in queries:
            features = list_cameras(client, world.admin, bbox=",".join(map(repr, bbox)), limit=page)
            verdicts = {
                i: bbox_verdict(spec.lon, spec.lat, bbox) if spec.status in LISTED else False
                for i, spec in cameras.items()
            }
            assert_verdicts(by_id(features), verdicts, cameras, f"bbox={bbox}")


@examples(45)
@given(case=with_queries(lambda scene: st.tuples(bboxes(scene, public=True), PUBLIC_FILTERS, PAGE_SIZES)))
@example(case=(EDGE_SCENE, [(LINE_BOX, Filters(), 1000), (POINT_BOX, Filters(), 1000)]))
def test_anonymous_bbox_filters_generalised_positions(
    client: FlaskClient, session: Session, world: World, case: tuple[Scene, list[Any]]
) -> None:
    scene, queries = case
    with placed(session, world, scene.cameras) as cameras:
        for bbox, filters, page in queries:
            params = {"bbox": ",".join(map(repr, bbox)), "limit": page, **filters.params()}
            returned = by_id(list_cameras(client, {}, **params))
            verdicts = {
                i: bbox_verdict(*spec.public, bbox)
                if readable(spec, "anonymous") and filters.match(spec)
                else False
                for i, spec in cameras.items()
            }
            assert_verdicts(returned, verdicts, cameras, f"anonymous bbox={bbox} {filters}")
            for i, feature in returned.items():
                # The generalised point is all the public gets: the one we snapped independently.
                assert feature["geometry"]["coordinates"] == pytest.approx(cameras[i].public, abs=1e-9)
                assert "fov" not in feature["properties"] and "bearing_deg" not in feature["properties"]


# --- near (radius) --------------------------------------------------------------------------------


def near_verdict(spec: Spec, lon: float, lat: float, radius_m: float) -> Verdict:
    distance = geodesic_m(lon, lat, spec.lon, spec.lat)
    return None if abs(distance - radius_m) < MARGIN_M else distance <= radius_m


def assert_distances(
    returned: Mapping[int, dict[str, Any]], expected: Mapping[int, float], tolerance: Callable[[float], float]
) -> None:
    for i, feature in returned.items():
        actual, oracle = feature["properties"]["distance_m"], expected[i]
        assert abs(actual - oracle) <= tolerance(oracle), (
            f"camera {i}: distance_m {actual}, Geod says {oracle}"
        )


def distances_from(
    lon: float, lat: float, cameras: Mapping[int, Spec], ids: Iterable[int]
) -> dict[int, float]:
    return {i: geodesic_m(lon, lat, cameras[i].lon, cameras[i].lat) for i in ids}


def centimetre(_: float) -> float:
    return 0.01


@examples(50)
@given(case=with_queries(lambda scene: st.tuples(query_points(scene), st.floats(1.0, 1500.0))))
def test_near_is_geodesic_distance_within_radius(
    client: FlaskClient, session: Session, world: World, case: tuple[Scene, list[Any]]
) -> None:
    scene, queries = case
    with placed(session, world, scene.cameras) as cameras:
        for (lon, lat), radius in queries:
            features = list_cameras(
                client, world.admin, near=position(lon, lat), radius=repr(radius), reason=REASON, limit=1000
            )
            verdicts = {
                i: near_verdict(spec, lon, lat, radius) if spec.status in LISTED else False
                for i, spec in cameras.items()
            }
            returned = by_id(features)
            assert_verdicts(returned, verdicts, cameras, f"near={lon!r},{lat!r} radius={radius!r}")
            assert_distances(returned, distances_from(lon, lat, cameras, returned), centimetre)
            assert_nearest_first(features)


# --- sees (field of view contains a point) --------------------------------------------------------


def geodesic_sees(spec: Spec, lon: float, lat: float) -> Verdict:
    """From the camera's parameters alone: clearly inside or clearly outside its view, else None.

    The sector's arc is a polygon (chords every <= 5 degrees, at most 0.1 % inside the circle) and
    its sides straight lon/lat lines; the 2 % and 1 degree margins cover both with room to spare.
    """
    azimuth, _, distance = GEOD.inv(spec.lon, spec.lat, lon, lat, return_back_azimuth=True)
    if distance < MARGIN_M:
        return None  # at the apex an azimuth means nothing
    all_round = spec.hfov_deg >= 360
    off = 0.0 if all_round else angle_between(azimuth, spec.bearing or 0.0)
    if distance > 1.02 * spec.range_m or off > spec.hfov_deg / 2 + 1:
        return False
    if distance < 0.98 * spec.range_m and (all_round or off < spec.hfov_deg / 2 - 1):
        return True
    return None


def shapely_sees(spec: Spec, lon: float, lat: float) -> Verdict:
    return planar_verdict(spec.fov, lon, lat)


@examples(50)
@given(case=with_queries(query_points))
def test_sees_is_fov_polygon_containing_the_point(
    client: FlaskClient, session: Session, world: World, case: tuple[Scene, list[Any]]
) -> None:
    scene, queries = case
    with placed(session, world, scene.cameras) as cameras:
        for lon, lat in queries:
            features = list_cameras(client, world.admin, sees=position(lon, lat), reason=REASON, limit=1000)
            returned = by_id(features)
            for oracle in (shapely_sees, geodesic_sees):
                verdicts = {
                    i: oracle(spec, lon, lat) if spec.status in LISTED else False
                    for i, spec in cameras.items()
                }
                assert_verdicts(returned, verdicts, cameras, f"sees={lon!r},{lat!r} ({oracle.__name__})")
            for i, feature in returned.items():
                # The stored sector is the one computed from the parameters (7-decimal output).
                api_fov = shape(feature["properties"]["fov"])
                assert api_fov.hausdorff_distance(cameras[i].fov) < 2e-7, (i, cameras[i])
            assert_distances(returned, distances_from(lon, lat, cameras, returned), centimetre)
            assert_nearest_first(features)


# --- POST /search ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchCase:
    geometry: BaseGeometry
    buffer_m: float
    statuses: tuple[str, ...] | None
    page: int

    def body(self) -> dict[str, Any]:
        body = {"geometry": mapping(self.geometry), "buffer_m": self.buffer_m, "reason": REASON}
        body["limit"] = self.page
        if self.statuses:
            body["status"] = list(self.statuses)
        return body


def on_vertex(geom: BaseGeometry, lon: float, lat: float) -> bool:
    return (lon, lat) in {tuple(xy) for xy in shapely.get_coordinates(geom).tolist()}


def located_inside(case: SearchCase, geodesic: GeodesicShape, spec: Spec) -> Verdict:
    """Is the camera's position in the searched area? Planar for a bare polygon, geodesic with a buffer."""
    if on_vertex(case.geometry, spec.lon, spec.lat):
        return True
    if case.buffer_m == 0 and isinstance(case.geometry, Polygon):
        return planar_verdict(case.geometry, spec.lon, spec.lat)
    # Far from the buffer's edge the local-metre distance decides alone (it is right to ~1e-4);
    # close to it only the geodesic distance may.
    rough = local(case.geometry, spec.lon, spec.lat).distance(ORIGIN)
    if abs(rough - case.buffer_m) > 1.0 + 0.01 * rough:
        return rough < case.buffer_m
    exact = geodesic.distance(spec.lon, spec.lat)
    return None if abs(exact - case.buffer_m) < MARGIN_M else exact <= case.buffer_m


def sees_into(spec: Spec, region: BaseGeometry) -> Verdict:
    """Does the field of view meet the region? Undecided when it misses or meets it by < MARGIN_M."""
    fov, area = local(spec.fov, spec.lon, spec.lat), local(region, spec.lon, spec.lat)
    if fov.distance(area) > MARGIN_M:
        return False
    return True if fov.buffer(-MARGIN_M).intersects(area) else None


UNDECIDED = "undecided"


def expected_relation(
    case: SearchCase, geodesic: GeodesicShape, region: BaseGeometry, spec: Spec
) -> str | None:
    """ "inside", "sees_into", None (not returned) or UNDECIDED (too close to call)."""
    if spec.status not in (case.statuses or ("active",)):
        return None
    inside = located_inside(case, geodesic, spec)
    if inside is None:
        return UNDECIDED
    if inside:
        return "inside"
    seen = sees_into(spec, region)
    return UNDECIDED if seen is None else ("sees_into" if seen else None)


def check_search(client: FlaskClient, world: World, cameras: Mapping[int, Spec], case: SearchCase) -> None:
    note(f"POST /api/v1/search {case.body()}")
    response = client.post("/api/v1/search", json=case.body(), headers=world.admin)
    features = follow(client, world.admin, response)
    returned = by_id(features)
    geodesic = GeodesicShape(case.geometry)
    region = Area(case.geometry, case.buffer_m).region
    expected = {i: expected_relation(case, geodesic, region, spec) for i, spec in cameras.items()}
    verdicts = {
        i: None if relation == UNDECIDED else relation is not None for i, relation in expected.items()
    }
    assert_verdicts(returned, verdicts, cameras, f"search {case}")
    wrong = {
        i: (feature["properties"]["relation"], expected[i])
        for i, feature in returned.items()
        if expected[i] != UNDECIDED and feature["properties"]["relation"] != expected[i]
    }
    assert not wrong, f"relation (api, oracle): {wrong}"
    measured = {i: geodesic.distance(cameras[i].lon, cameras[i].lat) for i in returned}
    assert_distances(returned, measured, lambda d: 0.05 + 1e-4 * d)
    if isinstance(case.geometry, Point):
        assert_nearest_first(features, slack_m=0.02)  # ordered by the database, measured by Area


@st.composite
def polygons(draw: st.DrawFn, scene: Scene) -> Polygon:
    """A box with a corner at a query point, or a quadrilateral with one vertex per quadrant around it."""
    lon, lat = draw(query_points(scene))
    if draw(st.booleans()):
        width = draw(st.floats(2e-4, 0.01) | st.floats(-0.01, -2e-4))
        height = draw(st.floats(2e-4, 0.007) | st.floats(-0.007, -2e-4))
        return box(
            min(lon, lon + width), min(lat, lat + height), max(lon, lon + width), max(lat, lat + height)
        )
    corners = []
    for quadrant in range(4):  # sorted azimuths around an inner point: a simple, star-shaped ring
        azimuth, distance = 90.0 * quadrant + draw(st.floats(5.0, 85.0)), draw(st.floats(20.0, 600.0))
        x, y, _ = GEOD.fwd(lon, lat, azimuth, distance, return_back_azimuth=True)
        corners.append((float(x), float(y)))
    return Polygon(corners)


@st.composite
def routes(draw: st.DrawFn, scene: Scene) -> LineString:
    vertices = [draw(query_points(scene))]
    for _ in range(draw(st.integers(1, 3))):
        azimuth, length = draw(st.floats(0.0, 360.0)), draw(st.floats(20.0, 600.0))
        x, y, _ = GEOD.fwd(*vertices[-1], azimuth, length, return_back_azimuth=True)
        vertices.append((float(x), float(y)))
    return LineString(vertices)


def search_cases(
    geometries: Callable[[Scene], st.SearchStrategy[BaseGeometry]], buffers: st.SearchStrategy[float]
) -> st.SearchStrategy[tuple[Scene, list[Any]]]:
    return with_queries(
        lambda scene: st.builds(SearchCase, geometries(scene), buffers, STATUS_FILTER, PAGE_SIZES)
    )


def points(scene: Scene) -> st.SearchStrategy[Point]:
    return query_points(scene).map(Point)


@examples(40)
@given(case=search_cases(polygons, st.just(0.0) | st.floats(1.0, 300.0)))
def test_search_polygon(
    client: FlaskClient, session: Session, world: World, case: tuple[Scene, list[Any]]
) -> None:
    scene, queries = case
    with placed(session, world, scene.cameras) as cameras:
        for query in queries:
            check_search(client, world, cameras, query)


@examples(40)
@given(case=search_cases(points, st.just(0.0) | st.floats(1.0, 1000.0)))
def test_search_point_and_buffer(
    client: FlaskClient, session: Session, world: World, case: tuple[Scene, list[Any]]
) -> None:
    scene, queries = case
    with placed(session, world, scene.cameras) as cameras:
        for query in queries:
            check_search(client, world, cameras, query)


@examples(40)
@given(case=search_cases(routes, st.just(0.0) | st.floats(1.0, 500.0)))
def test_search_route_corridor(
    client: FlaskClient, session: Session, world: World, case: tuple[Scene, list[Any]]
) -> None:
    scene, queries = case
    with placed(session, world, scene.cameras) as cameras:
        for query in queries:
            check_search(client, world, cameras, query)


# --- nearest ----------------------------------------------------------------------------------------


@examples(40)
@given(case=with_queries(lambda scene: st.tuples(query_points(scene), st.integers(1, 12), TYPE_FILTER)))
def test_nearest_are_the_k_geodesically_nearest(
    client: FlaskClient, session: Session, world: World, case: tuple[Scene, list[Any]]
) -> None:
    scene, queries = case
    with placed(session, world, scene.cameras) as cameras:
        for (lon, lat), k, camera_type in queries:
            params = {"point": position(lon, lat), "k": k, "reason": REASON}
            if camera_type:
                params["camera_type"] = camera_type
            note(f"GET /api/v1/cameras/nearest {params}")
            response = client.get("/api/v1/cameras/nearest", query_string=params, headers=world.admin)
            features = follow(client, world.admin, response)
            distances = {
                i: geodesic_m(lon, lat, spec.lon, spec.lat)
                for i, spec in cameras.items()
                if Filters(camera_type=camera_type).match(spec)
            }
            ranked = sorted(distances.values())
            assert len(features) == min(k, len(ranked)), (len(features), k, len(ranked))
            if not ranked:
                continue
            kth = ranked[len(features) - 1]
            # Ties aside (within 1 cm of the k-th), the set is the k smallest distances.
            verdicts = {
                i: True if d < kth - 0.01 else (None if d <= kth + 0.01 else False)
                for i, d in distances.items()
            }
            returned = by_id(features)
            assert_verdicts(returned, verdicts, cameras, f"nearest to {lon!r},{lat!r} k={k} {camera_type}")
            assert_distances(returned, distances, centimetre)
            assert_nearest_first(features)


# --- attribute filters with a spatial one ------------------------------------------------------------


@st.composite
def filtered_queries(draw: st.DrawFn, scene: Scene) -> tuple[str, dict[str, Any], Filters]:
    actor = draw(st.sampled_from(("admin", "viewer")))
    if draw(st.booleans()):
        spatial = {"bbox": ",".join(map(repr, draw(bboxes(scene, public=False))))}
    else:
        (lon, lat), radius = draw(query_points(scene)), draw(st.floats(1.0, 1500.0))
        spatial = {"near": position(lon, lat), "radius": repr(radius), "reason": REASON}
    return actor, spatial, draw(FILTERS)


def spatial_verdict(spec: Spec, spatial: Mapping[str, str]) -> Verdict:
    if "bbox" in spatial:
        return bbox_verdict(spec.lon, spec.lat, [float(v) for v in spatial["bbox"].split(",")])
    lon, lat = (float(v) for v in spatial["near"].split(","))
    return near_verdict(spec, lon, lat, float(spatial["radius"]))


@examples(50)
@given(case=with_queries(filtered_queries))
def test_attribute_filters_with_a_spatial_one(
    client: FlaskClient, session: Session, world: World, case: tuple[Scene, list[Any]]
) -> None:
    scene, queries = case
    with placed(session, world, scene.cameras) as cameras:
        for actor, spatial, filters in queries:
            params = {**spatial, **filters.params(), "limit": 1000}
            returned = by_id(list_cameras(client, world.headers(actor), **params))
            verdicts = {
                i: spatial_verdict(spec, spatial) if readable(spec, actor) and filters.match(spec) else False
                for i, spec in cameras.items()
            }
            assert_verdicts(returned, verdicts, cameras, f"{actor} {params}")
