"""Hex EWKB (PostGIS's COPY text form of a geometry) for many geometries at once, with numpy.

shapely.to_wkb costs ~13 µs per sector; laying out the bytes ourselves costs ~2 µs, which is what
keeps the generator ahead of COPY.
"""

from __future__ import annotations

import struct

import numpy as np

SRID = 4326
_POINT = 1 | 0x20000000  # wkbPoint with the EWKB "has SRID" flag
_POLYGON = 3 | 0x20000000


def _split(hex_text: str, width: int) -> list[str]:
    return [hex_text[i : i + width] for i in range(0, len(hex_text), width)]


def points(lon: np.ndarray, lat: np.ndarray) -> list[str]:
    """Hex EWKB of Point(lon, lat) for each pair, SRID 4326."""
    header = np.frombuffer(struct.pack("<BII", 1, _POINT, SRID), dtype=np.uint8)
    body = np.column_stack([lon, lat]).astype("<f8").view(np.uint8)
    rows = np.empty((len(lon), header.size + body.shape[1]), dtype=np.uint8)
    rows[:, : header.size] = header
    rows[:, header.size :] = body
    return _split(rows.tobytes().hex(), 2 * rows.shape[1])


def polygons(rings: np.ndarray) -> list[str]:
    """Hex EWKB of single-ring polygons; ``rings`` has shape (n, points, 2) and is already closed."""
    count, size, _ = rings.shape
    header = np.frombuffer(struct.pack("<BIIII", 1, _POLYGON, SRID, 1, size), dtype=np.uint8)
    rows = np.empty((count, header.size + 16 * size), dtype=np.uint8)
    rows[:, : header.size] = header
    rows[:, header.size :] = np.ascontiguousarray(rings, dtype="<f8").reshape(count, -1).view(np.uint8)
    return _split(rows.tobytes().hex(), 2 * rows.shape[1])
