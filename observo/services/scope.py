"""The one tenant-scoped filter every camera read goes through."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from observo.domain.permissions import Actor, read_scope
from observo.models import Camera, Organisation


def readable_cameras(actor: Actor) -> sa.ColumnElement[bool]:
    """A WHERE clause true exactly for the cameras `actor` may read (see ReadScope.allows)."""
    scope = read_scope(actor)
    if scope.everything:
        return sa.true()
    allowed: list[sa.ColumnElement[bool]] = []
    if scope.any_visibility_of:
        allowed.append(Camera.owner_id.in_(scope.any_visibility_of))
    if scope.all_public:
        public = Camera.visibility == "public"
        if scope.public_statuses is not None:
            public = sa.and_(public, Camera.status.in_(scope.public_statuses))
        allowed.append(public)
    if scope.all_shared:
        allowed.append(Camera.visibility == "shared")
    elif scope.shared_of:
        allowed.append(sa.and_(Camera.visibility == "shared", Camera.owner_id.in_(scope.shared_of)))
    return sa.or_(*allowed) if allowed else sa.false()


def camera_owners(session: Session, actor: Actor) -> dict[str, str]:
    """slug -> name of the organisations owning at least one camera the actor may read (the owner
    filter of the map and the list). The EXISTS probes the owner index once per organisation."""
    owns = sa.exists().where(Camera.owner_id == Organisation.id, readable_cameras(actor))
    stmt = sa.select(Organisation.slug, Organisation.name).where(owns).order_by(Organisation.name)
    return {slug: name for slug, name in session.execute(stmt)}
