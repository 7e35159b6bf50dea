"""Per-request plumbing of the access rules: request id, route policy, audit of refusals.

The audit log's keys are loaded here too, when the app is built (a bad key file stops the start, not
the first write): every audited request depends on them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response, g, request

from observo.domain.permissions import ANONYMOUS, Actor, can_read_audit
from observo.errors import Forbidden, NotAuthenticated, ObservoError
from observo.extensions import db, login_manager
from observo.http import rate_limits
from observo.http.auth import current_actor
from observo.http.credentials import offered_credentials
from observo.http.owner_auth import require_owner
from observo.http.problem_api import is_api_request
from observo.http.route_policy import ADMIN, ANYONE, AUDITOR, OWNER, current_rule
from observo.http.unavailable import unavailable_response
from observo.logs import request_id
from observo.services import audit, audit_chain, audit_refusals
from observo.spatial import engine


def install_access_control(app: Flask) -> None:
    with app.app_context():
        audit_chain.install(app, db.engine)
    app.before_request(_open_request)
    app.before_request(_enforce_route_policy)
    app.after_request(_tag_response)
    app.teardown_request(_close_request)


def _open_request() -> None:
    g.audit_token = audit.bind(audit.RequestContext(request_id(), request.remote_addr))


def _enforce_route_policy() -> Any:
    if request.endpoint is None:  # no route matched: Werkzeug answers 404/405 itself
        return None
    rule = current_rule()
    if rule is None:
        raise Forbidden(f"no access rule for {request.method} {request.endpoint}: refused")
    if rule.will_write(request.args):
        g.write_token = engine.write_intent.set(True)
    if rule.who == ANYONE:
        return None
    if rule.who == OWNER:  # the owners' API: an owner token, never a police credential
        require_owner()
        return None
    actor = current_actor()
    if actor.is_anonymous:
        if not is_api_request():
            return login_manager.unauthorized()  # pages send the browser to the sign-in form
        raise NotAuthenticated("sign in or send 'Authorization: Bearer <token>'")
    if rule.who == ADMIN and not actor.is_admin:
        raise Forbidden("administrators only")
    if rule.who == AUDITOR and not can_read_audit(actor):
        raise Forbidden("administrators and the organisation's auditors only")
    return None


def _tag_response(response: Response) -> Response:
    response.headers.setdefault("X-Request-ID", request_id() or "")
    return response


def _close_request(_error: BaseException | None) -> None:
    if "write_token" in g:
        engine.write_intent.reset(g.pop("write_token"))
    if "audit_token" in g:
        audit.unbind(g.pop("audit_token"))


def refusal_response(error: ObservoError, respond: Callable[[ObservoError], Any]) -> Any:
    """`respond(error)` once the refusal is audited; 503 when the database cannot take the entry.

    For error handlers: an exception raised inside one is not handled again (it would be a 500).
    Refused credentials past their address's quota get 429 instead, and no entry (http/rate_limits.py).
    """
    throttled = rate_limits.refused_credentials_throttled() if _refused_credentials(error) else None
    if throttled is not None:
        return throttled
    try:
        audit_refusal(error)
    except engine.UNAVAILABLE_ERRORS as unavailable:
        return unavailable_response(unavailable)
    return respond(error)


def audit_refusal(error: ObservoError) -> None:
    """A refused authorisation is logged in a transaction of its own (the request's is undone).

    Logged: every 403, and every 401 where credentials were offered (a bad, expired or revoked
    token). Requests that offer none are not logged: they carry no identity, and logging them
    would let anyone flood the log. Refusals of unidentified callers (a refused token, an anonymous
    403) are logged once per address and hour, the later ones counted (services/audit_refusals.py);
    an identified caller's refusals are logged one by one (its quota bounds them).
    """
    if isinstance(error, Forbidden):
        actor, action = _actor_or_anonymous(), "auth.denied"
    elif _refused_credentials(error):
        actor, action = _offered_token(), "auth.rejected"
    else:
        return
    db.session.rollback()
    if "write_token" not in g:  # reset at teardown, with the rest of the request's context
        g.write_token = engine.write_intent.set(True)
    else:
        engine.write_intent.set(True)  # the view may have ended it (engine.end_write_intent)
    details = {"method": request.method, "path": request.path, "detail": error.detail}
    if actor.user_id is None:
        audit_refusals.record_refusal(db.session, actor, action, request.remote_addr, details)
    else:
        audit.record(db.session, actor, action, details=details)
    db.session.commit()


def _refused_credentials(error: ObservoError) -> bool:
    return isinstance(error, NotAuthenticated) and "Authorization" in request.headers


def _actor_or_anonymous() -> Actor:
    try:
        return current_actor()
    except ObservoError:
        return ANONYMOUS


def _offered_token() -> Actor:
    token = offered_credentials(request.headers.get("Authorization", "")).token  # Bearer or Basic
    # The first characters of a token identify it without being enough to use it.
    return Actor(label=f"token {token[:10]}…" if token else "empty credentials")
