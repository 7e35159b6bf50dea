"""Pages under /interventions: the list, one intervention, and its printable brief.

They read through the intervention services, so a page never shows what the API would not: an
intervention outside the reader's sharing is a 404, the snapshot is filtered per reader, and the
deadlines table (with the owners' footage contacts) is read through `deadlines()`, which audits it
with the intervention's reason. Recording a preservation request posts the page's form (CSRF) to
the same service the API uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import redirect, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import DateTimeLocalField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from observo.domain.permissions import Actor
from observo.errors import InvalidInput
from observo.extensions import db
from observo.http.auth import current_actor
from observo.http.i18n import language, render_page
from observo.http.owner_request_mail import commit_and_tell_owner
from observo.models import Intervention
from observo.models.base import utcnow
from observo.services import interventions as plans
from observo.services import owner_requests, preservation
from observo.web import brief  # noqa: F401 - registers the brief's route on the pages blueprint
from observo.web.brief import (
    CHANNEL_LABELS,
    KIND_LABELS,
    PRESERVATION_LABELS,
    STATUS_LABELS,
    ZONE,
    answer_rows,
    camera_row,
    intervention_facts,
    label,
    moment,
    owner_row,
    percent,
    request_row,
    target_figures,
)
from observo.web.brief_map import target_map_svg
from observo.web.pages import bp


class PreservationForm(FlaskForm):
    """An owner was asked to preserve footage: whom, which cameras, when, how."""

    owner = SelectField(validators=[DataRequired()])
    cameras = SelectMultipleField(coerce=int, validate_choice=True)
    requested_at = DateTimeLocalField(format="%Y-%m-%dT%H:%M", validators=[Optional()])
    channel = SelectField(validators=[DataRequired()])
    contact = StringField(validators=[Optional(), Length(max=300)])
    protocol_number = StringField(validators=[Optional(), Length(max=100)])
    note = TextAreaField(validators=[Optional(), Length(max=1000)])


def coverage_summary(actor: Actor, intervention: Intervention) -> list[str]:
    """ "Name: 46,0%" per target, from the reader's snapshot (empty before the plan is confirmed)."""
    snapshot = plans.snapshot_for(actor, intervention)
    if snapshot is None:
        return []
    return [f"{target['name']}: {percent(target['coverage']['ratio'])}" for target in snapshot["targets"]]


def links(intervention: Intervention, has_snapshot: bool) -> dict[str, str | None]:
    # The brief lives under /api/v1, where the language follows Accept-Language: the links carry the
    # page's language, so an officer working in Italian prints an Italian brief.
    lang = language()
    brief_url = url_for("pages.intervention_brief", intervention_id=intervention.id, lang=lang)
    return {
        "page": url_for("pages.intervention_page", intervention_id=intervention.id),
        "map": url_for("pages.map_page", intervention=intervention.id),
        "brief": brief_url if has_snapshot else None,
        "pdf": url_for("pages.intervention_brief", intervention_id=intervention.id, f="pdf", lang=lang)
        if has_snapshot
        else None,
    }


def list_row(actor: Actor, intervention: Intervention) -> dict[str, Any]:
    summary = coverage_summary(actor, intervention)
    return {
        "title": intervention.title,
        "kind": label(KIND_LABELS, intervention.kind),
        "lead": intervention.lead.name,
        "window": f"{moment(intervention.window_start)} – {moment(intervention.window_end)}",
        "status": label(STATUS_LABELS, intervention.status),
        "coverage": summary,
        "links": links(intervention, intervention.snapshot is not None),
    }


@bp.route("/interventions")
@login_required
def intervention_list() -> Any:
    actor = current_actor()
    rows = [list_row(actor, item) for item in plans.list_interventions(db.session, actor)]
    return render_page("interventions.html", rows=rows, zone=ZONE.key)


def form_choices(form: PreservationForm, snapshot: Mapping[str, Any]) -> None:
    """The owners and cameras the reader may name: those of the reader's snapshot (no contacts needed,
    so validating a post reads none)."""
    form.owner.choices = [("", _("Choose the owner"))] + [(o["slug"], o["name"]) for o in snapshot["owners"]]
    names = {owner["slug"]: owner["name"] for owner in snapshot["owners"]}
    form.cameras.choices = [
        (c["id"], f"{c['code']} — {c['name']} ({names.get(c['owner'], c['owner'])})")
        for c in snapshot["cameras"]
    ]
    form.channel.choices = [(value, str(text)) for value, text in CHANNEL_LABELS.items()]


