"""The embed credits the data it shows: the organisation, and the licence of its public cameras as the
exports credit them (OpenStreetMap's ODbL, open data licences that ask for it), never a licence that
only a camera hidden from the public is under."""

from __future__ import annotations

import re

import pytest

from tests import factories

OSM_CREDIT = "Telecamere da OpenStreetMap: © contributori di OpenStreetMap, ODbL 1.0"


@pytest.fixture
def town(session):
    town = factories.org(session, "credit-town")
    factories.camera(session, town, visibility="public", name="Municipio")
    return town


def credits(client, query: str = "") -> str:
    page = client.get(f"/embed/credit-town{query}")
    assert page.status_code == 200
    found = re.search(r'<p class="embed-credits">(.*?)</p>', page.text, re.S)
    return re.sub(r"\s+", " ", found.group(1))


def osm_camera(session, owner, visibility: str, shift: float):
    lon, lat = factories.TURIN
    return factories.camera(
        session,
        owner,
        lon + shift,
        lat,
        visibility=visibility,
        source="osm_import",
        osm_id=int(700000 + shift * 10_000),
        licence="ODbL-1.0",
        name="Da OpenStreetMap",
    )


def test_own_cameras_credit_the_organisation_only(client, town):
    shown = credits(client)
    assert "Dati: Credit-Town" in shown and "OpenStreetMap" not in shown and "licenza" not in shown
    assert "Data: Credit-Town" in credits(client, "?lang=en")


def test_a_hidden_osm_camera_claims_nothing(client, session, town):
    osm_camera(session, town, "private", 0.001)
    osm_camera(session, town, "shared", 0.002)
    assert "OpenStreetMap" not in credits(client)


def test_public_osm_cameras_credit_openstreetmap_with_its_copyright_page(client, session, town):
    osm_camera(session, town, "public", 0.001)
    shown = credits(client)
    assert (
        f'<a href="https://www.openstreetmap.org/copyright" target="_blank" rel="noopener">{OSM_CREDIT}</a>'
        in shown
    )
    english = credits(client, "?lang=en")
    assert "Cameras from OpenStreetMap: © OpenStreetMap contributors, ODbL 1.0" in english


def test_open_data_licences_are_credited_when_they_ask_for_it(client, session, town):
    lon, lat = factories.TURIN
    factories.camera(
        session, town, lon + 0.003, lat, visibility="public", licence="CC-BY-4.0", source="csv_import"
    )
    factories.camera(
        session, town, lon + 0.004, lat, visibility="public", licence="CC0-1.0", source="csv_import"
    )
    shown = credits(client)
    assert "Telecamere da dati aperti con licenza CC-BY-4.0" in shown
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in shown
    assert "CC0" not in shown  # a licence that asks for no attribution gets none
