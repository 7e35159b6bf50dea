"""The intervention pages: the list, one intervention (deadlines, contacts, requests), read scope, audit."""

from __future__ import annotations

import html

import pytest
import sqlalchemy as sa

from observo.models import AuditEntry, Intervention, PreservationRequest
from observo.services import interventions as plans
from observo.services.actors import actor_for
from tests import factories
from tests.web.test_brief import (
    CONTACT,
    REASON,
    WATCHED_EXPIRES,
    WINDOW_END,
    WINDOW_START,
    build_plan,
    square,
)


def _page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def entries(session, action: str) -> list[AuditEntry]:
    session.expire_all()
    statement = sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    return list(session.scalars(statement))


@pytest.fixture
def plan(session):
    return build_plan(session)


def test_pages_require_login(client, plan):
    for path in ("/interventions", f"/interventions/{plan['intervention'].id}"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_list_shows_readable_interventions_with_coverage_and_links(client, session, plan):
    editor = plan["editor"]
    draft = plans.create_intervention(
        session,
        actor_for(session, editor),
        {
            "title": "Bozza del mercato",
            "kind": "mobile_office",
            "status": "draft",
            "reason": REASON,
            "window_start": WINDOW_START,
            "window_end": WINDOW_END,
            "targets": [{"name": "Piazza", "geometry": square(30), "buffer_m": 0}],
        },
    )
    session.commit()
    factories.sign_in(client, editor)
    page = _page(client, "/interventions")
    item = plan["intervention"]
    snapshot = session.get(Intervention, item.id).snapshot
    ratio = snapshot["targets"][0]["coverage"]["ratio"]
    assert "Festa dei giardini &lt;b&gt;" in page and "Bozza del mercato" in page
    assert f"Giardini di via Armando Diaz: {ratio * 100:.1f}%".replace(".", ",") in page
    assert "Evento" in page and "Ufficio mobile" in page and "Programmato" in page and "Bozza" in page
    assert "20 nov 2026, 18:00 – 20 nov 2026, 22:00" in page and "Trofarello" in page
    assert f'href="/interventions/{item.id}"' in page and f'href="/map?intervention={item.id}"' in page
    # The links carry the page's language: the brief is under /api/v1, which follows Accept-Language.
    assert f'href="/api/v1/interventions/{item.id}/brief?lang=it"' in page
    assert f'href="/api/v1/interventions/{item.id}/brief?f=pdf&amp;lang=it"' in page
    assert f"/api/v1/interventions/{draft.id}/brief" not in page  # no snapshot, no brief
    assert "Non ancora calcolata" in page


def test_list_leaves_out_what_the_reader_may_not_read(client, session, plan):
    factories.sign_in(client, factories.user(session, plan["orgs"]["cremona"], "editor"))
    page = _page(client, "/interventions")
    assert "Festa dei giardini" not in page and "Nessun intervento che puoi vedere" in page
    assert _page(client, f"/interventions/{plan['intervention'].id}", status=404)


def test_intervention_page_shows_deadlines_contacts_and_audits_them(client, session, plan):
    editor = plan["editor"]
    factories.sign_in(client, editor)
    before = len(entries(session, "intervention.contacts"))
    item = plan["intervention"]
    page = _page(client, f"/interventions/{item.id}")
    assert "Festa dei giardini &lt;b&gt;" in page and html.escape(REASON, quote=False) in page
    assert "Condiviso con" in page and "Tutta mia la Città" in page
    assert page.count('class="brief-map"') == 2  # one map per target
    for value in CONTACT.values():
        assert value in page
    watched, silent = plan["cameras"]["watched"].code, plan["cameras"]["silent"].code
    table = page[page.index('class="camera-table deadlines"') :]
    assert table.index(watched) < table.index(silent) and WATCHED_EXPIRES in table and "Non registra" in table
    assert f'href="/map?intervention={item.id}"' in page and "Apri sulla mappa" in page
    assert f'href="/api/v1/interventions/{item.id}/brief?lang=it"' in page and "Scheda (stampa)" in page
    logged = entries(session, "intervention.contacts")
    assert len(logged) == before + 1 and logged[-1].reason == REASON and logged[-1].actor_user_id == editor.id


def test_a_partner_sees_only_its_cameras(client, session, plan):
    factories.sign_in(client, factories.user(session, plan["orgs"]["nichelino"], "viewer"))
    page = _page(client, f"/interventions/{plan['intervention'].id}")
    assert plan["cameras"]["silent"].code in page and plan["cameras"]["private"].code not in page


def test_recording_a_preservation_request(client, session, plan):
    editor = plan["editor"]
    factories.sign_in(client, editor)
    item = plan["intervention"]
    url = f"/interventions/{item.id}"
    watched = plan["cameras"]["watched"]
    form = {
        "csrf_token": factories.csrf_token(client, url),
        "owner": "trofarello",
        "cameras": str(watched.id),
        "requested_at": "2026-11-21T09:30",
        "channel": "pec",
        "contact": CONTACT["footage_contact_pec"],
        "protocol_number": "PG 2026/200",
        "note": "Conservare <tutte> le immagini",
    }
    response = client.post(url, data=form)
    assert response.status_code == 302 and response.headers["Location"].endswith("#requests")
    session.expire_all()
    (saved,) = session.scalars(
        sa.select(PreservationRequest).where(PreservationRequest.intervention_id == item.id)
    )
    assert saved.camera_ids == [watched.id] and saved.channel == "pec" and saved.status == "pending"
    assert saved.requested_at.isoformat().startswith("2026-11-21T08:30")  # 09:30 in Rome is 08:30 UTC
    assert saved.requested_by_id == editor.id
    created = entries(session, "preservation.create")
    assert created and created[-1].reason == REASON
    page = _page(client, response.headers["Location"].split("#")[0])
    assert "Richiesta registrata." in page and "PG 2026/200" in page and "In attesa" in page
    assert "21 nov 2026, 09:30" in page and watched.code in page


def test_a_request_needs_the_csrf_token_and_a_listed_owner(client, session, plan):
    factories.sign_in(client, plan["editor"])
    url = f"/interventions/{plan['intervention'].id}"
    no_token = {"owner": "trofarello", "channel": "pec"}
    assert client.post(url, data=no_token).status_code == 400
    token = factories.csrf_token(client, url)
    refused = client.post(url, data={"csrf_token": token, "owner": "cremona", "channel": "pec"})
    assert refused.status_code == 422 and "Controlla i campi evidenziati" in refused.get_data(as_text=True)
    session.expire_all()
    assert session.scalars(sa.select(PreservationRequest)).all() == []


def test_english_on_request(client, session, plan):
    factories.sign_in(client, plan["editor"])
    page = _page(client, "/interventions?lang=en")
    assert "Interventions you may see" in page and "Open on the map" in page and "Brief (print)" in page
    page = _page(client, f"/interventions/{plan['intervention'].id}")
    assert "Footage deadlines" in page and "Does not record" in page
