"""Observo cameras -> OpenStreetMap nodes, for the OSM export (the import side: `osm_tags`).

One node per device: the heads of one OSM node (same `osm_id`) or of one site (same `site_ref`)
become one node carrying all their directions, as OSM maps a multi-head camera.

A node that came from OpenStreetMap goes back as it came. Its `source_tags` hold every tag of the
node as imported; the export compares the fields the import derived from those tags
(`cameras_from_osm`, with the defaults a new camera gets) with the fields the cameras have now:
- a tag whose fields did not change is written back raw (`camera:direction=NW-NE`, `height=6.5 m`,
  `surveillance=webcam` mapped to `other`), and a tag the source did not have stays absent, even
  where the import filled in a default (`camera:type=dome`, `surveillance:type=camera`);
- the tags of fields changed since are written from the fields, under the key that came in
  (`direction` stays `direction`); a range keeps its width (`190-100`);
- unmapped tags (`contact:*`, `description`, `note`...) are written back verbatim.
Other cameras are written from their fields alone; their unmapped columns are not OSM tags.

Ids: a node keeps its OSM id (`node/123`, as overpass-turbo writes it, and `@id`). A camera not in
OSM gets a negative id, as OSM editors number objects they create: minus the Observo id of its first
head, unique in the file and the same from one export to the next (no Observo tag is added: OSM has
no use for it, and the negative id already finds the camera for whoever exported it).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from typing import Any

from observo.domain.camera_rules import CREATE_DEFAULTS
from observo.domain.fov import default_hfov
from observo.domain.osm_tags import DIRECTION_KEYS, EXPORT_VALUES, GENERATED_NAME, SOURCE, cameras_from_osm
from observo.errors import InvalidInput

Head = Mapping[str, Any]
# The name the import gives a node without one (and the one earlier versions gave, with its id).
_GENERATED_NAME = re.compile(rf"{re.escape(GENERATED_NAME)}|Telecamera OSM node/[0-9]+")
_NO_PLACE = {"type": "Point", "coordinates": [0.0, 0.0]}


@dataclass(frozen=True)
class TagGroup:
    """Tags and the camera fields they give. `keys` ending in ':' are prefixes (addr:*)."""

    keys: tuple[str, ...]
    fields: tuple[str, ...]
    write: Callable[[Sequence[Head], Mapping[str, str]], dict[str, str]]
    per_head: bool = False  # compared head by head (else as the set of the heads' values)

    def holds(self, key: str) -> bool:
        return any(key == own or (own.endswith(":") and key.startswith(own)) for own in self.keys)


def osm_tags_from_camera(properties: Head) -> dict[str, str]:
    """The OSM tags of one camera (a node of one head)."""
    return osm_tags_from_site([properties])


def osm_tags_from_site(heads: Sequence[Head], geometry: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The tags of the node of one device's heads (camera properties, in head order).

    `geometry`: the node's position, for re-reading the tags it came with (any point does)."""
    if not heads:
        raise ValueError("a site has at least one head")
    original = _source_node_tags(heads[0])
    if original is None:
        return {"man_made": "surveillance", **_written(heads, GROUPS, {})}
    return _written_back(heads, original, geometry or _NO_PLACE)


def node_key(feature: Mapping[str, Any]) -> tuple[Any, ...]:
    """The device a camera Feature is a head of: its OSM node, else its site, else itself."""
    properties = feature["properties"]
    owner = properties.get("owner")
    if properties.get("osm_id") is not None:
        return ("node", owner, properties["osm_id"])
    if properties.get("site_ref"):
        return ("site", owner, properties["site_ref"])
    return ("camera", feature["id"])


def group_nodes(features: Iterable[Mapping[str, Any]]) -> Iterator[list[Mapping[str, Any]]]:
    """Consecutive Features of one device, together (the export streams them in node order)."""
    for _key, heads in groupby(features, key=node_key):
        yield list(heads)


