"""What a row would change on the camera it found: each property's old and new value, and the move.

The same comparison decides whether a row is `unchanged` (nothing to write, no new version) and
tells the dry run of an update what it would do.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any

from geoalchemy2.shape import to_shape
from pyproj import Geod
from shapely.geometry import Point

from observo.models import Camera
from observo.services.cameras import CameraWrite

_GEOD = Geod(ellps="WGS84")
_NOT_COMPARED = ("fov", "fov_method")  # computed from the optics, which are compared
_SLUGS = ("owner", "operator")  # rows name organisations by slug
POSITION_TOLERANCE_DEG = 1e-9  # below a millimetre: the same point written back


def changes(camera: Camera, write: CameraWrite) -> dict[str, dict[str, Any]]:
    """{property: {"old": stored, "new": given}} for each property the row sets to another value."""
    found = {}
    for name, given in write.attrs.items():
        if name in _NOT_COMPARED:
            continue
        stored = _slug(camera, name) if name in _SLUGS else getattr(camera, name)
        if not _same(stored, given):
            found[name] = {"old": _plain(stored), "new": _plain(given)}
    return found


def moved_m(camera: Camera, location: Point | None) -> float | None:
    """Metres (on the ellipsoid) the row moves the camera; None when it stays put."""
    if location is None:
        return None
    current = to_shape(camera.location)
    if _same_point(current, location):
        return None
    _az, _back, metres = _GEOD.inv(current.x, current.y, location.x, location.y)
    return round(metres, 2)


def distance_m(a: Point, b: Point) -> float:
    return float(_GEOD.inv(a.x, a.y, b.x, b.y)[2])


def _slug(camera: Camera, name: str) -> str | None:
    organisation = getattr(camera, name)
    return organisation.slug if organisation is not None else None


def _same_point(a: Point, b: Point) -> bool:
    return math.isclose(a.x, b.x, abs_tol=POSITION_TOLERANCE_DEG) and math.isclose(
        a.y, b.y, abs_tol=POSITION_TOLERANCE_DEG
    )


def _same(stored: Any, given: Any) -> bool:
    if isinstance(stored, float) and isinstance(given, int | float) and not isinstance(given, bool):
        return math.isclose(stored, given, abs_tol=1e-9)
    if isinstance(stored, Mapping) or isinstance(given, Mapping):
        return dict(stored or {}) == dict(given or {})
    return bool(stored == given)


def _plain(value: Any) -> Any:
    """A JSON value for the report."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return dict(value)
    return value
