"""Where the owner's camera editor opens its map (docs/owners.md, "Registering cameras").

Around the owner's own cameras and open declarations; for an owner with none yet, around its
municipality's public cameras (what the municipality's public map already shows), widened to whole
hundredths of a degree (about a kilometre) so the box tells nothing of any one camera's position.
"""

from __future__ import annotations

import math

import sqlalchemy as sa
from sqlalchemy.orm import Session

from observo.models import Camera, OwnerAccount, OwnerCameraDeclaration
from observo.models.owner import OPEN_STATUSES

Box = list[float]  # [west, south, east, north], WGS 84
_STEP = 100  # hundredths of a degree


def editor_start(session: Session, account: OwnerAccount) -> Box | None:
    """The box the editor's map opens on; None: the registry's whole extent."""
    lon, lat = sa.func.ST_X(Camera.location), sa.func.ST_Y(Camera.location)
    points = [
        (float(x), float(y))
        for x, y in session.execute(sa.select(lon, lat).where(Camera.owner_id == account.organisation_id))
    ]
    declared = session.scalars(
        sa.select(OwnerCameraDeclaration.data).where(
            OwnerCameraDeclaration.organisation_id == account.organisation_id,
            OwnerCameraDeclaration.status.in_(OPEN_STATUSES),
        )
    )
    points += [(float(data["longitude"]), float(data["latitude"])) for data in declared]
    if points:
        xs, ys = [x for x, _ in points], [y for _, y in points]
        return [min(xs), min(ys), max(xs), max(ys)]
    sponsor_id = account.organisation.sponsor_id
    if sponsor_id is None:
        return None
    row = session.execute(
        sa.select(sa.func.min(lon), sa.func.min(lat), sa.func.max(lon), sa.func.max(lat)).where(
            Camera.owner_id == sponsor_id,
            Camera.visibility == "public",
            Camera.status != "decommissioned",
        )
    ).one()
    if row[0] is None:
        return None
    west, south, east, north = (float(value) for value in row)
    return [
        math.floor(west * _STEP) / _STEP,
        math.floor(south * _STEP) / _STEP,
        math.ceil(east * _STEP) / _STEP,
        math.ceil(north * _STEP) / _STEP,
    ]
