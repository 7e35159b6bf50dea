"""Observo cameras -> OpenStreetMap tags, for the OSM export (the import side: `osm_tags`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from observo.domain.osm_tags import CHOICE_TAGS, DATE_TAGS, EXPORT_VALUES, NUMBER_TAGS


def osm_tags_from_camera(properties: Mapping[str, Any], *, direction_ranges: bool = False) -> dict[str, str]:
    """OSM tags for an export. Direction in whole degrees; a clockwise range if asked and hfov < 360."""
    tags = {"man_made": "surveillance"}
    for key, (name, _values, _fallback) in CHOICE_TAGS.items():
        value = properties.get(name)
        if key == "surveillance" and value is None and properties.get("indoor"):
            value = "indoor"
        value = EXPORT_VALUES.get(value, value) if value is not None else None
        if value is not None:
            tags[key] = str(value)
    direction = _direction_tag(properties.get("bearing_deg"), properties.get("hfov_deg"), direction_ranges)
    for key, value in (("camera:direction", direction), *_plain_tags(properties)):
        if value is not None and value != "":
            tags[key] = value
    return tags


def _plain_tags(properties: Mapping[str, Any]) -> list[tuple[str, str | None]]:
    pairs: list[tuple[str, str | None]] = []
    for key, (name, *_rest) in NUMBER_TAGS.items():
        pairs.append((key, _fmt(properties.get(name))))
    for key, name in DATE_TAGS.items():
        value = properties.get(name)
        pairs.append((key, value.isoformat() if hasattr(value, "isoformat") else value))
    name = properties.get("name")
    generated = f"Telecamera OSM node/{properties.get('osm_id')}"
    pairs.append(("name", None if name == generated else name))
    pairs.append(("ref", properties.get("ref")))
    pairs.append(("operator", properties.get("operator_name") or properties.get("owner_name")))
    return pairs


def osm_tags_from_site(
    heads: Sequence[Mapping[str, Any]], *, direction_ranges: bool = False
) -> dict[str, str]:
    """One node for the heads of one device (same site_ref): the first head's tags, every direction."""
    if not heads:
        raise ValueError("a site has at least one head")
    tags = osm_tags_from_camera(heads[0], direction_ranges=direction_ranges)
    directions = [
        _direction_tag(head.get("bearing_deg"), head.get("hfov_deg"), direction_ranges) for head in heads
    ]
    tags.pop("camera:direction", None)
    if all(directions):
        tags["camera:direction"] = ";".join(str(direction) for direction in directions)
    refs = [str(head.get("ref") or "") for head in heads]
    stem = refs[0].rpartition("/")[0]
    if stem and refs == [f"{stem}/{number}" for number in range(1, len(heads) + 1)]:
        tags["ref"] = stem
    return tags


def _direction_tag(bearing: Any, hfov: Any, ranges: bool) -> str | None:
    if bearing is None:
        return None
    if not ranges or hfov is None or float(hfov) >= 360:
        return str(round(float(bearing)) % 360)
    start, end = float(bearing) - float(hfov) / 2, float(bearing) + float(hfov) / 2
    return f"{round(start) % 360}-{round(end) % 360}"


def _fmt(value: Any) -> str | None:
    """A number as OSM writes it: no trailing zeros, at most two decimals."""
    return None if value is None else f"{round(float(value), 2) + 0.0:.2f}".rstrip("0").rstrip(".")
