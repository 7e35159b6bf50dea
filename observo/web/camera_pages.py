"""The camera pages for people who prefer tables: the list (filters, paging) and a camera's card.

The list runs the API list's own query (`queries.find_cameras` with `camera_filters`, inside
`readable_cameras`) and renders its rows through the reader's output schema, so the page can
never show a camera, or a property, that `GET /api/v1/cameras` would not.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from flask import request, url_for
from flask_babel import format_date, format_datetime, format_decimal, get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from marshmallow import EXCLUDE, ValidationError, fields, post_load
from marshmallow.validate import Range

from observo.domain.permissions import Actor
from observo.extensions import db
from observo.http.auth import current_actor
from observo.http.filters import camera_filters
from observo.http.i18n import render_page
from observo.models import CameraStatusChange
from observo.rendering.features import dumped_features, feature_schema
from observo.schemas.queries import CameraFilterQuery
from observo.services import queries
from observo.services.cameras import camera_history, readable_camera
from observo.services.scope import camera_owners
from observo.settings import current_settings
from observo.web.labels import FIELD_LABELS, SOURCE_LABELS, VALUE_LABELS, camera_rows, value_label
from observo.web.pages import bp
from observo.web.source_data import source_view

PAGE_LIMIT = 50
MAX_PAGE_LIMIT = 200  # a page is read by a person: larger asks are clamped, as the API clamps
LIMIT_CHOICES = (25, 50, 100, 200)
DATE_PROPERTIES = ("last_verified_on", "installed_on", "signage_checked_on", "valid_from", "valid_until")
MOMENT_PROPERTIES = ("created_at", "updated_at")
# Table columns after the code (the row header), in reading order.
COLUMNS = (
    "name",
    "owner",
    "address",
    "camera_type",
    "status",
    "visibility",
    "last_verified_on",
    "retention_hours",
)

# The card's and the map panel's words for a head whose direction nobody knows (issue 17).
DIRECTION_UNKNOWN = _l("Direction unknown: it does not count in coverage until its direction is surveyed.")
PAGE_LABELS = {"q": _l("Search"), "limit": _l("Per page"), "offset": _l("Start from")}
_CHOOSE = _l("choose a value from the list.")
HINTS = {
    "municipality": _l("an ISTAT code has six digits."),
    "q": _l("write from 1 to 100 characters."),
    "limit": _l("a whole number from 1 up."),
    "offset": _l("a whole number, 0 or more."),
}


class CameraPageQuery(CameraFilterQuery):
    """The list page's query string: the API list's attribute filters and a page a person reads."""

    limit = fields.Integer(load_default=PAGE_LIMIT, validate=Range(min=1))
    offset = fields.Integer(load_default=0, validate=Range(min=0, max=10_000_000))

    @post_load
    def clamp_limit(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        data["limit"] = min(data["limit"], MAX_PAGE_LIMIT)
        return data


# What the form sends and paging links keep (the offset is each link's own; `lang` lives in the session).
FORM_FIELDS = tuple(name for name in CameraPageQuery().fields if name != "offset")


def form_values(args: Mapping[str, str]) -> dict[str, str]:
    """The submitted filters without the empty ones a GET form sends for "all"."""
    values = {name: args[name].strip() for name in FORM_FIELDS if name in args}
    return {name: value for name, value in values.items() if value}


def error_messages(messages: Mapping[str, Any]) -> list[str]:
    """One readable sentence per refused parameter (marshmallow's own messages are English)."""
    return [
        _(
            "Filter “%(label)s”: %(hint)s",
            label=FIELD_LABELS.get(name) or PAGE_LABELS.get(name, name),
            hint=HINTS.get(name, _CHOOSE),
        )
        for name in sorted(messages)
    ]


def _shown(name: str, value: Any) -> Any:
    """A property as people read it: vocabulary labels, local dates and decimals."""
    if value in (None, ""):
        return ""
    if name in DATE_PROPERTIES:
        return format_date(date.fromisoformat(value))
    if name in MOMENT_PROPERTIES:
        return format_datetime(datetime.fromisoformat(value), "short")
    if isinstance(value, float):
        return format_decimal(value)
    return value_label(name, value)


def table_rows(actor: Actor, page: queries.Page, owners: Mapping[str, str]) -> list[dict[str, Any]]:
    """The page's cameras as the API dumps them for this reader, with labels for people."""
    rows = []
    for feature in dumped_features(db.session, actor, page.hits):
        properties = feature["properties"]
        cells = [(name, _shown(name, properties.get(name))) for name in COLUMNS if name != "owner"]
        # The API names the owner by slug; people read its name.
        cells.insert(COLUMNS.index("owner"), ("owner", owners.get(properties["owner"], properties["owner"])))
        flag = _shown("owner_confirmation", properties.get("owner_confirmation"))  # docs/owners.md
        rows.append({"id": feature["id"], "code": properties["code"], "cells": cells, "flag": flag})
    return rows


def count_text(page: queries.Page, offset: int, count_cap: int) -> str:
    """The count line: "1–50 of 1.234", or "of more than 1.000" past the count cap (as the API omits
    numberMatched)."""
    if not page.hits:
        return (
            _("No cameras match these filters.") if offset == 0 else _("This page is past the last camera.")
        )
    first, last = format_decimal(offset + 1), format_decimal(offset + len(page.hits))
    if page.matched is None:
        return _(
            "%(first)s–%(last)s of more than %(cap)s", first=first, last=last, cap=format_decimal(count_cap)
        )
    return _("%(first)s–%(last)s of %(total)s", first=first, last=last, total=format_decimal(page.matched))


def paging_links(values: Mapping[str, str], args: Mapping[str, Any], has_more: bool) -> dict[str, str | None]:
    """Previous and next pages with the same filters and page size."""
    limit, offset = args["limit"], args["offset"]
    kept = {**values, "limit": str(limit)}
    previous = url_for("pages.camera_list", **kept, offset=max(offset - limit, 0)) if offset > 0 else None
    following = url_for("pages.camera_list", **kept, offset=offset + limit) if has_more else None
    return {"previous": previous, "next": following}


def filter_choices(owners: Mapping[str, str], limit: int) -> dict[str, list[tuple[str, str]]]:
    """(value, label) options of the form's selects."""
    return {
        "owner": list(owners.items()),
        "camera_type": [(value, str(label)) for value, label in VALUE_LABELS["camera_type"].items()],
        "status": [(value, str(label)) for value, label in VALUE_LABELS["status"].items()],
        "visibility": [(value, str(label)) for value, label in VALUE_LABELS["visibility"].items()],
        "limit": [(str(n), format_decimal(n)) for n in sorted({*LIMIT_CHOICES, limit})],
    }


@bp.route("/cameras")
@login_required
def camera_list() -> Any:
    actor = current_actor()
    owners = camera_owners(db.session, actor)
    values = form_values(request.args)
    shared = {"form": values, "labels": {**FIELD_LABELS, **PAGE_LABELS}, "invalid": set()}
    try:
        args = CameraPageQuery(unknown=EXCLUDE).load({**values, "offset": request.args.get("offset") or 0})
    except ValidationError as exc:
        refused = exc.messages if isinstance(exc.messages, dict) else {}
        choices = filter_choices(owners, PAGE_LIMIT)
        shared.update(errors=error_messages(refused), invalid=set(refused))
        return render_page("camera_list.html", 400, choices=choices, limit=PAGE_LIMIT, **shared)
    count_cap = current_settings().count_cap
    query = queries.CameraQuery(filters=camera_filters(args))
    page = queries.find_cameras(db.session, actor, query, args["limit"], args["offset"], count_cap)
    return render_page(
        "camera_list.html",
        choices=filter_choices(owners, args["limit"]),
        limit=args["limit"],
        columns=[(name, FIELD_LABELS[name]) for name in COLUMNS],
        rows=table_rows(actor, page, owners),
        count=count_text(page, args["offset"], count_cap),
        links=paging_links(values, args, page.has_more),
        **shared,
    )


def history_row(change: CameraStatusChange) -> dict[str, Any]:
    """One status change, said in words: "Active → Faulty", or "Registered as Active"."""
    after = value_label("status", change.to_status)
    if change.from_status is None:
        what = _("Registered as %(status)s", status=after)
    else:
        what = _("%(before)s → %(after)s", before=value_label("status", change.from_status), after=after)
    return {
        "at": change.changed_at.isoformat(),
        "when": format_datetime(change.changed_at, "short"),
        "what": what,
        "who": change.changed_by.email if change.changed_by else _("system"),
        "note": change.note or "",
    }


@bp.route("/cameras/<int:camera_id>")
@login_required
def camera_page(camera_id: int) -> Any:
    """A camera's card, in the reader's output schema; 404 outside the read scope, as the API."""
    actor = current_actor()
    camera = readable_camera(db.session, actor, camera_id)
    feature = feature_schema(actor).dump(camera)
    properties = feature["properties"]
    source = source_view(properties)
    shown = {name: _shown(name, properties.get(name)) for name in FIELD_LABELS}
    shown["owner"] = camera.owner.name  # the API names it by slug; people read the name
    shown["operator_name"] = source["operator_name"] or ""
    shown["direction_unknown"] = str(DIRECTION_UNKNOWN) if source["direction_unknown"] else ""
    history = [history_row(change) for change in camera_history(db.session, actor, camera_id)]
    return render_page(
        "camera.html",
        rows=camera_rows(shown),
        feature=feature,
        source=source,
        source_labels=SOURCE_LABELS,
        history=history,
        zone=str(get_timezone()),
    )
