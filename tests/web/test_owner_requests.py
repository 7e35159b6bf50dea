"""A preservation request reaches the registered owner (docs/owners.md, "Footage requests"): by e-mail
through a real SMTP server and in its inbox, with the cameras, the window and the deadline; the owner
answers and the police see each answer and its time on the intervention page and in the brief. Only
the owner reaches its requests; every read and answer is audited; both databases."""

from __future__ import annotations

import html
import json
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from babel.dates import format_datetime

from observo.models import AuditEntry, PreservationAnswer, PreservationRequest
from tests import factories
from tests.mail_server import body, free_port, link_in, smtp_server
from tests.services.test_owner_requests import PROTOCOL, ask, build_owner_plan
from tests.web.test_brief import REASON

ROME = ZoneInfo("Europe/Rome")
WINDOW = "20 nov 2026, 18:00 – 20 nov 2026, 22:00"
DEADLINE = "21 nov 2026, 22:00"  # window end + the yard camera's 24 h, Rome time
SIGN_IN = "/proprietari/accedi"


@pytest.fixture
def plan(session):
    return build_owner_plan(session)


def owner_sign_in(client, account) -> None:
    token = factories.csrf_token(client, SIGN_IN)
    data = {"email": account.email, "password": factories.PASSWORD, "csrf_token": token}
    assert client.post(SIGN_IN, data=data).status_code == 302


def request_via_api(client, session, plan, headers: dict | None = None) -> int:
    """The lead's editor records a request to the pharmacy through the API."""
    cameras = plan["cameras"]
    answer = client.post(
        f"/api/v1/interventions/{plan['intervention'].id}/preservation-requests",
        json={
            "owner": plan["account"].organisation.slug,
            "camera_ids": [cameras["door"].id, cameras["yard"].id],
            "channel": "email",
            "protocol_number": PROTOCOL,
            "note": "Titolare <avvisato>",
        },
        headers=headers or factories.auth(factories.token(session, plan["editor"])),
    )
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return answer.get_json()["id"]


def answer(client, request_id: int, given: str, reason: str = ""):
    url = f"/proprietari/richieste/{request_id}"
    token = factories.csrf_token(client, url)
    return client.post(url, data={"answer": given, "reason": reason, "csrf_token": token})


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url, headers={"Sec-Fetch-Site": "same-origin"})  # a link on our page
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def rome(moment) -> str:
    return format_datetime(moment, "d MMM y, HH:mm", tzinfo=ROME, locale="it")


def entries(session, action: str) -> list[AuditEntry]:
    session.expire_all()
    stmt = sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    return list(session.scalars(stmt))


