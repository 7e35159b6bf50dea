"""What a source said travels with police exports, never with public ones (issue 17), on both databases.

Police exports carry `source_tags` (GeoJSON and KML: the object; CSV: one column of JSON text that
reads back as the object), `licence`, `operator_name` and `direction_unknown`; footage contacts stay
behind the audited contacts route. Anonymous exports carry the public properties only, whatever the
format: no source tags, operator, contacts or OSM id (the id would give the exact position away).
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest

from observo.domain.csv_cells import FORMULA_STARTS
from tests import factories

REASON = "PG-2026-0612 verifica fonti"
KML = "{http://www.opengis.net/kml/2.2}"
FORMATS = ("geojson", "csv", "kml", "osm")
PUBLIC_PROPERTIES = {"name", "camera_type", "surveillance_type", "municipality", "owner"}
TAGS = {
    "man_made": "surveillance",
    "camera:direction": "90",
    "camera:type": "fixed",
    "name": "Varco via Po",
    "operator": "Vigilanza Privata Srl",
    "contact:phone": "+39 011 555 0101",
    "note": "=SEGRETO(1)",  # a formula-looking value inside the JSON cell
}
SECRETS = ("Vigilanza Privata", "+39 011 555 0101", "SEGRETO", "centrale@fonti.example", "700002")


@pytest.fixture
def world(session):
    town = factories.org(session, "fonti-town")
    lon, lat = factories.TURIN
    osm = factories.camera(
        session,
        town,
        lon,
        lat,
        visibility="public",
        source="osm_import",
        osm_id=700002,
        licence="ODbL-1.0",
        source_tags=TAGS,
        operator_name="Vigilanza Privata Srl",
        footage_contact_email="centrale@fonti.example",
        name="Varco via Po",
    )
    unknown = factories.camera(
        session, town, lon + 0.001, lat, visibility="public", bearing_deg=None, direction_unknown=True
    )
    return {"osm": osm, "unknown": unknown, "viewer": factories.headers_for(session, town, "viewer")}


def export(client, fmt, headers=None, **params):
    query = "&".join(f"{name}={value}" for name, value in {"f": fmt, "owner": "fonti-town", **params}.items())
    response = client.get(f"/api/v1/exports?{query}", headers=headers or {})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def police(client, world, fmt):
    return export(client, fmt, world["viewer"], reason=REASON)


def test_police_geojson_carries_the_source_fields(client, world):
    features = {
        f["id"]: f["properties"] for f in json.loads(police(client, world, "geojson").data)["features"]
    }
    osm, unknown = features[world["osm"].id], features[world["unknown"].id]
    assert osm["source_tags"] == TAGS
    assert (osm["licence"], osm["operator_name"], osm["direction_unknown"]) == (
        "ODbL-1.0",
        "Vigilanza Privata Srl",
        False,
    )
    assert (unknown["direction_unknown"], unknown["bearing_deg"], unknown["source_tags"]) == (
        True,
        None,
        None,
    )


def test_police_csv_has_one_json_column_of_source_tags(client, world):
    text = police(client, world, "csv").get_data(as_text=True)
    rows = {int(row["id"]): row for row in csv.DictReader(io.StringIO(text, newline=""))}
    osm, unknown = rows[world["osm"].id], rows[world["unknown"].id]
    assert json.loads(osm["source_tags"]) == TAGS  # valid JSON: read back, the same object
    assert not osm["source_tags"].lstrip().startswith(FORMULA_STARTS)  # an object is never a formula
    assert (osm["licence"], osm["operator_name"], osm["direction_unknown"]) == (
        "ODbL-1.0",
        "Vigilanza Privata Srl",
        "false",
    )
    assert (unknown["direction_unknown"], unknown["bearing_deg"], unknown["source_tags"]) == ("true", "", "")


def test_police_kml_carries_the_source_tags_as_json(client, world):
    root = ET.fromstring(police(client, world, "kml").data)
    placemark = root.find(f"{KML}Document/{KML}Folder/{KML}Placemark[@id='camera-{world['osm'].id}']")
    data = {d.get("name").removeprefix("observo_"): d.text for d in placemark.iter(f"{KML}SimpleData")}
    assert json.loads(data["source_tags"]) == TAGS
    assert (data["licence"], data["operator_name"], data["direction_unknown"]) == (
        "ODbL-1.0",
        "Vigilanza Privata Srl",
        "false",
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_export_carries_footage_contacts(client, world, fmt):
    assert "centrale@fonti.example" not in police(client, world, fmt).get_data(as_text=True)


@pytest.mark.parametrize("fmt", FORMATS)
def test_public_exports_carry_nothing_of_the_source_but_the_attribution(client, world, fmt):
    response = export(client, fmt)
    text = response.get_data(as_text=True)
    for secret in (*SECRETS, "source_tags", "operator_name", "contact:", "direction_unknown"):
        assert secret not in text, secret
    assert "OpenStreetMap contributors" in response.headers["X-Attribution"]
    if fmt == "geojson":
        features = json.loads(text)["features"]
        assert all(set(feature["properties"]) == PUBLIC_PROPERTIES for feature in features)
    elif fmt == "csv":
        header = next(csv.reader(io.StringIO(text)))
        assert header == [
            "id",
            "lon",
            "lat",
            "name",
            "camera_type",
            "surveillance_type",
            "municipality",
            "owner",
            "licence",
        ]
    elif fmt == "kml":
        names = {d.get("name") for d in ET.fromstring(response.data).iter(f"{KML}SimpleData")}
        assert names <= {f"observo_{name}" for name in {"id", *PUBLIC_PROPERTIES}}
    else:
        nodes = json.loads(text)["features"]
        assert {node["id"] for node in nodes} == {f"node/-{world['osm'].id}", f"node/-{world['unknown'].id}"}
        assert all(
            set(node["properties"]) <= {"man_made", "surveillance:type", "camera:type", "name"}
            for node in nodes
        )


def test_the_police_osm_export_writes_the_node_back_as_it_came(client, world):
    nodes = {node["id"]: node for node in json.loads(police(client, world, "osm").data)["features"]}
    assert nodes["node/700002"]["properties"] == {"@id": "node/700002", **TAGS}
    unknown = nodes[f"node/-{world['unknown'].id}"]["properties"]
    assert unknown == {
        "man_made": "surveillance",
        "surveillance:type": "camera",
        "camera:type": "fixed",
        "name": world["unknown"].name,
    }
