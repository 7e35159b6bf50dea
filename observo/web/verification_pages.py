"""The police's verification queue page, /verifiche (docs/owners.md, "Police verification"). Routes on
the police pages' blueprint (web/pages.py).

The same services as /api/v1/verifications: the queue of the caller (editors: the owners their
municipality sponsors; admins: all; viewers 403), and `decide` with the version the page was read at,
so a form left open while the owner changed the declaration is refused and nothing is merged. After
the commit the owner is mailed (http/owner_notices.py). The declared data reach the page as text
(Jinja escapes it) and the map as JSON in a script element, read with textContent.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from geoalchemy2.shape import to_shape
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from observo.domain.geometry import to_geojson
from observo.domain.permissions import Actor
from observo.errors import Conflict, Forbidden, InvalidInput, NotFound, StaleVersion
from observo.extensions import db
from observo.http.assets import asset_tags
from observo.http.auth import current_actor
from observo.http.i18n import render_page
from observo.http.owner_notices import commit_and_notify
from observo.models import Camera, OwnerCameraDeclaration
from observo.schemas.verification import DECISIONS, REASON_MAX, declared_sector
from observo.services import verifications
from observo.services.owner_cameras import declared_values
from observo.web.brief import ZONE, moment
from observo.web.labels import FIELD_LABELS, value_label
from observo.web.map_page import tile_config
from observo.web.pages import bp

LEAFLET = ("leaflet.css", "leaflet.js")

OWNER_LABELS = {
    "name": _l("Name"),
    "tax_code": _l("Codice fiscale or VAT number"),
    "address": _l("Address"),
    "contact_name": _l("Contact person"),
    "contact_phone": _l("Phone"),
    "contact_email": _l("E-mail"),
    "contact_pec": _l("PEC"),
}

# What an owner declares, in reading order (schemas/owner_declaration.py).
DECLARED_LABELS = {
    "name": FIELD_LABELS["name"],
    "longitude": _l("Longitude"),
    "latitude": _l("Latitude"),
    "camera_type": FIELD_LABELS["camera_type"],
    "indoor": _l("Indoors"),
    "bearing_deg": FIELD_LABELS["bearing_deg"],
    "hfov_deg": FIELD_LABELS["hfov_deg"],
    "range_m": FIELD_LABELS["range_m"],
    "height_m": FIELD_LABELS["height_m"],
    "tilt_deg": _l("Tilt (°)"),
    "records": FIELD_LABELS["records"],
    "retention_hours": FIELD_LABELS["retention_hours"],
    "footage_contact_name": _l("Footage contact"),
    "footage_contact_phone": _l("Footage contact's phone"),
    "footage_contact_email": _l("Footage contact's e-mail"),
    "footage_contact_pec": _l("Footage contact's PEC"),
    "footage_contact_hours": _l("Footage contact's hours"),
    "contact_consent": _l("Agrees to be contacted for footage"),
    "police_visibility": _l("Seen by"),
}
YES_NO = {True: _l("Yes"), False: _l("No")}
POLICE_VISIBILITY = {
    "private": _l("The municipality's police only"),
    "shared": _l("Also the forces of its security pacts"),
}
KIND_LABELS = {"new": _l("New camera"), "change": _l("Change to a camera")}
DONE = {
    "approve": _l("Approved: the camera is in the registry."),
    "request_changes": _l("Changes asked: the owner was told why."),
    "reject": _l("Rejected: the owner was told why."),
}


class DecisionForm(FlaskForm):
    """One declaration's decision: the version read travels in a hidden field."""

    declaration = IntegerField(validators=[DataRequired()])
    version = IntegerField(validators=[DataRequired()])
    decision = HiddenField(validators=[DataRequired(), AnyOf(DECISIONS)])
    reason = TextAreaField(validators=[Optional(), Length(max=REASON_MAX)])


