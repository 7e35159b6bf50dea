"""The dry run of an update says, row by row, what would change: the action, the camera, each changed
property with its old and new value, and how far the camera moves. On both databases."""

from __future__ import annotations

from datetime import date

import pytest

from tests import factories
from tests.api.test_imports import cameras, counts, make_world, upload

LON, LAT = factories.TURIN
HEADER = "nome;tipo;titolare;direzione;longitudine;latitudine;riferimento;conservazione_ore;installata_il"


@pytest.fixture
def world(session):
    return make_world(session)


def line(name: str, lon: float, ref: str, retention: int = 168, bearing: str = "90", day: str = "") -> str:
    return f"{name};fixed;torino;{bearing};{lon:.7f};{LAT:.6f};{ref};{retention};{day}"


def test_the_dry_run_of_an_update_shows_each_change_and_the_move(client, session, world):
    moved = factories.camera(
        session,
        world["torino"],
        LON,
        LAT,
        name="Varco",
        ref="C-1",
        installed_on=date(2020, 1, 10),
        source="csv_import",
    )
    same = factories.camera(
        session, world["torino"], LON + 0.01, LAT, name="Fermo", ref="C-2", source="csv_import"
    )
    data = "\n".join(
        (
            HEADER,
            line("Varco Ovest", LON + 50 / 78_850, "C-1", retention=72, day="15/03/2021"),  # 50 m east
            line("Fermo", LON + 0.01, "C-2"),
            line("Nuovo", LON + 0.02, "C-3"),
        )
    ).encode()
    response = upload(client, world["editor"], data, query="?dry_run=1")
    assert response.status_code == 201, response.json
    assert counts(response.json, created=1, updated=1, unchanged=1)
    rows = {row["row"]: row for row in response.json["rows"]}
    assert rows[2]["action"] == "update" and rows[2]["camera_id"] == moved.id
    assert rows[2]["changes"] == {
        "name": {"old": "Varco", "new": "Varco Ovest"},
        "retention_hours": {"old": 168, "new": 72},
        "installed_on": {"old": "2020-01-10", "new": "2021-03-15"},
    }
    assert rows[2]["moved_m"] == pytest.approx(50.0, abs=0.3)
    assert (rows[3]["action"], rows[3]["camera_id"], rows[3]["changes"], rows[3]["moved_m"]) == (
        "unchanged",
        same.id,
        {},
        None,
    )
    assert (rows[4]["action"], rows[4]["camera_id"]) == ("create", None)  # no id: nothing was created
    assert [(c.name, c.version) for c in cameras(session)] == [("Varco", 1), ("Fermo", 1)]

    real = upload(client, world["editor"], data)
    assert counts(real.json, created=1, updated=1, unchanged=1)
    assert {row["row"]: row["changes"] for row in real.json["rows"]}[2] == rows[2]["changes"]
    created = next(row for row in real.json["rows"] if row["action"] == "create")
    assert created["camera_id"] == cameras(session, ref="C-3")[0].id
