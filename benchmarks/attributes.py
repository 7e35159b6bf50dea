"""The non-spatial columns of synthetic cameras: status, sharing, law, operation, bookkeeping.

Mixes are plausible for Italian municipal registries, not measured; what matters to the benchmark
is that every column is filled as the application would fill it and satisfies the table's CHECKs.
"""

from __future__ import annotations

import numpy as np

from benchmarks.owners import all_owners

Columns = dict[str, np.ndarray]

FIRST_DAY = np.datetime64("2012-01-01")
LAST_DAY = np.datetime64("2026-10-31")

STATUS = {"active": 0.86, "faulty": 0.04, "inactive": 0.03, "planned": 0.04, "decommissioned": 0.03}
MUNICIPAL_VISIBILITY = {"public": 0.2, "shared": 0.7, "private": 0.1}
PRIVATE_VISIBILITY = {"shared": 0.4, "private": 0.6}
MUNICIPAL_PURPOSE = {"urban_security": 0.65, "traffic": 0.2, "environmental": 0.05, "other": 0.1}
SOURCE = {"census": 0.7, "owner_registration": 0.12, "csv_import": 0.12, "osm_import": 0.04, "api": 0.02}
MOUNT = {
    "pole": 0.35,
    "wall": 0.3,
    "building": 0.15,
    "street_lamp": 0.1,
    "traffic_signal": 0.05,
    "gantry": 0.03,
    "other": 0.02,
}
AREA_CLASS = {"public": 0.8, "outdoor": 0.17, "indoor": 0.03}
ZONE = {
    "town": 0.35,
    "traffic": 0.2,
    "parking": 0.1,
    "shop": 0.08,
    "bank": 0.04,
    "building": 0.07,
    "entrance": 0.05,
    "park": 0.05,
    "public_transport": 0.03,
    "school": 0.02,
    "other": 0.01,
}
SIGNAGE = {"present": 0.7, "absent": 0.05, "unknown": 0.25}
VERIFICATION = {"unverified": 0.5, "owner_confirmed": 0.3, "surveyed": 0.18, "disputed": 0.02}
RETENTION_HOURS = ([24, 48, 72, 168], [0.35, 0.2, 0.1, 0.35])
RESOLUTION = {"1280x720": 0.1, "1920x1080": 0.5, "2688x1520": 0.25, "3840x2160": 0.15}
MAKE_MODEL = {
    "Axis|P1465-LE": 0.25,
    "Hikvision|DS-2CD2T47": 0.3,
    "Dahua|IPC-HFW5442": 0.2,
    "Bosch|FLEXIDOME 5100i": 0.1,
    "Hanwha|XNO-6080R": 0.1,
    "|": 0.05,
}


def pick(rng: np.random.Generator, weights: dict[str, float], count: int) -> np.ndarray:
    """Labels (object array) drawn with the given weights."""
    labels = np.array(list(weights), dtype=object)
    p = np.array(list(weights.values()), dtype=float)
    return labels[rng.choice(labels.size, count, p=p / p.sum())]


def _days(rng: np.random.Generator, low: np.ndarray, count: int) -> np.ndarray:
    """Dates between ``low`` and LAST_DAY."""
    span = (LAST_DAY - low).astype(int)
    return low + (rng.random(count) * span).astype(int).astype("timedelta64[D]")


def _sharing(rng: np.random.Generator, private_owner: np.ndarray) -> Columns:
    count = private_owner.size
    visibility = np.where(
        private_owner,
        pick(rng, PRIVATE_VISIBILITY, count),
        pick(rng, MUNICIPAL_VISIBILITY, count),
    )
    return {"visibility": visibility, "status": pick(rng, STATUS, count)}


def _law(rng: np.random.Generator, private_owner: np.ndarray, alpr: np.ndarray) -> Columns:
    count = private_owner.size
    purpose = pick(rng, MUNICIPAL_PURPOSE, count)
    purpose[alpr] = np.where(rng.random(int(alpr.sum())) < 0.5, "ztl_access", "traffic")
    purpose[private_owner] = "property_protection"
    records = rng.random(count) < 0.95
    values, p = RETENTION_HOURS
    retention = np.where(records, rng.choice(values, count, p=p), -1)
    return {
        "purpose": purpose,
        "records": records,
        "retention_hours": retention,
        "signage": pick(rng, SIGNAGE, count),
    }


def _operation(rng: np.random.Generator, count: int) -> Columns:
    installed = _days(rng, FIRST_DAY, count)
    verified = _days(rng, installed, count)
    temporary = rng.random(count) < 0.01
    valid_until = installed + rng.integers(30, 366, count).astype("timedelta64[D]")
    make_model = pick(rng, MAKE_MODEL, count)
    return {
        "installed_on": installed,
        "last_verified_on": np.where(rng.random(count) < 0.6, verified, np.datetime64("NaT")),
        "signage_checked_on": np.where(rng.random(count) < 0.5, verified, np.datetime64("NaT")),
        "verification": pick(rng, VERIFICATION, count),
        "live_link": rng.random(count) < 0.4,
        "night_vision": np.minimum(rng.integers(0, 3, count), 2),  # 0 false, 1 true, 2 unknown
        "resolution": pick(rng, RESOLUTION, count),
        "make_model": make_model,
        "temporary": temporary,
        "valid_until": np.where(temporary, valid_until, np.datetime64("NaT")),
    }


def _place(rng: np.random.Generator, count: int) -> Columns:
    area = pick(rng, AREA_CLASS, count)
    mount = pick(rng, MOUNT, count)
    mount[area == "indoor"] = "ceiling"
    source = pick(rng, SOURCE, count)
    return {
        "area_class": area,
        "indoor": area == "indoor",
        "mount": mount,
        "zone": pick(rng, ZONE, count),
        "source": source,
        "street": rng.integers(0, 1 << 16, count),
        "house_number": rng.integers(1, 200, count),
    }


def generate(rng: np.random.Generator, columns: Columns) -> Columns:
    """Attribute columns for the cameras already placed in ``columns`` (owner_id, surveillance_type)."""
    kinds = np.array([o.kind for o in all_owners()])
    private_owner = kinds[columns["owner_id"] - 1] == "private"
    alpr = columns["surveillance_type"] == "alpr"
    count = private_owner.size
    out = _sharing(rng, private_owner)
    out.update(_law(rng, private_owner, alpr))
    out.update(_operation(rng, count))
    out.update(_place(rng, count))
    return out