def request_values(form: PreservationForm) -> dict[str, Any]:
    """The form as the service takes it; a local (Italian) time becomes an instant."""
    requested_at: datetime | None = form.requested_at.data
    return {
        "owner": form.owner.data,
        "camera_ids": list(form.cameras.data or []),
        "requested_at": requested_at.replace(tzinfo=ZONE) if requested_at else utcnow(),
        "channel": form.channel.data,
        "contact": form.contact.data or None,
        "protocol_number": form.protocol_number.data or None,
        "note": form.note.data or None,
    }


def all_requests(actor: Actor, intervention: Intervention, codes: Mapping[int, str]) -> list[dict[str, Any]]:
    """Every request of the intervention the reader sees, with its answer and the owner's own answers
    on Observo (each with its time), the latest first."""
    ordered = list(reversed(plans.requests_for(actor, intervention)))
    answers = owner_requests.answers_by_request(db.session, [item.id for item in ordered])
    return [
        {
            **request_row(item, codes),
            "status": label(PRESERVATION_LABELS, item.status),
            "answered_at": moment(item.answered_at),
            "owner_answers": answer_rows(answers.get(item.id, [])),
        }
        for item in ordered
    ]


def target_rows(snapshot: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for index, target in enumerate(snapshot["targets"], start=1):
        coverage = target["coverage"]
        title = _("Map of %(name)s", name=target["name"])
        rows.append(
            {
                "name": target["name"],
                "figures": target_figures(coverage),
                "gaps": len(coverage["gaps"]["features"]),
                "suggestions": len(coverage.get("suggestions", [])),
                "svg": Markup(target_map_svg(target, snapshot["cameras"], f"page-map-{index}", title=title)),
            }
        )
    return rows


def sharing(intervention: Intervention) -> str:
    names = [org.name for org in intervention.shared_organisations] + [
        p.name for p in intervention.shared_pacts
    ]
    return ", ".join(sorted(names))


def record_request(
    actor: Actor, intervention: Intervention, form: PreservationForm
) -> tuple[Any | None, list[str]]:
    """Validate and record the posted request: a redirect on success, else the messages to show."""
    if not form.validate_on_submit():
        return None, [_("Check the highlighted fields: the request was not recorded.")]
    try:
        created = preservation.create_request(db.session, actor, intervention.id, request_values(form))
    except InvalidInput as exc:
        db.session.rollback()
        return None, [_("The request was not recorded: %(detail)s", detail=exc.detail)]
    commit_and_tell_owner(db.session, created)  # a registered owner hears of it by e-mail
    target = url_for("pages.intervention_page", intervention_id=intervention.id, recorded=created.id)
    return redirect(f"{target}#requests"), []


@bp.route("/interventions/<int:intervention_id>", methods=["GET", "POST"])
@login_required
def intervention_page(intervention_id: int) -> Any:
    """One intervention; 404 outside its sharing, as the API."""
    actor = current_actor()
    intervention = plans.get_intervention(db.session, actor, intervention_id)
    snapshot = plans.snapshot_for(actor, intervention)
    form = PreservationForm()
    messages: list[str] = []
    if snapshot is not None and request.method == "POST":
        form_choices(form, snapshot)
        answer, messages = record_request(actor, intervention, form)
        if answer is not None:
            return answer
    elif request.method == "POST":
        messages = [_("Confirm the plan first: requests are recorded against its cameras.")]
    return show_page(actor, intervention, snapshot, form, messages)


def show_page(
    actor: Actor,
    intervention: Intervention,
    snapshot: Mapping[str, Any] | None,
    form: PreservationForm,
    messages: list[str],
) -> Any:
    context: dict[str, Any] = {"targets": [], "cameras": [], "owners": [], "codes": {}}
    if snapshot is not None:
        form_choices(form, snapshot)
        deadlines = plans.deadlines(db.session, actor, intervention, at=utcnow())  # audited: contacts
        owner_names = {owner["slug"]: owner["name"] for owner in deadlines["owners"]}
        codes = {camera["id"]: camera["code"] for camera in deadlines["cameras"]}
        context = {
            "targets": target_rows(snapshot),
            "cameras": [camera_row(camera, owner_names) for camera in deadlines["cameras"]],
            "owners": [owner_row(owner, codes) for owner in deadlines["owners"]],
            "codes": codes,
        }
        db.session.commit()
    status = 422 if messages else 200
    return render_page(
        "intervention.html",
        status,
        intervention=intervention,
        facts=intervention_facts(intervention),
        shared_with=sharing(intervention),
        has_snapshot=snapshot is not None,
        computed_at=moment(snapshot["computed_at"]) if snapshot else "",
        requests=all_requests(actor, intervention, context.pop("codes")),
        links=links(intervention, snapshot is not None),
        form=form,
        messages=messages,
        recorded=request.args.get("recorded", type=int),
        zone=ZONE.key,
        **context,
    )
