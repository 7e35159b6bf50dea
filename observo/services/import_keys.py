"""How a row finds the camera it updates (the import's `key`), and the cameras a keyless row may double.

Every lookup is confined to one owner the caller writes for (checked before any lookup), so a key
never reaches, nor reveals, a camera of another owner (docs/security.md, "Names of other
organisations"):

- `ref`: the owner's own code;
- `osm_id`: the OpenStreetMap node, each head by its bearing (`import_heads`);
- `code`: the Observo id (or code `OBS-000042`) of an export of this registry: used only when it names
  a camera of the row's owner; otherwise the row is new and the report says so, in words that are the
  same whether the id names another owner's camera or none;
- `position`: a camera of the owner within POSITION_TOLERANCE_M whose name is the same (ignoring case
  and spaces);
- `auto`: for rows of an OpenStreetMap file the node; else the ref, else the Observo id, else the node.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

import sqlalchemy as sa
from geoalchemy2.shape import to_shape
from shapely.geometry import Point
from sqlalchemy.orm import Session

from observo.domain.identifiers import MAX_DATABASE_ID
from observo.domain.shapes import Radius
from observo.models import Camera
from observo.services.bulk_cameras import cameras_by_ref
from observo.services.import_changes import distance_m
from observo.spatial.base import session_backend

POSITION_TOLERANCE_M = 5.0  # key=position: a camera this close, with the same name, is the row's
DUPLICATE_RADIUS_M = 10.0  # a keyless new row this close to a camera of its owner gets a warning
NEAR_MAX = 50  # cameras looked at around a point: more within metres is a data error anyway
OSM_FORMATS = ("osm", "overpass", "osm_xml", "osm_pbf")
_CODE = re.compile(r"(?:OBS-)?0*([0-9]{1,12})", re.IGNORECASE | re.ASCII)
_SPACES = re.compile(r"\s+")


def observo_id(raw: Any) -> int | None:
    """An Observo camera id from a Feature id or a code column: 42, "42" or "OBS-000042"."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if raw > 0 else None
    if isinstance(raw, str) and (match := _CODE.fullmatch(raw.strip())):
        value = int(match.group(1))
        return value if value > 0 else None
    return None


def key_kind(mode: str, attrs: Mapping[str, Any], camera_id: int | None, from_osm_file: bool) -> str | None:
    """Which key the row is matched by; None when it has none (it is a new camera)."""
    if mode == "position":
        return "position"
    present = {
        "ref": bool(attrs.get("ref")),
        "osm_id": bool(attrs.get("osm_id")),
        "code": camera_id is not None,
    }
    if mode != "auto":
        return mode if present[mode] else None
    order = ("osm_id", "ref", "code") if from_osm_file else ("ref", "code", "osm_id")
    return next((kind for kind in order if present[kind]), None)


def same_name(a: str | None, b: str | None) -> bool:
    """Names compared ignoring case and runs of spaces; a missing name matches any."""
    if not a or not b:
        return True
    return _SPACES.sub(" ", a.strip()).casefold() == _SPACES.sub(" ", b.strip()).casefold()


class CameraKeys:
    """Lookups of the owner's cameras by key; `excluded` are the cameras earlier rows already took.

    Refs can be looked up a batch at a time (`prefetch`, one query per owner for the next records):
    `by_ref` answers from them until a write may have changed them (`forget`), then a query a row again.
    """

    def __init__(self, session: Session) -> None:
        self._session = session
        self._known: dict[tuple[int, str], Camera | None] = {}

    def prefetch(self, wanted: Mapping[int, Collection[str]]) -> None:
        """The cameras holding these refs, per owner id (owners the caller writes for only)."""
        self._known = {}
        for owner_id, refs in wanted.items():
            found = cameras_by_ref(self._session, owner_id, refs)
            self._known.update(((owner_id, ref), found.get(ref)) for ref in refs)

    def forget(self) -> None:
        """A write may have moved a ref (an update, a release, new cameras): look up anew."""
        self._known = {}

    def by_ref(self, owner_id: int, ref: str) -> Camera | None:
        if (owner_id, ref) in self._known:
            return self._known[(owner_id, ref)]
        stmt = sa.select(Camera).where(Camera.owner_id == owner_id, Camera.ref == ref)
        return self._session.scalar(stmt)

    def by_id(self, owner_id: int, camera_id: int) -> Camera | None:
        if camera_id > MAX_DATABASE_ID:
            return None
        stmt = sa.select(Camera).where(Camera.owner_id == owner_id, Camera.id == camera_id)
        return self._session.scalar(stmt)

    def node_heads(self, owner_id: int, osm_id: int, excluded: Collection[int]) -> list[Camera]:
        stmt = sa.select(Camera).where(Camera.owner_id == owner_id, Camera.osm_id == osm_id)
        return [
            camera for camera in self._session.scalars(stmt.order_by(Camera.id)) if camera.id not in excluded
        ]

    def ref_holder(self, owner_id: int, ref: str, besides: Collection[int]) -> int | None:
        """The id of the owner's camera holding `ref`, other than those in `besides`."""
        stmt = sa.select(Camera.id).where(Camera.owner_id == owner_id, Camera.ref == ref)
        if besides:
            stmt = stmt.where(Camera.id.not_in(list(besides)))
        return self._session.scalar(stmt.limit(1))

    def near(
        self, owner_id: int, point: Point, metres: float, excluded: Collection[int]
    ) -> list[tuple[Camera, float]]:
        """The owner's cameras within `metres` of `point`, nearest first, with their distance."""
        backend = session_backend(self._session)
        stmt = sa.select(Camera).where(
            Camera.owner_id == owner_id,
            backend.within_radius(Camera.location, Radius(point.x, point.y, metres)),
        )
        found = [
            (camera, distance_m(to_shape(camera.location), point))
            for camera in self._session.scalars(stmt.limit(NEAR_MAX))
            if camera.id not in excluded
        ]
        return sorted(found, key=lambda pair: (pair[1], pair[0].id))

    def by_position(
        self, owner_id: int, point: Point, name: str | None, excluded: Collection[int]
    ) -> Camera | None:
        for camera, _metres in self.near(owner_id, point, POSITION_TOLERANCE_M, excluded):
            if same_name(camera.name, name):
                return camera
        return None
