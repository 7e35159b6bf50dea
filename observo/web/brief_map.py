"""The brief's map of one target, as a self-contained SVG: outline, sectors, gaps, suggestions,
cameras, a scale bar and a north arrow.

No tiles and no scripts: the brief must print offline and pass through WeasyPrint, so the map is
drawn from the snapshot alone, in the target's local metres (`Area.to_local`, north up, true
scale), fitted into a fixed viewBox. Only presentation attributes are used (no CSS), so a browser
and WeasyPrint draw the same picture. Every text is XML-escaped; ids are prefixed per map, so
several maps can share one HTML page.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import shapely
from shapely.geometry import LineString, MultiLineString, Point, Polygon, box, shape
from shapely.geometry.base import BaseGeometry

from observo.domain.shapes import Area

WIDTH = 800
HEIGHT = 560
MARGIN = 28
PAD = 0.08  # share of the extent added around the target and its cameras
MIN_SPAN_M = 60.0  # a tiny target still gets a readable neighbourhood
NICE_STEPS = (1, 2, 5)
SCALE_BAR_SHARE = 0.22  # the scale bar is at most this share of the drawing's width

TARGET = {"fill": "#0b3d91", "fill-opacity": "0.06", "stroke": "#0b3d91", "stroke-width": "2.5"}
FOV = {"fill": "#2e7d32", "fill-opacity": "0.28", "stroke": "#1b5e20", "stroke-width": "0.8"}
FOV_SECTOR = {"fill": "none", "stroke": "#1b5e20", "stroke-width": "0.6", "stroke-dasharray": "3 3"}
GAP = {"fill": "#d32f2f", "fill-opacity": "0.18", "stroke": "#b71c1c", "stroke-width": "1"}
STRETCH = {"fill": "none", "stroke": "#b71c1c", "stroke-width": "5", "stroke-linecap": "round"}
ROUTE = {"fill": "none", "stroke": "#0b3d91", "stroke-width": "1.5", "stroke-dasharray": "6 4"}
SUGGESTION_RANGE = {"fill": "none", "stroke": "#e65100", "stroke-width": "1.2", "stroke-dasharray": "4 3"}
FONT = {"font-family": "DejaVu Sans, Arial, sans-serif", "font-size": "11"}


@dataclass(frozen=True)
class Frame:
    """Local metres -> viewBox pixels: uniform scale, y flipped (north up), extent centred."""

    min_x: float
    min_y: float
    max_x: float
    max_y: float

    @property
    def scale(self) -> float:
        return min(
            (WIDTH - 2 * MARGIN) / (self.max_x - self.min_x),
            (HEIGHT - 2 * MARGIN) / (self.max_y - self.min_y),
        )

    def xy(self, x: float, y: float) -> tuple[float, float]:
        s = self.scale
        left = (WIDTH - (self.max_x - self.min_x) * s) / 2
        top = (HEIGHT - (self.max_y - self.min_y) * s) / 2
        return left + (x - self.min_x) * s, top + (self.max_y - y) * s

    def clip(self, geometry: BaseGeometry) -> BaseGeometry:
        # Projected twice (lon/lat, then the frame), a thin gap's outline may touch itself: repair it
        # for drawing rather than fail the brief.
        if not geometry.is_valid:
            geometry = shapely.make_valid(geometry)
        return geometry.intersection(box(self.min_x, self.min_y, self.max_x, self.max_y))


def fit(geometries: Iterable[BaseGeometry]) -> Frame:
    """The frame around `geometries` (local metres), padded and at least MIN_SPAN_M wide and tall."""
    min_x, min_y, max_x, max_y = shapely.total_bounds(list(geometries))
    cx, cy = (min_x + max_x) / 2, (min_y + max_y) / 2
    half_x = max(max_x - min_x, MIN_SPAN_M) * (1 + 2 * PAD) / 2
    half_y = max(max_y - min_y, MIN_SPAN_M) * (1 + 2 * PAD) / 2
    return Frame(cx - half_x, cy - half_y, cx + half_x, cy + half_y)


def _attrs(values: Mapping[str, str]) -> str:
    return "".join(f" {name}={quoteattr(str(value))}" for name, value in values.items())


def _ring(frame: Frame, coords: Sequence[Sequence[float]], close: bool) -> str:
    points = [frame.xy(x, y) for x, y, *_z in coords]
    if not points:
        return ""
    text = "M" + " L".join(f"{x:.1f} {y:.1f}" for x, y in points)
    return text + " Z" if close else text


def path_data(frame: Frame, geometry: BaseGeometry) -> str:
    """SVG path data of a (multi)polygon or (multi)line in local metres; empty parts are dropped."""
    parts: list[str] = []
    for part in getattr(geometry, "geoms", [geometry]):
        if isinstance(part, Polygon) and not part.is_empty:
            parts.append(_ring(frame, part.exterior.coords, True))
            parts.extend(_ring(frame, ring.coords, True) for ring in part.interiors)
        elif isinstance(part, LineString | MultiLineString) and not part.is_empty:
            parts.extend(_ring(frame, line.coords, False) for line in getattr(part, "geoms", [part]))
        elif hasattr(part, "geoms"):
            parts.append(path_data(frame, part))
    return " ".join(item for item in parts if item)


def _path(
    frame: Frame, geometry: BaseGeometry, css_class: str, style: Mapping[str, str], **extra: str
) -> str:
    data = path_data(frame, frame.clip(geometry))
    if not data:
        return ""
    return f"<path{_attrs({'class': css_class, 'd': data, 'fill-rule': 'evenodd', **style, **extra})}/>"


def _text(x: float, y: float, label: str, **extra: str) -> str:
    return f"<text{_attrs({'x': f'{x:.1f}', 'y': f'{y:.1f}', **FONT, **extra})}>{escape(label)}</text>"


def nice_length(max_m: float) -> float:
    """The largest 1, 2 or 5 x 10^n metres not above `max_m` (at least 1 m)."""
    if max_m < 1:
        return 1.0
    power = 10 ** math.floor(math.log10(max_m))
    return float(max(step * power for step in NICE_STEPS if step * power <= max_m))


def format_length(metres: float) -> str:
    return f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"


def scale_bar(frame: Frame) -> str:
    metres = nice_length((WIDTH - 2 * MARGIN) * SCALE_BAR_SHARE / frame.scale)
    length = metres * frame.scale
    x, y = MARGIN, HEIGHT - MARGIN / 2
    bar = _attrs({"x": f"{x:.1f}", "y": f"{y - 5:.1f}", "width": f"{length:.1f}", "height": "5"})
    return (
        '<g class="scale-bar">'
        f'<rect{bar} fill="#ffffff" stroke="#222222" stroke-width="1"/>'
        f"<rect{_attrs({'x': f'{x:.1f}', 'y': f'{y - 5:.1f}', 'width': f'{length / 2:.1f}', 'height': '5'})}"
        ' fill="#222222"/>' + _text(x + length + 6, y, format_length(metres)) + "</g>"
    )


def north_arrow(label: str = "N") -> str:
    x, y = WIDTH - MARGIN, MARGIN + 4
    arrow = f"M{x:.1f} {y:.1f} L{x + 8:.1f} {y + 26:.1f} L{x:.1f} {y + 19:.1f} L{x - 8:.1f} {y + 26:.1f} Z"
    return (
        f'<g class="north-arrow"><path d="{arrow}" fill="#222222"/>'
        + _text(x, y - 4, label, **{"text-anchor": "middle", "font-weight": "bold"})
        + "</g>"
    )


def _geometry(value: Mapping[str, Any] | None) -> BaseGeometry | None:
    return shape(value) if value else None


def target_cameras(
    target: Mapping[str, Any], cameras: Sequence[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    """The (reader's) snapshot cameras that reach this target."""
    return [camera for camera in cameras if target.get("id") in (camera.get("target_ids") or ())]


def _layers(area: Area, target: Mapping[str, Any], cameras: Sequence[Mapping[str, Any]]) -> dict[str, list]:
    """Everything to draw, in the target's local metres."""
    coverage = target.get("coverage") or {}
    gaps = [
        (f["properties"].get("rank"), area.to_local(shape(f["geometry"])))
        for f in (coverage.get("gaps") or {}).get("features", [])
    ]
    route = coverage.get("route") or {}
    stretches = [
        area.to_local(shape(item["geometry"])) for item in route.get("uncovered", []) if item.get("geometry")
    ]
    suggestions = [
        (item.get("rank"), area.to_local(shape(item["geometry"])), float(item.get("range_m") or 0))
        for item in coverage.get("suggestions", [])
    ]
    # What each camera sees: its visible area where obstacles clip its sector (the sector then drawn
    # faintly behind it), else its sector.
    fovs, sectors = [], []
    for camera in cameras:
        sector, visible = _geometry(camera.get("fov")), _geometry(camera.get("fov_visible"))
        if visible is not None:
            fovs.append(area.to_local(visible))
            if sector is not None:
                sectors.append(area.to_local(sector))
        elif sector is not None:
            fovs.append(area.to_local(sector))
    points = [
        (str(camera.get("code") or ""), area.to_local(Point(camera["location"])))
        for camera in cameras
        if camera.get("location")
    ]
    return {
        "gaps": gaps,
        "stretches": stretches,
        "suggestions": suggestions,
        "sectors": sectors,
        "fovs": fovs,
        "points": points,
    }


def _gap_marks(frame: Frame, gaps: list, hatch: str) -> list[str]:
    marks = []
    for rank, gap in gaps:
        marks.append(_path(frame, gap, "gap", GAP))
        marks.append(_path(frame, gap, "gap-hatch", {"fill": f"url(#{hatch})", "stroke": "none"}))
        clipped = frame.clip(gap)
        if rank is not None and not clipped.is_empty:
            spot = clipped.representative_point()
            x, y = frame.xy(spot.x, spot.y)
            marks.append(
                _text(
                    x,
                    y + 4,
                    f"G{rank}",
                    **{"text-anchor": "middle", "fill": "#b71c1c", "font-weight": "bold"},
                )
            )
    return marks


def _suggestion_marks(frame: Frame, suggestions: list) -> list[str]:
    marks = []
    for rank, point, range_m in suggestions:
        x, y = frame.xy(point.x, point.y)
        if range_m > 0:
            marks.append(
                _path(frame, point.buffer(range_m, quad_segs=16), "suggestion-range", SUGGESTION_RANGE)
            )
        marks.append(
            f'<g class="suggestion"><circle cx="{x:.1f}" cy="{y:.1f}" r="9" fill="#e65100" stroke="#ffffff" '
            'stroke-width="1.5"/>'
            + _text(
                x, y + 4, str(rank), **{"text-anchor": "middle", "fill": "#ffffff", "font-weight": "bold"}
            )
            + "</g>"
        )
    return marks


def _camera_marks(frame: Frame, points: list) -> list[str]:
    marks = []
    for code, point in points:
        x, y = frame.xy(point.x, point.y)
        if not (0 <= x <= WIDTH and 0 <= y <= HEIGHT):
            continue
        marks.append(
            f'<g class="camera"><circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="#1b5e20" stroke="#ffffff" '
            'stroke-width="1"/>' + _text(x + 5, y - 5, code, **{"font-size": "9", "fill": "#1b1b1b"}) + "</g>"
        )
    return marks


def target_map_svg(
    target: Mapping[str, Any],
    cameras: Sequence[Mapping[str, Any]],
    map_id: str,
    title: str = "",
    north: str = "N",
) -> str:
    """The SVG of one snapshot target (`snapshot.targets[i]`) with the reader's snapshot cameras.

    `cameras` may hold every camera of the snapshot: only those whose `target_ids` name this target
    are drawn. `map_id` prefixes the SVG's own ids (letters, digits and dashes only).
    """
    area = Area(shape(target["geometry"]), float(target.get("buffer_m") or 0))
    layers = _layers(area, target, target_cameras(target, cameras))
    frame = fit([area.local_region, *(point for _code, point in layers["points"])])
    safe_id = re.sub(r"[^A-Za-z0-9-]", "-", map_id) or "map"
    hatch, caption = f"{safe_id}-hatch", f"{safe_id}-title"
    body = [
        *(_path(frame, sector, "fov-sector", FOV_SECTOR) for sector in layers["sectors"]),
        *(_path(frame, fov, "fov", FOV) for fov in layers["fovs"]),
        *_gap_marks(frame, layers["gaps"], hatch),
        _path(frame, area.local_region, "target", TARGET),
        _path(frame, area.local_shape, "route", ROUTE) if area.is_route else "",
        *(_path(frame, stretch, "uncovered", STRETCH) for stretch in layers["stretches"]),
        *_suggestion_marks(frame, layers["suggestions"]),
        *_camera_marks(frame, layers["points"]),
        scale_bar(frame),
        north_arrow(north),
    ]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="brief-map" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby={quoteattr(caption)}>'
        f"<title id={quoteattr(caption)}>{escape(title)}</title>"
        f'<defs><pattern id={quoteattr(hatch)} patternUnits="userSpaceOnUse" width="8" height="8" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="8" stroke="#b71c1c" stroke-width="2"/>'
        "</pattern></defs>"
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff" stroke="#9e9e9e"/>'
        + "".join(part for part in body if part)
        + "</svg>"
    )
