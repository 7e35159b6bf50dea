"""Organisations, the pact and the users of the demo territory. Pure data.

Contacts are fictional: e-mail and PEC domains end in ``.example.it`` / ``.example``, phone
numbers use the never-assigned ``000`` exchange.
"""

from __future__ import annotations

from observo.demo.territory_places import TOWNS

PIEMONTE_PACT_TOWNS = ("moncalieri", "nichelino", "la-loggia", "vinovo", "santena", "trofarello")

# Grid cell of the public map, per municipality: default 100 m, 0 = exact position (docs/architecture.md,
# "Public data is generalised, deterministically").
_PUBLIC_PRECISION = {"cremona": 50, "santena": 0}


def _domain(slug: str) -> str:
    return slug.replace("-", "")


def _municipality(slug: str) -> dict:
    town = TOWNS[slug]
    domain = _domain(slug)
    return {
        "slug": slug,
        "name": f"Comune di {town['name']}",
        "kind": "municipality",
        "istat_code": town["istat"],
        "contact_name": f"Comando Polizia Locale di {town['name']}",
        "contact_phone": f"{town['phone']}100",
        "contact_email": f"polizia.locale@comune.{domain}.example.it",
        "contact_pec": f"protocollo@pec.comune.{domain}.example.it",
        "sponsor": None,
        "public_precision_m": _PUBLIC_PRECISION.get(slug, 100),
    }


def _org(
    slug: str, name: str, kind: str, contact: tuple[str, str, str, str], sponsor: str | None = None
) -> dict:
    contact_name, phone, email, pec = contact
    return {
        "slug": slug,
        "name": name,
        "kind": kind,
        "istat_code": None,
        "contact_name": contact_name,
        "contact_phone": phone,
        "contact_email": email,
        "contact_pec": pec,
        "sponsor": sponsor,
        "public_precision_m": 100,
    }


ORGANISATIONS: list[dict] = [
    *(_municipality(slug) for slug in TOWNS),
    _org(
        "carabinieri-nichelino",
        "Stazione Carabinieri di Nichelino",
        "carabinieri",
        (
            "Comandante di Stazione",
            "011 000 9112",
            "stazione.nichelino@carabinieri.example.it",
            "stazione.nichelino@pec.carabinieri.example.it",
        ),
    ),
    _org(
        "polizia-stato-torino",
        "Polizia di Stato – Questura di Torino",
        "state_police",
        (
            "Ufficio Prevenzione Generale",
            "011 000 9113",
            "upgsp.torino@poliziadistato.example.it",
            "gab.quest.to@pec.poliziadistato.example.it",
        ),
    ),
    _org(
        "regione-admin",
        "Regione Piemonte – amministrazione Observo",
        "public_body",
        (
            "Settore Polizia locale e sicurezza integrata",
            "011 000 9000",
            "observo@regione.piemonte.example.it",
            "sicurezza.integrata@pec.regione.piemonte.example.it",
        ),
    ),
    _org(
        "supermercato-nichelino",
        "Supermercato Il Paniere S.r.l. – punto vendita di Nichelino",
        "private",
        (
            "Responsabile sicurezza punto vendita",
            "011 000 8101",
            "sicurezza.nichelino@ilpaniere.example.it",
            "ilpaniere@pec.example.it",
        ),
        sponsor="nichelino",
    ),
    _org(
        "banca-moncalieri",
        "Banca del Proclama S.p.A. – filiale di Moncalieri",
        "private",
        (
            "Direttore di filiale",
            "011 000 8102",
            "filiale.moncalieri@bancadelproclama.example.it",
            "bancadelproclama@pec.example.it",
        ),
        sponsor="moncalieri",
    ),
    _org(
        "farmacia-santena",
        "Farmacia San Lorenzo di Santena",
        "private",
        (
            "Farmacista titolare",
            "011 000 8103",
            "info@farmaciasanlorenzo.example.it",
            "farmaciasanlorenzo@pec.example.it",
        ),
        sponsor="santena",
    ),
    _org(
        "condominio-trofarello",
        "Condominio Le Amarene – Trofarello",
        "private",
        (
            "Amministratore di condominio",
            "011 000 8104",
            "amministrazione@condominioleamarene.example.it",
            "condominioleamarene@pec.example.it",
        ),
        sponsor="trofarello",
    ),
    _org(
        "negozio-cremona",
        "Bottega del Torrone di Cremona S.n.c.",
        "private",
        (
            "Titolare",
            "0372 000 8105",
            "negozio@bottegadeltorrone.example.it",
            "bottegadeltorrone@pec.example.it",
        ),
        sponsor="cremona",
    ),
]

ORGANISATIONS_BY_SLUG: dict[str, dict] = {org["slug"]: org for org in ORGANISATIONS}

PACTS: list[dict] = [
    {"slug": "tutta-mia-la-citta", "name": "Tutta mia la Città", "members": list(PIEMONTE_PACT_TOWNS)},
]


def _town_users(slug: str) -> list[dict]:
    name = TOWNS[slug]["name"]
    return [
        {
            "email": f"agente@{slug}.example.it",
            "name": f"Agente Polizia Locale {name}",
            "org": slug,
            "role": "editor",
        },
        {
            "email": f"sala.operativa@{slug}.example.it",
            "name": f"Sala operativa Polizia Locale {name}",
            "org": slug,
            "role": "viewer",
        },
    ]


USERS: list[dict] = [
    {
        "email": "admin@observo.example",
        "name": "Amministratore Observo – Regione Piemonte",
        "org": "regione-admin",
        "role": "admin",
    },
    *(user for slug in TOWNS for user in _town_users(slug)),
    {
        "email": "stazione@carabinieri-nichelino.example.it",
        "name": "Maresciallo – Stazione Carabinieri di Nichelino",
        "org": "carabinieri-nichelino",
        "role": "viewer",
    },
    {
        "email": "upg@polizia-stato-torino.example.it",
        "name": "Ufficio Prevenzione Generale – Questura di Torino",
        "org": "polizia-stato-torino",
        "role": "viewer",
    },
    *(
        {
            "email": f"sicurezza@{org['slug']}.example.it",
            "name": f"Referente videosorveglianza – {org['name']}",
            "org": org["slug"],
            "role": "editor",
        }
        for org in ORGANISATIONS
        if org["kind"] == "private"
    ),
]
