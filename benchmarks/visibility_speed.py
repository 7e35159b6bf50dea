"""Cameras per second of `observo.domain.visibility.visible_area` on synthetic city blocks.

    .venv/bin/python -m benchmarks.visibility_speed [--cameras 2000] [--workers 1] [--seed 7]

A street grid of rectangular buildings (benchmarks/street_grid.py: 40-60 m blocks, 12 m streets,
some with a height, a few free-standing walls) around Turin; each camera sits on a facade (a few
centimetres inside or outside it, as digitised), looks across or along the street with a random
angle and range, and is given the obstacles within its range, as a database query would select
them (that selection is not timed). Prints the mean number of obstacles a camera gets and
cameras/s per worker process and in total, and how many sectors a second `observo.domain.fov.sector`
builds (an import builds one per row). Not collected by pytest.
"""

from __future__ import annotations

import argparse
import math
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import shapely

from benchmarks import street_grid
from observo.domain.fov import LocalFrame, sector
from observo.domain.visibility import visible_area

LON, LAT = 7.6869, 45.0703


def cameras(
    rng: np.random.Generator, shapes: list, count: int
) -> list[tuple[float, float, float, float, float, float | None]]:
    """(x, y, bearing, hfov, range, height) of cameras on building facades, inside the grid."""
    xs, ys, outward = street_grid.facades(rng, shapes, count)
    bearing = outward + rng.uniform(-80, 80, count)
    hfov = np.where(rng.random(count) < 0.2, 360.0, rng.uniform(20, 120, count))
    range_m = rng.uniform(40, 120, count)
    height = np.where(rng.random(count) < 0.6, rng.uniform(3, 10, count), np.nan)
    return [
        (float(x), float(y), float(b), float(h), float(r), None if np.isnan(z) else float(z))
        for x, y, b, h, r, z in zip(xs, ys, bearing, hfov, range_m, height, strict=True)
    ]


def _workload(args: tuple[int, int]) -> tuple[float, float, int, float]:
    """(seconds, mean obstacles per camera, cameras, seconds building the sectors) for one worker's
    share of cameras."""
    count, seed = args
    rng = np.random.default_rng(seed)
    shapes, heights = street_grid.city(rng)
    frame = LocalFrame(LON, LAT)
    lonlat = frame.to_lonlat(np.array(shapes, dtype=object))
    tree = shapely.STRtree(np.array(shapes, dtype=object))
    placed = []
    for x, y, bearing, hfov, range_m, height in cameras(rng, shapes, count):
        lon, lat = frame.to_lonlat(shapely.Point(x, y)).coords[0]
        near = tree.query(shapely.Point(x, y), predicate="dwithin", distance=range_m)
        placed.append((lon, lat, bearing, hfov, range_m, [(lonlat[i], heights[i]) for i in near], height))
    # The sector itself is timed apart: an import builds one per row (docs/visibility.md).
    start = time.perf_counter()
    sectors = [sector(lon, lat, bearing, hfov, range_m) for lon, lat, bearing, hfov, range_m, _, _ in placed]
    sector_seconds = time.perf_counter() - start
    jobs = [
        (lon, lat, fov, obstacles, height)
        for (lon, lat, _, _, _, obstacles, height), fov in zip(placed, sectors, strict=True)
    ]
    start = time.perf_counter()
    for lon, lat, fov, obstacles, height in jobs:
        visible_area(lon, lat, fov, obstacles, height)
    elapsed = time.perf_counter() - start
    return elapsed, float(np.mean([len(job[3]) for job in jobs])), len(jobs), sector_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cameras", type=int, default=2000, help="cameras per worker")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    shares = [(args.cameras, args.seed + worker) for worker in range(args.workers)]
    wall = time.perf_counter()
    if args.workers == 1:
        results = [_workload(shares[0])]
    else:
        with ProcessPoolExecutor(args.workers) as pool:
            results = list(pool.map(_workload, shares))
    wall = time.perf_counter() - wall
    for worker, (elapsed, mean_obstacles, count, sector_seconds) in enumerate(results):
        print(
            f"worker {worker}: {count} cameras, {mean_obstacles:.1f} obstacles each, "
            f"{count / elapsed:,.0f} cameras/s ({1000 * elapsed / count:.2f} ms a camera); "
            f"sectors alone {count / sector_seconds:,.0f}/s"
        )
    total = sum(count / elapsed for elapsed, _, count, _ in results)
    print(f"total: {total:,.0f} cameras/s over {args.workers} worker(s) (run took {wall:.1f} s with set-up)")
    if not math.isfinite(total):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
