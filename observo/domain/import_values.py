"""Cells of tabular sources (CSV text, GeoJSON values, GIS attributes) -> camera API values.

People write values as their spreadsheet or their language does: `80,5` for 80.5, `sì` for true,
`04/03/2021` for 2021-03-04, `fissa` for a fixed camera, `guasta` for faulty. `convert` accepts what
a person reading the cell would accept and says what it interpreted (`Value.note`, a `value_mapped`
warning when the value was not written as Observo writes it); it raises ValueError, with the
value and what is expected, for what a person could not read either.

Values outside Observo's vocabulary: mapped to `other` where the vocabulary has it (mount, zone,
purpose), else left out with the raw value kept (`Value.keep_raw`) where a default is harmless
(source, verification, signage, surveillance type, area class, a camera type the row's direction
decides), else refused (status and visibility: guessing them would misstate a camera's state or
who may see it).
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from observo.domain import vocabulary as v
from observo.domain.camera_rules import DATE_ATTRIBUTES

METRES = ("height_m", "range_m")
DEGREES = ("hfov_deg", "tilt_deg", "lon", "lat")
FLOATS = (*METRES, *DEGREES, "x", "y")
INTEGERS = ("retention_hours", "osm_id")
BOOLEANS = ("indoor", "records", "live_link", "night_vision", "temporary", "direction_unknown")
_UNITS = {
    "m": re.compile(r"\s*(?:m|mt|mt\.|metri|metres|meters)$", re.IGNORECASE),
    "deg": re.compile(r"\s*(?:°|º|deg|degrees|gradi)$", re.IGNORECASE),
}
_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?", re.ASCII)
# Thousands grouped by `.` (Italian) or `,` (English): two groups or more, or one and a decimal part.
_THOUSANDS_DOTS = re.compile(
    r"[+-]?[0-9]{1,3}(?:\.[0-9]{3}){2,}(?:,[0-9]+)?|[+-]?[0-9]{1,3}\.[0-9]{3},[0-9]+"
)
_THOUSANDS_COMMAS = re.compile(
    r"[+-]?[0-9]{1,3}(?:,[0-9]{3}){2,}(?:\.[0-9]+)?|[+-]?[0-9]{1,3},[0-9]{3}\.[0-9]+"
)
_ISO_DAY = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[T ][0-9:.]+(?:Z|[+-][0-9:]+)?)?", re.ASCII)
_LOCAL_DAY = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})(?: [0-9:.]+)?", re.ASCII)
_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}", re.ASCII)
_OSM_NODE = re.compile(r"(?:node/|n)?([0-9]{1,40})", re.ASCII | re.IGNORECASE)
_TRUE = frozenset({"true", "t", "vero", "v", "si", "yes", "y", "1", "ja", "kylla"})
_FALSE = frozenset({"false", "f", "falso", "no", "n", "0", "nein", "ei"})


@lru_cache(maxsize=4096)  # headers and vocabulary values repeat on every row
def fold(text: str) -> str:
    """Lower case, accents and everything but letters and digits removed: how names are compared."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if char.isalnum() and char.isascii()).lower()


