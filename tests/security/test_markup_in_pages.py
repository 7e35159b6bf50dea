"""Issue 15, class 3, without a browser: user text stays text in the printed brief, in the JSON a page
hands to its scripts, and in the scripts themselves.

- The brief's PDF is its HTML through WeasyPrint, whose URL fetcher reads only the static files.
  Markup typed into a target's, a camera's or the plan's name (an image on another site, an image on
  an audited same-site GET, a stylesheet) must ask WeasyPrint for nothing but the page's own
  stylesheets, and print as typed.
- A name holding `</script>` or a quote cannot close the `<script type="application/json">` that
  carries it, nor leave an attribute.
- static/js puts no HTML string into the DOM: no innerHTML and the like, and Leaflet content
  (tooltips, popups, divIcons) is an element or a function building one (docs/security.md).
"""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
import weasyprint.urls
from markupsafe import escape
from pypdf import PdfReader
from shapely.geometry import Point, box

from observo.domain.permissions import SYSTEM
from observo.domain.shapes import Area
from observo.services import interventions as plans
from observo.services import preservation
from observo.services.actors import actor_for
from observo.services.organisations import update_organisation
from observo.settings import PROJECT_ROOT
from observo.web import brief
from tests import factories

CENTRE = Area(Point(*factories.TURIN))
SAME_SITE = "/api/v1/cameras/1/contacts"  # an audited GET: fetched, it would be read in the reader's name
TARGET = f'Giardini <img src="https://evil.example/t.png"><img src="{SAME_SITE}"> fine'
CAMERA = (
    'Varco <img src="https://evil.example/c.png"><link rel="stylesheet" href="https://evil.example/c.css">'
)
TITLE = 'Piano "><b style="background:url(https://evil.example/b.png)">bold</b></script><i>'
NOTE = '<object data="https://evil.example/o.pdf"></object><iframe src="/api/v1/cameras/1/contacts">'
ORG_NAME = 'Ente </script><script>window.__pwned=1</script>"><img src=x onerror="window.__pwned=1">'


def _square(half_m: float):
    return CENTRE.to_lonlat(box(-half_m, -half_m, half_m, half_m))


@pytest.fixture
def plan(session):
    """A confirmed plan of `x-lead` whose target, camera, title and pending request carry markup."""
    lead = factories.org(session, "x-lead")
    camera = factories.camera(
        session, lead, *factories.TURIN, name=CAMERA, hfov_deg=360, range_m=40, visibility="shared"
    )
    editor = factories.user(session, lead, "editor")
    actor = actor_for(session, editor)
    start = datetime.now(UTC).replace(microsecond=0)
    values = {
        "title": TITLE,
        "kind": "event",
        "status": "planned",
        "reason": "Ordine di servizio 15/2026",
        "window_start": start,
        "window_end": start + timedelta(hours=4),
        "targets": [{"name": TARGET, "geometry": _square(30), "buffer_m": 0}],
    }
    intervention = plans.create_intervention(session, actor, values)
    request = {"owner": "x-lead", "camera_ids": [camera.id], "channel": "pec", "note": NOTE}
    preservation.create_request(session, actor, intervention.id, request)
    session.commit()
    return {"intervention": intervention, "editor": editor}


