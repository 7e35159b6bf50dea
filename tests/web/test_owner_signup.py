"""Owners sign up on a municipality's page, confirm their e-mail through a real SMTP server's
message, and reach their own page (docs/owners.md); both databases."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from observo.models import AuditEntry, Organisation, OwnerAccount
from observo.services import owners
from tests import factories
from tests.mail_server import body, free_port, link_in

EMAIL = "amministratore@condominio-aurora.example"


@pytest.fixture
def town(session):
    return factories.org(session, "nichelino")


def signup_form(client, slug: str = "nichelino", **changes: str) -> dict[str, str]:
    return {
        "organisation_name": "Condominio Aurora",
        "tax_code": "01234567897",
        "address": "Via Torino 12, Nichelino",
        "contact_name": "Anna Bianchi",
        "phone": "011 123 4567",
        "pec": "condominio.aurora@pec.example",
        "email": EMAIL,
        "password": "una password lunga",
        "password_again": "una password lunga",
        "csrf_token": factories.csrf_token(client, f"/registrati/{slug}"),
        **changes,
    }


def count(session, model) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model))


def actions(session) -> list[str]:
    return list(session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


def test_sign_up_confirm_by_the_mailed_link_and_see_the_owner_page(client, session, town, inbox):
    page = client.get("/registrati/nichelino")
    assert page.status_code == 200 and "Registra le tue telecamere" in page.get_data(as_text=True)
    answer = client.post("/registrati/nichelino", data=signup_form(client))
    assert answer.status_code == 200 and "Controlla la tua posta" in answer.get_data(as_text=True)

    [message] = inbox.messages
    assert message["To"] == EMAIL and message["From"] == "Observo <noreply@observo.example>"
    assert "Conferma" in message["Subject"] and "Condominio Aurora" in body(message)
    account = session.scalar(sa.select(OwnerAccount).where(OwnerAccount.email == EMAIL))
    assert account.email_verified_at is None
    organisation = account.organisation
    assert (organisation.kind, organisation.sponsor_id) == ("private", town.id)
    assert (organisation.slug, organisation.tax_code) == ("condominio-aurora", "01234567897")
    assert (organisation.contact_pec, organisation.contact_phone) == (
        "condominio.aurora@pec.example",
        "011 123 4567",
    )
    # Not signed in before the link is followed.
    assert client.get("/proprietari/").headers["Location"] == "/proprietari/accedi"

    followed = client.get(link_in(message))
    assert followed.status_code == 302 and followed.headers["Location"] == "/proprietari/"
    home = client.get("/proprietari/")
    text = home.get_data(as_text=True)
    assert home.status_code == 200 and "Condominio Aurora" in text and "Nichelino" in text
    assert "Nessuna telecamera registrata" in text
    assert home.headers["Cache-Control"] == "private, no-store"
    session.expire_all()
    assert session.get(OwnerAccount, account.id).email_verified_at is not None
    signup_entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "owner.signup"))
    assert signup_entry.actor_label == EMAIL and signup_entry.subject_organisation_id == organisation.id
    assert actions(session)[-2:] == ["owner.signup", "owner.verify"]


def test_an_expired_or_altered_link_is_refused_and_offers_a_new_one(client, session, town, inbox, app):
    account = _registered(session, town)
    secret = app.config["SECRET_KEY"]
    issued_long_ago = owners.verification_token(secret, account, now=time.time() - 49 * 3600)
    expired = client.get(f"/proprietari/verifica/{issued_long_ago}")
    assert expired.status_code == 410 and "scaduto" in expired.get_data(as_text=True)
    assert 'action="/proprietari/verifica"' in expired.get_data(as_text=True)
    fresh = owners.verification_token(secret, account, now=time.time() - 47 * 3600)
    altered = fresh[:-2] + ("AA" if not fresh.endswith("AA") else "BB")
    assert client.get(f"/proprietari/verifica/{altered}").status_code == 400
    other_key = owners.verification_token("another secret", account)
    assert client.get(f"/proprietari/verifica/{other_key}").status_code == 400
    account.email = "new.address@condominio-aurora.example"  # a changed address voids the old links
    session.commit()
    assert client.get(f"/proprietari/verifica/{fresh}").status_code == 400
    session.expire_all()
    assert session.get(OwnerAccount, account.id).email_verified_at is None
    assert client.get("/proprietari/").status_code == 302

    # A new link, asked for on the page, arrives and works.
    token = factories.csrf_token(client, f"/proprietari/verifica/{altered}")
    again = client.post("/proprietari/verifica", data={"email": account.email, "csrf_token": token})
    assert again.status_code == 200
    [message] = inbox.to(account.email)
    assert client.get(link_in(message)).headers["Location"] == "/proprietari/"


def test_a_registered_address_gets_the_same_page_another_message_and_nothing_is_created(
    client, session, town, inbox
):
    first = client.post("/registrati/nichelino", data=signup_form(client)).get_data(as_text=True)
    before = (count(session, Organisation), count(session, OwnerAccount), len(actions(session)))
    second = client.post(
        "/registrati/nichelino", data=signup_form(client, organisation_name="Altro nome", email=EMAIL.upper())
    )
    assert second.status_code == 200
    assert _main(second.get_data(as_text=True)) == _main(first)
    assert (count(session, Organisation), count(session, OwnerAccount), len(actions(session))) == before
    confirm, already = inbox.to(EMAIL)
    assert "/proprietari/verifica/" in body(confirm)
    assert "/proprietari/verifica/" not in body(already) and "/proprietari/accedi" in body(already)
    assert already["Subject"] != confirm["Subject"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"tax_code": "01234567890"}, "tax_code", "Questa partita IVA non è valida"),
        ({"tax_code": "RSSMRA85T10A562T"}, "tax_code", "Questo codice fiscale non è valido"),
        ({"tax_code": "12345"}, "tax_code", "Scrivi un codice fiscale"),
        ({"password_again": "un'altra password"}, "password_again", "Le due password sono diverse"),
        ({"pec": ""}, "pec", "Compila questo campo"),
        ({"email": "not-an-address"}, "email", "Scrivi un indirizzo e-mail"),
        ({"password": "short", "password_again": "short"}, "password", "La password deve avere"),
    ],
)
def test_a_bad_field_shows_the_form_again_with_its_message_and_writes_nothing(
    client, session, town, inbox, changes, field, message
):
    before = (count(session, Organisation), count(session, OwnerAccount), len(actions(session)))
    answer = client.post("/registrati/nichelino", data=signup_form(client, **changes))
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert f'id="{field}-problems"' in page and message in page
    assert (
        'value="Condominio Aurora"' in page and "una password lunga" not in page
    )  # kept, but never the password
    assert (count(session, Organisation), count(session, OwnerAccount), len(actions(session))) == before
    assert inbox.messages == []


def test_sign_ups_are_limited_per_address(client, session, town, inbox, configure, app):
    configure(smtp_url=inbox.url, ratelimit_owner_signup="2 per hour")
    for number in (1, 2):
        data = signup_form(client, email=f"owner{number}@example.it", organisation_name=f"Bar {number}")
        assert client.post("/registrati/nichelino", data=data).status_code == 200
    refused = client.post("/registrati/nichelino", data=signup_form(client, email="owner3@example.it"))
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert len(inbox.messages) == 2 and count(session, OwnerAccount) == 2
    # Typos cost nothing: only a submission that sends a message counts.
    app.extensions["observo_limiter"].reset()
    for _ in range(3):
        bad = client.post("/registrati/nichelino", data=signup_form(client, tax_code="1"))
        assert bad.status_code == 400


def test_only_a_municipality_has_a_sign_up_page(client, session, town):
    factories.org(session, "polizia-locale-nichelino", kind="local_police")
    for slug in ("polizia-locale-nichelino", "nowhere"):
        missing = client.get(f"/registrati/{slug}")
        assert missing.status_code == 404 and "Pagina non trovata" in missing.get_data(as_text=True)


def test_the_page_is_italian_first_and_english_on_request(client, session, town):
    italian = client.get("/registrati/nichelino", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="it"' in italian and "Codice fiscale o partita IVA" in italian
    english = client.get("/registrati/nichelino?lang=en").get_data(as_text=True)
    assert (
        'lang="en"' in english
        and "Register your cameras" in english
        and "Codice fiscale or VAT number" in english
    )


def test_a_mail_server_that_does_not_answer_is_said_on_the_page(client, session, town, configure, caplog):
    configure(smtp_url=f"smtp://127.0.0.1:{free_port()}")  # nothing listens there
    answer = client.post("/registrati/nichelino", data=signup_form(client))
    page = answer.get_data(as_text=True)
    assert answer.status_code == 503 and "Non è stato possibile inviare" in page
    assert 'action="/proprietari/verifica"' in page
    assert any("not sent" in record.getMessage() for record in caplog.records)
    assert count(session, OwnerAccount) == 1  # saved: a new link can be asked for later


def _registered(session, town) -> OwnerAccount:
    signup = owners.SignUp(
        organisation_name="Condominio Aurora",
        tax_code="01234567897",
        address="Via Torino 12",
        contact_name="Anna Bianchi",
        phone="011 123 4567",
        pec="aurora@pec.example",
        email=EMAIL,
        password="una password lunga",
    )
    account, created = owners.register(session, town, signup)
    session.commit()
    assert created
    return account


def _main(page: str) -> str:
    """The page's content, without the form's per-request CSRF token."""
    content = page.split('<main id="main">', 1)[1]
    return content.split('name="csrf_token"', 1)[0]


def test_the_municipality_share_page_links_its_sign_up_page(client, session, town):
    factories.sign_in(client, factories.user(session, town, "editor"))
    page = client.get("/organizations/nichelino/embed").get_data(as_text=True)
    assert 'href="/registrati/nichelino"' in page and "Registra le tue telecamere" in page
    police = factories.org(session, "pl-nichelino", kind="local_police")
    client.post("/logout", data={"csrf_token": factories.csrf_token(client, "/map")})
    factories.sign_in(client, factories.user(session, police, "editor"))
    assert "/registrati/" not in client.get("/organizations/pl-nichelino/embed").get_data(as_text=True)
