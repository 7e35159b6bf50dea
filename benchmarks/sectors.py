"""Field-of-view sectors for many cameras at once, in local metric offsets (numpy).

Same vertex layout as observo.domain.fov.sector (apex first, an arc vertex at least every 5
degrees, counter-clockwise; a 72-vertex circle for 360-degree heads) but without a PROJ pipeline
per camera: within 500 m of the camera, metres -> degrees through the ellipsoid's radii of
curvature at the camera's latitude is accurate to centimetres.
"""

from __future__ import annotations

import math

import numpy as np

from benchmarks import ewkb

STEP_DEG = 5.0
CIRCLE_SEGMENTS = max(8, math.ceil(360.0 / STEP_DEG))
_A = 6_378_137.0  # WGS84 semi-major axis
_E2 = 6.69437999014e-3  # WGS84 first eccentricity squared


def _compass_angles(hfov: float) -> tuple[np.ndarray, bool]:
    """Compass offsets from the bearing (decreasing: counter-clockwise) and whether there is an apex."""
    if hfov >= 360:
        return -np.arange(CIRCLE_SEGMENTS) * (360.0 / CIRCLE_SEGMENTS), False
    count = max(2, math.ceil(hfov / STEP_DEG))
    return np.linspace(hfov / 2, -hfov / 2, count + 1), True


def _rings(
    lon: np.ndarray, lat: np.ndarray, bearing: np.ndarray, hfov: float, range_m: np.ndarray
) -> np.ndarray:
    """Closed rings (n, points, 2) for cameras that share one hfov."""
    offsets, apex = _compass_angles(hfov)
    angles = np.radians(bearing[:, None] + offsets[None, :])
    phi = np.radians(lat)
    w = np.sqrt(1.0 - _E2 * np.sin(phi) ** 2)
    metres_per_deg_lat = np.radians(_A * (1.0 - _E2) / w**3)
    metres_per_deg_lon = np.radians(_A / w * np.cos(phi))
    arc_lon = lon[:, None] + range_m[:, None] * np.sin(angles) / metres_per_deg_lon[:, None]
    arc_lat = lat[:, None] + range_m[:, None] * np.cos(angles) / metres_per_deg_lat[:, None]
    arc = np.stack([arc_lon, arc_lat], axis=2)
    centre = np.stack([lon, lat], axis=1)[:, None, :]
    parts = [centre, arc, centre] if apex else [arc, arc[:, :1, :]]
    return np.concatenate(parts, axis=1)


def fov_hex(
    lon: np.ndarray, lat: np.ndarray, bearing: np.ndarray, hfov: np.ndarray, range_m: np.ndarray
) -> np.ndarray:
    """Hex EWKB sector per camera, in input order. NaN bearings (360-degree heads) start at north."""
    out = np.empty(len(lon), dtype=object)
    bearing = np.nan_to_num(bearing, nan=0.0)
    for value in np.unique(hfov):
        rows = np.flatnonzero(hfov == value)
        rings = _rings(lon[rows], lat[rows], bearing[rows], float(value), range_m[rows])
        out[rows] = ewkb.polygons(rings)
    return out
