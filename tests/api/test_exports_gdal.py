"""Exports as GDAL (and so QGIS) reads them: through `/vsicurl/` from a live server (gunicorn, several
workers), on both databases.

GDAL sizes a URL with HEAD, then reads it in byte ranges, and re-reads it at will: a police export
asked for once (`POST /api/v1/exports`) must open, hold the caller's cameras, and leave exactly one
audit entry however many reads GDAL makes. KML must open with both of GDAL's KML drivers as two
layers, points and polygons, without a camera's `visibility` turning into KML's own.
"""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import Flask
from shapely.geometry import Point, shape

from observo.extensions import db
from observo.models import AuditEntry
from tests import factories, servers
from tests.conftest import DIALECTS, drop_postgis_database, fresh_postgis_database, make_app

REASON = "PG-2026-0921 apertura in QGIS"
GDAL_ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "CPL_DEBUG": "ON", "GDAL_HTTP_TIMEOUT": "30"}


@dataclass(frozen=True)
class Served:
    app: Flask
    base_url: str
    officer: str  # token of a viewer of the town
    readable: dict[int, tuple[float, float]]  # the officer's cameras: id -> exact position
    public: set[int]

    def post(self, body: dict[str, Any], token: str | None = None) -> dict[str, Any]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(
            self.base_url + "/api/v1/exports", json.dumps(body).encode(), headers, method="POST"
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.status == 201
            return json.loads(response.read())

    def audit_after(self, start: int) -> list[tuple[str, str | None, int | None]]:
        with self.app.app_context():
            rows = db.session.scalars(
                sa.select(AuditEntry).where(AuditEntry.id > start).order_by(AuditEntry.id)
            )
            return [(entry.action, entry.reason, entry.result_count) for entry in rows]

    def audit_head(self) -> int:
        with self.app.app_context():
            return int(db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditEntry.id), 0))))


def _seed(app: Flask) -> tuple[str, dict[int, tuple[float, float]], set[int]]:
    with app.app_context():
        flask_migrate.upgrade()
        town = factories.org(db.session, "gis-town")
        other = factories.org(db.session, "gis-other")
        officer = factories.token(db.session, factories.user(db.session, town, "viewer"))
        lon, lat = factories.TURIN
        readable, public = {}, set()
        for index, visibility in enumerate(("public", "shared", "private", "public", "shared", "private")):
            point = (lon + 0.001 * index, lat + 0.0005 * index)
            camera = factories.camera(
                db.session, town, *point, visibility=visibility, name=f"Via <{index}> & co"
            )
            readable[camera.id] = point
            if visibility == "public":
                public.add(camera.id)
        factories.camera(db.session, other, lon, lat - 0.001, visibility="private")  # never the officer's
        return officer, readable, public


@pytest.fixture(scope="module", params=DIALECTS)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp(f"gdal-{request.param}")
    with ExitStack() as cleanup:  # undone in reverse: server, connections, database
        if request.param == "spatialite":
            url = f"sqlite:///{tmp}/observo.sqlite"
        else:
            name = f"observo_gdal_{uuid.uuid4().hex[:12]}"
            url = fresh_postgis_database(name)
            cleanup.callback(drop_postgis_database, name)
        app = make_app(url, tmp / "checks")
        cleanup.callback(_dispose, app)
        officer, readable, public = _seed(app)
        server = cleanup.enter_context(servers.gunicorn(url, tmp / "instance", workers=2, threads=2))
        yield Served(app, server.base_url, officer, readable, public)


def _dispose(app: Flask) -> None:
    with app.app_context():
        db.engine.dispose()


def gdal(*args: str, skip: str = "") -> subprocess.CompletedProcess[str]:
    """Run a GDAL program; `skip`: drivers it must not use (GDAL_SKIP), to pick one of two."""
    env = {**GDAL_ENV, **({"GDAL_SKIP": skip} if skip else {})}
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=120, check=False)


def http_reads(result: subprocess.CompletedProcess[str]) -> int:
    """How many HTTP requests GDAL made (its /vsicurl/ debug lines: the size probe and each range)."""
    lines = result.stderr.splitlines()
    return sum("VSICURL: GetFileSize(" in line or "VSICURL: Downloading" in line for line in lines)


