"""'Of' before an organisation's name, as Italian says it: "le telecamere del Comune di Nichelino",
not "di Comune di Nichelino".

Italian joins "di" with the article the name's first word takes (del, della, dell', dello); the
names Observo holds start with a handful of such words (Comune, Città, Questura, Unione...). A name
starting otherwise (a company, a condominium's own name) takes plain "di". Other languages say "of".
"""

from __future__ import annotations

from flask_babel import get_locale

# First word of a name (lower case) -> Italian "di" with its article.
ITALIAN_OF = {
    "comune": "del",
    "municipio": "del",
    "comando": "del",
    "consorzio": "del",
    "condominio": "del",
    "centro": "del",
    "gruppo": "del",
    "ministero": "del",
    "parco": "del",
    "distretto": "del",
    "quartiere": "del",
    "supermercato": "del",
    "città": "della",
    "provincia": "della",
    "regione": "della",
    "questura": "della",
    "prefettura": "della",
    "polizia": "della",
    "stazione": "della",
    "compagnia": "della",
    "comunità": "della",
    "società": "della",
    "scuola": "della",
    "fondazione": "della",
    "parrocchia": "della",
    "banca": "della",
    "unione": "dell'",
    "azienda": "dell'",
    "agenzia": "dell'",
    "associazione": "dell'",
    "istituto": "dell'",
    "ufficio": "dell'",
    "università": "dell'",
    "ospedale": "dell'",
    "arma": "dell'",
    "ente": "dell'",
    "studio": "dello",
}


def italian_of(name: str) -> str:
    """`name` after "di", joined with its article; the name keeps its capital, as Italian
    administrative style writes it ("del Comune di Nichelino")."""
    first = name.split(maxsplit=1)[0] if name.strip() else ""
    joined = ITALIAN_OF.get(first.lower())
    if joined is None:
        return f"di {name}"
    separator = "" if joined.endswith("'") else " "  # dell'Unione, del Comune
    return f"{joined}{separator}{name.strip()}"


def of_organisation(name: str) -> str:
    """`name` after "of", in the request's language: "del Comune di Nichelino" or "of Comune di
    Nichelino"."""
    if str(get_locale() or "it").startswith("it"):
        return italian_of(name)
    return f"of {name}"
