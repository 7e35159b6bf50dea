"""Every export carries the attribution its rows need, and only those (issue 17), on both databases.

A registry without OpenStreetMap rows claims no ODbL in any format; with OSM rows in the export, every
format credits OpenStreetMap: GeoJSON and OSM a top-level `attribution`, KML the Document's
description and atom:link, CSV the `licence` column, and every download `Link`/`X-Attribution`.
The rows counted are the rows exported: the caller's scope, filters and limit.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest

from observo.cli import main
from tests import factories

REASON = "PG-2026-0611 verifica licenze"
KML = "{http://www.opengis.net/kml/2.2}"
ATOM = "{http://www.w3.org/2005/Atom}"
FORMATS = ("geojson", "csv", "kml", "osm")
OSM_TAGS = {"man_made": "surveillance", "camera:direction": "90", "camera:type": "fixed"}


@pytest.fixture
def registry(session):
    town = factories.org(session, "licence-town")
    other = factories.org(session, "licence-other")
    lon, lat = factories.TURIN
    own = factories.camera(session, town, lon, lat, visibility="public", name="Municipio")
    return {
        "town": town,
        "other": other,
        "own": own,
        "viewer": factories.headers_for(session, town, "viewer"),
    }


def osm_camera(session, owner, visibility="public", lon_shift=0.001, **extra):
    lon, lat = factories.TURIN
    return factories.camera(
        session,
        owner,
        lon + lon_shift,
        lat,
        visibility=visibility,
        source="osm_import",
        **{
            "osm_id": 700001,
            "licence": "ODbL-1.0",
            "source_tags": OSM_TAGS,
            "name": "Telecamera OpenStreetMap",
            **extra,
        },
    )


def export(client, fmt, headers=None, **params):
    query = "&".join(f"{name}={value}" for name, value in {"f": fmt, **params}.items())
    response = client.get(f"/api/v1/exports?{query}", headers=headers or {})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def credits_osm(response, fmt: str) -> bool:
    """Whether the export, in its own format, credits OpenStreetMap under the ODbL."""
    if fmt in ("geojson", "osm"):
        return "OpenStreetMap contributors, ODbL 1.0" in json.loads(response.data).get("attribution", "")
    if fmt == "kml":
        document = ET.fromstring(response.data).find(f"{KML}Document")
        links = [link.get("href") for link in document.findall(f"{ATOM}link") if link.get("rel") == "license"]
        text = document.findtext(f"{KML}description") or ""
        return (
            "OpenStreetMap contributors, ODbL 1.0" in text
            and "https://www.openstreetmap.org/copyright" in links
        )
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    return any(row["licence"] == "ODbL-1.0" for row in rows)


def claims_nothing(response) -> bool:
    text = response.get_data(as_text=True)
    headers = ("Link", "X-Attribution")
    return (
        "ODbL" not in text
        and "OpenStreetMap" not in text
        and not any(name in response.headers for name in headers)
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_registry_without_osm_rows_claims_no_odbl(client, registry, fmt):
    assert claims_nothing(export(client, fmt, owner="licence-town"))
    assert claims_nothing(export(client, fmt, registry["viewer"], reason=REASON))


@pytest.mark.parametrize("fmt", FORMATS)
def test_osm_rows_are_credited_in_every_format_for_every_audience(client, session, registry, fmt):
    osm_camera(session, registry["town"])
    for headers, params in (({}, {}), (registry["viewer"], {"reason": REASON})):
        response = export(client, fmt, headers, owner="licence-town", **params)
        assert credits_osm(response, fmt), response.get_data(as_text=True)
        assert "OpenStreetMap contributors, ODbL 1.0" in response.headers["X-Attribution"]
        assert response.headers["Link"] == '<https://www.openstreetmap.org/copyright>; rel="license"'


def test_the_csv_says_each_rows_licence_and_only_osm_rows_are_odbl(client, session, registry):
    osm = osm_camera(session, registry["town"])
    for headers, params in (({}, {}), (registry["viewer"], {"reason": REASON})):
        rows = list(
            csv.DictReader(io.StringIO(export(client, "csv", headers, **params).get_data(as_text=True)))
        )
        licences = {int(row["id"]): row["licence"] for row in rows}
        assert licences == {registry["own"].id: "", osm.id: "ODbL-1.0"}


def test_only_the_licences_of_the_exported_rows_are_credited(client, session, registry):
    osm_camera(session, registry["other"], visibility="private")  # not readable by the town's viewer
    factories.camera(session, registry["town"], visibility="shared", licence="CC-BY-4.0", source="csv_import")
    body = json.loads(export(client, "geojson", registry["viewer"], reason=REASON).data)
    assert body["attribution"] == (
        "Cameras from open data under the CC-BY-4.0 licence, https://creativecommons.org/licenses/by/4.0/"
    )
    # The anonymous caller sees neither the private OSM row nor the shared CC-BY one.
    assert claims_nothing(export(client, "geojson"))


def test_filters_and_limits_choose_the_rows_that_are_credited(client, session, registry):
    osm_camera(session, registry["town"])  # created after `own`: second by id
    assert claims_nothing(export(client, "osm", limit=1, owner="licence-town"))
    assert credits_osm(export(client, "osm", limit=1, offset=1, owner="licence-town"), "osm")
    assert claims_nothing(export(client, "kml", registry["viewer"], reason=REASON, owner="licence-other"))


def test_a_public_domain_row_needs_no_credit(client, session, registry):
    factories.camera(session, registry["town"], visibility="public", licence="CC0-1.0", source="csv_import")
    response = export(client, "geojson")
    assert "attribution" not in json.loads(response.data) and "Link" not in response.headers


def test_osm_rows_imported_before_cameras_kept_a_licence_are_still_credited(client, session, registry):
    osm_camera(session, registry["town"], licence=None)
    assert credits_osm(export(client, "geojson"), "geojson")
    rows = list(csv.DictReader(io.StringIO(export(client, "csv").get_data(as_text=True))))
    assert {row["licence"] for row in rows} == {"", "ODbL-1.0"}


def test_the_command_credits_osm_rows_in_the_file_and_on_stderr(app, session, registry, tmp_path):
    runner = app.test_cli_runner()
    output = tmp_path / "cameras.geojson"
    result = runner.invoke(main, ["export", "--format", "geojson", "--output", str(output)])
    assert result.exit_code == 0, result.stderr
    assert "attribution" not in json.loads(output.read_text(encoding="utf-8")) and "ODbL" not in result.stderr
    osm_camera(session, registry["town"])
    result = runner.invoke(main, ["export", "--format", "geojson", "--output", str(output)])
    assert result.exit_code == 0, result.stderr
    assert "OpenStreetMap contributors" in json.loads(output.read_text(encoding="utf-8"))["attribution"]
    assert "attribution: © OpenStreetMap contributors, ODbL 1.0" in result.stderr
