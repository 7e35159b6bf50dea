"""Owner sessions are not police sessions (docs/owners.md, "Sessions"): each side's pages and API
treat the other as not signed in; owners sign in only once verified; sign-out ends the session for
good. Both databases."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from observo.models import AuditEntry
from observo.services import owners
from tests import factories

EMAIL = "titolare@farmacia.example"
PASSWORD = "una password lunga"
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}


@pytest.fixture
def town(session):
    return factories.org(session, "nichelino")


def _owner(session, town, verified: bool = True):
    signup = owners.SignUp(
        organisation_name="Farmacia Centrale",
        tax_code="RSSMRA85T10A562S",
        address="Piazza Di Vittorio 1",
        contact_name="Mario Rossi",
        phone="011 765 4321",
        pec="farmacia@pec.example",
        email=EMAIL,
        password=PASSWORD,
    )
    account, _created = owners.register(session, town, signup)
    if verified:
        owners.verify_email(session, account)
    session.commit()
    return account


def owner_sign_in(client, email: str = EMAIL, password: str = PASSWORD):
    token = factories.csrf_token(client, "/proprietari/accedi")
    return client.post(
        "/proprietari/accedi", data={"email": email, "password": password, "csrf_token": token}
    )


def test_a_verified_owner_signs_in_and_reaches_its_page(client, session, town):
    _owner(session, town)
    assert client.get("/proprietari/").headers["Location"] == "/proprietari/accedi"
    signed_in = owner_sign_in(client, email=EMAIL.upper())
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/proprietari/"
    page = client.get("/proprietari/").get_data(as_text=True)
    assert "Farmacia Centrale" in page and EMAIL in page
    assert session.scalar(sa.select(AuditEntry.action).order_by(AuditEntry.id.desc())) == "owner.login"


def test_wrong_passwords_and_unverified_accounts_are_told_apart_from_success(client, session, town):
    _owner(session, town, verified=False)
    unverified = owner_sign_in(client)
    assert unverified.status_code == 403
    assert "Prima conferma il tuo indirizzo e-mail" in unverified.get_data(as_text=True)
    assert client.get("/proprietari/").status_code == 302
    wrong = owner_sign_in(client, password="not the password")
    assert wrong.status_code == 401 and "E-mail o password non corrette." in wrong.get_data(as_text=True)
    unknown = owner_sign_in(client, email="nobody@example.it")
    assert unknown.status_code == 401
    labels = list(
        session.scalars(sa.select(AuditEntry.actor_label).where(AuditEntry.action == "owner.login_failed"))
    )
    assert labels == [EMAIL, owners.UNKNOWN_OWNER]


def test_failed_owner_sign_ins_are_limited_per_address(client, session, town, configure):
    _owner(session, town)
    configure(ratelimit_login="2 per minute")
    for _ in range(2):
        assert owner_sign_in(client, password="wrong password!").status_code == 401
    assert owner_sign_in(client).status_code == 429


def test_an_owner_is_nobody_to_the_police_api_and_pages(client, session, town):
    _owner(session, town)
    factories.camera(session, town, visibility="private")
    owner_sign_in(client)
    assert client.get("/proprietari/").status_code == 200
    for path in (
        "/api/v1/users/me",
        "/api/v1/cameras/1/contacts",
        "/api/v1/organizations",
        "/api/v1/interventions",
    ):
        answer = client.get(path, headers=SAME_ORIGIN)
        assert answer.status_code == 401, path
    cameras = client.get("/api/v1/cameras", headers=SAME_ORIGIN).json["features"]
    assert cameras == []  # what anonymous callers read: the private camera stays hidden
    for path in ("/map", "/cameras", "/interventions"):
        answer = client.get(path)
        assert answer.status_code == 302 and answer.headers["Location"].startswith("/login"), path


def test_a_police_user_is_nobody_to_the_owners_pages(client, session, town):
    factories.sign_in(client, factories.user(session, town, "admin"))
    assert client.get("/map").status_code == 200
    answer = client.get("/proprietari/")
    assert answer.status_code == 302 and answer.headers["Location"] == "/proprietari/accedi"


def test_signing_in_as_owner_ends_a_police_session_in_the_same_browser(client, session, town):
    _owner(session, town)
    factories.sign_in(client, factories.user(session, town, "editor"))
    owner_sign_in(client)
    assert client.get("/map").status_code == 302
    assert client.get("/proprietari/").status_code == 200


def test_sign_out_ends_the_session_and_an_old_cookie_is_refused(client, session, town):
    account = _owner(session, town)
    owner_sign_in(client)
    page = client.get("/proprietari/").get_data(as_text=True)
    old_cookie = client.get_cookie("session").value
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert (
        client.post("/proprietari/esci", data={"csrf_token": token}).headers["Location"]
        == "/proprietari/accedi"
    )
    assert client.get("/proprietari/").status_code == 302
    client.set_cookie("session", old_cookie)
    assert client.get("/proprietari/").headers["Location"] == "/proprietari/accedi"
    session.expire_all()
    assert account.session_epoch == 1
    assert session.scalar(sa.select(AuditEntry.action).order_by(AuditEntry.id.desc())) == "owner.logout"


def test_sign_out_needs_the_csrf_token(client, session, town):
    _owner(session, town)
    owner_sign_in(client)
    assert client.post("/proprietari/esci").status_code == 400
    assert client.get("/proprietari/").status_code == 200


def test_an_idle_owner_session_ends(client, session, town, configure, monkeypatch):
    _owner(session, town)
    owner_sign_in(client)
    assert client.get("/proprietari/").status_code == 200
    import observo.web.owners_session as owners_session

    later = owners_session.now() + 31 * 60
    monkeypatch.setattr(owners_session, "now", lambda: later)
    assert client.get("/proprietari/").status_code == 302
