"""The public embed (/embed/<slug>) and its share page for the organisation's staff.

The embed is what a municipality's web site shows in an iframe: its public cameras exactly as the
anonymous API lists them (generalised positions, public fields), with no Observo chrome around the
map. It never sets a cookie: it does not write the session, its language comes from `?lang=` alone,
and its script asks the API without credentials. Other sites may frame it when the deployment
(`OBSERVO_EMBED_ORIGINS`) or the organisation (`embed_origins`) lists them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from babel import Locale
from flask import Response, after_this_request, g, request, session, url_for
from flask_babel import force_locale, gettext
from markupsafe import escape

from observo.domain.licences import LICENCE_URLS, NO_ATTRIBUTION, OSM_COPYRIGHT_URL
from observo.domain.permissions import ANONYMOUS, can_manage_accounts
from observo.errors import NotFound
from observo.extensions import db
from observo.http.assets import EMBED_ASSETS, asset_tags
from observo.http.auth import current_actor
from observo.http.i18n import DEFAULT_LANGUAGE, LANGUAGES, render_page
from observo.http.security import session_written
from observo.models import Organisation
from observo.services.export_queries import exported_licences
from observo.services.organisations import embeddable_organisation, public_extent
from observo.services.queries import CameraFilters, CameraQuery
from observo.settings import Settings, current_settings
from observo.web import embed_origins  # noqa: F401 - registers the origins page on the pages blueprint
from observo.web.labels import labels_for_scripts
from observo.web.map_page import tile_config
from observo.web.of_names import of_organisation
from observo.web.pages import bp

HEIGHT_RANGE = (150, 2000)  # pixels a `height` may ask for
MAX_ZOOM = 19
SHARE_HEIGHT = 500  # the snippet's starting height
_WHOLE = re.compile(r"[0-9]{1,4}")
# The English msgids embed.js shows through its `_()`; the page config carries their translations.
EMBED_MESSAGES = (
    "Type",
    "Owner",
    "Loading the cameras…",
    "No public cameras to show.",
    "Zoom in to see every camera.",
    "The cameras could not be loaded.",
    "%(count)s cameras",
)
SHARE_MESSAGES = ("Copied.", "Copy it by hand: select the text and press Ctrl+C.")
SCRIPT_LABELS = ("camera_type", "surveillance_type")


@dataclass(frozen=True)
class EmbedOptions:
    """The embed's query string, validated; a bad value falls back to the default, never an error."""

    height_px: int | None = None  # None: the whole frame (100vh)
    center: tuple[float, float] | None = None  # (lat, lon), as map URLs write it
    zoom: int | None = None
    lang: str = DEFAULT_LANGUAGE

    @classmethod
    def parse(cls, args: Mapping[str, str], settings: Settings) -> EmbedOptions:
        lang = args.get("lang", "")
        return cls(
            height_px=_whole(args.get("height", "").strip().removesuffix("px"), *HEIGHT_RANGE),
            center=_center(args.get("center", ""), settings.extent),
            zoom=_whole(args.get("zoom", "").strip(), 0, min(MAX_ZOOM, settings.tile_max_zoom)),
            lang=lang if lang in LANGUAGES else DEFAULT_LANGUAGE,
        )

    @property
    def css_height(self) -> str:
        return f"{self.height_px}px" if self.height_px else "100vh"


def _whole(text: str, low: int, high: int) -> int | None:
    if not _WHOLE.fullmatch(text):
        return None
    value = int(text)
    return value if low <= value <= high else None


def _center(text: str, extent: tuple[float, float, float, float]) -> tuple[float, float] | None:
    """`lat,lon` inside the registry's extent (a swapped pair falls outside Italy and is ignored)."""
    parts = text.split(",")
    try:
        lat, lon = (float(part) for part in parts) if len(parts) == 2 else (math.nan, math.nan)
    except ValueError:
        return None
    inside = extent[0] <= lon <= extent[2] and extent[1] <= lat <= extent[3]  # False for NaN
    return (lat, lon) if inside else None


@bp.route("/embed/<slug>")
def embed(slug: str) -> Any:
    after_this_request(_leave_session_unwritten)
    settings = current_settings()
    options = EmbedOptions.parse(request.args, settings)
    with force_locale(options.lang):  # ?lang= alone: never the language a signed-in session chose
        try:
            organisation = embeddable_organisation(db.session, slug)
        except NotFound:
            # Rendered here, not by the error page: that one extends base.html, which may write a session.
            return render_page("embed.html", 404, organisation=None, height="100vh")
        g.frame_ancestors = frame_origins(settings, organisation)  # read by security.py
        return render_page(
            "embed.html",
            organisation=organisation,
            height=options.css_height,
            assets=asset_tags(settings.cdn_base_url, EMBED_ASSETS),
            config=embed_config(organisation, options, settings),
            notices=data_notices(organisation),
            full_page_url=url_for("pages.embed", slug=organisation.slug, lang=options.lang),
        )


