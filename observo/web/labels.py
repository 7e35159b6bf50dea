"""Human labels for the camera's properties and vocabulary values, in the reader's language.

One table serves the camera card, the list page and the map (its page config carries them to JS).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# property -> label, in reading order (the card shows them in this order).
FIELD_LABELS = {
    "code": _l("Code"),
    "name": _l("Name"),
    "owner": _l("Owner"),
    # Shown only when no operator organisation is linked (web/source_data.py).
    "operator_name": _l("Operator (as the source names it)"),
    "address": _l("Address"),
    "municipality": _l("Municipality (ISTAT)"),
    "camera_type": _l("Type"),
    "surveillance_type": _l("Surveillance"),
    "status": _l("Status"),
    "visibility": _l("Sharing"),
    "bearing_deg": _l("Bearing (°)"),
    "direction_unknown": _l("Direction"),
    "hfov_deg": _l("Angle (°)"),
    "range_m": _l("Range (m)"),
    "height_m": _l("Height (m)"),
    "mount": _l("Mount"),
    "records": _l("Records"),
    "retention_hours": _l("Retention (hours)"),
    "data_controller": _l("Data controller"),
    "last_verified_on": _l("Last verified"),
    "verification": _l("Verification"),
    "owner_confirmation": _l("Owner's yearly confirmation"),
    "installed_on": _l("Installed on"),
    "version": _l("Version"),
    "updated_at": _l("Last changed"),
}

# Labels of the source's part of a camera that the card and the panel lay out themselves (a link)
# rather than as plain rows.
SOURCE_LABELS = {"licence": _l("Data licence")}

VALUE_LABELS = {
    "camera_type": {
        "fixed": _l("Fixed"),
        "dome": _l("Dome"),
        "panning": _l("PTZ (panning)"),
        "panorama": _l("Panorama"),
        "thermal": _l("Thermal"),
    },
    "surveillance_type": {"camera": _l("Camera"), "alpr": _l("Plate reader (ALPR)")},
    "status": {
        "planned": _l("Planned"),
        "active": _l("Active"),
        "faulty": _l("Faulty"),
        "inactive": _l("Inactive"),
        "decommissioned": _l("Decommissioned"),
    },
    "visibility": {"public": _l("Public"), "shared": _l("Shared"), "private": _l("Private")},
    "records": {True: _l("Yes"), False: _l("No")},
    "mount": {
        "wall": _l("Wall"),
        "pole": _l("Pole"),
        "ceiling": _l("Ceiling"),
        "street_lamp": _l("Street lamp"),
        "building": _l("Building"),
        "traffic_signal": _l("Traffic signal"),
        "gantry": _l("Gantry"),
        "other": _l("Other"),
    },
    "verification": {
        "unverified": _l("Unverified"),
        "owner_confirmed": _l("Confirmed by the owner"),
        "surveyed": _l("Surveyed on site"),
        "disputed": _l("Disputed"),
    },
    # docs/owners.md, "Yearly re-confirmation": absent (null) while confirmed
    "owner_confirmation": {
        "due_soon": _l("Due soon"),
        "overdue": _l("Overdue: not confirmed by the owner"),
        "lapsed": _l("Lapsed: not confirmed by the owner, now unverified"),
    },
}


def value_label(name: str, value: object) -> object:
    labels = VALUE_LABELS.get(name, {})
    return labels.get(value, value)  # type: ignore[call-overload]


def camera_rows(shown: dict[str, object]) -> list[tuple[str, object]]:
    """(label, value) for the card, in reading order, from values already shown as people read them
    (vocabulary labels, local dates); absent values are skipped."""
    return [
        (str(label), shown[name]) for name, label in FIELD_LABELS.items() if shown.get(name) not in (None, "")
    ]


def labels_for_scripts() -> dict[str, dict[str, str]]:
    """The same labels as plain strings, for the map's page config."""
    values = {
        name: {str(value).lower(): str(label) for value, label in labels.items()}
        for name, labels in VALUE_LABELS.items()
    }
    fields = {name: str(label) for name, label in {**FIELD_LABELS, **SOURCE_LABELS}.items()}
    return {"fields": fields, **values}
