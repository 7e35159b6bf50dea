"""Generalised public positions for many cameras at once: observo.domain.generalise.snap_to_grid
vectorised (centre of the owner's EPSG:3035 cell, rounded to 7 decimals; cell 0 keeps the point)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from pyproj import Transformer

PRECISION = 7


@lru_cache(maxsize=1)
def _transformers() -> tuple[Transformer, Transformer]:
    # Building a transformer costs ~0.1 s: once per process, not once per chunk.
    return (
        Transformer.from_crs("EPSG:4326", "EPSG:3035", always_xy=True),
        Transformer.from_crs("EPSG:3035", "EPSG:4326", always_xy=True),
    )


def snap_to_grid(lon: np.ndarray, lat: np.ndarray, cell_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) of the cell centres; ``cell_m`` is the owner's public_precision_m per camera."""
    to_grid, from_grid = _transformers()
    easting, northing = to_grid.transform(lon, lat)
    cell = np.where(cell_m > 0, cell_m, 1).astype(float)
    centre_lon, centre_lat = from_grid.transform(
        (np.floor(easting / cell) + 0.5) * cell, (np.floor(northing / cell) + 0.5) * cell
    )
    exact = cell_m == 0
    out_lon = np.where(exact, lon, centre_lon)
    out_lat = np.where(exact, lat, centre_lat)
    # "+ 0.0" turns -0.0 into 0.0, as the application does.
    return np.round(out_lon, PRECISION) + 0.0, np.round(out_lat, PRECISION) + 0.0
