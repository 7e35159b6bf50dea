"""The answer when the database cannot serve now: 503 with Retry-After, never a traceback or SQL.

Machine paths (and callers that ask for JSON) get problem+json with a stable code
(`service_unavailable`, `database_busy`, `query_timeout`); pages get a readable error page.
Neither touches the database again.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from flask import current_app, request

from observo.extensions import db
from observo.http.i18n import render_page
from observo.http.problem_api import is_api_request
from observo.http.problems import problem, title_for
from observo.http.session import stop_loading_signed_in
from observo.spatial.engine import unavailability

# A writer's lock is gone in moments; a restart or a failover takes seconds.
_RETRY_AFTER_S = {"database_busy": 1}
_DEFAULT_RETRY_AFTER_S = 5


def unavailable_response(error: Exception) -> Any:
    code = unavailability(error) or "service_unavailable"
    _roll_back()
    headers = {"Retry-After": str(_RETRY_AFTER_S.get(code, _DEFAULT_RETRY_AFTER_S))}
    # The log keeps the driver's message (never the statement); the caller gets none of it. A busy
    # or slow database is expected under load; an unreachable one needs an operator.
    level = logging.ERROR if code == "service_unavailable" else logging.WARNING
    current_app.logger.log(
        level, "database unavailable (%s): %s", code, getattr(error, "orig", None) or error
    )
    if _wants_problem():
        return problem(503, code, _detail(code), headers=headers)
    stop_loading_signed_in()
    html, status = render_page("error.html", 503, detail=title_for(code))
    return html, status, headers


def _wants_problem() -> bool:
    # Machine paths always; elsewhere a caller that asks for JSON rather than a page (a script).
    if is_api_request():
        return True
    best = request.accept_mimetypes.best_match(("text/html", "application/json", "application/problem+json"))
    return best not in (None, "text/html")


def _detail(code: str) -> str:
    if code == "query_timeout":
        limit = current_app.config["OBSERVO_SETTINGS"].statement_timeout_ms
        return f"the query ran longer than {limit} ms: narrow it and retry"
    if code == "database_busy":
        return "the database is busy with another write: retry shortly"
    return "the database is not reachable: retry shortly"


def _roll_back() -> None:
    # The request's work is undone; on a dead connection even the rollback may fail, and that
    # must not turn the 503 into a 500.
    try:
        db.session.rollback()
    except sa.exc.SQLAlchemyError as error:
        current_app.logger.warning("rollback after an unavailable database failed: %s", error)
