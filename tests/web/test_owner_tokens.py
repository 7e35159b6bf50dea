"""The owner's API tokens page /proprietari/token (docs/owners.md, "API and CLI"): create (shown once),
list, revoke; another owner's token is missing; anyone not signed in as an owner goes to the owners'
sign-in. Both databases."""

from __future__ import annotations

import re

import sqlalchemy as sa

from observo.models import OwnerToken
from observo.services import owner_tokens
from tests import factories
from tests.web.test_owner_cameras import sign_in_owner

PAGE = "/proprietari/token"
XSS = "<img src=x onerror=alert(1)>"


def created_token(page: str) -> str:
    found = re.search(r'<output id="new-token"><code>(obo_[^<]+)</code>', page)
    assert found, page
    return found.group(1)


def test_an_owner_creates_uses_and_revokes_a_token(client, session):
    account = factories.owner_account(session, factories.org(session, "nichelino"))
    csrf = sign_in_owner(client, account)
    home = client.get("/proprietari/").get_data(as_text=True)
    assert 'id="api-tokens"' in home and f'href="{PAGE}"' in home
    page = client.get(PAGE)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    created = client.post(PAGE, data={"name": XSS, "expires_days": "30", "csrf_token": csrf})
    assert created.status_code == 200
    text = created.get_data(as_text=True)
    clear = created_token(text)
    assert XSS not in text and "&lt;img src=x" in text
    assert client.get("/api/v1/owner", headers={"Authorization": f"Bearer {clear}"}).status_code == 200
    listed = client.get(PAGE).get_data(as_text=True)
    assert clear not in listed and clear[:10] in listed  # shown once; then only its prefix
    token = session.scalars(sa.select(OwnerToken).where(OwnerToken.account_id == account.id)).one()
    revoked = client.post(f"{PAGE}/{token.id}/revoca", data={"csrf_token": csrf})
    assert revoked.status_code == 302 and revoked.headers["Location"] == PAGE
    assert client.get("/api/v1/owner", headers={"Authorization": f"Bearer {clear}"}).status_code == 401
    assert "token-revoke" not in client.get(PAGE).get_data(as_text=True)


def test_a_bad_form_creates_nothing(client, session):
    account = factories.owner_account(session, factories.org(session, "nichelino"))
    csrf = sign_in_owner(client, account)
    assert client.post(PAGE, data={"name": " ", "csrf_token": csrf}).status_code == 400
    bad_days = client.post(PAGE, data={"name": "gestionale", "expires_days": "dieci", "csrf_token": csrf})
    assert bad_days.status_code == 400 and 'value="gestionale"' in bad_days.get_data(as_text=True)
    assert (
        client.post(PAGE, data={"name": "gestionale", "expires_days": "0", "csrf_token": csrf}).status_code
        == 400
    )
    assert client.post(PAGE, data={"name": "gestionale"}).status_code == 400  # no CSRF token
    assert client.post(PAGE, data={"name": "gestionale", "csrf_token": csrf}).status_code == 200
    again = client.post(PAGE, data={"name": "gestionale", "csrf_token": csrf})
    assert again.status_code == 409 and "Hai già un token attivo" in again.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(OwnerToken)) == 1


def test_another_owners_token_is_missing(client, session):
    town = factories.org(session, "nichelino")
    account, other = factories.owner_account(session, town), factories.owner_account(session, town, "Bar")
    token, _clear = owner_tokens.issue(session, other, "bar")
    session.commit()
    csrf = sign_in_owner(client, account)
    assert client.post(f"{PAGE}/{token.id}/revoca", data={"csrf_token": csrf}).status_code == 404
    assert "bar" not in client.get(PAGE).get_data(as_text=True).split("<h1>", 1)[1]
    session.expire_all()
    assert session.get(OwnerToken, token.id).revoked_at is None


def test_anyone_else_is_sent_to_the_owners_sign_in(client, session):
    town = factories.org(session, "nichelino")
    token, _clear = owner_tokens.issue(session, factories.owner_account(session, town), "x")
    session.commit()
    for attempt in ("anonymous", "police"):
        if attempt == "police":
            factories.sign_in(client, factories.user(session, town, "admin"))
        response = client.get(PAGE)
        assert response.status_code == 302
        assert response.headers["Location"] == f"/proprietari/accedi?next={PAGE}"
        revoke = client.post(f"{PAGE}/{token.id}/revoca", data={"csrf_token": factories.csrf_token(client)})
        assert revoke.status_code == 302 and revoke.headers["Location"] == "/proprietari/accedi"
    session.expire_all()
    assert session.get(OwnerToken, token.id).revoked_at is None
