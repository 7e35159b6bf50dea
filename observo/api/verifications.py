"""/api/v1/verifications: the sponsoring municipality's queue of owners' declared cameras
(docs/owners.md, "Police verification")."""

from __future__ import annotations

from observo.api.blueprint import ApiBlueprint

blp = ApiBlueprint(
    "verifications",
    __name__,
    url_prefix="/api/v1/verifications",
    description="Owners' cameras to verify",
)