def _words(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """{Observo value: spellings} -> {folded spelling: Observo value}; each value spells itself."""
    found = {fold(value): value for value in table}
    for value, spellings in table.items():
        found.update({fold(spelling): value for spelling in spellings})
    return found


# property -> (folded spelling -> Observo value, what an unknown value becomes: "other", "keep" or
# "refuse"). Only spellings that cannot mean another value.
CHOICES: dict[str, tuple[dict[str, str], str]] = {
    "camera_type": (
        _words(
            {
                "fixed": ("fissa", "fisso", "fissa bullet", "bullet", "box", "fixed camera"),
                "dome": ("minidome", "mini dome", "cupola", "dome fissa"),
                "panning": ("brandeggiabile", "brandeggio", "ptz", "speed dome", "speeddome", "motorizzata"),
                "panorama": ("panoramica", "panoramico", "360", "fisheye", "fish-eye", "multisensore"),
                "thermal": ("termica", "termico", "termocamera", "thermal camera"),
            }
        ),
        "keep",
    ),
    "status": (
        _words(
            {
                "active": ("attiva", "attivo", "in funzione", "funzionante", "operativa", "operativo"),
                "faulty": ("guasta", "guasto", "non funzionante", "broken", "fuori servizio"),
                "inactive": ("inattiva", "inattivo", "spenta", "spento", "disattivata", "non attiva"),
                "decommissioned": ("dismessa", "dismesso", "rimossa", "rimosso", "removed"),
                "planned": (
                    "prevista",
                    "previsto",
                    "progettata",
                    "in progetto",
                    "pianificata",
                    "da installare",
                ),
            }
        ),
        "refuse",
    ),
    "visibility": (
        _words(
            {
                "public": ("pubblica", "pubblico"),
                "shared": ("condivisa", "condiviso"),
                "private": ("privata", "privato", "riservata", "riservato"),
            }
        ),
        "refuse",
    ),
    "surveillance_type": (
        _words(
            {
                "camera": ("telecamera", "videocamera", "videosorveglianza", "cctv"),
                "alpr": ("anpr", "lpr", "lettura targhe", "lettore targhe", "lettura targa", "ocr targhe"),
            }
        ),
        "keep",
    ),
    "mount": (
        _words(
            {
                "wall": ("parete", "muro", "facciata", "a parete", "a muro"),
                "pole": ("palo", "su palo", "a palo"),
                "ceiling": ("soffitto", "a soffitto"),
                "street_lamp": ("lampione", "palo illuminazione", "palo della luce"),
                "building": ("edificio",),
                "traffic_signal": ("semaforo", "traffic signals", "impianto semaforico"),
                "gantry": ("portale",),
            }
        ),
        "other",
    ),
    "zone": (
        _words(
            {
                "traffic": ("traffico", "strada"),
                "parking": ("parcheggio",),
                "shop": ("negozio",),
                "bank": ("banca",),
                "building": ("edificio",),
                "entrance": ("ingresso",),
                "park": ("parco", "giardino", "giardini"),
                "public_transport": ("trasporto pubblico", "fermata", "stazione"),
                "school": ("scuola",),
                "town": ("centro", "citta"),
            }
        ),
        "other",
    ),
    "purpose": (
        _words(
            {
                "urban_security": ("sicurezza urbana", "sicurezza"),
                "traffic": ("traffico", "viabilita", "controllo traffico"),
                "ztl_access": ("ztl", "varco ztl", "accesso ztl", "controllo accessi ztl"),
                "environmental": ("ambientale", "ambiente", "tutela ambientale", "abbandono rifiuti"),
                "property_protection": ("tutela patrimonio", "patrimonio", "protezione patrimonio"),
            }
        ),
        "other",
    ),
    "area_class": (
        _words(
            {
                "public": ("pubblica", "pubblico"),
                "outdoor": ("esterno", "esterna"),
                "indoor": ("interno", "interna"),
            }
        ),
        "keep",
    ),
    "signage": (
        _words({"present": ("presente", "si", "yes"), "absent": ("assente", "no"), "unknown": ("non noto",)}),
        "keep",
    ),
    "verification": (_words({value: () for value in v.VERIFICATIONS}), "keep"),
    "source": (_words({value: () for value in v.SOURCES}), "keep"),
    "fov_method": (_words({"computed": (), "drawn": ()}), "keep"),
}


# Every value of each vocabulary reads as itself (`other` too), whatever the spellings above say.
VOCABULARIES = {
    "camera_type": v.CAMERA_TYPES,
    "status": v.STATUSES,
    "visibility": v.VISIBILITIES,
    "surveillance_type": v.SURVEILLANCE_TYPES,
    "mount": v.MOUNTS,
    "zone": v.ZONES,
    "purpose": v.PURPOSES,
    "area_class": v.AREA_CLASSES,
    "signage": v.SIGNAGE,
    "verification": v.VERIFICATIONS,
    "source": v.SOURCES,
    "fov_method": ("computed", "drawn"),
}
for _prop, _values in VOCABULARIES.items():
    CHOICES[_prop][0].update({fold(value): value for value in _values})

# Choices read from one word of a longer text too (`Telecamera fissa`): their words mean one thing.
WORD_MATCHED = ("camera_type", "mount")
_NEGATIONS = frozenset({"non", "not", "no", "senza", "without"})


@dataclass(frozen=True)
class Value:
    """A cell read for a property: the value, what was interpreted, where it goes."""

    value: Any
    note: str | None = None  # said as a `value_mapped` warning
    keep_raw: bool = False  # the cell is also kept verbatim in source_tags (the mapping lost something)
    target: str | None = None  # the property it goes to when not the column's (None: the column's; "" none)


def convert(prop: str, raw: Any) -> Value:
    """`raw` (text, number, bool...) as the value of `prop`. ValueError for what cannot be read."""
    if prop in CHOICES:
        return _choice(prop, raw)
    if prop in FLOATS:
        return Value(number(raw, "m" if prop in METRES else "deg" if prop in DEGREES else None))
    if prop in INTEGERS:
        return Value(osm_id(raw) if prop == "osm_id" else integer(raw))
    if prop in BOOLEANS:
        return Value(boolean(raw))
    if prop in DATE_ATTRIBUTES:
        return day(raw)
    if prop == "municipality":
        return _istat(raw)
    if prop == "operator":
        return _operator(raw)
    return Value(text(raw))


def number(raw: Any, unit: str | None = None) -> float:
    """A finite number: `80,5`, `1.396.123,45`, `4,2 m`, `90°`..."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if not math.isfinite(raw):
            raise ValueError(f"{raw!r} is not a number")
        return float(raw)
    written = text(raw).strip()
    if _NUMBER.fullmatch(written):  # most cells: a plain number
        return _finite(float(written), written)
    digits = written
    if unit is not None:
        digits = _UNITS[unit].sub("", digits)
    digits = _decimal_point(digits.replace(" ", "").replace("\u00a0", "").replace("'", ""))
    if not _NUMBER.fullmatch(digits):
        raise ValueError(f"{written[:40]!r} is not a number")
    return _finite(float(digits), written)


def _finite(value: float, written: str) -> float:
    if not math.isfinite(value):
        raise ValueError(f"{written[:40]!r} is not a number")
    return value


def _decimal_point(digits: str) -> str:
    """The decimal separator a point, thousands separators out: `1.396.123,45`, `1,396,123.45`; a
    lone comma is decimal (`7,683` is 7.683, as Italian files write coordinates)."""
    if _THOUSANDS_DOTS.fullmatch(digits):
        return digits.replace(".", "").replace(",", ".")
    if _THOUSANDS_COMMAS.fullmatch(digits):
        return digits.replace(",", "")
    if digits.count(",") == 1 and "." not in digits:
        return digits.replace(",", ".")
    return digits


def integer(raw: Any) -> int:
    value = number(raw)
    if not value.is_integer():
        raise ValueError(f"{raw!r} is not a whole number")
    return int(value)


def osm_id(raw: Any) -> int:
    """An OSM node id: `123`, `node/123`, `n123`."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return integer(raw)
    found = _OSM_NODE.fullmatch(text(raw).strip())
    if found is None:
        raise ValueError(f"{text(raw)[:40]!r} is not an OpenStreetMap node id (123 or node/123)")
    return int(found.group(1))


def boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    folded = fold(text(raw))
    if folded in _TRUE or folded in _FALSE:
        return folded in _TRUE
    raise ValueError(f"{text(raw)[:40]!r} is not yes/no (true/false, sì/no)")


def day(raw: Any) -> Value:
    """An ISO date; `04/03/2021` (day first, as Italy and Finland write it) with a note."""
    written = text(raw).strip()
    iso = _ISO_DAY.fullmatch(written)
    if iso is not None:
        return Value(_date(written, int(iso[1]), int(iso[2]), int(iso[3])).isoformat())
    local = _LOCAL_DAY.fullmatch(written)
    if local is None:
        raise ValueError(f"{written[:40]!r} is not a date (YYYY-MM-DD or DD/MM/YYYY)")
    first, second, year = int(local[1]), int(local[2]), int(local[3])
    if first <= 12 < second:  # only month/day/year reads: an American spreadsheet
        found = _date(written, year, first, second)
        return Value(found.isoformat(), f"read {written!r} as month/day/year: {found.isoformat()}")
    found = _date(written, year, second, first)
    return Value(found.isoformat(), f"read {written!r} as day/month/year: {found.isoformat()}")


def _date(written: str, year: int, month: int, day_: int) -> date:
    try:
        return date(year, month, day_)
    except ValueError:
        raise ValueError(f"{written!r} is not a date of the calendar") from None


def text(raw: Any) -> str:
    """A cell as text: 12.0 from a GIS file's real field is `12`, booleans `true`/`false`."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, int | float):
        return repr(raw)
    if isinstance(raw, dict | list):
        return json.dumps(raw, ensure_ascii=False, separators=(",", ":"))
    return str(raw)


def _choice(prop: str, raw: Any) -> Value:
    return _choice_of(prop, text(raw).strip())


@lru_cache(maxsize=4096)  # a file repeats its few values on every row
def _choice_of(prop: str, written: str) -> Value:
    spellings, unknown = CHOICES[prop]
    found = spellings.get(fold(written))
    if found is None and prop in WORD_MATCHED:
        found = _one_word(spellings, written)
    if found is not None:
        exact = fold(written) == fold(found)
        return Value(found, None if exact else f"{prop}: read {written[:40]!r} as {found!r}")
    accepted = ", ".join(sorted(set(spellings.values())))
    if unknown == "other":
        note = f"{prop}: {written[:40]!r} is not one of {accepted}: recorded as 'other', the value kept"
        return Value("other", note, keep_raw=True)
    if unknown == "keep":
        note = f"{prop}: {written[:40]!r} is not one of {accepted}: left out, the value kept"
        return Value(None, note, keep_raw=True, target="")
    raise ValueError(f"{written[:40]!r} is not a {prop.replace('_', ' ')}: expected one of {accepted}")


def _one_word(spellings: dict[str, str], written: str) -> str | None:
    """The value one word of a longer text names (`Telecamera fissa`, `su palo`), when only one is
    named and nothing negates it."""
    words = [fold(word) for word in re.split(r"[\W_]+", written) if word]
    if any(word in _NEGATIONS for word in words):
        return None
    named = {spellings[word] for word in words if len(word) >= 3 and word in spellings}
    return named.pop() if len(named) == 1 else None


def _istat(raw: Any) -> Value:
    """An ISTAT code has six digits; a spreadsheet drops the leading zeros (Torino 001272 -> 1272)."""
    written = text(raw).strip()
    if written.isascii() and written.isdigit() and len(written) <= 6:
        code = written.zfill(6)
        return Value(
            code, None if code == written else f"municipality: read {written!r} as ISTAT code {code}"
        )
    note = f"municipality: {written[:40]!r} is not an ISTAT code (six digits): left out, the value kept"
    return Value(None, note, keep_raw=True, target="")


def is_slug(raw: Any) -> bool:
    """An organisation slug (`polizia-locale`), not a name (`Polizia Locale`)."""
    return _SLUG.fullmatch(text(raw).strip()) is not None


def _operator(raw: Any) -> Value:
    """An organisation slug is linked; a name (`Polizia Locale`) is kept as the operator's name."""
    written = text(raw).strip()
    if _SLUG.fullmatch(written):
        return Value(written)
    return Value(written, target="operator_name")
