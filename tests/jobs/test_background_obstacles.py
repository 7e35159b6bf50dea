"""Large obstacle layers imported in the background (POST /api/v1/obstacles/imports answers 202), on both
databases, with the real runner thread: the layer and the visible areas it changes are written in the
job's one transaction, its progress counts those cameras and is readable while it runs, a bad file ends
`invalid` with its problems and writes nothing; who may submit and read a job, per role; a camera
import's URL does not answer for an obstacle job. Every wait is on a condition, never a measure of time."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from geoalchemy2.shape import to_shape
from shapely.geometry import Point, box

from observo.domain.fov import LocalFrame
from observo.domain.visibility import visible_area
from observo.extensions import db
from observo.jobs import background_imports
from observo.models import AuditEntry, Camera, ImportJob, Obstacle
from observo.services import visible_areas
from tests import factories
from tests import obstacle_data as data
from tests.conftest import app_on_own_database
from tests.jobs.test_background_imports import GUARD_S, wait_for
from tests.services.test_visible_areas import layer

IMPORTS = "/api/v1/obstacles/imports"
LON, LAT = factories.TURIN
FRAME = LocalFrame(LON, LAT)
# Buildings 30-45 m east of the corner, one every 60 m northwards: each blocks the camera looking east
# from its row's corner; the file is larger than the test app's background threshold.
ROWS = 12
THRESHOLD = 1000  # bytes: the test app's OBSERVO_IMPORT_BACKGROUND_BYTES
BUILDINGS = [FRAME.to_lonlat(box(30, 60 * row - 20, 45, 60 * row + 20)) for row in range(ROWS)]


def _apex(row: int) -> tuple[float, float]:
    """The corner camera of row `row`."""
    return FRAME.to_lonlat(Point(0, 60 * row)).coords[0]


@pytest.fixture(scope="module")
def world(dialect: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    tmp = tmp_path_factory.mktemp(f"background_obstacles_{dialect}")
    with app_on_own_database(dialect, tmp, "background_obstacles", import_background_bytes=THRESHOLD) as app:
        with app.app_context():
            session = db.session
            town = factories.org(session, "bo-torino")
            other = factories.org(session, "bo-asti")
            admin_org = factories.org(session, "bo-regione", kind="public_body")
            corners = [
                factories.camera(session, town, *_apex(row), bearing_deg=90.0, range_m=100.0)
                for row in range(ROWS)
            ]
            headers = {
                "editor": factories.headers_for(session, town, "editor"),
                "viewer": factories.headers_for(session, town, "viewer"),
                "other_editor": factories.headers_for(session, other, "editor"),
                "admin": factories.headers_for(session, admin_org, "admin"),
            }
            ids = [camera.id for camera in corners]
            session.commit()
            db.session.remove()
        yield SimpleNamespace(
            app=app, client=app.test_client(), headers=headers, cameras=ids, dialect=dialect
        )


def _post(world, who: str, body: bytes, name: str = "edifici.geojson", **form: str):
    fields = {"organization": "bo-torino", **form}
    with io.BytesIO(body) as handle:
        return world.client.post(
            IMPORTS,
            data={**fields, "file": (handle, name)},
            headers={**world.headers[who], "Accept-Language": "en"},
            content_type="multipart/form-data",
        )


def _get(world, who: str, url: str, language: str = "en"):
    return world.client.get(url, headers={**world.headers[who], "Accept-Language": language})


def _ended(world, url: str):
    body = _get(world, "editor", url).json
    return body if body["status"] not in background_imports.ACTIVE else None


def _committed(world, statement):
    with world.app.app_context(), db.engine.connect() as connection:  # committed rows only
        return connection.execute(statement).all()


def test_a_large_layer_is_imported_in_the_background_with_the_visible_areas_it_changes(world):
    response = _post(world, "editor", layer(*BUILDINGS, height="20 m"), source="dbt-bg")
    assert response.status_code == 202, response.get_data(as_text=True)
    url = response.headers["Location"]
    assert url.endswith(f"{IMPORTS}/{response.json['id']}")
    assert response.json["status"] in ("queued", "running", "succeeded")

    ended = wait_for(lambda: _ended(world, url), "the job to finish")
    assert ended["status"] == "succeeded" and ended["failure"] is None and ended["problems"] == []
    result = ended["result"]
    assert result["counts"]["building"] == ROWS and result["source"] == "dbt-bg"
    assert result["cameras_recomputed"] == ROWS
    assert ended["progress"] == {"cameras_done": ROWS, "cameras_total": ROWS}
    assert ended["organization"] == "bo-torino" and ended["file_name"] == "edifici.geojson"

    stored = dict(
        _committed(world, sa.select(Camera.id, Camera.fov_visible).where(Camera.id.in_(world.cameras)))
    )
    sectors = dict(_committed(world, sa.select(Camera.id, Camera.fov).where(Camera.id.in_(world.cameras))))
    for row, camera_id in enumerate(world.cameras):
        apex = _apex(row)
        expected = visible_area(*apex, to_shape(sectors[camera_id]), [(b, 20.0) for b in BUILDINGS], None)
        got = to_shape(stored[camera_id])
        assert got.symmetric_difference(expected).area <= 1e-6 * expected.area  # the 1 mm snap at most
    count = _committed(
        world, sa.select(sa.func.count()).select_from(Obstacle).where(Obstacle.source == "dbt-bg")
    )
    assert count[0][0] == ROWS
    actions = _committed(
        world,
        sa.select(AuditEntry.action, AuditEntry.result_count).where(AuditEntry.action == "obstacles.import"),
    )
    assert ("obstacles.import", ROWS) in [tuple(row) for row in actions]


def test_its_progress_is_readable_while_the_cameras_are_recomputed(world, monkeypatch):
    pause = SimpleNamespace(reached=threading.Event(), go=threading.Event())
    real = visible_areas.recompute

    def recompute(session, camera_ids, progress=None):
        def report_then_wait(done: int, total: int) -> None:
            progress(done, total)
            if not pause.reached.is_set():
                pause.reached.set()
                assert pause.go.wait(GUARD_S), "the test never let the job go on"

        return real(session, camera_ids, report_then_wait)

    monkeypatch.setattr(visible_areas, "recompute", recompute)
    monkeypatch.setattr(visible_areas, "CHUNK", 5)
    monkeypatch.setattr(background_imports, "PROGRESS_EVERY_S", 0.0)
    before = _committed(
        world, sa.select(sa.func.count()).select_from(Obstacle).where(Obstacle.source == "slow")
    )
    response = _post(world, "editor", layer(*BUILDINGS), source="slow")
    assert response.status_code == 202
    url = response.headers["Location"]
    try:
        assert pause.reached.wait(GUARD_S), "the job never reported its progress"
        running = _get(world, "editor", url).json
        assert running["status"] == "running" and running["failure"] is None
        assert running["progress"] == {"cameras_done": 5, "cameras_total": ROWS}
        # Nothing is visible outside the job's transaction yet.
        during = _committed(
            world, sa.select(sa.func.count()).select_from(Obstacle).where(Obstacle.source == "slow")
        )
        assert during == before
    finally:
        pause.go.set()
    ended = wait_for(lambda: _ended(world, url), "the job to finish")
    assert ended["status"] == "succeeded"
    assert ended["progress"] == {"cameras_done": ROWS, "cameras_total": ROWS}


def test_a_bad_layer_ends_invalid_with_its_problems_and_writes_nothing(world):
    before = _committed(world, sa.select(Obstacle.id).order_by(Obstacle.id))
    padded = data.bad_geojson().replace(b'"features"', b'"name": "' + b"x" * THRESHOLD + b'", "features"', 1)
    response = _post(world, "editor", padded, source="bad")
    assert response.status_code == 202, response.get_data(as_text=True)
    url = response.headers["Location"]
    ended = wait_for(lambda: _ended(world, url), "the job to finish")
    assert ended["status"] == "invalid" and ended["result"] is None
    assert "nothing was imported" in ended["failure"]
    assert {problem["code"] for problem in ended["problems"]} and all(p["pointer"] for p in ended["problems"])
    assert _committed(world, sa.select(Obstacle.id).order_by(Obstacle.id)) == before

    italian = _get(world, "editor", url, language="it").json
    assert italian["problems"] != ended["problems"]  # the messages in Italian, the pointers the same
    assert [p["pointer"] for p in italian["problems"]] == [p["pointer"] for p in ended["problems"]]
    assert "nulla" in italian["failure"].lower()


# A viewer of the town may not write; another town's editor does not even see it: an unknown name.
@pytest.mark.parametrize(("who", "status"), [("viewer", 403), ("other_editor", 422)])
def test_who_may_not_change_the_layer_is_refused_at_once_and_no_job_is_kept(world, who, status):
    jobs = _committed(world, sa.select(sa.func.count()).select_from(ImportJob))
    response = _post(world, who, layer(*BUILDINGS), source="refused")
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert _committed(world, sa.select(sa.func.count()).select_from(ImportJob)) == jobs


def test_a_job_is_read_by_its_editors_and_admins_only_and_not_as_a_camera_import(world):
    response = _post(world, "editor", layer(*BUILDINGS), source="read")
    assert response.status_code == 202
    url = response.headers["Location"]
    wait_for(lambda: _ended(world, url), "the job to finish")
    assert _get(world, "admin", url).status_code == 200
    for who in ("viewer", "other_editor"):
        refused = _get(world, who, url)
        assert refused.status_code == 404 and refused.mimetype == "application/problem+json"
    assert world.client.get(url).status_code == 401
    job_id = response.json["id"]
    assert _get(world, "editor", f"/api/v1/imports/{job_id}").status_code == 404
    assert _get(world, "editor", f"{IMPORTS}/{job_id + 1000}").status_code == 404


def test_a_layer_under_the_threshold_is_imported_in_the_request(world):
    small = layer(BUILDINGS[0])
    assert len(small) <= THRESHOLD < len(layer(*BUILDINGS))
    response = _post(world, "editor", small, source="tiny")
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.json["counts"]["building"] == 1 and response.json["cameras_recomputed"] == 1
