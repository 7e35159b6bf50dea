"""Liveness (the process answers) and readiness (the database answers)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint

from observo.extensions import db

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz() -> Any:
    return {"status": "ok"}


@bp.route("/readyz")
def readyz() -> Any:
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return {"status": "unavailable", "database": "unreachable"}, 503, {"Retry-After": "5"}
    return {"status": "ok", "database": "ok"}