def osm_node(features: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One OSM node as overpass-turbo's GeoJSON writes it, for the camera Features of one device."""
    first = features[0]
    osm_id = first["properties"].get("osm_id")
    node = f"node/{osm_id}" if osm_id is not None else f"node/-{first['id']}"
    tags = osm_tags_from_site([feature["properties"] for feature in features], first["geometry"])
    properties = {"@id": node, **tags} if osm_id is not None else tags
    return {"type": "Feature", "id": node, "geometry": first["geometry"], "properties": properties}


def _source_node_tags(head: Head) -> dict[str, str] | None:
    """The tags the node had when imported from OSM, or None for a camera from elsewhere."""
    tags = head.get("source_tags")
    if head.get("source") != SOURCE or not isinstance(tags, Mapping) or not tags:
        return None
    return {str(key): str(value) for key, value in tags.items()}


# --- writing a node back -------------------------------------------------------------------------


def _written_back(
    heads: Sequence[Head], original: dict[str, str], geometry: Mapping[str, Any]
) -> dict[str, str]:
    """The original tags, but those whose fields changed since the import, rewritten from the fields.

    A tag the import derived from others (no camera:type: fixed when a direction is given) may mean
    something else once another tag changed: the rewritten node is read again, and any group whose
    fields it no longer gives is written out too."""
    osm_id = heads[0].get("osm_id") or 1
    derived = _derive(original, osm_id, geometry)
    if derived is None:  # the import rules no longer read these tags: the fields say it all
        kept = {key: value for key, value in original.items() if _group_of(key) is None}
        return {**kept, **_written(heads, GROUPS, original)}
    changed = [group for group in GROUPS if not _same(group, derived, heads)]
    tags = _rewrite(original, heads, changed)
    for _ in GROUPS:
        again = _derive(tags, osm_id, geometry) if changed else derived
        more = [group for group in GROUPS if group not in changed and not _same(group, again or [], heads)]
        if not more:
            break
        changed += more
        tags = _rewrite(original, heads, changed)
    return tags


def _rewrite(
    original: Mapping[str, str], heads: Sequence[Head], changed: Sequence[TagGroup]
) -> dict[str, str]:
    """`original` in its order; each changed group's tags replaced, where its first tag stood."""
    tags: dict[str, str] = {}
    done: set[int] = set()
    for key, value in original.items():
        group = _group_of(key)
        if group is None or group not in changed:
            tags[key] = value
        elif id(group) not in done:
            done.add(id(group))
            tags.update(group.write(heads, original))
    for group in changed:
        if id(group) not in done:
            tags.update(group.write(heads, original))
    return tags


def _derive(tags: Mapping[str, str], osm_id: int, geometry: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """The heads the import makes of `tags`, with what a new camera gets by default; None if refused."""
    node = {"type": "Feature", "id": f"node/{osm_id}", "geometry": geometry, "properties": dict(tags)}
    try:
        cameras = cameras_from_osm(node)
    except InvalidInput:
        return None
    return [_as_stored(camera) for camera in cameras]


def _as_stored(camera: Mapping[str, Any]) -> dict[str, Any]:
    """An imported camera as the registry stores it: defaults filled in, the field of view resolved."""
    stored = {**CREATE_DEFAULTS, **camera}
    hfov = min(float(stored.get("hfov_deg") or default_hfov(stored.get("camera_type") or "")), 360.0)
    stored["hfov_deg"] = hfov
    if hfov >= 360 or stored.get("bearing_deg") is not None:
        stored["direction_unknown"] = False
    stored.setdefault("direction_unknown", False)
    return stored


def _same(group: TagGroup, derived: Sequence[Head], heads: Sequence[Head]) -> bool:
    if group.fields == ("operator_name",):
        heads = [_operator_as_read(head, derived) for head in heads]
    if group.per_head:
        return len(derived) == len(heads) and all(
            _equal(_value(before, name), _value(now, name))
            for before, now in zip(derived, heads, strict=True)
            for name in group.fields
        )
    return _values(group, derived) == _values(group, heads)


def _operator_as_read(head: Head, derived: Sequence[Head]) -> Head:
    """An operator the import linked to an organisation keeps its OSM name: not a change."""
    if head.get("operator_name") is None and head.get("operator") and derived:
        return {**head, "operator_name": derived[0].get("operator_name")}
    return head


def _values(group: TagGroup, heads: Sequence[Head]) -> set[tuple[Any, ...]]:
    return {tuple(_comparable(_value(head, name)) for name in group.fields) for head in heads}


def _value(head: Head, name: str) -> Any:
    value = head.get(name, CREATE_DEFAULTS.get(name))
    if name in ("indoor", "direction_unknown"):
        return bool(value)
    return value


def _comparable(value: Any) -> Any:
    """Numbers to 9 significant digits (stored floats round-trip exactly; this is belt and braces)."""
    if isinstance(value, float):
        return float(f"{value:.9g}")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, int | float) and isinstance(right, int | float) and not isinstance(left, bool):
        return math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-9)
    return _comparable(left) == _comparable(right)


def _group_of(key: str) -> TagGroup | None:
    return next((group for group in GROUPS if group.holds(key)), None)


# --- tags from fields ------------------------------------------------------------------------------


