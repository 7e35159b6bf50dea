"""The demo brief on A4 paper: every cell inside the page and present, no heading alone at a page foot,
no camera name squeezed into a narrow column (pdfplumber reads the PDF WeasyPrint wrote)."""

from __future__ import annotations

import io
import re
from html import unescape
from html.parser import HTMLParser

import pdfplumber
import pytest
import sqlalchemy as sa

from observo.demo.territory_plans import INTERVENTION
from observo.models import Intervention, User
from observo.services import preservation
from observo.services.actors import actor_for
from observo.services.demo import seed_demo
from tests import factories

MM = 72 / 25.4
TOP_MARGIN, BOTTOM_MARGIN = 16 * MM, 18 * MM  # brief.css, @page
LONG_CONTACT = "protocollo.generale.ufficio-videosorveglianza@pec.comune.trofarello.to.it"
LONG_NOTE = (
    "Richiesta inviata dopo la telefonata al comando: conservare le immagini dalle 17:30 alle 22:30 "
    "delle telecamere del parco e dell'ingresso della scuola; il referente richiama entro domani."
)
MAX_NAME_LINES = 3


class Cells(HTMLParser):
    """The text of every table cell and of every heading and caption of the brief page."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self.headings: list[str] = []
        self._open: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("td", "th", "h1", "h2", "h3", "caption"):
            self._open.append((tag, []))

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1][0] == tag:
            _, parts = self._open.pop()
            text = " ".join("".join(parts).split())
            (self.cells if tag in ("td", "th") else self.headings).append(text)

    def handle_data(self, data: str) -> None:
        for _, parts in self._open:
            parts.append(data)


def flat(text: str) -> str:
    """Text without the spaces, line breaks, hyphens and label colons the layout adds or removes."""
    return re.sub(r"[\s\-\u2010\u00ad:]+", "", text)


@pytest.fixture
def demo_brief(client, session) -> dict[str, tuple[str, bytes]]:
    """The demo plan's brief as its lead reads it (HTML and PDF), in Italian and in English, with a
    long pending request."""
    seed_demo(session, "demo-password-not-used")
    session.commit()
    plan = session.scalar(sa.select(Intervention).where(Intervention.title == INTERVENTION["title"]))
    lead = session.scalar(sa.select(User).where(User.email == INTERVENTION["lead_user"]))
    values = {
        "owner": "trofarello",
        "channel": "pec",
        "contact": LONG_CONTACT,
        "protocol_number": "PL-NIC-2026/000123-bis",
        "note": LONG_NOTE,
    }
    preservation.create_request(session, actor_for(session, lead), plan.id, values)
    session.commit()
    token = factories.auth(factories.token(session, lead))
    url = f"/api/v1/interventions/{plan.id}/brief"
    rendered = {}
    for lang in ("it", "en"):
        headers = {**token, "Accept-Language": lang}
        page = client.get(url, headers=headers)
        pdf = client.get(f"{url}?f=pdf", headers=headers)
        assert page.status_code == 200 and pdf.status_code == 200, pdf.get_data(as_text=True)[:300]
        assert f'<html lang="{lang}">' in page.get_data(as_text=True)
        rendered[lang] = (page.get_data(as_text=True), pdf.data)
    return rendered


def upright(page: pdfplumber.page.Page) -> pdfplumber.page.Page:
    """The page without the diagonal watermark (its characters' matrices rotate them)."""
    return page.filter(lambda obj: obj.get("object_type") != "char" or abs(obj["matrix"][1]) < 1e-6)


def every_cell_is_inside_the_page_and_present(html: str, data: bytes) -> None:
    parsed = Cells()
    parsed.feed(html)
    assert any(LONG_CONTACT in cell for cell in parsed.cells)  # the request table is there
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        streams = []
        for number, page in enumerate(pdf.pages, start=1):
            assert (page.width, page.height) == pytest.approx((595.3, 841.9), abs=1), "A4 portrait"
            outside = [
                c["text"]
                for c in upright(page).chars
                if c["x0"] < 0 or c["x1"] > page.width or c["top"] < 0 or c["bottom"] > page.height
            ]
            assert not outside, f"page {number}: {''.join(outside)!r} runs past the edge"
            # Content-stream order: each cell's lines are drawn one after the other.
            streams.append(flat("".join(c["text"] for c in upright(page).chars)))
    text = "".join(streams)
    missing = [cell for cell in parsed.cells if flat(cell) not in text]
    assert not missing, missing


def no_heading_is_left_at_the_foot_of_a_page(html: str, data: bytes) -> None:
    parsed = Cells()
    parsed.feed(html)
    headings = [flat(heading) for heading in parsed.headings]
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            lines = [
                line
                for line in upright(page).extract_text_lines()
                if line["top"] > TOP_MARGIN and line["bottom"] < page.height - BOTTOM_MARGIN
            ]
            last = flat(lines[-1]["text"])
            assert not any(last in heading for heading in headings), f"page {number} ends with {last!r}"


def camera_names_keep_room(html: str, data: bytes) -> None:
    names = re.findall(r'<th scope="row">OBS-\d+</th>\s*<td>([^<]+)</td>', html)
    assert len(names) >= 10
    lines_of: dict[str, int] = {}
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            chars = [c for c in upright(page).chars if flat(c["text"])]
            stream = "".join(c["text"] for c in chars)
            for name in names:
                wanted = flat(unescape(name))
                for found in re.finditer(re.escape(wanted), stream):
                    run = chars[found.start() : found.end()]
                    lines_of[name] = max(lines_of.get(name, 0), len({round(c["top"]) for c in run}))
    assert set(lines_of) == set(names), set(names) - set(lines_of)
    squeezed = {name: lines for name, lines in lines_of.items() if lines > MAX_NAME_LINES}
    assert not squeezed, squeezed


def test_demo_brief_fits_a4_portrait(demo_brief):
    """One demo per test (seeding it and writing the PDFs take seconds), three checks per language."""
    for html, data in demo_brief.values():
        every_cell_is_inside_the_page_and_present(html, data)
        no_heading_is_left_at_the_foot_of_a_page(html, data)
        camera_names_keep_room(html, data)
