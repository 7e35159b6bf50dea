"""Seeded synthetic cameras as numpy columns, one chunk of ids at a time.

90 % of the cameras cluster around the towns of benchmarks.towns (Gaussian around the centre,
wider for bigger towns; weight population**0.85, so Torino holds ~125,000 cameras of 1,000,000 and
~13,000 in its central 1.5 km viewport, as in the figures of docs/architecture.md); 10 % are a rural
background, uniform over the two regions' boxes. Ids are grouped by town, as a municipality's census import
would assign them. A chunk depends only on (n, seed, start, stop), so workers need no shared state.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from benchmarks import attributes, grid, sectors
from benchmarks.owners import all_owners, privates_by_town
from benchmarks.towns import LOMBARDIA_BBOX, PIEMONTE_BBOX, TORINO, TORINO_CITY_BBOX, TOWNS

TOWN_SHARE = 0.9
WEIGHT_EXPONENT = 0.85
SIGMA_BASE_KM = 0.3
SIGMA_PER_SQRT_THOUSAND_KM = 0.05
KM_PER_DEG_LAT = 111.2
PRIVATE_SHARE = 0.15  # of a sponsoring town's cameras

Columns = dict[str, np.ndarray]

CAMERA_TYPES = {"fixed": 0.58, "dome": 0.20, "panning": 0.09, "panorama": 0.07, "thermal": 0.06}
# Median range (m) and log-normal spread per kind of head.
RANGES = {
    "fixed": (50, 0.5),
    "dome": (35, 0.4),
    "panning": (120, 0.5),
    "panorama": (25, 0.3),
    "thermal": (120, 0.5),
}
ALPR_RANGE = (25, 0.3)
HFOV_CHOICES = {"fixed": ([30, 45, 60, 75, 90], [0.1, 0.25, 0.35, 0.2, 0.1]), "thermal": ([25, 35, 50], None)}
ALPR_HFOV = [15, 20, 30]


@dataclass(frozen=True)
class Plan:
    """How many cameras each town gets (the rural background is the last group)."""

    n: int
    seed: int
    counts: np.ndarray

    def groups(self, start: int, stop: int) -> np.ndarray:
        """Group (town index, or len(TOWNS) for rural) of the rows start..stop-1 (0-based)."""
        return np.searchsorted(np.cumsum(self.counts), np.arange(start, stop), side="right")


def make_plan(n: int, seed: int) -> Plan:
    weights = np.array([t.population for t in TOWNS], dtype=float) ** WEIGHT_EXPONENT
    in_towns = round(n * TOWN_SHARE)
    counts = np.random.default_rng(seed).multinomial(in_towns, weights / weights.sum())
    return Plan(n, seed, np.append(counts, n - in_towns))


def _sigma_km() -> np.ndarray:
    population_k = np.array([t.population for t in TOWNS], dtype=float) / 1000
    return SIGMA_BASE_KM + SIGMA_PER_SQRT_THOUSAND_KM * np.sqrt(population_k)


def _around(rng: np.random.Generator, lon0: np.ndarray, lat0: np.ndarray, sigma_km: np.ndarray):
    lat = lat0 + rng.normal(0, 1, lat0.size) * sigma_km / KM_PER_DEG_LAT
    lon = lon0 + rng.normal(0, 1, lon0.size) * sigma_km / (KM_PER_DEG_LAT * np.cos(np.radians(lat0)))
    return lon, lat


def _rural(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
    boxes = np.array([PIEMONTE_BBOX, LOMBARDIA_BBOX])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    box = boxes[rng.choice(2, count, p=areas / areas.sum())]
    return rng.uniform(box[:, 0], box[:, 2]), rng.uniform(box[:, 1], box[:, 3])


def _positions(rng: np.random.Generator, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    town = groups < len(TOWNS)
    centres = np.array([(t.lon, t.lat) for t in TOWNS])
    lon = np.empty(groups.size)
    lat = np.empty(groups.size)
    idx = groups[town]
    lon[town], lat[town] = _around(rng, centres[idx, 0], centres[idx, 1], _sigma_km()[idx])
    lon[~town], lat[~town] = _rural(rng, int((~town).sum()))
    return lon, lat


def torino_sigma_deg() -> tuple[float, float]:
    """Standard deviation (lon, lat degrees) of Torino's cameras around its centre."""
    sigma_km = float(_sigma_km()[0])
    return sigma_km / (KM_PER_DEG_LAT * np.cos(np.radians(TORINO.lat))), sigma_km / KM_PER_DEG_LAT


