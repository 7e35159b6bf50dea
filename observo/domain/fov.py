"""Field-of-view sectors of cameras (docs/architecture.md, "Field of view geometry").

A sector is built in metres in an azimuthal equidistant projection centred on the camera, where
distances and azimuths from the centre are true on the WGS84 ellipsoid, then transformed to
EPSG:4326 longitude/latitude. Bearings are compass bearings: 0 is north, clockwise, and name the
centre of the view. A head that sees 360 degrees gets a circle without an apex.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

import numpy as np
import shapely
from pyproj import Geod, Transformer
from pyproj.enums import TransformDirection
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry

from observo.domain.vocabulary import ALL_ROUND_TYPES
from observo.errors import FieldIssue, InvalidGeometry, InvalidInput

MIN_RANGE_M = 1.0
MAX_RANGE_M = 500.0
# A drawn sector may miss the camera by this much (clicks on a map are not exact).
AT_CAMERA_TOLERANCE_M = 0.5
# Fewer segments than this would make a circle a poor polygon whatever step_deg says.
MIN_CIRCLE_SEGMENTS = 8

_GEOD = Geod(ellps="WGS84")

GeometryOrArray = TypeVar("GeometryOrArray", BaseGeometry, np.ndarray)

# Horizontal field of view of heads that can see all around (a PTZ head can turn all round).

DEFAULT_HFOV_DEG = 60.0

# Typical urban reach of a camera, in metres. Used only when neither range_m nor height and tilt
# are known, so the sector is a plausible guess rather than a measurement.
_DEFAULT_RANGE_BY_TYPE = {"fixed": 40.0, "dome": 30.0, "panning": 80.0, "panorama": 20.0, "thermal": 60.0}
_DEFAULT_RANGE_ALPR = 25.0
_DEFAULT_RANGE_OTHER = 40.0


@dataclass(frozen=True)
class Optics:
    """What is known of a camera's position and optics; None where unknown."""

    lon: float
    lat: float
    camera_type: str
    surveillance_type: str = "camera"
    bearing_deg: float | None = None
    hfov_deg: float | None = None
    tilt_deg: float | None = None
    range_m: float | None = None
    height_m: float | None = None
    direction_unknown: bool = False


@dataclass(frozen=True)
class ResolvedFov:
    """The sector to store, how it was obtained, and the figures it was built with."""

    polygon: Polygon
    method: Literal["computed", "drawn"]
    hfov_deg: float
    range_m: float
    range_derived: bool


def _local_transformer(lon: float, lat: float) -> Transformer:
    """AEQD metres centred on (lon, lat) -> EPSG:4326 degrees (lon, lat order).

    A PROJ pipeline equals ``from_crs("+proj=aeqd ... +datum=WGS84", "EPSG:4326")`` here (same
    ellipsoid, no datum shift) but builds in ~0.05 ms instead of ~7 ms, so one per call is cheap
    and no cache can ever change a geometry. pyproj >= 3.1 transformers are thread-safe.
    """
    return Transformer.from_pipeline(
        "+proj=pipeline "
        f"+step +inv +proj=aeqd +lat_0={float(lat)!r} +lon_0={float(lon)!r} +ellps=WGS84 +units=m "
        "+step +proj=unitconvert +xy_in=rad +xy_out=deg"
    )


class LocalFrame:
    """The azimuthal equidistant frame centred on a camera: metres east (x) and north (y) of it,
    distances and azimuths from the camera true on the WGS84 ellipsoid. Sectors are built in it;
    `domain/visibility.py` casts shadows in it. One PROJ pipeline serves both directions."""

    __slots__ = ("lon", "lat", "_transformer")

    def __init__(self, lon: float, lat: float) -> None:
        self.lon = lon
        self.lat = lat
        self._transformer = _local_transformer(lon, lat)

    def to_local(self, geometry: GeometryOrArray) -> GeometryOrArray:
        """EPSG:4326 geometry (or array of geometries) -> metres around the camera."""
        return shapely.transform(geometry, self._move(TransformDirection.INVERSE))

    def to_lonlat(self, geometry: GeometryOrArray) -> GeometryOrArray:
        """Metres around the camera -> EPSG:4326 geometry (or array of geometries)."""
        return shapely.transform(geometry, self._move(TransformDirection.FORWARD))

    def _move(self, direction: TransformDirection) -> Callable[[np.ndarray], np.ndarray]:
        def move(coords: np.ndarray) -> np.ndarray:
            x, y = self._transformer.transform(coords[:, 0], coords[:, 1], direction=direction)
            return np.column_stack([x, y])

        return move


