"""POST /api/v1/imports options: format, skip_invalid, key, crs, encoding and the repeatable column map,
in the query string or as multipart form fields alike; a bad one is a 422 naming it, and nothing is
read or written. On both databases."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlencode

import pytest
import sqlalchemy as sa
from geoalchemy2.shape import to_shape
from pyproj import Transformer

from observo.models import AuditEntry, ImportJob
from tests import factories
from tests.api.test_imports import cameras, make_world, upload

# A municipal list as a spreadsheet saves it: Windows-1252 (the accents), an angle column under a name
# no header variant knows, and a file name that says nothing of its format.
MUNICIPAL = (
    "nome;tipo;titolare;direzione;ampiezza;longitudine;latitudine;riferimento;conservazione_ore\r\n"
    "Varco Università;fixed;torino;90;45;7,6869;45,0703;W-1;24\r\n"
).encode("cp1252")
OPTIONS = {"format": "csv", "encoding": "windows-1252", "map": ["ampiezza=hfov_deg"], "key": "ref"}


@pytest.fixture
def world(session):
    return make_world(session)


def form_upload(client, headers, data: bytes, fields: dict, query: str = ""):
    return client.post(
        f"/api/v1/imports{query}",
        data={"file": (io.BytesIO(data), "elenco.dat"), **fields},
        headers=headers,
        content_type="multipart/form-data",
    )


def jobs(session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(ImportJob))


@pytest.mark.parametrize("where", ["query", "form"])
def test_the_options_are_read_from_the_query_or_the_form(client, session, world, where):
    if where == "query":
        response = upload(
            client, world["editor"], MUNICIPAL, "elenco.dat", "?" + urlencode(OPTIONS, doseq=True)
        )
    else:
        response = form_upload(client, world["editor"], MUNICIPAL, OPTIONS)
    assert response.status_code == 201, response.json
    (camera,) = cameras(session, ref="W-1")
    assert (camera.name, camera.hfov_deg, camera.bearing_deg) == ("Varco Università", 45.0, 90.0)
    body = response.json
    assert body["options"] == {
        "format": "csv",
        "key": "ref",
        "skip_invalid": False,
        "crs": None,
        "encoding": "windows-1252",
        "map": {"ampiezza": "hfov_deg"},
    }
    assert body["filename"] == "elenco.dat" and body["file"]["columns"]["ampiezza"] == "hfov_deg"


def test_bad_options_are_each_named_in_one_422_and_nothing_is_done(client, session, world):
    before = jobs(session)
    query = urlencode(
        {
            "format": "xls",
            "key": "name",
            "skip_invalid": "maybe",
            "crs": "EPSG:999999",
            "encoding": "klingon",
            "map": ["angolo", "angolo=colour"],
        },
        doseq=True,
    )
    response = upload(client, world["editor"], MUNICIPAL, "elenco.csv", "?" + query)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    found = {issue["pointer"]: issue["code"] for issue in response.json["errors"]}
    assert found == {
        "/format": "invalid_choice",
        "/key": "invalid_choice",
        "/skip_invalid": "invalid_type",
        "/crs": "unknown_crs",
        "/encoding": "unknown_encoding",
        "/map/0": "invalid_format",
        "/map/1": "unknown_property",
    }
    details = " ".join(issue["detail"] for issue in response.json["errors"])
    assert "'xls'" in details and "angolo=hfov_deg" in details and "EPSG:3003" in details
    assert cameras(session) == [] and jobs(session) == before
    # the same options as form fields: the same answer
    fields = parse_qs(query)
    again = form_upload(client, world["editor"], MUNICIPAL, fields)
    assert again.status_code == 422
    assert {issue["pointer"] for issue in again.json["errors"]} == set(found)


def test_an_option_given_twice_differently_is_refused(client, session, world):
    response = form_upload(client, world["editor"], MUNICIPAL, {"format": "geojson"}, "?format=csv")
    assert response.status_code == 422
    assert [(i["pointer"], i["code"]) for i in response.json["errors"]] == [("/format", "conflict")]
    same = form_upload(client, world["editor"], MUNICIPAL, {"format": "csv", **OPTIONS}, "?format=csv")
    assert same.status_code == 201, same.json


def test_a_map_naming_a_column_the_file_lacks_is_a_422_naming_it(client, session, world):
    response = upload(client, world["editor"], MUNICIPAL, "elenco.csv", "?map=larghezza%3Dhfov_deg")
    assert response.status_code == 422
    assert "larghezza" in response.json["detail"] and cameras(session) == []


def test_the_format_option_overrides_the_file_name(client, session, world):
    # named .geojson, read as the CSV it is
    refused = upload(client, world["editor"], MUNICIPAL, "elenco.geojson", "?encoding=windows-1252")
    assert refused.status_code == 422
    read = upload(client, world["editor"], MUNICIPAL, "elenco.geojson", "?format=csv&encoding=cp1252")
    assert read.status_code == 201, read.json
    assert read.json["format"] == "csv"


def test_crs_reprojects_x_y_columns(client, session, world):
    """Monte Mario / Italy zone 1 (EPSG:3003, Gauss-Boaga), as Piedmont's cartography gives it."""
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:3003", always_xy=True).transform(*factories.TURIN)
    data = f"nome;tipo;titolare;x;y;riferimento\nGB;dome;torino;{x:.2f};{y:.2f};GB-1\n".encode()
    response = upload(client, world["editor"], data, "gb.csv", "?crs=EPSG:3003")
    assert response.status_code == 201, response.json
    assert response.json["options"]["crs"] == "EPSG:3003" and response.json["file"]["crs"] == "EPSG:3003"
    point = to_shape(cameras(session, ref="GB-1")[0].location)
    assert (point.x, point.y) == pytest.approx(factories.TURIN, abs=1e-5)  # about a metre


def test_a_dry_run_is_audited_with_its_options(client, session, world):
    response = upload(client, world["editor"], MUNICIPAL, "elenco.csv", "?encoding=cp1252&dry_run=yes")
    assert response.status_code == 201 and response.json["status"] == "validated"
    entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "import.dry_run"))
    assert entry is not None and entry.object_id == str(response.json["id"])
    assert cameras(session) == []
