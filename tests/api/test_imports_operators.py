"""A source's operator name (OSM `operator`) links the camera to the organisation it names, when the
caller may name it (slug or name, ignoring case and spaces); otherwise the camera keeps the name alone,
and a hidden organisation answers exactly as a name no organisation has. On both databases."""

from __future__ import annotations

import json

import pytest

from tests import factories
from tests.api.test_imports import cameras, collection, counts, make_world, osm_node, upload


@pytest.fixture
def world(session):
    found = make_world(session)
    # Carabinieri are visible to every police organisation; asti is not visible to torino's editor.
    factories.org(session, "cc-torino", kind="carabinieri")
    return found


def import_operator(client, world, operator: str, node: int = 9001):
    node_feature = osm_node(node, camera_type="dome", operator=operator)
    return upload(client, world["editor"], collection(node_feature), f"{node}.geojson", "?owner=torino")


@pytest.mark.parametrize("written", ["Cc Torino", "cc-torino", "  CC-TORINO ", "cc_torino", "CcTorino"])
def test_an_operator_name_naming_a_visible_organisation_links_it(client, session, world, written):
    response = import_operator(client, world, written)
    assert counts(response.json, created=1)
    (camera,) = cameras(session)
    assert (camera.operator.slug, camera.operator_name) == ("cc-torino", written.strip())


def test_a_hidden_organisation_is_never_linked_nor_revealed(client, session, world):
    hidden = import_operator(client, world, "Asti", node=9002)  # asti's name: torino may not see it
    unknown = import_operator(client, world, "Bastia", node=9003)
    by_node = {camera.osm_id: camera for camera in cameras(session)}
    assert (by_node[9002].operator, by_node[9002].operator_name) == (None, "Asti")
    assert (by_node[9003].operator, by_node[9003].operator_name) == (None, "Bastia")

    def shown(response, name):
        kept = {key: response.json[key] for key in ("status", "counts", "errors", "warnings", "by_code")}
        rows = [{**row, "camera_id": None} for row in response.json["rows"]]
        return json.dumps({**kept, "rows": rows}, sort_keys=True).replace(name, "<name>")

    assert shown(hidden, "Asti") == shown(unknown, "Bastia")


def test_a_name_two_visible_organisations_answer_to_links_neither(client, session, world):
    factories.org(session, "cc-torino-2", kind="carabinieri").name = "Cc Torino"
    session.commit()
    response = import_operator(client, world, "cc torino")
    assert counts(response.json, created=1)
    (camera,) = cameras(session)
    assert (camera.operator, camera.operator_name) == (None, "cc torino")


def test_an_operator_given_as_a_slug_wins_over_the_name(client, session, world):
    data = (
        b"nome;tipo;titolare;operator;gestore;longitudine;latitudine\n"
        b"A;dome;torino;cc-torino;Altro;7,6869;45,0703\n"
    )
    response = upload(client, world["editor"], data)
    assert response.status_code == 201, response.json
    (camera,) = cameras(session)
    assert (camera.operator.slug, camera.operator_name) == ("cc-torino", "Altro")
