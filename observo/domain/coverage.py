"""Coverage of an area or a route by cameras' fields of view, and the gaps between them.

Everything is computed in metres, in the azimuthal equidistant projection centred on the target
(`Area.to_local`), where areas and lengths over a few kilometres are true to a few parts per million.
Both databases only select the candidate sectors; the figures come from here, so they agree.

For an area, a square metre is covered when it lies in at least one field of view. For a route
(a line and a corridor `buffer_m` wide on each side), a metre of the line is covered when a field of
view comes within `buffer_m` of it: the corridor stands for the street, and a camera that sees any
part of the street's width at that point sees someone walking along it. The corridor's own area
figures are reported too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString
from shapely.geometry.base import BaseGeometry
from shapely.ops import substring

from observo.domain.shapes import Area

# Gaps smaller than this are slivers between touching sectors (arc chords, rounding at the target's
# edge), not places to patrol: a few square metres is less than a parked car.
MIN_GAP_M2 = 5.0
# Uncovered stretches shorter than this are where two sectors' chords meet, not holes in the watch.
MIN_STRETCH_M = 0.5


@dataclass(frozen=True)
class Contribution:
    """One camera's share: what it sees of the target, and what no other selected camera sees."""

    camera_id: int
    covered_m2: float
    exclusive_m2: float


@dataclass(frozen=True)
class Gap:
    """An uncovered part of the target (EPSG:4326 polygon) and its area."""

    geometry: BaseGeometry
    area_m2: float


@dataclass(frozen=True)
class Stretch:
    """An uncovered piece of a route, from `from_m` to `to_m` metres along it (EPSG:4326 line)."""

    from_m: float
    to_m: float
    geometry: BaseGeometry

    @property
    def length_m(self) -> float:
        return self.to_m - self.from_m


@dataclass(frozen=True)
class RouteFigures:
    length_m: float
    covered_length_m: float
    uncovered: list[Stretch]

    @property
    def ratio(self) -> float:
        return self.covered_length_m / self.length_m if self.length_m else 0.0


@dataclass(frozen=True)
class Coverage:
    """How much of a target the selected sectors see; for a route, `route` adds the line's figures."""

    area_m2: float
    covered_m2: float
    gaps: list[Gap]  # largest first
    cameras: list[Contribution]  # largest contribution first
    route: RouteFigures | None = None
    uncovered_local: BaseGeometry | None = None  # the gaps in metres, for suggestions

    @property
    def ratio(self) -> float:
        return self.covered_m2 / self.area_m2 if self.area_m2 else 0.0

    @property
    def kind(self) -> str:
        return "route" if self.route is not None else "area"


def measure(target: Area, sectors: Mapping[int, BaseGeometry]) -> Coverage:
    """Coverage of `target` (an area, a point with a buffer, or a route) by `sectors` (id -> EPSG:4326)."""
    region = target.local_region
    local = {camera_id: _overlayable(target.to_local(sector)) for camera_id, sector in sectors.items()}
    seen = {camera_id: _polygonal(sector.intersection(region)) for camera_id, sector in local.items()}
    seen = {camera_id: part for camera_id, part in seen.items() if part.area > 0}
    covered = shapely.union_all(list(seen.values())) if seen else shapely.Polygon()
    uncovered = region.difference(covered)
    route = _route_figures(target, local) if target.is_route else None
    return Coverage(
        area_m2=region.area,
        covered_m2=covered.area,
        gaps=_gaps(target, uncovered),
        cameras=_contributions(seen),
        route=route,
        uncovered_local=uncovered,
    )


def _overlayable(view: BaseGeometry) -> BaseGeometry:
    """`view` as GEOS can overlay it. A stored view can fold on itself at a spike a few centimetres
    wide (a visible area's vertices rounded to 1e-7 degrees): overlaying it as it is raises, and one
    such camera would fail the whole measure (an intervention's snapshot, a place's figures). It is
    repaired instead, its area kept."""
    return view if view.is_valid else _polygonal(shapely.make_valid(view))


def _polygonal(geometry: BaseGeometry) -> BaseGeometry:
    """The areal part of an intersection (a sector touching the target along an edge adds lines)."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [part for part in shapely.get_parts(geometry) if part.geom_type == "Polygon"]
    return shapely.MultiPolygon(parts) if parts else shapely.Polygon()


def _gaps(target: Area, uncovered: BaseGeometry) -> list[Gap]:
    parts = [part for part in shapely.get_parts(uncovered) if part.area >= MIN_GAP_M2]
    parts.sort(key=lambda part: -part.area)
    return [Gap(target.to_lonlat(part), part.area) for part in parts]


def _contributions(seen: Mapping[int, BaseGeometry]) -> list[Contribution]:
    """Each camera's seen area, and the part of it no other camera sees.

    The sectors' outlines are noded into the faces of their arrangement; a point inside each face
    says which sectors cover it (one STRtree query for all faces), and a face covered by exactly
    one sector is that camera's alone. One overlay instead of a union of neighbours per camera:
    half the time on 500 cameras, the same areas.
    """
    ids = list(seen)
    if not ids:
        return []
    views = np.array([seen[camera_id] for camera_id in ids], dtype=object)
    outlines = shapely.union_all(shapely.boundary(views))
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(outlines)))
    face_index, view_index = shapely.STRtree(views).query(shapely.point_on_surface(faces), predicate="within")
    cover_count = np.bincount(face_index, minlength=len(faces))
    alone = cover_count[face_index] == 1
    exclusive = np.zeros(len(ids))
    np.add.at(exclusive, view_index[alone], shapely.area(faces)[face_index[alone]])
    result = [
        Contribution(camera_id, float(view.area), float(exclusive[index]))
        for index, (camera_id, view) in enumerate(zip(ids, views, strict=True))
    ]
    result.sort(key=lambda item: (-item.covered_m2, item.camera_id))
    return result


def _route_figures(target: Area, local_sectors: Mapping[int, BaseGeometry]) -> RouteFigures:
    """Covered and uncovered lengths of the route's line, uncovered stretches in order along it."""
    line = target.local_shape
    reach = [
        sector.buffer(target.buffer_m, quad_segs=16) if target.has_buffer else sector
        for sector in local_sectors.values()
    ]
    watched = shapely.union_all(reach) if reach else shapely.Polygon()
    covered_length = line.intersection(watched).length
    stretches = []
    for piece in _line_parts(shapely.line_merge(line.difference(watched))):
        start, end = (
            line.project(shapely.Point(piece.coords[0])),
            line.project(shapely.Point(piece.coords[-1])),
        )
        start, end = min(start, end), max(start, end)
        if end - start >= MIN_STRETCH_M:
            stretches.append(Stretch(start, end, target.to_lonlat(substring(line, start, end))))
    stretches.sort(key=lambda stretch: stretch.from_m)
    return RouteFigures(line.length, covered_length, stretches)


def _line_parts(geometry: BaseGeometry) -> list[LineString]:
    if isinstance(geometry, LineString):
        return [] if geometry.is_empty else [geometry]
    if isinstance(geometry, MultiLineString):
        return list(geometry.geoms)
    return [part for part in shapely.get_parts(geometry) if isinstance(part, LineString)]
