"""The page where an administrator sets the sites allowed to frame an organisation's embed.

Same service and audit entry as `PATCH /api/v1/organizations/<slug>` (tests/api/test_embed_origins.py);
here: who may use the form, its CSRF token, and its Italian messages line by line.
"""

from __future__ import annotations

import html
import json
import re

import pytest
import sqlalchemy as sa

from observo.models import AuditEntry, Organisation
from tests import factories

PAGE = "/organizations/town-a/embed/origins"


@pytest.fixture
def world(session):
    town = factories.org(session, "town-a")
    other = factories.org(session, "town-b")
    regione = factories.org(session, "regione", kind="public_body")
    users = {
        "admin": factories.user(session, regione, "admin"),
        "editor": factories.user(session, town, "editor"),
        "viewer": factories.user(session, town, "viewer"),
        "outsider": factories.user(session, other, "editor"),
    }
    return {"town": town, "users": users}


def last_id(session) -> int:
    return session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditEntry.id), 0)))


def entries_after(session, start: int) -> list[AuditEntry]:
    return list(session.scalars(sa.select(AuditEntry).where(AuditEntry.id > start).order_by(AuditEntry.id)))


def stored_origins(session, slug: str = "town-a") -> tuple[str, ...]:
    session.expire_all()
    return session.scalar(sa.select(Organisation.embed_origins).where(Organisation.slug == slug))


def post(client, text: str, path: str = PAGE):
    token = factories.csrf_token(client, path)
    return client.post(path, data={"origins": text, "csrf_token": token})


def shown_messages(response) -> list[str]:
    found = re.search(r'<div class="problems"[^>]*>(.*?)</div>', response.text, re.S)
    if found is None:
        return []
    return [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", found.group(1), re.S)]


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post(PAGE, data={"origins": "https://a.example.it"}).status_code in (302, 400)
    assert client.post(PAGE, data={"origins": "https://a.example.it"}).status_code != 200


@pytest.mark.parametrize("role", ["viewer", "editor", "outsider"])
def test_only_administrators_reach_the_form(client, session, world, role):
    factories.sign_in(client, world["users"][role])
    assert client.get(PAGE).status_code == 403
    token = factories.csrf_token(client, "/cameras")
    start = last_id(session)
    refused = client.post(PAGE, data={"origins": "https://www.comune.example.it", "csrf_token": token})
    assert refused.status_code == 403
    assert stored_origins(session) == ()
    assert all(entry.action != "organisation.update" for entry in entries_after(session, start))


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_share_page_tells_staff_whom_to_ask(client, world, role):
    factories.sign_in(client, world["users"][role])
    page = client.get("/organizations/town-a/embed").text
    assert PAGE not in page and "chiedi a un amministratore" in page


def test_share_page_links_administrators_to_the_form(client, world):
    factories.sign_in(client, world["users"]["admin"])
    assert f'href="{PAGE}"' in client.get("/organizations/town-a/embed").text


def test_administrator_sets_origins_audited_as_the_api(client, session, world):
    admin = world["users"]["admin"]
    factories.sign_in(client, admin)
    form = client.get(PAGE)
    assert form.status_code == 200 and '<textarea id="origins"' in form.text
    start = last_id(session)
    text = (
        "https://www.comune.example.it/\n\n  https://*.comune.example.it  \nhttps://www.comune.example.it\n"
    )
    response = post(client, text)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{PAGE}?saved=1")
    expected = ["https://www.comune.example.it", "https://*.comune.example.it"]
    assert stored_origins(session) == tuple(expected)
    [entry] = entries_after(session, start)
    assert entry.action == "organisation.update" and entry.actor_user_id == admin.id
    assert entry.subject_organisation_id == world["town"].id
    assert json.loads(entry.details)["changes"] == {"embed_origins": [[], expected]}
    shown = client.get(f"{PAGE}?saved=1").text
    assert 'role="status"' in shown and "https://*.comune.example.it" in shown
    # An empty list allows none again; saving the same list twice logs nothing the second time.
    start = last_id(session)
    assert post(client, "").status_code == 302
    assert stored_origins(session) == ()
    assert post(client, "").status_code == 302
    assert [entry.action for entry in entries_after(session, start)] == ["organisation.update"]


def test_each_bad_line_gets_an_italian_message_and_nothing_is_saved(client, session, world):
    factories.sign_in(client, world["users"]["admin"])
    start = last_id(session)
    text = "https://ok.example.it\nhttps://www.comune.example.it/mappa\nwww.comune.example.it\n"
    response = post(client, text)
    assert response.status_code == 422
    messages = shown_messages(response)
    assert len(messages) == 2
    assert messages[0].startswith("Riga 2: “https://www.comune.example.it/mappa”")
    assert messages[1].startswith("Riga 3: “www.comune.example.it”")
    assert 'aria-invalid="true"' in response.text
    assert "https://www.comune.example.it/mappa" in response.text  # the text stays, to be corrected
    assert stored_origins(session) == ()
    assert all(entry.action != "organisation.update" for entry in entries_after(session, start))


def test_too_many_sites_are_refused_in_italian(client, session, world):
    factories.sign_in(client, world["users"]["admin"])
    text = "\n".join(f"https://s{number}.example.it" for number in range(23))
    response = post(client, text)
    assert response.status_code == 422
    assert shown_messages(response) == ["Al massimo 20 siti: toglierne 3."]
    assert stored_origins(session) == ()


def test_english_messages_follow_the_language(client, world):
    factories.sign_in(client, world["users"]["admin"])
    client.get(f"{PAGE}?lang=en")
    token = factories.csrf_token(client, PAGE)
    response = client.post(PAGE, data={"origins": "ftp://x.example.it", "csrf_token": token})
    assert shown_messages(response)[0].startswith("Line 1: “ftp://x.example.it” is not a web site's address")


def test_form_without_its_csrf_token_changes_nothing(client, session, world):
    factories.sign_in(client, world["users"]["admin"])
    response = client.post(PAGE, data={"origins": "https://www.comune.example.it"})
    assert response.status_code == 400
    assert stored_origins(session) == ()


def test_unknown_organisation_is_404_for_administrators(client, world):
    factories.sign_in(client, world["users"]["admin"])
    assert client.get("/organizations/nowhere/embed/origins").status_code == 404
