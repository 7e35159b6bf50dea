"""GET /api/v1/audit: the audit log, for administrators and an organisation's auditors."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView

from observo.api.blueprint import ApiBlueprint
from observo.extensions import db
from observo.http.auth import require_actor
from observo.http.responses import page_links
from observo.schemas.audit import AuditPage, AuditQuery
from observo.services import audit
from observo.services.organisations import filter_organisation_id

blp = ApiBlueprint("audit", __name__, url_prefix="/api/v1/audit", description="The audit log")

_FILTERS = ("since", "until", "action", "actor", "object_type", "object_id", "request_id")


@blp.route("")
class AuditEntries(MethodView):
    @blp.arguments(AuditQuery, location="query")
    @blp.response(200, AuditPage)
    def get(self, args: dict[str, Any]) -> Any:
        """Entries newest first. Admins read all; auditors what their organisation did or what was
        done to its data. Every read is itself logged (`audit.read`)."""
        actor = require_actor()
        filters = audit.AuditFilters(
            **{name: args.get(name) for name in _FILTERS},
            organisation_id=filter_organisation_id(db.session, args["organization"])
            if args.get("organization")
            else None,
        )
        entries, has_more = audit.find_entries(db.session, actor, filters, args["limit"], args["offset"])
        body = {
            "entries": [audit.exported(entry) for entry in entries],
            "numberReturned": len(entries),
            "links": page_links("audit.AuditEntries", args, len(entries), has_more, "application/json"),
        }
        audit.record(
            db.session,
            actor,
            "audit.read",
            result_count=len(entries),
            details={"query": request.args.to_dict()},
        )
        db.session.commit()
        return body
