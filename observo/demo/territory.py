"""The demo territory seeded by ``observo seed-demo``: pure data and deterministic generation.

The six towns of the security pact "Tutta mia la Città" (Moncalieri, Nichelino, La Loggia, Vinovo,
Santena, Trofarello) and Cremona, with cameras around the places their police watch, ALPR gates
on the roads into town and a few private owners federated with their municipality.

No Flask, no database: the seeding service reads ``ORGANISATIONS``, ``PACTS``, ``USERS`` and
``demo_cameras()``. A camera's ``(owner, properties.ref)`` is unique and is the seeding's
idempotency key. Passwords are set by the seeding code, not here.

Where the coordinates come from and which are estimates: see ``territory_places``.
ISTAT codes: Moncalieri 001156, Nichelino 001164, La Loggia 001127, Vinovo 001309,
Santena 001257, Trofarello 001276, Cremona 019036.
"""

from __future__ import annotations

from observo.demo.territory_build import build
from observo.demo.territory_orgs import ORGANISATIONS, PACTS, PIEMONTE_PACT_TOWNS, USERS
from observo.demo.territory_places import TOWNS

__all__ = [
    "ORGANISATIONS",
    "PACTS",
    "PIEMONTE_PACT_TOWNS",
    "USERS",
    "demo_camera_places",
    "demo_cameras",
    "town_centres",
]


def demo_cameras() -> list[dict]:
    """The demo cameras, each ``{"lon": float, "lat": float, "properties": {...}}``; same output each call.

    ``properties`` are named as in the API contract (``owner``/``operator`` are organisation slugs,
    ``municipality`` is the ISTAT code); optional attributes are omitted rather than None.
    """
    return [record for record, _ in build()]


def demo_camera_places() -> dict[tuple[str, str], dict]:
    """For each camera ``(owner, ref)``: the place it watches.

    ``{"place": name, "centre": (lon, lat), "aim": (lon, lat), "town": slug}``: ``centre`` is the
    square, street or entrance the camera belongs to; ``aim`` is the point its bearing is computed
    towards (the centre, the town centre for ALPR gates, a point ahead for multi-head poles).
    """
    return {(record["properties"]["owner"], record["properties"]["ref"]): place for record, place in build()}


def town_centres() -> dict[str, tuple[float, float]]:
    """Reference centre (lon, lat) of each demo municipality, by slug."""
    return {slug: town["centre"] for slug, town in TOWNS.items()}
