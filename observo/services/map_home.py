"""Where the map opens for a caller: the extent of its organisation's cameras (its municipality's
system), else of the cameras it may read, so the Cremona officer does not land in Moncalieri."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from observo.domain.permissions import Actor
from observo.models import Camera
from observo.services.scope import readable_cameras

# A camera taken down may stand anywhere (a depot): it does not say where the system is.
_NOT_PLACED = ("decommissioned",)


def home_extent(session: Session, actor: Actor) -> list[float] | None:
    """[west, south, east, north] in WGS84 of the caller's own cameras, else of the readable ones;
    None when it may read none (the map then shows the service's whole extent)."""
    live = Camera.status.notin_(_NOT_PLACED)
    if actor.own_ids:
        own = _extent(session, sa.and_(live, Camera.owner_id.in_(actor.own_ids)))
        if own is not None:
            return own
    return _extent(session, sa.and_(live, readable_cameras(actor)))


def _extent(session: Session, where: sa.ColumnElement[bool]) -> list[float] | None:
    lon, lat = sa.func.ST_X(Camera.location), sa.func.ST_Y(Camera.location)
    row = session.execute(
        sa.select(sa.func.min(lon), sa.func.min(lat), sa.func.max(lon), sa.func.max(lat)).where(where)
    ).one()
    if row[0] is None:
        return None
    return [round(float(value), 6) for value in row]
