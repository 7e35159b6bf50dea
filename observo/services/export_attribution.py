"""The attribution an export owes: one notice per licence of its rows, and none it does not need.

Rows imported from OpenStreetMap are under the ODbL, which asks every copy of the data to credit
"© OpenStreetMap contributors" and name the licence; other open data sources carry their own licence
(`licence` of each camera). Each format puts the notices where its readers look (docs/importing.md):
GeoJSON a top-level `attribution`, KML the Document's description and atom:link, CSV a `licence`
column on every row plus the response's `Link` and `X-Attribution` headers.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from observo.domain.licences import LICENCE_URLS, NO_ATTRIBUTION, OSM_ATTRIBUTION, OSM_COPYRIGHT_URL
from observo.domain.permissions import Actor
from observo.services.export_queries import RowLicence, exported_licences
from observo.services.queries import CameraQuery


@dataclass(frozen=True)
class Notice:
    text: str
    url: str | None  # the licence (or, for OSM, its copyright page)


@dataclass(frozen=True)
class Attribution:
    notices: tuple[Notice, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.notices)

    @property
    def text(self) -> str:
        """Every notice in one line, as a map or a file's header shows it."""
        return "; ".join(notice.text for notice in self.notices)

    def headers(self) -> dict[str, str]:
        """HTTP headers for a download: `Link: <...>; rel="license"` (RFC 8288) and the text.

        Header values travel as Latin-1 at best: the copyright sign is written "(c)"."""
        if not self.notices:
            return {}
        headers = {"X-Attribution": self.text.replace("©", "(c)").encode("ascii", "replace").decode()}
        links = [f'<{notice.url}>; rel="license"' for notice in self.notices if notice.url]
        if links:
            headers["Link"] = ", ".join(links)
        return headers


def notice_for(row: RowLicence) -> Notice | None:
    if row.from_osm:
        text = f"{OSM_ATTRIBUTION} (cameras from OpenStreetMap, {OSM_COPYRIGHT_URL})"
        return Notice(text, OSM_COPYRIGHT_URL)
    if row.licence in NO_ATTRIBUTION:
        return None
    url = LICENCE_URLS.get(row.licence)
    where = f", {url}" if url else ""
    return Notice(f"Cameras from open data under the {row.licence} licence{where}", url)


def attribution_for(rows: list[RowLicence]) -> Attribution:
    notices = [notice for row in rows if (notice := notice_for(row)) is not None]
    return Attribution(tuple(dict.fromkeys(notices)))


def export_attribution(
    session: Session, actor: Actor, query: CameraQuery, limit: int | None, offset: int
) -> Attribution:
    """The notices the rows of an export of `query` need (computed before it streams)."""
    return attribution_for(exported_licences(session, actor, query, limit, offset))
