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
    "error": ("Errore", "Error"),
    "back": ("Torna alla pagina iniziale", "Back to the home page"),
}


def language() -> str:
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES, default="it") or "it"


def translator() -> dict[str, str]:
    index = LANGUAGES.index(language())
    return {key: texts[index] for key, texts in STRINGS.items()}
