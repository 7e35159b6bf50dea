"""Bulk creation does exactly what `create_camera` does row by row, on both databases: the same camera
rows, status rows, audit entries and refusals (with their row numbers), and a chain that verifies.
Also: the batch's sectors equal `fov.sector`'s, and the restricted schema answers as the full one."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
import shapely
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError
from shapely.geometry import Point

from observo.domain import fov
from observo.domain.permissions import SYSTEM
from observo.errors import ObservoError
from observo.models import Camera, CameraStatusChange
from observo.schemas.camera import CameraAttributes, CameraFeatureInput
from observo.schemas.validation import issues_from_messages
from observo.services import audit, audit_chain, bulk_cameras
from observo.services.actors import actor_for
from observo.services.cameras import CameraWrite, create_camera
from tests import factories

SCHEMA = CameraFeatureInput()
FOV_TOLERANCE_DEG = 1e-9
LON, LAT = factories.TURIN


# --- sectors for a batch ----------------------------------------------------------------------------

_bearings = st.floats(-720, 720, allow_nan=False)
_hfovs = st.one_of(
    st.floats(1, 360), st.sampled_from([1.0, 5.0, 4.999, 60.0, 359.4, fov.FULL_CIRCLE_DEG, 360.0])
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(6.6, 18.5),
            st.floats(36.0, 47.1),
            st.one_of(st.none(), _bearings),
            _hfovs,
            st.floats(1, 500),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_sectors_equal_sector_within_a_billionth_of_a_degree(cameras: list[tuple]) -> None:
    cameras = [
        (lon, lat, 0.0 if b is None and h < fov.FULL_CIRCLE_DEG else b, h, r) for lon, lat, b, h, r in cameras
    ]
    columns = [
        np.array([c[i] if c[i] is not None else np.nan for c in cameras], dtype=float) for i in range(5)
    ]
    batch = fov.sectors(*columns)
    for (lon, lat, bearing, hfov, range_m), polygon in zip(cameras, batch, strict=True):
        alone = fov.sector(lon, lat, bearing, hfov, range_m)
        assert _same_polygon(alone, polygon)


def test_planned_sectors_resolve_as_resolve_fov() -> None:
    optics = [
        fov.Optics(LON, LAT, "fixed", bearing_deg=90.0, range_m=80.0),
        fov.Optics(LON, LAT, "dome"),
        fov.Optics(LON, LAT, "fixed", direction_unknown=True, height_m=6.0, tilt_deg=20.0),
        fov.Optics(LON, LAT, "fixed", surveillance_type="alpr", bearing_deg=359.9, hfov_deg=30.0),
        fov.Optics(LON, LAT, "panorama", bearing_deg=10.0, hfov_deg=359.7),
    ]
    batch = fov.resolve_planned([fov.plan_sector(each) for each in optics])
    for each, resolved in zip(optics, batch, strict=True):
        alone = fov.resolve_fov(each)
        assert (resolved.method, resolved.hfov_deg, resolved.range_m, resolved.range_derived) == (
            alone.method,
            alone.hfov_deg,
            alone.range_m,
            alone.range_derived,
        )
        assert _same_polygon(alone.polygon, resolved.polygon)


def test_a_narrow_head_without_bearing_is_refused_when_planned_as_when_resolved() -> None:
    optics = fov.Optics(LON, LAT, "fixed")
    with pytest.raises(ObservoError) as planned:
        fov.plan_sector(optics)
    with pytest.raises(ObservoError) as resolved:
        fov.resolve_fov(optics)
    assert planned.value.issues == resolved.value.issues


def _same_polygon(a: Any, b: Any) -> bool:
    ca, cb = shapely.get_coordinates(a), shapely.get_coordinates(b)
    return ca.shape == cb.shape and float(np.abs(ca - cb).max()) <= FOV_TOLERANCE_DEG


# --- the same rows, one at a time and in bulk ---------------------------------------------------------


def _feature(owner: str, lon: float = LON, lat: float = LAT, **properties: Any) -> dict[str, Any]:
    base = {"name": f"Bulk {properties.get('ref', '')}".strip(), "owner": owner, "camera_type": "fixed"}
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {**base, **properties},
    }


DRAWN_FOV = {
    "type": "Polygon",
    "coordinates": [[[LON, LAT], [LON + 0.0008, LAT], [LON + 0.0008, LAT + 0.0006], [LON, LAT]]],
}


def _rows(owner: str, partner: str, hidden: str, force: str) -> list[dict[str, Any]]:
    """Rows of every kind `create_camera` treats differently, and rows it refuses."""
    return [
        _feature(owner, ref="A1", bearing_deg=90, range_m=60, retention_hours=168),
        _feature(owner, 7.69, 45.07, ref="A2", camera_type="dome", retention_hours=24, municipality="001272"),
        _feature(owner, ref="A3", direction_unknown=True, height_m=6, tilt_deg=25, records=False),
        _feature(owner, ref="A4", bearing_deg=10, hfov_deg=359.8, records=False, source_tags=None),
        _feature(
            owner, ref="A5", bearing_deg=200, records=False, source_tags={"camera:mount": "mast", "note": "è"}
        ),
        _feature(owner, ref="A6", fov_method="drawn", fov=DRAWN_FOV, bearing_deg=60, records=False),
        _feature(owner, ref="A7", bearing_deg=45, retention_hours=48, operator=partner, status="planned"),
        _feature(
            owner,
            ref="A8",
            bearing_deg=300,
            records=False,
            temporary=True,
            valid_from="2026-01-01",
            valid_until="2026-12-31",
            surveillance_type="alpr",
            visibility="public",
            osm_id=123456789012,
            licence="ODbL-1.0",
            operator_name="Gestore Srl",
        ),
        _feature(owner, ref="B1", records=True),  # refused: a fixed camera needs a bearing
        _feature(owner, ref="B2", bearing_deg=1, records=True),  # refused: records without retention
        _feature(hidden, ref="B3", bearing_deg=1, records=False),  # refused: an owner it may not see
        _feature(force, ref="B4", bearing_deg=1, records=False),  # refused: seen, not written for
        _feature(owner, ref="B5", bearing_deg=1, records=False, operator=hidden),  # refused: operator hidden
        # refused: a drawn sector a kilometre from its camera
        _feature(owner, lon=LON, lat=LAT + 0.01, ref="B6", fov_method="drawn", fov=DRAWN_FOV, records=False),
        _feature(owner, ref="A9", bearing_deg=359.999, hfov_deg=1, range_m=500, records=False),
    ]


@pytest.fixture
def world(session):
    owner = factories.org(session, "bulk-torino", istat_code="001272", public_precision_m=250)
    partner = factories.org(session, "bulk-gestore", kind="private", sponsor_slug="bulk-torino")
    hidden = factories.org(session, "bulk-milano")
    force = factories.org(session, "bulk-carabinieri", kind="carabinieri")
    editor = actor_for(session, factories.user(session, owner, "editor"))
    rows = _rows(owner.slug, partner.slug, hidden.slug, force.slug)
    writes = []
    for feature in rows:
        loaded = SCHEMA.load(feature)
        writes.append(CameraWrite(loaded["geometry"], loaded["properties"]))
    return editor, writes


def _count_camera_inserts(session) -> list[str]:
    """The INSERTs into cameras the session's connection runs from now on (to the test's end)."""
    seen: list[str] = []
    connection = session.connection()

    def count(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO CAMERAS "):
            seen.append(statement)

    sa.event.listen(connection, "before_cursor_execute", count)
    return seen


def _one_by_one(session, actor, writes) -> tuple[list[int], dict[int, list]]:
    created, refused = [], {}
    for row, write in enumerate(writes, start=2):
        try:
            with session.begin_nested():
                created.append(create_camera(session, actor, write).id)
        except ObservoError as error:
            refused[row] = bulk_cameras.issues_of(error)
    return created, refused


def _in_bulk(session, actor, writes, batch_rows: int = bulk_cameras.BATCH_ROWS):
    rows = [bulk_cameras.BulkRow(row, write) for row, write in enumerate(writes, start=2)]
    outcome = bulk_cameras.BulkCameras(session, actor, batch_rows).create(rows)
    return [camera_id for _row, camera_id in outcome.created], dict(outcome.refused), outcome


_SKIPPED = {"id", "created_at", "updated_at"}
_GEOMETRIES = ("location", "public_location", "fov")


def _written(session, ids: list[int]) -> list[dict[str, Any]]:
    """Every column as stored (geometries as WKB, JSON's NULL told from JSON null) but ids and times."""
    table = Camera.__table__
    columns = [
        sa.func.ST_AsBinary(column).label(column.key) if column.key in _GEOMETRIES else column
        for column in table.columns
        if column.key not in _SKIPPED
    ]
    as_stored = (
        table.c.source_tags.is_(None).label("source_tags_is_sql_null"),
        sa.cast(table.c.source_tags, sa.Text).label("source_tags_text"),
    )
    stmt = sa.select(*columns, *as_stored, table.c.id)
    found = {row.id: dict(row._mapping) for row in session.execute(stmt.where(table.c.id.in_(ids)))}
    rows = []
    for camera_id in ids:
        row = found[camera_id]
        row.pop("id")
        for name in _GEOMETRIES:
            row[name] = shapely.from_wkb(bytes(row[name]))
        rows.append(row)
    return rows


def _statuses(session, ids: list[int]) -> list[tuple]:
    table = CameraStatusChange.__table__
    stmt = sa.select(
        table.c.camera_id, table.c.from_status, table.c.to_status, table.c.changed_by_id, table.c.note
    )
    found = {row.camera_id: tuple(row)[1:] for row in session.execute(stmt.where(table.c.camera_id.in_(ids)))}
    assert len(found) == len(ids)
    return [found[camera_id] for camera_id in ids]


def _entries(session, ids: list[int]) -> list[dict[str, Any]]:
    """The queued camera.create entries, in order, with the camera named by its place in `ids`."""
    place = {str(camera_id): index for index, camera_id in enumerate(ids)}
    entries = []
    for entry in audit_chain.pending(session):
        if entry.action != "camera.create":
            continue
        entries.append(
            {
                "action": entry.action,
                "actor": (entry.actor_user_id, entry.actor_label, entry.organisation_id),
                "subject": entry.subject_organisation_id,
                "object": (entry.object_type, place[entry.object_id]),
                "context": (
                    entry.reason,
                    entry.geometry_hash,
                    entry.result_count,
                    entry.request_id,
                    entry.source_ip,
                ),
                "details": json.loads(entry.details),
            }
        )
    return entries


def _assert_same_rows(one: list[dict], bulk: list[dict]) -> None:
    assert len(one) == len(bulk)
    for a, b in zip(one, bulk, strict=True):
        assert _same_polygon(a.pop("fov"), b.pop("fov"))
        assert a["location"].equals_exact(b["location"], 0) and a["public_location"].equals_exact(
            b["public_location"], 0
        )
        a.pop("location"), a.pop("public_location"), b.pop("location"), b.pop("public_location")
        assert a == b


def _assert_same_entries(one: list[dict], bulk: list[dict]) -> None:
    """Equal but for the sector's WKT, which rounds each coordinate to 7 decimals: a coordinate within
    1e-9 of the other path's may round the other way at the last digit."""
    assert len(one) == len(bulk)
    for a, b in zip(one, bulk, strict=True):
        fov_a, fov_b = a["details"]["after"].pop("fov"), b["details"]["after"].pop("fov")
        assert a == b
        ca, cb = (shapely.get_coordinates(shapely.from_wkt(text)) for text in (fov_a, fov_b))
        assert ca.shape == cb.shape and float(np.abs(ca - cb).max()) <= 1.5e-7


def test_bulk_creation_has_exactly_create_cameras_effects(session, world):
    editor, writes = world
    outer = session.begin_nested()
    one_ids, one_refused = _one_by_one(session, editor, writes)
    one = (_written(session, one_ids), _statuses(session, one_ids), _entries(session, one_ids))
    outer.rollback()
    session.expunge_all()
    assert audit_chain.pending(session) == []

    inserts = _count_camera_inserts(session)
    bulk_ids, bulk_refused, outcome = _in_bulk(session, editor, writes)
    assert len(inserts) <= 2  # one batch (SQLite: its first row, then the rest), no row-by-row fallback
    bulk = (_written(session, bulk_ids), _statuses(session, bulk_ids), _entries(session, bulk_ids))

    assert bulk_refused == one_refused
    assert [row for row, _issues in outcome.refused] == [10, 11, 12, 13, 14, 15]  # B1..B6, their rows
    assert [row for row, _id in outcome.created] == [2, 3, 4, 5, 6, 7, 8, 9, 16]
    _assert_same_rows(one[0], bulk[0])
    assert one[1] == bulk[1] and bulk[1][0] == (None, "active", editor.user_id, None)
    _assert_same_entries(one[2], bulk[2])
    assert len(bulk[2]) == 9
    session.commit()
    assert audit.verify(session, checkpoint_dirs=[]).intact


def test_batches_of_any_size_give_the_same_cameras(session, world):
    editor, writes = world
    outer = session.begin_nested()
    whole_ids, _, _ = _in_bulk(session, editor, writes)
    whole = _written(session, whole_ids)
    outer.rollback()
    session.expunge_all()
    small_ids, refused, _ = _in_bulk(session, editor, writes, batch_rows=2)
    assert len(refused) == 6 and small_ids == sorted(small_ids)
    _assert_same_rows(whole, _written(session, small_ids))
    assert len(_entries(session, small_ids)) == len(small_ids)


def test_a_row_the_database_refuses_is_named_and_the_others_are_written(session):
    owner = factories.org(session, "bulk-asti")
    factories.camera(session, owner, ref="TAKEN")
    writes = [
        CameraWrite(**_write(_feature(owner.slug, ref=ref, bearing_deg=10, records=False)))
        for ref in ("N1", "TAKEN", "N2")
    ]
    rows = [bulk_cameras.BulkRow(row, write) for row, write in zip((7, 8, 9), writes, strict=True)]
    outcome = bulk_cameras.BulkCameras(session, SYSTEM).create(rows)
    assert [row for row, _id in outcome.created] == [7, 9]
    [(row, [issue])] = outcome.refused
    assert row == 8
    assert issue.code == "conflict" and issue.detail.startswith("refused by the database: ")
    assert "unique" in issue.detail.lower() or "duplicate" in issue.detail.lower()
    refs = session.scalars(sa.select(Camera.ref).where(Camera.owner_id == owner.id).order_by(Camera.id))
    assert list(refs) == ["TAKEN", "N1", "N2"]
    created_ids = [camera_id for _row, camera_id in outcome.created]
    assert len(_statuses(session, created_ids)) == 2
    assert [entry.object_id for entry in audit_chain.pending(session)] == [str(i) for i in created_ids]
    session.commit()
    assert audit.verify(session, checkpoint_dirs=[]).intact


def _write(feature: dict[str, Any]) -> dict[str, Any]:
    loaded = SCHEMA.load(feature)
    return {"location": loaded["geometry"], "attrs": loaded["properties"]}


def test_lookups_by_key_answer_a_batch_at_once(session, monkeypatch):
    monkeypatch.setattr(bulk_cameras, "LOOKUP_CHUNK", 2)
    owner, other = factories.org(session, "bulk-cuneo"), factories.org(session, "bulk-alba")
    made = {ref: factories.camera(session, owner, ref=ref) for ref in ("K1", "K2", "K3")}
    factories.camera(session, other, ref="K4")
    heads = [
        factories.camera(session, owner, osm_id=42, bearing_deg=0.0, visibility="public"),
        factories.camera(session, owner, osm_id=42, bearing_deg=120.0),
    ]
    found = bulk_cameras.cameras_by_ref(session, owner.id, ["K1", "K3", "K4", "K3", "nope"])
    assert {ref: camera.id for ref, camera in found.items()} == {"K1": made["K1"].id, "K3": made["K3"].id}
    by_osm = bulk_cameras.cameras_by_osm_id(session, owner.id, [42, 43])
    assert [camera.id for camera in by_osm[42]] == [head.id for head in heads] and 43 not in by_osm
    viewer = actor_for(session, factories.user(session, other, "viewer"))
    ids = [made["K1"].id, heads[0].id]
    assert set(bulk_cameras.cameras_by_id(session, SYSTEM, ids)) == set(ids)
    # another municipality's viewer reads the public camera, not the shared one
    assert set(bulk_cameras.cameras_by_id(session, viewer, ids)) == {heads[0].id}


# --- the restricted schema ------------------------------------------------------------------------------

_NAMES = list(CameraAttributes().load_fields)
_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 10_000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
    st.sampled_from(
        ["fixed", "dome", "active", "shared", "2026-02-30", "2026-01-01", "001272", "a@b.it", "x" * 300]
    ),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2),
)
_property_names = st.one_of(st.sampled_from(_NAMES), st.sampled_from(["code", "version", "colour", "id"]))
_geometries = st.one_of(
    st.just({"type": "Point", "coordinates": [LON, LAT]}),
    st.just({"type": "Point", "coordinates": [0.0, 0.0]}),
    st.just({"type": "LineString", "coordinates": [[LON, LAT], [LON, LAT + 0.001]]}),
    st.just("POINT (7 45)"),
    st.none(),
)
_features = st.one_of(
    st.fixed_dictionaries(
        {"type": st.sampled_from(["Feature", "feature"]), "geometry": _geometries},
        optional={
            "properties": st.one_of(
                st.dictionaries(_property_names, _values, max_size=8), st.none(), st.text(max_size=3)
            ),
            "id": st.integers(),
            "bbox": st.none(),
        },
    ),
    st.none(),
    st.lists(st.integers(), max_size=2),
)


