"""The demo's owners registered on Observo (issue 19; pure data, no database): a pharmacy, a pastry
shop and a condominium of Moncalieri that signed up on its page, each at another stage of the loop.

- Farmacia San Pietro: its camera is declared and waits in Moncalieri's queue (/verifiche).
- Pasticceria del Castello: two cameras approved from its declarations; Moncalieri's police asked it to
  preserve the footage of a night's break-in and it answered "preserved".
- Condominio Portici di Piazza Vittorio: one camera approved 350 days ago, so its yearly re-confirmation
  is due (the map, the lists and the statistics flag it; `observo reminders send` reminds the owner);
  the same intervention's request to it is still open.

Every account's e-mail is confirmed and its password is the demo users' one (README). Positions are
estimates near the demo's camera places (`territory_places`), inside the intervention's targets.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

ROME = ZoneInfo("Europe/Rome")
MUNICIPALITY = "moncalieri"

# The demo login the README and `make run` print for owners.
DEMO_OWNER_EMAIL = "negozio@pasticceriadelcastello.example.it"


def _camera(lon: float, lat: float, name: str, bearing: int, **extra: object) -> dict:
    """A declaration as the owner's form sends it (schemas/owner_declaration.py's input)."""
    declared = {
        "longitude": lon,
        "latitude": lat,
        "name": name,
        "camera_type": "fixed",
        "bearing_deg": bearing,
        "hfov_deg": 70,
        "range_m": 25,
        "height_m": 3,
        "records": True,
        "retention_hours": 72,
        "contact_consent": True,
        "police_visibility": "private",
        **extra,
    }
    return {key: value for key, value in declared.items() if value is not None}


OWNERS: list[dict] = [
    {
        "organisation_name": "Farmacia San Pietro",
        "tax_code": "05551234007",
        "address": "Piazza Vittorio Emanuele II 8, Moncalieri",
        "contact_name": "Giulia Ferrero",
        "phone": "011 642 1180",
        "pec": "farmaciasanpietro@pec.example.it",
        "email": "titolare@farmaciasanpietro.example.it",
        "approved": [],
        "pending": [
            _camera(
                7.68462,
                45.00088,
                "Ingresso farmacia",
                160,
                footage_contact_name="Giulia Ferrero",
                footage_contact_phone="011 642 1180",
            ),
        ],
    },
    {
        "organisation_name": "Pasticceria del Castello",
        "tax_code": "07778889993",
        "address": "Piazza Baden Baden 3, Moncalieri",
        "contact_name": "Luca Rinaldi",
        "phone": "011 640 2277",
        "pec": "pasticceriadelcastello@pec.example.it",
        "email": DEMO_OWNER_EMAIL,
        "approved": [
            _camera(
                7.68752,
                45.00248,
                "Vetrina su piazza Baden Baden",
                45,
                footage_contact_name="Luca Rinaldi",
                footage_contact_phone="011 640 2277",
                footage_contact_hours="Mar–Dom 7–19",
            ),
            _camera(
                7.68760,
                45.00240,
                "Retro e carico merci",
                200,
                camera_type="dome",
                hfov_deg=None,
                footage_contact_name="Luca Rinaldi",
                footage_contact_phone="011 640 2277",
                footage_contact_hours="Mar–Dom 7–19",
                police_visibility="shared",
            ),
        ],
        "pending": [],
    },
    {
        "organisation_name": "Condominio Portici di Piazza Vittorio",
        "tax_code": "03332221112",
        "address": "Piazza Vittorio Emanuele II 15, Moncalieri",
        "contact_name": "Paolo Bosco (amministratore)",
        "phone": "011 681 4455",
        "pec": "condominioportici@pec.example.it",
        "email": "amministratore@condominioportici.example.it",
        # Approved this long ago: within the 30 days before its yearly re-confirmation is due.
        "confirmed_days_ago": 350,
        "approved": [
            _camera(
                7.68530,
                45.00052,
                "Androne e portici",
                300,
                footage_contact_name="Paolo Bosco",
                footage_contact_email="amministratore@condominioportici.example.it",
                retention_hours=48,
            ),
        ],
        "pending": [],
    },
]

# The break-in whose footage Moncalieri's police asked for: led by its editor, targets around the
# owners' cameras (camera place key of territory_places, half-side in metres).
INTERVENTION = {
    "title": "Furto con scasso in piazza Baden Baden",
    "description": "Spaccata notturna alla vetrina di un negozio; si cercano le immagini delle vie di fuga.",
    "kind": "investigation",
    "lead_user": "agente@moncalieri.example.it",
    "reason": "Denuncia di furto PL Moncalieri – fascicolo demo",
    "protocol_number": "PL-MON-DEMO-0002",
    "status": "active",
    "targets": [("CA", 80), ("VE", 60)],
}

# The requests on that intervention: (owner's name, channel, protocol number, the owner's answer or
# None while open, its note).
REQUESTS = [
    (
        "Pasticceria del Castello",
        "pec",
        "PL-MON-DEMO-0002/1",
        "preserved",
        "Registrazioni 22:00–02:00 copiate su chiavetta, pronte per il ritiro.",
    ),
    ("Condominio Portici di Piazza Vittorio", "email", "PL-MON-DEMO-0002/2", None, None),
]


def last_night(now: datetime) -> tuple[datetime, datetime]:
    """22:00-02:00 Rome time of the latest night that ended at least an hour before `now`: a window
    in the past whose footage (72 hours kept) is still on the recorders."""
    local = now.astimezone(ROME)
    end = local.replace(hour=2, minute=0, second=0, microsecond=0)
    if end > local - timedelta(hours=1):
        end -= timedelta(days=1)  # wall-clock arithmetic: 02:00 whatever the day's offset
    return (end - timedelta(hours=4)).astimezone(UTC), end.astimezone(UTC)
