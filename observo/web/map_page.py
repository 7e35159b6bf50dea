"""The operational map (/map): the page and the settings its scripts start from."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_login import login_required
from flask_wtf.csrf import generate_csrf

from observo.domain.permissions import Actor
from observo.extensions import db
from observo.http.assets import MAP_ASSETS, asset_tags
from observo.http.auth import current_actor
from observo.http.i18n import language, render_page
from observo.models import Organisation
from observo.services.map_home import home_extent
from observo.services.scope import camera_owners
from observo.settings import Settings, current_settings
from observo.web.labels import labels_for_scripts
from observo.web.pages import bp
from observo.web.plural_messages import plural_messages
from observo.web.source_data import attributions_for_scripts

# Below this zoom the map asks the server for grid clusters; from it, for the cameras themselves.
POINTS_MIN_ZOOM = 13
# From this zoom on, fields of view are drawn (a street fills the screen).
SECTORS_MIN_ZOOM = 16
# The map's times are Italian time, as the pages' and the brief's (observo/web/brief.py).
TIME_ZONE = "Europe/Rome"


@bp.route("/map")
@login_required
def map_page() -> Any:
    settings = current_settings()
    actor = current_actor()
    owners = camera_owners(db.session, actor)
    config = map_config(actor, settings, owners)
    return render_page(
        "map.html",
        assets=asset_tags(settings.cdn_base_url, MAP_ASSETS),
        config=config,
        labels=config["labels"],  # the forms' options, as the scripts name them
        owners=owners,
    )


def map_config(actor: Actor, settings: Settings, owners: dict[str, str] | None = None) -> dict[str, Any]:
    """What the scripts need and may know: endpoints, tiles, limits, labels, the caller's rights,
    where to open (`home`), the owners' names by slug, and the catalogue's plural forms."""
    return {
        "lang": language(),
        "plurals": plural_messages(),
        "timeZone": TIME_ZONE,
        "csrfToken": generate_csrf(),
        "urls": {
            "cameras": url_for("cameras.Cameras"),
            "clusters": url_for("clusters.Clusters"),
            "search": url_for("search.Search"),
            "coverage": url_for("coverage.Coverage"),
            "interventions": url_for("interventions.Interventions"),
            "messages": url_for("pages.messages", lang=language()),
            "cameraPage": url_for("pages.camera_page", camera_id=0).removesuffix("0"),
            "interventionPage": url_for("pages.intervention_page", intervention_id=0).removesuffix("0"),
        },
        "tiles": tile_config(settings),
        "limits": {
            "maxBboxKm2": settings.max_bbox_km2,
            "maxSearchKm2": settings.max_search_km2,
            "maxBufferM": settings.max_buffer_m,
            "maxRadiusM": settings.max_radius_m,
            "pageLimit": settings.max_page_limit,
        },
        "zoom": {"points": POINTS_MIN_ZOOM, "sectors": SECTORS_MIN_ZOOM},
        "extent": settings.extent,
        "labels": labels_for_scripts(),
        "licences": attributions_for_scripts(),  # the credit each licence of the cameras' data asks for
        "user": {"id": actor.user_id, "role": actor.role, "organisation": actor.organisation_id},
        # The caller's own cameras' extent (else the readable ones'): where the map opens the first time.
        "home": home_extent(db.session, actor),
        "ownerNames": owners if owners is not None else camera_owners(db.session, actor),
        "editableOwners": editable_owners(actor),
    }


def tile_config(settings: Settings) -> dict[str, Any]:
    return {
        "url": settings.tile_url,
        "attribution": settings.tile_attribution,
        "maxZoom": settings.tile_max_zoom,
    }


def editable_owners(actor: Actor) -> list[dict[str, str]]:
    """The owners the caller may register cameras for: none for viewers."""
    if actor.role not in ("editor", "admin"):
        return []
    stmt = sa.select(Organisation.slug, Organisation.name).order_by(Organisation.name)
    if not actor.is_admin:
        stmt = stmt.where(Organisation.id.in_(actor.own_ids))
    return [{"slug": slug, "name": name} for slug, name in db.session.execute(stmt)]
