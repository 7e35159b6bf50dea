"""Class 5 of issue 15: a browser session ends when it should, and a copy of its cookie with it.

Attacks: replay a cookie copied before sign-out, before an administrator changed the password, the
role, the organisation or deactivated the account; keep using a session past its idle timeout or its
absolute lifetime (time is moved by editing the signed session with the app's own serializer); plant
a CSRF token before sign-in and use it after. Each replay is treated as signed out: pages send the
browser to the sign-in form, the API answers 401.
"""

from __future__ import annotations

import re

import pytest

from observo.http import session as signed_session
from tests import factories

SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}  # what the map's own calls carry



def _map_token(client) -> str:
    page = client.get("/map").get_data(as_text=True)
    return re.search(r'"csrfToken": "([^"]+)"', page).group(1)


def _signed_in(client) -> bool:
    """Both faces agree: the map page and the API."""
    page = client.get("/map")
    api = client.get("/api/v1/users/me", headers=SAME_ORIGIN)
    assert (page.status_code == 200) == (api.status_code == 200), (page.status_code, api.status_code)
    if page.status_code != 200:
        assert page.status_code == 302 and page.headers["Location"].startswith("/login")
        assert api.status_code == 401 and api.mimetype == "application/problem+json"
    return page.status_code == 200


def _replay(app, cookie: str):
    """A fresh browser holding only a copied session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


@pytest.fixture
def viewer(session):
    return factories.user(session, factories.org(session, "torino"), "viewer")


@pytest.fixture
def admin_headers(session):
    return factories.headers_for(session, factories.org(session, "observo", kind="public_body"), "admin")


def test_a_cookie_copied_before_sign_out_is_dead_after_it(app, client, session, viewer):
    factories.sign_in(client, viewer)
    copied = client.get_cookie("session").value
    assert _signed_in(_replay(app, copied))
    token = _map_token(client)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert not _signed_in(client)
    assert not _signed_in(_replay(app, copied))


def test_sign_out_ends_the_sessions_on_other_devices_too(app, client, session, viewer):
    other_device = app.test_client()
    factories.sign_in(other_device, viewer)
    factories.sign_in(client, viewer)
    assert client.post("/logout", data={"csrf_token": _map_token(client)}).status_code == 302
    assert not _signed_in(other_device)


@pytest.mark.parametrize(
    "change",
    [
        {"password": "a brand new passphrase"},
        {"role": "editor"},
        {"active": False},
        {"auditor": True},
        {"organization": "moncalieri"},
    ],
    ids=lambda change: next(iter(change)),
)
def test_an_administrator_change_ends_the_users_sessions(app, client, session, viewer, admin_headers, change):
    factories.org(session, "moncalieri")
    factories.sign_in(client, viewer)
    copied = client.get_cookie("session").value
    changed = client.application.test_client().patch(
        f"/api/v1/users/{viewer.id}", json=change, headers=admin_headers
    )
    assert changed.status_code == 200, changed.text
    assert not _signed_in(client)
    assert not _signed_in(_replay(app, copied))


def test_a_change_of_name_keeps_the_session(client, session, viewer, admin_headers):
    factories.sign_in(client, viewer)
    renamed = client.application.test_client().patch(
        f"/api/v1/users/{viewer.id}", json={"name": "Sala operativa"}, headers=admin_headers
    )
    assert renamed.status_code == 200
    assert _signed_in(client)


def test_signing_in_again_after_a_change_works(client, session, viewer, admin_headers):
    factories.sign_in(client, viewer)
    client.application.test_client().patch(
        f"/api/v1/users/{viewer.id}", json={"role": "editor"}, headers=admin_headers
    )
    assert not _signed_in(client)
    factories.sign_in(client, viewer)
    assert _signed_in(client)


def _age(client, **seconds_ago: int) -> None:
    """Move the session's clocks back, re-signed with the app's own serializer."""
    with client.session_transaction() as values:
        for key, ago in seconds_ago.items():
            values[key] = signed_session.now() - ago


def test_an_idle_session_ends(client, session, viewer):
    factories.sign_in(client, viewer)
    _age(client, **{signed_session.SEEN_AT: 29 * 60})  # the default idle timeout is 30 minutes
    assert _signed_in(client)
    with client.session_transaction() as values:
        assert signed_session.now() - values[signed_session.SEEN_AT] < 60  # the request counted as activity
    _age(client, **{signed_session.SEEN_AT: 30 * 60 + 1})
    assert not _signed_in(client)


def test_the_idle_timeout_is_a_setting(client, session, viewer, configure):
    configure(session_idle_minutes=5)
    factories.sign_in(client, viewer)
    _age(client, **{signed_session.SEEN_AT: 5 * 60 + 1})
    assert not _signed_in(client)


def test_a_busy_session_still_ends_at_its_absolute_lifetime(client, session, viewer, configure):
    factories.sign_in(client, viewer)
    _age(
        client, **{signed_session.SIGNED_IN_AT: 12 * 3600 - 120, signed_session.SEEN_AT: 10}
    )  # default: 12 hours
    assert _signed_in(client)
    _age(client, **{signed_session.SIGNED_IN_AT: 12 * 3600 + 1, signed_session.SEEN_AT: 10})
    assert not _signed_in(client)
    configure(session_max_hours=1)
    factories.sign_in(client, viewer)
    _age(client, **{signed_session.SIGNED_IN_AT: 3600 + 1, signed_session.SEEN_AT: 10})
    assert not _signed_in(client)


def test_a_session_without_the_sign_in_facts_is_not_believed(app, session, viewer):
    """A cookie holding only Flask-Login's user id (as before these rules, or as a remember cookie
    would restore) is not a session."""
    browser = app.test_client()
    with browser.session_transaction() as values:
        values["_user_id"] = str(viewer.id)
        values["_fresh"] = True
    assert not _signed_in(browser)


def test_the_session_cookie_is_not_kept_past_the_browser_session(client, session, viewer):
    data = {"email": viewer.email, "password": factories.PASSWORD, "csrf_token": factories.csrf_token(client)}
    cookie = client.post("/login", data=data).headers["Set-Cookie"].lower()
    assert "session=" in cookie and "expires=" not in cookie and "max-age=" not in cookie
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_the_csrf_token_changes_at_sign_in_and_the_planted_one_is_refused(client, session, viewer):
    planted = factories.csrf_token(client)  # what an attacker who set this browser's cookie would know
    factories.sign_in(client, viewer)
    fresh = _map_token(client)
    assert fresh != planted
    camera = factories.feature("torino")
    for token in (planted, fresh):
        headers = {**SAME_ORIGIN, "X-CSRFToken": token}
        write = client.post("/api/v1/cameras", json=camera, headers=headers)
        # A viewer may not create cameras (403): the CSRF check comes first, and refuses the old token.
        assert write.status_code == (400 if token == planted else 403), write.text
    assert client.post("/logout", data={"csrf_token": planted}).status_code == 400
    assert _signed_in(client)


def test_signing_in_keeps_the_chosen_language(client, session, viewer):
    client.get("/login?lang=en")
    factories.sign_in(client, viewer)
    assert 'lang="en"' in client.get("/map").get_data(as_text=True)
