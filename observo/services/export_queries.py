"""What an export needs to know beyond its Features: the licences of its rows, and its rows in the
order of OpenStreetMap nodes.

Both start from the query the export streams (`queries.camera_select`: the caller's read scope,
filters, bbox, limit and offset), so they describe exactly the rows the export holds.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from observo.domain.licences import OSM_LICENCE, OSM_SOURCE
from observo.domain.permissions import Actor
from observo.models import Camera
from observo.services import queries
from observo.services.queries import CameraQuery, Hit


@dataclass(frozen=True, order=True)
class RowLicence:
    """The licence a group of exported rows is under; `from_osm` for rows imported from OpenStreetMap
    (they need its attribution even when imported before cameras kept a licence)."""

    licence: str
    from_osm: bool


def exported_ids(
    session: Session, actor: Actor, query: CameraQuery, limit: int | None, offset: int
) -> sa.Select:
    """The ids of the cameras an export of `query` holds (limit and offset applied as it streams)."""
    statement, where = queries.camera_select(session, actor, query)
    if limit is None and not offset:
        return sa.select(Camera.id).where(*where)  # every match: no order to compute
    ordered = statement.offset(offset) if limit is None else statement.limit(limit).offset(offset)
    return sa.select(ordered.subquery().c.id)


def exported_licences(
    session: Session, actor: Actor, query: CameraQuery, limit: int | None, offset: int
) -> list[RowLicence]:
    """The distinct licences of the rows an export of `query` holds, read before it streams."""
    from_osm = Camera.source == OSM_SOURCE
    licence = sa.case((from_osm, sa.func.coalesce(Camera.licence, OSM_LICENCE)), else_=Camera.licence)
    statement = (
        sa.select(licence, from_osm)
        .where(Camera.id.in_(exported_ids(session, actor, query, limit, offset)))
        .where(sa.or_(from_osm, Camera.licence.is_not(None)))
        .distinct()
    )
    return sorted(RowLicence(name, bool(osm)) for name, osm in session.execute(statement))


def licences_of(session: Session, camera_ids: Sequence[int]) -> dict[int, str]:
    """camera id -> licence, for the cameras of `camera_ids` that have one (OSM rows: ODbL-1.0)."""
    if not camera_ids:
        return {}
    licence = sa.case(
        (Camera.source == OSM_SOURCE, sa.func.coalesce(Camera.licence, "ODbL-1.0")), else_=Camera.licence
    )
    rows = session.execute(sa.select(Camera.id, licence).where(Camera.id.in_(camera_ids)))
    return {camera_id: name for camera_id, name in rows if name is not None}


def stream_node_hits(
    session: Session, actor: Actor, query: CameraQuery, limit: int | None, offset: int, batch: int
) -> Iterator[list[Hit]]:
    """The rows of an export of `query`, the heads of one device next to each other: by OSM node
    (osm_id), then by site (site_ref) of the same owner, then alone; each device's heads by id."""
    chosen = exported_ids(session, actor, query, limit, offset).subquery()
    statement = (
        sa.select(Camera.id)
        .join(chosen, chosen.c.id == Camera.id)
        .order_by(
            Camera.osm_id.asc().nulls_last(),
            Camera.owner_id,
            Camera.site_ref.asc().nulls_last(),
            Camera.id,
        )
    )
    result = session.execute(statement.execution_options(yield_per=batch))
    for rows in result.partitions():
        yield [Hit(row[0]) for row in rows]
