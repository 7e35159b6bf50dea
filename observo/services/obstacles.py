"""Obstacles to cameras' views (building footprints, walls): import a layer, read by box, count, delete.

Who may: an organisation's layers are imported and deleted by its editors (and those of the
organisation sponsoring it) and by admins (`can_write_for`, as for cameras). They are read by every
signed-in user whose cameras' views they may clip: the organisation's own users and its pact
partners' (`own_ids | partner_ids`), every state force (they read every shared camera) and admins.
Buildings are no secret, but they are kept off the anonymous API with the fields of view they clip.

An import replaces one layer: the obstacles of the same organisation and `source` (the file's name, or
`osm` for OpenStreetMap, or the name given). It writes every obstacle of the file or none: any problem
(no geometry, invalid or outside the extent, an OSM way without its nodes) refuses the whole file
with every problem listed. One audit entry per import and per deletion, with the counts.

Both recompute, in the same transaction, the visible areas of the cameras whose sectors meet the
obstacles removed or added (services/visible_areas.py): a layer of a whole town takes a while.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
from dataclasses import dataclass, field

import sqlalchemy as sa
from geoalchemy2.shape import from_shape
from shapely.geometry import box
from sqlalchemy.orm import Session

from observo.domain import vocabulary as v
from observo.domain.obstacle_files import Limits, ObstacleFile, read_obstacles
from observo.domain.permissions import Actor, can_write_for
from observo.domain.shapes import BBox
from observo.domain.vocabulary import STATE_FORCE_KINDS
from observo.errors import FieldIssue, Forbidden, InvalidInput
from observo.models import ImportJob, Obstacle, Organisation
from observo.models.base import utcnow
from observo.services import audit, visible_areas
from observo.services.organisations import nameable_organisation, text_issues
from observo.settings import current_settings
from observo.spatial.base import session_backend

SRID = 4326
SOURCE_MAX = 200
OSM_SOURCE = "osm"
_OSM_FORMATS = ("osm_xml", "osm_pbf", "overpass")


@dataclass
class ObstacleImport:
    """What an import did, for the API, the CLI and the audit log."""

    organisation: str
    source: str
    format: str
    crs: str | None
    counts: dict[str, int]  # kind -> obstacles written
    replaced: int  # obstacles of the same organisation and source removed
    skipped: int  # features that are not obstacles (roads, points of interest...)
    warnings: list[FieldIssue] = field(default_factory=list)
    cameras_recomputed: int = 0  # cameras whose sectors meet the old or new layer (visible areas)

    def document(self) -> dict[str, object]:
        return {
            "organization": self.organisation,
            "source": self.source,
            "format": self.format,
            "crs": self.crs,
            "counts": dict(self.counts),
            "replaced": self.replaced,
            "skipped": self.skipped,
            "warnings": issue_documents(self.warnings),
            "cameras_recomputed": self.cameras_recomputed,
        }


def issue_documents(issues: list[FieldIssue]) -> list[dict[str, str]]:
    """Problems or warnings of a file as the API lists them."""
    return [{"pointer": issue.pointer, "code": issue.code, "message": issue.detail} for issue in issues]


def job_document(job: ImportJob) -> dict[str, object]:
    """A background obstacle import (jobs/background_imports.py) as GET /api/v1/obstacles/imports/<id>
    shows it: `result` once it succeeded (the document a direct import answers), `problems` when the
    file was refused (nothing written)."""
    options = json.loads(job.options or "{}")
    return {
        "id": job.id,
        "status": job.status,
        "organization": options.get("organization"),
        "source": options.get("source"),
        "file_name": job.filename,
        "created_at": job.created_at.isoformat(),
        "created_by": job.created_by_label,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "result": json.loads(job.summary) if job.status == "succeeded" and job.summary else None,
        "problems": json.loads(job.report or "[]"),
        "failure": job.failure,
    }


def readable_organisations(actor: Actor) -> sa.ColumnElement[bool]:
    """Obstacle.organisation_id filter of the layers `actor` reads (see the module docstring)."""
    if actor.is_anonymous:
        return sa.false()
    if actor.is_admin or actor.organisation_kind in STATE_FORCE_KINDS:
        return sa.true()
    allowed = actor.own_ids | actor.partner_ids
    return Obstacle.organisation_id.in_(allowed) if allowed else sa.false()


def obstacles_in_box(
    session: Session, actor: Actor, bbox: BBox, limit: int, offset: int = 0
) -> tuple[list[Obstacle], bool]:
    """A page of the readable obstacles meeting `bbox` (edges included), by id; and whether more follow."""
    frame = box(bbox.min_lon, bbox.min_lat, bbox.max_lon, bbox.max_lat)
    stmt = (
        sa.select(Obstacle)
        .where(readable_organisations(actor), session_backend(session).intersects(Obstacle.geometry, frame))
        .order_by(Obstacle.id)
        .limit(limit + 1)
        .offset(offset)
    )
    found = list(session.scalars(stmt))
    return found[:limit], len(found) > limit


def import_obstacles(
    session: Session,
    actor: Actor,
    data: bytes,
    file_name: str,
    organisation: str,
    source: str | None = None,
    crs: str | None = None,
    progress: visible_areas.Progress | None = None,
) -> ObstacleImport:
    """Replace the organisation's layer `source` by the file's obstacles: all of them, or none (422).

    `progress` hears (cameras done, cameras in all) as their visible areas are recomputed, the long
    part of a town's layer (jobs/background_imports.py runs large files with it)."""
    owner = writable_organisation(session, actor, organisation)
    settings = current_settings()
    read = read_obstacles(data, file_name, Limits(settings.extent, settings.max_vertices), crs)
    layer = _source_name(source, file_name, read)
    if read.issues:
        detail = f"the file has {read.problems} problem(s): nothing was imported"
        raise InvalidInput(detail, read.issues)
    before = visible_areas.layer_geometries(session, _layer(owner.id, layer))
    replaced = _delete_layer(session, owner.id, layer)
    now = utcnow()
    session.add_all(
        Obstacle(
            organisation_id=owner.id,
            kind=record.kind,
            geometry=from_shape(record.geometry, srid=SRID),
            height_m=record.height_m,
            source=layer,
            source_ref=None if record.source_ref is None else record.source_ref[:100],
            created_at=now,
            updated_at=now,
        )
        for record in read.records
    )
    session.flush()
    affected = visible_areas.cameras_affected_by(session, [*before, *(r.geometry for r in read.records)])
    visible_areas.recompute(session, affected, progress)
    result = ObstacleImport(
        owner.slug,
        layer,
        read.format,
        read.crs,
        {kind: read.count(kind) for kind in v.OBSTACLE_KINDS},
        replaced,
        read.skipped,
        read.warnings,
        len(affected),
    )
    details = {
        key: value for key, value in result.document().items() if key not in ("warnings", "organization")
    }
    details["sha256"] = hashlib.sha256(data).hexdigest()
    details["warnings"] = len(read.warnings)
    _record(session, actor, "obstacles.import", owner, layer, len(read.records), details)
    return result


