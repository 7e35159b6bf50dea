"""The owner's camera pages (docs/owners.md, "Registering cameras"): declare, change, correct or
cancel a declaration, withdraw a camera. Routes on the owners' blueprint (web/owners.py).

Only a signed-in owner reaches them (anyone else, police users included, is sent to the owners'
sign-in); another owner's camera or declaration is the ordinary 404 page, as a missing one. The
schema of the declaration decides what is valid (web/owner_camera_forms.py); nothing is written
unless the whole form is.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from observo.domain import fov, vocabulary
from observo.errors import Conflict, NotFound, StaleVersion
from observo.extensions import db
from observo.http.assets import asset_tags
from observo.http.i18n import render_page
from observo.models import Camera, OwnerAccount, OwnerCameraDeclaration
from observo.models.owner import OPEN_STATUSES
from observo.services import owner_cameras
from observo.services.owner_map import editor_start
from observo.settings import current_settings
from observo.web.labels import VALUE_LABELS
from observo.web.map_page import tile_config
from observo.web.owner_camera_forms import DeclarationForm
from observo.web.owners import bp
from observo.web.owners_session import owner_sign_in_redirect, signed_in_owner

# Leaflet only (no clusters, no drawing tools): the editor places one point and draws one sector.
EDITOR_ASSETS = ("leaflet.css", "leaflet.js")

OwnerView = Callable[..., Any]


def owner_page(view: OwnerView) -> OwnerView:
    """The signed-in owner's account is the view's first argument; anyone else goes to sign in."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        account = signed_in_owner()
        if account is None:
            return owner_sign_in_redirect()
        try:
            return view(account, *args, **kwargs)
        except NotFound:
            db.session.rollback()
            abort(404)  # the ordinary page: another owner's object answers as a missing one

    return wrapper


@bp.route("/proprietari/telecamere/nuova", methods=["GET", "POST"])
@owner_page
def declare_camera(account: OwnerAccount) -> Any:
    form = DeclarationForm() if request.method == "GET" else DeclarationForm.from_request(request.form)
    if request.method == "POST" and (declared := form.validate(current_settings().extent)):
        owner_cameras.declare(db.session, account, declared)
        db.session.commit()
        flash(_("Camera declared: the local police will verify it; it enters the registry once approved."))
        return redirect(url_for("owners.home"))
    return _editor(account, form, action=url_for("owners.declare_camera"))


@bp.route("/proprietari/telecamere/<int:camera_id>/modifica", methods=["GET", "POST"])
@owner_page
def change_camera(account: OwnerAccount, camera_id: int) -> Any:
    camera = owner_cameras.owner_camera(db.session, account, camera_id)
    open_change = owner_cameras.open_change(db.session, account, camera.id)
    if request.method == "GET":
        form = DeclarationForm.from_declared(
            open_change.data if open_change else owner_cameras.declared_values(camera)
        )
    else:
        form = DeclarationForm.from_request(request.form)
        if declared := form.validate(current_settings().extent):
            owner_cameras.declare_change(db.session, account, camera.id, declared)
            db.session.commit()
            flash(_("Change sent: the local police will verify it. Until then the camera stays as it was."))
            return redirect(url_for("owners.home"))
    return _editor(
        account,
        form,
        action=url_for("owners.change_camera", camera_id=camera.id),
        camera=camera,
        open_change=open_change,
    )


