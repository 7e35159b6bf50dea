"""The intervention brief, `GET /api/v1/interventions/<id>/brief`: a printable page, or a PDF (`?f=pdf`).

The page is one template (`brief.html` + `static/brief.css`, print CSS with A4 pages, page numbers and
a watermark naming the reader). The PDF is the same HTML through WeasyPrint, imported lazily (a
deployment without Pango still serves the page; the PDF answers 501) and given a URL fetcher that
reads only the application's own static files from disk: the brief never makes a network request,
whatever a name or note in it says. Times are Italian local time (Europe/Rome), for the officers
who print it.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask import Response, current_app, render_template, request
from flask.blueprints import BlueprintSetupState
from flask_babel import format_decimal, format_percent, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from observo import optional
from observo.domain import deadlines as dl
from observo.domain.permissions import Actor
from observo.errors import FieldIssue, MalformedQuery
from observo.extensions import db
from observo.http.auth import current_actor
from observo.http.i18n import language
from observo.http.problem_api import api
from observo.http.problems import problem
from observo.models import Intervention, PreservationAnswer, PreservationRequest
from observo.services import interventions as plans
from observo.services import owner_requests
from observo.services.brief import FORMATS, Brief, gather_brief
from observo.services.preservation_scope import ShownRequest
from observo.spatial import engine
from observo.web.brief_map import target_map_svg
from observo.web.labels import value_label
from observo.web.pages import bp

ZONE = ZoneInfo("Europe/Rome")
MOMENT_FORMAT = "d MMM y, HH:mm"
GAP_ROWS = 15  # the largest gaps; the map shows them all

KIND_LABELS = {
    "proximity_patrol": _l("Proximity patrol"),
    "mobile_office": _l("Mobile office"),
    "event": _l("Event"),
    "investigation": _l("Investigation"),
    "other": _l("Other"),
}
STATUS_LABELS = {
    "draft": _l("Draft"),
    "planned": _l("Scheduled"),
    "active": _l("Under way"),
    "closed": _l("Closed"),
}
TARGET_KIND_LABELS = {"area": _l("Area"), "route": _l("Route")}
FLAG_LABELS = {dl.NOT_RECORDING: _l("Does not record"), dl.RETENTION_UNKNOWN: _l("Retention unknown")}
CHANNEL_LABELS = {
    "pec": _l("PEC"),
    "email": _l("E-mail"),
    "phone": _l("Phone"),
    "in_person": _l("In person"),
    "letter": _l("Letter"),
    "other": _l("Other"),
}
PRESERVATION_LABELS = {
    "pending": _l("Pending"),
    "preserved": _l("Preserved"),
    "refused": _l("Refused"),
    "expired": _l("Expired"),
}
# The owners' own answers (services/owner_requests.py), every one kept and shown with its time.
ANSWER_LABELS = {
    "preserved": _l("Footage preserved"),
    "nothing_recorded": _l("Nothing recorded"),
    "refused": _l("Preservation refused"),
    "handed_over": _l("Footage handed over"),
}


def label(labels: Mapping[str, Any], value: str | None) -> str:
    return "" if value is None else str(labels.get(value, value))


# --- numbers and times as people read them --------------------------------------------------------


def moment(value: datetime | str | None) -> str:
    """A UTC instant (or its ISO text) in Italian local time."""
    when = dl.parse_iso(value) if isinstance(value, str) else value
    if when is None:
        return ""
    return format_datetime(when, MOMENT_FORMAT, tzinfo=ZONE, locale=get_locale())


def percent(ratio: float | None) -> str:
    return "" if ratio is None else format_percent(ratio, "#,##0.0%")


def metres(value: float | None) -> str:
    return "" if value is None else f"{format_decimal(round(value), '#,##0')} m"


def square_metres(value: float | None) -> str:
    return "" if value is None else f"{format_decimal(round(value), '#,##0')} m²"


def hours_left(value: float | None, expired: bool) -> str:
    """The time left before footage is overwritten, in days and whole hours, rounded down: an officer
    must not count on an hour that is not there."""
    if value is None:
        return ""
    if expired:
        return _("expired")
    days, hours = divmod(int(value), 24)
    if days == 0 and hours == 0:
        return _("less than an hour left")
    day_text = ngettext("%(num)s day", "%(num)s days", days) if days else ""
    hour_text = ngettext("%(num)s hour", "%(num)s hours", hours) if hours else ""
    if day_text and hour_text:
        return _("%(days)s and %(hours)s left", days=day_text, hours=hour_text)
    return _("%(time)s left", time=day_text or hour_text)


# --- the template's content ------------------------------------------------------------------------


def intervention_facts(intervention: Intervention) -> list[tuple[str, str]]:
    """(label, value) of the plan itself, in reading order; empty values skipped."""
    facts = [
        (_("Kind"), label(KIND_LABELS, intervention.kind)),
        (_("Lead"), intervention.lead.name),
        (_("Window"), f"{moment(intervention.window_start)} – {moment(intervention.window_end)}"),
        (_("Status"), label(STATUS_LABELS, intervention.status)),
        (_("Protocol number"), intervention.protocol_number or ""),
        (_("Reason"), intervention.reason),
        (_("Description"), intervention.description or ""),
    ]
    return [(name, value) for name, value in facts if value]


def target_figures(coverage: Mapping[str, Any]) -> list[tuple[str, str]]:
    figures = [
        (_("Surface area"), square_metres(coverage.get("area_m2"))),
        (_("Covered"), square_metres(coverage.get("covered_m2"))),
        (_("Coverage"), percent(coverage.get("ratio"))),
    ]
    route = coverage.get("route")
    if route:
        figures += [
            (_("Route length"), metres(route.get("length_m"))),
            (_("Covered length"), metres(route.get("covered_length_m"))),
            (_("Route coverage"), percent(route.get("ratio"))),
        ]
    return figures


def target_section(target: Mapping[str, Any], cameras: list[dict[str, Any]], index: int) -> dict[str, Any]:
    """One target: its map, figures, gaps, uncovered stretches and suggestions."""
    coverage = target.get("coverage") or {}
    gaps = (coverage.get("gaps") or {}).get("features", [])
    stretches = (coverage.get("route") or {}).get("uncovered", [])
    title = _("Map of %(name)s", name=target["name"])
    return {
        "name": target["name"],
        "kind": label(TARGET_KIND_LABELS, target.get("kind")),
        "buffer": metres(target.get("buffer_m")) if target.get("kind") == "route" else "",
        "svg": Markup(target_map_svg(target, cameras, f"brief-map-{index}", title=title)),  # built escaped
        "figures": target_figures(coverage),
        "cameras": sum(1 for camera in cameras if target.get("id") in camera.get("target_ids", ())),
        "gaps": [
            {"rank": f"G{gap['properties']['rank']}", "area": square_metres(gap["properties"].get("area_m2"))}
            for gap in gaps[:GAP_ROWS]
        ],
        "more_gaps": max(len(gaps) - GAP_ROWS, 0),
        "stretches": [
            {"from": metres(s["from_m"]), "to": metres(s["to_m"]), "length": metres(s["length_m"])}
            for s in stretches
        ],
        "suggestions": [suggestion_row(item) for item in coverage.get("suggestions", [])],
    }


def suggestion_row(item: Mapping[str, Any]) -> dict[str, str]:
    lon, lat = item["geometry"]["coordinates"][:2]
    return {
        "rank": str(item["rank"]),
        "added": square_metres(item.get("added_m2")),
        "added_ratio": percent(item.get("added_ratio")),
        "range": metres(item.get("range_m")),
        "position": f"{lat:.6f}, {lon:.6f}",
    }


def camera_row(camera: Mapping[str, Any], owner_names: Mapping[str, str]) -> dict[str, Any]:
    retention = camera.get("retention_hours") if camera.get("records") else None  # kept by none
    records = str(value_label("records", bool(camera.get("records"))))
    return {
        "code": camera["code"],
        "name": camera.get("name") or "",
        "owner": owner_names.get(camera["owner"], camera["owner"]),
        "type": str(value_label("camera_type", camera.get("camera_type"))),
        "status": str(value_label("status", camera.get("status"))),
        "type_status": " · ".join(
            str(value_label(name, camera.get(name))) for name in ("camera_type", "status") if camera.get(name)
        ),
        "records": records if retention is None else f"{records} · {retention} h",
        "expires": moment(camera.get("footage_expires_at")),
        "left": hours_left(camera.get("hours_left"), bool(camera.get("expired"))),
        "flag": label(FLAG_LABELS, camera.get("flag")),
        "preservation": label(PRESERVATION_LABELS, camera.get("preservation")),
    }


def owner_row(owner: Mapping[str, Any], codes: Mapping[int, str]) -> dict[str, Any]:
    return {
        "name": owner["name"],
        "cameras": ", ".join(codes[i] for i in owner.get("camera_ids", []) if i in codes),
        "earliest": moment(owner.get("earliest_expiry")),
        "contacts": [
            {name: contact.get(name) or "" for name in ("name", "phone", "email", "pec", "hours")}
            for contact in owner.get("contacts", [])
        ],
        "preservation": label(PRESERVATION_LABELS, owner.get("preservation")),
    }


def request_row(item: PreservationRequest | ShownRequest, codes: Mapping[int, str]) -> dict[str, str]:
    named = [codes.get(camera_id, f"#{camera_id}") for camera_id in item.camera_ids or []]
    return {
        "owner": item.owner.name,
        "requested_at": moment(item.requested_at),
        "channel": label(CHANNEL_LABELS, item.channel),
        "contact": item.contact or "",
        "protocol_number": item.protocol_number or "",
        "cameras": ", ".join(named) if named else _("all of the owner's cameras"),
        "note": item.note or "",
        "by": item.requested_by.email if item.requested_by else "",
    }


def answer_rows(answers: Iterable[PreservationAnswer]) -> list[dict[str, str]]:
    """An owner's answers, oldest first: what, when (Italian time), the owner's reason."""
    return [
        {
            "answer": label(ANSWER_LABELS, item.answer),
            "at": moment(item.answered_at),
            "reason": item.reason or "",
        }
        for item in answers
    ]


def answered_requests(
    actor: Actor, intervention: Intervention, codes: Mapping[int, str]
) -> list[dict[str, Any]]:
    """The requests the reader sees that their owner answered on Observo, each with every answer."""
    shown = plans.requests_for(actor, intervention)
    answers = owner_requests.answers_by_request(db.session, [item.id for item in shown])
    return [
        {**request_row(item, codes), "answers": answer_rows(answers[item.id])}
        for item in shown
        if item.id in answers
    ]


def brief_context(brief: Brief) -> dict[str, Any]:
    """Everything `brief.html` shows, as display strings (Jinja escapes them)."""
    snapshot, deadlines = brief.snapshot, brief.deadlines
    owner_names = {owner["slug"]: owner["name"] for owner in deadlines["owners"]}
    codes = {camera["id"]: camera["code"] for camera in deadlines["cameras"]}
    author = brief.author
    return {
        "intervention": brief.intervention,
        "facts": intervention_facts(brief.intervention),
        "computed": {"at": moment(snapshot.get("computed_at")), "by": snapshot.get("computed_by") or ""},
        "totals": snapshot.get("totals") or {},
        "total_ratio": percent((snapshot.get("totals") or {}).get("ratio")),
        "targets": [
            target_section(target, snapshot["cameras"], index)
            for index, target in enumerate(snapshot["targets"], start=1)
        ],
        "cameras": [camera_row(camera, owner_names) for camera in deadlines["cameras"]],
        "owners": [owner_row(owner, codes) for owner in deadlines["owners"]],
        "requests": [request_row(item, codes) for item in brief.pending],
        "answered": answered_requests(brief.author, brief.intervention, codes),
        "author": {"email": author.label, "user_id": author.user_id},
        "generated": moment(brief.generated_at),
        "zone": ZONE.key,
        "watermark": _("Observo · user #%(id)s", id=author.user_id),
    }


# --- PDF -------------------------------------------------------------------------------------------


class StaticOnlyError(ValueError):
    """A URL outside the application's static files: never fetched."""