def _written(
    heads: Sequence[Head], groups: Sequence[TagGroup], original: Mapping[str, str]
) -> dict[str, str]:
    tags: dict[str, str] = {}
    for group in groups:
        tags.update(group.write(heads, original))
    return tags


def _directions(heads: Sequence[Head], original: Mapping[str, str]) -> dict[str, str]:
    """Every head's direction, `;`-separated, under the key that came in (else camera:direction).

    A head whose width is not its type's default is written as a clockwise range of that width, so
    that reading it back gives the same field of view. Heads without a direction are counted by
    camera:count when the node would otherwise lose them."""
    key = next((key for key in DIRECTION_KEYS if key in original), DIRECTION_KEYS[0])
    texts = [text for head in heads if (text := _direction_text(head)) is not None]
    tags = {key: ";".join(texts)} if texts else {}
    if "camera:count" in original or (len(heads) > 1 and len(texts) != len(heads)):
        tags["camera:count"] = str(len(heads))
    return tags


def _direction_text(head: Head) -> str | None:
    bearing, hfov = head.get("bearing_deg"), head.get("hfov_deg")
    if bearing is None:
        return None
    if hfov is None or _equal(float(hfov), default_hfov(head.get("camera_type") or "")):
        return _fmt(float(bearing) % 360)
    if float(hfov) >= 360:
        return "0-360"
    start, end = float(bearing) - float(hfov) / 2, float(bearing) + float(hfov) / 2
    return f"{_fmt(start % 360)}-{_fmt(end % 360)}"


def _choice(key: str, name: str, unless: Callable[[Head], str | None] | None = None) -> TagGroup:
    def write(heads: Sequence[Head], _original: Mapping[str, str]) -> dict[str, str]:
        value = heads[0].get(name)
        if value is None and unless is not None:
            value = unless(heads[0])
        value = EXPORT_VALUES.get(value, value) if value is not None else None
        return {key: str(value)} if value is not None else {}

    return TagGroup((key,), (name,), write)


def _area_class(head: Head) -> str | None:
    return "indoor" if head.get("indoor") else None


def _plain(key: str, name: str, show: Callable[[Any], str | None]) -> TagGroup:
    def write(heads: Sequence[Head], _original: Mapping[str, str]) -> dict[str, str]:
        value = heads[0].get(name)
        text = show(value) if value is not None else None
        return {key: text} if text else {}

    return TagGroup((key,), (name,), write)


def _text(value: Any) -> str | None:
    text = str(value).strip()
    return None if _GENERATED_NAME.fullmatch(text) else text or None


def _day(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _refs(heads: Sequence[Head], _original: Mapping[str, str]) -> dict[str, str]:
    """The node's ref: the heads' common stem when the import numbered them (TO-7/1, TO-7/2...)."""
    refs = [str(head.get("ref") or "") for head in heads]
    stem = refs[0].rpartition("/")[0]
    if len(heads) > 1 and stem and refs == [f"{stem}/{number}" for number in range(1, len(heads) + 1)]:
        return {"ref": stem}
    return {"ref": refs[0]} if refs[0] else {}


def _address(heads: Sequence[Head], _original: Mapping[str, str]) -> dict[str, str]:
    """A changed address cannot be split into addr:street and addr:housenumber: addr:full says it."""
    address = heads[0].get("address")
    return {"addr:full": str(address)} if address else {}


def _fmt(value: Any) -> str | None:
    """A number as OSM writes it: no trailing zeros, at most two decimals."""
    return None if value is None else f"{round(float(value), 2) + 0.0:.2f}".rstrip("0").rstrip(".")


_DIRECTION = TagGroup(
    (*DIRECTION_KEYS, "camera:count"), ("bearing_deg", "hfov_deg", "direction_unknown"), _directions, True
)
_AREA = TagGroup(
    ("surveillance", "indoor"),
    ("area_class", "indoor"),
    _choice("surveillance", "area_class", _area_class).write,
)
GROUPS: tuple[TagGroup, ...] = (
    _choice("surveillance:type", "surveillance_type"),
    _choice("camera:type", "camera_type"),
    _choice("camera:mount", "mount"),
    _AREA,
    _choice("surveillance:zone", "zone"),
    _DIRECTION,
    _plain("height", "height_m", _fmt),
    _plain("camera:angle", "tilt_deg", _fmt),
    _plain("start_date", "installed_on", _day),
    _plain("check_date", "last_verified_on", _day),
    _plain("name", "name", _text),
    TagGroup(("ref",), ("ref",), _refs, True),
    _plain("operator", "operator_name", _text),
    _plain("level", "level", _text),
    TagGroup(("addr:",), ("address",), _address),
)
