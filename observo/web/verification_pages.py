"""The police's verification queue page (docs/owners.md, "Police verification"). Routes on the police
pages' blueprint (web/pages.py)."""

from __future__ import annotations

from observo.web.pages import bp  # noqa: F401
