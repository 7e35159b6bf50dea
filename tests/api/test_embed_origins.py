"""`embed_origins` of an organisation: who may set it, how it is checked, and that each change is audited."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from observo.models import AuditEntry, Organisation
from tests import factories


@pytest.fixture
def world(session):
    town = factories.org(session, "town-a")
    regione = factories.org(session, "regione", kind="public_body")
    headers = {
        "admin": factories.headers_for(session, regione, "admin"),
        "editor": factories.headers_for(session, town, "editor"),
    }
    return {"town": town, "headers": headers}


def last_id(session) -> int:
    return session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditEntry.id), 0)))


def entries_after(session, start: int) -> list[AuditEntry]:
    return list(session.scalars(sa.select(AuditEntry).where(AuditEntry.id > start).order_by(AuditEntry.id)))


def stored_origins(session) -> tuple[str, ...]:
    session.expire_all()
    return session.scalar(sa.select(Organisation.embed_origins).where(Organisation.slug == "town-a"))


def test_new_organisations_have_none(client, world):
    response = client.get("/api/v1/organizations/town-a", headers=world["headers"]["admin"])
    assert response.status_code == 200 and response.json["embed_origins"] == []


def test_admin_sets_origins_normalised_and_audited(client, session, world):
    start = last_id(session)
    origins = ["https://www.comune.example.it/", "https://*.comune.example.it", "http://localhost:8080"]
    response = client.patch(
        "/api/v1/organizations/town-a",
        json={"embed_origins": [*origins, "https://www.comune.example.it"]},
        headers=world["headers"]["admin"],
    )
    assert response.status_code == 200, response.json
    expected = ["https://www.comune.example.it", "https://*.comune.example.it", "http://localhost:8080"]
    assert response.json["embed_origins"] == expected
    assert stored_origins(session) == tuple(expected)
    [entry] = entries_after(session, start)
    assert entry.action == "organisation.update"
    assert json.loads(entry.details)["changes"] == {"embed_origins": [[], expected]}
    # Clearing the list is a change too; the column goes back to NULL.
    cleared = client.patch(
        "/api/v1/organizations/town-a", json={"embed_origins": None}, headers=world["headers"]["admin"]
    )
    assert cleared.status_code == 200 and cleared.json["embed_origins"] == []
    assert session.scalar(sa.text("SELECT embed_origins FROM organisations WHERE slug = 'town-a'")) is None


@pytest.mark.parametrize(
    ("origins", "pointer", "code"),
    [
        (["https://ok.example", "https://bad.example/path"], "/embed_origins/1", "invalid_format"),
        (["https://a.example; script-src *"], "/embed_origins/0", "invalid_format"),
        (["'unsafe-inline'"], "/embed_origins/0", "invalid_format"),
        (["*"], "/embed_origins/0", "invalid_format"),
        (["ftp://files.example"], "/embed_origins/0", "invalid_format"),
        (["https://a.example https://b.example"], "/embed_origins/0", "invalid_format"),
        ([f"https://s{n}.example" for n in range(21)], "/embed_origins", None),
        ("https://a.example", "/embed_origins", None),
        ([""], "/embed_origins/0", None),
    ],
)
def test_bad_origins_are_422_and_change_nothing(client, session, world, origins, pointer, code):
    start = last_id(session)
    response = client.patch(
        "/api/v1/organizations/town-a", json={"embed_origins": origins}, headers=world["headers"]["admin"]
    )
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    found = {(error["pointer"], error["code"]) for error in response.json["errors"]}
    assert any(found_pointer.startswith(pointer) for found_pointer, _ in found), found
    if code:
        assert (pointer, code) in found
    assert stored_origins(session) == ()
    assert entries_after(session, start) == []


def test_only_admins_change_origins(client, session, world):
    response = client.patch(
        "/api/v1/organizations/town-a",
        json={"embed_origins": ["https://evil.example"]},
        headers=world["headers"]["editor"],
    )
    assert response.status_code == 403
    assert stored_origins(session) == ()


def test_origins_can_be_given_at_creation(client, world):
    body = {"slug": "town-z", "name": "Z", "kind": "municipality", "embed_origins": ["https://z.example/"]}
    response = client.post("/api/v1/organizations", json=body, headers=world["headers"]["admin"])
    assert response.status_code == 201, response.json
    assert response.json["embed_origins"] == ["https://z.example"]
    bad = {**body, "slug": "town-y", "embed_origins": ["z.example"]}
    refused = client.post("/api/v1/organizations", json=bad, headers=world["headers"]["admin"])
    assert refused.status_code == 422
    assert ("/embed_origins/0", "invalid_format") in {
        (e["pointer"], e["code"]) for e in refused.json["errors"]
    }
