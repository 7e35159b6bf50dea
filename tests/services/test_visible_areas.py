"""Stored visible areas (services/visible_areas.py), on both databases: what is stored equals
`domain.visibility.visible_area` (checked with shapely), and it is kept in step when a camera is
created, moved or re-aimed, imported in bulk, and when an obstacle layer is imported or deleted (only
the cameras whose sectors meet it are recomputed); versions and the camera audit are left alone."""

from __future__ import annotations

import functools
import json
import os

import pytest
import shapely
import sqlalchemy as sa
from geoalchemy2.shape import to_shape
from shapely.geometry import LineString, Point, box, mapping

from observo.domain.fov import LocalFrame
from observo.domain.permissions import SYSTEM
from observo.domain.visibility import visible_area
from observo.models import AuditEntry, Camera
from observo.services import bulk_cameras, obstacles, visible_areas
from observo.services.cameras import CameraWrite, update_camera
from tests import factories

LON, LAT = factories.TURIN
FRAME = LocalFrame(LON, LAT)
TOLERANCE_DEG = 1e-9  # ~0.1 mm: WKB round trips are exact, this only absorbs nothing at all


def local(x: float, y: float) -> Point:
    """The point `x` metres east and `y` north of the test corner."""
    return FRAME.to_lonlat(Point(x, y))


def building(x0: float, y0: float, x1: float, y1: float):
    """A footprint `x0..x1` metres east and `y0..y1` north of the corner, in EPSG:4326."""
    return FRAME.to_lonlat(box(x0, y0, x1, y1))


# Across the street: 30 to 45 m east of the corner, 20 m either side of the camera's axis (it looks east).
ACROSS = building(30, -20, 45, 20)


def layer(*shapes, height=None) -> bytes:
    features = [
        {
            "type": "Feature",
            "properties": {} if height is None else {"height": height},
            "geometry": mapping(s),
        }
        for s in shapes
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


@pytest.fixture
def town(session):
    return factories.org(session, "torino")


def _import(session, data: bytes, source="dbt"):
    result = obstacles.import_obstacles(session, SYSTEM, data, "edifici.geojson", "torino", source=source)
    session.commit()
    return result


def _visible(session, camera_id: int):
    stored = session.scalar(sa.select(Camera.fov_visible).where(Camera.id == camera_id))
    return None if stored is None else to_shape(stored)


def _expected(session, camera_id: int, shapes_heights):
    camera = session.get(Camera, camera_id)
    point = to_shape(camera.location)
    return visible_area(point.x, point.y, to_shape(camera.fov), shapes_heights, camera.height_m)


def _details(entry: AuditEntry) -> dict:
    return json.loads(entry.details) if isinstance(entry.details, str) else entry.details


def assert_same_area(stored, expected) -> None:
    assert stored is not None and stored.is_valid
    assert stored.geom_type in ("Polygon", "MultiPolygon")
    assert stored.symmetric_difference(expected).area <= TOLERANCE_DEG**2 + 1e-12 * expected.area
    assert stored.equals_exact(shapely.orient_polygons(expected), TOLERANCE_DEG)  # stored exteriors CCW


def test_a_building_across_the_street_clips_the_view_of_the_corner_camera(session, town):
    corner = factories.camera(session, town, LON, LAT, bearing_deg=90.0, range_m=100.0)
    elsewhere = factories.camera(session, town, *local(2000, 0).coords[0], bearing_deg=90.0)
    assert _visible(session, corner.id) is None  # no obstacle yet: the sector is what it sees

    result = _import(session, layer(ACROSS))

    stored = _visible(session, corner.id)
    assert_same_area(stored, _expected(session, corner.id, [(ACROSS, None)]))
    sector = to_shape(session.get(Camera, corner.id).fov)
    assert stored.area < 0.9 * sector.area and sector.buffer(1e-7).covers(stored)  # the 1 mm snap
    assert not stored.intersects(building(31, -19, 44, 19))  # not through the building
    assert stored.covers(local(20, 0)) and not stored.covers(local(80, 0))  # before it, not behind it
    assert _visible(session, elsewhere.id) is None
    assert result.cameras_recomputed == 1
    # derived data: neither the record's version nor its audit trail moves
    assert session.get(Camera, corner.id).version == 1
    camera_entries = session.scalars(sa.select(AuditEntry).where(AuditEntry.object_type == "camera")).all()
    assert all("fov_visible" not in str(entry.details) for entry in camera_entries)
    (entry,) = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "obstacles.import")).all()
    assert _details(entry)["cameras_recomputed"] == 1


