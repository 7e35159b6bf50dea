"""What a camera's source says beyond Observo's own fields, as the police pages show it (issue 17).

The operator as the source names it (when no organisation matched), the attribution its data's
licence asks for, the source's tags verbatim, and a direction nobody knows yet. The card renders
these from here; the map's scripts get the same attributions in their page config. Every value is
data from a file someone else wrote: templates print it as escaped text, scripts as text nodes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from observo.domain import licences
from observo.domain.licences import OSM_ATTRIBUTION, OSM_COPYRIGHT_URL, OSM_LICENCE

# Up to this many tags the table is open; a longer one starts folded (an OSM node may carry dozens).
OPEN_TAGS_MAX = 8


@dataclass(frozen=True)
class Attribution:
    text: str
    url: str | None = None


KNOWN_ATTRIBUTIONS = {OSM_LICENCE: Attribution(OSM_ATTRIBUTION, OSM_COPYRIGHT_URL)}


def licence_attribution(licence: str | None) -> Attribution | None:
    """The credit a licence asks for: OpenStreetMap's for ODbL-1.0, the licence's own text otherwise."""
    if not licence:
        return None
    return KNOWN_ATTRIBUTIONS.get(licence, Attribution(licence))


def data_licence(properties: Mapping[str, Any]) -> str | None:
    """The licence of a camera's data: its own, or ODbL for a node imported from OpenStreetMap
    before cameras kept their licence."""
    return licences.data_licence(properties.get("licence"), properties.get("source"))


def attributions_for_scripts() -> dict[str, dict[str, Any]]:
    """licence -> {text, url} for the map's config (other licences show their own text)."""
    return {licence: asdict(attribution) for licence, attribution in KNOWN_ATTRIBUTIONS.items()}


def shown_operator_name(properties: Mapping[str, Any]) -> str | None:
    """The source's operator name, shown only when no operator organisation is linked."""
    if properties.get("operator"):
        return None
    return properties.get("operator_name") or None


def direction_is_unknown(properties: Mapping[str, Any]) -> bool:
    """A head whose direction nobody knows: flagged, and without a bearing."""
    return bool(properties.get("direction_unknown")) and properties.get("bearing_deg") is None


def source_tag_rows(properties: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(key, value) of the source's tags, by key (addr:*, camera:*... side by side), verbatim."""
    tags = properties.get("source_tags") or {}
    return sorted((str(key), "" if value is None else str(value)) for key, value in tags.items())


def source_view(properties: Mapping[str, Any]) -> dict[str, Any]:
    """What the card shows of the source, from the reader's own output schema's properties."""
    tags = source_tag_rows(properties)
    return {
        "operator_name": shown_operator_name(properties),
        "attribution": licence_attribution(data_licence(properties)),
        "direction_unknown": direction_is_unknown(properties),
        "tags": tags,
        "tags_open": len(tags) <= OPEN_TAGS_MAX,
    }