class PdfUnavailableError(RuntimeError):
    """WeasyPrint (or the Pango library under it) is not installed."""


def static_path(url: str, base_url: str, static_dir: Path, static_url: str) -> Path:
    """The file under `static_dir` that `url` names (same origin as `base_url`, under `static_url`)."""
    parts, base = urlsplit(url), urlsplit(base_url)
    prefix = static_url.rstrip("/") + "/"
    if (
        parts.scheme not in ("http", "https")
        or parts.netloc != base.netloc
        or not parts.path.startswith(prefix)
    ):
        raise StaticOnlyError(f"not one of the application's static files: {url[:200]}")
    root = static_dir.resolve()
    candidate = (root / unquote(parts.path[len(prefix) :])).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        raise StaticOnlyError(f"no such static file: {url[:200]}")
    return candidate


def load_weasyprint() -> Any:
    """WeasyPrint, imported only when a PDF is asked for: a server without Pango still serves pages."""
    try:
        return optional.load("weasyprint")
    except optional.MissingDependencyError as exc:  # names the extra to install, and Pango
        raise PdfUnavailableError(str(exc)) from exc


def static_fetcher(base_url: str, static_dir: Path, static_url: str) -> Any:
    """WeasyPrint's URL fetcher, limited to the static files (read from disk, no network)."""
    from weasyprint import urls

    def read(url: str) -> tuple[bytes, str]:
        path = static_path(url, base_url, static_dir, static_url)
        return path.read_bytes(), mimetypes.guess_type(path.name)[0] or "application/octet-stream"

    if not hasattr(urls, "URLFetcher"):  # WeasyPrint < 68 takes a function returning a dict

        def fetch(url: str, timeout: int = 10, ssl_context: Any = None) -> dict[str, Any]:
            body, mime = read(url)
            return {"string": body, "mime_type": mime, "redirected_url": url}

        return fetch

    class StaticFetcher(urls.URLFetcher):  # type: ignore[misc, name-defined]
        def fetch(self, url: str, headers: Any = None) -> Any:
            body, mime = read(url)
            return urls.URLFetcherResponse(url, body, {"Content-Type": mime})

    return StaticFetcher()


