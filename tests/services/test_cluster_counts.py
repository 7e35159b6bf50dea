"""Precomputed clusters: `camera_cell_counts` stays exact whatever writes the cameras, and clusters
summed from it are the live grouping's answer to the bit, for every audience, zoom and filter.

Random cameras (seeded) around Turin and beyond (west of Greenwich too: negative cell indices) are
written through the service, bulk INSERTs, multi-row UPDATEs and DELETEs. After each round the table
is compared with an independent computation (pyproj for the Web Mercator cells, Python integers for
the position sums), and the stored answer with the live one.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from typing import Any

import pytest
import sqlalchemy as sa
from geoalchemy2 import WKTElement
from pyproj import Transformer
from shapely.geometry import Point

from observo.domain.permissions import ANONYMOUS, SYSTEM
from observo.domain.shapes import BBox, MapGrid
from observo.models import Camera, CameraCellCount, Organisation, User
from observo.services import clusters
from observo.services.actors import actor_for
from observo.services.cameras import CameraWrite, update_camera
from observo.services.organisations import create_pact
from observo.services.queries import CameraFilters
from tests import factories as f

TO_MERCATOR = Transformer.from_crs(4326, 3857, always_xy=True)
LON, LAT = f.TURIN
KEYS = ("owner_id", "visibility", "status", "camera_type", "surveillance_type")
VISIBILITIES = ("public", "shared", "private")
STATUSES = ("planned", "active", "faulty", "inactive", "decommissioned")
TYPES = ("fixed", "dome", "panning", "panorama", "thermal")
SURVEILLANCE = ("camera", "alpr")
BOXES = {
    "turin": BBox(7.55, 44.98, 7.80, 45.16),
    "region": BBox(6.6, 44.0, 9.3, 46.5),
    "corner": BBox(7.6812, 45.0598, 7.6951, 45.0733),  # edges cut through cells at every zoom
    "europe": BBox(-10.0, 36.0, 19.0, 48.0),
}
ZOOMS = (4, 6, 7, 8, 9, 11, 12, 13, 15, 16)


@pytest.fixture
def world(session: sa.orm.Session) -> dict[str, Any]:
    torino = f.org(session, "torino")
    nichelino = f.org(session, "nichelino")
    f.org(session, "negozio", kind="private", sponsor_slug="torino")
    f.org(session, "vigilanza", kind="private", sponsor_slug="nichelino")
    f.org(session, "carabinieri", kind="carabinieri")
    f.org(session, "milano")
    create_pact(session, slug="patto-sud", name="Patto sud", member_slugs=["torino", "nichelino"])
    session.commit()
    owners = list(session.scalars(sa.select(Organisation.id)))
    users = {
        "municipality": f.user(session, torino, "viewer"),
        "partner": f.user(session, nichelino, "viewer"),
        "state force": f.user(session, session.scalars(_org("carabinieri")).one(), "viewer"),
        "private": f.user(session, session.scalars(_org("negozio")).one(), "editor"),
    }
    return {"owners": owners, "user_ids": {name: user.id for name, user in users.items()}}


def _org(slug: str) -> sa.Select:
    return sa.select(Organisation).where(Organisation.slug == slug)


def _random_rows(rng: random.Random, template: Camera, owners: list[int], count: int, start: int) -> list:
    table = Camera.__table__
    values = {column.key: getattr(template, column.key) for column in table.columns if column.key != "id"}
    rows = []
    for index in range(count):
        if index % 25 == 0:  # far away: Lisbon (west of Greenwich), Palermo
            lon, lat = rng.choice([(-9.14, 38.72), (13.36, 38.12)])
            lon, lat = lon + rng.uniform(-0.05, 0.05), lat + rng.uniform(-0.05, 0.05)
        else:
            lon, lat = LON + rng.gauss(0, 0.08), LAT + rng.gauss(0, 0.06)
        point = WKTElement(f"POINT({lon} {lat})", srid=4326)
        public = None if index % 40 == 7 else WKTElement(f"POINT({lon + 0.0004} {lat - 0.0003})", srid=4326)
        rows.append(
            {
                **values,
                "ref": f"r-{start + index}",
                "location": point,
                "public_location": public,
                "owner_id": rng.choice(owners),
                "visibility": rng.choice(VISIBILITIES),
                "status": rng.choice(STATUSES),
                "camera_type": rng.choice(TYPES),
                "surveillance_type": rng.choice(SURVEILLANCE),
            }
        )
    return rows


def _expected_table(session: sa.orm.Session) -> dict[tuple, tuple[int, int, int]]:
    """The counts recomputed in Python from the cameras: pyproj cells, integer sums."""
    x, y = sa.func.ST_X(Camera.public_location), sa.func.ST_Y(Camera.public_location)
    cameras = session.execute(
        sa.select(*(getattr(Camera, key) for key in KEYS), x, y).where(Camera.public_location.is_not(None))
    ).all()
    expected: dict[tuple, list[int]] = {}
    for *keys, lon, lat in cameras:
        mx, my = TO_MERCATOR.transform(lon, lat)
        for level in clusters.STORED_LEVELS:
            size = MapGrid(level).cell_m
            key = (level, math.floor(mx / size), math.floor(my / size), *keys)
            row = expected.setdefault(key, [0, 0, 0])
            row[0] += 1
            row[1] += round(lon * 1e7)
            row[2] += round(lat * 1e7)
    return {key: tuple(row) for key, row in expected.items()}


def _stored_table(session: sa.orm.Session) -> dict[tuple, tuple[int, int, int]]:
    t = CameraCellCount
    rows = session.execute(
        sa.select(t.zoom, t.ix, t.iy, *(getattr(t, key) for key in KEYS), t.n, t.sum_lon_e7, t.sum_lat_e7)
    ).all()
    return {tuple(row[:8]): tuple(row[8:]) for row in rows}


def _actors(session: sa.orm.Session, world: dict[str, Any]) -> dict[str, Any]:
    actors = {"anonymous": ANONYMOUS, "admin": SYSTEM}
    for name, user_id in world["user_ids"].items():
        actors[name] = actor_for(session, session.get(User, user_id))
    return actors


FILTERS = {
    "none": CameraFilters(),
    "dome": CameraFilters(camera_type="dome"),
    "alpr": CameraFilters(surveillance_type="alpr"),
    "owner torino": CameraFilters(owner="torino"),
    "owner negozio": CameraFilters(owner="negozio"),
    # Columns the counts do not keep: the rewrite refuses them and the cameras are grouped live.
    "text": CameraFilters(text="r-1"),
    "municipality": CameraFilters(municipality="Torino"),
}
POLICE_FILTERS = {
    "faulty or planned": CameraFilters(statuses=("faulty", "planned")),
    "shared": CameraFilters(visibility="shared"),
}


def _assert_consistent(session: sa.orm.Session, world: dict[str, Any]) -> int:
    """The table is exact, and stored clusters equal live ones everywhere; the clusters compared."""
    assert _stored_table(session) == _expected_table(session)
    compared = 0
    for actor_name, actor in _actors(session, world).items():
        filters = dict(FILTERS) if actor_name == "anonymous" else {**FILTERS, **POLICE_FILTERS}
        for box in BOXES.values():
            for zoom in ZOOMS:
                grid = MapGrid(zoom)
                if grid.cell_count(box) > 20_000:
                    continue
                for name, chosen in filters.items():
                    stored = clusters.cluster_cameras(session, actor, box, grid, chosen)
                    live = clusters._clusters(clusters.live_rows(session, actor, box, grid, chosen))
                    assert stored == live, (actor_name, box, zoom, name)
                    compared += len(stored)
    return compared


def _pyproj_clusters(session: sa.orm.Session, box: BBox, zoom: int) -> Counter:
    """Cameras per cell an administrator reads (every status but decommissioned), by pyproj."""
    size = MapGrid(zoom).cell_m
    x0, y0 = TO_MERCATOR.transform(box.min_lon, box.min_lat)
    x1, y1 = TO_MERCATOR.transform(box.max_lon, box.max_lat)
    lo, hi = (math.floor(x0 / size), math.floor(y0 / size)), (math.floor(x1 / size), math.floor(y1 / size))
    x, y = sa.func.ST_X(Camera.public_location), sa.func.ST_Y(Camera.public_location)
    cells: Counter = Counter()
    for lon, lat in session.execute(sa.select(x, y).where(Camera.status != "decommissioned")):
        if lon is None:
            continue
        mx, my = TO_MERCATOR.transform(lon, lat)
        cell = (math.floor(mx / size), math.floor(my / size))
        if lo[0] <= cell[0] <= hi[0] and lo[1] <= cell[1] <= hi[1]:
            cells[cell] += 1
    return cells


def test_stored_counts_stay_exact_and_give_the_live_answer_through_every_kind_of_write(session, world):
    rng = random.Random(20261205)
    template = f.camera(session, f.org(session, "modello"), LON + 0.3, LAT + 0.3)
    owners = world["owners"]
    session.execute(sa.insert(Camera.__table__), _random_rows(rng, template, owners, 400, 0))
    session.commit()
    assert _assert_consistent(session, world) > 100

    # The service: a move (public position recomputed), a status change, a name-only edit.
    table = Camera.__table__
    ids = list(session.scalars(sa.select(table.c.id).where(table.c.ref.like("r-%")).order_by(table.c.id)))
    moved = session.get(Camera, ids[3])
    update_camera(session, SYSTEM, moved.id, moved.version, CameraWrite(Point(LON + 0.05, LAT - 0.04), {}))
    changed = session.get(Camera, ids[4])
    update_camera(session, SYSTEM, changed.id, changed.version, CameraWrite(None, {"status": "faulty"}))
    session.commit()
    before_rename = _stored_table(session)
    renamed = session.get(Camera, ids[5])
    update_camera(session, SYSTEM, renamed.id, renamed.version, CameraWrite(None, {"name": "Nuovo nome"}))
    session.commit()
    assert _stored_table(session) == before_rename  # nothing counted changed: no count row touched

    # Multi-row UPDATEs of every counted key, a bulk DELETE, another bulk INSERT.
    session.execute(sa.update(table).where(table.c.id.in_(ids[10:60])).values(status="inactive"))
    session.execute(sa.update(table).where(table.c.id.in_(ids[60:90])).values(visibility="private"))
    session.execute(sa.update(table).where(table.c.id.in_(ids[90:120])).values(owner_id=owners[0]))
    session.execute(sa.update(table).where(table.c.id.in_(ids[120:140])).values(camera_type="thermal"))
    session.execute(sa.update(table).where(table.c.id.in_(ids[140:150])).values(public_location=None))
    shifted = WKTElement(f"POINT({LON + 0.011} {LAT + 0.012})", srid=4326)
    session.execute(sa.update(table).where(table.c.id.in_(ids[150:170])).values(public_location=shifted))
    session.execute(sa.delete(table).where(table.c.id.in_(ids[200:260])))
    session.execute(sa.insert(table), _random_rows(rng, template, owners, 150, 1000))
    session.commit()
    assert _assert_consistent(session, world) > 100

    # A rolled-back write leaves no trace in the counts.
    before = _stored_table(session)
    session.execute(sa.insert(table), _random_rows(rng, template, owners, 30, 5000))
    session.execute(sa.delete(table).where(table.c.id.in_(ids[300:320])))
    session.rollback()
    assert _stored_table(session) == before


def test_clusters_count_whole_cells_as_an_independent_computation_does(session, world):
    rng = random.Random(7)
    template = f.camera(session, f.org(session, "modello"), LON + 0.3, LAT + 0.3)
    session.execute(sa.insert(Camera.__table__), _random_rows(rng, template, world["owners"], 300, 0))
    session.commit()
    for box in (BOXES["corner"], BOXES["turin"]):
        for zoom in (9, 12, 14, 16):  # stored levels and above the finest (live)
            found = clusters.cluster_cameras(session, SYSTEM, box, MapGrid(zoom), CameraFilters())
            expected = _pyproj_clusters(session, box, zoom)
            assert {(c.ix, c.iy): c.count for c in found} == dict(expected), (box, zoom)
            assert sum(sum(c.by_type.values()) for c in found) == sum(expected.values())


def test_postgresql_plans_each_trigger_statement_for_the_rows_it_gets(session, dialect):
    # PL/pgSQL keeps a plain statement's plan from its first run on a connection: the plan of a one-row
    # UPDATE, kept for UPDATEs of hundreds of rows, grew with the cube of the rows (migration
    # b8e1f4c7d2a9). Statements run through EXECUTE are planned each time.
    if dialect != "postgis":
        assert session.bind.dialect.name == "sqlite"  # row triggers there: no plan outlives a row
        return
    query = sa.text("SELECT proname, prosrc FROM pg_proc WHERE proname LIKE 'camera_cell_counts_%'")
    bodies = {name: body for name, body in session.execute(query).all()}
    assert sorted(bodies) == [
        "camera_cell_counts_delete",
        "camera_cell_counts_insert",
        "camera_cell_counts_update",
    ]
    for name, body in bodies.items():
        outside = "".join(body.split("$q$")[0::2])  # the text outside the EXECUTE strings
        assert "camera_cell_counts" not in outside and body.count("EXECUTE $q$") == 2, name
