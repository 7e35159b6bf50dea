"""Security headers on every response, CORS for the public read routes, and their preflights.

- every response: `X-Content-Type-Options`, `Referrer-Policy`, a Content-Security-Policy (pages get
  the page policy, everything else `default-src 'none'`), and `frame-ancestors 'none'` with
  `X-Frame-Options: DENY` unless the route's rule is `framable` (then the configured origins);
- /api/ responses vary on `Authorization, Cookie`; a response to a caller that sent credentials is
  `private, no-store`, whatever the view said;
- CORS only on routes whose rule says `cors`, and only for callers without credentials: `*`, never
  `Access-Control-Allow-Credentials`, so another site's script can never read a signed-in answer.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request, session

from observo.api.problem_api import is_api_request
from observo.web.route_policy import current_rule, rule_for

# Swagger UI (the API docs page) loads from the jsDelivr CDN.
_PAGE_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data:; "
    "frame-ancestors {ancestors}; base-uri 'none'; form-action 'self'"
)
# JSON, CSV, images: nothing in them may load or run anything.
_DATA_CSP = "default-src 'none'; frame-ancestors {ancestors}"
_CORS_EXPOSED = "ETag, Link, Retry-After, X-Request-ID"
_CORS_REQUEST_HEADERS = "Content-Type, If-None-Match, Accept-Language"  # never Authorization
_CORS_MAX_AGE_S = "600"
_USER_ID = "_user_id"  # where Flask-Login keeps the signed-in user in the session


def install_security_headers(app: Flask) -> None:
    app.before_request(_answer_preflight)
    app.after_request(_add_headers)


def signed_in_user_id() -> str | None:
    """The session's user id, read without loading the user from the database.

    A request without a session cookie leaves the session untouched: reading it would add
    `Vary: Cookie` to every response, static files included.
    """
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies and not session.modified:
        return None
    return session.get(_USER_ID)


def credentials_sent() -> bool:
    return "Authorization" in request.headers or signed_in_user_id() is not None


def _answer_preflight() -> Response | None:
    rule = current_rule()
    is_preflight = (
        request.method == "OPTIONS"
        and "Origin" in request.headers
        and "Access-Control-Request-Method" in request.headers
    )
    if not (is_preflight and rule is not None and rule.cors):
        return None
    response = Response(status=204)
    response.headers["Access-Control-Allow-Methods"] = ", ".join(_cors_methods())
    response.headers["Access-Control-Allow-Headers"] = _CORS_REQUEST_HEADERS
    response.headers["Access-Control-Max-Age"] = _CORS_MAX_AGE_S
    return response


def _cors_methods() -> list[str]:
    """The route's methods whose own rule allows CORS (GET and HEAD; POST for the search)."""
    methods = request.url_rule.methods if request.url_rule else set()
    return [
        method
        for method in sorted(methods or ())
        if method != "OPTIONS" and (rule := rule_for(request.endpoint or "", method)) and rule.cors
    ]


def _add_headers(response: Response) -> Response:
    rule = current_rule()
    credentials = credentials_sent()
    _content_headers(response, framable=rule is not None and rule.framable)
    if is_api_request():
        response.vary.update(("Authorization", "Cookie"))  # added to the view's own Vary
    if credentials:
        response.headers["Cache-Control"] = "private, no-store"
    _cors_headers(response, allowed=rule is not None and rule.cors and not credentials)
    return response


def _content_headers(response: Response, framable: bool) -> None:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if framable:
        origins = current_app.config["OBSERVO_SETTINGS"].embed_origins
        ancestors = " ".join(origins) or "'self'"
        headers.pop("X-Frame-Options", None)
    else:
        ancestors = "'none'"
        headers["X-Frame-Options"] = "DENY"
    is_page = response.mimetype == "text/html" and response.status_code != 204  # 204: no body at all
    policy = _PAGE_CSP if is_page else _DATA_CSP
    headers.setdefault("Content-Security-Policy", policy.format(ancestors=ancestors))


def _cors_headers(response: Response, allowed: bool) -> None:
    present = {name.lower() for name, _value in response.headers.items()}
    for name in present:
        if name.startswith("access-control-") and (not allowed or name == "access-control-allow-credentials"):
            del response.headers[name]
    if allowed:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = _CORS_EXPOSED