def delete_obstacles(session: Session, actor: Actor, organisation: str, source: str | None = None) -> int:
    """Remove the organisation's obstacles (of one source, or all); audited with the count."""
    owner = writable_organisation(session, actor, organisation)
    before = visible_areas.layer_geometries(session, _layer(owner.id, source))
    removed = _delete_layer(session, owner.id, source)
    affected = visible_areas.cameras_affected_by(session, before)
    visible_areas.recompute(session, affected)
    details = {"source": source, "deleted": removed, "cameras_recomputed": len(affected)}
    _record(session, actor, "obstacles.delete", owner, source, removed, details)
    return removed


def obstacle_counts(
    session: Session, actor: Actor, organisation: str | None = None
) -> list[tuple[str, str, str, int]]:
    """(organisation slug, source, kind, count) of the readable layers, sorted."""
    stmt = (
        sa.select(Organisation.slug, Obstacle.source, Obstacle.kind, sa.func.count())
        .join(Organisation, Organisation.id == Obstacle.organisation_id)
        .where(readable_organisations(actor))
        .group_by(Organisation.slug, Obstacle.source, Obstacle.kind)
        .order_by(Organisation.slug, Obstacle.source, Obstacle.kind)
    )
    if organisation is not None:
        stmt = stmt.where(Organisation.slug == organisation)
    return [(slug, source, kind, count) for slug, source, kind, count in session.execute(stmt)]


def writable_organisation(session: Session, actor: Actor, slug: str) -> Organisation:
    """The organisation, if `actor` may change its layers: one it may not see is the unknown slug's 422;
    one it sees but may not write, 403."""
    owner = nameable_organisation(session, actor, slug, "/organization")
    if not can_write_for(actor, owner.id):
        raise Forbidden(f"you may not change the obstacles of {owner.slug!r}")
    return owner


def _source_name(given: str | None, file_name: str, read: ObstacleFile) -> str:
    if given is not None:
        if issues := text_issues("/source", given, SOURCE_MAX):
            raise InvalidInput("the source names the layer the import replaces", issues)
        return given.strip()
    if read.format in _OSM_FORMATS:
        return OSM_SOURCE
    name = posixpath.basename(file_name.replace("\\", "/")).strip()
    if "." not in name:  # a format name or a media type, not a file's name
        detail = "name the layer (source) the file replaces: it has no file name"
        raise InvalidInput(detail, [FieldIssue("/source", "required", detail)])
    return name[:SOURCE_MAX]


def _layer(organisation_id: int, source: str | None) -> sa.ColumnElement[bool]:
    """The organisation's obstacles of one source, or all of them."""
    if source is None:
        return Obstacle.organisation_id == organisation_id
    return sa.and_(Obstacle.organisation_id == organisation_id, Obstacle.source == source)


def _delete_layer(session: Session, organisation_id: int, source: str | None) -> int:
    stmt = sa.delete(Obstacle).where(_layer(organisation_id, source))
    return session.execute(stmt.execution_options(synchronize_session=False)).rowcount or 0


def _record(
    session: Session,
    actor: Actor,
    action: str,
    owner: Organisation,
    source: str | None,
    count: int,
    details: dict[str, object],
) -> None:
    audit.record(
        session,
        actor,
        action,
        object_type="obstacles",
        object_id=f"{owner.slug}/{source}" if source is not None else owner.slug,
        subject_organisation_id=owner.id,
        result_count=count,
        details=details,
    )
