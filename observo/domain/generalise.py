"""Generalised public positions (docs/architecture.md, "Public data is generalised, deterministically").

Anonymous users see a camera at the centre of its cell in the European statistical grid
EPSG:3035 (ETRS89-LAEA, the INSPIRE/GEOSTAT grid). A fixed grid, unlike random jitter, cannot be
averaged away over repeated requests, and every point of a cell maps to the same output.
"""

from __future__ import annotations

import math
from functools import lru_cache

from pyproj import Transformer

PRECISION = 7  # decimals of a degree in output, about 1 cm


@lru_cache(maxsize=1)
def _transformers() -> tuple[Transformer, Transformer]:
    """(EPSG:4326 -> EPSG:3035, EPSG:3035 -> EPSG:4326), lon/lat order; built once (~10 ms each).

    pyproj >= 3.1 transformers are thread-safe, so one pair serves every request.
    """
    return (
        Transformer.from_crs("EPSG:4326", "EPSG:3035", always_xy=True),
        Transformer.from_crs("EPSG:3035", "EPSG:4326", always_xy=True),
    )


def snap_to_grid(lon: float, lat: float, cell_m: int) -> tuple[float, float]:
    """Centre (lon, lat) of the EPSG:3035 cell of side ``cell_m`` metres containing the point.

    Cells are aligned on multiples of ``cell_m`` in 3035 easting/northing. ``cell_m == 0`` keeps the
    exact position (the organisation's choice). Output is rounded to 7 decimals.
    """
    if cell_m < 0:
        raise ValueError("cell_m must be >= 0")
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise ValueError("position must be finite")
    if cell_m == 0:
        return _rounded(lon, lat)
    to_grid, from_grid = _transformers()
    easting, northing = to_grid.transform(lon, lat)
    centre_e = (math.floor(easting / cell_m) + 0.5) * cell_m
    centre_n = (math.floor(northing / cell_m) + 0.5) * cell_m
    out_lon, out_lat = from_grid.transform(centre_e, centre_n)
    if not (math.isfinite(out_lon) and math.isfinite(out_lat)):
        raise ValueError("position is outside the area of the European grid")
    return _rounded(out_lon, out_lat)


def _rounded(lon: float, lat: float) -> tuple[float, float]:
    # "+ 0.0" turns -0.0 into 0.0 so equal cells serialise equally.
    return round(lon, PRECISION) + 0.0, round(lat, PRECISION) + 0.0
