"""Per request: read on a replica, or on the primary (the rules: observo/spatial/replicas.py).

Installed only when `OBSERVO_DATABASE_REPLICA_URLS` names replicas. The hook runs after the route
policy: the caller's credentials and scope are resolved on the primary first; then a request that
writes nothing, from a caller who has not written lately, ends its primary transaction and reads the
rest on a healthy replica. A request that changes data records when its author last wrote, in its own
transaction. A replica that fails during a read is set aside and the view runs again on the primary.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, g, request

from observo.errors import ObservoError
from observo.extensions import db
from observo.http.auth import SAFE_METHODS, current_actor
from observo.http.route_policy import current_rule
from observo.models import User
from observo.models.base import utcnow
from observo.settings import Settings
from observo.spatial.replicas import ReplicaSet, read_engine

_EXTENSION = "observo_replicas"


def install_read_routing(app: Flask, settings: Settings, engine_options: dict[str, Any]) -> None:
    if not settings.database_replica_urls:
        return
    if settings.is_sqlite:
        raise ValueError("OBSERVO_DATABASE_REPLICA_URLS needs a PostgreSQL primary")
    options = {**engine_options, "pool_size": 5, "max_overflow": 10}
    app.extensions[_EXTENSION] = ReplicaSet(
        settings.database_replica_urls, options, settings.replica_max_lag_s, settings.replica_retry_s
    )
    app.before_request(_route_reads)
    app.teardown_request(_end_route)


def replicas(app: Flask) -> ReplicaSet | None:
    return app.extensions.get(_EXTENSION)


def _route_reads() -> None:
    rule = current_rule() if request.endpoint is not None else None
    if rule is None:
        return
    try:
        actor = current_actor()
    except ObservoError:
        return  # refused by the view, on the primary
    settings: Settings = current_app.config["OBSERVO_SETTINGS"]
    if request.method not in SAFE_METHODS:
        if actor.user_id is not None:  # committed with the change, or rolled back with it
            stamp = sa.update(User).where(User.id == actor.user_id).values(last_write_at=utcnow())
            db.session.execute(stamp, execution_options={"synchronize_session": False})
        return
    if rule.will_write(request.args):
        return  # an accountable read appends to the audit log: the primary
    if actor.user_id is not None:
        wrote = db.session.get(User, actor.user_id).last_write_at
        if wrote is not None and utcnow() - wrote < timedelta(seconds=settings.read_your_writes_s):
            return
    engine = current_app.extensions[_EXTENSION].pick()
    if engine is None:
        return
    db.session.commit()  # the primary's part (credentials, scope, a token's last use) ends here
    g.read_token = read_engine.set(engine)


def _end_route(_error: BaseException | None) -> None:
    if "read_token" in g:
        read_engine.reset(g.pop("read_token"))


def retry_on_primary(error: Exception) -> Any:
    """The view's answer from the primary when `error` came from a replica; None otherwise."""
    engine = read_engine.get()
    set_aside = current_app.extensions.get(_EXTENSION)
    if engine is None or set_aside is None or request.method not in SAFE_METHODS:
        return None
    set_aside.failed(engine)
    db.session.rollback()
    read_engine.set(None)  # the teardown still resets the request's token
    try:
        return current_app.dispatch_request()
    except Exception as again:  # answered as any error of the view would be
        return current_app.handle_user_exception(again)
