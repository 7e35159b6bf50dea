"""The row loop of an import: each record of the file checked, matched to its camera and written.

`ImportRun.run` is the one loop over the file. A record (a CSV line, a GeoJSON Feature, an OSM node
with all its heads) is written inside a SAVEPOINT of its own: a record the database refuses is rolled
back alone and reported, and the rows after it are still checked. Whether the run as a whole is kept
(all or nothing, or skip mode) is the caller's decision (`imports.import_cameras`).

For each record, in this order (docs/security.md: nothing about a camera is looked up before the
caller is known to write for its owner):
1. the reader's problems refuse it; its warnings go to the report;
2. the Feature's top-level `id` (and a `code` property) are taken off, the rest is checked by the
   camera API's input schema;
3. the owner must be one the caller writes for; an `operator_name` is linked to an organisation the
   caller may name (`import_operators`);
4. the key finds the camera to update (`import_keys`; an OSM node's heads together, `import_heads`);
5. create, update (only when something differs: `import_changes`) or leave unchanged.

New cameras are not written one at a time (docs/importing.md, "Large files"): a new camera is checked
where it is met (`bulk_cameras.DeferredCreates.stage`, in the record's SAVEPOINT, refusing what
`create_camera` refuses), its report entry made then, and the cameras kept back are written a batch at
a time (`BATCH_ROWS` records) by `bulk_cameras.BulkCameras`. Before a record whose key could find a
camera still kept back (the same owner's ref or OSM node; with key=position a spot nearby), the batch
is written first, so every lookup and every "already imported by row N" answer is what it would be if
each camera had been created at once. A camera the database refuses when its batch is written turns
its row into a refused row. The refs of the next `BATCH_ROWS` records are looked up in one query per
owner (`CameraKeys.prefetch`), forgotten as soon as a write may have changed them.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

import sqlalchemy as sa
from marshmallow import ValidationError
from shapely.geometry import Point
from sqlalchemy.orm import Session, SessionTransaction

from observo.domain import camera_rules, import_rows
from observo.domain.osm_tags import DIRECTION_KEYS
from observo.domain.permissions import Actor
from observo.errors import FieldIssue, InvalidInput, ObservoError
from observo.models import Camera
from observo.schemas.validation import issues_from_messages
from observo.services.bulk_cameras import BATCH_ROWS, CheckedRow, DeferredCreates, load_feature
from observo.services.cameras import (
    CameraWrite,
    decommission_camera,
    update_camera,
)
from observo.services.import_changes import changes, moved_m
from observo.services.import_heads import Head, match_heads
from observo.services.import_keys import (
    DUPLICATE_RADIUS_M,
    OSM_FORMATS,
    CameraKeys,
    key_kind,
    observo_id,
)
from observo.services.import_operators import OperatorMatcher
from observo.services.import_report import ImportReport

EXPUNGE_EVERY = 500  # rows between identity-map clears: memory stays flat on large files


@dataclass
class PreparedRow:
    """A row that passed the schema, with the Observo id it names and the notes it earned so far."""

    write: CameraWrite
    camera_id: int | None = None
    notes: list[FieldIssue] = field(default_factory=list)
    assumed: frozenset[str] = frozenset()  # filled in by the reader: for a new camera only


@dataclass
class Written:
    """What one record did: report entries, notes, and every camera it took (for duplicate keys)."""

    entries: list[tuple[str, int | None, dict[str, Any], float | None]] = field(default_factory=list)
    notes: list[FieldIssue] = field(default_factory=list)
    cameras: set[int] = field(default_factory=set)
    released: dict[int, str] = field(default_factory=dict)  # camera id -> the ref it gave up


def _duplicate(detail: str) -> InvalidInput:
    return InvalidInput(detail, [FieldIssue("", "duplicate_key", detail)])


class RecordSavepoint:
    """A record's SAVEPOINT, opened right before its first write (an update, a decommission, a ref
    released), so that a record the database refuses is rolled back alone. Most records of a large file
    only stage new cameras (written later, a batch at a time, each refusal named by `BulkCameras`):
    for them SAVEPOINT and RELEASE were two round trips a row for nothing. The lookups before a write
    take values the schema has bounded to what the database holds."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._nested: SessionTransaction | None = None

    def before_write(self) -> None:
        if self._nested is None:
            self._nested = self._session.begin_nested()

    def commit(self) -> None:
        if self._nested is not None:
            self._nested.commit()

    def rollback(self) -> bool:
        """Undo the record's writes; whether it had written anything."""
        if self._nested is None:
            return False
        self._nested.rollback()
        return True


