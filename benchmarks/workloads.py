"""The workloads W1-W7: what each target is asked, as fixed, seeded request lists."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from benchmarks.towns import PIEMONTE_BBOX, TORINO_CITY_BBOX, TORINO_VIEWPORT_BBOX

OBSERVO, TIPG, PYGEOAPI = "observo", "tipg", "pygeoapi"
PEERS = (TIPG, PYGEOAPI)
REASON = "bench"
SEARCH_HALF_SIDE_M = 500.0  # a 1 km x 1 km square: ~1 km²


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: str = ""


@dataclass(frozen=True)
class Workload:
    key: str
    title: str
    peers: bool  # tipg and pygeoapi answer it too (OGC items)
    floors: tuple[str, ...]  # pgbench variants: "peer" (exact count + ORDER BY id), "lean"


WORKLOADS = (
    Workload("W1", "viewport ≈1.5 km × 1.5 km, central Torino, limit 500", True, ("peer", "lean")),
    Workload("W2", "one camera by id", True, ("lean",)),
    Workload("W3", "city-wide bbox (Torino), limit 1000", True, ("peer", "lean")),
    Workload("W4", "who sees this point (sees=lon,lat), Torino", False, ("lean",)),
    Workload("W5", "within 200 m (near=lon,lat&radius=200), Torino", False, ("lean",)),
    Workload("W6", "area search, POST /api/v1/search, 1 km² square in Torino", False, ("lean",)),
    Workload("W7", "clusters, all of Piemonte, zoom 8", False, ("lean",)),
)
BY_KEY = {w.key: w for w in WORKLOADS}


def _bbox(box: tuple[float, float, float, float]) -> str:
    return ",".join(f"{v:g}" for v in box)


def _items(target: str, query: str) -> str:
    if target == OBSERVO:
        return f"/api/v1/cameras?{query}"
    if target == TIPG:
        return f"/collections/public.cameras/items?{query}"
    return f"/collections/cameras/items?{query}&f=json"


def _item(target: str, camera_id: int) -> str:
    if target == OBSERVO:
        return f"/api/v1/cameras/{camera_id}"
    if target == TIPG:
        return f"/collections/public.cameras/items/{camera_id}"
    return f"/collections/cameras/items/{camera_id}?f=json"


def square(lon: float, lat: float, half_side_m: float = SEARCH_HALF_SIDE_M) -> dict[str, object]:
    """GeoJSON Polygon: a square of side 2 × half_side_m around the point (counter-clockwise)."""
    dlat = half_side_m / 111_132.0
    dlon = half_side_m / (111_320.0 * math.cos(math.radians(lat)))
    w, s, e, n = (round(v, 6) for v in (lon - dlon, lat - dlat, lon + dlon, lat + dlat))
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


def requests(key: str, target: str, ids: list[int], points: list[tuple[float, float]]) -> list[Request]:
    """The seeded request list one target cycles through for one workload."""
    if key == "W1":
        return [Request("GET", _items(target, f"bbox={_bbox(TORINO_VIEWPORT_BBOX)}&limit=500"))]
    if key == "W2":
        return [Request("GET", _item(target, i)) for i in ids]
    if key == "W3":
        return [Request("GET", _items(target, f"bbox={_bbox(TORINO_CITY_BBOX)}&limit=1000"))]
    if key == "W4":
        return [Request("GET", f"/api/v1/cameras?sees={x:.6f},{y:.6f}&reason={REASON}") for x, y in points]
    if key == "W5":
        return [
            Request("GET", f"/api/v1/cameras?near={x:.6f},{y:.6f}&radius=200&reason={REASON}")
            for x, y in points
        ]
    if key == "W6":
        return [
            Request("POST", "/api/v1/search", json.dumps({"geometry": square(x, y), "reason": REASON}))
            for x, y in points
        ]
    if key == "W7":
        return [Request("GET", f"/api/v1/clusters?bbox={_bbox(PIEMONTE_BBOX)}&zoom=8")]
    raise ValueError(f"unknown workload {key}")


def targets_of(workload: Workload) -> tuple[str, ...]:
    return (OBSERVO, *PEERS) if workload.peers else (OBSERVO,)