def shown_value(name: str, value: Any) -> str:
    """A declared value as an officer reads it: vocabulary labels, Yes/No, blanks for unknowns."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(YES_NO[value])
    if name == "police_visibility":
        return str(POLICE_VISIBILITY.get(value, value))
    if name == "camera_type":
        return str(value_label(name, value))
    if isinstance(value, float):
        return f"{value:.6f}" if name in ("longitude", "latitude") else f"{value:g}"
    return str(value)


def declared_rows(declared: dict[str, Any], current: dict[str, Any] | None) -> list[dict[str, Any]]:
    """(label, declared, current, changed) per field; `current` is None for a new camera."""
    rows = []
    for name, label in DECLARED_LABELS.items():
        now = shown_value(name, declared.get(name))
        before = shown_value(name, current.get(name)) if current is not None else ""
        if not now and not before:
            continue
        rows.append(
            {
                "label": str(label),
                "declared": now,
                "current": before,
                "changed": current is not None and now != before,
            }
        )
    return rows


def map_data(declaration: OwnerCameraDeclaration, camera: Camera | None) -> dict[str, Any]:
    data = declaration.data
    shown: dict[str, Any] = {
        "point": [data["longitude"], data["latitude"]],
        "fov": to_geojson(declared_sector(data)),
    }
    if camera is not None and declaration.kind == "change":  # where it is now, to compare
        shown["currentPoint"] = list(to_shape(camera.location).coords[0])
        shown["currentFov"] = to_geojson(to_shape(camera.fov)) if camera.fov is not None else None
    return shown


def card(declaration: OwnerCameraDeclaration) -> dict[str, Any]:
    camera = db.session.get(Camera, declaration.camera_id) if declaration.camera_id is not None else None
    current = declared_values(camera) if camera is not None and declaration.kind == "change" else None
    owner = declaration.organisation
    return {
        "declaration": declaration,
        "kind": str(KIND_LABELS[declaration.kind]),
        "camera": camera,
        "submitted": moment(declaration.submitted_at),
        "owner": [
            (str(label), getattr(owner, name)) for name, label in OWNER_LABELS.items() if getattr(owner, name)
        ],
        "rows": declared_rows(declaration.data, current),
        "map": map_data(declaration, camera),
    }


def _verifier() -> Actor:
    actor = current_actor()
    if not verifications.may_verify(actor):
        raise Forbidden("only the editors of the sponsoring municipality verify owners' cameras")
    return actor


@bp.route("/verifiche", methods=["GET", "POST"])
@login_required
def verification_queue() -> Any:
    """The pending declarations of the owners the caller verifies, oldest first, each with its form."""
    actor = _verifier()
    problem: dict[str, Any] | None = None
    if request.method == "POST":
        answer, problem = _decide(actor)
        if answer is not None:
            return answer
    cards = [card(declaration) for declaration in verifications.verification_queue(db.session, actor)]
    settings = current_app.config["OBSERVO_SETTINGS"]
    done = request.args.get("done")
    return render_page(
        "verifications.html",
        problem["status"] if problem else 200,
        cards=cards,
        problem=problem,
        done=str(DONE[done]) if done in DONE else None,
        done_camera=request.args.get("camera", type=int),
        mail_failed=request.args.get("mail") == "failed",
        zone=ZONE.key,
        assets=asset_tags(settings.cdn_base_url, LEAFLET, mode="local"),
        map_config={"tiles": tile_config(settings)},
    )


def _decide(actor: Actor) -> tuple[Any | None, dict[str, Any] | None]:
    """Take the posted decision: a redirect to the queue, or the problem to show on it."""
    form = DecisionForm()
    if not form.validate_on_submit():
        return None, {
            "status": 400,
            "id": form.declaration.data,
            "text": _("The form was incomplete: nothing was decided."),
        }
    declaration_id = form.declaration.data
    try:
        declaration, camera = verifications.decide(
            db.session, actor, declaration_id, form.version.data, form.decision.data, form.reason.data
        )
    except (InvalidInput, StaleVersion, Conflict, NotFound) as error:
        db.session.rollback()
        status, text = _problem(error)
        return None, {"status": status, "id": declaration_id, "text": text, "reason": form.reason.data}
    notified = commit_and_notify(db.session, declaration, camera)
    query: dict[str, Any] = {"done": form.decision.data}
    if camera is not None:
        query["camera"] = camera.id
    if not notified:
        query["mail"] = "failed"
    return redirect(url_for("pages.verification_queue", **query)), None


def _problem(error: Exception) -> tuple[int, str]:
    """The page's status and message for a decision the service refused (nothing was written)."""
    if isinstance(error, InvalidInput):  # the form already bounds the reason's length: it is missing
        return 422, _("Write the reason the owner will read: it is needed to ask for changes or to reject.")
    if isinstance(error, StaleVersion):
        return 412, _(
            "The owner changed this declaration after you opened the page: nothing was decided. "
            "Read it again below and decide again."
        )
    if isinstance(error, Conflict):
        return 409, _("This declaration was already decided, or withdrawn: nothing was changed.")
    return 404, _("This declaration is no longer in your queue: nothing was decided.")