# The field of view of a head whose direction is unknown: its own spot, a disc this wide. It is not
# a 360-degree "maybe" (coverage would count every place around it as seen): it covers nothing,
# so coverage reports the area as a gap until the direction is surveyed (docs/importing.md).
UNKNOWN_DIRECTION_RADIUS_M = 1.0

# Wider than this, a sector's two edges would meet behind the camera (an invalid, self-touching
# ring once PROJ rounds them together): it is drawn as the circle it practically is.
FULL_CIRCLE_DEG = 359.5


def sector(
    lon: float,
    lat: float,
    bearing_deg: float | None,
    hfov_deg: float,
    range_m: float,
    step_deg: float = 5.0,
) -> Polygon:
    """The field of view as an EPSG:4326 polygon (counter-clockwise exterior).

    The apex is the camera; the arc has a vertex at least every ``step_deg`` degrees and at least
    two segments. ``hfov_deg >= FULL_CIRCLE_DEG`` gives a circle of radius ``range_m``; then bearing
    may be None.
    """
    if step_deg <= 0 or range_m <= 0:
        raise ValueError("step_deg and range_m must be positive")
    if hfov_deg >= FULL_CIRCLE_DEG:
        start = 0.0 if bearing_deg is None else bearing_deg % 360
        count = max(MIN_CIRCLE_SEGMENTS, math.ceil(360.0 / step_deg))
        # Decreasing compass angles run counter-clockwise on the map.
        angles = start - np.arange(count) * (360.0 / count)
        apex = False
    else:
        if bearing_deg is None:
            raise ValueError("a sector narrower than 360 degrees needs a bearing")
        count = max(2, math.ceil(hfov_deg / step_deg))
        centre = bearing_deg % 360
        angles = np.linspace(centre + hfov_deg / 2, centre - hfov_deg / 2, count + 1)
        apex = True
    radians = np.radians(angles)
    lons, lats = _local_transformer(lon, lat).transform(range_m * np.sin(radians), range_m * np.cos(radians))
    ring = list(zip(lons.tolist(), lats.tolist(), strict=True))
    if apex:
        ring.insert(0, (lon, lat))  # the camera itself, exactly, not a round trip through PROJ
    return Polygon(ring)


def default_hfov(camera_type: str) -> float:
    """360 for heads that see or turn all round (dome, panorama, panning/PTZ), else 60."""
    return 360.0 if camera_type in ALL_ROUND_TYPES else DEFAULT_HFOV_DEG


def default_range(camera_type: str, surveillance_type: str) -> float:
    """Typical urban range in metres; only for cameras with neither range nor height+tilt known."""
    if surveillance_type == "alpr":
        return _DEFAULT_RANGE_ALPR  # plate readers resolve characters only close by
    return _DEFAULT_RANGE_BY_TYPE.get(camera_type, _DEFAULT_RANGE_OTHER)


def derive_range(height_m: float | None, tilt_deg: float | None) -> float | None:
    """Ground distance where the optical axis meets the ground, clamped to [1, 500] m.

    ``tilt_deg`` is degrees below the horizontal (0 horizontal, 90 straight down). None when height or
    tilt is unknown, or the axis never meets the ground (tilt <= 0, height <= 0).
    """
    if height_m is None or tilt_deg is None:
        return None
    if not (math.isfinite(height_m) and math.isfinite(tilt_deg)) or tilt_deg <= 0 or height_m <= 0:
        return None
    distance = height_m / math.tan(math.radians(min(tilt_deg, 90.0)))
    return min(MAX_RANGE_M, max(MIN_RANGE_M, distance))