def app_fetcher() -> Callable[..., Any]:
    """The fetcher for this request: static URLs as `url_for` writes them (behind a path prefix too)."""
    static_url = request.script_root + (current_app.static_url_path or "/static")
    return static_fetcher(request.host_url, Path(current_app.static_folder or ""), static_url)


# --- the route -------------------------------------------------------------------------------------

_PROBLEM = {"$ref": "#/components/responses/DEFAULT_ERROR"}
BRIEF_OPERATION = {
    "tags": ["interventions"],
    "summary": "The intervention brief: a printable page (default) or, with f=pdf, a PDF.",
    "description": (
        "Map, coverage, gaps and suggestions per target; cameras by footage deadline; owners with their "
        "footage contacts; pending preservation requests. Audited (`intervention.brief`) with the "
        "intervention's reason. 404 outside its sharing, 409 `no_snapshot` before the plan is confirmed, "
        "501 `pdf_unavailable` where WeasyPrint is not installed."
    ),
    "parameters": [
        {
            "in": "query",
            "name": "f",
            "required": False,
            "schema": {"type": "string", "enum": list(FORMATS), "default": "html"},
        }
    ],
    "responses": {
        "200": {
            "description": "The brief",
            "content": {
                "text/html": {"schema": {"type": "string"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            },
        },
        "default": _PROBLEM,
    },
}


def requested_format() -> str:
    fmt = request.args.get("f", "html")
    if fmt not in FORMATS:
        detail = f"f must be one of {', '.join(FORMATS)}"
        raise MalformedQuery(detail, [FieldIssue("/f", "invalid_choice", detail)])
    return fmt


@bp.route("/api/v1/interventions/<int:intervention_id>/brief")
def intervention_brief(intervention_id: int) -> Any:
    """The brief as a page (default) or a PDF; 404 outside the read scope, 409 before the snapshot."""
    fmt = requested_format()
    try:
        weasyprint = load_weasyprint() if fmt == "pdf" else None
    except PdfUnavailableError as exc:
        detail = (
            f"PDF output is not available on this server (WeasyPrint or Pango missing: {exc}); use the page"
        )
        return problem(501, "pdf_unavailable", detail)
    brief = gather_brief(db.session, current_actor(), intervention_id, fmt)
    page = render_template("brief.html", lang=language(), **brief_context(brief))
    # Logged before the brief leaves, in a commit of its own: the slow PDF rendering below holds
    # neither the audit chain nor SQLite's write lock (docs/security.md, "Holding the chain").
    db.session.commit()
    engine.end_write_intent()
    if weasyprint is None:
        return Response(page, mimetype="text/html")
    document = weasyprint.HTML(string=page, base_url=request.host_url, url_fetcher=app_fetcher())
    pdf = document.write_pdf()
    filename = f"intervento-{intervention_id}-scheda.pdf"
    return Response(
        pdf, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{filename}"'}
    )


@bp.record_once
def document_brief(state: BlueprintSetupState) -> None:
    """The brief is an API path (token or session; problem+json errors), so the OpenAPI document lists
    it, though a page view serves it (HTML or PDF, not JSON). Recorded after the route, so its rule
    exists; the Api is initialised before the pages blueprint is registered (`create_app`)."""
    rule = next(
        rule for rule in state.app.url_map.iter_rules() if rule.endpoint == "pages.intervention_brief"
    )
    api.spec.path(rule=rule, operations={"get": BRIEF_OPERATION})