def _answer(load: Any, feature: Any) -> tuple[str, Any]:
    try:
        return "loaded", load(feature)
    except ValidationError as exc:
        return "refused", issues_from_messages(exc.messages)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_features)
def test_the_restricted_schema_accepts_and_refuses_as_the_full_one(feature: Any) -> None:
    full, fast = _answer(SCHEMA.load, feature), _answer(bulk_cameras.load_feature, feature)
    assert full[0] == fast[0]
    if full[0] == "loaded":
        assert full[1]["geometry"].equals_exact(fast[1]["geometry"], 0)
        assert list(full[1]["properties"].items()) == list(fast[1]["properties"].items())
    else:
        assert full[1] == fast[1]  # the same issues, in the same order


def test_the_restricted_schema_on_real_rows() -> None:
    valid = _feature(
        "torino", ref="R1", bearing_deg=90, range_m=60.5, retention_hours=168, source="csv_import"
    )
    assert _answer(bulk_cameras.load_feature, valid) == _answer(SCHEMA.load, valid)
    bad = _feature("torino", bearing_deg=400, retention_hours="x", colour="red", version=3)
    assert _answer(bulk_cameras.load_feature, bad) == _answer(SCHEMA.load, bad)
    assert _answer(bulk_cameras.load_feature, bad)[0] == "refused"