def resolve_fov(optics: Optics, drawn: Polygon | None = None) -> ResolvedFov:
    """Decide the sector to store: the validated drawing, or one computed from the optics."""
    if drawn is not None:
        validate_drawn(drawn, optics.lon, optics.lat)
        # The drawing's reach becomes the range; it is measured, not stated, hence "derived".
        reach = max(MIN_RANGE_M, round(_max_vertex_distance(drawn, optics.lon, optics.lat), 1))
        return ResolvedFov(shapely.orient_polygons(drawn), "drawn", _hfov(optics), reach, True)
    plan = plan_sector(optics)
    polygon = sector(plan.lon, plan.lat, plan.bearing_deg, plan.sector_hfov_deg, plan.sector_range_m)
    return plan.resolved(polygon)


def _hfov(optics: Optics) -> float:
    """The stated angle, else the type's default; at most 360."""
    return min(optics.hfov_deg if optics.hfov_deg is not None else default_hfov(optics.camera_type), 360.0)


@dataclass(frozen=True)
class SectorPlan:
    """A computed field of view before its polygon is drawn: the sector's own figures (an unknown
    direction draws a small disc) and the figures stored with it."""

    lon: float
    lat: float
    bearing_deg: float | None
    sector_hfov_deg: float
    sector_range_m: float
    hfov_deg: float
    range_m: float
    range_derived: bool

    def resolved(self, polygon: Polygon) -> ResolvedFov:
        return ResolvedFov(polygon, "computed", self.hfov_deg, self.range_m, self.range_derived)


def plan_sector(optics: Optics) -> SectorPlan:
    """What `resolve_fov` computes for a camera without a drawn sector, up to the polygon; raises
    the same InvalidInput for a narrow head without bearing."""
    hfov = _hfov(optics)
    if hfov < 360 and optics.bearing_deg is None and optics.direction_unknown:
        range_m, derived = _resolve_range(optics)
        return SectorPlan(
            optics.lon, optics.lat, None, 360.0, UNKNOWN_DIRECTION_RADIUS_M, hfov, range_m, derived
        )
    if hfov < 360 and optics.bearing_deg is None:
        raise InvalidInput(
            "bearing_deg is required for a camera that does not see all round.",
            [
                FieldIssue(
                    "/properties/bearing_deg",
                    "required",
                    f"A head with hfov_deg {hfov:g} < 360 needs bearing_deg (the centre of its view), "
                    "or direction_unknown=true.",
                )
            ],
        )
    range_m, derived = _resolve_range(optics)
    return SectorPlan(optics.lon, optics.lat, optics.bearing_deg, hfov, range_m, hfov, range_m, derived)


def resolve_planned(plans: Sequence[SectorPlan], step_deg: float = 5.0) -> list[ResolvedFov]:
    """`resolve_fov` for many planned sectors at once (`sectors`: one geodesic computation)."""
    if not plans:
        return []
    polygons = sectors(
        np.array([plan.lon for plan in plans], dtype=float),
        np.array([plan.lat for plan in plans], dtype=float),
        np.array([np.nan if plan.bearing_deg is None else plan.bearing_deg for plan in plans], dtype=float),
        np.array([plan.sector_hfov_deg for plan in plans], dtype=float),
        np.array([plan.sector_range_m for plan in plans], dtype=float),
        step_deg,
    )
    return [plan.resolved(polygon) for plan, polygon in zip(plans, polygons, strict=True)]


