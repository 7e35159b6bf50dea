"""Issue 19 end to end in Chromium: an owner signs up on Moncalieri's page and confirms its address by
the link the local SMTP server caught, declares two cameras on the form's map; Moncalieri's officer
approves one and rejects the other on /verifiche; a preservation request recorded on an intervention
reaches the owner's inbox; the owner answers "preserved"; the officer reads the answer on the
intervention page and in the PDF brief. Every step waits for a state, never for time."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.browser.conftest import EDITOR, OURS, assert_no_js_errors, map_config, sign_in
from tests.mail_server import Inbox, body

OWNER_EMAIL = "titolare@forneria-delle-vallere.example"
OWNER_PASSWORD = "una password lunga e sua"
OWNER_NAME = "Forneria delle Vallere"
APPROVED = "Ingresso del forno"
REJECTED = "Cortile interno"
PROTOCOL = "PL-MON 4711/2026"


def _link(message_text: str, path: str) -> str:
    """The link to `path` in a message (the live server's own address, whatever its port)."""
    found = re.search(rf"https?://[^/\s]+({re.escape(path)}\S*)", message_text)
    assert found, message_text
    return found.group(1)


def _messages_to(inbox: Inbox, address: str, subject_part: str) -> list[str]:
    return [body(m) for m in inbox.to(address) if subject_part.lower() in m["Subject"].lower()]


def _sign_up(page: Page, live_server: str, inbox: Inbox) -> None:
    page.goto(f"{live_server}/registrati/moncalieri")
    form = {
        "#organisation_name": OWNER_NAME,
        "#tax_code": "09876543217",
        "#address": "Strada Vallere 3, Moncalieri",
        "#pec": "forneria.vallere@pec.example",
        "#contact_name": "Marta Gallo",
        "#phone": "011 640 1234",
        "#email": OWNER_EMAIL,
        "#password": OWNER_PASSWORD,
        "#password_again": OWNER_PASSWORD,
    }
    for selector, value in form.items():
        page.fill(selector, value)
    page.click("form.owner-form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Controlla la tua posta")
    # The page is answered after the message was handed over: it is in the inbox already.
    [confirmation] = _messages_to(inbox, OWNER_EMAIL, "conferma")
    page.goto(f"{live_server}{_link(confirmation, '/proprietari/verifica/')}")
    page.wait_for_url(f"{live_server}/proprietari/")
    expect(page.locator("h1")).to_have_text(OWNER_NAME)


def _declare(page: Page, name: str, offset: tuple[int, int], bearing: str) -> tuple[float, float]:
    """Declare a camera placed by a click on the form's map, `offset` pixels from its centre."""
    page.click("#declare-camera")
    camera_map = page.locator("#camera-map[data-state=ready]")
    box = camera_map.bounding_box()
    camera_map.click(position={"x": box["width"] / 2 + offset[0], "y": box["height"] / 2 + offset[1]})
    expect(page.locator("#camera-map")).to_have_attribute("data-placed", "yes")
    page.fill("#name", name)
    page.select_option("#camera_type", "fixed")
    page.fill("#bearing_deg", bearing)
    page.fill("#hfov_deg", "70")
    page.fill("#range_m", "25")
    expect(page.locator("path.owner-sector")).to_have_count(1)  # drawn as the figures are typed
    page.check("#records-yes")
    page.fill("#retention_hours", "72")
    page.fill("#footage_contact_name", "Marta Gallo")
    page.fill("#footage_contact_phone", "011 640 1234")
    page.check("#contact_consent")
    page.check("#police_visibility-private")
    position = (float(page.input_value("#longitude")), float(page.input_value("#latitude")))
    page.click("#camera-submit")
    page.wait_for_url("**/proprietari/")
    declared = page.locator("#owner-declarations li", has_text=name)
    expect(declared.locator(".declaration-status")).to_have_text("In attesa della polizia")
    return position


def _decide(page: Page, name: str, decision: str, reason: str = "") -> None:
    card = page.locator("section.verification", has=page.locator("h2", has_text=name))
    expect(card.locator("table.declared")).to_contain_text(name)
    if reason:
        card.locator("textarea[name=reason]").fill(reason)
    card.locator(f"button[value={decision}]").click()
    page.wait_for_url(f"**/verifiche?done={decision}*")
    expect(page.locator("section.verification", has=page.locator("h2", has_text=name))).to_have_count(0)


def _api(page: Page, live_server: str, method: str, path: str, payload: dict) -> dict:
    """The API with the officer's session, as the map's scripts call it (CSRF token on writes)."""
    headers = {**OURS, "Content-Type": "application/json", "X-CSRFToken": map_config(page)["csrfToken"]}
    answer = page.request.fetch(
        f"{live_server}{path}", method=method, headers=headers, data=json.dumps(payload)
    )
    assert answer.ok, answer.text()
    return answer.json()


def _intervention_around(page: Page, live_server: str, lon: float, lat: float) -> int:
    """A confirmed plan (status planned: the snapshot is taken) whose target holds the approved camera."""
    page.goto(f"{live_server}/map")
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    d = 0.0008
    ring = [
        [lon - d, lat - d],
        [lon + d, lat - d],
        [lon + d, lat + d],
        [lon - d, lat + d],
        [lon - d, lat - d],
    ]
    created = _api(
        page,
        live_server,
        "POST",
        "/api/v1/interventions",
        {
            "title": "Furto con scasso alle Vallere",
            "kind": "other",
            "status": "planned",
            "reason": "Denuncia 2231/2026",
            "window": {"start": f"{(end - timedelta(hours=3)).isoformat()}", "end": end.isoformat()},
            "targets": [
                {
                    "name": "Strada Vallere",
                    "buffer_m": 0,
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                }
            ],
        },
    )
    return created["id"]


def test_an_owner_registers_cameras_the_police_verify_and_ask_for_footage(page, live_server, mail_inbox):
    _sign_up(page, live_server, mail_inbox)
    lon, lat = _declare(page, APPROVED, (0, 0), "90")
    _declare(page, REJECTED, (-60, 40), "200")
    page.click("form.owner-bar button[type=submit]")  # sign out
    page.wait_for_url("**/proprietari/accedi")

    # The municipality's officer approves the first and rejects the second.
    sign_in(page, live_server, EDITOR, then="/verifiche")
    _decide(page, APPROVED, "approve")
    _decide(page, REJECTED, "reject", "La telecamera riprende la via pubblica oltre il necessario.")
    subjects = [message["Subject"] for message in mail_inbox.to(OWNER_EMAIL)]
    assert "La tua telecamera è stata approvata" in subjects, subjects
    assert "La tua telecamera non è stata approvata" in subjects, subjects

    # A plan around the approved camera; the request is recorded on the intervention's page.
    intervention = _intervention_around(page, live_server, lon, lat)
    page.goto(f"{live_server}/interventions/{intervention}")
    page.select_option("#p-owner", label=OWNER_NAME)
    page.select_option("#p-channel", "pec")
    page.fill("#p-protocol_number", PROTOCOL)
    page.click("form.preservation-form button[type=submit]")
    expect(page.locator("p.recorded")).to_be_visible()
    [notice] = _messages_to(mail_inbox, OWNER_EMAIL, "conservare le registrazioni")

    # The owner follows the e-mail's link, signs in and lands on the request; it sees its cameras and
    # answers.
    page.context.clear_cookies()
    request_path = _link(notice, "/proprietari/richieste/")
    page.goto(f"{live_server}{request_path}")
    page.wait_for_url(re.compile(r"/proprietari/accedi\?next=/proprietari/richieste/"))
    page.fill("#email", OWNER_EMAIL)
    page.fill("#password", OWNER_PASSWORD)
    page.click("form.owner-form button[type=submit]")
    page.wait_for_url(f"**{request_path}")
    expect(page.locator("table.camera-table")).to_contain_text(APPROVED)
    page.goto(f"{live_server}/proprietari/")
    expect(page.locator("#owner-cameras")).to_contain_text(APPROVED)
    rejected = page.locator("#owner-declarations li", has_text=REJECTED)
    expect(rejected.locator(".declaration-status")).to_have_text("Respinta dalla polizia")
    expect(rejected.locator(".declaration-reason")).to_contain_text("oltre il necessario")
    page.click("#footage-requests")
    expect(page.locator("table.owner-requests")).to_contain_text(PROTOCOL)
    page.goto(f"{live_server}{request_path}")
    expect(page.locator("table.camera-table")).to_contain_text(APPROVED)
    page.check("#answer-preserved")
    page.fill("#reason", "Copia su chiavetta, a disposizione del comando.")
    page.click("form.owner-form button[type=submit]")
    expect(page.locator("p.recorded")).to_be_visible()
    expect(page.locator("ol.answers")).to_contain_text("Immagini conservate")
    assert_no_js_errors(page)

    # The officer sees the answer on the intervention's page and in its PDF brief.
    page.context.clear_cookies()
    sign_in(page, live_server, EDITOR, then=f"/interventions/{intervention}")
    row = page.locator("table.requests tbody tr", has_text=PROTOCOL)
    expect(row.locator("ul.owner-answers")).to_contain_text("Proprietario: Immagini conservate")
    pdf = page.request.get(
        f"{live_server}/api/v1/interventions/{intervention}/brief?f=pdf&lang=it", headers=OURS
    )
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf", pdf.text()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    text = re.sub(r"\s+", " ", text)
    assert "Risposte dei proprietari" in text and "Immagini conservate" in text, text
    assert OWNER_NAME in text and PROTOCOL in text
    assert_no_js_errors(page)
