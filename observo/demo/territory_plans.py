"""The demo's sensitive places and the pact's coordinated intervention (pure data, no database).

Places reuse the demo's camera places (`territory_places.PLACES`, by key): each becomes a square of
the given half-side around that place's centre, so its coverage is measured on cameras that exist.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from observo.demo.territory_places import PLACES

ROME = ZoneInfo("Europe/Rome")

# (camera place key, category, half-side in metres): at least one in every demo town (the README says so,
# and tests/demo/test_demo_towns.py keeps it true).
SENSITIVE_PLACES: list[tuple[str, str, float]] = [
    ("GD", "park", 90),
    ("SE", "station", 80),
    ("CS", "square", 120),
    ("DV", "square", 80),
    ("PM", "square", 70),
    ("PR", "park", 80),
    ("ST", "station", 100),
    ("MU", "square", 60),
    ("SG", "station", 90),
    ("ML", "square", 70),
    ("PV", "square", 70),
]

INTERVENTION = {
    "title": "Passeggiate di prossimità – patto Tutta mia la Città",
    "description": "Pattuglie a piedi congiunte della Polizia Locale dei comuni del patto e ufficio mobile "
    "nei giardini di via Diaz a Trofarello e nel quartiere Castello di Nichelino.",
    "kind": "proximity_patrol",
    "lead_user": "agente@nichelino.example.it",
    "reason": "Ordine di servizio PL Nichelino – passeggiate di prossimità del patto",
    "protocol_number": "PL-NIC-DEMO-0001",
    "pacts": ["tutta-mia-la-citta"],
    "targets": [("GD", 110), ("CS", 140)],
    "status": "planned",
}


def place_by_key(key: str) -> dict:
    return next(place for place in PLACES if place["key"] == key)


def next_saturday_evening(now: datetime) -> tuple[datetime, datetime]:
    """18:00-22:00 Rome time on the first Saturday after `now`: a window that is always ahead."""
    local = now.astimezone(ROME)
    days = (5 - local.weekday()) % 7 or 7
    start = (local + timedelta(days=days)).replace(hour=18, minute=0, second=0, microsecond=0)
    return start.astimezone(UTC), (start + timedelta(hours=4)).astimezone(UTC)
