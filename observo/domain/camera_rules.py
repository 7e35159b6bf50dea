"""Rules on a camera's attributes taken together (single-field ranges live in the schema)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from observo.errors import FieldIssue, InvalidInput

# What a new camera gets for every attribute the caller leaves out.
CREATE_DEFAULTS: Mapping[str, Any] = {
    "status": "active",
    "visibility": "shared",
    "surveillance_type": "camera",
    "source": "api",
    "signage": "unknown",
    "verification": "unverified",
    "records": True,
    "live_link": False,
    "indoor": False,
    "temporary": False,
}

# Calendar dates among the attributes (ISO 8601 strings in JSON and CSV).
DATE_ATTRIBUTES = ("signage_checked_on", "installed_on", "last_verified_on", "valid_from", "valid_until")

# Attributes that shape the field of view: changing any of them recomputes the sector.
OPTICS = (
    "camera_type",
    "surveillance_type",
    "bearing_deg",
    "hfov_deg",
    "tilt_deg",
    "range_m",
    "height_m",
    "direction_unknown",
)


def check_consistency(attrs: Mapping[str, Any]) -> None:
    """Raise InvalidInput listing every cross-field rule that the merged attributes break."""
    issues: list[FieldIssue] = []
    if attrs.get("records") and attrs.get("retention_hours") is None:
        issues.append(_issue("retention_hours", "required", "a camera that records needs retention_hours"))
    valid_from, valid_until = attrs.get("valid_from"), attrs.get("valid_until")
    if valid_from and valid_until and valid_until < valid_from:
        issues.append(_issue("valid_until", "invalid_order", "valid_until is before valid_from"))
    if attrs.get("temporary") and not valid_until:
        issues.append(_issue("valid_until", "required", "a temporary camera needs valid_until"))
    if issues:
        raise InvalidInput("the camera's attributes are inconsistent", issues)


def _issue(name: str, code: str, detail: str) -> FieldIssue:
    return FieldIssue(f"/properties/{name}", code, detail)
