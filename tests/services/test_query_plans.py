"""Every spatial query reads the spatial index, on both databases (acceptance 3 of issue 3).

Each test calls the real endpoint, records the SQL it sent, and asks the database for the plan of
the statement that carries the spatial predicate. A few thousand background cameras and fresh
statistics give the PostgreSQL planner a real choice; on SpatiaLite the index is never automatic,
so the plan must show the SpatialIndex virtual table and no full scan of the table.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from geoalchemy2 import WKTElement
from pyproj import Geod

from observo.domain.fov import sector
from observo.models import Camera
from observo.spatial.base import session_backend
from tests import factories as f

GEOD = Geod(ellps="WGS84")
LON, LAT = f.TURIN


BACKGROUND = 3000  # enough rows that a planner prefers the spatial index on its own merits


@pytest.fixture
def police(session: sa.orm.Session) -> dict[str, str]:
    owner = f.org(session, "torino")
    for index in range(12):
        lon, lat, _ = GEOD.fwd(LON, LAT, index * 30, 40 + index * 15)
        f.camera(session, owner, lon, lat, bearing_deg=(index * 30 + 180) % 360, visibility="public")
    _background(session, f.camera(session, owner, LON + 0.2, LAT + 0.2))
    viewer = f.user(session, owner, role="viewer")
    return f.auth(f.token(session, viewer))


def _background(session: sa.orm.Session, template: Camera) -> None:
    """Copies of `template` spread over ~40 x 40 km around Turin, then fresh planner statistics."""
    table = Camera.__table__
    values = {column.key: getattr(template, column.key) for column in table.columns if column.key != "id"}
    rng = random.Random(3)
    rows = []
    for index in range(BACKGROUND):
        lon, lat = LON + rng.uniform(-0.25, 0.25), LAT + rng.uniform(-0.18, 0.18)
        fov = sector(lon, lat, rng.uniform(0, 360), 60, 50)
        point = WKTElement(f"POINT({lon} {lat})", srid=4326)
        rows.append(
            {
                **values,
                "ref": f"bg-{index}",
                "location": point,
                "public_location": point,
                "fov": WKTElement(fov.wkt, srid=4326),
            }
        )
    session.execute(sa.insert(table), rows)
    session.execute(sa.text("ANALYZE"))
    session.commit()


@pytest.fixture
def recorded(session: sa.orm.Session) -> Iterator[list[tuple[str, Any]]]:
    """SELECTs on `cameras` the requests of this test send, with their parameters."""
    statements: list[tuple[str, Any]] = []
    connection = session.get_bind()

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "cameras" in statement:
            statements.append((statement, parameters))

    sa.event.listen(connection, "before_cursor_execute", record)
    yield statements
    sa.event.remove(connection, "before_cursor_execute", record)


def _plan(session: sa.orm.Session, statement: str, parameters: Any) -> str:
    connection = session.get_bind()
    if connection.dialect.name == "postgresql":
        rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
        return "\n".join(row[0] for row in rows)
    rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
    return "\n".join(str(row[-1]) for row in rows)


# The view_model question (did obstacles clip any of them?) reads its own partial index: tested below.
CLIPPED_QUESTION = "fov_visible IS NOT NULL"


def _assert_index_used(session: sa.orm.Session, recorded: list, marker: str | tuple, column: Any) -> None:
    markers = (marker,) if isinstance(marker, str) else marker
    spatial = [
        (sql, params)
        for sql, params in recorded
        if any(text in sql for text in markers) and CLIPPED_QUESTION not in sql
    ]
    assert spatial, f"no statement with {marker}: {[sql for sql, _ in recorded]}"
    backend = session_backend(session)
    for statement, parameters in spatial:
        plan = _plan(session, statement, parameters)
        assert backend.plan_uses_index(plan, column), f"{column} index unused:\n{statement}\n{plan}"


BOX_TEST = ("ST_Y(", "ST_Intersects(")
# (request, a marker of the spatial statement's SQL, the column whose index must be read)
GET_CASES = {
    # The box test: ST_Intersects on PostGIS (a box with an area), coordinates on SpatiaLite.
    "bbox": ("/api/v1/cameras?bbox=7.68,45.06,7.70,45.08", BOX_TEST, Camera.location),
    "near": ("/api/v1/cameras?near=7.6869,45.0703&radius=150&reason=PG-1", "Dist", Camera.location),
    "sees": ("/api/v1/cameras?sees=7.6869,45.0703&reason=PG-1", "ST_Intersects", Camera.fov),
    "nearest": ("/api/v1/cameras/nearest?point=7.6869,45.0703&k=3&reason=PG-1", "Dist", Camera.location),
    # Above the stored levels clusters group the cameras themselves (services/clusters.py).
    "clusters": ("/api/v1/clusters?bbox=7.68,45.06,7.70,45.08&zoom=16", "BETWEEN", Camera.public_location),
}


@pytest.mark.parametrize("case", GET_CASES)
def test_queries_read_the_spatial_index(client, session, police, recorded, case: str) -> None:
    url, marker, column = GET_CASES[case]
    response = client.get(url, headers=police)
    assert response.status_code == 200, response.json
    _assert_index_used(session, recorded, marker, column)


@pytest.mark.parametrize("zoom", [9, 12, 14])
def test_stored_clusters_read_the_counts_by_their_key(client, session, police, zoom: int) -> None:
    """Up to zoom 15 the counts' primary key (zoom, ix, iy, ...) finds the rows of the box."""
    statements: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if "camera_cell_counts" in statement:
            statements.append((statement, parameters))

    connection = session.get_bind()
    sa.event.listen(connection, "before_cursor_execute", record)
    try:
        response = client.get(f"/api/v1/clusters?bbox=7.68,45.06,7.70,45.08&zoom={zoom}", headers=police)
    finally:
        sa.event.remove(connection, "before_cursor_execute", record)
    assert response.status_code == 200 and response.json["numberMatched"] > 0
    (statement, parameters), *_ = statements
    plan = _plan(session, statement, parameters)
    assert "pk_camera_cell_counts" in plan or "sqlite_autoindex_camera_cell_counts" in plan, plan


