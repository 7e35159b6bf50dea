"""Real OGC API – Features clients against a live Observo: GDAL's `ogrinfo` and OWSLib.

The server runs in a thread on the demo territory, once on SpatiaLite and once on PostGIS. Each
client must see exactly what /api/v1/cameras shows the same caller: anonymous (public cameras,
generalised) and a bearer-token viewer (the carabinieri station: every shared camera). GDAL reads
with a page size of 20, so a full read follows the `next` links through several pages.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import shutil
import subprocess
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from owslib import ogcapi
from owslib.ogcapi.features import Features
from werkzeug.serving import make_server

from observo.cli import DEMO_PASSWORD
from observo.extensions import db
from observo.models import User
from observo.services import accounts
from observo.services.demo import seed_demo
from tests.conftest import DIALECTS, app_on_own_database

OGRINFO = shutil.which("ogrinfo") or "/usr/bin/ogrinfo"
VIEWER = "stazione@carabinieri-nichelino.example.it"  # a state force: sees every shared camera
PAGE_SIZE = 20
# Nichelino and Moncalieri: some of the demo cameras, not all.
BBOX = (7.60, 44.95, 7.72, 45.03)
CALLERS = ("anonymous", "viewer")
# OWSLib adds a client's headers to this module-wide dict in place: each client starts from a copy.
_OWSLIB_HEADERS = dict(ogcapi.REQUEST_HEADERS)


@dataclass(frozen=True)
class LiveOgc:
    base: str
    token: str

    def headers(self, caller: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if caller == "viewer" else {}


@pytest.fixture(scope="module", params=DIALECTS)
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveOgc]:
    """Observo serving the demo territory on one database, and a viewer's bearer token."""
    tmp = tmp_path_factory.mktemp(f"ogc-{request.param}")
    with app_on_own_database(request.param, tmp, "observo_ogc", ratelimit_enabled=False) as app:
        with app.app_context():
            seed_demo(db.session, DEMO_PASSWORD)
            viewer = db.session.scalar(sa.select(User).where(User.email == VIEWER))
            token = accounts.create_token(db.session, viewer, "ogc-clients")
            db.session.commit()
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield LiveOgc(f"http://127.0.0.1:{server.server_port}", token)
        server.shutdown()


def fetch(live: LiveOgc, caller: str, path: str) -> dict:
    request = urllib.request.Request(live.base + path, headers=live.headers(caller))
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def api_ids(live: LiveOgc, caller: str, bbox: str | None = None) -> set[int]:
    """The ids /api/v1/cameras gives `caller` (the demo fits in one page of 1,000)."""
    body = fetch(live, caller, "/api/v1/cameras?limit=1000" + (f"&bbox={bbox}" if bbox else ""))
    assert body["numberMatched"] == body["numberReturned"] == len(body["features"])
    return {feature["id"] for feature in body["features"]}


def ogrinfo(live: LiveOgc, caller: str, *flags: str, layer: str = "") -> subprocess.CompletedProcess[str]:
    options = ["-oo", f"PAGE_SIZE={PAGE_SIZE}", "--debug", "on"]
    if caller == "viewer":
        options += ["--config", "GDAL_HTTP_HEADERS", f"Authorization: Bearer {live.token}"]
    env = {name: value for name, value in os.environ.items() if "proxy" not in name.lower()}
    command = [OGRINFO, "-ro", *options, *flags, f"OAPIF:{live.base}/ogc", *([layer] if layer else [])]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def owslib(live: LiveOgc, caller: str, monkeypatch: pytest.MonkeyPatch) -> Features:
    monkeypatch.setattr(ogcapi, "REQUEST_HEADERS", dict(_OWSLIB_HEADERS))
    return Features(f"{live.base}/ogc", headers=live.headers(caller))


def items_fetched(stderr: str) -> list[str]:
    """The item pages GDAL asked for (from its debug output)."""
    return re.findall(r"Fetch\((\S+/collections/cameras/items\S*)\)", stderr)


@pytest.mark.parametrize("caller", CALLERS)
def test_ogrinfo_summary_counts_what_the_api_counts(live, caller):
    expected = api_ids(live, caller)
    assert fetch(live, caller, "/ogc/collections/cameras/items?limit=1")["numberMatched"] == len(expected)
    done = ogrinfo(live, caller, "-so", layer="cameras")
    match = re.search(r"^Feature Count: (\d+)$", done.stdout, re.MULTILINE)
    assert match, done.stdout
    assert int(match.group(1)) == len(expected)
    assert "Geometry: Point" in done.stdout


