"""What OGC API – Features needs beyond `queries.find_cameras`: its bbox, an exact count, the extent.

OGC clients treat `numberMatched` as the truth (GDAL reports it as the layer's feature count, QGIS
sizes its progress by it), so the OGC items count exactly, whatever the count cap of
`/api/v1/cameras`: the cap spares map viewports a count; a GIS client that pages through a whole
layer reads every match anyway, and one indexed count per page costs less than the page itself.
"""

from __future__ import annotations

import math

import sqlalchemy as sa
from sqlalchemy.orm import Session

from observo.domain.permissions import Actor
from observo.domain.shapes import BBox
from observo.models import Camera
from observo.services import queries
from observo.services.scope import readable_cameras
from observo.settings import Settings

_WORLD = (-180.0, -90.0, 180.0, 90.0)


def parse_bbox(text: str) -> BBox:
    """OGC's bbox: 4 numbers, or 6 with heights (ignored), anywhere on Earth and of any size.

    A client's viewport is not a mistake: outside the registry's extent it simply matches nothing,
    and inside it is clipped to the extent (`camera_items`), so the query stays bounded.
    """
    parts = text.split(",")
    if len(parts) == 6:
        text = ",".join(parts[0:2] + parts[3:5])
    return BBox.parse(text, _WORLD, math.inf)


def clipped(bbox: BBox, extent: tuple[float, float, float, float]) -> BBox | None:
    """The part of `bbox` inside the registry's extent; None when they do not meet."""
    area = BBox(*extent)
    if not bbox.overlaps(area):
        return None
    return BBox(
        max(bbox.min_lon, area.min_lon),
        max(bbox.min_lat, area.min_lat),
        min(bbox.max_lon, area.max_lon),
        min(bbox.max_lat, area.max_lat),
    )


def camera_items(
    session: Session, actor: Actor, bbox: BBox | None, limit: int, offset: int, settings: Settings
) -> queries.Page:
    """One page of the `cameras` collection, with an exact `matched`.

    The order is `find_cameras`' (by id; with a bbox outward from its centre, ties by id): total and
    deterministic, so offset paging returns every feature exactly once.
    """
    if bbox is not None:
        bbox = clipped(bbox, settings.extent)
        if bbox is None:
            return queries.Page([], 0, has_more=False)
    query = queries.CameraQuery(bbox=bbox)
    page = queries.find_cameras(session, actor, query, limit, offset, settings.count_cap)
    if page.matched is not None:
        return page
    return queries.Page(page.hits, queries.count_matches(session, actor, query), page.has_more)


def camera_extent(
    session: Session, actor: Actor, fallback: tuple[float, float, float, float]
) -> tuple[float, float, float, float]:
    """The box of the cameras `actor` may list, on the positions they see (generalised for the public).

    `fallback` (the configured extent) when there are none: an empty box would be no extent at all.
    """
    position = queries.position_of(actor)
    lon, lat = sa.func.ST_X(position), sa.func.ST_Y(position)
    where = [readable_cameras(actor), *queries.filter_clauses(actor, queries.CameraFilters())]
    statement = sa.select(sa.func.min(lon), sa.func.min(lat), sa.func.max(lon), sa.func.max(lat))
    row = session.execute(statement.select_from(Camera).where(*where)).one()
    if row[0] is None:
        return fallback
    return (float(row[0]), float(row[1]), float(row[2]), float(row[3]))