def test_a_lower_building_hides_a_strip_behind_it_from_a_higher_camera(session, town):
    camera = factories.camera(session, town, LON, LAT, bearing_deg=90.0, range_m=100.0, height_m=9.0)
    _import(session, layer(ACROSS, height=6))
    stored = _visible(session, camera.id)
    assert_same_area(stored, _expected(session, camera.id, [(ACROSS, 6.0)]))
    # it hides to 45 x 9 / 3 = 135 m, past the range: the same as a blocking one here; nearer then:
    assert not stored.covers(local(80, 0))


def test_a_new_camera_is_clipped_at_creation_and_moving_it_recomputes(session, town):
    _import(session, layer(ACROSS))
    camera = factories.camera(session, town, LON, LAT, bearing_deg=90.0, range_m=100.0)
    assert_same_area(_visible(session, camera.id), _expected(session, camera.id, [(ACROSS, None)]))

    moved = update_camera(session, SYSTEM, camera.id, camera.version, CameraWrite(local(0, 500), {}))
    session.commit()
    assert moved.fov_visible is None and _visible(session, camera.id) is None

    back = update_camera(session, SYSTEM, camera.id, moved.version, CameraWrite(Point(LON, LAT), {}))
    session.commit()
    assert_same_area(_visible(session, camera.id), _expected(session, camera.id, [(ACROSS, None)]))

    # turned away (west), nothing in front of it: its sector again
    update_camera(session, SYSTEM, camera.id, back.version, CameraWrite(None, {"bearing_deg": 270.0}))
    session.commit()
    assert _visible(session, camera.id) is None


def test_only_the_cameras_whose_sectors_meet_a_layer_are_recomputed(session, town):
    looking_at = factories.camera(session, town, LON, LAT, bearing_deg=90.0, range_m=100.0)
    looking_away = factories.camera(session, town, LON, LAT, bearing_deg=270.0, range_m=100.0)
    far = factories.camera(session, town, *local(0, 3000).coords[0], bearing_deg=90.0, range_m=100.0)
    wall = LineString([local(60, -30), local(60, 30)])
    _import(session, layer(ACROSS))
    _import(session, layer(wall), source="walls")
    assert visible_areas.cameras_affected_by(session, [ACROSS]) == {looking_at.id}
    assert visible_areas.cameras_affected_by(session, [wall]) == {looking_at.id}
    assert visible_areas.cameras_affected_by(session, []) == set()
    assert_same_area(
        _visible(session, looking_at.id), _expected(session, looking_at.id, [(ACROSS, None), (wall, None)])
    )

    # a value another writer left stale is only fixed where the layer passes
    session.execute(sa.update(Camera.__table__).where(Camera.id == far.id).values(fov_visible=None))
    obstacles.delete_obstacles(session, SYSTEM, "torino", "dbt")
    session.commit()
    assert_same_area(_visible(session, looking_at.id), _expected(session, looking_at.id, [(wall, None)]))
    assert _visible(session, looking_away.id) is None

    obstacles.delete_obstacles(session, SYSTEM, "torino")
    session.commit()
    assert _visible(session, looking_at.id) is None
    (entry, _) = session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "obstacles.delete").order_by(AuditEntry.id)
    ).all()
    assert _details(entry)["cameras_recomputed"] == 1