@pytest.mark.parametrize("caller", CALLERS)
def test_ogrinfo_reads_every_feature_through_the_paging(live, caller):
    expected = api_ids(live, caller)
    assert len(expected) > 2 * PAGE_SIZE  # several pages, or the paging would go untested
    done = ogrinfo(live, caller, "-al", "-q")
    fids = [int(fid) for fid in re.findall(r"^OGRFeature\(cameras\):(\d+)$", done.stdout, re.MULTILINE)]
    assert len(fids) == len(expected) and set(fids) == expected  # every camera, each once
    pages = {url for url in items_fetched(done.stderr) if "offset=" in url}
    assert len(pages) == math.ceil(len(expected) / PAGE_SIZE) - 1  # followed every next link


@pytest.mark.parametrize("caller", CALLERS)
def test_owslib_reads_a_bbox_as_the_api_does(live, caller, monkeypatch):
    bbox = ",".join(str(value) for value in BBOX)
    expected = api_ids(live, caller, bbox)
    assert 0 < len(expected) < len(api_ids(live, caller))
    client = owslib(live, caller, monkeypatch)
    listed = [collection["id"] for collection in client.collections()["collections"]]
    assert listed == (["cameras", "camera-views"] if caller == "viewer" else ["cameras"])
    seen: list[int] = []
    page = client.collection_items("cameras", bbox=list(BBOX), limit=10)
    while True:
        assert page["numberMatched"] == len(expected)
        seen += [feature["id"] for feature in page["features"]]
        if not any(link["rel"] == "next" for link in page["links"]):
            break
        page = client.collection_items("cameras", bbox=list(BBOX), limit=10, offset=len(seen))
    assert len(seen) == len(set(seen)) and set(seen) == expected


def test_qgis_compatibility_points_on_the_documents(live, monkeypatch):
    client = owslib(live, "anonymous", monkeypatch)
    desc = next(link for link in client.links if link["rel"] == "service-desc")
    assert desc["type"] == "application/vnd.oai.openapi+json;version=3.0"
    limit = client.api()["components"]["parameters"]["limit"]["schema"]
    assert limit["maximum"] >= limit["default"] > 0
    page = client.collection_items("cameras", limit=PAGE_SIZE)
    following = next(link for link in page["links"] if link["rel"] == "next")
    assert following["type"] == "application/geo+json"


@pytest.mark.parametrize("caller", CALLERS)
def test_owslib_reads_the_queryables_and_filters_with_them(live, caller, monkeypatch):
    """OWSLib's Part 3 call; the filter OWSLib passes through is answered as /api/v1 filters."""
    client = owslib(live, caller, monkeypatch)
    queryables = client.collection_queryables("cameras")
    assert queryables["type"] == "object" and "camera_type" in queryables["properties"]
    assert ("status" in queryables["properties"]) is (caller == "viewer")  # anonymous: public ones only
    expected = {
        feature["id"]
        for feature in fetch(live, caller, "/api/v1/cameras?limit=1000&camera_type=dome")["features"]
    }
    page = client.collection_items("cameras", limit=1000, filter="camera_type = 'dome'")
    assert 0 < page["numberMatched"] == len(expected)
    assert {feature["id"] for feature in page["features"]} == expected


def test_ogrinfo_draws_the_fields_of_view_as_polygons(live):
    """The tester's QGIS 3.22 point: the views are a polygon layer of their own (for signed-in users)."""
    expected = api_ids(live, "viewer")
    done = ogrinfo(live, "viewer", "-so", layer="camera-views")
    assert "Geometry: Polygon" in done.stdout
    match = re.search(r"^Feature Count: (\d+)$", done.stdout, re.MULTILINE)
    assert match and int(match.group(1)) == len(expected)
    assert re.search(r"^camera_id: Integer", done.stdout, re.MULTILINE), done.stdout
    listed = ogrinfo(live, "anonymous", "-so")
    assert "camera-views" not in listed.stdout


def test_ogrinfo_filters_on_the_new_attributes(live):
    """An attribute filter in GDAL (3.6 evaluates it on its side: it sends no CQL2) finds what /api/v1
    finds: the properties of every page read are the same as the API's."""
    expected = {
        feature["id"]
        for feature in fetch(live, "viewer", "/api/v1/cameras?limit=1000&status=faulty")["features"]
    }
    done = ogrinfo(live, "viewer", "-al", "-q", "-where", "status = 'faulty'", layer="cameras")
    fids = {int(fid) for fid in re.findall(r"^OGRFeature\(cameras\):(\d+)$", done.stdout, re.MULTILINE)}
    assert fids == expected and expected