def layer_as_geojson(
    source: str, layers: list[str], tmp: Path, skip: str = "", *options: str
) -> dict[str, Any]:
    target = tmp / f"{uuid.uuid4().hex}.geojson"
    result = gdal("ogr2ogr", *options, "-f", "GeoJSON", str(target), source, *layers, skip=skip)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "visibility" not in "\n".join(line for line in result.stderr.splitlines() if "Warning" in line)
    return json.loads(target.read_text())


def test_a_police_geojson_opens_through_vsicurl_and_is_audited_once(served, tmp_path):
    start = served.audit_head()
    made = served.post({"f": "geojson", "reason": REASON, "owner": "gis-town"}, served.officer)
    source = "/vsicurl/" + made["href"]
    summary = gdal("ogrinfo", "-ro", "-al", "-so", source)
    assert summary.returncode == 0, summary.stderr[-2000:]
    assert f"Feature Count: {len(served.readable)}" in summary.stdout
    reads = http_reads(summary)
    opened = layer_as_geojson(source, [], tmp_path, "", "-preserve_fid")  # a second open, every feature
    assert reads >= 2  # sized, then read: the URL is read more than once, by design
    features = {feature["id"]: feature for feature in opened["features"]}
    assert set(features) == set(served.readable)
    for camera_id, point in served.readable.items():
        assert shape(features[camera_id]["geometry"]).distance(Point(point)) < 1e-7  # exact positions
    assert served.audit_after(start) == [("export.geojson", REASON, len(served.readable))]


def test_the_public_get_url_opens_as_it_is(served):
    result = gdal("ogrinfo", "-ro", "-al", "-so", f"/vsicurl/{served.base_url}/api/v1/exports?f=geojson")
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"Feature Count: {len(served.public)}" in result.stdout


@pytest.mark.parametrize("driver", ["LIBKML", "KML"])
def test_kml_opens_as_two_layers_of_points_and_polygons(served, tmp_path, driver):
    other = {"LIBKML": "KML", "KML": "LIBKML"}[driver]
    start = served.audit_head()
    made = served.post({"f": "kml", "reason": REASON, "owner": "gis-town"}, served.officer)
    source = "/vsicurl/" + made["href"]
    listing = gdal("ogrinfo", "-ro", "-al", "-so", source, skip=other)
    assert listing.returncode == 0, listing.stderr[-2000:]
    assert f"using driver `{driver}'" in listing.stdout
    assert "visibility" not in "\n".join(line for line in listing.stderr.splitlines() if "Warning" in line)
    points = layer_as_geojson(source, ["cameras"], tmp_path, other)["features"]
    sectors = layer_as_geojson(source, ["fields of view"], tmp_path, other)["features"]
    assert len(points) == len(sectors) == len(served.readable)
    assert {feature["geometry"]["type"] for feature in points} == {"Point"}
    assert {feature["geometry"]["type"] for feature in sectors} == {"Polygon"}
    # Joined by name (unique here): GDAL's older KML driver reads no ExtendedData, LIBKML all of it.
    position = {f"Via <{index}> & co": point for index, point in enumerate(served.readable.values())}
    assert sorted(feature["properties"]["Name"] for feature in points) == sorted(position)
    for feature in points:
        assert shape(feature["geometry"]).distance(Point(position[feature["properties"]["Name"]])) < 1e-7
    for feature in sectors:
        sector, apex = shape(feature["geometry"]), Point(position[feature["properties"]["Name"]])
        assert sector.is_valid and sector.area > 0 and sector.distance(apex) < 1e-7  # drawn from the camera
    if driver == "LIBKML":
        for feature in points + sectors:
            properties = feature["properties"]
            assert int(properties["observo_id"]) in served.readable
            assert properties["observo_visibility"] in ("public", "shared", "private")
            assert properties["visibility"] in (None, -1, 1)  # KML's own: unset or shown, never 0 (hidden)
    assert served.audit_after(start) == [("export.kml", REASON, len(served.readable))]
