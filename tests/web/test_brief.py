"""The intervention brief: its content (HTML and PDF), who may read it, its audit, its URL fetcher."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import weasyprint.urls
from markupsafe import escape
from pypdf import PdfReader
from shapely.geometry import LineString, Point, box

from observo.domain.shapes import Area
from observo.models import AuditEntry, Intervention
from observo.services import interventions as plans
from observo.services import preservation
from observo.services.actors import actor_for
from observo.services.organisations import create_pact
from observo.web import brief
from tests import factories

LON, LAT = factories.TURIN
CENTRE = Area(Point(LON, LAT))
REASON = "Ordine di servizio 42/2026 <urgente>"
WINDOW_START = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)
WINDOW_END = datetime(2026, 11, 20, 21, 0, tzinfo=UTC)  # 22:00 in Rome
WATCHED_EXPIRES = "23 nov 2026, 22:00"  # window end + 72 h, Rome time
CONTACT = {
    "footage_contact_name": "Ufficio video Trofarello",
    "footage_contact_phone": "+39 011 555 0101",
    "footage_contact_email": "video@trofarello.example",
    "footage_contact_pec": "video@pec.trofarello.example",
    "footage_contact_hours": "lun-ven 8-14",
}


def at_offset(east_m: float, north_m: float) -> tuple[float, float]:
    point = CENTRE.to_lonlat(Point(east_m, north_m))
    return point.x, point.y


def build_plan(session) -> dict:
    """Lead trofarello with nichelino in its pact; cremona outside. Three cameras reach the gardens:
    the lead's (recording, with a footage contact), the lead's private one, the partner's (not
    recording); a route runs east of them."""
    orgs = {slug: factories.org(session, slug) for slug in ("trofarello", "nichelino", "cremona")}
    create_pact(session, slug="tutta", name="Tutta mia la Città", member_slugs=["trofarello", "nichelino"])
    session.commit()
    cameras = {
        "watched": factories.camera(
            session, orgs["trofarello"], *at_offset(-60, 0), name="Giardini ovest", hfov_deg=90, range_m=60,
            retention_hours=72, visibility="shared", **CONTACT,
        ),
        "private": factories.camera(
            session, orgs["trofarello"], *at_offset(0, -60), name="Scuola", bearing_deg=0, range_m=40,
            retention_hours=168, visibility="private",
        ),
        "silent": factories.camera(
            session, orgs["nichelino"], *at_offset(60, 0), name="Varco est", bearing_deg=270, range_m=40,
            records=False, visibility="shared",
        ),
    }  # fmt: skip
    editor = factories.user(session, orgs["trofarello"], "editor")
    values = {
        "title": "Festa dei giardini <b>",
        "kind": "event",
        "status": "planned",
        "reason": REASON,
        "protocol_number": "PG 2026/123",
        "window_start": WINDOW_START,
        "window_end": WINDOW_END,
        "pacts": ["tutta"],
        "targets": [
            {"name": "Giardini di via Armando Diaz", "geometry": square(60), "buffer_m": 0},
            {"name": "Via Roma", "geometry": route(), "buffer_m": 10},
        ],
    }
    intervention = plans.create_intervention(session, actor_for(session, editor), values)
    session.commit()
    return {"orgs": orgs, "cameras": cameras, "editor": editor, "intervention": intervention}


def square(half_m: float):
    return CENTRE.to_lonlat(box(-half_m, -half_m, half_m, half_m))


def route():
    return CENTRE.to_lonlat(LineString([(-80, 30), (80, 30)]))


def percent_text(ratio: float) -> str:
    return f"{ratio * 100:.1f}".replace(".", ",") + "%"


def brief_url(plan: dict, **query: str) -> str:
    suffix = "".join(f"&{name}={value}" for name, value in query.items()).replace("&", "?", 1)
    return f"/api/v1/interventions/{plan['intervention'].id}/brief{suffix}"


def key_figures(session, plan: dict, reader) -> list[str]:
    """What a reader of the lead must find in the brief, whatever its format."""
    snapshot = session.get(Intervention, plan["intervention"].id).snapshot
    ratios = [percent_text(target["coverage"]["ratio"]) for target in snapshot["targets"]]
    assert all(0 < target["coverage"]["ratio"] < 1 for target in snapshot["targets"])
    codes = [camera.code for camera in plan["cameras"].values()]
    return [
        *ratios,
        *codes,
        *CONTACT.values(),
        WATCHED_EXPIRES,
        "Non registra",
        "Giardini di via Armando Diaz",
        f"Observo · utente #{reader.id}",
        reader.email,
        REASON,
        "PG 2026/123",
    ]


@pytest.fixture
def plan(session):
    return build_plan(session)


def entries(session, action: str) -> list[AuditEntry]:
    session.expire_all()
    statement = sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    return list(session.scalars(statement))


def test_html_brief_has_the_key_figures(client, session, plan):
    editor = plan["editor"]
    headers = factories.auth(factories.token(session, editor))
    response = client.get(brief_url(plan), headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    for expected in key_figures(session, plan, editor):
        assert str(escape(expected)) in page, expected
    # User text is escaped; the maps are inline SVG; the stylesheet is linked (CSP: no inline style).
    assert "Festa dei giardini &lt;b&gt;" in page and "<b>" not in page
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="brief-map"') == 2
    assert '/static/brief.css"' in page and "<style" not in page and "<script" not in page
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    # The most urgent camera first; the one that does not record last, flagged.
    watched, silent = plan["cameras"]["watched"].code, plan["cameras"]["silent"].code
    table = page[page.index('class="camera-table deadlines"') :]
    assert table.index(watched) < table.index(silent)
    assert re.search(rf'<tr class="flagged">\s*<th scope="row">{silent}</th>', table)


def test_pdf_brief_has_the_key_figures(client, session, plan):
    editor = plan["editor"]
    headers = factories.auth(factories.token(session, editor))
    response = client.get(brief_url(plan, f="pdf"), headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.data))
    pages = [page.extract_text() for page in reader.pages]
    text = re.sub(r"\s+", "", "".join(pages))
    for expected in key_figures(session, plan, editor):
        assert re.sub(r"\s+", "", expected) in text, expected
    # The watermark and the page numbers are on every page.
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        flat = re.sub(r"\s+", "", page)
        assert f"utente#{editor.id}" in flat and f"{number}/{len(pages)}" in flat


def test_partner_reads_its_own_view_outsider_gets_404(client, session, plan):
    partner = factories.user(session, plan["orgs"]["nichelino"], "viewer")
    headers = factories.auth(factories.token(session, partner))
    page = client.get(brief_url(plan), headers=headers).get_data(as_text=True)
    # The lead's private camera is in the plan, not in a partner's brief; the coverage figures stay.
    assert plan["cameras"]["silent"].code in page and plan["cameras"]["private"].code not in page
    assert f"Observo · utente #{partner.id}" in page
    outsider = factories.headers_for(session, plan["orgs"]["cremona"], "editor")
    for query in ({}, {"f": "pdf"}):
        response = client.get(brief_url(plan, **query), headers=outsider)
        assert response.status_code == 404 and response.mimetype == "application/problem+json"
    unknown = f"/api/v1/interventions/{plan['intervention'].id + 1000}/brief"
    assert client.get(unknown, headers=headers).status_code == 404


def test_anonymous_gets_401_problem(client, plan):
    for query in ({}, {"f": "pdf"}):
        response = client.get(brief_url(plan, **query))
        assert response.status_code == 401
        assert (
            response.mimetype == "application/problem+json" and response.json["code"] == "not_authenticated"
        )


def test_session_reader_gets_the_brief(client, session, plan):
    editor = plan["editor"]
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    signed = {"email": editor.email, "password": factories.PASSWORD, "csrf_token": token}
    assert client.post("/login", data=signed).status_code == 302
    response = client.get(brief_url(plan), headers={"Sec-Fetch-Site": "same-origin"})  # a link on our page
    assert response.status_code == 200 and "Scheda dell'intervento" in response.get_data(as_text=True)


def test_every_brief_is_audited_with_the_reason(client, session, plan):
    editor = plan["editor"]
    headers = factories.auth(factories.token(session, editor))
    before = len(entries(session, "intervention.brief"))
    assert client.get(brief_url(plan), headers=headers).status_code == 200
    assert client.get(brief_url(plan, f="pdf"), headers=headers).status_code == 200
    logged = entries(session, "intervention.brief")[before:]
    assert [json.loads(entry.details) for entry in logged] == [{"format": "html"}, {"format": "pdf"}]
    for entry in logged:
        assert entry.reason == REASON and entry.actor_user_id == editor.id
        assert entry.object_type == "intervention" and entry.object_id == str(plan["intervention"].id)
        assert entry.result_count == 3  # the cameras the lead's editor reads in the plan
    # A refused reader leaves no brief entry.
    client.get(brief_url(plan), headers=factories.headers_for(session, plan["orgs"]["cremona"]))
    assert len(entries(session, "intervention.brief")) == before + 2


def test_pending_preservation_requests_are_listed(client, session, plan):
    editor = plan["editor"]
    actor = actor_for(session, editor)
    values = {
        "owner": "nichelino",
        "channel": "pec",
        "contact": "pec@nichelino.example",
        "protocol_number": "N-77",
    }
    preservation.create_request(session, actor, plan["intervention"].id, values)
    answered = preservation.create_request(
        session,
        actor,
        plan["intervention"].id,
        {"owner": "trofarello", "channel": "phone", "note": "già fatto"},
    )
    preservation.update_request(
        session, actor, plan["intervention"].id, answered.id, 1, {"status": "preserved"}
    )
    session.commit()
    headers = factories.auth(factories.token(session, editor))
    page = client.get(brief_url(plan), headers=headers).get_data(as_text=True)
    requests = page[page.index('class="request-table requests"') :]
    assert "pec@nichelino.example" in requests and "N-77" in requests and "PEC" in requests
    assert "già fatto" not in requests  # answered: no longer pending


def test_no_snapshot_is_409_and_bad_format_400(client, session, plan):
    editor = plan["editor"]
    actor = actor_for(session, editor)
    draft = plans.create_intervention(
        session,
        actor,
        {
            "title": "Bozza",
            "kind": "other",
            "status": "draft",
            "reason": REASON,
            "window_start": WINDOW_START,
            "window_end": WINDOW_END,
            "targets": [{"name": "Piazza", "geometry": square(30), "buffer_m": 0}],
        },
    )
    session.commit()
    headers = factories.auth(factories.token(session, editor))
    response = client.get(f"/api/v1/interventions/{draft.id}/brief", headers=headers)
    assert response.status_code == 409 and response.json["code"] == "no_snapshot"
    response = client.get(brief_url(plan, f="docx"), headers=headers)
    assert response.status_code == 400 and response.json["errors"][0]["pointer"] == "/f"


def test_pdf_unavailable_is_501(client, session, plan, monkeypatch):
    def missing():
        raise brief.PdfUnavailableError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(brief, "load_weasyprint", missing)
    headers = factories.auth(factories.token(session, plan["editor"]))
    response = client.get(brief_url(plan, f="pdf"), headers=headers)
    assert response.status_code == 501 and response.json["code"] == "pdf_unavailable"
    assert "Pango" in response.json["detail"]
    assert client.get(brief_url(plan), headers=headers).status_code == 200  # the page still works


STATIC = Path(__file__).resolve().parents[2] / "static"


@pytest.mark.parametrize(
    "url",
    [
        "http://observo.test/etc/passwd",
        "file:///etc/passwd",
        "http://evil.example/static/brief.css",
        "https://observo.test.evil.example/static/brief.css",
        "http://observo.test/static/../setup.cfg",
        "http://observo.test/static/%2e%2e/setup.cfg",
        "http://observo.test/static/missing.css",
        "http://observo.test/static/js",
        "data:text/css,body{}",
        "http://observo.test/api/v1/cameras",
    ],
)
def test_url_fetcher_refuses_anything_but_static_files(url, fetcher_kind):
    fetch = brief.static_fetcher("http://observo.test/", STATIC, "/static")
    with pytest.raises(brief.StaticOnlyError):
        fetch(url)


@pytest.fixture(params=["class", "function"])
def fetcher_kind(request, monkeypatch):
    """WeasyPrint >= 68 takes a URLFetcher instance; older releases a function returning a dict."""
    if request.param == "function":
        monkeypatch.delattr(weasyprint.urls, "URLFetcher")
    return request.param


def test_url_fetcher_reads_static_files_from_disk(fetcher_kind):
    fetch = brief.static_fetcher("http://observo.test/prefix/", STATIC, "/prefix/static")
    answer = fetch("http://observo.test/prefix/static/brief.css")
    if fetcher_kind == "function":
        assert answer["mime_type"] == "text/css"
        body = answer["string"]
    else:
        assert answer.content_type == "text/css"
        body = answer.read()
    assert body == (STATIC / "brief.css").read_bytes()
    with pytest.raises(brief.StaticOnlyError):
        fetch("http://observo.test/static/brief.css")  # outside the application's prefix