def _leave_session_unwritten(response: Response) -> Response:
    # Defence in depth: should any hook write the session of a signed-in visitor, the embed still
    # sends no Set-Cookie, so a framing site never sees Observo's session refreshed. Asked without
    # touching the session proxy, which would add `Vary: Cookie`.
    if session_written():
        session.modified = False
    return response


def frame_origins(settings: Settings, organisation: Organisation) -> tuple[str, ...]:
    """Who may frame the organisation's embed: the deployment's origins, then its own."""
    return tuple(dict.fromkeys((*settings.embed_origins, *organisation.embed_origins)))


@dataclass(frozen=True)
class Notice:
    """One line of the embed's data attribution: text, and the licence or copyright page it cites."""

    text: str
    url: str | None


def data_notices(organisation: Organisation) -> list[Notice]:
    """The licences the embed's cameras are under, as the exports credit them (docs/importing.md).

    Read for the anonymous public, so a notice never hints at a camera the embed does not show."""
    query = CameraQuery(filters=CameraFilters(owner=organisation.slug))
    notices = []
    for row in exported_licences(db.session, ANONYMOUS, query, None, 0):
        if row.from_osm:
            text = gettext("Cameras from OpenStreetMap: © OpenStreetMap contributors, ODbL 1.0")
            notices.append(Notice(text, OSM_COPYRIGHT_URL))
        elif row.licence not in NO_ATTRIBUTION:
            text = gettext("Cameras from open data under the %(licence)s licence", licence=row.licence)
            notices.append(Notice(text, LICENCE_URLS.get(row.licence)))
    return list(dict.fromkeys(notices))


def embed_config(organisation: Organisation, options: EmbedOptions, settings: Settings) -> dict[str, Any]:
    """What embed.js needs, and nothing private: the API it asks, tiles, view, labels, messages."""
    return {
        "organisation": {"slug": organisation.slug, "name": organisation.name},
        "urls": {"cameras": url_for("cameras.Cameras")},
        "pageLimit": settings.max_page_limit,
        "tiles": tile_config(settings),
        "extent": public_extent(db.session, organisation),  # the public cameras' box, or None
        "fallbackExtent": settings.extent,
        "view": {"center": options.center, "zoom": options.zoom},
        "labels": {name: labels for name, labels in labels_for_scripts().items() if name in SCRIPT_LABELS},
        "messages": {msgid: gettext(msgid) for msgid in EMBED_MESSAGES},
    }


# --- the share page ---------------------------------------------------------------------------------


@bp.route("/organizations/<slug>/embed")
def embed_share(slug: str) -> Any:
    """The iframe snippet, the allowed origins and a live preview, for the organisation's own staff."""
    actor = current_actor()
    organisation = embeddable_organisation(db.session, slug)
    if not (actor.is_admin or actor.organisation_id == organisation.id):
        raise NotFound(f"no organisation {slug!r}")  # as the API: no existence leak to outsiders
    settings = current_settings()
    options = EmbedOptions(height_px=SHARE_HEIGHT)
    embed_url = url_for("pages.embed", slug=organisation.slug, _external=True)
    titles = {lang: _frame_title(organisation, lang) for lang in LANGUAGES}
    return render_page(
        "embed_share.html",
        organisation=organisation,
        options=options,
        height_range=HEIGHT_RANGE,
        max_zoom=min(MAX_ZOOM, settings.tile_max_zoom),
        languages=[(code, Locale.parse(code).get_display_name(code).capitalize()) for code in LANGUAGES],
        snippet=iframe_snippet(embed_url, options, titles[options.lang]),
        preview_url=url_for("pages.embed", slug=organisation.slug, **_query(options)),
        own_origins=organisation.embed_origins,
        deployment_origins=settings.embed_origins,
        may_change_origins=can_manage_accounts(actor),  # the rule update_organisation applies
        api_url=url_for("organizations.OrganisationItem", slug=organisation.slug),
        config={
            "embedUrl": embed_url,
            "previewUrl": url_for("pages.embed", slug=organisation.slug),
            "titles": titles,
            "messages": {msgid: gettext(msgid) for msgid in SHARE_MESSAGES},
        },
    )


def _frame_title(organisation: Organisation, lang: str) -> str:
    with force_locale(lang):
        return gettext("Public cameras %(of_name)s", of_name=of_organisation(organisation.name))


def _query(options: EmbedOptions) -> dict[str, str]:
    """The query string of an embed URL; embed_share.js builds the same one in the same order."""
    query = {"height": str(options.height_px)} if options.height_px else {}
    if options.zoom is not None:
        query["zoom"] = str(options.zoom)
    return {**query, "lang": options.lang}


def iframe_snippet(embed_url: str, options: EmbedOptions, title: str) -> str:
    """The `<iframe>` HTML a web site pastes, as text to show (embed_share.js rebuilds it alike)."""
    query = "&".join(f"{name}={value}" for name, value in _query(options).items())
    height = options.height_px or SHARE_HEIGHT
    return (
        f'<iframe src="{escape(embed_url)}?{escape(query)}" title="{escape(title)}" '
        f'width="100%" height="{height}" style="border:0" loading="lazy"></iframe>'
    )
