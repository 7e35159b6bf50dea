"""Owners reset a forgotten password from a link mailed by a real SMTP server (docs/owners.md,
"Sessions"): the same page for any address, a link that expires and works once, every other
session ended. Both databases."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from observo.domain import credentials
from observo.models import AuditEntry, OwnerAccount
from observo.services import owners
from tests import factories
from tests.mail_server import body, link_in

NEW_PASSWORD = "una nuova password lunga"


@pytest.fixture
def town(session):
    return factories.org(session, "nichelino")


@pytest.fixture
def account(session, town) -> OwnerAccount:
    return factories.owner_account(session, town)


def actions(session) -> list[str]:
    return list(session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


def ask_for_link(client, email: str):
    token = factories.csrf_token(client, "/proprietari/password")
    return client.post("/proprietari/password", data={"email": email, "csrf_token": token})


def set_password(client, path: str, password: str = NEW_PASSWORD, again: str | None = None):
    token = factories.csrf_token(client, path)
    data = {"password": password, "password_again": password if again is None else again, "csrf_token": token}
    return client.post(path, data=data)


def sign_in(client, email: str, password: str):
    token = factories.csrf_token(client, "/proprietari/accedi")
    return client.post(
        "/proprietari/accedi", data={"email": email, "password": password, "csrf_token": token}
    )


def reset_link(app, account: OwnerAccount, now: float | None = None) -> str:
    return f"/proprietari/password/{owners.password_reset_token(app.config['SECRET_KEY'], account, now)}"


def password_is(session, account: OwnerAccount, password: str) -> bool:
    session.expire_all()
    return credentials.verify_password(session.get(OwnerAccount, account.id).password_hash, password)


def _main(page: str) -> str:
    """The page's content, without the form's per-request CSRF token."""
    content = page.split('<main id="main">', 1)[1]
    return content.split('name="csrf_token"', 1)[0]


def test_an_owner_resets_its_password_from_the_mailed_link(client, session, account, inbox, app):
    sign_in_page = client.get("/proprietari/accedi").get_data(as_text=True)
    assert 'href="/proprietari/password"' in sign_in_page and "Password dimenticata?" in sign_in_page
    form = client.get("/proprietari/password")
    assert form.status_code == 200 and form.headers["Cache-Control"] == "private, no-store"
    asked = ask_for_link(client, account.email.upper())
    assert asked.status_code == 200 and "Se a questo indirizzo" in asked.get_data(as_text=True)

    [message] = inbox.messages
    assert message["To"] == account.email and "nuova password" in message["Subject"]
    assert "entro 2 ore" in body(message) and "Anna Bianchi" in body(message)
    link = link_in(message)
    assert link.startswith("/proprietari/password/")
    page = client.get(link)
    assert page.status_code == 200 and "Scegli una nuova password" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "private, no-store"
    done = set_password(client, link)
    assert done.status_code == 302 and done.headers["Location"] == "/proprietari/"
    home = client.get("/proprietari/")
    assert home.status_code == 200 and "Farmacia Centrale" in home.get_data(as_text=True)

    assert password_is(session, account, NEW_PASSWORD)
    other = app.test_client()
    assert sign_in(other, account.email, factories.PASSWORD).status_code == 401
    assert sign_in(other, account.email, NEW_PASSWORD).headers["Location"] == "/proprietari/"
    entries = session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action.like("owner.password%")).order_by(AuditEntry.id)
    ).all()
    assert [entry.action for entry in entries] == ["owner.password_reset_requested", "owner.password_reset"]
    assert {(entry.actor_label, entry.object_id) for entry in entries} == {(account.email, str(account.id))}
    assert {entry.subject_organisation_id for entry in entries} == {account.organisation_id}


def test_an_unknown_address_gets_the_same_page_and_no_message(client, session, account, inbox):
    before = actions(session)
    unknown = ask_for_link(client, "nobody@nowhere.example")
    assert unknown.status_code == 200
    assert inbox.messages == [] and actions(session) == before
    known = ask_for_link(client, account.email)
    assert known.status_code == 200
    assert _main(known.get_data(as_text=True)) == _main(unknown.get_data(as_text=True))
    assert len(inbox.to(account.email)) == 1
    assert actions(session) == [*before, "owner.password_reset_requested"]


def test_an_expired_link_answers_410_and_offers_a_new_one(client, session, account, inbox, app):
    expired = reset_link(app, account, now=time.time() - 2 * 3600 - 60)
    page = client.get(expired)
    assert page.status_code == 410 and "scaduto" in page.get_data(as_text=True)
    assert 'action="/proprietari/password"' in page.get_data(as_text=True)
    refused = set_password(client, expired)
    assert refused.status_code == 410 and password_is(session, account, factories.PASSWORD)
    almost = reset_link(app, account, now=time.time() - 2 * 3600 + 60)
    assert client.get(almost).status_code == 200


def test_a_link_works_once_and_altered_ones_are_refused(client, session, account, inbox, app):
    link = reset_link(app, account)
    assert set_password(client, link).status_code == 302
    used = client.get(link)
    assert used.status_code == 400 and "già stato usato" in used.get_data(as_text=True)
    assert 'action="/proprietari/password"' in used.get_data(as_text=True)
    again = set_password(client, link, "una terza password lunga")
    assert again.status_code == 400 and password_is(session, account, NEW_PASSWORD)

    fresh = reset_link(app, account)
    altered = fresh[:-2] + ("AA" if not fresh.endswith("AA") else "BB")
    assert client.get(altered).status_code == 400
    other_key = owners.password_reset_token("another secret", account)
    assert client.get(f"/proprietari/password/{other_key}").status_code == 400
    confirmation = owners.verification_token(app.config["SECRET_KEY"], account)  # another salt
    assert client.get(f"/proprietari/password/{confirmation}").status_code == 400
    session.get(OwnerAccount, account.id).email = "new.address@nichelino.example"
    session.commit()
    assert client.get(fresh).status_code == 400  # for an address since changed


def test_a_session_opened_before_the_reset_ends_with_it(client, session, account, inbox, app):
    elsewhere = app.test_client()
    assert sign_in(elsewhere, account.email, factories.PASSWORD).status_code == 302
    assert elsewhere.get("/proprietari/").status_code == 200
    epoch = account.session_epoch
    assert set_password(client, reset_link(app, account)).status_code == 302
    assert elsewhere.get("/proprietari/").headers["Location"] == "/proprietari/accedi"
    assert client.get("/proprietari/").status_code == 200  # the session the reset opened
    session.expire_all()
    assert session.get(OwnerAccount, account.id).session_epoch == epoch + 1


@pytest.mark.parametrize(
    ("password", "again", "field", "message"),
    [
        ("short", "short", "password", "La password deve avere"),
        (NEW_PASSWORD, "un'altra password lunga", "password_again", "Le due password sono diverse"),
        ("", "", "password", "Compila questo campo"),
    ],
)
def test_a_wrong_new_password_is_refused_with_its_message_and_changes_nothing(
    client, session, account, app, password, again, field, message
):
    link = reset_link(app, account)
    before = (actions(session), account.session_epoch)
    answer = set_password(client, link, password, again)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400 and f'id="{field}-problems"' in page and message in page
    assert "Non è cambiato nulla" in page
    assert password_is(session, account, factories.PASSWORD)
    assert (actions(session), session.get(OwnerAccount, account.id).session_epoch) == before
    assert client.get("/proprietari/").status_code == 302  # not signed in
    assert set_password(client, link).status_code == 302  # the link still works


def test_asking_for_links_is_limited_per_address(client, session, account, inbox, configure, app):
    configure(smtp_url=inbox.url, ratelimit_owner_signup="2 per hour")
    assert ask_for_link(client, "nobody@nowhere.example").status_code == 200  # counts as well
    assert ask_for_link(client, account.email).status_code == 200
    refused = ask_for_link(client, account.email)
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert len(inbox.messages) == 1
    # Typos cost nothing: only a well-formed request counts.
    app.extensions["observo_limiter"].reset()
    for _ in range(3):
        bad = ask_for_link(client, "not-an-address")
        assert bad.status_code == 400 and "Scrivi un indirizzo e-mail" in bad.get_data(as_text=True)
    assert ask_for_link(client, account.email).status_code == 200


def test_both_forms_need_the_csrf_token(client, session, account, inbox, app):
    before = actions(session)
    refused = client.post("/proprietari/password", data={"email": account.email})
    assert refused.status_code == 400 and inbox.messages == []
    link = reset_link(app, account)
    no_token = client.post(link, data={"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert no_token.status_code == 400 and password_is(session, account, factories.PASSWORD)
    assert actions(session) == before


def test_an_unconfirmed_account_is_confirmed_by_the_reset(client, session, town, inbox):
    signup = owners.SignUp(
        organisation_name="Bar Sport",
        tax_code="01234567897",
        address="Via Roma 2",
        contact_name="Luca Verdi",
        phone="011 123 4567",
        pec="bar@pec.example",
        email="bar@nichelino.example",
        password=factories.PASSWORD,
    )
    account, _ = owners.register(session, town, signup)
    session.commit()
    ask_for_link(client, account.email)
    [message] = inbox.messages
    assert set_password(client, link_in(message)).headers["Location"] == "/proprietari/"
    assert client.get("/proprietari/").status_code == 200
    session.expire_all()
    assert session.get(OwnerAccount, account.id).email_verified_at is not None
    assert actions(session)[-3:] == ["owner.password_reset_requested", "owner.verify", "owner.password_reset"]


def test_the_pages_are_italian_first_and_english_on_request(client, session, account, inbox):
    assert "Password dimenticata?" in client.get("/proprietari/password").get_data(as_text=True)
    english = client.get("/proprietari/password?lang=en").get_data(as_text=True)
    assert 'lang="en"' in english and "Forgot your password?" in english
    ask_for_link(client, account.email)  # the language chosen is kept in the session
    [message] = inbox.messages
    assert message["Subject"] == "Set a new password for Observo"
