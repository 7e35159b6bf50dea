"""A live Observo on the demo territory and a headless QGIS desktop reading it (docs/gis-clients.md).

The server runs in a thread of the test process (as in tests/test_ogc_clients.py), once on each
database. QGIS runs in a subprocess of Debian's /usr/bin/python3 (python3-qgis: the virtualenv cannot
import qgis) with `tests/gis/qgis_client.py`, a few times per database, each run one QGIS session
with a profile of its own and many steps: starting QGIS costs about a second, so every check of a
session reads the answers of one run.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.serving import make_server

from observo.cli import DEMO_PASSWORD
from observo.extensions import db
from observo.models import AuditEntry, User
from observo.services import accounts
from observo.services.demo import seed_demo
from tests.conftest import DIALECTS, app_on_own_database

QGIS_PYTHON = "/usr/bin/python3"  # Debian's, where python3-qgis lives (scripts/system-packages.sh)
CLIENT = Path(__file__).with_name("qgis_client.py")
VIEWER = "stazione@carabinieri-nichelino.example.it"  # a state force: sees every shared camera
RUN_TIMEOUT_S = 180


@dataclass
class LiveObservo:
    """The server, the viewer's API token, and the app (to read the audit log directly)."""

    base: str
    token: str
    viewer_id: int
    app: Flask
    notes: dict[str, Any] = field(default_factory=dict)  # what a run prepared (export URLs...)
    seen: list[tuple[str, str, str, str]] = field(default_factory=list)  # requests (RequestLog)

    def headers(self, caller: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if caller == "police" else {}

    def basic(self, user_name: str = VIEWER) -> dict[str, str]:
        """What a QGIS user types into a Basic authentication configuration."""
        return {"username": user_name, "password": self.token}

    def request(self, caller: str, path: str, body: Any = None, method: str = "GET") -> Any:
        headers = self.headers(caller)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers = {**headers, "Content-Type": "application/json"}
        request = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    def get(self, caller: str, path: str) -> Any:
        return self.request(caller, path)


class RequestLog:
    """WSGI middleware noting each request's method, path, credentials scheme and Range header."""

    def __init__(self, app: Any, seen: list[tuple[str, str, str, str]]) -> None:
        self.app, self.seen = app, seen

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        scheme = environ.get("HTTP_AUTHORIZATION", "").partition(" ")[0].lower()
        self.seen.append(
            (environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""), scheme, environ.get("HTTP_RANGE", ""))
        )
        return self.app(environ, start_response)