def test_the_owner_is_mailed_answers_and_the_police_see_each_answer(app, client, session, plan, inbox):
    request_id = request_via_api(client, session, plan)
    account, cameras = plan["account"], plan["cameras"]
    door, yard = cameras["door"].code, cameras["yard"].code

    # The e-mail: in Italian, to the owner's only confirmed account, with everything needed to act.
    [message] = inbox.messages
    assert message["To"] == account.email and "Richiesta di conservare" in message["Subject"]
    text = body(message)
    assert "Trofarello" in message["Subject"] and "Farmacia Centrale" in text
    for expected in (door, yard, "Ingresso <farmacia>", WINDOW, DEADLINE, PROTOCOL):
        assert expected in text, expected
    assert "Titolare" not in text and REASON not in text  # the police's note and reason stay theirs
    assert link_in(message) == f"/proprietari/richieste/{request_id}"

    # The inbox: the cameras, the window, the deadline; nothing answered yet.
    owner_sign_in(client, account)
    listed = client.get("/proprietari/richieste")
    assert listed.headers["Cache-Control"] == "private, no-store"
    listing = listed.get_data(as_text=True)
    assert listed.status_code == 200 and f'href="/proprietari/richieste/{request_id}"' in listing
    for expected in (
        door,
        yard,
        "Ingresso &lt;farmacia&gt;",
        WINDOW,
        DEADLINE,
        PROTOCOL,
        "In attesa della tua risposta",
    ):
        assert expected in listing, expected
    assert "Titolare" not in listing and "Ordine di servizio" not in listing

    detail = page(client, link_in(message))
    assert WINDOW in detail and DEADLINE in detail and "23 nov 2026, 22:00" in detail  # the door's own
    assert "Non hai ancora risposto" in detail

    # A refusal without a reason is refused, and nothing is recorded.
    refused = answer(client, request_id, "refused", "   ")
    assert refused.status_code == 400 and "Indica il motivo del rifiuto" in refused.get_data(as_text=True)
    assert session.scalars(sa.select(PreservationAnswer)).all() == []

    # Preserved, then handed over: both kept; the request is preserved.
    first = answer(client, request_id, "preserved")
    assert first.status_code == 302
    assert first.headers["Location"] == f"/proprietari/richieste/{request_id}?answered=1"
    assert "Risposta registrata" in page(client, first.headers["Location"])
    assert answer(client, request_id, "handed_over", "All'agente <b>Rossi</b>").status_code == 302
    session.expire_all()
    stored = list(session.scalars(sa.select(PreservationAnswer).order_by(PreservationAnswer.id)))
    assert [item.answer for item in stored] == ["preserved", "handed_over"]
    assert session.get(PreservationRequest, request_id).status == "preserved"
    times = [rome(item.answered_at) for item in stored]
    detail = page(client, f"/proprietari/richieste/{request_id}")
    assert "All&#39;agente &lt;b&gt;Rossi&lt;/b&gt;" in detail and "<b>Rossi" not in detail
    assert "Immagini conservate" in detail and "Immagini consegnate" in detail

    # The police, in another browser: the page and the brief show each answer with its time.
    police = app.test_client()
    factories.sign_in(police, plan["editor"])
    shown = page(police, f"/interventions/{plan['intervention'].id}")
    assert f"Proprietario: Immagini conservate ({times[0]})" in shown
    assert f"Proprietario: Immagini consegnate ({times[1]})" in shown
    assert "All&#39;agente &lt;b&gt;Rossi&lt;/b&gt;" in shown and "<b>Rossi" not in shown
    assert "<avvisato>" not in shown
    brief = page(police, f"/api/v1/interventions/{plan['intervention'].id}/brief?lang=it")
    answers = brief[brief.index("Risposte dei proprietari") :]
    assert f"Immagini conservate ({times[0]})" in answers and f"Immagini consegnate ({times[1]})" in answers
    assert "&lt;b&gt;Rossi" in answers and PROTOCOL in answers and "<b>Rossi" not in brief

    # Every read and answer of the owner is audited with the request's reason and protocol number.
    reads, answered = entries(session, "preservation.owner_read"), entries(session, "preservation.answer")
    assert len(answered) == 2 and len(reads) >= 4
    for entry in reads + answered:
        details = json.loads(entry.details)
        assert entry.reason == REASON and details["protocol_number"] == PROTOCOL
        assert entry.actor_label == account.email and entry.object_id == str(request_id)
    assert [json.loads(entry.details)["answer"] for entry in answered] == ["preserved", "handed_over"]


def test_another_owner_gets_not_found_and_sees_nothing(client, session, plan):
    request = ask(session, plan)
    owner_sign_in(client, plan["other"])
    listing = page(client, "/proprietari/richieste")
    assert "Non hai ricevuto richieste" in listing and PROTOCOL not in listing
    url = f"/proprietari/richieste/{request.id}"
    assert client.get(url).status_code == 404
    token = factories.csrf_token(client, "/proprietari/")
    posted = client.post(url, data={"answer": "preserved", "reason": "", "csrf_token": token})
    assert posted.status_code == 404
    assert client.get(f"/proprietari/richieste/{request.id + 1000}").status_code == 404
    assert session.scalars(sa.select(PreservationAnswer)).all() == []
    assert entries(session, "preservation.owner_read") == []


