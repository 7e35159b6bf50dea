"""Class 2 of issue 15: no answer, message or report tells a hidden object from a missing one.

Imports' reports (dry run and real run) say nothing about cameras of an owner the importer may not
write for, and never replay another organisation's import; the audit log's organisation filter and the
embed share page answer a hidden organisation as an unknown one.
"""

from __future__ import annotations

import html
import io
import json
from typing import Any

import pytest
import sqlalchemy as sa
from geoalchemy2.shape import to_shape

from observo.domain.permissions import SYSTEM
from observo.models import Camera
from observo.services.accounts import update_user
from observo.services.organisations import create_pact
from tests import factories


@pytest.fixture
def world(session) -> dict[str, Any]:
    """town-a and town-b in a pact; town-c outside. Cameras of town-b and town-c with known refs."""
    orgs = {slug: factories.org(session, slug) for slug in ("town-a", "town-b", "town-c")}
    orgs["shop-c"] = factories.org(session, "shop-c", kind="private", sponsor_slug="town-c")
    create_pact(session, slug="pact-ab", name="Pact AB", member_slugs=["town-a", "town-b"])
    session.commit()
    cameras = {
        "TC-1": factories.camera(session, orgs["town-c"], ref="TC-1", visibility="private"),
        "TC-2": factories.camera(session, orgs["town-c"], ref="TC-2", visibility="shared"),
        "TB-1": factories.camera(session, orgs["town-b"], ref="TB-1", visibility="private"),
        "TB-2": factories.camera(session, orgs["town-b"], ref="TB-2", visibility="shared"),
    }
    return {
        "orgs": orgs,
        "cameras": cameras,
        "town_editor": factories.headers_for(session, orgs["town-a"], "editor"),
        "town_c_editor": factories.headers_for(session, orgs["town-c"], "editor"),
    }


def same_row(camera: Camera, **changes: Any) -> dict[str, Any]:
    """A GeoJSON row matching `camera` on every property it names (an import would find it unchanged)."""
    point = to_shape(camera.location)
    properties = {
        "name": camera.name,
        "owner": camera.owner.slug,
        "camera_type": camera.camera_type,
        "ref": camera.ref,
        **changes,
    }
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [point.x, point.y]},
        "properties": properties,
    }


def upload(client, headers, rows: list[dict], query: str = ""):
    collection = {"type": "FeatureCollection", "features": rows}
    return client.post(
        f"/api/v1/imports{query}",
        data={"file": (io.BytesIO(json.dumps(collection).encode()), "cameras.geojson")},
        headers=headers,
        content_type="multipart/form-data",
    )


def outcome(response) -> tuple[int, str]:
    """What an import answered, without what differs between runs (id, time, digest, request id)."""
    body = response.get_json()
    kept = ("status", "counts", "errors", "code", "title", "detail", "dry_run", "already_imported")
    return response.status_code, json.dumps({key: body.get(key) for key in kept}, sort_keys=True)


def mentions_a_camera(text: str, cameras: dict[str, Camera]) -> bool:
    return any(f"camera {camera.id}" in text or camera.ref in text for camera in cameras.values())


def stored(session) -> list[tuple]:
    session.expire_all()
    return [(c.id, c.version, c.name, c.ref) for c in session.scalars(sa.select(Camera).order_by(Camera.id))]


# --- imports: natural keys of cameras the importer may not write for ---------------------------------


@pytest.mark.parametrize("dry_run", [True, False])
def test_import_keys_of_a_hidden_owner_reveal_nothing(client, session, world, dry_run):
    """A row naming a hidden owner's ref answers as a ref that does not exist, and as an owner that does
    not exist: no "no camera 6", no "unchanged" for a row identical to the hidden camera."""
    query = "?dry_run=1" if dry_run else ""
    cameras = world["cameras"]
    before = stored(session)
    rows = {
        "identical to a private camera": same_row(cameras["TC-1"]),
        "changing a private camera": same_row(cameras["TC-1"], name="Rinominata"),
        "changing a shared camera": same_row(cameras["TC-2"], name="Rinominata"),
        "a ref that does not exist": same_row(cameras["TC-1"], ref="TC-404"),
    }
    answers = {
        label: outcome(upload(client, world["town_editor"], [row], query)) for label, row in rows.items()
    }
    assert len(set(answers.values())) == 1, answers
    status, text = next(iter(answers.values()))
    assert status == (201 if dry_run else 422)
    assert "unknown_organisation" in text and not mentions_a_camera(text, cameras)
    ghost = same_row(cameras["TC-1"], owner="ghost")
    unknown = outcome(upload(client, world["town_editor"], [ghost], query))
    assert unknown == (status, text.replace("town-c", "ghost"))
    assert stored(session) == before


