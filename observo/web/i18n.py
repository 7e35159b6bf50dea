"""Italian first, English too: the few strings of the pages, chosen per request."""

from __future__ import annotations

from flask import request

LANGUAGES = ("it", "en")
STRINGS: dict[str, tuple[str, str]] = {
    "title": ("Observo — registro delle telecamere", "Observo — camera registry"),
    "login": ("Accedi", "Sign in"),
    "logout": ("Esci", "Sign out"),
    "email": ("E-mail", "E-mail"),
    "password": ("Password", "Password"),
    "bad_credentials": ("E-mail o password non corrette.", "Wrong e-mail or password."),
    "signed_in_as": ("Collegato come", "Signed in as"),
    "api_docs": ("Documentazione API", "API documentation"),
    "cameras_api": ("Telecamere (GeoJSON)", "Cameras (GeoJSON)"),
    "map_soon": (
        "La mappa operativa arriva con la prossima versione; intanto usa l'API.",
        "The operational map comes with the next version; meanwhile use the API.",
    ),
    "camera": ("Scheda telecamera", "Camera card"),
    "contacts_note": (
        "I contatti del titolare si consultano una telecamera alla volta: ogni consultazione è registrata.",
        "The owner's contacts are read one camera at a time: every read is logged.",
    ),
    "error": ("Errore", "Error"),
    "back": ("Torna alla pagina iniziale", "Back to the home page"),
}


# The camera card: (property, Italian label, English label), in reading order.
CAMERA_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("code", "Codice", "Code"),
    ("name", "Nome", "Name"),
    ("owner", "Titolare", "Owner"),
    ("address", "Indirizzo", "Address"),
    ("camera_type", "Tipo", "Type"),
    ("surveillance_type", "Sorveglianza", "Surveillance"),
    ("status", "Stato", "Status"),
    ("visibility", "Condivisione", "Sharing"),
    ("bearing_deg", "Direzione (°)", "Bearing (°)"),
    ("hfov_deg", "Angolo (°)", "Angle (°)"),
    ("range_m", "Portata (m)", "Range (m)"),
    ("records", "Registra", "Records"),
    ("retention_hours", "Conservazione (ore)", "Retention (hours)"),
    ("last_verified_on", "Ultima verifica", "Last verified"),
)


def camera_rows(properties: dict[str, object]) -> list[tuple[str, object]]:
    """(label in the reader's language, value) for the card; absent values are skipped."""
    index = LANGUAGES.index(language())
    return [
        (labels[index], properties[name])
        for name, *labels in CAMERA_FIELDS
        if properties.get(name) not in (None, "")
    ]


def language() -> str:
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES, default="it") or "it"


def translator() -> dict[str, str]:
    index = LANGUAGES.index(language())
    return {key: texts[index] for key, texts in STRINGS.items()}