def test_anonymous_and_police_sessions_go_to_the_owners_sign_in(client, session, plan):
    request = ask(session, plan)
    urls = ("/proprietari/richieste", f"/proprietari/richieste/{request.id}")
    for token_page in ("/login", f"/interventions/{plan['intervention'].id}"):  # anonymous, then police
        if token_page != "/login":
            factories.sign_in(client, plan["editor"])
        for url in urls:
            response = client.get(url)
            assert response.status_code == 302, url
            assert response.headers["Location"] == f"{SIGN_IN}?next={url}", url
        token = factories.csrf_token(client, token_page)
        posted = client.post(urls[1], data={"answer": "preserved", "csrf_token": token})
        assert posted.status_code == 302 and posted.headers["Location"] == SIGN_IN
    assert session.scalars(sa.select(PreservationAnswer)).all() == []
    assert entries(session, "preservation.owner_read") == []


def test_the_e_mails_link_leads_back_to_the_request_once_signed_in(client, session, plan):
    request = ask(session, plan)
    page = f"/proprietari/richieste/{request.id}"
    sent_to = client.get(page).headers["Location"]
    token = factories.csrf_token(client, SIGN_IN)
    data = {"email": plan["account"].email, "password": factories.PASSWORD, "csrf_token": token}
    assert client.post(sent_to, data=data).headers["Location"] == page
    client.post("/proprietari/esci", data={"csrf_token": token})
    for elsewhere in ("https://evil.example/", "//evil.example/x", "/api/v1/cameras"):
        token = factories.csrf_token(client, SIGN_IN)
        data = {**data, "csrf_token": token}
        answer = client.post(f"{SIGN_IN}?next={quote(elsewhere, safe='')}", data=data)
        assert answer.headers["Location"] == "/proprietari/", elsewhere  # never off the owners' pages
        client.post("/proprietari/esci", data={"csrf_token": factories.csrf_token(client, "/proprietari/")})


def test_an_answer_needs_the_csrf_token(client, session, plan):
    request = ask(session, plan)
    owner_sign_in(client, plan["account"])
    posted = client.post(f"/proprietari/richieste/{request.id}", data={"answer": "preserved"})
    assert posted.status_code == 400
    assert session.scalars(sa.select(PreservationAnswer)).all() == []


def test_a_request_recorded_on_the_intervention_page_is_mailed_too(client, session, plan, inbox):
    factories.sign_in(client, plan["editor"])
    url = f"/interventions/{plan['intervention'].id}"
    form = {
        "owner": plan["account"].organisation.slug,
        "cameras": [str(plan["cameras"]["door"].id)],
        "channel": "phone",
        "protocol_number": PROTOCOL,
        "csrf_token": factories.csrf_token(client, url),
    }
    assert client.post(url, data=form).status_code == 302
    [message] = inbox.to(plan["account"].email)
    assert plan["cameras"]["door"].code in body(message) and "23 nov 2026, 22:00" in body(message)


def test_an_owner_without_an_account_gets_no_mail_and_a_failing_server_loses_no_request(
    client, session, plan, configure
):
    headers = factories.auth(factories.token(session, plan["editor"]))
    # No confirmed account: nothing is sent (the bar's account is unconfirmed here).
    with smtp_server() as server:
        configure(smtp_url=server.url)
        bar = plan["other"]
        bar.email_verified_at = None
        session.commit()
        answer = client.post(
            f"/api/v1/interventions/{plan['intervention'].id}/preservation-requests",
            json={
                "owner": bar.organisation.slug,
                "camera_ids": [plan["cameras"]["bar"].id],
                "channel": "pec",
            },
            headers=headers,
        )
        assert answer.status_code == 201 and server.messages == []
    # A mail server that does not answer: the request is recorded all the same.
    configure(smtp_url=f"smtp://127.0.0.1:{free_port()}")
    request_id = request_via_api(client, session, plan, headers)
    assert session.get(PreservationRequest, request_id) is not None
    owner_sign_in(client, plan["account"])
    assert html.escape(PROTOCOL) in page(client, "/proprietari/richieste")
