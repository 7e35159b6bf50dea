"""Deterministic generation of the demo cameras from the place data in ``territory_places``.

Every camera draws its free attributes (model, height, dates, status...) from its own
``random.Random`` seeded by owner and ref, so the output never depends on iteration order or on
``PYTHONHASHSEED``. Positions come from geodesic offsets (pyproj.Geod) around the place centres and
each head with a direction looks at its aim point (the place centre, or for a multi-head pole a
point straight ahead of the head).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator

from pyproj import Geod

from observo.demo.territory_orgs import ORGANISATIONS_BY_SLUG
from observo.demo.territory_places import GATES, PLACES, PRIVATE_SITES, TOWNS

GEOD = Geod(ellps="WGS84")
SEED = "observo-demo-2026"
TODAY = dt.date(2026, 11, 1)
MULTI_HEADS = (0.0, 120.0, 240.0)

# (make, model, resolution) by family.
MODELS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "fixed": (
        ("Hikvision", "DS-2CD2T47G2-L", "4MP"),
        ("Dahua", "IPC-HFW5442T-ASE", "4MP"),
        ("Axis", "P1465-LE", "2MP"),
        ("Bosch", "DINION 5100i IR", "4MP"),
        ("Hanwha", "XNO-6080R", "2MP"),
    ),
    "indoor": (
        ("Hikvision", "DS-2CD2143G2-IS", "4MP"),
        ("Axis", "M3086-V", "4MP"),
        ("Hanwha", "XND-6080RV", "2MP"),
    ),
    "dome": (
        ("Axis", "M3068-P", "12MP"),
        ("Hikvision", "DS-2CD6365G0E-IVS", "6MP"),
        ("Dahua", "IPC-EBW81242", "12MP"),
    ),
    "ptz": (
        ("Hikvision", "DS-2DE4425IW-DE", "4MP"),
        ("Axis", "Q6075-E", "2MP"),
        ("Dahua", "SD49425XB-HNR", "4MP"),
        ("Bosch", "AUTODOME IP 5000i", "2MP"),
    ),
    "thermal": (
        ("Axis", "Q1951-E", "384x288"),
        ("Hikvision", "DS-2TD2617-6/PA", "160x120"),
        ("Bosch", "DINION IP thermal 9000 RM", "640x480"),
    ),
    "alpr": (
        ("Tattile", "Vega Smart", "2MP"),
        ("Selea", "Targa 704", "2MP"),
        ("Hikvision", "iDS-TCM403-GIR", "4MP"),
    ),
}

# kind -> camera_type, mounts, height range, hfov range (None = all round), tilt range, range_m range, models
KINDS: dict[str, dict] = {
    "fixed": {
        "type": "fixed",
        "mounts": ("wall", "pole", "building", "street_lamp"),
        "height": (4.0, 8.0),
        "hfov": (60, 90),
        "tilt": (15, 30),
        "range": (30, 60),
        "models": "fixed",
    },
    "park": {
        "type": "fixed",
        "mounts": ("pole", "street_lamp"),
        "height": (4.5, 6.5),
        "hfov": (70, 95),
        "tilt": (15, 28),
        "range": (35, 55),
        "models": "fixed",
        "zone": "park",
    },
    "dome": {
        "type": "dome",
        "mounts": ("pole", "wall", "street_lamp"),
        "height": (5.0, 7.0),
        "hfov": None,
        "tilt": (20, 35),
        "range": (30, 50),
        "models": "dome",
    },
    "ptz": {
        "type": "panning",
        "mounts": ("pole", "building"),
        "height": (7.0, 12.0),
        "hfov": (50, 65),
        "tilt": (10, 22),
        "range": (80, 150),
        "models": "ptz",
    },
    "thermal": {
        "type": "thermal",
        "mounts": ("pole", "wall"),
        "height": (5.0, 8.0),
        "hfov": (25, 45),
        "tilt": (10, 20),
        "range": (60, 110),
        "models": "thermal",
    },
    "entrance": {
        "type": "fixed",
        "mounts": ("wall",),
        "height": (2.6, 3.5),
        "hfov": (80, 105),
        "tilt": (25, 35),
        "range": (8, 20),
        "models": "fixed",
        "zone": "entrance",
    },
    "indoor": {
        "type": "fixed",
        "mounts": ("ceiling",),
        "height": (2.6, 3.2),
        "hfov": (90, 110),
        "tilt": (28, 35),
        "range": (8, 15),
        "models": "indoor",
        "indoor": True,
    },
    "multi": {
        "type": "fixed",
        "mounts": ("pole",),
        "height": (6.0, 7.0),
        "hfov": (110, 110),
        "tilt": (18, 22),
        "range": (35, 45),
        "models": "fixed",
    },
    "alpr": {
        "type": "fixed",
        "mounts": ("pole", "gantry"),
        "height": (5.0, 6.0),
        "hfov": (30, 30),
        "tilt": (10, 18),
        "range": (25, 25),
        "models": "alpr",
        "zone": "traffic",
    },
}
# Kinds whose range may be left out so that it is derived from height and tilt.
DERIVABLE = ("fixed", "park", "dome", "ptz", "thermal")
CARDINALS = ("nord", "nord-est", "est", "sud-est", "sud", "sud-ovest", "ovest", "nord-ovest")


def offset(centre: tuple[float, float], azimuth: float, distance: float) -> tuple[float, float]:
    """The point ``distance`` metres from ``centre`` along ``azimuth``, rounded to 6 decimals."""
    if distance == 0:
        return round(centre[0], 6), round(centre[1], 6)
    lon, lat, _ = GEOD.fwd(centre[0], centre[1], azimuth, distance)
    return round(lon, 6), round(lat, 6)


def bearing(frm: tuple[float, float], to: tuple[float, float]) -> float:
    """Initial geodesic bearing from ``frm`` to ``to``, in [0, 360)."""
    azimuth, _, _ = GEOD.inv(frm[0], frm[1], to[0], to[1])
    return round(azimuth % 360.0, 1) % 360.0


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


def build() -> list[tuple[dict, dict]]:
    """Every demo camera as ``(feature-like record, place info)``, in a fixed order."""
    out: list[tuple[dict, dict]] = []
    for place in PLACES:
        prefix = f"{TOWNS[place['town']]['code']}-{place['key']}"
        out.extend(_site_cameras(place, owner=place["town"], prefix=prefix))
    for gate in GATES:
        out.append(_gate_camera(*gate))
    for site in PRIVATE_SITES:
        out.extend(_site_cameras(site, owner=site["owner"], prefix=site["key"]))
    return out


def _site_cameras(site: dict, owner: str, prefix: str) -> Iterator[tuple[dict, dict]]:
    number = 0
    for kind, azimuth, dist, opts in site["cams"]:
        position = offset(site["centre"], azimuth, dist)
        label = opts.get("label") or f"lato {CARDINALS[round(azimuth / 45) % 8]}"
        if kind == "multi":
            site_ref = f"{prefix}-P{number + 1}"
            to_centre = bearing(position, site["centre"])
            for index, turn in enumerate(MULTI_HEADS, start=1):
                number += 1
                heading = (to_centre + turn) % 360.0
                aim = offset(position, heading, 30.0)
                ctx = _context(site, owner, f"{prefix}-{number:02d}", kind, opts, f"{label}, ottica {index}")
                yield _camera(ctx, position, aim, site_ref=site_ref, seed=site_ref)
        else:
            number += 1
            ctx = _context(site, owner, f"{prefix}-{number:02d}", kind, opts, label)
            yield _camera(ctx, position, site["centre"])


def _context(site: dict, owner: str, ref: str, kind: str, opts: dict, label: str) -> dict:
    town = TOWNS[site["town"]]
    civic = opts.get("civic") or site.get("civic")
    street = f"{site['street']} {civic}" if civic else site["street"]
    zone = opts.get("zone", KINDS[kind].get("zone", site["zone"]))
    return {
        "town": site["town"],
        "owner": owner,
        "ref": ref,
        "kind": kind,
        "opts": opts,
        "name": f"{site['name']} – {label}",
        "address": f"{street}, {town['name']}",
        "place": site["name"],
        "centre": site["centre"],
        "zone": zone,
        "private": ORGANISATIONS_BY_SLUG[owner]["kind"] == "private",
    }


def _gate_camera(
    town: str, key: str, name: str, street: str, position: tuple, purpose: str
) -> tuple[dict, dict]:
    ctx = {
        "town": town,
        "owner": town,
        "ref": f"{TOWNS[town]['code']}-ALPR-{key}",
        "kind": "alpr",
        "opts": {"purpose": purpose, "vis": "shared"},
        "name": f"Varco lettura targhe – {street} ({name})",
        "address": f"{street}, {TOWNS[town]['name']}",
        "place": f"Varco {street}",
        "centre": position,
        "zone": "traffic",
        "private": False,
    }
    return _camera(ctx, offset(position, 0, 0), TOWNS[town]["centre"])


def _camera(
    ctx: dict,
    position: tuple[float, float],
    aim: tuple[float, float],
    site_ref: str | None = None,
    seed: str | None = None,
) -> tuple[dict, dict]:
    rng = random.Random(f"{SEED}:{ctx['owner']}:{seed or ctx['ref']}")
    kind = KINDS[ctx["kind"]]
    props: dict = {"name": ctx["name"], "ref": ctx["ref"], "owner": ctx["owner"]}
    props.update(_optics(ctx, kind, rng, bearing(position, aim)))
    props.update(_operation(ctx, rng))
    props.update(_law_and_people(ctx, props, rng))
    if site_ref:
        props["site_ref"] = site_ref
    place = {"place": ctx["place"], "centre": ctx["centre"], "aim": aim, "town": ctx["town"]}
    return {"lon": position[0], "lat": position[1], "properties": props}, place


def _optics(ctx: dict, kind: dict, rng: random.Random, heading: float) -> dict:
    make, model, resolution = rng.choice(MODELS[kind["models"]])
    height = round(rng.uniform(*kind["height"]), 1)
    tilt = rng.randint(*kind["tilt"])
    optics = {
        "address": ctx["address"],
        "municipality": TOWNS[ctx["town"]]["istat"],
        "mount": ctx["opts"].get("mount") or rng.choice(_mounts(ctx, kind)),
        "height_m": height,
        "surveillance_type": "alpr" if ctx["kind"] == "alpr" else "camera",
        "camera_type": kind["type"],
        "area_class": _area_class(ctx),
        "zone": ctx["zone"],
        "make": make,
        "model": model,
        "hfov_deg": 360 if kind["hfov"] is None else rng.randint(*kind["hfov"]),
        "tilt_deg": tilt,
        "resolution": resolution,
        "indoor": bool(kind.get("indoor", False)),
    }
    if kind["hfov"] is not None:
        optics["bearing_deg"] = heading
    if ctx["kind"] not in DERIVABLE or rng.random() >= 0.2:
        optics["range_m"] = rng.randint(*kind["range"])
    optics["night_vision"] = not optics["indoor"] and (ctx["kind"] != "fixed" or rng.random() < 0.85)
    return optics


def _mounts(ctx: dict, kind: dict) -> tuple[str, ...]:
    """Private owners fix cameras to their own walls, never to street lamps or public poles."""
    if ctx["private"] and not kind.get("indoor"):
        return ("wall", "building")
    return kind["mounts"]


def _area_class(ctx: dict) -> str:
    if KINDS[ctx["kind"]].get("indoor"):
        return "indoor"
    if ctx["private"] or ctx["kind"] == "entrance":
        return "outdoor"
    return "public"


def _status(ctx: dict, rng: random.Random) -> str:
    if "status" in ctx["opts"]:
        return ctx["opts"]["status"]
    draw = rng.random()
    if draw < 0.86:
        return "active"
    return "faulty" if draw < 0.93 else "inactive"


def _date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _operation(ctx: dict, rng: random.Random) -> dict:
    status = _status(ctx, rng)
    planned = status == "planned"
    private = ctx["private"]
    closed = ("entrance", "indoor")
    ops: dict = {
        "status": status,
        "visibility": ctx["opts"].get("vis", "private" if ctx["kind"] in closed else "shared"),
        "records": status not in ("planned", "decommissioned")
        and (ctx["kind"] != "ptz" or rng.random() < 0.8),
        "live_link": not planned
        and status != "decommissioned"
        and (not private or bool(ctx["opts"].get("operated_by_town"))),
        "source": "owner_registration" if private else "census",
    }
    if not planned:
        installed = _date_between(rng, dt.date(2015, 3, 1), dt.date(2025, 6, 30))
        ops["installed_on"] = installed.isoformat()
        ops["last_verified_on"] = _date_between(rng, installed, TODAY).isoformat()
    ops["verification"] = ctx["opts"].get("verification") or _verification(private, planned, rng)
    if ops["live_link"]:
        ops["operator"] = ctx["town"]
    return ops


def _verification(private: bool, planned: bool, rng: random.Random) -> str:
    if planned:
        return "unverified"
    draw = rng.random()
    if private:
        return "owner_confirmed" if draw < 0.7 else "unverified"
    return "surveyed" if draw < 0.6 else "owner_confirmed" if draw < 0.85 else "unverified"


def _law_and_people(ctx: dict, props: dict, rng: random.Random) -> dict:
    org = ORGANISATIONS_BY_SLUG[ctx["owner"]]
    town = TOWNS[ctx["town"]]
    private = ctx["private"]
    signage = _signage(private, props["status"], rng)
    law = {
        "purpose": ctx["opts"].get("purpose") or _purpose(ctx),
        "legal_basis": _legal_basis(ctx, town),
        "retention_hours": rng.choice((24, 48, 72)) if private else 168,
        "signage": signage,
        "data_controller": org["name"].split(" – ")[0],
        "footage_contact_name": org["contact_name"],
        "footage_contact_phone": org["contact_phone"],
        "footage_contact_email": org["contact_email"],
        "footage_contact_pec": org["contact_pec"],
        "footage_contact_hours": _hours(ctx, rng),
    }
    if signage != "unknown":
        start = dt.date.fromisoformat(props.get("installed_on", "2025-01-01"))
        law["signage_checked_on"] = _date_between(rng, start, TODAY).isoformat()
    return law


def _purpose(ctx: dict) -> str:
    if ctx["private"] or ctx["kind"] == "entrance":
        return "property_protection"
    return "urban_security"


def _legal_basis(ctx: dict, town: dict) -> str:
    if ctx["owner"] == "condominio-trofarello":
        return "Delibera dell'assemblea condominiale (art. 1122-ter c.c.)"
    if ctx["private"]:
        return "Legittimo interesse del titolare (art. 6, par. 1, lett. f, Reg. UE 2016/679)"
    basis = f"Regolamento comunale per la videosorveglianza, {town['act']}"
    if ctx["kind"] == "alpr":
        return f"{basis}; art. 6, c. 7, D.L. 11/2009"
    return basis


def _signage(private: bool, status: str, rng: random.Random) -> str:
    if status == "planned":
        return "unknown"
    draw = rng.random()
    if private:
        return "present" if draw < 0.8 else "absent" if draw < 0.9 else "unknown"
    return "present" if draw < 0.92 else "unknown"


def _hours(ctx: dict, rng: random.Random) -> str:
    if ctx["private"]:
        return rng.choice(("lun-ven 9-12", "lun-sab 9-19", "lun-ven 8:30-17"))
    if ctx["town"] == "cremona":
        return "tutti i giorni 7:30-19:30"
    return rng.choice(("lun-ven 8-18", "lun-sab 8-14", "lun-ven 8-18, sab 8-12"))
