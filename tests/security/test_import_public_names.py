"""A camera imported from an OpenStreetMap node without a name must not name the node in public:
the node's id is a link to its exact position, which the public (generalised) position hides."""

from __future__ import annotations

import json

from tests.api.test_imports import cameras, collection, make_world, osm_node, upload


def test_an_unnamed_osm_node_is_named_without_its_id_in_public(client, session):
    world = make_world(session)
    response = upload(
        client,
        world["editor"],
        collection(osm_node(733001, camera_direction="45")),
        "n.geojson",
        "?owner=torino",
    )
    assert response.status_code == 201, response.json
    (camera,) = cameras(session, owner_id=world["torino"].id)
    headers = {**world["editor"], "If-Match": f'"{camera.id}.{camera.version}"'}
    public = {"properties": {"visibility": "public"}}
    assert client.patch(f"/api/v1/cameras/{camera.id}", json=public, headers=headers).status_code == 200

    for path in ("/api/v1/cameras", f"/api/v1/cameras/{camera.id}", "/api/v1/exports?f=geojson"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        text = answer.get_data(as_text=True)
        assert "733001" not in text and "node/" not in text, path
        assert "Telecamera OpenStreetMap" in text, path
    police = client.get(f"/api/v1/cameras/{camera.id}", headers=world["viewer"]).json
    assert police["properties"]["osm_id"] == 733001  # the police still see which node it is
    assert json.dumps(police).count("733001") >= 1
