"""Camera columns derived from the others (the public position, the visible area), written in bulk.

They are outside the cameras' records: writing them neither bumps a camera's version (its ETag, so an
editor's pending If-Match still holds) nor writes an audit entry of its own. One statement for all the
rows; the cameras already loaded in the session have the column expired, so they read the new value.
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from geoalchemy2 import WKBElement
from sqlalchemy.orm import Session

from observo.models import Camera


def write_derived(session: Session, column: str, values: Mapping[int, WKBElement | None]) -> None:
    """Set `column` of each camera id in `values` to its value (None: NULL)."""
    if not values:
        return
    table = Camera.__table__
    stmt = (
        table.update()
        .where(table.c.id == sa.bindparam("camera_id"))
        .values({column: sa.bindparam("value", type_=table.c[column].type)})
    )
    session.execute(stmt, [{"camera_id": camera_id, "value": value} for camera_id, value in values.items()])
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, Camera) and loaded.id in values:
            session.expire(loaded, [column])