@bp.route("/proprietari/dichiarazioni/<int:declaration_id>/modifica", methods=["GET", "POST"])
@owner_page
def edit_declaration(account: OwnerAccount, declaration_id: int) -> Any:
    declaration = owner_cameras.owner_declaration(db.session, account, declaration_id)
    if request.method == "GET":
        if declaration.status not in OPEN_STATUSES:
            return _refused(declaration, stale=False)
        form = DeclarationForm.from_declared(declaration.data)
        return _editor(
            account,
            form,
            action=url_for("owners.edit_declaration", declaration_id=declaration.id),
            declaration=declaration,
        )
    version = _posted_version()
    if declaration.status not in OPEN_STATUSES or version != declaration.version:
        return _refused(declaration, stale=declaration.status in OPEN_STATUSES)
    form = DeclarationForm.from_request(request.form)
    if declared := form.validate(current_settings().extent):
        try:
            owner_cameras.edit_declaration(db.session, account, declaration.id, version, declared)
        except (StaleVersion, Conflict):  # decided between our read and our write
            db.session.rollback()
            return _refused(owner_cameras.owner_declaration(db.session, account, declaration_id), stale=True)
        db.session.commit()
        flash(_("Declaration corrected: the local police will verify it again."))
        return redirect(url_for("owners.home"))
    return _editor(
        account,
        form,
        action=url_for("owners.edit_declaration", declaration_id=declaration.id),
        declaration=declaration,
        version=version,
    )


@bp.route("/proprietari/dichiarazioni/<int:declaration_id>/annulla", methods=["POST"])
@owner_page
def cancel_declaration(account: OwnerAccount, declaration_id: int) -> Any:
    declaration = owner_cameras.owner_declaration(db.session, account, declaration_id)
    version = _posted_version()
    if declaration.status not in OPEN_STATUSES or version != declaration.version:
        return _refused(declaration, stale=declaration.status in OPEN_STATUSES)
    try:
        owner_cameras.cancel_declaration(db.session, account, declaration.id, version)
    except (StaleVersion, Conflict):
        db.session.rollback()
        return _refused(owner_cameras.owner_declaration(db.session, account, declaration_id), stale=True)
    db.session.commit()
    flash(_("Declaration cancelled: the police will not examine it."))
    return redirect(url_for("owners.home"))


@bp.route("/proprietari/telecamere/<int:camera_id>/ritira", methods=["GET", "POST"])
@owner_page
def withdraw_camera(account: OwnerAccount, camera_id: int) -> Any:
    camera = owner_cameras.owner_camera(db.session, account, camera_id)
    if request.method == "GET":
        return render_page("owners/withdraw.html", camera=camera)
    name = camera.name
    owner_cameras.withdraw_camera(db.session, account, camera.id)
    db.session.commit()
    flash(_("“%(name)s” has been withdrawn: it is no longer in the registry.", name=name))
    return redirect(url_for("owners.home"))


def _posted_version() -> int | None:
    text = request.form.get("version", "")
    return int(text) if text.isdigit() and text.isascii() else None


def _refused(declaration: OwnerCameraDeclaration, stale: bool) -> Any:
    """Nothing saved: the declaration changed since the form was opened (412) or is decided (409)."""
    return render_page(
        "owners/declaration_refused.html", 412 if stale else 409, declaration=declaration, stale=stale
    )


def _editor(
    account: OwnerAccount,
    form: DeclarationForm,
    action: str,
    camera: Camera | None = None,
    declaration: OwnerCameraDeclaration | None = None,
    version: int | None = None,
    open_change: OwnerCameraDeclaration | None = None,
) -> Any:
    """The form page; `declaration`: the one being corrected (its version rides in the form),
    `open_change`: a change of `camera` still waiting, which this form replaces."""
    settings = current_settings()
    config = {
        "tiles": tile_config(settings),
        "extent": settings.extent,
        "start": editor_start(db.session, account),
        # What the server assumes when a figure is left empty, so the drawn sector matches it.
        "defaults": {
            kind: {"hfov": fov.default_hfov(kind), "range": fov.default_range(kind, "camera")}
            for kind in vocabulary.CAMERA_TYPES
        },
    }
    return render_page(
        "owners/camera_form.html",
        400 if form.errors else 200,
        form=form,
        action=action,
        camera=camera,
        declaration=declaration,
        open_change=open_change,
        version=version if version is not None else (declaration.version if declaration else None),
        camera_types=VALUE_LABELS["camera_type"],
        config=config,
        assets=asset_tags(settings.cdn_base_url, EDITOR_ASSETS),
    )
