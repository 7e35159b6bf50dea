"""The version check is part of the UPDATE itself, not a read followed by a write."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from observo.domain.permissions import SYSTEM
from observo.errors import StaleVersion
from observo.models import Camera
from observo.services import cameras
from tests import factories


def test_write_landing_between_read_and_update_is_refused(session, monkeypatch):
    camera = factories.camera(session, factories.org(session, "torino"))
    camera_id = camera.id
    real_check = cameras._writable_camera

    def read_then_someone_else_writes(*args, **kwargs):
        loaded = real_check(*args, **kwargs)  # our read passed the If-Match check at version 1
        # Another transaction commits its change now, behind the ORM's back.
        session.execute(
            sa.update(Camera.__table__).where(Camera.__table__.c.id == camera_id).values(version=2)
        )
        return loaded

    monkeypatch.setattr(cameras, "_writable_camera", read_then_someone_else_writes)
    with pytest.raises(StaleVersion):
        cameras.update_camera(
            session, SYSTEM, camera_id, 1, cameras.CameraWrite(attrs={"name": "lost update"})
        )
    session.rollback()
    assert session.get(Camera, camera_id).name != "lost update"
