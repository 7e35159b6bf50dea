"""The owner re-confirms its cameras (docs/owners.md, "Yearly re-confirmation"): its home page lists
those due (web/owner_confirmation_notice.py) with buttons; POST /proprietari/telecamere/conferma
confirms them all, or the one named by `camera`. Routes on the owners' blueprint (web/owners.py)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from observo.domain.confirmations import local_day
from observo.extensions import db
from observo.models import OwnerAccount
from observo.models.base import utcnow
from observo.services import confirmations
from observo.web.owner_cameras import owner_page
from observo.web.owners import bp


@bp.route("/proprietari/telecamere/conferma", methods=["POST"])
@owner_page
def confirm_cameras(account: OwnerAccount) -> Any:
    named = request.form.get("camera", "")
    if named and not (named.isascii() and named.isdigit()):
        abort(404)
    camera_ids = [int(named)] if named else None
    confirmed = confirmations.confirm(db.session, account, camera_ids, local_day(utcnow()))
    db.session.commit()
    if confirmed:
        flash(_("Thank you: your cameras are confirmed for another year."))
    return redirect(url_for("owners.home"))
