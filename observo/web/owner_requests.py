"""The owner's inbox of footage requests and its answers (docs/owners.md, "Footage requests").
Routes on the owners' blueprint (web/owners.py)."""

from __future__ import annotations

from observo.web.owners import bp  # noqa: F401
