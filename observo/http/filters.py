"""Parsed request arguments -> the attribute filters every camera query shares."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from observo.services.queries import CameraFilters


def camera_filters(args: Mapping[str, Any]) -> CameraFilters:
    """From query parameters (`status` comma-separated) or a search body (`status` a list)."""
    return CameraFilters(
        owner=args.get("owner"),
        camera_type=args.get("camera_type"),
        surveillance_type=args.get("surveillance_type"),
        statuses=tuple(args.get("status", ())),
        municipality=args.get("municipality"),
        visibility=args.get("visibility"),
        text=args.get("q"),
    )
