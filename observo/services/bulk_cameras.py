"""Many cameras created at once, each with exactly the effects of `create_camera`.

Through `create_camera` a new camera of an import costs an owner lookup, an ORM flush of two rows, a
PROJ pipeline for its sector and a SAVEPOINT: 3 to 4 ms, and on PostgreSQL one run of the cell
counts' statement trigger per camera. Here each row is checked as `create_camera` checks it, in its
order (position, owner, operator, field of view, consistency; the organisations a slug names looked
up once per writer); a batch's sectors are drawn together (`fov.resolve_planned`); and the batch is
written with two statements whatever its size, the cameras and their first status (PostgreSQL: one
INSERT ... SELECT FROM json_to_recordset(<the batch as JSON>), ids drawn from the sequence; SQLite:
executemany, ids following the first row's). Their `camera.create` audit entries are queued as
`camera_audit.record_change` queues them, so they are numbered and sealed right before COMMIT like any
other (docs/security.md, "Holding the chain"). A batch the database refuses is written again a row at a
time, each in its own SAVEPOINT, so the refused row is named and the others still go in. The batch's
visible areas (services/visible_areas.py) are then computed and stored together.

`DeferredCreates` is how an import's row loop uses it. Also here: `load_feature`, the camera API's
input schema restricted to the properties a row has (the same answers, about 30 % faster on a
municipal CSV row), and look-ups of cameras by the keys imports use, a batch at a time.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import shapely
import sqlalchemy as sa
from geoalchemy2 import Geometry
from shapely.geometry import Point
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from observo.domain import camera_rules, fov
from observo.domain.generalise import snap_to_grid
from observo.domain.permissions import Actor, can_write_for
from observo.errors import FieldIssue, Forbidden, InvalidInput, ObservoError
from observo.models import Camera, CameraStatusChange
from observo.models.base import utcnow
from observo.schemas.camera import CameraAttributes, CameraFeatureInput
from observo.services import camera_audit, visible_areas
from observo.services.cameras import SRID, CameraWrite
from observo.services.organisations import nameable_organisation
from observo.services.scope import readable_cameras

BATCH_ROWS = 500  # rows a statement writes: the cameras' parameters stay well below the drivers' limits
# What create_camera resolves itself instead of copying from the input (services/cameras.py `_DERIVED`).
_DERIVED = ("owner", "operator", "fov", "fov_method", "range_m")
_CONSISTENCY = ("records", "retention_hours", "valid_from", "valid_until", "temporary")
_CAMERAS = Camera.__table__
_STATUS_CHANGES = CameraStatusChange.__table__


@dataclass(frozen=True)
class BulkRow:
    """One camera to create, and the row of the file it came from (for the report)."""

    row: int
    write: CameraWrite


@dataclass
class BulkOutcome:
    """(row, new camera id) for the cameras written, (row, issues) for the refused ones, in row order
    (an OSM node's heads share their row)."""

    created: list[tuple[int, int]] = field(default_factory=list)
    refused: list[tuple[int, list[FieldIssue]]] = field(default_factory=list)


@dataclass(frozen=True)
class _Organisation:
    """What a camera takes from its owner or operator (plain values: the session may be expunged)."""

    id: int
    slug: str
    istat_code: str | None
    public_precision_m: int


@dataclass
class CheckedRow:
    """A row that passed `create_camera`'s checks: its column values as they leave them on the Camera
    (the sector still to draw, for the batch at once)."""

    row: int
    location: Point
    owner: _Organisation
    operator: _Organisation | None
    values: dict[str, Any]
    plan: fov.SectorPlan | None = None  # a computed sector, drawn for the whole batch at once
    public: Point | None = None  # the public position, once the row is written
    camera_id: int | None = None  # once written
    refused: list[FieldIssue] | None = None  # when the database refused it


def _batched(items: Iterable[Any], size: int) -> Iterable[list[Any]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def issues_of(error: ObservoError) -> list[FieldIssue]:
    """A refused row's issues, as the import reports an error `create_camera` raises."""
    return error.issues or [FieldIssue("", error.code, error.detail)]


def database_issue(error: Exception) -> FieldIssue:
    """A value the database (or its driver) refuses. The first line only: PostgreSQL's DETAIL lines
    quote key values."""
    return FieldIssue(
        "", "conflict", f"refused by the database: {str(getattr(error, 'orig', error)).splitlines()[0]}"
    )


class BulkCameras:
    """Creates cameras for one actor in one session; remembers the organisations its rows name."""

    def __init__(self, session: Session, actor: Actor, batch_rows: int = BATCH_ROWS) -> None:
        self.session = session
        self.actor = actor
        self.batch_rows = batch_rows
        self._organisations: dict[tuple[str, str], _Organisation | ObservoError] = {}

    def create(self, rows: Iterable[BulkRow]) -> BulkOutcome:
        """Create a camera for every row that `create_camera` would accept, in row order."""
        outcome = BulkOutcome()
        for batch in _batched(rows, self.batch_rows):
            checked: list[CheckedRow] = []
            for item in batch:
                try:
                    checked.append(self.check(item))
                except ObservoError as error:
                    outcome.refused.append((item.row, issues_of(error)))
            self.write(checked, outcome)
        outcome.refused.sort(key=lambda pair: pair[0])  # stable: a row's issues keep their order
        return outcome

    def write(self, checked: Sequence[CheckedRow], outcome: BulkOutcome) -> None:
        """Write rows `check` passed (at most `batch_rows` at a time): their sectors drawn together."""
        for batch in _batched(checked, self.batch_rows):
            planned = [each for each in batch if each.plan is not None]
            for each, resolved in zip(planned, fov.resolve_planned([p.plan for p in planned]), strict=True):
                _apply_fov(each.values, resolved)
            self._write(batch, outcome)
            # The batch's visible areas, in one pass: its cameras' obstacles fetched together.
            visible_areas.recompute(self.session, [each.camera_id for each in batch if each.camera_id])

    # --- checks, in create_camera's order ------------------------------------------------------

    def check(self, item: BulkRow) -> CheckedRow:
        """`create_camera`'s checks, in its order; raises what it raises (InvalidInput, Forbidden...)."""
        write = item.write
        if write.location is None:
            raise InvalidInput("a camera needs a position", [FieldIssue("/geometry", "required", "missing")])
        attrs = {**camera_rules.CREATE_DEFAULTS, **write.attrs}
        owner = self._writable(attrs["owner"])
        operator = None
        if "operator" in attrs and attrs["operator"]:
            operator = self._nameable(attrs["operator"], "operator")
        values = {name: value for name, value in attrs.items() if name not in _DERIVED}
        values["municipality"] = values.get("municipality") or owner.istat_code
        checked = CheckedRow(item.row, write.location, owner, operator, values)
        # _apply_fov of a new camera: its optics changed, and it has no drawn sector to keep.
        if values.get("bearing_deg") is not None:  # a known direction ends "unknown"
            values["direction_unknown"] = False
        optics = fov.Optics(
            lon=write.location.x,
            lat=write.location.y,
            camera_type=values.get("camera_type"),  # type: ignore[arg-type]
            surveillance_type=values.get("surveillance_type"),  # type: ignore[arg-type]
            bearing_deg=values.get("bearing_deg"),
            hfov_deg=values.get("hfov_deg"),
            tilt_deg=values.get("tilt_deg"),
            range_m=attrs.get("range_m"),
            height_m=values.get("height_m"),
            direction_unknown=values.get("direction_unknown"),  # type: ignore[arg-type]
        )
        drawn = attrs.get("fov")
        if drawn is not None:
            _apply_fov(values, fov.resolve_fov(optics, drawn))
        else:
            checked.plan = fov.plan_sector(optics)
        camera_rules.check_consistency({name: values.get(name) for name in _CONSISTENCY})
        return checked

    def writable_owner_id(self, slug: str) -> int:
        """`writable_owner(session, actor, slug).id`, looked up once per writer: check a row's owner
        with it before looking its key up, so a row naming an owner the caller may not write for
        learns nothing of that owner's cameras."""
        return self._writable(slug).id

    def _writable(self, slug: str) -> _Organisation:
        """`writable_owner`: unknown or hidden is a 422, seen but not writable a 403."""
        owner = self._nameable(slug, "owner")
        if not can_write_for(self.actor, owner.id):
            raise Forbidden(f"you may not register cameras for {slug!r}")
        return owner

    def _nameable(self, slug: str, field_name: str) -> _Organisation:
        key = (slug, field_name)
        if key not in self._organisations:
            try:
                found = nameable_organisation(self.session, self.actor, slug, f"/properties/{field_name}")
                self._organisations[key] = _Organisation(
                    found.id, found.slug, found.istat_code, found.public_precision_m
                )
            except ObservoError as error:
                self._organisations[key] = error
        known = self._organisations[key]
        if isinstance(known, ObservoError):
            raise known
        return known

    # --- writing --------------------------------------------------------------------------------

    def _write(self, pending: list[CheckedRow], outcome: BulkOutcome) -> None:
        if not pending:
            return
        now = utcnow()
        for each in pending:
            each.public = Point(snap_to_grid(each.location.x, each.location.y, each.owner.public_precision_m))
        geometries = zip(
            *(_ewkt([getattr(each, name) for each in pending]) for name in ("location", "public")),
            _ewkt([each.values["fov"] for each in pending]),
            strict=True,
        )
        rows = [self._camera_row(each, now, *texts) for each, texts in zip(pending, geometries, strict=True)]
        written: list[tuple[CheckedRow, int]] = []
        try:
            with self.session.begin_nested():
                ids = self._insert(rows, pending, now)
            written = list(zip(pending, ids, strict=True))
        except (sa.exc.StatementError, OverflowError):
            for each, row in zip(pending, rows, strict=True):  # again, one at a time: which row?
                try:
                    with self.session.begin_nested():
                        (camera_id,) = self._insert([row], [each], now)
                    written.append((each, camera_id))
                except (sa.exc.StatementError, OverflowError) as error:
                    each.refused = [database_issue(error)]
                    outcome.refused.append((each.row, each.refused))
        for each, camera_id in written:
            each.camera_id = camera_id
            outcome.created.append((each.row, camera_id))
        snapshots = camera_audit.snapshots_of(
            [
                (
                    {**each.values, "location": each.location, "public_location": each.public},
                    each.owner.slug,
                    each.operator.slug if each.operator is not None else None,
                )
                for each, _camera_id in written
            ]
        )
        entries = [
            (camera_id, each.owner.id, snapshot)
            for (each, camera_id), snapshot in zip(written, snapshots, strict=True)
        ]
        camera_audit.record_creates(self.session, self.actor, entries)

    def _insert(self, rows: list[dict[str, Any]], pending: list[CheckedRow], now: Any) -> list[int]:
        ids = self._insert_cameras(rows)
        statuses = [
            {
                "camera_id": camera_id,
                "from_status": None,
                "to_status": each.values["status"],
                "changed_at": now,
                "changed_by_id": self.actor.user_id,
                "note": None,
            }
            for each, camera_id in zip(pending, ids, strict=True)
        ]
        if self.session.get_bind().dialect.name == "postgresql":
            _recordset_insert(self.session, _STATUS_CHANGES, statuses)
        else:
            self.session.execute(sa.insert(_STATUS_CHANGES), statuses)
        return ids

    def _insert_cameras(self, rows: list[dict[str, Any]]) -> list[int]:
        """Insert the rows with the ids the database would give them one by one, in order."""
        if self.session.get_bind().dialect.name == "postgresql":
            # One statement for the batch: the cell counts' statement triggers then run once, not once
            # a row (~4 ms each), and the rows travel as one JSON parameter, not 60 per row.
            sequence = sa.func.pg_get_serial_sequence(_CAMERAS.name, "id")
            draw = sa.select(sa.func.nextval(sequence)).select_from(sa.func.generate_series(1, len(rows)))
            ids = sorted(self.session.scalars(draw))
            _recordset_insert(
                self.session, _CAMERAS, [{**r, "id": i} for r, i in zip(rows, ids, strict=True)]
            )
            return ids
        # SQLite (row triggers either way): executemany, one statement prepared once. SQLite gives
        # max(id) + 1: the first row takes the write lock (if the transaction did not hold it yet) and
        # its id, and no other writer can insert before the rest follow it.
        first = self.session.execute(_insert_cameras().returning(_CAMERAS.c.id), rows[0]).scalar_one()
        ids = list(range(first, first + len(rows)))
        if len(rows) > 1:
            following = [{**row, "id": id_} for row, id_ in zip(rows[1:], ids[1:], strict=True)]
            self.session.execute(_insert_cameras(), following)
        return ids

    def _camera_row(
        self, each: CheckedRow, now: Any, location: str, public: str, sector: str
    ) -> dict[str, Any]:
        """The INSERT's parameters: what the ORM would send for the same Camera (geometries as EWKT)."""
        values = each.values
        row = {}
        for name, default in _INSERTED:
            value = values.get(name)
            if value is None and name in values and name in _JSON_COLUMNS:
                value = sa.JSON.NULL  # the ORM writes JSON null for a None it was given, SQL NULL otherwise
            elif value is None:
                value = default  # the ORM leaves a None out, and the column's default fills it
            row[name] = value
        row.update(
            owner_id=each.owner.id,
            operator_id=each.operator.id if each.operator is not None else None,
            location=location,
            public_location=public,
            fov=sector,
            version=1,
            created_at=now,
            updated_at=now,
            created_by_id=self.actor.user_id,
            updated_by_id=self.actor.user_id,
        )
        return row


def _ewkt(shapes: list[Any]) -> list[str]:
    """As GeoAlchemy2 binds a WKBElement: EWKT with every digit (WKT and WKB round-trip exactly)."""
    return [f"SRID={SRID};{text}" for text in shapely.to_wkt(shapes, rounding_precision=-1)]


# (column, the default the ORM's INSERT applies when the Camera's value is None) of every column but id
_INSERTED = tuple(
    (column.key, column.default.arg if column.default is not None and column.default.is_scalar else None)
    for column in Camera.__table__.columns
    if column.key != "id"
)
_JSON_COLUMNS = frozenset(column.key for column in _CAMERAS.columns if isinstance(column.type, sa.JSON))


@lru_cache(maxsize=1)
def _insert_cameras() -> sa.Insert:
    """INSERT INTO cameras; JSON columns take SQL NULL for None and JSON null for `sa.JSON.NULL`."""
    json_values = {name: sa.bindparam(name, type_=sa.JSON(none_as_null=True)) for name in _JSON_COLUMNS}
    return sa.insert(_CAMERAS).values(json_values)


def _recordset_insert(session: Session, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """INSERT INTO table SELECT ... FROM json_to_recordset(<the rows as one JSON document>): many rows
    in one statement on PostgreSQL (statement triggers run once; one parameter, which the JSON encoder
    writes in C, where psycopg would escape every element of an array a column in Python).

    The columns are those of the first row. Each value goes through its column type's own bind
    processing, as the ORM's INSERT would send it; numbers keep every digit (shortest round-trip
    form); texts are typed unsized, so one too long is refused by the column as in a row-by-row
    INSERT, never truncated by a cast.
    """
    dialect = session.get_bind().dialect
    columns = [column for column in table.columns if column.key in rows[0]]
    serialize = getattr(dialect, "_json_serializer", None) or json.dumps  # what the JSON type sends
    records = [dict(row) for row in rows]
    for column in columns:
        name, kind = (
            column.key,
            column.type.impl if isinstance(column.type, sa.TypeDecorator) else column.type,
        )
        process = column.type.dialect_impl(dialect).bind_processor(dialect)
        if isinstance(column.type, sa.JSON):  # None is SQL NULL, sa.JSON.NULL the JSON null (_camera_row)
            for record in records:
                value = record[name]
                record[name] = (
                    None if value is None else "null" if value is sa.JSON.NULL else serialize(value)
                )
        elif (process is not None and not isinstance(column.type, Geometry)) or isinstance(
            kind, sa.Date | sa.DateTime
        ):
            try:  # every processor maps None to None: only values are processed
                for record in records:
                    value = record[name]
                    if value is not None:
                        value = process(value) if process is not None else value
                        record[name] = value.isoformat() if isinstance(value, date | datetime) else value
            except (ValueError, LookupError, TypeError) as error:  # as the ORM's INSERT would raise it
                raise sa.exc.StatementError(str(error), f"INSERT INTO {table.name}", None, error) from error
    statement = _recordset_sql(table, tuple(column.key for column in columns))
    session.execute(statement, {"rows": json.dumps(records, ensure_ascii=False, allow_nan=False)})


@lru_cache(maxsize=8)
def _recordset_sql(table: sa.Table, names: tuple[str, ...]) -> sa.TextClause:
    fields, selected = [], []
    for name in names:
        base, expression = _pg_record_type(table.c[name])
        fields.append(f"{name} {base}")
        selected.append(expression.format(f"t.{name}"))
    return sa.text(
        f"INSERT INTO {table.name} ({', '.join(names)}) SELECT {', '.join(selected)} "
        f"FROM json_to_recordset(CAST(:rows AS json)) AS t({', '.join(fields)})"
    )


def _pg_record_type(column: sa.Column[Any]) -> tuple[str, str]:
    """(the field's type in the JSON record, the expression that turns it into the column's value)."""
    kind = column.type.impl if isinstance(column.type, sa.TypeDecorator) else column.type
    if isinstance(kind, Geometry):
        return "text", "ST_GeomFromEWKT({})"
    if isinstance(kind, sa.JSON):
        return "text", "CAST({} AS json)"  # the JSON type's own text, as the ORM sends it
    for python_type, base in (
        (sa.String, "varchar"),
        (sa.BigInteger, "bigint"),
        (sa.Integer, "integer"),
        (sa.Float, "double precision"),
        (sa.Boolean, "boolean"),
        (sa.DateTime, "timestamp without time zone"),
        (sa.Date, "date"),
    ):
        if isinstance(kind, python_type):
            return base, "{}"
    raise TypeError(f"no JSON record type for {column.table.name}.{column.key} ({column.type!r})")


def _apply_fov(values: dict[str, Any], resolved: fov.ResolvedFov) -> None:
    values["fov"] = resolved.polygon
    values["fov_method"] = resolved.method
    values["hfov_deg"] = resolved.hfov_deg
    values["range_m"] = resolved.range_m
    values["range_derived"] = resolved.range_derived
    if resolved.hfov_deg >= 360:  # an all-round head has no direction to know
        values["direction_unknown"] = False


# --- an import's new cameras, kept back for a batch ------------------------------------------------

_CELL_DEG = 1e-4  # ~11 m of latitude: a spot's neighbouring cells hold every point within `reach_m`


class DeferredCreates:
    """The new cameras of an import, kept back and written a batch at a time by `BulkCameras`.

    The row loop checks each new camera where it would have created it (`stage`: the same refusals, in
    the record's own SAVEPOINT), keeps the record's cameras once the record is through (`keep_staged`,
    or `drop_staged` when it was refused), and writes them when the batch is `full` and at the end
    (`flush`). A later row whose key could find one of them (the same owner's `ref` or OSM node, or a
    spot within `reach_m`) flushes first (`finds`), so it meets them in the database exactly as if
    each had been created at once: the same lookups, the same "already imported by row N" answers.
    """

    def __init__(
        self, session: Session, actor: Actor, batch_rows: int = BATCH_ROWS, reach_m: float = 10.0
    ) -> None:
        self.writer = BulkCameras(session, actor, batch_rows)
        self.batch_rows = batch_rows
        self.reach_m = reach_m
        self.kept: list[CheckedRow] = []
        self.staged: list[tuple[CheckedRow, int]] = []
        self._refs: set[tuple[int, str]] = set()
        self._nodes: set[tuple[int, int]] = set()
        self._cells: set[tuple[int, int, int]] = set()

    def stage(self, row: int, write: CameraWrite, owner_id: int) -> CheckedRow:
        """Check a new camera as `create_camera` would (raising what it raises); keep it aside. Its
        `camera_id` (or `refused`) is set when it is written."""
        checked = self.writer.check(BulkRow(row, write))
        self.staged.append((checked, owner_id))
        return checked

    def keep_staged(self) -> None:
        for checked, owner_id in self.staged:
            self.kept.append(checked)
            if checked.values.get("ref"):
                self._refs.add((owner_id, checked.values["ref"]))
            if checked.values.get("osm_id"):
                self._nodes.add((owner_id, checked.values["osm_id"]))
            self._cells.add((owner_id, *_cell(checked.location)))
        self.staged = []

    def drop_staged(self) -> None:
        self.staged = []

    @property
    def full(self) -> bool:
        return len(self.kept) >= self.batch_rows

    def finds(
        self, owner_id: int, *, ref: str | None = None, osm_id: int | None = None, point: Point | None = None
    ) -> bool:
        """Whether a lookup by this key could find a camera kept back (then flush first)."""
        if ref is not None and (owner_id, ref) in self._refs:
            return True
        if osm_id is not None and (owner_id, osm_id) in self._nodes:
            return True
        if point is not None:
            x, y = _cell(point)
            # a cell is narrower than 1e-4 of a degree's 110 km of latitude, cos(lat) x 111 km of longitude
            across = math.ceil(self.reach_m / (_CELL_DEG * 110_000))
            along = math.ceil(
                self.reach_m / (_CELL_DEG * 111_000 * max(math.cos(math.radians(point.y)), 0.01))
            )
            return any(
                (owner_id, x + dx, y + dy) in self._cells
                for dx in range(-along, along + 1)
                for dy in range(-across, across + 1)
            )
        return False

    def flush(self) -> BulkOutcome:
        """Write the cameras kept back: (row, new id), and (row, issues) for those the database refused."""
        kept, self.kept = self.kept, []
        self._refs.clear()
        self._nodes.clear()
        self._cells.clear()
        outcome = BulkOutcome()
        self.writer.write(kept, outcome)
        return outcome


def _cell(point: Point) -> tuple[int, int]:
    return math.floor(point.x / _CELL_DEG), math.floor(point.y / _CELL_DEG)


# --- validation -------------------------------------------------------------------------------------

_FEATURE = CameraFeatureInput()
_PROPERTIES = CameraAttributes()
_PROPERTY_ORDER = tuple(_PROPERTIES.load_fields)
_REQUIRED = frozenset(name for name, declared in _PROPERTIES.load_fields.items() if declared.required)


def load_feature(feature: Any) -> dict[str, Any]:
    """`CameraFeatureInput().load(feature)`: the same result, or the same ValidationError with the same
    messages in the same order, but loaded by the schema restricted to the properties the Feature has
    and the required ones (built once per set of names): an import row names a few of the 55."""
    properties = feature.get("properties") if isinstance(feature, dict) else None
    if not isinstance(properties, dict):
        return _FEATURE.load(feature)
    names = tuple(name for name in _PROPERTY_ORDER if name in properties or name in _REQUIRED)
    return _feature_schema(names).load(feature)


@lru_cache(maxsize=256)
def _feature_schema(names: tuple[str, ...]) -> CameraFeatureInput:
    # Declared order kept: errors come out in the order the full schema gives them.
    return CameraFeatureInput(only=("type", "geometry", *(f"properties.{name}" for name in names)))


# --- look-ups by key, a batch at a time ------------------------------------------------------------

LOOKUP_CHUNK = 500  # values in one IN (...)


def cameras_by_ref(session: Session, owner_id: int, refs: Iterable[str]) -> dict[str, Camera]:
    """The owner's cameras with these refs (a query or two per LOOKUP_CHUNK refs)."""
    found: dict[str, Camera] = {}
    for chunk in _batched(sorted(set(refs)), LOOKUP_CHUNK):
        if session.get_bind().dialect.name == "postgresql":
            # One probe of the (owner, ref) index a ref: during a long import the table's statistics
            # still describe it as it was, and the planner would hash every camera of the owner for
            # each batch (0.14 s a batch at 40,000 cameras, growing); then the few found, in full.
            ids = list(session.scalars(_REFS_PROBE, {"owner": owner_id, "refs": chunk}))
            stmt = sa.select(Camera).where(Camera.id.in_(ids)) if ids else None
        else:
            stmt = sa.select(Camera).where(Camera.owner_id == owner_id, Camera.ref.in_(chunk))
        if stmt is not None:
            found.update((camera.ref, camera) for camera in session.scalars(stmt))  # type: ignore[misc]
    return found


_REFS_PROBE = sa.text(
    "SELECT c.id FROM unnest(CAST(:refs AS varchar[])) AS r(ref) "
    "CROSS JOIN LATERAL (SELECT id FROM cameras WHERE owner_id = :owner AND ref = r.ref LIMIT 1) AS c"
)


def cameras_by_osm_id(session: Session, owner_id: int, osm_ids: Iterable[int]) -> dict[int, list[Camera]]:
    """The owner's cameras without a ref that carry these OSM ids, by id (a node's heads share one)."""
    found: dict[int, list[Camera]] = {}
    for chunk in _batched(sorted(set(osm_ids)), LOOKUP_CHUNK):
        stmt = sa.select(Camera).where(
            Camera.owner_id == owner_id, _among(session, Camera.osm_id, chunk), Camera.ref.is_(None)
        )
        for camera in session.scalars(stmt.order_by(Camera.id)):
            found.setdefault(camera.osm_id, []).append(camera)  # type: ignore[arg-type]
    return found


def cameras_by_id(session: Session, actor: Actor, ids: Iterable[int]) -> dict[int, Camera]:
    """The cameras with these ids that `actor` may read (an Observo export's `id`/`code` column)."""
    found: dict[int, Camera] = {}
    for chunk in _batched(sorted(set(ids)), LOOKUP_CHUNK):
        stmt = sa.select(Camera).where(_among(session, Camera.id, chunk), readable_cameras(actor))
        found.update((camera.id, camera) for camera in session.scalars(stmt))
    return found


def _among(session: Session, column: Any, values: Sequence[Any]) -> sa.ColumnElement[bool]:
    """`column IN (values)`; on PostgreSQL `column IN (SELECT unnest(<one array>))`: 500 separate
    parameters cost psycopg a parse per batch, and `= ANY(<array>)` turns, once psycopg prepares the
    statement, into a generic plan comparing every camera of the owner with every value (0.2 s a batch
    at 15,000 cameras, growing)."""
    if session.get_bind().dialect.name != "postgresql":
        return column.in_(values)
    element = sa.String() if isinstance(column.type, sa.String) else column.type  # unsized: no truncation
    array = sa.bindparam(None, list(values), type_=postgresql.ARRAY(element))
    return column.in_(sa.select(sa.func.unnest(array)))