@pytest.fixture
def fetched(monkeypatch) -> list[str]:
    """Every URL WeasyPrint asks for: through the brief's static fetcher, or any other fetcher."""
    urls: list[str] = []
    static_path = brief.static_path

    def through_static(url: str, *args):
        urls.append(url)
        return static_path(url, *args)

    def through_default(self, url: str, headers=None):
        urls.append(url)
        raise weasyprint.urls.URLFetchingError(f"a test never fetches {url}")

    monkeypatch.setattr(brief, "static_path", through_static)
    monkeypatch.setattr(weasyprint.urls.URLFetcher, "fetch", through_default)
    return urls


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_brief_pdf_fetches_nothing_user_text_names_and_prints_it_as_text(client, session, plan, fetched):
    headers = factories.auth(factories.token(session, plan["editor"]))
    url = f"/api/v1/interventions/{plan['intervention'].id}/brief"
    shown = client.get(url, headers=headers)
    assert shown.status_code == 200, shown.get_data(as_text=True)[:500]
    source = shown.get_data(as_text=True)
    for typed in (TARGET, CAMERA, TITLE, NOTE):
        assert str(escape(typed)) in source, typed
    assert "<img" not in source and "<object" not in source and "<iframe" not in source

    response = client.get(f"{url}?f=pdf", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert any(asked.endswith("/static/brief.css") for asked in fetched), fetched  # the recorder works
    strays = [asked for asked in fetched if "/static/" not in asked or "evil" in asked or "/api/" in asked]
    assert not strays, strays
    text = _flat("".join(sheet.extract_text() for sheet in PdfReader(io.BytesIO(response.data)).pages))
    for typed in (TARGET, CAMERA, TITLE, NOTE):
        assert _flat(typed) in text, typed


# --- JSON in a page --------------------------------------------------------------------------------


def _script_json(page: str, element_id: str):
    found = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', page, re.S)
    assert found, element_id
    return json.loads(found.group(1))


def test_a_name_cannot_close_the_json_script_block_or_an_attribute(client, session):
    town = factories.org(session, "x-town")
    update_organisation(session, SYSTEM, "x-town", {"name": ORG_NAME})
    session.commit()
    factories.camera(session, town, visibility="public")
    editor = factories.user(session, town, "editor")
    factories.sign_in(client, editor)
    pages = {
        "/map": ("observo-config", lambda config: config["editableOwners"][0]["name"]),
        "/embed/x-town": ("embed-config", lambda config: config["organisation"]["name"]),
        "/organizations/x-town/embed": ("embed-share-config", lambda config: config["titles"]["en"]),
    }
    for path, (element_id, named) in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.get_data(as_text=True)
        assert "<script>window" not in page and "<img" not in page, path  # only escaped text of them
        assert ORG_NAME in named(_script_json(page, element_id)), path  # the name itself, as typed


# --- query strings echoed into a page ----------------------------------------------------------------

ECHOED = '"><img src=x id=x-img><script>window.__pwned=1</script>'


def test_query_strings_echoed_into_pages_stay_text(client, session):
    town = factories.org(session, "x-echo")
    editor = factories.user(session, town, "editor")
    factories.sign_in(client, editor)
    value = quote(ECHOED)
    paths = [
        f"/cameras?q={value}",
        f"/cameras?municipality={value}&owner={value}",
        f"/stats?municipality={value}",
        f"/map?q={value}&owner={value}",
        f"/embed/x-echo?height={value}&center={value}&zoom={value}&lang={value}",
        f"/organizations/{value}/embed",
        f"/interventions/1?{value}={value}",
    ]
    for path in paths:
        page = client.get(path).get_data(as_text=True)
        assert "<img" not in page and "<script>window" not in page, path
        if path.startswith("/cameras?q="):
            assert f'value="{escape(ECHOED)}"' in page  # echoed, as text in its attribute


# --- the scripts -----------------------------------------------------------------------------------

SCRIPTS = sorted((PROJECT_ROOT / "static" / "js").rglob("*.js"))
HTML_SINKS = re.compile(
    r"\.(innerHTML|outerHTML|insertAdjacentHTML)\b|document\.write|\b(html|content)\s*:\s*[`'\"]"
)
# Leaflet renders string content as HTML: its content must be built by el()/element() or a function.
LEAFLET_CONTENT = re.compile(
    r"\.(bindTooltip|bindPopup|setContent|setTooltipContent|setPopupContent)\(\s*(?!el\(|element\(|\(\)\s*=>)"
)


# The one exception: asset_fallback.js re-writes the page's own pinned <script>/<link> tags from their
# server-rendered data-local attributes (never data, never user text), built as DOM nodes and serialised
# by the browser; document.write is the only way a script keeps its place before the page's modules.
ALLOWED_SINKS = {"static/js/asset_fallback.js": ["outerHTML", "document.write"]}


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: str(path.relative_to(PROJECT_ROOT)))
def test_scripts_put_no_html_string_into_the_dom(script):
    source = script.read_text()
    found = [
        match.group(0) for pattern in (HTML_SINKS, LEAFLET_CONTENT) for match in pattern.finditer(source)
    ]
    allowed = {
        f".{sink}" if sink == "outerHTML" else sink
        for sink in ALLOWED_SINKS.get(str(script.relative_to(PROJECT_ROOT)), [])
    }
    assert not set(found) - allowed, found


def test_the_fallback_writes_only_the_pages_own_tags():
    """What asset_fallback.js writes comes from attributes the server rendered on its pinned tags."""
    source = (PROJECT_ROOT / "static" / "js" / "asset_fallback.js").read_text()
    assert 'document.write(missing.map(copy).join(""))' in source
    assert "again.src = tag.dataset.local" in source and "again.href = tag.dataset.local" in source
    assert 'querySelectorAll("link[data-local], script[data-local]")' in source