class ImportRun:
    batch_rows = BATCH_ROWS  # records read ahead, and new cameras written at once

    def __init__(
        self, session: Session, actor: Actor, options: import_rows.ImportOptions, report: ImportReport
    ) -> None:
        self.session, self.actor, self.options, self.report = session, actor, options, report
        self.keys = CameraKeys(session)
        self.operators = OperatorMatcher(session, actor)
        self.owner_ids: dict[str, int] = {}  # owners a record has written for: only they hold kept cameras
        self.claimed: dict[int, int] = {}  # camera id -> the row that took it
        self.from_osm_file = report.format in OSM_FORMATS
        self.deferred = DeferredCreates(session, actor, self.batch_rows)
        self.row = 0  # the record being imported
        self.waiting: list[tuple[CheckedRow, dict[str, Any] | None]] = []  # kept back, its report entry
        self.savepoint = RecordSavepoint(session)  # the record's, once it writes

    # --- the loop --------------------------------------------------------------------------------

    def run(self, data: bytes, progress: Callable[[int], None] | None = None) -> None:
        summary = self.report.summary = import_rows.FileSummary(self.report.format)
        rows = import_rows.parse_rows(data, self.report.format, self.options, summary)
        done = 0
        records = _records(rows)
        while chunk := list(itertools.islice(records, self.batch_rows)):
            self._prefetch(chunk)
            for row, record in chunk:
                self._import_record(row, record)
                before, done = done, done + len(record)
                if done // EXPUNGE_EVERY != before // EXPUNGE_EVERY:
                    self.session.flush()
                    self.session.expunge_all()
                if progress is not None:
                    progress(done)
        self._flush()
        self.report.rows_read = done
        if done == 0 and not any(issue.code == "no_rows" for issue in summary.warnings):
            summary.warnings.append(FieldIssue("/file", "no_rows", "the file has no rows: nothing to import"))

    def _prefetch(self, chunk: list[tuple[int, list[import_rows.ParsedRow]]]) -> None:
        """The refs of the next records, one query per owner. Only owners the caller writes for: the
        others' rows are refused before any lookup."""
        wanted: dict[int, set[str]] = {}
        for _row, record in chunk:
            for parsed in record:
                properties = _properties(parsed)
                slug, ref = properties.get("owner") or self.options.owner, properties.get("ref")
                if not isinstance(slug, str) or not isinstance(ref, str):
                    continue
                try:
                    wanted.setdefault(self.deferred.writer.writable_owner_id(slug), set()).add(ref)
                except ObservoError:
                    continue
        self.keys.prefetch(wanted)

    def _import_record(self, row: int, record: list[import_rows.ParsedRow]) -> None:
        """One record, and the new cameras it staged kept back (or dropped, when it was refused)."""
        if self._may_find_kept(record):
            self._flush()
        self.row, listed = row, len(self.report.rows.items)
        self._check_and_write(row, record)
        if row in self.report.refused_rows:
            self.deferred.drop_staged()
            return
        staged = [checked for checked, _owner in self.deferred.staged]
        entries: list[dict[str, Any] | None] = [
            entry for entry in self.report.rows.items[listed:] if entry["action"] == "create"
        ]
        entries += [None] * (len(staged) - len(entries))  # entries past the report's list cap
        self.waiting.extend(zip(staged, entries, strict=True))
        self.deferred.keep_staged()
        if self.deferred.full:
            self._flush()

    def _may_find_kept(self, record: list[import_rows.ParsedRow]) -> bool:
        """Whether the record's key (ref, OSM node, or with key=position its spot) may name a camera
        kept back: decided before the record's SAVEPOINT, from the row as read."""
        for parsed in record:
            feature = parsed.feature if isinstance(parsed.feature, dict) else {}
            properties = _properties(parsed)
            owner_id = self.owner_ids.get(properties.get("owner") or self.options.owner or "")
            if owner_id is None:
                continue  # an owner no earlier row wrote for has no camera kept back
            ref, osm_id = properties.get("ref"), properties.get("osm_id")
            point = None
            if self.options.key == "position":
                with contextlib.suppress(TypeError, ValueError, KeyError, IndexError, AttributeError):
                    point = Point(feature["geometry"]["coordinates"][:2])
            if self.deferred.finds(
                owner_id,
                ref=ref if isinstance(ref, str) else None,
                osm_id=osm_id if isinstance(osm_id, int) else None,
                point=point,
            ):
                return True
        return False

    def _flush(self) -> None:
        """Write the cameras kept back; one the database refuses makes its row a refused row."""
        waiting, self.waiting = self.waiting, []
        self.keys.forget()  # the refs written are in the database now
        self.deferred.flush()
        for checked, entry in waiting:
            if checked.camera_id is not None:
                self.claimed[checked.camera_id] = checked.row
                if entry is not None and not self.report.dry_run:
                    entry["camera_id"] = checked.camera_id
            else:  # the database refused it (a key taken meanwhile...): the row is refused after all
                self.report.created -= 1
                self.report.rows.total -= 1
                if entry is not None:
                    self.report.rows.items.remove(entry)
                self.report.refuse(checked.row, checked.refused or [])

    def _check_and_write(self, row: int, record: list[import_rows.ParsedRow]) -> None:
        for parsed in record:
            self.report.warn(row, parsed.warnings)
        issues = [issue for parsed in record for issue in parsed.issues]
        if not issues and any(parsed.feature is None for parsed in record):
            issues.append(FieldIssue("", "invalid", "the row could not be read"))
        prepared = []
        for parsed in record if not issues else ():
            try:
                prepared.append(self._prepare(parsed.feature, parsed.assumed))
            except ValidationError as exc:
                issues.extend(issues_from_messages(exc.messages))
        if issues:
            self.report.refuse(row, issues)
            return
        savepoint = self.savepoint = RecordSavepoint(self.session)
        try:
            written = self._write_record(row, prepared)
        except ObservoError as exc:
            savepoint.rollback()
            self.report.refuse(row, exc.issues or [FieldIssue("", exc.code, exc.detail)])
            return
        except (sa.exc.StatementError, OverflowError) as exc:  # the database (or its driver) refuses a value
            if not savepoint.rollback():
                raise  # a lookup failed, not a write: a bug, and PostgreSQL's transaction is lost anyway
            # The first line only: PostgreSQL's DETAIL lines quote key values. Every constraint a row can
            # break concerns the row itself or cameras of an owner the caller writes for (checked first).
            detail = f"refused by the database: {str(getattr(exc, 'orig', exc)).splitlines()[0]}"
            self.report.refuse(row, [FieldIssue("", "conflict", detail)])
            return
        savepoint.commit()
        for action, camera_id, changed, moved in written.entries:
            self.report.change(row, action, camera_id, changed, moved)
        self.report.warn(row, [note for item in prepared for note in item.notes] + written.notes)
        self.claimed.update(dict.fromkeys(written.cameras, row))

    # --- one row: schema, Observo id ---------------------------------------------------------------

    def _prepare(self, feature: Any, assumed: frozenset[str] = frozenset()) -> PreparedRow:
        """The row checked by the camera API's schema, its Observo id (Feature id or code) set apart."""
        raw_id = code = None
        if isinstance(feature, dict):
            feature = dict(feature)
            raw_id = feature.pop("id", None)
            properties = feature.get("properties")
            if isinstance(properties, dict) and "code" in properties:
                properties = dict(properties)
                code = properties.pop("code")
                feature["properties"] = properties
        loaded = load_feature(feature)  # the camera API's input schema, on the properties given
        prepared = PreparedRow(
            CameraWrite(location=loaded["geometry"], attrs=loaded["properties"]), assumed=assumed
        )
        from_id, from_code = observo_id(raw_id), observo_id(code)
        if (raw_id is not None and from_id is None) or (code is not None and from_code is None):
            shown = raw_id if raw_id is not None and from_id is None else code
            detail = f"{shown!r} is not an Observo id or code (such as 42 or OBS-000042): not used as a key"
            prepared.notes.append(FieldIssue("/id", "id_ignored", detail))
        elif from_id and from_code and from_id != from_code:
            detail = (
                f"the id {from_id} and the code {code!r} name different cameras: neither is used as a key"
            )
            prepared.notes.append(FieldIssue("/id", "id_ignored", detail))
        else:
            prepared.camera_id = from_id or from_code
        return prepared

    # --- one record: owner, operator, key, write ---------------------------------------------------

    def _write_record(self, row: int, prepared: list[PreparedRow]) -> Written:
        written = Written()
        owners = [self._owner_id(item) for item in prepared]  # before any lookup by key
        for item in prepared:
            self._link_operator(item)
        kinds = [
            key_kind(self.options.key, item.write.attrs, item.camera_id, self.from_osm_file)
            for item in prepared
        ]
        nodes: dict[tuple[int, int], list[int]] = {}
        for index, kind in enumerate(kinds):
            if kind == "osm_id":
                nodes.setdefault((owners[index], prepared[index].write.attrs["osm_id"]), []).append(index)
        in_node = {index for members in nodes.values() for index in members}
        for (owner_id, osm_id), members in nodes.items():
            self._write_node(row, owner_id, osm_id, [prepared[index] for index in members], written)
        for index, item in enumerate(prepared):
            if index not in in_node:
                existing = self._find(row, kinds[index], owners[index], item)
                self._apply(item, owners[index], existing, kinds[index], written)
        return written

    def _owner_id(self, item: PreparedRow) -> int:
        """`writable_owner`, through the bulk writer's cache (`_prefetch` has looked most of them up)."""
        slug = item.write.attrs["owner"]
        self.owner_ids[slug] = self.deferred.writer.writable_owner_id(slug)
        return self.owner_ids[slug]

    def _link_operator(self, item: PreparedRow) -> None:
        """`operator_name` -> `operator` when it names an organisation the caller may name."""
        attrs = item.write.attrs
        name = attrs.get("operator_name")
        if name and "operator" not in attrs and (slug := self.operators.slug_for(name)):
            item.write = CameraWrite(item.write.location, {**attrs, "operator": slug})

    def _find(self, row: int, kind: str | None, owner_id: int, item: PreparedRow) -> Camera | None:
        attrs = item.write.attrs
        found = None
        if kind == "ref":
            found = self.keys.by_ref(owner_id, attrs["ref"])
        elif kind == "code" and item.camera_id is not None:
            found = self.keys.by_id(owner_id, item.camera_id)
            if found is None:
                # The same words whether the id names another owner's camera or none at all.
                detail = (
                    f"id {item.camera_id} names no camera of {attrs['owner']!r}: imported as a new camera"
                )
                item.notes.append(FieldIssue("/id", "unknown_id", detail))
        elif kind == "position" and item.write.location is not None:
            # every camera, those earlier rows took too: two rows at one spot under one name are one key
            found = self.keys.by_position(owner_id, item.write.location, attrs.get("name"), ())
        elif kind is None and self.options.key != "auto":
            detail = f"key={self.options.key} but the row has none: imported as a new camera"
            item.notes.append(FieldIssue(f"/{self.options.key}", "no_key", detail))
        if found is not None and found.id in self.claimed:
            raise _duplicate(f"row {self.claimed[found.id]} already imported the camera with this {kind}")
        return found

    def _write_node(
        self, row: int, owner_id: int, osm_id: int, heads: list[PreparedRow], written: Written
    ) -> None:
        """The heads of one OSM node. From an OSM file the record is the whole node: registered heads it
        no longer has are decommissioned. Elsewhere (an export's rows) each row takes its closest head."""
        replace = self.from_osm_file
        self.keys.forget()  # a node's heads may give refs up
        registered = self.keys.node_heads(owner_id, osm_id, () if replace else self.claimed)
        if replace and (taken := [camera for camera in registered if camera.id in self.claimed]):
            raise _duplicate(f"row {self.claimed[taken[0].id]} already imported OSM node {osm_id}")
        old = [Head(camera.bearing_deg, camera.status == "decommissioned") for camera in registered]
        matched, left = match_heads([item.write.attrs.get("bearing_deg") for item in heads], old)
        pairs = [
            (item, registered[j] if j is not None else None) for item, j in zip(heads, matched, strict=True)
        ]
        extras = [registered[j] for j in left] if replace else []
        if replace:
            self._free_refs(owner_id, pairs, extras, registered, written)
        for item, camera in pairs:
            if camera is not None and camera.status == "decommissioned" and "status" not in item.write.attrs:
                # the direction came back: its camera is back in service, history and all
                revived = {**item.write.attrs, "status": camera_rules.CREATE_DEFAULTS["status"]}
                item.write = CameraWrite(item.write.location, revived)
            self._apply(item, owner_id, camera, "osm_id", written)
        for camera in extras:
            before = camera.status
            self.savepoint.before_write()
            decommission_camera(
                self.session, self.actor, camera.id, camera.version, f"no longer a head of OSM node {osm_id}"
            )
            written.entries.append(
                ("decommission", camera.id, {"status": {"old": before, "new": "decommissioned"}}, None)
            )
            written.cameras.add(camera.id)

    def _free_refs(
        self,
        owner_id: int,
        pairs: list[tuple[PreparedRow, Camera | None]],
        extras: list[Camera],
        registered: list[Camera],
        written: Written,
    ) -> None:
        """Refs of an OSM node's heads (`ref/1`, `ref/2`...): a ref is unique per owner.

        A ref another camera of the owner holds (another node sharing the `ref` tag, a camera of
        another source) is left off the head, with a note: two OSM nodes are two cameras whatever their
        `ref`. A ref held by another head of this node (the directions were renumbered) is released
        from it first, in a write of its own.
        """
        node_ids = {camera.id for camera in registered}
        wanted: dict[str, int | None] = {}
        for item, camera in pairs:
            ref = item.write.attrs.get("ref")
            if not ref:
                continue
            holder = self.keys.ref_holder(owner_id, ref, node_ids)
            if holder is not None or ref in wanted:
                attrs = {name: value for name, value in item.write.attrs.items() if name != "ref"}
                item.write = CameraWrite(item.write.location, attrs)
                whose = f"camera {holder}" if holder is not None else "another head of this node"
                detail = f"ref {ref!r} is already {whose}'s: this camera is registered without it"
                item.notes.append(FieldIssue("/ref", "ref_in_use", detail))
                continue
            wanted[ref] = camera.id if camera is not None else None
        for camera in [camera for _item, camera in pairs if camera is not None] + extras:
            if camera.ref in wanted and wanted[camera.ref] != camera.id:
                detail = f"camera {camera.id} gives its ref {camera.ref!r} up to another head of the node"
                written.notes.append(FieldIssue("/ref", "ref_released", detail))
                written.released[camera.id] = camera.ref
                self.savepoint.before_write()
                update_camera(
                    self.session, self.actor, camera.id, camera.version, CameraWrite(attrs={"ref": None})
                )

    def _apply(
        self, item: PreparedRow, owner_id: int, existing: Camera | None, kind: str | None, written: Written
    ) -> None:
        write = item.write
        if existing is None:
            if (kind is None or kind == "position") and write.location is not None:
                self._note_nearby(owner_id, item)
            self.deferred.stage(self.row, write, owner_id)  # raises what create_camera raises
            written.entries.append(("create", None, {}, None))  # its id once written (`_flush`)
            return
        self.keys.forget()  # an update may move a ref
        written.cameras.add(existing.id)
        if item.assumed:  # what the file does not say leaves the registered camera as it is
            kept = {name: value for name, value in write.attrs.items() if name not in item.assumed}
            write = CameraWrite(write.location, kept)
        if self.from_osm_file:
            write = CameraWrite(write.location, _direction_withdrawn(existing, write.attrs))
        changed, moved = changes(existing, write), moved_m(existing, write.location)
        if existing.id in written.released and "ref" in changed:
            changed["ref"]["old"] = written.released[existing.id]
        if not changed and moved is None:
            written.entries.append(("unchanged", existing.id, {}, None))
            return
        self.savepoint.before_write()
        update_camera(self.session, self.actor, existing.id, existing.version, write)
        written.entries.append(("update", existing.id, changed, moved))

    def _note_nearby(self, owner_id: int, item: PreparedRow) -> None:
        """A new camera without a key next to one of its owner's: maybe the same one, imported twice."""
        assert item.write.location is not None
        nearby = self.keys.near(owner_id, item.write.location, DUPLICATE_RADIUS_M, self.claimed)
        if nearby:
            camera, metres = nearby[0]
            detail = (
                f"camera {camera.id} ({camera.name!r}) is {metres:.1f} m away: if it is the same camera, "
                "give the row its ref (or import with key=position) instead of registering it twice"
            )
            item.notes.append(FieldIssue("/geometry", "possible_duplicate", detail))


def _direction_withdrawn(camera: Camera, attrs: dict[str, Any]) -> dict[str, Any]:
    """A node whose direction tag is gone from OpenStreetMap: the direction its last import gave goes
    too (the node describes the camera). A direction the police gave one that never had a tag stays."""
    had = any(key in (camera.source_tags or {}) for key in DIRECTION_KEYS)
    has = any(key in (attrs.get("source_tags") or {}) for key in DIRECTION_KEYS)
    if not had or has or attrs.get("bearing_deg") is not None:
        return attrs
    return {**attrs, "bearing_deg": None, "hfov_deg": None, "direction_unknown": True}


def _records(rows: Iterator[import_rows.ParsedRow]) -> Iterator[tuple[int, list[import_rows.ParsedRow]]]:
    """Consecutive rows of the same record (an OSM node's heads share its row number)."""
    for row, group in itertools.groupby(rows, key=attrgetter("row")):
        yield row, list(group)


def _properties(parsed: import_rows.ParsedRow) -> dict[str, Any]:
    feature = parsed.feature if isinstance(parsed.feature, dict) else {}
    properties = feature.get("properties")
    return properties if isinstance(properties, dict) else {}