def sectors(
    lon: np.ndarray,
    lat: np.ndarray,
    bearing_deg: np.ndarray,
    hfov_deg: np.ndarray,
    range_m: np.ndarray,
    step_deg: float = 5.0,
) -> list[Polygon]:
    """`sector` for many cameras at once (NaN bearing: none), equal to it within 1e-9 degrees.

    Same vertices in the same order; each arc vertex is the end of the geodesic from the camera at
    its compass angle, `range_m` long, which is what the azimuthal equidistant projection that
    `sector` goes through means, computed for every vertex of every camera in one `Geod.fwd` call
    instead of one PROJ pipeline per camera (bulk imports: ~0.3 ms a camera otherwise).
    """
    if step_deg <= 0 or np.any(range_m <= 0):
        raise ValueError("step_deg and range_m must be positive")
    full = hfov_deg >= FULL_CIRCLE_DEG
    if np.any(np.isnan(bearing_deg) & ~full):
        raise ValueError("a sector narrower than 360 degrees needs a bearing")
    circle_count = max(MIN_CIRCLE_SEGMENTS, math.ceil(360.0 / step_deg))
    counts = np.where(full, circle_count, np.maximum(2, np.ceil(hfov_deg / step_deg)).astype(int) + 1)
    first = np.cumsum(counts) - counts  # where each camera's arc starts in the flat arrays
    angles = np.empty(int(counts.sum()))
    start = np.where(np.isnan(bearing_deg), 0.0, bearing_deg % 360)
    for count in np.unique(counts):
        circles = np.flatnonzero(full & (counts == count))
        # Decreasing compass angles run counter-clockwise on the map.
        rows = start[circles, None] - np.arange(count)[None, :] * (360.0 / count)
        angles[first[circles, None] + np.arange(count)] = rows
        arcs = np.flatnonzero(~full & (counts == count))
        half = hfov_deg[arcs] / 2
        rows = np.linspace(start[arcs] + half, start[arcs] - half, count, axis=1)
        angles[first[arcs, None] + np.arange(count)] = rows
    arc_lon, arc_lat, _ = _GEOD.fwd(
        np.repeat(lon, counts), np.repeat(lat, counts), angles, np.repeat(range_m, counts)
    )
    # Each ring: the camera itself first (exactly, as `sector` puts it) unless a circle, then the arc.
    sizes = counts + ~full
    apexes = (np.cumsum(sizes) - sizes)[~full]
    coords = np.empty((int(sizes.sum()), 2))
    coords[apexes] = np.column_stack([lon[~full], lat[~full]])
    on_arc = np.ones(len(coords), dtype=bool)
    on_arc[apexes] = False
    coords[on_arc] = np.column_stack([arc_lon, arc_lat])
    rings = shapely.linearrings(coords, indices=np.repeat(np.arange(len(lon)), sizes))
    return list(shapely.polygons(rings))


def _resolve_range(optics: Optics) -> tuple[float, bool]:
    """Stated range, else derived from height and tilt, else the type's default; and whether derived."""
    if optics.range_m is not None:
        return optics.range_m, False
    derived = derive_range(optics.height_m, optics.tilt_deg)
    if derived is not None:
        return derived, True
    return default_range(optics.camera_type, optics.surveillance_type), True


def validate_drawn(polygon: Polygon, lon: float, lat: float, max_distance_m: float = MAX_RANGE_M) -> None:
    """Refuse a drawn sector that does not reach the camera or that reaches too far."""
    issues = []
    # Measured in metres around the camera, not in degrees (a degree of longitude shrinks northwards).
    gap = math.inf if polygon.is_empty else LocalFrame(lon, lat).to_local(polygon).distance(Point(0.0, 0.0))
    if gap > AT_CAMERA_TOLERANCE_M:
        detail = f"The field of view must contain or touch the camera; it is {gap:.1f} m away."
        issues.append(FieldIssue("/properties/fov", "fov_not_at_camera", detail))
    reach = _max_vertex_distance(polygon, lon, lat)
    if reach > max_distance_m:
        issues.append(
            FieldIssue(
                "/properties/fov",
                "fov_too_far",
                f"A vertex of the field of view is {reach:.1f} m from the camera; "
                f"at most {max_distance_m:g} m is allowed.",
            )
        )
    if issues:
        raise InvalidGeometry(issues[0].detail, issues)


def _max_vertex_distance(polygon: Polygon, lon: float, lat: float) -> float:
    """Largest geodesic distance (m, WGS84) from the camera to a vertex of the polygon."""
    coords = shapely.get_coordinates(polygon)
    if not len(coords):
        return 0.0
    origin_lon = np.full(len(coords), lon)
    origin_lat = np.full(len(coords), lat)
    _, _, distances = _GEOD.inv(origin_lon, origin_lat, coords[:, 0], coords[:, 1])
    return float(np.max(distances))
