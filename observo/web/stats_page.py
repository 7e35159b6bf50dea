"""The statistics page (/stats): the figures of `GET /api/v1/stats` as tables people read.

It runs the API's own service (`stats.registry_stats`) for the signed-in reader, so the page counts
exactly the cameras the API would, in the reader's read scope.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import request
from flask_babel import format_date, format_datetime, format_decimal, format_percent
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from marshmallow import EXCLUDE, ValidationError

from observo.domain import vocabulary as v
from observo.extensions import db
from observo.http.auth import current_actor
from observo.http.i18n import render_page
from observo.models import PlaceCoverage
from observo.schemas.stats import StatsQuery
from observo.services import stats
from observo.services.stats import Figures, MunicipalityFigures, PlaceTrend
from observo.web.labels import VALUE_LABELS
from observo.web.pages import bp

CATEGORY_LABELS = {
    "school": _l("School"),
    "park": _l("Park"),
    "playground": _l("Playground"),
    "square": _l("Square"),
    "station": _l("Station"),
    "market": _l("Market"),
    "place_of_worship": _l("Place of worship"),
    "hospital": _l("Hospital"),
    "sports": _l("Sports ground"),
    "other": _l("Other"),
}
TREND_LABELS = {"up": _l("Rising"), "down": _l("Falling"), "steady": _l("Steady")}
TREND_SIGNS = {"up": "↑", "down": "↓", "steady": "="}
PERCENT = "#,##0.0%"


def _percent(ratio: float | None) -> str:
    return "" if ratio is None else format_percent(ratio, PERCENT)


def municipality_label(group: MunicipalityFigures) -> str:
    """The municipality's name when Observo knows it, else its ISTAT code, else "no municipality"."""
    if group.name:
        return group.name
    return group.istat_code or str(_l("No municipality"))


def figure_row(label: str, code: str | None, figures: Figures, statuses: tuple[str, ...]) -> dict[str, Any]:
    """One table row per municipality (or the total): counts as local numbers, shares as percentages."""
    number = format_decimal
    return {
        "label": label,
        "code": code or "",
        "total": number(figures.total),
        "faulty": number(figures.faulty),
        "not_verified": number(figures.not_verified_for_a_year),
        "confirmation_due": number(figures.owner_confirmation_due),
        "recording": number(figures.recording),
        "retention": _percent(figures.retention_known_share),
        "by_camera_type": [number(figures.by_camera_type[name]) for name in v.CAMERA_TYPES],
        "by_status": [number(figures.by_status[name]) for name in statuses],
        "by_visibility": [number(figures.by_visibility[name]) for name in v.VISIBILITIES],
    }


def _measurement(measurement: PlaceCoverage | None) -> dict[str, str] | None:
    if measurement is None:
        return None
    return {
        "ratio": _percent(measurement.ratio),
        "at": measurement.measured_at.isoformat(),
        "when": format_datetime(measurement.measured_at, "short"),
        "cameras": format_decimal(measurement.camera_count),
    }


def place_row(trend: PlaceTrend) -> dict[str, Any]:
    place = trend.place
    return {
        "name": place.name,
        "organisation": place.organisation.name,
        "category": CATEGORY_LABELS.get(place.category, place.category),
        "latest": _measurement(trend.latest),
        "previous": _measurement(trend.previous),
        "trend": trend.trend,
        "trend_label": TREND_LABELS.get(trend.trend or "", ""),
        "trend_sign": TREND_SIGNS.get(trend.trend or "", ""),
    }


def form_values(args: Mapping[str, str]) -> dict[str, str]:
    """The submitted filters, without the empty ones a GET form sends for "all"."""
    names = ("municipality", "include_decommissioned")
    return {name: args[name].strip() for name in names if args.get(name, "").strip()}


def _columns(include_decommissioned: bool) -> dict[str, list[str]]:
    statuses = v.STATUSES if include_decommissioned else tuple(s for s in v.STATUSES if s != "decommissioned")
    return {
        "statuses": list(statuses),
        "camera_type": [str(VALUE_LABELS["camera_type"][name]) for name in v.CAMERA_TYPES],
        "status": [str(VALUE_LABELS["status"][name]) for name in statuses],
        "visibility": [str(VALUE_LABELS["visibility"][name]) for name in v.VISIBILITIES],
    }


@bp.route("/stats")
@login_required
def stats_page() -> Any:
    actor = current_actor()
    values = form_values(request.args)
    choices = stats.municipality_choices(db.session, actor)
    try:
        args = StatsQuery(unknown=EXCLUDE).load(values)
    except ValidationError:
        return render_page("stats.html", 400, form=values, choices=choices, invalid=True)
    found = stats.registry_stats(
        db.session,
        actor,
        municipality=args.get("municipality"),
        include_decommissioned=args["include_decommissioned"],
    )
    columns = _columns(found.include_decommissioned)
    statuses = tuple(columns["statuses"])
    rows = [
        figure_row(municipality_label(group), group.istat_code, group.figures, statuses)
        for group in found.municipalities
    ]
    return render_page(
        "stats.html",
        form=values,
        choices=choices,
        invalid=False,
        today=format_date(found.today),
        columns=columns,
        rows=rows,
        total=figure_row(str(_l("Total")), None, found.totals, statuses),
        places=[place_row(trend) for trend in found.places],
        include_decommissioned=found.include_decommissioned,
    )