@pytest.fixture(scope="package", params=DIALECTS)
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveObservo]:
    """Observo serving the demo territory on one database, and the viewer's API token."""
    tmp = tmp_path_factory.mktemp(f"qgis-{request.param}")
    with app_on_own_database(request.param, tmp, "observo_qgis", ratelimit_enabled=False) as app:
        with app.app_context():
            seed_demo(db.session, DEMO_PASSWORD)
            viewer = db.session.scalar(sa.select(User).where(User.email == VIEWER))
            token = accounts.create_token(db.session, viewer, "qgis")
            viewer_id = viewer.id
            db.session.commit()
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        seen: list[tuple[str, str, str, str]] = []
        server = make_server("127.0.0.1", 0, RequestLog(app, seen), threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield LiveObservo(f"http://127.0.0.1:{server.server_port}", token, viewer_id, app, seen=seen)
        finally:
            server.shutdown()


def run_qgis(steps: list[dict[str, Any]], folder: Path) -> dict[str, Any]:
    """One QGIS session (profile, auth database and network cache in `folder`) running `steps`."""
    profile = folder / "profile"
    profile.mkdir(parents=True)
    (folder / "runtime").mkdir(mode=0o700)
    env = {name: value for name, value in os.environ.items() if "proxy" not in name.lower()}
    env.update(
        HOME=str(folder),  # QSettings and anything else QGIS writes outside the profile
        XDG_RUNTIME_DIR=str(folder / "runtime"),
        QT_QPA_PLATFORM="offscreen",  # no display
        PYTHONPATH="",  # the virtualenv's packages are not Debian's python's
        PYTHONNOUSERSITE="1",
    )
    job = json.dumps({"profile": str(profile), "steps": steps})
    done = subprocess.run(
        [QGIS_PYTHON, str(CLIENT)],
        input=job,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        env=env,
        cwd=folder,
        check=False,
    )
    missing = "No module named 'qgis'" in done.stderr
    assert not missing, "QGIS is not installed: run scripts/system-packages.sh --gis-clients (as root)"
    assert done.returncode == 0, f"QGIS exited with {done.returncode}:\n{done.stderr[-3000:]}"
    return json.loads(done.stdout)["results"]


# ---------------------------------------------------------------- the QGIS sessions

# Moncalieri and Nichelino at a street scale: QGIS asks for tiles of zoom 13 or more here (one point
# per camera); the overview (the whole registry in one image) asks for aggregated tiles.
STREETS = [7.64, 44.975, 7.70, 45.015]
MAP_SIZE_PX = 768


def padded(bounds: list[float], margin: float = 0.05) -> list[float]:
    return [bounds[0] - margin, bounds[1] - margin, bounds[2] + margin, bounds[3] + margin]


def tiles_step(name: str, tilejson: dict[str, Any], bbox: list[float], auth: Any = None) -> dict[str, Any]:
    """A vector tile connection as a user types it from the TileJSON: URL template, zoom range."""
    layer = tilejson["vector_layers"][0]
    return {
        "name": name,
        "kind": "tiles",
        "url": tilejson["tiles"][0],
        "zmin": tilejson["minzoom"],
        "zmax": tilejson["maxzoom"],
        "layer": layer["id"],
        "fields": sorted(layer["fields"]),
        "bbox": bbox,
        "size": MAP_SIZE_PX,
        "auth": auth,
    }


def oapif_step(live: LiveObservo, name: str, collection: str, auth: Any = None) -> dict[str, Any]:
    return {"name": name, "kind": "features", "url": f"{live.base}/ogc", "typename": collection, "auth": auth}


def render_step(layer: dict[str, Any]) -> dict[str, Any]:
    """The layer drawn on a map of the streets by QGIS's parallel renderer (its canvas)."""
    return {**layer, "kind": "render", "bbox": STREETS}


def desktop_steps(live: LiveObservo) -> list[dict[str, Any]]:
    """One desktop session: the public layer, then at once the same service with the police token
    (what a user who adds credentials later does: QGIS's network cache is warm by then), then the
    public map, tiles and the police-only collection asked for without credentials."""
    public = live.get("anonymous", "/tiles/cameras/metadata.json")
    return [
        oapif_step(live, "anonymous", "cameras"),
        oapif_step(live, "police after anonymous", "cameras", live.basic()),
        render_step(oapif_step(live, "anonymous map", "cameras")),
        tiles_step("public tiles, overview", public, padded(public["bounds"])),
        tiles_step("public tiles, streets", public, STREETS),
        oapif_step(live, "anonymous views", "camera-views"),
    ]


def police_steps(live: LiveObservo) -> list[dict[str, Any]]:
    """A fresh session of a police user: every layer with the Basic configuration (token as password),
    and two exports (GeoJSON, KML) asked for once each and opened by URL."""
    restricted = live.request("police", "/tiles/cameras/restricted/metadata.json")
    exports = {
        kind: live.request("police", "/api/v1/exports", {"f": kind, "reason": "QGIS test 21/2026"}, "POST")
        for kind in ("geojson", "kml")
    }
    live.notes["exports"] = exports
    kml = f"/vsicurl/{exports['kml']['href']}"
    return [
        oapif_step(live, "police", "cameras", live.basic()),
        oapif_step(live, "police as 'token'", "cameras", live.basic("token")),
        oapif_step(live, "police views", "camera-views", live.basic()),
        render_step(oapif_step(live, "police views map", "camera-views", live.basic())),
        tiles_step("restricted tiles, overview", restricted, padded(restricted["bounds"]), live.basic()),
        file_step("export", f"/vsicurl/{exports['geojson']['href']}"),
        # A KML file holds two layers: QGIS's sub-layer dialog adds each with its geometry type.
        file_step("kml cameras", f"{kml}|layername=cameras|geometrytype=Point"),
        file_step("kml views", f"{kml}|layername=fields of view|geometrytype=Polygon"),
        {
            **file_step("kml views map", f"{kml}|layername=fields of view|geometrytype=Polygon"),
            "kind": "render",
            "bbox": STREETS,
        },
    ]


def file_step(name: str, source: str) -> dict[str, Any]:
    """A file layer through GDAL (the `ogr` provider), as *Add Vector Layer* opens a URL."""
    return {"name": name, "kind": "features", "provider": "ogr", "source": source}


@pytest.fixture(scope="package")
def qgis(live: LiveObservo, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The two QGIS sessions' answers, by session then step name (each run once per database)."""
    folder = tmp_path_factory.mktemp("qgis-sessions")
    audit_before = export_audit_entries(live)
    start = len(live.seen)
    desktop = run_qgis(desktop_steps(live), folder / "desktop")
    live.notes["desktop requests"] = live.seen[start:]
    police = run_qgis(police_steps(live), folder / "police")
    live.notes["export audit entries"] = export_audit_entries(live) - audit_before
    return {"desktop": desktop, "police": police}


def export_audit_entries(live: LiveObservo) -> int:
    """The viewer's export entries in the audit log."""
    with live.app.app_context():
        query = sa.select(sa.func.count()).where(
            AuditEntry.actor_user_id == live.viewer_id, AuditEntry.action.like("export.%")
        )
        return db.session.scalar(query)
