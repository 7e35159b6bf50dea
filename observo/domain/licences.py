"""The licences of imported data and the credit each asks for: one wording for the exports, the
camera card and the map (docs/importing.md, "Licences")."""

from __future__ import annotations

OSM_LICENCE = "ODbL-1.0"
OSM_SOURCE = "osm_import"
# The wording OpenStreetMap asks for (a name: the same in every language) and the page explaining it.
OSM_ATTRIBUTION = "© OpenStreetMap contributors, ODbL 1.0"
OSM_COPYRIGHT_URL = "https://www.openstreetmap.org/copyright"
LICENCE_URLS = {
    "ODbL-1.0": "https://opendatacommons.org/licenses/odbl/1-0/",
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "IODL-2.0": "https://www.dati.gov.it/iodl/2.0/",
    "ODC-By-1.0": "https://opendatacommons.org/licenses/by/1-0/",
}
# Public-domain dedications: their rows need no credit.
NO_ATTRIBUTION = ("CC0-1.0", "PDDL-1.0")


def data_licence(licence: str | None, source: str | None) -> str | None:
    """A camera's licence: its own, or ODbL for a node imported from OpenStreetMap before cameras
    kept their licence (the migration fills those in; a restored old backup may still lack it)."""
    return licence or (OSM_LICENCE if source == OSM_SOURCE else None)
