"""The page where an administrator sets the web sites allowed to frame an organisation's embed.

The same change as `PATCH /api/v1/organizations/<slug>` with `embed_origins`, through the same service
(`update_organisation`: same checks, same `organisation.update` audit entry), from a form: one origin
a line, checked here first so every mistake gets a message in the reader's language, line by line.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from observo.domain.origins import MAX_ORIGINS, is_origin, normalise_origin
from observo.errors import InvalidInput
from observo.extensions import db
from observo.http.auth import current_actor
from observo.http.i18n import render_page
from observo.services.organisations import organisation_by_slug, update_organisation
from observo.settings import Settings, current_settings
from observo.web.pages import bp

MAX_LINE = 300  # an origin is short: a longer line is a pasted page, not a mistake to echo whole


class OriginsForm(FlaskForm):
    origins = TextAreaField()


def parse_origins(text: str) -> tuple[list[str], list[str]]:
    """(origins, messages): the text's origins, one a line, each once; a message per bad line."""
    origins: list[str] = []
    messages: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        origin = normalise_origin(line)
        if not origin:
            continue
        if len(origin) > MAX_LINE or not is_origin(origin):
            shown = origin if len(origin) <= 60 else origin[:60] + "…"
            messages.append(
                _(
                    "Line %(line)s: “%(text)s” is not a web site's address. Write the scheme and the host "
                    "only, without a path, e.g. https://www.comune.example.it",
                    line=number,
                    text=shown,
                )
            )
        elif origin not in origins:
            origins.append(origin)
    if len(origins) > MAX_ORIGINS:
        messages.append(
            _("At most %(max)s sites: remove %(extra)s.", max=MAX_ORIGINS, extra=len(origins) - MAX_ORIGINS)
        )
    return origins, messages


@bp.route("/organizations/<slug>/embed/origins", methods=["GET", "POST"])
def embed_origins(slug: str) -> Any:
    """Administrators only (the route policy refuses anyone else before this runs)."""
    actor = current_actor()
    organisation = organisation_by_slug(db.session, slug)
    form = OriginsForm()
    messages: list[str] = []
    if request.method == "POST":
        if not form.validate():
            messages = [_("The form has expired: reload the page and try again.")]
        else:
            origins, messages = parse_origins(form.origins.data or "")
        if not messages:
            try:
                update_organisation(db.session, actor, slug, {"embed_origins": origins})
            except InvalidInput as exc:
                db.session.rollback()
                messages = [_("The sites were not saved: %(detail)s", detail=exc.detail)]
            else:
                db.session.commit()
                return redirect(url_for("pages.embed_origins", slug=slug, saved=1))
    else:
        form.origins.data = "\n".join(organisation.embed_origins)
    settings: Settings = current_settings()
    return render_page(
        "embed_origins.html",
        422 if messages else 200,
        organisation=organisation,
        form=form,
        messages=messages,
        saved=request.args.get("saved") == "1" and request.method == "GET",
        deployment_origins=settings.embed_origins,
        max_origins=MAX_ORIGINS,
    )