def torino_points(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Points drawn like Torino's cameras (where officers ask), kept inside the city box."""
    west, south, east, north = TORINO_CITY_BBOX
    sigma = np.full(count * 2, _sigma_km()[0])
    lon, lat = _around(rng, np.full(count * 2, TORINO.lon), np.full(count * 2, TORINO.lat), sigma)
    inside = (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
    return np.round(lon[inside][:count], 6), np.round(lat[inside][:count], 6)


def _municipality_of(groups: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Town index per row; a rural camera belongs to the nearest town."""
    towns = groups.copy()
    rural = np.flatnonzero(groups == len(TOWNS))
    if rural.size:
        centres = np.array([(t.lon, t.lat) for t in TOWNS])
        dx = (lon[rural, None] - centres[None, :, 0]) * np.cos(np.radians(lat[rural, None]))
        dy = lat[rural, None] - centres[None, :, 1]
        towns[rural] = np.argmin(dx**2 + dy**2, axis=1)
    return towns


def _owner_ids(rng: np.random.Generator, towns: np.ndarray, rural: np.ndarray) -> np.ndarray:
    owner = towns + 1  # municipality ids are town index + 1 (benchmarks.owners)
    for town, privates in privates_by_town().items():
        rows = np.flatnonzero((towns == town) & ~rural & (rng.random(towns.size) < PRIVATE_SHARE))
        owner[rows] = np.array([p.id for p in privates])[rng.integers(0, len(privates), rows.size)]
    return owner


def _lognormal(rng: np.random.Generator, median_sigma: tuple[float, float], count: int) -> np.ndarray:
    median, sigma = median_sigma
    return rng.lognormal(np.log(median), sigma, count)


def _hfov_and_range(
    rng: np.random.Generator, kind: np.ndarray, alpr: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    hfov = np.full(kind.size, 360.0)
    range_m = np.empty(kind.size)
    for name, spread in RANGES.items():
        rows = kind == name
        range_m[rows] = _lognormal(rng, spread, int(rows.sum()))
        if name in HFOV_CHOICES:
            values, p = HFOV_CHOICES[name]
            hfov[rows] = rng.choice(values, int(rows.sum()), p=p)
    hfov[alpr] = rng.choice(ALPR_HFOV, int(alpr.sum()))
    range_m[alpr] = _lognormal(rng, ALPR_RANGE, int(alpr.sum()))
    return hfov, range_m


def optics(rng: np.random.Generator, count: int) -> Columns:
    """Head type, surveillance type, bearing, angles, range, height; consistent with the CHECKs."""
    kind = attributes.pick(rng, CAMERA_TYPES, count)
    alpr = (kind == "fixed") & (rng.random(count) < 0.10)
    hfov, range_m = _hfov_and_range(rng, kind, alpr)
    bearing = np.where(hfov < 360, np.floor(rng.uniform(0, 360, count) * 10) / 10, np.nan)
    height = np.round(rng.uniform(2.5, 12.0, count), 1)
    tilt = np.where(rng.random(count) < 0.75, np.round(rng.uniform(5, 45, count) * 2) / 2, np.nan)
    # Some ranges come from height and tilt (where the optical axis meets the ground).
    derived = ~np.isnan(tilt) & (rng.random(count) < 0.10)
    range_m[derived] = height[derived] / np.tan(np.radians(tilt[derived]))
    return {
        "camera_type": kind,
        "surveillance_type": np.where(alpr, "alpr", "camera").astype(object),
        "hfov_deg": hfov,
        "bearing_deg": bearing,
        "range_m": np.clip(np.round(range_m, 1), 1.0, 500.0),
        "range_derived": derived,
        "height_m": height,
        "tilt_deg": tilt,
    }


def generate(plan: Plan, start: int, stop: int) -> Columns:
    """Cameras with ids start+1..stop, seeded by (seed, start)."""
    rng = np.random.default_rng([plan.seed, start])
    groups = plan.groups(start, stop)
    lon, lat = _positions(rng, groups)
    towns = _municipality_of(groups, lon, lat)
    rural = groups == len(TOWNS)
    owner_id = _owner_ids(rng, towns, rural)
    columns = optics(rng, stop - start)
    precision = np.array([o.public_precision_m for o in all_owners()])[owner_id - 1]
    public_lon, public_lat = grid.snap_to_grid(lon, lat, precision)
    columns.update(
        id=np.arange(start + 1, stop + 1),
        lon=np.round(lon, 7),
        lat=np.round(lat, 7),
        public_lon=public_lon,
        public_lat=public_lat,
        town=towns,
        owner_id=owner_id,
    )
    columns["fov"] = sectors.fov_hex(
        columns["lon"], columns["lat"], columns["bearing_deg"], columns["hfov_deg"], columns["range_m"]
    )
    columns.update(attributes.generate(rng, columns))
    return columns