def test_kept_back_cameras_are_checked_at_once_found_by_key_and_written_in_a_batch(session):
    owner, other = factories.org(session, "bulk-biella"), factories.org(session, "bulk-ivrea")
    factories.camera(session, owner, ref="OLD")
    deferred = bulk_cameras.DeferredCreates(session, SYSTEM, batch_rows=3)

    def write(ref: str, lon: float = LON, **properties: Any) -> CameraWrite:
        return CameraWrite(**_write(_feature(owner.slug, lon, LAT, ref=ref, records=False, **properties)))

    with pytest.raises(ObservoError) as refused:  # checked where create_camera would have refused it
        deferred.stage(2, write("N0", bearing_deg=None), owner.id)
    assert refused.value.issues[0].pointer == "/properties/bearing_deg"
    first = deferred.stage(3, write("N1", bearing_deg=10), owner.id)
    deferred.drop_staged()  # its record was refused after all
    assert not deferred.finds(owner.id, ref="N1")
    first = deferred.stage(3, write("N1", bearing_deg=10, osm_id=77), owner.id)
    taken = deferred.stage(4, write("OLD", LON + 0.001, bearing_deg=20), owner.id)
    assert not deferred.finds(owner.id, ref="N1")  # staged: its record is not through yet
    deferred.keep_staged()
    assert deferred.finds(owner.id, ref="N1") and deferred.finds(owner.id, osm_id=77)
    assert not deferred.finds(other.id, ref="N1") and not deferred.finds(owner.id, ref="N9")
    assert deferred.finds(owner.id, point=Point(LON + 0.0001, LAT))  # 8 m away
    assert not deferred.finds(owner.id, point=Point(LON + 0.01, LAT + 0.01))  # a kilometre away
    assert not deferred.full
    outcome = deferred.flush()
    assert first.camera_id is not None and session.get(Camera, first.camera_id).ref == "N1"
    assert taken.camera_id is None and taken.refused[0].code == "conflict"  # the owner's ref OLD
    assert outcome.refused == [(4, taken.refused)] and outcome.created == [(3, first.camera_id)]
    assert not deferred.finds(owner.id, ref="N1") and deferred.kept == []
