"""An obstacle import's problems follow Accept-Language, as every problem+json detail does: the values
(way ids, node ids, the file's own words) stay as written, the rest is Italian by default."""

from __future__ import annotations

from tests import factories
from tests import obstacle_data as data
from tests.api.test_obstacles import _upload, towns  # noqa: F401  (the fixture)

ITALIAN = {"Accept-Language": "it"}
ENGLISH = {"Accept-Language": "en"}


def _both(client, editor, content, name):
    english = _upload(client, {**editor, **ENGLISH}, content, name, organization="torino")
    italian = _upload(client, {**editor, **ITALIAN}, content, name, organization="torino")
    assert english.status_code == italian.status_code == 422
    return english.json, italian.json


def test_a_refused_layer_is_explained_in_italian_with_its_values_kept(client, session, towns):  # noqa: F811
    editor = factories.headers_for(session, towns["torino"], "editor")
    point = {"type": "Point", "coordinates": [data.X0, data.Y0]}
    bad = data.utm_geojson(data.feature(None), data.feature(point))
    english, italian = _both(client, editor, bad, "edifici.geojson")
    assert english["detail"] == "the file has 2 problem(s): nothing was imported"
    assert italian["detail"] == "il file ha 2 problemi: non è stato importato nulla"
    by_pointer = {e["pointer"]: e["detail"] for e in italian["errors"]}
    assert by_pointer["/features/0/geometry"] == "l'elemento non ha geometria"
    not_an_obstacle = "un Point non è un ostacolo: gli edifici sono aree, i muri linee"
    assert by_pointer["/features/1/geometry"] == not_an_obstacle
    assert [e["code"] for e in english["errors"]] == [e["code"] for e in italian["errors"]]


def test_an_osm_way_without_its_nodes_keeps_its_ids(client, session, towns):  # noqa: F811
    editor = factories.headers_for(session, towns["torino"], "editor")
    english, italian = _both(client, editor, data.osm_xml(drop_node=2), "centro.osm")
    [english_way] = [e["detail"] for e in english["errors"] if e["pointer"] == "/way/10"]
    [italian_way] = [e["detail"] for e in italian["errors"] if e["pointer"] == "/way/10"]
    assert english_way.startswith("way/10: node ") and "is not in the file" in english_way
    node = english_way.split("node ")[1].split(" ")[0]
    assert italian_way.startswith(f"way/10: il nodo {node} non è nel file: esporta le way con i loro nodi")
