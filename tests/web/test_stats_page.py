"""The statistics page (/stats): the API's figures as tables, in the reader's scope and language."""

from __future__ import annotations

import html
import re

import pytest
from shapely.geometry import box, mapping

from tests import factories
from tests.web.test_camera_pages import _page

TORINO, CREMONA = "001272", "019036"


def _cells(page: str, table_id: str) -> list[list[str]]:
    """The text of each body row of a table (header cell first), tags stripped."""
    table = re.search(rf'<table class="figures" id="{table_id}">(.*?)</table>', page, re.S).group(1)
    body = re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1)
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [[_text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in rows]


def _text(cell: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split())


@pytest.fixture
def torino(session):
    return factories.org(session, "torino", istat_code=TORINO)


@pytest.fixture
def editor(client, session, torino):
    user = factories.user(session, torino, "editor")
    factories.sign_in(client, user)
    return user


def test_page_requires_sign_in(client, session):
    response = client.get("/stats")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_tables_count_the_readers_cameras(client, session, torino, editor):
    cremona = factories.org(session, "cremona", istat_code=CREMONA)
    factories.camera(session, torino)
    factories.camera(session, torino, status="faulty", camera_type="dome")
    factories.camera(session, torino, status="decommissioned")
    factories.camera(session, cremona, visibility="private")  # not Torino's to count
    page = _page(client, "/stats?lang=en")
    assert 'href="/stats"' in page  # the main menu links the page
    # Municipality, ISTAT code, cameras, faulty, not verified for a year, owners' cameras to re-confirm,
    # recording, known retention
    assert _cells(page, "summary") == [["Torino", TORINO, "2", "1", "2", "0", "2", "100.0%"]]
    assert "Cremona" not in page
    with_decommissioned = _page(client, "/stats?include_decommissioned=true")
    assert _cells(with_decommissioned, "summary")[0][2] == "3"


def test_places_table_shows_ratio_and_trend(client, session, torino, editor):
    headers = factories.headers_for(session, torino, "editor")
    lon, lat = factories.TURIN
    garden = {
        "name": "Giardini Reali",
        "category": "park",
        "geometry": mapping(box(lon - 0.001, lat - 0.001, lon + 0.001, lat + 0.001)),
    }
    place_id = client.post("/api/v1/places", json=garden, headers=headers).json["id"]
    first = _cells(_page(client, "/stats?lang=en"), "places")
    assert first[0][:3] == ["Giardini Reali", "Torino", "Park"] and first[0][-1] == "—"
    assert first[0][3].startswith("0.0%")
    factories.camera(session, torino, camera_type="dome", range_m=50.0)
    client.post(f"/api/v1/places/{place_id}/coverage", headers=headers)
    page = _page(client, "/stats?lang=en")
    (row,) = _cells(page, "places")
    assert row[-1] == "↑ Rising" and 'class="trend trend-up"' in page
    assert row[4] == "1" and re.match(r"\d+\.\d%", row[3]) and row[5].startswith("0.0%")


def test_invalid_municipality_is_a_400_page(client, session, editor):
    page = _page(client, "/stats?municipality=12&lang=en", status=400)
    assert 'aria-invalid="true"' in page and 'id="summary"' not in page


def test_page_is_italian_by_default(client, session, torino, editor):
    factories.camera(session, torino)
    page = _page(client, "/stats")
    assert 'lang="it"' in page
    assert _cells(page, "summary")[0][-1] == "100,0%"