@pytest.mark.parametrize("dry_run", [True, False])
def test_import_keys_of_a_partner_reveal_nothing(client, session, world, dry_run):
    """A pact partner is visible but not writable: every row naming it gets the same 403-like problem,
    whether its ref names a private camera, a shared one or none."""
    query = "?dry_run=1" if dry_run else ""
    cameras = world["cameras"]
    before = stored(session)
    rows = [
        same_row(cameras["TB-1"]),
        same_row(cameras["TB-1"], name="Rinominata"),
        same_row(cameras["TB-2"], name="Rinominata"),
        same_row(cameras["TB-1"], ref="TB-404"),
    ]
    answers = [outcome(upload(client, world["town_editor"], [row], query)) for row in rows]
    assert len(set(answers)) == 1, answers
    # A dry run's report speaks English; a refused import's problem+json follows Accept-Language (Italian).
    said = ("you may not register cameras for 'town-b'", "non puoi registrare telecamere per 'town-b'")
    assert any(text in answers[0][1] for text in said)
    assert stored(session) == before


def test_a_report_lists_each_problem_without_other_rows_of_the_database(client, session, world):
    """Rows of one file against hidden and missing keys: the report names only what the file says."""
    cameras = world["cameras"]
    rows = [same_row(cameras["TC-1"]), same_row(cameras["TC-2"], ref="TC-404"), same_row(cameras["TB-1"])]
    body = upload(client, world["town_editor"], rows, "?dry_run=1").json
    counts = {name: body["counts"][name] for name in ("created", "updated", "unchanged", "errors")}
    assert counts == {"created": 0, "updated": 0, "unchanged": 0, "errors": 3}
    assert not mentions_a_camera(json.dumps([body["errors"], body["warnings"], body["rows"]]), cameras)
    assert [(p["row"], p["field"], p["code"]) for p in body["errors"]] == [
        (1, "owner", "unknown_organisation"),
        (2, "owner", "unknown_organisation"),
        (3, "row", "forbidden"),
    ]


# --- imports: another organisation's job is never replayed -------------------------------------------


def test_another_organisations_import_is_not_replayed(client, session, world):
    """town-c imports a file (no `owner`: the rows name it). The same bytes from town-a get exactly the
    answer they got before town-c's import, never town-c's job ("already imported", its id, counts)."""
    rows = [factories.feature("town-c", ref="TC-9", name="Nuova")]
    before = outcome(upload(client, world["town_editor"], rows))
    assert before[0] == 422
    imported = upload(client, world["town_c_editor"], rows)
    assert imported.status_code == 201, imported.get_data(as_text=True)
    after = upload(client, world["town_editor"], rows)
    assert outcome(after) == before
    assert after.status_code == 422 and "already_imported" not in after.json
    # town-c's own editor replays its import, as before
    again = upload(client, world["town_c_editor"], rows)
    assert again.status_code == 200 and again.json["id"] == imported.json["id"]
    # and its job reads as a missing one
    hidden = client.get(f"/api/v1/imports/{imported.json['id']}", headers=world["town_editor"])
    missing = client.get(f"/api/v1/imports/{imported.json['id'] + 1000}", headers=world["town_editor"])
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json["detail"].replace(str(imported.json["id"]), "N") == missing.json["detail"].replace(
        str(imported.json["id"] + 1000), "N"
    )


# --- the audit log's organisation filter ---------------------------------------------------------------


def test_audit_filter_answers_a_hidden_organisation_as_an_unknown_one(client, session, world):
    viewer = factories.headers_for(session, world["orgs"]["town-a"], "viewer")
    auditor = factories.user(session, world["orgs"]["town-a"], "viewer")
    update_user(session, SYSTEM, auditor.id, {"auditor": True})
    session.commit()
    auditor_headers = factories.auth(factories.token(session, auditor))

    def send(headers, slug):
        response = client.get(f"/api/v1/audit?organization={slug}", headers=headers)
        body = {k: v for k, v in response.get_json().items() if k not in ("request_id", "links")}
        return response.status_code, json.dumps(body, sort_keys=True).replace(slug, "<slug>")

    # not an auditor: refused alike, never "no organisation 'ghost'" against a 403 for shop-c
    assert send(viewer, "shop-c") == send(viewer, "ghost")
    assert send(viewer, "ghost")[0] == 403
    # an auditor: the same (empty) page for both
    assert send(auditor_headers, "shop-c") == send(auditor_headers, "ghost")
    assert send(auditor_headers, "ghost")[0] == 200


# --- the embed share page ------------------------------------------------------------------------------


def test_embed_share_page_answers_a_private_owner_as_an_unknown_one(client, session, world):
    factories.sign_in(client, factories.user(session, world["orgs"]["town-a"], "viewer"))
    pages = {slug: client.get(f"/organizations/{slug}/embed") for slug in ("shop-c", "ghost", "town-c")}
    for slug, page in pages.items():
        assert page.status_code == 404
        text = html.unescape(page.get_data(as_text=True))
        assert f"nessuna organizzazione '{slug}'" in text and "mappa pubblica" not in text.lower()