def test_recompute_writes_only_what_changed_and_counts(session, town):
    cameras = [factories.camera(session, town, LON, LAT, bearing_deg=b, range_m=100.0) for b in (0, 90, 180)]
    _import(session, layer(ACROSS))
    ids = [camera.id for camera in cameras]
    stored = {camera_id: _visible(session, camera_id) for camera_id in ids}
    session.execute(sa.update(Camera.__table__).values(fov_visible=None))  # forgotten, as after a migration
    first = visible_areas.recompute(session, ids + [10**9])
    assert (first.cameras, first.clipped, first.changed) == (3, 1, 1)
    again = visible_areas.recompute_all(session)
    assert (again.cameras, again.clipped, again.changed) == (3, 1, 0)
    for camera_id in ids:
        if stored[camera_id] is None:
            assert _visible(session, camera_id) is None
        else:
            assert_same_area(_visible(session, camera_id), stored[camera_id])
    assert visible_areas.recompute_all(session, [town.id + 1]).cameras == 0


def test_a_building_right_in_front_leaves_only_the_ground_before_it(session, town):
    camera = factories.camera(session, town, LON, LAT, bearing_deg=90.0, hfov_deg=30.0, range_m=50.0)
    front = building(2, -40, 3, 40)  # 2 m in front of the lens, wider than the view
    _import(session, layer(front))
    stored = _visible(session, camera.id)
    assert_same_area(stored, _expected(session, camera.id, [(front, None)]))
    assert FRAME.to_local(stored).bounds[2] == pytest.approx(2.0, abs=1e-3)  # nothing east of the facade


def test_bulk_creation_stores_the_visible_areas_of_the_batch(session, town):
    _import(session, layer(ACROSS))
    rows = [
        bulk_cameras.BulkRow(
            1, CameraWrite(Point(LON, LAT), factories.properties("torino", bearing_deg=90.0))
        ),
        bulk_cameras.BulkRow(2, CameraWrite(local(0, 800), factories.properties("torino", bearing_deg=90.0))),
    ]
    outcome = bulk_cameras.BulkCameras(session, SYSTEM).create(rows)
    session.commit()
    (_, clipped), (_, clear) = outcome.created
    assert_same_area(_visible(session, clipped), _expected(session, clipped, [(ACROSS, None)]))
    assert _visible(session, clear) is None


def test_cli_recompute_all_or_one_organisation(app, session, town):
    from observo.cli import main

    asti = factories.org(session, "asti")
    corner = factories.camera(session, town, LON, LAT, bearing_deg=90.0, range_m=100.0)
    theirs = factories.camera(session, asti, LON, LAT, bearing_deg=90.0, range_m=100.0)
    _import(session, layer(ACROSS))
    session.execute(sa.update(Camera.__table__).values(fov_visible=None))
    session.commit()

    runner = app.test_cli_runner()
    one = runner.invoke(main, ["fov", "recompute", "--municipality", "asti"])  # = --organization
    assert one.exit_code == 0, one.stderr
    assert one.stdout == "1 cameras, 1 clipped by obstacles, 1 changed\n" and "cameras/s" in one.stderr
    session.expire_all()
    assert _visible(session, theirs.id) is not None and _visible(session, corner.id) is None

    every = runner.invoke(main, ["fov", "recompute"])
    assert every.stdout == "2 cameras, 2 clipped by obstacles, 1 changed\n"
    session.expire_all()
    assert_same_area(_visible(session, corner.id), _expected(session, corner.id, [(ACROSS, None)]))

    unknown = runner.invoke(main, ["fov", "recompute", "--organization", "nowhere"])
    assert unknown.exit_code == 1 and "error:" in unknown.stderr


def _spread_cameras(session, town):
    """Cameras in three grid cells (corner, 2 km east, 2 km north), each before a building or not."""
    east, north = local(2000, 0), local(0, 2000)
    shapes = [ACROSS, building(2030, -20, 2045, 20), building(-20, 2030, 20, 2045)]
    cameras = [
        factories.camera(session, town, *apex.coords[0], bearing_deg=bearing, range_m=100.0, height_m=height)
        for apex in (Point(LON, LAT), east, north)
        for bearing, height in ((90.0, None), (0.0, 8.0), (270.0, None))
    ]
    _import(session, layer(*shapes, height=6))
    ids = [camera.id for camera in cameras]
    expected = {camera_id: _visible(session, camera_id) for camera_id in ids}
    session.execute(sa.update(Camera.__table__).values(fov_visible=None))
    return ids, expected


