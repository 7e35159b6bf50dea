"""Synthetic street grids of buildings and walls, and cameras on their facades (local metres).

Shared by benchmarks/visibility_speed.py (the domain function alone, one grid around Turin) and
benchmarks/visibility_scale.py (the stored visible areas of 100,000 cameras among ~200,000
footprints in PostGIS, one grid per town). Rectangular blocks 40-60 m a side between 12 m streets,
each block split in two buildings, half of them with a height, a garden wall in one street in five.
Coordinates are metres east and north of the grid's south-west corner; a caller places the grid with
`observo.domain.fov.LocalFrame(lon, lat).to_lonlat`.
"""

from __future__ import annotations

import numpy as np
from shapely.geometry import LineString, Polygon

BLOCK_M = (40.0, 60.0)
STREET_M = 12.0
GRID = 24  # blocks a side: ~1.2 km
# Facades further than this inside the grid's nominal extent get cameras (obstacles all around).
EDGE_MARGIN_M = 150.0
# Conservative metres a block and its street take (the mean is 50 + 12).
_NOMINAL_PITCH_M = 45.0

Shapes = list[Polygon | LineString]


def city(rng: np.random.Generator, blocks: int = GRID) -> tuple[Shapes, list[float | None]]:
    """Buildings (local metres) on a street grid `blocks` a side, each block split in two, some walls."""
    shapes: Shapes = []
    heights: list[float | None] = []
    y = 0.0
    for _ in range(blocks):
        depth = rng.uniform(*BLOCK_M)
        x = 0.0
        for _ in range(blocks):
            width = rng.uniform(*BLOCK_M)
            split = x + width * rng.uniform(0.3, 0.7)
            for left, right in ((x, split), (split, x + width)):
                shapes.append(Polygon([(left, y), (right, y), (right, y + depth), (left, y + depth)]))
                heights.append(float(rng.uniform(4, 25)) if rng.random() < 0.5 else None)
            if rng.random() < 0.2:  # a garden wall in the street
                wall_y = y - STREET_M * rng.uniform(0.2, 0.8)
                shapes.append(LineString([(x, wall_y), (x + width * rng.uniform(0.2, 0.6), wall_y)]))
                heights.append(float(rng.uniform(1.5, 3)))
            x += width + STREET_M
        y += depth + STREET_M
    return shapes, heights


def facades(
    rng: np.random.Generator, shapes: Shapes, count: int, blocks: int = GRID
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, y, outward bearing) of `count` points on building facades away from the grid's edges.

    A point lies on a random side of a random building, a few centimetres inside it or up to 30 cm
    out (as a camera's position is digitised); the bearing points away from that side.
    """
    bounds = np.array([shape.bounds for shape in shapes if isinstance(shape, Polygon)])
    far = blocks * _NOMINAL_PITCH_M - EDGE_MARGIN_M
    inner = bounds[
        (bounds[:, 0] >= EDGE_MARGIN_M)
        & (bounds[:, 1] >= EDGE_MARGIN_M)
        & (bounds[:, 2] <= far)
        & (bounds[:, 3] <= far)
    ]
    if not len(inner):
        raise ValueError(f"a grid of {blocks} blocks has no building away from its edges")
    minx, miny, maxx, maxy = inner[rng.integers(len(inner), size=count)].T
    side = rng.integers(4, size=count)
    offset = rng.uniform(-0.05, 0.3, count)  # negative: digitised a few cm inside the building
    along = rng.uniform(0, 1, count)
    across_x = minx + along * (maxx - minx)
    across_y = miny + along * (maxy - miny)
    x = np.choose(side, [across_x, maxx + offset, across_x, minx - offset])
    y = np.choose(side, [miny - offset, across_y, maxy + offset, across_y])
    outward = np.choose(side, [180.0, 90.0, 0.0, 270.0])
    return x, y, outward
