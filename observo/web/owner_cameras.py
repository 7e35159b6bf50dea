"""The owner's camera pages (docs/owners.md, "Registering cameras"): declare, change, withdraw.
Routes on the owners' blueprint (web/owners.py)."""

from __future__ import annotations

from observo.web.owners import bp  # noqa: F401