def test_a_process_pool_stores_the_same_areas_as_this_process(session, town, monkeypatch):
    ids, expected = _spread_cameras(session, town)
    assert sum(area is not None for area in expected.values()) >= 3  # clipped in each cell
    monkeypatch.setattr(visible_areas, "POOL_MIN_CAMERAS", 1)  # the pool even for a few cameras
    monkeypatch.setattr(visible_areas, "CHUNK", 2)  # several chunks in flight
    heard = []

    pooled = visible_areas.recompute(session, [*ids, 10**9], lambda *step: heard.append(step), workers=2)

    assert (pooled.cameras, pooled.changed) == (len(ids), pooled.clipped)
    assert pooled.clipped == sum(area is not None for area in expected.values())
    assert heard == [(2, 10), (4, 10), (6, 10), (8, 10), (10, 10)]  # after each chunk; unknown id last
    for camera_id, area in expected.items():
        if area is None:
            assert _visible(session, camera_id) is None
        else:
            assert_same_area(_visible(session, camera_id), area)
    # in this process, the same values: nothing to write
    again = visible_areas.recompute_all(session, workers=1)
    assert (again.cameras, again.clipped, again.changed) == (len(ids), pooled.clipped, 0)


def test_small_sets_stay_in_this_process(session, town, monkeypatch):
    ids, expected = _spread_cameras(session, town)

    def no_pool(*args, **kwargs):
        raise AssertionError("a process pool was started for a few cameras")

    monkeypatch.setattr(visible_areas, "ProcessPoolExecutor", no_pool)
    result = visible_areas.recompute(session, ids, workers=4)
    assert result.cameras == len(ids) and result.changed == result.clipped
    for camera_id, area in expected.items():
        assert (_visible(session, camera_id) is None) == (area is None)


def test_cli_recompute_with_workers(app, session, town, monkeypatch):
    from observo.cli import main

    ids, expected = _spread_cameras(session, town)
    session.commit()
    monkeypatch.setattr(visible_areas, "POOL_MIN_CAMERAS", 1)
    runner = app.test_cli_runner()
    clipped = sum(area is not None for area in expected.values())

    pooled = runner.invoke(main, ["fov", "recompute", "--workers", "2"])
    assert pooled.exit_code == 0, pooled.stderr
    assert pooled.stdout == f"{len(ids)} cameras, {clipped} clipped by obstacles, {clipped} changed\n"
    session.expire_all()
    for camera_id, area in expected.items():
        if area is not None:
            assert_same_area(_visible(session, camera_id), area)

    alone = runner.invoke(main, ["fov", "recompute", "--workers", "1"])
    assert alone.stdout == f"{len(ids)} cameras, {clipped} clipped by obstacles, 0 changed\n"
    refused = runner.invoke(main, ["fov", "recompute", "--workers", "0"])
    assert refused.exit_code == 2 and "--workers" in refused.stderr


def test_a_pool_whose_workers_die_leaves_the_work_to_this_process(session, town, monkeypatch, caplog):
    ids, expected = _spread_cameras(session, town)
    monkeypatch.setattr(visible_areas, "POOL_MIN_CAMERAS", 1)
    # every worker exits as it starts (as one killed for memory would): the pool breaks
    dying = functools.partial(visible_areas.ProcessPoolExecutor, initializer=os._exit, initargs=(3,))
    monkeypatch.setattr(visible_areas, "ProcessPoolExecutor", dying)

    result = visible_areas.recompute(session, ids, workers=2)

    assert result.cameras == len(ids) and result.changed == result.clipped
    for camera_id, area in expected.items():
        if area is None:
            assert _visible(session, camera_id) is None
        else:
            assert_same_area(_visible(session, camera_id), area)
    assert "computing in this process" in caplog.text