def test_anonymous_bbox_reads_the_public_position_index(client, session, police, recorded) -> None:
    response = client.get("/api/v1/cameras?bbox=7.68,45.06,7.70,45.08")
    assert response.status_code == 200
    assert response.json["features"], "the public cameras should be found"
    _assert_index_used(session, recorded, BOX_TEST, Camera.public_location)


SEARCH_SHAPES = {
    "polygon": {
        "type": "Polygon",
        "coordinates": [[[7.686, 45.07], [7.688, 45.07], [7.688, 45.071], [7.686, 45.07]]],
    },
    "route": {"type": "LineString", "coordinates": [[7.685, 45.069], [7.689, 45.072]]},
}


@pytest.mark.parametrize("shape", SEARCH_SHAPES)
@pytest.mark.parametrize("column", [Camera.location, Camera.fov], ids=["location", "fov"])
def test_search_reads_both_indexes(client, session, police, recorded, shape: str, column: Any) -> None:
    body = {"geometry": SEARCH_SHAPES[shape], "buffer_m": 20, "reason": "PG-1"}
    response = client.post("/api/v1/search", json=body, headers=police)
    assert response.status_code == 200, response.json
    assert response.json["features"]
    # Every statement testing a column reads its index: the page's (both), and the one asking whether
    # obstacles clip a sector reaching the shape (`view_model`, the fov index alone).
    marker = (
        f"ST_Intersects({column.table.name}.{column.name}" if column is Camera.location else "ST_Intersects"
    )
    _assert_index_used(session, recorded, marker, column)


@pytest.mark.parametrize(
    "url",
    ["/api/v1/cameras?sees=7.6869,45.0703&reason=PG-1", "/api/v1/cameras?sees=7.9,45.2&reason=PG-1"],
    ids=["where cameras reach", "where none does"],
)
def test_the_view_model_question_reads_only_the_clipped_sectors(
    client, session, police, recorded, url
) -> None:
    """Whether any sector reaching the point is clipped is looked up among the clipped ones alone: the
    partial index (GiST on PostgreSQL, B-tree on SQLite), not every sector in reach nor the table."""
    clipped = sa.select(Camera.id).where(Camera.ref.like("bg-%")).order_by(Camera.id).limit(40)
    session.execute(sa.update(Camera).where(Camera.id.in_(clipped)).values(fov_visible=Camera.fov))
    session.execute(sa.text("ANALYZE cameras"))
    session.commit()
    response = client.get(url, headers=police)
    assert response.status_code == 200, response.json
    questions = [(sql, params) for sql, params in recorded if CLIPPED_QUESTION in sql]
    assert len(questions) == 1, [sql for sql, _ in recorded]
    plan = _plan(session, *questions[0])
    assert "ix_cameras_fov_clipped" in plan, plan
    assert "idx_cameras_fov " not in f"{plan} " and "SCAN cameras\n" not in f"{plan}\n", plan
