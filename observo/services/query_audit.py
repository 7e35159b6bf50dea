"""Audit entries of accountable queries: who asked what about which place, why, and how much came back.

Anonymous callers only ever read public, generalised data: their queries are not logged.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from shapely.geometry import Point, box
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from observo.domain.permissions import Actor, sees_full_detail
from observo.domain.reasons import clean_reason
from observo.services import audit

if TYPE_CHECKING:
    from observo.domain.shapes import Area
    from observo.services.queries import CameraFilters, CameraQuery, Page


def record_query(
    session: Session,
    actor: Actor,
    action: str,
    reason: str | None,
    geometry: BaseGeometry | None,
    result_count: int,
    **details: Any,
) -> None:
    """One entry per accountable query (signed-in callers); empty details are left out.

    The reason is logged as the one rule cleans it (domain.reasons), whoever checked it before.
    """
    if sees_full_detail(actor):
        audit.record(
            session,
            actor,
            action,
            reason=clean_reason(reason) if reason else None,
            geometry=geometry,
            result_count=result_count,
            details={name: value for name, value in details.items() if value not in (None, {}, ())},
        )


def filters_used(filters: CameraFilters) -> dict[str, Any]:
    return {name: value for name, value in asdict(filters).items() if value not in (None, ())}


def list_subject(query: CameraQuery) -> tuple[str | None, BaseGeometry | None]:
    """(action, geometry) of a list query that must be accounted for (`sees`, `near`), else (None, None)."""
    if query.sees is not None:
        return "query.sees", Point(*query.sees)
    if query.near is not None:
        return "query.near", Point(query.near.lon, query.near.lat)
    return None, None


def record_list_query(session: Session, actor: Actor, query: CameraQuery, page: Page, offset: int) -> None:
    action, geometry = list_subject(query)
    if action is None:
        # Browsing by box or attributes is not an accountable query (docs/architecture.md, "The audit log").
        return
    record_query(
        session,
        actor,
        action,
        query.reason,
        geometry,
        len(page.hits),
        radius_m=query.near.metres if query.near else None,
        matched=page.matched,
        offset=offset,
        filters=filters_used(query.filters),
    )


def record_search(
    session: Session,
    actor: Actor,
    reason: str | None,
    area: Area,
    filters: CameraFilters,
    page: Page,
    offset: int,
) -> None:
    record_query(
        session,
        actor,
        "query.search",
        reason,
        area.shape,
        len(page.hits),
        buffer_m=area.buffer_m,
        matched=page.matched,
        offset=offset,
        filters=filters_used(filters),
    )


def record_export(session: Session, actor: Actor, query: CameraQuery, count: int, file_format: str) -> None:
    """Logged before the export streams; `count` is what it will hold."""
    _action, geometry = list_subject(query)
    if geometry is None and query.bbox is not None:
        bbox = query.bbox
        geometry = box(bbox.min_lon, bbox.min_lat, bbox.max_lon, bbox.max_lat)
    record_query(
        session,
        actor,
        f"export.{file_format}",
        query.reason,
        geometry,
        count,
        radius_m=query.near.metres if query.near else None,
        sees=bool(query.sees),
        filters=filters_used(query.filters),
    )
