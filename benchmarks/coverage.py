"""Coverage of a 1 km² area holding about 500 cameras, timed through the HTTP API on PostGIS.

    .venv/bin/python -m benchmarks.coverage [--runs 60] [--target 500] [--url http://...]

Finds, among the benchmark's towns, the 1 km square (aligned on a town centre, shifted in 250 m
steps) whose count of cameras is closest to `--target`, then POSTs `/api/v1/coverage` for it
`--runs` times from one client (after a warm-up) and reports p50/p90/max with the figures of the
answer, without and with three gap suggestions. Observo runs under gunicorn as in `benchmarks.run`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import urllib.request
from typing import Any

import psycopg
from pyproj import Geod

from benchmarks import config, map_pan, state
from benchmarks.towns import TOWNS
from observo.domain.shapes import square_around

GEOD = Geod(ellps="WGS84")
HALF_SIDE_M = 500.0
REASON = "benchmark: coverage of 1 km²"


def square(lon: float, lat: float, half_m: float = HALF_SIDE_M) -> list[list[float]]:
    return [list(corner) for corner in square_around((lon, lat), half_m).exterior.coords]


def count_in(conn: psycopg.Connection, ring: list[list[float]]) -> int:
    lons, lats = [lon for lon, _lat in ring], [lat for _lon, lat in ring]
    west, south, east, north = min(lons), min(lats), max(lons), max(lats)
    row = conn.execute(
        "SELECT count(*) FROM cameras "
        "WHERE status = 'active' AND location && ST_MakeEnvelope(%s, %s, %s, %s, 4326)",
        (west, south, east, north),
    ).fetchone()
    return int(row[0]) if row else 0


def pick_area(target: int) -> tuple[list[list[float]], int, str]:
    """The 1 km square closest to `target` active cameras (centre offsets in 250 m steps)."""
    best: tuple[int, list[list[float]], int, str] | None = None
    with psycopg.connect(config.conninfo()) as conn:
        for town in TOWNS:
            for dx in range(-8, 9, 2):
                for dy in range(-8, 9, 2):
                    lon, lat, _ = GEOD.fwd(town.lon, town.lat, 90, dx * 250)
                    lon, lat, _ = GEOD.fwd(lon, lat, 0, dy * 250)
                    ring = square(lon, lat)
                    n = count_in(conn, ring)
                    if best is None or abs(n - target) < best[0]:
                        best = (abs(n - target), ring, n, f"{town.name} {dx * 250:+d} m E, {dy * 250:+d} m N")
    assert best is not None
    return best[1], best[2], best[3]


def post(base: str, token: str, body: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    request = urllib.request.Request(
        base + "/api/v1/coverage",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.loads(response.read())
    return (time.perf_counter() - started) * 1000, answer


def run(base: str, token: str, ring: list[list[float]], runs: int, warmup: int, suggestions: int) -> dict:
    body = {
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "reason": REASON,
        "suggestions": suggestions,
    }
    for _ in range(warmup):
        post(base, token, body)
    times, answer = [], {}
    for _ in range(runs):
        elapsed, answer = post(base, token, body)
        times.append(elapsed)
    times.sort()
    return {
        "suggestions": suggestions,
        "p50_ms": round(statistics.median(times), 1),
        "p90_ms": round(times[int(0.9 * (len(times) - 1))], 1),
        "max_ms": round(times[-1], 1),
        "cameras": len(answer["cameras"]),
        "ratio": answer["ratio"],
        "gaps": len(answer["gaps"]["features"]),
        "area_m2": answer["area_m2"],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--target", type=int, default=500)
    parser.add_argument("--url", help="an Observo already serving the benchmark database")
    args = parser.parse_args(argv)
    ring, located, where = pick_area(args.target)
    print(f"area: 1 km² at {where}, {located} active cameras located in it", flush=True)
    token = state.token()
    with map_pan.observo_server(args.url) as base:
        for suggestions in (0, 3):
            result = run(base, token, ring, args.runs, args.warmup, suggestions)
            print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
