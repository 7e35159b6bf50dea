"""Requests of the loopback load test, drawn with a seed from the cameras actually in the database
(synthetic towns and the demo alike), so every question is asked where cameras are.

Read mix (a police viewer): map viewports, "who sees this point", area search, single cameras and
clusters. Write mix (an editor of Moncalieri): reads of a small hot set of its cameras (for their
ETags; `wrk/write_mix.lua` PATCHes them back with If-Match) and registrations of new cameras.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass

import psycopg

from benchmarks.workloads import Request, square

REASON = "load-test"
# Share of each kind of request in the read mix: mostly browsing, some accountable questions.
READ_WEIGHTS = {"viewport": 0.30, "item": 0.30, "sees": 0.20, "search": 0.15, "clusters": 0.05}
VIEWPORT_HALF_SIDES_M = (300.0, 600.0, 1200.0)  # street, quarter, town centre
VIEWPORT_LIMITS = (100, 250, 500)
SEARCH_HALF_SIDE_M = 250.0  # a 500 m square: a few blocks
CLUSTER_HALF_SIDE_M = 6000.0  # a town and its outskirts at zoom 12
CLUSTER_ZOOM = 12
METRES_PER_DEG_LAT = 111_132.0
EDITOR_OWNER = "moncalieri"  # the demo editor's organisation (also a synthetic town)
MONCALIERI = (7.6826, 44.9990)


@dataclass(frozen=True)
class Sampled:
    """A camera the requests are built around."""

    id: int
    lon: float
    lat: float
    bearing_deg: float | None
    range_m: float


def _offset(lon: float, lat: float, bearing_deg: float, metres: float) -> tuple[float, float]:
    """The point `metres` away towards `bearing_deg` (small distances: a local flat approximation)."""
    rad = math.radians(bearing_deg)
    dlat = metres * math.cos(rad) / METRES_PER_DEG_LAT
    dlon = metres * math.sin(rad) / (METRES_PER_DEG_LAT * math.cos(math.radians(lat)))
    return lon + dlon, lat + dlat


def _box(lon: float, lat: float, half_side_m: float) -> str:
    dlat = half_side_m / METRES_PER_DEG_LAT
    dlon = half_side_m / (METRES_PER_DEG_LAT * math.cos(math.radians(lat)))
    return ",".join(f"{v:.6f}" for v in (lon - dlon, lat - dlat, lon + dlon, lat + dlat))


def sample(conn: psycopg.Connection, seed: int, count: int, where: str, params: tuple = ()) -> list[Sampled]:
    """`count` cameras matching `where`, in an order fixed by the seed (same data, same sample)."""
    rows = conn.execute(
        "SELECT id, ST_X(location), ST_Y(location), bearing_deg, range_m FROM cameras"
        f" WHERE {where} ORDER BY md5(id::text || %s) LIMIT %s",
        (*params, str(seed), count),
    ).fetchall()
    return [Sampled(int(i), float(x), float(y), b, float(r or 30)) for i, x, y, b, r in rows]


def readable(conn: psycopg.Connection, seed: int, count: int) -> list[Sampled]:
    """Active cameras the carabinieri viewer may read (all but private ones)."""
    return sample(conn, seed, count, "visibility <> 'private' AND status = 'active'")


def hot_set(conn: psycopg.Connection, seed: int, count: int) -> list[Sampled]:
    """The editor's cameras the write mix fights over: directional heads (a bearing to change)."""
    where = (
        "owner_id = (SELECT id FROM organisations WHERE slug = %s) AND status <> 'decommissioned'"
        " AND hfov_deg < 360 AND bearing_deg IS NOT NULL"
    )
    return sample(conn, seed, count, where, (EDITOR_OWNER,))


def _read_request(kind: str, cam: Sampled, rng: random.Random) -> Request:
    if kind == "viewport":
        box = _box(cam.lon, cam.lat, rng.choice(VIEWPORT_HALF_SIDES_M))
        return Request("GET", f"/api/v1/cameras?bbox={box}&limit={rng.choice(VIEWPORT_LIMITS)}")
    if kind == "item":
        return Request("GET", f"/api/v1/cameras/{cam.id}")
    if kind == "sees":
        # A point inside the sector: along the bearing (any way for 360° heads), well within range.
        bearing = cam.bearing_deg if cam.bearing_deg is not None else rng.uniform(0, 360)
        lon, lat = _offset(cam.lon, cam.lat, bearing, min(0.4 * cam.range_m, 25.0))
        return Request("GET", f"/api/v1/cameras?sees={lon:.6f},{lat:.6f}&reason={REASON}")
    if kind == "search":
        body = {"geometry": square(cam.lon, cam.lat, SEARCH_HALF_SIDE_M), "reason": REASON}
        return Request("POST", "/api/v1/search", json.dumps(body))
    if kind == "clusters":
        box = _box(cam.lon, cam.lat, CLUSTER_HALF_SIDE_M)
        return Request("GET", f"/api/v1/clusters?bbox={box}&zoom={CLUSTER_ZOOM}")
    raise ValueError(f"unknown request kind {kind}")


def read_mix(cameras: list[Sampled], seed: int, size: int) -> list[Request]:
    """`size` requests, kinds drawn by READ_WEIGHTS, each around a sampled camera."""
    rng = random.Random(seed)
    kinds = rng.choices(list(READ_WEIGHTS), weights=list(READ_WEIGHTS.values()), k=size)
    return [_read_request(kind, cameras[i % len(cameras)], rng) for i, kind in enumerate(kinds)]


def one_kind(kind: str, cameras: list[Sampled], seed: int, size: int) -> list[Request]:
    """Requests of a single kind, for the per-endpoint passes."""
    rng = random.Random(f"{seed}-{kind}")
    return [_read_request(kind, cameras[i % len(cameras)], rng) for i in range(size)]


def _new_camera(number: int, rng: random.Random) -> str:
    lon, lat = _offset(*MONCALIERI, rng.uniform(0, 360), rng.uniform(0, 2500))
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
        "properties": {
            "name": f"Load test camera {number}",
            "owner": EDITOR_OWNER,
            "camera_type": "fixed",
            "bearing_deg": rng.randrange(360),
            "retention_hours": 168,  # recording cameras need it: 7 days, the usual cap for urban security
        },
    }
    return json.dumps(feature)


def write_mix(hot: list[Sampled], seed: int, new_cameras: int) -> list[Request]:
    """GETs of the hot set (the Lua script turns their ETags into PATCHes) and POSTs of new cameras."""
    rng = random.Random(f"{seed}-writes")
    gets = [Request("GET", f"/api/v1/cameras/{cam.id}") for cam in hot]
    posts = [Request("POST", "/api/v1/cameras", _new_camera(i, rng)) for i in range(new_cameras)]
    return gets + posts
