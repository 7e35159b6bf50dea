"""Tabular records (CSV rows, GeoJSON or GIS-file properties) -> camera API properties.

Shared by every source whose records are named columns: the header variants people use, the
explicit column map, and each cell's value as the API expects it.
"""

from __future__ import annotations

from typing import Any

HEADERS = {
    "nome": "name",
    "tipo": "camera_type",
    "titolare": "owner",
    "gestore": "operator",
    "direzione": "bearing_deg",
    "angolo": "hfov_deg",
    "inclinazione": "tilt_deg",
    "portata": "range_m",
    "altezza": "height_m",
    "longitudine": "lon",
    "latitudine": "lat",
    "indirizzo": "address",
    "comune": "municipality",
    "stato": "status",
    "visibilità": "visibility",
    "visibilita": "visibility",
    "conservazione_ore": "retention_hours",
    "riferimento": "ref",
    "fonte": "source",
    "marca": "make",
    "modello": "model",
    "installata_il": "installed_on",
    "registra": "records",
    "finalità": "purpose",
    "finalita": "purpose",
}
FLOATS = ("bearing_deg", "hfov_deg", "tilt_deg", "range_m", "height_m", "lon", "lat")
INTEGERS = ("retention_hours", "osm_id")
BOOLEANS = ("indoor", "records", "live_link", "night_vision", "temporary")
_TRUE = ("true", "1", "yes", "si", "sì", "vero")
_FALSE = ("false", "0", "no", "falso")


def property_name(column: str) -> str:
    return HEADERS.get(column.strip().lower(), column.strip().lower())


def cell(name: str, text: str) -> Any:
    """A cell as the JSON value the API expects (a decimal comma is a decimal point)."""
    if name in FLOATS:
        try:
            return float(text.replace(",", "."))
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
    if name in INTEGERS:
        if not text.lstrip("-").isdigit():
            raise ValueError(f"{text!r} is not a whole number")
        return int(text)
    if name in BOOLEANS:
        if text.lower() in _TRUE + _FALSE:
            return text.lower() in _TRUE
        raise ValueError(f"{text!r} is not yes/no (true/false, sì/no)")
    return text
